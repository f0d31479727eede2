//! Simple named lookups (`organization_types`, `organization_statuses`): name plus
//! timestamps, exact-match `filter[name]`, the same paging as every list.

use axum::Json;
use axum::extract::{OriginalUri, Path, State};
use axum::http::Uri;
use rusqlite::Connection;
use serde::Serialize;

use super::jsonapi::{self, ApiError, Document, Resource};
use super::paging::PageInfo;
use super::query::{QueryParams, order_by};
use crate::state::AppState;
use crate::store::sql::{self, Conditions};

#[derive(Debug, Clone, Copy)]
pub struct Catalog {
    table: &'static str,
    kind: &'static str,
}

const ORGANIZATION_TYPES: Catalog = Catalog {
    table: "itglue_organization_types",
    kind: "organization-types",
};

const ORGANIZATION_STATUSES: Catalog = Catalog {
    table: "itglue_organization_statuses",
    kind: "organization-statuses",
};

/// The read-only catalogs behind configurations and contacts (name and timestamps).
pub const CATALOGS: &[(&str, Catalog)] = &[
    (
        "configuration_types",
        catalog("itglue_configuration_types", "configuration-types"),
    ),
    (
        "configuration_statuses",
        catalog("itglue_configuration_statuses", "configuration-statuses"),
    ),
    (
        "contact_types",
        catalog("itglue_contact_types", "contact-types"),
    ),
    (
        "manufacturers",
        catalog("itglue_manufacturers", "manufacturers"),
    ),
    ("models", catalog("itglue_models", "models")),
    (
        "operating_systems",
        catalog("itglue_operating_systems", "operating-systems"),
    ),
    ("platforms", catalog("itglue_platforms", "platforms")),
];

const fn catalog(table: &'static str, kind: &'static str) -> Catalog {
    Catalog { table, kind }
}

const SORTABLE: &[(&str, &str)] = &[
    ("name", "name"),
    ("id", "id"),
    ("created_at", "created_at"),
    ("updated_at", "updated_at"),
];

struct Entry {
    id: i64,
    name: String,
    created_at: String,
    updated_at: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Attributes<'a> {
    name: &'a str,
    created_at: &'a str,
    updated_at: &'a str,
}

impl Entry {
    fn to_resource(&self, kind: &'static str) -> Result<Resource, ApiError> {
        let attributes = Attributes {
            name: &self.name,
            created_at: &self.created_at,
            updated_at: &self.updated_at,
        };
        Resource::new(self.id, kind, &attributes)
    }
}

impl Catalog {
    pub fn index(self, state: AppState, uri: Uri) -> Result<Json<Document>, ApiError> {
        let query = QueryParams::parse(uri.query());
        let order = order_by(query.sort.as_deref(), SORTABLE, "id")
            .map_err(|unknown| ApiError::InvalidSort(unknown.0))?;
        let mut conditions = Conditions::new();
        if let Some(names) = query.filters.get("name") {
            conditions.any_of("name", names);
        }
        let (limit, offset) = query.page.limit_offset();
        let (total, entries) = state.store.read(|connection| {
            let total = sql::count(connection, self.table, &conditions)?;
            let mut params = conditions.params().to_vec();
            params.extend([limit.into(), offset.into()]);
            let sql = format!("{}{order} LIMIT ? OFFSET ?", self.select_sql(&conditions));
            Ok((total, query_entries(connection, &sql, params)?))
        })?;
        let resources = entries
            .iter()
            .map(|entry| entry.to_resource(self.kind))
            .collect::<Result<Vec<_>, _>>()?;
        let page = PageInfo::new(query.page, total);
        let links = page.links(
            &format!("{}{}", state.urls.itglue_api, uri.path()),
            query.non_page_pairs(),
        );
        Ok(Json(jsonapi::collection(resources, None, page, links)))
    }

    pub fn show(self, state: AppState, id: &str) -> Result<Json<Document>, ApiError> {
        let id: i64 = id.parse().map_err(|_| ApiError::RecordNotFound)?;
        let mut conditions = Conditions::new();
        conditions.push("id = ?", &[id]);
        let sql = self.select_sql(&conditions);
        let mut entries = state
            .store
            .read(|connection| query_entries(connection, &sql, conditions.params().to_vec()))?;
        let entry = entries.pop().ok_or(ApiError::RecordNotFound)?;
        Ok(Json(jsonapi::single(entry.to_resource(self.kind)?, None)))
    }

    fn select_sql(self, conditions: &Conditions) -> String {
        format!(
            "SELECT id, name, created_at, updated_at FROM {}{}",
            self.table,
            conditions.where_sql()
        )
    }
}

fn query_entries(
    connection: &Connection,
    sql: &str,
    params: Vec<rusqlite::types::Value>,
) -> rusqlite::Result<Vec<Entry>> {
    let mut statement = connection.prepare(sql)?;
    let rows = statement.query_map(rusqlite::params_from_iter(params), |row| {
        Ok(Entry {
            id: row.get(0)?,
            name: row.get(1)?,
            created_at: row.get(2)?,
            updated_at: row.get(3)?,
        })
    })?;
    rows.collect()
}

pub async fn organization_types(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Document>, ApiError> {
    ORGANIZATION_TYPES.index(state, uri)
}

pub async fn organization_type(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Document>, ApiError> {
    ORGANIZATION_TYPES.show(state, &id)
}

pub async fn organization_statuses(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Document>, ApiError> {
    ORGANIZATION_STATUSES.index(state, uri)
}

pub async fn organization_status(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Document>, ApiError> {
    ORGANIZATION_STATUSES.show(state, &id)
}
