//! Which of the two emulated APIs a listener serves, and the error responses in each API's
//! own shape, for the layers that answer before a route handler runs (fault injection and
//! rate limiting).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

const JSON_API: &str = "application/vnd.api+json";
const JSON: &str = "application/json; charset=utf-8";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiKind {
    ItGlue,
    Bms,
}

impl ApiKind {
    pub fn name(self) -> &'static str {
        match self {
            Self::ItGlue => "itglue",
            Self::Bms => "bms",
        }
    }

    /// An error with `status`: a JSON:API `errors` document for IT Glue (numeric `status`, as
    /// the real API sends it), the `success:false` envelope for BMS.
    pub fn error(self, status: StatusCode, detail: &str) -> Response {
        let title = status.canonical_reason().unwrap_or("Error");
        match self {
            Self::ItGlue => json_response(
                status,
                JSON_API,
                json!({"errors": [{"status": status.as_u16(), "title": title, "detail": detail}]}),
            ),
            Self::Bms => json_response(status, JSON, bms_failure(status.as_u16(), detail)),
        }
    }

    /// What each API answers for a bearer token past its lifetime: BMS like its JWT bearer
    /// handler (empty body, `token-expired: true`), IT Glue with its documented 401 body.
    pub fn expired_token(self) -> Response {
        match self {
            Self::ItGlue => json_response(
                StatusCode::UNAUTHORIZED,
                JSON_API,
                json!({"errors": [{"status": 401, "title": "Unauthorized",
                    "detail": "Unauthorized resource access", "source": {"pointer": "id"}}]}),
            ),
            Self::Bms => {
                let mut response = StatusCode::UNAUTHORIZED.into_response();
                let headers = response.headers_mut();
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static(
                        r#"Bearer error="invalid_token", error_description="The token expired""#,
                    ),
                );
                headers.insert("token-expired", HeaderValue::from_static("true"));
                response
            }
        }
    }
}

/// The BMS `success:false` envelope, with the spec's `stackStrace` spelling.
pub fn bms_failure(code: u16, message: &str) -> serde_json::Value {
    json!({
        "success": false,
        "error": {"code": code, "message": message, "details": null, "stackStrace": null, "subErrors": null},
        "result": null,
    })
}

fn json_response(
    status: StatusCode,
    content_type: &'static str,
    body: serde_json::Value,
) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
        body.to_string(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn itglue_errors_are_json_api_with_numeric_status() {
        let response = ApiKind::ItGlue.error(StatusCode::SERVICE_UNAVAILABLE, "down");
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            response.headers().get(header::CONTENT_TYPE),
            Some(&HeaderValue::from_static(JSON_API))
        );
    }

    #[test]
    fn bms_expired_token_carries_the_header() {
        let response = ApiKind::Bms.expired_token();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            response.headers().get("token-expired"),
            Some(&HeaderValue::from_static("true"))
        );
    }
}
