//! Tickets, their notes and attachments.

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

use super::crm::{self, ContactRow};
use super::{LIST_LIMIT, Link, Listing};

/// The module id BMS files ticket attachments under.
const TICKET_MODULE: i64 = 22;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TicketRow {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub status: String,
    pub status_color: String,
    pub priority: String,
    pub account: Link,
    pub contact_name: Option<String>,
    pub assignee: Option<String>,
    pub open_date: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TicketPage {
    #[serde(flatten)]
    pub row: TicketRow,
    pub details: String,
    pub kind: Option<String>,
    pub source: Option<String>,
    pub queue: Option<String>,
    pub issue_type: Option<String>,
    pub due_date: Option<String>,
    pub completed_date: Option<String>,
    pub account_code: Option<String>,
    pub location: Option<String>,
    pub contact: Option<ContactRow>,
    pub hardware_asset: Option<Link>,
    pub notes: Vec<Note>,
    pub attachments: Vec<Attachment>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Note {
    pub id: i64,
    pub details: String,
    pub internal: bool,
    pub date: String,
    pub author: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    pub id: i64,
    pub name: String,
    pub url: String,
}

/// Rows of the list and the record pages; dates are cut to the minute for display.
const TICKET_ROW: &str = "SELECT t.id, t.ticket_number, t.title, s.name, s.color, p.name, a.id,
        a.account_name, t.contact_name, u.first_name || ' ' || u.last_name,
        replace(substr(t.open_date, 1, 16), 'T', ' ')
 FROM bms_tickets t
 JOIN bms_ticket_statuses s ON s.id = t.status_id
 JOIN bms_ticket_priorities p ON p.id = t.priority_id
 JOIN bms_accounts a ON a.id = t.account_id
 LEFT JOIN bms_users u ON u.id = t.assignee_id";

fn ticket_row(row: &Row<'_>) -> rusqlite::Result<TicketRow> {
    Ok(TicketRow {
        id: row.get(0)?,
        number: row.get(1)?,
        title: row.get(2)?,
        status: row.get(3)?,
        status_color: row.get(4)?,
        priority: row.get(5)?,
        account: Link {
            id: row.get(6)?,
            name: row.get(7)?,
        },
        contact_name: row.get(8)?,
        assignee: row.get(9)?,
        open_date: row.get(10)?,
    })
}

/// The tickets whose `column` (`account_id`, `contact_id`, `hardware_asset_id`) is `id`.
pub fn of(
    connection: &Connection,
    column: &'static str,
    id: i64,
) -> rusqlite::Result<Vec<TicketRow>> {
    let sql = format!(
        "{TICKET_ROW} WHERE t.{column} = ?1 ORDER BY t.open_date DESC, t.id DESC LIMIT {LIST_LIMIT}"
    );
    let mut statement = connection.prepare_cached(&sql)?;
    statement.query_map([id], ticket_row)?.collect()
}

/// Open tickets, newest first; only those assigned to `assignee` when given.
pub fn list(
    connection: &Connection,
    tenant_id: i64,
    assignee: Option<i64>,
) -> rusqlite::Result<Listing<TicketRow>> {
    let filter = "t.tenant_id = ?1 AND s.is_completed = 0 AND (?2 IS NULL OR t.assignee_id = ?2)";
    let sql = format!(
        "{TICKET_ROW} WHERE {filter} ORDER BY t.open_date DESC, t.id DESC LIMIT {LIST_LIMIT}"
    );
    let mut statement = connection.prepare_cached(&sql)?;
    let rows = statement
        .query_map(params![tenant_id, assignee], ticket_row)?
        .collect::<rusqlite::Result<_>>()?;
    let total = connection.query_row(
        &format!(
            "SELECT COUNT(*) FROM bms_tickets t JOIN bms_ticket_statuses s ON s.id = t.status_id
             WHERE {filter}"
        ),
        params![tenant_id, assignee],
        |row| row.get(0),
    )?;
    Ok(Listing { total, rows })
}

pub fn exists(connection: &Connection, tenant_id: i64, id: i64) -> rusqlite::Result<bool> {
    connection.query_row(
        "SELECT EXISTS (SELECT 1 FROM bms_tickets WHERE id = ?1 AND tenant_id = ?2)",
        params![id, tenant_id],
        |row| row.get(0),
    )
}

pub fn page(
    connection: &Connection,
    tenant_id: i64,
    id: i64,
) -> rusqlite::Result<Option<TicketPage>> {
    let Some(row) = connection
        .query_row(
            &format!("{TICKET_ROW} WHERE t.id = ?1 AND t.tenant_id = ?2"),
            params![id, tenant_id],
            ticket_row,
        )
        .optional()?
    else {
        return Ok(None);
    };
    let page = connection.query_row(
        "SELECT t.details, ty.name, src.name, q.name, it.name,
                replace(substr(t.due_date, 1, 16), 'T', ' '),
                replace(substr(t.completed_date, 1, 16), 'T', ' '),
                a.account_code, l.location_name, t.contact_id, t.hardware_asset_id,
                t.hardware_asset_name
         FROM bms_tickets t
         JOIN bms_accounts a ON a.id = t.account_id
         LEFT JOIN bms_ticket_types ty ON ty.id = t.type_id
         LEFT JOIN bms_ticket_sources src ON src.id = t.source_id
         LEFT JOIN bms_queues q ON q.id = t.queue_id
         LEFT JOIN bms_issue_types it ON it.id = t.issue_type_id
         LEFT JOIN bms_account_locations l ON l.id = t.location_id
         WHERE t.id = ?1",
        [id],
        |r| {
            let asset = match (
                r.get::<_, Option<i64>>(10)?,
                r.get::<_, Option<String>>(11)?,
            ) {
                (Some(id), Some(name)) => Some(Link { id, name }),
                _ => None,
            };
            Ok((
                TicketPage {
                    row,
                    details: r.get(0)?,
                    kind: r.get(1)?,
                    source: r.get(2)?,
                    queue: r.get(3)?,
                    issue_type: r.get(4)?,
                    due_date: r.get(5)?,
                    completed_date: r.get(6)?,
                    account_code: r.get(7)?,
                    location: r.get(8)?,
                    contact: None,
                    hardware_asset: asset,
                    notes: Vec::new(),
                    attachments: Vec::new(),
                },
                r.get::<_, Option<i64>>(9)?,
            ))
        },
    );
    let (mut page, contact_id) = page?;
    page.contact = match contact_id {
        Some(contact_id) => crm::contact_row_by_id(connection, contact_id)?,
        None => None,
    };
    page.notes = notes(connection, id)?;
    page.attachments = attachments(connection, id)?;
    Ok(Some(page))
}

fn notes(connection: &Connection, ticket_id: i64) -> rusqlite::Result<Vec<Note>> {
    let mut statement = connection.prepare_cached(
        "SELECT n.id, n.details, n.is_internal, replace(substr(n.note_date, 1, 16), 'T', ' '),
                u.first_name || ' ' || u.last_name
         FROM bms_ticket_notes n LEFT JOIN bms_users u ON u.id = n.created_by
         WHERE n.ticket_id = ?1 ORDER BY n.note_date DESC, n.id DESC",
    )?;
    statement
        .query_map([ticket_id], |row| {
            Ok(Note {
                id: row.get(0)?,
                details: row.get(1)?,
                internal: row.get(2)?,
                date: row.get(3)?,
                author: row.get(4)?,
            })
        })?
        .collect()
}

fn attachments(connection: &Connection, ticket_id: i64) -> rusqlite::Result<Vec<Attachment>> {
    let mut statement = connection.prepare_cached(
        "SELECT id, original_file_name FROM bms_attachments
         WHERE module_id = ?1 AND object_id = ?2 ORDER BY id",
    )?;
    statement
        .query_map(params![TICKET_MODULE, ticket_id], |row| {
            let id: i64 = row.get(0)?;
            Ok(Attachment {
                id,
                name: row.get(1)?,
                url: attachment_url(id),
            })
        })?
        .collect()
}

pub fn attachment_url(id: i64) -> String {
    format!("/_sandbox/attachments/{id}")
}

/// An attachment's file name, media type and bytes.
pub fn attachment_file(
    connection: &Connection,
    tenant_id: i64,
    id: i64,
) -> rusqlite::Result<Option<(String, String, Vec<u8>)>> {
    connection
        .query_row(
            "SELECT original_file_name, file_type, content FROM bms_attachments
             WHERE id = ?1 AND tenant_id = ?2 AND module_id = ?3",
            params![id, tenant_id, TICKET_MODULE],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .optional()
}
