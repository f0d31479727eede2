//! Ticket notes: `GET`/`POST …/tickets/{id}/notes`, `GET`/`PUT`/`DELETE …/notes/{noteId}`.
//! A note with `StatusId` moves the ticket to that status at the same time; a note with
//! an e-mail notification adds an "Email Sent" activity.

use axum::extract::{OriginalUri, Path, State};
use axum::{Extension, Json};
use rusqlite::{Connection, params};
use serde::Serialize;

use super::super::super::envelope::{self, ApiError, Envelope};
use super::super::super::json_input::{Fields, JsonBody, require};
use super::super::super::params::QueryParams;
use super::super::super::security::AuthUser;
use super::super::attachments::{self, AttachmentOutput, NewFile, TICKET_MODULE};
use super::super::support::{Page, now, parse_id};
use super::store::{self, Actor, LOG_TYPE_EMAIL, LOG_TYPE_NOTE};
use super::write::api_actor;
use super::{base64, ensure_visible, ticket_id};
use crate::state::AppState;

const NOT_FOUND: &str = "Note not found.";

/// `TicketNoteOutputDto`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NoteOutput {
    id: i64,
    created_by: Option<i64>,
    created_on: String,
    modified_by: Option<i64>,
    modified_on: String,
    details: String,
    is_internal: bool,
    type_id: Option<i64>,
    type_name: Option<String>,
    created_by_name: Option<String>,
    created_by_email: Option<String>,
    modified_by_name: Option<String>,
    attachments: Vec<AttachmentOutput>,
}

/// What a new note carries; `note_date` defaults to now.
pub struct NewNote {
    pub details: String,
    pub is_internal: bool,
    pub type_id: Option<i64>,
    pub note_date: Option<String>,
}

/// Inserts a note with its activity and returns its id.
pub fn insert(
    connection: &Connection,
    actor: Actor,
    ticket: i64,
    note: &NewNote,
) -> rusqlite::Result<i64> {
    let stamp = now();
    connection.execute(
        "INSERT INTO bms_ticket_notes
           (ticket_id, details, is_internal, type_id, note_date, created_by, created_on,
           modified_by, modified_on)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?6, ?7)",
        params![
            ticket,
            note.details,
            note.is_internal,
            note.type_id,
            note.note_date.clone().unwrap_or_else(|| stamp.clone()),
            actor.user_id,
            stamp
        ],
    )?;
    let id = connection.last_insert_rowid();
    connection.execute(
        "INSERT INTO bms_ticket_activities (ticket_id, log_type, activity_type, note_id,
            user_id, created_by, created_on)
         VALUES (?1, ?2, 'Note', ?3, ?4, ?4, ?5)",
        params![ticket, LOG_TYPE_NOTE, id, actor.user_id, stamp],
    )?;
    store::audit(
        connection,
        ticket,
        actor.source,
        "Note",
        "Note added.",
        None,
    )?;
    store::touch(connection, actor, ticket)?;
    Ok(id)
}

fn select(
    connection: &Connection,
    api_base: &str,
    clause: &str,
    params: &[rusqlite::types::Value],
) -> rusqlite::Result<Vec<NoteOutput>> {
    let sql = format!(
        "SELECT n.id, n.created_by, n.created_on, n.modified_by, n.modified_on, n.details,
                n.is_internal, n.type_id, nt.name, cb.first_name || ' ' || cb.last_name,
                cb.email_address, mb.first_name || ' ' || mb.last_name
         FROM bms_ticket_notes n
         LEFT JOIN bms_note_types nt ON nt.id = n.type_id
         LEFT JOIN bms_users cb ON cb.id = n.created_by
         LEFT JOIN bms_users mb ON mb.id = n.modified_by
         WHERE {clause} ORDER BY n.note_date DESC, n.id DESC"
    );
    let mut statement = connection.prepare(&sql)?;
    let mut notes = statement
        .query_map(rusqlite::params_from_iter(params), |row| {
            Ok(NoteOutput {
                id: row.get(0)?,
                created_by: row.get(1)?,
                created_on: row.get(2)?,
                modified_by: row.get(3)?,
                modified_on: row.get(4)?,
                details: row.get(5)?,
                is_internal: row.get(6)?,
                type_id: row.get(7)?,
                type_name: row.get(8)?,
                created_by_name: row.get(9)?,
                created_by_email: row.get(10)?,
                modified_by_name: row.get(11)?,
                attachments: Vec::new(),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for note in &mut notes {
        note.attachments =
            attachments::select(connection, api_base, "at.note_id = ?", &[note.id.into()])?;
    }
    Ok(notes)
}

fn one(
    connection: &Connection,
    api_base: &str,
    ticket: i64,
    id: i64,
) -> Result<NoteOutput, ApiError> {
    select(
        connection,
        api_base,
        "n.id = ? AND n.ticket_id = ?",
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
) -> Result<Json<Envelope<Vec<NoteOutput>>>, ApiError> {
    let ticket = ticket_id(&ticket)?;
    let page = Page::from_query(&QueryParams::parse(uri.query()))?;
    let api_base = state.urls.bms_api.clone();
    let (notes, total) = state.store.try_write(|connection| {
        ensure_visible(connection, user, ticket)?;
        let total: i64 = connection.query_row(
            "SELECT COUNT(*) FROM bms_ticket_notes WHERE ticket_id = ?1",
            [ticket],
            |row| row.get(0),
        )?;
        let offset = usize::try_from(page.offset()).unwrap_or(usize::MAX);
        let limit = usize::try_from(page.limit()).unwrap_or(usize::MAX);
        let notes = select(connection, &api_base, "n.ticket_id = ?", &[ticket.into()])?
            .into_iter()
            .skip(offset)
            .take(limit)
            .collect::<Vec<_>>();
        Ok::<_, ApiError>((notes, total))
    })?;
    Ok(envelope::paged(
        notes,
        u64::try_from(total).unwrap_or_default(),
    ))
}

/// The members both POST and PUT require.
const REQUIRED: &[&str] = &["Details", "IsInternal", "TypeId", "NoteDate"];

fn new_note(body: &Fields) -> Result<NewNote, ApiError> {
    require(body, REQUIRED)?;
    Ok(NewNote {
        details: body.text("Details")?.unwrap_or_default(),
        is_internal: body.boolean("IsInternal")?.unwrap_or(false),
        type_id: body.int("TypeId")?,
        note_date: body.datetime("NoteDate")?.map(|date| date.to_bms()),
    })
}

fn check_type(
    connection: &Connection,
    user: AuthUser,
    type_id: Option<i64>,
) -> Result<(), ApiError> {
    if let Some(type_id) = type_id {
        let known: bool = connection.query_row(
            "SELECT EXISTS (SELECT 1 FROM bms_note_types WHERE id = ?1 AND tenant_id = ?2)",
            [type_id, user.tenant_id],
            |row| row.get(0),
        )?;
        if !known {
            return Err(ApiError::failure(
                400,
                format!("Invalid TypeId: {type_id} does not exist."),
            ));
        }
    }
    Ok(())
}

pub async fn create(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(ticket): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Envelope<NoteOutput>>, ApiError> {
    let ticket = ticket_id(&ticket)?;
    let body = Fields::from_body(body)?;
    let note = new_note(&body)?;
    let status = body.int("StatusId")?;
    let api_base = state.urls.bms_api.clone();
    let output = state.store.try_write(|connection| {
        ensure_visible(connection, user, ticket)?;
        check_type(connection, user, note.type_id)?;
        let actor = api_actor(user);
        let id = insert(connection, actor, ticket, &note)?;
        attach_files(connection, user, ticket, id, &body)?;
        if let Some(status) = status {
            store::set_status(connection, actor, ticket, status)?;
        }
        if let Some(notification) = body.object("EmailNotification")? {
            record_email(connection, actor, ticket, &notification)?;
        }
        one(connection, &api_base, ticket, id)
    })?;
    Ok(envelope::success(output))
}

/// `Attachments` (inline base64), `TempAttachments` (earlier temporary uploads) and
/// `AttachmentIds` (files already on the ticket) all end up linked to the note.
fn attach_files(
    connection: &Connection,
    user: AuthUser,
    ticket: i64,
    note: i64,
    body: &Fields,
) -> Result<(), ApiError> {
    for file in body.objects("Attachments")? {
        require(&file, &["Name", "Base64Data", "Type"])?;
        let data = file.text("Base64Data")?.unwrap_or_default();
        let bytes = base64::decode(&data)
            .ok_or_else(|| ApiError::failure(400, "The Base64Data field is not valid base64."))?;
        let new = NewFile {
            module: TICKET_MODULE,
            object: Some(ticket),
            name: file.text("Name")?.unwrap_or_default(),
            media_type: file.text("Type")?.unwrap_or_default(),
            bytes,
        };
        let id = attachments::insert(connection, user, &new)?;
        link(connection, id, ticket, note)?;
    }
    let temporary = body
        .objects("TempAttachments")?
        .iter()
        .map(|entry| entry.int("Id"))
        .collect::<Result<Vec<_>, _>>()?;
    let existing = body.ints("AttachmentIds")?.unwrap_or_default();
    for id in temporary.into_iter().flatten().chain(existing) {
        let updated = connection.execute(
            "UPDATE bms_attachments SET module_id = ?2, object_id = ?3, note_id = ?4
             WHERE id = ?1 AND tenant_id = ?5 AND (object_id IS NULL OR (module_id = ?2 AND
             object_id = ?3))",
            params![id, TICKET_MODULE, ticket, note, user.tenant_id],
        )?;
        if updated == 0 {
            return Err(ApiError::failure(
                400,
                format!("Attachment {id} does not exist."),
            ));
        }
    }
    Ok(())
}

fn link(connection: &Connection, attachment: i64, ticket: i64, note: i64) -> rusqlite::Result<()> {
    connection.execute(
        "UPDATE bms_attachments SET note_id = ?3 WHERE id = ?1 AND object_id = ?2",
        [attachment, ticket, note],
    )?;
    Ok(())
}

/// `EmailNotification{ContactIds, ResourcesIds, OtherEmails}`: the sandbox sends nothing
/// but records the "Email Sent" activity with the recipients.
fn record_email(
    connection: &Connection,
    actor: Actor,
    ticket: i64,
    notification: &Fields,
) -> Result<(), ApiError> {
    let mut recipients: Vec<String> = Vec::new();
    if let Some(contacts) = notification
        .text("ContactIds")?
        .filter(|text| !text.trim().is_empty())
    {
        recipients.push(format!("contacts {contacts}"));
    }
    if let Some(resources) = notification
        .text("ResourcesIds")?
        .filter(|text| !text.trim().is_empty())
    {
        recipients.push(format!("resources {resources}"));
    }
    recipients.extend(notification.texts("OtherEmails")?);
    if recipients.is_empty() {
        return Ok(());
    }
    connection.execute(
        "INSERT INTO bms_ticket_activities (ticket_id, log_type, activity_type, text, user_id,
            created_by, created_on)
         VALUES (?1, ?2, 'Email Sent', ?3, ?4, ?4, ?5)",
        params![
            ticket,
            LOG_TYPE_EMAIL,
            format!("Email sent to {}.", recipients.join(", ")),
            actor.user_id,
            now()
        ],
    )?;
    Ok(())
}

fn note_path(ticket: &str, note: &str) -> Result<(i64, i64), ApiError> {
    Ok((ticket_id(ticket)?, parse_id(note, NOT_FOUND)?))
}

pub async fn show(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path((ticket, note)): Path<(String, String)>,
) -> Result<Json<Envelope<NoteOutput>>, ApiError> {
    let (ticket, note) = note_path(&ticket, &note)?;
    let api_base = state.urls.bms_api.clone();
    let output = state.store.try_write(|connection| {
        ensure_visible(connection, user, ticket)?;
        one(connection, &api_base, ticket, note)
    })?;
    Ok(envelope::success(output))
}

/// `PUT …/notes/{noteId}` with `TicketNotePutInputDto`; `StatusId` works as on POST.
pub async fn update(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path((ticket, note)): Path<(String, String)>,
    JsonBody(body): JsonBody,
) -> Result<Json<Envelope<NoteOutput>>, ApiError> {
    let (ticket, id) = note_path(&ticket, &note)?;
    let body = Fields::from_body(body)?;
    let note = new_note(&body)?;
    let status = body.int("StatusId")?;
    let api_base = state.urls.bms_api.clone();
    let output = state.store.try_write(|connection| {
        ensure_visible(connection, user, ticket)?;
        one(connection, &api_base, ticket, id)?;
        check_type(connection, user, note.type_id)?;
        let actor = api_actor(user);
        connection.execute(
            "UPDATE bms_ticket_notes SET details = ?2, is_internal = ?3, type_id = ?4,
                note_date = COALESCE(?5, note_date), modified_by = ?6, modified_on = ?7
             WHERE id = ?1",
            params![
                id,
                note.details,
                note.is_internal,
                note.type_id,
                note.note_date,
                user.user_id,
                now()
            ],
        )?;
        attach_files(connection, user, ticket, id, &body)?;
        if let Some(status) = status {
            store::set_status(connection, actor, ticket, status)?;
        }
        store::audit(
            connection,
            ticket,
            actor.source,
            "Note",
            "Note updated.",
            None,
        )?;
        store::touch(connection, actor, ticket)?;
        one(connection, &api_base, ticket, id)
    })?;
    Ok(envelope::success(output))
}

pub async fn delete(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path((ticket, note)): Path<(String, String)>,
) -> Result<Json<Envelope<bool>>, ApiError> {
    let (ticket, id) = note_path(&ticket, &note)?;
    let api_base = state.urls.bms_api.clone();
    state.store.try_write(|connection| {
        ensure_visible(connection, user, ticket)?;
        one(connection, &api_base, ticket, id)?;
        connection.execute("DELETE FROM bms_ticket_notes WHERE id = ?1", [id])?;
        let actor = api_actor(user);
        store::audit(
            connection,
            ticket,
            actor.source,
            "Note",
            "Note deleted.",
            None,
        )?;
        store::touch(connection, actor, ticket)?;
        Ok::<_, ApiError>(())
    })?;
    Ok(envelope::success(true))
}
