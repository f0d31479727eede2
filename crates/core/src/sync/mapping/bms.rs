//! Kaseya BMS v2 (camelCase wire keys) ↔ canonical records.
//!
//! Reads `AccountSummaryOutputDto` (with its `locations[].addresses[]`), `ContactsSummaryOutputDto` and
//! `HardwareAssetOutputDto`, tolerating missing and null fields. Writes JSON Patch for accounts and contacts,
//! a full `HardwareAssetInputDto` for assets (they have only PUT), and `AccountLocationInputDto` for locations.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::{Catalog, Dropped, IdResolver, MappingError, Method, Rendered, bms_id_of};
use crate::sync::normalize::{
    MacAddress, SyncDate, Timestamp, clean, email_key, fold, parse_mac_list, phone_key, split_extension,
};
use crate::sync::records::{
    BmsId, Configuration, Contact, Email, EntityKind, Field, Location, Organization, Phone, Record, RecordRef, Side,
};
use crate::sync::settings::DirectoryContactTypes;
use crate::sync::snapshot::BmsEntry;

/// Where a BMS write goes; the shell turns it into a URL. Locations have no v2 write route besides account
/// creation, so the shell picks the route it has for them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "resource", rename_all = "kebab-case")]
pub enum BmsEndpoint {
    Accounts,
    Account { id: BmsId },
    AccountLocations { account: BmsId },
    AccountLocation { account: BmsId, id: BmsId },
    Contacts,
    Contact { id: BmsId },
    ContactEmails { contact: BmsId },
    ContactPhones { contact: BmsId },
    HardwareAssets,
    HardwareAsset { id: BmsId },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BmsRequest {
    pub method: Method,
    pub endpoint: BmsEndpoint,
    pub body: Value,
}

/// What writing to BMS needs besides the record.
#[derive(Clone, Copy)]
pub struct BmsWriteContext<'a> {
    pub catalog: &'a Catalog,
    pub resolver: &'a dyn IdResolver,
    /// The email and phone types for contacts that Active Directory created; `None` for other contacts.
    pub directory_types: Option<&'a DirectoryContactTypes>,
}

/// The operation codes of `PATCH /v2/crm/contacts/{id}/emails|phones`. The swagger declares an enum 0–2 without
/// names; add/update/delete in that order is the reading every client uses.
const LIST_ADD: i64 = 0;
const LIST_UPDATE: i64 = 1;
const LIST_DELETE: i64 = 2;

// ---------------------------------------------------------------------------------------------------------------
// Reading

/// A BMS id as it comes on the wire: usually an integer, sometimes text.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum WireId {
    Int(i64),
    Text(String),
}

impl WireId {
    fn into_id(self) -> Option<BmsId> {
        match self {
            Self::Int(n) => Some(BmsId::new(n.to_string())),
            Self::Text(s) => clean(Some(&s)).map(BmsId::new),
        }
    }
}

fn id_of(wire: Option<WireId>) -> Option<BmsId> {
    wire.and_then(WireId::into_id)
}

fn decode<T: DeserializeOwned>(value: &Value, what: &'static str) -> Result<T, MappingError> {
    T::deserialize(value).map_err(|e| MappingError::Malformed { what, field: "record".into(), detail: e.to_string() })
}

fn time(raw: Option<&str>) -> Result<Option<Timestamp>, MappingError> {
    clean(raw).map(|s| Timestamp::parse(&s)).transpose().map_err(Into::into)
}

fn date(raw: Option<&str>) -> Result<Option<SyncDate>, MappingError> {
    clean(raw).map(|s| SyncDate::parse(&s)).transpose().map_err(Into::into)
}

fn text(raw: Option<String>) -> Option<String> {
    clean(raw.as_deref())
}

/// BMS has no status list for accounts or assets, only `isActive`.
fn status_name(active: Option<bool>) -> Option<String> {
    active.map(|a| if a { "Active" } else { "Inactive" }.to_owned())
}

fn active_flag(status: &str) -> Option<bool> {
    match fold(status).as_str() {
        "active" => Some(true),
        "inactive" => Some(false),
        _ => None,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct AccountDto {
    id: Option<WireId>,
    created_on: Option<String>,
    modified_on: Option<String>,
    parent_id: Option<WireId>,
    account_code: Option<String>,
    account_type_id: Option<i64>,
    account_type: Option<String>,
    account_name: Option<String>,
    is_active: Option<bool>,
    locations: Option<Vec<Value>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct LocationDto {
    id: Option<WireId>,
    created_on: Option<String>,
    modified_on: Option<String>,
    location_name: Option<String>,
    is_main: Option<bool>,
    addresses: Option<Vec<AddressDto>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct AddressDto {
    address1: Option<String>,
    address2: Option<String>,
    city: Option<String>,
    state: Option<String>,
    zip_code: Option<String>,
    country_id: Option<i64>,
    country: Option<String>,
    phone: Option<String>,
    fax: Option<String>,
    is_main: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ContactDto {
    id: Option<WireId>,
    created_on: Option<String>,
    modified_on: Option<String>,
    account_id: Option<WireId>,
    location_id: Option<WireId>,
    first_name: Option<String>,
    last_name: Option<String>,
    job_title: Option<String>,
    /// `isPoc` on the summary DTO, `poc` on the put DTO.
    #[serde(alias = "poc")]
    is_poc: Option<bool>,
    emails: Option<Vec<EmailDto>>,
    phones: Option<Vec<PhoneDto>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct EmailDto {
    email_address: Option<String>,
    email_type_id: Option<i64>,
    email_type: Option<String>,
    is_default: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct PhoneDto {
    /// `phone` on output, `phoneNumber` on input.
    #[serde(alias = "phoneNumber")]
    phone: Option<String>,
    phone_type_id: Option<i64>,
    phone_type: Option<String>,
    is_default: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct AssetDto {
    id: Option<WireId>,
    created_on: Option<String>,
    modified_on: Option<String>,
    name: Option<String>,
    account_id: Option<WireId>,
    account_location_id: Option<WireId>,
    contact_id: Option<WireId>,
    category_id: Option<i64>,
    category: Option<String>,
    serial_number: Option<String>,
    location_info: Option<String>,
    description: Option<String>,
    asset_tag: Option<String>,
    is_active: Option<bool>,
    model_number: Option<String>,
    ip_address: Option<String>,
    default_gateway: Option<String>,
    os_type: Option<String>,
    os_info: Option<String>,
    mac_address: Option<String>,
    manufacturer_id: Option<i64>,
    manufacturer: Option<String>,
    warranty_expiration_date: Option<String>,
    acquisition_date: Option<String>,
}

fn required_id(wire: Option<WireId>, what: &'static str) -> Result<BmsId, MappingError> {
    id_of(wire).ok_or(MappingError::Missing { what, field: "id" })
}

/// A name from the DTO, or from the catalog when only the id came (as in an input DTO).
fn named(name: Option<String>, id: Option<i64>, lookup: &super::NameIds) -> Option<String> {
    text(name).or_else(|| id.and_then(|id| lookup.name_of(id)).map(str::to_owned))
}

/// An account (`AccountSummaryOutputDto`). Its locations are read separately with [`account_locations`].
pub fn account(dto: &Value, catalog: &Catalog) -> Result<BmsEntry, MappingError> {
    let a: AccountDto = decode(dto, "BMS account")?;
    let record = Organization {
        name: text(a.account_name).ok_or(MappingError::Missing { what: "BMS account", field: "accountName" })?,
        type_name: named(a.account_type, a.account_type_id, &catalog.bms.account_types),
        status: status_name(a.is_active),
        parent: id_of(a.parent_id).map(RecordRef::Bms),
        short_name: text(a.account_code),
    };
    Ok(BmsEntry {
        id: required_id(a.id, "BMS account")?,
        account: None,
        created_on: time(a.created_on.as_deref())?,
        modified_on: time(a.modified_on.as_deref())?,
        record: Record::Organization(record),
    })
}

/// The locations nested in an account DTO, each owned by the account.
pub fn account_locations(dto: &Value, catalog: &Catalog) -> Result<Vec<BmsEntry>, MappingError> {
    let a: AccountDto = decode(dto, "BMS account")?;
    let account = required_id(a.id, "BMS account")?;
    a.locations.unwrap_or_default().iter().map(|l| location(l, &account, catalog)).collect()
}

/// One location (`AccountLocationOutputDto`): its name plus its main address (the first when none is marked).
pub fn location(dto: &Value, account: &BmsId, catalog: &Catalog) -> Result<BmsEntry, MappingError> {
    let l: LocationDto = decode(dto, "BMS location")?;
    let mut addresses = l.addresses.unwrap_or_default();
    let main = addresses.iter().position(|a| a.is_main == Some(true)).unwrap_or(0);
    let address = if addresses.is_empty() { AddressDto::default() } else { addresses.swap_remove(main) };
    let record = Location {
        name: text(l.location_name).ok_or(MappingError::Missing { what: "BMS location", field: "locationName" })?,
        main: l.is_main.unwrap_or(false),
        address1: text(address.address1),
        address2: text(address.address2),
        city: text(address.city),
        state: text(address.state),
        postal_code: text(address.zip_code),
        country: named(address.country, address.country_id, &catalog.bms.countries),
        phone: text(address.phone),
        fax: text(address.fax),
    };
    Ok(BmsEntry {
        id: required_id(l.id, "BMS location")?,
        account: Some(account.clone()),
        created_on: time(l.created_on.as_deref())?,
        modified_on: time(l.modified_on.as_deref())?,
        record: Record::Location(record),
    })
}

/// A contact (`ContactsSummaryOutputDto`).
pub fn contact(dto: &Value, catalog: &Catalog) -> Result<BmsEntry, MappingError> {
    let c: ContactDto = decode(dto, "BMS contact")?;
    let emails = c
        .emails
        .unwrap_or_default()
        .into_iter()
        .filter_map(|e| {
            let address = text(e.email_address)?;
            Some(Email {
                address,
                primary: e.is_default.unwrap_or(false),
                label: named(e.email_type, e.email_type_id, &catalog.bms.email_types),
            })
        })
        .collect();
    let phones = c
        .phones
        .unwrap_or_default()
        .into_iter()
        .filter_map(|p| {
            let raw = text(p.phone)?;
            let (number, extension) = split_extension(&raw);
            Some(Phone {
                number: number.to_owned(),
                extension: clean(extension),
                primary: p.is_default.unwrap_or(false),
                label: named(p.phone_type, p.phone_type_id, &catalog.bms.phone_types),
            })
        })
        .collect();
    let record = Contact {
        first_name: text(c.first_name),
        last_name: text(c.last_name),
        title: text(c.job_title),
        emails,
        phones,
        location: id_of(c.location_id).map(RecordRef::Bms),
        important: c.is_poc.unwrap_or(false),
    };
    Ok(BmsEntry {
        id: required_id(c.id, "BMS contact")?,
        account: id_of(c.account_id),
        created_on: time(c.created_on.as_deref())?,
        modified_on: time(c.modified_on.as_deref())?,
        record: Record::Contact(record),
    })
}

/// A hardware asset (`HardwareAssetOutputDto`). Of several MACs in `macAddress`, the first is the primary one.
pub fn asset(dto: &Value, catalog: &Catalog) -> Result<BmsEntry, MappingError> {
    let a: AssetDto = decode(dto, "BMS asset")?;
    let record = Configuration {
        name: text(a.name).ok_or(MappingError::Missing { what: "BMS asset", field: "name" })?,
        asset_tag: text(a.asset_tag),
        contact: id_of(a.contact_id).map(RecordRef::Bms),
        default_gateway: text(a.default_gateway),
        status: status_name(a.is_active),
        configuration_type: named(a.category, a.category_id, &catalog.bms.asset_categories),
        primary_ip: text(a.ip_address),
        location: id_of(a.account_location_id).map(RecordRef::Bms),
        manufacturer: named(a.manufacturer, a.manufacturer_id, &catalog.bms.manufacturers),
        model: text(a.model_number),
        notes: text(a.description),
        operating_system: text(a.os_info),
        position: text(a.location_info),
        platform: text(a.os_type),
        purchased_at: date(a.acquisition_date.as_deref())?,
        serial_number: text(a.serial_number),
        primary_mac: a.mac_address.as_deref().and_then(|m| parse_mac_list(m).into_iter().next()),
        warranty_expires_at: date(a.warranty_expiration_date.as_deref())?,
    };
    Ok(BmsEntry {
        id: required_id(a.id, "BMS asset")?,
        account: id_of(a.account_id),
        created_on: time(a.created_on.as_deref())?,
        modified_on: time(a.modified_on.as_deref())?,
        record: Record::Configuration(Box::new(record)),
    })
}

// ---------------------------------------------------------------------------------------------------------------
// Writing

/// One field as a BMS key and value, or why it cannot be written.
type FieldWrite = Result<(&'static str, Value), Dropped>;

fn dropped(field: Field, reason: impl Into<String>) -> Dropped {
    Dropped { field, reason: reason.into() }
}

fn opt(value: &Option<String>) -> Value {
    value.as_deref().map_or(Value::Null, |s| Value::String(s.to_owned()))
}

/// BMS dates are date-times without an offset.
fn bms_date(d: Option<SyncDate>) -> Value {
    d.map_or(Value::Null, |d| Value::String(format!("{d}T00:00:00")))
}

fn id_value(id: &BmsId) -> Value {
    // BMS ids are integers; send them as numbers when they are.
    id.as_str().parse::<i64>().map_or_else(|_| Value::String(id.to_string()), Value::from)
}

fn reference(field: Field, key: &'static str, target: &Option<RecordRef>, ctx: &BmsWriteContext<'_>) -> FieldWrite {
    let kind = field.ref_kind().unwrap_or(EntityKind::Organization);
    match target {
        None => Ok((key, Value::Null)),
        Some(t) => match bms_id_of(kind, t, ctx.resolver) {
            Some(id) => Ok((key, id_value(&id))),
            None => Err(dropped(field, format!("{t} is not in Kaseya BMS yet"))),
        },
    }
}

fn status(field: Field, key: &'static str, value: &Option<String>) -> FieldWrite {
    match value.as_deref().map(|s| (s, active_flag(s))) {
        Some((_, Some(active))) => Ok((key, Value::Bool(active))),
        Some((other, None)) => Err(dropped(field, format!("Kaseya BMS has only Active and Inactive, not {other:?}"))),
        None => Err(dropped(field, "Kaseya BMS records are always Active or Inactive")),
    }
}

fn lookup(
    field: Field,
    key: &'static str,
    value: &Option<String>,
    ids: &super::NameIds,
    what: &str,
    required: bool,
) -> FieldWrite {
    match value {
        Some(name) => match ids.id_of(name) {
            Some(id) => Ok((key, Value::from(id))),
            None => Err(dropped(field, format!("Kaseya BMS has no {what} named {name:?}"))),
        },
        None if required => Err(dropped(field, format!("Kaseya BMS requires a {what}"))),
        None => Ok((key, Value::Null)),
    }
}

fn account_field(field: Field, r: &Organization, ctx: &BmsWriteContext<'_>) -> Option<FieldWrite> {
    Some(match field {
        Field::Name => Ok(("accountName", Value::String(r.name.clone()))),
        Field::OrganizationType => {
            lookup(field, "accountTypeId", &r.type_name, &ctx.catalog.bms.account_types, "account type", true)
        }
        Field::Status => status(field, "isActive", &r.status),
        Field::Parent => reference(field, "parentId", &r.parent, ctx),
        Field::ShortName => Ok(("accountCode", opt(&r.short_name))),
        _ => return None,
    })
}

fn contact_field(field: Field, r: &Contact, ctx: &BmsWriteContext<'_>) -> Option<FieldWrite> {
    Some(match field {
        Field::FirstName => Ok(("firstName", opt(&r.first_name))),
        Field::LastName => Ok(("lastName", opt(&r.last_name))),
        Field::Title => Ok(("jobTitle", opt(&r.title))),
        Field::Important => Ok(("poc", Value::Bool(r.important))),
        Field::Location => reference(field, "locationId", &r.location, ctx),
        _ => return None,
    })
}

fn asset_field(field: Field, r: &Configuration, ctx: &BmsWriteContext<'_>) -> Option<FieldWrite> {
    let cat = &ctx.catalog.bms;
    Some(match field {
        Field::Name => Ok(("name", Value::String(r.name.clone()))),
        Field::AssetTag => Ok(("assetTag", opt(&r.asset_tag))),
        Field::Contact => reference(field, "contactId", &r.contact, ctx),
        Field::DefaultGateway => Ok(("defaultGateway", opt(&r.default_gateway))),
        Field::Status => status(field, "isActive", &r.status),
        Field::ConfigurationType => {
            lookup(field, "categoryId", &r.configuration_type, &cat.asset_categories, "asset category", true)
        }
        Field::PrimaryIp => Ok(("ipAddress", opt(&r.primary_ip))),
        Field::Location if r.location.is_none() => Err(dropped(field, "Kaseya BMS assets always have a client location")),
        Field::Location => reference(field, "accountLocationId", &r.location, ctx),
        Field::Manufacturer => lookup(field, "manufacturerId", &r.manufacturer, &cat.manufacturers, "manufacturer", false),
        Field::Model => Ok(("modelNumber", opt(&r.model))),
        Field::Notes => Ok(("description", opt(&r.notes))),
        Field::OperatingSystem => Ok(("osInfo", opt(&r.operating_system))),
        Field::Position => Ok(("locationInfo", opt(&r.position))),
        Field::Platform => Ok(("osType", opt(&r.platform))),
        Field::PurchasedAt => Ok(("acquisitionDate", bms_date(r.purchased_at))),
        Field::SerialNumber => Ok(("serialNumber", opt(&r.serial_number))),
        Field::PrimaryMac => Ok(("macAddress", r.primary_mac.as_ref().map_or(Value::Null, |m| Value::String(m.to_string())))),
        Field::WarrantyExpiresAt => Ok(("warrantyExpirationDate", bms_date(r.warranty_expires_at))),
        _ => return None,
    })
}

/// The fields of `record` that cannot be written to BMS as they stand, with the reasons.
pub fn unwritable(record: &Record, ctx: &BmsWriteContext<'_>) -> Vec<Dropped> {
    let fields = record.fields().iter().copied();
    let writes: Vec<Option<FieldWrite>> = match record {
        Record::Organization(r) => fields.map(|f| account_field(f, r, ctx)).collect(),
        Record::Contact(r) => fields.map(|f| contact_field(f, r, ctx)).collect(),
        Record::Configuration(r) => fields.map(|f| asset_field(f, r, ctx)).collect(),
        Record::Location(_) => Vec::new(),
    };
    writes.into_iter().flatten().filter_map(Result::err).collect()
}

fn patch_op(key: &str, value: Value) -> Value {
    json!({"op": "replace", "path": format!("/{key}"), "value": value})
}

/// Splits field writes into a body (key → value) and the dropped fields.
fn collect(writes: impl IntoIterator<Item = FieldWrite>) -> (Map<String, Value>, Vec<Dropped>) {
    let mut body = Map::new();
    let mut out = Vec::new();
    for w in writes {
        match w {
            Ok((key, value)) => {
                body.insert(key.to_owned(), value);
            }
            Err(d) => out.push(d),
        }
    }
    (body, out)
}

fn require(
    body: &Map<String, Value>,
    key: &str,
    what: &'static str,
    dropped: &[Dropped],
    field: Field,
) -> Result<(), MappingError> {
    if body.get(key).is_some_and(|v| !v.is_null()) {
        return Ok(());
    }
    match dropped.iter().find(|d| d.field == field) {
        Some(d) => Err(MappingError::Unwritable { what, field: field.label(), reason: d.reason.clone() }),
        None => Err(MappingError::Missing { what, field: field.label() }),
    }
}

fn type_id(
    ids: &super::NameIds,
    fixed: Option<&str>,
    label: Option<&str>,
    fallback: Option<i64>,
    what: &'static str,
) -> Result<i64, MappingError> {
    let wanted = fixed.or(label);
    wanted.and_then(|name| ids.id_of(name)).or(fallback).ok_or_else(|| MappingError::UnknownName {
        side: Side::Bms,
        lookup: what,
        name: wanted.unwrap_or("(none)").to_owned(),
    })
}

/// A phone as BMS free text: the number, then " x" and the extension.
fn phone_text(p: &Phone) -> String {
    match &p.extension {
        Some(ext) => format!("{} x{ext}", p.number),
        None => p.number.clone(),
    }
}

fn primary_index<T>(items: &[T], is_primary: impl Fn(&T) -> bool) -> Option<usize> {
    items.iter().position(is_primary).or(if items.is_empty() { None } else { Some(0) })
}

fn email_type_id(e: &Email, ctx: &BmsWriteContext<'_>) -> Result<i64, MappingError> {
    let cat = &ctx.catalog.bms;
    type_id(
        &cat.email_types,
        ctx.directory_types.map(|t| t.email_type.as_str()),
        e.label.as_deref(),
        cat.defaults.email_type_id,
        "email type",
    )
}

fn phone_type_id(p: &Phone, ctx: &BmsWriteContext<'_>) -> Result<i64, MappingError> {
    let cat = &ctx.catalog.bms;
    type_id(
        &cat.phone_types,
        ctx.directory_types.map(|t| t.phone_type.as_str()),
        p.label.as_deref(),
        cat.defaults.phone_type_id,
        "phone type",
    )
}

fn location_address(r: &Location, ctx: &BmsWriteContext<'_>, mut address: Map<String, Value>) -> Value {
    for (key, value) in [
        ("address1", &r.address1),
        ("address2", &r.address2),
        ("city", &r.city),
        ("state", &r.state),
        ("zipCode", &r.postal_code),
        ("country", &r.country),
        ("phone", &r.phone),
        ("fax", &r.fax),
    ] {
        address.insert(key.to_owned(), opt(value));
    }
    let country_id = r.country.as_deref().and_then(|c| ctx.catalog.bms.countries.id_of(c));
    address.insert("countryId".into(), country_id.map_or(Value::Null, Value::from));
    address.insert("isMain".into(), Value::Bool(true));
    Value::Object(address)
}

/// An `AccountLocationInputDto`.
fn location_input(r: &Location, ctx: &BmsWriteContext<'_>) -> Value {
    json!({
        "locationName": r.name,
        "isMain": r.main,
        "isActive": true,
        "addresses": [location_address(r, ctx, Map::new())],
    })
}

/// The `locations` of a new account. BMS v2 creates locations only inside `POST /v2/crm/accounts` and wants at
/// least one, so an account pushed without any gets an empty main location, as BMS's own form makes.
pub fn account_location_inputs(locations: &[&Record], ctx: &BmsWriteContext<'_>) -> Value {
    let inputs: Vec<Value> = locations
        .iter()
        .filter_map(|r| match r {
            Record::Location(l) => Some(location_input(l, ctx)),
            _ => None,
        })
        .collect();
    if inputs.is_empty() {
        let main = Location { name: "Main".into(), main: true, ..Location::default() };
        return Value::Array(vec![location_input(&main, ctx)]);
    }
    Value::Array(inputs)
}

fn owner<'a>(account: Option<&'a BmsId>, what: &'static str) -> Result<&'a BmsId, MappingError> {
    account.ok_or(MappingError::Missing { what, field: "account" })
}

/// The requests that create `record` in BMS under `account` (ignored for accounts).
pub fn create(record: &Record, account: Option<&BmsId>, ctx: &BmsWriteContext<'_>) -> Result<Rendered<BmsRequest>, MappingError> {
    match record {
        Record::Organization(r) => {
            let fields = record.fields().iter().filter_map(|&f| account_field(f, r, ctx));
            let (mut body, dropped) = collect(fields);
            require(&body, "accountTypeId", "new BMS account", &dropped, Field::OrganizationType)?;
            let defaults = &ctx.catalog.bms.defaults;
            let business =
                defaults.business_type_id.ok_or(MappingError::Missing { what: "BMS defaults", field: "business type" })?;
            let manager =
                defaults.account_manager_id.ok_or(MappingError::Missing { what: "BMS defaults", field: "account manager" })?;
            body.insert("businessTypeId".into(), business.into());
            body.insert("accountManagerId".into(), manager.into());
            // Filled by the shell with the locations created along (`account_location_inputs`).
            body.insert("locations".into(), account_location_inputs(&[], ctx));
            body.insert("routeInvoiceToParent".into(), Value::Bool(false));
            let request = BmsRequest { method: Method::Post, endpoint: BmsEndpoint::Accounts, body: Value::Object(body) };
            Ok(Rendered::new(vec![request], dropped))
        }
        Record::Location(r) => {
            let account = owner(account, "new BMS location")?;
            let body = location_input(r, ctx);
            let endpoint = BmsEndpoint::AccountLocations { account: account.clone() };
            Ok(Rendered::new(vec![BmsRequest { method: Method::Post, endpoint, body }], Vec::new()))
        }
        Record::Contact(r) => create_contact(r, owner(account, "new BMS contact")?, ctx),
        Record::Configuration(r) => {
            let account = owner(account, "new BMS asset")?;
            let fields = record.fields().iter().filter_map(|&f| asset_field(f, r, ctx));
            let (mut body, dropped) = collect(fields);
            require(&body, "categoryId", "new BMS asset", &dropped, Field::ConfigurationType)?;
            require(&body, "accountLocationId", "new BMS asset", &dropped, Field::Location)?;
            body.insert("accountId".into(), id_value(account));
            let request = BmsRequest { method: Method::Post, endpoint: BmsEndpoint::HardwareAssets, body: Value::Object(body) };
            Ok(Rendered::new(vec![request], dropped))
        }
    }
}

fn create_contact(r: &Contact, account: &BmsId, ctx: &BmsWriteContext<'_>) -> Result<Rendered<BmsRequest>, MappingError> {
    let primary_email = primary_index(&r.emails, |e| e.primary);
    let emails = r
        .emails
        .iter()
        .enumerate()
        .map(|(i, e)| {
            Ok(json!({"emailAddress": e.address, "emailTypeId": email_type_id(e, ctx)?, "isDefault": Some(i) == primary_email}))
        })
        .collect::<Result<Vec<_>, MappingError>>()?;
    let primary_phone = primary_index(&r.phones, |p| p.primary);
    let phones = r
        .phones
        .iter()
        .enumerate()
        .map(|(i, p)| Ok(json!({"phoneNumber": phone_text(p), "phoneTypeId": phone_type_id(p, ctx)?, "isDefault": Some(i) == primary_phone})))
        .collect::<Result<Vec<_>, MappingError>>()?;
    let (location, dropped) = match reference(Field::Location, "locationId", &r.location, ctx) {
        Ok((_, v)) => (v, Vec::new()),
        Err(d) => (Value::Null, vec![d]),
    };
    let body = json!({
        "firstName": opt(&r.first_name),
        "lastName": opt(&r.last_name),
        "accountId": id_value(account),
        "locationId": location,
        "emails": emails,
        "phones": phones,
    });
    // ContactInputDto has no job title or point-of-contact flag; they follow as a patch of the new contact.
    let mut follow_up = Vec::new();
    if r.title.is_some() {
        follow_up.push(patch_op("jobTitle", opt(&r.title)));
    }
    if r.important {
        follow_up.push(patch_op("poc", Value::Bool(true)));
    }
    let request = BmsRequest { method: Method::Post, endpoint: BmsEndpoint::Contacts, body };
    Ok(Rendered { requests: vec![request], follow_up, dropped })
}

/// Where the record being updated lives.
#[derive(Debug, Clone, Copy)]
pub struct BmsTarget<'a> {
    pub id: &'a BmsId,
    /// The owning account (locations are addressed under it).
    pub account: Option<&'a BmsId>,
}

/// The requests that write `fields` of `after` over the BMS record that held `before`. Assets and locations
/// need `current`, the record as BMS last returned it, because they are replaced whole.
pub fn update(
    target: BmsTarget<'_>,
    before: &Record,
    after: &Record,
    fields: &[Field],
    current: Option<&Value>,
    ctx: &BmsWriteContext<'_>,
) -> Result<Rendered<BmsRequest>, MappingError> {
    let id = target.id.clone();
    match after {
        Record::Organization(r) => {
            let (body, dropped) = collect(fields.iter().filter_map(|&f| account_field(f, r, ctx)));
            let ops: Vec<Value> = body.into_iter().map(|(k, v)| patch_op(&k, v)).collect();
            let requests = if ops.is_empty() {
                Vec::new()
            } else {
                vec![BmsRequest { method: Method::Patch, endpoint: BmsEndpoint::Account { id }, body: Value::Array(ops) }]
            };
            Ok(Rendered::new(requests, dropped))
        }
        Record::Contact(new) => {
            // The list operations are a diff, so they need the lists BMS holds now.
            let Record::Contact(old) = before else {
                return Err(MappingError::Malformed {
                    what: "BMS contact update",
                    field: "before".into(),
                    detail: format!("a {} record was given", before.kind()),
                });
            };
            update_contact(&id, old, new, fields, ctx)
        }
        Record::Configuration(r) => {
            let current =
                current.and_then(Value::as_object).ok_or(MappingError::NeedsCurrent { kind: EntityKind::Configuration })?;
            let (changes, dropped) = collect(fields.iter().filter_map(|&f| asset_field(f, r, ctx)));
            let mut body = input_from_output(current);
            for (key, value) in changes {
                let value = if key == "macAddress" { merged_macs(current, r.primary_mac.as_ref()) } else { value };
                body.insert(key, value);
            }
            let request =
                BmsRequest { method: Method::Put, endpoint: BmsEndpoint::HardwareAsset { id }, body: Value::Object(body) };
            Ok(Rendered::new(vec![request], dropped))
        }
        Record::Location(r) => {
            let current = current.and_then(Value::as_object).ok_or(MappingError::NeedsCurrent { kind: EntityKind::Location })?;
            let account = owner(target.account, "BMS location")?.clone();
            Ok(Rendered::new(vec![replace_location(account, id, r, current, ctx)], Vec::new()))
        }
    }
}

/// Output-only keys of `HardwareAssetOutputDto` (audit fields and names shown beside ids) that a PUT must not echo.
const ASSET_OUTPUT_ONLY: [&str; 16] = [
    "id",
    "createdOn",
    "modifiedOn",
    "createdBy",
    "modifiedBy",
    "createdById",
    "modifiedById",
    "accountName",
    "accountLocation",
    "contactFirstName",
    "contactLastName",
    "category",
    "brand",
    "manufacturer",
    "diskVolumes",
    "statuses",
];

fn input_from_output(current: &Map<String, Value>) -> Map<String, Value> {
    current.iter().filter(|(k, _)| !ASSET_OUTPUT_ONLY.contains(&k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// The new primary MAC first, then the other MACs BMS already held, so a second adapter is not lost. Clearing
/// the primary clears the field: the first MAC is the primary one, so keeping the others would promote one.
fn merged_macs(current: &Map<String, Value>, primary: Option<&MacAddress>) -> Value {
    let Some(primary) = primary else { return Value::Null };
    let existing = current.get("macAddress").and_then(Value::as_str).map(parse_mac_list).unwrap_or_default();
    let old_primary = existing.first().cloned();
    let mut all = vec![primary.clone()];
    all.extend(existing.into_iter().filter(|m| m != primary && Some(m) != old_primary.as_ref()));
    Value::String(all.iter().map(MacAddress::as_str).collect::<Vec<_>>().join("; "))
}

fn replace_location(
    account: BmsId,
    id: BmsId,
    r: &Location,
    current: &Map<String, Value>,
    ctx: &BmsWriteContext<'_>,
) -> BmsRequest {
    let mut addresses: Vec<Value> = current.get("addresses").and_then(Value::as_array).cloned().unwrap_or_default();
    let main = addresses.iter().position(|a| a.get("isMain") == Some(&Value::Bool(true))).unwrap_or(0);
    let existing = addresses.get(main).and_then(Value::as_object).cloned().unwrap_or_default();
    let address = location_address(r, ctx, existing);
    if addresses.is_empty() {
        addresses.push(address);
    } else {
        addresses[main] = address;
    }
    let body = json!({
        "locationName": r.name,
        "isMain": r.main,
        "isActive": current.get("isActive").cloned().unwrap_or(Value::Bool(true)),
        "timeZoneId": current.get("timeZoneId").cloned().unwrap_or(Value::Null),
        "addresses": addresses,
    });
    BmsRequest { method: Method::Put, endpoint: BmsEndpoint::AccountLocation { account, id }, body }
}

fn update_contact(
    id: &BmsId,
    old: &Contact,
    new: &Contact,
    fields: &[Field],
    ctx: &BmsWriteContext<'_>,
) -> Result<Rendered<BmsRequest>, MappingError> {
    let (body, dropped) = collect(fields.iter().filter_map(|&f| contact_field(f, new, ctx)));
    let mut requests = Vec::new();
    if !body.is_empty() {
        let ops = body.into_iter().map(|(k, v)| patch_op(&k, v)).collect();
        requests.push(BmsRequest {
            method: Method::Patch,
            endpoint: BmsEndpoint::Contact { id: id.clone() },
            body: Value::Array(ops),
        });
    }
    if fields.contains(&Field::Emails) {
        let ops = list_ops(
            &old.emails,
            &new.emails,
            |e| email_key(&e.address),
            |e| e.primary,
            |e, op, primary| {
                let mut body =
                    json!({"operation": op, "emailAddress": e.address, "newEmailAddress": e.address, "isDefault": primary});
                if op != LIST_DELETE {
                    body["typeId"] = Value::from(email_type_id(e, ctx)?);
                }
                Ok(body)
            },
        )?;
        if !ops.is_empty() {
            requests.push(BmsRequest {
                method: Method::Patch,
                endpoint: BmsEndpoint::ContactEmails { contact: id.clone() },
                body: Value::Array(ops),
            });
        }
    }
    if fields.contains(&Field::Phones) {
        let ops = list_ops(
            &old.phones,
            &new.phones,
            |p| phone_key(&p.number, p.extension.as_deref()),
            |p| p.primary,
            |p, op, primary| {
                let text = phone_text(p);
                let mut body = json!({"operation": op, "phoneNumber": text, "newPhoneNumber": text, "isDefault": primary});
                if op != LIST_DELETE {
                    body["typeId"] = Value::from(phone_type_id(p, ctx)?);
                }
                Ok(body)
            },
        )?;
        if !ops.is_empty() {
            requests.push(BmsRequest {
                method: Method::Patch,
                endpoint: BmsEndpoint::ContactPhones { contact: id.clone() },
                body: Value::Array(ops),
            });
        }
    }
    Ok(Rendered::new(requests, dropped))
}

/// The add/update/delete operations that turn list `old` into list `new`, items compared by `key`; an item kept
/// whose primary flag changes is an update.
fn list_ops<T, K: Ord>(
    old: &[T],
    new: &[T],
    key: impl Fn(&T) -> K,
    is_primary: impl Fn(&T) -> bool + Copy,
    op: impl Fn(&T, i64, bool) -> Result<Value, MappingError>,
) -> Result<Vec<Value>, MappingError> {
    let old_primary = primary_index(old, is_primary);
    let new_primary = primary_index(new, is_primary);
    let old_keys: BTreeMap<K, (usize, &T)> = old.iter().enumerate().map(|(i, t)| (key(t), (i, t))).collect();
    let new_keys: BTreeMap<K, (usize, &T)> = new.iter().enumerate().map(|(i, t)| (key(t), (i, t))).collect();
    let mut ops = Vec::new();
    for (k, (_, item)) in &old_keys {
        if !new_keys.contains_key(k) {
            ops.push(op(item, LIST_DELETE, false)?);
        }
    }
    for (k, (i, item)) in &new_keys {
        let primary = Some(*i) == new_primary;
        match old_keys.get(k) {
            None => ops.push(op(item, LIST_ADD, primary)?),
            Some((j, _)) if (Some(*j) == old_primary) != primary => ops.push(op(item, LIST_UPDATE, primary)?),
            Some(_) => {}
        }
    }
    Ok(ops)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::mapping::NameIds;
    use crate::sync::records::ItgId;

    struct NoLinks;
    impl IdResolver for NoLinks {
        fn itg_for(&self, _: EntityKind, _: &BmsId) -> Option<ItgId> {
            None
        }
        fn bms_for(&self, _: EntityKind, _: &ItgId) -> Option<BmsId> {
            None
        }
    }

    fn catalog() -> Catalog {
        let mut c = Catalog::default();
        c.bms.account_types = NameIds::new([("Customer", 2)]);
        c.bms.asset_categories = NameIds::new([("Workstation", 7)]);
        c.bms.email_types = NameIds::new([("Work", 1)]);
        c.bms.phone_types = NameIds::new([("Work", 1), ("Mobile", 3)]);
        c
    }

    #[test]
    fn reads_the_constructed_account_sample() {
        let dto = json!({ "id": 101, "createdOn": "2024-01-15T10:00:00", "modifiedOn": "2024-01-16T09:30:00",
            "parentId": null, "accountCode": "ACME", "accountTypeId": 2, "accountType": "Customer", "accountName": "Acme Corp",
            "isActive": true, "locations": [ { "id": 201, "locationName": "Main Office", "isMain": true, "isActive": true,
            "addresses": [ { "id": 301, "address1": "1 Loop", "address2": null, "city": "Cupertino", "state": "CA", "zipCode": "95014",
            "countryId": 1, "country": "United States", "phone": "(408) 555-0100", "fax": null, "isMain": true } ] } ] });
        let entry = account(&dto, &catalog()).unwrap();
        assert_eq!(entry.id, BmsId::new("101"));
        let Record::Organization(org) = &entry.record else { panic!("not an organization") };
        assert_eq!(org.name, "Acme Corp");
        assert_eq!(org.status.as_deref(), Some("Active"));
        assert_eq!(org.short_name.as_deref(), Some("ACME"));
        assert_eq!(org.parent, None);
        let locations = account_locations(&dto, &catalog()).unwrap();
        let Record::Location(loc) = &locations[0].record else { panic!("not a location") };
        assert!(loc.main);
        assert_eq!(loc.postal_code.as_deref(), Some("95014"));
        assert_eq!(locations[0].account, Some(BmsId::new("101")));
    }

    #[test]
    fn missing_and_null_fields_are_tolerated_but_required_ones_are_not() {
        let entry = account(&json!({"id": "7", "accountName": "X", "locations": null, "isActive": null}), &catalog()).unwrap();
        assert_eq!(entry.created_on, None);
        assert_eq!(
            account(&json!({"id": 7}), &catalog()),
            Err(MappingError::Missing { what: "BMS account", field: "accountName" })
        );
        assert!(matches!(account(&json!({"id": 7, "accountName": 5}), &catalog()), Err(MappingError::Malformed { .. })));
        assert!(matches!(
            asset(&json!({"id": 1, "name": "PC", "acquisitionDate": "soon"}), &catalog()),
            Err(MappingError::Date(_))
        ));
    }

    #[test]
    fn reads_contacts_with_free_text_phones() {
        let dto = json!({"id": 401, "accountId": 101, "locationId": 201, "firstName": "Robert", "lastName": "Storts",
            "jobTitle": "Director of IT", "isPoc": true,
            "emails": [{"emailAddress": "robert@happyfrog.com", "emailTypeId": 1, "emailType": "Work", "isDefault": true}],
            "phones": [{"phone": "(415) 555-2156 x12", "phoneTypeId": 1, "phoneType": "Work", "isDefault": true}]});
        let entry = contact(&dto, &catalog()).unwrap();
        let Record::Contact(c) = &entry.record else { panic!("not a contact") };
        assert!(c.important);
        assert_eq!(c.phones[0].number, "(415) 555-2156");
        assert_eq!(c.phones[0].extension.as_deref(), Some("12"));
        assert_eq!(c.location, Some(RecordRef::Bms(BmsId::new("201"))));
    }

    #[test]
    fn reads_assets_with_several_macs() {
        let dto = json!({"id": 601, "name": "HF-SF-1", "accountId": 101, "categoryId": 7, "isActive": false,
            "macAddress": "aa-bb-cc-dd-ee-ff; 11:22:33:44:55:66", "acquisitionDate": "2024-01-15T00:00:00"});
        let entry = asset(&dto, &catalog()).unwrap();
        let Record::Configuration(c) = &entry.record else { panic!("not a configuration") };
        assert_eq!(c.configuration_type.as_deref(), Some("Workstation"), "name from the catalog when only the id came");
        assert_eq!(c.status.as_deref(), Some("Inactive"));
        assert_eq!(c.primary_mac.as_ref().map(MacAddress::as_str), Some("AA:BB:CC:DD:EE:FF"));
        assert_eq!(c.purchased_at.map(|d| d.to_string()).as_deref(), Some("2024-01-15"));
    }

    fn ctx(catalog: &Catalog) -> BmsWriteContext<'_> {
        BmsWriteContext { catalog, resolver: &NoLinks, directory_types: None }
    }

    #[test]
    fn account_updates_are_json_patch() {
        let cat = catalog();
        let org = Record::Organization(Organization {
            name: "Acme".into(),
            status: Some("Inactive".into()),
            ..Organization::default()
        });
        let target = BmsTarget { id: &BmsId::new("101"), account: None };
        let out = update(target, &org, &org, &[Field::Name, Field::Status, Field::OrganizationType], None, &ctx(&cat)).unwrap();
        assert_eq!(out.requests[0].method, Method::Patch);
        assert_eq!(
            out.requests[0].body,
            json!([{"op": "replace", "path": "/accountName", "value": "Acme"}, {"op": "replace", "path": "/isActive", "value": false}])
        );
        assert_eq!(out.dropped[0].field, Field::OrganizationType);
    }

    #[test]
    fn asset_updates_replace_the_whole_record_and_keep_other_macs() {
        let cat = catalog();
        let current = json!({"id": 601, "name": "Old", "accountId": 101, "accountLocationId": 201, "categoryId": 7, "category": "Workstation",
            "macAddress": "AA:BB:CC:DD:EE:FF; 11:22:33:44:55:66", "subnetMask": "255.255.255.0"});
        let cfg =
            Configuration { name: "New".into(), primary_mac: MacAddress::parse("02:00:00:00:00:01"), ..Configuration::default() };
        let rec = Record::Configuration(Box::new(cfg));
        let target = BmsTarget { id: &BmsId::new("601"), account: None };
        let out = update(target, &rec, &rec, &[Field::Name, Field::PrimaryMac], Some(&current), &ctx(&cat)).unwrap();
        let body = &out.requests[0].body;
        assert_eq!(out.requests[0].method, Method::Put);
        assert_eq!(body["name"], "New");
        assert_eq!(body["subnetMask"], "255.255.255.0", "unmapped fields survive the PUT");
        assert_eq!(body["macAddress"], "02:00:00:00:00:01; 11:22:33:44:55:66");
        assert!(body.get("category").is_none());
        assert_eq!(
            update(target, &rec, &rec, &[Field::Name], None, &ctx(&cat)),
            Err(MappingError::NeedsCurrent { kind: EntityKind::Configuration })
        );
    }

    #[test]
    fn contact_email_changes_become_list_operations() {
        let cat = catalog();
        let email = |a: &str, p: bool| Email { address: a.into(), primary: p, label: Some("Work".into()) };
        let old = Contact { emails: vec![email("a@x.com", true), email("b@x.com", false)], ..Contact::default() };
        let new = Contact { emails: vec![email("b@x.com", true), email("c@x.com", false)], ..Contact::default() };
        let target = BmsTarget { id: &BmsId::new("9"), account: None };
        let out = update(target, &Record::Contact(old), &Record::Contact(new), &[Field::Emails], None, &ctx(&cat)).unwrap();
        assert_eq!(out.requests.len(), 1);
        assert_eq!(out.requests[0].endpoint, BmsEndpoint::ContactEmails { contact: BmsId::new("9") });
        let ops = out.requests[0].body.as_array().unwrap();
        let summary: Vec<(i64, &str, bool)> = ops
            .iter()
            .map(|o| (o["operation"].as_i64().unwrap(), o["emailAddress"].as_str().unwrap(), o["isDefault"].as_bool().unwrap()))
            .collect();
        assert_eq!(summary, [(LIST_DELETE, "a@x.com", false), (LIST_UPDATE, "b@x.com", true), (LIST_ADD, "c@x.com", false)]);
    }

    #[test]
    fn creates_need_the_required_lookups() {
        let cat = catalog();
        let mut cfg = Configuration {
            name: "PC".into(),
            configuration_type: Some("Router".into()),
            location: Some(RecordRef::Bms(BmsId::new("201"))),
            ..Configuration::default()
        };
        let account = BmsId::new("101");
        let err = create(&Record::Configuration(Box::new(cfg.clone())), Some(&account), &ctx(&cat)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "new BMS asset: cannot write its configuration type: Kaseya BMS has no asset category named \"Router\""
        );
        cfg.configuration_type = Some("workstation".into());
        let out = create(&Record::Configuration(Box::new(cfg)), Some(&account), &ctx(&cat)).unwrap();
        assert_eq!(out.requests[0].body["categoryId"], 7);
        assert_eq!(out.requests[0].body["accountLocationId"], 201);
        let org = Record::Organization(Organization {
            name: "A".into(),
            type_name: Some("Customer".into()),
            ..Organization::default()
        });
        assert_eq!(create(&org, None, &ctx(&cat)), Err(MappingError::Missing { what: "BMS defaults", field: "business type" }));
    }

    #[test]
    fn new_contacts_take_title_and_poc_afterwards() {
        let cat = catalog();
        let c = Contact {
            first_name: Some("Ann".into()),
            title: Some("CFO".into()),
            important: true,
            phones: vec![Phone {
                number: "4155552156".into(),
                extension: Some("7".into()),
                primary: true,
                label: Some("Mobile".into()),
            }],
            ..Contact::default()
        };
        let out = create(&Record::Contact(c), Some(&BmsId::new("101")), &ctx(&cat)).unwrap();
        assert_eq!(
            out.requests[0].body["phones"],
            json!([{"phoneNumber": "4155552156 x7", "phoneTypeId": 3, "isDefault": true}])
        );
        assert_eq!(out.follow_up, vec![patch_op("jobTitle", json!("CFO")), patch_op("poc", json!(true))]);
    }
}
