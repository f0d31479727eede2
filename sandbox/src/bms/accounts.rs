//! CRM accounts: `GET /v2/crm/accounts/summary` (paged) and `/summary/{id}`, limited to
//! the caller's security scope. The writes live in `account_writes`.

use axum::extract::{OriginalUri, Path, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use rusqlite::{Connection, Row};
use serde::Serialize;

use super::envelope::{self, ApiError};
use super::params::QueryParams;
use super::security::AuthUser;
use super::servicedesk::support::in_scope_sql;
use crate::state::AppState;
use crate::store::sql::{self, Conditions};

/// The real default page size is a tenant setting; this one is the sandbox's choice.
const DEFAULT_PAGE_SIZE: i64 = 50;
const NOT_FOUND: &str = "Account not found.";

const FROM: &str = "bms_accounts a
    JOIN bms_tenants tn ON tn.id = a.tenant_id
    LEFT JOIN bms_account_types at ON at.id = a.account_type_id
    LEFT JOIN bms_business_types bt ON bt.id = a.business_type_id
    LEFT JOIN bms_users m ON m.id = a.account_manager_id";
const COLUMNS: &str = "a.id, a.created_by, a.created_on, a.modified_by, a.modified_on,
    a.parent_id, a.account_code, a.account_type_id, at.name, a.account_name,
    a.business_type_id, bt.name, a.account_manager_id, m.username, tn.currency_id,
    tn.currency_code, a.credit_limit, a.net_days, a.website, a.description, a.is_active,
    a.is_billing, a.acquired_date, tn.name, m.first_name || ' ' || m.last_name";

/// `AccountSummaryOutputDto`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountSummary {
    pub id: i64,
    pub created_by: Option<i64>,
    pub created_on: Option<String>,
    pub modified_by: Option<i64>,
    pub modified_on: Option<String>,
    pub parent_id: Option<i64>,
    pub account_code: Option<String>,
    pub account_type_id: Option<i64>,
    pub account_type: Option<String>,
    pub account_name: String,
    pub business_type_id: Option<i64>,
    pub business_type: Option<String>,
    pub service_type_id: Option<i64>,
    pub service_type: Option<String>,
    pub account_manager_id: Option<i64>,
    pub account_manager_user_name: Option<String>,
    pub currency_id: Option<i64>,
    pub currency_name: Option<String>,
    pub credit_limit: Option<f64>,
    pub net_days: Option<f64>,
    pub sales_tax_item_id: Option<i64>,
    pub sales_tax_item_name: Option<String>,
    pub website: Option<String>,
    pub description: Option<String>,
    pub class_id: Option<i64>,
    pub class_name: Option<String>,
    pub is_active: bool,
    pub is_billing: bool,
    pub acquired_date: Option<String>,
    pub tenant_name: Option<String>,
    pub locations: Vec<Location>,
    /// Shown on the web page; not part of the DTO.
    #[serde(skip)]
    pub account_manager_full_name: Option<String>,
}

/// `AccountLocationOutputDto`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    pub id: i64,
    pub created_by: Option<i64>,
    pub created_on: Option<String>,
    pub modified_by: Option<i64>,
    pub modified_on: Option<String>,
    pub location_name: String,
    pub is_main: bool,
    pub is_active: bool,
    pub time_zone_id: Option<i64>,
    pub date_format_id: Option<i64>,
    pub time_format_id: Option<i64>,
    pub addresses: Vec<Address>,
}

/// `AccountAddressOutputDto`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    pub id: i64,
    pub created_by: Option<i64>,
    pub created_on: Option<String>,
    pub modified_by: Option<i64>,
    pub modified_on: Option<String>,
    pub address1: Option<String>,
    pub address2: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub zip_code: Option<String>,
    pub country_id: Option<i64>,
    pub country: Option<String>,
    pub phone: Option<String>,
    pub fax: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub email_address: Option<String>,
    pub is_main: bool,
    pub is_billing: bool,
    pub address_type_id: Option<i64>,
    pub address_type: Option<String>,
}

impl AccountSummary {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            created_by: row.get(1)?,
            created_on: row.get(2)?,
            modified_by: row.get(3)?,
            modified_on: row.get(4)?,
            parent_id: row.get(5)?,
            account_code: row.get(6)?,
            account_type_id: row.get(7)?,
            account_type: row.get(8)?,
            account_name: row.get(9)?,
            business_type_id: row.get(10)?,
            business_type: row.get(11)?,
            service_type_id: None,
            service_type: None,
            account_manager_id: row.get(12)?,
            account_manager_user_name: row.get(13)?,
            currency_id: row.get(14)?,
            currency_name: row.get(15)?,
            credit_limit: row.get(16)?,
            net_days: row.get(17)?,
            sales_tax_item_id: None,
            sales_tax_item_name: None,
            website: row.get(18)?,
            description: row.get(19)?,
            class_id: None,
            class_name: None,
            is_active: row.get(20)?,
            is_billing: row.get(21)?,
            acquired_date: row.get(22)?,
            tenant_name: row.get(23)?,
            locations: Vec::new(),
            account_manager_full_name: row.get(24)?,
        })
    }

    /// The main location and its main address, as the account page shows them.
    pub fn main_location(&self) -> Option<(&Location, Option<&Address>)> {
        let location = self.locations.iter().find(|l| l.is_main)?;
        Some((location, location.addresses.iter().find(|a| a.is_main)))
    }
}

pub async fn show(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let not_found = || ApiError::failure(404, NOT_FOUND);
    let id: i64 = id.parse().map_err(|_| not_found())?;
    let account = state
        .store
        .read(|connection| find_visible(connection, &user, id))?
        .ok_or_else(not_found)?;
    // The published spec declares this route unwrapped; the switch serves it that way.
    Ok(if state.settings.bms_summary_unwrapped {
        Json(account).into_response()
    } else {
        envelope::success(account).into_response()
    })
}

pub async fn list(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    OriginalUri(uri): OriginalUri,
) -> Result<Response, ApiError> {
    let params = QueryParams::parse(uri.query());
    let mut conditions = list_conditions(&params)?;
    conditions.push("a.tenant_id = ?", &[user.tenant_id]);
    conditions.push(&in_scope_sql("a.id"), &[user.user_id]);
    let order = sort(params.text("Sort"))?;
    let size = params
        .integer("PageSize")?
        .filter(|size| *size > 0)
        .unwrap_or(DEFAULT_PAGE_SIZE);
    // Clients start at 1; some send 0, which reads as the first page.
    let number = params.integer("PageNumber")?.unwrap_or(1).max(1);
    let offset = (number - 1).saturating_mul(size);
    let (accounts, total) = state.store.read(|connection| {
        let total = sql::count(connection, FROM, &conditions)?;
        let mut query_params = conditions.params().to_vec();
        query_params.extend([size.into(), offset.into()]);
        let sql = format!(
            "SELECT {COLUMNS} FROM {FROM}{} ORDER BY {order} LIMIT ? OFFSET ?",
            conditions.where_sql()
        );
        Ok((select(connection, &sql, query_params)?, total))
    })?;
    Ok(envelope::paged(accounts, total).into_response())
}

fn list_conditions(params: &QueryParams) -> Result<Conditions, ApiError> {
    let mut conditions = Conditions::new();
    if let Some(name) = params.text("Filter.AccountName") {
        conditions.push(
            r"a.account_name LIKE '%' || ? || '%' ESCAPE '\'",
            &[escape_like(name)],
        );
    }
    if let Some(code) = params.text("Filter.AccountCode") {
        conditions.push("lower(a.account_code) = lower(?)", &[code.to_owned()]);
    }
    if let Some(type_id) = params.integer("Filter.AccountTypeId")? {
        conditions.push("a.account_type_id = ?", &[type_id]);
    }
    if let Some(type_name) = params.text("Filter.AccountTypeName") {
        conditions.push("lower(at.name) = lower(?)", &[type_name.to_owned()]);
    }
    if let Some(active) = params.boolean("Filter.IsActive")? {
        conditions.push("a.is_active = ?", &[active]);
    }
    let ranges = [
        ("Filter.CreatedOnFrom", "a.created_on >= ?"),
        ("Filter.CreatedOnTo", "a.created_on <= ?"),
        ("Filter.ModifiedOnFrom", "a.modified_on >= ?"),
        ("Filter.ModifiedOnTo", "a.modified_on <= ?"),
    ];
    for (name, clause) in ranges {
        if let Some(bound) = params.datetime(name)? {
            conditions.push(clause, &[bound.to_bms()]);
        }
    }
    Ok(conditions)
}

/// `Sort`: a field name, optionally with ` desc`/` asc` or a leading `-`. The real syntax
/// is undocumented; ties are broken by id.
fn sort(text: Option<&str>) -> Result<String, ApiError> {
    const FIELDS: &[(&str, &str)] = &[
        ("id", "a.id"),
        ("accountname", "a.account_name"),
        ("accountcode", "a.account_code"),
        ("createdon", "a.created_on"),
        ("modifiedon", "a.modified_on"),
    ];
    let Some(text) = text else {
        return Ok("a.id".to_owned());
    };
    let text = text.trim();
    let (field, descending) = match text.strip_prefix('-') {
        Some(field) => (field, true),
        None => match text.rsplit_once(' ') {
            Some((field, direction)) => (field.trim(), direction.eq_ignore_ascii_case("desc")),
            None => (text, false),
        },
    };
    let column = FIELDS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(field))
        .map(|(_, column)| *column)
        .ok_or_else(|| ApiError::failure(400, format!("The sort field '{field}' is not valid.")))?;
    let direction = if descending { "DESC" } else { "ASC" };
    Ok(format!("{column} {direction}, a.id ASC"))
}

/// One account the caller's security scope includes.
pub fn find_visible(
    connection: &Connection,
    user: &AuthUser,
    id: i64,
) -> rusqlite::Result<Option<AccountSummary>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE a.id = ? AND a.tenant_id = ? AND {}",
        in_scope_sql("a.id")
    );
    let mut found = select(
        connection,
        &sql,
        vec![id.into(), user.tenant_id.into(), user.user_id.into()],
    )?;
    Ok(found.pop())
}

/// Makes `%`, `_` and `\` literal inside a LIKE pattern.
fn escape_like(text: &str) -> String {
    text.replace('\\', r"\\")
        .replace('%', r"\%")
        .replace('_', r"\_")
}

/// One account of the tenant, with its locations and addresses.
pub fn find(
    connection: &Connection,
    tenant_id: i64,
    id: i64,
) -> rusqlite::Result<Option<AccountSummary>> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE a.id = ?1 AND a.tenant_id = ?2");
    let mut found = select(connection, &sql, vec![id.into(), tenant_id.into()])?;
    Ok(found.pop())
}

fn select(
    connection: &Connection,
    sql: &str,
    params: Vec<rusqlite::types::Value>,
) -> rusqlite::Result<Vec<AccountSummary>> {
    let mut statement = connection.prepare(sql)?;
    let mut accounts = statement
        .query_map(rusqlite::params_from_iter(params), AccountSummary::from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for account in &mut accounts {
        account.locations = locations(connection, account.id)?;
    }
    Ok(accounts)
}

fn locations(connection: &Connection, account_id: i64) -> rusqlite::Result<Vec<Location>> {
    let mut statement = connection.prepare(
        "SELECT id, created_by, created_on, modified_by, modified_on, location_name, is_main, is_active
         FROM bms_account_locations WHERE account_id = ?1 ORDER BY is_main DESC, id",
    )?;
    let mut locations = statement
        .query_map([account_id], |row| {
            Ok(Location {
                id: row.get(0)?,
                created_by: row.get(1)?,
                created_on: row.get(2)?,
                modified_by: row.get(3)?,
                modified_on: row.get(4)?,
                location_name: row.get(5)?,
                is_main: row.get(6)?,
                is_active: row.get(7)?,
                time_zone_id: None,
                date_format_id: None,
                time_format_id: None,
                addresses: Vec::new(),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for location in &mut locations {
        location.addresses = addresses(connection, location.id)?;
    }
    Ok(locations)
}

fn addresses(connection: &Connection, location_id: i64) -> rusqlite::Result<Vec<Address>> {
    let mut statement = connection.prepare(
        "SELECT ad.id, ad.created_by, ad.created_on, ad.modified_by, ad.modified_on, ad.address1,
                ad.address2, ad.city, ad.state, ad.zip_code, ad.country_id, c.name, ad.phone, ad.fax,
                ad.email_address, ad.is_main, ad.is_billing
         FROM bms_account_addresses ad LEFT JOIN bms_countries c ON c.id = ad.country_id
         WHERE ad.location_id = ?1 ORDER BY ad.is_main DESC, ad.id",
    )?;
    let rows = statement.query_map([location_id], |row| {
        Ok(Address {
            id: row.get(0)?,
            created_by: row.get(1)?,
            created_on: row.get(2)?,
            modified_by: row.get(3)?,
            modified_on: row.get(4)?,
            address1: row.get(5)?,
            address2: row.get(6)?,
            city: row.get(7)?,
            state: row.get(8)?,
            zip_code: row.get(9)?,
            country_id: row.get(10)?,
            country: row.get(11)?,
            phone: row.get(12)?,
            fax: row.get(13)?,
            latitude: None,
            longitude: None,
            email_address: row.get(14)?,
            is_main: row.get(15)?,
            is_billing: row.get(16)?,
            address_type_id: None,
            address_type: None,
        })
    })?;
    rows.collect()
}

#[cfg(test)]
mod tests {
    use super::escape_like;

    #[test]
    fn like_wildcards_in_names_stay_literal() {
        assert_eq!(escape_like("100%_off\\"), r"100\%\_off\\");
    }
}
