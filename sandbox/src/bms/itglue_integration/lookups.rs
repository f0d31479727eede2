//! BMS id → IT Glue record: `GET /v2/integrations/itglue/{accounts|contacts|locations|
//! hardwareassets}/{id}/lookup` → `{id, name}`, the id an int64. A record without a
//! link, or outside the caller's scope, is not found.

use axum::extract::{Path, State};
use axum::{Extension, Json};
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

use super::super::envelope::{self, ApiError, Envelope};
use super::super::security::AuthUser;
use super::super::servicedesk::support::parse_id;
use super::checklists::ensure_account_visible;
use super::mapping;
use crate::state::AppState;

const NOT_LINKED: &str = "The record is not synced with IT Glue.";

#[derive(Debug, Serialize)]
pub struct Linked {
    id: i64,
    name: Option<String>,
}

/// One kind of synced record: its IT Glue resource type, the SQL giving the BMS record's
/// account, and the SQL giving the IT Glue record's name.
struct Kind {
    resource_type: &'static str,
    account_sql: &'static str,
    name_sql: &'static str,
}

const ACCOUNT: Kind = Kind {
    resource_type: mapping::ORGANIZATION,
    account_sql: "SELECT id FROM bms_accounts WHERE id = ?1",
    name_sql: "SELECT name FROM itglue_organizations WHERE id = ?1",
};
const CONTACT: Kind = Kind {
    resource_type: mapping::CONTACT,
    account_sql: "SELECT account_id FROM bms_contacts WHERE id = ?1",
    name_sql: "SELECT trim(COALESCE(first_name, '') || ' ' || COALESCE(last_name, '')) FROM
        itglue_contacts WHERE id = ?1",
};
const LOCATION: Kind = Kind {
    resource_type: mapping::LOCATION,
    account_sql: "SELECT account_id FROM bms_account_locations WHERE id = ?1",
    name_sql: "SELECT name FROM itglue_locations WHERE id = ?1",
};
const HARDWARE_ASSET: Kind = Kind {
    resource_type: mapping::CONFIGURATION,
    account_sql: "SELECT account_id FROM bms_hardware_assets WHERE id = ?1",
    name_sql: "SELECT name FROM itglue_configurations WHERE id = ?1",
};

fn lookup(
    connection: &Connection,
    user: AuthUser,
    kind: &Kind,
    bms_id: i64,
) -> Result<Linked, ApiError> {
    let not_linked = || ApiError::failure(404, NOT_LINKED);
    let account: i64 = connection
        .query_row(kind.account_sql, [bms_id], |row| row.get(0))
        .optional()?
        .ok_or_else(not_linked)?;
    ensure_account_visible(connection, user, account).map_err(|_| not_linked())?;
    let id = mapping::itglue_id(connection, kind.resource_type, bms_id)?.ok_or_else(not_linked)?;
    let name = connection
        .query_row(kind.name_sql, [id], |row| row.get(0))
        .optional()?
        .ok_or_else(not_linked)?;
    Ok(Linked { id, name })
}

async fn serve(
    state: AppState,
    user: AuthUser,
    kind: &'static Kind,
    id: String,
) -> Result<Json<Envelope<Linked>>, ApiError> {
    let id = parse_id(&id, NOT_LINKED)?;
    let linked = state
        .store
        .try_write(|connection| lookup(connection, user, kind, id))?;
    Ok(envelope::success(linked))
}

pub async fn account(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
) -> Result<Json<Envelope<Linked>>, ApiError> {
    serve(state, user, &ACCOUNT, id).await
}

pub async fn contact(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
) -> Result<Json<Envelope<Linked>>, ApiError> {
    serve(state, user, &CONTACT, id).await
}

pub async fn location(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
) -> Result<Json<Envelope<Linked>>, ApiError> {
    serve(state, user, &LOCATION, id).await
}

pub async fn hardware_asset(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
) -> Result<Json<Envelope<Linked>>, ApiError> {
    serve(state, user, &HARDWARE_ASSET, id).await
}
