//! The IT Glue widget's view model: what the panel on a BMS record page shows.

use serde::{Deserialize, Serialize};

use crate::itglue::{ItGlueError, ItGlueRecord, Organization};
use crate::sanitize::{SafeHtml, sanitize};

/// The service a problem is about, so the widget can say which one to fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Service {
    Bms,
    ItGlue,
}

impl Service {
    pub fn label(self) -> &'static str {
        match self {
            Service::Bms => "Kaseya BMS",
            Service::ItGlue => "IT Glue",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationCard {
    pub name: String,
    pub type_name: Option<String>,
    pub status_name: Option<String>,
    pub short_name: Option<String>,
    pub quick_notes: SafeHtml,
    /// The record's page in IT Glue, opened in a new tab.
    pub url: Option<String>,
}

impl From<&Organization> for OrganizationCard {
    fn from(org: &Organization) -> Self {
        OrganizationCard {
            name: org.name.clone(),
            type_name: org.type_name.clone(),
            status_name: org.status_name.clone(),
            short_name: org.short_name.clone(),
            quick_notes: sanitize(org.quick_notes.as_deref().unwrap_or_default()),
            url: web_url(org.resource_url.as_deref()),
        }
    }
}

/// Only web links leave the worker: a `javascript:` URL from the API must never become an `href`.
pub fn web_url(url: Option<&str>) -> Option<String> {
    url.filter(|u| u.starts_with("https://") || u.starts_with("http://")).map(str::to_owned)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fact {
    /// Stable name for styles and tests.
    pub key: String,
    pub label: String,
    pub value: String,
}

/// An IT Glue contact or configuration, for the widget on BMS contact and hardware-asset pages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordCard {
    /// "contact" or "configuration".
    pub noun: String,
    pub title: String,
    pub facts: Vec<Fact>,
    pub notes: SafeHtml,
    pub url: Option<String>,
}

impl RecordCard {
    pub fn new(kind: crate::sync::EntityKind, record: &ItGlueRecord) -> Self {
        RecordCard {
            noun: kind.itglue_noun().to_owned(),
            title: record.title.clone(),
            facts: record
                .facts
                .iter()
                .map(|(key, label, value)| Fact { key: (*key).into(), label: (*label).into(), value: value.clone() })
                .collect(),
            notes: sanitize(record.notes.as_deref().unwrap_or_default()),
            url: web_url(record.resource_url.as_deref()),
        }
    }
}

/// A BMS record's sync status, as IT Glue's sync status indicator shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RecordSyncState {
    /// Actively syncing.
    Enabled,
    /// No longer syncing: deleted in BMS, or out of the sync settings' types and statuses.
    Orphaned,
    /// Disconnected from syncing by a person.
    Disabled,
}

impl RecordSyncState {
    /// The stable name that tests and styles key on.
    pub fn name(self) -> &'static str {
        match self {
            Self::Enabled => "enabled",
            Self::Orphaned => "orphaned",
            Self::Disabled => "disabled",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordSync {
    pub state: RecordSyncState,
    /// Why, in the words of the native integration's indicator.
    pub detail: String,
    pub synced_at_ms: u64,
}

impl RecordSync {
    pub fn from_link(link: &crate::sync::Link) -> Self {
        use crate::sync::{LinkState, OrphanReason};
        let (state, detail) = match link.state {
            LinkState::Enabled => (RecordSyncState::Enabled, "This record is actively syncing with BMS."),
            LinkState::Orphaned { reason: OrphanReason::DeletedInBms } => {
                (RecordSyncState::Orphaned, "This record is orphaned (no longer syncing) because it was deleted in BMS.")
            }
            LinkState::Orphaned { reason: OrphanReason::OutOfScope } => (
                RecordSyncState::Orphaned,
                "This record is orphaned (no longer syncing) because it no longer satisfies the sync settings.",
            ),
            LinkState::Disconnected => (RecordSyncState::Disabled, "This record is disconnected from syncing with BMS."),
        };
        RecordSync { state, detail: detail.into(), synced_at_ms: u64::try_from(link.synced_at.unix_millis()).unwrap_or(0) }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum WidgetState {
    NotConfigured,
    NotLinked,
    Unauthorized { service: Service, detail: String },
    Unreachable { service: Service, detail: String },
    Error { detail: String },
    /// `sync` is set when this extension's sync links the account; a link made by IT Glue's own integration
    /// has none.
    Organization { card: OrganizationCard, sync: Option<RecordSync> },
    /// A BMS contact's or hardware asset's IT Glue record.
    Record { card: RecordCard, sync: Option<RecordSync> },
}

impl WidgetState {
    /// The stable name that tests and styles key on.
    pub fn name(&self) -> &'static str {
        match self {
            WidgetState::NotConfigured => "not-configured",
            WidgetState::NotLinked => "not-linked",
            WidgetState::Unauthorized { .. } => "unauthorized",
            WidgetState::Unreachable { .. } => "unreachable",
            WidgetState::Error { .. } => "error",
            WidgetState::Organization { .. } | WidgetState::Record { .. } => "ready",
        }
    }

    pub fn from_itglue_error(error: ItGlueError) -> Self {
        let detail = error.to_string();
        match error {
            ItGlueError::Unauthorized { .. } => WidgetState::Unauthorized { service: Service::ItGlue, detail },
            ItGlueError::Network(_) => WidgetState::Unreachable { service: Service::ItGlue, detail },
            ItGlueError::NotFound => WidgetState::NotLinked,
            _ => WidgetState::Error { detail },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(notes: &str, url: &str) -> Organization {
        Organization {
            id: "1".into(),
            name: "Happy Frog".into(),
            type_name: Some("Customer".into()),
            status_name: Some("Active".into()),
            short_name: None,
            quick_notes: Some(notes.into()),
            resource_url: Some(url.into()),
            psa_integration: Some("enabled".into()),
        }
    }

    #[test]
    fn cards_sanitize_quick_notes_and_refuse_script_urls() {
        let card = OrganizationCard::from(&org("<b>x</b><script>1</script>", "javascript:alert(1)"));
        assert_eq!(card.quick_notes.as_str(), "<b>x</b>");
        assert_eq!(card.url, None);
        assert_eq!(OrganizationCard::from(&org("", "https://a.itglue.com/1")).url.as_deref(), Some("https://a.itglue.com/1"));
    }

    #[test]
    fn record_cards_sanitize_notes_and_refuse_script_urls() {
        let record = ItGlueRecord {
            id: "5".into(),
            title: "FS01".into(),
            facts: vec![("type", "Type", "Server".into())],
            notes: Some("<img src=x onerror=alert(1)>ok".into()),
            resource_url: Some("javascript:alert(1)".into()),
        };
        let card = RecordCard::new(crate::sync::EntityKind::Configuration, &record);
        assert_eq!(card.notes.as_str(), "ok");
        assert_eq!(card.url, None);
        assert_eq!(card.noun, "configuration");
    }

    #[test]
    fn errors_map_to_states_a_technician_can_act_on() {
        let e = ItGlueError::Unauthorized { status: 403, detail: "Forbidden".into() };
        assert_eq!(WidgetState::from_itglue_error(e).name(), "unauthorized");
        assert_eq!(WidgetState::from_itglue_error(ItGlueError::Network("refused".into())).name(), "unreachable");
        assert_eq!(WidgetState::from_itglue_error(ItGlueError::RateLimited).name(), "error");
    }
}
