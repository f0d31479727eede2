//! Ticket read models: `TicketOutputDto` (one ticket), `TicketListDto` (list rows) and the
//! small projections, all read through one SELECT over the ticket and its lookups.

use rusqlite::{Connection, Row};
use serde::Serialize;

/// Tables and joins behind every ticket read. Locations and addresses are the core account
/// tables; contact and hardware names are kept on the ticket row.
pub const FROM: &str = "bms_tickets t
    JOIN bms_tenants tn ON tn.id = t.tenant_id
    LEFT JOIN bms_accounts a ON a.id = t.account_id
    LEFT JOIN bms_account_locations l ON l.id = t.location_id
    LEFT JOIN bms_ticket_statuses s ON s.id = t.status_id
    LEFT JOIN bms_ticket_priorities p ON p.id = t.priority_id
    LEFT JOIN bms_ticket_types ty ON ty.id = t.type_id
    LEFT JOIN bms_ticket_sources so ON so.id = t.source_id
    LEFT JOIN bms_issue_types it ON it.id = t.issue_type_id
    LEFT JOIN bms_issue_sub_types st ON st.id = t.sub_issue_type_id
    LEFT JOIN bms_queues q ON q.id = t.queue_id
    LEFT JOIN bms_users asg ON asg.id = t.assignee_id
    LEFT JOIN bms_users cb ON cb.id = t.created_by
    LEFT JOIN bms_work_types wt ON wt.id = t.work_type_id
    LEFT JOIN bms_slas sla ON sla.id = t.sla_id
    LEFT JOIN bms_contracts ct ON ct.id = t.contract_id";

const COLUMNS: &str = "t.id AS id, t.created_by AS created_by, t.created_on AS created_on,
    t.modified_by AS modified_by, t.modified_on AS modified_on, t.ticket_number AS ticket_number,
    t.title AS title, t.details AS details, t.account_id AS account_id,
    a.account_code AS account_code, a.account_name AS account_name, t.location_id AS location_id,
    l.location_name AS location_name,
    (SELECT ad.phone FROM bms_account_addresses ad
      WHERE ad.location_id = t.location_id ORDER BY ad.is_main DESC, ad.id LIMIT 1) AS
      location_phone,
    t.contact_id AS contact_id, t.contact_name AS contact_name, t.contact_phone AS contact_phone,
    t.contact_email AS contact_email, t.software_asset_id AS software_asset_id,
    t.hardware_asset_id AS hardware_asset_id, t.hardware_asset_name AS hardware_asset_name,
    t.status_id AS status_id, s.name AS status_name, s.color AS status_color,
    s.font_color AS status_fore_color, s.status_order AS status_order,
    t.priority_id AS priority_id, p.name AS priority_name, p.color AS priority_color,
    t.type_id AS type_id, ty.name AS type_name, t.issue_type_id AS issue_type_id,
    it.name AS issue_type_name, t.sub_issue_type_id AS sub_issue_type_id,
    st.name AS sub_issue_type_name, t.contract_id AS contract_id,
    ct.contract_number AS contract_number, ct.name AS contract_name,
    t.work_type_id AS work_type_id, wt.name AS work_type_name,
    t.sla_status_event_id AS sla_status_event_id, t.source_id AS source_id,
    so.name AS source_name, t.open_date AS open_date, t.due_date AS due_date,
    t.completed_date AS completed_date, t.last_activity_update AS last_activity_update,
    t.last_status_update AS last_status_update, t.last_priority_update AS last_priority_update,
    t.last_queue_update AS last_queue_update, t.resolution_target_time AS resolution_target_time,
    t.reopened_date AS reopened_date, sla.name AS sla_name, t.sla_id AS sla_id,
    t.tenant_id AS tenant_id, tn.name AS tenant_name, t.queue_id AS queue_id,
    q.name AS queue_name, t.assignee_id AS assignee_id,
    asg.first_name || ' ' || asg.last_name AS assignee_name,
    t.recurring_master_id AS recurring_master_id, t.is_scheduled AS is_scheduled,
    cb.first_name || ' ' || cb.last_name AS created_by_name, t.custom_fields AS custom_fields,
    (SELECT COALESCE(SUM(tl.timespent), 0) FROM bms_time_logs tl WHERE tl.ticket_id = t.id)
        AS total_time_spent,
    (SELECT COALESCE(SUM(e.amount_spent + e.markup_amount), 0) FROM bms_ticket_expenses e
      WHERE e.ticket_id = t.id) AS total_expenses,
    (SELECT EXISTS (SELECT 1 FROM bms_time_logs tl WHERE tl.ticket_id = t.id AND tl.posted = 1))
        AS has_posted_entries";

/// `SELECT … FROM …` with the caller's WHERE and ORDER appended.
pub fn select_sql(tail: &str) -> String {
    format!("SELECT {COLUMNS} FROM {FROM}{tail}")
}

/// `TicketOutputDto`. Acronym members follow the wire's camel-casing (`cCs`, `hasMetSLA`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TicketOutput {
    pub id: i64,
    pub created_by: Option<i64>,
    pub created_on: Option<String>,
    pub modified_by: Option<i64>,
    pub modified_on: Option<String>,
    pub ticket_number: String,
    pub title: String,
    pub details: String,
    pub account_id: Option<i64>,
    pub account_code: Option<String>,
    pub account_name: Option<String>,
    pub location_id: Option<i64>,
    pub location_name: Option<String>,
    pub location_phone: Option<String>,
    pub contact_id: Option<i64>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_email: Option<String>,
    pub software_asset_id: Option<i64>,
    pub software_asset_name: Option<String>,
    pub hardware_asset_id: Option<i64>,
    pub hardware_asset_name: Option<String>,
    pub vsa_asset_id: Option<String>,
    pub has_vsa_agent: Option<bool>,
    pub status_id: i64,
    pub status_name: Option<String>,
    pub status_color: Option<String>,
    pub status_fore_color: Option<String>,
    pub status_order: Option<i64>,
    pub priority_id: i64,
    pub priority_name: Option<String>,
    pub priority_color: Option<String>,
    pub type_id: Option<i64>,
    pub type_name: Option<String>,
    pub issue_type_id: Option<i64>,
    pub issue_type_name: Option<String>,
    pub sub_issue_type_id: Option<i64>,
    pub sub_issue_type_name: Option<String>,
    pub contract_id: Option<i64>,
    pub contract_number: Option<String>,
    pub contract_name: Option<String>,
    pub work_type_id: Option<i64>,
    pub work_type_name: Option<String>,
    pub sla_status_event_id: Option<i64>,
    pub source_id: Option<i64>,
    pub source_name: Option<String>,
    pub open_date: Option<String>,
    pub due_date: Option<String>,
    pub completed_date: Option<String>,
    pub last_activity_update: Option<String>,
    pub last_status_update: Option<String>,
    pub last_priority_update: Option<String>,
    pub occurrence_count: Option<i64>,
    pub last_occurrence_date: Option<String>,
    #[serde(rename = "cCs")]
    pub ccs: Vec<TicketCc>,
    pub rmm_ticket_reference: Option<String>,
    pub sla_name: Option<String>,
    #[serde(rename = "hasMetSLA")]
    pub has_met_sla: Option<bool>,
    pub first_response_target_time: Option<String>,
    pub first_response_actual_time: Option<String>,
    pub resolution_actual_time: Option<String>,
    pub resolution_target_time: Option<String>,
    pub sla_status_enum: Option<i64>,
    pub tenant_id: i64,
    pub queue_id: Option<i64>,
    pub queue_name: Option<String>,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    pub ticket_recurring_master_id: Option<i64>,
    pub recurring: Option<bool>,
    pub sla_id: Option<i64>,
    pub sla_objective_id: Option<i64>,
    pub is_scheduled: i64,
    pub actual_pause_minutes: Option<i64>,
    pub actual_first_response_minutes: Option<i64>,
    pub actual_resolution_minutes: Option<i64>,
    #[serde(rename = "isSLAPaused")]
    pub is_sla_paused: Option<bool>,
    pub re_opened_date: Option<String>,
    pub sla_last_paused_time: Option<String>,
    pub sla_last_resumed_time: Option<String>,
    pub last_queue_update: Option<String>,
    pub has_posted_entries: bool,
    pub secondary_assignees: Vec<SecondaryAssignee>,
    pub created_by_name: Option<String>,
    pub total_expenses: Option<f64>,
    pub total_time_spent: Option<f64>,
    pub is_read_only: bool,
    pub open_date_locked: bool,
    pub integration_type_id: Option<i64>,
    /// Carried to the list row; not part of the single-ticket DTO.
    #[serde(skip)]
    tenant_name: Option<String>,
    #[serde(skip)]
    custom_fields: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SecondaryAssignee {
    pub user_id: i64,
    pub full_name: Option<String>,
}

/// A CC: the sandbox stores none, so the list is always empty, but typed like the spec.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TicketCc {
    pub id: i64,
    pub email_address: String,
    pub full_name: Option<String>,
    pub entity_type: i64,
}

impl TicketOutput {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        let recurring_master_id: Option<i64> = row.get("recurring_master_id")?;
        Ok(Self {
            id: row.get("id")?,
            created_by: row.get("created_by")?,
            created_on: row.get("created_on")?,
            modified_by: row.get("modified_by")?,
            modified_on: row.get("modified_on")?,
            ticket_number: row.get("ticket_number")?,
            title: row.get("title")?,
            details: row.get("details")?,
            account_id: row.get("account_id")?,
            account_code: row.get("account_code")?,
            account_name: row.get("account_name")?,
            location_id: row.get("location_id")?,
            location_name: row.get("location_name")?,
            location_phone: row.get("location_phone")?,
            contact_id: row.get("contact_id")?,
            contact_name: row.get("contact_name")?,
            contact_phone: row.get("contact_phone")?,
            contact_email: row.get("contact_email")?,
            software_asset_id: row.get("software_asset_id")?,
            software_asset_name: None,
            hardware_asset_id: row.get("hardware_asset_id")?,
            hardware_asset_name: row.get("hardware_asset_name")?,
            vsa_asset_id: None,
            has_vsa_agent: Some(false),
            status_id: row.get("status_id")?,
            status_name: row.get("status_name")?,
            status_color: row.get("status_color")?,
            status_fore_color: row.get("status_fore_color")?,
            status_order: row.get("status_order")?,
            priority_id: row.get("priority_id")?,
            priority_name: row.get("priority_name")?,
            priority_color: row.get("priority_color")?,
            type_id: row.get("type_id")?,
            type_name: row.get("type_name")?,
            issue_type_id: row.get("issue_type_id")?,
            issue_type_name: row.get("issue_type_name")?,
            sub_issue_type_id: row.get("sub_issue_type_id")?,
            sub_issue_type_name: row.get("sub_issue_type_name")?,
            contract_id: row.get("contract_id")?,
            contract_number: row.get("contract_number")?,
            contract_name: row.get("contract_name")?,
            work_type_id: row.get("work_type_id")?,
            work_type_name: row.get("work_type_name")?,
            sla_status_event_id: row.get("sla_status_event_id")?,
            source_id: row.get("source_id")?,
            source_name: row.get("source_name")?,
            open_date: row.get("open_date")?,
            due_date: row.get("due_date")?,
            completed_date: row.get("completed_date")?,
            last_activity_update: row.get("last_activity_update")?,
            last_status_update: row.get("last_status_update")?,
            last_priority_update: row.get("last_priority_update")?,
            occurrence_count: None,
            last_occurrence_date: None,
            ccs: Vec::new(),
            rmm_ticket_reference: None,
            sla_name: row.get("sla_name")?,
            has_met_sla: None,
            first_response_target_time: None,
            first_response_actual_time: None,
            resolution_actual_time: None,
            resolution_target_time: row.get("resolution_target_time")?,
            sla_status_enum: None,
            tenant_id: row.get("tenant_id")?,
            queue_id: row.get("queue_id")?,
            queue_name: row.get("queue_name")?,
            assignee_id: row.get("assignee_id")?,
            assignee_name: row.get("assignee_name")?,
            ticket_recurring_master_id: recurring_master_id,
            recurring: Some(recurring_master_id.is_some()),
            sla_id: row.get("sla_id")?,
            sla_objective_id: None,
            is_scheduled: row.get("is_scheduled")?,
            actual_pause_minutes: None,
            actual_first_response_minutes: None,
            actual_resolution_minutes: None,
            is_sla_paused: Some(false),
            re_opened_date: row.get("reopened_date")?,
            sla_last_paused_time: None,
            sla_last_resumed_time: None,
            last_queue_update: row.get("last_queue_update")?,
            has_posted_entries: row.get("has_posted_entries")?,
            secondary_assignees: Vec::new(),
            created_by_name: row.get("created_by_name")?,
            total_expenses: row.get("total_expenses")?,
            total_time_spent: row.get("total_time_spent")?,
            is_read_only: false,
            open_date_locked: false,
            integration_type_id: None,
            tenant_name: row.get("tenant_name")?,
            custom_fields: row.get("custom_fields")?,
        })
    }
}

/// `TicketListDto`: the list row. `hardwareAssetId` is a non-null int there (0 for none).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TicketListItem {
    pub id: i64,
    pub created_by: Option<i64>,
    pub created_on: Option<String>,
    pub modified_by: Option<i64>,
    pub modified_on: Option<String>,
    pub ticket_number: String,
    pub title: String,
    pub details: String,
    pub account_id: Option<i64>,
    pub account_code: Option<String>,
    pub account_name: Option<String>,
    pub location_id: Option<i64>,
    pub location_name: Option<String>,
    pub contact_id: Option<i64>,
    pub contact_name: Option<String>,
    pub hardware_asset_id: i64,
    pub hardware_asset_name: Option<String>,
    pub status_id: i64,
    pub status_name: Option<String>,
    pub status_color: Option<String>,
    pub status_fore_color: Option<String>,
    pub priority_id: i64,
    pub priority_name: Option<String>,
    pub priority_color: Option<String>,
    pub type_id: Option<i64>,
    pub type_name: Option<String>,
    pub issue_type_id: Option<i64>,
    pub issue_type_name: Option<String>,
    pub sub_issue_type_id: Option<i64>,
    pub sub_issue_type_name: Option<String>,
    pub queue_id: Option<i64>,
    pub queue_name: Option<String>,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    pub source_id: Option<i64>,
    pub contract_id: Option<i64>,
    pub contract_name: Option<String>,
    pub work_type_id: Option<i64>,
    pub work_type_name: Option<String>,
    pub sla_id: Option<i64>,
    pub sla_name: Option<String>,
    pub open_date: Option<String>,
    pub due_date: Option<String>,
    pub completed_date: Option<String>,
    pub last_activity_update: Option<String>,
    pub last_status_update: Option<String>,
    pub last_priority_update: Option<String>,
    pub last_queue_update: Option<String>,
    pub re_opened_date: Option<String>,
    pub resolution_target_time: Option<String>,
    pub is_scheduled: i64,
    pub tenant_id: i64,
    pub tenant_name: Option<String>,
    pub custom_fields: Option<String>,
    pub created_by_name: Option<String>,
    pub total_time_spent: Option<f64>,
}

impl From<TicketOutput> for TicketListItem {
    fn from(t: TicketOutput) -> Self {
        Self {
            id: t.id,
            created_by: t.created_by,
            created_on: t.created_on,
            modified_by: t.modified_by,
            modified_on: t.modified_on,
            ticket_number: t.ticket_number,
            title: t.title,
            details: t.details,
            account_id: t.account_id,
            account_code: t.account_code,
            account_name: t.account_name,
            location_id: t.location_id,
            location_name: t.location_name,
            contact_id: t.contact_id,
            contact_name: t.contact_name,
            hardware_asset_id: t.hardware_asset_id.unwrap_or(0),
            hardware_asset_name: t.hardware_asset_name,
            status_id: t.status_id,
            status_name: t.status_name,
            status_color: t.status_color,
            status_fore_color: t.status_fore_color,
            priority_id: t.priority_id,
            priority_name: t.priority_name,
            priority_color: t.priority_color,
            type_id: t.type_id,
            type_name: t.type_name,
            issue_type_id: t.issue_type_id,
            issue_type_name: t.issue_type_name,
            sub_issue_type_id: t.sub_issue_type_id,
            sub_issue_type_name: t.sub_issue_type_name,
            queue_id: t.queue_id,
            queue_name: t.queue_name,
            assignee_id: t.assignee_id,
            assignee_name: t.assignee_name,
            source_id: t.source_id,
            contract_id: t.contract_id,
            contract_name: t.contract_name,
            work_type_id: t.work_type_id,
            work_type_name: t.work_type_name,
            sla_id: t.sla_id,
            sla_name: t.sla_name,
            open_date: t.open_date,
            due_date: t.due_date,
            completed_date: t.completed_date,
            last_activity_update: t.last_activity_update,
            last_status_update: t.last_status_update,
            last_priority_update: t.last_priority_update,
            last_queue_update: t.last_queue_update,
            re_opened_date: t.re_opened_date,
            resolution_target_time: t.resolution_target_time,
            is_scheduled: t.is_scheduled,
            tenant_id: t.tenant_id,
            tenant_name: t.tenant_name,
            custom_fields: t.custom_fields,
            created_by_name: t.created_by_name,
            total_time_spent: t.total_time_spent,
        }
    }
}

/// Runs a ticket SELECT built with [`select_sql`].
pub fn query(
    connection: &Connection,
    sql: &str,
    params: &[rusqlite::types::Value],
) -> rusqlite::Result<Vec<TicketOutput>> {
    let mut statement = connection.prepare(sql)?;
    statement
        .query_map(rusqlite::params_from_iter(params), TicketOutput::from_row)?
        .collect()
}

/// One ticket of the tenant with its secondary assignees, whatever the caller's scope.
pub fn find(
    connection: &Connection,
    tenant_id: i64,
    id: i64,
) -> rusqlite::Result<Option<TicketOutput>> {
    let sql = select_sql(" WHERE t.id = ? AND t.tenant_id = ?");
    let Some(mut ticket) = query(connection, &sql, &[id.into(), tenant_id.into()])?.pop() else {
        return Ok(None);
    };
    let mut statement = connection.prepare(
        "SELECT sa.user_id, u.first_name || ' ' || u.last_name
         FROM bms_ticket_secondary_assignees sa LEFT JOIN bms_users u ON u.id = sa.user_id
         WHERE sa.ticket_id = ?1 ORDER BY sa.user_id",
    )?;
    ticket.secondary_assignees = statement
        .query_map([id], |row| {
            Ok(SecondaryAssignee {
                user_id: row.get(0)?,
                full_name: row.get(1)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(ticket))
}

/// `…/tickets/summary` rows: status and priority ids are strings there.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TicketSummary {
    pub id: i64,
    pub title: String,
    pub ticket_number: String,
    pub status_name: Option<String>,
    pub status_id: String,
    pub status_color: Option<String>,
    pub priority_id: String,
    pub priority_name: Option<String>,
    pub priority_color: Option<String>,
}

impl From<TicketOutput> for TicketSummary {
    fn from(t: TicketOutput) -> Self {
        Self {
            id: t.id,
            title: t.title,
            ticket_number: t.ticket_number,
            status_name: t.status_name,
            status_id: t.status_id.to_string(),
            status_color: t.status_color,
            priority_id: t.priority_id.to_string(),
            priority_name: t.priority_name,
            priority_color: t.priority_color,
        }
    }
}

/// `…/tickets/searchselect` rows.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TicketSelectItem {
    pub id: i64,
    pub ticket_number: String,
    pub title: String,
    pub queue_id: Option<i64>,
    pub queue_name: Option<String>,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    pub open_date: Option<String>,
    pub status_name: Option<String>,
    pub status_id: i64,
    pub status_color: Option<String>,
}

impl From<TicketOutput> for TicketSelectItem {
    fn from(t: TicketOutput) -> Self {
        Self {
            id: t.id,
            ticket_number: t.ticket_number,
            title: t.title,
            queue_id: t.queue_id,
            queue_name: t.queue_name,
            assignee_id: t.assignee_id,
            assignee_name: t.assignee_name,
            open_date: t.open_date,
            status_name: t.status_name,
            status_id: t.status_id,
            status_color: t.status_color,
        }
    }
}
