//! Configuration interfaces: `/configurations/{id}/relationships/configuration_interfaces`,
//! `/configuration_interfaces/{id}`, `POST /configuration_interfaces` and the bulk PATCH.
//!
//! Each configuration has at most one primary interface; its IP and MAC are the
//! configuration's `primary-ip` and `mac-address`. A synced configuration's primary IP is
//! locked.

use axum::Json;
use axum::extract::{OriginalUri, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;
use serde_json::Value;

use super::body::{self, Attributes, Item, JsonBody, pointer};
use super::fields::{self, Field, FieldKind, text};
use super::jsonapi::{self, ApiError, Document, Resource};
use super::listing::{now, order, path_id, select_page};
use super::paging::PageInfo;
use super::psa;
use super::query::QueryParams;
use crate::state::AppState;
use crate::store::sql::Conditions;

pub const KIND: &str = "configuration-interfaces";
const SNAKE_KIND: &str = "configuration_interfaces";
const TABLE: &str = "itglue_configuration_interfaces";
const COLUMNS: &str = "id, configuration_id, name, ip_address, mac_address, is_primary, notes, created_at, updated_at";
const SORTABLE: &[(&str, &str)] = &[("created_at", "created_at"), ("updated_at", "updated_at")];
/// The docs' "17 Character limit".
const MAC_LIMIT: usize = 17;

const WRITABLE: &[Field] = &[
    text("name"),
    text("notes"),
    Field {
        name: "ip_address",
        column: "ip_address",
        kind: FieldKind::Text { max: None },
    },
    Field {
        name: "mac_address",
        column: "mac_address",
        kind: FieldKind::Text {
            max: Some(MAC_LIMIT),
        },
    },
];

pub struct Interface {
    id: i64,
    configuration_id: i64,
    name: Option<String>,
    ip_address: Option<String>,
    mac_address: Option<String>,
    primary: bool,
    notes: Option<String>,
    created_at: String,
    updated_at: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct InterfaceAttributes<'a> {
    primary: bool,
    name: Option<&'a str>,
    ip_address: Option<&'a str>,
    mac_address: Option<&'a str>,
    notes: Option<&'a str>,
    created_at: &'a str,
    updated_at: &'a str,
}

impl Interface {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            configuration_id: row.get(1)?,
            name: row.get(2)?,
            ip_address: row.get(3)?,
            mac_address: row.get(4)?,
            primary: row.get(5)?,
            notes: row.get(6)?,
            created_at: row.get(7)?,
            updated_at: row.get(8)?,
        })
    }

    pub fn id(&self) -> i64 {
        self.id
    }

    pub fn configuration_id(&self) -> i64 {
        self.configuration_id
    }

    pub fn resource(&self) -> Result<Resource, ApiError> {
        let attributes = InterfaceAttributes {
            primary: self.primary,
            name: self.name.as_deref(),
            ip_address: self.ip_address.as_deref(),
            mac_address: self.mac_address.as_deref(),
            notes: self.notes.as_deref(),
            created_at: &self.created_at,
            updated_at: &self.updated_at,
        };
        Resource::new(self.id, KIND, &attributes)
    }
}

pub fn for_configurations(
    connection: &Connection,
    ids: &[i64],
) -> rusqlite::Result<Vec<Interface>> {
    let mut conditions = Conditions::new();
    conditions.any_of("configuration_id", ids);
    select(connection, &conditions)
}

fn select(connection: &Connection, conditions: &Conditions) -> rusqlite::Result<Vec<Interface>> {
    select_page(
        connection,
        COLUMNS,
        TABLE,
        conditions,
        " ORDER BY id",
        None,
        Interface::from_row,
    )
    .map(|(_, found)| found)
}

fn find(
    connection: &Connection,
    id: i64,
    configuration: Option<i64>,
) -> rusqlite::Result<Option<Interface>> {
    let mut conditions = Conditions::new();
    conditions.push("id = ?", &[id]);
    if let Some(configuration) = configuration {
        conditions.push("configuration_id = ?", &[configuration]);
    }
    Ok(select(connection, &conditions)?.pop())
}

/// `ip_address` must be an IPv4 or IPv6 address; `mac_address` 12 hex digits, at most 17
/// characters with separators.
fn validate(attributes: &Attributes, ip_name: &str, mac_name: &str) -> Result<(), ApiError> {
    if let Some(Some(ip)) = attributes.text(ip_name)?
        && ip.trim().parse::<std::net::IpAddr>().is_err()
    {
        return Err(ApiError::unprocessable(
            "is not a valid IP address",
            pointer(ip_name),
        ));
    }
    if let Some(Some(mac)) = attributes.text(mac_name)? {
        if mac.chars().count() > MAC_LIMIT {
            return Err(ApiError::unprocessable(
                format!("is too long (maximum is {MAC_LIMIT} characters)"),
                pointer(mac_name),
            ));
        }
        let hex = mac.chars().filter(char::is_ascii_hexdigit).count();
        let separators_only = mac
            .chars()
            .all(|c| c.is_ascii_hexdigit() || ":-.".contains(c));
        if hex != 12 || !separators_only {
            return Err(ApiError::unprocessable("is invalid", pointer(mac_name)));
        }
    }
    Ok(())
}

/// Applies a configuration's `primary_ip`/`mac_address` to its primary interface, creating
/// one when needed.
pub fn set_primary(
    connection: &Connection,
    configuration_id: i64,
    attributes: &Attributes,
) -> Result<(), ApiError> {
    let ip = attributes.text("primary_ip")?;
    let mac = attributes.text("mac_address")?;
    if ip.is_none() && mac.is_none() {
        return Ok(());
    }
    validate(attributes, "primary_ip", "mac_address")?;
    let primary: Option<i64> = connection
        .query_row(
            "SELECT id FROM itglue_configuration_interfaces
             WHERE configuration_id = ?1 AND is_primary = 1",
            [configuration_id],
            |row| row.get(0),
        )
        .optional()?;
    let mut values: Vec<(&'static str, rusqlite::types::Value)> = Vec::new();
    if let Some(ip) = ip {
        values.push(("ip_address", ip.into()));
    }
    if let Some(mac) = mac {
        values.push(("mac_address", mac.into()));
    }
    match primary {
        Some(id) => fields::update(connection, TABLE, id, values)?,
        None => {
            values.extend([
                ("configuration_id", configuration_id.into()),
                ("name", "Primary".to_owned().into()),
                ("is_primary", 1.into()),
            ]);
            fields::insert(connection, TABLE, values)?;
        }
    }
    Ok(())
}

/// The `relationships.configuration_interfaces.data` of a configuration POST.
pub fn insert_embedded(
    connection: &Connection,
    configuration_id: i64,
    data: &Value,
) -> Result<(), ApiError> {
    let elements = match data {
        Value::Array(elements) => elements.clone(),
        Value::Object(_) => vec![data.clone()],
        _ => Vec::new(),
    };
    let wrapped = serde_json::json!({ "data": elements });
    let (items, _) = body::items(&wrapped)?;
    for item in &items {
        insert(connection, configuration_id, item)?;
    }
    Ok(())
}

fn insert(
    connection: &Connection,
    configuration_id: i64,
    item: &Item<'_>,
) -> Result<i64, ApiError> {
    validate(&item.attributes, "ip_address", "mac_address")?;
    let mut values = fields::collect(connection, &item.attributes, WRITABLE)?;
    let primary = item.attributes.flag("primary")?.unwrap_or(false);
    if primary {
        clear_primary(connection, configuration_id)?;
    }
    values.extend([
        ("configuration_id", configuration_id.into()),
        ("is_primary", i64::from(primary).into()),
    ]);
    let id = fields::insert(connection, TABLE, values)?;
    touch_configuration(connection, configuration_id)?;
    Ok(id)
}

fn clear_primary(connection: &Connection, configuration_id: i64) -> rusqlite::Result<()> {
    connection.execute(
        "UPDATE itglue_configuration_interfaces SET is_primary = 0, updated_at = ?2
         WHERE configuration_id = ?1 AND is_primary = 1",
        params![configuration_id, now()],
    )?;
    Ok(())
}

/// The configuration's `updated-at` follows its interfaces, since its primary IP and MAC
/// are theirs.
fn touch_configuration(connection: &Connection, configuration_id: i64) -> rusqlite::Result<()> {
    connection.execute(
        "UPDATE itglue_configurations SET updated_at = ?2 WHERE id = ?1",
        params![configuration_id, now()],
    )?;
    Ok(())
}

fn update(
    state: &AppState,
    connection: &Connection,
    interface: &Interface,
    item: &Item<'_>,
) -> Result<(), ApiError> {
    let attributes = &item.attributes;
    validate(attributes, "ip_address", "mac_address")?;
    let becomes_primary = attributes.flag("primary")?;
    let primary_after = becomes_primary.unwrap_or(interface.primary);
    if let Some(ip) = attributes.text("ip_address")? {
        let changes = ip != interface.ip_address;
        if primary_after
            && changes
            && configuration_synced(state, connection, interface.configuration_id)?
        {
            return Err(psa::locked(pointer("ip_address")));
        }
    }
    let mut values = fields::collect(connection, attributes, WRITABLE)?;
    if let Some(primary) = becomes_primary {
        if primary && !interface.primary {
            clear_primary(connection, interface.configuration_id)?;
        }
        values.push(("is_primary", i64::from(primary).into()));
    }
    fields::update(connection, TABLE, interface.id, values)?;
    touch_configuration(connection, interface.configuration_id)?;
    Ok(())
}

fn configuration_synced(
    state: &AppState,
    connection: &Connection,
    configuration_id: i64,
) -> Result<bool, ApiError> {
    let psa: Option<String> = connection
        .query_row(
            "SELECT psa_integration FROM itglue_configurations WHERE id = ?1",
            [configuration_id],
            |row| row.get(0),
        )
        .optional()?
        .flatten();
    Ok(psa.as_deref() == Some("enabled") && psa::locks_apply(state, connection)?)
}

fn existing_configuration(state: &AppState, id: &str) -> Result<i64, ApiError> {
    let id = path_id(id)?;
    let found = state
        .store
        .read(|connection| fields::exists(connection, "itglue_configurations", id))?;
    found.then_some(id).ok_or(ApiError::RecordNotFound)
}

fn document_of(interface: &Interface) -> Result<Json<Document>, ApiError> {
    Ok(Json(jsonapi::single(interface.resource()?, None)))
}

/// `GET /configurations/{id}/relationships/configuration_interfaces`, with the documented
/// `id` and `ip_address` filters.
pub async fn index(
    State(state): State<AppState>,
    Path(configuration): Path<String>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Document>, ApiError> {
    let configuration = existing_configuration(&state, &configuration)?;
    let query = QueryParams::parse(uri.query());
    let order = order(&query, SORTABLE, "id")?;
    let mut conditions = Conditions::new();
    conditions.push("configuration_id = ?", &[configuration]);
    for name in ["id", "ip_address"] {
        if let Some(values) = query.filters.get(name) {
            conditions.any_of(name, values);
        }
    }
    let (total, found) = state.store.read(|connection| {
        select_page(
            connection,
            COLUMNS,
            TABLE,
            &conditions,
            &order,
            Some(query.page),
            Interface::from_row,
        )
    })?;
    let resources = found
        .iter()
        .map(Interface::resource)
        .collect::<Result<Vec<_>, _>>()?;
    let page = PageInfo::new(query.page, total);
    let links = page.links(
        &format!("{}{}", state.urls.itglue_api, uri.path()),
        query.non_page_pairs(),
    );
    Ok(Json(jsonapi::collection(resources, None, page, links)))
}

pub async fn nested_show(
    State(state): State<AppState>,
    Path((configuration, id)): Path<(String, String)>,
) -> Result<Json<Document>, ApiError> {
    let (configuration, id) = (path_id(&configuration)?, path_id(&id)?);
    let found = state
        .store
        .read(|connection| find(connection, id, Some(configuration)))?;
    document_of(&found.ok_or(ApiError::RecordNotFound)?)
}

pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Document>, ApiError> {
    let id = path_id(&id)?;
    let found = state.store.read(|connection| find(connection, id, None))?;
    document_of(&found.ok_or(ApiError::RecordNotFound)?)
}

/// `POST /configurations/{id}/relationships/configuration_interfaces`: one or an array.
pub async fn nested_create(
    State(state): State<AppState>,
    Path(configuration): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let configuration = existing_configuration(&state, &configuration)?;
    let (items, bulk) = body::items(&body)?;
    body::expect_type(&items, SNAKE_KIND)?;
    let ids = state.store.try_write(|transaction| {
        items
            .iter()
            .map(|item| insert(transaction, configuration, item))
            .collect::<Result<Vec<_>, ApiError>>()
    })?;
    created(&state, &ids, bulk)
}

/// `POST /configuration_interfaces` with `configuration_id` in the attributes.
pub async fn create(
    State(state): State<AppState>,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let item = body::single(&body)?;
    body::expect_type(std::slice::from_ref(&item), SNAKE_KIND)?;
    let id = state.store.try_write(|transaction| {
        let configuration = item
            .attributes
            .integer("configuration_id")?
            .flatten()
            .filter(|id| fields::exists(transaction, "itglue_configurations", *id).unwrap_or(false))
            .ok_or_else(|| fields::must_exist("configuration"))?;
        insert(transaction, configuration, &item)
    })?;
    created(&state, &[id], false)
}

fn created(state: &AppState, ids: &[i64], bulk: bool) -> Result<Response, ApiError> {
    let mut conditions = Conditions::new();
    conditions.any_of("id", ids);
    let found = state
        .store
        .read(|connection| select(connection, &conditions))?;
    let mut resources = found
        .iter()
        .map(Interface::resource)
        .collect::<Result<Vec<_>, _>>()?;
    let document = if bulk {
        jsonapi::bulk(resources)
    } else {
        jsonapi::single(resources.pop().ok_or(ApiError::RecordNotFound)?, None)
    };
    Ok((StatusCode::CREATED, Json(document)).into_response())
}

pub async fn nested_update(
    State(state): State<AppState>,
    Path((configuration, id)): Path<(String, String)>,
    JsonBody(body): JsonBody,
) -> Result<Json<Document>, ApiError> {
    patch(&state, path_id(&id)?, Some(path_id(&configuration)?), &body)
}

pub async fn top_update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Document>, ApiError> {
    patch(&state, path_id(&id)?, None, &body)
}

fn patch(
    state: &AppState,
    id: i64,
    configuration: Option<i64>,
    body: &Value,
) -> Result<Json<Document>, ApiError> {
    let item = body::single(body)?;
    body::expect_type(std::slice::from_ref(&item), SNAKE_KIND)?;
    let updated = state.store.try_write(|transaction| {
        let interface = find(transaction, id, configuration)?.ok_or(ApiError::RecordNotFound)?;
        update(state, transaction, &interface, &item)?;
        Ok::<_, ApiError>(find(transaction, id, None)?)
    })?;
    document_of(&updated.ok_or(ApiError::RecordNotFound)?)
}

/// `PATCH /configuration_interfaces` with `data:[{type, attributes:{id, …}}]`.
pub async fn bulk_update(
    State(state): State<AppState>,
    JsonBody(body): JsonBody,
) -> Result<Json<Document>, ApiError> {
    let (items, bulk) = body::items(&body)?;
    if !bulk {
        return Err(ApiError::unprocessable("data must be an array", "/data"));
    }
    body::expect_type(&items, SNAKE_KIND)?;
    let ids = body::bulk_ids(&items)?;
    let found = state.store.try_write(|transaction| {
        for (item, id) in items.iter().zip(&ids) {
            let interface = find(transaction, *id, None)?.ok_or(ApiError::RecordNotFound)?;
            update(&state, transaction, &interface, item)?;
        }
        let mut conditions = Conditions::new();
        conditions.any_of("id", &ids);
        Ok::<_, ApiError>(select(transaction, &conditions)?)
    })?;
    let resources = found
        .iter()
        .map(Interface::resource)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Json(jsonapi::bulk(resources)))
}

/// `DELETE /configurations/{id}/relationships/configuration_interfaces/{id}` → 204.
pub async fn delete(
    State(state): State<AppState>,
    Path((configuration, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let (configuration, id) = (path_id(&configuration)?, path_id(&id)?);
    state.store.try_write(|transaction| {
        find(transaction, id, Some(configuration))?.ok_or(ApiError::RecordNotFound)?;
        transaction.execute(
            "DELETE FROM itglue_configuration_interfaces WHERE id = ?1",
            [id],
        )?;
        touch_configuration(transaction, configuration)?;
        Ok::<_, ApiError>(())
    })?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn attributes(value: Value) -> Attributes {
        Attributes::new(value.as_object().cloned().unwrap_or_default())
    }

    #[test]
    fn macs_are_limited_to_17_characters_and_ips_must_parse() {
        let ok = attributes(json!({"ip_address": "10.0.0.5", "mac_address": "aa-bb-cc-dd-ee-ff"}));
        assert!(validate(&ok, "ip_address", "mac_address").is_ok());
        let long = attributes(json!({"mac_address": "AA:BB:CC:DD:EE:FF:00"}));
        assert!(validate(&long, "ip_address", "mac_address").is_err());
        let bad_ip = attributes(json!({"ip_address": "10.0.0.500"}));
        assert!(validate(&bad_ip, "ip_address", "mac_address").is_err());
        let v6 = attributes(json!({"ip_address": "fe80::1"}));
        assert!(validate(&v6, "ip_address", "mac_address").is_ok());
    }
}
