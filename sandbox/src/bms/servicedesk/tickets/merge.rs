//! `POST /v2/servicedesk/tickets/merge` `{DestinationTicketId, SourceTicketIds, IsMerge}`
//! → `{jobId}`; the merge runs as a job after a short delay.
//!
//! The help text describes both dialogs from the open ticket's side: Merge ("merge the
//! currently open ticket into" the one picked, which "inherits all the ticket details and
//! properties" of the open one) and Absorb (the open ticket inherits the details of the
//! ones picked). The sandbox reads the body as always naming the open ticket in
//! `SourceTicketIds`, so:
//! - `IsMerge: true`: the destination inherits the details of the source(s);
//! - `IsMerge: false` (absorb, one call per picked ticket): each source inherits the
//!   details of the destination.
//!
//! In both, every ticket stays with its own number, the receiving ticket also gets copies
//! of the giving ticket's notes (marked as merged in its activities), and both get a note
//! saying what happened.

use axum::extract::State;
use axum::{Extension, Json};
use rusqlite::{Connection, params};
use serde::Serialize;
use serde_json::{Value, json};

use super::super::super::envelope::{self, ApiError, Envelope};
use super::super::super::json_input::{Fields, JsonBody};
use super::super::super::security::AuthUser;
use super::jobs::{self, LOG_ERROR, LOG_SUCCESS};
use super::store::{self, Actor, TicketFields};
use super::{NOT_FOUND, ensure_visible};
use crate::clock::Timestamp;
use crate::state::AppState;

pub const JOB_KIND: &str = "Merge";
const SOURCE: &str = "Merge";

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MergeJob {
    job_id: String,
}

pub async fn merge(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    JsonBody(body): JsonBody,
) -> Result<Json<Envelope<MergeJob>>, ApiError> {
    let body = Fields::from_body(body)?;
    let destination = body
        .int("DestinationTicketId")?
        .ok_or_else(|| ApiError::failure(400, "The DestinationTicketId field is required."))?;
    let sources = body
        .ints("SourceTicketIds")?
        .filter(|ids| !ids.is_empty())
        .ok_or_else(|| ApiError::failure(400, "The SourceTicketIds field is required."))?;
    let is_merge = body.boolean("IsMerge")?.unwrap_or(true);
    if sources.contains(&destination) {
        return Err(ApiError::failure(
            400,
            "A ticket cannot be merged with itself.",
        ));
    }
    let due = Timestamp::now().plus(state.settings.bms_merge_delay);
    let job = state.store.try_write(|connection| {
        check_tickets(connection, user, destination, &sources)?;
        let payload = json!({"destination": destination, "sources": sources, "isMerge": is_merge});
        Ok::<_, ApiError>(jobs::queue(connection, user, JOB_KIND, &payload, due)?)
    })?;
    jobs::schedule(state.clone(), job.clone(), state.settings.bms_merge_delay);
    Ok(envelope::success(MergeJob { job_id: job }))
}

/// All tickets visible and of one account, as the dialogs only offer such tickets.
fn check_tickets(
    connection: &Connection,
    user: AuthUser,
    destination: i64,
    sources: &[i64],
) -> Result<(), ApiError> {
    let account = |id: i64| -> Result<i64, ApiError> {
        ensure_visible(connection, user, id)?;
        store::load(connection, user.tenant_id, id)?
            .map(|fields| fields.account_id)
            .ok_or_else(|| ApiError::failure(404, NOT_FOUND))
    };
    let account_id = account(destination)?;
    for source in sources {
        if account(*source)? != account_id {
            return Err(ApiError::failure(
                400,
                format!("Ticket {source} belongs to another account than ticket {destination}."),
            ));
        }
    }
    Ok(())
}

/// Runs a queued merge; returns the job's final state.
pub fn execute(
    connection: &Connection,
    user: AuthUser,
    job: &str,
    payload: &Value,
) -> Result<&'static str, ApiError> {
    let destination = payload["destination"].as_i64().unwrap_or_default();
    let is_merge = payload["isMerge"].as_bool().unwrap_or(true);
    let sources: Vec<i64> = payload["sources"]
        .as_array()
        .map(|ids| ids.iter().filter_map(Value::as_i64).collect())
        .unwrap_or_default();
    let actor = Actor {
        user_id: user.user_id,
        tenant_id: user.tenant_id,
        source: SOURCE,
    };
    let mut failed = false;
    for source in sources {
        let (giver, receiver) = if is_merge {
            (source, destination)
        } else {
            (destination, source)
        };
        match inherit(connection, actor, giver, receiver) {
            Ok(()) => jobs::add_line(
                connection,
                job,
                LOG_SUCCESS,
                JOB_KIND,
                &format!("Ticket {receiver} inherited the details of ticket {giver}."),
            )?,
            Err(ApiError::Failure { message, .. }) => {
                failed = true;
                jobs::add_line(connection, job, LOG_ERROR, JOB_KIND, &message)?;
            }
            Err(other) => return Err(other),
        }
    }
    Ok(if failed { "failed" } else { "done" })
}

/// `receiver` takes `giver`'s details and properties and a copy of its notes.
fn inherit(
    connection: &Connection,
    actor: Actor,
    giver: i64,
    receiver: i64,
) -> Result<(), ApiError> {
    let missing = || {
        ApiError::failure(
            404,
            format!("{NOT_FOUND} It may have been deleted before the merge ran."),
        )
    };
    let from = store::load(connection, actor.tenant_id, giver)?.ok_or_else(missing)?;
    let old = store::load(connection, actor.tenant_id, receiver)?.ok_or_else(missing)?;
    let new = TicketFields {
        // Identity stays: the receiver keeps its account, location and open date.
        account_id: old.account_id,
        location_id: old.location_id,
        open_date: old.open_date.clone(),
        ..from
    };
    store::update(connection, actor, receiver, &old, &new)?;
    copy_notes(connection, giver, receiver)?;
    let numbers = |id: i64| -> rusqlite::Result<String> {
        connection.query_row(
            "SELECT ticket_number FROM bms_tickets WHERE id = ?1",
            [id],
            |row| row.get(0),
        )
    };
    let (giver_number, receiver_number) = (numbers(giver)?, numbers(receiver)?);
    add_note(
        connection,
        actor,
        receiver,
        &format!("Ticket {giver_number} was merged into this ticket."),
    )?;
    add_note(
        connection,
        actor,
        giver,
        &format!("This ticket was merged into ticket {receiver_number}."),
    )?;
    store::audit(
        connection,
        receiver,
        SOURCE,
        "Merged",
        &format!("Inherited the details of ticket {giver_number}."),
        None,
    )?;
    store::audit(
        connection,
        giver,
        SOURCE,
        "Merged",
        &format!("Merged into ticket {receiver_number}."),
        None,
    )?;
    Ok(())
}

fn copy_notes(connection: &Connection, giver: i64, receiver: i64) -> rusqlite::Result<()> {
    let mut statement = connection.prepare(
        "SELECT details, is_internal, type_id, note_date, created_by, created_on, modified_by,
            modified_on
         FROM bms_ticket_notes WHERE ticket_id = ?1 ORDER BY id",
    )?;
    let notes = statement
        .query_map([giver], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, bool>(1)?,
                row.get::<_, Option<i64>>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, Option<i64>>(4)?,
                row.get::<_, String>(5)?,
                row.get::<_, Option<i64>>(6)?,
                row.get::<_, String>(7)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for (details, internal, type_id, date, created_by, created_on, modified_by, modified_on) in
        notes
    {
        connection.execute(
            "INSERT INTO bms_ticket_notes
               (ticket_id, details, is_internal, type_id, note_date, created_by, created_on,
               modified_by, modified_on)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                receiver,
                details,
                internal,
                type_id,
                date,
                created_by,
                created_on,
                modified_by,
                modified_on
            ],
        )?;
        let note = connection.last_insert_rowid();
        connection.execute(
            "INSERT INTO bms_ticket_activities
               (ticket_id, log_type, activity_type, note_id, is_merged, user_id, created_by,
               created_on)
             VALUES (?1, ?2, 'Note', ?3, 1, ?4, ?4, ?5)",
            params![receiver, store::LOG_TYPE_NOTE, note, created_by, created_on],
        )?;
    }
    Ok(())
}

/// An internal system note on a ticket.
fn add_note(
    connection: &Connection,
    actor: Actor,
    ticket: i64,
    text: &str,
) -> Result<(), ApiError> {
    super::notes::insert(
        connection,
        actor,
        ticket,
        &super::notes::NewNote {
            details: text.to_owned(),
            is_internal: true,
            type_id: None,
            note_date: None,
        },
    )?;
    Ok(())
}
