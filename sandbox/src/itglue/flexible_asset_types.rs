//! Flexible asset types: `/flexible_asset_types[/{id}]`. GET, POST (fields may be
//! embedded as `relationships.flexible_asset_fields`), PATCH (relationships → 422); there
//! is no DELETE.

use axum::Json;
use axum::Router;
use axum::extract::{Extension, OriginalUri, Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;
use serde_json::Value;

use super::access::Principal;
use super::body::{self, Attributes, JsonBody, pointer};
use super::flexible_asset_fields::{self, Field};
use super::jsonapi::{self, ApiError, Document, Resource};
use super::listing::{self, Included, now, path_id};
use super::query::QueryParams;
use crate::state::AppState;
use crate::store::sql::Conditions;

const KIND: &str = "flexible-asset-types";
const TYPE_NAME: &str = "flexible_asset_types";
const INCLUDE_FIELDS: &str = "flexible_asset_fields";
const RELATIONSHIP: &str = "flexible-asset-fields";

const COLUMNS: &str = "id, name, description, created_at, updated_at, icon, show_in_menu, enabled";
const TABLE: &str = "itglue_flexible_asset_types";
const SORTABLE: &[(&str, &str)] = &[
    ("id", "id"),
    ("name", "name"),
    ("created_at", "created_at"),
    ("updated_at", "updated_at"),
];
const EXACT_FILTERS: &[&str] = &["id", "name", "icon"];

#[derive(Debug)]
pub struct AssetType {
    pub id: i64,
    pub name: String,
    description: Option<String>,
    created_at: String,
    updated_at: String,
    icon: Option<String>,
    show_in_menu: bool,
    enabled: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct TypeAttributes<'a> {
    name: &'a str,
    description: Option<&'a str>,
    created_at: &'a str,
    updated_at: &'a str,
    icon: Option<&'a str>,
    show_in_menu: bool,
    enabled: bool,
}

impl AssetType {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            name: row.get(1)?,
            description: row.get(2)?,
            created_at: row.get(3)?,
            updated_at: row.get(4)?,
            icon: row.get(5)?,
            show_in_menu: row.get(6)?,
            enabled: row.get(7)?,
        })
    }

    fn to_resource(&self) -> Result<Resource, ApiError> {
        Resource::new(
            self.id,
            KIND,
            &TypeAttributes {
                name: &self.name,
                description: self.description.as_deref(),
                created_at: &self.created_at,
                updated_at: &self.updated_at,
                icon: self.icon.as_deref(),
                show_in_menu: self.show_in_menu,
                enabled: self.enabled,
            },
        )
    }
}

pub fn find(connection: &Connection, id: i64) -> rusqlite::Result<Option<AssetType>> {
    connection
        .query_row(
            &format!("SELECT {COLUMNS} FROM {TABLE} WHERE id = ?"),
            [id],
            AssetType::from_row,
        )
        .optional()
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/flexible_asset_types", get(index).post(create))
        .route("/flexible_asset_types/{id}", get(show).patch(update))
}

/// Resources for types, with their fields related and included when asked for.
fn render(
    connection: &Connection,
    types: &[AssetType],
    with_fields: bool,
    included: &mut Included,
) -> Result<Vec<Resource>, ApiError> {
    types
        .iter()
        .map(|asset_type| {
            let mut resource = asset_type.to_resource()?;
            if with_fields {
                let fields = flexible_asset_fields::for_type(connection, asset_type.id)?;
                let related = fields
                    .iter()
                    .map(Field::to_resource)
                    .collect::<Result<Vec<_>, _>>()?;
                resource.relate_many(RELATIONSHIP, &related.iter().collect::<Vec<_>>());
                for field in &fields {
                    included.add(flexible_asset_fields::KIND, field.id, || {
                        field.to_resource()
                    })?;
                }
            }
            Ok(resource)
        })
        .collect()
}

async fn index(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Document>, ApiError> {
    let query = QueryParams::parse(uri.query());
    let order = listing::order(&query, SORTABLE, "id")?;
    let mut conditions = Conditions::new();
    for name in EXACT_FILTERS {
        if let Some(values) = query.filters.get(name) {
            conditions.any_of(name, values);
        }
    }
    if let Some(enabled) = query
        .filters
        .get("enabled")
        .and_then(|values| values.first())
    {
        conditions.push("enabled = ?", &[enabled == "true" || enabled == "1"]);
    }
    let with_fields = query.includes(INCLUDE_FIELDS);
    let mut included = Included::new(&query);
    let (total, resources) = state.store.read(|connection| {
        let (total, types) = listing::select_page(
            connection,
            COLUMNS,
            TABLE,
            &conditions,
            &order,
            Some(query.page),
            AssetType::from_row,
        )?;
        Ok((
            total,
            render(connection, &types, with_fields, &mut included),
        ))
    })?;
    Ok(Json(listing::page_document(
        &state, &uri, &query, total, resources?, included,
    )))
}

async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Document>, ApiError> {
    let query = QueryParams::parse(uri.query());
    respond(&state, path_id(&id)?, &query)
}

fn respond(state: &AppState, id: i64, query: &QueryParams) -> Result<Json<Document>, ApiError> {
    let mut included = Included::new(query);
    let with_fields = query.includes(INCLUDE_FIELDS);
    let mut resources = state
        .store
        .read(|connection| {
            let found = find(connection, id)?;
            Ok(found
                .map(|asset_type| render(connection, &[asset_type], with_fields, &mut included)))
        })?
        .ok_or(ApiError::RecordNotFound)??;
    let resource = resources.pop().ok_or(ApiError::RecordNotFound)?;
    Ok(Json(jsonapi::single(resource, included.finish())))
}

/// Creates the type and any embedded fields in one transaction; a field that breaks a
/// rule fails the whole request.
async fn create(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    OriginalUri(uri): OriginalUri,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<Document>), ApiError> {
    principal.require_manage()?;
    let item = body::single(&body)?;
    body::expect_type(std::slice::from_ref(&item), TYPE_NAME)?;
    let name = item.attributes.required_text("name")?;
    let embedded = embedded_fields(item.relationship_data(INCLUDE_FIELDS))?;
    let id = state.store.try_write(|transaction| {
        let stamp = now();
        transaction.execute(
            &format!(
                "INSERT INTO {TABLE} (name, description, icon, enabled, show_in_menu, created_at, updated_at)
                 VALUES (?1, NULL, NULL, 1, 1, ?2, ?2)"
            ),
            params![name, stamp],
        )?;
        let id = transaction.last_insert_rowid();
        apply(transaction, id, &item.attributes)?;
        let attributes: Vec<&Attributes> = embedded.iter().collect();
        flexible_asset_fields::create_all(transaction, id, &attributes)?;
        Ok::<_, ApiError>(id)
    })?;
    let query = QueryParams::parse(uri.query());
    respond(&state, id, &query).map(|json| (StatusCode::CREATED, json))
}

/// `relationships.flexible_asset_fields.data[{type, attributes}]`.
fn embedded_fields(data: Option<&Value>) -> Result<Vec<Attributes>, ApiError> {
    let Some(data) = data else {
        return Ok(Vec::new());
    };
    let elements = data.as_array().ok_or_else(|| {
        ApiError::unprocessable(
            "must be an array",
            "/data/relationships/flexible_asset_fields/data",
        )
    })?;
    elements
        .iter()
        .enumerate()
        .map(|(index, element)| match element.get("attributes") {
            Some(Value::Object(members)) => Ok(Attributes::new(members.clone())),
            _ => Err(ApiError::unprocessable(
                "attributes must be an object",
                format!("/data/relationships/flexible_asset_fields/data/{index}/attributes"),
            )),
        })
        .collect()
}

async fn update(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    OriginalUri(uri): OriginalUri,
    JsonBody(body): JsonBody,
) -> Result<Json<Document>, ApiError> {
    principal.require_manage()?;
    let id = path_id(&id)?;
    let item = body::single(&body)?;
    body::expect_type(std::slice::from_ref(&item), TYPE_NAME)?;
    if item.relationships().is_some() {
        return Err(ApiError::unprocessable(
            "relationships are not permitted in PATCH",
            "/data/relationships",
        ));
    }
    state.store.try_write(|transaction| {
        find(transaction, id)?.ok_or(ApiError::RecordNotFound)?;
        apply(transaction, id, &item.attributes)?;
        transaction.execute(
            &format!("UPDATE {TABLE} SET updated_at = ?2 WHERE id = ?1"),
            params![id, now()],
        )?;
        Ok::<_, ApiError>(())
    })?;
    respond(&state, id, &QueryParams::parse(uri.query()))
}

/// Writes the attributes present; absent ones keep their value.
fn apply(connection: &Connection, id: i64, attributes: &Attributes) -> Result<(), ApiError> {
    if attributes.contains("name") {
        let name = attributes.required_text("name")?;
        connection.execute(
            &format!("UPDATE {TABLE} SET name = ?2 WHERE id = ?1"),
            params![id, name],
        )?;
    }
    for column in ["description", "icon"] {
        if let Some(value) = attributes.text(column)? {
            connection.execute(
                &format!("UPDATE {TABLE} SET {column} = ?2 WHERE id = ?1"),
                params![id, value],
            )?;
        }
    }
    for column in ["enabled", "show_in_menu"] {
        if let Some(value) = attributes.flag(column)? {
            connection.execute(
                &format!("UPDATE {TABLE} SET {column} = ?2 WHERE id = ?1"),
                params![id, value],
            )?;
        }
    }
    if attributes.contains("id") && attributes.integer("id")?.flatten() != Some(id) {
        return Err(ApiError::unprocessable(
            "does not match the URL",
            pointer("id"),
        ));
    }
    Ok(())
}
