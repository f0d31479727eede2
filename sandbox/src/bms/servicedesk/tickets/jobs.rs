//! Jobs: batch operations run at once and only log; a merge is queued and runs after a
//! delay, as the real service answers before it has merged anything. A queued job runs
//! when its timer fires or, if that never happened (a restart), when its log is read.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

use super::super::super::envelope::ApiError;
use super::super::super::security::AuthUser;
use super::super::support::now;
use super::batch::JobLog;
use super::merge;
use crate::clock::Timestamp;
use crate::state::AppState;

/// `Type` of a job log line (sandbox numbering of the unpublished enum 0–2).
pub type LogType = i64;
pub const LOG_INFO: LogType = 0;
pub const LOG_SUCCESS: LogType = 1;
pub const LOG_ERROR: LogType = 2;

/// A random version-4 UUID, as the job ids of the real API are.
pub fn new_uuid() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut bytes = [0_u8; 16];
    for chunk in bytes.chunks_mut(8) {
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
        chunk.copy_from_slice(&hasher.finish().to_le_bytes());
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// A job that runs inside the request; its lines are added with [`log_outcome`].
pub fn create_finished(
    connection: &Connection,
    user: AuthUser,
    kind: &str,
) -> rusqlite::Result<String> {
    let id = new_uuid();
    let stamp = now();
    connection.execute(
        "INSERT INTO bms_jobs (id, tenant_id, kind, payload, user_id, due_on, state, created_on)
         VALUES (?1, ?2, ?3, 'null', ?4, ?5, 'done', ?5)",
        params![id, user.tenant_id, kind, user.user_id, stamp],
    )?;
    Ok(id)
}

/// A job to run at `due`.
pub fn queue(
    connection: &Connection,
    user: AuthUser,
    kind: &str,
    payload: &Value,
    due: Timestamp,
) -> rusqlite::Result<String> {
    let id = new_uuid();
    connection.execute(
        "INSERT INTO bms_jobs (id, tenant_id, kind, payload, user_id, due_on, state, created_on)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'queued', ?7)",
        params![
            id,
            user.tenant_id,
            kind,
            payload.to_string(),
            user.user_id,
            due.to_bms(),
            now()
        ],
    )?;
    add_line(connection, &id, LOG_INFO, kind, "Job queued.")?;
    Ok(id)
}

pub fn add_line(
    connection: &Connection,
    job: &str,
    kind: LogType,
    action: &str,
    message: &str,
) -> rusqlite::Result<()> {
    connection.execute(
        "INSERT INTO bms_job_logs (id, job_id, seq, type, action, message, date)
         VALUES (?1, ?2, (SELECT COUNT(*) FROM bms_job_logs WHERE job_id = ?2), ?3, ?4, ?5, ?6)",
        params![new_uuid(), job, kind, action, message, now()],
    )?;
    Ok(())
}

/// Logs one ticket's result. Application failures become error lines; store errors abort.
pub fn log_outcome(
    connection: &Connection,
    job: &str,
    ticket_id: i64,
    action: &str,
    outcome: Result<(), ApiError>,
) -> Result<(), ApiError> {
    let (kind, message) = match outcome {
        Ok(()) => (LOG_SUCCESS, format!("Ticket {ticket_id}: done.")),
        Err(ApiError::Failure { message, .. }) => {
            (LOG_ERROR, format!("Ticket {ticket_id}: {message}"))
        }
        Err(other) => return Err(other),
    };
    Ok(add_line(connection, job, kind, action, &message)?)
}

/// Runs the job later on the runtime.
pub fn schedule(state: AppState, job: String, delay: Duration) {
    tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        if let Err(error) = run_due(&state, Some(&job)) {
            eprintln!("sandbox: job {job} failed: {error}");
        }
    });
}

/// Runs queued jobs that are due: the one named, or every due job.
pub fn run_due(state: &AppState, only: Option<&str>) -> Result<(), ApiError> {
    state.store.try_write(|connection| {
        let due: Vec<(String, String, String, i64, i64)> = {
            let mut statement = connection.prepare(
                "SELECT id, kind, payload, user_id, tenant_id FROM bms_jobs
                 WHERE state = 'queued' AND due_on <= ?1 AND (?2 IS NULL OR id = ?2)
                 ORDER BY created_on, id",
            )?;
            statement
                .query_map(params![now(), only], |row| {
                    Ok((
                        row.get(0)?,
                        row.get(1)?,
                        row.get(2)?,
                        row.get(3)?,
                        row.get(4)?,
                    ))
                })?
                .collect::<rusqlite::Result<_>>()?
        };
        for (id, kind, payload, user_id, tenant_id) in due {
            let payload: Value = serde_json::from_str(&payload).unwrap_or(Value::Null);
            let user = AuthUser { user_id, tenant_id };
            let state_after = match kind.as_str() {
                merge::JOB_KIND => merge::execute(connection, user, &id, &payload)?,
                _ => "failed",
            };
            connection.execute(
                "UPDATE bms_jobs SET state = ?2 WHERE id = ?1",
                params![id, state_after],
            )?;
        }
        Ok::<_, ApiError>(())
    })
}

/// The log of a job of the tenant, or `None` for an unknown job.
pub fn logs(
    connection: &Connection,
    tenant_id: i64,
    job: &str,
) -> rusqlite::Result<Option<Vec<JobLog>>> {
    let known = connection
        .query_row(
            "SELECT 1 FROM bms_jobs WHERE id = ?1 AND tenant_id = ?2",
            params![job, tenant_id],
            |_| Ok(()),
        )
        .optional()?;
    if known.is_none() {
        return Ok(None);
    }
    let mut statement = connection.prepare(
        "SELECT id, type, action, message, date FROM bms_job_logs WHERE job_id = ?1 ORDER BY seq",
    )?;
    let lines = statement
        .query_map([job], |row| {
            Ok(JobLog {
                id: row.get(0)?,
                kind: row.get(1)?,
                action: row.get(2)?,
                message: row.get(3)?,
                date: row.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(lines))
}

#[cfg(test)]
mod tests {
    use super::new_uuid;

    #[test]
    fn uuids_are_version_4_and_distinct() {
        let first = new_uuid();
        assert_eq!(first.len(), 36);
        assert_eq!(first.as_bytes()[14], b'4');
        assert_ne!(first, new_uuid());
    }
}
