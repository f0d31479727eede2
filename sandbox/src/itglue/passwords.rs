//! Passwords: `/passwords[/{id}]` and `/organizations/{id}/relationships/passwords[/{id}]`.
//!
//! The value (`password`) follows the field evidence:
//! - lists never carry it, even with `show_password=true`;
//! - show carries it unless `show_password=false`, POST and PATCH only with
//!   `show_password=true`;
//! - it needs "Password Access" on the key or the user; a vaulted password also needs a
//!   user who unlocked the vault (API keys never read vaults). Without the right the
//!   attribute is left out rather than nulled, so "no value" and "hidden" stay distinct.
//!
//! The OTP secret is write-only (`otp_secret` or `otpSecret`); reads show `otp-enabled`.
//! `version_id` on show returns an earlier revision.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Extension, OriginalUri, Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

use super::access::{Principal, Scope};
use super::attachments;
use super::body::{self, Attributes, Item, JsonBody, pointer};
use super::jsonapi::{self, ApiError, Document, Resource};
use super::listing::{self, Included, RecordPath, now, path_id};
use super::password_categories;
use super::query::QueryParams;
use super::records::{self, PASSWORD};
use super::related_items;
use crate::state::AppState;
use crate::store::sql::Conditions;

const KIND: &str = "passwords";
const TYPE_NAME: &str = "passwords";

const FROM: &str = "itglue_passwords p
    LEFT JOIN itglue_organizations o ON o.id = p.organization_id
    LEFT JOIN itglue_password_categories c ON c.id = p.password_category_id";
const COLUMNS: &str = "p.id, p.organization_id, o.name, p.restricted, p.password_folder_id, p.name,
    p.autofill_selectors, p.username, p.password, COALESCE(p.otp_secret, '') <> '', p.url, p.notes,
    p.password_updated_at, p.updated_by, p.updated_by_type, p.resource_id, p.resource_type,
    p.cached_resource_type_name, p.cached_resource_name, p.password_category_id, c.name,
    p.vault_id, p.personal, p.archived, p.created_at, p.updated_at, p.is_live";
const SCOPE: Scope = Scope {
    resource_type: PASSWORD.name,
    id_column: "p.id",
    org_column: "p.organization_id",
    restricted_column: Some("p.restricted"),
};
const SORTABLE: &[(&str, &str)] = &[
    ("name", "p.name"),
    ("username", "p.username"),
    ("url", "p.url"),
    ("id", "p.id"),
    ("created_at", "p.created_at"),
    ("updated_at", "p.updated_at"),
];
const EXACT_FILTERS: &[(&str, &str)] = &[
    ("id", "p.id"),
    ("name", "p.name"),
    ("organization_id", "p.organization_id"),
    ("password_category_id", "p.password_category_id"),
    ("password_folder_id", "p.password_folder_id"),
    ("url", "p.url"),
    ("cached_resource_name", "p.cached_resource_name"),
];

#[derive(Debug, Clone)]
struct Password {
    id: i64,
    organization_id: i64,
    organization_name: Option<String>,
    restricted: bool,
    folder_id: Option<i64>,
    name: String,
    autofill_selectors: Option<String>,
    username: Option<String>,
    value: String,
    otp_enabled: bool,
    url: Option<String>,
    notes: Option<String>,
    password_updated_at: Option<String>,
    updated_by: Option<i64>,
    updated_by_type: Option<String>,
    resource_id: Option<i64>,
    resource_type: Option<String>,
    cached_resource_type_name: Option<String>,
    cached_resource_name: Option<String>,
    category_id: Option<i64>,
    category_name: Option<String>,
    vault_id: Option<i64>,
    personal: bool,
    archived: bool,
    created_at: String,
    updated_at: String,
    is_live: bool,
}

/// How a password is being shown.
#[derive(Debug, Clone, Copy)]
struct View {
    /// Show the value if the caller may read it.
    with_value: bool,
    /// Show-only attributes (`is-live`).
    detail: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct PasswordAttributes<'a> {
    organization_id: i64,
    organization_name: Option<&'a str>,
    resource_url: String,
    restricted: bool,
    my_glue: bool,
    password_folder_id: Option<i64>,
    name: &'a str,
    autofill_selectors: Option<&'a str>,
    username: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    password: Option<&'a str>,
    otp_enabled: bool,
    url: Option<&'a str>,
    notes: Option<&'a str>,
    password_updated_at: Option<&'a str>,
    updated_by: Option<i64>,
    updated_by_type: Option<&'a str>,
    resource_id: Option<i64>,
    resource_type: Option<&'a str>,
    cached_resource_type_name: Option<&'a str>,
    cached_resource_name: Option<&'a str>,
    password_category_id: Option<i64>,
    password_category_name: Option<&'a str>,
    vault_id: Option<i64>,
    personal: bool,
    archived: bool,
    created_at: &'a str,
    updated_at: &'a str,
    parent_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    is_live: Option<bool>,
}

impl Password {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            organization_id: row.get(1)?,
            organization_name: row.get(2)?,
            restricted: row.get(3)?,
            folder_id: row.get(4)?,
            name: row.get(5)?,
            autofill_selectors: row.get(6)?,
            username: row.get(7)?,
            value: row.get(8)?,
            otp_enabled: row.get(9)?,
            url: row.get(10)?,
            notes: row.get(11)?,
            password_updated_at: row.get(12)?,
            updated_by: row.get(13)?,
            updated_by_type: row.get(14)?,
            resource_id: row.get(15)?,
            resource_type: row.get(16)?,
            cached_resource_type_name: row.get(17)?,
            cached_resource_name: row.get(18)?,
            category_id: row.get(19)?,
            category_name: row.get(20)?,
            vault_id: row.get(21)?,
            personal: row.get(22)?,
            archived: row.get(23)?,
            created_at: row.get(24)?,
            updated_at: row.get(25)?,
            is_live: row.get(26)?,
        })
    }

    fn to_resource(
        &self,
        connection: &Connection,
        state: &AppState,
        principal: &Principal,
        view: View,
    ) -> Result<Resource, ApiError> {
        let readable = view.with_value && principal.may_read_password(self.vault_id.is_some());
        let parent_url = match (
            self.resource_type
                .as_deref()
                .and_then(records::password_parent),
            self.resource_id,
        ) {
            (Some(kind), Some(id)) => {
                records::lookup(connection, kind, id)?.map(|record| record.url(state, kind))
            }
            _ => None,
        };
        let attributes = PasswordAttributes {
            organization_id: self.organization_id,
            organization_name: self.organization_name.as_deref(),
            resource_url: format!(
                "{}/{}/passwords/{}",
                state.urls.itglue_web, self.organization_id, self.id
            ),
            restricted: self.restricted,
            my_glue: false,
            password_folder_id: self.folder_id,
            name: &self.name,
            autofill_selectors: self.autofill_selectors.as_deref(),
            username: self.username.as_deref(),
            password: readable.then_some(self.value.as_str()),
            otp_enabled: self.otp_enabled,
            url: self.url.as_deref(),
            notes: self.notes.as_deref(),
            password_updated_at: self.password_updated_at.as_deref(),
            updated_by: self.updated_by,
            updated_by_type: self.updated_by_type.as_deref(),
            resource_id: self.resource_id,
            resource_type: self.resource_type.as_deref(),
            cached_resource_type_name: self.cached_resource_type_name.as_deref(),
            cached_resource_name: self.cached_resource_name.as_deref(),
            password_category_id: self.category_id,
            password_category_name: self.category_name.as_deref(),
            vault_id: self.vault_id,
            personal: self.personal,
            archived: self.archived,
            created_at: &self.created_at,
            updated_at: &self.updated_at,
            parent_url,
            is_live: view.detail.then_some(self.is_live),
        };
        Resource::new(self.id, KIND, &attributes)
    }

    /// Overlays an earlier revision's values.
    fn at_version(mut self, connection: &Connection, version_id: i64) -> Result<Self, ApiError> {
        let version = connection
            .query_row(
                "SELECT name, username, password, url, notes, updated_at
                 FROM itglue_password_versions WHERE id = ?1 AND password_id = ?2",
                params![version_id, self.id],
                |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, Option<String>>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, Option<String>>(3)?,
                        row.get::<_, Option<String>>(4)?,
                        row.get::<_, String>(5)?,
                    ))
                },
            )
            .optional()?
            .ok_or(ApiError::RecordNotFound)?;
        (
            self.name,
            self.username,
            self.value,
            self.url,
            self.notes,
            self.updated_at,
        ) = version;
        Ok(self)
    }
}

/// Organization and restriction scope, plus personal passwords: only their owner sees
/// them (an API key sees none).
fn scoped(principal: &Principal) -> Conditions {
    let mut conditions = Conditions::new();
    principal.scope(&mut conditions, SCOPE);
    match principal.user_id() {
        Some(user_id) => conditions.push("p.personal = 0 OR p.owner_user_id = ?", &[user_id]),
        None => conditions.push("p.personal = 0", &[] as &[i64]),
    }
    conditions
}

fn select(
    connection: &Connection,
    conditions: &Conditions,
    order: &str,
    page: Option<super::paging::PageRequest>,
) -> rusqlite::Result<(u64, Vec<Password>)> {
    listing::select_page(
        connection,
        COLUMNS,
        FROM,
        conditions,
        order,
        page,
        Password::from_row,
    )
}

fn find(
    connection: &Connection,
    principal: &Principal,
    id: i64,
    organization_id: Option<i64>,
) -> rusqlite::Result<Option<Password>> {
    let mut conditions = scoped(principal);
    conditions.push("p.id = ?", &[id]);
    if let Some(organization_id) = organization_id {
        conditions.push("p.organization_id = ?", &[organization_id]);
    }
    Ok(select(connection, &conditions, "", None)?.1.pop())
}

/// `show_password`: "true" or "false", else the route's default.
fn show_password(query: &QueryParams, default: bool) -> bool {
    match query.param("show_password") {
        Some("false" | "0") => false,
        Some("true" | "1") => true,
        _ => default,
    }
}

fn render(
    connection: &Connection,
    state: &AppState,
    principal: &Principal,
    query: &QueryParams,
    passwords: &[Password],
    view: View,
    included: &mut Included,
) -> Result<Vec<Resource>, ApiError> {
    let mut resources = passwords
        .iter()
        .map(|password| {
            Ok((
                password.id,
                password.to_resource(connection, state, principal, view)?,
            ))
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let ids: Vec<i64> = passwords.iter().map(|password| password.id).collect();
    if query.includes(attachments::INCLUDE_NAME) {
        let rows = attachments::for_records(connection, PASSWORD.name, &ids)?;
        attachments::attach(state, &mut resources, &rows, included)?;
    }
    if query.includes(related_items::INCLUDE_NAME) {
        let rows = related_items::for_records(connection, PASSWORD.name, &ids)?;
        related_items::attach(connection, state, &mut resources, &rows, included)?;
    }
    Ok(resources
        .into_iter()
        .map(|(_, resource)| resource)
        .collect())
}

// ------------------------------------------------------------------------------ writing

/// The record an embedded password sits in, with the names cached on the password.
struct Parent {
    kind_name: &'static str,
    id: i64,
    name: Option<String>,
    type_name: String,
}

/// The parent named by a write: absent (keep), `Some(None)` (both null: make the password
/// general) or a record. `resource_id` and `resource_type` come together.
fn parent(
    connection: &Connection,
    attributes: &Attributes,
    organization_id: i64,
) -> Result<Option<Option<Parent>>, ApiError> {
    let id = attributes.integer("resource_id")?;
    let kind = attributes.text("resource_type")?;
    match (id, kind) {
        (None, None) => Ok(None),
        (Some(None), Some(None)) => Ok(Some(None)),
        (Some(Some(id)), Some(Some(kind_name))) => {
            let kind = records::password_parent(&kind_name).ok_or_else(|| {
                ApiError::unprocessable(
                    "is not a type a password can be embedded in",
                    pointer("resource_type"),
                )
            })?;
            let record = records::lookup(connection, kind, id)?
                .filter(|record| record.organization_id == Some(organization_id))
                .ok_or_else(|| {
                    ApiError::unprocessable(
                        "must exist in the password's organization",
                        pointer("resource_id"),
                    )
                })?;
            Ok(Some(Some(Parent {
                kind_name: kind.name,
                id,
                name: record.name,
                type_name: cached_type_name(connection, kind, id)?,
            })))
        }
        _ => Err(ApiError::unprocessable(
            "resource_id and resource_type must be given together",
            pointer("resource_id"),
        )),
    }
}

/// What the UI shows as the parent's type: the flexible asset type for flexible assets,
/// else the kind.
fn cached_type_name(
    connection: &Connection,
    kind: records::Kind,
    id: i64,
) -> rusqlite::Result<String> {
    if kind != records::FLEXIBLE_ASSET {
        return Ok(kind.name.to_owned());
    }
    connection.query_row(
        "SELECT t.name FROM itglue_flexible_assets a
         JOIN itglue_flexible_asset_types t ON t.id = a.flexible_asset_type_id WHERE a.id = ?",
        [id],
        |row| row.get(0),
    )
}

fn check_folder(
    connection: &Connection,
    folder_id: Option<i64>,
    organization_id: i64,
) -> Result<(), ApiError> {
    let Some(folder_id) = folder_id else {
        return Ok(());
    };
    let owner: Option<i64> = connection
        .query_row(
            "SELECT organization_id FROM itglue_password_folders WHERE id = ?",
            [folder_id],
            |row| row.get(0),
        )
        .optional()?;
    if owner == Some(organization_id) {
        Ok(())
    } else {
        Err(ApiError::unprocessable(
            "must be a folder of the password's organization",
            pointer("password_folder_id"),
        ))
    }
}

fn check_category(connection: &Connection, category_id: Option<i64>) -> Result<(), ApiError> {
    let Some(category_id) = category_id else {
        return Ok(());
    };
    if password_categories::exists(connection, category_id)? {
        Ok(())
    } else {
        Err(ApiError::unprocessable(
            "must exist",
            pointer("password_category_id"),
        ))
    }
}

fn otp_secret(attributes: &Attributes) -> Result<Option<Option<String>>, ApiError> {
    match attributes.get_any(&["otp_secret", "otpSecret"]) {
        None => Ok(None),
        Some(serde_json::Value::Null) => Ok(Some(None)),
        Some(serde_json::Value::String(secret)) => {
            Ok(Some(Some(secret.clone()).filter(|s| !s.is_empty())))
        }
        Some(_) => Err(ApiError::unprocessable(
            "must be a string",
            pointer("otp_secret"),
        )),
    }
}

/// `relationships.password_category` on POST creates the category inline.
fn inline_category(connection: &Connection, item: &Item<'_>) -> Result<Option<i64>, ApiError> {
    let Some(data) = item.relationship_data("password_category") else {
        return Ok(None);
    };
    let name = data
        .get("attributes")
        .and_then(|attributes| attributes.get("name"))
        .and_then(serde_json::Value::as_str)
        .filter(|name| !name.trim().is_empty())
        .ok_or_else(|| {
            ApiError::unprocessable(
                "can't be blank",
                "/data/relationships/password_category/data/attributes/name",
            )
        })?;
    Ok(Some(password_categories::insert(connection, name)?))
}

fn writer(principal: &Principal) -> (Option<i64>, &'static str) {
    (principal.user_id(), "User")
}

fn create_one(
    connection: &Connection,
    principal: &Principal,
    item: &Item<'_>,
    organization_id: Option<i64>,
) -> Result<i64, ApiError> {
    let attributes = &item.attributes;
    let organization_id = organization_id.or(attributes.integer("organization_id")?.flatten());
    let organization_id = listing::organization_for_write(connection, principal, organization_id)?;
    let name = attributes.required_text("name")?;
    let value = attributes
        .text("password")?
        .flatten()
        .ok_or_else(|| ApiError::unprocessable("can't be blank", pointer("password")))?;
    let parent = parent(connection, attributes, organization_id)?.flatten();
    let folder_id = attributes.integer("password_folder_id")?.flatten();
    check_folder(connection, folder_id, organization_id)?;
    let category_id = match inline_category(connection, item)? {
        Some(id) => Some(id),
        None => attributes.integer("password_category_id")?.flatten(),
    };
    check_category(connection, category_id)?;
    let stamp = now();
    let (updated_by, updated_by_type) = writer(principal);
    let text = |name: &str| attributes.text(name).map(Option::flatten);
    connection.execute(
        "INSERT INTO itglue_passwords
           (organization_id, name, username, password, otp_secret, url, notes, autofill_selectors,
            password_category_id, password_folder_id, resource_id, resource_type,
            cached_resource_name, cached_resource_type_name, restricted, archived, is_live,
            updated_by, updated_by_type, owner_user_id, password_updated_at, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
                 ?19, ?18, COALESCE(?20, ?21), ?21, ?21)",
        params![
            organization_id,
            name,
            text("username")?,
            value,
            otp_secret(attributes)?.flatten(),
            text("url")?,
            text("notes")?,
            text("autofill_selectors")?,
            category_id,
            folder_id,
            parent.as_ref().map(|p| p.id),
            parent.as_ref().map(|p| p.kind_name),
            parent.as_ref().and_then(|p| p.name.clone()),
            parent.as_ref().map(|p| p.type_name.clone()),
            attributes.flag("restricted")?.unwrap_or(false),
            attributes.flag("archived")?.unwrap_or(false),
            attributes.flag("is_live")?.unwrap_or(true),
            updated_by,
            updated_by_type,
            text("password_updated_at")?,
            stamp
        ],
    )?;
    Ok(connection.last_insert_rowid())
}

/// Merges a PATCH into a password; the previous values become a revision when any of
/// the versioned ones change.
fn update_one(
    connection: &Connection,
    principal: &Principal,
    id: i64,
    attributes: &Attributes,
    organization_id: Option<i64>,
) -> Result<(), ApiError> {
    let current =
        find(connection, principal, id, organization_id)?.ok_or(ApiError::RecordNotFound)?;
    let mut next = current.clone();
    let text = |name: &str, value: &mut Option<String>| -> Result<(), ApiError> {
        if let Some(new) = attributes.text(name)? {
            *value = new;
        }
        Ok(())
    };
    if attributes.contains("name") {
        next.name = attributes.required_text("name")?;
    }
    if let Some(value) = attributes.text("password")? {
        next.value =
            value.ok_or_else(|| ApiError::unprocessable("can't be blank", pointer("password")))?;
    }
    text("username", &mut next.username)?;
    text("url", &mut next.url)?;
    text("notes", &mut next.notes)?;
    text("autofill_selectors", &mut next.autofill_selectors)?;
    text("password_updated_at", &mut next.password_updated_at)?;
    if let Some(category_id) = attributes.integer("password_category_id")? {
        check_category(connection, category_id)?;
        next.category_id = category_id;
    }
    if let Some(folder_id) = attributes.integer("password_folder_id")? {
        check_folder(connection, folder_id, current.organization_id)?;
        next.folder_id = folder_id;
    }
    for (name, flag) in [
        ("restricted", &mut next.restricted),
        ("archived", &mut next.archived),
        ("is_live", &mut next.is_live),
    ] {
        if let Some(value) = attributes.flag(name)? {
            *flag = value;
        }
    }
    let stamp = now();
    let versioned_change = (
        &next.name,
        &next.username,
        &next.value,
        &next.url,
        &next.notes,
    ) != (
        &current.name,
        &current.username,
        &current.value,
        &current.url,
        &current.notes,
    );
    if versioned_change {
        connection.execute(
            "INSERT INTO itglue_password_versions (password_id, name, username, password, url, notes, updated_at, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![id, current.name, current.username, current.value, current.url, current.notes, current.updated_at, stamp],
        )?;
    }
    if next.value != current.value && !attributes.contains("password_updated_at") {
        next.password_updated_at = Some(stamp.clone());
    }
    let (updated_by, updated_by_type) = writer(principal);
    connection.execute(
        "UPDATE itglue_passwords SET name = ?2, username = ?3, password = ?4, url = ?5, notes = ?6,
           autofill_selectors = ?7, password_updated_at = ?8, password_category_id = ?9,
           password_folder_id = ?10, restricted = ?11, archived = ?12, is_live = ?13,
           updated_by = ?14, updated_by_type = ?15, updated_at = ?16
         WHERE id = ?1",
        params![
            id,
            next.name,
            next.username,
            next.value,
            next.url,
            next.notes,
            next.autofill_selectors,
            next.password_updated_at,
            next.category_id,
            next.folder_id,
            next.restricted,
            next.archived,
            next.is_live,
            updated_by,
            updated_by_type,
            stamp
        ],
    )?;
    if let Some(secret) = otp_secret(attributes)? {
        connection.execute(
            "UPDATE itglue_passwords SET otp_secret = ?2 WHERE id = ?1",
            params![id, secret],
        )?;
    }
    if let Some(parent) = parent(connection, attributes, current.organization_id)? {
        connection.execute(
            "UPDATE itglue_passwords SET resource_type = ?2, resource_id = ?3, cached_resource_name = ?4,
               cached_resource_type_name = ?5 WHERE id = ?1",
            params![
                id,
                parent.as_ref().map(|p| p.kind_name),
                parent.as_ref().map(|p| p.id),
                parent.as_ref().and_then(|p| p.name.clone()),
                parent.as_ref().map(|p| p.type_name.clone())
            ],
        )?;
    }
    Ok(())
}

fn delete_one(
    connection: &Connection,
    principal: &Principal,
    id: i64,
    organization_id: Option<i64>,
) -> Result<Password, ApiError> {
    let password =
        find(connection, principal, id, organization_id)?.ok_or(ApiError::RecordNotFound)?;
    attachments::forget(connection, PASSWORD.name, id)?;
    related_items::forget(connection, PASSWORD.name, id)?;
    connection.execute("DELETE FROM itglue_passwords WHERE id = ?", [id])?;
    Ok(password)
}

// ------------------------------------------------------------------------------ routes

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/passwords",
            get(index)
                .post(create)
                .patch(bulk_update)
                .delete(bulk_delete),
        )
        .route("/passwords/{id}", get(show).patch(update).delete(destroy))
        .route(
            "/organizations/{id}/relationships/passwords",
            get(nested_index).post(nested_create),
        )
        .route(
            "/organizations/{id}/relationships/passwords/{password_id}",
            get(show).patch(update).delete(destroy),
        )
}

fn list(
    state: &AppState,
    principal: &Principal,
    uri: &axum::http::Uri,
    organization_id: Option<i64>,
) -> Result<Json<Document>, ApiError> {
    let query = QueryParams::parse(uri.query());
    let order = listing::order(&query, SORTABLE, "p.id")?;
    let mut conditions = scoped(principal);
    match organization_id {
        Some(organization_id) => conditions.push("p.organization_id = ?", &[organization_id]),
        None => {
            for (name, column) in EXACT_FILTERS {
                if let Some(values) = query.filters.get(name) {
                    conditions.any_of(column, values);
                }
            }
        }
    }
    if let Some(archived) = query
        .filters
        .get("archived")
        .and_then(|values| values.first())
    {
        conditions.push("p.archived = ?", &[archived == "true" || archived == "1"]);
    }
    let view = View {
        with_value: false,
        detail: false,
    };
    let mut included = Included::new(&query);
    let (total, resources) = state
        .store
        .read(|connection| {
            if let Some(organization_id) = organization_id
                && !listing::organization_visible(connection, principal, organization_id)?
            {
                return Ok(None);
            }
            let (total, passwords) = select(connection, &conditions, &order, Some(query.page))?;
            Ok(Some((
                total,
                render(
                    connection,
                    state,
                    principal,
                    &query,
                    &passwords,
                    view,
                    &mut included,
                ),
            )))
        })?
        .ok_or(ApiError::RecordNotFound)?;
    Ok(Json(listing::page_document(
        state, uri, &query, total, resources?, included,
    )))
}

fn one(
    state: &AppState,
    principal: &Principal,
    id: i64,
    organization_id: Option<i64>,
    query: &QueryParams,
    view: View,
) -> Result<Json<Document>, ApiError> {
    let version_id = query.param("version_id").map(path_id).transpose()?;
    let mut included = Included::new(query);
    let mut resources = state.store.read(|connection| {
        let Some(password) = find(connection, principal, id, organization_id)? else {
            return Ok(Err(ApiError::RecordNotFound));
        };
        let password = match version_id {
            Some(version_id) => match password.at_version(connection, version_id) {
                Ok(password) => password,
                Err(error) => return Ok(Err(error)),
            },
            None => password,
        };
        Ok(render(
            connection,
            state,
            principal,
            query,
            &[password],
            view,
            &mut included,
        ))
    })??;
    let resource = resources.pop().ok_or(ApiError::RecordNotFound)?;
    Ok(Json(jsonapi::single(resource, included.finish())))
}

fn written(
    state: &AppState,
    principal: &Principal,
    ids: &[i64],
    bulk: bool,
    query: &QueryParams,
) -> Result<Document, ApiError> {
    let view = View {
        with_value: show_password(query, false),
        detail: true,
    };
    let mut included = Included::new(query);
    let mut resources = state.store.read(|connection| {
        let mut passwords = Vec::new();
        for id in ids {
            passwords.extend(find(connection, principal, *id, None)?);
        }
        Ok(render(
            connection,
            state,
            principal,
            query,
            &passwords,
            view,
            &mut included,
        ))
    })??;
    Ok(match resources.pop() {
        Some(resource) if !bulk => jsonapi::single(resource, None),
        last => {
            resources.extend(last);
            jsonapi::bulk(resources)
        }
    })
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
    let query = QueryParams::parse(uri.query());
    let view = View {
        with_value: show_password(&query, true),
        detail: true,
    };
    one(&state, &principal, id, parent, &query, view)
}

async fn create(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    OriginalUri(uri): OriginalUri,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<Document>), ApiError> {
    principal.require_write()?;
    let item = body::single(&body)?;
    body::expect_type(std::slice::from_ref(&item), TYPE_NAME)?;
    let id = state
        .store
        .try_write(|transaction| create_one(transaction, &principal, &item, None))?;
    let query = QueryParams::parse(uri.query());
    Ok((
        StatusCode::CREATED,
        Json(written(&state, &principal, &[id], false, &query)?),
    ))
}

async fn nested_create(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(organization_id): Path<String>,
    OriginalUri(uri): OriginalUri,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<Document>), ApiError> {
    principal.require_write()?;
    let organization_id = path_id(&organization_id)?;
    let (items, bulk) = body::items(&body)?;
    body::expect_type(&items, TYPE_NAME)?;
    let ids = state.store.try_write(|transaction| {
        if !listing::organization_visible(transaction, &principal, organization_id)? {
            return Err(ApiError::RecordNotFound);
        }
        items
            .iter()
            .map(|item| create_one(transaction, &principal, item, Some(organization_id)))
            .collect::<Result<Vec<_>, _>>()
    })?;
    let query = QueryParams::parse(uri.query());
    Ok((
        StatusCode::CREATED,
        Json(written(&state, &principal, &ids, bulk, &query)?),
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
    uri: &axum::http::Uri,
    body: &serde_json::Value,
) -> Result<Json<Document>, ApiError> {
    principal.require_write()?;
    let item = body::single(body)?;
    body::expect_type(std::slice::from_ref(&item), TYPE_NAME)?;
    state.store.try_write(|transaction| {
        update_one(
            transaction,
            principal,
            id,
            &item.attributes,
            organization_id,
        )
    })?;
    Ok(Json(written(
        state,
        principal,
        &[id],
        false,
        &QueryParams::parse(uri.query()),
    )?))
}

async fn bulk_update(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    OriginalUri(uri): OriginalUri,
    JsonBody(body): JsonBody,
) -> Result<Json<Document>, ApiError> {
    principal.require_write()?;
    let (items, _) = body::items(&body)?;
    body::expect_type(&items, TYPE_NAME)?;
    let ids = body::bulk_ids(&items)?;
    state.store.try_write(|transaction| {
        ids.iter().zip(&items).try_for_each(|(id, item)| {
            update_one(transaction, &principal, *id, &item.attributes, None)
        })
    })?;
    Ok(Json(written(
        &state,
        &principal,
        &ids,
        true,
        &QueryParams::parse(uri.query()),
    )?))
}

async fn destroy(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    RecordPath { id, parent }: RecordPath,
) -> Result<StatusCode, ApiError> {
    principal.require_delete()?;
    state
        .store
        .try_write(|transaction| delete_one(transaction, &principal, id, parent))?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /passwords` with `data: [{type, attributes: {id}}]`: 200 with the deleted ones
/// (values never included).
async fn bulk_delete(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    raw: Bytes,
) -> Result<Json<Document>, ApiError> {
    principal.require_delete()?;
    let body = body::optional_json(&raw)?
        .ok_or_else(|| ApiError::unprocessable("data is required", "/data"))?;
    let (items, _) = body::items(&body)?;
    body::expect_type(&items, TYPE_NAME)?;
    let ids = body::bulk_ids(&items)?;
    let view = View {
        with_value: false,
        detail: false,
    };
    let resources = state.store.try_write(|transaction| {
        ids.iter()
            .map(|id| {
                let password =
                    find(transaction, &principal, *id, None)?.ok_or(ApiError::RecordNotFound)?;
                let resource = password.to_resource(transaction, &state, &principal, view)?;
                delete_one(transaction, &principal, *id, None)?;
                Ok(resource)
            })
            .collect::<Result<Vec<_>, ApiError>>()
    })?;
    Ok(Json(jsonapi::bulk(resources)))
}
