//! Checklist templates: `/checklist_templates[/{id}]`, read-only, with
//! `include=checklist_tasks`. Sandbox-specific: the public API has no templates route;
//! the sandbox offers one because the BMS integration instantiates templates (see
//! `POST /organizations/{id}/relationships/checklists`). A template with no organization
//! is account-wide.

use axum::Json;
use axum::Router;
use axum::extract::{Extension, OriginalUri, Path, State};
use axum::routing::get;
use rusqlite::{Connection, Row, params};
use serde::Serialize;

use super::access::Principal;
use super::jsonapi::{self, ApiError, Document, Resource};
use super::listing::{self, Included, now, path_id};
use super::query::QueryParams;
use crate::state::AppState;
use crate::store::sql::Conditions;

const KIND: &str = "checklist-templates";
const TASK_KIND: &str = "checklist-template-tasks";
pub const INCLUDE_TASKS: &str = "checklist_tasks";
pub const TASKS_RELATIONSHIP: &str = "checklist-tasks";
const FROM: &str = "itglue_checklist_templates t";
const COLUMNS: &str = "t.id, t.organization_id, t.name, t.description, t.created_at, t.updated_at,
    (SELECT COUNT(*) FROM itglue_checklist_template_tasks k WHERE k.checklist_template_id = t.id)";
const SORTABLE: &[(&str, &str)] = &[
    ("name", "t.name"),
    ("id", "t.id"),
    ("created_at", "t.created_at"),
    ("updated_at", "t.updated_at"),
];

struct Template {
    id: i64,
    organization_id: Option<i64>,
    name: String,
    description: Option<String>,
    created_at: String,
    updated_at: String,
    task_count: i64,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct TemplateAttributes<'a> {
    organization_id: Option<i64>,
    name: &'a str,
    description: Option<&'a str>,
    task_count: i64,
    created_at: &'a str,
    updated_at: &'a str,
}

struct TemplateTask {
    id: i64,
    name: String,
    description: Option<String>,
    order: i64,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct TemplateTaskAttributes<'a> {
    name: &'a str,
    description: Option<&'a str>,
    order: i64,
}

impl Template {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            organization_id: row.get(1)?,
            name: row.get(2)?,
            description: row.get(3)?,
            created_at: row.get(4)?,
            updated_at: row.get(5)?,
            task_count: row.get(6)?,
        })
    }

    fn to_resource(&self) -> Result<Resource, ApiError> {
        Resource::new(
            self.id,
            KIND,
            &TemplateAttributes {
                organization_id: self.organization_id,
                name: &self.name,
                description: self.description.as_deref(),
                task_count: self.task_count,
                created_at: &self.created_at,
                updated_at: &self.updated_at,
            },
        )
    }
}

impl TemplateTask {
    fn to_resource(&self) -> Result<Resource, ApiError> {
        Resource::new(
            self.id,
            TASK_KIND,
            &TemplateTaskAttributes {
                name: &self.name,
                description: self.description.as_deref(),
                order: self.order,
            },
        )
    }
}

fn tasks(connection: &Connection, template_id: i64) -> rusqlite::Result<Vec<TemplateTask>> {
    let mut statement = connection.prepare(
        "SELECT id, name, description, sort_order
         FROM itglue_checklist_template_tasks WHERE checklist_template_id = ? ORDER BY sort_order, id",
    )?;
    let rows = statement.query_map([template_id], |row| {
        Ok(TemplateTask {
            id: row.get(0)?,
            name: row.get(1)?,
            description: row.get(2)?,
            order: row.get(3)?,
        })
    })?;
    rows.collect()
}

/// Account-wide templates, plus those of organizations the caller may see.
fn visible(principal: &Principal, conditions: &mut Conditions) {
    if let Some(ids) = principal.visible_org_ids() {
        let mut ids: Vec<i64> = ids.iter().copied().collect();
        ids.sort_unstable();
        let placeholders = crate::store::sql::placeholders(ids.len());
        conditions.push(
            &format!("t.organization_id IS NULL OR t.organization_id IN ({placeholders})"),
            &ids,
        );
    }
}

fn find(
    connection: &Connection,
    principal: &Principal,
    id: i64,
) -> rusqlite::Result<Option<Template>> {
    let mut conditions = Conditions::new();
    conditions.push("t.id = ?", &[id]);
    visible(principal, &mut conditions);
    let (_, mut found) = listing::select_page(
        connection,
        COLUMNS,
        FROM,
        &conditions,
        "",
        None,
        Template::from_row,
    )?;
    Ok(found.pop())
}

/// Creates a checklist in an organization from a template, copying its tasks.
pub fn instantiate(
    connection: &Connection,
    principal: &Principal,
    template_id: i64,
    organization_id: i64,
    name: Option<&str>,
    due_date: Option<&str>,
) -> Result<i64, ApiError> {
    let template = find(connection, principal, template_id)?
        .filter(|template| {
            template
                .organization_id
                .is_none_or(|owner| owner == organization_id)
        })
        .ok_or_else(|| {
            ApiError::unprocessable(
                "must be a template of this organization or the account",
                "/data/attributes/checklist-template-id",
            )
        })?;
    let stamp = now();
    connection.execute(
        "INSERT INTO itglue_checklists
           (organization_id, checklist_template_id, name, description, due_date, restricted, archived, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 0, 0, ?6, ?6)",
        params![organization_id, template.id, name.unwrap_or(&template.name), template.description, due_date, stamp],
    )?;
    let checklist_id = connection.last_insert_rowid();
    for task in tasks(connection, template.id)? {
        connection.execute(
            "INSERT INTO itglue_checklist_tasks (checklist_id, name, description, sort_order, completed)
             VALUES (?1, ?2, ?3, ?4, 0)",
            params![checklist_id, task.name, task.description, task.order],
        )?;
    }
    Ok(checklist_id)
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/checklist_templates", get(index))
        .route("/checklist_templates/{id}", get(show))
}

fn render(
    connection: &Connection,
    query: &QueryParams,
    templates: &[Template],
    included: &mut Included,
) -> Result<Vec<Resource>, ApiError> {
    templates
        .iter()
        .map(|template| {
            let mut resource = template.to_resource()?;
            if query.includes(INCLUDE_TASKS) {
                let tasks = tasks(connection, template.id)?;
                let related = tasks
                    .iter()
                    .map(TemplateTask::to_resource)
                    .collect::<Result<Vec<_>, _>>()?;
                resource.relate_many(TASKS_RELATIONSHIP, &related.iter().collect::<Vec<_>>());
                for task in &tasks {
                    included.add(TASK_KIND, task.id, || task.to_resource())?;
                }
            }
            Ok(resource)
        })
        .collect()
}

async fn index(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Document>, ApiError> {
    let query = QueryParams::parse(uri.query());
    let order = listing::order(&query, SORTABLE, "t.id")?;
    let mut conditions = Conditions::new();
    for (name, column) in [
        ("id", "t.id"),
        ("name", "t.name"),
        ("organization_id", "t.organization_id"),
    ] {
        if let Some(values) = query.filters.get(name) {
            conditions.any_of(column, values);
        }
    }
    visible(&principal, &mut conditions);
    let mut included = Included::new(&query);
    let (total, resources) = state.store.read(|connection| {
        let (total, templates) = listing::select_page(
            connection,
            COLUMNS,
            FROM,
            &conditions,
            &order,
            Some(query.page),
            Template::from_row,
        )?;
        Ok((total, render(connection, &query, &templates, &mut included)))
    })?;
    Ok(Json(listing::page_document(
        &state, &uri, &query, total, resources?, included,
    )))
}

async fn show(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Document>, ApiError> {
    let id = path_id(&id)?;
    let query = QueryParams::parse(uri.query());
    let mut included = Included::new(&query);
    let mut resources = state
        .store
        .read(|connection| {
            let found = find(connection, &principal, id)?;
            Ok(found.map(|template| render(connection, &query, &[template], &mut included)))
        })?
        .ok_or(ApiError::RecordNotFound)??;
    let resource = resources.pop().ok_or(ApiError::RecordNotFound)?;
    Ok(Json(jsonapi::single(resource, included.finish())))
}
