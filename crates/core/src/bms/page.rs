//! Routes of the BMS web UI that the extension recognises.
//!
//! BMS's React UI puts the record id in the last numeric path segment (`/react/servicedesk/tickets/{id}`).
//! The URL of account pages is not published; `/react/crm/accounts/{id}` follows the same shape.

use url::Url;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BmsRoute {
    Account { id: String },
}

pub fn route(url: &str) -> Option<BmsRoute> {
    let url = Url::parse(url).ok()?;
    let segments: Vec<&str> = url.path_segments()?.filter(|s| !s.is_empty()).collect();
    match segments.as_slice() {
        ["react", "crm", "accounts", id, ..] if is_record_id(id) => Some(BmsRoute::Account { id: (*id).to_owned() }),
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
    fn ignores_other_pages_and_odd_ids() {
        assert_eq!(route("https://bms.kaseya.com/react/crm/accounts"), None);
        assert_eq!(route("https://bms.kaseya.com/react/crm/accounts/new"), None);
        assert_eq!(route("https://bms.kaseya.com/react/crm/accounts/1%2C2"), None);
        assert_eq!(route("https://bms.kaseya.com/react/servicedesk/tickets/5"), None);
    }
}
