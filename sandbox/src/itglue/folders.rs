//! Password folders and document folders, which behave alike:
//! `/organizations/{id}/relationships/<folders>[/{folder_id}]` (GET, POST, PATCH, bulk
//! DELETE) and `/<folders>` (bulk PATCH and DELETE). Folders nest through `parent_id`
//! within one organization. Deleting a folder deletes its subfolders; the passwords or
//! documents in them move to the organization's root.

use axum::Json;
use axum::Router;
use axum::extract::{Extension, OriginalUri, Path, State};
use axum::http::StatusCode;
use axum::routing::{get, patch};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

use super::access::{Principal, Scope};
use super::body::{self, Attributes, JsonBody, pointer};
use super::jsonapi::{self, ApiError, Document, Resource};
use super::listing::{self, Included, now, path_id};
use super::query::QueryParams;
use super::records;
use crate::state::AppState;
use crate::store::sql::Conditions;

const COLUMNS: &str =
    "f.id, f.organization_id, f.name, f.parent_id, f.restricted, f.created_at, f.updated_at";

/// What differs between the two kinds of folder.
pub trait FolderKind: Send + Sync + 'static {
    /// The snake plural of routes and request `type`s.
    const TYPE_NAME: &'static str;
    /// The response `type`.
    const KIND: &'static str;
    const TABLE: &'static str;
    /// The name grants and links use.
    const RECORD: &'static str;

    fn from() -> String {
        format!("{} f", Self::TABLE)
    }

    fn scope() -> Scope {
        Scope {
            resource_type: Self::RECORD,
            id_column: "f.id",
            org_column: "f.organization_id",
            restricted_column: Some("f.restricted"),
        }
    }
}

pub struct PasswordFolders;

impl FolderKind for PasswordFolders {
    const TYPE_NAME: &'static str = "password_folders";
    const KIND: &'static str = "password-folders";
    const TABLE: &'static str = "itglue_password_folders";
    const RECORD: &'static str = "Password Folder";
}

pub struct DocumentFolders;

impl FolderKind for DocumentFolders {
    const TYPE_NAME: &'static str = "document_folders";
    const KIND: &'static str = "document-folders";
    const TABLE: &'static str = records::DOCUMENT_FOLDER_TABLE;
    const RECORD: &'static str = records::DOCUMENT_FOLDER.name;
}
/// The wrapper's allow-list literally mixes `updated-at` with `created_at`; both
/// spellings are taken.
const SORTABLE: &[(&str, &str)] = &[
    ("created_at", "f.created_at"),
    ("updated_at", "f.updated_at"),
    ("updated-at", "f.updated_at"),
    ("created-at", "f.created_at"),
];
/// Guards the parent walk against a cycle in edited data.
const MAX_DEPTH: usize = 32;

struct Folder {
    id: i64,
    organization_id: i64,
    name: String,
    parent_id: Option<i64>,
    restricted: bool,
    created_at: String,
    updated_at: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct FolderAttributes<'a> {
    organization_id: i64,
    name: &'a str,
    parent_id: Option<i64>,
    restricted: bool,
    created_at: &'a str,
    updated_at: &'a str,
}

impl Folder {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            organization_id: row.get(1)?,
            name: row.get(2)?,
            parent_id: row.get(3)?,
            restricted: row.get(4)?,
            created_at: row.get(5)?,
            updated_at: row.get(6)?,
        })
    }

    fn to_resource<F: FolderKind>(&self) -> Result<Resource, ApiError> {
        Resource::new(
            self.id,
            F::KIND,
            &FolderAttributes {
                organization_id: self.organization_id,
                name: &self.name,
                parent_id: self.parent_id,
                restricted: self.restricted,
                created_at: &self.created_at,
                updated_at: &self.updated_at,
            },
        )
    }
}

fn find<F: FolderKind>(
    connection: &Connection,
    principal: &Principal,
    id: i64,
    organization_id: Option<i64>,
) -> rusqlite::Result<Option<Folder>> {
    let mut conditions = Conditions::new();
    conditions.push("f.id = ?", &[id]);
    if let Some(organization_id) = organization_id {
        conditions.push("f.organization_id = ?", &[organization_id]);
    }
    principal.scope(&mut conditions, F::scope());
    let (_, mut found) = listing::select_page(
        connection,
        COLUMNS,
        &F::from(),
        &conditions,
        "",
        None,
        Folder::from_row,
    )?;
    Ok(found.pop())
}

/// A parent must be a folder of the same organization and not the folder or below it.
fn check_parent<F: FolderKind>(
    connection: &Connection,
    id: Option<i64>,
    parent_id: Option<i64>,
    organization_id: i64,
) -> Result<(), ApiError> {
    let invalid = || {
        ApiError::unprocessable(
            "must be a folder of the same organization, outside this one",
            pointer("parent_id"),
        )
    };
    let mut next = parent_id;
    let mut depth = 0;
    while let Some(current) = next {
        if Some(current) == id || depth > MAX_DEPTH {
            return Err(invalid());
        }
        let row: Option<(i64, Option<i64>)> = connection
            .query_row(
                &format!(
                    "SELECT organization_id, parent_id FROM {} WHERE id = ?",
                    F::TABLE
                ),
                [current],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        match row {
            Some((owner, parent)) if owner == organization_id => next = parent,
            _ => return Err(invalid()),
        }
        depth += 1;
    }
    Ok(())
}

fn create_one<F: FolderKind>(
    connection: &Connection,
    organization_id: i64,
    attributes: &Attributes,
) -> Result<i64, ApiError> {
    let name = attributes.required_text("name")?;
    let parent_id = attributes.integer("parent_id")?.flatten();
    check_parent::<F>(connection, None, parent_id, organization_id)?;
    let stamp = now();
    connection.execute(
        &format!(
            "INSERT INTO {} (organization_id, parent_id, name, restricted, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            F::TABLE
        ),
        params![
            organization_id,
            parent_id,
            name,
            attributes.flag("restricted")?.unwrap_or(false),
            stamp
        ],
    )?;
    Ok(connection.last_insert_rowid())
}

fn update_one<F: FolderKind>(
    connection: &Connection,
    principal: &Principal,
    id: i64,
    organization_id: Option<i64>,
    attributes: &Attributes,
) -> Result<(), ApiError> {
    let folder =
        find::<F>(connection, principal, id, organization_id)?.ok_or(ApiError::RecordNotFound)?;
    let name = if attributes.contains("name") {
        attributes.required_text("name")?
    } else {
        folder.name
    };
    let parent_id = match attributes.integer("parent_id")? {
        Some(parent_id) => {
            check_parent::<F>(connection, Some(id), parent_id, folder.organization_id)?;
            parent_id
        }
        None => folder.parent_id,
    };
    let restricted = attributes.flag("restricted")?.unwrap_or(folder.restricted);
    connection.execute(
        &format!("UPDATE {} SET name = ?2, parent_id = ?3, restricted = ?4, updated_at = ?5 WHERE id = ?1", F::TABLE),
        params![id, name, parent_id, restricted, now()],
    )?;
    Ok(())
}

pub fn routes<F: FolderKind>() -> Router<AppState> {
    Router::new()
        .route(
            &format!("/organizations/{{id}}/relationships/{}", F::TYPE_NAME),
            get(index::<F>)
                .post(create::<F>)
                .delete(nested_bulk_delete::<F>),
        )
        .route(
            &format!(
                "/organizations/{{id}}/relationships/{}/{{folder_id}}",
                F::TYPE_NAME
            ),
            get(show::<F>).patch(update::<F>),
        )
        .route(
            &format!("/{}", F::TYPE_NAME),
            patch(bulk_update::<F>).delete(bulk_delete::<F>),
        )
}

fn visible_org(
    state: &AppState,
    principal: &Principal,
    organization_id: i64,
) -> Result<(), ApiError> {
    let visible = state
        .store
        .read(|connection| listing::organization_visible(connection, principal, organization_id))?;
    if visible {
        Ok(())
    } else {
        Err(ApiError::RecordNotFound)
    }
}

async fn index<F: FolderKind>(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(organization_id): Path<String>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Document>, ApiError> {
    let organization_id = path_id(&organization_id)?;
    visible_org(&state, &principal, organization_id)?;
    let query = QueryParams::parse(uri.query());
    let order = listing::order(&query, SORTABLE, "f.id")?;
    let mut conditions = Conditions::new();
    conditions.push("f.organization_id = ?", &[organization_id]);
    if let Some(ids) = query.filters.get("id") {
        conditions.any_of("f.id", ids);
    }
    principal.scope(&mut conditions, F::scope());
    let (total, folders) = state.store.read(|connection| {
        listing::select_page(
            connection,
            COLUMNS,
            &F::from(),
            &conditions,
            &order,
            Some(query.page),
            Folder::from_row,
        )
    })?;
    let resources = folders
        .iter()
        .map(Folder::to_resource::<F>)
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

fn respond<F: FolderKind>(
    state: &AppState,
    principal: &Principal,
    ids: &[i64],
    bulk: bool,
) -> Result<Document, ApiError> {
    let folders = state.store.read(|connection| {
        let mut folders = Vec::new();
        for id in ids {
            folders.extend(find::<F>(connection, principal, *id, None)?);
        }
        Ok(folders)
    })?;
    let mut resources = folders
        .iter()
        .map(Folder::to_resource::<F>)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(match resources.pop() {
        Some(resource) if !bulk => jsonapi::single(resource, None),
        last => {
            resources.extend(last);
            jsonapi::bulk(resources)
        }
    })
}

async fn show<F: FolderKind>(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path((organization_id, id)): Path<(String, String)>,
) -> Result<Json<Document>, ApiError> {
    let (organization_id, id) = (path_id(&organization_id)?, path_id(&id)?);
    let folder = state
        .store
        .read(|connection| find::<F>(connection, &principal, id, Some(organization_id)))?
        .ok_or(ApiError::RecordNotFound)?;
    Ok(Json(jsonapi::single(folder.to_resource::<F>()?, None)))
}

/// One or an array (bulk creation works on the nested route).
async fn create<F: FolderKind>(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(organization_id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<Document>), ApiError> {
    principal.require_write()?;
    let organization_id = path_id(&organization_id)?;
    visible_org(&state, &principal, organization_id)?;
    let (items, bulk) = body::items(&body)?;
    body::expect_type(&items, F::TYPE_NAME)?;
    let ids = state.store.try_write(|transaction| {
        items
            .iter()
            .map(|item| create_one::<F>(transaction, organization_id, &item.attributes))
            .collect::<Result<Vec<_>, _>>()
    })?;
    Ok((
        StatusCode::CREATED,
        Json(respond::<F>(&state, &principal, &ids, bulk)?),
    ))
}

async fn update<F: FolderKind>(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path((organization_id, id)): Path<(String, String)>,
    JsonBody(body): JsonBody,
) -> Result<Json<Document>, ApiError> {
    principal.require_write()?;
    let (organization_id, id) = (path_id(&organization_id)?, path_id(&id)?);
    let item = body::single(&body)?;
    body::expect_type(std::slice::from_ref(&item), F::TYPE_NAME)?;
    state.store.try_write(|transaction| {
        update_one::<F>(
            transaction,
            &principal,
            id,
            Some(organization_id),
            &item.attributes,
        )
    })?;
    Ok(Json(respond::<F>(&state, &principal, &[id], false)?))
}

async fn bulk_update<F: FolderKind>(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    JsonBody(body): JsonBody,
) -> Result<Json<Document>, ApiError> {
    principal.require_write()?;
    let (items, _) = body::items(&body)?;
    body::expect_type(&items, F::TYPE_NAME)?;
    let ids = body::bulk_ids(&items)?;
    state.store.try_write(|transaction| {
        ids.iter().zip(&items).try_for_each(|(id, item)| {
            update_one::<F>(transaction, &principal, *id, None, &item.attributes)
        })
    })?;
    Ok(Json(respond::<F>(&state, &principal, &ids, true)?))
}

async fn nested_bulk_delete<F: FolderKind>(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(organization_id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Document>, ApiError> {
    delete_many::<F>(&state, &principal, Some(path_id(&organization_id)?), &body)
}

async fn bulk_delete<F: FolderKind>(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    JsonBody(body): JsonBody,
) -> Result<Json<Document>, ApiError> {
    delete_many::<F>(&state, &principal, None, &body)
}

/// Deletes folders with their subfolders; their passwords stay, outside any folder.
fn delete_many<F: FolderKind>(
    state: &AppState,
    principal: &Principal,
    organization_id: Option<i64>,
    body: &serde_json::Value,
) -> Result<Json<Document>, ApiError> {
    principal.require_delete()?;
    let (items, _) = body::items(body)?;
    body::expect_type(&items, F::TYPE_NAME)?;
    let ids = body::bulk_ids(&items)?;
    let resources = state.store.try_write(|transaction| {
        ids.iter()
            .map(|id| {
                let folder = find::<F>(transaction, principal, *id, organization_id)?
                    .ok_or(ApiError::RecordNotFound)?;
                transaction.execute(&format!("DELETE FROM {} WHERE id = ?", F::TABLE), [id])?;
                folder.to_resource::<F>()
            })
            .collect::<Result<Vec<_>, ApiError>>()
    })?;
    Ok(Json(jsonapi::bulk(resources)))
}
