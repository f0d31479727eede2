//! `/v2/system/attachments`: files per module and record, uploaded as multipart field
//! `formFile`. Module 22 is tickets; attachments of a ticket follow its security scope.
//! `url` is relative to `/v2/`, as clients prepend the API base; `webUrl` is absolute.

use axum::body::Body;
use axum::extract::{Multipart, OriginalUri, Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

use super::super::envelope::{self, ApiError, Envelope};
use super::super::params::QueryParams;
use super::super::security::AuthUser;
use super::support::{Page, now, parse_id};
use super::tickets::ensure_visible;
use crate::state::AppState;

/// The "ticket/help desk module" id.
pub const TICKET_MODULE: i64 = 22;
const NOT_FOUND: &str = "Attachment not found.";

/// `AttachmentOutputDto`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentOutput {
    pub id: i64,
    pub original_file_name: String,
    pub alias_name: String,
    pub file_type: String,
    pub object_id: Option<i64>,
    pub module_id: Option<i64>,
    pub url: String,
    pub web_url: String,
    pub created_by_id: Option<i64>,
    pub created_by_name: Option<String>,
    pub created_on: Option<String>,
    pub is_uploaded_to_blob: Option<bool>,
}

const COLUMNS: &str = "at.id, at.original_file_name, at.alias_name, at.file_type, at.object_id,
    at.module_id, at.created_by, u.first_name || ' ' || u.last_name, at.created_on";
const FROM: &str = "bms_attachments at LEFT JOIN bms_users u ON u.id = at.created_by";

fn from_row(row: &Row<'_>, api_base: &str) -> rusqlite::Result<AttachmentOutput> {
    let id: i64 = row.get(0)?;
    let url = format!("system/attachments/{id}/download");
    Ok(AttachmentOutput {
        id,
        original_file_name: row.get(1)?,
        alias_name: row.get(2)?,
        file_type: row.get(3)?,
        object_id: row.get(4)?,
        module_id: row.get(5)?,
        web_url: format!("{api_base}/v2/{url}"),
        url,
        created_by_id: row.get(6)?,
        created_by_name: row.get(7)?,
        created_on: row.get(8)?,
        is_uploaded_to_blob: Some(false),
    })
}

/// Attachments matching `clause` (with `?` for `params`), oldest first.
pub fn select(
    connection: &Connection,
    api_base: &str,
    clause: &str,
    params: &[rusqlite::types::Value],
) -> rusqlite::Result<Vec<AttachmentOutput>> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE {clause} ORDER BY at.id");
    let mut statement = connection.prepare(&sql)?;
    statement
        .query_map(rusqlite::params_from_iter(params), |row| {
            from_row(row, api_base)
        })?
        .collect()
}

/// Ticket attachments need the ticket to be visible; other modules are not modelled.
fn check_object(
    connection: &Connection,
    user: AuthUser,
    module: i64,
    object: i64,
) -> Result<(), ApiError> {
    if module == TICKET_MODULE {
        ensure_visible(connection, user, object)?;
    }
    Ok(())
}

pub async fn list(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path((module, object)): Path<(String, String)>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Envelope<Vec<AttachmentOutput>>>, ApiError> {
    let (module, object) = (parse_id(&module, NOT_FOUND)?, parse_id(&object, NOT_FOUND)?);
    let page = Page::from_query(&QueryParams::parse(uri.query()))?;
    let api_base = state.urls.bms_api.clone();
    let (items, total) = state.store.try_write(|connection| {
        check_object(connection, user, module, object)?;
        let all = select(
            connection,
            &api_base,
            "at.tenant_id = ? AND at.module_id = ? AND at.object_id = ?",
            &[user.tenant_id.into(), module.into(), object.into()],
        )?;
        let total = all.len() as u64;
        let offset = usize::try_from(page.offset()).unwrap_or(usize::MAX);
        let limit = usize::try_from(page.limit()).unwrap_or(usize::MAX);
        Ok::<_, ApiError>((all.into_iter().skip(offset).take(limit).collect(), total))
    })?;
    Ok(envelope::paged(items, total))
}

/// The first `formFile` part of a multipart body: name, media type, bytes.
async fn read_upload(mut multipart: Multipart) -> Result<(String, String, Vec<u8>), ApiError> {
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|error| ApiError::BadBody(error.body_text()))?
    {
        if !field
            .name()
            .is_some_and(|name| name.eq_ignore_ascii_case("formFile"))
        {
            continue;
        }
        let name = field.file_name().unwrap_or("upload.bin").to_owned();
        let media_type = field
            .content_type()
            .unwrap_or("application/octet-stream")
            .to_owned();
        let bytes = field
            .bytes()
            .await
            .map_err(|error| ApiError::BadBody(error.body_text()))?;
        return Ok((name, media_type, bytes.to_vec()));
    }
    Err(ApiError::failure(400, "The formFile field is required."))
}

/// A stored file, for a record (`object`) or as a temporary upload (`None`).
pub struct NewFile {
    pub module: i64,
    pub object: Option<i64>,
    pub name: String,
    pub media_type: String,
    pub bytes: Vec<u8>,
}

pub fn insert(connection: &Connection, user: AuthUser, file: &NewFile) -> rusqlite::Result<i64> {
    // The alias is the stored name: unique, so two uploads of `log.txt` do not collide.
    let alias = format!("{}_{}", now().replace([':', '-'], ""), file.name);
    connection.execute(
        "INSERT INTO bms_attachments
           (tenant_id, module_id, object_id, original_file_name, alias_name, file_type, content,
            created_by, created_on)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            user.tenant_id,
            file.module,
            file.object,
            file.name,
            alias,
            file.media_type,
            file.bytes,
            user.user_id,
            now()
        ],
    )?;
    Ok(connection.last_insert_rowid())
}

fn one(
    connection: &Connection,
    api_base: &str,
    tenant_id: i64,
    id: i64,
) -> Result<AttachmentOutput, ApiError> {
    select(
        connection,
        api_base,
        "at.id = ? AND at.tenant_id = ?",
        &[id.into(), tenant_id.into()],
    )?
    .pop()
    .ok_or_else(|| ApiError::failure(404, NOT_FOUND))
}

pub async fn upload(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path((module, object)): Path<(String, String)>,
    multipart: Multipart,
) -> Result<Json<Envelope<AttachmentOutput>>, ApiError> {
    let (module, object) = (parse_id(&module, NOT_FOUND)?, parse_id(&object, NOT_FOUND)?);
    let (name, media_type, bytes) = read_upload(multipart).await?;
    let api_base = state.urls.bms_api.clone();
    let output = state.store.try_write(|connection| {
        check_object(connection, user, module, object)?;
        let file = NewFile {
            module,
            object: Some(object),
            name,
            media_type,
            bytes,
        };
        let id = insert(connection, user, &file)?;
        if module == TICKET_MODULE {
            super::tickets::store::audit(
                connection,
                object,
                "API",
                "Attachment",
                &format!("Attachment '{}' added.", file.name),
                None,
            )?;
        }
        one(connection, &api_base, user.tenant_id, id)
    })?;
    Ok(envelope::success(output))
}

/// `POST /v2/system/attachments/{moduleId}`: a temporary upload, later referenced by id in
/// `TempAttachments` of a ticket note.
pub async fn upload_temporary(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(module): Path<String>,
    multipart: Multipart,
) -> Result<Json<Envelope<AttachmentOutput>>, ApiError> {
    let module = parse_id(&module, NOT_FOUND)?;
    let (name, media_type, bytes) = read_upload(multipart).await?;
    let api_base = state.urls.bms_api.clone();
    let output = state.store.try_write(|connection| {
        let id = insert(
            connection,
            user,
            &NewFile {
                module,
                object: None,
                name,
                media_type,
                bytes,
            },
        )?;
        one(connection, &api_base, user.tenant_id, id)
    })?;
    Ok(envelope::success(output))
}

/// The attachment, checked against the caller's scope.
fn visible(
    connection: &Connection,
    api_base: &str,
    user: AuthUser,
    id: i64,
) -> Result<AttachmentOutput, ApiError> {
    let attachment = one(connection, api_base, user.tenant_id, id)?;
    if let (Some(module), Some(object)) = (attachment.module_id, attachment.object_id) {
        check_object(connection, user, module, object)
            .map_err(|_| ApiError::failure(404, NOT_FOUND))?;
    }
    Ok(attachment)
}

pub async fn show(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
) -> Result<Json<Envelope<AttachmentOutput>>, ApiError> {
    let id = parse_id(&id, NOT_FOUND)?;
    let api_base = state.urls.bms_api.clone();
    let output = state
        .store
        .try_write(|connection| visible(connection, &api_base, user, id))?;
    Ok(envelope::success(output))
}

/// `PUT …/{attachmentId}`: replaces the file with the uploaded `formFile`.
pub async fn replace(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
    multipart: Multipart,
) -> Result<Json<Envelope<AttachmentOutput>>, ApiError> {
    let id = parse_id(&id, NOT_FOUND)?;
    let (name, media_type, bytes) = read_upload(multipart).await?;
    let api_base = state.urls.bms_api.clone();
    let output = state.store.try_write(|connection| {
        visible(connection, &api_base, user, id)?;
        connection.execute(
            "UPDATE bms_attachments SET original_file_name = ?2, file_type = ?3, content = ?4
                WHERE id = ?1",
            params![id, name, media_type, bytes],
        )?;
        one(connection, &api_base, user.tenant_id, id)
    })?;
    Ok(envelope::success(output))
}

pub async fn delete(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
) -> Result<Json<Envelope<bool>>, ApiError> {
    let id = parse_id(&id, NOT_FOUND)?;
    let api_base = state.urls.bms_api.clone();
    state.store.try_write(|connection| {
        visible(connection, &api_base, user, id)?;
        connection.execute("DELETE FROM bms_attachments WHERE id = ?1", [id])?;
        Ok::<_, ApiError>(())
    })?;
    Ok(envelope::success(true))
}

pub async fn download(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = parse_id(&id, NOT_FOUND)?;
    let api_base = state.urls.bms_api.clone();
    let (attachment, bytes) = state.store.try_write(|connection| {
        let attachment = visible(connection, &api_base, user, id)?;
        let bytes: Option<Vec<u8>> = connection
            .query_row(
                "SELECT content FROM bms_attachments WHERE id = ?1",
                [id],
                |row| row.get(0),
            )
            .optional()?;
        Ok::<_, ApiError>((attachment, bytes.unwrap_or_default()))
    })?;
    let mut response = Body::from(bytes).into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&attachment.file_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    // The file name is quoted with quotes and backslashes removed, so the header stays valid.
    let safe_name: String = attachment
        .original_file_name
        .chars()
        .filter(|c| !matches!(c, '"' | '\\') && !c.is_control())
        .collect();
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{safe_name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
