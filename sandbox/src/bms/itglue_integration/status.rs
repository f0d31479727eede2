//! `GET /v2/integrations/itglue/status` (the tenant's integration) and `…/accessinfo`
//! (the caller's own IT Glue connection). A connected user gets an IT Glue access token
//! for the IT Glue user with the same e-mail address, which the IT Glue API accepts as a
//! bearer JWT, as BMS brokers it.

use axum::extract::State;
use axum::{Extension, Json};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::super::envelope::{self, ApiError, Envelope};
use super::super::security::AuthUser;
use super::super::servicedesk::support::table_exists;
use super::super::token::{self, Subject};
use crate::clock::Timestamp;
use crate::state::AppState;

/// `Region` values (sandbox numbering of the unpublished enum).
pub const REGION_US: i64 = 0;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IntegrationStatus {
    master_tenant_id: Option<i64>,
    #[serde(rename = "itGlueAccountId")]
    itglue_account_id: Option<i64>,
    is_enabled: bool,
    subdomain: Option<String>,
    region: i64,
    is_ticket_sync_enabled: bool,
}

fn integration(
    connection: &Connection,
    tenant_id: i64,
) -> rusqlite::Result<Option<IntegrationStatus>> {
    connection
        .query_row(
            "SELECT master_tenant_id, itglue_account_id, is_enabled, subdomain, region,
                is_ticket_sync_enabled
             FROM bms_itglue_integration WHERE tenant_id = ?1",
            [tenant_id],
            |row| {
                Ok(IntegrationStatus {
                    master_tenant_id: row.get(0)?,
                    itglue_account_id: row.get(1)?,
                    is_enabled: row.get(2)?,
                    subdomain: row.get(3)?,
                    region: row.get(4)?,
                    is_ticket_sync_enabled: row.get(5)?,
                })
            },
        )
        .optional()
}

pub async fn status(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
) -> Result<Json<Envelope<IntegrationStatus>>, ApiError> {
    let status = state
        .store
        .read(|connection| integration(connection, user.tenant_id))?;
    Ok(envelope::success(status.unwrap_or(IntegrationStatus {
        master_tenant_id: None,
        itglue_account_id: None,
        is_enabled: false,
        subdomain: None,
        region: REGION_US,
        is_ticket_sync_enabled: false,
    })))
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessInfo {
    is_connected: bool,
    is_enabled: bool,
    access_token: Option<String>,
    expires_in: Option<String>,
    subdomain: Option<String>,
    url_location: Option<String>,
}

/// The IT Glue user a BMS user is connected as: same e-mail, connection on record.
pub fn connected_itglue_user(
    connection: &Connection,
    user: AuthUser,
) -> rusqlite::Result<Option<(i64, String)>> {
    if !table_exists(connection, "itglue_users")? {
        return Ok(None);
    }
    connection
        .query_row(
            "SELECT iu.id, iu.role_name FROM bms_itglue_user_connections c
             JOIN itglue_users iu ON iu.email = c.itglue_email COLLATE NOCASE
             WHERE c.user_id = ?1",
            [user.user_id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()
}

pub async fn access_info(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
) -> Result<Json<Envelope<AccessInfo>>, ApiError> {
    let web = state.urls.itglue_web.clone();
    let lifetime = state.settings.itglue_jwt_lifetime;
    let info = state.store.write(|connection| {
        let status = integration(connection, user.tenant_id)?;
        let enabled = status.as_ref().is_some_and(|status| status.is_enabled);
        let subdomain = status.and_then(|status| status.subdomain);
        let connected = if enabled {
            connected_itglue_user(connection, user)?
        } else {
            None
        };
        let (token, expires) = match connected {
            Some((itglue_user, _)) => {
                let (token, expires) = issue_token(connection, user, itglue_user, lifetime)?;
                (Some(token), Some(expires.to_bms()))
            }
            None => (None, None),
        };
        Ok(AccessInfo {
            is_connected: token.is_some(),
            is_enabled: enabled,
            access_token: token,
            expires_in: expires,
            subdomain,
            url_location: Some(web),
        })
    })?;
    Ok(envelope::success(info))
}

/// Reuses the connection's token while it is valid; otherwise issues a new one.
fn issue_token(
    connection: &Connection,
    user: AuthUser,
    itglue_user: i64,
    lifetime: std::time::Duration,
) -> rusqlite::Result<(String, Timestamp)> {
    let now = Timestamp::now();
    let current: Option<(String, i64)> = connection
        .query_row(
            "SELECT t.token, t.expires_at FROM bms_itglue_user_connections c
             JOIN itglue_jwt_tokens t ON t.token = c.access_token
             WHERE c.user_id = ?1 AND t.kind = 'access' AND t.expires_at > ?2",
            params![
                user.user_id,
                now.plus(std::time::Duration::from_secs(60)).unix_seconds()
            ],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    if let Some((token, expires_at)) = current {
        return Ok((token, Timestamp::from_unix_seconds(expires_at)));
    }
    let expires = now.plus(lifetime);
    let (email, tenant_name): (String, String) = connection.query_row(
        "SELECT iu.email, tn.name FROM bms_itglue_user_connections c
         JOIN itglue_users iu ON iu.email = c.itglue_email COLLATE NOCASE
         JOIN bms_users u ON u.id = c.user_id JOIN bms_tenants tn ON tn.id = u.tenant_id
         WHERE c.user_id = ?1",
        [user.user_id],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let subject = Subject {
        user_id: itglue_user,
        username: &email,
        tenant_id: user.tenant_id,
        tenant_name: &tenant_name,
    };
    let token = token::access_token(&subject, now, expires);
    connection.execute(
        "INSERT INTO itglue_jwt_tokens (token, kind, user_id, expires_at) VALUES (?1, 'access',
            ?2, ?3)",
        params![token, itglue_user, expires.unix_seconds()],
    )?;
    connection.execute(
        "UPDATE bms_itglue_user_connections SET access_token = ?2, expires_on = ?3 WHERE user_id
            = ?1",
        params![user.user_id, token, expires.to_bms()],
    )?;
    Ok((token, expires))
}
