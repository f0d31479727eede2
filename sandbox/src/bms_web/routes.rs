//! The URL shapes of the BMS record pages. Ticket pages follow the public ones; account,
//! contact and hardware-asset pages have no public URL, so theirs are switches.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// Where the React ticket pages live, as in the real UI; record paths stay out of them.
const TICKET_BASES: &[&str] = &[
    "/react/servicedesk/tickets",
    "/react/servicedesk/mytickets",
    "/react/home/views",
];

/// A record page path: `/react/…/{id}`, literal segments and the id last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct RecordPath(String);

impl RecordPath {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The record's URL path.
    pub fn for_id(&self, id: i64) -> String {
        self.0.replace("{id}", &id.to_string())
    }

    /// The path without the id: the list page of that kind of record.
    pub fn list(&self) -> &str {
        self.0.strip_suffix("/{id}").unwrap_or(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid page path {0:?} (expected /react/<segments>/{{id}} with plain segments, not a ticket route)"
)]
pub struct InvalidRecordPath(String);

impl FromStr for RecordPath {
    type Err = InvalidRecordPath;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let invalid = || InvalidRecordPath(s.to_owned());
        let prefix = s.strip_suffix("/{id}").ok_or_else(invalid)?;
        let segments: Vec<&str> = prefix.split('/').skip(1).collect();
        let plain = |segment: &&str| {
            !segment.is_empty()
                && segment
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        };
        let under = |base: &&str| {
            prefix
                .strip_prefix(base)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        };
        let valid = prefix.starts_with("/react/")
            && segments.len() >= 2
            && segments.iter().all(plain)
            && !TICKET_BASES.iter().any(under);
        if valid {
            Ok(Self(s.to_owned()))
        } else {
            Err(invalid())
        }
    }
}

impl fmt::Display for RecordPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The BMS page switches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BmsPages {
    pub account: RecordPath,
    pub contact: RecordPath,
    #[serde(rename = "hardwareAsset")]
    pub hardware_asset: RecordPath,
    /// Show the look-alike of BMS's own IT Glue integration on ticket pages; changeable at
    /// run time.
    #[serde(skip)]
    pub native_itglue: bool,
}

impl Default for BmsPages {
    fn default() -> Self {
        let path = |text: &str| RecordPath(text.to_owned());
        Self {
            account: path("/react/crm/accounts/{id}"),
            contact: path("/react/crm/contacts/{id}"),
            hardware_asset: path("/react/servicedesk/hardwareassets/{id}"),
            native_itglue: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_paths_are_validated() {
        let path: Result<RecordPath, _> = "/react/crm/companies/{id}".parse();
        assert_eq!(
            path.as_ref().map(|p| (p.list(), p.for_id(7))),
            Ok(("/react/crm/companies", "/react/crm/companies/7".to_owned()))
        );
        for bad in [
            "/react/crm/companies",
            "/crm/companies/{id}",
            "/react/{id}",
            "/react/crm/{x}/{id}",
            "/react/servicedesk/tickets/{id}",
            "/react/servicedesk/mytickets/x/{id}",
            "/react/home/views/1/{id}",
            "/react//x/{id}",
        ] {
            assert!(bad.parse::<RecordPath>().is_err(), "{bad}");
        }
        assert_eq!(BmsPages::default().account.list(), "/react/crm/accounts");
    }
}
