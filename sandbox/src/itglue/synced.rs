//! The routes every PSA-synced record type shares (locations, contacts, configurations):
//! index and show, top-level and nested under an organization, single create and PATCH,
//! nested bulk create, top-level bulk PATCH and DELETE. Each type supplies its SQL, its
//! attributes and its writes through [`Synced`].
//!
//! Rules from the docs: bulk create only on the nested route; no bulk update and no
//! filtering there; top-level bulk bodies are `data:[{type, attributes:{id, …}}]`.

use std::collections::HashSet;

use axum::Json;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use rusqlite::{Connection, Row, Transaction};

use super::adapters;
use super::body::{self, Item, JsonBody};
use super::jsonapi::{self, ApiError, Document, Resource};
use super::listing::{order, path_id, select_page};
use super::paging::PageInfo;
use super::psa::{self, Lock};
use super::query::{Filters, QueryParams};
use crate::state::AppState;
use crate::store::sql::{Conditions, placeholders};

/// A resource related through `include`, owned by one primary record.
pub struct Related {
    pub owner: i64,
    pub relationship: &'static str,
    pub kind: &'static str,
    pub id: i64,
    pub resource: Resource,
}

pub trait Synced: Sized + Send + 'static {
    /// The response `type` (kebab plural) and its snake form, checked on input.
    const KIND: &'static str;
    const SNAKE_KIND: &'static str;
    /// The `resource_type` of its `adapters_resources` rows.
    const ADAPTER_TYPE: &'static str;
    const TABLE: &'static str;
    /// `x.id` and `x.organization_id` in [`Self::FROM`].
    const ID_COLUMN: &'static str;
    const ORG_COLUMN: &'static str;
    const FROM: &'static str;
    const COLUMNS: &'static str;
    const SORTABLE: &'static [(&'static str, &'static str)];
    const LOCK: Lock;
    /// Configurations reject `relationships` in a PATCH.
    const PATCH_TAKES_RELATIONSHIPS: bool;

    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self>;
    fn id(&self) -> i64;
    fn psa_integration(&self) -> Option<&str>;
    fn resource(&self, state: &AppState) -> Result<Resource, ApiError>;
    /// The documented filters other than the shared `id`, `organization_id` and PSA ones.
    fn filter(filters: &Filters, conditions: &mut Conditions);
    /// Related resources for `include` names other than `adapters_resources`.
    fn related(
        state: &AppState,
        records: &[Self],
        query: &QueryParams,
    ) -> Result<Vec<Related>, ApiError>;
    /// The relationship names (kebab) the query asked for, beyond `adapters-resources`.
    fn relationships(query: &QueryParams) -> Vec<&'static str>;
    /// Creates a record in the organization; returns its id.
    fn insert(
        state: &AppState,
        transaction: &Transaction<'_>,
        organization_id: i64,
        item: &Item<'_>,
    ) -> Result<i64, ApiError>;
    /// Applies a PATCH to an existing record (the PSA lock is already checked).
    fn update(
        state: &AppState,
        transaction: &Transaction<'_>,
        record: &Self,
        item: &Item<'_>,
    ) -> Result<(), ApiError>;
}

/// `GET /<kind>`: the documented filters, sort, paging and includes.
pub async fn index<K: Synced>(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Document>, ApiError> {
    list::<K>(&state, &uri, None)
}

/// `GET /organizations/{org}/relationships/<kind>`: filtering is not possible here.
pub async fn nested_index<K: Synced>(
    State(state): State<AppState>,
    Path(org): Path<String>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Document>, ApiError> {
    let org = existing_org(&state, &org)?;
    list::<K>(&state, &uri, Some(org))
}

pub async fn show<K: Synced>(
    State(state): State<AppState>,
    Path(id): Path<String>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Document>, ApiError> {
    one::<K>(&state, &uri, path_id(&id)?, None)
}

pub async fn nested_show<K: Synced>(
    State(state): State<AppState>,
    Path((org, id)): Path<(String, String)>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Document>, ApiError> {
    one::<K>(&state, &uri, path_id(&id)?, Some(path_id(&org)?))
}

/// `POST /<kind>`: one record; `organization_id` is required and an array is refused.
pub async fn create<K: Synced>(
    State(state): State<AppState>,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let (items, bulk) = body::items(&body)?;
    if bulk {
        return Err(ApiError::unprocessable(
            "Bulk creation works only with nested route",
            "/data",
        ));
    }
    body::expect_type(&items, K::SNAKE_KIND)?;
    let ids = state.store.try_write(|transaction| {
        items
            .iter()
            .map(|item| {
                let org = organization_id(transaction, item)?;
                K::insert(&state, transaction, org, item)
            })
            .collect::<Result<Vec<_>, ApiError>>()
    })?;
    created::<K>(&state, &ids, false)
}

/// `POST /organizations/{org}/relationships/<kind>`: one record or an array of them.
pub async fn nested_create<K: Synced>(
    State(state): State<AppState>,
    Path(org): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let org = existing_org(&state, &org)?;
    let (items, bulk) = body::items(&body)?;
    body::expect_type(&items, K::SNAKE_KIND)?;
    let ids = state.store.try_write(|transaction| {
        items
            .iter()
            .map(|item| K::insert(&state, transaction, org, item))
            .collect::<Result<Vec<_>, ApiError>>()
    })?;
    created::<K>(&state, &ids, bulk)
}

/// `PATCH /<kind>/{id}`.
pub async fn update<K: Synced>(
    State(state): State<AppState>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Document>, ApiError> {
    patch_one::<K>(&state, path_id(&id)?, None, &body)
}

/// `PATCH /organizations/{org}/relationships/<kind>/{id}`.
pub async fn nested_update<K: Synced>(
    State(state): State<AppState>,
    Path((org, id)): Path<(String, String)>,
    JsonBody(body): JsonBody,
) -> Result<Json<Document>, ApiError> {
    patch_one::<K>(&state, path_id(&id)?, Some(path_id(&org)?), &body)
}

/// `PATCH /organizations/{org}/relationships/<kind>`: not supported, as documented.
pub async fn nested_bulk_update() -> ApiError {
    ApiError::BadRequest {
        detail: "Bulk updates using a nested relationships route are not supported".to_owned(),
        parameter: None,
    }
}

/// `PATCH /<kind>` with `data:[{type, attributes:{id, …}}]`.
pub async fn bulk_update<K: Synced>(
    State(state): State<AppState>,
    JsonBody(body): JsonBody,
) -> Result<Json<Document>, ApiError> {
    let items = bulk_items::<K>(&body)?;
    let ids = body::bulk_ids(&items)?;
    state.store.try_write(|transaction| {
        for (item, id) in items.iter().zip(&ids) {
            apply_patch::<K>(&state, transaction, *id, None, item)?;
        }
        Ok::<_, ApiError>(())
    })?;
    let records = load::<K>(&state, &ids)?;
    Ok(Json(jsonapi::bulk(resources(&state, &records)?)))
}

/// `DELETE /<kind>` with `data:[{type, attributes:{id}}]`: answers with the deleted records.
pub async fn bulk_delete<K: Synced>(
    State(state): State<AppState>,
    JsonBody(body): JsonBody,
) -> Result<Json<Document>, ApiError> {
    let items = bulk_items::<K>(&body)?;
    let ids = body::bulk_ids(&items)?;
    let records = load::<K>(&state, &ids)?;
    if records.len() != ids.len() {
        return Err(ApiError::RecordNotFound);
    }
    let deleted = resources(&state, &records)?;
    state.store.write(|transaction| {
        for id in &ids {
            delete_row::<K>(transaction, *id)?;
        }
        Ok(())
    })?;
    Ok(Json(jsonapi::bulk(deleted)))
}

fn delete_row<K: Synced>(connection: &Connection, id: i64) -> rusqlite::Result<()> {
    adapters::delete_for(connection, K::ADAPTER_TYPE, &[id])?;
    connection.execute(&format!("DELETE FROM {} WHERE id = ?1", K::TABLE), [id])?;
    Ok(())
}

fn bulk_items<K: Synced>(body: &serde_json::Value) -> Result<Vec<Item<'_>>, ApiError> {
    let (items, bulk) = body::items(body)?;
    if !bulk {
        return Err(ApiError::unprocessable("data must be an array", "/data"));
    }
    body::expect_type(&items, K::SNAKE_KIND)?;
    Ok(items)
}

fn patch_one<K: Synced>(
    state: &AppState,
    id: i64,
    org: Option<i64>,
    body: &serde_json::Value,
) -> Result<Json<Document>, ApiError> {
    let item = body::single(body)?;
    body::expect_type(std::slice::from_ref(&item), K::SNAKE_KIND)?;
    state
        .store
        .try_write(|transaction| apply_patch::<K>(state, transaction, id, org, &item))?;
    let record = load::<K>(state, &[id])?
        .pop()
        .ok_or(ApiError::RecordNotFound)?;
    Ok(Json(jsonapi::single(record.resource(state)?, None)))
}

fn apply_patch<K: Synced>(
    state: &AppState,
    transaction: &Transaction<'_>,
    id: i64,
    org: Option<i64>,
    item: &Item<'_>,
) -> Result<(), ApiError> {
    if !K::PATCH_TAKES_RELATIONSHIPS && item.relationships().is_some() {
        return Err(ApiError::unprocessable(
            "relationships are not permitted in PATCH",
            "/data/relationships",
        ));
    }
    let record = select::<K>(transaction, &id_conditions::<K>(&[id], org))?
        .pop()
        .ok_or(ApiError::RecordNotFound)?;
    psa::check(
        state,
        transaction,
        record.psa_integration(),
        K::LOCK,
        &item.attributes,
    )?;
    K::update(state, transaction, &record, item)
}

/// `organization_id` of a top-level create: required and existing, with the error body
/// seen in the field (no detail, a pointer without the leading `/`).
fn organization_id(connection: &Connection, item: &Item<'_>) -> Result<i64, ApiError> {
    let invalid = || ApiError::Unprocessable {
        title: "Valid organization_id is required".to_owned(),
        detail: None,
        pointer: Some("data/attributes/organization_id".to_owned()),
    };
    let id = item
        .attributes
        .integer("organization_id")
        .ok()
        .flatten()
        .flatten()
        .ok_or_else(invalid)?;
    if super::fields::exists(connection, "itglue_organizations", id)? {
        Ok(id)
    } else {
        Err(invalid())
    }
}

fn existing_org(state: &AppState, org: &str) -> Result<i64, ApiError> {
    let id = path_id(org)?;
    let found = state
        .store
        .read(|connection| super::fields::exists(connection, "itglue_organizations", id))?;
    found.then_some(id).ok_or(ApiError::RecordNotFound)
}

fn created<K: Synced>(state: &AppState, ids: &[i64], bulk: bool) -> Result<Response, ApiError> {
    let records = load::<K>(state, ids)?;
    let mut resources = resources(state, &records)?;
    let document = if bulk {
        jsonapi::bulk(resources)
    } else {
        let resource = resources.pop().ok_or(ApiError::RecordNotFound)?;
        jsonapi::single(resource, None)
    };
    Ok((StatusCode::CREATED, Json(document)).into_response())
}

fn resources<K: Synced>(state: &AppState, records: &[K]) -> Result<Vec<Resource>, ApiError> {
    records
        .iter()
        .map(|record| record.resource(state))
        .collect()
}

fn id_conditions<K: Synced>(ids: &[i64], org: Option<i64>) -> Conditions {
    let mut conditions = Conditions::new();
    conditions.any_of(K::ID_COLUMN, ids);
    if let Some(org) = org {
        conditions.push(&format!("{} = ?", K::ORG_COLUMN), &[org]);
    }
    conditions
}

/// Records by id, in the order asked.
pub fn load<K: Synced>(state: &AppState, ids: &[i64]) -> Result<Vec<K>, ApiError> {
    let mut found = state
        .store
        .read(|connection| select::<K>(connection, &id_conditions::<K>(ids, None)))?;
    found.sort_by_key(|record| ids.iter().position(|id| *id == record.id()));
    Ok(found)
}

pub fn select<K: Synced>(
    connection: &Connection,
    conditions: &Conditions,
) -> rusqlite::Result<Vec<K>> {
    select_page(
        connection,
        K::COLUMNS,
        K::FROM,
        conditions,
        &format!(" ORDER BY {}", K::ID_COLUMN),
        None,
        K::from_row,
    )
    .map(|(_, records)| records)
}

fn list<K: Synced>(
    state: &AppState,
    uri: &Uri,
    org: Option<i64>,
) -> Result<Json<Document>, ApiError> {
    let query = QueryParams::parse(uri.query());
    let order = order(&query, K::SORTABLE, K::ID_COLUMN)?;
    let mut conditions = Conditions::new();
    match org {
        Some(org) => conditions.push(&format!("{} = ?", K::ORG_COLUMN), &[org]),
        None => shared_filters::<K>(&query.filters, &mut conditions),
    }
    let (total, records) = state.store.read(|connection| {
        select_page(
            connection,
            K::COLUMNS,
            K::FROM,
            &conditions,
            &order,
            Some(query.page),
            K::from_row,
        )
    })?;
    let (resources, included) = with_includes(state, &records, &query)?;
    let page = PageInfo::new(query.page, total);
    let links = page.links(
        &format!("{}{}", state.urls.itglue_api, uri.path()),
        query.non_page_pairs(),
    );
    Ok(Json(jsonapi::collection(resources, included, page, links)))
}

fn one<K: Synced>(
    state: &AppState,
    uri: &Uri,
    id: i64,
    org: Option<i64>,
) -> Result<Json<Document>, ApiError> {
    let query = QueryParams::parse(uri.query());
    let records = state
        .store
        .read(|connection| select::<K>(connection, &id_conditions::<K>(&[id], org)))?;
    if records.is_empty() {
        return Err(ApiError::RecordNotFound);
    }
    let (mut resources, included) = with_includes(state, &records, &query)?;
    let resource = resources.pop().ok_or(ApiError::RecordNotFound)?;
    Ok(Json(jsonapi::single(resource, included)))
}

/// `id`, `organization_id` and the PSA pair, then the type's own filters.
fn shared_filters<K: Synced>(filters: &Filters, conditions: &mut Conditions) {
    if let Some(ids) = filters.get("id") {
        conditions.any_of(K::ID_COLUMN, ids);
    }
    if let Some(orgs) = filters.get("organization_id") {
        conditions.any_of(K::ORG_COLUMN, orgs);
    }
    psa_condition(filters, conditions, K::ADAPTER_TYPE, K::ID_COLUMN);
    K::filter(filters, conditions);
}

/// `psa_id` counts only together with `psa_integration_type`, as documented; alone it is
/// ignored like any unknown filter.
pub fn psa_condition(
    filters: &Filters,
    conditions: &mut Conditions,
    adapter_type: &str,
    id_column: &str,
) {
    let Some(types) = filters.get("psa_integration_type") else {
        return;
    };
    let remote_ids = filters.get("psa_id");
    let remote_clause = remote_ids.map_or_else(String::new, |ids| {
        format!(" AND remote_id IN ({})", placeholders(ids.len()))
    });
    let sql = format!(
        "{id_column} IN (SELECT resource_id FROM itglue_adapters_resources
                         WHERE resource_type = '{adapter_type}'
                           AND integration_type IN ({}){remote_clause})",
        placeholders(types.len())
    );
    let params = [types, remote_ids.unwrap_or_default()].concat();
    conditions.push(&sql, &params);
}

/// The primary resources with the requested relationships set, and `included` when the
/// caller asked for anything (each related resource once).
fn with_includes<K: Synced>(
    state: &AppState,
    records: &[K],
    query: &QueryParams,
) -> Result<(Vec<Resource>, Option<Vec<Resource>>), ApiError> {
    let mut resources = records
        .iter()
        .map(|record| Ok((record.id(), record.resource(state)?)))
        .collect::<Result<Vec<_>, ApiError>>()?;
    if query.include.is_empty() {
        return Ok((resources.into_iter().map(|(_, r)| r).collect(), None));
    }
    let mut included = Vec::new();
    if query.includes(adapters::INCLUDE_NAME) {
        let ids: Vec<i64> = records.iter().map(Synced::id).collect();
        let rows = state
            .store
            .read(|connection| adapters::for_resources(connection, K::ADAPTER_TYPE, &ids))?;
        included.extend(adapters::attach(&mut resources, &rows)?);
    }
    let related = K::related(state, records, query)?;
    for name in K::relationships(query) {
        for (owner, resource) in &mut resources {
            let refs: Vec<&Resource> = related
                .iter()
                .filter(|r| r.owner == *owner && r.relationship == name)
                .map(|r| &r.resource)
                .collect();
            resource.relate_many(name, &refs);
        }
    }
    let mut seen = HashSet::new();
    for related in related {
        if seen.insert((related.kind, related.id)) {
            included.push(related.resource);
        }
    }
    Ok((
        resources.into_iter().map(|(_, r)| r).collect(),
        Some(included),
    ))
}
