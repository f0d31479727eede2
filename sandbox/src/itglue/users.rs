//! Users: `/users[/{id}]`. GET, and PATCH of `first_name`, `last_name` and `avatar` only
//! (other attributes are ignored); users cannot be created or deleted through the API.
//! A user JWT may edit its own user; editing others takes an Administrator or Manager.

use axum::Json;
use axum::Router;
use axum::extract::{Extension, OriginalUri, Path, State};
use axum::routing::get;
use rusqlite::{Connection, Row, params};
use serde::Serialize;

use super::access::Principal;
use super::attachments;
use super::body::{self, JsonBody};
use super::jsonapi::{self, ApiError, Document, Resource};
use super::listing::{self, Included, now, path_id};
use super::query::QueryParams;
use crate::state::AppState;
use crate::store::sql::Conditions;

pub const KIND: &str = "users";
const TYPE_NAME: &str = "users";
/// Avatars are kept as attachments of this pseudo-kind.
const AVATAR_OWNER: &str = "User Avatar";
const FROM: &str = "itglue_users u";
const COLUMNS: &str =
    "u.id, u.first_name, u.last_name, u.role_name, u.email, u.avatar, u.invitation_sent_at,
    u.invitation_accepted_at, u.current_sign_in_at, u.current_sign_in_ip, u.last_sign_in_at,
    u.last_sign_in_ip, u.reputation, u.created_at, u.updated_at";
const FULL_NAME: &str = "(u.first_name || ' ' || u.last_name)";
const SORTABLE: &[(&str, &str)] = &[
    ("name", FULL_NAME),
    ("email", "u.email"),
    ("reputation", "u.reputation"),
    ("id", "u.id"),
    ("created_at", "u.created_at"),
    ("updated_at", "u.updated_at"),
];

pub struct User {
    id: i64,
    first_name: String,
    last_name: String,
    role_name: String,
    email: String,
    avatar: Option<String>,
    invitation_sent_at: Option<String>,
    invitation_accepted_at: Option<String>,
    current_sign_in_at: Option<String>,
    current_sign_in_ip: Option<String>,
    last_sign_in_at: Option<String>,
    last_sign_in_ip: Option<String>,
    reputation: i64,
    created_at: String,
    updated_at: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct UserAttributes<'a> {
    first_name: &'a str,
    last_name: &'a str,
    role_name: &'a str,
    email: &'a str,
    avatar: Option<&'a str>,
    invitation_sent_at: Option<&'a str>,
    invitation_accepted_at: Option<&'a str>,
    current_sign_in_at: Option<&'a str>,
    current_sign_in_ip: Option<&'a str>,
    last_sign_in_at: Option<&'a str>,
    last_sign_in_ip: Option<&'a str>,
    reputation: i64,
    my_glue: bool,
    my_glue_account_id: Option<i64>,
    created_at: &'a str,
    updated_at: &'a str,
}

impl User {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            first_name: row.get(1)?,
            last_name: row.get(2)?,
            role_name: row.get(3)?,
            email: row.get(4)?,
            avatar: row.get(5)?,
            invitation_sent_at: row.get(6)?,
            invitation_accepted_at: row.get(7)?,
            current_sign_in_at: row.get(8)?,
            current_sign_in_ip: row.get(9)?,
            last_sign_in_at: row.get(10)?,
            last_sign_in_ip: row.get(11)?,
            reputation: row.get(12)?,
            created_at: row.get(13)?,
            updated_at: row.get(14)?,
        })
    }

    pub fn to_resource(&self) -> Result<Resource, ApiError> {
        Resource::new(
            self.id,
            KIND,
            &UserAttributes {
                first_name: &self.first_name,
                last_name: &self.last_name,
                role_name: &self.role_name,
                email: &self.email,
                avatar: self.avatar.as_deref(),
                invitation_sent_at: self.invitation_sent_at.as_deref(),
                invitation_accepted_at: self.invitation_accepted_at.as_deref(),
                current_sign_in_at: self.current_sign_in_at.as_deref(),
                current_sign_in_ip: self.current_sign_in_ip.as_deref(),
                last_sign_in_at: self.last_sign_in_at.as_deref(),
                last_sign_in_ip: self.last_sign_in_ip.as_deref(),
                reputation: self.reputation,
                my_glue: false,
                my_glue_account_id: None,
                created_at: &self.created_at,
                updated_at: &self.updated_at,
            },
        )
    }
}

pub fn find(connection: &Connection, id: i64) -> rusqlite::Result<Option<User>> {
    let mut conditions = Conditions::new();
    conditions.push("u.id = ?", &[id]);
    let (_, mut found) = listing::select_page(
        connection,
        COLUMNS,
        FROM,
        &conditions,
        "",
        None,
        User::from_row,
    )?;
    Ok(found.pop())
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/users", get(index))
        .route("/users/{id}", get(show).patch(update))
}

async fn index(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Document>, ApiError> {
    let query = QueryParams::parse(uri.query());
    let order = listing::order(&query, SORTABLE, "u.id")?;
    let mut conditions = Conditions::new();
    for (name, column) in [
        ("id", "u.id"),
        ("name", FULL_NAME),
        ("email", "u.email"),
        ("role_name", "u.role_name"),
    ] {
        if let Some(values) = query.filters.get(name) {
            conditions.any_of(column, values);
        }
    }
    if query.filters.get("salesforce_id").is_some() {
        // No sandbox user has a Salesforce id, so this known filter matches nobody.
        conditions.push("0", &[] as &[i64]);
    }
    let (total, users) = state.store.read(|connection| {
        listing::select_page(
            connection,
            COLUMNS,
            FROM,
            &conditions,
            &order,
            Some(query.page),
            User::from_row,
        )
    })?;
    let resources = users
        .iter()
        .map(User::to_resource)
        .collect::<Result<_, _>>()?;
    Ok(Json(listing::page_document(
        &state,
        &uri,
        &query,
        total,
        resources,
        Included::new(&query),
    )))
}

async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Document>, ApiError> {
    let id = path_id(&id)?;
    let user = state
        .store
        .read(|connection| find(connection, id))?
        .ok_or(ApiError::RecordNotFound)?;
    Ok(Json(jsonapi::single(user.to_resource()?, None)))
}

async fn update(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Document>, ApiError> {
    let id = path_id(&id)?;
    if principal.user_id() != Some(id) {
        principal.require_manage()?;
    }
    let item = body::single(&body)?;
    body::expect_type(std::slice::from_ref(&item), TYPE_NAME)?;
    let attributes = &item.attributes;
    let user = state.store.try_write(|transaction| {
        let user = find(transaction, id)?.ok_or(ApiError::RecordNotFound)?;
        let first_name = if attributes.contains("first_name") { attributes.required_text("first_name")? } else { user.first_name };
        let last_name = if attributes.contains("last_name") { attributes.required_text("last_name")? } else { user.last_name };
        let mut avatar = user.avatar;
        if let Some(upload) = attributes.get("avatar") {
            attachments::forget(transaction, AVATAR_OWNER, id)?;
            avatar = if upload.is_null() {
                None
            } else {
                let (file_name, bytes) = attachments::upload_from_json(upload, &body::pointer("avatar"))?;
                let attachment_id = attachments::store(transaction, AVATAR_OWNER, id, &file_name, &bytes)?;
                Some(attachments::download_url(&state, attachment_id))
            };
        }
        transaction.execute(
            "UPDATE itglue_users SET first_name = ?2, last_name = ?3, avatar = ?4, updated_at = ?5 WHERE id = ?1",
            params![id, first_name, last_name, avatar, now()],
        )?;
        find(transaction, id)?.ok_or(ApiError::RecordNotFound)
    })?;
    Ok(Json(jsonapi::single(user.to_resource()?, None)))
}
