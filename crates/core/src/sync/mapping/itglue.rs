//! IT Glue JSON:API (kebab-case attributes) ↔ canonical records.
//!
//! Requests use snake_case attribute keys, which IT Glue accepts; readers take either spelling, so a record can be
//! read back from the body that wrote it. A configuration's primary IP and MAC come from its primary configuration
//! interface when the interfaces are at hand (the spec syncs only the primary interface), else from the
//! configuration's own `primary-ip` and `mac-address`, which IT Glue keeps in step with that interface.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::{
    Attrs, Catalog, Dropped, IdResolver, MappingError, Method, NameIds, Rendered, itglue_id_of, object, ref_from_itglue,
};
use crate::sync::normalize::{MacAddress, SyncDate, Timestamp, phone_key, same_folded};
use crate::sync::records::{
    Configuration, Contact, Email, EntityKind, Field, ItgId, Location, Organization, Phone, Record, RecordRef, Side,
};
use crate::sync::snapshot::{ItgEntry, ItgOrigin, PsaState};

/// A write to IT Glue. The shell wraps it with [`ItgRequest::document`] and sends it to [`ItgRequest::path`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItgRequest {
    pub method: Method,
    pub kind: EntityKind,
    /// The record to PATCH; `None` for a POST.
    pub id: Option<ItgId>,
    pub attributes: Map<String, Value>,
}

fn plural(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Organization => "organizations",
        EntityKind::Location => "locations",
        EntityKind::Contact => "contacts",
        EntityKind::Configuration => "configurations",
    }
}

impl ItgRequest {
    /// The route, relative to the API base.
    pub fn path(&self) -> String {
        match &self.id {
            Some(id) => format!("/{}/{id}", plural(self.kind)),
            None => format!("/{}", plural(self.kind)),
        }
    }

    /// The JSON:API request document.
    pub fn document(&self) -> Value {
        let mut data = json!({"type": plural(self.kind), "attributes": self.attributes});
        if let Some(id) = &self.id {
            data["id"] = Value::String(id.to_string());
        }
        json!({ "data": data })
    }
}

#[derive(Clone, Copy)]
pub struct ItgWriteContext<'a> {
    pub catalog: &'a Catalog,
    pub resolver: &'a dyn IdResolver,
}

// ---------------------------------------------------------------------------------------------------------------
// Reading

fn kind_of(type_name: &str) -> Option<EntityKind> {
    EntityKind::SYNC_ORDER.into_iter().find(|&k| plural(k) == type_name.replace('_', "-"))
}

fn time(a: &Attrs<'_>, key: &str) -> Result<Option<Timestamp>, MappingError> {
    a.text(key)?.map(|s| Timestamp::parse(&s)).transpose().map_err(Into::into)
}

fn date(a: &Attrs<'_>, key: &str) -> Result<Option<SyncDate>, MappingError> {
    a.text(key)?.map(|s| SyncDate::parse(&s)).transpose().map_err(Into::into)
}

/// A name attribute, or the name of the id attribute beside it (request bodies carry only ids).
fn named(a: &Attrs<'_>, name_key: &str, id_key: &str, ids: &NameIds) -> Result<Option<String>, MappingError> {
    match a.text(name_key)? {
        Some(name) => Ok(Some(name)),
        None => Ok(a.int(id_key)?.and_then(|id| ids.name_of(id)).map(str::to_owned)),
    }
}

fn reference(a: &Attrs<'_>, key: &str, kind: EntityKind, resolver: &dyn IdResolver) -> Result<Option<RecordRef>, MappingError> {
    Ok(a.id(key)?.map(|id| ref_from_itglue(kind, ItgId::new(id), resolver)))
}

/// The `primary` interface of a configuration (resources or bare attribute maps).
fn primary_interface(interfaces: &[Value]) -> Option<Attrs<'_>> {
    interfaces
        .iter()
        .filter_map(|i| i.get("attributes").unwrap_or(i).as_object())
        .map(|m| Attrs::new(m, "IT Glue configuration interface"))
        .find(|a| a.flag("primary").ok().flatten() == Some(true))
}

/// The canonical record held in IT Glue attributes (kebab- or snake-case).
pub fn record(
    kind: EntityKind,
    attributes: &Map<String, Value>,
    interfaces: &[Value],
    catalog: &Catalog,
    resolver: &dyn IdResolver,
) -> Result<Record, MappingError> {
    let cat = &catalog.itglue;
    Ok(match kind {
        EntityKind::Organization => {
            let a = Attrs::new(attributes, "IT Glue organization");
            Record::Organization(Organization {
                name: a.text("name")?.ok_or(MappingError::Missing { what: "IT Glue organization", field: "name" })?,
                type_name: named(&a, "organization-type-name", "organization-type-id", &cat.organization_types)?,
                status: named(&a, "organization-status-name", "organization-status-id", &cat.organization_statuses)?,
                parent: reference(&a, "parent-id", EntityKind::Organization, resolver)?,
                short_name: a.text("short-name")?,
            })
        }
        EntityKind::Location => {
            let a = Attrs::new(attributes, "IT Glue location");
            let state = match a.text("region-name")? {
                Some(name) => Some(name),
                None => a.int("region-id")?.and_then(|id| cat.region_name(id)).map(str::to_owned),
            };
            Record::Location(Location {
                name: a.text("name")?.ok_or(MappingError::Missing { what: "IT Glue location", field: "name" })?,
                main: a.flag("primary")?.unwrap_or(false),
                address1: a.text("address-1")?,
                address2: a.text("address-2")?,
                city: a.text("city")?,
                state,
                postal_code: a.text("postal-code")?,
                country: named(&a, "country-name", "country-id", &cat.countries)?,
                phone: a.text("phone")?,
                fax: a.text("fax")?,
            })
        }
        EntityKind::Contact => Record::Contact(contact(&Attrs::new(attributes, "IT Glue contact"), resolver)?),
        EntityKind::Configuration => Record::Configuration(Box::new(configuration(
            &Attrs::new(attributes, "IT Glue configuration"),
            interfaces,
            catalog,
            resolver,
        )?)),
    })
}

fn contact(a: &Attrs<'_>, resolver: &dyn IdResolver) -> Result<Contact, MappingError> {
    let mut emails = Vec::new();
    for item in a.list("contact-emails")? {
        let e = Attrs::new(object(item, "IT Glue contact", "contact-emails")?, "IT Glue contact email");
        if let Some(address) = e.text("value")? {
            emails.push(Email { address, primary: e.flag("primary")?.unwrap_or(false), label: e.text("label-name")? });
        }
    }
    let mut phones = Vec::new();
    for item in a.list("contact-phones")? {
        let p = Attrs::new(object(item, "IT Glue contact", "contact-phones")?, "IT Glue contact phone");
        if let Some(number) = p.text("value")? {
            phones.push(Phone {
                number,
                extension: p.text("extension")?,
                primary: p.flag("primary")?.unwrap_or(false),
                label: p.text("label-name")?,
            });
        }
    }
    Ok(Contact {
        first_name: a.text("first-name")?,
        last_name: a.text("last-name")?,
        title: a.text("title")?,
        emails,
        phones,
        location: reference(a, "location-id", EntityKind::Location, resolver)?,
        // IT Glue sends null for "not important".
        important: a.flag("important")?.unwrap_or(false),
    })
}

fn configuration(
    a: &Attrs<'_>,
    interfaces: &[Value],
    catalog: &Catalog,
    resolver: &dyn IdResolver,
) -> Result<Configuration, MappingError> {
    let cat = &catalog.itglue;
    let primary = primary_interface(interfaces);
    let primary_ip = match primary.as_ref().map(|i| i.text("ip-address")).transpose()?.flatten() {
        Some(ip) => Some(ip),
        None => a.text("primary-ip")?,
    };
    let mac = match primary.as_ref().map(|i| i.text("mac-address")).transpose()?.flatten() {
        Some(mac) => Some(mac),
        None => a.text("mac-address")?,
    };
    // The operating system comes from IT Glue's list; one that is not on the list travels in its notes.
    let os_entry = match a.int("operating-system-id")? {
        Some(id) => cat.operating_system(id),
        None => a.text("operating-system-name")?.and_then(|n| cat.operating_system_named(&n)),
    };
    let operating_system = match (a.text("operating-system-name")?, os_entry) {
        (Some(name), _) => Some(name),
        (None, Some(os)) => Some(os.name.clone()),
        (None, None) => a.text("operating-system-notes")?,
    };
    Ok(Configuration {
        name: a.text("name")?.ok_or(MappingError::Missing { what: "IT Glue configuration", field: "name" })?,
        asset_tag: a.text("asset-tag")?,
        contact: reference(a, "contact-id", EntityKind::Contact, resolver)?,
        default_gateway: a.text("default-gateway")?,
        status: named(a, "configuration-status-name", "configuration-status-id", &cat.configuration_statuses)?,
        configuration_type: named(a, "configuration-type-name", "configuration-type-id", &cat.configuration_types)?,
        primary_ip,
        location: reference(a, "location-id", EntityKind::Location, resolver)?,
        manufacturer: named(a, "manufacturer-name", "manufacturer-id", &cat.manufacturers)?,
        model: named(a, "model-name", "model-id", &cat.models)?,
        notes: a.text("notes")?,
        operating_system,
        position: a.text("position")?,
        platform: os_entry.and_then(|os| os.platform.clone()),
        purchased_at: date(a, "purchased-at")?,
        serial_number: a.text("serial-number")?,
        primary_mac: mac.as_deref().and_then(MacAddress::parse),
        warranty_expires_at: date(a, "warranty-expires-at")?,
    })
}

/// A JSON:API resource object (`{id, type, attributes}`) as an entry. `interfaces` are the configuration's
/// interfaces (from `include=configuration_interfaces`), ignored for other kinds.
pub fn entry(
    resource: &Value,
    interfaces: &[Value],
    catalog: &Catalog,
    resolver: &dyn IdResolver,
) -> Result<ItgEntry, MappingError> {
    let top = Attrs::new(object(resource, "IT Glue resource", "data")?, "IT Glue resource");
    let type_name = top.text("type")?.ok_or(MappingError::Missing { what: "IT Glue resource", field: "type" })?;
    let kind = kind_of(&type_name).ok_or_else(|| MappingError::Malformed {
        what: "IT Glue resource",
        field: "type".into(),
        detail: format!("{type_name:?} is not a synced kind"),
    })?;
    let id = top.id("id")?.ok_or(MappingError::Missing { what: "IT Glue resource", field: "id" })?;
    let attributes = object(top.get("attributes").unwrap_or(&Value::Null), "IT Glue resource", "attributes")?;
    let a = Attrs::new(attributes, "IT Glue resource");
    Ok(ItgEntry {
        id: ItgId::new(id),
        organization: if kind == EntityKind::Organization { None } else { a.id("organization-id")?.map(ItgId::new) },
        created_at: time(&a, "created-at")?,
        updated_at: time(&a, "updated-at")?,
        psa: PsaState::parse(a.text("psa-integration")?.as_deref()),
        origin: ItgOrigin::Manual,
        push_requested: false,
        record: record(kind, attributes, interfaces, catalog, resolver)?,
    })
}

// ---------------------------------------------------------------------------------------------------------------
// Writing

/// The attribute values of one field, or why it cannot be written.
type FieldWrite = Result<Vec<(&'static str, Value)>, Dropped>;

fn dropped(field: Field, reason: impl Into<String>) -> Dropped {
    Dropped { field, reason: reason.into() }
}

fn opt(value: &Option<String>) -> Value {
    value.as_deref().map_or(Value::Null, |s| Value::String(s.to_owned()))
}

fn one(key: &'static str, value: Value) -> FieldWrite {
    Ok(vec![(key, value)])
}

fn digits(s: &str) -> String {
    phone_key(s, None).digits
}

fn reference_write(field: Field, key: &'static str, target: &Option<RecordRef>, ctx: &ItgWriteContext<'_>) -> FieldWrite {
    let kind = field.ref_kind().unwrap_or(EntityKind::Organization);
    match target {
        None => one(key, Value::Null),
        // Ids go as strings: IT Glue ids exceed what a JSON number keeps exactly in a browser.
        Some(t) => match itglue_id_of(kind, t, ctx.resolver) {
            Some(id) => one(key, Value::String(id.to_string())),
            None => Err(dropped(field, format!("{t} is not in IT Glue yet"))),
        },
    }
}

fn lookup(field: Field, key: &'static str, value: &Option<String>, ids: &NameIds, what: &str) -> FieldWrite {
    match value {
        None => one(key, Value::Null),
        Some(name) => match ids.id_of(name) {
            Some(id) => one(key, Value::from(id)),
            None => Err(dropped(field, format!("IT Glue has no {what} named {name:?}"))),
        },
    }
}

fn organization_field(field: Field, r: &Organization, ctx: &ItgWriteContext<'_>) -> Option<FieldWrite> {
    let cat = &ctx.catalog.itglue;
    Some(match field {
        Field::Name => one("name", Value::String(r.name.clone())),
        Field::OrganizationType => {
            lookup(field, "organization_type_id", &r.type_name, &cat.organization_types, "organization type")
        }
        Field::Status => lookup(field, "organization_status_id", &r.status, &cat.organization_statuses, "organization status"),
        Field::Parent => reference_write(field, "parent_id", &r.parent, ctx),
        Field::ShortName => one("short_name", opt(&r.short_name)),
        _ => return None,
    })
}

fn country_id(r: &Location, ctx: &ItgWriteContext<'_>) -> Option<i64> {
    r.country.as_deref().and_then(|c| ctx.catalog.itglue.countries.id_of(c))
}

fn location_field(field: Field, r: &Location, ctx: &ItgWriteContext<'_>) -> Option<FieldWrite> {
    Some(match field {
        Field::Name => one("name", Value::String(r.name.clone())),
        Field::MainLocation => one("primary", Value::Bool(r.main)),
        Field::Address1 => one("address_1", opt(&r.address1)),
        Field::Address2 => one("address_2", opt(&r.address2)),
        Field::City => one("city", opt(&r.city)),
        // IT Glue keeps states as regions of a country.
        Field::State => match (&r.state, country_id(r, ctx)) {
            (None, _) => one("region_id", Value::Null),
            (Some(state), Some(country)) => match ctx.catalog.itglue.region_id(country, state) {
                Some(id) => one("region_id", Value::from(id)),
                None => Err(dropped(field, format!("IT Glue has no region {state:?} in that country"))),
            },
            (Some(state), None) => Err(dropped(field, format!("IT Glue needs a known country to hold the region {state:?}"))),
        },
        Field::PostalCode => one("postal_code", opt(&r.postal_code)),
        Field::Country => lookup(field, "country_id", &r.country, &ctx.catalog.itglue.countries, "country"),
        Field::Phone => one("phone", r.phone.as_deref().map_or(Value::Null, |p| Value::String(digits(p)))),
        Field::Fax => one("fax", r.fax.as_deref().map_or(Value::Null, |p| Value::String(digits(p)))),
        _ => return None,
    })
}

fn primary_flags<T>(items: &[T], is_primary: impl Fn(&T) -> bool) -> Vec<bool> {
    let at = items.iter().position(is_primary).unwrap_or(0);
    (0..items.len()).map(|i| i == at).collect()
}

fn contact_field(field: Field, r: &Contact, ctx: &ItgWriteContext<'_>) -> Option<FieldWrite> {
    Some(match field {
        Field::FirstName => one("first_name", opt(&r.first_name)),
        Field::LastName => one("last_name", opt(&r.last_name)),
        Field::Title => one("title", opt(&r.title)),
        Field::Emails => {
            let flags = primary_flags(&r.emails, |e| e.primary);
            let list = r
                .emails
                .iter()
                .zip(flags)
                .map(|(e, primary)| json!({"value": e.address, "primary": primary, "label_name": e.label.as_deref().unwrap_or("Work")}))
                .collect();
            one("contact_emails", Value::Array(list))
        }
        Field::Phones => {
            let flags = primary_flags(&r.phones, |p| p.primary);
            let list = r
                .phones
                .iter()
                .zip(flags)
                .map(|(p, primary)| {
                    let key = phone_key(&p.number, p.extension.as_deref());
                    json!({"value": key.digits, "extension": key.extension, "primary": primary,
                        "label_name": p.label.as_deref().unwrap_or("Work"), "label_type": "phone"})
                })
                .collect();
            one("contact_phones", Value::Array(list))
        }
        Field::Location => reference_write(field, "location_id", &r.location, ctx),
        Field::Important => one("important", Value::Bool(r.important)),
        _ => return None,
    })
}

fn date_value(d: Option<SyncDate>) -> Value {
    d.map_or(Value::Null, |d| Value::String(d.to_string()))
}

fn operating_system(r: &Configuration, ctx: &ItgWriteContext<'_>) -> FieldWrite {
    match r.operating_system.as_deref() {
        None => Ok(vec![("operating_system_id", Value::Null), ("operating_system_notes", Value::Null)]),
        Some(name) => match ctx.catalog.itglue.operating_system_named(name) {
            Some(os) => one("operating_system_id", Value::from(os.id)),
            None => Ok(vec![("operating_system_id", Value::Null), ("operating_system_notes", Value::String(name.to_owned()))]),
        },
    }
}

/// IT Glue derives the platform from the operating system, so it is "written" only when the two agree.
fn platform(r: &Configuration, ctx: &ItgWriteContext<'_>) -> FieldWrite {
    let os = r.operating_system.as_deref().and_then(|n| ctx.catalog.itglue.operating_system_named(n));
    let implied = os.and_then(|os| os.platform.as_deref());
    if same_folded(implied, r.platform.as_deref()) {
        return Ok(Vec::new());
    }
    let reason = match (os, r.platform.as_deref()) {
        (Some(os), Some(p)) => {
            format!("IT Glue takes the platform from the operating system, and {} is not a {p} system", os.name)
        }
        (Some(os), None) => format!("IT Glue takes the platform from the operating system, {}", os.name),
        (None, _) => "IT Glue takes the platform from its list of operating systems, which has no match".to_owned(),
    };
    Err(dropped(Field::Platform, reason))
}

fn configuration_field(field: Field, r: &Configuration, ctx: &ItgWriteContext<'_>) -> Option<FieldWrite> {
    let cat = &ctx.catalog.itglue;
    Some(match field {
        Field::Name => one("name", Value::String(r.name.clone())),
        Field::AssetTag => one("asset_tag", opt(&r.asset_tag)),
        Field::Contact => reference_write(field, "contact_id", &r.contact, ctx),
        Field::DefaultGateway => one("default_gateway", opt(&r.default_gateway)),
        Field::Status => lookup(field, "configuration_status_id", &r.status, &cat.configuration_statuses, "configuration status"),
        Field::ConfigurationType if r.configuration_type.is_none() => {
            Err(dropped(field, "IT Glue configurations always have a type"))
        }
        Field::ConfigurationType => {
            lookup(field, "configuration_type_id", &r.configuration_type, &cat.configuration_types, "configuration type")
        }
        Field::PrimaryIp => one("primary_ip", opt(&r.primary_ip)),
        Field::Location => reference_write(field, "location_id", &r.location, ctx),
        Field::Manufacturer => lookup(field, "manufacturer_id", &r.manufacturer, &cat.manufacturers, "manufacturer"),
        Field::Model => lookup(field, "model_id", &r.model, &cat.models, "model"),
        Field::Notes => one("notes", opt(&r.notes)),
        Field::OperatingSystem => operating_system(r, ctx),
        Field::Position => one("position", opt(&r.position)),
        Field::Platform => platform(r, ctx),
        Field::PurchasedAt => one("purchased_at", date_value(r.purchased_at)),
        Field::SerialNumber => one("serial_number", opt(&r.serial_number)),
        Field::PrimaryMac => one("mac_address", r.primary_mac.as_ref().map_or(Value::Null, |m| Value::String(m.to_string()))),
        Field::WarrantyExpiresAt => one("warranty_expires_at", date_value(r.warranty_expires_at)),
        _ => return None,
    })
}

fn field_write(field: Field, record: &Record, ctx: &ItgWriteContext<'_>) -> Option<FieldWrite> {
    match record {
        Record::Organization(r) => organization_field(field, r, ctx),
        Record::Location(r) => location_field(field, r, ctx),
        Record::Contact(r) => contact_field(field, r, ctx),
        Record::Configuration(r) => configuration_field(field, r, ctx),
    }
}

fn attributes(record: &Record, fields: &[Field], ctx: &ItgWriteContext<'_>) -> (Map<String, Value>, Vec<Dropped>) {
    let mut attrs = Map::new();
    let mut out = Vec::new();
    for &field in fields {
        match field_write(field, record, ctx) {
            Some(Ok(pairs)) => attrs.extend(pairs.into_iter().map(|(k, v)| (k.to_owned(), v))),
            Some(Err(d)) => out.push(d),
            None => {}
        }
    }
    (attrs, out)
}

/// The fields of `record` that cannot be written to IT Glue as they stand, with the reasons.
pub fn unwritable(record: &Record, ctx: &ItgWriteContext<'_>) -> Vec<Dropped> {
    attributes(record, record.fields(), ctx).1
}

/// Whether IT Glue still lets an API client write `field` while a PSA integration holds the record. Only a few
/// configuration attributes stay open (asset tag, notes, purchase date, serial, warranty); see the API's 422 rules.
pub fn open_while_psa_synced(kind: EntityKind, field: Field) -> bool {
    kind == EntityKind::Configuration
        && matches!(field, Field::AssetTag | Field::Notes | Field::PurchasedAt | Field::SerialNumber | Field::WarrantyExpiresAt)
}

/// The request that creates `record` in IT Glue under `organization` (ignored for organizations).
pub fn create(
    record: &Record,
    organization: Option<&ItgId>,
    ctx: &ItgWriteContext<'_>,
) -> Result<Rendered<ItgRequest>, MappingError> {
    let kind = record.kind();
    let (mut attrs, dropped) = attributes(record, record.fields(), ctx);
    if kind != EntityKind::Organization {
        let org = organization.ok_or(MappingError::Missing { what: "new IT Glue record", field: "organization" })?;
        attrs.insert("organization_id".into(), Value::String(org.to_string()));
    }
    if let Record::Configuration(r) = record
        && attrs.get("configuration_type_id").is_none_or(Value::is_null)
    {
        return Err(match &r.configuration_type {
            Some(name) => MappingError::UnknownName { side: Side::ItGlue, lookup: "configuration type", name: name.clone() },
            None => MappingError::Missing { what: "new IT Glue configuration", field: "configuration type" },
        });
    }
    Ok(Rendered::new(vec![ItgRequest { method: Method::Post, kind, id: None, attributes: attrs }], dropped))
}

/// The PATCH that writes only `fields` of `record` to IT Glue record `id`.
pub fn update(id: &ItgId, record: &Record, fields: &[Field], ctx: &ItgWriteContext<'_>) -> Rendered<ItgRequest> {
    let (attrs, dropped) = attributes(record, fields, ctx);
    let requests = if attrs.is_empty() {
        Vec::new()
    } else {
        vec![ItgRequest { method: Method::Patch, kind: record.kind(), id: Some(id.clone()), attributes: attrs }]
    };
    Rendered::new(requests, dropped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::mapping::OperatingSystem;
    use crate::sync::records::BmsId;

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
        c.itglue.configuration_types = NameIds::new([("Managed Server", 65)]);
        c.itglue.configuration_statuses = NameIds::new([("Active", 29)]);
        c.itglue.manufacturers = NameIds::new([("Dell", 60)]);
        c.itglue.models = NameIds::new([("Latitude E7470", 3)]);
        c.itglue.operating_systems = vec![OperatingSystem { id: 4, name: "Windows 10".into(), platform: Some("Windows".into()) }];
        c
    }

    /// The documented configuration sample (§7.2 of the API reference), with interfaces.
    fn sample() -> Value {
        json!({"id": "455", "type": "configurations", "attributes": {
            "organization-id": 2, "organization-name": "Happy Frog", "name": "HF-SF-CJ452JK", "hostname": "HFSFCJ452JK",
            "primary-ip": "10.10.2.231", "mac-address": "18-5E-0F-ED-99-9J", "serial-number": "C03R3LT7THV8",
            "asset-tag": "BP6549", "position": null, "notes": null, "operating-system-notes": null,
            "warranty-expires-at": "2018-05-05", "installed-at": "2010-05-20", "purchased-at": "2010-05-05",
            "created-at": "2016-09-14T18:15:28.000Z", "updated-at": "2016-09-29T20:55:16.000Z",
            "configuration-type-id": 65, "configuration-type-name": "Managed Server", "configuration-status-id": 29,
            "configuration-status-name": "Active", "manufacturer-id": 60, "manufacturer-name": "Dell", "model-id": 3,
            "model-name": "Latitude E7470", "operating-system-id": 4, "operating-system-name": "Windows 10",
            "location-id": null, "location-name": null, "archived": false, "psa-integration": "enabled"}})
    }

    #[test]
    fn reads_the_documented_configuration() {
        let e = entry(&sample(), &[], &catalog(), &NoLinks).unwrap();
        assert_eq!(e.id, ItgId::new("455"));
        assert_eq!(e.organization, Some(ItgId::new("2")));
        assert_eq!(e.psa, PsaState::Enabled);
        let Record::Configuration(c) = &e.record else { panic!("not a configuration") };
        assert_eq!(c.primary_ip.as_deref(), Some("10.10.2.231"));
        assert_eq!(c.primary_mac.as_ref().map(MacAddress::as_str), Some("18-5E-0F-ED-99-9J"));
        assert_eq!(c.platform.as_deref(), Some("Windows"));
        assert_eq!(c.warranty_expires_at.map(|d| d.to_string()).as_deref(), Some("2018-05-05"));
    }

    #[test]
    fn the_primary_interface_wins_over_the_configuration_fields() {
        let interfaces = [
            json!({"id": "68", "type": "configuration-interfaces", "attributes": {"primary": false, "ip-address": "10.0.0.9", "mac-address": "02:00:00:00:00:09"}}),
            json!({"id": "78", "type": "configuration-interfaces", "attributes": {"primary": true, "ip-address": "10.0.0.1", "mac-address": "02-00-00-00-00-01"}}),
        ];
        let e = entry(&sample(), &interfaces, &catalog(), &NoLinks).unwrap();
        let Record::Configuration(c) = &e.record else { panic!("not a configuration") };
        assert_eq!(c.primary_ip.as_deref(), Some("10.0.0.1"));
        assert_eq!(c.primary_mac.as_ref().map(MacAddress::as_str), Some("02:00:00:00:00:01"));
    }

    #[test]
    fn reads_the_documented_contact() {
        let doc = json!({"id": "72", "type": "contacts", "attributes": {"organization-id": 2, "first-name": "Robert",
            "last-name": "Storts", "title": "Director of IT", "important": null,
            "contact-emails": [{"value": "robert@happyfrog.itglue.com", "primary": true, "label-name": "Work"}],
            "contact-phones": [{"value": "4155552156", "extension": null, "primary": true, "label-name": "Work", "label-type": "phone", "formatted-value": "(415) 555-2156"}]}});
        let e = entry(&doc, &[], &catalog(), &NoLinks).unwrap();
        let Record::Contact(c) = &e.record else { panic!("not a contact") };
        assert!(!c.important, "null reads as not important");
        assert_eq!(c.emails[0].address, "robert@happyfrog.itglue.com");
        assert_eq!(c.phones[0].number, "4155552156");
    }

    #[test]
    fn bad_documents_are_typed_errors() {
        assert!(matches!(
            entry(&json!({"id": "1", "type": "passwords", "attributes": {}}), &[], &catalog(), &NoLinks),
            Err(MappingError::Malformed { .. })
        ));
        assert!(matches!(
            entry(&json!({"id": "1", "type": "organizations", "attributes": {}}), &[], &catalog(), &NoLinks),
            Err(MappingError::Missing { .. })
        ));
        assert!(matches!(entry(&json!([]), &[], &catalog(), &NoLinks), Err(MappingError::Malformed { .. })));
    }

    fn ctx(catalog: &Catalog) -> ItgWriteContext<'_> {
        ItgWriteContext { catalog, resolver: &NoLinks }
    }

    #[test]
    fn unknown_configuration_types_cannot_be_created() {
        let cat = catalog();
        let r = Record::Configuration(Box::new(Configuration {
            name: "PC".into(),
            configuration_type: Some("Laptop".into()),
            ..Configuration::default()
        }));
        assert_eq!(
            create(&r, Some(&ItgId::new("2")), &ctx(&cat)),
            Err(MappingError::UnknownName { side: Side::ItGlue, lookup: "configuration type", name: "Laptop".into() })
        );
    }

    #[test]
    fn patches_carry_only_the_changed_fields() {
        let cat = catalog();
        let r = Record::Configuration(Box::new(Configuration {
            name: "PC".into(),
            operating_system: Some("Windows 10".into()),
            platform: Some("Windows".into()),
            serial_number: Some("S1".into()),
            ..Configuration::default()
        }));
        let out = update(&ItgId::new("455"), &r, &[Field::SerialNumber, Field::OperatingSystem, Field::Platform], &ctx(&cat));
        assert!(out.dropped.is_empty());
        assert_eq!(
            out.requests[0].attributes,
            json!({"serial_number": "S1", "operating_system_id": 4}).as_object().unwrap().clone()
        );
        assert_eq!(out.requests[0].path(), "/configurations/455");
        assert_eq!(out.requests[0].document()["data"]["id"], "455");
        assert!(update(&ItgId::new("455"), &r, &[], &ctx(&cat)).requests.is_empty());
    }

    #[test]
    fn unknown_operating_systems_travel_in_the_notes() {
        let cat = catalog();
        let r = Record::Configuration(Box::new(Configuration {
            name: "PC".into(),
            operating_system: Some("Windows 11 Pro 23H2".into()),
            platform: Some("Windows".into()),
            ..Configuration::default()
        }));
        let out = update(&ItgId::new("1"), &r, &[Field::OperatingSystem, Field::Platform], &ctx(&cat));
        assert_eq!(out.requests[0].attributes["operating_system_notes"], "Windows 11 Pro 23H2");
        assert_eq!(out.dropped.iter().map(|d| d.field).collect::<Vec<_>>(), [Field::Platform]);
    }

    #[test]
    fn psa_synced_records_keep_only_a_few_fields_open() {
        assert!(open_while_psa_synced(EntityKind::Configuration, Field::SerialNumber));
        assert!(!open_while_psa_synced(EntityKind::Configuration, Field::Name));
        assert!(!open_while_psa_synced(EntityKind::Organization, Field::Name));
    }
}
