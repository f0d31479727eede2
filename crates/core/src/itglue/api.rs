//! Requests to the IT Glue API and the meaning of its failures.

use thiserror::Error;

use super::jsonapi::{self, ErrorDocument};
use crate::settings::ApiBase;

/// The media type of every IT Glue request and response.
pub const MEDIA_TYPE: &str = "application/vnd.api+json";

/// IT Glue's code for a Kaseya BMS link in `filter[psa_integration_type]`.
pub const PSA_TYPE_BMS: &str = "kaseya-bms";

#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum ItGlueError {
    #[error("IT Glue rejected the API key (HTTP {status}): {detail}")]
    Unauthorized { status: u16, detail: String },
    #[error("IT Glue has no such record")]
    NotFound,
    #[error("IT Glue rate limit reached (HTTP 429); retry in a few minutes")]
    RateLimited,
    #[error("IT Glue failed (HTTP {status}): {detail}")]
    Server { status: u16, detail: String },
    #[error("IT Glue refused the request (HTTP {status}): {detail}")]
    Refused { status: u16, detail: String },
    #[error("IT Glue sent a response the extension cannot read: {0}")]
    Malformed(String),
    #[error("cannot reach IT Glue: {0}")]
    Network(String),
}

/// Turns a non-2xx response into an error, keeping IT Glue's own words where it sent JSON:API errors.
pub fn classify_failure(status: u16, body: &str) -> ItGlueError {
    let detail = jsonapi::parse::<ErrorDocument>(body)
        .ok()
        .and_then(|doc| doc.summary())
        .unwrap_or_else(|| format!("HTTP {status}"));
    match status {
        401 | 403 => ItGlueError::Unauthorized { status, detail },
        404 => ItGlueError::NotFound,
        429 => ItGlueError::RateLimited,
        500..=599 => ItGlueError::Server { status, detail },
        _ => ItGlueError::Refused { status, detail },
    }
}

/// Escapes a value for a `filter[...]` parameter: a bare comma would make it an OR list.
fn filter_value(value: &str) -> String {
    let escaped = value.replace(',', "\\,");
    url::form_urlencoded::byte_serialize(escaped.as_bytes()).collect()
}

/// The records of a collection (`organizations`, `contacts`, `configurations`, `locations`) that IT Glue's PSA
/// link ties to a BMS record.
pub fn linked_to_bms(base: &ApiBase, collection: &str, bms_id: &str) -> String {
    base.join(&format!(
        "/{collection}?filter[psa_integration_type]={PSA_TYPE_BMS}&filter[psa_id]={}",
        filter_value(bms_id)
    ))
}

/// One record of a collection.
pub fn show(base: &ApiBase, collection: &str, id: &str) -> String {
    base.join(&format!("/{collection}/{}", url::form_urlencoded::byte_serialize(id.as_bytes()).collect::<String>()))
}

pub fn organization(base: &ApiBase, id: &str) -> String {
    show(base, "organizations", id)
}

/// A cheap authenticated call for "Test connection".
pub fn connection_probe(base: &ApiBase) -> String {
    base.join("/organizations?page[size]=1")
}

/// The number of organizations in a list response's `meta`, for the connection test's message.
pub fn total_count(body: &str) -> Option<u64> {
    jsonapi::parse::<serde_json::Value>(body).ok()?.pointer("/meta/total-count")?.as_u64()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> ApiBase {
        ApiBase::parse("t", "https://api.itglue.com").unwrap()
    }

    #[test]
    fn builds_the_psa_link_lookup() {
        assert_eq!(
            linked_to_bms(&base(), "organizations", "101"),
            "https://api.itglue.com/organizations?filter[psa_integration_type]=kaseya-bms&filter[psa_id]=101"
        );
        assert!(linked_to_bms(&base(), "organizations", "1,2").ends_with("filter[psa_id]=1%5C%2C2"));
    }

    #[test]
    fn classifies_failures_with_the_services_words() {
        let body = r#"{"errors":[{"status":401,"title":"Unauthorized","detail":"Unauthorized resource access","source":{"pointer":"id"}}]}"#;
        assert_eq!(
            classify_failure(401, body),
            ItGlueError::Unauthorized { status: 401, detail: "Unauthorized: Unauthorized resource access".into() }
        );
        assert_eq!(classify_failure(403, "not json"), ItGlueError::Unauthorized { status: 403, detail: "HTTP 403".into() });
        assert_eq!(classify_failure(429, ""), ItGlueError::RateLimited);
        assert!(matches!(classify_failure(502, ""), ItGlueError::Server { status: 502, .. }));
    }
}
