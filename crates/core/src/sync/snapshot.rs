//! One record as read from either system: its canonical fields plus the facts the engine needs around them
//! (ids, owner, timestamps, IT Glue's PSA state).

use serde::{Deserialize, Serialize};

use super::normalize::Timestamp;
use super::records::{BmsId, EntityKind, ItgId, Record};

/// A BMS account, location, contact or asset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BmsEntry {
    pub id: BmsId,
    /// The owning account; `None` for accounts themselves.
    pub account: Option<BmsId>,
    pub created_on: Option<Timestamp>,
    pub modified_on: Option<Timestamp>,
    pub record: Record,
}

/// IT Glue's `psa-integration` attribute: whether a PSA integration (the native one, not this engine) holds the
/// record. IT Glue refuses most edits of a record it holds (HTTP 422).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PsaState {
    #[default]
    None,
    Enabled,
    Orphaned,
}

impl PsaState {
    pub fn parse(raw: Option<&str>) -> Self {
        match raw.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
            Some("enabled") => Self::Enabled,
            Some("orphaned") => Self::Orphaned,
            _ => Self::None,
        }
    }
}

/// Where an IT Glue contact came from; the spec pushes Microsoft and Active Directory contacts under their own
/// switches. Readers cannot tell from the attributes alone, so shells set it from the adapter resources.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ItgOrigin {
    #[default]
    Manual,
    Microsoft,
    ActiveDirectory,
}

/// An IT Glue organization, location, contact or configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItgEntry {
    pub id: ItgId,
    /// The owning organization; `None` for organizations themselves.
    pub organization: Option<ItgId>,
    pub created_at: Option<Timestamp>,
    pub updated_at: Option<Timestamp>,
    pub psa: PsaState,
    pub origin: ItgOrigin,
    /// The technician asked for this record to be pushed to BMS although it predates two-way sync.
    pub push_requested: bool,
    pub record: Record,
}

impl BmsEntry {
    pub fn kind(&self) -> EntityKind {
        self.record.kind()
    }
}

impl ItgEntry {
    pub fn kind(&self) -> EntityKind {
        self.record.kind()
    }
}
