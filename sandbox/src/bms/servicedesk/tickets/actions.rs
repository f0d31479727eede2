//! Ticket actions: `POST …/assignticket` (always writes a note; 200 with no body) and
//! `POST …/resolve` (a completed status, `CompletedDate`, a resolution note). Reopening
//! has no endpoint: setting an open status again (PUT, PATCH, a note) sets `ReOpenedDate`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use rusqlite::{Connection, OptionalExtension};

use super::super::super::envelope::{self, ApiError, Envelope};
use super::super::super::json_input::{Fields, JsonBody, require};
use super::super::super::security::AuthUser;
use super::model::TicketOutput;
use super::notes::{self, NewNote};
use super::store::{self, TicketFields};
use super::write::{api_actor, output};
use super::{NOT_FOUND, ensure_visible, ticket_id};
use crate::state::AppState;

pub async fn assign(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(ticket): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<StatusCode, ApiError> {
    let ticket = ticket_id(&ticket)?;
    let body = Fields::from_body(body)?;
    require(
        &body,
        &["Details", "IsInternal", "TypeId", "StatusId", "NoteDate"],
    )?;
    let note = NewNote {
        details: body.text("Details")?.unwrap_or_default(),
        is_internal: body.boolean("IsInternal")?.unwrap_or(false),
        type_id: body.int("TypeId")?,
        note_date: body.datetime("NoteDate")?.map(|date| date.to_bms()),
    };
    let status = body.int("StatusId")?;
    let assignee = body.int("AssigneeId")?;
    let queue = body.int("QueueId")?;
    let secondary = body
        .objects("SecondaryAssignees")?
        .iter()
        .map(|entry| entry.int("UserId"))
        .collect::<Result<Vec<_>, _>>()?;
    state.store.try_write(|connection| {
        ensure_visible(connection, user, ticket)?;
        let old = load(connection, user, ticket)?;
        let new = TicketFields {
            status_id: status.unwrap_or(old.status_id),
            assignee_id: assignee.or(old.assignee_id),
            queue_id: queue.or(old.queue_id),
            secondary_assignees: if secondary.is_empty() {
                old.secondary_assignees.clone()
            } else {
                secondary.iter().flatten().copied().collect()
            },
            ..old.clone()
        };
        store::validate_references(connection, user.tenant_id, &new)?;
        let actor = api_actor(user);
        notes::insert(connection, actor, ticket, &note)?;
        store::update(connection, actor, ticket, &old, &new)?;
        Ok::<_, ApiError>(())
    })?;
    Ok(StatusCode::OK)
}

fn load(connection: &Connection, user: AuthUser, ticket: i64) -> Result<TicketFields, ApiError> {
    store::load(connection, user.tenant_id, ticket)?
        .ok_or_else(|| ApiError::failure(404, NOT_FOUND))
}

/// `ResolveTicketDto{Comment!, StatusId, IsInternal, …}`. Without `StatusId` the
/// tenant's first completed status is used; knowledge-base publishing is not modelled.
pub async fn resolve(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(ticket): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Envelope<TicketOutput>>, ApiError> {
    let ticket = ticket_id(&ticket)?;
    let body = Fields::from_body(body)?;
    require(&body, &["Comment"])?;
    let comment = body.text("Comment")?.unwrap_or_default();
    let is_internal = body.boolean("IsInternal")?.unwrap_or(false);
    let requested = body.int("StatusId")?.filter(|id| *id != 0);
    let resolved = state.store.try_write(|connection| {
        ensure_visible(connection, user, ticket)?;
        let status = match requested {
            Some(status) => status,
            None => default_completed_status(connection, user.tenant_id)?,
        };
        if !store::is_completed_status(connection, status)? {
            return Err(ApiError::failure(
                400,
                format!("Status {status} is not a completed status."),
            ));
        }
        let actor = api_actor(user);
        let note = NewNote {
            details: comment,
            is_internal,
            type_id: resolution_note_type(connection, user.tenant_id)?,
            note_date: None,
        };
        notes::insert(connection, actor, ticket, &note)?;
        store::set_status(connection, actor, ticket, status)?;
        store::audit(
            connection,
            ticket,
            actor.source,
            "Resolved",
            "Ticket resolved.",
            None,
        )?;
        output(connection, user, ticket)
    })?;
    Ok(envelope::success(resolved))
}

fn default_completed_status(connection: &Connection, tenant_id: i64) -> Result<i64, ApiError> {
    connection
        .query_row(
            "SELECT id FROM bms_ticket_statuses WHERE tenant_id = ?1 AND is_completed = 1 AND
                is_active = 1
             ORDER BY status_order, id LIMIT 1",
            [tenant_id],
            |row| row.get(0),
        )
        .optional()?
        .ok_or_else(|| ApiError::failure(400, "The tenant has no completed status."))
}

fn resolution_note_type(connection: &Connection, tenant_id: i64) -> rusqlite::Result<Option<i64>> {
    connection
        .query_row(
            "SELECT id FROM bms_note_types WHERE tenant_id = ?1 AND name = 'Resolution'",
            [tenant_id],
            |row| row.get(0),
        )
        .optional()
}
