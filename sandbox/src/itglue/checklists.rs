//! Checklists: `/checklists[/{id}]` and `/organizations/{id}/relationships/checklists[/{id}]`.
//!
//! GET, PATCH (single and bulk) and bulk DELETE; the public API has no create. Tasks are
//! reachable only through `include=checklist_tasks`; their attribute names are not
//! published, so the sandbox uses `name, description, order, completed, completed-at,
//! completed-by`.
//!
//! Sandbox-specific:
//! - `POST /organizations/{id}/relationships/checklists` with `checklist_template_id`
//!   instantiates a template, as the BMS integration does; without it the answer is 422;
//! - PATCH accepts `checklist_tasks: [{id, completed}]` to tick tasks off.

use axum::Json;
use axum::Router;
use axum::extract::{Extension, OriginalUri, Path, State};
use axum::http::{StatusCode, Uri};
use axum::routing::get;
use rusqlite::{Connection, Row, params};
use serde::Serialize;
use serde_json::Value;

use super::access::{Principal, Scope};
use super::attachments;
use super::body::{self, Attributes, JsonBody, integer_value, pointer};
use super::checklist_templates::{self, INCLUDE_TASKS, TASKS_RELATIONSHIP};
use super::jsonapi::{self, ApiError, Document, Resource};
use super::listing::{self, Included, RecordPath, now, path_id};
use super::query::QueryParams;
use super::records::CHECKLIST;
use super::related_items;
use crate::state::AppState;
use crate::store::sql::Conditions;

const KIND: &str = "checklists";
const TYPE_NAME: &str = "checklists";
const TASK_KIND: &str = "checklist-tasks";
const FROM: &str =
    "itglue_checklists c LEFT JOIN itglue_organizations o ON o.id = c.organization_id";
/// Complete once it has tasks and none is open.
const COMPLETED_SQL: &str = "(EXISTS (SELECT 1 FROM itglue_checklist_tasks k WHERE k.checklist_id = c.id)
    AND NOT EXISTS (SELECT 1 FROM itglue_checklist_tasks k WHERE k.checklist_id = c.id AND k.completed = 0))";
const SCOPE: Scope = Scope {
    resource_type: CHECKLIST.name,
    id_column: "c.id",
    org_column: "c.organization_id",
    restricted_column: Some("c.restricted"),
};

struct Checklist {
    id: i64,
    organization_id: i64,
    organization_name: Option<String>,
    name: String,
    description: Option<String>,
    due_date: Option<String>,
    completed: bool,
    task_count: i64,
    completed_task_count: i64,
    restricted: bool,
    archived: bool,
    created_at: String,
    updated_at: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct ChecklistAttributes<'a> {
    organization_id: i64,
    organization_name: Option<&'a str>,
    resource_url: String,
    name: &'a str,
    description: Option<&'a str>,
    due_date: Option<&'a str>,
    completed: bool,
    task_count: i64,
    completed_task_count: i64,
    restricted: bool,
    archived: bool,
    created_at: &'a str,
    updated_at: &'a str,
}

struct Task {
    id: i64,
    name: String,
    description: Option<String>,
    order: i64,
    completed: bool,
    completed_at: Option<String>,
    completed_by: Option<i64>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct TaskAttributes<'a> {
    name: &'a str,
    description: Option<&'a str>,
    order: i64,
    completed: bool,
    completed_at: Option<&'a str>,
    completed_by: Option<i64>,
}

fn columns() -> String {
    format!(
        "c.id, c.organization_id, o.name, c.name, c.description, c.due_date, {COMPLETED_SQL},
         (SELECT COUNT(*) FROM itglue_checklist_tasks k WHERE k.checklist_id = c.id),
         (SELECT COUNT(*) FROM itglue_checklist_tasks k WHERE k.checklist_id = c.id AND k.completed = 1),
         c.restricted, c.archived, c.created_at, c.updated_at"
    )
}

impl Checklist {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            organization_id: row.get(1)?,
            organization_name: row.get(2)?,
            name: row.get(3)?,
            description: row.get(4)?,
            due_date: row.get(5)?,
            completed: row.get(6)?,
            task_count: row.get(7)?,
            completed_task_count: row.get(8)?,
            restricted: row.get(9)?,
            archived: row.get(10)?,
            created_at: row.get(11)?,
            updated_at: row.get(12)?,
        })
    }

    fn to_resource(&self, state: &AppState) -> Result<Resource, ApiError> {
        Resource::new(
            self.id,
            KIND,
            &ChecklistAttributes {
                organization_id: self.organization_id,
                organization_name: self.organization_name.as_deref(),
                resource_url: format!(
                    "{}/{}/checklists/{}",
                    state.urls.itglue_web, self.organization_id, self.id
                ),
                name: &self.name,
                description: self.description.as_deref(),
                due_date: self.due_date.as_deref(),
                completed: self.completed,
                task_count: self.task_count,
                completed_task_count: self.completed_task_count,
                restricted: self.restricted,
                archived: self.archived,
                created_at: &self.created_at,
                updated_at: &self.updated_at,
            },
        )
    }
}

impl Task {
    fn to_resource(&self) -> Result<Resource, ApiError> {
        Resource::new(
            self.id,
            TASK_KIND,
            &TaskAttributes {
                name: &self.name,
                description: self.description.as_deref(),
                order: self.order,
                completed: self.completed,
                completed_at: self.completed_at.as_deref(),
                completed_by: self.completed_by,
            },
        )
    }
}

fn tasks(connection: &Connection, checklist_id: i64) -> rusqlite::Result<Vec<Task>> {
    let mut statement = connection.prepare(
        "SELECT id, name, description, sort_order, completed, completed_at, completed_by
         FROM itglue_checklist_tasks WHERE checklist_id = ? ORDER BY sort_order, id",
    )?;
    let rows = statement.query_map([checklist_id], |row| {
        Ok(Task {
            id: row.get(0)?,
            name: row.get(1)?,
            description: row.get(2)?,
            order: row.get(3)?,
            completed: row.get(4)?,
            completed_at: row.get(5)?,
            completed_by: row.get(6)?,
        })
    })?;
    rows.collect()
}

fn find(
    connection: &Connection,
    principal: &Principal,
    id: i64,
    organization_id: Option<i64>,
) -> rusqlite::Result<Option<Checklist>> {
    let mut conditions = Conditions::new();
    conditions.push("c.id = ?", &[id]);
    if let Some(organization_id) = organization_id {
        conditions.push("c.organization_id = ?", &[organization_id]);
    }
    principal.scope(&mut conditions, SCOPE);
    let (_, mut found) = listing::select_page(
        connection,
        &columns(),
        FROM,
        &conditions,
        "",
        None,
        Checklist::from_row,
    )?;
    Ok(found.pop())
}

fn render(
    connection: &Connection,
    state: &AppState,
    query: &QueryParams,
    checklists: &[Checklist],
    included: &mut Included,
) -> Result<Vec<Resource>, ApiError> {
    let mut resources = Vec::with_capacity(checklists.len());
    for checklist in checklists {
        let mut resource = checklist.to_resource(state)?;
        if query.includes(INCLUDE_TASKS) {
            let tasks = tasks(connection, checklist.id)?;
            let related = tasks
                .iter()
                .map(Task::to_resource)
                .collect::<Result<Vec<_>, _>>()?;
            resource.relate_many(TASKS_RELATIONSHIP, &related.iter().collect::<Vec<_>>());
            for task in &tasks {
                included.add(TASK_KIND, task.id, || task.to_resource())?;
            }
        }
        resources.push((checklist.id, resource));
    }
    let ids: Vec<i64> = checklists.iter().map(|checklist| checklist.id).collect();
    if query.includes(attachments::INCLUDE_NAME) {
        let rows = attachments::for_records(connection, CHECKLIST.name, &ids)?;
        attachments::attach(state, &mut resources, &rows, included)?;
    }
    if query.includes(related_items::INCLUDE_NAME) {
        let rows = related_items::for_records(connection, CHECKLIST.name, &ids)?;
        related_items::attach(connection, state, &mut resources, &rows, included)?;
    }
    Ok(resources
        .into_iter()
        .map(|(_, resource)| resource)
        .collect())
}

// ------------------------------------------------------------------------------ writing

fn update_one(
    connection: &Connection,
    principal: &Principal,
    id: i64,
    organization_id: Option<i64>,
    attributes: &Attributes,
) -> Result<(), ApiError> {
    let checklist =
        find(connection, principal, id, organization_id)?.ok_or(ApiError::RecordNotFound)?;
    let name = if attributes.contains("name") {
        attributes.required_text("name")?
    } else {
        checklist.name
    };
    let description = attributes
        .text("description")?
        .unwrap_or(checklist.description);
    let due_date = attributes.text("due_date")?.unwrap_or(checklist.due_date);
    connection.execute(
        "UPDATE itglue_checklists SET name = ?2, description = ?3, due_date = ?4, restricted = ?5, archived = ?6, updated_at = ?7
         WHERE id = ?1",
        params![
            id,
            name,
            description,
            due_date,
            attributes.flag("restricted")?.unwrap_or(checklist.restricted),
            attributes.flag("archived")?.unwrap_or(checklist.archived),
            now()
        ],
    )?;
    if let Some(updates) = attributes.get("checklist_tasks") {
        tick_tasks(connection, principal, id, updates)?;
    }
    Ok(())
}

/// `[{id, completed}]`: marks tasks done or open, stamping who and when.
fn tick_tasks(
    connection: &Connection,
    principal: &Principal,
    checklist_id: i64,
    updates: &Value,
) -> Result<(), ApiError> {
    let at = pointer("checklist_tasks");
    let updates = updates.as_array().ok_or_else(|| {
        ApiError::unprocessable("must be an array of {id, completed}", at.clone())
    })?;
    for update in updates {
        let task_id = update.get("id").and_then(integer_value);
        let completed = update.get("completed").and_then(Value::as_bool);
        let (Some(task_id), Some(completed)) = (task_id, completed) else {
            return Err(ApiError::unprocessable(
                "each task needs an id and completed",
                at,
            ));
        };
        let stamp = completed.then(now);
        let changed = connection.execute(
            "UPDATE itglue_checklist_tasks SET completed = ?3, completed_at = ?4, completed_by = ?5
             WHERE id = ?1 AND checklist_id = ?2",
            params![
                task_id,
                checklist_id,
                completed,
                stamp,
                principal.user_id().filter(|_| completed)
            ],
        )?;
        if changed == 0 {
            return Err(ApiError::unprocessable(
                format!("{task_id} is not a task of this checklist"),
                at,
            ));
        }
    }
    Ok(())
}

fn delete_one(
    connection: &Connection,
    principal: &Principal,
    id: i64,
    organization_id: Option<i64>,
) -> Result<(), ApiError> {
    find(connection, principal, id, organization_id)?.ok_or(ApiError::RecordNotFound)?;
    attachments::forget(connection, CHECKLIST.name, id)?;
    related_items::forget(connection, CHECKLIST.name, id)?;
    connection.execute("DELETE FROM itglue_checklists WHERE id = ?", [id])?;
    Ok(())
}

// ------------------------------------------------------------------------------ routes

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/checklists",
            get(index).patch(bulk_update).delete(bulk_delete),
        )
        .route("/checklists/{id}", get(show).patch(update))
        .route(
            "/organizations/{id}/relationships/checklists",
            get(nested_index)
                .post(instantiate)
                .patch(nested_bulk_update)
                .delete(nested_bulk_delete),
        )
        .route(
            "/organizations/{id}/relationships/checklists/{checklist_id}",
            get(show).patch(update),
        )
}

fn list(
    state: &AppState,
    principal: &Principal,
    uri: &Uri,
    organization_id: Option<i64>,
) -> Result<Json<Document>, ApiError> {
    let query = QueryParams::parse(uri.query());
    let sortable = [
        ("completed", COMPLETED_SQL),
        ("created_at", "c.created_at"),
        ("updated_at", "c.updated_at"),
    ];
    let order = listing::order(&query, &sortable, "c.id")?;
    let mut conditions = Conditions::new();
    match organization_id {
        Some(organization_id) => conditions.push("c.organization_id = ?", &[organization_id]),
        None => {
            for (name, column) in [("id", "c.id"), ("organization_id", "c.organization_id")] {
                if let Some(values) = query.filters.get(name) {
                    conditions.any_of(column, values);
                }
            }
        }
    }
    principal.scope(&mut conditions, SCOPE);
    let mut included = Included::new(&query);
    let (total, resources) = state
        .store
        .read(|connection| {
            if let Some(organization_id) = organization_id
                && !listing::organization_visible(connection, principal, organization_id)?
            {
                return Ok(None);
            }
            let (total, checklists) = listing::select_page(
                connection,
                &columns(),
                FROM,
                &conditions,
                &order,
                Some(query.page),
                Checklist::from_row,
            )?;
            Ok(Some((
                total,
                render(connection, state, &query, &checklists, &mut included),
            )))
        })?
        .ok_or(ApiError::RecordNotFound)?;
    Ok(Json(listing::page_document(
        state, uri, &query, total, resources?, included,
    )))
}

fn many(
    state: &AppState,
    principal: &Principal,
    ids: &[i64],
    bulk: bool,
    query: &QueryParams,
) -> Result<Document, ApiError> {
    let mut included = Included::new(query);
    let mut resources = state.store.read(|connection| {
        let mut checklists = Vec::new();
        for id in ids {
            checklists.extend(find(connection, principal, *id, None)?);
        }
        Ok(render(connection, state, query, &checklists, &mut included))
    })??;
    Ok(match resources.pop() {
        Some(resource) if !bulk => jsonapi::single(resource, included.finish()),
        last => {
            resources.extend(last);
            jsonapi::bulk(resources)
        }
    })
}

fn one(
    state: &AppState,
    principal: &Principal,
    id: i64,
    organization_id: Option<i64>,
    uri: &Uri,
) -> Result<Json<Document>, ApiError> {
    let exists = state
        .store
        .read(|connection| find(connection, principal, id, organization_id))?
        .is_some();
    if !exists {
        return Err(ApiError::RecordNotFound);
    }
    Ok(Json(many(
        state,
        principal,
        &[id],
        false,
        &QueryParams::parse(uri.query()),
    )?))
}

async fn index(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Document>, ApiError> {
    list(&state, &principal, &uri, None)
}

async fn nested_index(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(organization_id): Path<String>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Document>, ApiError> {
    list(&state, &principal, &uri, Some(path_id(&organization_id)?))
}

async fn show(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    RecordPath { id, parent }: RecordPath,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Document>, ApiError> {
    one(&state, &principal, id, parent, &uri)
}

/// Sandbox-specific: a checklist from a template (`checklist_template_id`, optional
/// `name` and `due_date`). Answers 201 with the checklist and its tasks included.
async fn instantiate(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(organization_id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<Document>), ApiError> {
    principal.require_write()?;
    let organization_id = path_id(&organization_id)?;
    let item = body::single(&body)?;
    body::expect_type(std::slice::from_ref(&item), TYPE_NAME)?;
    let template_id = item
        .attributes
        .integer("checklist_template_id")?
        .flatten()
        .ok_or_else(|| {
            ApiError::unprocessable(
                "is required: checklists are created only from a template",
                pointer("checklist_template_id"),
            )
        })?;
    let name = item.attributes.text("name")?.flatten();
    let due_date = item.attributes.text("due_date")?.flatten();
    let id = state.store.try_write(|transaction| {
        if !listing::organization_visible(transaction, &principal, organization_id)? {
            return Err(ApiError::RecordNotFound);
        }
        checklist_templates::instantiate(
            transaction,
            &principal,
            template_id,
            organization_id,
            name.as_deref(),
            due_date.as_deref(),
        )
    })?;
    let query = QueryParams::parse(Some("include=checklist_tasks"));
    Ok((
        StatusCode::CREATED,
        Json(many(&state, &principal, &[id], false, &query)?),
    ))
}

async fn update(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    RecordPath { id, parent }: RecordPath,
    OriginalUri(uri): OriginalUri,
    JsonBody(body): JsonBody,
) -> Result<Json<Document>, ApiError> {
    patch_one(&state, &principal, id, parent, &uri, &body)
}

fn patch_one(
    state: &AppState,
    principal: &Principal,
    id: i64,
    organization_id: Option<i64>,
    uri: &Uri,
    body: &Value,
) -> Result<Json<Document>, ApiError> {
    principal.require_write()?;
    let item = body::single(body)?;
    body::expect_type(std::slice::from_ref(&item), TYPE_NAME)?;
    state.store.try_write(|transaction| {
        update_one(
            transaction,
            principal,
            id,
            organization_id,
            &item.attributes,
        )
    })?;
    one(state, principal, id, organization_id, uri)
}

async fn bulk_update(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    JsonBody(body): JsonBody,
) -> Result<Json<Document>, ApiError> {
    patch_many(&state, &principal, None, &body)
}

async fn nested_bulk_update(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(organization_id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Document>, ApiError> {
    patch_many(&state, &principal, Some(path_id(&organization_id)?), &body)
}

fn patch_many(
    state: &AppState,
    principal: &Principal,
    organization_id: Option<i64>,
    body: &Value,
) -> Result<Json<Document>, ApiError> {
    principal.require_write()?;
    let (items, _) = body::items(body)?;
    body::expect_type(&items, TYPE_NAME)?;
    let ids = body::bulk_ids(&items)?;
    state.store.try_write(|transaction| {
        ids.iter().zip(&items).try_for_each(|(id, item)| {
            update_one(
                transaction,
                principal,
                *id,
                organization_id,
                &item.attributes,
            )
        })
    })?;
    Ok(Json(many(
        state,
        principal,
        &ids,
        true,
        &QueryParams::default(),
    )?))
}

async fn bulk_delete(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    JsonBody(body): JsonBody,
) -> Result<Json<Document>, ApiError> {
    delete_many(&state, &principal, None, &body)
}

async fn nested_bulk_delete(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(organization_id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Document>, ApiError> {
    delete_many(&state, &principal, Some(path_id(&organization_id)?), &body)
}

fn delete_many(
    state: &AppState,
    principal: &Principal,
    organization_id: Option<i64>,
    body: &Value,
) -> Result<Json<Document>, ApiError> {
    principal.require_delete()?;
    let (items, _) = body::items(body)?;
    body::expect_type(&items, TYPE_NAME)?;
    let ids = body::bulk_ids(&items)?;
    let document = many(state, principal, &ids, true, &QueryParams::default())?;
    state.store.try_write(|transaction| {
        ids.iter()
            .try_for_each(|id| delete_one(transaction, principal, *id, organization_id))
    })?;
    Ok(Json(document))
}
