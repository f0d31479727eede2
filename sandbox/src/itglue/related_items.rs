//! Related items: `/{resource_type}/{id}/relationships/related_items[/{item_id}]`.
//!
//! POST one or an array of `{destination_id, destination_type, notes}`; PATCH changes
//! `notes` only; DELETE is bulk by id. They are read through `include=related_items` on
//! the source record and are directional: a link shows only on its source.

use axum::Json;
use axum::Router;
use axum::extract::{Extension, OriginalUri, Path, State};
use axum::http::{StatusCode, Uri};
use axum::routing::{patch, post};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

use super::access::Principal;
use super::body::{self, JsonBody, pointer};
use super::jsonapi::{self, ApiError, Document, Resource};
use super::listing::{Included, now, path_id};
use super::records::{self, Kind};
use crate::state::AppState;
use crate::store::sql::placeholders;

/// The type as the real API writes it, with an underscore.
pub const KIND: &str = "related_items";
pub const INCLUDE_NAME: &str = "related_items";
const RELATIONSHIP: &str = "related-items";
const COLUMNS: &str =
    "id, source_id, destination_type, destination_id, notes, archived, created_at, updated_at";

#[derive(Debug)]
pub struct RelatedItem {
    id: i64,
    source_id: i64,
    destination_type: String,
    destination_id: i64,
    notes: Option<String>,
    archived: bool,
    created_at: String,
    updated_at: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct ItemAttributes<'a> {
    created_at: &'a str,
    updated_at: &'a str,
    destination_id: i64,
    destination_type: &'a str,
    destination_name: Option<String>,
    destination_url: Option<String>,
    notes: Option<&'a str>,
    archived: bool,
}

impl RelatedItem {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            source_id: row.get(1)?,
            destination_type: row.get(2)?,
            destination_id: row.get(3)?,
            notes: row.get(4)?,
            archived: row.get(5)?,
            created_at: row.get(6)?,
            updated_at: row.get(7)?,
        })
    }

    /// Names and links the destination as it is now; a deleted one keeps only its id.
    fn to_resource(&self, connection: &Connection, state: &AppState) -> Result<Resource, ApiError> {
        let kind = records::destination(&self.destination_type);
        let destination = match kind {
            Some(kind) => {
                records::lookup(connection, kind, self.destination_id)?.map(|record| (kind, record))
            }
            None => None,
        };
        Resource::new(
            self.id,
            KIND,
            &ItemAttributes {
                created_at: &self.created_at,
                updated_at: &self.updated_at,
                destination_id: self.destination_id,
                destination_type: &self.destination_type,
                destination_name: destination
                    .as_ref()
                    .and_then(|(_, record)| record.name.clone()),
                destination_url: destination
                    .as_ref()
                    .map(|(kind, record)| record.url(state, *kind)),
                notes: self.notes.as_deref(),
                archived: self.archived,
            },
        )
    }
}

/// The related items whose source is one of the given records of a kind.
pub fn for_records(
    connection: &Connection,
    source_type: &str,
    ids: &[i64],
) -> rusqlite::Result<Vec<RelatedItem>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM itglue_related_items
         WHERE source_type = ? AND source_id IN ({}) ORDER BY id",
        placeholders(ids.len())
    );
    let mut params: Vec<rusqlite::types::Value> = vec![source_type.to_owned().into()];
    params.extend(ids.iter().map(|id| (*id).into()));
    let mut statement = connection.prepare(&sql)?;
    let rows = statement.query_map(rusqlite::params_from_iter(params), RelatedItem::from_row)?;
    rows.collect()
}

/// Relates each `(record id, resource)` to its items and adds them to `included`.
pub fn attach(
    connection: &Connection,
    state: &AppState,
    resources: &mut [(i64, Resource)],
    rows: &[RelatedItem],
    included: &mut Included,
) -> Result<(), ApiError> {
    for (record_id, resource) in resources.iter_mut() {
        let related = rows
            .iter()
            .filter(|row| row.source_id == *record_id)
            .map(|row| row.to_resource(connection, state))
            .collect::<Result<Vec<_>, _>>()?;
        resource.relate_many(RELATIONSHIP, &related.iter().collect::<Vec<_>>());
    }
    for row in rows {
        included.add(KIND, row.id, || row.to_resource(connection, state))?;
    }
    Ok(())
}

/// Drops the links from and to a record that is being deleted.
pub fn forget(connection: &Connection, kind_name: &str, id: i64) -> rusqlite::Result<()> {
    connection.execute(
        "DELETE FROM itglue_related_items
         WHERE (source_type = ?1 AND source_id = ?2) OR (destination_type = ?1 AND destination_id = ?2)",
        params![kind_name, id],
    )?;
    Ok(())
}

/// Inserts a link; the destination must exist.
pub fn insert(
    connection: &Connection,
    source: (Kind, i64),
    destination: (Kind, i64),
    notes: Option<&str>,
) -> Result<i64, ApiError> {
    if records::lookup(connection, destination.0, destination.1)?.is_none() {
        return Err(ApiError::unprocessable(
            "must exist",
            pointer("destination_id"),
        ));
    }
    let stamp = now();
    connection.execute(
        "INSERT INTO itglue_related_items
           (source_type, source_id, destination_type, destination_id, notes, archived, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?6)",
        params![source.0.name, source.1, destination.0.name, destination.1, notes, stamp],
    )?;
    Ok(connection.last_insert_rowid())
}

// ------------------------------------------------------------------------------ routes

pub fn routes() -> Router<AppState> {
    records::RELATED_ITEM_SOURCES
        .iter()
        .fold(Router::new(), |router, kind| {
            router
                .route(
                    &format!("/{}/{{id}}/relationships/related_items", kind.segment),
                    post(create).delete(bulk_delete),
                )
                .route(
                    &format!(
                        "/{}/{{id}}/relationships/related_items/{{item_id}}",
                        kind.segment
                    ),
                    patch(update),
                )
        })
}

fn source_kind(uri: &Uri) -> Result<Kind, ApiError> {
    records::from_path(records::RELATED_ITEM_SOURCES, uri.path()).ok_or(ApiError::RecordNotFound)
}

/// The source must exist and sit in an organization the caller can see.
fn check_source(
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

fn find_owned(
    connection: &Connection,
    kind: Kind,
    id: i64,
    item_id: i64,
) -> Result<RelatedItem, ApiError> {
    connection
        .query_row(
            &format!("SELECT {COLUMNS} FROM itglue_related_items WHERE id = ?1 AND source_type = ?2 AND source_id = ?3"),
            params![item_id, kind.name, id],
            RelatedItem::from_row,
        )
        .optional()?
        .ok_or(ApiError::RecordNotFound)
}

fn render_all(state: &AppState, ids: &[i64]) -> Result<Vec<Resource>, ApiError> {
    state.store.read(|connection| {
        Ok(ids
            .iter()
            .map(|id| {
                let item = connection.query_row(
                    &format!("SELECT {COLUMNS} FROM itglue_related_items WHERE id = ?"),
                    [id],
                    RelatedItem::from_row,
                )?;
                item.to_resource(connection, state)
            })
            .collect::<Result<Vec<_>, ApiError>>())
    })?
}

async fn create(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    OriginalUri(uri): OriginalUri,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<Document>), ApiError> {
    principal.require_write()?;
    let kind = source_kind(&uri)?;
    let id = path_id(&id)?;
    let (items, bulk) = body::items(&body)?;
    body::expect_type(&items, KIND)?;
    let ids = state.store.try_write(|transaction| {
        check_source(transaction, &principal, kind, id)?;
        items
            .iter()
            .map(|item| {
                let destination_type = item.attributes.required_text("destination_type")?;
                let destination = records::destination(&destination_type).ok_or_else(|| {
                    ApiError::unprocessable(
                        "is not a valid destination type",
                        pointer("destination_type"),
                    )
                })?;
                let destination_id = item
                    .attributes
                    .integer("destination_id")?
                    .flatten()
                    .ok_or_else(|| {
                        ApiError::unprocessable("can't be blank", pointer("destination_id"))
                    })?;
                let notes = item.attributes.text("notes")?.flatten();
                insert(
                    transaction,
                    (kind, id),
                    (destination, destination_id),
                    notes.as_deref(),
                )
            })
            .collect::<Result<Vec<_>, _>>()
    })?;
    let mut resources = render_all(&state, &ids)?;
    let document = match resources.pop() {
        Some(resource) if !bulk => jsonapi::single(resource, None),
        last => {
            resources.extend(last);
            jsonapi::bulk(resources)
        }
    };
    Ok((StatusCode::CREATED, Json(document)))
}

/// Only `notes` can change; other attributes are ignored.
async fn update(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path((id, item_id)): Path<(String, String)>,
    OriginalUri(uri): OriginalUri,
    JsonBody(body): JsonBody,
) -> Result<Json<Document>, ApiError> {
    principal.require_write()?;
    let kind = source_kind(&uri)?;
    let (id, item_id) = (path_id(&id)?, path_id(&item_id)?);
    let item = body::single(&body)?;
    body::expect_type(std::slice::from_ref(&item), KIND)?;
    let notes = item.attributes.text("notes")?;
    state.store.try_write(|transaction| {
        check_source(transaction, &principal, kind, id)?;
        find_owned(transaction, kind, id, item_id)?;
        if let Some(notes) = notes {
            transaction.execute(
                "UPDATE itglue_related_items SET notes = ?2, updated_at = ?3 WHERE id = ?1",
                params![item_id, notes, now()],
            )?;
        }
        Ok::<_, ApiError>(())
    })?;
    let mut resources = render_all(&state, &[item_id])?;
    let resource = resources.pop().ok_or(ApiError::RecordNotFound)?;
    Ok(Json(jsonapi::single(resource, None)))
}

/// `DELETE …/related_items` with `data: [{type: "related_items", attributes: {id}}]`.
async fn bulk_delete(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    OriginalUri(uri): OriginalUri,
    JsonBody(body): JsonBody,
) -> Result<Json<Document>, ApiError> {
    principal.require_delete()?;
    let kind = source_kind(&uri)?;
    let id = path_id(&id)?;
    let (items, _) = body::items(&body)?;
    body::expect_type(&items, KIND)?;
    let ids = body::bulk_ids(&items)?;
    let resources = state.store.try_write(|transaction| {
        check_source(transaction, &principal, kind, id)?;
        ids.iter()
            .map(|item_id| {
                let resource = find_owned(transaction, kind, id, *item_id)?
                    .to_resource(transaction, &state)?;
                transaction.execute("DELETE FROM itglue_related_items WHERE id = ?", [item_id])?;
                Ok(resource)
            })
            .collect::<Result<Vec<_>, ApiError>>()
    })?;
    Ok(Json(jsonapi::bulk(resources)))
}
