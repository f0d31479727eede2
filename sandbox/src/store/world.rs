//! A deterministic synthetic client base: clients with sites, people and devices, each
//! present in IT Glue only, in BMS only, on both sides unlinked, or on both sides linked.
//! The same `(seed, scale)` always yields the same world; the seed projections turn it into
//! each product's tables.

pub mod catalog;
mod generate;
pub mod hand;
mod names;

use std::fmt;
use std::str::FromStr;

use catalog::COUNTRIES;

/// How much data to generate. Every scale also holds the hand-written demo clients.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Scale {
    /// The hand clients plus a dozen generated ones, for a demo that looks real.
    #[default]
    Demo,
    /// 100 BMS accounts, 1,000 assets, 500 contacts.
    Small,
    /// 1,000 accounts, 10,000 assets, 5,000 contacts.
    Medium,
    /// 10,000 accounts, 100,000 assets, 50,000 contacts.
    Large,
}

/// Exact BMS-side totals of a scale, hand records included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Targets {
    pub accounts: usize,
    pub assets: usize,
    pub contacts: usize,
}

impl Scale {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Demo => "demo",
            Self::Small => "small",
            Self::Medium => "medium",
            Self::Large => "large",
        }
    }

    pub fn targets(self) -> Option<Targets> {
        let targets = |accounts: usize| Targets {
            accounts,
            assets: accounts * 10,
            contacts: accounts * 5,
        };
        match self {
            Self::Demo => None,
            Self::Small => Some(targets(100)),
            Self::Medium => Some(targets(1_000)),
            Self::Large => Some(targets(10_000)),
        }
    }
}

impl fmt::Display for Scale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown scale {0:?} (expected demo, small, medium or large)")]
pub struct UnknownScale(String);

impl FromStr for Scale {
    type Err = UnknownScale;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "demo" => Ok(Self::Demo),
            "small" => Ok(Self::Small),
            "medium" => Ok(Self::Medium),
            "large" => Ok(Self::Large),
            other => Err(UnknownScale(other.to_owned())),
        }
    }
}

/// What to generate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WorldSpec {
    pub seed: u64,
    pub scale: Scale,
}

/// Where a record exists: its id on each side, and the IT Glue `adapters_resources` id when
/// the two are linked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Presence {
    pub itglue: Option<i64>,
    pub bms: Option<i64>,
    pub adapter: Option<i64>,
}

impl Presence {
    pub fn is_linked(&self) -> bool {
        self.adapter.is_some()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientKind {
    Customer,
    Vendor,
    Prospect,
    Internal,
}

impl ClientKind {
    pub fn itglue_type_id(self) -> i64 {
        match self {
            Self::Customer => 86,
            Self::Vendor => 87,
            Self::Internal => 88,
            Self::Prospect => 89,
        }
    }

    /// BMS has no "Internal" account type; such accounts are customers there.
    pub fn bms_type_id(self) -> i64 {
        match self {
            Self::Customer | Self::Internal => 4201,
            Self::Vendor => 4202,
            Self::Prospect => 4203,
        }
    }
}

/// Times are UTC `YYYY-MM-DDTHH:MM:SS`; each side formats them its own way.
#[derive(Debug, Clone)]
pub struct Client {
    pub at: Presence,
    pub itglue_name: String,
    pub bms_name: String,
    pub code: String,
    pub kind: ClientKind,
    pub business_type_id: i64,
    pub active: bool,
    pub itglue_description: Option<String>,
    pub bms_description: Option<String>,
    pub alert: Option<String>,
    pub quick_notes: Option<String>,
    pub website: Option<String>,
    pub acquired: Option<String>,
    pub itglue_created: String,
    pub itglue_updated: String,
    pub bms_created: String,
    pub bms_modified: String,
    /// Visible to the seeded technician, whose BMS security scope is limited.
    pub in_tech_scope: bool,
    /// The first site is the main one.
    pub sites: Vec<Site>,
    pub people: Vec<Person>,
    pub devices: Vec<Device>,
}

#[derive(Debug, Clone)]
pub struct Site {
    pub at: Presence,
    pub bms_address_id: i64,
    pub name: String,
    pub main: bool,
    pub address1: String,
    pub address2: Option<String>,
    /// Index into [`COUNTRIES`].
    pub country: usize,
    /// Index into that country's regions.
    pub region: usize,
    pub zip: String,
    /// As written in an address book, e.g. `(415) 555-0142` or `+41 44 555 01 23`.
    pub phone: Option<String>,
    pub fax: Option<String>,
    pub notes: Option<String>,
    pub created: String,
    pub modified: String,
}

impl Site {
    pub fn country(&self) -> &'static catalog::Country {
        &COUNTRIES[self.country]
    }

    /// `(region id, code, name, city, dialling prefix)`.
    pub fn region(&self) -> (i64, &'static str, &'static str, &'static str, &'static str) {
        self.country().regions[self.region]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneLabel {
    Work,
    Mobile,
    Fax,
}

#[derive(Debug, Clone)]
pub struct Phone {
    pub number: String,
    pub label: PhoneLabel,
    pub extension: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Person {
    pub at: Presence,
    pub itglue_first: String,
    pub itglue_last: String,
    pub bms_first: String,
    pub bms_last: String,
    pub title: Option<String>,
    /// IT Glue's "important" (BMS "point of contact"); IT Glue sometimes has null.
    pub important: Option<bool>,
    pub emails: Vec<String>,
    pub phones: Vec<Phone>,
    /// Index into the client's sites.
    pub site: usize,
    pub notes: Option<String>,
    pub active: bool,
    pub created: String,
    pub modified: String,
}

#[derive(Debug, Clone)]
pub struct Device {
    pub at: Presence,
    pub itglue_name: String,
    pub bms_name: String,
    /// Indexes into the [`catalog`] lists of kinds, statuses, models and operating systems.
    pub kind: usize,
    pub status: usize,
    pub model: usize,
    pub os: Option<usize>,
    pub serial: Option<String>,
    pub asset_tag: Option<String>,
    /// The first is the primary interface's.
    pub macs: Vec<[u8; 6]>,
    /// BMS's single MAC field as typed by hand: mixed separators, sometimes several MACs.
    pub bms_mac_text: Option<String>,
    pub ip: Option<String>,
    pub gateway: Option<String>,
    pub site: usize,
    pub person: Option<usize>,
    pub notes: Option<String>,
    pub purchased: Option<String>,
    pub warranty: Option<String>,
    pub created: String,
    pub modified: String,
}

/// `AA:BB:CC:DD:EE:FF`, IT Glue's 17-character form.
pub fn mac_colons(mac: &[u8; 6]) -> String {
    mac.iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

#[derive(Debug, Clone)]
pub struct World {
    pub clients: Vec<Client>,
}

impl World {
    pub fn generate(spec: WorldSpec) -> Self {
        generate::run(spec)
    }
}

#[cfg(test)]
mod tests {
    use super::mac_colons;

    #[test]
    fn macs_use_colons_and_upper_case() {
        assert_eq!(
            mac_colons(&[0xAA, 0xBB, 0xCC, 0x01, 0x02, 0x03]),
            "AA:BB:CC:01:02:03"
        );
    }
}
