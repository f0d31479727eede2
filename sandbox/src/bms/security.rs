//! `/v2/security/*`: password authentication, token refresh, user info, and the bearer
//! check that guards every other route.

use axum::Extension;
use axum::Json;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::envelope::{self, ApiError, Envelope};
use super::form::FormFields;
use super::token::{self, Subject};
use crate::clock::Timestamp;
use crate::state::AppState;

const INVALID_LOGIN: &str = "Invalid username, password or company.";
const INVALID_REFRESH: &str = "Invalid access token or refresh token.";

/// The caller behind a valid bearer token.
#[derive(Debug, Clone, Copy)]
pub struct AuthUser {
    pub user_id: i64,
    pub tenant_id: i64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenOutput {
    access_token: String,
    refresh_token: String,
    access_token_expire_on: String,
    refresh_token_expire_on: String,
}

impl TokenOutput {
    pub fn access_token(&self) -> &str {
        &self.access_token
    }
}

pub async fn authenticate(
    State(state): State<AppState>,
    fields: FormFields,
) -> Result<Json<Envelope<TokenOutput>>, ApiError> {
    let grant_type = required(&fields, "GrantType")?;
    if !grant_type.eq_ignore_ascii_case("password") {
        return Err(ApiError::failure(
            400,
            format!("Unsupported grant type '{grant_type}'."),
        ));
    }
    let username = fields.get("UserName").unwrap_or("").trim();
    let password = fields.get("Password").unwrap_or("");
    let tenant = fields.get("Tenant").unwrap_or("").trim();
    let issued = state.store.write(|transaction| {
        let Some(user_id) = find_login(transaction, username, password, tenant)? else {
            return Ok(None);
        };
        issue(transaction, &state, user_id).map(Some)
    })?;
    issued
        .map(envelope::success)
        .ok_or_else(|| ApiError::failure(401, INVALID_LOGIN))
}

pub async fn refresh(
    State(state): State<AppState>,
    fields: FormFields,
) -> Result<Json<Envelope<TokenOutput>>, ApiError> {
    let access_token = required(&fields, "AccessToken")?;
    let refresh_token = required(&fields, "RefreshToken")?;
    let now = Timestamp::now().to_stored();
    let issued = state.store.write(|transaction| {
        let user_id: Option<i64> = transaction
            .query_row(
                "SELECT user_id FROM bms_tokens
                 WHERE access_token = ?1 AND refresh_token = ?2 AND refresh_expires_on > ?3",
                params![access_token, refresh_token, now],
                |row| row.get(0),
            )
            .optional()?;
        let Some(user_id) = user_id else {
            return Ok(None);
        };
        // The pair is single-use: the old refresh (and access) token stop working.
        transaction.execute(
            "DELETE FROM bms_tokens WHERE access_token = ?1",
            [access_token],
        )?;
        issue(transaction, &state, user_id).map(Some)
    })?;
    issued
        .map(envelope::success)
        .ok_or_else(|| ApiError::failure(401, INVALID_REFRESH))
}

fn required<'a>(fields: &'a FormFields, name: &str) -> Result<&'a str, ApiError> {
    fields
        .get(name)
        .map(str::trim)
        .filter(|value| !value.is_empty())
        .ok_or_else(|| ApiError::failure(400, format!("The {name} field is required.")))
}

/// User names and the company name match without regard to case; passwords exactly.
fn find_login(
    connection: &Connection,
    username: &str,
    password: &str,
    tenant: &str,
) -> rusqlite::Result<Option<i64>> {
    connection
        .query_row(
            "SELECT u.id FROM bms_users u JOIN bms_tenants t ON t.id = u.tenant_id
             WHERE lower(u.username) = lower(?1) AND u.password = ?2 AND lower(t.name) = lower(?3)",
            params![username, password, tenant],
            |row| row.get(0),
        )
        .optional()
}

/// Mints and stores a token pair for `user_id` (also the web pages' session token).
pub fn issue(connection: &Connection, state: &AppState, user_id: i64) -> rusqlite::Result<TokenOutput> {
    let (username, tenant_id, tenant_name): (String, i64, String) = connection.query_row(
        "SELECT u.username, t.id, t.name FROM bms_users u JOIN bms_tenants t ON t.id = u.tenant_id
         WHERE u.id = ?1",
        [user_id],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )?;
    let issued = Timestamp::now();
    let access_expires = issued.plus(state.settings.bms_token_lifetime);
    let refresh_expires = issued.plus(state.settings.bms_refresh_token_lifetime);
    let subject = Subject {
        user_id,
        username: &username,
        tenant_id,
        tenant_name: &tenant_name,
    };
    let output = TokenOutput {
        access_token: token::access_token(&subject, issued, access_expires),
        refresh_token: token::refresh_token(),
        access_token_expire_on: access_expires.to_bms(),
        refresh_token_expire_on: refresh_expires.to_bms(),
    };
    connection.execute(
        "INSERT INTO bms_tokens
           (access_token, refresh_token, user_id, issued_on, access_expires_on, refresh_expires_on)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            output.access_token,
            output.refresh_token,
            user_id,
            issued.to_stored(),
            access_expires.to_stored(),
            refresh_expires.to_stored()
        ],
    )?;
    Ok(output)
}

/// Middleware: a valid, unexpired bearer token, or 401 (with `token-expired: true` when
/// the token is known but past its lifetime).
pub async fn require_bearer(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let token = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim().to_owned())
        .ok_or(ApiError::Unauthorized { expired: false })?;
    let found = state.store.read(|connection| {
        connection
            .query_row(
                "SELECT t.user_id, u.tenant_id, t.access_expires_on
                 FROM bms_tokens t JOIN bms_users u ON u.id = t.user_id
                 WHERE t.access_token = ?1",
                [&token],
                |row| Ok((row.get(0)?, row.get(1)?, row.get::<_, String>(2)?)),
            )
            .optional()
    })?;
    let (user_id, tenant_id, expires_on) =
        found.ok_or(ApiError::Unauthorized { expired: false })?;
    if expires_on <= Timestamp::now().to_stored() {
        return Err(ApiError::Unauthorized { expired: true });
    }
    request
        .extensions_mut()
        .insert(AuthUser { user_id, tenant_id });
    Ok(next.run(request).await)
}

/// `UserInfoOutputDto`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserInfo {
    user_id: i64,
    full_name: String,
    email_address: String,
    time_stamp: String,
    time_zone_value: f64,
    time_zone_name: String,
    olson_time_zone_name: String,
    date_format: &'static str,
    time_format: &'static str,
    time_format_with_seconds: &'static str,
    tenant_id: i64,
    account_id: Option<i64>,
    location_id: Option<i64>,
    contact_id: Option<i64>,
    business_name: String,
    user_access_rights: Vec<()>,
    special_features: Vec<()>,
    views_menus: Vec<()>,
    queues_menus: Vec<()>,
    currency_code: String,
    culture_code: &'static str,
    files_version_number: &'static str,
    #[serde(rename = "newTicketingUI")]
    new_ticketing_ui: bool,
    is_user_system_admin: bool,
    product_name: &'static str,
    picture_url: Option<String>,
    open_id_realm_id: Option<String>,
}

pub async fn userinfo(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
) -> Result<Json<Envelope<UserInfo>>, ApiError> {
    let info = state.store.read(|connection| {
        connection.query_row(
            "SELECT u.id, u.first_name || ' ' || u.last_name, u.email_address, u.time_zone_offset,
                    u.time_zone_name, u.olson_time_zone, t.id, t.name, t.currency_code,
                    u.is_system_admin
             FROM bms_users u JOIN bms_tenants t ON t.id = u.tenant_id WHERE u.id = ?1",
            [user.user_id],
            |row| {
                Ok(UserInfo {
                    user_id: row.get(0)?,
                    full_name: row.get(1)?,
                    email_address: row.get(2)?,
                    time_stamp: Timestamp::now().to_bms(),
                    time_zone_value: row.get(3)?,
                    time_zone_name: row.get(4)?,
                    olson_time_zone_name: row.get(5)?,
                    date_format: "MM/dd/yyyy",
                    time_format: "hh:mm tt",
                    time_format_with_seconds: "hh:mm:ss tt",
                    tenant_id: row.get(6)?,
                    account_id: None,
                    location_id: None,
                    contact_id: None,
                    business_name: row.get(7)?,
                    user_access_rights: Vec::new(),
                    special_features: Vec::new(),
                    views_menus: Vec::new(),
                    queues_menus: Vec::new(),
                    currency_code: row.get(8)?,
                    culture_code: "en-US",
                    files_version_number: "2025.3.1",
                    new_ticketing_ui: true,
                    is_user_system_admin: row.get(9)?,
                    product_name: "Kaseya BMS",
                    picture_url: None,
                    open_id_realm_id: None,
                })
            },
        )
    })?;
    Ok(envelope::success(info))
}
