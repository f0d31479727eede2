//! PSA links and the write locks on PSA-synced records.
//!
//! A record whose `psa-integration` is "enabled" rejects edits outside its allow-list with
//! a 422. The links themselves are made by IT Glue's own integration, which the sandbox
//! does not run, so `/_sandbox/itglue/links` sets them directly (and orphans them, as when
//! the PSA record goes away), and `/_sandbox/itglue/two_way_sync` flips the account's
//! two-way sync setting.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Deserialize;
use serde_json::json;

use super::body::{Attributes, pointer};
use super::jsonapi::ApiError;
use super::listing::now;
use crate::state::AppState;
use crate::store::seed::{BMS_ADAPTER_TYPE_NAME, BMS_INTEGRATION_TYPE};

pub const LOCKED_DETAIL: &str = "Cannot update a synced resource";
const TWO_WAY_KEY: &str = "itglue_two_way_sync";

/// Which attributes of a synced record stay writable.
#[derive(Debug, Clone, Copy)]
pub enum Lock {
    /// Nothing may change (contacts, locations).
    All,
    /// Only these snake_case attributes may change.
    Except(&'static [&'static str]),
}

pub const ORGANIZATION_LOCK: Lock = Lock::Except(&["alert", "description", "quick_notes"]);
pub const CONFIGURATION_LOCK: Lock = Lock::Except(&[
    "archived",
    "asset_tag",
    "notes",
    "purchased_at",
    "restricted",
    "serial_number",
    "warranty_expires_at",
    "mitp_device_expiration_date",
    "mitp_end_of_life_date",
]);

/// The 422 a synced record answers, pointing at the attribute (with or without the
/// conventional leading `/`, as real bodies vary).
pub fn locked(pointer_text: String) -> ApiError {
    ApiError::Unprocessable {
        title: "Unprocessable Entity".to_owned(),
        detail: Some(LOCKED_DETAIL.to_owned()),
        pointer: Some(pointer_text),
    }
}

/// Whether the locks apply right now: not when two-way sync relaxes them.
pub fn locks_apply(state: &AppState, connection: &Connection) -> rusqlite::Result<bool> {
    Ok(!(state.settings.itglue_two_way_relaxes_locks && two_way_enabled(connection)?))
}

/// Rejects a change to a synced record outside the lock's allow-list. `id` and `type`
/// travel in bulk bodies and are not edits.
pub fn check(
    state: &AppState,
    connection: &Connection,
    psa_integration: Option<&str>,
    lock: Lock,
    attributes: &Attributes,
) -> Result<(), ApiError> {
    if psa_integration != Some("enabled") || !locks_apply(state, connection)? {
        return Ok(());
    }
    let allowed: &[&str] = match lock {
        Lock::All => &[],
        Lock::Except(names) => names,
    };
    match attributes
        .names()
        .find(|name| *name != "id" && *name != "type" && !allowed.contains(name))
    {
        Some(name) => Err(locked(pointer(name))),
        None => Ok(()),
    }
}

pub fn two_way_enabled(connection: &Connection) -> rusqlite::Result<bool> {
    let value: Option<String> = connection
        .query_row(
            "SELECT value FROM sandbox_meta WHERE key = ?1",
            [TWO_WAY_KEY],
            |row| row.get(0),
        )
        .optional()?;
    Ok(value.as_deref() == Some("true"))
}

#[derive(Debug, Deserialize)]
pub struct TwoWayBody {
    enabled: bool,
}

pub async fn get_two_way(State(state): State<AppState>) -> Result<Response, ApiError> {
    let enabled = state.store.read(two_way_enabled)?;
    Ok(Json(json!({"enabled": enabled})).into_response())
}

pub async fn put_two_way(
    State(state): State<AppState>,
    Json(body): Json<TwoWayBody>,
) -> Result<StatusCode, ApiError> {
    state.store.write(|transaction| {
        transaction.execute(
            "INSERT INTO sandbox_meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![TWO_WAY_KEY, body.enabled.to_string()],
        )
    })?;
    Ok(StatusCode::NO_CONTENT)
}

/// A record that can carry a PSA link: its adapter type name and table.
struct Linkable {
    resource_type: &'static str,
    table: &'static str,
}

const LINKABLE: &[(&str, Linkable)] = &[
    (
        "organizations",
        Linkable {
            resource_type: "Organization",
            table: "itglue_organizations",
        },
    ),
    (
        "configurations",
        Linkable {
            resource_type: "Configuration",
            table: "itglue_configurations",
        },
    ),
    (
        "contacts",
        Linkable {
            resource_type: "Contact",
            table: "itglue_contacts",
        },
    ),
    (
        "locations",
        Linkable {
            resource_type: "Location",
            table: "itglue_locations",
        },
    ),
];

/// `{resource_type, resource_id, remote_id}`; the type is a route name (`configurations`)
/// or an adapter type (`Configuration`), ids are numbers or strings.
#[derive(Debug, Deserialize)]
pub struct LinkBody {
    resource_type: String,
    resource_id: serde_json::Value,
    remote_id: Option<serde_json::Value>,
}

fn linkable(name: &str) -> Option<&'static Linkable> {
    let wanted = name.trim().to_ascii_lowercase().replace('-', "_");
    LINKABLE.iter().find_map(|(route, linkable)| {
        (wanted == *route || wanted == linkable.resource_type.to_ascii_lowercase())
            .then_some(linkable)
    })
}

fn id_text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(text) => Some(text.trim().to_owned()),
        serde_json::Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
    .filter(|text| !text.is_empty())
}

fn resource_id(value: &serde_json::Value) -> Result<i64, ApiError> {
    id_text(value)
        .and_then(|id| id.parse().ok())
        .ok_or_else(|| ApiError::unprocessable("must be an id", "/resource_id"))
}

fn bad_link(detail: &str) -> ApiError {
    ApiError::unprocessable(detail, "/resource_type")
}

/// Links a record to a BMS record: an adapter row plus `psa-integration: "enabled"`.
pub async fn create_link(
    State(state): State<AppState>,
    Json(body): Json<LinkBody>,
) -> Result<Response, ApiError> {
    let target = linkable(&body.resource_type).ok_or_else(|| bad_link("unknown resource_type"))?;
    let resource_id = resource_id(&body.resource_id)?;
    let remote_id = body
        .remote_id
        .as_ref()
        .and_then(id_text)
        .ok_or_else(|| ApiError::unprocessable("can't be blank", "/remote_id"))?;
    let adapter_id = state.store.try_write(|transaction| {
        if !exists(transaction, target.table, resource_id)? {
            return Err(ApiError::RecordNotFound);
        }
        unlink(transaction, target, resource_id)?;
        let stamp = now();
        transaction.execute(
            "INSERT INTO itglue_adapters_resources
               (resource_type, resource_id, integration_type, adapter_type_name, remote_id,
                sync, orphaned, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 1, 0, ?6, ?6)",
            params![
                target.resource_type,
                resource_id,
                BMS_INTEGRATION_TYPE,
                BMS_ADAPTER_TYPE_NAME,
                remote_id,
                stamp
            ],
        )?;
        let adapter_id = transaction.last_insert_rowid();
        set_psa(transaction, target, resource_id, Some("enabled"))?;
        Ok(adapter_id)
    })?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"adapter_resource_id": adapter_id.to_string()})),
    )
        .into_response())
}

/// `{resource_type, resource_id, orphaned}`: the link to mark orphaned or synced again.
#[derive(Debug, Deserialize)]
pub struct OrphanBody {
    resource_type: String,
    resource_id: serde_json::Value,
    orphaned: bool,
}

/// Marks a record's PSA link orphaned (`sync` off, `psa-integration: "orphaned"`, so the
/// locks no longer apply) or, with `orphaned: false`, synced again.
pub async fn orphan_link(
    State(state): State<AppState>,
    Json(body): Json<OrphanBody>,
) -> Result<Response, ApiError> {
    let target = linkable(&body.resource_type).ok_or_else(|| bad_link("unknown resource_type"))?;
    let resource_id = resource_id(&body.resource_id)?;
    let adapter_id = state.store.try_write(|transaction| {
        if !exists(transaction, target.table, resource_id)? {
            return Err(ApiError::RecordNotFound);
        }
        let adapter_id = mark_orphaned(transaction, target, resource_id, body.orphaned)?
            .ok_or_else(|| ApiError::unprocessable("has no PSA link", "/resource_id"))?;
        let psa = if body.orphaned { "orphaned" } else { "enabled" };
        set_psa(transaction, target, resource_id, Some(psa))?;
        Ok(adapter_id)
    })?;
    Ok(Json(json!({"adapter_resource_id": adapter_id.to_string()})).into_response())
}

/// Flags the record's link; `None` when it has none.
fn mark_orphaned(
    connection: &Connection,
    target: &Linkable,
    resource_id: i64,
    orphaned: bool,
) -> rusqlite::Result<Option<i64>> {
    connection
        .query_row(
            "UPDATE itglue_adapters_resources SET orphaned = ?1, sync = ?2, updated_at = ?3
             WHERE resource_type = ?4 AND resource_id = ?5 AND integration_type = ?6
             RETURNING id",
            params![
                orphaned,
                !orphaned,
                now(),
                target.resource_type,
                resource_id,
                BMS_INTEGRATION_TYPE
            ],
            |row| row.get(0),
        )
        .optional()
}

/// Removes a record's PSA link and clears its `psa-integration`.
pub async fn delete_link(
    State(state): State<AppState>,
    Json(body): Json<LinkBody>,
) -> Result<StatusCode, ApiError> {
    let target = linkable(&body.resource_type).ok_or_else(|| bad_link("unknown resource_type"))?;
    let resource_id = resource_id(&body.resource_id)?;
    state.store.try_write(|transaction| {
        if !exists(transaction, target.table, resource_id)? {
            return Err(ApiError::RecordNotFound);
        }
        unlink(transaction, target, resource_id)?;
        set_psa(transaction, target, resource_id, None)?;
        Ok(())
    })?;
    Ok(StatusCode::NO_CONTENT)
}

fn exists(connection: &Connection, table: &str, id: i64) -> rusqlite::Result<bool> {
    connection.query_row(
        &format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE id = ?1)"),
        [id],
        |row| row.get(0),
    )
}

fn unlink(connection: &Connection, target: &Linkable, resource_id: i64) -> rusqlite::Result<()> {
    connection.execute(
        "DELETE FROM itglue_adapters_resources
         WHERE resource_type = ?1 AND resource_id = ?2 AND integration_type = ?3",
        params![target.resource_type, resource_id, BMS_INTEGRATION_TYPE],
    )?;
    Ok(())
}

fn set_psa(
    connection: &Connection,
    target: &Linkable,
    resource_id: i64,
    value: Option<&str>,
) -> rusqlite::Result<()> {
    connection.execute(
        &format!(
            "UPDATE {} SET psa_integration = ?1 WHERE id = ?2",
            target.table
        ),
        params![value, resource_id],
    )?;
    Ok(())
}
