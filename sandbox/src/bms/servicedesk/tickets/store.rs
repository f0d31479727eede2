//! Ticket writes. Every change goes through [`update`], which records what the real
//! service records alongside: the audit log, a "Status Changed" activity, the
//! `Last…Update` stamps, `CompletedDate` on entering a completed status and
//! `ReOpenedDate` on leaving one.

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Value, json};

use super::super::super::envelope::ApiError;
use super::super::super::json_input::{Fields, require};
use super::super::support::now;
use super::linked;

/// Who makes a change, and through which door (shown as the audit log's `Source`).
#[derive(Debug, Clone, Copy)]
pub struct Actor {
    pub user_id: i64,
    pub tenant_id: i64,
    pub source: &'static str,
}

/// The writable fields of `TicketInputDto`.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketFields {
    pub title: String,
    pub details: String,
    pub account_id: i64,
    pub location_id: i64,
    pub contact_id: Option<i64>,
    pub hardware_asset_id: Option<i64>,
    pub software_asset_id: Option<i64>,
    pub status_id: i64,
    pub priority_id: i64,
    pub type_id: i64,
    pub source_id: i64,
    pub issue_type_id: Option<i64>,
    pub sub_issue_type_id: Option<i64>,
    pub queue_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub contract_id: Option<i64>,
    pub work_type_id: Option<i64>,
    pub sla_id: Option<i64>,
    pub open_date: String,
    pub due_date: Option<String>,
    pub secondary_assignees: Vec<i64>,
}

/// The members `TicketInputDto` marks required.
const REQUIRED: &[&str] = &[
    "Title",
    "Details",
    "AccountId",
    "LocationId",
    "StatusId",
    "PriorityId",
    "TypeId",
    "SourceId",
    "OpenDate",
];

impl TicketFields {
    /// Reads and validates a `TicketInputDto` body (create and full update).
    pub fn from_input(body: &Fields) -> Result<Self, ApiError> {
        require(body, REQUIRED)?;
        let required_int = |name: &str| -> Result<i64, ApiError> {
            body.int(name)?
                .ok_or_else(|| ApiError::failure(400, format!("The {name} field is required.")))
        };
        let required_date = |name: &str| -> Result<String, ApiError> {
            body.datetime(name)?
                .map(|date| date.to_bms())
                .ok_or_else(|| ApiError::failure(400, format!("The {name} field is required.")))
        };
        let secondary = body
            .objects("SecondaryAssignees")?
            .iter()
            .map(|entry| {
                entry.int("UserId")?.ok_or_else(|| {
                    ApiError::failure(400, "The UserId field is required.".to_owned())
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            title: body.text("Title")?.unwrap_or_default(),
            details: body.text("Details")?.unwrap_or_default(),
            account_id: required_int("AccountId")?,
            location_id: required_int("LocationId")?,
            contact_id: body.int("ContactId")?,
            hardware_asset_id: body.int("HardwareAssetId")?.filter(|id| *id != 0),
            software_asset_id: body.int("SoftwareAssetId")?.filter(|id| *id != 0),
            status_id: required_int("StatusId")?,
            priority_id: required_int("PriorityId")?,
            type_id: required_int("TypeId")?,
            source_id: required_int("SourceId")?,
            issue_type_id: body.int("IssueTypeId")?,
            sub_issue_type_id: body.int("SubIssueTypeId")?,
            queue_id: body.int("QueueId")?,
            assignee_id: body.int("AssigneeId")?,
            contract_id: body.int("ContractId")?,
            work_type_id: body.int("WorkTypeId")?,
            sla_id: body.int("SLAId")?,
            open_date: required_date("OpenDate")?,
            due_date: body.datetime("DueDate")?.map(|date| date.to_bms()),
            secondary_assignees: secondary,
        })
    }

    /// The fields as a `TicketInputDto` document, the target of a JSON Patch.
    pub fn to_document(&self) -> Value {
        json!({
            "Title": self.title,
            "Details": self.details,
            "AccountId": self.account_id,
            "LocationId": self.location_id,
            "ContactId": self.contact_id,
            "HardwareAssetId": self.hardware_asset_id,
            "SoftwareAssetId": self.software_asset_id,
            "StatusId": self.status_id,
            "PriorityId": self.priority_id,
            "TypeId": self.type_id,
            "SourceId": self.source_id,
            "IssueTypeId": self.issue_type_id,
            "SubIssueTypeId": self.sub_issue_type_id,
            "QueueId": self.queue_id,
            "AssigneeId": self.assignee_id,
            "ContractId": self.contract_id,
            "WorkTypeId": self.work_type_id,
            "SLAId": self.sla_id,
            "OpenDate": self.open_date,
            "DueDate": self.due_date,
            "SecondaryAssignees": self
                .secondary_assignees
                .iter()
                .map(|id| json!({"UserId": id}))
                .collect::<Vec<_>>(),
        })
    }
}

/// The stored fields of a ticket of the tenant.
pub fn load(
    connection: &Connection,
    tenant_id: i64,
    id: i64,
) -> rusqlite::Result<Option<TicketFields>> {
    let fields = connection
        .query_row(
            "SELECT title, details, account_id, location_id, contact_id, hardware_asset_id,
                    software_asset_id, status_id, priority_id, type_id, source_id, issue_type_id,
                    sub_issue_type_id, queue_id, assignee_id, contract_id, work_type_id, sla_id,
                    open_date, due_date
             FROM bms_tickets WHERE id = ?1 AND tenant_id = ?2",
            [id, tenant_id],
            |row| {
                Ok(TicketFields {
                    title: row.get(0)?,
                    details: row.get(1)?,
                    account_id: row.get(2)?,
                    location_id: row.get(3)?,
                    contact_id: row.get(4)?,
                    hardware_asset_id: row.get(5)?,
                    software_asset_id: row.get(6)?,
                    status_id: row.get(7)?,
                    priority_id: row.get(8)?,
                    type_id: row.get(9)?,
                    source_id: row.get(10)?,
                    issue_type_id: row.get(11)?,
                    sub_issue_type_id: row.get(12)?,
                    queue_id: row.get(13)?,
                    assignee_id: row.get(14)?,
                    contract_id: row.get(15)?,
                    work_type_id: row.get(16)?,
                    sla_id: row.get(17)?,
                    open_date: row.get(18)?,
                    due_date: row.get(19)?,
                    secondary_assignees: Vec::new(),
                })
            },
        )
        .optional()?;
    let Some(mut fields) = fields else {
        return Ok(None);
    };
    let mut statement = connection.prepare(
        "SELECT user_id FROM bms_ticket_secondary_assignees WHERE ticket_id = ?1 ORDER BY user_id",
    )?;
    fields.secondary_assignees = statement
        .query_map([id], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(fields))
}

/// Checks that every referenced record exists in the tenant; the message names the field.
pub fn validate_references(
    connection: &Connection,
    tenant_id: i64,
    fields: &TicketFields,
) -> Result<(), ApiError> {
    let checks: [(&str, Option<i64>, &str); 10] = [
        (
            "AccountId",
            Some(fields.account_id),
            "SELECT 1 FROM bms_accounts WHERE id = ?1 AND tenant_id = ?2",
        ),
        (
            "StatusId",
            Some(fields.status_id),
            "SELECT 1 FROM bms_ticket_statuses WHERE id = ?1 AND tenant_id = ?2",
        ),
        (
            "PriorityId",
            Some(fields.priority_id),
            "SELECT 1 FROM bms_ticket_priorities WHERE id = ?1 AND tenant_id = ?2",
        ),
        (
            "TypeId",
            Some(fields.type_id),
            "SELECT 1 FROM bms_ticket_types WHERE id = ?1 AND tenant_id = ?2",
        ),
        (
            "SourceId",
            Some(fields.source_id),
            "SELECT 1 FROM bms_ticket_sources WHERE id = ?1 AND ?2 IS NOT NULL",
        ),
        (
            "IssueTypeId",
            fields.issue_type_id,
            "SELECT 1 FROM bms_issue_types WHERE id = ?1 AND tenant_id = ?2",
        ),
        (
            "QueueId",
            fields.queue_id,
            "SELECT 1 FROM bms_queues WHERE id = ?1 AND tenant_id = ?2",
        ),
        (
            "AssigneeId",
            fields.assignee_id,
            "SELECT 1 FROM bms_users WHERE id = ?1 AND tenant_id = ?2",
        ),
        (
            "WorkTypeId",
            fields.work_type_id,
            "SELECT 1 FROM bms_work_types WHERE id = ?1 AND tenant_id = ?2",
        ),
        (
            "SLAId",
            fields.sla_id,
            "SELECT 1 FROM bms_slas WHERE id = ?1 AND tenant_id = ?2",
        ),
    ];
    for (name, id, sql) in checks {
        if let Some(id) = id {
            exists_or_fail(connection, sql, id, tenant_id, name)?;
        }
    }
    let location_ok: bool = connection.query_row(
        "SELECT EXISTS (SELECT 1 FROM bms_account_locations WHERE id = ?1 AND account_id = ?2)",
        [fields.location_id, fields.account_id],
        |row| row.get(0),
    )?;
    if !location_ok {
        return Err(invalid_reference("LocationId", fields.location_id));
    }
    if let (Some(sub), Some(issue)) = (fields.sub_issue_type_id, fields.issue_type_id) {
        let sub_ok: bool = connection.query_row(
            "SELECT EXISTS (SELECT 1 FROM bms_issue_sub_types WHERE id = ?1 AND
                    issue_type_id = ?2)",
            [sub, issue],
            |row| row.get(0),
        )?;
        if !sub_ok {
            return Err(invalid_reference("SubIssueTypeId", sub));
        }
    }
    let owned = [
        ("ContactId", fields.contact_id, "bms_contacts"),
        (
            "HardwareAssetId",
            fields.hardware_asset_id,
            "bms_hardware_assets",
        ),
    ];
    for (name, id, table) in owned {
        if let Some(id) = id
            && !linked::belongs_to_account(connection, table, id, fields.account_id)?
        {
            return Err(invalid_reference(name, id));
        }
    }
    for user in &fields.secondary_assignees {
        exists_or_fail(
            connection,
            "SELECT 1 FROM bms_users WHERE id = ?1 AND tenant_id = ?2",
            *user,
            tenant_id,
            "SecondaryAssignees",
        )?;
    }
    Ok(())
}

fn exists_or_fail(
    connection: &Connection,
    sql: &str,
    id: i64,
    tenant_id: i64,
    name: &str,
) -> Result<(), ApiError> {
    let found = connection
        .query_row(sql, [id, tenant_id], |_| Ok(()))
        .optional()?;
    found.ok_or_else(|| invalid_reference(name, id))
}

fn invalid_reference(name: &str, id: i64) -> ApiError {
    ApiError::failure(400, format!("Invalid {name}: {id} does not exist."))
}

/// Inserts a ticket and returns its id. The number follows the `T{yyyymmdd}.{nnnn}`
/// shape: a per-day sequence over the open date.
pub fn insert(
    connection: &Connection,
    actor: Actor,
    fields: &TicketFields,
) -> rusqlite::Result<i64> {
    let stamp = now();
    let day = fields.open_date.get(..10).unwrap_or("").replace('-', "");
    let sequence: i64 = connection.query_row(
        "SELECT COUNT(*) + 1 FROM bms_tickets WHERE tenant_id = ?1 AND ticket_number LIKE ?2",
        params![actor.tenant_id, format!("T{day}.%")],
        |row| row.get(0),
    )?;
    let completed = is_completed_status(connection, fields.status_id)?.then(|| stamp.clone());
    connection.execute(
        "INSERT INTO bms_tickets
           (tenant_id, ticket_number, title, details, account_id, location_id, status_id,
            priority_id, type_id, source_id, open_date, completed_date, last_activity_update,
            last_status_update, created_by, created_on, modified_by, modified_on)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13, ?14, ?13, ?14, ?13)",
        params![
            actor.tenant_id,
            format!("T{day}.{sequence:04}"),
            fields.title,
            fields.details,
            fields.account_id,
            fields.location_id,
            fields.status_id,
            fields.priority_id,
            fields.type_id,
            fields.source_id,
            fields.open_date,
            completed,
            stamp,
            actor.user_id
        ],
    )?;
    let id = connection.last_insert_rowid();
    write_columns(connection, id, fields)?;
    audit(
        connection,
        id,
        actor.source,
        "Created",
        "Ticket created.",
        None,
    )?;
    Ok(id)
}

/// Writes the fields that the insert leaves to the common path.
fn write_columns(connection: &Connection, id: i64, fields: &TicketFields) -> rusqlite::Result<()> {
    let contact = fields
        .contact_id
        .map(|contact| linked::contact(connection, contact))
        .transpose()?
        .flatten()
        .unwrap_or_default();
    let asset_name = fields
        .hardware_asset_id
        .map(|asset| linked::hardware_asset_name(connection, asset))
        .transpose()?
        .flatten();
    connection.execute(
        "UPDATE bms_tickets SET title = ?2, details = ?3, account_id = ?4, location_id = ?5,
            contact_id = ?6, contact_name = ?7, contact_phone = ?8, contact_email = ?9,
            hardware_asset_id = ?10, hardware_asset_name = COALESCE(?11, CASE
                WHEN hardware_asset_id = ?10 THEN hardware_asset_name END),
            software_asset_id = ?12, status_id = ?13, priority_id = ?14, type_id = ?15,
            source_id = ?16, issue_type_id = ?17, sub_issue_type_id = ?18, queue_id = ?19,
            assignee_id = ?20, contract_id = ?21, work_type_id = ?22, sla_id = ?23,
            open_date = ?24, due_date = ?25
         WHERE id = ?1",
        params![
            id,
            fields.title,
            fields.details,
            fields.account_id,
            fields.location_id,
            fields.contact_id,
            contact.name,
            contact.phone,
            contact.email,
            fields.hardware_asset_id,
            asset_name,
            fields.software_asset_id,
            fields.status_id,
            fields.priority_id,
            fields.type_id,
            fields.source_id,
            fields.issue_type_id,
            fields.sub_issue_type_id,
            fields.queue_id,
            fields.assignee_id,
            fields.contract_id,
            fields.work_type_id,
            fields.sla_id,
            fields.open_date,
            fields.due_date
        ],
    )?;
    connection.execute(
        "DELETE FROM bms_ticket_secondary_assignees WHERE ticket_id = ?1",
        [id],
    )?;
    for user in &fields.secondary_assignees {
        connection.execute(
            "INSERT OR IGNORE INTO bms_ticket_secondary_assignees (ticket_id, user_id) VALUES
                (?1, ?2)",
            [id, *user],
        )?;
    }
    Ok(())
}

/// Applies `new` over `old` and records every consequence of the difference.
pub fn update(
    connection: &Connection,
    actor: Actor,
    id: i64,
    old: &TicketFields,
    new: &TicketFields,
) -> rusqlite::Result<()> {
    if old == new {
        return Ok(());
    }
    write_columns(connection, id, new)?;
    let stamp = now();
    if old.status_id != new.status_id {
        status_changed(connection, actor, id, old.status_id, new.status_id, &stamp)?;
    }
    if old.priority_id != new.priority_id {
        stamp_column(connection, id, "last_priority_update", &stamp)?;
    }
    if old.queue_id != new.queue_id {
        stamp_column(connection, id, "last_queue_update", &stamp)?;
    }
    audit_differences(connection, actor, id, old, new)?;
    touch(connection, actor, id)
}

fn stamp_column(
    connection: &Connection,
    id: i64,
    column: &str,
    stamp: &str,
) -> rusqlite::Result<()> {
    connection.execute(
        &format!("UPDATE bms_tickets SET {column} = ?2 WHERE id = ?1"),
        params![id, stamp],
    )?;
    Ok(())
}

fn status_changed(
    connection: &Connection,
    actor: Actor,
    id: i64,
    old_status: i64,
    new_status: i64,
    stamp: &str,
) -> rusqlite::Result<()> {
    let was_completed = is_completed_status(connection, old_status)?;
    let is_completed = is_completed_status(connection, new_status)?;
    stamp_column(connection, id, "last_status_update", stamp)?;
    if is_completed && !was_completed {
        stamp_column(connection, id, "completed_date", stamp)?;
    } else if was_completed && !is_completed {
        // Reopening: the ticket is open again, so it no longer has a completion date.
        connection.execute(
            "UPDATE bms_tickets SET reopened_date = ?2, completed_date = NULL WHERE id = ?1",
            params![id, stamp],
        )?;
    }
    connection.execute(
        "INSERT INTO bms_ticket_activities
           (ticket_id, log_type, activity_type, old_status_id, new_status_id, user_id,
            created_by, created_on)
         VALUES (?1, ?2, 'Status Changed', ?3, ?4, ?5, ?5, ?6)",
        params![
            id,
            LOG_TYPE_STATUS,
            old_status,
            new_status,
            actor.user_id,
            stamp
        ],
    )?;
    Ok(())
}

/// `LogType` of activities (sandbox numbering; the enum is unpublished).
pub const LOG_TYPE_NOTE: i64 = 1;
pub const LOG_TYPE_TIME: i64 = 2;
pub const LOG_TYPE_STATUS: i64 = 3;
pub const LOG_TYPE_EMAIL: i64 = 4;

pub fn is_completed_status(connection: &Connection, status_id: i64) -> rusqlite::Result<bool> {
    Ok(connection
        .query_row(
            "SELECT is_completed FROM bms_ticket_statuses WHERE id = ?1",
            [status_id],
            |row| row.get(0),
        )
        .optional()?
        .unwrap_or(false))
}

/// One audit row per changed field, with the new value kept for the history filter.
fn audit_differences(
    connection: &Connection,
    actor: Actor,
    id: i64,
    old: &TicketFields,
    new: &TicketFields,
) -> rusqlite::Result<()> {
    let text = |value: Option<i64>| value.map_or_else(|| "(none)".to_owned(), |v| v.to_string());
    let pairs: [(&str, String, String); 14] = [
        ("Title", old.title.clone(), new.title.clone()),
        ("Details", old.details.clone(), new.details.clone()),
        (
            "AccountId",
            old.account_id.to_string(),
            new.account_id.to_string(),
        ),
        (
            "LocationId",
            old.location_id.to_string(),
            new.location_id.to_string(),
        ),
        ("ContactId", text(old.contact_id), text(new.contact_id)),
        (
            "HardwareAssetId",
            text(old.hardware_asset_id),
            text(new.hardware_asset_id),
        ),
        (
            "StatusId",
            old.status_id.to_string(),
            new.status_id.to_string(),
        ),
        (
            "PriorityId",
            old.priority_id.to_string(),
            new.priority_id.to_string(),
        ),
        ("TypeId", old.type_id.to_string(), new.type_id.to_string()),
        (
            "IssueTypeId",
            text(old.issue_type_id),
            text(new.issue_type_id),
        ),
        ("QueueId", text(old.queue_id), text(new.queue_id)),
        ("AssigneeId", text(old.assignee_id), text(new.assignee_id)),
        (
            "DueDate",
            old.due_date.clone().unwrap_or_default(),
            new.due_date.clone().unwrap_or_default(),
        ),
        ("SLAId", text(old.sla_id), text(new.sla_id)),
    ];
    for (field, before, after) in pairs {
        if before != after {
            audit(
                connection,
                id,
                actor.source,
                "Updated",
                &format!("{field} changed from '{before}' to '{after}'."),
                Some((field, &after)),
            )?;
        }
    }
    if old.secondary_assignees != new.secondary_assignees {
        audit(
            connection,
            id,
            actor.source,
            "Updated",
            "Secondary assignees changed.",
            None,
        )?;
    }
    Ok(())
}

/// Appends an audit log entry; `change` is `(field, new value)` for field updates.
pub fn audit(
    connection: &Connection,
    ticket_id: i64,
    source: &str,
    action: &str,
    details: &str,
    change: Option<(&str, &str)>,
) -> rusqlite::Result<()> {
    connection.execute(
        "INSERT INTO bms_ticket_audit_logs (ticket_id, created_on, source, action, details,
            field, new_value)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            ticket_id,
            now(),
            source,
            action,
            details,
            change.map(|(field, _)| field),
            change.map(|(_, value)| value)
        ],
    )?;
    Ok(())
}

/// Marks the ticket as just worked on: modified, and its last activity now.
pub fn touch(connection: &Connection, actor: Actor, id: i64) -> rusqlite::Result<()> {
    connection.execute(
        "UPDATE bms_tickets SET modified_by = ?2, modified_on = ?3, last_activity_update = ?3
         WHERE id = ?1",
        params![id, actor.user_id, now()],
    )?;
    Ok(())
}

/// Moves a ticket to another status (notes, time logs, assignment and resolution do this).
pub fn set_status(
    connection: &Connection,
    actor: Actor,
    id: i64,
    status_id: i64,
) -> Result<(), ApiError> {
    let old = load(connection, actor.tenant_id, id)?
        .ok_or_else(|| ApiError::failure(404, super::NOT_FOUND))?;
    let new = TicketFields {
        status_id,
        ..old.clone()
    };
    validate_references(connection, actor.tenant_id, &new)?;
    Ok(update(connection, actor, id, &old, &new)?)
}
