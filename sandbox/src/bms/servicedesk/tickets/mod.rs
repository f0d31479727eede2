//! Tickets and their sub-resources under `/v2/servicedesk/tickets`.

pub mod actions;
pub mod activities;
mod base64;
pub mod batch;
pub mod calls;
pub mod checklist;
pub mod costs;
mod filter;
mod jobs;
mod linked;
pub mod list;
pub mod merge;
pub mod model;
pub mod notes;
pub mod patch;
pub mod related;
pub mod store;
pub mod timelogs;
pub mod write;

use rusqlite::Connection;

use super::super::envelope::ApiError;
use super::super::security::AuthUser;
use super::support::{in_scope_sql, parse_id};

pub const NOT_FOUND: &str = "Ticket not found.";

/// A ticket id from the path.
pub fn ticket_id(text: &str) -> Result<i64, ApiError> {
    parse_id(text, NOT_FOUND)
}

/// The ticket exists in the caller's tenant and security scope. A ticket outside the scope
/// is reported as not found, so ids of other clients' tickets do not leak.
pub fn ensure_visible(connection: &Connection, user: AuthUser, id: i64) -> Result<(), ApiError> {
    let sql = format!(
        "SELECT EXISTS (SELECT 1 FROM bms_tickets t WHERE t.id = ? AND t.tenant_id = ? AND {})",
        in_scope_sql("t.account_id")
    );
    let visible: bool =
        connection.query_row(&sql, [id, user.tenant_id, user.user_id], |row| row.get(0))?;
    if visible {
        Ok(())
    } else {
        Err(ApiError::failure(404, NOT_FOUND))
    }
}
