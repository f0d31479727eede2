//! `GET /v2/integrations/itglue/passwords/{passwordId}` → the password value as a string
//! result ("Show Password" / "Copy to Clipboard" in BMS).
//!
//! The value is read through the caller's IT Glue connection, so IT Glue's rules apply:
//! the user must be connected, the IT Glue user needs password access, a restricted
//! password needs an Administrator or a grant, and a vaulted one cannot be revealed here
//! (it needs the user's passphrase in IT Glue). The password's organization must be synced
//! with an account in the caller's scope.

use axum::extract::{Path, State};
use axum::{Extension, Json};
use rusqlite::{Connection, OptionalExtension, params};

use super::super::envelope::{self, ApiError, Envelope};
use super::super::security::AuthUser;
use super::super::servicedesk::support::parse_id;
use super::checklists::ensure_account_visible;
use super::mapping;
use super::status::connected_itglue_user;
use crate::state::AppState;

const NOT_FOUND: &str = "Password not found.";

struct Stored {
    organization: i64,
    value: String,
    restricted: bool,
    vaulted: bool,
}

fn stored(connection: &Connection, id: i64) -> rusqlite::Result<Option<Stored>> {
    connection
        .query_row(
            "SELECT organization_id, password, restricted, vault_id IS NOT NULL FROM
                itglue_passwords
             WHERE id = ?1 AND archived = 0",
            [id],
            |row| {
                Ok(Stored {
                    organization: row.get(0)?,
                    value: row.get(1)?,
                    restricted: row.get(2)?,
                    vaulted: row.get(3)?,
                })
            },
        )
        .optional()
}

fn reveal(connection: &Connection, user: AuthUser, id: i64) -> Result<String, ApiError> {
    let (itglue_user, role) = connected_itglue_user(connection, user)?.ok_or_else(|| {
        ApiError::failure(
            403,
            "Connect your user to IT Glue (My Settings > Integrations) to see passwords.",
        )
    })?;
    let password_access: bool = connection.query_row(
        "SELECT password_access FROM itglue_users WHERE id = ?1",
        [itglue_user],
        |row| row.get(0),
    )?;
    if !password_access {
        return Err(ApiError::failure(
            403,
            "Your IT Glue user has no password access.",
        ));
    }
    let password = stored(connection, id)?.ok_or_else(|| ApiError::failure(404, NOT_FOUND))?;
    let account = mapping::account_of_organization(connection, password.organization)?
        .ok_or_else(|| ApiError::failure(404, NOT_FOUND))?;
    ensure_account_visible(connection, user, account)
        .map_err(|_| ApiError::failure(404, NOT_FOUND))?;
    if password.restricted && role != "Administrator" && !granted(connection, itglue_user, id)? {
        return Err(ApiError::failure(403, "This password is restricted."));
    }
    if password.vaulted {
        return Err(ApiError::failure(
            403,
            "This password is in a vault; unlock it in IT Glue with your passphrase.",
        ));
    }
    Ok(password.value)
}

/// A direct grant to the user or one through the user's groups.
fn granted(connection: &Connection, itglue_user: i64, id: i64) -> rusqlite::Result<bool> {
    connection.query_row(
        "SELECT EXISTS (SELECT 1 FROM itglue_resource_accesses ra
          WHERE ra.resource_type = 'Password' AND ra.resource_id = ?1
            AND ((ra.accessor_type = 'User' AND ra.accessor_id = ?2)
              OR (ra.accessor_type = 'Group' AND ra.accessor_id IN
                    (SELECT group_id FROM itglue_group_users WHERE user_id = ?2))))",
        params![id, itglue_user],
        |row| row.get(0),
    )
}

pub async fn show(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
) -> Result<Json<Envelope<String>>, ApiError> {
    let id = parse_id(&id, NOT_FOUND)?;
    let value = state
        .store
        .try_write(|connection| reveal(connection, user, id))?;
    Ok(envelope::success(value))
}
