//! Time logs: `…/tickets/{id}/timelogs[/{timeEntryId}]` and the tenant-wide
//! `GET /v2/timelogs`. `StartTime`/`EndTime` are .NET TimeSpans (`"HH:mm:ss"`),
//! `Timespent` is decimal hours and is computed from the times when not sent.

use axum::extract::{OriginalUri, Path, State};
use axum::{Extension, Json};
use rusqlite::{Connection, Row, params};
use serde::Serialize;

use super::super::super::envelope::{self, ApiError, Envelope};
use super::super::super::json_input::{Fields, JsonBody, require};
use super::super::super::params::QueryParams;
use super::super::super::security::AuthUser;
use super::super::support::{Page, in_scope_sql, now, parse_id};
use super::store::{self, Actor, LOG_TYPE_TIME};
use super::write::api_actor;
use super::{ensure_visible, ticket_id};
use crate::clock::{Timestamp, parse_filter_datetime};
use crate::state::AppState;
use crate::store::sql::{self, Conditions};

const NOT_FOUND: &str = "Time entry not found.";
const SECONDS_PER_DAY: i64 = 86_400;
/// `TimeEntrySourceId` of entries logged on a ticket (sandbox numbering).
const TICKET_SOURCE: i64 = 1;

/// `TicketTimeEntryOutputDto`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TimeEntryOutput {
    id: i64,
    created_by: Option<i64>,
    created_on: String,
    modified_by: Option<i64>,
    modified_on: String,
    start_date: String,
    start_time: String,
    end_time: String,
    timespent: f64,
    notes: Option<String>,
    user_id: i64,
    internal_notes: Option<String>,
    approved: bool,
    billed: bool,
    posted: bool,
    work_type_id: Option<i64>,
    role_id: Option<i64>,
    employee_name: Option<String>,
    time_spent_by: Option<String>,
    work_type_name: Option<String>,
    role_name: Option<String>,
    week_start: String,
    week_end: String,
    custom_fields: Vec<()>,
}

/// `TimeLogOutputDto` of `/v2/timelogs`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TimeLogOutput {
    id: i64,
    created_by: Option<i64>,
    created_on: String,
    modified_by: Option<i64>,
    modified_on: String,
    timespent: f64,
    over_time_spent: f64,
    timesheet_id: Option<i64>,
    week_start: String,
    week_end: String,
    time_entry_source_id: i64,
    ticket_id: Option<i64>,
    project_id: Option<i64>,
    user_id: i64,
    first_name: Option<String>,
    last_name: Option<String>,
    role_id: Option<i64>,
    role: Option<String>,
    work_type_id: Option<i64>,
    work_type: Option<String>,
    notes: Option<String>,
    internal_notes: Option<String>,
    account_id: Option<i64>,
    account_name: Option<String>,
    is_posted: bool,
    is_approved: bool,
    is_billed: bool,
    is_billable: bool,
    start_date: String,
    start_time: String,
    end_time: String,
    created_by_name: Option<String>,
    modified_by_name: Option<String>,
}

const FROM: &str = "bms_time_logs tl
    LEFT JOIN bms_tickets t ON t.id = tl.ticket_id
    LEFT JOIN bms_accounts a ON a.id = t.account_id
    LEFT JOIN bms_users u ON u.id = tl.user_id
    LEFT JOIN bms_users cb ON cb.id = tl.created_by
    LEFT JOIN bms_users mb ON mb.id = tl.modified_by
    LEFT JOIN bms_work_types wt ON wt.id = tl.work_type_id
    LEFT JOIN bms_roles r ON r.id = tl.role_id";
const COLUMNS: &str = "tl.id, tl.created_by, tl.created_on, tl.modified_by, tl.modified_on,
    tl.start_date, tl.start_time, tl.end_time, tl.timespent, tl.notes, tl.user_id,
    tl.internal_notes, tl.approved, tl.billed, tl.posted, tl.work_type_id, tl.role_id,
    u.first_name, u.last_name, wt.name, r.name, tl.ticket_id, t.account_id, a.account_name,
    tl.is_billable, cb.first_name || ' ' || cb.last_name, mb.first_name || ' ' || mb.last_name";

/// The week (Sunday to Saturday) around a date, as BMS date-times.
fn week_of(date: &str) -> (String, String) {
    let days =
        parse_filter_datetime(date).map_or(0, |day| day.unix_seconds().div_euclid(SECONDS_PER_DAY));
    // 1970-01-01 was a Thursday: day 0 is weekday 4 counted from Sunday.
    let start = days - (days + 4).rem_euclid(7);
    let at = |day: i64| Timestamp::from_unix_seconds(day * SECONDS_PER_DAY).to_bms();
    (at(start), at(start + 6))
}

fn ticket_entry(row: &Row<'_>) -> rusqlite::Result<TimeEntryOutput> {
    let start_date: String = row.get(5)?;
    let (week_start, week_end) = week_of(&start_date);
    let name = full_name(row.get(17)?, row.get(18)?);
    Ok(TimeEntryOutput {
        id: row.get(0)?,
        created_by: row.get(1)?,
        created_on: row.get(2)?,
        modified_by: row.get(3)?,
        modified_on: row.get(4)?,
        start_date,
        start_time: row.get(6)?,
        end_time: row.get(7)?,
        timespent: row.get(8)?,
        notes: row.get(9)?,
        user_id: row.get(10)?,
        internal_notes: row.get(11)?,
        approved: row.get(12)?,
        billed: row.get(13)?,
        posted: row.get(14)?,
        work_type_id: row.get(15)?,
        role_id: row.get(16)?,
        employee_name: name.clone(),
        time_spent_by: name,
        work_type_name: row.get(19)?,
        role_name: row.get(20)?,
        week_start,
        week_end,
        custom_fields: Vec::new(),
    })
}

fn full_name(first: Option<String>, last: Option<String>) -> Option<String> {
    match (first, last) {
        (None, None) => None,
        (first, last) => Some(
            format!("{} {}", first.unwrap_or_default(), last.unwrap_or_default())
                .trim()
                .to_owned(),
        ),
    }
}

fn log_entry(row: &Row<'_>) -> rusqlite::Result<TimeLogOutput> {
    let start_date: String = row.get(5)?;
    let (week_start, week_end) = week_of(&start_date);
    Ok(TimeLogOutput {
        id: row.get(0)?,
        created_by: row.get(1)?,
        created_on: row.get(2)?,
        modified_by: row.get(3)?,
        modified_on: row.get(4)?,
        timespent: row.get(8)?,
        over_time_spent: 0.0,
        timesheet_id: None,
        week_start,
        week_end,
        time_entry_source_id: TICKET_SOURCE,
        ticket_id: row.get(21)?,
        project_id: None,
        user_id: row.get(10)?,
        first_name: row.get(17)?,
        last_name: row.get(18)?,
        role_id: row.get(16)?,
        role: row.get(20)?,
        work_type_id: row.get(15)?,
        work_type: row.get(19)?,
        notes: row.get(9)?,
        internal_notes: row.get(11)?,
        account_id: row.get(22)?,
        account_name: row.get(23)?,
        is_posted: row.get(14)?,
        is_approved: row.get(12)?,
        is_billed: row.get(13)?,
        is_billable: row.get(24)?,
        start_date,
        start_time: row.get(6)?,
        end_time: row.get(7)?,
        created_by_name: row.get(25)?,
        modified_by_name: row.get(26)?,
    })
}

fn select_entries(
    connection: &Connection,
    clause: &str,
    params: &[rusqlite::types::Value],
) -> rusqlite::Result<Vec<TimeEntryOutput>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE {clause} ORDER BY tl.start_date DESC, tl.id DESC"
    );
    let mut statement = connection.prepare(&sql)?;
    statement
        .query_map(rusqlite::params_from_iter(params), ticket_entry)?
        .collect()
}

fn one(connection: &Connection, ticket: i64, id: i64) -> Result<TimeEntryOutput, ApiError> {
    select_entries(
        connection,
        "tl.id = ? AND tl.ticket_id = ?",
        &[id.into(), ticket.into()],
    )?
    .pop()
    .ok_or_else(|| ApiError::failure(404, NOT_FOUND))
}

pub async fn list(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(ticket): Path<String>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Envelope<Vec<TimeEntryOutput>>>, ApiError> {
    let ticket = ticket_id(&ticket)?;
    let page = Page::from_query(&QueryParams::parse(uri.query()))?;
    let (entries, total) = state.store.try_write(|connection| {
        ensure_visible(connection, user, ticket)?;
        let all = select_entries(connection, "tl.ticket_id = ?", &[ticket.into()])?;
        let total = all.len() as u64;
        let offset = usize::try_from(page.offset()).unwrap_or(usize::MAX);
        let limit = usize::try_from(page.limit()).unwrap_or(usize::MAX);
        Ok::<_, ApiError>((all.into_iter().skip(offset).take(limit).collect(), total))
    })?;
    Ok(envelope::paged(entries, total))
}

/// `TicketTimeEntryInputDto`, validated.
struct TimeEntryInput {
    start_date: String,
    start_time: String,
    end_time: String,
    timespent: f64,
    notes: Option<String>,
    internal_notes: Option<String>,
    work_type_id: Option<i64>,
    role_id: Option<i64>,
    status_id: Option<i64>,
    user_id: Option<i64>,
}

fn input(body: &Fields) -> Result<TimeEntryInput, ApiError> {
    require(
        body,
        &["StartDate", "StartTime", "EndTime", "WorkTypeId", "RoleId"],
    )?;
    let start_date = body
        .datetime("StartDate")?
        .map(|date| format!("{}T00:00:00", &date.to_bms()[..10]))
        .unwrap_or_default();
    let start_time = time_span(body, "StartTime")?;
    let end_time = time_span(body, "EndTime")?;
    let computed = hours_between(&start_time, &end_time);
    Ok(TimeEntryInput {
        start_date,
        start_time,
        end_time,
        timespent: body.float("Timespent")?.unwrap_or(computed),
        notes: body.text("Notes")?,
        internal_notes: body.text("InternalNotes")?,
        work_type_id: body.int("WorkTypeId")?,
        role_id: body.int("RoleId")?,
        status_id: body.int("StatusId")?,
        user_id: body.int("UserId")?,
    })
}

/// `"HH:mm"` or `"HH:mm:ss"` (a fraction is dropped), stored as `"HH:mm:ss"`.
fn time_span(body: &Fields, name: &str) -> Result<String, ApiError> {
    let text = body.text(name)?.unwrap_or_default();
    parse_time(&text).ok_or_else(|| {
        ApiError::failure(
            400,
            format!(
                "The JSON value could not be converted to System.TimeSpan. Path: $.{}",
                lower_first(name)
            ),
        )
    })
}

fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|c| c.to_ascii_lowercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

fn parse_time(text: &str) -> Option<String> {
    let clock = text.trim().split('.').next()?;
    let mut parts = clock.split(':');
    let hours: u32 = parts.next()?.parse().ok()?;
    let minutes: u32 = parts.next()?.parse().ok()?;
    let seconds: u32 = parts.next().map_or(Some(0), |s| s.parse().ok())?;
    if parts.next().is_some() || hours > 23 || minutes > 59 || seconds > 59 {
        return None;
    }
    Some(format!("{hours:02}:{minutes:02}:{seconds:02}"))
}

fn seconds_of(time: &str) -> i64 {
    time.split(':')
        .filter_map(|part| part.parse::<i64>().ok())
        .fold(0, |total, part| total * 60 + part)
}

/// Hours from start to end, across midnight when the end is earlier; two decimals.
fn hours_between(start: &str, end: &str) -> f64 {
    let seconds = (seconds_of(end) - seconds_of(start)).rem_euclid(SECONDS_PER_DAY);
    (seconds as f64 / 36.0).round() / 100.0
}

fn check_lookups(
    connection: &Connection,
    user: AuthUser,
    entry: &TimeEntryInput,
) -> Result<(), ApiError> {
    let checks = [
        (
            "WorkTypeId",
            entry.work_type_id,
            "SELECT EXISTS (SELECT 1 FROM bms_work_types WHERE id = ?1 AND tenant_id = ?2)",
        ),
        (
            "RoleId",
            entry.role_id,
            "SELECT EXISTS (SELECT 1 FROM bms_roles WHERE id = ?1 AND tenant_id = ?2)",
        ),
        (
            "UserId",
            entry.user_id,
            "SELECT EXISTS (SELECT 1 FROM bms_users WHERE id = ?1 AND tenant_id = ?2)",
        ),
    ];
    for (name, id, sql) in checks {
        if let Some(id) = id {
            let known: bool = connection.query_row(sql, [id, user.tenant_id], |row| row.get(0))?;
            if !known {
                return Err(ApiError::failure(
                    400,
                    format!("Invalid {name}: {id} does not exist."),
                ));
            }
        }
    }
    Ok(())
}

pub async fn create(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(ticket): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Envelope<TimeEntryOutput>>, ApiError> {
    let ticket = ticket_id(&ticket)?;
    let entry = input(&Fields::from_body(body)?)?;
    let output = state.store.try_write(|connection| {
        ensure_visible(connection, user, ticket)?;
        check_lookups(connection, user, &entry)?;
        let actor = api_actor(user);
        let id = insert(connection, actor, ticket, &entry)?;
        if let Some(status) = entry.status_id {
            store::set_status(connection, actor, ticket, status)?;
        }
        one(connection, ticket, id)
    })?;
    Ok(envelope::success(output))
}

fn insert(
    connection: &Connection,
    actor: Actor,
    ticket: i64,
    entry: &TimeEntryInput,
) -> rusqlite::Result<i64> {
    let stamp = now();
    connection.execute(
        "INSERT INTO bms_time_logs
           (ticket_id, user_id, start_date, start_time, end_time, timespent, notes, internal_notes,
            work_type_id, role_id, is_billable, approved, billed, posted, created_by, created_on,
            modified_by, modified_on)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 1, 0, 0, 0, ?11, ?12, ?11, ?12)",
        params![
            ticket,
            entry.user_id.unwrap_or(actor.user_id),
            entry.start_date,
            entry.start_time,
            entry.end_time,
            entry.timespent,
            entry.notes,
            entry.internal_notes,
            entry.work_type_id,
            entry.role_id,
            actor.user_id,
            stamp
        ],
    )?;
    let id = connection.last_insert_rowid();
    connection.execute(
        "INSERT INTO bms_ticket_activities (ticket_id, log_type, activity_type, time_log_id,
            user_id, created_by, created_on)
         VALUES (?1, ?2, 'Time Logged', ?3, ?4, ?4, ?5)",
        params![ticket, LOG_TYPE_TIME, id, actor.user_id, stamp],
    )?;
    store::audit(
        connection,
        ticket,
        actor.source,
        "Time Entry",
        &format!("{:.2} hours logged.", entry.timespent),
        None,
    )?;
    store::touch(connection, actor, ticket)?;
    Ok(id)
}

fn entry_path(ticket: &str, entry: &str) -> Result<(i64, i64), ApiError> {
    Ok((ticket_id(ticket)?, parse_id(entry, NOT_FOUND)?))
}

pub async fn show(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path((ticket, entry)): Path<(String, String)>,
) -> Result<Json<Envelope<TimeEntryOutput>>, ApiError> {
    let (ticket, id) = entry_path(&ticket, &entry)?;
    let output = state.store.try_write(|connection| {
        ensure_visible(connection, user, ticket)?;
        one(connection, ticket, id)
    })?;
    Ok(envelope::success(output))
}

pub async fn update(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path((ticket, entry)): Path<(String, String)>,
    JsonBody(body): JsonBody,
) -> Result<Json<Envelope<TimeEntryOutput>>, ApiError> {
    let (ticket, id) = entry_path(&ticket, &entry)?;
    let entry = input(&Fields::from_body(body)?)?;
    let output = state.store.try_write(|connection| {
        ensure_visible(connection, user, ticket)?;
        one(connection, ticket, id)?;
        check_lookups(connection, user, &entry)?;
        connection.execute(
            "UPDATE bms_time_logs SET start_date = ?2, start_time = ?3, end_time = ?4, timespent
                = ?5,
                notes = ?6, internal_notes = ?7, work_type_id = ?8, role_id = ?9,
                user_id = COALESCE(?10, user_id), modified_by = ?11, modified_on = ?12
             WHERE id = ?1",
            params![
                id,
                entry.start_date,
                entry.start_time,
                entry.end_time,
                entry.timespent,
                entry.notes,
                entry.internal_notes,
                entry.work_type_id,
                entry.role_id,
                entry.user_id,
                user.user_id,
                now()
            ],
        )?;
        let actor = api_actor(user);
        if let Some(status) = entry.status_id {
            store::set_status(connection, actor, ticket, status)?;
        }
        store::audit(
            connection,
            ticket,
            actor.source,
            "Time Entry",
            "Time entry updated.",
            None,
        )?;
        store::touch(connection, actor, ticket)?;
        one(connection, ticket, id)
    })?;
    Ok(envelope::success(output))
}

pub async fn delete(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path((ticket, entry)): Path<(String, String)>,
) -> Result<Json<Envelope<bool>>, ApiError> {
    let (ticket, id) = entry_path(&ticket, &entry)?;
    state.store.try_write(|connection| {
        ensure_visible(connection, user, ticket)?;
        one(connection, ticket, id)?;
        connection.execute("DELETE FROM bms_time_logs WHERE id = ?1", [id])?;
        let actor = api_actor(user);
        store::audit(
            connection,
            ticket,
            actor.source,
            "Time Entry",
            "Time entry deleted.",
            None,
        )?;
        store::touch(connection, actor, ticket)?;
        Ok::<_, ApiError>(())
    })?;
    Ok(envelope::success(true))
}

/// `GET /v2/timelogs`: every time entry the caller may see, with the documented filters.
pub async fn all(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Envelope<Vec<TimeLogOutput>>>, ApiError> {
    let params = QueryParams::parse(uri.query());
    let mut conditions = Conditions::new();
    for (name, column) in [
        ("Filter.TicketId", "tl.ticket_id"),
        ("Filter.UserId", "tl.user_id"),
        ("Filter.AccountId", "t.account_id"),
    ] {
        if let Some(id) = params.integer(name)? {
            conditions.push(&format!("{column} = ?"), &[id]);
        }
    }
    match params.integer("Filter.TimeEntrySourceId")? {
        Some(TICKET_SOURCE) | None => {}
        Some(_) => conditions.push("0", &[] as &[i64]),
    }
    // Only ticket entries exist here, so a project filter matches nothing.
    if params.integer("Filter.ProjectId")?.is_some() {
        conditions.push("0", &[] as &[i64]);
    }
    for (name, column) in [
        ("Filter.IsPosted", "tl.posted"),
        ("Filter.IsApproved", "tl.approved"),
        ("Filter.IsBilled", "tl.billed"),
        ("Filter.IsBillable", "tl.is_billable"),
    ] {
        if let Some(flag) = params.boolean(name)? {
            conditions.push(&format!("{column} = ?"), &[flag]);
        }
    }
    for (name, column, op) in [
        ("Filter.StartDateFrom", "tl.start_date", ">="),
        ("Filter.StartDateTo", "tl.start_date", "<="),
        ("Filter.CreatedOnFrom", "tl.created_on", ">="),
        ("Filter.CreatedOnTo", "tl.created_on", "<="),
        ("Filter.ModifiedOnFrom", "tl.modified_on", ">="),
        ("Filter.ModifiedOnTo", "tl.modified_on", "<="),
    ] {
        if let Some(bound) = params.datetime(name)? {
            conditions.push(&format!("{column} {op} ?"), &[bound.to_bms()]);
        }
    }
    conditions.push("t.tenant_id = ?", &[user.tenant_id]);
    conditions.push(&in_scope_sql("t.account_id"), &[user.user_id]);
    let page = Page::from_query(&params)?;
    let (logs, total) = state.store.read(|connection| {
        let total = sql::count(connection, FROM, &conditions)?;
        let mut query_params = conditions.params().to_vec();
        query_params.extend([page.limit().into(), page.offset().into()]);
        let sql = format!(
            "SELECT {COLUMNS} FROM {FROM}{} ORDER BY tl.start_date DESC, tl.id DESC LIMIT ?
                OFFSET ?",
            conditions.where_sql()
        );
        let mut statement = connection.prepare(&sql)?;
        let logs = statement
            .query_map(rusqlite::params_from_iter(query_params), log_entry)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok((logs, total))
    })?;
    Ok(envelope::paged(logs, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_normalise_and_hours_follow() {
        assert_eq!(parse_time("9:05").as_deref(), Some("09:05:00"));
        assert_eq!(parse_time("14:05:30.250").as_deref(), Some("14:05:30"));
        assert_eq!(parse_time("25:00"), None);
        assert!((hours_between("09:00:00", "10:30:00") - 1.5).abs() < f64::EPSILON);
        assert!((hours_between("23:00:00", "01:00:00") - 2.0).abs() < f64::EPSILON);
    }

    #[test]
    fn weeks_run_sunday_to_saturday() {
        // 2025-01-15 was a Wednesday.
        assert_eq!(
            week_of("2025-01-15T00:00:00"),
            (
                "2025-01-12T00:00:00".to_owned(),
                "2025-01-18T00:00:00".to_owned()
            )
        );
    }
}
