//! Attachments: `/{resource_type}/{id}/relationships/attachments[/{attachment_id}]`.
//!
//! POST takes one or an array of `{attachment: {content: <strict base64>, file_name}}`, or
//! a multipart form with the file in `data[attributes][attachment]`; PATCH renames
//! (`name` only); DELETE is bulk by id. GET lists and shows them too, as newer wrappers
//! list. Files are kept in the store and served for download by the IT Glue web listener.

use axum::Json;
use axum::Router;
use axum::extract::{Extension, FromRequest, Multipart, OriginalUri, Path, Request, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;
use serde_json::Value;

use super::access::Principal;
use super::body::{self, JsonBody};
use super::jsonapi::{self, ApiError, Document, Resource};
use super::listing::{self, Included, now, path_id};
use super::query::QueryParams;
use super::records::{self, Kind};
use crate::state::AppState;
use crate::store::sql::placeholders;

pub const KIND: &str = "attachments";
pub const INCLUDE_NAME: &str = "attachments";
const TYPE_NAME: &str = "attachments";
const COLUMNS: &str = "id, resource_type, resource_id, name, file_name, content_type, length(content), created_at, updated_at";

#[derive(Debug)]
pub struct Attachment {
    id: i64,
    resource_id: i64,
    name: String,
    file_name: String,
    content_type: String,
    size: i64,
    created_at: String,
    updated_at: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct AttachmentAttributes<'a> {
    name: &'a str,
    attachment_file_name: &'a str,
    attachment_content_type: &'a str,
    attachment_file_size: i64,
    ext: Option<&'a str>,
    viewable: bool,
    download_url: String,
    created_at: &'a str,
    updated_at: &'a str,
}

impl Attachment {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            resource_id: row.get(2)?,
            name: row.get(3)?,
            file_name: row.get(4)?,
            content_type: row.get(5)?,
            size: row.get(6)?,
            created_at: row.get(7)?,
            updated_at: row.get(8)?,
        })
    }

    pub fn to_resource(&self, state: &AppState) -> Result<Resource, ApiError> {
        Resource::new(
            self.id,
            KIND,
            &AttachmentAttributes {
                name: &self.name,
                attachment_file_name: &self.file_name,
                attachment_content_type: &self.content_type,
                attachment_file_size: self.size,
                ext: extension(&self.file_name),
                viewable: is_viewable(&self.content_type),
                download_url: download_url(state, self.id),
                created_at: &self.created_at,
                updated_at: &self.updated_at,
            },
        )
    }

    /// The short description an upload trait reads as.
    pub fn to_trait_value(&self, state: &AppState) -> Value {
        serde_json::json!({
            "id": self.id,
            "file-name": self.file_name,
            "content-type": self.content_type,
            "file-size": self.size,
            "download-url": download_url(state, self.id),
        })
    }
}

/// Where the IT Glue web listener serves the file (sandbox-specific; real links point at
/// signed storage URLs).
pub fn download_url(state: &AppState, id: i64) -> String {
    format!("{}/attachments/{id}/download", state.urls.itglue_web)
}

fn extension(file_name: &str) -> Option<&str> {
    file_name
        .rsplit_once('.')
        .map(|(_, ext)| ext)
        .filter(|ext| !ext.is_empty())
}

fn is_viewable(content_type: &str) -> bool {
    content_type.starts_with("image/")
        || content_type.starts_with("text/")
        || content_type == "application/pdf"
}

/// The media type by file extension; unknown ones are plain bytes.
fn content_type_for(file_name: &str) -> &'static str {
    match extension(file_name).map(str::to_ascii_lowercase).as_deref() {
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("svg") => "image/svg+xml",
        Some("pdf") => "application/pdf",
        Some("txt" | "log") => "text/plain",
        Some("csv") => "text/csv",
        Some("json") => "application/json",
        Some("xml") => "application/xml",
        Some("zip") => "application/zip",
        Some("docx") => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "application/octet-stream",
    }
}

/// Strict base64 as the docs require: the standard alphabet, canonical padding, no
/// whitespace or line breaks.
pub fn decode_strict(content: &str, pointer: &str) -> Result<Vec<u8>, ApiError> {
    STANDARD.decode(content).map_err(|_| {
        ApiError::unprocessable("must be strict base64 (RFC 4648, no line breaks)", pointer)
    })
}

/// Reads `{content, file_name}` from a JSON upload object.
pub fn upload_from_json(value: &Value, pointer: &str) -> Result<(String, Vec<u8>), ApiError> {
    let file_name = value
        .get("file_name")
        .or_else(|| value.get("file-name"))
        .and_then(Value::as_str)
        .filter(|name| !name.trim().is_empty())
        .ok_or_else(|| {
            ApiError::unprocessable("file_name is required", format!("{pointer}/file_name"))
        })?;
    let content = value
        .get("content")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            ApiError::unprocessable("content is required", format!("{pointer}/content"))
        })?;
    Ok((
        file_name.to_owned(),
        decode_strict(content, &format!("{pointer}/content"))?,
    ))
}

/// Stores a file for a record and returns its id.
pub fn store(
    connection: &Connection,
    resource_type: &str,
    resource_id: i64,
    file_name: &str,
    bytes: &[u8],
) -> rusqlite::Result<i64> {
    let stamp = now();
    connection.execute(
        "INSERT INTO itglue_attachments
           (resource_type, resource_id, name, file_name, content_type, content, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6, ?6)",
        params![resource_type, resource_id, file_name, content_type_for(file_name), bytes, stamp],
    )?;
    Ok(connection.last_insert_rowid())
}

pub fn find(connection: &Connection, id: i64) -> rusqlite::Result<Option<Attachment>> {
    connection
        .query_row(
            &format!("SELECT {COLUMNS} FROM itglue_attachments WHERE id = ?"),
            [id],
            Attachment::from_row,
        )
        .optional()
}

/// The attachments of records of one kind, for `include=attachments`.
pub fn for_records(
    connection: &Connection,
    resource_type: &str,
    ids: &[i64],
) -> rusqlite::Result<Vec<Attachment>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM itglue_attachments
         WHERE resource_type = ? AND resource_id IN ({}) ORDER BY id",
        placeholders(ids.len())
    );
    let mut params: Vec<rusqlite::types::Value> = vec![resource_type.to_owned().into()];
    params.extend(ids.iter().map(|id| (*id).into()));
    let mut statement = connection.prepare(&sql)?;
    let rows = statement.query_map(rusqlite::params_from_iter(params), Attachment::from_row)?;
    rows.collect()
}

/// Relates each `(record id, resource)` to its attachments and adds them to `included`.
pub fn attach(
    state: &AppState,
    resources: &mut [(i64, Resource)],
    rows: &[Attachment],
    included: &mut Included,
) -> Result<(), ApiError> {
    for (record_id, resource) in resources.iter_mut() {
        let related = rows
            .iter()
            .filter(|row| row.resource_id == *record_id)
            .map(|row| row.to_resource(state))
            .collect::<Result<Vec<_>, _>>()?;
        resource.relate_many(INCLUDE_NAME, &related.iter().collect::<Vec<_>>());
    }
    for row in rows {
        included.add(KIND, row.id, || row.to_resource(state))?;
    }
    Ok(())
}

/// Drops every attachment of a record that is being deleted.
pub fn forget(
    connection: &Connection,
    resource_type: &str,
    resource_id: i64,
) -> rusqlite::Result<()> {
    connection.execute(
        "DELETE FROM itglue_attachments WHERE resource_type = ?1 AND resource_id = ?2",
        params![resource_type, resource_id],
    )?;
    Ok(())
}

// ------------------------------------------------------------------------------ routes

pub fn routes() -> Router<AppState> {
    records::ATTACHMENT_OWNERS
        .iter()
        .fold(Router::new(), |router, kind| {
            router
                .route(
                    &format!("/{}/{{id}}/relationships/attachments", kind.segment),
                    get(index).post(create).delete(bulk_delete),
                )
                .route(
                    &format!(
                        "/{}/{{id}}/relationships/attachments/{{attachment_id}}",
                        kind.segment
                    ),
                    get(show).patch(update),
                )
        })
}

/// The owner's kind, from the route's first segment.
fn owner_kind(uri: &Uri) -> Result<Kind, ApiError> {
    records::from_path(records::ATTACHMENT_OWNERS, uri.path()).ok_or(ApiError::RecordNotFound)
}

/// The owning record must exist and sit in an organization the caller can see.
fn owner(
    connection: &Connection,
    principal: &Principal,
    kind: Kind,
    id: i64,
) -> Result<(), ApiError> {
    let record = records::lookup(connection, kind, id)?.ok_or(ApiError::RecordNotFound)?;
    match record.organization_id {
        Some(org) if !principal.can_see_org(org) => Err(ApiError::RecordNotFound),
        _ => Ok(()),
    }
}

async fn index(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Document>, ApiError> {
    let kind = owner_kind(&uri)?;
    let id = path_id(&id)?;
    let query = QueryParams::parse(uri.query());
    let rows = state.store.read(|connection| {
        Ok(owner(connection, &principal, kind, id)
            .and_then(|()| Ok(for_records(connection, kind.name, &[id])?)))
    })??;
    let total = u64::try_from(rows.len()).unwrap_or_default();
    let resources = rows
        .iter()
        .map(|row| row.to_resource(&state))
        .collect::<Result<_, _>>()?;
    Ok(Json(listing::page_document(
        &state,
        &uri,
        &query,
        total,
        resources,
        Included::new(&query),
    )))
}

async fn show(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path((id, attachment_id)): Path<(String, String)>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Document>, ApiError> {
    let kind = owner_kind(&uri)?;
    let (id, attachment_id) = (path_id(&id)?, path_id(&attachment_id)?);
    let attachment = state
        .store
        .read(|connection| Ok(owned(connection, &principal, kind, id, attachment_id)))??;
    Ok(Json(jsonapi::single(attachment.to_resource(&state)?, None)))
}

fn owned(
    connection: &Connection,
    principal: &Principal,
    kind: Kind,
    id: i64,
    attachment_id: i64,
) -> Result<Attachment, ApiError> {
    owner(connection, principal, kind, id)?;
    let row: Option<(String, i64)> = connection
        .query_row(
            "SELECT resource_type, resource_id FROM itglue_attachments WHERE id = ?",
            [attachment_id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    if row != Some((kind.name.to_owned(), id)) {
        return Err(ApiError::RecordNotFound);
    }
    find(connection, attachment_id)?.ok_or(ApiError::RecordNotFound)
}

async fn create(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    OriginalUri(uri): OriginalUri,
    request: Request,
) -> Result<(StatusCode, Json<Document>), ApiError> {
    let kind = owner_kind(&uri)?;
    principal.require_write()?;
    let id = path_id(&id)?;
    let (uploads, bulk) = read_uploads(&state, request).await?;
    let ids = state.store.try_write(|transaction| {
        owner(transaction, &principal, kind, id)?;
        uploads
            .iter()
            .map(|(file_name, bytes)| Ok(store(transaction, kind.name, id, file_name, bytes)?))
            .collect::<Result<Vec<_>, ApiError>>()
    })?;
    let rows = state.store.read(|connection| {
        ids.iter()
            .filter_map(|id| find(connection, *id).transpose())
            .collect::<rusqlite::Result<Vec<_>>>()
    })?;
    let mut resources = rows
        .iter()
        .map(|row| row.to_resource(&state))
        .collect::<Result<Vec<_>, _>>()?;
    let document = match resources.pop() {
        Some(resource) if !bulk => jsonapi::single(resource, None),
        last => {
            resources.extend(last);
            jsonapi::bulk(resources)
        }
    };
    Ok((StatusCode::CREATED, Json(document)))
}

/// The files of a POST, and whether it was an array.
async fn read_uploads(
    state: &AppState,
    request: Request,
) -> Result<(Vec<(String, Vec<u8>)>, bool), ApiError> {
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        });
    if multipart {
        let form = Multipart::from_request(request, state)
            .await
            .map_err(|rejection| ApiError::BadRequest {
                detail: rejection.body_text(),
                parameter: None,
            })?;
        return Ok((vec![multipart_file(form).await?], false));
    }
    let JsonBody(body) = JsonBody::from_request(request, state).await?;
    let (items, bulk) = body::items(&body)?;
    body::expect_type(&items, TYPE_NAME)?;
    let uploads = items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let at = if bulk {
                format!("/data/{index}/attributes/attachment")
            } else {
                "/data/attributes/attachment".to_owned()
            };
            let value = item
                .attributes
                .get("attachment")
                .ok_or_else(|| ApiError::unprocessable("attachment is required", at.clone()))?;
            upload_from_json(value, &at)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((uploads, bulk))
}

/// The `data[attributes][attachment]` part of a multipart form.
async fn multipart_file(mut form: Multipart) -> Result<(String, Vec<u8>), ApiError> {
    let bad = |detail: String| ApiError::BadRequest {
        detail,
        parameter: None,
    };
    while let Some(part) = form
        .next_field()
        .await
        .map_err(|error| bad(error.body_text()))?
    {
        if part.name() != Some("data[attributes][attachment]") {
            continue;
        }
        let file_name = part
            .file_name()
            .filter(|name| !name.trim().is_empty())
            .map(str::to_owned)
            .ok_or_else(|| {
                ApiError::unprocessable(
                    "the file part needs a file name",
                    "/data/attributes/attachment",
                )
            })?;
        let bytes = part.bytes().await.map_err(|error| bad(error.body_text()))?;
        return Ok((file_name, bytes.to_vec()));
    }
    Err(ApiError::unprocessable(
        "attachment is required",
        "/data/attributes/attachment",
    ))
}

/// Renames an attachment: `name` is the only writable attribute; others are ignored.
async fn update(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path((id, attachment_id)): Path<(String, String)>,
    OriginalUri(uri): OriginalUri,
    JsonBody(body): JsonBody,
) -> Result<Json<Document>, ApiError> {
    let kind = owner_kind(&uri)?;
    principal.require_write()?;
    let (id, attachment_id) = (path_id(&id)?, path_id(&attachment_id)?);
    let item = body::single(&body)?;
    body::expect_type(std::slice::from_ref(&item), TYPE_NAME)?;
    let name = item.attributes.required_text("name")?;
    let attachment = state.store.try_write(|transaction| {
        owned(transaction, &principal, kind, id, attachment_id)?;
        transaction.execute(
            "UPDATE itglue_attachments SET name = ?2, updated_at = ?3 WHERE id = ?1",
            params![attachment_id, name, now()],
        )?;
        find(transaction, attachment_id)?.ok_or(ApiError::RecordNotFound)
    })?;
    Ok(Json(jsonapi::single(attachment.to_resource(&state)?, None)))
}

/// `DELETE …/attachments` with `data: [{type: "attachments", attributes: {id}}]`.
async fn bulk_delete(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    OriginalUri(uri): OriginalUri,
    JsonBody(body): JsonBody,
) -> Result<Json<Document>, ApiError> {
    let kind = owner_kind(&uri)?;
    principal.require_delete()?;
    let id = path_id(&id)?;
    let (items, _) = body::items(&body)?;
    body::expect_type(&items, TYPE_NAME)?;
    let ids = body::bulk_ids(&items)?;
    let deleted = state.store.try_write(|transaction| {
        ids.iter()
            .map(|attachment_id| {
                let attachment = owned(transaction, &principal, kind, id, *attachment_id)?;
                transaction.execute(
                    "DELETE FROM itglue_attachments WHERE id = ?",
                    [attachment_id],
                )?;
                Ok(attachment)
            })
            .collect::<Result<Vec<_>, ApiError>>()
    })?;
    let resources = deleted
        .iter()
        .map(|row| row.to_resource(&state))
        .collect::<Result<_, _>>()?;
    Ok(Json(jsonapi::bulk(resources)))
}

/// `GET /attachments/{id}/download` on the IT Glue web listener: the stored bytes.
pub async fn download(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let file = state.store.read(|connection| {
        connection
            .query_row(
                "SELECT file_name, content_type, content FROM itglue_attachments WHERE id = ?",
                [id],
                |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, Vec<u8>>(2)?,
                    ))
                },
            )
            .optional()
    });
    match file {
        Ok(Some((file_name, content_type, bytes))) => {
            let disposition = format!(
                "attachment; filename=\"{}\"",
                file_name.replace(['"', '\\', '\r', '\n'], "_")
            );
            (
                [
                    (header::CONTENT_TYPE, content_type),
                    (header::CONTENT_DISPOSITION, disposition),
                ],
                bytes,
            )
                .into_response()
        }
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(error) => {
            eprintln!("sandbox: attachment download failed: {error}");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_base64_rejects_line_breaks_and_bad_padding() {
        assert_eq!(decode_strict("aGk=", "/p").ok(), Some(b"hi".to_vec()));
        assert!(decode_strict("aGk", "/p").is_err());
        assert!(decode_strict("aG\nk=", "/p").is_err());
        assert!(decode_strict("a-k=", "/p").is_err());
    }

    #[test]
    fn media_types_follow_the_extension() {
        assert_eq!(content_type_for("diagram.PNG"), "image/png");
        assert_eq!(content_type_for("notes"), "application/octet-stream");
        assert!(is_viewable("image/png") && !is_viewable("application/zip"));
        assert_eq!(extension("a.tar.gz"), Some("gz"));
    }
}
