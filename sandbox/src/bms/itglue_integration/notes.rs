//! Company notes and contact notes: `GET`/`PUT /v2/integrations/itglue/accounts/
//! {itgAccountId}/notes` and `…/contacts/{itgContactId}/notes` → `{notes}`. The ids are
//! IT Glue ids and the text is the IT Glue organization's quick notes or the IT Glue
//! contact's notes, so an edit here is what the IT Glue API returns next.
//!
//! As in the product, the notes are there only for a BMS user connected to IT Glue, and
//! only for records synced with an account in the user's scope; an IT Glue user with the
//! read-only "Lite" role may view but not save.

use axum::extract::{Path, State};
use axum::{Extension, Json};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::super::envelope::{self, ApiError, Envelope};
use super::super::json_input::{Fields, JsonBody};
use super::super::security::AuthUser;
use super::super::servicedesk::support::parse_id;
use super::checklists::ensure_account_visible;
use super::mapping;
use super::status::connected_itglue_user;
use crate::clock::Timestamp;
use crate::state::AppState;

const NOT_SYNCED: &str = "The record is not synced with IT Glue.";

#[derive(Debug, Serialize)]
pub struct Notes {
    notes: Option<String>,
}

/// Where a kind of notes lives on the IT Glue side.
struct Target {
    table: &'static str,
    column: &'static str,
    resource_type: &'static str,
    /// The BMS account of the synced BMS record (`?1` = its BMS id).
    account_sql: &'static str,
}

const COMPANY: Target = Target {
    table: "itglue_organizations",
    column: "quick_notes",
    resource_type: mapping::ORGANIZATION,
    account_sql: "SELECT id FROM bms_accounts WHERE id = ?1",
};
const CONTACT: Target = Target {
    table: "itglue_contacts",
    column: "notes",
    resource_type: mapping::CONTACT,
    account_sql: "SELECT account_id FROM bms_contacts WHERE id = ?1",
};

/// Checks connection, sync and scope; returns the IT Glue user's role.
fn authorise(
    connection: &Connection,
    user: AuthUser,
    target: &Target,
    itglue_id: i64,
) -> Result<String, ApiError> {
    let (_, role) = connected_itglue_user(connection, user)?.ok_or_else(|| {
        ApiError::failure(
            403,
            "Connect your user to IT Glue (My Settings > Integrations) to see IT Glue notes.",
        )
    })?;
    let remote: String = connection
        .query_row(
            "SELECT remote_id FROM itglue_adapters_resources
             WHERE integration_type = ?1 AND resource_type = ?2 AND resource_id = ?3 AND
             orphaned = 0",
            params![mapping::INTEGRATION_TYPE, target.resource_type, itglue_id],
            |row| row.get(0),
        )
        .optional()?
        .ok_or_else(|| ApiError::failure(404, NOT_SYNCED))?;
    let bms_id: i64 = remote
        .parse()
        .map_err(|_| ApiError::failure(404, NOT_SYNCED))?;
    let account: i64 = connection
        .query_row(target.account_sql, [bms_id], |row| row.get(0))
        .optional()?
        .ok_or_else(|| ApiError::failure(404, NOT_SYNCED))?;
    ensure_account_visible(connection, user, account)
        .map_err(|_| ApiError::failure(404, NOT_SYNCED))?;
    Ok(role)
}

fn read(connection: &Connection, target: &Target, id: i64) -> Result<Notes, ApiError> {
    let notes: Option<String> = connection
        .query_row(
            &format!(
                "SELECT {} FROM {} WHERE id = ?1",
                target.column, target.table
            ),
            [id],
            |row| row.get(0),
        )
        .optional()?
        .ok_or_else(|| ApiError::failure(404, NOT_SYNCED))?;
    Ok(Notes { notes })
}

async fn get_notes(
    state: AppState,
    user: AuthUser,
    target: &'static Target,
    id: String,
) -> Result<Json<Envelope<Notes>>, ApiError> {
    let id = parse_id(&id, NOT_SYNCED)?;
    let notes = state.store.try_write(|connection| {
        authorise(connection, user, target, id)?;
        read(connection, target, id)
    })?;
    Ok(envelope::success(notes))
}

async fn put_notes(
    state: AppState,
    user: AuthUser,
    target: &'static Target,
    id: String,
    body: JsonBody,
) -> Result<Json<Envelope<Notes>>, ApiError> {
    let id = parse_id(&id, NOT_SYNCED)?;
    let text = Fields::from_body(body.0)?.text("Notes")?;
    let notes = state.store.try_write(|connection| {
        if authorise(connection, user, target, id)? == "Lite" {
            return Err(ApiError::failure(
                403,
                "Your IT Glue role cannot edit notes.",
            ));
        }
        connection.execute(
            &format!(
                "UPDATE {} SET {} = ?2, updated_at = ?3 WHERE id = ?1",
                target.table, target.column
            ),
            params![id, text, Timestamp::now().to_itglue()],
        )?;
        read(connection, target, id)
    })?;
    Ok(envelope::success(notes))
}

pub async fn company(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
) -> Result<Json<Envelope<Notes>>, ApiError> {
    get_notes(state, user, &COMPANY, id).await
}

pub async fn update_company(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<Json<Envelope<Notes>>, ApiError> {
    put_notes(state, user, &COMPANY, id, body).await
}

pub async fn contact(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
) -> Result<Json<Envelope<Notes>>, ApiError> {
    get_notes(state, user, &CONTACT, id).await
}

pub async fn update_contact(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<Json<Envelope<Notes>>, ApiError> {
    put_notes(state, user, &CONTACT, id, body).await
}
