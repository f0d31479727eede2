//! The canonical records: for each synced pair, the fields of the spec's mapping tables in one neutral form.
//!
//! Both systems are read into these records and written from them, so the merge and the matching never see wire
//! shapes. References to other records are [`RecordRef`]s in BMS's id space whenever the target is linked (BMS is
//! the system of record), so a reference read from either side compares equal when it points at the same pair.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::normalize::{MacAddress, SyncDate, collapse_whitespace, email_key, fold, phone_key};

/// A BMS record id. BMS ids are 32-bit integers on the wire; kept as text like IT Glue's.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BmsId(String);

/// An IT Glue record id. IT Glue ids exceed 2^53, so they stay strings end to end.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ItgId(String);

macro_rules! id_type {
    ($name:ident) => {
        impl $name {
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}
id_type!(BmsId);
id_type!(ItgId);

/// Orders ids the way a person expects: numerically when both are numbers (so "9" < "10"), else as text.
pub fn id_order(a: &str, b: &str) -> std::cmp::Ordering {
    let numeric = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    if numeric(a) && numeric(b) {
        let (a, b) = (a.trim_start_matches('0'), b.trim_start_matches('0'));
        a.len().cmp(&b.len()).then_with(|| a.cmp(b))
    } else {
        a.cmp(b)
    }
}

/// The four synced pairs. The order of the variants is the sync order: parents before children.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntityKind {
    /// IT Glue organization ↔ BMS account.
    Organization,
    /// IT Glue location ↔ BMS account location.
    Location,
    /// IT Glue contact ↔ BMS contact.
    Contact,
    /// IT Glue configuration ↔ BMS hardware asset.
    Configuration,
}

impl EntityKind {
    /// Accounts first, then locations, contacts and configurations: each needs its parents' links.
    pub const SYNC_ORDER: [EntityKind; 4] = [Self::Organization, Self::Location, Self::Contact, Self::Configuration];

    pub fn itglue_noun(self) -> &'static str {
        match self {
            Self::Organization => "organization",
            Self::Location => "location",
            Self::Contact => "contact",
            Self::Configuration => "configuration",
        }
    }

    pub fn bms_noun(self) -> &'static str {
        match self {
            Self::Organization => "account",
            Self::Location => "location",
            Self::Contact => "contact",
            Self::Configuration => "asset",
        }
    }
}

impl fmt::Display for EntityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.itglue_noun())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Side {
    Bms,
    ItGlue,
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Bms => "Kaseya BMS",
            Self::ItGlue => "IT Glue",
        })
    }
}

/// A reference from one record to another (parent organization, location, contact). `Bms` when the target is a
/// BMS record or a linked pair; `ItGlue` only for an IT Glue record that has no BMS counterpart yet.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "side", content = "id", rename_all = "kebab-case")]
pub enum RecordRef {
    Bms(BmsId),
    ItGlue(ItgId),
}

impl fmt::Display for RecordRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Bms(id) => write!(f, "BMS #{id}"),
            Self::ItGlue(id) => write!(f, "IT Glue #{id}"),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email {
    pub address: String,
    /// BMS "IsDefault", IT Glue "primary".
    pub primary: bool,
    /// BMS email type / IT Glue label ("Work"). Carried for writing; not compared (the two lists of labels differ).
    pub label: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phone {
    /// As typed; compared by digits.
    pub number: String,
    pub extension: Option<String>,
    pub primary: bool,
    /// BMS phone type / IT Glue label ("Work", "Cell"). Carried for writing; not compared.
    pub label: Option<String>,
}

/// One synced field. A single enum for all four kinds keeps conflict logs and plans uniform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Field {
    Name,
    OrganizationType,
    Status,
    Parent,
    MainLocation,
    ShortName,
    Address1,
    Address2,
    City,
    State,
    PostalCode,
    Country,
    Phone,
    Fax,
    FirstName,
    LastName,
    Title,
    Emails,
    Phones,
    Location,
    Important,
    AssetTag,
    Contact,
    DefaultGateway,
    ConfigurationType,
    PrimaryIp,
    Manufacturer,
    Model,
    Notes,
    OperatingSystem,
    Position,
    Platform,
    PurchasedAt,
    SerialNumber,
    PrimaryMac,
    WarrantyExpiresAt,
}

impl Field {
    /// The name a technician reads in a plan or a conflict log.
    pub fn label(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::OrganizationType => "type",
            Self::Status => "status",
            Self::Parent => "parent",
            Self::MainLocation => "main location",
            Self::ShortName => "short name",
            Self::Address1 => "address 1",
            Self::Address2 => "address 2",
            Self::City => "city",
            Self::State => "state/province",
            Self::PostalCode => "zip/postal code",
            Self::Country => "country",
            Self::Phone => "phone",
            Self::Fax => "fax",
            Self::FirstName => "first name",
            Self::LastName => "last name",
            Self::Title => "title",
            Self::Emails => "emails",
            Self::Phones => "phones",
            Self::Location => "location",
            Self::Important => "important contact",
            Self::AssetTag => "asset tag",
            Self::Contact => "contact",
            Self::DefaultGateway => "default gateway",
            Self::ConfigurationType => "configuration type",
            Self::PrimaryIp => "primary IP",
            Self::Manufacturer => "manufacturer",
            Self::Model => "model",
            Self::Notes => "notes",
            Self::OperatingSystem => "operating system",
            Self::Position => "physical position",
            Self::Platform => "platform",
            Self::PurchasedAt => "purchased date",
            Self::SerialNumber => "serial number",
            Self::PrimaryMac => "primary MAC",
            Self::WarrantyExpiresAt => "expiration date",
        }
    }

    /// The kind a reference field points at; `None` for plain values.
    pub fn ref_kind(self) -> Option<EntityKind> {
        match self {
            Self::Parent => Some(EntityKind::Organization),
            Self::Location => Some(EntityKind::Location),
            Self::Contact => Some(EntityKind::Contact),
            _ => None,
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// One field's value, tagged with how it compares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "kebab-case")]
pub enum FieldValue {
    /// A required text; compared with collapsed whitespace, case-sensitive (a case fix is a change to sync).
    Name(String),
    /// Optional text; compared with collapsed whitespace, case-sensitive.
    Text(Option<String>),
    /// Optional text compared case-insensitively: countries, and names resolved through lookups (types, statuses,
    /// manufacturers), which both systems treat case-insensitively.
    Folded(Option<String>),
    /// A single phone or fax number; compared by digits (IT Glue keeps digits, BMS what was typed).
    PhoneNumber(Option<String>),
    Ref(Option<RecordRef>),
    Date(Option<SyncDate>),
    Mac(Option<MacAddress>),
    Flag(bool),
    /// Compared as a set of addresses plus which one is primary.
    Emails(Vec<Email>),
    /// Compared as a set of digit strings (with extension) plus which one is primary.
    Phones(Vec<Phone>),
}

fn primary_of<T>(items: &[T], is_primary: impl Fn(&T) -> bool) -> Option<&T> {
    // With no item marked, the first is the default, as both UIs show it.
    items.iter().find(|i| is_primary(i)).or_else(|| items.first())
}

fn list_key<T>(items: &[T], key: impl Fn(&T) -> String, is_primary: impl Fn(&T) -> bool) -> String {
    let mut keys: Vec<String> = items.iter().map(&key).collect();
    keys.sort();
    keys.dedup();
    let primary = primary_of(items, is_primary).map(key).unwrap_or_default();
    format!("{}|primary={primary}", keys.join(","))
}

fn phone_compare_key(number: &str, extension: Option<&str>) -> String {
    let k = phone_key(number, extension);
    match k.extension {
        Some(ext) => format!("{}x{ext}", k.digits),
        None => k.digits,
    }
}

impl FieldValue {
    /// The comparison form: two values are equivalent when their keys are equal.
    pub fn compare_key(&self) -> String {
        match self {
            Self::Name(s) => collapse_whitespace(s),
            Self::Text(s) => s.as_deref().map(collapse_whitespace).unwrap_or_default(),
            Self::Folded(s) => s.as_deref().map(fold).unwrap_or_default(),
            Self::PhoneNumber(s) => s.as_deref().map(|n| phone_compare_key(n, None)).unwrap_or_default(),
            Self::Ref(r) => r.as_ref().map(|r| r.to_string()).unwrap_or_default(),
            Self::Date(d) => d.map(|d| d.to_string()).unwrap_or_default(),
            Self::Mac(m) => m.as_ref().map(|m| m.as_str().to_owned()).unwrap_or_default(),
            Self::Flag(b) => b.to_string(),
            Self::Emails(list) => list_key(list, |e| email_key(&e.address), |e| e.primary),
            Self::Phones(list) => list_key(list, |p| phone_compare_key(&p.number, p.extension.as_deref()), |p| p.primary),
        }
    }

    pub fn equivalent(&self, other: &FieldValue) -> bool {
        self.compare_key() == other.compare_key()
    }

    /// Whether the value holds nothing a person typed (so overwriting it loses nothing).
    pub fn is_empty(&self) -> bool {
        match self {
            Self::Flag(b) => !b,
            Self::Emails(l) => l.is_empty(),
            Self::Phones(l) => l.is_empty(),
            other => other.compare_key().is_empty(),
        }
    }
}

impl fmt::Display for FieldValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = match self {
            Self::Name(s) => s.clone(),
            Self::Text(s) | Self::Folded(s) | Self::PhoneNumber(s) => s.clone().unwrap_or_default(),
            Self::Ref(r) => r.as_ref().map(ToString::to_string).unwrap_or_default(),
            Self::Date(d) => d.map(|d| d.to_string()).unwrap_or_default(),
            Self::Mac(m) => m.as_ref().map(ToString::to_string).unwrap_or_default(),
            Self::Flag(b) => if *b { "yes" } else { "no" }.to_owned(),
            Self::Emails(l) => l.iter().map(|e| e.address.clone()).collect::<Vec<_>>().join(", "),
            Self::Phones(l) => l
                .iter()
                .map(|p| match &p.extension {
                    Some(x) => format!("{} x{x}", p.number),
                    None => p.number.clone(),
                })
                .collect::<Vec<_>>()
                .join(", "),
        };
        if shown.is_empty() { f.write_str("(empty)") } else { f.write_str(&shown) }
    }
}

/// IT Glue organization ↔ BMS account.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organization {
    pub name: String,
    /// BMS account type / IT Glue organization type, by name.
    pub type_name: Option<String>,
    /// "Active" or "Inactive" from BMS's `isActive`; any IT Glue organization status name.
    pub status: Option<String>,
    pub parent: Option<RecordRef>,
    /// BMS account code / IT Glue short name.
    pub short_name: Option<String>,
}

/// IT Glue location ↔ BMS account location (its main address).
///
/// The spec's "Primary Location ↔ Main Location" row of the account table lives here as `main`: both APIs store it
/// as a flag on the location (`isMain`, `primary`), so it is read and written there, with no extra request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    pub name: String,
    pub main: bool,
    pub address1: Option<String>,
    pub address2: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
    pub phone: Option<String>,
    pub fax: Option<String>,
}

/// IT Glue contact ↔ BMS contact.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// IT Glue title / BMS job title.
    pub title: Option<String>,
    pub emails: Vec<Email>,
    pub phones: Vec<Phone>,
    pub location: Option<RecordRef>,
    /// IT Glue "important" (which may be null: read as false) / BMS point of contact.
    pub important: bool,
}

/// IT Glue configuration ↔ BMS hardware asset: every row of the spec's table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Configuration {
    pub name: String,
    pub asset_tag: Option<String>,
    pub contact: Option<RecordRef>,
    pub default_gateway: Option<String>,
    /// IT Glue configuration status name / BMS "Active" or "Inactive".
    pub status: Option<String>,
    /// IT Glue configuration type / BMS asset category, by name.
    pub configuration_type: Option<String>,
    pub primary_ip: Option<String>,
    /// IT Glue location / BMS client location.
    pub location: Option<RecordRef>,
    pub manufacturer: Option<String>,
    /// IT Glue model / BMS model number.
    pub model: Option<String>,
    /// IT Glue notes / BMS description.
    pub notes: Option<String>,
    /// IT Glue operating system / BMS OS info.
    pub operating_system: Option<String>,
    /// IT Glue physical position / BMS physical location info.
    pub position: Option<String>,
    /// IT Glue platform (of its operating system) / BMS OS type.
    pub platform: Option<String>,
    /// IT Glue purchased date / BMS acquisition date.
    pub purchased_at: Option<SyncDate>,
    pub serial_number: Option<String>,
    /// The primary interface's MAC; BMS may hold several, the first being primary.
    pub primary_mac: Option<MacAddress>,
    /// IT Glue expiration date / BMS warranty expiration date.
    pub warranty_expires_at: Option<SyncDate>,
}

/// Field-level access, so the merge and the plan work on any kind.
pub trait SyncRecord {
    const KIND: EntityKind;
    const FIELDS: &'static [Field];
    /// The value of `field`, or `None` when this kind has no such field.
    fn get(&self, field: Field) -> Option<FieldValue>;
    /// Copies one field from another record of the same kind; other fields are untouched.
    fn copy_field(&mut self, from: &Self, field: Field);
}

macro_rules! sync_record {
    ($record:ty, $kind:expr, [$($field:ident => $member:ident as $wrap:ident),* $(,)?]) => {
        impl SyncRecord for $record {
            const KIND: EntityKind = $kind;
            const FIELDS: &'static [Field] = &[$(Field::$field),*];
            fn get(&self, field: Field) -> Option<FieldValue> {
                match field {
                    $(Field::$field => Some(FieldValue::$wrap(self.$member.clone())),)*
                    _ => None,
                }
            }
            fn copy_field(&mut self, from: &Self, field: Field) {
                match field {
                    $(Field::$field => self.$member = from.$member.clone(),)*
                    _ => {}
                }
            }
        }
    };
}

sync_record!(Organization, EntityKind::Organization, [
    Name => name as Name,
    OrganizationType => type_name as Folded,
    Status => status as Folded,
    Parent => parent as Ref,
    ShortName => short_name as Text,
]);

sync_record!(Location, EntityKind::Location, [
    Name => name as Name,
    MainLocation => main as Flag,
    Address1 => address1 as Text,
    Address2 => address2 as Text,
    City => city as Text,
    State => state as Text,
    PostalCode => postal_code as Text,
    Country => country as Folded,
    Phone => phone as PhoneNumber,
    Fax => fax as PhoneNumber,
]);

sync_record!(Contact, EntityKind::Contact, [
    FirstName => first_name as Text,
    LastName => last_name as Text,
    Title => title as Text,
    Emails => emails as Emails,
    Phones => phones as Phones,
    Location => location as Ref,
    Important => important as Flag,
]);

sync_record!(Configuration, EntityKind::Configuration, [
    Name => name as Name,
    AssetTag => asset_tag as Text,
    Contact => contact as Ref,
    DefaultGateway => default_gateway as Text,
    Status => status as Folded,
    ConfigurationType => configuration_type as Folded,
    PrimaryIp => primary_ip as Text,
    Location => location as Ref,
    Manufacturer => manufacturer as Folded,
    Model => model as Folded,
    Notes => notes as Text,
    OperatingSystem => operating_system as Folded,
    Position => position as Text,
    Platform => platform as Folded,
    PurchasedAt => purchased_at as Date,
    SerialNumber => serial_number as Text,
    PrimaryMac => primary_mac as Mac,
    WarrantyExpiresAt => warranty_expires_at as Date,
]);

#[derive(Debug, Clone, Copy, Error, PartialEq, Eq)]
#[error("a {expected} record was given where a {found} record was expected")]
pub struct KindMismatch {
    pub expected: EntityKind,
    pub found: EntityKind,
}

/// A record of any kind: what plans, links and journals store. A configuration has three times the fields of
/// the others, so it is boxed to keep every record (and every planned operation) small.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Record {
    Organization(Organization),
    Location(Location),
    Contact(Contact),
    Configuration(Box<Configuration>),
}

impl Record {
    /// A record with every field empty, used to clear fields that cannot be written.
    pub fn empty(kind: EntityKind) -> Self {
        match kind {
            EntityKind::Organization => Self::Organization(Organization::default()),
            EntityKind::Location => Self::Location(Location::default()),
            EntityKind::Contact => Self::Contact(Contact::default()),
            EntityKind::Configuration => Self::Configuration(Box::default()),
        }
    }

    pub fn kind(&self) -> EntityKind {
        match self {
            Self::Organization(_) => EntityKind::Organization,
            Self::Location(_) => EntityKind::Location,
            Self::Contact(_) => EntityKind::Contact,
            Self::Configuration(_) => EntityKind::Configuration,
        }
    }

    pub fn fields(&self) -> &'static [Field] {
        match self {
            Self::Organization(_) => Organization::FIELDS,
            Self::Location(_) => Location::FIELDS,
            Self::Contact(_) => Contact::FIELDS,
            Self::Configuration(_) => Configuration::FIELDS,
        }
    }

    pub fn get(&self, field: Field) -> Option<FieldValue> {
        match self {
            Self::Organization(r) => r.get(field),
            Self::Location(r) => r.get(field),
            Self::Contact(r) => r.get(field),
            Self::Configuration(r) => r.get(field),
        }
    }

    pub fn copy_field(&mut self, from: &Record, field: Field) -> Result<(), KindMismatch> {
        match (self, from) {
            (Self::Organization(a), Self::Organization(b)) => a.copy_field(b, field),
            (Self::Location(a), Self::Location(b)) => a.copy_field(b, field),
            (Self::Contact(a), Self::Contact(b)) => a.copy_field(b, field),
            (Self::Configuration(a), Self::Configuration(b)) => a.copy_field(b, field),
            (a, b) => return Err(KindMismatch { expected: a.kind(), found: b.kind() }),
        }
        Ok(())
    }

    /// This record with `fields` emptied.
    pub fn cleared(&self, fields: impl IntoIterator<Item = Field>) -> Record {
        let empty = Record::empty(self.kind());
        let mut out = self.clone();
        for field in fields {
            // Same kind by construction, so the copy cannot fail.
            let _same_kind = out.copy_field(&empty, field);
        }
        out
    }

    /// The fields whose values are not equivalent between two records of the same kind.
    pub fn differing_fields(&self, other: &Record) -> Vec<Field> {
        self.fields().iter().copied().filter(|&f| !same_value(self.get(f), other.get(f))).collect()
    }

    /// What a person calls this record: the organization or configuration name, "First Last" for a contact.
    pub fn display_name(&self) -> String {
        match self {
            Self::Organization(r) => r.name.clone(),
            Self::Location(r) => r.name.clone(),
            Self::Configuration(r) => r.name.clone(),
            Self::Contact(r) => collapse_whitespace(&format!(
                "{} {}",
                r.first_name.as_deref().unwrap_or_default(),
                r.last_name.as_deref().unwrap_or_default()
            )),
        }
    }

    /// The reference fields that are set, with their values.
    pub fn refs(&self) -> Vec<(Field, &RecordRef)> {
        let pairs: Vec<(Field, Option<&RecordRef>)> = match self {
            Self::Organization(r) => vec![(Field::Parent, r.parent.as_ref())],
            Self::Location(_) => Vec::new(),
            Self::Contact(r) => vec![(Field::Location, r.location.as_ref())],
            Self::Configuration(r) => vec![(Field::Contact, r.contact.as_ref()), (Field::Location, r.location.as_ref())],
        };
        pairs.into_iter().filter_map(|(f, r)| r.map(|r| (f, r))).collect()
    }

    /// Rewrites every set reference through `f` (given the field and the reference).
    pub fn rewrite_refs(&mut self, f: impl Fn(Field, &RecordRef) -> RecordRef) {
        let apply = |field: Field, slot: &mut Option<RecordRef>| {
            if let Some(r) = slot.as_ref() {
                *slot = Some(f(field, r));
            }
        };
        match self {
            Self::Organization(r) => apply(Field::Parent, &mut r.parent),
            Self::Location(_) => {}
            Self::Contact(r) => apply(Field::Location, &mut r.location),
            Self::Configuration(r) => {
                apply(Field::Contact, &mut r.contact);
                apply(Field::Location, &mut r.location);
            }
        }
    }
}

/// Equivalence of two optional field values; a field missing on one side only is a difference.
pub fn same_value(a: Option<FieldValue>, b: Option<FieldValue>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a.equivalent(&b),
        (None, None) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email(address: &str, primary: bool) -> Email {
        Email { address: address.into(), primary, label: None }
    }

    fn phone(number: &str, primary: bool) -> Phone {
        Phone { number: number.into(), extension: None, primary, label: Some("Work".into()) }
    }

    #[test]
    fn email_lists_compare_as_sets_with_a_primary() {
        let a = FieldValue::Emails(vec![email("A@x.com", true), email("b@x.com", false)]);
        let b = FieldValue::Emails(vec![email("b@X.com", false), email("a@x.com", true)]);
        let c = FieldValue::Emails(vec![email("a@x.com", false), email("b@x.com", true)]);
        assert!(a.equivalent(&b));
        assert!(!a.equivalent(&c), "moving the primary marker is a change");
        let unmarked = FieldValue::Emails(vec![email("a@x.com", false), email("b@x.com", false)]);
        assert!(unmarked.equivalent(&a), "with no marker, the first is primary");
    }

    #[test]
    fn phone_lists_compare_by_digits_ignoring_labels() {
        let bms = FieldValue::Phones(vec![phone("(415) 555-2156", true), phone("813-489-0123", false)]);
        let mut itg_list = vec![phone("8134890123", false), phone("4155552156", true)];
        itg_list[0].label = Some("Cell".into());
        assert!(bms.equivalent(&FieldValue::Phones(itg_list)));
    }

    #[test]
    fn text_comparison_rules() {
        assert!(FieldValue::Text(Some("a  b".into())).equivalent(&FieldValue::Text(Some(" a b ".into()))));
        assert!(FieldValue::Text(None).equivalent(&FieldValue::Text(Some("".into()))));
        assert!(!FieldValue::Name("acme".into()).equivalent(&FieldValue::Name("Acme".into())));
        assert!(FieldValue::Folded(Some("USA".into())).equivalent(&FieldValue::Folded(Some("usa".into()))));
    }

    #[test]
    fn field_access_and_copy() {
        let mut a = Record::Contact(Contact { first_name: Some("Ann".into()), ..Contact::default() });
        let b = Record::Contact(Contact { first_name: Some("Anne".into()), title: Some("CTO".into()), ..Contact::default() });
        assert_eq!(a.differing_fields(&b), vec![Field::FirstName, Field::Title]);
        a.copy_field(&b, Field::Title).unwrap();
        assert_eq!(a.differing_fields(&b), vec![Field::FirstName]);
        assert!(a.copy_field(&Record::empty(EntityKind::Location), Field::Name).is_err());
        assert_eq!(a.get(Field::SerialNumber), None);
        assert_eq!(b.cleared([Field::Title]).get(Field::Title), Some(FieldValue::Text(None)));
    }

    #[test]
    fn ids_order_numerically() {
        assert_eq!(id_order("9", "10"), std::cmp::Ordering::Less);
        assert_eq!(id_order("574989297464115201", "99"), std::cmp::Ordering::Greater);
        assert_eq!(id_order("abc", "abd"), std::cmp::Ordering::Less);
    }

    #[test]
    fn records_serialize_with_their_kind() {
        let r = Record::Organization(Organization { name: "Acme".into(), ..Organization::default() });
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["kind"], "organization");
        assert_eq!(serde_json::from_value::<Record>(json).unwrap(), r);
    }
}
