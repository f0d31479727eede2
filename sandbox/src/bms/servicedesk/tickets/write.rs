//! One ticket: `GET`, `POST` (create), `PUT` (full update), `PATCH` (JSON Patch) and
//! `DELETE` on `/v2/servicedesk/tickets[/{ticketId}]`.

use axum::extract::{Path, State};
use axum::{Extension, Json};
use rusqlite::Connection;

use super::super::super::envelope::{self, ApiError, Envelope};
use super::super::super::json_input::{Fields, JsonBody};
use super::super::super::security::AuthUser;
use super::model::{self, TicketOutput};
use super::patch;
use super::store::{self, Actor, TicketFields};
use super::{NOT_FOUND, ensure_visible, ticket_id};
use crate::state::AppState;

/// The audit log's `Source` for changes made through the API.
pub const API_SOURCE: &str = "API";

pub fn api_actor(user: AuthUser) -> Actor {
    Actor {
        user_id: user.user_id,
        tenant_id: user.tenant_id,
        source: API_SOURCE,
    }
}

pub async fn show(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
) -> Result<Json<Envelope<TicketOutput>>, ApiError> {
    let id = ticket_id(&id)?;
    let ticket = state
        .store
        .try_write(|connection| output(connection, user, id))?;
    Ok(envelope::success(ticket))
}

/// The ticket as the caller may see it, after a write.
pub fn output(connection: &Connection, user: AuthUser, id: i64) -> Result<TicketOutput, ApiError> {
    ensure_visible(connection, user, id)?;
    model::find(connection, user.tenant_id, id)?.ok_or_else(|| ApiError::failure(404, NOT_FOUND))
}

pub async fn create(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    JsonBody(body): JsonBody,
) -> Result<Json<Envelope<TicketOutput>>, ApiError> {
    let body = Fields::from_body(body)?;
    let fields = TicketFields::from_input(&body)?;
    // An observed rule of the live service (a switch turns it off).
    if !state.settings.bms_ticket_queue_optional
        && fields.queue_id.is_none()
        && fields.assignee_id.is_none()
    {
        return Err(ApiError::failure(
            400,
            "Either the QueueId or the AssigneeId field is required.",
        ));
    }
    let ticket = state.store.try_write(|connection| {
        store::validate_references(connection, user.tenant_id, &fields)?;
        ensure_account_in_scope(connection, user, fields.account_id)?;
        let id = store::insert(connection, api_actor(user), &fields)?;
        output(connection, user, id)
    })?;
    Ok(envelope::success(ticket))
}

pub async fn replace(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Envelope<TicketOutput>>, ApiError> {
    let id = ticket_id(&id)?;
    let body = Fields::from_body(body)?;
    let new = TicketFields::from_input(&body)?;
    let ticket = state
        .store
        .try_write(|connection| apply(connection, user, id, |_| Ok(new)))?;
    Ok(envelope::success(ticket))
}

/// `PATCH` with `[{op, path, value}]`; paths in any case, with or without the slash.
pub async fn patch(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Envelope<TicketOutput>>, ApiError> {
    let id = ticket_id(&id)?;
    let operations = patch::operations(body)?;
    let ticket = state.store.try_write(|connection| {
        apply(connection, user, id, |old| {
            let mut document = old.to_document();
            patch::apply(&mut document, &operations)?;
            TicketFields::from_input(&Fields::from_body(document)?)
        })
    })?;
    Ok(envelope::success(ticket))
}

/// Loads the ticket, derives the new fields from the old, validates and writes them.
fn apply(
    connection: &Connection,
    user: AuthUser,
    id: i64,
    derive: impl FnOnce(&TicketFields) -> Result<TicketFields, ApiError>,
) -> Result<TicketOutput, ApiError> {
    ensure_visible(connection, user, id)?;
    let old = store::load(connection, user.tenant_id, id)?
        .ok_or_else(|| ApiError::failure(404, NOT_FOUND))?;
    let new = derive(&old)?;
    store::validate_references(connection, user.tenant_id, &new)?;
    ensure_account_in_scope(connection, user, new.account_id)?;
    store::update(connection, api_actor(user), id, &old, &new)?;
    output(connection, user, id)
}

pub async fn delete(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
) -> Result<Json<Envelope<bool>>, ApiError> {
    let id = ticket_id(&id)?;
    state.store.try_write(|connection| {
        ensure_visible(connection, user, id)?;
        Ok::<_, ApiError>(remove(connection, api_actor(user), id)?)
    })?;
    Ok(envelope::success(true))
}

/// Deletes a ticket and what hangs off it; the audit log keeps a "Deleted" entry.
pub fn remove(connection: &Connection, actor: Actor, id: i64) -> rusqlite::Result<()> {
    connection.execute(
        "DELETE FROM bms_attachments WHERE module_id = ?1 AND object_id = ?2",
        [super::super::attachments::TICKET_MODULE, id],
    )?;
    connection.execute("DELETE FROM bms_tickets WHERE id = ?1", [id])?;
    store::audit(
        connection,
        id,
        actor.source,
        "Deleted",
        "Ticket deleted.",
        None,
    )
}

fn ensure_account_in_scope(
    connection: &Connection,
    user: AuthUser,
    account_id: i64,
) -> Result<(), ApiError> {
    let sql = format!("SELECT {}", super::super::support::in_scope_sql("?"));
    let allowed: bool = connection.query_row(&sql, [user.user_id, account_id], |row| row.get(0))?;
    if allowed {
        Ok(())
    } else {
        Err(ApiError::failure(
            403,
            format!("Account {account_id} is outside your security scope."),
        ))
    }
}
