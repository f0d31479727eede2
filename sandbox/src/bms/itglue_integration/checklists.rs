//! IT Glue checklists as BMS offers them for import into a ticket:
//! `GET /v2/integrations/itglue/checklists?accountId=…` (the checklists of the organization
//! synced with the account) and `GET …/checklists/{checklistId}/tasks`. The rows are the
//! IT Glue checklists themselves, so edits on either side show at once.

use axum::extract::{OriginalUri, Path, State};
use axum::{Extension, Json};
use rusqlite::{Connection, OptionalExtension, Row};
use serde::Serialize;

use super::super::envelope::{self, ApiError, Envelope};
use super::super::params::QueryParams;
use super::super::security::AuthUser;
use super::super::servicedesk::support::{Page, bms_datetime, escape_like, in_scope_sql, parse_id};
use super::mapping;
use crate::state::AppState;

const NOT_FOUND: &str = "IT Glue checklist not found.";

/// The spec prints these members in lower case; on the wire that is camelCase anyway.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ItgChecklist {
    pub id: i64,
    pub name: String,
    pub description: Option<String>,
    pub created_by_name: Option<String>,
    pub created_on: String,
    pub updated_on: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ItgTask {
    pub id: i64,
    pub name: String,
    pub description: Option<String>,
    pub order: i64,
}

fn checklist_row(row: &Row<'_>) -> rusqlite::Result<ItgChecklist> {
    let created: String = row.get(3)?;
    let updated: Option<String> = row.get(4)?;
    Ok(ItgChecklist {
        id: row.get(0)?,
        name: row.get(1)?,
        description: row.get(2)?,
        // IT Glue keeps no author on checklists.
        created_by_name: None,
        created_on: bms_datetime(&created),
        updated_on: updated.as_deref().map(bms_datetime),
    })
}

/// A checklist of the organization, if it exists and is not archived.
pub fn checklist_of(
    connection: &Connection,
    organization: i64,
    id: i64,
) -> rusqlite::Result<Option<ItgChecklist>> {
    connection
        .query_row(
            "SELECT id, name, description, created_at, updated_at FROM itglue_checklists
             WHERE id = ?1 AND organization_id = ?2 AND archived = 0",
            [id, organization],
            checklist_row,
        )
        .optional()
}

pub fn tasks_of(connection: &Connection, checklist: i64) -> rusqlite::Result<Vec<ItgTask>> {
    let mut statement = connection.prepare(
        "SELECT id, name, description, sort_order FROM itglue_checklist_tasks
         WHERE checklist_id = ?1 ORDER BY sort_order, id",
    )?;
    statement
        .query_map([checklist], |row| {
            Ok(ItgTask {
                id: row.get(0)?,
                name: row.get(1)?,
                description: row.get(2)?,
                order: row.get(3)?,
            })
        })?
        .collect()
}

/// The account must be in the caller's security scope.
pub fn ensure_account_visible(
    connection: &Connection,
    user: AuthUser,
    account_id: i64,
) -> Result<(), ApiError> {
    let sql = format!(
        "SELECT EXISTS (SELECT 1 FROM bms_accounts a WHERE a.id = ? AND a.tenant_id = ? AND {})",
        in_scope_sql("a.id")
    );
    let visible: bool =
        connection.query_row(&sql, [account_id, user.tenant_id, user.user_id], |row| {
            row.get(0)
        })?;
    if visible {
        Ok(())
    } else {
        Err(ApiError::failure(404, "Account not found."))
    }
}

pub async fn list(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Envelope<Vec<ItgChecklist>>>, ApiError> {
    let params = QueryParams::parse(uri.query());
    let account = params
        .integer("accountId")?
        .ok_or_else(|| ApiError::failure(400, "The accountId field is required."))?;
    let name = params.text("Name").map(escape_like);
    let page = Page::from_query(&params)?;
    let (checklists, total) = state.store.try_write(|connection| {
        ensure_account_visible(connection, user, account)?;
        let Some(organization) = mapping::organization_of_account(connection, account)? else {
            return Ok((Vec::new(), 0));
        };
        let filter = r"organization_id = ?1 AND archived = 0
            AND (?2 IS NULL OR name LIKE '%' || ?2 || '%' ESCAPE '\')";
        let total: i64 = connection.query_row(
            &format!("SELECT COUNT(*) FROM itglue_checklists WHERE {filter}"),
            rusqlite::params![organization, name],
            |row| row.get(0),
        )?;
        let mut statement = connection.prepare(&format!(
            "SELECT id, name, description, created_at, updated_at FROM itglue_checklists
             WHERE {filter} ORDER BY name, id LIMIT ?3 OFFSET ?4"
        ))?;
        let checklists = statement
            .query_map(
                rusqlite::params![organization, name, page.limit(), page.offset()],
                checklist_row,
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok::<_, ApiError>((checklists, u64::try_from(total).unwrap_or_default()))
    })?;
    Ok(envelope::paged(checklists, total))
}

pub async fn tasks(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(checklist): Path<String>,
) -> Result<Json<Envelope<Vec<ItgTask>>>, ApiError> {
    let checklist = parse_id(&checklist, NOT_FOUND)?;
    let tasks = state.store.try_write(|connection| {
        let organization: i64 = connection
            .query_row(
                "SELECT organization_id FROM itglue_checklists WHERE id = ?1 AND archived = 0",
                [checklist],
                |row| row.get(0),
            )
            .optional()?
            .ok_or_else(|| ApiError::failure(404, NOT_FOUND))?;
        // Only checklists of synced organizations in the caller's scope are offered.
        let account = mapping::account_of_organization(connection, organization)?
            .ok_or_else(|| ApiError::failure(404, NOT_FOUND))?;
        ensure_account_visible(connection, user, account)
            .map_err(|_| ApiError::failure(404, NOT_FOUND))?;
        Ok::<_, ApiError>(tasks_of(connection, checklist)?)
    })?;
    Ok(envelope::success(tasks))
}
