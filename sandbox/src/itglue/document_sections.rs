//! Document sections: `/documents/{id}/relationships/sections[/{section_id}]`.
//!
//! A section is one block of a document: `Document::Text`, `Document::Heading` (level
//! 1–6), `Document::Gallery` or `Document::Step` (optional duration). `content` is HTML
//! and is kept as written; `rendered-content` wraps it as the document shows it.

use axum::Json;
use axum::Router;
use axum::extract::{Extension, OriginalUri, Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

use super::access::Principal;
use super::body::{self, Attributes, JsonBody, pointer};
use super::documents;
use super::jsonapi::{self, ApiError, Document, Resource};
use super::listing::{self, Included, now, path_id};
use super::query::QueryParams;
use crate::state::AppState;
use crate::store::sql::Conditions;

const KIND: &str = "document-sections";
const TYPE_NAME: &str = "document_sections";
const RESOURCE_TYPES: &[&str] = &[
    "Document::Text",
    "Document::Heading",
    "Document::Gallery",
    "Document::Step",
];
const COLUMNS: &str = "id, document_id, resource_id, resource_type, content, level, duration, reset_count, sort, created_at, updated_at";
const TABLE: &str = "itglue_document_sections";
const SORTABLE: &[(&str, &str)] = &[
    ("sort", "sort"),
    ("id", "id"),
    ("created_at", "created_at"),
    ("updated_at", "updated_at"),
];
/// Section resources get ids of their own in IT Glue; here they follow the section id.
const RESOURCE_ID_OFFSET: i64 = 700_000;

struct Section {
    id: i64,
    document_id: i64,
    resource_id: i64,
    resource_type: String,
    content: Option<String>,
    level: Option<i64>,
    duration: Option<i64>,
    reset_count: Option<i64>,
    sort: i64,
    created_at: String,
    updated_at: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct SectionAttributes<'a> {
    document_id: i64,
    resource_id: i64,
    resource_type: &'a str,
    content: Option<&'a str>,
    rendered_content: String,
    level: Option<i64>,
    duration: Option<i64>,
    reset_count: Option<i64>,
    sort: i64,
    created_at: &'a str,
    updated_at: &'a str,
}

impl Section {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            document_id: row.get(1)?,
            resource_id: row.get(2)?,
            resource_type: row.get(3)?,
            content: row.get(4)?,
            level: row.get(5)?,
            duration: row.get(6)?,
            reset_count: row.get(7)?,
            sort: row.get(8)?,
            created_at: row.get(9)?,
            updated_at: row.get(10)?,
        })
    }

    /// The section as the document body shows it.
    fn rendered(&self) -> String {
        let content = self.content.as_deref().unwrap_or("");
        match self.resource_type.as_str() {
            "Document::Heading" => {
                let level = self.level.unwrap_or(1).clamp(1, 6);
                format!("<h{level}>{content}</h{level}>")
            }
            "Document::Step" => format!(r#"<div class="document-step">{content}</div>"#),
            "Document::Gallery" => format!(r#"<div class="document-gallery">{content}</div>"#),
            _ => content.to_owned(),
        }
    }

    fn to_resource(&self) -> Result<Resource, ApiError> {
        Resource::new(
            self.id,
            KIND,
            &SectionAttributes {
                document_id: self.document_id,
                resource_id: self.resource_id,
                resource_type: &self.resource_type,
                content: self.content.as_deref(),
                rendered_content: self.rendered(),
                level: self.level,
                duration: self.duration,
                reset_count: self.reset_count,
                sort: self.sort,
                created_at: &self.created_at,
                updated_at: &self.updated_at,
            },
        )
    }
}

fn for_document(connection: &Connection, document_id: i64) -> rusqlite::Result<Vec<Section>> {
    let mut statement = connection.prepare(&format!(
        "SELECT {COLUMNS} FROM {TABLE} WHERE document_id = ? ORDER BY sort, id"
    ))?;
    let sections = statement.query_map([document_id], Section::from_row)?;
    sections.collect()
}

/// The whole body of a document: its rendered sections in order.
pub fn body_html(connection: &Connection, document_id: i64) -> rusqlite::Result<String> {
    Ok(for_document(connection, document_id)?
        .iter()
        .map(Section::rendered)
        .collect())
}

/// Adds a section; the seed uses this too. Returns its id.
pub fn insert(
    connection: &Connection,
    document_id: i64,
    resource_type: &str,
    content: &str,
    level: Option<i64>,
    duration: Option<i64>,
) -> rusqlite::Result<i64> {
    let sort: i64 = connection.query_row(
        &format!("SELECT COALESCE(MAX(sort), 0) + 1 FROM {TABLE} WHERE document_id = ?"),
        [document_id],
        |row| row.get(0),
    )?;
    let stamp = now();
    connection.execute(
        &format!(
            "INSERT INTO {TABLE} (document_id, resource_id, resource_type, content, level, duration, reset_count, sort, created_at, updated_at)
             VALUES (?1, 0, ?2, ?3, ?4, ?5, NULL, ?6, ?7, ?7)"
        ),
        params![document_id, resource_type, content, level, duration, sort, stamp],
    )?;
    let id = connection.last_insert_rowid();
    connection.execute(
        &format!("UPDATE {TABLE} SET resource_id = ?2 WHERE id = ?1"),
        params![id, id + RESOURCE_ID_OFFSET],
    )?;
    Ok(id)
}

fn find(connection: &Connection, document_id: i64, id: i64) -> rusqlite::Result<Option<Section>> {
    connection
        .query_row(
            &format!("SELECT {COLUMNS} FROM {TABLE} WHERE id = ?1 AND document_id = ?2"),
            params![id, document_id],
            Section::from_row,
        )
        .optional()
}

/// The resource type, level and duration of a write, checked together.
fn validated(
    attributes: &Attributes,
    current: Option<&Section>,
) -> Result<(String, Option<i64>, Option<i64>), ApiError> {
    let resource_type = match attributes.text("resource_type")?.flatten() {
        Some(kind) => RESOURCE_TYPES
            .iter()
            .find(|known| **known == kind)
            .map(|known| (*known).to_owned())
            .ok_or_else(|| {
                ApiError::unprocessable(
                    format!("must be one of {}", RESOURCE_TYPES.join(", ")),
                    pointer("resource_type"),
                )
            })?,
        None => current
            .map(|section| section.resource_type.clone())
            .ok_or_else(|| ApiError::unprocessable("can't be blank", pointer("resource_type")))?,
    };
    let level = match attributes.integer("level")? {
        Some(level) => level,
        None => current.and_then(|section| section.level),
    };
    let duration = match attributes.integer("duration")? {
        Some(duration) => duration,
        None => current.and_then(|section| section.duration),
    };
    if resource_type == "Document::Heading" && !level.is_some_and(|level| (1..=6).contains(&level))
    {
        return Err(ApiError::unprocessable(
            "must be between 1 and 6 for a heading",
            pointer("level"),
        ));
    }
    if duration.is_some_and(|minutes| minutes < 0) {
        return Err(ApiError::unprocessable(
            "must not be negative",
            pointer("duration"),
        ));
    }
    let level = level.filter(|_| resource_type == "Document::Heading");
    let duration = duration.filter(|_| resource_type == "Document::Step");
    Ok((resource_type, level, duration))
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/documents/{id}/relationships/sections",
            get(index).post(create),
        )
        .route(
            "/documents/{id}/relationships/sections/{section_id}",
            get(show).patch(update).delete(destroy),
        )
}

fn visible(
    connection: &Connection,
    principal: &Principal,
    document_id: i64,
) -> Result<(), ApiError> {
    if documents::exists_for(connection, principal, document_id)? {
        Ok(())
    } else {
        Err(ApiError::RecordNotFound)
    }
}

async fn index(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(document_id): Path<String>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Document>, ApiError> {
    let document_id = path_id(&document_id)?;
    let query = QueryParams::parse(uri.query());
    let order = listing::order(&query, SORTABLE, "id")?;
    let mut conditions = Conditions::new();
    conditions.push("document_id = ?", &[document_id]);
    for name in ["id", "resource_type"] {
        if let Some(values) = query.filters.get(name) {
            conditions.any_of(name, values);
        }
    }
    let (total, sections) = state
        .store
        .read(|connection| {
            Ok(visible(connection, &principal, document_id).map(|()| {
                listing::select_page(
                    connection,
                    COLUMNS,
                    TABLE,
                    &conditions,
                    &order,
                    Some(query.page),
                    Section::from_row,
                )
            }))
        })??
        .map_err(ApiError::from)?;
    let resources = sections
        .iter()
        .map(Section::to_resource)
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
    Path((document_id, id)): Path<(String, String)>,
) -> Result<Json<Document>, ApiError> {
    let (document_id, id) = (path_id(&document_id)?, path_id(&id)?);
    let section = state
        .store
        .read(|connection| {
            Ok(visible(connection, &principal, document_id)
                .map(|()| find(connection, document_id, id)))
        })??
        .map_err(ApiError::from)?
        .ok_or(ApiError::RecordNotFound)?;
    Ok(Json(jsonapi::single(section.to_resource()?, None)))
}

async fn create(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(document_id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<Document>), ApiError> {
    principal.require_write()?;
    let document_id = path_id(&document_id)?;
    let item = body::single(&body)?;
    body::expect_type(std::slice::from_ref(&item), TYPE_NAME)?;
    let (resource_type, level, duration) = validated(&item.attributes, None)?;
    let content = item
        .attributes
        .text("content")?
        .flatten()
        .unwrap_or_default();
    let section = state.store.try_write(|transaction| {
        visible(transaction, &principal, document_id)?;
        let id = insert(
            transaction,
            document_id,
            &resource_type,
            &content,
            level,
            duration,
        )?;
        if let Some(sort) = item.attributes.integer("sort")?.flatten() {
            transaction.execute(
                &format!("UPDATE {TABLE} SET sort = ?2 WHERE id = ?1"),
                params![id, sort],
            )?;
        }
        documents::touch(transaction, document_id)?;
        find(transaction, document_id, id)?.ok_or(ApiError::RecordNotFound)
    })?;
    Ok((
        StatusCode::CREATED,
        Json(jsonapi::single(section.to_resource()?, None)),
    ))
}

async fn update(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path((document_id, id)): Path<(String, String)>,
    JsonBody(body): JsonBody,
) -> Result<Json<Document>, ApiError> {
    principal.require_write()?;
    let (document_id, id) = (path_id(&document_id)?, path_id(&id)?);
    let item = body::single(&body)?;
    body::expect_type(std::slice::from_ref(&item), TYPE_NAME)?;
    let section = state.store.try_write(|transaction| {
        visible(transaction, &principal, document_id)?;
        let current = find(transaction, document_id, id)?.ok_or(ApiError::RecordNotFound)?;
        let (resource_type, level, duration) = validated(&item.attributes, Some(&current))?;
        let content = item.attributes.text("content")?.unwrap_or(current.content);
        let sort = item.attributes.integer("sort")?.flatten().unwrap_or(current.sort);
        transaction.execute(
            &format!(
                "UPDATE {TABLE} SET resource_type = ?2, content = ?3, level = ?4, duration = ?5, sort = ?6, updated_at = ?7
                 WHERE id = ?1"
            ),
            params![id, resource_type, content, level, duration, sort, now()],
        )?;
        documents::touch(transaction, document_id)?;
        find(transaction, document_id, id)?.ok_or(ApiError::RecordNotFound)
    })?;
    Ok(Json(jsonapi::single(section.to_resource()?, None)))
}

async fn destroy(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path((document_id, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    principal.require_delete()?;
    let (document_id, id) = (path_id(&document_id)?, path_id(&id)?);
    state.store.try_write(|transaction| {
        visible(transaction, &principal, document_id)?;
        find(transaction, document_id, id)?.ok_or(ApiError::RecordNotFound)?;
        transaction.execute(&format!("DELETE FROM {TABLE} WHERE id = ?"), [id])?;
        Ok::<_, ApiError>(documents::touch(transaction, document_id)?)
    })?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn attributes(value: serde_json::Value) -> Attributes {
        match value {
            serde_json::Value::Object(map) => Attributes::new(map),
            _ => Attributes::default(),
        }
    }

    #[test]
    fn headings_need_a_level_and_types_are_closed() {
        assert!(
            validated(
                &attributes(json!({"resource_type": "Document::Heading"})),
                None
            )
            .is_err()
        );
        assert!(
            validated(
                &attributes(json!({"resource_type": "Document::Heading", "level": 7})),
                None
            )
            .is_err()
        );
        assert!(
            validated(
                &attributes(json!({"resource_type": "Document::Video"})),
                None
            )
            .is_err()
        );
        let step = validated(
            &attributes(json!({"resource_type": "Document::Step", "duration": 5, "level": 2})),
            None,
        );
        assert_eq!(
            step.ok(),
            Some(("Document::Step".to_owned(), None, Some(5)))
        );
    }
}
