//! JSON:API documents and errors as the IT Glue API writes them: string ids, kebab-case
//! attributes, and error `status` as a number.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Value, json};

use super::paging::{Links, Meta, PageInfo};
use crate::config::AuthFailureStyle;
use crate::store::StoreError;

pub const MEDIA_TYPE: &str = "application/vnd.api+json";

/// One resource object. Attributes are kept pre-serialised so their members stay in the
/// order the attribute structs declare, as in real responses.
#[derive(Debug, Serialize)]
pub struct Resource {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    attributes: Box<RawValue>,
    relationships: BTreeMap<String, Relationship>,
}

#[derive(Debug, Serialize)]
struct Relationship {
    data: Vec<Identifier>,
}

#[derive(Debug, Serialize)]
struct Identifier {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
}

impl Resource {
    pub fn new(id: i64, kind: &'static str, attributes: &impl Serialize) -> Result<Self, ApiError> {
        Ok(Self {
            id: id.to_string(),
            kind,
            attributes: serde_json::value::to_raw_value(attributes)?,
            relationships: BTreeMap::new(),
        })
    }

    /// Sets a to-many relationship, as written when the caller asked to include it.
    pub fn relate_many(&mut self, name: &str, related: &[&Resource]) {
        let data = related
            .iter()
            .map(|r| Identifier {
                id: r.id.clone(),
                kind: r.kind,
            })
            .collect();
        self.relationships
            .insert(name.to_owned(), Relationship { data });
    }
}

#[derive(Debug, Serialize)]
#[serde(untagged)]
enum PrimaryData {
    One(Resource),
    Many(Vec<Resource>),
}

/// A top-level document: `data`, then `meta` and `links` on lists, then `included` when
/// the caller asked to include something.
#[derive(Debug, Serialize)]
pub struct Document {
    data: PrimaryData,
    #[serde(skip_serializing_if = "Option::is_none")]
    meta: Option<Meta>,
    #[serde(skip_serializing_if = "Option::is_none")]
    links: Option<Links>,
    #[serde(skip_serializing_if = "Option::is_none")]
    included: Option<Vec<Resource>>,
}

pub fn single(resource: Resource, included: Option<Vec<Resource>>) -> Document {
    Document {
        data: PrimaryData::One(resource),
        meta: None,
        links: None,
        included,
    }
}

pub fn collection(
    resources: Vec<Resource>,
    included: Option<Vec<Resource>>,
    page: PageInfo,
    links: Links,
) -> Document {
    Document {
        data: PrimaryData::Many(resources),
        meta: Some(page.meta()),
        links: Some(links),
        included,
    }
}

/// A bare list, as bulk writes answer: `data` only.
pub fn bulk(resources: Vec<Resource>) -> Document {
    Document {
        data: PrimaryData::Many(resources),
        meta: None,
        links: None,
        included: None,
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("missing or unknown API key")]
    Unauthenticated(AuthFailureStyle),
    #[error("record not found")]
    RecordNotFound,
    #[error("no route for {0}")]
    RouteNotFound(String),
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("unsupported media type {0:?}")]
    UnsupportedMediaType(String),
    #[error("{0:?} is not a sortable field")]
    InvalidSort(String),
    /// A request the API understood but cannot serve, with what and where.
    #[error("bad request: {detail}")]
    BadRequest {
        detail: String,
        parameter: Option<String>,
    },
    /// The caller is known but lacks the right (role, organization access, restricted record).
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// A validation failure; `pointer` names the offending member of the request body.
    #[error("{title}: {detail:?}")]
    Unprocessable {
        title: String,
        detail: Option<String>,
        pointer: Option<String>,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot serialise a resource: {0}")]
    Serialise(#[from] serde_json::Error),
}

impl From<rusqlite::Error> for ApiError {
    fn from(error: rusqlite::Error) -> Self {
        Self::Store(StoreError::Sqlite(error))
    }
}

impl ApiError {
    /// A 422 titled like the real validation errors, pointing at a body member.
    pub fn unprocessable(detail: impl Into<String>, pointer: impl Into<String>) -> Self {
        Self::Unprocessable {
            title: "Unprocessable Entity".to_owned(),
            detail: Some(detail.into()),
            pointer: Some(pointer.into()),
        }
    }

    pub fn bad_parameter(detail: impl Into<String>, parameter: impl Into<String>) -> Self {
        Self::BadRequest {
            detail: detail.into(),
            parameter: Some(parameter.into()),
        }
    }

    fn status_and_body(&self) -> (StatusCode, ErrorDocument) {
        match self {
            Self::Unauthenticated(AuthFailureStyle::Forbidden403) => error_body(
                StatusCode::FORBIDDEN,
                "Forbidden",
                Some("Access denied: the API key is missing, invalid or revoked.".to_owned()),
                None,
            ),
            // The exact body seen in the field (itglue/automation#4).
            Self::Unauthenticated(AuthFailureStyle::Unauthorized401) => error_body(
                StatusCode::UNAUTHORIZED,
                "Unauthorized",
                Some("Unauthorized resource access".to_owned()),
                Some(json!({"pointer": "id"})),
            ),
            Self::RecordNotFound => error_body(
                StatusCode::NOT_FOUND,
                "Not Found",
                Some("Record not found".to_owned()),
                Some(json!({"pointer": "id"})),
            ),
            Self::RouteNotFound(path) => error_body(
                StatusCode::NOT_FOUND,
                "Not Found",
                Some(format!("No route matches {path}")),
                None,
            ),
            Self::MethodNotAllowed => error_body(
                StatusCode::METHOD_NOT_ALLOWED,
                "Method Not Allowed",
                None,
                None,
            ),
            Self::UnsupportedMediaType(found) => error_body(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Unsupported Media Type",
                Some(format!(
                    "Content-Type {found:?} is not supported; send {MEDIA_TYPE}"
                )),
                None,
            ),
            Self::InvalidSort(field) => error_body(
                StatusCode::BAD_REQUEST,
                "Bad Request",
                Some(format!("{field} is not a valid sort field")),
                Some(json!({"parameter": "sort"})),
            ),
            Self::BadRequest { detail, parameter } => error_body(
                StatusCode::BAD_REQUEST,
                "Bad Request",
                Some(detail.clone()),
                parameter.as_ref().map(|name| json!({"parameter": name})),
            ),
            Self::Forbidden(detail) => error_body(
                StatusCode::FORBIDDEN,
                "Forbidden",
                Some(detail.clone()),
                None,
            ),
            Self::Unprocessable {
                title,
                detail,
                pointer,
            } => error_body(
                StatusCode::UNPROCESSABLE_ENTITY,
                title.clone(),
                detail.clone(),
                pointer.as_ref().map(|pointer| json!({"pointer": pointer})),
            ),
            Self::Store(_) | Self::Serialise(_) => error_body(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal Server Error",
                None,
                None,
            ),
        }
    }
}

/// Serialised from structs so the members keep the order real responses have.
#[derive(Debug, Serialize)]
struct ErrorDocument {
    errors: [ErrorObject; 1],
}

#[derive(Debug, Serialize)]
struct ErrorObject {
    status: u16,
    title: Cow<'static, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<Value>,
}

fn error_body(
    status: StatusCode,
    title: impl Into<Cow<'static, str>>,
    detail: Option<String>,
    source: Option<Value>,
) -> (StatusCode, ErrorDocument) {
    let error = ErrorObject {
        status: status.as_u16(),
        title: title.into(),
        detail,
        source,
    };
    (status, ErrorDocument { errors: [error] })
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if matches!(self, Self::Store(_) | Self::Serialise(_)) {
            eprintln!("sandbox: IT Glue API error: {self}");
        }
        let (status, body) = self.status_and_body();
        (status, Json(body)).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unauthorized_body_matches_the_field_capture() {
        let (status, body) =
            ApiError::Unauthenticated(AuthFailureStyle::Unauthorized401).status_and_body();
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            serde_json::to_string(&body).unwrap_or_default(),
            r#"{"errors":[{"status":401,"title":"Unauthorized","detail":"Unauthorized resource access","source":{"pointer":"id"}}]}"#
        );
    }

    #[test]
    fn relationships_list_ids_and_types() -> Result<(), ApiError> {
        let related = Resource::new(9, "adapters-resources", &json!({}))?;
        let mut org = Resource::new(1, "organizations", &json!({"name": "A"}))?;
        org.relate_many("adapters-resources", &[&related]);
        let document = serde_json::to_value(single(org, Some(vec![related])))?;
        assert_eq!(
            document["data"]["relationships"]["adapters-resources"]["data"][0],
            json!({"id": "9", "type": "adapters-resources"})
        );
        assert_eq!(document["included"][0]["id"], "9");
        Ok(())
    }
}
