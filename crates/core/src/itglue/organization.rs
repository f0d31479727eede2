//! IT Glue organizations.

use serde::Deserialize;

use super::jsonapi::{self, Resource, Single};

/// An organization as the extension uses it. The id stays a string: real ids exceed 2^53.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    pub id: String,
    pub name: String,
    pub type_name: Option<String>,
    pub status_name: Option<String>,
    pub short_name: Option<String>,
    pub quick_notes: Option<String>,
    pub resource_url: Option<String>,
    pub psa_integration: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Attributes {
    name: String,
    #[serde(default)]
    organization_type_name: Option<String>,
    #[serde(default)]
    organization_status_name: Option<String>,
    #[serde(default)]
    short_name: Option<String>,
    #[serde(default)]
    quick_notes: Option<String>,
    #[serde(default)]
    resource_url: Option<String>,
    #[serde(default)]
    psa_integration: Option<String>,
}

impl From<Resource<Attributes>> for Organization {
    fn from(r: Resource<Attributes>) -> Self {
        let a = r.attributes;
        Organization {
            id: r.id,
            name: a.name,
            type_name: a.organization_type_name,
            status_name: a.organization_status_name,
            short_name: a.short_name,
            quick_notes: a.quick_notes,
            resource_url: a.resource_url,
            psa_integration: a.psa_integration,
        }
    }
}

pub fn parse_one(body: &str) -> Result<Organization, serde_json::Error> {
    jsonapi::parse::<Single<Attributes>>(body).map(|doc| doc.data.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_show_response() {
        let body = r#"{"data":{"id":"574989297464115201","type":"organizations","attributes":{
            "name":"Happy Frog","alert":null,"organization-type-id":86,"organization-type-name":"Customer",
            "organization-status-id":68,"organization-status-name":"Active","quick-notes":null,"short-name":"happy",
            "parent-id":"1","ancestor-ids":"[1,6]","resource-url":"https://x.itglue.com/574989297464115201"}}}"#;
        let org = parse_one(body).unwrap();
        assert_eq!(org.id, "574989297464115201");
        assert_eq!(org.type_name.as_deref(), Some("Customer"));
        assert_eq!(org.quick_notes, None);
    }

    #[test]
    fn malformed_documents_are_errors_not_panics() {
        assert!(parse_one(r#"{"data":{"id":2,"type":"organizations","attributes":{"name":"x"}}}"#).is_err());
    }
}
