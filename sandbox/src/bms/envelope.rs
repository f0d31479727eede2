//! The BMS v2 response envelope `{success, error, result}` with camelCase keys, and the
//! errors that map onto it.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::store::StoreError;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope<T: Serialize> {
    success: bool,
    error: Option<ErrorInfo>,
    result: Option<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    total_records: Option<u64>,
}

/// `ErrorInfo` from the published spec, including its `stackStrace` spelling.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorInfo {
    code: u16,
    message: String,
    details: Option<String>,
    stack_strace: Option<String>,
    sub_errors: Option<Vec<String>>,
}

pub fn success<T: Serialize>(result: T) -> Json<Envelope<T>> {
    Json(Envelope {
        success: true,
        error: None,
        result: Some(result),
        total_records: None,
    })
}

pub fn paged<T: Serialize>(result: Vec<T>, total_records: u64) -> Json<Envelope<Vec<T>>> {
    Json(Envelope {
        success: true,
        error: None,
        result: Some(result),
        total_records: Some(total_records),
    })
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// An application error: HTTP 200 with `success: false`, as the API reports them.
    #[error("{message} ({code})")]
    Failure { code: u16, message: String },
    /// Bearer authentication failed; `expired` adds the `token-expired` header.
    #[error("unauthorized (expired: {expired})")]
    Unauthorized { expired: bool },
    #[error("unsupported media type {0:?}")]
    UnsupportedMediaType(String),
    #[error("unreadable request body: {0}")]
    BadBody(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for ApiError {
    fn from(error: rusqlite::Error) -> Self {
        Self::Store(StoreError::Sqlite(error))
    }
}

impl ApiError {
    pub fn failure(code: u16, message: impl Into<String>) -> Self {
        Self::Failure {
            code,
            message: message.into(),
        }
    }
}

fn failure_body(code: u16, message: String) -> Json<Envelope<()>> {
    Json(Envelope {
        success: false,
        error: Some(ErrorInfo {
            code,
            message,
            details: None,
            stack_strace: None,
            sub_errors: None,
        }),
        result: None,
        total_records: None,
    })
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            Self::Failure { code, message } => failure_body(code, message).into_response(),
            // ASP.NET's JWT bearer handler answers with an empty body and a challenge.
            Self::Unauthorized { expired } => {
                let mut response = StatusCode::UNAUTHORIZED.into_response();
                let headers = response.headers_mut();
                if expired {
                    headers.insert(
                        header::WWW_AUTHENTICATE,
                        HeaderValue::from_static(
                            r#"Bearer error="invalid_token", error_description="The token expired""#,
                        ),
                    );
                    headers.insert("token-expired", HeaderValue::from_static("true"));
                } else {
                    headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
                }
                response
            }
            Self::UnsupportedMediaType(found) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                failure_body(415, format!("Unsupported content type {found:?}.")),
            )
                .into_response(),
            Self::BadBody(reason) => (
                StatusCode::BAD_REQUEST,
                failure_body(400, format!("The request body could not be read: {reason}")),
            )
                .into_response(),
            Self::Store(error) => {
                eprintln!("sandbox: BMS API error: {error}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    failure_body(500, "An internal error occurred.".to_owned()),
                )
                    .into_response()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_shape_keeps_the_spec_spelling() {
        let Json(body) = failure_body(401, "Invalid username, password or company.".to_owned());
        assert_eq!(
            serde_json::to_string(&body).unwrap_or_default(),
            r#"{"success":false,"error":{"code":401,"message":"Invalid username, password or company.","details":null,"stackStrace":null,"subErrors":null},"result":null}"#
        );
    }

    #[test]
    fn paged_adds_total_records() {
        let Json(body) = paged(vec![1, 2], 7);
        assert_eq!(
            serde_json::to_string(&body).unwrap_or_default(),
            r#"{"success":true,"error":null,"result":[1,2],"totalRecords":7}"#
        );
    }
}
