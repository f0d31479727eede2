//! Flexible assets: `/flexible_assets[/{id}]` and
//! `POST /organizations/{id}/relationships/flexible_assets`.
//!
//! - The index requires `filter[flexible-asset-type-id]` and reads its filters with the
//!   kebab keys the docs give for this route.
//! - `traits` are keyed by each field's `name-key`. Tag traits read as
//!   `{type, values: [{id, name, …}]}` and are written as an id or ids; upload traits are
//!   written as `{content: <strict base64>, file_name}`.
//! - PATCH replaces `traits` wholesale, single and bulk: a trait left out is deleted, and so
//!   is one sent as null. A PATCH without `traits` keeps them.
//! - `name` is computed from the use-for-title traits, joined with " - ".

use std::collections::HashMap;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Extension, OriginalUri, Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::access::{Principal, Scope};
use super::attachments;
use super::body::{self, Attributes, JsonBody, integer_value, pointer};
use super::flexible_asset_fields::{self, Field};
use super::jsonapi::{self, ApiError, Document, Resource};
use super::listing::{self, Included, now, path_id, slug};
use super::query::QueryParams;
use super::records::{self, FLEXIBLE_ASSET};
use super::related_items;
use crate::clock::parse_filter_datetime;
use crate::state::AppState;
use crate::store::sql::Conditions;

const KIND: &str = "flexible-assets";
const TYPE_NAME: &str = "flexible_assets";
/// Upload traits keep their files as attachments of this pseudo-kind, apart from the
/// asset's own attachments.
const UPLOAD_OWNER: &str = "Flexible Asset Trait";
const TITLE_SEPARATOR: &str = " - ";
const TYPE_FILTER: &str = "flexible-asset-type-id";

const FROM: &str = "itglue_flexible_assets a
    JOIN itglue_flexible_asset_types t ON t.id = a.flexible_asset_type_id
    LEFT JOIN itglue_organizations o ON o.id = a.organization_id";
const COLUMNS: &str = "a.id, a.organization_id, o.name, a.flexible_asset_type_id, t.name, a.name,
    a.restricted, a.archived, a.created_at, a.updated_at";
const SCOPE: Scope = Scope {
    resource_type: FLEXIBLE_ASSET.name,
    id_column: "a.id",
    org_column: "a.organization_id",
    restricted_column: Some("a.restricted"),
};
const SORTABLE: &[(&str, &str)] = &[
    ("name", "a.name"),
    ("created_at", "a.created_at"),
    ("updated_at", "a.updated_at"),
];

#[derive(Debug)]
struct Asset {
    id: i64,
    organization_id: i64,
    organization_name: Option<String>,
    type_id: i64,
    type_name: String,
    name: Option<String>,
    restricted: bool,
    archived: bool,
    created_at: String,
    updated_at: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct AssetAttributes<'a> {
    organization_id: i64,
    organization_name: Option<&'a str>,
    resource_url: String,
    restricted: bool,
    my_glue: bool,
    flexible_asset_type_id: i64,
    flexible_asset_type_name: &'a str,
    name: Option<&'a str>,
    traits: Map<String, Value>,
    archived: bool,
    created_at: &'a str,
    updated_at: &'a str,
}

impl Asset {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            organization_id: row.get(1)?,
            organization_name: row.get(2)?,
            type_id: row.get(3)?,
            type_name: row.get(4)?,
            name: row.get(5)?,
            restricted: row.get(6)?,
            archived: row.get(7)?,
            created_at: row.get(8)?,
            updated_at: row.get(9)?,
        })
    }

    fn resource_url(&self, state: &AppState) -> String {
        format!(
            "{}/{}/assets/{}-{}/records/{}",
            state.urls.itglue_web,
            self.organization_id,
            self.type_id,
            slug(&self.type_name),
            self.id
        )
    }
}

/// The computed name of an asset, for lookups from other resources.
pub fn title(connection: &Connection, id: i64) -> rusqlite::Result<Option<String>> {
    connection
        .query_row(
            "SELECT name FROM itglue_flexible_assets WHERE id = ?",
            [id],
            |row| row.get(0),
        )
        .optional()
        .map(Option::flatten)
}

// ------------------------------------------------------------------------------ reading

/// Renders assets with their traits; `fields` caches each type's fields.
struct Renderer<'a> {
    connection: &'a Connection,
    state: &'a AppState,
    fields: HashMap<i64, Vec<Field>>,
}

impl<'a> Renderer<'a> {
    fn new(connection: &'a Connection, state: &'a AppState) -> Self {
        Self {
            connection,
            state,
            fields: HashMap::new(),
        }
    }

    fn fields(&mut self, type_id: i64) -> rusqlite::Result<&[Field]> {
        if !self.fields.contains_key(&type_id) {
            let fields = flexible_asset_fields::for_type(self.connection, type_id)?;
            self.fields.insert(type_id, fields);
        }
        Ok(self
            .fields
            .get(&type_id)
            .map(Vec::as_slice)
            .unwrap_or_default())
    }

    fn resource(&mut self, asset: &Asset) -> Result<Resource, ApiError> {
        let stored = stored_traits(self.connection, asset.id)?;
        let connection = self.connection;
        let state = self.state;
        let fields = self.fields(asset.type_id)?;
        let mut traits = Map::new();
        for field in fields {
            if let Some(value) = stored.get(&field.id) {
                traits.insert(
                    field.name_key.clone(),
                    read_shape(connection, state, field, value)?,
                );
            }
        }
        Resource::new(
            asset.id,
            KIND,
            &AssetAttributes {
                organization_id: asset.organization_id,
                organization_name: asset.organization_name.as_deref(),
                resource_url: asset.resource_url(state),
                restricted: asset.restricted,
                my_glue: false,
                flexible_asset_type_id: asset.type_id,
                flexible_asset_type_name: &asset.type_name,
                name: asset.name.as_deref(),
                traits,
                archived: asset.archived,
                created_at: &asset.created_at,
                updated_at: &asset.updated_at,
            },
        )
    }
}

fn stored_traits(connection: &Connection, asset_id: i64) -> rusqlite::Result<HashMap<i64, Value>> {
    let mut statement = connection.prepare(
        "SELECT field_id, value FROM itglue_flexible_asset_traits WHERE flexible_asset_id = ?",
    )?;
    let rows = statement.query_map([asset_id], |row| {
        Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?))
    })?;
    let mut traits = HashMap::new();
    for row in rows {
        let (field_id, text) = row?;
        // Values are written by this module as JSON; an unreadable one is left out.
        if let Ok(value) = serde_json::from_str(&text) {
            traits.insert(field_id, value);
        }
    }
    Ok(traits)
}

/// A stored value in the shape the API reads it.
fn read_shape(
    connection: &Connection,
    state: &AppState,
    field: &Field,
    stored: &Value,
) -> Result<Value, ApiError> {
    match field.kind.as_str() {
        "Tag" => tag_read_shape(connection, field, stored),
        "Upload" => {
            let attachment = stored
                .get("attachment_id")
                .and_then(Value::as_i64)
                .map(|id| attachments::find(connection, id))
                .transpose()?
                .flatten();
            Ok(attachment.map_or(Value::Null, |attachment| attachment.to_trait_value(state)))
        }
        _ => Ok(stored.clone()),
    }
}

fn tag_read_shape(
    connection: &Connection,
    field: &Field,
    stored: &Value,
) -> Result<Value, ApiError> {
    let tag_type = field.tag_type.as_deref().unwrap_or_default();
    let mut values = Vec::new();
    if let Some(kind) = records::tag_kind(tag_type) {
        for id in stored
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_i64)
        {
            // A tagged record deleted since is dropped from the list.
            if let Some(record) = records::lookup(connection, kind, id)? {
                values.push(json!({
                    "id": record.id,
                    "name": record.name,
                    "organization-name": organization_name(connection, record.organization_id)?,
                }));
            }
        }
    }
    let shown_type = if flexible_asset_fields::flexible_asset_tag_type(tag_type).is_some() {
        "FlexibleAssets"
    } else {
        tag_type
    };
    Ok(json!({"type": shown_type, "values": values}))
}

fn organization_name(connection: &Connection, id: Option<i64>) -> rusqlite::Result<Option<String>> {
    let Some(id) = id else { return Ok(None) };
    connection
        .query_row(
            "SELECT name FROM itglue_organizations WHERE id = ?",
            [id],
            |row| row.get(0),
        )
        .optional()
}

fn select(
    connection: &Connection,
    conditions: &Conditions,
    order: &str,
    page: Option<super::paging::PageRequest>,
) -> rusqlite::Result<(u64, Vec<Asset>)> {
    listing::select_page(
        connection,
        COLUMNS,
        FROM,
        conditions,
        order,
        page,
        Asset::from_row,
    )
}

fn find(
    connection: &Connection,
    principal: &Principal,
    id: i64,
) -> rusqlite::Result<Option<Asset>> {
    let mut conditions = Conditions::new();
    conditions.push("a.id = ?", &[id]);
    principal.scope(&mut conditions, SCOPE);
    Ok(select(connection, &conditions, "", None)?.1.pop())
}

/// Resources plus the includes asked for (`attachments`, `related_items`).
fn render(
    connection: &Connection,
    state: &AppState,
    query: &QueryParams,
    assets: &[Asset],
    included: &mut Included,
) -> Result<Vec<Resource>, ApiError> {
    let mut renderer = Renderer::new(connection, state);
    let mut resources = assets
        .iter()
        .map(|asset| Ok((asset.id, renderer.resource(asset)?)))
        .collect::<Result<Vec<_>, ApiError>>()?;
    let ids: Vec<i64> = assets.iter().map(|asset| asset.id).collect();
    if query.includes(attachments::INCLUDE_NAME) {
        let rows = attachments::for_records(connection, FLEXIBLE_ASSET.name, &ids)?;
        attachments::attach(state, &mut resources, &rows, included)?;
    }
    if query.includes(related_items::INCLUDE_NAME) {
        let rows = related_items::for_records(connection, FLEXIBLE_ASSET.name, &ids)?;
        related_items::attach(connection, state, &mut resources, &rows, included)?;
    }
    Ok(resources
        .into_iter()
        .map(|(_, resource)| resource)
        .collect())
}

// ------------------------------------------------------------------------------ writing

/// A trait value ready to store; uploads become attachments first.
enum NewTrait {
    Plain(Value),
    Upload(String, Vec<u8>),
}

/// Validates a whole `traits` object against the type's fields.
fn parse_traits(
    connection: &Connection,
    fields: &[Field],
    traits: Option<&Value>,
    base: &str,
) -> Result<Vec<(i64, NewTrait)>, ApiError> {
    let empty = Map::new();
    let traits = match traits {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(members)) => members,
        Some(_) => return Err(ApiError::unprocessable("traits must be an object", base)),
    };
    let mut parsed = Vec::new();
    for (key, value) in traits {
        let at = format!("{base}/{key}");
        let field = fields
            .iter()
            .find(|field| body::normalise(&field.name_key) == body::normalise(key))
            .ok_or_else(|| {
                ApiError::unprocessable(
                    format!("{key} is not a field of this flexible asset type"),
                    at.clone(),
                )
            })?;
        if value.is_null() {
            continue;
        }
        parsed.push((field.id, parse_value(connection, field, value, &at)?));
    }
    for field in fields.iter().filter(|field| field.required) {
        if !parsed.iter().any(|(id, _)| *id == field.id) {
            return Err(ApiError::unprocessable(
                "can't be blank",
                format!("{base}/{}", field.name_key),
            ));
        }
    }
    Ok(parsed)
}

fn parse_value(
    connection: &Connection,
    field: &Field,
    value: &Value,
    at: &str,
) -> Result<NewTrait, ApiError> {
    let invalid = |what: &str| ApiError::unprocessable(what, at);
    let plain = match field.kind.as_str() {
        "Checkbox" => match value {
            Value::Bool(flag) => Value::Bool(*flag),
            Value::String(text) if text == "true" || text == "1" => Value::Bool(true),
            Value::String(text) if text == "false" || text == "0" => Value::Bool(false),
            Value::Number(n) if n.as_i64() == Some(1) => Value::Bool(true),
            Value::Number(n) if n.as_i64() == Some(0) => Value::Bool(false),
            _ => return Err(invalid("must be true or false")),
        },
        "Date" => {
            let text = value.as_str().unwrap_or_default();
            if text.len() != 10 || parse_filter_datetime(text).is_none() {
                return Err(invalid("must be a date (YYYY-MM-DD)"));
            }
            Value::String(text.to_owned())
        }
        "Number" | "Percent" => {
            number(value, field.decimals.unwrap_or(0)).ok_or_else(|| invalid("must be a number"))?
        }
        "Select" => {
            let choice = value.as_str().unwrap_or_default();
            if !field.options().contains(&choice) {
                return Err(invalid("is not one of the field's options"));
            }
            Value::String(choice.to_owned())
        }
        "Text" | "Textbox" => match value {
            Value::String(text) => Value::String(text.clone()),
            Value::Number(number) => Value::String(number.to_string()),
            _ => return Err(invalid("must be text")),
        },
        "Tag" => tag_ids(connection, field, value, at)?,
        "Upload" => {
            let (file_name, bytes) = attachments::upload_from_json(value, at)?;
            return Ok(NewTrait::Upload(file_name, bytes));
        }
        "Header" => return Err(invalid("a Header field holds no value")),
        _ => return Err(invalid("Password traits are not supported by the sandbox")),
    };
    Ok(NewTrait::Plain(plain))
}

/// A number rounded to the field's decimals; whole when decimals is 0.
fn number(value: &Value, decimals: i64) -> Option<Value> {
    let number = match value {
        Value::Number(number) => number.as_f64()?,
        Value::String(text) => text.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    if !number.is_finite() {
        return None;
    }
    let scale = 10f64.powi(i32::try_from(decimals).ok()?);
    let rounded = (number * scale).round() / scale;
    if decimals == 0 {
        // Whole numbers beyond i64 are not licence counts; reject them.
        let whole = format!("{rounded:.0}").parse::<i64>().ok()?;
        Some(Value::from(whole))
    } else {
        serde_json::Number::from_f64(rounded).map(Value::Number)
    }
}

/// Tag traits are written as one id or an array of ids; each must name an existing
/// record of the field's tag type.
fn tag_ids(
    connection: &Connection,
    field: &Field,
    value: &Value,
    at: &str,
) -> Result<Value, ApiError> {
    let tag_type = field.tag_type.as_deref().unwrap_or_default();
    let kind = records::tag_kind(tag_type)
        .ok_or_else(|| ApiError::unprocessable("unknown tag type", at))?;
    let raw: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        single => vec![single],
    };
    let mut ids = Vec::new();
    for item in raw {
        let id = integer_value(item).ok_or_else(|| {
            ApiError::unprocessable("tags are written as an id or an array of ids", at)
        })?;
        let exists = records::lookup(connection, kind, id)?.is_some();
        let right_type = match flexible_asset_fields::flexible_asset_tag_type(tag_type) {
            Some(type_id) => asset_type_of(connection, id)? == Some(type_id),
            None => true,
        };
        if !exists || !right_type {
            return Err(ApiError::unprocessable(
                format!("{id} is not a record of {tag_type}"),
                at,
            ));
        }
        ids.push(id);
    }
    Ok(Value::from(ids))
}

fn asset_type_of(connection: &Connection, id: i64) -> rusqlite::Result<Option<i64>> {
    connection
        .query_row(
            "SELECT flexible_asset_type_id FROM itglue_flexible_assets WHERE id = ?",
            [id],
            |row| row.get(0),
        )
        .optional()
}

/// Replaces every trait of an asset and recomputes its name.
fn replace_traits(
    connection: &Connection,
    asset_id: i64,
    fields: &[Field],
    traits: Vec<(i64, NewTrait)>,
) -> rusqlite::Result<()> {
    drop_uploads(connection, asset_id)?;
    connection.execute(
        "DELETE FROM itglue_flexible_asset_traits WHERE flexible_asset_id = ?",
        [asset_id],
    )?;
    for (field_id, new) in traits {
        let value = match new {
            NewTrait::Plain(value) => value,
            NewTrait::Upload(file_name, bytes) => {
                let id =
                    attachments::store(connection, UPLOAD_OWNER, asset_id, &file_name, &bytes)?;
                json!({"attachment_id": id})
            }
        };
        connection.execute(
            "INSERT INTO itglue_flexible_asset_traits (flexible_asset_id, field_id, value) VALUES (?1, ?2, ?3)",
            params![asset_id, field_id, value.to_string()],
        )?;
    }
    refresh_title(connection, asset_id, fields)
}

fn drop_uploads(connection: &Connection, asset_id: i64) -> rusqlite::Result<()> {
    attachments::forget(connection, UPLOAD_OWNER, asset_id)
}

/// Joins the use-for-title traits, in field order.
fn refresh_title(connection: &Connection, asset_id: i64, fields: &[Field]) -> rusqlite::Result<()> {
    let stored = stored_traits(connection, asset_id)?;
    let parts: Vec<String> = fields
        .iter()
        .filter(|field| field.use_for_title)
        .filter_map(|field| match stored.get(&field.id)? {
            Value::String(text) if !text.is_empty() => Some(text.clone()),
            Value::Number(number) => Some(number.to_string()),
            _ => None,
        })
        .collect();
    let name = (!parts.is_empty()).then(|| parts.join(TITLE_SEPARATOR));
    connection.execute(
        "UPDATE itglue_flexible_assets SET name = ?2 WHERE id = ?1",
        params![asset_id, name],
    )?;
    Ok(())
}

/// Recomputes the names of every asset of a type, after its fields changed.
pub fn refresh_titles(connection: &Connection, type_id: i64) -> rusqlite::Result<()> {
    let fields = flexible_asset_fields::for_type(connection, type_id)?;
    let mut statement = connection
        .prepare("SELECT id FROM itglue_flexible_assets WHERE flexible_asset_type_id = ?")?;
    let ids = statement
        .query_map([type_id], |row| row.get::<_, i64>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for id in ids {
        refresh_title(connection, id, &fields)?;
    }
    Ok(())
}

/// Creates one asset from a POST element.
fn create_one(
    connection: &Connection,
    principal: &Principal,
    attributes: &Attributes,
    organization_id: Option<i64>,
    base: &str,
) -> Result<i64, ApiError> {
    let organization_id = organization_id.or(attributes.integer("organization_id")?.flatten());
    let organization_id = listing::organization_for_write(connection, principal, organization_id)?;
    let type_id = attributes
        .integer("flexible_asset_type_id")?
        .flatten()
        .ok_or_else(|| {
            ApiError::unprocessable("can't be blank", pointer("flexible_asset_type_id"))
        })?;
    if super::flexible_asset_types::find(connection, type_id)?.is_none() {
        return Err(ApiError::unprocessable(
            "must exist",
            pointer("flexible_asset_type_id"),
        ));
    }
    if !attributes.contains("traits") {
        return Err(ApiError::unprocessable("can't be blank", pointer("traits")));
    }
    let fields = flexible_asset_fields::for_type(connection, type_id)?;
    let traits = parse_traits(
        connection,
        &fields,
        attributes.get("traits"),
        &format!("{base}/traits"),
    )?;
    let stamp = now();
    connection.execute(
        "INSERT INTO itglue_flexible_assets
           (organization_id, flexible_asset_type_id, restricted, archived, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
        params![
            organization_id,
            type_id,
            attributes.flag("restricted")?.unwrap_or(false),
            attributes.flag("archived")?.unwrap_or(false),
            stamp
        ],
    )?;
    let id = connection.last_insert_rowid();
    replace_traits(connection, id, &fields, traits)?;
    Ok(id)
}

/// Applies one PATCH element: flags merge; `traits`, when present, replace all traits.
fn update_one(
    connection: &Connection,
    principal: &Principal,
    id: i64,
    attributes: &Attributes,
    base: &str,
) -> Result<(), ApiError> {
    let asset = find(connection, principal, id)?.ok_or(ApiError::RecordNotFound)?;
    for column in ["restricted", "archived"] {
        if let Some(flag) = attributes.flag(column)? {
            connection.execute(
                &format!("UPDATE itglue_flexible_assets SET {column} = ?2 WHERE id = ?1"),
                params![id, flag],
            )?;
        }
    }
    if attributes.contains("traits") {
        let fields = flexible_asset_fields::for_type(connection, asset.type_id)?;
        let traits = parse_traits(
            connection,
            &fields,
            attributes.get("traits"),
            &format!("{base}/traits"),
        )?;
        replace_traits(connection, id, &fields, traits)?;
    }
    connection.execute(
        "UPDATE itglue_flexible_assets SET updated_at = ?2 WHERE id = ?1",
        params![id, now()],
    )?;
    Ok(())
}

/// Deletes an asset with its traits, uploads, attachments and links.
fn delete_one(connection: &Connection, id: i64) -> rusqlite::Result<()> {
    drop_uploads(connection, id)?;
    attachments::forget(connection, FLEXIBLE_ASSET.name, id)?;
    related_items::forget(connection, FLEXIBLE_ASSET.name, id)?;
    connection.execute("DELETE FROM itglue_flexible_assets WHERE id = ?", [id])?;
    Ok(())
}

// ------------------------------------------------------------------------------ routes

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/flexible_assets",
            get(index)
                .post(create)
                .patch(bulk_update)
                .delete(bulk_delete),
        )
        .route(
            "/flexible_assets/{id}",
            get(show).patch(update).delete(destroy),
        )
        .route(
            "/organizations/{id}/relationships/flexible_assets",
            post(nested_create),
        )
}

async fn index(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Document>, ApiError> {
    let query = QueryParams::parse(uri.query());
    let type_ids = query.filters.get(TYPE_FILTER).ok_or_else(|| {
        ApiError::bad_parameter(
            format!("filter[{TYPE_FILTER}] is required"),
            format!("filter[{TYPE_FILTER}]"),
        )
    })?;
    let order = listing::order(&query, SORTABLE, "a.id")?;
    let mut conditions = Conditions::new();
    conditions.any_of("a.flexible_asset_type_id", type_ids);
    if let Some(ids) = query.filters.get("organization-id") {
        conditions.any_of("a.organization_id", ids);
    }
    if let Some(names) = query.filters.get("name") {
        conditions.any_of("a.name", names);
    }
    principal.scope(&mut conditions, SCOPE);
    let mut included = Included::new(&query);
    let (total, resources) = state.store.read(|connection| {
        let (total, assets) = select(connection, &conditions, &order, Some(query.page))?;
        Ok((
            total,
            render(connection, &state, &query, &assets, &mut included),
        ))
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
    respond(
        &state,
        &principal,
        path_id(&id)?,
        &QueryParams::parse(uri.query()),
    )
}

fn respond(
    state: &AppState,
    principal: &Principal,
    id: i64,
    query: &QueryParams,
) -> Result<Json<Document>, ApiError> {
    let mut included = Included::new(query);
    let mut resources = state
        .store
        .read(|connection| {
            let found = find(connection, principal, id)?;
            Ok(found.map(|asset| render(connection, state, query, &[asset], &mut included)))
        })?
        .ok_or(ApiError::RecordNotFound)??;
    let resource = resources.pop().ok_or(ApiError::RecordNotFound)?;
    Ok(Json(jsonapi::single(resource, included.finish())))
}

/// The assets with these ids, as a document (single, or a list for bulk requests).
fn respond_many(
    state: &AppState,
    principal: &Principal,
    ids: &[i64],
    bulk: bool,
) -> Result<Document, ApiError> {
    let query = QueryParams::default();
    let mut included = Included::new(&query);
    let mut resources = state.store.read(|connection| {
        let mut assets = Vec::new();
        for id in ids {
            assets.extend(find(connection, principal, *id)?);
        }
        Ok(render(connection, state, &query, &assets, &mut included))
    })??;
    Ok(match resources.pop() {
        Some(resource) if !bulk => jsonapi::single(resource, None),
        last => {
            resources.extend(last);
            jsonapi::bulk(resources)
        }
    })
}

async fn create(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<Document>), ApiError> {
    principal.require_write()?;
    let item = body::single(&body)?;
    body::expect_type(std::slice::from_ref(&item), TYPE_NAME)?;
    let id = state.store.try_write(|transaction| {
        create_one(
            transaction,
            &principal,
            &item.attributes,
            None,
            "/data/attributes",
        )
    })?;
    Ok((
        StatusCode::CREATED,
        Json(respond_many(&state, &principal, &[id], false)?),
    ))
}

/// One or an array (bulk creation works only on the nested route).
async fn nested_create(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(organization_id): Path<String>,
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
            .enumerate()
            .map(|(index, item)| {
                let base = if bulk {
                    format!("/data/{index}/attributes")
                } else {
                    "/data/attributes".to_owned()
                };
                create_one(
                    transaction,
                    &principal,
                    &item.attributes,
                    Some(organization_id),
                    &base,
                )
            })
            .collect::<Result<Vec<_>, _>>()
    })?;
    Ok((
        StatusCode::CREATED,
        Json(respond_many(&state, &principal, &ids, bulk)?),
    ))
}

async fn update(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
    OriginalUri(uri): OriginalUri,
    JsonBody(body): JsonBody,
) -> Result<Json<Document>, ApiError> {
    principal.require_write()?;
    let id = path_id(&id)?;
    let item = body::single(&body)?;
    body::expect_type(std::slice::from_ref(&item), TYPE_NAME)?;
    state.store.try_write(|transaction| {
        update_one(
            transaction,
            &principal,
            id,
            &item.attributes,
            "/data/attributes",
        )
    })?;
    respond(&state, &principal, id, &QueryParams::parse(uri.query()))
}

/// `PATCH /flexible_assets` with `data: [{type, attributes: {id, traits, …}}]`; the same
/// destructive trait replacement applies to each element.
async fn bulk_update(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    JsonBody(body): JsonBody,
) -> Result<Json<Document>, ApiError> {
    principal.require_write()?;
    let (items, _) = body::items(&body)?;
    body::expect_type(&items, TYPE_NAME)?;
    let ids = body::bulk_ids(&items)?;
    state.store.try_write(|transaction| {
        for (index, (id, item)) in ids.iter().zip(&items).enumerate() {
            update_one(
                transaction,
                &principal,
                *id,
                &item.attributes,
                &format!("/data/{index}/attributes"),
            )?;
        }
        Ok::<_, ApiError>(())
    })?;
    Ok(Json(respond_many(&state, &principal, &ids, true)?))
}

async fn destroy(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    principal.require_delete()?;
    let id = path_id(&id)?;
    state.store.try_write(|transaction| {
        find(transaction, &principal, id)?.ok_or(ApiError::RecordNotFound)?;
        Ok::<_, ApiError>(delete_one(transaction, id)?)
    })?;
    Ok(StatusCode::NO_CONTENT)
}

/// Bulk DELETE by ids in the body, or by filters: `organization_id` and
/// `flexible_asset_type_id` are then required, `id`, `name` and `archived` optional. The
/// two forms cannot be combined. Answers 200 with the deleted assets.
async fn bulk_delete(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    OriginalUri(uri): OriginalUri,
    raw: Bytes,
) -> Result<Json<Document>, ApiError> {
    principal.require_delete()?;
    let query = QueryParams::parse(uri.query());
    let body = body::optional_json(&raw)?;
    let filtered = query
        .non_page_pairs()
        .any(|(key, _)| key.starts_with("filter["));
    let ids = match (body, filtered) {
        (Some(_), true) => {
            return Err(ApiError::bad_parameter(
                "bulk DELETE cannot be combined with a filter",
                "filter",
            ));
        }
        (Some(body), false) => {
            let (items, _) = body::items(&body)?;
            body::expect_type(&items, TYPE_NAME)?;
            body::bulk_ids(&items)?
        }
        (None, _) => filtered_ids(&state, &principal, &query)?,
    };
    let document = respond_many(&state, &principal, &ids, true)?;
    state.store.try_write(|transaction| {
        for id in &ids {
            find(transaction, &principal, *id)?.ok_or(ApiError::RecordNotFound)?;
            delete_one(transaction, *id)?;
        }
        Ok::<_, ApiError>(())
    })?;
    Ok(Json(document))
}

fn filtered_ids(
    state: &AppState,
    principal: &Principal,
    query: &QueryParams,
) -> Result<Vec<i64>, ApiError> {
    let filter = |names: &[&str]| names.iter().find_map(|name| query.filters.get(name));
    let required = |names: &[&'static str]| {
        filter(names).ok_or_else(|| {
            ApiError::bad_parameter(
                format!("filter[{}] is required", names[0]),
                format!("filter[{}]", names[0]),
            )
        })
    };
    let mut conditions = Conditions::new();
    conditions.any_of(
        "a.organization_id",
        required(&["organization_id", "organization-id"])?,
    );
    conditions.any_of(
        "a.flexible_asset_type_id",
        required(&["flexible_asset_type_id", TYPE_FILTER])?,
    );
    if let Some(ids) = filter(&["id"]) {
        conditions.any_of("a.id", ids);
    }
    if let Some(names) = filter(&["name"]) {
        conditions.any_of("a.name", names);
    }
    if let Some(archived) = filter(&["archived"]).and_then(|values| values.first()) {
        conditions.push("a.archived = ?", &[archived == "true" || archived == "1"]);
    }
    principal.scope(&mut conditions, SCOPE);
    let sql = format!(
        "SELECT a.id FROM {FROM}{} ORDER BY a.id",
        conditions.where_sql()
    );
    Ok(state.store.read(|connection| {
        let mut statement = connection.prepare(&sql)?;
        let ids = statement.query_map(rusqlite::params_from_iter(conditions.params()), |row| {
            row.get(0)
        })?;
        ids.collect::<rusqlite::Result<Vec<i64>>>()
    })?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_to_the_field_decimals() {
        assert_eq!(number(&json!(12.6), 0), Some(json!(13)));
        assert_eq!(number(&json!("25"), 0), Some(json!(25)));
        assert_eq!(number(&json!(1.234), 2), Some(json!(1.23)));
        assert_eq!(number(&json!("lots"), 0), None);
        assert_eq!(number(&json!(true), 0), None);
    }
}
