//! Service desk lookups: ticket statuses, priorities, queues, issue types and sub-types,
//! SLAs, work types, billing roles, and the ticket, note and time-log templates. Ids are
//! the tenant's own (large, realistic numbers), as every tenant has its own set.

use axum::extract::{OriginalUri, Path, State};
use axum::{Extension, Json};
use rusqlite::{Connection, OptionalExtension, Row};
use serde::Serialize;

use super::super::envelope::{self, ApiError, Envelope};
use super::super::params::QueryParams;
use super::super::security::AuthUser;
use super::support::{escape_like, parse_id};
use super::tickets::{ensure_visible, model, ticket_id};
use crate::state::AppState;

type Listing<T> = Result<Json<Envelope<Vec<T>>>, ApiError>;

/// Runs a lookup query bound to the tenant (and any extra parameters).
fn rows<T>(
    state: &AppState,
    sql: &str,
    params: Vec<rusqlite::types::Value>,
    map: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> Listing<T>
where
    T: Serialize,
{
    let items = state.store.read(|connection| {
        let mut statement = connection.prepare(sql)?;
        statement
            .query_map(rusqlite::params_from_iter(params), map)?
            .collect::<rusqlite::Result<Vec<T>>>()
    })?;
    Ok(envelope::success(items))
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    id: i64,
    name: String,
    font_color: String,
    color: String,
    status_order: i64,
    type_id: i64,
    is_system_status: i64,
    sla_event_id: Option<i64>,
    is_active: bool,
}

pub async fn statuses(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
) -> Listing<Status> {
    rows(
        &state,
        "SELECT id, name, font_color, color, status_order, type_id, is_system_status,
            sla_event_id, is_active
         FROM bms_ticket_statuses WHERE tenant_id = ?1 ORDER BY status_order, id",
        vec![user.tenant_id.into()],
        |row| {
            Ok(Status {
                id: row.get(0)?,
                name: row.get(1)?,
                font_color: row.get(2)?,
                color: row.get(3)?,
                status_order: row.get(4)?,
                type_id: row.get(5)?,
                is_system_status: row.get(6)?,
                sla_event_id: row.get(7)?,
                is_active: row.get(8)?,
            })
        },
    )
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Priority {
    id: i64,
    name: String,
    color: String,
    is_default: bool,
}

pub async fn priorities(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
) -> Listing<Priority> {
    rows(
        &state,
        "SELECT id, name, color, is_default FROM bms_ticket_priorities WHERE tenant_id = ?1
            ORDER BY id",
        vec![user.tenant_id.into()],
        |row| {
            Ok(Priority {
                id: row.get(0)?,
                name: row.get(1)?,
                color: row.get(2)?,
                is_default: row.get(3)?,
            })
        },
    )
}

/// `{Id, Name, IsActive}`: queues and issue types.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Named {
    id: i64,
    name: String,
    is_active: bool,
}

fn named(row: &Row<'_>) -> rusqlite::Result<Named> {
    Ok(Named {
        id: row.get(0)?,
        name: row.get(1)?,
        is_active: row.get(2)?,
    })
}

pub async fn queues(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
) -> Listing<Named> {
    rows(
        &state,
        "SELECT id, name, is_active FROM bms_queues WHERE tenant_id = ?1 ORDER BY name, id",
        vec![user.tenant_id.into()],
        named,
    )
}

/// `Filter.Name` is a case-insensitive substring.
pub async fn issue_types(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    OriginalUri(uri): OriginalUri,
) -> Listing<Named> {
    let params = QueryParams::parse(uri.query());
    let name = params.text("Filter.Name").map(escape_like);
    rows(
        &state,
        r"SELECT id, name, is_active FROM bms_issue_types
          WHERE tenant_id = ?1 AND (?2 IS NULL OR name LIKE '%' || ?2 || '%' ESCAPE '\')
          ORDER BY name, id",
        vec![user.tenant_id.into(), name.into()],
        named,
    )
}

#[derive(Debug, Serialize)]
pub struct IdName {
    id: i64,
    name: String,
}

pub async fn issue_sub_types(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(issue_type): Path<String>,
) -> Listing<IdName> {
    let issue_type = parse_id(&issue_type, "Issue type not found.")?;
    rows(
        &state,
        "SELECT st.id, st.name FROM bms_issue_sub_types st JOIN bms_issue_types it ON it.id =
            st.issue_type_id
         WHERE it.tenant_id = ?1 AND it.id = ?2 ORDER BY st.name, st.id",
        vec![user.tenant_id.into(), issue_type.into()],
        |row| {
            Ok(IdName {
                id: row.get(0)?,
                name: row.get(1)?,
            })
        },
    )
}

/// `{Id, Name, IsDefault, IsActive}`: SLAs and work types.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Defaulted {
    id: i64,
    name: String,
    is_default: bool,
    is_active: bool,
}

fn defaulted(row: &Row<'_>) -> rusqlite::Result<Defaulted> {
    Ok(Defaulted {
        id: row.get(0)?,
        name: row.get(1)?,
        is_default: row.get(2)?,
        is_active: row.get(3)?,
    })
}

pub async fn slas(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
) -> Listing<Defaulted> {
    rows(
        &state,
        "SELECT id, name, is_default, is_active FROM bms_slas WHERE tenant_id = ?1 ORDER BY id",
        vec![user.tenant_id.into()],
        defaulted,
    )
}

pub async fn work_types(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
) -> Listing<Defaulted> {
    rows(
        &state,
        "SELECT id, name, is_default, is_active FROM bms_work_types WHERE tenant_id = ?1 ORDER
            BY id",
        vec![user.tenant_id.into()],
        defaulted,
    )
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Role {
    id: i64,
    name: String,
    is_default: bool,
}

fn role(row: &Row<'_>) -> rusqlite::Result<Role> {
    Ok(Role {
        id: row.get(0)?,
        name: row.get(1)?,
        is_default: row.get(2)?,
    })
}

pub async fn roles(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
) -> Listing<Role> {
    rows(
        &state,
        "SELECT id, name, is_default FROM bms_roles WHERE tenant_id = ?1 ORDER BY id",
        vec![user.tenant_id.into()],
        role,
    )
}

/// `GET /v2/hr/assignees/{assigneeId}/roles`: every billing role, the employee's own
/// default marked as the default.
pub async fn assignee_roles(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(assignee): Path<String>,
) -> Listing<Role> {
    let assignee = parse_id(&assignee, "Assignee not found.")?;
    rows(
        &state,
        "SELECT r.id, r.name, COALESCE(r.id = ep.default_role_id, r.is_default)
         FROM bms_roles r JOIN bms_users u ON u.id = ?2 AND u.tenant_id = r.tenant_id
         LEFT JOIN bms_employee_profiles ep ON ep.user_id = u.id
         WHERE r.tenant_id = ?1 ORDER BY r.id",
        vec![user.tenant_id.into(), assignee.into()],
        role,
    )
}

pub async fn ticket_templates(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
) -> Listing<IdName> {
    rows(
        &state,
        "SELECT id, name FROM bms_ticket_templates WHERE tenant_id = ?1 ORDER BY name, id",
        vec![user.tenant_id.into()],
        |row| {
            Ok(IdName {
                id: row.get(0)?,
                name: row.get(1)?,
            })
        },
    )
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TicketTemplate {
    id: i64,
    name: String,
    title: String,
    issue_type_id: Option<i64>,
    sub_issue_type_id: Option<i64>,
    priority_id: Option<i64>,
    queue_id: Option<i64>,
    account_id: Option<i64>,
    account_name: Option<String>,
    assignee_id: Option<i64>,
    assignee_name: Option<String>,
    ticket_type_id: Option<i64>,
    expected_time_to_resolve: Option<f64>,
    details: String,
    time_to_resolve_type_id: Option<i64>,
    work_type_id: Option<i64>,
}

pub async fn ticket_template(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
) -> Result<Json<Envelope<TicketTemplate>>, ApiError> {
    let not_found = "Ticket template not found.";
    let id = parse_id(&id, not_found)?;
    let template = state.store.read(|connection| {
        connection
            .query_row(
                "SELECT id, name, title, issue_type_id, sub_issue_type_id, priority_id, queue_id,
                        ticket_type_id, expected_hours, details, work_type_id
                 FROM bms_ticket_templates WHERE id = ?1 AND tenant_id = ?2",
                [id, user.tenant_id],
                |row| {
                    Ok(TicketTemplate {
                        id: row.get(0)?,
                        name: row.get(1)?,
                        title: row.get(2)?,
                        issue_type_id: row.get(3)?,
                        sub_issue_type_id: row.get(4)?,
                        priority_id: row.get(5)?,
                        queue_id: row.get(6)?,
                        account_id: None,
                        account_name: None,
                        assignee_id: None,
                        assignee_name: None,
                        ticket_type_id: row.get(7)?,
                        expected_time_to_resolve: row.get(8)?,
                        details: row.get(9)?,
                        // Hours (sandbox numbering of the unpublished enum).
                        time_to_resolve_type_id: Some(1),
                        work_type_id: row.get(10)?,
                    })
                },
            )
            .optional()
    })?;
    template
        .map(envelope::success)
        .ok_or_else(|| ApiError::failure(404, not_found))
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NoteTemplate {
    id: i64,
    name: String,
    type_id: Option<i64>,
    status_id: Option<i64>,
    is_internal: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    details: Option<String>,
}

fn note_template(row: &Row<'_>, with_details: bool) -> rusqlite::Result<NoteTemplate> {
    Ok(NoteTemplate {
        id: row.get(0)?,
        name: row.get(1)?,
        type_id: row.get(2)?,
        status_id: row.get(3)?,
        is_internal: row.get(4)?,
        details: if with_details { row.get(5)? } else { None },
    })
}

pub async fn note_templates(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
) -> Listing<NoteTemplate> {
    rows(
        &state,
        "SELECT id, name, type_id, status_id, is_internal, details FROM bms_note_templates
         WHERE tenant_id = ?1 ORDER BY name, id",
        vec![user.tenant_id.into()],
        |row| note_template(row, false),
    )
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TimeLogTemplate {
    id: i64,
    name: String,
    notes: Option<String>,
    internal_notes: Option<String>,
    role_id: Option<i64>,
    work_type_id: Option<i64>,
    status_id: Option<i64>,
    timespent: Option<f64>,
}

fn time_log_template(row: &Row<'_>) -> rusqlite::Result<TimeLogTemplate> {
    Ok(TimeLogTemplate {
        id: row.get(0)?,
        name: row.get(1)?,
        notes: row.get(2)?,
        internal_notes: row.get(3)?,
        role_id: row.get(4)?,
        work_type_id: row.get(5)?,
        status_id: row.get(6)?,
        timespent: row.get(7)?,
    })
}

const TIME_LOG_TEMPLATE_COLUMNS: &str =
    "id, name, notes, internal_notes, role_id, work_type_id, status_id, timespent";

pub async fn time_log_templates(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
) -> Listing<TimeLogTemplate> {
    rows(
        &state,
        &format!(
            "SELECT {TIME_LOG_TEMPLATE_COLUMNS} FROM bms_timelog_templates WHERE tenant_id = ?1
                ORDER BY name, id"
        ),
        vec![user.tenant_id.into()],
        time_log_template,
    )
}

/// Fills the ticket placeholders a template may carry: `[TicketNumber]`, `[TicketTitle]`,
/// `[AccountName]`, `[ContactName]` (sandbox placeholders; the real set is unpublished).
fn fill(text: &str, ticket: &model::TicketOutput) -> String {
    text.replace("[TicketNumber]", &ticket.ticket_number)
        .replace("[TicketTitle]", &ticket.title)
        .replace(
            "[AccountName]",
            ticket.account_name.as_deref().unwrap_or(""),
        )
        .replace(
            "[ContactName]",
            ticket.contact_name.as_deref().unwrap_or(""),
        )
}

fn template_ticket(
    connection: &Connection,
    user: AuthUser,
    ticket: i64,
) -> Result<model::TicketOutput, ApiError> {
    ensure_visible(connection, user, ticket)?;
    model::find(connection, user.tenant_id, ticket)?
        .ok_or_else(|| ApiError::failure(404, super::tickets::NOT_FOUND))
}

/// `GET …/templates/notes/{templateId}/{ticketId}`: the template filled for the ticket.
pub async fn note_template_for_ticket(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path((template, ticket)): Path<(String, String)>,
) -> Result<Json<Envelope<NoteTemplate>>, ApiError> {
    let not_found = "Note template not found.";
    let (template, ticket) = (parse_id(&template, not_found)?, ticket_id(&ticket)?);
    let filled = state.store.try_write(|connection| {
        let ticket = template_ticket(connection, user, ticket)?;
        let mut template = connection
            .query_row(
                "SELECT id, name, type_id, status_id, is_internal, details FROM bms_note_templates
                 WHERE id = ?1 AND tenant_id = ?2",
                [template, user.tenant_id],
                |row| note_template(row, true),
            )
            .optional()?
            .ok_or_else(|| ApiError::failure(404, not_found))?;
        template.details = template.details.map(|details| fill(&details, &ticket));
        Ok::<_, ApiError>(template)
    })?;
    Ok(envelope::success(filled))
}

/// `GET …/templates/timelogs/{templateId}/{ticketId}`: the template filled for the ticket.
pub async fn time_log_template_for_ticket(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path((template, ticket)): Path<(String, String)>,
) -> Result<Json<Envelope<TimeLogTemplate>>, ApiError> {
    let not_found = "Time log template not found.";
    let (template, ticket) = (parse_id(&template, not_found)?, ticket_id(&ticket)?);
    let filled = state.store.try_write(|connection| {
        let ticket = template_ticket(connection, user, ticket)?;
        let mut template = connection
            .query_row(
                &format!(
                    "SELECT {TIME_LOG_TEMPLATE_COLUMNS} FROM bms_timelog_templates WHERE id
                    = ?1 AND tenant_id = ?2"
                ),
                [template, user.tenant_id],
                time_log_template,
            )
            .optional()?
            .ok_or_else(|| ApiError::failure(404, not_found))?;
        template.notes = template.notes.map(|notes| fill(&notes, &ticket));
        template.internal_notes = template.internal_notes.map(|notes| fill(&notes, &ticket));
        Ok::<_, ApiError>(template)
    })?;
    Ok(envelope::success(filled))
}
