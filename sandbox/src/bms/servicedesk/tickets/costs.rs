//! Expenses and charges of a ticket: `…/expenses[/{id}]`, `…/charges[/{id}]` and the
//! combined `…/expensesandcharges` (`LogType` 1 = expense, 2 = charge; sandbox
//! numbering). Inventory actions on charges (purchase orders, delivery) are not modelled.

use axum::extract::{OriginalUri, Path, State};
use axum::{Extension, Json};
use rusqlite::{Connection, params};
use serde::Serialize;

use super::super::super::envelope::{self, ApiError, Envelope};
use super::super::super::json_input::{Fields, JsonBody, require};
use super::super::super::params::QueryParams;
use super::super::super::security::AuthUser;
use super::super::support::{Page, now, parse_id};
use super::store;
use super::write::api_actor;
use super::{ensure_visible, ticket_id};
use crate::state::AppState;

const EXPENSE: i64 = 1;
const CHARGE: i64 = 2;
const EXPENSE_NOT_FOUND: &str = "Expense not found.";
const CHARGE_NOT_FOUND: &str = "Charge not found.";

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Expense {
    id: i64,
    expense_sheet_id: Option<i64>,
    expense_sheet_name: Option<String>,
    expense_entry_source_id: i64,
    user_id: i64,
    date: String,
    expense_type_id: Option<i64>,
    payment_type_id: Option<i64>,
    amount_spent: f64,
    mark_up_amount: f64,
    mark_up_type: i64,
    notes: Option<String>,
    internal_notes: Option<String>,
    reimbursable: bool,
    is_billable: bool,
    unit_price: Option<f64>,
    reimburse_status_id: Option<i64>,
    total_amount: f64,
    balance_due: f64,
    paid_amount: f64,
    quantity: f64,
    total: f64,
    is_billed: bool,
    is_posted: bool,
    is_approved: bool,
    attachments: Vec<()>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Charge {
    id: i64,
    ticket_id: i64,
    product_index_id: Option<i64>,
    charge_name: String,
    description: Option<String>,
    quantity: Option<f64>,
    price: Option<f64>,
    amount: Option<f64>,
    cost: Option<f64>,
    unit_cost: Option<f64>,
    is_billable: bool,
    is_billed: bool,
    is_posted: bool,
    date_purchased: Option<String>,
    serial_number: Option<String>,
    created_by: Option<i64>,
    created_on: String,
    modified_by: Option<i64>,
    modified_on: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExpenseOrCharge {
    id: i64,
    created_by: Option<i64>,
    created_on: String,
    modified_by: Option<i64>,
    modified_on: String,
    log_type: i64,
    purchase_date: Option<String>,
    amount: f64,
    notes: Option<String>,
    internal_notes: Option<String>,
    is_approved: bool,
    is_billed: bool,
    is_posted: bool,
    in_review: bool,
    created_by_name: Option<String>,
    picture_name: Option<String>,
    #[serde(rename = "pictureURL")]
    picture_url: Option<String>,
    attachment_count: i64,
    status_name: Option<String>,
    status_id: Option<i64>,
}

fn expenses(
    connection: &Connection,
    clause: &str,
    params: &[rusqlite::types::Value],
) -> rusqlite::Result<Vec<Expense>> {
    let sql = format!(
        "SELECT id, user_id, date, expense_type_id, payment_type_id, amount_spent, markup_amount,
                markup_type, notes, internal_notes, reimbursable, is_billable, unit_price,
                is_billed,
                is_posted, is_approved
         FROM bms_ticket_expenses WHERE {clause} ORDER BY date, id"
    );
    let mut statement = connection.prepare(&sql)?;
    statement
        .query_map(rusqlite::params_from_iter(params), |row| {
            let amount: f64 = row.get(5)?;
            let markup: f64 = row.get(6)?;
            let total = amount + markup;
            Ok(Expense {
                id: row.get(0)?,
                expense_sheet_id: None,
                expense_sheet_name: None,
                expense_entry_source_id: 1,
                user_id: row.get(1)?,
                date: row.get(2)?,
                expense_type_id: row.get(3)?,
                payment_type_id: row.get(4)?,
                amount_spent: amount,
                mark_up_amount: markup,
                mark_up_type: row.get(7)?,
                notes: row.get(8)?,
                internal_notes: row.get(9)?,
                reimbursable: row.get(10)?,
                is_billable: row.get(11)?,
                unit_price: row.get(12)?,
                reimburse_status_id: None,
                total_amount: total,
                balance_due: total,
                paid_amount: 0.0,
                quantity: 1.0,
                total,
                is_billed: row.get(13)?,
                is_posted: row.get(14)?,
                is_approved: row.get(15)?,
                attachments: Vec::new(),
            })
        })?
        .collect()
}

fn charges(
    connection: &Connection,
    clause: &str,
    params: &[rusqlite::types::Value],
) -> rusqlite::Result<Vec<Charge>> {
    let sql = format!(
        "SELECT id, ticket_id, product_index_id, charge_name, description, quantity, price,
            amount, cost,
                unit_cost, is_billable, is_billed, is_posted, date_purchased, serial_number,
                created_by,
                created_on, modified_by, modified_on
         FROM bms_ticket_charges WHERE {clause} ORDER BY id"
    );
    let mut statement = connection.prepare(&sql)?;
    statement
        .query_map(rusqlite::params_from_iter(params), |row| {
            Ok(Charge {
                id: row.get(0)?,
                ticket_id: row.get(1)?,
                product_index_id: row.get(2)?,
                charge_name: row.get(3)?,
                description: row.get(4)?,
                quantity: row.get(5)?,
                price: row.get(6)?,
                amount: row.get(7)?,
                cost: row.get(8)?,
                unit_cost: row.get(9)?,
                is_billable: row.get(10)?,
                is_billed: row.get(11)?,
                is_posted: row.get(12)?,
                date_purchased: row.get(13)?,
                serial_number: row.get(14)?,
                created_by: row.get(15)?,
                created_on: row.get(16)?,
                modified_by: row.get(17)?,
                modified_on: row.get(18)?,
            })
        })?
        .collect()
}

/// `GET …/expensesandcharges` with `Filter.LogTypeIds` (csv).
pub async fn list_combined(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(ticket): Path<String>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Envelope<Vec<ExpenseOrCharge>>>, ApiError> {
    let ticket = ticket_id(&ticket)?;
    let params = QueryParams::parse(uri.query());
    let types = params.integer_list("Filter.LogTypeIds")?.unwrap_or_else(|| vec![EXPENSE, CHARGE]);
    let page = Page::from_query(&params)?;
    let (items, total) = state.store.try_write(|connection| {
        ensure_visible(connection, user, ticket)?;
        let mut statement = connection.prepare(
            "SELECT * FROM (
               SELECT e.id, e.created_by, e.created_on, e.modified_by, e.modified_on, 1 AS
               log_type, e.date,
                      e.amount_spent + e.markup_amount, e.notes, e.internal_notes,
                      e.is_approved, e.is_billed,
                      e.is_posted, u.first_name || ' ' || u.last_name
               FROM bms_ticket_expenses e LEFT JOIN bms_users u ON u.id = e.created_by WHERE
               e.ticket_id = ?1
               UNION ALL
               SELECT c.id, c.created_by, c.created_on, c.modified_by, c.modified_on, 2,
               c.date_purchased,
                      COALESCE(c.amount, COALESCE(c.price, 0) * COALESCE(c.quantity, 1)),
                      c.description, NULL,
                      1, c.is_billed, c.is_posted, u.first_name || ' ' || u.last_name
               FROM bms_ticket_charges c LEFT JOIN bms_users u ON u.id = c.created_by WHERE
               c.ticket_id = ?1)
             ORDER BY 3, 1",
        )?;
        let all = statement
            .query_map([ticket], |row| {
                Ok(ExpenseOrCharge {
                    id: row.get(0)?,
                    created_by: row.get(1)?,
                    created_on: row.get(2)?,
                    modified_by: row.get(3)?,
                    modified_on: row.get(4)?,
                    log_type: row.get(5)?,
                    purchase_date: row.get(6)?,
                    amount: row.get(7)?,
                    notes: row.get(8)?,
                    internal_notes: row.get(9)?,
                    is_approved: row.get(10)?,
                    is_billed: row.get(11)?,
                    is_posted: row.get(12)?,
                    in_review: false,
                    created_by_name: row.get(13)?,
                    picture_name: None,
                    picture_url: None,
                    attachment_count: 0,
                    status_name: None,
                    status_id: None,
                })
            })?
            .filter(|item| {
                item.as_ref()
                    .map_or(true, |item| types.contains(&item.log_type))
            })
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let total = all.len() as u64;
        let offset = usize::try_from(page.offset()).unwrap_or(usize::MAX);
        let limit = usize::try_from(page.limit()).unwrap_or(usize::MAX);
        Ok::<_, ApiError>((all.into_iter().skip(offset).take(limit).collect(), total))
    })?;
    Ok(envelope::paged(items, total))
}

/// The expense input; the spec marks no member required, the sandbox needs a date and
/// an amount to have something to bill.
struct ExpenseInput {
    user_id: Option<i64>,
    date: String,
    expense_type_id: Option<i64>,
    payment_type_id: Option<i64>,
    amount_spent: f64,
    markup_amount: f64,
    markup_type: i64,
    notes: Option<String>,
    internal_notes: Option<String>,
    reimbursable: bool,
    is_billable: bool,
    unit_price: Option<f64>,
}

fn expense_input(body: &Fields) -> Result<ExpenseInput, ApiError> {
    require(body, &["Date", "AmountSpent"])?;
    // `MarkUpType` is an int on POST and a bool on PUT in the spec; both read as 0/1.
    let markup_type = match body.int("MarkUpType") {
        Ok(value) => value.unwrap_or(0),
        Err(_) => i64::from(body.boolean("MarkUpType")?.unwrap_or(false)),
    };
    Ok(ExpenseInput {
        user_id: body.int("UserId")?,
        date: body
            .datetime("Date")?
            .map(|date| date.to_bms())
            .unwrap_or_default(),
        expense_type_id: body.int("ExpenseTypeId")?,
        payment_type_id: body.int("PaymentTypeId")?,
        amount_spent: body.float("AmountSpent")?.unwrap_or(0.0),
        markup_amount: body.float("MarkUpAmount")?.unwrap_or(0.0),
        markup_type,
        notes: body.text("Notes")?,
        internal_notes: body.text("InternalNotes")?,
        reimbursable: body.boolean("Reimbursable")?.unwrap_or(false),
        is_billable: body.boolean("IsBillable")?.unwrap_or(true),
        unit_price: body.float("UnitPrice")?,
    })
}

fn one_expense(connection: &Connection, ticket: i64, id: i64) -> Result<Expense, ApiError> {
    expenses(
        connection,
        "id = ? AND ticket_id = ?",
        &[id.into(), ticket.into()],
    )?
    .pop()
    .ok_or_else(|| ApiError::failure(404, EXPENSE_NOT_FOUND))
}

pub async fn create_expense(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(ticket): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Envelope<Expense>>, ApiError> {
    let ticket = ticket_id(&ticket)?;
    let input = expense_input(&Fields::from_body(body)?)?;
    let expense = state.store.try_write(|connection| {
        ensure_visible(connection, user, ticket)?;
        connection.execute(
            "INSERT INTO bms_ticket_expenses
               (ticket_id, user_id, date, expense_type_id, payment_type_id, amount_spent,
               markup_amount,
                markup_type, notes, internal_notes, reimbursable, is_billable, unit_price,
                is_approved,
                is_billed, is_posted, created_by, created_on, modified_by, modified_on)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 0, 0, 0, ?14, ?15,
             ?14, ?15)",
            params![
                ticket,
                input.user_id.unwrap_or(user.user_id),
                input.date,
                input.expense_type_id,
                input.payment_type_id,
                input.amount_spent,
                input.markup_amount,
                input.markup_type,
                input.notes,
                input.internal_notes,
                input.reimbursable,
                input.is_billable,
                input.unit_price,
                user.user_id,
                now()
            ],
        )?;
        let id = connection.last_insert_rowid();
        store::audit(
            connection,
            ticket,
            api_actor(user).source,
            "Expense",
            "Expense added.",
            None,
        )?;
        store::touch(connection, api_actor(user), ticket)?;
        one_expense(connection, ticket, id)
    })?;
    Ok(envelope::success(expense))
}

pub async fn show_expense(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path((ticket, item)): Path<(String, String)>,
) -> Result<Json<Envelope<Expense>>, ApiError> {
    let (ticket, id) = (ticket_id(&ticket)?, parse_id(&item, EXPENSE_NOT_FOUND)?);
    let expense = state.store.try_write(|connection| {
        ensure_visible(connection, user, ticket)?;
        one_expense(connection, ticket, id)
    })?;
    Ok(envelope::success(expense))
}

pub async fn update_expense(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path((ticket, item)): Path<(String, String)>,
    JsonBody(body): JsonBody,
) -> Result<Json<Envelope<Expense>>, ApiError> {
    let (ticket, id) = (ticket_id(&ticket)?, parse_id(&item, EXPENSE_NOT_FOUND)?);
    let input = expense_input(&Fields::from_body(body)?)?;
    let expense = state.store.try_write(|connection| {
        ensure_visible(connection, user, ticket)?;
        one_expense(connection, ticket, id)?;
        connection.execute(
            "UPDATE bms_ticket_expenses SET user_id = COALESCE(?2, user_id), date = ?3,
                expense_type_id = ?4,
                payment_type_id = ?5, amount_spent = ?6, markup_amount = ?7, markup_type = ?8,
                notes = ?9,
                internal_notes = ?10, reimbursable = ?11, is_billable = ?12, unit_price = ?13,
                modified_by = ?14, modified_on = ?15
             WHERE id = ?1",
            params![
                id,
                input.user_id,
                input.date,
                input.expense_type_id,
                input.payment_type_id,
                input.amount_spent,
                input.markup_amount,
                input.markup_type,
                input.notes,
                input.internal_notes,
                input.reimbursable,
                input.is_billable,
                input.unit_price,
                user.user_id,
                now()
            ],
        )?;
        one_expense(connection, ticket, id)
    })?;
    Ok(envelope::success(expense))
}

pub async fn delete_expense(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path((ticket, item)): Path<(String, String)>,
) -> Result<Json<Envelope<bool>>, ApiError> {
    let (ticket, id) = (ticket_id(&ticket)?, parse_id(&item, EXPENSE_NOT_FOUND)?);
    state.store.try_write(|connection| {
        ensure_visible(connection, user, ticket)?;
        one_expense(connection, ticket, id)?;
        connection.execute("DELETE FROM bms_ticket_expenses WHERE id = ?1", [id])?;
        Ok::<_, ApiError>(())
    })?;
    Ok(envelope::success(true))
}

struct ChargeInput {
    product_index_id: Option<i64>,
    charge_name: String,
    description: Option<String>,
    quantity: Option<f64>,
    price: Option<f64>,
    amount: Option<f64>,
    cost: Option<f64>,
    unit_cost: Option<f64>,
    is_billable: bool,
    is_billed: bool,
    is_posted: bool,
    date_purchased: Option<String>,
    serial_number: Option<String>,
}

fn charge_input(body: &Fields) -> Result<ChargeInput, ApiError> {
    require(body, &["ChargeName"])?;
    Ok(ChargeInput {
        product_index_id: body.int("ProductIndexId")?,
        charge_name: body.text("ChargeName")?.unwrap_or_default(),
        description: body.text("Description")?,
        quantity: body.float("Quantity")?,
        price: body.float("Price")?,
        amount: body.float("Amount")?,
        cost: body.float("Cost")?,
        unit_cost: body.float("UnitCost")?,
        is_billable: body.boolean("IsBillable")?.unwrap_or(true),
        is_billed: body.boolean("IsBilled")?.unwrap_or(false),
        is_posted: body.boolean("IsPosted")?.unwrap_or(false),
        date_purchased: body.datetime("DatePurchased")?.map(|date| date.to_bms()),
        serial_number: body.text("SerialNumber")?,
    })
}

fn one_charge(connection: &Connection, ticket: i64, id: i64) -> Result<Charge, ApiError> {
    charges(
        connection,
        "id = ? AND ticket_id = ?",
        &[id.into(), ticket.into()],
    )?
    .pop()
    .ok_or_else(|| ApiError::failure(404, CHARGE_NOT_FOUND))
}

pub async fn create_charge(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(ticket): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Envelope<Charge>>, ApiError> {
    let ticket = ticket_id(&ticket)?;
    let input = charge_input(&Fields::from_body(body)?)?;
    let charge = state.store.try_write(|connection| {
        ensure_visible(connection, user, ticket)?;
        connection.execute(
            "INSERT INTO bms_ticket_charges
               (ticket_id, product_index_id, charge_name, description, quantity, price, amount,
               cost, unit_cost,
                is_billable, is_billed, is_posted, date_purchased, serial_number, created_by,
                created_on,
                modified_by, modified_on)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?15,
             ?16)",
            params![
                ticket,
                input.product_index_id,
                input.charge_name,
                input.description,
                input.quantity,
                input.price,
                input.amount,
                input.cost,
                input.unit_cost,
                input.is_billable,
                input.is_billed,
                input.is_posted,
                input.date_purchased,
                input.serial_number,
                user.user_id,
                now()
            ],
        )?;
        let id = connection.last_insert_rowid();
        store::audit(
            connection,
            ticket,
            api_actor(user).source,
            "Charge",
            "Charge added.",
            None,
        )?;
        store::touch(connection, api_actor(user), ticket)?;
        one_charge(connection, ticket, id)
    })?;
    Ok(envelope::success(charge))
}

pub async fn show_charge(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path((ticket, item)): Path<(String, String)>,
) -> Result<Json<Envelope<Charge>>, ApiError> {
    let (ticket, id) = (ticket_id(&ticket)?, parse_id(&item, CHARGE_NOT_FOUND)?);
    let charge = state.store.try_write(|connection| {
        ensure_visible(connection, user, ticket)?;
        one_charge(connection, ticket, id)
    })?;
    Ok(envelope::success(charge))
}

pub async fn update_charge(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path((ticket, item)): Path<(String, String)>,
    JsonBody(body): JsonBody,
) -> Result<Json<Envelope<Charge>>, ApiError> {
    let (ticket, id) = (ticket_id(&ticket)?, parse_id(&item, CHARGE_NOT_FOUND)?);
    let input = charge_input(&Fields::from_body(body)?)?;
    let charge = state.store.try_write(|connection| {
        ensure_visible(connection, user, ticket)?;
        one_charge(connection, ticket, id)?;
        connection.execute(
            "UPDATE bms_ticket_charges SET product_index_id = ?2, charge_name = ?3, description
                = ?4, quantity = ?5,
                price = ?6, amount = ?7, cost = ?8, unit_cost = ?9, is_billable = ?10, is_billed
                = ?11,
                is_posted = ?12, date_purchased = ?13, serial_number = ?14, modified_by = ?15,
                modified_on = ?16
             WHERE id = ?1",
            params![
                id,
                input.product_index_id,
                input.charge_name,
                input.description,
                input.quantity,
                input.price,
                input.amount,
                input.cost,
                input.unit_cost,
                input.is_billable,
                input.is_billed,
                input.is_posted,
                input.date_purchased,
                input.serial_number,
                user.user_id,
                now()
            ],
        )?;
        one_charge(connection, ticket, id)
    })?;
    Ok(envelope::success(charge))
}

pub async fn delete_charge(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path((ticket, item)): Path<(String, String)>,
) -> Result<Json<Envelope<bool>>, ApiError> {
    let (ticket, id) = (ticket_id(&ticket)?, parse_id(&item, CHARGE_NOT_FOUND)?);
    state.store.try_write(|connection| {
        ensure_visible(connection, user, ticket)?;
        one_charge(connection, ticket, id)?;
        connection.execute("DELETE FROM bms_ticket_charges WHERE id = ?1", [id])?;
        Ok::<_, ApiError>(())
    })?;
    Ok(envelope::success(true))
}
