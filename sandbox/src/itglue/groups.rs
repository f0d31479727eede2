//! Groups: `/groups[/{id}]`, GET, POST, PATCH (also bulk) and DELETE.
//!
//! `accounts_user_ids` replaces the whole member list ("HAS to include all the users that
//! are in the group"). Organization access is set with `relationships.organizations`
//! (also on PATCH in the sandbox), and `relationships.users` is another way to name the
//! members on POST. `include=users` lists the members.

use axum::Json;
use axum::Router;
use axum::extract::{Extension, OriginalUri, Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use rusqlite::{Connection, Row, params};
use serde::Serialize;
use serde_json::Value;

use super::access::Principal;
use super::body::{self, Item, JsonBody, integer_value, pointer};
use super::jsonapi::{self, ApiError, Document, Resource};
use super::listing::{self, Included, now, path_id};
use super::query::QueryParams;
use super::users;
use crate::state::AppState;
use crate::store::sql::Conditions;

const KIND: &str = "groups";
const TYPE_NAME: &str = "groups";
const FROM: &str = "itglue_groups g";
const COLUMNS: &str =
    "g.id, g.name, g.created_at, g.updated_at, g.description, g.hide_from_my_glue";
const SORTABLE: &[(&str, &str)] = &[("name", "g.name")];

struct Group {
    id: i64,
    name: String,
    created_at: String,
    updated_at: String,
    description: Option<String>,
    hide_from_my_glue: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct GroupAttributes<'a> {
    name: &'a str,
    created_at: &'a str,
    updated_at: &'a str,
    description: Option<&'a str>,
    my_glue: bool,
    my_glue_account_id: Option<i64>,
    hide_from_my_glue: bool,
}

impl Group {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            name: row.get(1)?,
            created_at: row.get(2)?,
            updated_at: row.get(3)?,
            description: row.get(4)?,
            hide_from_my_glue: row.get(5)?,
        })
    }

    fn to_resource(&self) -> Result<Resource, ApiError> {
        Resource::new(
            self.id,
            KIND,
            &GroupAttributes {
                name: &self.name,
                created_at: &self.created_at,
                updated_at: &self.updated_at,
                description: self.description.as_deref(),
                my_glue: false,
                my_glue_account_id: None,
                hide_from_my_glue: self.hide_from_my_glue,
            },
        )
    }
}

fn find(connection: &Connection, id: i64) -> rusqlite::Result<Option<Group>> {
    let mut conditions = Conditions::new();
    conditions.push("g.id = ?", &[id]);
    let (_, mut found) = listing::select_page(
        connection,
        COLUMNS,
        FROM,
        &conditions,
        "",
        None,
        Group::from_row,
    )?;
    Ok(found.pop())
}

fn member_ids(connection: &Connection, group_id: i64) -> rusqlite::Result<Vec<i64>> {
    let mut statement = connection
        .prepare("SELECT user_id FROM itglue_group_users WHERE group_id = ? ORDER BY user_id")?;
    let ids = statement.query_map([group_id], |row| row.get(0))?;
    ids.collect()
}

fn render(
    connection: &Connection,
    query: &QueryParams,
    groups: &[Group],
    included: &mut Included,
) -> Result<Vec<Resource>, ApiError> {
    groups
        .iter()
        .map(|group| {
            let mut resource = group.to_resource()?;
            if query.includes("users") {
                let mut members = Vec::new();
                for id in member_ids(connection, group.id)? {
                    if let Some(user) = users::find(connection, id)? {
                        members.push(user.to_resource()?);
                        included.add(users::KIND, id, || user.to_resource())?;
                    }
                }
                resource.relate_many("users", &members.iter().collect::<Vec<_>>());
            }
            Ok(resource)
        })
        .collect()
}

/// Ids from `accounts_user_ids` (an array) or `relationships.<name>.data[{id}]`.
fn id_list(value: &Value, at: &str) -> Result<Vec<i64>, ApiError> {
    let items = value
        .as_array()
        .ok_or_else(|| ApiError::unprocessable("must be an array of ids", at))?;
    items
        .iter()
        .map(|item| {
            item.get("id")
                .map_or_else(|| integer_value(item), integer_value)
                .ok_or_else(|| ApiError::unprocessable("must be an array of ids", at))
        })
        .collect()
}

/// Writes the member list and organization access a request names; each replaces the
/// old one.
fn write_links(connection: &Connection, id: i64, item: &Item<'_>) -> Result<(), ApiError> {
    let members = match (
        item.attributes.get("accounts_user_ids"),
        item.relationship_data("users"),
    ) {
        (Some(value), _) => Some(id_list(value, &pointer("accounts_user_ids"))?),
        (None, Some(data)) => Some(id_list(data, "/data/relationships/users/data")?),
        (None, None) => None,
    };
    if let Some(members) = members {
        connection.execute("DELETE FROM itglue_group_users WHERE group_id = ?", [id])?;
        for user_id in members {
            if users::find(connection, user_id)?.is_none() {
                return Err(ApiError::unprocessable(
                    format!("user {user_id} does not exist"),
                    pointer("accounts_user_ids"),
                ));
            }
            connection.execute(
                "INSERT OR IGNORE INTO itglue_group_users (group_id, user_id) VALUES (?1, ?2)",
                params![id, user_id],
            )?;
        }
    }
    if let Some(data) = item.relationship_data("organizations") {
        let organizations = id_list(data, "/data/relationships/organizations/data")?;
        connection.execute(
            "DELETE FROM itglue_group_organizations WHERE group_id = ?",
            [id],
        )?;
        for organization_id in organizations {
            connection.execute(
                "INSERT OR IGNORE INTO itglue_group_organizations (group_id, organization_id) VALUES (?1, ?2)",
                params![id, organization_id],
            )?;
        }
    }
    Ok(())
}

fn create_one(connection: &Connection, item: &Item<'_>) -> Result<i64, ApiError> {
    let name = item.attributes.required_text("name")?;
    let stamp = now();
    connection.execute(
        "INSERT INTO itglue_groups (name, description, hide_from_my_glue, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)",
        params![
            name,
            item.attributes.text("description")?.flatten(),
            item.attributes.flag("hide_from_my_glue")?.unwrap_or(false),
            stamp
        ],
    )?;
    let id = connection.last_insert_rowid();
    write_links(connection, id, item)?;
    Ok(id)
}

fn update_one(connection: &Connection, id: i64, item: &Item<'_>) -> Result<(), ApiError> {
    let group = find(connection, id)?.ok_or(ApiError::RecordNotFound)?;
    let attributes = &item.attributes;
    let name = if attributes.contains("name") {
        attributes.required_text("name")?
    } else {
        group.name
    };
    connection.execute(
        "UPDATE itglue_groups SET name = ?2, description = ?3, hide_from_my_glue = ?4, updated_at = ?5 WHERE id = ?1",
        params![
            id,
            name,
            attributes.text("description")?.unwrap_or(group.description),
            attributes.flag("hide_from_my_glue")?.unwrap_or(group.hide_from_my_glue),
            now()
        ],
    )?;
    write_links(connection, id, item)
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/groups", get(index).post(create).patch(bulk_update))
        .route("/groups/{id}", get(show).patch(update).delete(destroy))
}

fn respond(
    state: &AppState,
    ids: &[i64],
    bulk: bool,
    query: &QueryParams,
) -> Result<Document, ApiError> {
    let mut included = Included::new(query);
    let mut resources = state.store.read(|connection| {
        let mut groups = Vec::new();
        for id in ids {
            groups.extend(find(connection, *id)?);
        }
        Ok(render(connection, query, &groups, &mut included))
    })??;
    Ok(match resources.pop() {
        Some(resource) if !bulk => jsonapi::single(resource, included.finish()),
        last => {
            resources.extend(last);
            jsonapi::bulk(resources)
        }
    })
}

async fn index(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Document>, ApiError> {
    let query = QueryParams::parse(uri.query());
    let order = listing::order(&query, SORTABLE, "g.id")?;
    let mut conditions = Conditions::new();
    if let Some(names) = query.filters.get("name") {
        conditions.any_of("g.name", names);
    }
    let mut included = Included::new(&query);
    let (total, resources) = state.store.read(|connection| {
        let (total, groups) = listing::select_page(
            connection,
            COLUMNS,
            FROM,
            &conditions,
            &order,
            Some(query.page),
            Group::from_row,
        )?;
        Ok((total, render(connection, &query, &groups, &mut included)))
    })?;
    Ok(Json(listing::page_document(
        &state, &uri, &query, total, resources?, included,
    )))
}

async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Document>, ApiError> {
    let id = path_id(&id)?;
    if state
        .store
        .read(|connection| find(connection, id))?
        .is_none()
    {
        return Err(ApiError::RecordNotFound);
    }
    Ok(Json(respond(
        &state,
        &[id],
        false,
        &QueryParams::parse(uri.query()),
    )?))
}

async fn create(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<Document>), ApiError> {
    principal.require_manage()?;
    let item = body::single(&body)?;
    body::expect_type(std::slice::from_ref(&item), TYPE_NAME)?;
    let id = state
        .store
        .try_write(|transaction| create_one(transaction, &item))?;
    Ok((
        StatusCode::CREATED,
        Json(respond(&state, &[id], false, &QueryParams::default())?),
    ))
}

async fn update(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    OriginalUri(uri): OriginalUri,
    JsonBody(body): JsonBody,
) -> Result<Json<Document>, ApiError> {
    principal.require_manage()?;
    let id = path_id(&id)?;
    let item = body::single(&body)?;
    body::expect_type(std::slice::from_ref(&item), TYPE_NAME)?;
    state
        .store
        .try_write(|transaction| update_one(transaction, id, &item))?;
    Ok(Json(respond(
        &state,
        &[id],
        false,
        &QueryParams::parse(uri.query()),
    )?))
}

async fn bulk_update(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    JsonBody(body): JsonBody,
) -> Result<Json<Document>, ApiError> {
    principal.require_manage()?;
    let (items, _) = body::items(&body)?;
    body::expect_type(&items, TYPE_NAME)?;
    let ids = body::bulk_ids(&items)?;
    state.store.try_write(|transaction| {
        ids.iter()
            .zip(&items)
            .try_for_each(|(id, item)| update_one(transaction, *id, item))
    })?;
    Ok(Json(respond(&state, &ids, true, &QueryParams::default())?))
}

async fn destroy(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    principal.require_manage()?;
    let id = path_id(&id)?;
    state.store.try_write(|transaction| {
        find(transaction, id)?.ok_or(ApiError::RecordNotFound)?;
        transaction.execute("DELETE FROM itglue_groups WHERE id = ?", [id])?;
        transaction.execute(
            "DELETE FROM itglue_resource_accesses WHERE accessor_type = 'Group' AND accessor_id = ?",
            [id],
        )?;
        Ok::<_, ApiError>(())
    })?;
    Ok(StatusCode::NO_CONTENT)
}
