//! Related items of a ticket: related tickets (`…/relatedTickets`, a relation shows on
//! both tickets) and related project tasks (`…/relatedtasks`). The deletes take the
//! relation ids as a comma-separated string, as the spec declares.

use axum::extract::{Path, State};
use axum::{Extension, Json};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::super::super::envelope::{self, ApiError, Envelope};
use super::super::super::json_input::{Fields, JsonBody, csv_ints};
use super::super::super::security::AuthUser;
use super::store;
use super::write::api_actor;
use super::{ensure_visible, ticket_id};
use crate::state::AppState;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RelatedTicket {
    id: i64,
    ticket_id: i64,
    related_ticket_id: i64,
    ticket_number: String,
    title: String,
    status_name: Option<String>,
    status_color: Option<String>,
    status_fore_color: Option<String>,
}

fn related_tickets(connection: &Connection, ticket: i64) -> rusqlite::Result<Vec<RelatedTicket>> {
    let mut statement = connection.prepare(
        "SELECT r.id, o.id, o.ticket_number, o.title, s.name, s.color, s.font_color
         FROM bms_related_tickets r
         JOIN bms_tickets o ON o.id = CASE WHEN r.ticket_id = ?1 THEN r.related_ticket_id ELSE
         r.ticket_id END
         LEFT JOIN bms_ticket_statuses s ON s.id = o.status_id
         WHERE r.ticket_id = ?1 OR r.related_ticket_id = ?1 ORDER BY r.id",
    )?;
    statement
        .query_map([ticket], |row| {
            Ok(RelatedTicket {
                id: row.get(0)?,
                ticket_id: ticket,
                related_ticket_id: row.get(1)?,
                ticket_number: row.get(2)?,
                title: row.get(3)?,
                status_name: row.get(4)?,
                status_color: row.get(5)?,
                status_fore_color: row.get(6)?,
            })
        })?
        .collect()
}

pub async fn list_tickets(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(ticket): Path<String>,
) -> Result<Json<Envelope<Vec<RelatedTicket>>>, ApiError> {
    let ticket = ticket_id(&ticket)?;
    let items = state.store.try_write(|connection| {
        ensure_visible(connection, user, ticket)?;
        Ok::<_, ApiError>(related_tickets(connection, ticket)?)
    })?;
    Ok(envelope::success(items))
}

#[derive(Debug, Serialize)]
pub struct Count {
    count: i64,
}

pub async fn count_tickets(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(ticket): Path<String>,
) -> Result<Json<Envelope<Count>>, ApiError> {
    let ticket = ticket_id(&ticket)?;
    let count = state.store.try_write(|connection| {
        ensure_visible(connection, user, ticket)?;
        Ok::<_, ApiError>(connection.query_row(
            "SELECT COUNT(*) FROM bms_related_tickets WHERE ticket_id = ?1 OR related_ticket_id
                = ?1",
            [ticket],
            |row| row.get(0),
        )?)
    })?;
    Ok(envelope::success(Count { count }))
}

/// `POST …/relatedTickets {RelatedTicketIds:[int]}` → the ticket's related tickets.
pub async fn add_tickets(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(ticket): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Envelope<Vec<RelatedTicket>>>, ApiError> {
    let ticket = ticket_id(&ticket)?;
    let ids = Fields::from_body(body)?
        .ints("RelatedTicketIds")?
        .filter(|ids| !ids.is_empty())
        .ok_or_else(|| ApiError::failure(400, "The RelatedTicketIds field is required."))?;
    let items = state.store.try_write(|connection| {
        ensure_visible(connection, user, ticket)?;
        for other in &ids {
            if *other == ticket {
                return Err(ApiError::failure(
                    400,
                    "A ticket cannot be related to itself.",
                ));
            }
            ensure_visible(connection, user, *other)?;
            let known: bool = connection.query_row(
                "SELECT EXISTS (SELECT 1 FROM bms_related_tickets
                  WHERE (ticket_id = ?1 AND related_ticket_id = ?2) OR (ticket_id = ?2 AND
                  related_ticket_id = ?1))",
                [ticket, *other],
                |row| row.get(0),
            )?;
            if !known {
                connection.execute(
                    "INSERT INTO bms_related_tickets (ticket_id, related_ticket_id) VALUES (?1,
                        ?2)",
                    [ticket, *other],
                )?;
                store::audit(
                    connection,
                    ticket,
                    api_actor(user).source,
                    "Related Item",
                    &format!("Related ticket {other} added."),
                    None,
                )?;
            }
        }
        Ok(related_tickets(connection, ticket)?)
    })?;
    Ok(envelope::success(items))
}

/// Relation ids from a csv member (`"1,2"`), or an array for lenient clients.
fn relation_ids(body: &Fields, name: &str) -> Result<Vec<i64>, ApiError> {
    let ids = match body.text(name) {
        Ok(Some(text)) => csv_ints(&text).ok_or_else(|| {
            ApiError::failure(
                400,
                format!("The {name} field must be a comma-separated list of ids."),
            )
        })?,
        Ok(None) => Vec::new(),
        Err(_) => body.ints(name)?.unwrap_or_default(),
    };
    if ids.is_empty() {
        return Err(ApiError::failure(
            400,
            format!("The {name} field is required."),
        ));
    }
    Ok(ids)
}

/// `DELETE /v2/servicedesk/tickets/relatedTickets {RelatedTicketIds:"csv of relation ids"}`.
pub async fn remove_tickets(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    JsonBody(body): JsonBody,
) -> Result<Json<Envelope<bool>>, ApiError> {
    let ids = relation_ids(&Fields::from_body(body)?, "RelatedTicketIds")?;
    state.store.try_write(|connection| {
        for id in ids {
            let ticket: i64 = connection
                .query_row(
                    "SELECT ticket_id FROM bms_related_tickets WHERE id = ?1",
                    [id],
                    |row| row.get(0),
                )
                .optional()?
                .ok_or_else(|| ApiError::failure(404, format!("Relation {id} not found.")))?;
            ensure_visible(connection, user, ticket)?;
            connection.execute("DELETE FROM bms_related_tickets WHERE id = ?1", [id])?;
            store::audit(
                connection,
                ticket,
                api_actor(user).source,
                "Related Item",
                "Related ticket removed.",
                None,
            )?;
        }
        Ok::<_, ApiError>(())
    })?;
    Ok(envelope::success(true))
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RelatedTask {
    id: i64,
    ticket_id: i64,
    task_id: i64,
    task_name: String,
    project_name: String,
    task_status: String,
    start_date: Option<String>,
}

fn related_tasks(connection: &Connection, ticket: i64) -> rusqlite::Result<Vec<RelatedTask>> {
    let mut statement = connection.prepare(
        "SELECT tt.id, pt.id, pt.task_name, pt.project_name, pt.task_status, pt.start_date
         FROM bms_ticket_tasks tt JOIN bms_project_tasks pt ON pt.id = tt.task_id
         WHERE tt.ticket_id = ?1 ORDER BY tt.id",
    )?;
    statement
        .query_map([ticket], |row| {
            Ok(RelatedTask {
                id: row.get(0)?,
                ticket_id: ticket,
                task_id: row.get(1)?,
                task_name: row.get(2)?,
                project_name: row.get(3)?,
                task_status: row.get(4)?,
                start_date: row.get(5)?,
            })
        })?
        .collect()
}

pub async fn list_tasks(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(ticket): Path<String>,
) -> Result<Json<Envelope<Vec<RelatedTask>>>, ApiError> {
    let ticket = ticket_id(&ticket)?;
    let items = state.store.try_write(|connection| {
        ensure_visible(connection, user, ticket)?;
        Ok::<_, ApiError>(related_tasks(connection, ticket)?)
    })?;
    Ok(envelope::success(items))
}

pub async fn count_tasks(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(ticket): Path<String>,
) -> Result<Json<Envelope<Count>>, ApiError> {
    let ticket = ticket_id(&ticket)?;
    let count = state.store.try_write(|connection| {
        ensure_visible(connection, user, ticket)?;
        Ok::<_, ApiError>(connection.query_row(
            "SELECT COUNT(*) FROM bms_ticket_tasks WHERE ticket_id = ?1",
            [ticket],
            |row| row.get(0),
        )?)
    })?;
    Ok(envelope::success(Count { count }))
}

/// `POST …/relatedtasks {TicketTaskIds:[int]}`: the project task ids to link.
pub async fn add_tasks(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(ticket): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Envelope<Vec<RelatedTask>>>, ApiError> {
    let ticket = ticket_id(&ticket)?;
    let ids = Fields::from_body(body)?
        .ints("TicketTaskIds")?
        .filter(|ids| !ids.is_empty())
        .ok_or_else(|| ApiError::failure(400, "The TicketTaskIds field is required."))?;
    let items = state.store.try_write(|connection| {
        ensure_visible(connection, user, ticket)?;
        for task in &ids {
            let known: bool = connection.query_row(
                "SELECT EXISTS (SELECT 1 FROM bms_project_tasks WHERE id = ?1 AND tenant_id = ?2)",
                [*task, user.tenant_id],
                |row| row.get(0),
            )?;
            if !known {
                return Err(ApiError::failure(
                    400,
                    format!("Project task {task} does not exist."),
                ));
            }
            connection.execute(
                "INSERT OR IGNORE INTO bms_ticket_tasks (ticket_id, task_id) VALUES (?1, ?2)",
                params![ticket, task],
            )?;
        }
        store::audit(
            connection,
            ticket,
            api_actor(user).source,
            "Related Item",
            "Project tasks linked.",
            None,
        )?;
        Ok(related_tasks(connection, ticket)?)
    })?;
    Ok(envelope::success(items))
}

/// `DELETE /v2/servicedesk/tickets/relatedtasks {TicketTaskIds:"csv of relation ids"}`.
pub async fn remove_tasks(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    JsonBody(body): JsonBody,
) -> Result<Json<Envelope<bool>>, ApiError> {
    let ids = relation_ids(&Fields::from_body(body)?, "TicketTaskIds")?;
    state.store.try_write(|connection| {
        for id in ids {
            let ticket: i64 = connection
                .query_row(
                    "SELECT ticket_id FROM bms_ticket_tasks WHERE id = ?1",
                    [id],
                    |row| row.get(0),
                )
                .optional()?
                .ok_or_else(|| ApiError::failure(404, format!("Relation {id} not found.")))?;
            ensure_visible(connection, user, ticket)?;
            connection.execute("DELETE FROM bms_ticket_tasks WHERE id = ?1", [id])?;
        }
        Ok::<_, ApiError>(())
    })?;
    Ok(envelope::success(true))
}
