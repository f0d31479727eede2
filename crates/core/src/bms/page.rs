//! Routes of the BMS web UI that the extension recognises.
//!
//! BMS's React UI puts the record id in the last numeric path segment (`/react/servicedesk/tickets/{id}`).
//! The URLs of account, contact and hardware-asset pages are not published; `/react/crm/accounts/{id}`,
//! `/react/crm/contacts/{id}` and `/react/servicedesk/hardwareassets/{id}` follow the same shape.

use url::Url;

use crate::sync::EntityKind;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BmsRoute {
    Account { id: String },
    Contact { id: String },
    HardwareAsset { id: String },
}

impl BmsRoute {
    /// The synced record this page shows: its kind (by the IT Glue side's name) and BMS id.
    pub fn record(&self) -> (EntityKind, &str) {
        match self {
            Self::Account { id } => (EntityKind::Organization, id),
            Self::Contact { id } => (EntityKind::Contact, id),
            Self::HardwareAsset { id } => (EntityKind::Configuration, id),
        }
    }
}

/// The BMS web page of a synced record; locations have no page of their own.
pub fn record_path(kind: EntityKind, id: &str) -> Option<String> {
    let id: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
    match kind {
        EntityKind::Organization => Some(format!("/react/crm/accounts/{id}")),
        EntityKind::Contact => Some(format!("/react/crm/contacts/{id}")),
        EntityKind::Configuration => Some(format!("/react/servicedesk/hardwareassets/{id}")),
        EntityKind::Location => None,
    }
}

pub fn route(url: &str) -> Option<BmsRoute> {
    let url = Url::parse(url).ok()?;
    let segments: Vec<&str> = url.path_segments()?.filter(|s| !s.is_empty()).collect();
    match segments.as_slice() {
        ["react", "crm", "accounts", id, ..] if is_record_id(id) => Some(BmsRoute::Account { id: (*id).to_owned() }),
        ["react", "crm", "contacts", id, ..] if is_record_id(id) => Some(BmsRoute::Contact { id: (*id).to_owned() }),
        ["react", "servicedesk", "hardwareassets", id, ..] if is_record_id(id) => {
            Some(BmsRoute::HardwareAsset { id: (*id).to_owned() })
        }
        _ => None,
    }
}

fn is_record_id(segment: &str) -> bool {
    !segment.is_empty() && segment.len() <= 19 && segment.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_account_pages() {
        assert_eq!(route("https://bms.kaseya.com/react/crm/accounts/101"), Some(BmsRoute::Account { id: "101".into() }));
        assert_eq!(route("http://bms.localhost:1/react/crm/accounts/7/contacts?x=1"), Some(BmsRoute::Account { id: "7".into() }));
    }

    #[test]
    fn finds_contact_and_asset_pages_and_builds_their_paths() {
        let contact = route("https://bms.kaseya.com/react/crm/contacts/2001").unwrap();
        assert_eq!(contact.record(), (EntityKind::Contact, "2001"));
        let asset = route("https://bms.kaseya.com/react/servicedesk/hardwareassets/30").unwrap();
        assert_eq!(asset.record(), (EntityKind::Configuration, "30"));
        assert_eq!(record_path(EntityKind::Configuration, "30").as_deref(), Some("/react/servicedesk/hardwareassets/30"));
        assert_eq!(record_path(EntityKind::Location, "3"), None);
    }

    #[test]
    fn ignores_other_pages_and_odd_ids() {
        assert_eq!(route("https://bms.kaseya.com/react/crm/accounts"), None);
        assert_eq!(route("https://bms.kaseya.com/react/crm/accounts/new"), None);
        assert_eq!(route("https://bms.kaseya.com/react/crm/accounts/1%2C2"), None);
        assert_eq!(route("https://bms.kaseya.com/react/servicedesk/tickets/5"), None);
    }
}
