//! Documents: `/documents[/{id}]`, `/organizations/{id}/relationships/documents[/{id}]`
//! and `PATCH /documents/{id}/publish`.
//!
//! - The organization index returns only root-level documents unless
//!   `filter[document_folder_id]` is given; `=null` returns every document, and so does
//!   the `filter[document_folder_id][ne]=` fallback.
//! - Every row, in lists too, carries the document's whole body under `content`: the
//!   rendered sections joined in order. Stored HTML is returned as written, unsanitised.
//! - PATCH takes `name`, `restricted`, `archived`, `public`; `is_uploaded` and
//!   `document_folder_id` are POST-only (422 on PATCH).

use axum::Json;
use axum::Router;
use axum::extract::{Extension, OriginalUri, Path, State};
use axum::http::{StatusCode, Uri};
use axum::routing::{get, patch};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

use super::access::{Principal, Scope};
use super::attachments;
use super::body::{self, Attributes, JsonBody, pointer};
use super::document_sections;
use super::jsonapi::{self, ApiError, Document, Resource};
use super::listing::{self, Included, RecordPath, now, path_id};
use super::query::{Filters, QueryParams};
use super::records::DOCUMENT;
use super::related_items;
use crate::state::AppState;
use crate::store::sql::{Conditions, placeholders};

const KIND: &str = "documents";
const TYPE_NAME: &str = "documents";
const FROM: &str =
    "itglue_documents d LEFT JOIN itglue_organizations o ON o.id = d.organization_id";
const COLUMNS: &str = "d.id, d.organization_id, o.name, d.name, d.published, d.document_folder_id,
    d.restricted, d.archived, d.public, d.is_uploaded, d.created_at, d.updated_at";
const SCOPE: Scope = Scope {
    resource_type: DOCUMENT.name,
    id_column: "d.id",
    org_column: "d.organization_id",
    restricted_column: Some("d.restricted"),
};
const SORTABLE: &[(&str, &str)] = &[
    ("name", "d.name"),
    ("id", "d.id"),
    ("created_at", "d.created_at"),
    ("updated_at", "d.updated_at"),
];
const FOLDER_FILTER: &str = "document_folder_id";

#[derive(Debug)]
struct DocumentRow {
    id: i64,
    organization_id: i64,
    organization_name: Option<String>,
    name: String,
    published: bool,
    folder_id: Option<i64>,
    restricted: bool,
    archived: bool,
    public: bool,
    is_uploaded: bool,
    created_at: String,
    updated_at: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct DocumentAttributes<'a> {
    name: &'a str,
    organization_id: i64,
    organization_name: Option<&'a str>,
    resource_url: String,
    published: bool,
    document_folder_id: Option<i64>,
    restricted: bool,
    archived: bool,
    public: bool,
    is_uploaded: bool,
    content: String,
    created_at: &'a str,
    updated_at: &'a str,
}

impl DocumentRow {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            organization_id: row.get(1)?,
            organization_name: row.get(2)?,
            name: row.get(3)?,
            published: row.get(4)?,
            folder_id: row.get(5)?,
            restricted: row.get(6)?,
            archived: row.get(7)?,
            public: row.get(8)?,
            is_uploaded: row.get(9)?,
            created_at: row.get(10)?,
            updated_at: row.get(11)?,
        })
    }

    fn to_resource(&self, connection: &Connection, state: &AppState) -> Result<Resource, ApiError> {
        Resource::new(
            self.id,
            KIND,
            &DocumentAttributes {
                name: &self.name,
                organization_id: self.organization_id,
                organization_name: self.organization_name.as_deref(),
                resource_url: format!(
                    "{}/{}/docs/{}",
                    state.urls.itglue_web, self.organization_id, self.id
                ),
                published: self.published,
                document_folder_id: self.folder_id,
                restricted: self.restricted,
                archived: self.archived,
                public: self.public,
                is_uploaded: self.is_uploaded,
                content: document_sections::body_html(connection, self.id)?,
                created_at: &self.created_at,
                updated_at: &self.updated_at,
            },
        )
    }
}

/// A visible document, optionally within one organization.
pub fn exists_for(
    connection: &Connection,
    principal: &Principal,
    id: i64,
) -> rusqlite::Result<bool> {
    Ok(find(connection, principal, id, None)?.is_some())
}

fn find(
    connection: &Connection,
    principal: &Principal,
    id: i64,
    organization_id: Option<i64>,
) -> rusqlite::Result<Option<DocumentRow>> {
    let mut conditions = Conditions::new();
    conditions.push("d.id = ?", &[id]);
    if let Some(organization_id) = organization_id {
        conditions.push("d.organization_id = ?", &[organization_id]);
    }
    principal.scope(&mut conditions, SCOPE);
    let (_, mut found) = listing::select_page(
        connection,
        COLUMNS,
        FROM,
        &conditions,
        "",
        None,
        DocumentRow::from_row,
    )?;
    Ok(found.pop())
}

/// Touches a document after one of its sections changed.
pub fn touch(connection: &Connection, id: i64) -> rusqlite::Result<()> {
    connection.execute(
        "UPDATE itglue_documents SET updated_at = ?2 WHERE id = ?1",
        params![id, now()],
    )?;
    Ok(())
}

/// The root-only rule and its two escapes.
fn folder_condition(filters: &Filters, conditions: &mut Conditions) {
    if let Some(excluded) = filters.get(&format!("{FOLDER_FILTER}.ne")) {
        if !excluded.is_empty() {
            conditions.push(
                &format!(
                    "d.document_folder_id IS NULL OR d.document_folder_id NOT IN ({})",
                    placeholders(excluded.len())
                ),
                excluded,
            );
        }
        return;
    }
    match filters.get(FOLDER_FILTER) {
        Some(values)
            if values
                .iter()
                .any(|value| value.eq_ignore_ascii_case("null")) => {}
        Some(values) if !values.is_empty() => conditions.any_of("d.document_folder_id", values),
        _ => conditions.push("d.document_folder_id IS NULL", &[] as &[i64]),
    }
}

fn render(
    connection: &Connection,
    state: &AppState,
    query: &QueryParams,
    rows: &[DocumentRow],
    included: &mut Included,
) -> Result<Vec<Resource>, ApiError> {
    let mut resources = rows
        .iter()
        .map(|row| Ok((row.id, row.to_resource(connection, state)?)))
        .collect::<Result<Vec<_>, ApiError>>()?;
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    if query.includes(attachments::INCLUDE_NAME) {
        let found = attachments::for_records(connection, DOCUMENT.name, &ids)?;
        attachments::attach(state, &mut resources, &found, included)?;
    }
    if query.includes(related_items::INCLUDE_NAME) {
        let found = related_items::for_records(connection, DOCUMENT.name, &ids)?;
        related_items::attach(connection, state, &mut resources, &found, included)?;
    }
    Ok(resources
        .into_iter()
        .map(|(_, resource)| resource)
        .collect())
}

// ------------------------------------------------------------------------------ writing

fn create_one(
    connection: &Connection,
    principal: &Principal,
    attributes: &Attributes,
    organization_id: Option<i64>,
) -> Result<i64, ApiError> {
    let organization_id = organization_id.or(attributes.integer("organization_id")?.flatten());
    let organization_id = listing::organization_for_write(connection, principal, organization_id)?;
    let name = attributes.required_text("name")?;
    let folder_id = attributes.integer(FOLDER_FILTER)?.flatten();
    if let Some(folder_id) = folder_id {
        let owner: Option<i64> = connection
            .query_row(
                "SELECT organization_id FROM itglue_document_folders WHERE id = ?",
                [folder_id],
                |row| row.get(0),
            )
            .optional()?;
        if owner != Some(organization_id) {
            return Err(ApiError::unprocessable(
                "must be a folder of the document's organization",
                pointer(FOLDER_FILTER),
            ));
        }
    }
    let stamp = now();
    connection.execute(
        "INSERT INTO itglue_documents
           (organization_id, document_folder_id, name, published, restricted, archived, public, is_uploaded, created_at, updated_at)
         VALUES (?1, ?2, ?3, 0, ?4, ?5, ?6, ?7, ?8, ?8)",
        params![
            organization_id,
            folder_id,
            name,
            attributes.flag("restricted")?.unwrap_or(false),
            attributes.flag("archived")?.unwrap_or(false),
            attributes.flag("public")?.unwrap_or(false),
            attributes.flag("is_uploaded")?.unwrap_or(false),
            stamp
        ],
    )?;
    Ok(connection.last_insert_rowid())
}

fn update_one(
    connection: &Connection,
    principal: &Principal,
    id: i64,
    organization_id: Option<i64>,
    attributes: &Attributes,
) -> Result<(), ApiError> {
    for post_only in ["is_uploaded", FOLDER_FILTER] {
        if attributes.contains(post_only) {
            return Err(ApiError::unprocessable(
                "is not permitted in PATCH",
                pointer(post_only),
            ));
        }
    }
    let document =
        find(connection, principal, id, organization_id)?.ok_or(ApiError::RecordNotFound)?;
    let name = if attributes.contains("name") {
        attributes.required_text("name")?
    } else {
        document.name
    };
    connection.execute(
        "UPDATE itglue_documents SET name = ?2, restricted = ?3, archived = ?4, public = ?5, updated_at = ?6 WHERE id = ?1",
        params![
            id,
            name,
            attributes.flag("restricted")?.unwrap_or(document.restricted),
            attributes.flag("archived")?.unwrap_or(document.archived),
            attributes.flag("public")?.unwrap_or(document.public),
            now()
        ],
    )?;
    Ok(())
}

fn delete_one(connection: &Connection, principal: &Principal, id: i64) -> Result<(), ApiError> {
    find(connection, principal, id, None)?.ok_or(ApiError::RecordNotFound)?;
    attachments::forget(connection, DOCUMENT.name, id)?;
    related_items::forget(connection, DOCUMENT.name, id)?;
    connection.execute("DELETE FROM itglue_documents WHERE id = ?", [id])?;
    Ok(())
}

// ------------------------------------------------------------------------------ routes

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/documents",
            patch(bulk_update).post(create).delete(bulk_delete),
        )
        .route("/documents/{id}", get(show).patch(update))
        .route("/documents/{id}/publish", patch(publish))
        .route(
            "/organizations/{id}/relationships/documents",
            get(nested_index).post(nested_create),
        )
        .route(
            "/organizations/{id}/relationships/documents/{document_id}",
            get(show).patch(update),
        )
}

async fn nested_index(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(organization_id): Path<String>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Document>, ApiError> {
    let organization_id = path_id(&organization_id)?;
    let query = QueryParams::parse(uri.query());
    let order = listing::order(&query, SORTABLE, "d.id")?;
    let mut conditions = Conditions::new();
    conditions.push("d.organization_id = ?", &[organization_id]);
    folder_condition(&query.filters, &mut conditions);
    principal.scope(&mut conditions, SCOPE);
    let mut included = Included::new(&query);
    let (total, resources) = state
        .store
        .read(|connection| {
            if !listing::organization_visible(connection, &principal, organization_id)? {
                return Ok(None);
            }
            let (total, rows) = listing::select_page(
                connection,
                COLUMNS,
                FROM,
                &conditions,
                &order,
                Some(query.page),
                DocumentRow::from_row,
            )?;
            Ok(Some((
                total,
                render(connection, &state, &query, &rows, &mut included),
            )))
        })?
        .ok_or(ApiError::RecordNotFound)?;
    Ok(Json(listing::page_document(
        &state, &uri, &query, total, resources?, included,
    )))
}

fn one(
    state: &AppState,
    principal: &Principal,
    id: i64,
    organization_id: Option<i64>,
    uri: &Uri,
) -> Result<Json<Document>, ApiError> {
    let query = QueryParams::parse(uri.query());
    let mut included = Included::new(&query);
    let mut resources = state
        .store
        .read(|connection| {
            let found = find(connection, principal, id, organization_id)?;
            Ok(found.map(|row| render(connection, state, &query, &[row], &mut included)))
        })?
        .ok_or(ApiError::RecordNotFound)??;
    let resource = resources.pop().ok_or(ApiError::RecordNotFound)?;
    Ok(Json(jsonapi::single(resource, included.finish())))
}

fn many(
    state: &AppState,
    principal: &Principal,
    ids: &[i64],
    bulk: bool,
) -> Result<Document, ApiError> {
    let query = QueryParams::default();
    let mut included = Included::new(&query);
    let mut resources = state.store.read(|connection| {
        let mut rows = Vec::new();
        for id in ids {
            rows.extend(find(connection, principal, *id, None)?);
        }
        Ok(render(connection, state, &query, &rows, &mut included))
    })??;
    Ok(match resources.pop() {
        Some(resource) if !bulk => jsonapi::single(resource, None),
        last => {
            resources.extend(last);
            jsonapi::bulk(resources)
        }
    })
}

async fn show(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    RecordPath { id, parent }: RecordPath,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Document>, ApiError> {
    one(&state, &principal, id, parent, &uri)
}

async fn create(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<Document>), ApiError> {
    principal.require_write()?;
    let item = body::single(&body)?;
    body::expect_type(std::slice::from_ref(&item), TYPE_NAME)?;
    let id = state
        .store
        .try_write(|transaction| create_one(transaction, &principal, &item.attributes, None))?;
    Ok((
        StatusCode::CREATED,
        Json(many(&state, &principal, &[id], false)?),
    ))
}

async fn nested_create(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(organization_id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<Document>), ApiError> {
    principal.require_write()?;
    let organization_id = path_id(&organization_id)?;
    let (items, bulk) = body::items(&body)?;
    body::expect_type(&items, TYPE_NAME)?;
    let ids = state.store.try_write(|transaction| {
        if !listing::organization_visible(transaction, &principal, organization_id)? {
            return Err(ApiError::RecordNotFound);
        }
        items
            .iter()
            .map(|item| {
                create_one(
                    transaction,
                    &principal,
                    &item.attributes,
                    Some(organization_id),
                )
            })
            .collect::<Result<Vec<_>, _>>()
    })?;
    Ok((
        StatusCode::CREATED,
        Json(many(&state, &principal, &ids, bulk)?),
    ))
}

async fn update(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    RecordPath { id, parent }: RecordPath,
    OriginalUri(uri): OriginalUri,
    JsonBody(body): JsonBody,
) -> Result<Json<Document>, ApiError> {
    patch_one(&state, &principal, id, parent, &uri, &body)
}

fn patch_one(
    state: &AppState,
    principal: &Principal,
    id: i64,
    organization_id: Option<i64>,
    uri: &Uri,
    body: &serde_json::Value,
) -> Result<Json<Document>, ApiError> {
    principal.require_write()?;
    let item = body::single(body)?;
    body::expect_type(std::slice::from_ref(&item), TYPE_NAME)?;
    state.store.try_write(|transaction| {
        update_one(
            transaction,
            principal,
            id,
            organization_id,
            &item.attributes,
        )
    })?;
    one(state, principal, id, organization_id, uri)
}

async fn publish(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Document>, ApiError> {
    principal.require_write()?;
    let id = path_id(&id)?;
    state.store.try_write(|transaction| {
        find(transaction, &principal, id, None)?.ok_or(ApiError::RecordNotFound)?;
        transaction.execute(
            "UPDATE itglue_documents SET published = 1, updated_at = ?2 WHERE id = ?1",
            params![id, now()],
        )?;
        Ok::<_, ApiError>(())
    })?;
    one(&state, &principal, id, None, &uri)
}

async fn bulk_update(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    JsonBody(body): JsonBody,
) -> Result<Json<Document>, ApiError> {
    principal.require_write()?;
    let (items, _) = body::items(&body)?;
    body::expect_type(&items, TYPE_NAME)?;
    let ids = body::bulk_ids(&items)?;
    state.store.try_write(|transaction| {
        ids.iter().zip(&items).try_for_each(|(id, item)| {
            update_one(transaction, &principal, *id, None, &item.attributes)
        })
    })?;
    Ok(Json(many(&state, &principal, &ids, true)?))
}

async fn bulk_delete(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    JsonBody(body): JsonBody,
) -> Result<Json<Document>, ApiError> {
    principal.require_delete()?;
    let (items, _) = body::items(&body)?;
    body::expect_type(&items, TYPE_NAME)?;
    let ids = body::bulk_ids(&items)?;
    let document = many(&state, &principal, &ids, true)?;
    state.store.try_write(|transaction| {
        ids.iter()
            .try_for_each(|id| delete_one(transaction, &principal, *id))
    })?;
    Ok(Json(document))
}
