//! Password categories: `/password_categories[/{id}]`, GET, POST and PATCH (no DELETE).
//! Categories are account-wide.

use axum::Json;
use axum::Router;
use axum::extract::{Extension, OriginalUri, Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

use super::access::Principal;
use super::body::{self, JsonBody};
use super::jsonapi::{self, ApiError, Document, Resource};
use super::listing::{self, Included, now, path_id};
use super::query::QueryParams;
use crate::state::AppState;
use crate::store::sql::Conditions;

const KIND: &str = "password-categories";
const TYPE_NAME: &str = "password_categories";
const COLUMNS: &str = "c.id, c.name, c.created_at, c.updated_at,
    (SELECT COUNT(*) FROM itglue_passwords p WHERE p.password_category_id = c.id)";
const FROM: &str = "itglue_password_categories c";
const SORTABLE: &[(&str, &str)] = &[
    ("name", "c.name"),
    ("created_at", "c.created_at"),
    ("updated_at", "c.updated_at"),
];

struct Category {
    id: i64,
    name: String,
    created_at: String,
    updated_at: String,
    passwords_count: i64,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct CategoryAttributes<'a> {
    name: &'a str,
    created_at: &'a str,
    updated_at: &'a str,
    passwords_count: i64,
}

impl Category {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            name: row.get(1)?,
            created_at: row.get(2)?,
            updated_at: row.get(3)?,
            passwords_count: row.get(4)?,
        })
    }

    fn to_resource(&self) -> Result<Resource, ApiError> {
        Resource::new(
            self.id,
            KIND,
            &CategoryAttributes {
                name: &self.name,
                created_at: &self.created_at,
                updated_at: &self.updated_at,
                passwords_count: self.passwords_count,
            },
        )
    }
}

pub fn exists(connection: &Connection, id: i64) -> rusqlite::Result<bool> {
    connection.query_row(
        "SELECT EXISTS (SELECT 1 FROM itglue_password_categories WHERE id = ?)",
        [id],
        |row| row.get(0),
    )
}

pub fn insert(connection: &Connection, name: &str) -> rusqlite::Result<i64> {
    let stamp = now();
    connection.execute(
        "INSERT INTO itglue_password_categories (name, created_at, updated_at) VALUES (?1, ?2, ?2)",
        params![name.trim(), stamp],
    )?;
    Ok(connection.last_insert_rowid())
}

fn find(connection: &Connection, id: i64) -> rusqlite::Result<Option<Category>> {
    connection
        .query_row(
            &format!("SELECT {COLUMNS} FROM {FROM} WHERE c.id = ?"),
            [id],
            Category::from_row,
        )
        .optional()
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/password_categories", get(index).post(create))
        .route("/password_categories/{id}", get(show).patch(update))
}

async fn index(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Document>, ApiError> {
    let query = QueryParams::parse(uri.query());
    let order = listing::order(&query, SORTABLE, "c.id")?;
    let mut conditions = Conditions::new();
    if let Some(names) = query.filters.get("name") {
        conditions.any_of("c.name", names);
    }
    let (total, categories) = state.store.read(|connection| {
        listing::select_page(
            connection,
            COLUMNS,
            FROM,
            &conditions,
            &order,
            Some(query.page),
            Category::from_row,
        )
    })?;
    let resources = categories
        .iter()
        .map(Category::to_resource)
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
    Path(id): Path<String>,
) -> Result<Json<Document>, ApiError> {
    let id = path_id(&id)?;
    let category = state
        .store
        .read(|connection| find(connection, id))?
        .ok_or(ApiError::RecordNotFound)?;
    Ok(Json(jsonapi::single(category.to_resource()?, None)))
}

async fn create(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<Document>), ApiError> {
    principal.require_manage()?;
    let item = body::single(&body)?;
    body::expect_type(std::slice::from_ref(&item), TYPE_NAME)?;
    let name = item.attributes.required_text("name")?;
    let category = state.store.try_write(|transaction| {
        let id = insert(transaction, &name)?;
        find(transaction, id)?.ok_or(ApiError::RecordNotFound)
    })?;
    Ok((
        StatusCode::CREATED,
        Json(jsonapi::single(category.to_resource()?, None)),
    ))
}

async fn update(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Document>, ApiError> {
    principal.require_manage()?;
    let id = path_id(&id)?;
    let item = body::single(&body)?;
    body::expect_type(std::slice::from_ref(&item), TYPE_NAME)?;
    let category = state.store.try_write(|transaction| {
        find(transaction, id)?.ok_or(ApiError::RecordNotFound)?;
        if item.attributes.contains("name") {
            let name = item.attributes.required_text("name")?;
            transaction.execute(
                "UPDATE itglue_password_categories SET name = ?2, updated_at = ?3 WHERE id = ?1",
                params![id, name.trim(), now()],
            )?;
        }
        find(transaction, id)?.ok_or(ApiError::RecordNotFound)
    })?;
    Ok(Json(jsonapi::single(category.to_resource()?, None)))
}
