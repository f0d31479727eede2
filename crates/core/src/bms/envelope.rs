//! The BMS v2 envelope: `{success, error, result}` in camelCase. Application errors arrive as HTTP 200 with
//! `success: false`, so a client must read the body before trusting the status line.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use thiserror::Error;

#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum BmsError {
    #[error("BMS: {message}")]
    Application { code: Option<i64>, message: String },
    #[error("BMS rejected the access token (HTTP 401)")]
    TokenRejected,
    #[error("BMS rate limit reached (HTTP 429); retry later")]
    RateLimited,
    #[error("BMS failed (HTTP {status})")]
    Server { status: u16 },
    #[error("BMS refused the request (HTTP {status})")]
    Refused { status: u16 },
    #[error("BMS sent a response the extension cannot read: {0}")]
    Malformed(String),
    #[error("cannot reach BMS: {0}")]
    Network(String),
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ErrorInfo {
    #[serde(default)]
    code: Option<i64>,
    #[serde(default)]
    message: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Envelope<T> {
    success: bool,
    #[serde(default)]
    error: Option<ErrorInfo>,
    #[serde(default = "none")]
    result: Option<T>,
}

fn none<T>() -> Option<T> {
    None
}

/// Reads a response: HTTP status first, then the envelope's own verdict.
pub fn read<T: DeserializeOwned>(status: u16, body: &str) -> Result<T, BmsError> {
    match status {
        200..=299 => {}
        401 => return Err(BmsError::TokenRejected),
        429 => return Err(BmsError::RateLimited),
        500..=599 => return Err(BmsError::Server { status }),
        _ => return Err(BmsError::Refused { status }),
    }
    let envelope: Envelope<T> = serde_json::from_str(body).map_err(|e| BmsError::Malformed(e.to_string()))?;
    if !envelope.success {
        let info = envelope.error.unwrap_or(ErrorInfo { code: None, message: None });
        return Err(BmsError::Application {
            code: info.code,
            message: info.message.unwrap_or_else(|| "the request failed without a message".into()),
        });
    }
    envelope.result.ok_or_else(|| BmsError::Malformed("success without a result".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn application_errors_come_with_http_200() {
        let body = r#"{"success":false,"error":{"code":401,"message":"Invalid username, password or company.","details":null,"stackStrace":null,"subErrors":null},"result":null}"#;
        assert_eq!(
            read::<serde_json::Value>(200, body),
            Err(BmsError::Application { code: Some(401), message: "Invalid username, password or company.".into() })
        );
    }

    #[test]
    fn reads_results_and_statuses() {
        assert_eq!(read::<u32>(200, r#"{"success":true,"error":null,"result":7}"#), Ok(7));
        assert_eq!(read::<u32>(401, ""), Err(BmsError::TokenRejected));
        assert!(matches!(read::<u32>(200, "<html>"), Err(BmsError::Malformed(_))));
        assert!(matches!(read::<u32>(200, r#"{"success":true}"#), Err(BmsError::Malformed(_))));
    }
}
