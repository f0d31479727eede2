//! CRM contact writes: create through `POST /v2/crm/contacts/summary` (no job title or
//! point of contact there), `PUT` and JSON Patch `PATCH /v2/crm/contacts/{id}`, the
//! e-mail and phone operation arrays, and `DELETE`. Every write stamps `modifiedOn`.

use axum::Extension;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde_json::{Value, json};

use super::contacts::{self, Email, NOT_FOUND, Phone};
use super::envelope::{self, ApiError};
use super::json_input::{Fields, JsonBody, require};
use super::security::AuthUser;
use super::servicedesk::support::{in_scope_sql, now, parse_id};
use super::servicedesk::tickets::patch;
use crate::state::AppState;

/// `POST /v2/crm/contacts/summary` with a `ContactInputDto`.
pub async fn create(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let fields = Fields::from_body(body)?;
    require(&fields, &["AccountId", "LocationId"])?;
    let id = state.store.try_write(|transaction| {
        let (account_id, location_id) = placement(transaction, &user, &fields)?;
        let stamp = now();
        transaction.execute(
            "INSERT INTO bms_contacts
               (account_id, location_id, first_name, last_name, is_poc, is_active, created_by,
                created_on, modified_by, modified_on)
             VALUES (?1, ?2, ?3, ?4, 0, 1, ?5, ?6, ?5, ?6)",
            params![
                account_id,
                location_id,
                fields.text("FirstName")?,
                fields.text("LastName")?,
                user.user_id,
                stamp
            ],
        )?;
        let id = transaction.last_insert_rowid();
        for email in fields.objects("Emails")? {
            add_email(transaction, &user, id, &email, "EmailAddress")?;
        }
        for phone in fields.objects("Phones")? {
            add_phone(transaction, &user, id, &phone, "PhoneNumber")?;
        }
        Ok::<_, ApiError>(id)
    })?;
    let contact = read(&state, &user, id)?;
    Ok(envelope::success(contact).into_response())
}

/// `PUT /v2/crm/contacts/{id}` with a `ContactPutInputDto` → `ContactOutputDto`.
pub async fn update(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let id = parse_id(&id, NOT_FOUND)?;
    put(&state, &user, id, &Fields::from_body(body)?)?;
    Ok(envelope::success(read(&state, &user, id)?.into_output()).into_response())
}

/// `PATCH /v2/crm/contacts/{id}`: JSON Patch on the PUT document, then the PUT rules.
pub async fn patch(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let id = parse_id(&id, NOT_FOUND)?;
    let operations = patch::operations(body)?;
    let current = read(&state, &user, id)?;
    let mut document = json!({
        "AccountId": current.account_id,
        "LocationId": current.location_id,
        "FirstName": current.first_name,
        "MiddleName": current.middle_name,
        "LastName": current.last_name,
        "JobTitle": current.job_title,
        "Poc": current.is_poc,
        "IsActive": current.is_active,
        "ReceiveInvoices": current.can_recieve_invoices,
        "BillByContact": current.bill_by_contact,
        "EffectiveDate": current.effective_date,
    });
    patch::apply(&mut document, &operations)?;
    put(&state, &user, id, &Fields::from_body(document)?)?;
    Ok(envelope::success(read(&state, &user, id)?.into_output()).into_response())
}

/// `DELETE /v2/crm/contacts/{id}`.
pub async fn delete(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = parse_id(&id, NOT_FOUND)?;
    state.store.try_write(|transaction| {
        if contacts::find_visible(transaction, &user, id)?.is_none() {
            return Err(ApiError::failure(404, NOT_FOUND));
        }
        transaction.execute("DELETE FROM bms_contacts WHERE id = ?1", [id])?;
        Ok(())
    })?;
    Ok(envelope::success(true).into_response())
}

fn read(state: &AppState, user: &AuthUser, id: i64) -> Result<contacts::ContactSummary, ApiError> {
    state
        .store
        .read(|connection| contacts::find_visible(connection, user, id))?
        .ok_or_else(|| ApiError::failure(404, NOT_FOUND))
}

fn put(state: &AppState, user: &AuthUser, id: i64, fields: &Fields) -> Result<(), ApiError> {
    require(fields, &["AccountId", "LocationId"])?;
    state.store.try_write(|transaction| {
        if contacts::find_visible(transaction, user, id)?.is_none() {
            return Err(ApiError::failure(404, NOT_FOUND));
        }
        let (account_id, location_id) = placement(transaction, user, fields)?;
        transaction.execute(
            "UPDATE bms_contacts SET account_id = ?1, location_id = ?2, first_name = ?3,
                    middle_name = ?4, last_name = ?5, job_title = ?6, is_poc = ?7,
                    is_active = ?8, receive_invoices = ?9, bill_by_contact = ?10,
                    effective_date = ?11, modified_by = ?12, modified_on = ?13
             WHERE id = ?14",
            params![
                account_id,
                location_id,
                fields.text("FirstName")?,
                fields.text("MiddleName")?,
                fields.text("LastName")?,
                fields.text("JobTitle")?,
                fields.boolean("Poc")?.unwrap_or(false),
                fields.boolean("IsActive")?.unwrap_or(true),
                fields.boolean("ReceiveInvoices")?.unwrap_or(false),
                fields.boolean("BillByContact")?.unwrap_or(false),
                fields.datetime("EffectiveDate")?.map(|at| at.to_bms()),
                user.user_id,
                now(),
                id
            ],
        )?;
        Ok(())
    })
}

/// The account (in the caller's scope) and one of its locations.
fn placement(
    connection: &Connection,
    user: &AuthUser,
    fields: &Fields,
) -> Result<(i64, i64), ApiError> {
    let account_id = fields.int("AccountId")?.unwrap_or_default();
    let location_id = fields.int("LocationId")?.unwrap_or_default();
    let account_visible: bool = connection.query_row(
        &format!(
            "SELECT EXISTS (SELECT 1 FROM bms_accounts WHERE id = ? AND tenant_id = ? AND {})",
            in_scope_sql("bms_accounts.id")
        ),
        params![account_id, user.tenant_id, user.user_id],
        |row| row.get(0),
    )?;
    if !account_visible {
        return Err(ApiError::failure(
            400,
            format!("The AccountId value '{account_id}' is not valid."),
        ));
    }
    let location_found: Option<i64> = connection
        .query_row(
            "SELECT id FROM bms_account_locations WHERE id = ?1 AND account_id = ?2",
            params![location_id, account_id],
            |row| row.get(0),
        )
        .optional()?;
    location_found
        .map(|_| (account_id, location_id))
        .ok_or_else(|| {
            ApiError::failure(
                400,
                format!("The LocationId value '{location_id}' is not valid."),
            )
        })
}

/// An operation of the e-mail and phone arrays: 0 add, 1 update, 2 delete (also by name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operation {
    Add,
    Update,
    Delete,
}

fn operation(fields: &Fields) -> Result<Operation, ApiError> {
    let raw = fields.raw("Operation");
    let code = match &raw {
        Value::Number(number) => number.as_i64(),
        Value::String(text) => match text.trim().to_ascii_lowercase().as_str() {
            "add" | "0" => Some(0),
            "update" | "1" => Some(1),
            "delete" | "2" => Some(2),
            _ => None,
        },
        _ => None,
    };
    match code {
        Some(0) => Ok(Operation::Add),
        Some(1) => Ok(Operation::Update),
        Some(2) => Ok(Operation::Delete),
        _ => Err(ApiError::failure(
            400,
            format!("The Operation value '{raw}' is not valid."),
        )),
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct EmailsResult {
    added: u32,
    updated: u32,
    deleted: u32,
    emails: Vec<Email>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct PhonesResult {
    added: u32,
    updated: u32,
    deleted: u32,
    phones: Vec<Phone>,
}

/// One list's table and member names, so e-mails and phones share the operation code.
struct ListKind {
    table: &'static str,
    value_column: &'static str,
    type_column: &'static str,
    value_member: &'static str,
    new_value_member: &'static str,
    noun: &'static str,
}

const EMAILS: ListKind = ListKind {
    table: "bms_contact_emails",
    value_column: "email_address",
    type_column: "email_type_id",
    value_member: "EmailAddress",
    new_value_member: "NewEmailAddress",
    noun: "email address",
};

const PHONES: ListKind = ListKind {
    table: "bms_contact_phones",
    value_column: "phone",
    type_column: "phone_type_id",
    value_member: "PhoneNumber",
    new_value_member: "NewPhoneNumber",
    noun: "phone number",
};

/// `PATCH /v2/crm/contacts/{id}/emails`.
pub async fn patch_emails(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let id = parse_id(&id, NOT_FOUND)?;
    let (added, updated, deleted) = apply_list(&state, &user, id, body, &EMAILS)?;
    let emails = state
        .store
        .read(|connection| contacts::emails(connection, id))?;
    Ok(envelope::success(EmailsResult {
        added,
        updated,
        deleted,
        emails,
    })
    .into_response())
}

/// `PATCH /v2/crm/contacts/{id}/phones`.
pub async fn patch_phones(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let id = parse_id(&id, NOT_FOUND)?;
    let (added, updated, deleted) = apply_list(&state, &user, id, body, &PHONES)?;
    let phones = state
        .store
        .read(|connection| contacts::phones(connection, id))?;
    Ok(envelope::success(PhonesResult {
        added,
        updated,
        deleted,
        phones,
    })
    .into_response())
}

fn apply_list(
    state: &AppState,
    user: &AuthUser,
    contact_id: i64,
    body: Value,
    kind: &ListKind,
) -> Result<(u32, u32, u32), ApiError> {
    let operations = Fields::list_from_body(body)?;
    state.store.try_write(|transaction| {
        if contacts::find_visible(transaction, user, contact_id)?.is_none() {
            return Err(ApiError::failure(404, NOT_FOUND));
        }
        let mut counts = (0, 0, 0);
        for fields in &operations {
            match operation(fields)? {
                Operation::Add => {
                    if kind.table == EMAILS.table {
                        add_email(transaction, user, contact_id, fields, kind.value_member)?;
                    } else {
                        add_phone(transaction, user, contact_id, fields, kind.value_member)?;
                    }
                    counts.0 += 1;
                }
                Operation::Update => {
                    update_entry(transaction, user, contact_id, fields, kind)?;
                    counts.1 += 1;
                }
                Operation::Delete => {
                    let row = entry_id(transaction, contact_id, fields, kind)?;
                    transaction
                        .execute(&format!("DELETE FROM {} WHERE id = ?1", kind.table), [row])?;
                    counts.2 += 1;
                }
            }
        }
        touch(transaction, user, contact_id)?;
        Ok(counts)
    })
}

fn entry_id(
    connection: &Connection,
    contact_id: i64,
    fields: &Fields,
    kind: &ListKind,
) -> Result<i64, ApiError> {
    let value = fields.text(kind.value_member)?.ok_or_else(|| {
        ApiError::failure(400, format!("The {} field is required.", kind.value_member))
    })?;
    connection
        .query_row(
            &format!(
                "SELECT id FROM {} WHERE contact_id = ?1 AND lower({}) = lower(?2) ORDER BY id LIMIT 1",
                kind.table, kind.value_column
            ),
            params![contact_id, value.trim()],
            |row| row.get(0),
        )
        .optional()?
        .ok_or_else(|| ApiError::failure(400, format!("The {} '{value}' was not found.", kind.noun)))
}

fn update_entry(
    connection: &Connection,
    user: &AuthUser,
    contact_id: i64,
    fields: &Fields,
    kind: &ListKind,
) -> Result<(), ApiError> {
    let row = entry_id(connection, contact_id, fields, kind)?;
    if let Some(value) = fields.text(kind.new_value_member)? {
        connection.execute(
            &format!(
                "UPDATE {} SET {} = ?1 WHERE id = ?2",
                kind.table, kind.value_column
            ),
            params![value.trim(), row],
        )?;
    }
    if let Some(type_id) = fields.int("TypeId")? {
        connection.execute(
            &format!(
                "UPDATE {} SET {} = ?1 WHERE id = ?2",
                kind.table, kind.type_column
            ),
            params![type_id, row],
        )?;
    }
    if fields.boolean("IsDefault")? == Some(true) {
        make_default(connection, kind.table, contact_id, row)?;
    }
    connection.execute(
        &format!(
            "UPDATE {} SET modified_by = ?1, modified_on = ?2 WHERE id = ?3",
            kind.table
        ),
        params![user.user_id, now(), row],
    )?;
    Ok(())
}

fn make_default(
    connection: &Connection,
    table: &str,
    contact_id: i64,
    row: i64,
) -> rusqlite::Result<()> {
    connection.execute(
        &format!("UPDATE {table} SET is_default = (id = ?2) WHERE contact_id = ?1"),
        params![contact_id, row],
    )?;
    Ok(())
}

fn add_email(
    connection: &Connection,
    user: &AuthUser,
    contact_id: i64,
    fields: &Fields,
    member: &str,
) -> Result<(), ApiError> {
    let address = fields
        .text(member)?
        .map(|a| a.trim().to_owned())
        .filter(|a| a.contains('@'))
        .ok_or_else(|| {
            ApiError::failure(
                400,
                format!("The {member} field is not a valid e-mail address."),
            )
        })?;
    let type_id = fields
        .int("EmailTypeId")?
        .or(fields.int("TypeId")?)
        .unwrap_or(1);
    insert_entry(
        connection,
        user,
        contact_id,
        &EMAILS,
        &address,
        (type_id, fields.boolean("IsDefault")?),
    )
}

fn add_phone(
    connection: &Connection,
    user: &AuthUser,
    contact_id: i64,
    fields: &Fields,
    member: &str,
) -> Result<(), ApiError> {
    let number = fields
        .text(member)?
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
        .ok_or_else(|| ApiError::failure(400, format!("The {member} field is required.")))?;
    let type_id = fields
        .int("PhoneTypeId")?
        .or(fields.int("TypeId")?)
        .unwrap_or(1);
    insert_entry(
        connection,
        user,
        contact_id,
        &PHONES,
        &number,
        (type_id, fields.boolean("IsDefault")?),
    )
}

/// Inserts an e-mail or phone; the first one, or one marked default, becomes the default.
fn insert_entry(
    connection: &Connection,
    user: &AuthUser,
    contact_id: i64,
    kind: &ListKind,
    value: &str,
    (type_id, is_default): (i64, Option<bool>),
) -> Result<(), ApiError> {
    let (table, value_column, type_column) = (kind.table, kind.value_column, kind.type_column);
    let has_any: bool = connection.query_row(
        &format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE contact_id = ?1)"),
        [contact_id],
        |row| row.get(0),
    )?;
    let stamp = now();
    connection.execute(
        &format!(
            "INSERT INTO {table} (contact_id, {value_column}, {type_column}, is_default, created_by,
                                  created_on, modified_by, modified_on)
             VALUES (?1, ?2, ?3, 0, ?4, ?5, ?4, ?5)"
        ),
        params![contact_id, value, type_id, user.user_id, stamp],
    )?;
    let row = connection.last_insert_rowid();
    if is_default == Some(true) || !has_any {
        make_default(connection, table, contact_id, row)?;
    }
    Ok(())
}

/// The contact's own `modifiedOn` follows changes to its e-mails and phones.
fn touch(connection: &Connection, user: &AuthUser, contact_id: i64) -> rusqlite::Result<()> {
    connection.execute(
        "UPDATE bms_contacts SET modified_by = ?1, modified_on = ?2 WHERE id = ?3",
        params![user.user_id, now(), contact_id],
    )?;
    Ok(())
}
