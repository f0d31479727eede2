//! Flexible asset fields: `/flexible_asset_fields[/{id}]` and
//! `/flexible_asset_types/{id}/relationships/flexible_asset_fields[/{field_id}]`.
//!
//! Every write is checked against the documented rules over the type's resulting set of
//! fields: unique names and orders, at least one shown in the list, Select needs options,
//! Number and Percent need decimals, `kind` frozen once traits use the field, and the
//! flags the docs force to false.

use axum::Json;
use axum::Router;
use axum::extract::{Extension, OriginalUri, Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

use super::access::Principal;
use super::body::{self, Attributes, JsonBody, pointer};
use super::flexible_assets;
use super::jsonapi::{self, ApiError, Document, Resource};
use super::listing::{self, Included, now, path_id, slug};
use super::query::QueryParams;
use crate::state::AppState;
use crate::store::sql::Conditions;

pub const KIND: &str = "flexible-asset-fields";
const TYPE_NAME: &str = "flexible_asset_fields";

const KINDS: &[&str] = &[
    "Checkbox", "Date", "Header", "Number", "Select", "Text", "Textbox", "Upload", "Tag",
    "Percent", "Password",
];
const TAG_TYPES: &[&str] = &[
    "AccountsUsers",
    "Checklists",
    "ChecklistTemplates",
    "Contacts",
    "Configurations",
    "Documents",
    "Domains",
    "Passwords",
    "Locations",
    "Organizations",
    "SslCertificates",
    "Tickets",
];
/// Kinds whose `use_for_title` the API forces to false.
const NEVER_TITLE: &[&str] = &[
    "Checkbox", "Header", "Number", "Password", "Percent", "Step", "Tag", "Textbox", "Upload",
];

const COLUMNS: &str =
    "id, flexible_asset_type_id, sort_order, name, name_key, kind, hint, decimals,
    default_value, tag_type, required, use_for_title, expiration, show_in_list, created_at,
    updated_at";

const SORTABLE: &[(&str, &str)] = &[
    ("order", "sort_order"),
    ("name", "name"),
    ("id", "id"),
    ("created_at", "created_at"),
    ("updated_at", "updated_at"),
];

#[derive(Debug, Clone)]
pub struct Field {
    pub id: i64,
    pub type_id: i64,
    pub order: i64,
    pub name: String,
    pub name_key: String,
    pub kind: String,
    hint: Option<String>,
    pub decimals: Option<i64>,
    pub default_value: Option<String>,
    pub tag_type: Option<String>,
    pub required: bool,
    pub use_for_title: bool,
    expiration: bool,
    show_in_list: bool,
    created_at: String,
    updated_at: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct FieldAttributes<'a> {
    flexible_asset_type_id: i64,
    order: i64,
    name: &'a str,
    kind: &'a str,
    hint: Option<&'a str>,
    decimals: Option<i64>,
    default_value: Option<&'a str>,
    tag_type: Option<&'a str>,
    required: bool,
    use_for_title: bool,
    expiration: bool,
    show_in_list: bool,
    name_key: &'a str,
    created_at: &'a str,
    updated_at: &'a str,
}

impl Field {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            type_id: row.get(1)?,
            order: row.get(2)?,
            name: row.get(3)?,
            name_key: row.get(4)?,
            kind: row.get(5)?,
            hint: row.get(6)?,
            decimals: row.get(7)?,
            default_value: row.get(8)?,
            tag_type: row.get(9)?,
            required: row.get(10)?,
            use_for_title: row.get(11)?,
            expiration: row.get(12)?,
            show_in_list: row.get(13)?,
            created_at: row.get(14)?,
            updated_at: row.get(15)?,
        })
    }

    pub fn to_resource(&self) -> Result<Resource, ApiError> {
        let attributes = FieldAttributes {
            flexible_asset_type_id: self.type_id,
            order: self.order,
            name: &self.name,
            kind: &self.kind,
            hint: self.hint.as_deref(),
            decimals: self.decimals,
            default_value: self.default_value.as_deref(),
            tag_type: self.tag_type.as_deref(),
            required: self.required,
            use_for_title: self.use_for_title,
            expiration: self.expiration,
            show_in_list: self.show_in_list,
            name_key: &self.name_key,
            created_at: &self.created_at,
            updated_at: &self.updated_at,
        };
        Resource::new(self.id, KIND, &attributes)
    }

    /// The options of a Select field, one per line of `default_value`.
    pub fn options(&self) -> Vec<&str> {
        self.default_value
            .as_deref()
            .unwrap_or("")
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .collect()
    }

    /// A new field of a type, before its attributes are applied.
    fn blank(type_id: i64) -> Self {
        let stamp = now();
        Self {
            id: 0,
            type_id,
            order: 0,
            name: String::new(),
            name_key: String::new(),
            kind: String::new(),
            hint: None,
            decimals: None,
            default_value: None,
            tag_type: None,
            required: false,
            use_for_title: false,
            expiration: false,
            show_in_list: false,
            created_at: stamp.clone(),
            updated_at: stamp,
        }
    }

    /// Applies written attributes, then the forced-false flags.
    fn apply(&mut self, attributes: &Attributes, creating: bool) -> Result<(), ApiError> {
        if creating || attributes.contains("name") {
            self.name = attributes.required_text("name")?.trim().to_owned();
            self.name_key = slug(&self.name);
        }
        if creating || attributes.contains("kind") {
            let kind = attributes.required_text("kind")?;
            self.kind = KINDS
                .iter()
                .find(|known| known.eq_ignore_ascii_case(kind.trim()))
                .map(|known| (*known).to_owned())
                .ok_or_else(|| {
                    ApiError::unprocessable(format!("{kind} is not a valid kind"), pointer("kind"))
                })?;
        }
        if let Some(order) = attributes.integer("order")? {
            self.order =
                order.ok_or_else(|| ApiError::unprocessable("can't be blank", pointer("order")))?;
        }
        if let Some(hint) = attributes.text("hint")? {
            self.hint = hint;
        }
        if let Some(decimals) = attributes.integer("decimals")? {
            self.decimals = decimals;
        }
        if let Some(default_value) = attributes.text("default_value")? {
            self.default_value = default_value;
        }
        if let Some(tag_type) = attributes.text("tag_type")? {
            self.tag_type = tag_type;
        }
        let flag =
            |name: &str, current: bool| attributes.flag(name).map(|value| value.unwrap_or(current));
        self.required = flag("required", self.required)?;
        self.use_for_title = flag("use_for_title", self.use_for_title)?;
        self.expiration = flag("expiration", self.expiration)?;
        self.show_in_list = flag("show_in_list", self.show_in_list)?;
        if self.kind == "Header" {
            self.required = false;
        }
        if NEVER_TITLE.contains(&self.kind.as_str()) {
            self.use_for_title = false;
        }
        self.check_kind_rules()
    }

    fn check_kind_rules(&self) -> Result<(), ApiError> {
        match self.kind.as_str() {
            "Select" if self.options().is_empty() => Err(ApiError::unprocessable(
                "is required for Select fields (one option per line)",
                pointer("default_value"),
            )),
            "Number" | "Percent" if self.decimals.is_none() => Err(ApiError::unprocessable(
                "is required for Number and Percent fields",
                pointer("decimals"),
            )),
            "Number" | "Percent" if self.decimals.is_some_and(|d| !(0..=10).contains(&d)) => Err(
                ApiError::unprocessable("must be between 0 and 10", pointer("decimals")),
            ),
            "Tag" if !self.tag_type.as_deref().is_some_and(is_tag_type) => {
                Err(ApiError::unprocessable(
                    "must be a documented tag type or FlexibleAssetType: <id>",
                    pointer("tag_type"),
                ))
            }
            _ => Ok(()),
        }
    }
}

fn is_tag_type(tag_type: &str) -> bool {
    TAG_TYPES.contains(&tag_type) || flexible_asset_tag_type(tag_type).is_some()
}

/// The type id of a `FlexibleAssetType: 12` tag type.
pub fn flexible_asset_tag_type(tag_type: &str) -> Option<i64> {
    tag_type
        .strip_prefix("FlexibleAssetType:")
        .and_then(|id| id.trim().parse().ok())
}

/// The fields of one type, in order.
pub fn for_type(connection: &Connection, type_id: i64) -> rusqlite::Result<Vec<Field>> {
    let mut statement = connection.prepare(&format!(
        "SELECT {COLUMNS} FROM itglue_flexible_asset_fields
         WHERE flexible_asset_type_id = ? ORDER BY sort_order, id"
    ))?;
    let fields = statement.query_map([type_id], Field::from_row)?;
    fields.collect()
}

fn find(connection: &Connection, id: i64) -> rusqlite::Result<Option<Field>> {
    connection
        .query_row(
            &format!("SELECT {COLUMNS} FROM itglue_flexible_asset_fields WHERE id = ?"),
            [id],
            Field::from_row,
        )
        .optional()
}

fn type_exists(connection: &Connection, type_id: i64) -> rusqlite::Result<bool> {
    connection.query_row(
        "SELECT EXISTS (SELECT 1 FROM itglue_flexible_asset_types WHERE id = ?)",
        [type_id],
        |row| row.get(0),
    )
}

fn has_traits(connection: &Connection, field_id: i64) -> rusqlite::Result<bool> {
    connection.query_row(
        "SELECT EXISTS (SELECT 1 FROM itglue_flexible_asset_traits WHERE field_id = ?)",
        [field_id],
        |row| row.get(0),
    )
}

/// The rules that span a type's fields, over its final set.
fn check_type_rules(fields: &[Field]) -> Result<(), ApiError> {
    for (index, field) in fields.iter().enumerate() {
        let earlier = &fields[..index];
        if earlier
            .iter()
            .any(|other| other.name.eq_ignore_ascii_case(&field.name))
        {
            return Err(ApiError::unprocessable(
                format!("{} has already been taken", field.name),
                pointer("name"),
            ));
        }
        if earlier.iter().any(|other| other.order == field.order) {
            return Err(ApiError::unprocessable(
                format!("{} has already been taken", field.order),
                pointer("order"),
            ));
        }
    }
    if !fields.is_empty() && !fields.iter().any(|field| field.show_in_list) {
        return Err(ApiError::unprocessable(
            "at least one field must be shown in the list",
            pointer("show_in_list"),
        ));
    }
    Ok(())
}

/// Creates fields on a type (also used when a type is created with embedded fields).
/// Fields without an `order` go after the last one.
pub fn create_all(
    connection: &Connection,
    type_id: i64,
    attributes: &[&Attributes],
) -> Result<Vec<i64>, ApiError> {
    let mut fields = for_type(connection, type_id)?;
    let existing = fields.len();
    for attributes in attributes {
        let mut field = Field::blank(type_id);
        field.order = fields.iter().map(|f| f.order).max().unwrap_or(0) + 1;
        field.apply(attributes, true)?;
        fields.push(field);
    }
    check_type_rules(&fields)?;
    fields[existing..]
        .iter()
        .map(|field| insert(connection, field))
        .collect()
}

fn insert(connection: &Connection, field: &Field) -> Result<i64, ApiError> {
    connection.execute(
        "INSERT INTO itglue_flexible_asset_fields
           (flexible_asset_type_id, sort_order, name, name_key, kind, hint, decimals,
            default_value, tag_type, required, use_for_title, expiration, show_in_list,
            created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14)",
        params![
            field.type_id,
            field.order,
            field.name,
            field.name_key,
            field.kind,
            field.hint,
            field.decimals,
            field.default_value,
            field.tag_type,
            field.required,
            field.use_for_title,
            field.expiration,
            field.show_in_list,
            field.created_at
        ],
    )?;
    Ok(connection.last_insert_rowid())
}

/// Applies updates to fields (all of one type or several), checking every type touched.
fn update_all(
    connection: &Connection,
    updates: &[(i64, &Attributes)],
) -> Result<Vec<i64>, ApiError> {
    let mut changed = Vec::new();
    for (id, attributes) in updates {
        let current = find(connection, *id)?.ok_or(ApiError::RecordNotFound)?;
        let mut field = current.clone();
        field.apply(attributes, false)?;
        if field.kind != current.kind && has_traits(connection, field.id)? {
            return Err(ApiError::unprocessable(
                "cannot be changed once flexible assets have values for this field",
                pointer("kind"),
            ));
        }
        field.updated_at = now();
        write(connection, &field)?;
        changed.push(field);
    }
    let mut type_ids: Vec<i64> = changed.iter().map(|field| field.type_id).collect();
    type_ids.sort_unstable();
    type_ids.dedup();
    for type_id in type_ids {
        check_type_rules(&for_type(connection, type_id)?)?;
        flexible_assets::refresh_titles(connection, type_id)?;
    }
    Ok(changed.iter().map(|field| field.id).collect())
}

fn write(connection: &Connection, field: &Field) -> rusqlite::Result<()> {
    connection.execute(
        "UPDATE itglue_flexible_asset_fields SET sort_order = ?2, name = ?3, name_key = ?4,
           kind = ?5, hint = ?6, decimals = ?7, default_value = ?8, tag_type = ?9, required = ?10,
           use_for_title = ?11, expiration = ?12, show_in_list = ?13, updated_at = ?14
         WHERE id = ?1",
        params![
            field.id,
            field.order,
            field.name,
            field.name_key,
            field.kind,
            field.hint,
            field.decimals,
            field.default_value,
            field.tag_type,
            field.required,
            field.use_for_title,
            field.expiration,
            field.show_in_list,
            field.updated_at
        ],
    )?;
    Ok(())
}

// ------------------------------------------------------------------------------ routes

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/flexible_asset_fields",
            get(index).post(create).patch(bulk_update),
        )
        .route(
            "/flexible_asset_fields/{id}",
            get(show).patch(update).delete(destroy),
        )
        .route(
            "/flexible_asset_types/{id}/relationships/flexible_asset_fields",
            get(nested_index).post(nested_create),
        )
        .route(
            "/flexible_asset_types/{id}/relationships/flexible_asset_fields/{field_id}",
            get(nested_show).patch(nested_update).delete(nested_destroy),
        )
}

fn list(
    state: &AppState,
    uri: &axum::http::Uri,
    type_id: Option<i64>,
) -> Result<Json<Document>, ApiError> {
    let query = QueryParams::parse(uri.query());
    let order = listing::order(&query, SORTABLE, "id")?;
    let mut conditions = Conditions::new();
    if let Some(type_id) = type_id {
        conditions.push("flexible_asset_type_id = ?", &[type_id]);
    } else if let Some(ids) = query.filters.get("flexible_asset_type_id") {
        conditions.any_of("flexible_asset_type_id", ids);
    }
    if let Some(ids) = query.filters.get("id") {
        conditions.any_of("id", ids);
    }
    let (total, fields) = state
        .store
        .read(|connection| {
            if let Some(type_id) = type_id
                && !type_exists(connection, type_id)?
            {
                return Ok(None);
            }
            listing::select_page(
                connection,
                COLUMNS,
                "itglue_flexible_asset_fields",
                &conditions,
                &order,
                Some(query.page),
                Field::from_row,
            )
            .map(Some)
        })?
        .ok_or(ApiError::RecordNotFound)?;
    let resources = fields
        .iter()
        .map(Field::to_resource)
        .collect::<Result<_, _>>()?;
    Ok(Json(listing::page_document(
        state,
        uri,
        &query,
        total,
        resources,
        Included::new(&query),
    )))
}

fn one(state: &AppState, id: i64, type_id: Option<i64>) -> Result<Json<Document>, ApiError> {
    let field = state
        .store
        .read(|connection| find(connection, id))?
        .filter(|field| type_id.is_none_or(|type_id| field.type_id == type_id))
        .ok_or(ApiError::RecordNotFound)?;
    Ok(Json(jsonapi::single(field.to_resource()?, None)))
}

fn created(
    state: &AppState,
    ids: &[i64],
    bulk: bool,
) -> Result<(StatusCode, Json<Document>), ApiError> {
    let fields = state.store.read(|connection| {
        ids.iter()
            .filter_map(|id| find(connection, *id).transpose())
            .collect::<rusqlite::Result<Vec<_>>>()
    })?;
    let mut resources = fields
        .iter()
        .map(Field::to_resource)
        .collect::<Result<Vec<_>, _>>()?;
    let document = match resources.pop() {
        Some(resource) if !bulk => jsonapi::single(resource, None),
        last => {
            resources.extend(last);
            jsonapi::bulk(resources)
        }
    };
    Ok((StatusCode::CREATED, Json(document)))
}

async fn index(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Document>, ApiError> {
    list(&state, &uri, None)
}

async fn nested_index(
    State(state): State<AppState>,
    Path(type_id): Path<String>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Document>, ApiError> {
    list(&state, &uri, Some(path_id(&type_id)?))
}

async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Document>, ApiError> {
    one(&state, path_id(&id)?, None)
}

async fn nested_show(
    State(state): State<AppState>,
    Path((type_id, id)): Path<(String, String)>,
) -> Result<Json<Document>, ApiError> {
    one(&state, path_id(&id)?, Some(path_id(&type_id)?))
}

async fn create(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<Document>), ApiError> {
    principal.require_manage()?;
    let item = body::single(&body)?;
    body::expect_type(std::slice::from_ref(&item), TYPE_NAME)?;
    let type_id = item
        .attributes
        .integer("flexible_asset_type_id")?
        .flatten()
        .ok_or_else(|| {
            ApiError::unprocessable("can't be blank", pointer("flexible_asset_type_id"))
        })?;
    let ids = state.store.try_write(|transaction| {
        if !type_exists(transaction, type_id)? {
            return Err(ApiError::unprocessable(
                "must exist",
                pointer("flexible_asset_type_id"),
            ));
        }
        create_all(transaction, type_id, &[&item.attributes])
    })?;
    created(&state, &ids, false)
}

/// The nested route also takes an array (bulk create works only here).
async fn nested_create(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(type_id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<Document>), ApiError> {
    principal.require_manage()?;
    let type_id = path_id(&type_id)?;
    let (items, bulk) = body::items(&body)?;
    body::expect_type(&items, TYPE_NAME)?;
    let attributes: Vec<&Attributes> = items.iter().map(|item| &item.attributes).collect();
    let ids = state.store.try_write(|transaction| {
        if !type_exists(transaction, type_id)? {
            return Err(ApiError::RecordNotFound);
        }
        create_all(transaction, type_id, &attributes)
    })?;
    created(&state, &ids, bulk)
}

async fn update(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Document>, ApiError> {
    update_one(&state, &principal, path_id(&id)?, None, &body)
}

async fn nested_update(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path((type_id, id)): Path<(String, String)>,
    JsonBody(body): JsonBody,
) -> Result<Json<Document>, ApiError> {
    update_one(
        &state,
        &principal,
        path_id(&id)?,
        Some(path_id(&type_id)?),
        &body,
    )
}

fn update_one(
    state: &AppState,
    principal: &Principal,
    id: i64,
    type_id: Option<i64>,
    body: &serde_json::Value,
) -> Result<Json<Document>, ApiError> {
    principal.require_manage()?;
    let item = body::single(body)?;
    body::expect_type(std::slice::from_ref(&item), TYPE_NAME)?;
    state.store.try_write(|transaction| {
        let field = find(transaction, id)?.ok_or(ApiError::RecordNotFound)?;
        if type_id.is_some_and(|type_id| type_id != field.type_id) {
            return Err(ApiError::RecordNotFound);
        }
        update_all(transaction, &[(id, &item.attributes)])
    })?;
    one(state, id, None)
}

/// `PATCH /flexible_asset_fields` with `data: [{type, attributes: {id, …}}]`.
async fn bulk_update(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    JsonBody(body): JsonBody,
) -> Result<Json<Document>, ApiError> {
    principal.require_manage()?;
    let (items, _) = body::items(&body)?;
    body::expect_type(&items, TYPE_NAME)?;
    let ids = body::bulk_ids(&items)?;
    let updates: Vec<(i64, &Attributes)> = ids
        .iter()
        .copied()
        .zip(items.iter().map(|item| &item.attributes))
        .collect();
    let ids = state
        .store
        .try_write(|transaction| update_all(transaction, &updates))?;
    let fields = state.store.read(|connection| {
        ids.iter()
            .filter_map(|id| find(connection, *id).transpose())
            .collect::<rusqlite::Result<Vec<_>>>()
    })?;
    let resources = fields
        .iter()
        .map(Field::to_resource)
        .collect::<Result<_, _>>()?;
    Ok(Json(jsonapi::bulk(resources)))
}

async fn destroy(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    delete_one(&state, &principal, path_id(&id)?, None)
}

async fn nested_destroy(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path((type_id, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    delete_one(&state, &principal, path_id(&id)?, Some(path_id(&type_id)?))
}

/// Deleting a field drops its traits too: the docs warn it "will cause data loss".
fn delete_one(
    state: &AppState,
    principal: &Principal,
    id: i64,
    type_id: Option<i64>,
) -> Result<StatusCode, ApiError> {
    principal.require_manage()?;
    state.store.try_write(|transaction| {
        let field = find(transaction, id)?.ok_or(ApiError::RecordNotFound)?;
        if type_id.is_some_and(|type_id| type_id != field.type_id) {
            return Err(ApiError::RecordNotFound);
        }
        transaction.execute(
            "DELETE FROM itglue_flexible_asset_fields WHERE id = ?",
            [id],
        )?;
        check_type_rules(&for_type(transaction, field.type_id)?)?;
        Ok(flexible_assets::refresh_titles(transaction, field.type_id)?)
    })?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn attributes(value: serde_json::Value) -> Attributes {
        match value {
            serde_json::Value::Object(map) => Attributes::new(map),
            _ => Attributes::default(),
        }
    }

    fn field(value: serde_json::Value) -> Result<Field, ApiError> {
        let mut field = Field::blank(1);
        field.apply(&attributes(value), true)?;
        Ok(field)
    }

    #[test]
    fn kind_specific_requirements() {
        assert!(field(json!({"name": "Plan", "kind": "Select"})).is_err());
        assert!(field(json!({"name": "Plan", "kind": "Select", "default_value": "A\nB"})).is_ok());
        assert!(field(json!({"name": "Seats", "kind": "Number"})).is_err());
        assert!(field(json!({"name": "Seats", "kind": "Number", "decimals": 0})).is_ok());
        assert!(field(json!({"name": "Links", "kind": "Tag", "tag_type": "Spaceships"})).is_err());
        assert!(
            field(json!({"name": "Links", "kind": "Tag", "tag_type": "FlexibleAssetType: 4"}))
                .is_ok()
        );
        assert!(field(json!({"name": "X", "kind": "Hologram"})).is_err());
    }

    #[test]
    fn forced_false_flags() -> Result<(), ApiError> {
        let header =
            field(json!({"name": "H", "kind": "Header", "required": true, "use_for_title": true}))?;
        assert!(!header.required && !header.use_for_title);
        let number = field(
            json!({"name": "N", "kind": "Number", "decimals": 0, "use_for_title": true, "required": true}),
        )?;
        assert!(number.required && !number.use_for_title);
        let text = field(json!({"name": "Title", "kind": "text", "use-for-title": true}))?;
        assert_eq!(
            (
                text.kind.as_str(),
                text.use_for_title,
                text.name_key.as_str()
            ),
            ("Text", true, "title")
        );
        Ok(())
    }

    #[test]
    fn type_rules_cover_names_orders_and_the_list() -> Result<(), ApiError> {
        let mut a = field(json!({"name": "A", "kind": "Text", "order": 1, "show_in_list": true}))?;
        let b = field(json!({"name": "B", "kind": "Text", "order": 2}))?;
        assert!(check_type_rules(&[a.clone(), b.clone()]).is_ok());
        let same_name = field(json!({"name": "a", "kind": "Text", "order": 3}))?;
        assert!(check_type_rules(&[a.clone(), same_name]).is_err());
        let same_order = field(json!({"name": "C", "kind": "Text", "order": 1}))?;
        assert!(check_type_rules(&[a.clone(), same_order]).is_err());
        a.show_in_list = false;
        assert!(check_type_rules(&[a, b]).is_err());
        Ok(())
    }
}
