//! The user sign-in that yields JWTs for the API, on the IT Glue web listener, as IT Glue
//! Support's scripts use it:
//!
//! 1. `POST /login?generate_jwt=1` with `{"user": {"email", "password", "otp_attempt"}}`
//!    → `{"token": <refresh token>}`;
//! 2. `GET /jwt/token?refresh_token=…` → `{"token": <access JWT>}` whose `exp` lies the
//!    configured lifetime ahead (about 2 h by default).
//!
//! The API then takes `Authorization: Bearer <JWT>` in place of `x-api-key`. Tokens are
//! remembered in the store; the JWT signature is random bytes, as nothing verifies it.
//! Sandbox-specific: two-factor users accept one fixed code (`otp_code`) instead of a
//! TOTP, and there are no browser sessions, so `generate_jwt=1` is required.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Deserialize;
use serde_json::json;

use super::attachments;
use crate::clock::Timestamp;
use crate::state::AppState;

/// Refresh tokens outlive access tokens; the real lifetime is unpublished.
const REFRESH_LIFETIME: Duration = Duration::from_secs(7 * 24 * 60 * 60);
const SIGN_IN_IP: &str = "127.0.0.1";

/// The IT Glue web listener's routes for sign-in and attachment downloads.
pub fn web_routes() -> Router<AppState> {
    Router::new()
        .route("/login", post(login))
        .route("/jwt/token", get(access_token))
        .route("/attachments/{id}/download", get(attachments::download))
}

#[derive(Debug, Deserialize)]
struct LoginBody {
    user: Credentials,
}

#[derive(Debug, Deserialize)]
struct Credentials {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    otp_attempt: Option<String>,
}

/// The last value of a query parameter.
fn query_value(uri: &Uri, name: &str) -> Option<String> {
    form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .filter(|(key, _)| key == name)
        .last()
        .map(|(_, value)| value.into_owned())
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({"error": message}))).into_response()
}

async fn login(State(state): State<AppState>, uri: Uri, body: axum::body::Bytes) -> Response {
    if !matches!(
        query_value(&uri, "generate_jwt").as_deref(),
        Some("1" | "true")
    ) {
        return error(
            StatusCode::BAD_REQUEST,
            "The sandbox signs in only with generate_jwt=1.",
        );
    }
    let Ok(LoginBody { user }) = serde_json::from_slice::<LoginBody>(&body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "Expected {\"user\": {\"email\", \"password\", \"otp_attempt\"}}.",
        );
    };
    let issued = state.store.write(|transaction| {
        let Some(user_id) = check_login(transaction, &user)? else {
            return Ok(None);
        };
        record_sign_in(transaction, user_id)?;
        let token = random_token(48);
        let expires = Timestamp::now().plus(REFRESH_LIFETIME).unix_seconds();
        transaction.execute(
            "INSERT INTO itglue_jwt_tokens (token, kind, user_id, expires_at) VALUES (?1, 'refresh', ?2, ?3)",
            params![token, user_id, expires],
        )?;
        Ok(Some(token))
    });
    match issued {
        Ok(Some(token)) => Json(json!({"token": token})).into_response(),
        Ok(None) => error(
            StatusCode::UNAUTHORIZED,
            "Invalid email, password or two-factor code.",
        ),
        Err(failure) => {
            eprintln!("sandbox: IT Glue sign-in failed: {failure}");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// The user id when email, password and (for two-factor users) the code all match.
fn check_login(connection: &Connection, user: &Credentials) -> rusqlite::Result<Option<i64>> {
    let row: Option<(i64, String, Option<String>)> = connection
        .query_row(
            "SELECT id, login_password, otp_code FROM itglue_users WHERE email = ?",
            [user.email.trim()],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .optional()?;
    Ok(row.and_then(|(id, password, otp_code)| {
        let otp_ok = otp_code
            .is_none_or(|code| user.otp_attempt.as_deref().map(str::trim) == Some(code.as_str()));
        (password == user.password && otp_ok).then_some(id)
    }))
}

fn record_sign_in(connection: &Connection, user_id: i64) -> rusqlite::Result<()> {
    connection.execute(
        "UPDATE itglue_users SET last_sign_in_at = current_sign_in_at, last_sign_in_ip = current_sign_in_ip,
           current_sign_in_at = ?2, current_sign_in_ip = ?3 WHERE id = ?1",
        params![user_id, Timestamp::now().to_itglue(), SIGN_IN_IP],
    )?;
    Ok(())
}

async fn access_token(State(state): State<AppState>, uri: Uri) -> Response {
    let Some(refresh) = query_value(&uri, "refresh_token").filter(|token| !token.is_empty()) else {
        return error(StatusCode::BAD_REQUEST, "refresh_token is required.");
    };
    let lifetime = state.settings.itglue_jwt_lifetime;
    let issued = state.store.write(|transaction| {
        let now = Timestamp::now();
        let user: Option<(i64, String, String)> = transaction
            .query_row(
                "SELECT u.id, u.email, u.role_name FROM itglue_jwt_tokens t JOIN itglue_users u ON u.id = t.user_id
                 WHERE t.token = ?1 AND t.kind = 'refresh' AND t.expires_at > ?2",
                params![refresh, now.unix_seconds()],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .optional()?;
        let Some((user_id, email, role)) = user else {
            return Ok(None);
        };
        let expires = now.plus(lifetime);
        let jwt = jwt(user_id, &email, &role, now, expires);
        transaction.execute(
            "INSERT INTO itglue_jwt_tokens (token, kind, user_id, expires_at) VALUES (?1, 'access', ?2, ?3)",
            params![jwt, user_id, expires.unix_seconds()],
        )?;
        Ok(Some(jwt))
    });
    match issued {
        Ok(Some(token)) => Json(json!({"token": token})).into_response(),
        Ok(None) => error(
            StatusCode::UNAUTHORIZED,
            "Invalid or expired refresh token.",
        ),
        Err(failure) => {
            eprintln!("sandbox: IT Glue token refresh failed: {failure}");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// A JWT-shaped token with the standard claims clients read (`exp`, `iat`, `sub`).
fn jwt(user_id: i64, email: &str, role: &str, issued: Timestamp, expires: Timestamp) -> String {
    let header = json!({"alg": "HS256", "typ": "JWT"});
    let payload = json!({
        "sub": user_id.to_string(),
        "email": email,
        "role": role,
        "iat": issued.unix_seconds(),
        "exp": expires.unix_seconds(),
        "jti": random_token(16),
        "iss": "IT Glue sandbox",
    });
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(payload.to_string()),
        random_token(32)
    )
}

/// Unpredictable enough for a loopback emulator without a random-number dependency:
/// `RandomState` keys come from the OS, and the counter keeps outputs distinct.
fn random_token(bytes: usize) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut raw = Vec::with_capacity(bytes + 8);
    while raw.len() < bytes {
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
        raw.extend_from_slice(&hasher.finish().to_le_bytes());
    }
    raw.truncate(bytes);
    URL_SAFE_NO_PAD.encode(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jwts_carry_the_expiry() -> Result<(), Box<dyn std::error::Error>> {
        let issued = Timestamp::from_unix_seconds(1_700_000_000);
        let token = jwt(
            5,
            "a@b.c",
            "Editor",
            issued,
            issued.plus(Duration::from_secs(7200)),
        );
        let payload = token.split('.').nth(1).ok_or("no payload")?;
        let claims: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload)?)?;
        assert_eq!(claims["exp"], 1_700_007_200);
        assert_eq!(claims["sub"], "5");
        assert_ne!(random_token(16), random_token(16));
        Ok(())
    }
}
