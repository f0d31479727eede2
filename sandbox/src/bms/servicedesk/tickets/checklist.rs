//! The ticket checklist: `…/checklistitems[/{itemId}]`. Completing an item stamps who and
//! when (`CompletedBy`, `CompletedByName`, `CompletedOn`), set by the server.
//! `POST …/checklistitems/{checklistId}` appends the tasks of an IT Glue checklist of the
//! organization synced with the ticket's account; `POST …/checklist` saves the items as a
//! new IT Glue checklist there. Checklists are copied, not linked, as in the product.

use axum::extract::{Path, State};
use axum::{Extension, Json};
use rusqlite::{Connection, params};
use serde::Serialize;

use super::super::super::envelope::{self, ApiError, Envelope};
use super::super::super::itglue_integration::checklists::{
    ItgChecklist, ItgTask, checklist_of, tasks_of,
};
use super::super::super::itglue_integration::mapping;
use super::super::super::json_input::{Fields, JsonBody, require};
use super::super::super::security::AuthUser;
use super::super::support::{now, parse_id, user_name};
use super::store;
use super::write::api_actor;
use super::{NOT_FOUND, ensure_visible, ticket_id};
use crate::clock::Timestamp;
use crate::state::AppState;

const ITEM_NOT_FOUND: &str = "Checklist item not found.";

/// `TicketChecklistItemOutputDto` (its id is an int64 in the spec).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChecklistItem {
    id: i64,
    created_by: Option<i64>,
    created_on: String,
    modified_by: Option<i64>,
    modified_on: String,
    name: String,
    description: Option<String>,
    order: i64,
    is_completed: bool,
    completed_by: Option<i64>,
    completed_by_name: Option<String>,
    completed_on: Option<String>,
}

fn items(
    connection: &Connection,
    clause: &str,
    params: &[rusqlite::types::Value],
) -> rusqlite::Result<Vec<ChecklistItem>> {
    let sql = format!(
        "SELECT i.id, i.created_by, i.created_on, i.modified_by, i.modified_on, i.name,
            i.description,
                i.item_order, i.is_completed, i.completed_by, u.first_name || ' ' ||
                u.last_name, i.completed_on
         FROM bms_ticket_checklist_items i LEFT JOIN bms_users u ON u.id = i.completed_by
         WHERE {clause} ORDER BY i.item_order, i.id"
    );
    let mut statement = connection.prepare(&sql)?;
    statement
        .query_map(rusqlite::params_from_iter(params), |row| {
            Ok(ChecklistItem {
                id: row.get(0)?,
                created_by: row.get(1)?,
                created_on: row.get(2)?,
                modified_by: row.get(3)?,
                modified_on: row.get(4)?,
                name: row.get(5)?,
                description: row.get(6)?,
                order: row.get(7)?,
                is_completed: row.get(8)?,
                completed_by: row.get(9)?,
                completed_by_name: row.get(10)?,
                completed_on: row.get(11)?,
            })
        })?
        .collect()
}

fn all_items(connection: &Connection, ticket: i64) -> rusqlite::Result<Vec<ChecklistItem>> {
    items(connection, "i.ticket_id = ?", &[ticket.into()])
}

fn one(connection: &Connection, ticket: i64, id: i64) -> Result<ChecklistItem, ApiError> {
    items(
        connection,
        "i.id = ? AND i.ticket_id = ?",
        &[id.into(), ticket.into()],
    )?
    .pop()
    .ok_or_else(|| ApiError::failure(404, ITEM_NOT_FOUND))
}

/// The spec declares a single item; a checklist has many, so the list is returned.
pub async fn list(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(ticket): Path<String>,
) -> Result<Json<Envelope<Vec<ChecklistItem>>>, ApiError> {
    let ticket = ticket_id(&ticket)?;
    let list = state.store.try_write(|connection| {
        ensure_visible(connection, user, ticket)?;
        Ok::<_, ApiError>(all_items(connection, ticket)?)
    })?;
    Ok(envelope::success(list))
}

fn next_order(connection: &Connection, ticket: i64) -> rusqlite::Result<i64> {
    connection.query_row(
        "SELECT COALESCE(MAX(item_order), 0) + 1 FROM bms_ticket_checklist_items WHERE ticket_id
            = ?1",
        [ticket],
        |row| row.get(0),
    )
}

fn insert_item(
    connection: &Connection,
    user: AuthUser,
    ticket: i64,
    name: &str,
    description: Option<&str>,
    order: i64,
) -> rusqlite::Result<i64> {
    connection.execute(
        "INSERT INTO bms_ticket_checklist_items
           (ticket_id, name, description, item_order, is_completed, created_by, created_on,
           modified_by, modified_on)
         VALUES (?1, ?2, ?3, ?4, 0, ?5, ?6, ?5, ?6)",
        params![ticket, name, description, order, user.user_id, now()],
    )?;
    Ok(connection.last_insert_rowid())
}

/// `POST …/checklistitems {Name!, Description?, Order}`; without `Order` it goes last.
pub async fn add(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(ticket): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Envelope<ChecklistItem>>, ApiError> {
    let ticket = ticket_id(&ticket)?;
    let body = Fields::from_body(body)?;
    require(&body, &["Name"])?;
    let name = body.text("Name")?.unwrap_or_default();
    let description = body.text("Description")?;
    let order = body.int("Order")?;
    let item = state.store.try_write(|connection| {
        ensure_visible(connection, user, ticket)?;
        let order = match order {
            Some(order) => order,
            None => next_order(connection, ticket)?,
        };
        let id = insert_item(
            connection,
            user,
            ticket,
            &name,
            description.as_deref(),
            order,
        )?;
        store::audit(
            connection,
            ticket,
            api_actor(user).source,
            "Checklist",
            &format!("Checklist item '{name}' added."),
            None,
        )?;
        one(connection, ticket, id)
    })?;
    Ok(envelope::success(item))
}

/// `PUT …/checklistitems/{itemId} {Name!, Description?, Order, IsCompleted}`.
pub async fn update(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path((ticket, item)): Path<(String, String)>,
    JsonBody(body): JsonBody,
) -> Result<Json<Envelope<ChecklistItem>>, ApiError> {
    let (ticket, id) = (ticket_id(&ticket)?, parse_id(&item, ITEM_NOT_FOUND)?);
    let body = Fields::from_body(body)?;
    require(&body, &["Name"])?;
    let name = body.text("Name")?.unwrap_or_default();
    let description = body.text("Description")?;
    let order = body.int("Order")?;
    let completed = body.boolean("IsCompleted")?;
    let item = state.store.try_write(|connection| {
        ensure_visible(connection, user, ticket)?;
        let current = one(connection, ticket, id)?;
        let completed = completed.unwrap_or(current.is_completed);
        let stamp = now();
        // Stamps change only when the state changes: re-saving a done item keeps its time.
        let (completed_by, completed_on) = match (current.is_completed, completed) {
            (false, true) => (Some(user.user_id), Some(stamp.clone())),
            (true, true) => (current.completed_by, current.completed_on.clone()),
            (_, false) => (None, None),
        };
        connection.execute(
            "UPDATE bms_ticket_checklist_items SET name = ?2, description = ?3, item_order = ?4,
                is_completed = ?5, completed_by = ?6, completed_on = ?7, modified_by = ?8,
                modified_on = ?9
             WHERE id = ?1",
            params![
                id,
                name,
                description,
                order.unwrap_or(current.order),
                completed,
                completed_by,
                completed_on,
                user.user_id,
                stamp
            ],
        )?;
        if completed != current.is_completed {
            let state_text = if completed { "completed" } else { "reopened" };
            store::audit(
                connection,
                ticket,
                api_actor(user).source,
                "Checklist",
                &format!("Checklist item '{name}' {state_text}."),
                None,
            )?;
            store::touch(connection, api_actor(user), ticket)?;
        }
        one(connection, ticket, id)
    })?;
    Ok(envelope::success(item))
}

pub async fn delete_one(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path((ticket, item)): Path<(String, String)>,
) -> Result<Json<Envelope<bool>>, ApiError> {
    let (ticket, id) = (ticket_id(&ticket)?, parse_id(&item, ITEM_NOT_FOUND)?);
    state.store.try_write(|connection| {
        ensure_visible(connection, user, ticket)?;
        one(connection, ticket, id)?;
        connection.execute("DELETE FROM bms_ticket_checklist_items WHERE id = ?1", [id])?;
        store::audit(
            connection,
            ticket,
            api_actor(user).source,
            "Checklist",
            "Checklist item deleted.",
            None,
        )?;
        Ok::<_, ApiError>(())
    })?;
    Ok(envelope::success(true))
}

pub async fn delete_all(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(ticket): Path<String>,
) -> Result<Json<Envelope<bool>>, ApiError> {
    let ticket = ticket_id(&ticket)?;
    state.store.try_write(|connection| {
        ensure_visible(connection, user, ticket)?;
        connection.execute(
            "DELETE FROM bms_ticket_checklist_items WHERE ticket_id = ?1",
            [ticket],
        )?;
        store::audit(
            connection,
            ticket,
            api_actor(user).source,
            "Checklist",
            "Checklist deleted.",
            None,
        )?;
        Ok::<_, ApiError>(())
    })?;
    Ok(envelope::success(true))
}

/// The IT Glue organization of the ticket's account, or a failure saying it is not synced.
fn organization(connection: &Connection, user: AuthUser, ticket: i64) -> Result<i64, ApiError> {
    let account = store::load(connection, user.tenant_id, ticket)?
        .ok_or_else(|| ApiError::failure(404, NOT_FOUND))?
        .account_id;
    mapping::organization_of_account(connection, account)?.ok_or_else(|| {
        ApiError::failure(
            400,
            format!("Account {account} is not synced with an IT Glue organization."),
        )
    })
}

/// `POST …/checklistitems/{checklistId}`: the IT Glue checklist's tasks become items.
pub async fn apply_itglue(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path((ticket, checklist)): Path<(String, String)>,
) -> Result<Json<Envelope<Vec<ChecklistItem>>>, ApiError> {
    let ticket = ticket_id(&ticket)?;
    let checklist = parse_id(&checklist, "IT Glue checklist not found.")?;
    let added = state.store.try_write(|connection| {
        ensure_visible(connection, user, ticket)?;
        let organization = organization(connection, user, ticket)?;
        let found = checklist_of(connection, organization, checklist)?.ok_or_else(|| {
            ApiError::failure(404, "IT Glue checklist not found for this account.")
        })?;
        let first = next_order(connection, ticket)?;
        let mut ids = Vec::new();
        for (order, task) in (first..).zip(tasks_of(connection, checklist)?) {
            ids.push(rusqlite::types::Value::from(insert_item(
                connection,
                user,
                ticket,
                &task.name,
                task.description.as_deref(),
                order,
            )?));
        }
        store::audit(
            connection,
            ticket,
            api_actor(user).source,
            "Checklist",
            &format!("IT Glue checklist '{}' applied.", found.name),
            None,
        )?;
        store::touch(connection, api_actor(user), ticket)?;
        let clause = format!("i.id IN ({})", crate::store::sql::placeholders(ids.len()));
        Ok::<_, ApiError>(items(connection, &clause, &ids)?)
    })?;
    Ok(envelope::success(added))
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedChecklist {
    checklist: ItgChecklist,
    tasks: Vec<ItgTask>,
}

/// `POST …/checklist {Name, Description}`: a new IT Glue checklist from the ticket's
/// items, in the organization synced with the ticket's account.
pub async fn save_to_itglue(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(ticket): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Envelope<SavedChecklist>>, ApiError> {
    let ticket = ticket_id(&ticket)?;
    let body = Fields::from_body(body)?;
    require(&body, &["Name"])?;
    let name = body.text("Name")?.unwrap_or_default();
    let description = body.text("Description")?;
    let saved = state.store.try_write(|connection| {
        ensure_visible(connection, user, ticket)?;
        let organization = organization(connection, user, ticket)?;
        let stamp = Timestamp::now().to_itglue();
        connection.execute(
            "INSERT INTO itglue_checklists (organization_id, name, description, created_at,
                updated_at)
             VALUES (?1, ?2, ?3, ?4, ?4)",
            params![organization, name, description, stamp],
        )?;
        let checklist = connection.last_insert_rowid();
        for (index, item) in all_items(connection, ticket)?.iter().enumerate() {
            connection.execute(
                "INSERT INTO itglue_checklist_tasks (checklist_id, name, description,
                    sort_order, completed)
                 VALUES (?1, ?2, ?3, ?4, 0)",
                params![checklist, item.name, item.description, index as i64 + 1],
            )?;
        }
        let creator = user_name(connection, user.user_id)?;
        let mut saved = checklist_of(connection, organization, checklist)?
            .ok_or_else(|| ApiError::failure(404, "IT Glue checklist not found."))?;
        saved.created_by_name = creator;
        store::audit(
            connection,
            ticket,
            api_actor(user).source,
            "Checklist",
            &format!("Saved as IT Glue checklist '{name}'."),
            None,
        )?;
        Ok::<_, ApiError>(SavedChecklist {
            checklist: saved,
            tasks: tasks_of(connection, checklist)?,
        })
    })?;
    Ok(envelope::success(saved))
}
