//! Service calls and to-dos of a ticket: `…/servicecalls[/{id}]`, `…/todos[/{id}]` and
//! the combined `…/servicecallstodos` (list and csv delete). `ItemType` 1 is a service
//! call and 2 a to-do (sandbox numbering); a to-do's `StatusId` 2 means complete.

use axum::extract::{OriginalUri, Path, State};
use axum::{Extension, Json};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::super::super::envelope::{self, ApiError, Envelope};
use super::super::super::json_input::{Fields, JsonBody, csv_ints, require};
use super::super::super::params::QueryParams;
use super::super::super::security::AuthUser;
use super::super::support::{Page, now, parse_id};
use super::store;
use super::write::api_actor;
use super::{ensure_visible, ticket_id};
use crate::state::AppState;

const SERVICE_CALL: i64 = 1;
const TO_DO: i64 = 2;
const TODO_COMPLETE_STATUS: i64 = 2;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceCall {
    id: i64,
    ticket_id: Option<i64>,
    task_id: Option<i64>,
    account_id: i64,
    account_name: Option<String>,
    description: Option<String>,
    complete: bool,
    start_date: String,
    end_date: String,
    user_id: i64,
    resource: Option<String>,
    created_by_id: Option<i64>,
    created_by_name: Option<String>,
    created_on: Option<String>,
    modified_by: Option<i64>,
    modified_on: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ToDo {
    id: i64,
    ticket_id: Option<i64>,
    description: Option<String>,
    complete: bool,
    user_id: Option<i64>,
    date: Option<String>,
    resource: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CallOrToDo {
    id: i64,
    created_by: Option<i64>,
    created_on: String,
    modified_by: Option<i64>,
    modified_on: String,
    item_type: i64,
    description: Option<String>,
    assigned_to: Option<String>,
    complete: bool,
    start_date: Option<String>,
    end_date: Option<String>,
}

fn service_calls(
    connection: &Connection,
    clause: &str,
    params: &[rusqlite::types::Value],
) -> rusqlite::Result<Vec<ServiceCall>> {
    let sql = format!(
        "SELECT c.id, c.ticket_id, t.account_id, a.account_name, c.description, c.complete,
            c.start_date,
                c.end_date, c.user_id, u.first_name || ' ' || u.last_name, c.created_by,
                cb.first_name || ' ' || cb.last_name, c.created_on, c.modified_by, c.modified_on
         FROM bms_ticket_service_calls c JOIN bms_tickets t ON t.id = c.ticket_id
         LEFT JOIN bms_accounts a ON a.id = t.account_id
         LEFT JOIN bms_users u ON u.id = c.user_id LEFT JOIN bms_users cb ON cb.id = c.created_by
         WHERE {clause} ORDER BY c.start_date, c.id"
    );
    let mut statement = connection.prepare(&sql)?;
    statement
        .query_map(rusqlite::params_from_iter(params), |row| {
            Ok(ServiceCall {
                id: row.get(0)?,
                ticket_id: row.get(1)?,
                task_id: None,
                account_id: row.get(2)?,
                account_name: row.get(3)?,
                description: row.get(4)?,
                complete: row.get(5)?,
                start_date: row.get(6)?,
                end_date: row.get(7)?,
                user_id: row.get(8)?,
                resource: row.get(9)?,
                created_by_id: row.get(10)?,
                created_by_name: row.get(11)?,
                created_on: row.get(12)?,
                modified_by: row.get(13)?,
                modified_on: row.get(14)?,
            })
        })?
        .collect()
}

fn to_dos(
    connection: &Connection,
    clause: &str,
    params: &[rusqlite::types::Value],
) -> rusqlite::Result<Vec<ToDo>> {
    let sql = format!(
        "SELECT d.id, d.ticket_id, d.description, d.complete, d.user_id, d.date,
                u.first_name || ' ' || u.last_name
         FROM bms_ticket_todos d LEFT JOIN bms_users u ON u.id = d.user_id
         WHERE {clause} ORDER BY d.date, d.id"
    );
    let mut statement = connection.prepare(&sql)?;
    statement
        .query_map(rusqlite::params_from_iter(params), |row| {
            Ok(ToDo {
                id: row.get(0)?,
                ticket_id: row.get(1)?,
                description: row.get(2)?,
                complete: row.get(3)?,
                user_id: row.get(4)?,
                date: row.get(5)?,
                resource: row.get(6)?,
            })
        })?
        .collect()
}

/// `GET …/servicecallstodos` with `Filter.ItemTypeIds` (csv).
pub async fn list_combined(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(ticket): Path<String>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Envelope<Vec<CallOrToDo>>>, ApiError> {
    let ticket = ticket_id(&ticket)?;
    let params = QueryParams::parse(uri.query());
    let types = params.integer_list("Filter.ItemTypeIds")?.unwrap_or_else(|| vec![SERVICE_CALL, TO_DO]);
    let page = Page::from_query(&params)?;
    let (items, total) = state.store.try_write(|connection| {
        ensure_visible(connection, user, ticket)?;
        let mut statement = connection.prepare(
            "SELECT * FROM (
               SELECT c.id, c.created_by, c.created_on, c.modified_by, c.modified_on, 1 AS
               item_type,
                      c.description, u.first_name || ' ' || u.last_name, c.complete,
                      c.start_date, c.end_date
               FROM bms_ticket_service_calls c LEFT JOIN bms_users u ON u.id = c.user_id WHERE
               c.ticket_id = ?1
               UNION ALL
               SELECT d.id, d.created_by, d.created_on, d.modified_by, d.modified_on, 2,
                      d.description, u.first_name || ' ' || u.last_name, d.complete, d.date, d.date
               FROM bms_ticket_todos d LEFT JOIN bms_users u ON u.id = d.user_id WHERE
               d.ticket_id = ?1)
             ORDER BY 10, 1",
        )?;
        let all = statement
            .query_map([ticket], |row| {
                Ok(CallOrToDo {
                    id: row.get(0)?,
                    created_by: row.get(1)?,
                    created_on: row.get(2)?,
                    modified_by: row.get(3)?,
                    modified_on: row.get(4)?,
                    item_type: row.get(5)?,
                    description: row.get(6)?,
                    assigned_to: row.get(7)?,
                    complete: row.get(8)?,
                    start_date: row.get(9)?,
                    end_date: row.get(10)?,
                })
            })?
            .filter(|item| {
                item.as_ref()
                    .map_or(true, |item| types.contains(&item.item_type))
            })
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let total = all.len() as u64;
        let offset = usize::try_from(page.offset()).unwrap_or(usize::MAX);
        let limit = usize::try_from(page.limit()).unwrap_or(usize::MAX);
        Ok::<_, ApiError>((all.into_iter().skip(offset).take(limit).collect(), total))
    })?;
    Ok(envelope::paged(items, total))
}

/// `DELETE …/servicecallstodos {ServiceCallIds:"csv", ToDoIds:"csv"}`.
pub async fn delete_combined(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(ticket): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Envelope<bool>>, ApiError> {
    let ticket = ticket_id(&ticket)?;
    let body = Fields::from_body(body)?;
    let ids = |name: &str| -> Result<Vec<i64>, ApiError> {
        match body.text(name)? {
            Some(text) => csv_ints(&text).ok_or_else(|| {
                ApiError::failure(
                    400,
                    format!("The {name} field must be a comma-separated list of ids."),
                )
            }),
            None => Ok(Vec::new()),
        }
    };
    let (calls, todos) = (ids("ServiceCallIds")?, ids("ToDoIds")?);
    state.store.try_write(|connection| {
        ensure_visible(connection, user, ticket)?;
        for id in calls {
            connection.execute(
                "DELETE FROM bms_ticket_service_calls WHERE id = ?1 AND ticket_id = ?2",
                [id, ticket],
            )?;
        }
        for id in todos {
            connection.execute(
                "DELETE FROM bms_ticket_todos WHERE id = ?1 AND ticket_id = ?2",
                [id, ticket],
            )?;
        }
        store::audit(
            connection,
            ticket,
            api_actor(user).source,
            "Service Calls & To-Dos",
            "Items deleted.",
            None,
        )?;
        Ok::<_, ApiError>(())
    })?;
    Ok(envelope::success(true))
}

pub async fn list_calls(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(ticket): Path<String>,
) -> Result<Json<Envelope<Vec<ServiceCall>>>, ApiError> {
    let ticket = ticket_id(&ticket)?;
    let calls = state.store.try_write(|connection| {
        ensure_visible(connection, user, ticket)?;
        Ok::<_, ApiError>(service_calls(
            connection,
            "c.ticket_id = ?",
            &[ticket.into()],
        )?)
    })?;
    Ok(envelope::success(calls))
}

fn check_user(connection: &Connection, user: AuthUser, id: i64) -> Result<(), ApiError> {
    let known: bool = connection.query_row(
        "SELECT EXISTS (SELECT 1 FROM bms_users WHERE id = ?1 AND tenant_id = ?2)",
        [id, user.tenant_id],
        |row| row.get(0),
    )?;
    if known {
        Ok(())
    } else {
        Err(ApiError::failure(
            400,
            format!("Invalid UserId: {id} does not exist."),
        ))
    }
}

fn date_member(body: &Fields, name: &str) -> Result<String, ApiError> {
    body.datetime(name)?
        .map(|date| date.to_bms())
        .ok_or_else(|| ApiError::failure(400, format!("The {name} field is required.")))
}

/// `POST …/servicecalls {Description, Complete, StartDate!, EndDate!, UserIds![int]}`:
/// one call per user, all returned.
pub async fn create_call(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(ticket): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Envelope<Vec<ServiceCall>>>, ApiError> {
    let ticket = ticket_id(&ticket)?;
    let body = Fields::from_body(body)?;
    require(&body, &["StartDate", "EndDate", "UserIds"])?;
    let (start, end) = (
        date_member(&body, "StartDate")?,
        date_member(&body, "EndDate")?,
    );
    let users = body.ints("UserIds")?.unwrap_or_default();
    let description = body.text("Description")?;
    let complete = body.boolean("Complete")?.unwrap_or(false);
    let calls = state.store.try_write(|connection| {
        ensure_visible(connection, user, ticket)?;
        let mut ids = Vec::new();
        for assignee in &users {
            check_user(connection, user, *assignee)?;
            connection.execute(
                "INSERT INTO bms_ticket_service_calls
                   (ticket_id, description, complete, start_date, end_date, user_id, created_by,
                   created_on, modified_by, modified_on)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?7, ?8)",
                params![
                    ticket,
                    description,
                    complete,
                    start,
                    end,
                    assignee,
                    user.user_id,
                    now()
                ],
            )?;
            ids.push(rusqlite::types::Value::from(connection.last_insert_rowid()));
        }
        store::audit(
            connection,
            ticket,
            api_actor(user).source,
            "Service Call",
            "Service call scheduled.",
            None,
        )?;
        store::touch(connection, api_actor(user), ticket)?;
        let clause = format!("c.id IN ({})", crate::store::sql::placeholders(ids.len()));
        Ok::<_, ApiError>(service_calls(connection, &clause, &ids)?)
    })?;
    Ok(envelope::success(calls))
}

fn item_path(ticket: &str, item: &str, not_found: &str) -> Result<(i64, i64), ApiError> {
    Ok((ticket_id(ticket)?, parse_id(item, not_found)?))
}

const CALL_NOT_FOUND: &str = "Service call not found.";
const TODO_NOT_FOUND: &str = "To-do not found.";

fn one_call(connection: &Connection, ticket: i64, id: i64) -> Result<ServiceCall, ApiError> {
    service_calls(
        connection,
        "c.id = ? AND c.ticket_id = ?",
        &[id.into(), ticket.into()],
    )?
    .pop()
    .ok_or_else(|| ApiError::failure(404, CALL_NOT_FOUND))
}

pub async fn show_call(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path((ticket, call)): Path<(String, String)>,
) -> Result<Json<Envelope<ServiceCall>>, ApiError> {
    let (ticket, id) = item_path(&ticket, &call, CALL_NOT_FOUND)?;
    let call = state.store.try_write(|connection| {
        ensure_visible(connection, user, ticket)?;
        one_call(connection, ticket, id)
    })?;
    Ok(envelope::success(call))
}

/// `PUT …/servicecalls/{id}` with `UserId!` instead of `UserIds`.
pub async fn update_call(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path((ticket, call)): Path<(String, String)>,
    JsonBody(body): JsonBody,
) -> Result<Json<Envelope<ServiceCall>>, ApiError> {
    let (ticket, id) = item_path(&ticket, &call, CALL_NOT_FOUND)?;
    let body = Fields::from_body(body)?;
    require(&body, &["StartDate", "EndDate", "UserId"])?;
    let (start, end) = (
        date_member(&body, "StartDate")?,
        date_member(&body, "EndDate")?,
    );
    let assignee = body.int("UserId")?.unwrap_or_default();
    let description = body.text("Description")?;
    let complete = body.boolean("Complete")?.unwrap_or(false);
    let call = state.store.try_write(|connection| {
        ensure_visible(connection, user, ticket)?;
        one_call(connection, ticket, id)?;
        check_user(connection, user, assignee)?;
        connection.execute(
            "UPDATE bms_ticket_service_calls SET description = ?2, complete = ?3, start_date =
                ?4, end_date = ?5,
                user_id = ?6, modified_by = ?7, modified_on = ?8 WHERE id = ?1",
            params![
                id,
                description,
                complete,
                start,
                end,
                assignee,
                user.user_id,
                now()
            ],
        )?;
        one_call(connection, ticket, id)
    })?;
    Ok(envelope::success(call))
}

pub async fn delete_call(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path((ticket, call)): Path<(String, String)>,
) -> Result<Json<Envelope<bool>>, ApiError> {
    let (ticket, id) = item_path(&ticket, &call, CALL_NOT_FOUND)?;
    state.store.try_write(|connection| {
        ensure_visible(connection, user, ticket)?;
        one_call(connection, ticket, id)?;
        connection.execute("DELETE FROM bms_ticket_service_calls WHERE id = ?1", [id])?;
        Ok::<_, ApiError>(())
    })?;
    Ok(envelope::success(true))
}

/// To-do input `{Description, StatusId, UserId, Date}`.
struct ToDoInput {
    description: Option<String>,
    complete: bool,
    user_id: Option<i64>,
    date: Option<String>,
}

fn to_do_input(body: &Fields) -> Result<ToDoInput, ApiError> {
    Ok(ToDoInput {
        description: body.text("Description")?,
        complete: body.int("StatusId")? == Some(TODO_COMPLETE_STATUS),
        user_id: body.int("UserId")?,
        date: body.datetime("Date")?.map(|date| date.to_bms()),
    })
}

fn one_to_do(connection: &Connection, ticket: i64, id: i64) -> Result<ToDo, ApiError> {
    to_dos(
        connection,
        "d.id = ? AND d.ticket_id = ?",
        &[id.into(), ticket.into()],
    )?
    .pop()
    .ok_or_else(|| ApiError::failure(404, TODO_NOT_FOUND))
}

pub async fn create_to_do(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(ticket): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Envelope<ToDo>>, ApiError> {
    let ticket = ticket_id(&ticket)?;
    let input = to_do_input(&Fields::from_body(body)?)?;
    let to_do = state.store.try_write(|connection| {
        ensure_visible(connection, user, ticket)?;
        if let Some(assignee) = input.user_id {
            check_user(connection, user, assignee)?;
        }
        connection.execute(
            "INSERT INTO bms_ticket_todos (ticket_id, description, complete, user_id, date,
                created_by, created_on, modified_by, modified_on)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?6, ?7)",
            params![
                ticket,
                input.description,
                input.complete,
                input.user_id,
                input.date,
                user.user_id,
                now()
            ],
        )?;
        let id = connection.last_insert_rowid();
        store::touch(connection, api_actor(user), ticket)?;
        one_to_do(connection, ticket, id)
    })?;
    Ok(envelope::success(to_do))
}

pub async fn show_to_do(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path((ticket, item)): Path<(String, String)>,
) -> Result<Json<Envelope<ToDo>>, ApiError> {
    let (ticket, id) = item_path(&ticket, &item, TODO_NOT_FOUND)?;
    let to_do = state.store.try_write(|connection| {
        ensure_visible(connection, user, ticket)?;
        one_to_do(connection, ticket, id)
    })?;
    Ok(envelope::success(to_do))
}

pub async fn update_to_do(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path((ticket, item)): Path<(String, String)>,
    JsonBody(body): JsonBody,
) -> Result<Json<Envelope<ToDo>>, ApiError> {
    let (ticket, id) = item_path(&ticket, &item, TODO_NOT_FOUND)?;
    let input = to_do_input(&Fields::from_body(body)?)?;
    let to_do = state.store.try_write(|connection| {
        ensure_visible(connection, user, ticket)?;
        one_to_do(connection, ticket, id)?;
        if let Some(assignee) = input.user_id {
            check_user(connection, user, assignee)?;
        }
        connection.execute(
            "UPDATE bms_ticket_todos SET description = ?2, complete = ?3, user_id = ?4, date = ?5,
                modified_by = ?6, modified_on = ?7 WHERE id = ?1",
            params![
                id,
                input.description,
                input.complete,
                input.user_id,
                input.date,
                user.user_id,
                now()
            ],
        )?;
        one_to_do(connection, ticket, id)
    })?;
    Ok(envelope::success(to_do))
}

pub async fn delete_to_do(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path((ticket, item)): Path<(String, String)>,
) -> Result<Json<Envelope<bool>>, ApiError> {
    let (ticket, id) = item_path(&ticket, &item, TODO_NOT_FOUND)?;
    state.store.try_write(|connection| {
        ensure_visible(connection, user, ticket)?;
        let found = connection
            .query_row(
                "SELECT 1 FROM bms_ticket_todos WHERE id = ?1 AND ticket_id = ?2",
                [id, ticket],
                |_| Ok(()),
            )
            .optional()?;
        found.ok_or_else(|| ApiError::failure(404, TODO_NOT_FOUND))?;
        connection.execute("DELETE FROM bms_ticket_todos WHERE id = ?1", [id])?;
        Ok::<_, ApiError>(())
    })?;
    Ok(envelope::success(true))
}
