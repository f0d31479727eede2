//! IT Glue contacts and configurations, as the widget on BMS contact and asset pages shows them.

use serde::Deserialize;
use serde_json::{Map, Value};

use super::jsonapi::{self, List, Single};
use crate::sync::EntityKind;

/// A record reduced to what a card shows. Notes are raw HTML from IT Glue: sanitize before showing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItGlueRecord {
    pub id: String,
    pub title: String,
    /// (stable key, label, value), in display order; empty values are left out.
    pub facts: Vec<(&'static str, &'static str, String)>,
    pub notes: Option<String>,
    pub resource_url: Option<String>,
}

/// The attributes each kind's card shows: (attribute, stable key, label).
fn shown_attributes(kind: EntityKind) -> &'static [(&'static str, &'static str, &'static str)] {
    match kind {
        EntityKind::Contact => &[
            ("title", "title", "Title"),
            ("contact-type-name", "type", "Type"),
            ("location-name", "location", "Location"),
            ("organization-name", "organization", "Organization"),
        ],
        EntityKind::Configuration => &[
            ("configuration-type-name", "type", "Type"),
            ("configuration-status-name", "status", "Status"),
            ("serial-number", "serial", "Serial number"),
            ("hostname", "hostname", "Hostname"),
            ("primary-ip", "ip", "Primary IP"),
            ("mac-address", "mac", "MAC address"),
            ("location-name", "location", "Location"),
            ("organization-name", "organization", "Organization"),
        ],
        EntityKind::Organization | EntityKind::Location => &[],
    }
}

#[derive(Debug, Deserialize)]
struct ContactMethod {
    #[serde(default)]
    value: Option<String>,
    #[serde(default)]
    primary: Option<bool>,
}

fn text(attributes: &Map<String, Value>, name: &str) -> Option<String> {
    match attributes.get(name)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The primary entry of a contact's e-mail or phone list, else its first.
fn primary_method(attributes: &Map<String, Value>, name: &str) -> Option<String> {
    let methods: Vec<ContactMethod> = serde_json::from_value(attributes.get(name)?.clone()).ok()?;
    let chosen = methods.iter().find(|m| m.primary == Some(true)).or(methods.first())?;
    chosen.value.clone().filter(|v| !v.trim().is_empty())
}

fn record(kind: EntityKind, id: String, attributes: &Map<String, Value>) -> ItGlueRecord {
    let title = match kind {
        EntityKind::Contact => {
            let name = [text(attributes, "first-name"), text(attributes, "last-name")].into_iter().flatten();
            name.collect::<Vec<_>>().join(" ")
        }
        _ => text(attributes, "name").unwrap_or_default(),
    };
    let mut facts: Vec<_> = shown_attributes(kind)
        .iter()
        .filter_map(|&(attribute, key, label)| text(attributes, attribute).map(|value| (key, label, value)))
        .collect();
    if kind == EntityKind::Contact {
        let methods = [("contact-emails", "email", "Email"), ("contact-phones", "phone", "Phone")];
        let found = methods.into_iter().filter_map(|(a, key, label)| primary_method(attributes, a).map(|v| (key, label, v)));
        // E-mail and phone come right after the job title, as on the contact's own page.
        let at = usize::from(facts.first().is_some_and(|f| f.0 == "title"));
        facts.splice(at..at, found);
    }
    ItGlueRecord {
        id,
        title: if title.is_empty() { format!("Unnamed {}", kind.itglue_noun()) } else { title },
        facts,
        notes: text(attributes, "notes"),
        resource_url: text(attributes, "resource-url"),
    }
}

pub fn parse_one(kind: EntityKind, body: &str) -> Result<ItGlueRecord, serde_json::Error> {
    let doc = jsonapi::parse::<Single<Map<String, Value>>>(body)?;
    Ok(record(kind, doc.data.id, &doc.data.attributes))
}

/// The ids of a list response, in the order IT Glue gave them.
pub fn parse_ids(body: &str) -> Result<Vec<String>, serde_json::Error> {
    Ok(jsonapi::parse::<List<serde::de::IgnoredAny>>(body)?.data.into_iter().map(|r| r.id).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_malformed_listing_is_an_error_not_a_panic() {
        assert!(parse_ids(r#"{"data":{}}"#).is_err());
        assert!(parse_ids("<html>").is_err());
    }

    #[test]
    fn a_contact_card_shows_its_name_primary_email_and_phone() {
        let body = r#"{"data":{"id":"9","type":"contacts","attributes":{"first-name":"Ann","last-name":"Lee",
            "title":"CTO","contact-type-name":"Approver","location-name":null,"notes":"<b>VIP</b>",
            "contact-emails":[{"value":"a@x.com","primary":false},{"value":"ann@x.com","primary":true}],
            "contact-phones":[{"value":"555","primary":true}],"resource-url":"https://x.itglue.com/1/contacts/9"}}}"#;
        let r = parse_one(EntityKind::Contact, body).unwrap();
        assert_eq!(r.title, "Ann Lee");
        let facts: Vec<_> = r.facts.iter().map(|(k, _, v)| format!("{k}={v}")).collect();
        assert_eq!(facts, ["title=CTO", "email=ann@x.com", "phone=555", "type=Approver"]);
        assert_eq!(r.notes.as_deref(), Some("<b>VIP</b>"));
    }

    #[test]
    fn a_configuration_card_keeps_the_filled_attributes() {
        let body = r#"{"data":{"id":"5","type":"configurations","attributes":{"name":"FS01",
            "configuration-type-name":"Server","serial-number":"SN1","hostname":"","primary-ip":"10.0.0.5"}}}"#;
        let r = parse_one(EntityKind::Configuration, body).unwrap();
        assert_eq!(r.title, "FS01");
        assert_eq!(r.facts.iter().map(|f| f.0).collect::<Vec<_>>(), ["type", "serial", "ip"]);
        assert!(parse_one(EntityKind::Configuration, r#"{"data":[]}"#).is_err());
        assert_eq!(parse_ids(r#"{"data":[{"id":"3","type":"contacts","attributes":{}}]}"#).unwrap(), ["3"]);
    }
}
