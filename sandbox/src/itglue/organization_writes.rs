//! The write side of `/organizations`: POST, PATCH of one, bulk PATCH by id list or by
//! filter, and the asynchronous bulk DELETE. There is no single DELETE.
//!
//! A bulk DELETE marks the organizations and answers with them; they disappear about a
//! second later ("removal may not happen immediately"), with their locations, contacts,
//! configurations and PSA links.

use std::time::Duration;

use axum::Json;
use axum::extract::{OriginalUri, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use rusqlite::{Connection, Transaction, params};

use super::body::{self, Item, JsonBody};
use super::fields::{self, Field, reference, text};
use super::jsonapi::{self, ApiError, Document, Resource};
use super::listing::path_id;
use super::organization_filters;
use super::organizations::{self, Organization};
use super::psa::{self, Lock, ORGANIZATION_LOCK};
use super::query::QueryParams;
use crate::clock::Timestamp;
use crate::state::AppState;
use crate::store::sql::Conditions;

const SNAKE_KIND: &str = "organizations";
const TABLE: &str = "itglue_organizations";
/// How long a bulk-deleted organization stays visible.
const DELETION_DELAY: Duration = Duration::from_secs(1);

const WRITABLE: &[Field] = &[
    text("name"),
    text("alert"),
    text("description"),
    reference(
        "organization_type_id",
        "itglue_organization_types",
        "organization-type",
    ),
    reference(
        "organization_status_id",
        "itglue_organization_statuses",
        "organization-status",
    ),
    text("quick_notes"),
    text("short_name"),
    reference("parent_id", "itglue_organizations", "parent"),
];

fn resources(state: &AppState, organizations: &[Organization]) -> Result<Vec<Resource>, ApiError> {
    organizations
        .iter()
        .map(|org| org.to_resource(&state.urls.itglue_web, false))
        .collect()
}

fn load(state: &AppState, ids: &[i64]) -> Result<Vec<Organization>, ApiError> {
    let found = state.store.read(|connection| {
        ids.iter()
            .filter_map(|id| organizations::find(connection, *id).transpose())
            .collect::<rusqlite::Result<Vec<_>>>()
    })?;
    Ok(found)
}

/// `POST /organizations`: one organization; `name` is required.
pub async fn create(
    State(state): State<AppState>,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let item = body::single(&body)?;
    body::expect_type(std::slice::from_ref(&item), SNAKE_KIND)?;
    let id = state.store.try_write(|transaction| {
        item.attributes.required_text("name")?;
        let values = fields::collect(transaction, &item.attributes, WRITABLE)?;
        Ok::<_, ApiError>(fields::insert(transaction, TABLE, values)?)
    })?;
    let mut created = resources(&state, &load(&state, &[id])?)?;
    let resource = created.pop().ok_or(ApiError::RecordNotFound)?;
    Ok((StatusCode::CREATED, Json(jsonapi::single(resource, None))).into_response())
}

/// `PATCH /organizations/{id}`.
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Document>, ApiError> {
    let id = path_id(&id)?;
    purge_due(&state)?;
    let item = body::single(&body)?;
    body::expect_type(std::slice::from_ref(&item), SNAKE_KIND)?;
    state
        .store
        .try_write(|transaction| apply(&state, transaction, id, &item))?;
    let mut updated = resources(&state, &load(&state, &[id])?)?;
    let resource = updated.pop().ok_or(ApiError::RecordNotFound)?;
    Ok(Json(jsonapi::single(resource, None)))
}

/// `PATCH /organizations`: `data` as an array of `{type, attributes:{id, …}}`, or one
/// object applied to every organization the query's filters match.
pub async fn bulk_update(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    JsonBody(body): JsonBody,
) -> Result<Json<Document>, ApiError> {
    purge_due(&state)?;
    let query = QueryParams::parse(uri.query());
    let (items, bulk) = body::items(&body)?;
    body::expect_type(&items, SNAKE_KIND)?;
    let targets: Vec<(i64, &Item<'_>)> = if bulk {
        let ids = body::bulk_ids(&items)?;
        ids.into_iter().zip(&items).collect()
    } else {
        if !has_filter(&query) {
            return Err(ApiError::unprocessable(
                "data must be an array unless a filter is given",
                "/data",
            ));
        }
        let conditions = organization_filters::conditions(&query.filters)?;
        let ids = state
            .store
            .read(|connection| matching_ids(connection, &conditions))?;
        let item = items
            .first()
            .ok_or_else(|| ApiError::unprocessable("data is required", "/data"))?;
        ids.into_iter().map(|id| (id, item)).collect()
    };
    state.store.try_write(|transaction| {
        targets
            .iter()
            .try_for_each(|(id, item)| apply(&state, transaction, *id, item))
    })?;
    let ids: Vec<i64> = targets.iter().map(|(id, _)| *id).collect();
    Ok(Json(jsonapi::bulk(resources(
        &state,
        &load(&state, &ids)?,
    )?)))
}

/// `DELETE /organizations` with `data:[{type, attributes:{id}}]`; not with a filter.
pub async fn bulk_delete(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    JsonBody(body): JsonBody,
) -> Result<Json<Document>, ApiError> {
    purge_due(&state)?;
    if has_filter(&QueryParams::parse(uri.query())) {
        return Err(ApiError::unprocessable(
            "Cannot be used in combination with filter",
            "/data",
        ));
    }
    let (items, bulk) = body::items(&body)?;
    if !bulk {
        return Err(ApiError::unprocessable("data must be an array", "/data"));
    }
    body::expect_type(&items, SNAKE_KIND)?;
    let ids = body::bulk_ids(&items)?;
    let found = load(&state, &ids)?;
    if found.len() != ids.len() {
        return Err(ApiError::RecordNotFound);
    }
    let due = Timestamp::now().plus(DELETION_DELAY).to_itglue();
    state.store.write(|transaction| {
        let mut mark = transaction.prepare(
            "INSERT OR IGNORE INTO itglue_organization_deletions (organization_id, due_at)
             VALUES (?1, ?2)",
        )?;
        for id in &ids {
            mark.execute(params![id, due])?;
        }
        Ok(())
    })?;
    Ok(Json(jsonapi::bulk(resources(&state, &found)?)))
}

fn has_filter(query: &QueryParams) -> bool {
    query
        .non_page_pairs()
        .any(|(key, _)| key.starts_with("filter["))
}

fn matching_ids(connection: &Connection, conditions: &Conditions) -> rusqlite::Result<Vec<i64>> {
    let sql = format!(
        "SELECT o.id FROM itglue_organizations o{} ORDER BY o.id",
        conditions.where_sql()
    );
    let mut statement = connection.prepare(&sql)?;
    let ids = statement.query_map(rusqlite::params_from_iter(conditions.params()), |row| {
        row.get(0)
    })?;
    ids.collect()
}

/// One organization's PATCH: the PSA lock (fully locked by a switch), then the fields.
fn apply(
    state: &AppState,
    transaction: &Transaction<'_>,
    id: i64,
    item: &Item<'_>,
) -> Result<(), ApiError> {
    let organization = organizations::find(transaction, id)?.ok_or(ApiError::RecordNotFound)?;
    let lock = if state.settings.itglue_org_sync_fully_locked {
        Lock::All
    } else {
        ORGANIZATION_LOCK
    };
    psa::check(
        state,
        transaction,
        organization.psa_integration.as_deref(),
        lock,
        &item.attributes,
    )?;
    if item.attributes.contains("name") {
        item.attributes.required_text("name")?;
    }
    let values = fields::collect(transaction, &item.attributes, WRITABLE)?;
    fields::update(transaction, TABLE, id, values)?;
    Ok(())
}

/// Removes the organizations whose deletion is due, with everything under them.
pub fn purge_due(state: &AppState) -> Result<(), ApiError> {
    let now = Timestamp::now().to_itglue();
    state.store.write(|transaction| {
        let due: Vec<i64> = {
            let mut statement = transaction.prepare(
                "SELECT organization_id FROM itglue_organization_deletions WHERE due_at <= ?1",
            )?;
            let rows = statement.query_map([&now], |row| row.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        for id in due {
            remove(transaction, id)?;
        }
        Ok(())
    })?;
    Ok(())
}

fn remove(connection: &Connection, id: i64) -> rusqlite::Result<()> {
    for (resource_type, table) in [
        ("Configuration", "itglue_configurations"),
        ("Contact", "itglue_contacts"),
        ("Location", "itglue_locations"),
    ] {
        connection.execute(
            &format!(
                "DELETE FROM itglue_adapters_resources WHERE resource_type = ?1
                 AND resource_id IN (SELECT id FROM {table} WHERE organization_id = ?2)"
            ),
            params![resource_type, id],
        )?;
    }
    connection.execute(
        "DELETE FROM itglue_adapters_resources WHERE resource_type = 'Organization' AND resource_id = ?1",
        [id],
    )?;
    connection.execute(
        "UPDATE itglue_organizations SET parent_id = NULL WHERE parent_id = ?1",
        [id],
    )?;
    connection.execute("DELETE FROM itglue_organizations WHERE id = ?1", [id])?;
    connection.execute(
        "DELETE FROM itglue_organization_deletions WHERE organization_id = ?1",
        [id],
    )?;
    Ok(())
}
