//! Between wire shapes and canonical records, both ways, for both systems.
//!
//! Lookups of names to ids (account types, categories, statuses, manufacturers…) are data in a [`Catalog`] that
//! the shell fetches, never constants here. References between records go through an [`IdResolver`] (the link
//! table). A field that cannot be written (an unknown name, a reference to a record not linked yet) is left out of
//! the request and reported in [`Rendered::dropped`]; only a missing field that the target API requires is an
//! error.

pub mod bms;
pub mod itglue;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use thiserror::Error;

use super::normalize::{NormalizeError, fold};
use super::records::{BmsId, EntityKind, Field, ItgId, RecordRef, Side};

#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum MappingError {
    #[error("{what} has no {field}")]
    Missing { what: &'static str, field: &'static str },
    #[error("{what}: {field} is malformed: {detail}")]
    Malformed { what: &'static str, field: String, detail: String },
    #[error("{side} has no {lookup} named {name:?}")]
    UnknownName { side: Side, lookup: &'static str, name: String },
    #[error("{what}: cannot write its {field}: {reason}")]
    Unwritable { what: &'static str, field: &'static str, reason: String },
    #[error("{field} refers to {target}, which has no {side} counterpart yet")]
    Unresolved { field: &'static str, target: RecordRef, side: Side },
    #[error("updating this {kind} needs its current BMS record, because BMS only takes a full replacement")]
    NeedsCurrent { kind: EntityKind },
    #[error(transparent)]
    Date(#[from] NormalizeError),
}

/// A name and its id in one system's lookup list (types, statuses, categories, manufacturers…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedId {
    pub name: String,
    pub id: i64,
}

/// A lookup list. Names are matched case-insensitively, as both UIs treat them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NameIds(Vec<NamedId>);

impl NameIds {
    pub fn new(entries: impl IntoIterator<Item = (impl Into<String>, i64)>) -> Self {
        Self(entries.into_iter().map(|(name, id)| NamedId { name: name.into(), id }).collect())
    }

    pub fn id_of(&self, name: &str) -> Option<i64> {
        let key = fold(name);
        self.0.iter().find(|e| fold(&e.name) == key).map(|e| e.id)
    }

    pub fn name_of(&self, id: i64) -> Option<&str> {
        self.0.iter().find(|e| e.id == id).map(|e| e.name.as_str())
    }
}

/// Ids BMS requires on create that no IT Glue field supplies.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BmsDefaults {
    pub business_type_id: Option<i64>,
    pub account_manager_id: Option<i64>,
    /// Used for a pushed contact's email or phone whose IT Glue label has no BMS type of the same name.
    pub email_type_id: Option<i64>,
    pub phone_type_id: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BmsCatalog {
    pub account_types: NameIds,
    pub asset_categories: NameIds,
    pub manufacturers: NameIds,
    pub email_types: NameIds,
    pub phone_types: NameIds,
    pub countries: NameIds,
    pub defaults: BmsDefaults,
}

/// An IT Glue operating system; its platform is what the spec's "Platform" row shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperatingSystem {
    pub id: i64,
    pub name: String,
    pub platform: Option<String>,
}

/// An IT Glue region (state/province) of a country.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Region {
    pub id: i64,
    pub name: String,
    pub country_id: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItgCatalog {
    pub organization_types: NameIds,
    pub organization_statuses: NameIds,
    pub configuration_types: NameIds,
    pub configuration_statuses: NameIds,
    pub manufacturers: NameIds,
    pub models: NameIds,
    pub countries: NameIds,
    pub regions: Vec<Region>,
    pub operating_systems: Vec<OperatingSystem>,
}

impl ItgCatalog {
    pub fn operating_system_named(&self, name: &str) -> Option<&OperatingSystem> {
        let key = fold(name);
        self.operating_systems.iter().find(|os| fold(&os.name) == key)
    }

    pub fn operating_system(&self, id: i64) -> Option<&OperatingSystem> {
        self.operating_systems.iter().find(|os| os.id == id)
    }

    pub fn region_id(&self, country_id: i64, name: &str) -> Option<i64> {
        let key = fold(name);
        self.regions.iter().find(|r| r.country_id == country_id && fold(&r.name) == key).map(|r| r.id)
    }

    pub fn region_name(&self, id: i64) -> Option<&str> {
        self.regions.iter().find(|r| r.id == id).map(|r| r.name.as_str())
    }
}

/// Both systems' lookup lists.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalog {
    pub bms: BmsCatalog,
    pub itglue: ItgCatalog,
}

/// Translates ids between the systems for linked records (the link table implements it).
pub trait IdResolver {
    fn itg_for(&self, kind: EntityKind, bms: &BmsId) -> Option<ItgId>;
    fn bms_for(&self, kind: EntityKind, itg: &ItgId) -> Option<BmsId>;
}

/// The canonical form of a reference read from IT Glue: the BMS id when the target is linked.
pub fn ref_from_itglue(kind: EntityKind, itg: ItgId, resolver: &dyn IdResolver) -> RecordRef {
    match resolver.bms_for(kind, &itg) {
        Some(bms) => RecordRef::Bms(bms),
        None => RecordRef::ItGlue(itg),
    }
}

/// The IT Glue id a reference points at, when it has one.
pub fn itglue_id_of(kind: EntityKind, target: &RecordRef, resolver: &dyn IdResolver) -> Option<ItgId> {
    match target {
        RecordRef::ItGlue(id) => Some(id.clone()),
        RecordRef::Bms(id) => resolver.itg_for(kind, id),
    }
}

/// The BMS id a reference points at, when it has one.
pub fn bms_id_of(kind: EntityKind, target: &RecordRef, resolver: &dyn IdResolver) -> Option<BmsId> {
    match target {
        RecordRef::Bms(id) => Some(id.clone()),
        RecordRef::ItGlue(id) => resolver.bms_for(kind, id),
    }
}

/// The HTTP method of a write. BMS assets have only PUT (a full replacement); accounts and contacts take JSON
/// Patch; IT Glue takes POST and PATCH.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Post,
    Put,
    Patch,
}

/// A field left out of a request, and why; the plan turns these into "not written" notes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dropped {
    pub field: Field,
    pub reason: String,
}

/// Requests ready to send, plus what could not be included.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rendered<R> {
    pub requests: Vec<R>,
    /// JSON Patch operations to send to the record the first request creates (BMS takes a contact's job title and
    /// point-of-contact flag only after the contact exists).
    pub follow_up: Vec<Value>,
    pub dropped: Vec<Dropped>,
}

impl<R> Rendered<R> {
    fn new(requests: Vec<R>, dropped: Vec<Dropped>) -> Self {
        Self { requests, follow_up: Vec::new(), dropped }
    }
}

/// Reads attributes whichever spelling they use: responses are kebab-case, request bodies snake_case (IT Glue
/// accepts both), so a record can be read back from what was written.
pub(crate) struct Attrs<'a> {
    map: &'a Map<String, Value>,
    what: &'static str,
}

impl<'a> Attrs<'a> {
    pub(crate) fn new(map: &'a Map<String, Value>, what: &'static str) -> Self {
        Self { map, what }
    }

    /// The value under `key` (kebab-case) or its snake_case spelling; null counts as missing.
    pub(crate) fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).or_else(|| self.map.get(&key.replace('-', "_"))).filter(|v| !v.is_null())
    }

    fn malformed(&self, key: &str, detail: &str) -> MappingError {
        MappingError::Malformed { what: self.what, field: key.to_owned(), detail: detail.to_owned() }
    }

    /// A text value; numbers are accepted as their text.
    pub(crate) fn text(&self, key: &str) -> Result<Option<String>, MappingError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(super::normalize::clean(Some(s))),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(_) => Err(self.malformed(key, "expected text")),
        }
    }

    /// An integer id; numeric strings are accepted.
    pub(crate) fn int(&self, key: &str) -> Result<Option<i64>, MappingError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => n.as_i64().map(Some).ok_or_else(|| self.malformed(key, "expected an integer")),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => s.trim().parse().map(Some).map_err(|_| self.malformed(key, "expected an integer")),
            Some(_) => Err(self.malformed(key, "expected an integer")),
        }
    }

    /// A record id: a string (IT Glue's top-level ids) or an integer (its foreign keys).
    pub(crate) fn id(&self, key: &str) -> Result<Option<String>, MappingError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(super::normalize::clean(Some(s))),
            Some(Value::Number(n)) if n.is_u64() || n.is_i64() => Ok(Some(n.to_string())),
            Some(_) => Err(self.malformed(key, "expected an id")),
        }
    }

    pub(crate) fn flag(&self, key: &str) -> Result<Option<bool>, MappingError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::Number(n)) => Ok(Some(n.as_i64() != Some(0))),
            Some(_) => Err(self.malformed(key, "expected true or false")),
        }
    }

    pub(crate) fn list(&self, key: &str) -> Result<&'a [Value], MappingError> {
        match self.get(key) {
            None => Ok(&[]),
            Some(Value::Array(items)) => Ok(items),
            Some(_) => Err(self.malformed(key, "expected a list")),
        }
    }
}

/// The object inside a value, or a typed error.
pub(crate) fn object<'a>(value: &'a Value, what: &'static str, field: &str) -> Result<&'a Map<String, Value>, MappingError> {
    value.as_object().ok_or_else(|| MappingError::Malformed {
        what,
        field: field.to_owned(),
        detail: "expected an object".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lookups_ignore_case() {
        let types = NameIds::new([("Customer", 86), ("Vendor", 87)]);
        assert_eq!(types.id_of("customer"), Some(86));
        assert_eq!(types.id_of("Prospect"), None);
        assert_eq!(types.name_of(87), Some("Vendor"));
    }

    #[test]
    fn attributes_read_in_either_spelling() {
        let map = json!({"first-name": "Ann", "last_name": "Lee", "important": null, "organization-id": 2, "x": [1]});
        let map = map.as_object().unwrap();
        let a = Attrs::new(map, "contact");
        assert_eq!(a.text("first-name").unwrap().as_deref(), Some("Ann"));
        assert_eq!(a.text("last-name").unwrap().as_deref(), Some("Lee"));
        assert_eq!(a.flag("important").unwrap(), None);
        assert_eq!(a.id("organization-id").unwrap().as_deref(), Some("2"));
        assert!(a.text("x").is_err());
        assert!(a.list("first-name").is_err());
    }
}
