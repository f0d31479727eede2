//! `/organizations`: index and show.

use axum::Json;
use axum::extract::{Extension, OriginalUri, Path, State};
use rusqlite::{Connection, OptionalExtension, Row};
use serde::Serialize;

use super::access::Principal;
use super::adapters::{self, AdapterResource};
use super::jsonapi::{self, ApiError, Document, Resource};
use super::organization_filters;
use super::organization_writes::purge_due;
use super::paging::{PageInfo, PageRequest};
use super::query::{Filters, QueryParams, order_by};
use crate::state::AppState;
use crate::store::sql::{self, Conditions};

const KIND: &str = "organizations";
const ADAPTER_RESOURCE_TYPE: &str = "Organization";
/// The index shortens quick notes to this many characters; show returns them whole.
const INDEX_QUICK_NOTES_LIMIT: usize = 250;

const FROM: &str = "itglue_organizations o
    LEFT JOIN itglue_organization_types t ON t.id = o.organization_type_id
    LEFT JOIN itglue_organization_statuses s ON s.id = o.organization_status_id";
const COLUMNS: &str = "o.id, o.name, o.alert, o.description, o.organization_type_id, t.name,
    o.organization_status_id, s.name, o.is_primary, o.logo, o.quick_notes, o.short_name,
    o.created_at, o.updated_at, o.parent_id, o.psa_integration";

const SORTABLE: &[(&str, &str)] = &[
    ("name", "o.name"),
    ("id", "o.id"),
    ("updated_at", "o.updated_at"),
    ("created_at", "o.created_at"),
    ("short_name", "o.short_name"),
    ("my_glue_account_id", "o.my_glue_account_id"),
    ("organization_status_name", "s.name"),
    ("organization_type_name", "t.name"),
];

#[derive(Debug, Clone)]
pub struct Organization {
    pub id: i64,
    pub name: String,
    pub alert: Option<String>,
    pub description: Option<String>,
    pub type_id: Option<i64>,
    pub type_name: Option<String>,
    pub status_id: Option<i64>,
    pub status_name: Option<String>,
    pub primary: bool,
    pub logo: Option<String>,
    pub quick_notes: Option<String>,
    pub short_name: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub parent_id: Option<i64>,
    pub psa_integration: Option<String>,
    /// Root first; filled in after the row is read.
    pub ancestor_ids: Vec<i64>,
}

impl Organization {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            name: row.get(1)?,
            alert: row.get(2)?,
            description: row.get(3)?,
            type_id: row.get(4)?,
            type_name: row.get(5)?,
            status_id: row.get(6)?,
            status_name: row.get(7)?,
            primary: row.get(8)?,
            logo: row.get(9)?,
            quick_notes: row.get(10)?,
            short_name: row.get(11)?,
            created_at: row.get(12)?,
            updated_at: row.get(13)?,
            parent_id: row.get(14)?,
            psa_integration: row.get(15)?,
            ancestor_ids: Vec::new(),
        })
    }

    /// The IT Glue web page of the organization.
    pub fn resource_url(&self, itglue_web: &str) -> String {
        format!("{itglue_web}/{}", self.id)
    }

    pub fn to_resource(
        &self,
        itglue_web: &str,
        truncate_notes: bool,
    ) -> Result<Resource, ApiError> {
        let quick_notes = self.quick_notes.as_deref().map(|notes| {
            if truncate_notes {
                notes.chars().take(INDEX_QUICK_NOTES_LIMIT).collect()
            } else {
                notes.to_owned()
            }
        });
        let ancestors: Vec<String> = self.ancestor_ids.iter().map(i64::to_string).collect();
        let attributes = Attributes {
            name: &self.name,
            alert: self.alert.as_deref(),
            description: self.description.as_deref(),
            organization_type_id: self.type_id,
            organization_type_name: self.type_name.as_deref(),
            organization_status_id: self.status_id,
            organization_status_name: self.status_name.as_deref(),
            primary: self.primary,
            logo: self.logo.as_deref(),
            quick_notes,
            short_name: self.short_name.as_deref(),
            created_at: &self.created_at,
            updated_at: &self.updated_at,
            parent_id: self.parent_id.map(|id| id.to_string()),
            ancestor_ids: format!("[{}]", ancestors.join(",")),
            psa_integration: self.psa_integration.as_deref(),
            resource_url: self.resource_url(itglue_web),
        };
        Resource::new(self.id, KIND, &attributes)
    }
}

/// Every documented attribute, present even when null.
#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Attributes<'a> {
    name: &'a str,
    alert: Option<&'a str>,
    description: Option<&'a str>,
    organization_type_id: Option<i64>,
    organization_type_name: Option<&'a str>,
    organization_status_id: Option<i64>,
    organization_status_name: Option<&'a str>,
    primary: bool,
    logo: Option<&'a str>,
    quick_notes: Option<String>,
    short_name: Option<&'a str>,
    created_at: &'a str,
    updated_at: &'a str,
    /// A string, unlike the integer foreign keys, as the real API sends it.
    parent_id: Option<String>,
    /// A string holding a JSON-like list, e.g. "[1,6]".
    ancestor_ids: String,
    psa_integration: Option<&'a str>,
    resource_url: String,
}

pub async fn index(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Document>, ApiError> {
    let query = QueryParams::parse(uri.query());
    let order = order_by(query.sort.as_deref(), SORTABLE, "o.id")
        .map_err(|unknown| ApiError::InvalidSort(unknown.0))?;
    purge_due(&state)?;
    let mut conditions = conditions(&query.filters)?;
    principal.restrict_organizations(&mut conditions, "o.id");
    let with_adapters = query.includes(adapters::INCLUDE_NAME);
    let (total, organizations, adapter_rows) = state.store.read(|connection| {
        let total = sql::count(connection, FROM, &conditions)?;
        let organizations = select(connection, &conditions, &order, Some(query.page))?;
        let adapter_rows = load_adapters(connection, &organizations, with_adapters)?;
        Ok((total, organizations, adapter_rows))
    })?;
    let mut resources = organizations
        .iter()
        .map(|org| Ok((org.id, org.to_resource(&state.urls.itglue_web, true)?)))
        .collect::<Result<Vec<_>, ApiError>>()?;
    let included = adapter_rows
        .map(|rows| adapters::attach(&mut resources, &rows))
        .transpose()?;
    let page = PageInfo::new(query.page, total);
    let links = page.links(
        &format!("{}{}", state.urls.itglue_api, uri.path()),
        query.non_page_pairs(),
    );
    let resources = resources.into_iter().map(|(_, r)| r).collect();
    Ok(Json(jsonapi::collection(resources, included, page, links)))
}

pub async fn show(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Document>, ApiError> {
    let id: i64 = id.parse().map_err(|_| ApiError::RecordNotFound)?;
    purge_due(&state)?;
    if !principal.can_see_org(id) {
        return Err(ApiError::RecordNotFound);
    }
    let query = QueryParams::parse(uri.query());
    let with_adapters = query.includes(adapters::INCLUDE_NAME);
    let (organization, adapter_rows) = state.store.read(|connection| {
        let Some(organization) = find(connection, id)? else {
            return Ok((None, None));
        };
        let rows = load_adapters(
            connection,
            std::slice::from_ref(&organization),
            with_adapters,
        )?;
        Ok((Some(organization), rows))
    })?;
    let organization = organization.ok_or(ApiError::RecordNotFound)?;
    let mut resources = [(
        organization.id,
        organization.to_resource(&state.urls.itglue_web, false)?,
    )];
    let included = adapter_rows
        .map(|rows| adapters::attach(&mut resources, &rows))
        .transpose()?;
    let [(_, resource)] = resources;
    Ok(Json(jsonapi::single(resource, included)))
}

/// One organization by id, with its ancestors.
pub fn find(connection: &Connection, id: i64) -> rusqlite::Result<Option<Organization>> {
    let mut conditions = Conditions::new();
    conditions.push("o.id = ?", &[id]);
    let mut found = select(connection, &conditions, " ORDER BY o.id", None)?;
    Ok(found.pop())
}

/// The documented filters; see [`organization_filters`].
fn conditions(filters: &Filters) -> Result<Conditions, ApiError> {
    organization_filters::conditions(filters)
}

fn select(
    connection: &Connection,
    conditions: &Conditions,
    order: &str,
    page: Option<PageRequest>,
) -> rusqlite::Result<Vec<Organization>> {
    let mut sql = format!(
        "SELECT {COLUMNS} FROM {FROM}{}{order}",
        conditions.where_sql()
    );
    let mut params = conditions.params().to_vec();
    if let Some(page) = page {
        let (limit, offset) = page.limit_offset();
        sql.push_str(" LIMIT ? OFFSET ?");
        params.extend([limit.into(), offset.into()]);
    }
    let mut statement = connection.prepare(&sql)?;
    let mut organizations = statement
        .query_map(rusqlite::params_from_iter(params), Organization::from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for organization in &mut organizations {
        organization.ancestor_ids = ancestors(connection, organization.parent_id)?;
    }
    Ok(organizations)
}

/// Walks `parent_id` up to the root; the depth cap guards against a cycle in edited data.
fn ancestors(connection: &Connection, parent_id: Option<i64>) -> rusqlite::Result<Vec<i64>> {
    const MAX_DEPTH: usize = 32;
    let mut chain = Vec::new();
    let mut next = parent_id;
    while let Some(id) = next.filter(|_| chain.len() < MAX_DEPTH) {
        chain.push(id);
        next = connection
            .query_row(
                "SELECT parent_id FROM itglue_organizations WHERE id = ?",
                [id],
                |row| row.get::<_, Option<i64>>(0),
            )
            .optional()?
            .flatten();
    }
    chain.reverse();
    Ok(chain)
}

fn load_adapters(
    connection: &Connection,
    organizations: &[Organization],
    wanted: bool,
) -> rusqlite::Result<Option<Vec<AdapterResource>>> {
    if !wanted {
        return Ok(None);
    }
    let ids: Vec<i64> = organizations.iter().map(|org| org.id).collect();
    adapters::for_resources(connection, ADAPTER_RESOURCE_TYPE, &ids).map(Some)
}
