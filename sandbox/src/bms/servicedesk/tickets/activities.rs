//! `GET …/tickets/{id}/activities` and `GET …/tickets/{id}/auditlogs`.
//!
//! Activity types: "Note", "Time Logged", "Status Changed" (`notes` = old status,
//! `internalNotes` = new status, as seen on the wire) and "Email Sent". Only the last
//! three names are attested; "Note" is the sandbox's. Status changes count as internal.

use axum::extract::{OriginalUri, Path, State};
use axum::{Extension, Json};
use rusqlite::Row;
use serde::Serialize;

use super::super::super::envelope::{self, ApiError, Envelope};
use super::super::super::params::QueryParams;
use super::super::super::security::AuthUser;
use super::super::support::Page;
use super::{ensure_visible, ticket_id};
use crate::state::AppState;
use crate::store::sql::{self, Conditions};

/// `TicketActivityOutputDto`; the flags are ints, as the spec declares them.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityOutput {
    id: i64,
    created_by: Option<i64>,
    created_on: String,
    modified_by: Option<i64>,
    modified_on: Option<String>,
    log_type: i64,
    work_type_id: Option<i64>,
    work_type_name: Option<String>,
    role_id: Option<i64>,
    role_name: Option<String>,
    note_type_id: Option<i64>,
    activity_type: String,
    ticket_id: i64,
    notes: Option<String>,
    internal_notes: Option<String>,
    is_posted: i64,
    in_review: i64,
    billed: i64,
    approved: i64,
    is_merged: i64,
    is_internal: i64,
    is_user: Option<bool>,
    attachment_count: Option<i64>,
    time_spent: Option<f64>,
    picture_name: Option<String>,
    #[serde(rename = "pictureURL")]
    picture_url: Option<String>,
    start_date: Option<String>,
    start_time: Option<String>,
    end_time: Option<String>,
    created_by_name: Option<String>,
    modified_by_name: Option<String>,
    old_status_color: Option<String>,
    old_status_font_color: Option<String>,
    new_status_color: Option<String>,
    new_status_font_color: Option<String>,
    user_id: Option<i64>,
}

const FROM: &str = "bms_ticket_activities ac
    LEFT JOIN bms_ticket_notes n ON n.id = ac.note_id
    LEFT JOIN bms_time_logs tl ON tl.id = ac.time_log_id
    LEFT JOIN bms_work_types wt ON wt.id = tl.work_type_id
    LEFT JOIN bms_roles r ON r.id = tl.role_id
    LEFT JOIN bms_ticket_statuses os ON os.id = ac.old_status_id
    LEFT JOIN bms_ticket_statuses ns ON ns.id = ac.new_status_id
    LEFT JOIN bms_users cb ON cb.id = ac.created_by
    LEFT JOIN bms_users mb ON mb.id = COALESCE(n.modified_by, tl.modified_by)";

/// Each column is computed per kind, so the filters can use the same expressions.
const IS_INTERNAL: &str = "CASE ac.activity_type WHEN 'Note' THEN n.is_internal
    WHEN 'Status Changed' THEN 1 ELSE 0 END";

fn columns() -> String {
    format!(
        "ac.id, ac.created_by, ac.created_on, COALESCE(n.modified_by, tl.modified_by),
        COALESCE(n.modified_on, tl.modified_on), ac.log_type, tl.work_type_id, wt.name, tl.role_id,
        r.name, n.type_id, ac.activity_type, ac.ticket_id,
        CASE ac.activity_type WHEN 'Note' THEN n.details WHEN 'Time Logged' THEN tl.notes
             WHEN 'Status Changed' THEN os.name ELSE ac.text END,
        CASE ac.activity_type WHEN 'Time Logged' THEN tl.internal_notes
             WHEN 'Status Changed' THEN ns.name END,
        COALESCE(tl.posted, 0), COALESCE(tl.billed, 0), COALESCE(tl.approved, 0), ac.is_merged,
        {IS_INTERNAL},
        (SELECT COUNT(*) FROM bms_attachments at WHERE at.note_id = ac.note_id), tl.timespent,
        tl.start_date, tl.start_time, tl.end_time, cb.first_name || ' ' || cb.last_name,
        mb.first_name || ' ' || mb.last_name, os.color, os.font_color, ns.color, ns.font_color,
        ac.user_id"
    )
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<ActivityOutput> {
    Ok(ActivityOutput {
        id: row.get(0)?,
        created_by: row.get(1)?,
        created_on: row.get(2)?,
        modified_by: row.get(3)?,
        modified_on: row.get(4)?,
        log_type: row.get(5)?,
        work_type_id: row.get(6)?,
        work_type_name: row.get(7)?,
        role_id: row.get(8)?,
        role_name: row.get(9)?,
        note_type_id: row.get(10)?,
        activity_type: row.get(11)?,
        ticket_id: row.get(12)?,
        notes: row.get(13)?,
        internal_notes: row.get(14)?,
        is_posted: row.get(15)?,
        in_review: 0,
        billed: row.get(16)?,
        approved: row.get(17)?,
        is_merged: row.get(18)?,
        is_internal: row.get(19)?,
        is_user: Some(true),
        attachment_count: row.get(20)?,
        time_spent: row.get(21)?,
        picture_name: None,
        picture_url: None,
        start_date: row.get(22)?,
        start_time: row.get(23)?,
        end_time: row.get(24)?,
        created_by_name: row.get(25)?,
        modified_by_name: row.get(26)?,
        old_status_color: row.get(27)?,
        old_status_font_color: row.get(28)?,
        new_status_color: row.get(29)?,
        new_status_font_color: row.get(30)?,
        user_id: row.get(31)?,
    })
}

/// `Filter.ActivityType` (one name or a comma list) and `Filter.OnlyInternal`.
pub async fn list(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(ticket): Path<String>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Envelope<Vec<ActivityOutput>>>, ApiError> {
    let ticket = ticket_id(&ticket)?;
    let params = QueryParams::parse(uri.query());
    let mut conditions = Conditions::new();
    conditions.push("ac.ticket_id = ?", &[ticket]);
    if let Some(types) = params.text("Filter.ActivityType") {
        let names: Vec<String> = types
            .split(',')
            .map(|name| name.trim().to_lowercase())
            .filter(|name| !name.is_empty())
            .collect();
        conditions.push(
            &format!(
                "lower(ac.activity_type) IN ({})",
                sql::placeholders(names.len())
            ),
            &names,
        );
    }
    if params.boolean("Filter.OnlyInternal")? == Some(true) {
        conditions.push(&format!("({IS_INTERNAL}) = 1"), &[] as &[i64]);
    }
    let page = Page::from_query(&params)?;
    let (activities, total) = state.store.try_write(|connection| {
        ensure_visible(connection, user, ticket)?;
        let total = sql::count(connection, FROM, &conditions)?;
        let mut query_params = conditions.params().to_vec();
        query_params.extend([page.limit().into(), page.offset().into()]);
        let sql = format!(
            "SELECT {} FROM {FROM}{} ORDER BY ac.created_on DESC, ac.id DESC LIMIT ? OFFSET ?",
            columns(),
            conditions.where_sql()
        );
        let mut statement = connection.prepare(&sql)?;
        let activities = statement
            .query_map(rusqlite::params_from_iter(query_params), from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok::<_, ApiError>((activities, total))
    })?;
    Ok(envelope::paged(activities, total))
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    id: i64,
    created_on: String,
    source: String,
    action: String,
    details: String,
}

pub async fn audit_log(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(ticket): Path<String>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Envelope<Vec<AuditEntry>>>, ApiError> {
    let ticket = ticket_id(&ticket)?;
    let page = Page::from_query(&QueryParams::parse(uri.query()))?;
    let (entries, total) = state.store.try_write(|connection| {
        ensure_visible(connection, user, ticket)?;
        let total: i64 = connection.query_row(
            "SELECT COUNT(*) FROM bms_ticket_audit_logs WHERE ticket_id = ?1",
            [ticket],
            |row| row.get(0),
        )?;
        let mut statement = connection.prepare(
            "SELECT id, created_on, source, action, details FROM bms_ticket_audit_logs
             WHERE ticket_id = ?1 ORDER BY id DESC LIMIT ?2 OFFSET ?3",
        )?;
        let entries = statement
            .query_map([ticket, page.limit(), page.offset()], |row| {
                Ok(AuditEntry {
                    id: row.get(0)?,
                    created_on: row.get(1)?,
                    source: row.get(2)?,
                    action: row.get(3)?,
                    details: row.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok::<_, ApiError>((entries, u64::try_from(total).unwrap_or_default()))
    })?;
    Ok(envelope::paged(entries, total))
}
