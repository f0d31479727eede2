//! Lookups around accounts: `/v2/crm/accounts/lookup`, an account's locations (lookup and
//! one location), `/v2/system/accounttypes/lookup`, and the generic
//! `/v2/system/lookup/{tableName}`, whose table names are the sandbox's choice.

use axum::Extension;
use axum::extract::{OriginalUri, Path, State};
use axum::response::{IntoResponse, Response};
use rusqlite::Connection;
use serde::Serialize;

use super::accounts;
use super::envelope::{self, ApiError};
use super::params::QueryParams;
use super::security::AuthUser;
use super::servicedesk::support::{Page, escape_like, in_scope_sql, parse_id};
use crate::state::AppState;
use crate::store::sql::Conditions;

const ACCOUNT_NOT_FOUND: &str = "Account not found.";

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct AccountLookup {
    id: i64,
    name: String,
    tenant_name: String,
    is_active: bool,
}

/// Every value of a repeatable parameter (`Filter.Ids=1&Filter.Ids=2`, or `1,2`).
pub fn repeated_ints(raw: Option<&str>, name: &str) -> Result<Vec<i64>, ApiError> {
    form_urlencoded::parse(raw.unwrap_or("").as_bytes())
        .filter(|(key, _)| {
            key.eq_ignore_ascii_case(name) || key.eq_ignore_ascii_case(&format!("{name}[]"))
        })
        .flat_map(|(_, value)| {
            value
                .split(',')
                .map(|item| item.trim().to_owned())
                .filter(|item| !item.is_empty())
                .collect::<Vec<_>>()
        })
        .map(|item| {
            item.parse().map_err(|_| {
                ApiError::failure(400, format!("The value '{item}' is not valid for {name}."))
            })
        })
        .collect()
}

/// `GET /v2/crm/accounts/lookup`: always within the caller's security scope; inactive
/// accounts only with `Filter.WithInactiveAccounts=true`.
pub async fn accounts_lookup(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    OriginalUri(uri): OriginalUri,
) -> Result<Response, ApiError> {
    let params = QueryParams::parse(uri.query());
    let ids = repeated_ints(uri.query(), "Filter.Ids")?;
    let page = Page::from_query(&params)?;
    let mut conditions = Conditions::new();
    conditions.push("a.tenant_id = ?", &[user.tenant_id]);
    conditions.push(&in_scope_sql("a.id"), &[user.user_id]);
    if !ids.is_empty() {
        conditions.any_of("a.id", &ids);
    }
    if let Some(name) = params.text("Filter.Name") {
        conditions.push(
            r"a.account_name LIKE '%' || ? || '%' ESCAPE '\'",
            &[escape_like(name)],
        );
    }
    if params.boolean("Filter.WithInactiveAccounts")? != Some(true) {
        conditions.push("a.is_active = 1", &[] as &[i64]);
    }
    let found = state.store.read(|connection| {
        let sql = format!(
            "SELECT a.id, a.account_name, t.name, a.is_active
             FROM bms_accounts a JOIN bms_tenants t ON t.id = a.tenant_id{}
             ORDER BY a.account_name, a.id LIMIT ? OFFSET ?",
            conditions.where_sql()
        );
        let mut query_params = conditions.params().to_vec();
        query_params.extend([page.limit().into(), page.offset().into()]);
        let mut statement = connection.prepare(&sql)?;
        let rows = statement.query_map(rusqlite::params_from_iter(query_params), |row| {
            Ok(AccountLookup {
                id: row.get(0)?,
                name: row.get(1)?,
                tenant_name: row.get(2)?,
                is_active: row.get(3)?,
            })
        })?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
    })?;
    Ok(envelope::success(found).into_response())
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct LocationLookup {
    id: i64,
    name: String,
    account_id: i64,
    is_main: bool,
}

/// `GET /v2/crm/accounts/{accountId}/locations/lookup`.
pub async fn locations_lookup(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(account_id): Path<String>,
) -> Result<Response, ApiError> {
    let account_id = parse_id(&account_id, ACCOUNT_NOT_FOUND)?;
    let account = state
        .store
        .read(|connection| accounts::find_visible(connection, &user, account_id))?
        .ok_or_else(|| ApiError::failure(404, ACCOUNT_NOT_FOUND))?;
    let lookups: Vec<LocationLookup> = account
        .locations
        .iter()
        .map(|location| LocationLookup {
            id: location.id,
            name: location.location_name.clone(),
            account_id,
            is_main: location.is_main,
        })
        .collect();
    Ok(envelope::success(lookups).into_response())
}

/// `GET /v2/crm/accounts/{accountId}/locations/{locationId}`.
pub async fn location(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path((account_id, location_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    const LOCATION_NOT_FOUND: &str = "Location not found.";
    let account_id = parse_id(&account_id, ACCOUNT_NOT_FOUND)?;
    let location_id = parse_id(&location_id, LOCATION_NOT_FOUND)?;
    let account = state
        .store
        .read(|connection| accounts::find_visible(connection, &user, account_id))?
        .ok_or_else(|| ApiError::failure(404, ACCOUNT_NOT_FOUND))?;
    let location = account
        .locations
        .into_iter()
        .find(|location| location.id == location_id)
        .ok_or_else(|| ApiError::failure(404, LOCATION_NOT_FOUND))?;
    Ok(envelope::success(location).into_response())
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct AccountType {
    id: i64,
    name: String,
    is_active: bool,
    is_client: bool,
    is_vendor: bool,
}

/// `GET /v2/system/accounttypes/lookup`.
pub async fn account_types(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
) -> Result<Response, ApiError> {
    let types = state.store.read(|connection| {
        let mut statement = connection
            .prepare("SELECT id, name FROM bms_account_types WHERE tenant_id = ?1 ORDER BY id")?;
        let rows = statement.query_map([user.tenant_id], |row| {
            let name: String = row.get(1)?;
            Ok(AccountType {
                id: row.get(0)?,
                is_active: true,
                is_client: name == "Customer",
                is_vendor: name == "Vendor",
                name,
            })
        })?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
    })?;
    Ok(envelope::success(types).into_response())
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct LookupItem {
    id: i64,
    name: String,
    is_default: bool,
    is_active: bool,
}

/// The table names `/v2/system/lookup/{tableName}` knows (case-insensitive). The real
/// names are unpublished.
pub const LOOKUP_TABLES: &[&str] = &[
    "AssetCategories",
    "AssetStatuses",
    "EmailTypes",
    "PhoneTypes",
    "BusinessTypes",
    "Countries",
    "Manufacturers",
    // Seeded by the service desk side into `bms_lookups`.
    "NoteTypes",
    "TicketSources",
    "TicketTypes",
];

/// `GET /v2/system/lookup/{tableName}` → `[{id, name, isDefault, isActive}]`.
pub async fn lookup(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(table): Path<String>,
) -> Result<Response, ApiError> {
    let name = LOOKUP_TABLES
        .iter()
        .find(|known| known.eq_ignore_ascii_case(table.trim()))
        .ok_or_else(|| ApiError::failure(404, format!("Lookup table '{table}' not found.")))?;
    let items = state
        .store
        .read(|connection| lookup_items(connection, name, user.tenant_id))?;
    Ok(envelope::success(items).into_response())
}

fn lookup_items(
    connection: &Connection,
    table: &str,
    tenant_id: i64,
) -> rusqlite::Result<Vec<LookupItem>> {
    let (sql, params): (&str, Vec<rusqlite::types::Value>) = match table {
        "BusinessTypes" => (
            "SELECT id, name, 0, 1 FROM bms_business_types WHERE tenant_id = ?1 ORDER BY id",
            vec![tenant_id.into()],
        ),
        "Countries" => (
            "SELECT id, name, id = 1, 1 FROM bms_countries ORDER BY name",
            vec![],
        ),
        _ => (
            "SELECT id, name, is_default, is_active FROM bms_lookups WHERE table_name = ?1 ORDER BY id",
            vec![table.to_owned().into()],
        ),
    };
    let mut statement = connection.prepare(sql)?;
    let rows = statement.query_map(rusqlite::params_from_iter(params), |row| {
        Ok(LookupItem {
            id: row.get(0)?,
            name: row.get(1)?,
            is_default: row.get(2)?,
            is_active: row.get(3)?,
        })
    })?;
    rows.collect()
}
