//! Batch edit and delete (`PATCH`/`DELETE /v2/servicedesk/tickets`) and the job log
//! (`GET /v2/servicedesk/tickets/logs/{jobId}`). A batch answers with its job id as a
//! string; its per-ticket results are in the job log.

use axum::extract::{Path, State};
use axum::{Extension, Json};
use serde::Serialize;

use super::super::super::envelope::{self, ApiError, Envelope};
use super::super::super::json_input::{Fields, JsonBody};
use super::super::super::security::AuthUser;
use super::jobs::{self, LogType};
use super::store::{self, TicketFields};
use super::write::{api_actor, remove};
use super::{NOT_FOUND, ensure_visible};
use crate::state::AppState;

/// The members of the batch edit, each setting the ticket field of the same name.
const EDITS: &[&str] = &[
    "AssigneeId",
    "QueueId",
    "IssueTypeId",
    "SubIssueTypeId",
    "StatusId",
    "PriorityId",
    "TicketTypeId",
    "TicketSourceId",
];

pub async fn edit(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    JsonBody(body): JsonBody,
) -> Result<Json<Envelope<String>>, ApiError> {
    let body = Fields::from_body(body)?;
    let targets = targets(&body)?;
    let mut edits = Vec::new();
    for name in EDITS {
        if let Some(value) = body.int(name)? {
            edits.push((*name, value));
        }
    }
    let job = state.store.try_write(|connection| {
        let job = jobs::create_finished(connection, user, "BatchEdit")?;
        for id in targets {
            let outcome = edit_one(connection, user, id, &edits);
            jobs::log_outcome(connection, &job, id, "Edit", outcome)?;
        }
        Ok::<_, ApiError>(job)
    })?;
    Ok(envelope::success(job))
}

/// One ticket of a batch edit. Failures are logged, not fatal to the batch; a savepoint
/// keeps a half-applied ticket from surviving its own failure.
fn edit_one(
    connection: &rusqlite::Connection,
    user: AuthUser,
    id: i64,
    edits: &[(&str, i64)],
) -> Result<(), ApiError> {
    connection.execute_batch("SAVEPOINT batch_item")?;
    let result = (|| -> Result<(), ApiError> {
        ensure_visible(connection, user, id)?;
        let old = store::load(connection, user.tenant_id, id)?
            .ok_or_else(|| ApiError::failure(404, NOT_FOUND))?;
        let mut new = old.clone();
        for (name, value) in edits {
            set(&mut new, name, *value);
        }
        store::validate_references(connection, user.tenant_id, &new)?;
        Ok(store::update(connection, api_actor(user), id, &old, &new)?)
    })();
    let end = if result.is_ok() {
        "RELEASE batch_item"
    } else {
        "ROLLBACK TO batch_item; RELEASE batch_item"
    };
    connection.execute_batch(end)?;
    result
}

fn set(fields: &mut TicketFields, name: &str, value: i64) {
    match name {
        "AssigneeId" => fields.assignee_id = Some(value),
        "QueueId" => fields.queue_id = Some(value),
        "IssueTypeId" => fields.issue_type_id = Some(value),
        "SubIssueTypeId" => fields.sub_issue_type_id = Some(value),
        "StatusId" => fields.status_id = value,
        "PriorityId" => fields.priority_id = value,
        "TicketTypeId" => fields.type_id = value,
        "TicketSourceId" => fields.source_id = value,
        _ => {}
    }
}

fn targets(body: &Fields) -> Result<Vec<i64>, ApiError> {
    body.ints("TargetedIds")?
        .filter(|ids| !ids.is_empty())
        .ok_or_else(|| ApiError::failure(400, "The TargetedIds field is required."))
}

pub async fn delete(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    JsonBody(body): JsonBody,
) -> Result<Json<Envelope<String>>, ApiError> {
    let body = Fields::from_body(body)?;
    let targets = targets(&body)?;
    let job = state.store.try_write(|connection| {
        let job = jobs::create_finished(connection, user, "BatchDelete")?;
        for id in targets {
            let outcome = ensure_visible(connection, user, id)
                .and_then(|()| Ok(remove(connection, api_actor(user), id)?));
            jobs::log_outcome(connection, &job, id, "Delete", outcome)?;
        }
        Ok::<_, ApiError>(job)
    })?;
    Ok(envelope::success(job))
}

/// A job log line: `Type` 0 = information, 1 = success, 2 = error (sandbox numbering).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobLog {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: LogType,
    pub action: String,
    pub message: String,
    pub date: String,
}

pub async fn logs(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(job_id): Path<String>,
) -> Result<Json<Envelope<Vec<JobLog>>>, ApiError> {
    // A job past its due time runs now if its timer has not fired yet (e.g. after a restart).
    jobs::run_due(&state, Some(&job_id))?;
    let logs = state
        .store
        .read(|connection| jobs::logs(connection, user.tenant_id, &job_id))?;
    logs.map(envelope::success)
        .ok_or_else(|| ApiError::failure(404, "Job not found."))
}
