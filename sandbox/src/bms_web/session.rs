//! The signed-in technician of the BMS pages. Every page renders as the demo technician and
//! carries her session the way the real UI does: a real BMS API access token in the
//! `PSAAuthToken` cookie (readable from page script) and her user info for
//! `localStorage.PSAUserInfo`.

use axum::http::{HeaderValue, header};
use axum::response::Response;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::bms::security;
use crate::clock::Timestamp;
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::seed::BMS_TECH_USERNAME;

pub const COOKIE: &str = "PSAAuthToken";

/// What the page script stores as `localStorage.PSAUserInfo`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserInfo {
    pub user_id: i64,
    pub full_name: String,
    pub email_address: String,
    pub tenant_id: i64,
    pub user_name: String,
}

impl UserInfo {
    pub fn initials(&self) -> String {
        self.full_name
            .split_whitespace()
            .filter_map(|word| word.chars().next())
            .flat_map(char::to_uppercase)
            .collect()
    }
}

pub struct Session {
    pub user: UserInfo,
    pub token: String,
}

impl Session {
    /// Attaches the session cookie. Not `HttpOnly`: the real UI's scripts read it.
    pub fn set_cookie(&self, response: &mut Response) {
        let cookie = format!("{COOKIE}={}; Path=/; SameSite=Lax", self.token);
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
}

/// The technician's session: her newest token while it has at least half its lifetime left,
/// otherwise a fresh one from the BMS token store. `None` if she was deleted.
pub fn open(state: &AppState) -> Result<Option<Session>, StoreError> {
    state.store.write(|transaction| {
        let Some(user) = technician(transaction)? else {
            return Ok(None);
        };
        let token = match reusable_token(transaction, state, user.user_id)? {
            Some(token) => token,
            None => security::issue(transaction, state, user.user_id)?
                .access_token()
                .to_owned(),
        };
        Ok(Some(Session { user, token }))
    })
}

/// The technician without a token, for pages that need only her name.
pub fn technician(connection: &Connection) -> rusqlite::Result<Option<UserInfo>> {
    connection
        .query_row(
            "SELECT id, first_name || ' ' || last_name, email_address, tenant_id, username
             FROM bms_users WHERE username = ?1",
            [BMS_TECH_USERNAME],
            |row| {
                Ok(UserInfo {
                    user_id: row.get(0)?,
                    full_name: row.get(1)?,
                    email_address: row.get(2)?,
                    tenant_id: row.get(3)?,
                    user_name: row.get(4)?,
                })
            },
        )
        .optional()
}

fn reusable_token(
    connection: &Connection,
    state: &AppState,
    user_id: i64,
) -> rusqlite::Result<Option<String>> {
    let fresh_until = Timestamp::now().plus(state.settings.bms_token_lifetime / 2);
    connection
        .query_row(
            "SELECT access_token FROM bms_tokens
             WHERE user_id = ?1 AND access_expires_on > ?2
             ORDER BY access_expires_on DESC LIMIT 1",
            params![user_id, fresh_until.to_stored()],
            |row| row.get(0),
        )
        .optional()
}
