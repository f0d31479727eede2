//! Hardware assets: `GET /v2/servicedesk/hardwareasset/searchselect` (a plain list, no
//! `totalRecords`), and `GET/POST/PUT/DELETE /v2/servicedesk/hardwareasset[/{id}]`, within
//! the caller's security scope.
//!
//! The output names the creator and modifier in `createdBy`/`modifiedBy` (ids in
//! `createdById`/`modifiedById`), unlike other DTOs. The input's `DnsServers`/`DhcpEnabled`/
//! `DhcpServer` are the output's `DNSServers`/`DHCPEnabled`/`DHCPServer`, which camel-case
//! to `dnsServers`/`dhcpEnabled`/`dhcpServer` on the wire. There is no modified-on filter.

use axum::Extension;
use axum::extract::{OriginalUri, Path, State};
use axum::response::{IntoResponse, Response};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};

use super::envelope::{self, ApiError};
use super::json_input::{Fields, JsonBody, require};
use super::params::QueryParams;
use super::security::AuthUser;
use super::servicedesk::support::{Page, escape_like, in_scope_sql, now, parse_id};
use crate::state::AppState;
use crate::store::sql::Conditions;

const NOT_FOUND: &str = "Hardware asset not found.";
const REQUIRED: &[&str] = &["Name", "AccountId", "AccountLocationId", "CategoryId"];

/// Input members kept in columns: `(member, column, kind)`.
const COLUMN_MEMBERS: &[(&str, &str, Kind)] = &[
    ("Name", "name", Kind::Text),
    ("AccountId", "account_id", Kind::Int),
    ("AccountLocationId", "account_location_id", Kind::Int),
    ("ContactId", "contact_id", Kind::Int),
    ("CategoryId", "category_id", Kind::Int),
    ("StateId", "state_id", Kind::Int),
    ("ManufacturerId", "manufacturer_id", Kind::Int),
    ("SerialNumber", "serial_number", Kind::Text),
    ("AssetTag", "asset_tag", Kind::Text),
    ("IpAddress", "ip_address", Kind::Text),
    ("MacAddress", "mac_address", Kind::Text),
    ("DefaultGateway", "default_gateway", Kind::Text),
    ("ModelNumber", "model_number", Kind::Text),
    ("OsType", "os_type", Kind::Text),
    ("OsInfo", "os_info", Kind::Text),
    ("LocationInfo", "location_info", Kind::Text),
    ("Description", "description", Kind::Text),
    ("AcquisitionDate", "acquisition_date", Kind::DateTime),
    (
        "WarrantyExpirationDate",
        "warranty_expiration_date",
        Kind::DateTime,
    ),
];

/// Input members kept in `details`, under their output (camelCase) names.
const DETAIL_MEMBERS: &[(&str, &str, Kind)] = &[
    ("BrandId", "brandId", Kind::Int),
    ("BusinessImpactId", "businessImpactId", Kind::Int),
    ("BarCode", "barCode", Kind::Text),
    ("VendorId", "vendorId", Kind::Int),
    ("MachineGroupId", "machineGroupId", Kind::Text),
    ("SubnetMask", "subnetMask", Kind::Text),
    ("DnsServers", "dnsServers", Kind::Text),
    ("DhcpEnabled", "dhcpEnabled", Kind::Bool),
    ("DhcpServer", "dhcpServer", Kind::Text),
    ("WinsEnabled", "winsEnabled", Kind::Bool),
    ("SecondaryWinsServer", "secondaryWinsServer", Kind::Text),
    ("ConnectionGatewayIp", "connectionGatewayIp", Kind::Text),
    ("MajorVersion", "majorVersion", Kind::Text),
    ("MinorVersion", "minorVersion", Kind::Text),
    ("LoginName", "loginName", Kind::Text),
    ("LastLoginname", "lastLoginname", Kind::Text),
    ("CurrentUser", "currentUser", Kind::Text),
    ("ProductName", "productName", Kind::Text),
    ("MachineVersion", "machineVersion", Kind::Text),
    (
        "MotherboardManufacturerId",
        "motherboardManufacturerId",
        Kind::Int,
    ),
    (
        "MotherboardProductCode",
        "motherboardProductCode",
        Kind::Text,
    ),
    (
        "MotherboardSerialNumber",
        "motherboardSerialNumber",
        Kind::Text,
    ),
    ("MotherboardVersion", "motherboardVersion", Kind::Text),
    ("ChassisAssetTag", "chassisAssetTag", Kind::Text),
    ("ChassisManufacturerId", "chassisManufacturerId", Kind::Int),
    ("ChassisSerialNumber", "chassisSerialNumber", Kind::Text),
    ("ChassisType", "chassisType", Kind::Text),
    ("ChassisVersion", "chassisVersion", Kind::Text),
    ("BusSpeed", "busSpeed", Kind::Text),
    ("MaxMemorySize", "maxMemorySize", Kind::Text),
    ("MaxMemorySlots", "maxMemorySlots", Kind::Text),
    ("PrimaryWinsServer", "primaryWinsServer", Kind::Text),
    ("ComputerName", "computerName", Kind::Text),
    ("PurchaseCost", "purchaseCost", Kind::Float),
    ("ExpirationDate", "expirationDate", Kind::DateTime),
    ("FirstCheckIn", "firstCheckIn", Kind::DateTime),
    ("LastCheckIn", "lastCheckIn", Kind::DateTime),
    ("LastReboot", "lastReboot", Kind::DateTime),
];

#[derive(Debug, Clone, Copy)]
enum Kind {
    Text,
    Int,
    Float,
    Bool,
    DateTime,
}

fn read_member(fields: &Fields, member: &str, kind: Kind) -> Result<Value, ApiError> {
    Ok(match kind {
        Kind::Text => fields.text(member)?.map(Value::String),
        Kind::Int => fields.int(member)?.map(Value::from),
        Kind::Float => fields.float(member)?.map(Value::from),
        Kind::Bool => fields.boolean(member)?.map(Value::Bool),
        Kind::DateTime => fields
            .datetime(member)?
            .map(|at| Value::String(at.to_bms())),
    }
    .unwrap_or(Value::Null))
}

/// Output members in the DTO's order. Serialised in that order.
struct Ordered(Vec<(&'static str, Value)>);

impl Serialize for Ordered {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in &self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

const FROM: &str = "bms_hardware_assets h
    JOIN bms_accounts a ON a.id = h.account_id
    LEFT JOIN bms_account_locations l ON l.id = h.account_location_id
    LEFT JOIN bms_contacts c ON c.id = h.contact_id
    LEFT JOIN bms_lookups cat ON cat.table_name = 'AssetCategories' AND cat.id = h.category_id
    LEFT JOIN bms_lookups st ON st.table_name = 'AssetStatuses' AND st.id = h.state_id
    LEFT JOIN bms_lookups mf ON mf.table_name = 'Manufacturers' AND mf.id = h.manufacturer_id
    LEFT JOIN bms_users cu ON cu.id = h.created_by
    LEFT JOIN bms_users mu ON mu.id = h.modified_by";

const COLUMNS: &str = "h.id, h.name, h.account_id, a.account_name, h.account_location_id,
    l.location_name, h.contact_id, c.first_name, c.last_name, h.category_id, cat.name,
    h.serial_number, h.state_id, st.name, h.location_info, h.description, h.asset_tag,
    h.is_active, h.model_number, h.ip_address, h.default_gateway, h.os_type, h.os_info,
    h.mac_address, h.manufacturer_id, mf.name, h.warranty_expiration_date,
    h.acquisition_date, h.created_by, cu.first_name || ' ' || cu.last_name, h.modified_by,
    mu.first_name || ' ' || mu.last_name, h.created_on, h.modified_on, h.details,
    (SELECT email_address FROM bms_contact_emails e WHERE e.contact_id = h.contact_id
     ORDER BY e.is_default DESC, e.id LIMIT 1),
    (SELECT phone FROM bms_contact_phones p WHERE p.contact_id = h.contact_id
     ORDER BY p.is_default DESC, p.id LIMIT 1)";

/// Output column names for the values above, in order (`details` expands in place).
const OUTPUT: &[&str] = &[
    "id",
    "name",
    "accountId",
    "accountName",
    "accountLocationId",
    "accountLocation",
    "contactId",
    "contactFirstName",
    "contactLastName",
    "categoryId",
    "category",
    "serialNumber",
    "stateId",
    "state",
    "locationInfo",
    "description",
    "assetTag",
    "isActive",
    "modelNumber",
    "ipAddress",
    "defaultGateway",
    "osType",
    "osInfo",
    "macAddress",
    "manufacturerId",
    "manufacturer",
    "warrantyExpirationDate",
    "acquisitionDate",
    "createdById",
    "createdBy",
    "modifiedById",
    "modifiedBy",
    "createdOn",
    "modifiedOn",
];

/// `HardwareAssetOutputDto` members read from `details`, and those with no source here.
const DETAIL_OUTPUT: &[&str] = &[
    "brandId",
    "brand",
    "businessImpactId",
    "businessImpact",
    "barCode",
    "vendorId",
    "webRemoteUrl",
    "vendor",
    "machineGroupId",
    "subnetMask",
    "dnsServers",
    "dhcpEnabled",
    "dhcpServer",
    "winsEnabled",
    "secondaryWinsServer",
    "connectionGatewayIp",
    "majorVersion",
    "minorVersion",
    "loginName",
    "lastLoginname",
    "currentUser",
    "productName",
    "machineVersion",
    "motherboardManufacturerId",
    "motherboardManufacturer",
    "motherboardProductCode",
    "motherboardSerialNumber",
    "motherboardVersion",
    "chassisAssetTag",
    "chassisManufacturerId",
    "chassisManufacturer",
    "chassisSerialNumber",
    "chassisType",
    "chassisVersion",
    "busSpeed",
    "maxMemorySize",
    "maxMemorySlots",
    "primaryWinsServer",
    "purchaseCost",
    "expirationDate",
    "firstCheckIn",
    "lastCheckIn",
    "lastReboot",
    "agentId",
    "integrationTypeId",
];

/// Members the DTO declares as non-nullable booleans.
const FALSE_BY_DEFAULT: &[&str] = &["dhcpEnabled", "winsEnabled"];

fn output(row: &Row<'_>) -> rusqlite::Result<Ordered> {
    let mut members = Vec::with_capacity(OUTPUT.len() + DETAIL_OUTPUT.len() + 4);
    for (index, name) in OUTPUT.iter().enumerate() {
        let value = match row.get_ref(index)? {
            rusqlite::types::ValueRef::Null => Value::Null,
            rusqlite::types::ValueRef::Integer(n) if *name == "isActive" => Value::Bool(n != 0),
            rusqlite::types::ValueRef::Integer(n) => Value::from(n),
            rusqlite::types::ValueRef::Real(f) => Value::from(f),
            rusqlite::types::ValueRef::Text(text) | rusqlite::types::ValueRef::Blob(text) => {
                Value::String(String::from_utf8_lossy(text).into_owned())
            }
        };
        members.push((*name, value));
    }
    let details: String = row.get(OUTPUT.len())?;
    let details: Map<String, Value> = serde_json::from_str(&details).unwrap_or_default();
    for name in DETAIL_OUTPUT {
        let value = details.get(*name).cloned().unwrap_or(Value::Null);
        let value = if value.is_null() && FALSE_BY_DEFAULT.contains(name) {
            Value::Bool(false)
        } else {
            value
        };
        members.push((*name, value));
    }
    members.push((
        "contactEmailAddress",
        row.get::<_, Option<String>>(OUTPUT.len() + 1)?.into(),
    ));
    members.push((
        "contactPhoneNumber",
        row.get::<_, Option<String>>(OUTPUT.len() + 2)?.into(),
    ));
    members.push(("diskVolumes", Value::Array(Vec::new())));
    members.push(("statuses", Value::Array(Vec::new())));
    Ok(Ordered(members))
}

fn visible(user: &AuthUser) -> Conditions {
    let mut conditions = Conditions::new();
    conditions.push("h.tenant_id = ?", &[user.tenant_id]);
    conditions.push(&in_scope_sql("h.account_id"), &[user.user_id]);
    conditions
}

fn find(connection: &Connection, user: &AuthUser, id: i64) -> rusqlite::Result<Option<Ordered>> {
    let mut conditions = visible(user);
    conditions.push("h.id = ?", &[id]);
    connection
        .query_row(
            &format!("SELECT {COLUMNS} FROM {FROM}{}", conditions.where_sql()),
            rusqlite::params_from_iter(conditions.params()),
            output,
        )
        .optional()
}

pub async fn show(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = parse_id(&id, NOT_FOUND)?;
    let asset = state
        .store
        .read(|connection| find(connection, &user, id))?
        .ok_or_else(|| ApiError::failure(404, NOT_FOUND))?;
    Ok(envelope::success(asset).into_response())
}

/// `GET /v2/servicedesk/hardwareasset/searchselect`.
pub async fn search_select(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    OriginalUri(uri): OriginalUri,
) -> Result<Response, ApiError> {
    let params = QueryParams::parse(uri.query());
    let page = Page::from_query(&params)?;
    let conditions = search_conditions(&params, &user)?;
    let items = state.store.read(|connection| {
        let sql = format!(
            "SELECT h.id, cat.name, h.category_id, l.location_name, h.name, h.serial_number,
                    json_extract(h.details, '$.machineGroupId'), h.ip_address, h.contact_id,
                    trim(coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, '')),
                    h.account_id, a.account_name, h.is_active
             FROM {FROM}{} ORDER BY h.id LIMIT ? OFFSET ?",
            conditions.where_sql()
        );
        let mut query_params = conditions.params().to_vec();
        query_params.extend([page.limit().into(), page.offset().into()]);
        let mut statement = connection.prepare(&sql)?;
        let rows = statement.query_map(rusqlite::params_from_iter(query_params), |row| {
            let contact_id: Option<i64> = row.get(8)?;
            Ok(Ordered(vec![
                ("id", row.get::<_, i64>(0)?.into()),
                ("categoryName", row.get::<_, Option<String>>(1)?.into()),
                ("categoryId", row.get::<_, Option<i64>>(2)?.into()),
                ("locationName", row.get::<_, Option<String>>(3)?.into()),
                ("assetName", row.get::<_, String>(4)?.into()),
                ("serialNumber", row.get::<_, Option<String>>(5)?.into()),
                ("machineGroupId", row.get::<_, Option<String>>(6)?.into()),
                ("ipAddress", row.get::<_, Option<String>>(7)?.into()),
                ("contactId", contact_id.into()),
                (
                    "contactName",
                    contact_id
                        .map(|_| row.get::<_, String>(9))
                        .transpose()?
                        .into(),
                ),
                ("accountId", row.get::<_, i64>(10)?.into()),
                ("accountName", row.get::<_, String>(11)?.into()),
                ("isActive", row.get::<_, bool>(12)?.into()),
            ]))
        })?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
    })?;
    Ok(envelope::success(items).into_response())
}

fn search_conditions(params: &QueryParams, user: &AuthUser) -> Result<Conditions, ApiError> {
    let mut conditions = visible(user);
    if let Some(ids) = params.integer_list("Filter.CategoryIds")? {
        conditions.any_of("h.category_id", &ids);
    }
    for (name, column) in [
        ("Filter.AssetName", "h.name"),
        ("Filter.LocationName", "l.location_name"),
        ("Filter.SerialNumber", "h.serial_number"),
        ("Filter.Description", "h.description"),
        (
            "Filter.ContactName",
            "(coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, ''))",
        ),
    ] {
        if let Some(value) = params.text(name) {
            conditions.push(
                &format!(r"{column} LIKE '%' || ? || '%' ESCAPE '\'"),
                &[escape_like(value)],
            );
        }
    }
    if let Some(ip) = params.text("Filter.IPAddress") {
        conditions.push("h.ip_address = ?", &[ip.to_owned()]);
    }
    if let Some(group) = params.text("Filter.MachineGroupId") {
        conditions.push(
            "json_extract(h.details, '$.machineGroupId') = ?",
            &[group.to_owned()],
        );
    }
    for (name, column) in [
        ("Filter.AccountId", "h.account_id = ?"),
        ("Filter.ContactId", "h.contact_id = ?"),
        ("Filter.ExcludedId", "h.id <> ?"),
    ] {
        if let Some(value) = params.integer(name)? {
            conditions.push(column, &[value]);
        }
    }
    if let Some(active) = params.boolean("Filter.IsActive")? {
        conditions.push("h.is_active = ?", &[active]);
    }
    Ok(conditions)
}

/// `POST /v2/servicedesk/hardwareasset` with a `HardwareAssetInputDto`.
pub async fn create(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let fields = Fields::from_body(body)?;
    require(&fields, REQUIRED)?;
    let id = state.store.try_write(|transaction| {
        let (columns, values) = input(transaction, &user, &fields)?;
        let stamp = now();
        let mut params = values;
        params.extend([
            user.tenant_id.into(),
            user.user_id.into(),
            stamp.clone().into(),
            user.user_id.into(),
            stamp.into(),
        ]);
        transaction.execute(
            &format!(
                "INSERT INTO bms_hardware_assets ({}, tenant_id, created_by, created_on, modified_by,
                                                  modified_on)
                 VALUES ({}, ?, ?, ?, ?, ?)",
                columns.join(", "),
                crate::store::sql::placeholders(columns.len())
            ),
            rusqlite::params_from_iter(params),
        )?;
        Ok::<_, ApiError>(transaction.last_insert_rowid())
    })?;
    respond(&state, &user, id)
}

/// `PUT /v2/servicedesk/hardwareasset/{id}`: replaces every input member.
pub async fn update(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let id = parse_id(&id, NOT_FOUND)?;
    let fields = Fields::from_body(body)?;
    require(&fields, REQUIRED)?;
    state.store.try_write(|transaction| {
        if find(transaction, &user, id)?.is_none() {
            return Err(ApiError::failure(404, NOT_FOUND));
        }
        let (columns, values) = input(transaction, &user, &fields)?;
        let assignments: Vec<String> = columns
            .iter()
            .map(|column| format!("{column} = ?"))
            .chain(["modified_by = ?".to_owned(), "modified_on = ?".to_owned()])
            .collect();
        let mut params = values;
        params.extend([user.user_id.into(), now().into(), id.into()]);
        transaction.execute(
            &format!(
                "UPDATE bms_hardware_assets SET {} WHERE id = ?",
                assignments.join(", ")
            ),
            rusqlite::params_from_iter(params),
        )?;
        Ok(())
    })?;
    respond(&state, &user, id)
}

pub async fn delete(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = parse_id(&id, NOT_FOUND)?;
    state.store.try_write(|transaction| {
        if find(transaction, &user, id)?.is_none() {
            return Err(ApiError::failure(404, NOT_FOUND));
        }
        transaction.execute("DELETE FROM bms_hardware_assets WHERE id = ?1", [id])?;
        Ok(())
    })?;
    Ok(envelope::success(true).into_response())
}

fn respond(state: &AppState, user: &AuthUser, id: i64) -> Result<Response, ApiError> {
    let asset = state
        .store
        .read(|connection| find(connection, user, id))?
        .ok_or_else(|| ApiError::failure(404, NOT_FOUND))?;
    Ok(envelope::success(asset).into_response())
}

/// Every input member as `(columns, values)`, `details` included, after checking that the
/// account is in scope and the location, contact and category belong to it.
fn input(
    connection: &Connection,
    user: &AuthUser,
    fields: &Fields,
) -> Result<(Vec<&'static str>, Vec<rusqlite::types::Value>), ApiError> {
    check_placement(connection, user, fields)?;
    let mut columns = Vec::new();
    let mut values = Vec::new();
    for (member, column, kind) in COLUMN_MEMBERS {
        columns.push(*column);
        values.push(json_to_sql(read_member(fields, member, *kind)?));
    }
    columns.push("is_active");
    values.push(i64::from(fields.boolean("IsActive")?.unwrap_or(true)).into());
    let mut details = Map::new();
    for (member, key, kind) in DETAIL_MEMBERS {
        let value = read_member(fields, member, *kind)?;
        if !value.is_null() {
            details.insert((*key).to_owned(), value);
        }
    }
    columns.push("details");
    values.push(Value::Object(details).to_string().into());
    Ok((columns, values))
}

fn json_to_sql(value: Value) -> rusqlite::types::Value {
    match value {
        Value::String(text) => text.into(),
        Value::Number(number) => number
            .as_i64()
            .map_or_else(|| number.as_f64().unwrap_or_default().into(), Into::into),
        Value::Bool(flag) => i64::from(flag).into(),
        _ => rusqlite::types::Value::Null,
    }
}

fn check_placement(
    connection: &Connection,
    user: &AuthUser,
    fields: &Fields,
) -> Result<(), ApiError> {
    let invalid = |member: &str, id: i64| {
        ApiError::failure(400, format!("The {member} value '{id}' is not valid."))
    };
    let account_id = fields.int("AccountId")?.unwrap_or_default();
    let account_ok: bool = connection.query_row(
        &format!(
            "SELECT EXISTS (SELECT 1 FROM bms_accounts WHERE id = ? AND tenant_id = ? AND {})",
            in_scope_sql("bms_accounts.id")
        ),
        params![account_id, user.tenant_id, user.user_id],
        |row| row.get(0),
    )?;
    if !account_ok {
        return Err(invalid("AccountId", account_id));
    }
    let checks = [
        (
            "AccountLocationId",
            "SELECT EXISTS (SELECT 1 FROM bms_account_locations WHERE id = ?1 AND account_id = ?2)",
        ),
        (
            "ContactId",
            "SELECT EXISTS (SELECT 1 FROM bms_contacts WHERE id = ?1 AND account_id = ?2)",
        ),
        (
            "CategoryId",
            "SELECT EXISTS (SELECT 1 FROM bms_lookups WHERE table_name = 'AssetCategories' AND id = ?1 AND ?2 = ?2)",
        ),
        (
            "StateId",
            "SELECT EXISTS (SELECT 1 FROM bms_lookups WHERE table_name = 'AssetStatuses' AND id = ?1 AND ?2 = ?2)",
        ),
        (
            "ManufacturerId",
            "SELECT EXISTS (SELECT 1 FROM bms_lookups WHERE table_name = 'Manufacturers' AND id = ?1 AND ?2 = ?2)",
        ),
    ];
    for (member, sql) in checks {
        if let Some(id) = fields.int(member)? {
            let found: bool =
                connection.query_row(sql, params![id, account_id], |row| row.get(0))?;
            if !found {
                return Err(invalid(member, id));
            }
        }
    }
    Ok(())
}
