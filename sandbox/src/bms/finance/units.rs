//! Sandbox-specific: reading and updating the units of a contract's service lines.
//!
//! BMS updates these units itself ("Update Units" on a line, and the nightly sync from
//! IT Glue flexible assets); the v2 API can only add lines. These routes stand in for that
//! machinery so the flexible-asset billing feature can be exercised end to end:
//! - `GET /_sandbox/contracts/{contractId}/services` — the lines;
//! - `PUT /_sandbox/contracts/{contractId}/services/{serviceLineId}/units`
//!   `{units, source?}` — sets the units; `source` is `Manual` (default), `Update Units` or
//!   `Nightly Sync`;
//! - `GET …/units` on the same path — the line's history, one row per change.
//!
//! Proration of a change is not modelled; the history is what billing would read.

use axum::extract::{Path, State};
use axum::{Extension, Json};
use rusqlite::{Connection, params};
use serde::Serialize;

use super::super::envelope::{self, ApiError, Envelope};
use super::super::json_input::{Fields, JsonBody, require};
use super::super::security::AuthUser;
use super::super::servicedesk::support::{now, parse_id};
use super::contracts::{ContractLine, NOT_FOUND, lines, visible};
use crate::state::AppState;

const LINE_NOT_FOUND: &str = "Contract service line not found.";
const SOURCES: &[&str] = &["Manual", "Update Units", "Nightly Sync"];

pub async fn list(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(contract): Path<String>,
) -> Result<Json<Envelope<Vec<ContractLine>>>, ApiError> {
    let contract = parse_id(&contract, NOT_FOUND)?;
    let items = state.store.try_write(|connection| {
        visible(connection, user, contract)?;
        Ok::<_, ApiError>(lines(connection, contract, "", None)?)
    })?;
    Ok(envelope::success(items))
}

fn one_line(connection: &Connection, contract: i64, line: i64) -> Result<ContractLine, ApiError> {
    lines(connection, contract, "AND l.id = ?2", Some(line))?
        .pop()
        .ok_or_else(|| ApiError::failure(404, LINE_NOT_FOUND))
}

pub async fn update(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path((contract, line)): Path<(String, String)>,
    JsonBody(body): JsonBody,
) -> Result<Json<Envelope<ContractLine>>, ApiError> {
    let (contract, line) = (
        parse_id(&contract, NOT_FOUND)?,
        parse_id(&line, LINE_NOT_FOUND)?,
    );
    let body = Fields::from_body(body)?;
    require(&body, &["Units"])?;
    let units = body.float("Units")?.unwrap_or_default();
    if units < 0.0 || !units.is_finite() {
        return Err(ApiError::failure(
            400,
            "Units must be a number of zero or more.",
        ));
    }
    let requested = body
        .text("Source")?
        .unwrap_or_else(|| SOURCES[0].to_owned());
    let source = SOURCES
        .iter()
        .find(|known| known.eq_ignore_ascii_case(requested.trim()))
        .ok_or_else(|| {
            ApiError::failure(
                400,
                format!("Source must be one of: {}.", SOURCES.join(", ")),
            )
        })?;
    let updated = state.store.try_write(|connection| {
        visible(connection, user, contract)?;
        let current = one_line(connection, contract, line)?;
        if (current.units - units).abs() > f64::EPSILON {
            let stamp = now();
            connection.execute(
                "INSERT INTO bms_contract_service_unit_history
                   (contract_service_id, old_units, new_units, source, changed_by, changed_on)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![line, current.units, units, source, user.user_id, stamp],
            )?;
            connection.execute(
                "UPDATE bms_contract_services SET units = ?2, modified_by = ?3, modified_on = ?4
                    WHERE id = ?1",
                params![line, units, user.user_id, stamp],
            )?;
        }
        one_line(connection, contract, line)
    })?;
    Ok(envelope::success(updated))
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UnitChange {
    id: i64,
    contract_service_id: i64,
    old_units: f64,
    new_units: f64,
    source: String,
    changed_by: Option<i64>,
    changed_by_name: Option<String>,
    changed_on: String,
}

pub async fn history(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path((contract, line)): Path<(String, String)>,
) -> Result<Json<Envelope<Vec<UnitChange>>>, ApiError> {
    let (contract, line) = (
        parse_id(&contract, NOT_FOUND)?,
        parse_id(&line, LINE_NOT_FOUND)?,
    );
    let changes = state.store.try_write(|connection| {
        visible(connection, user, contract)?;
        one_line(connection, contract, line)?;
        let mut statement = connection.prepare(
            "SELECT h.id, h.contract_service_id, h.old_units, h.new_units, h.source, h.changed_by,
                    u.first_name || ' ' || u.last_name, h.changed_on
             FROM bms_contract_service_unit_history h LEFT JOIN bms_users u ON u.id = h.changed_by
             WHERE h.contract_service_id = ?1 ORDER BY h.id",
        )?;
        let changes = statement
            .query_map([line], |row| {
                Ok(UnitChange {
                    id: row.get(0)?,
                    contract_service_id: row.get(1)?,
                    old_units: row.get(2)?,
                    new_units: row.get(3)?,
                    source: row.get(4)?,
                    changed_by: row.get(5)?,
                    changed_by_name: row.get(6)?,
                    changed_on: row.get(7)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok::<_, ApiError>(changes)
    })?;
    Ok(envelope::success(changes))
}
