//! CRM account writes: `POST /v2/crm/accounts` (with its locations), `PUT` and JSON Patch
//! `PATCH /v2/crm/accounts/{id}`. Required input members missing → `success:false`
//! naming them. Every write stamps `modifiedOn`/`modifiedBy`.

use axum::Extension;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Value, json};

use super::accounts;
use super::envelope::{self, ApiError};
use super::json_input::{Fields, JsonBody, require};
use super::security::AuthUser;
use super::servicedesk::support::{now, parse_id};
use super::servicedesk::tickets::patch;
use crate::state::AppState;

const NOT_FOUND: &str = "Account not found.";
const REQUIRED: &[&str] = &[
    "AccountTypeId",
    "AccountName",
    "BusinessTypeId",
    "AccountManagerId",
];

/// The writable members of `AccountPutInputDto`, as `(member, column)`; PUT replaces all.
const PUT_MEMBERS: &[(&str, &str)] = &[
    ("ParentId", "parent_id"),
    ("AccountCode", "account_code"),
    ("AccountTypeId", "account_type_id"),
    ("AccountName", "account_name"),
    ("Description", "description"),
    ("Website", "website"),
    ("BusinessTypeId", "business_type_id"),
    ("AccountManagerId", "account_manager_id"),
    ("IsActive", "is_active"),
    ("AcquiredDate", "acquired_date"),
    ("CreditLimit", "credit_limit"),
    ("NetDays", "net_days"),
];

pub async fn create(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let fields = Fields::from_body(body)?;
    let mut required = REQUIRED.to_vec();
    required.push("Locations");
    require(&fields, &required)?;
    let locations = fields.objects("Locations")?;
    if locations.is_empty() {
        return Err(ApiError::failure(400, "The Locations field is required."));
    }
    for location in &locations {
        require(location, &["LocationName", "Addresses"])?;
    }
    let id = state.store.try_write(|transaction| {
        let values = values(transaction, &user, &fields)?;
        let id = insert_account(transaction, &user, &values)?;
        for location in &locations {
            insert_location(transaction, &user, id, location)?;
        }
        grant_creator(transaction, &user, id)?;
        Ok::<_, ApiError>(id)
    })?;
    respond(&state, &user, id)
}

pub async fn update(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let id = parse_id(&id, NOT_FOUND)?;
    let fields = Fields::from_body(body)?;
    put(&state, &user, id, &fields)?;
    respond(&state, &user, id)
}

/// JSON Patch on the account's PUT document, then the PUT rules.
pub async fn patch(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let id = parse_id(&id, NOT_FOUND)?;
    let operations = patch::operations(body)?;
    let mut document = state
        .store
        .read(|connection| put_document(connection, &user, id))?
        .ok_or_else(|| ApiError::failure(404, NOT_FOUND))?;
    patch::apply(&mut document, &operations)?;
    put(&state, &user, id, &Fields::from_body(document)?)?;
    respond(&state, &user, id)
}

fn put(state: &AppState, user: &AuthUser, id: i64, fields: &Fields) -> Result<(), ApiError> {
    require(fields, REQUIRED)?;
    state.store.try_write(|transaction| {
        if accounts::find_visible(transaction, user, id)?.is_none() {
            return Err(ApiError::failure(404, NOT_FOUND));
        }
        let values = values(transaction, user, fields)?;
        let assignments: Vec<String> = PUT_MEMBERS
            .iter()
            .map(|(_, column)| format!("{column} = ?"))
            .chain(["modified_by = ?".to_owned(), "modified_on = ?".to_owned()])
            .collect();
        let mut params = values;
        params.extend([user.user_id.into(), now().into(), id.into()]);
        transaction.execute(
            &format!(
                "UPDATE bms_accounts SET {} WHERE id = ?",
                assignments.join(", ")
            ),
            rusqlite::params_from_iter(params),
        )?;
        Ok(())
    })
}

/// The current account as an `AccountPutInputDto`, for JSON Patch.
fn put_document(
    connection: &Connection,
    user: &AuthUser,
    id: i64,
) -> rusqlite::Result<Option<Value>> {
    let Some(account) = accounts::find_visible(connection, user, id)? else {
        return Ok(None);
    };
    Ok(Some(json!({
        "ParentId": account.parent_id,
        "AccountCode": account.account_code,
        "AccountTypeId": account.account_type_id,
        "AccountName": account.account_name,
        "Description": account.description,
        "Website": account.website,
        "BusinessTypeId": account.business_type_id,
        "ServiceTypeId": account.service_type_id,
        "CurrencyId": account.currency_id,
        "SalesTaxItemId": account.sales_tax_item_id,
        "ClassId": account.class_id,
        "AccountManagerId": account.account_manager_id,
        "IsActive": account.is_active,
        "AcquiredDate": account.acquired_date,
        "CreditLimit": account.credit_limit,
        "NetDays": account.net_days,
        "RouteInvoiceToParent": false,
    })))
}

/// The PUT members in [`PUT_MEMBERS`] order, validated against the tenant's records.
fn values(
    connection: &Connection,
    user: &AuthUser,
    fields: &Fields,
) -> Result<Vec<rusqlite::types::Value>, ApiError> {
    let type_id = fields.int("AccountTypeId")?;
    let business_type_id = fields.int("BusinessTypeId")?;
    let manager_id = fields.int("AccountManagerId")?;
    let parent_id = fields.int("ParentId")?;
    check_reference(
        connection,
        "bms_account_types",
        "AccountTypeId",
        type_id,
        user.tenant_id,
    )?;
    check_reference(
        connection,
        "bms_business_types",
        "BusinessTypeId",
        business_type_id,
        user.tenant_id,
    )?;
    check_reference(
        connection,
        "bms_users",
        "AccountManagerId",
        manager_id,
        user.tenant_id,
    )?;
    check_reference(
        connection,
        "bms_accounts",
        "ParentId",
        parent_id,
        user.tenant_id,
    )?;
    let name = fields
        .text("AccountName")?
        .map(|name| name.trim().to_owned());
    Ok(vec![
        parent_id.into(),
        fields.text("AccountCode")?.into(),
        type_id.into(),
        name.into(),
        fields.text("Description")?.into(),
        fields.text("Website")?.into(),
        business_type_id.into(),
        manager_id.into(),
        i64::from(fields.boolean("IsActive")?.unwrap_or(true)).into(),
        fields
            .datetime("AcquiredDate")?
            .map(|at| at.to_bms())
            .into(),
        fields.float("CreditLimit")?.into(),
        fields.float("NetDays")?.into(),
    ])
}

fn check_reference(
    connection: &Connection,
    table: &str,
    member: &str,
    id: Option<i64>,
    tenant_id: i64,
) -> Result<(), ApiError> {
    let Some(id) = id else {
        return Ok(());
    };
    let found: Option<i64> = connection
        .query_row(
            &format!("SELECT id FROM {table} WHERE id = ?1 AND tenant_id = ?2"),
            params![id, tenant_id],
            |row| row.get(0),
        )
        .optional()?;
    found
        .map(|_| ())
        .ok_or_else(|| ApiError::failure(400, format!("The {member} value '{id}' is not valid.")))
}

fn insert_account(
    connection: &Connection,
    user: &AuthUser,
    values: &[rusqlite::types::Value],
) -> Result<i64, ApiError> {
    let columns: Vec<&str> = PUT_MEMBERS.iter().map(|(_, column)| *column).collect();
    let stamp = now();
    let mut params = values.to_vec();
    params.extend([
        user.tenant_id.into(),
        user.user_id.into(),
        stamp.clone().into(),
        user.user_id.into(),
        stamp.into(),
    ]);
    connection.execute(
        &format!(
            "INSERT INTO bms_accounts ({}, tenant_id, is_billing, created_by, created_on,
                                       modified_by, modified_on)
             VALUES ({}, ?, 1, ?, ?, ?, ?)",
            columns.join(", "),
            crate::store::sql::placeholders(columns.len())
        ),
        rusqlite::params_from_iter(params),
    )?;
    Ok(connection.last_insert_rowid())
}

/// One `AccountLocationInputDto` and its addresses.
fn insert_location(
    connection: &Connection,
    user: &AuthUser,
    account_id: i64,
    location: &Fields,
) -> Result<(), ApiError> {
    let stamp = now();
    connection.execute(
        "INSERT INTO bms_account_locations
           (account_id, location_name, is_main, is_active, created_by, created_on, modified_by,
            modified_on)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?5, ?6)",
        params![
            account_id,
            location.text("LocationName")?,
            location.boolean("IsMain")?.unwrap_or(false),
            location.boolean("IsActive")?.unwrap_or(true),
            user.user_id,
            stamp
        ],
    )?;
    let location_id = connection.last_insert_rowid();
    for address in location.objects("Addresses")? {
        let country_id = address.int("CountryId")?;
        if let Some(country) = country_id {
            let known: bool = connection.query_row(
                "SELECT EXISTS (SELECT 1 FROM bms_countries WHERE id = ?1)",
                [country],
                |row| row.get(0),
            )?;
            if !known {
                return Err(ApiError::failure(
                    400,
                    format!("The CountryId value '{country}' is not valid."),
                ));
            }
        }
        connection.execute(
            "INSERT INTO bms_account_addresses
               (location_id, address1, address2, city, state, zip_code, country_id, phone, fax,
                email_address, is_main, is_billing, created_by, created_on, modified_by,
                modified_on)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?13, ?14)",
            params![
                location_id,
                address.text("Address1")?,
                address.text("Address2")?,
                address.text("City")?,
                address.text("State")?,
                address.text("ZipCode")?,
                country_id,
                address.text("Phone")?,
                address.text("Fax")?,
                address.text("EmailAddress")?,
                address.boolean("IsMain")?.unwrap_or(true),
                address.boolean("IsBilling")?.unwrap_or(false),
                user.user_id,
                stamp
            ],
        )?;
    }
    Ok(())
}

/// A creator with a limited scope can see the account they made.
fn grant_creator(
    connection: &Connection,
    user: &AuthUser,
    account_id: i64,
) -> rusqlite::Result<()> {
    connection.execute(
        "INSERT INTO bms_security_scope (user_id, account_id)
         SELECT ?1, ?2 WHERE NOT EXISTS
           (SELECT 1 FROM bms_security_scope WHERE user_id = ?1 AND account_id IS NULL)",
        params![user.user_id, account_id],
    )?;
    Ok(())
}

fn respond(state: &AppState, user: &AuthUser, id: i64) -> Result<Response, ApiError> {
    let account = state
        .store
        .read(|connection| accounts::find_visible(connection, user, id))?
        .ok_or_else(|| ApiError::failure(404, NOT_FOUND))?;
    Ok(envelope::success(account).into_response())
}
