//! The services catalogue: `/v2/admin/finance/services` (lookup, search, create, read,
//! update, delete, batch edit and delete) and the service categories. A service used on a
//! contract cannot be deleted. Income and expense accounts are two fixed ledger accounts,
//! as the chart of accounts is not modelled.

use axum::extract::{OriginalUri, Path, State};
use axum::{Extension, Json};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

use super::super::envelope::{self, ApiError, Envelope};
use super::super::json_input::{Fields, JsonBody, require};
use super::super::params::QueryParams;
use super::super::security::AuthUser;
use super::super::servicedesk::support::{Page, escape_like, now, parse_id};
use crate::state::AppState;
use crate::store::sql::{self, Conditions};

const NOT_FOUND: &str = "Service not found.";
/// `(id, code, name)` of the ledger accounts services post to.
const LEDGER: &[(i64, &str, &str)] = &[
    (4000, "4000", "Managed Services Revenue"),
    (5000, "5000", "Cost of Services"),
];

/// `ServiceOutputDto`, also the row of the search (`ServiceListOutputDto`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceOutput {
    id: i64,
    name: String,
    description: Option<String>,
    unit_cost: Option<f64>,
    unit_price: Option<f64>,
    category_id: Option<i64>,
    category: Option<String>,
    sub_category_id: Option<i64>,
    sub_category: Option<String>,
    unit_of_measure_id: Option<i64>,
    unit_of_measure: Option<String>,
    income_account_id: Option<i64>,
    income_account_code: Option<String>,
    income_account_name: Option<String>,
    expense_account_id: Option<i64>,
    expense_account_code: Option<String>,
    expense_account_name: Option<String>,
    is_active: bool,
    is_taxable: bool,
    created_on: String,
    created_by: Option<i64>,
    modified_on: String,
    modified_by: Option<i64>,
    margin: Option<f64>,
    margin_type: Option<i64>,
}

const FROM: &str = "bms_services sv
    LEFT JOIN bms_service_categories c ON c.id = sv.category_id
    LEFT JOIN bms_service_subcategories sc ON sc.id = sv.sub_category_id
    LEFT JOIN bms_units_of_measure u ON u.id = sv.unit_of_measure_id";
const COLUMNS: &str = "
    sv.id, sv.name, sv.description, sv.unit_cost, sv.unit_price, sv.category_id, c.name,
    sv.sub_category_id, sc.name, sv.unit_of_measure_id, u.name, sv.income_account_id,
    sv.expense_account_id, sv.is_active, sv.is_taxable, sv.created_on, sv.created_by,
    sv.modified_on, sv.modified_by, sv.margin, sv.margin_type";

fn ledger(id: Option<i64>) -> (Option<String>, Option<String>) {
    LEDGER
        .iter()
        .find(|(ledger_id, _, _)| Some(*ledger_id) == id)
        .map_or((None, None), |(_, code, name)| {
            (Some((*code).to_owned()), Some((*name).to_owned()))
        })
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<ServiceOutput> {
    let income: Option<i64> = row.get(11)?;
    let expense: Option<i64> = row.get(12)?;
    let (income_code, income_name) = ledger(income);
    let (expense_code, expense_name) = ledger(expense);
    Ok(ServiceOutput {
        id: row.get(0)?,
        name: row.get(1)?,
        description: row.get(2)?,
        unit_cost: row.get(3)?,
        unit_price: row.get(4)?,
        category_id: row.get(5)?,
        category: row.get(6)?,
        sub_category_id: row.get(7)?,
        sub_category: row.get(8)?,
        unit_of_measure_id: row.get(9)?,
        unit_of_measure: row.get(10)?,
        income_account_id: income,
        income_account_code: income_code,
        income_account_name: income_name,
        expense_account_id: expense,
        expense_account_code: expense_code,
        expense_account_name: expense_name,
        is_active: row.get(13)?,
        is_taxable: row.get(14)?,
        created_on: row.get(15)?,
        created_by: row.get(16)?,
        modified_on: row.get(17)?,
        modified_by: row.get(18)?,
        margin: row.get(19)?,
        margin_type: row.get(20)?,
    })
}

fn select(
    connection: &Connection,
    conditions: &Conditions,
    page: Option<Page>,
) -> rusqlite::Result<Vec<ServiceOutput>> {
    let mut params = conditions.params().to_vec();
    let limit = match page {
        Some(page) => {
            params.extend([page.limit().into(), page.offset().into()]);
            " LIMIT ? OFFSET ?"
        }
        None => "",
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM {FROM}{} ORDER BY sv.name, sv.id{limit}",
        conditions.where_sql()
    );
    let mut statement = connection.prepare(&sql)?;
    statement
        .query_map(rusqlite::params_from_iter(params), from_row)?
        .collect()
}

pub fn one(connection: &Connection, tenant_id: i64, id: i64) -> Result<ServiceOutput, ApiError> {
    let mut conditions = Conditions::new();
    conditions.push("sv.id = ? AND sv.tenant_id = ?", &[id, tenant_id]);
    select(connection, &conditions, None)?
        .pop()
        .ok_or_else(|| ApiError::failure(404, NOT_FOUND))
}

#[derive(Debug, Serialize)]
pub struct ServiceName {
    id: i64,
    name: String,
    description: Option<String>,
}

/// `GET …/services/lookup` with `Filter.Id` and `Filter.Name` (substring), paged.
pub async fn lookup(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Envelope<Vec<ServiceName>>>, ApiError> {
    let params = QueryParams::parse(uri.query());
    let mut conditions = Conditions::new();
    conditions.push("sv.tenant_id = ?", &[user.tenant_id]);
    if let Some(id) = params.integer("Filter.Id")? {
        conditions.push("sv.id = ?", &[id]);
    }
    if let Some(name) = params.text("Filter.Name") {
        conditions.push(
            r"sv.name LIKE '%' || ? || '%' ESCAPE '\'",
            &[escape_like(name)],
        );
    }
    let page = Page::from_query(&params)?;
    let (items, total) = state.store.read(|connection| {
        let total = sql::count(connection, FROM, &conditions)?;
        let items = select(connection, &conditions, Some(page))?
            .into_iter()
            .map(|service| ServiceName {
                id: service.id,
                name: service.name,
                description: service.description,
            })
            .collect();
        Ok((items, total))
    })?;
    Ok(envelope::paged(items, total))
}

/// `POST …/services/search` with `Filter:{Name, CategoryIds, SubCategoryIds,
/// UnitOfMeasureIds, IsActive(int), IsTaxable(int), Description, IncomeAccount,
/// ExpenseAccount}` in any key casing.
pub async fn search(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    JsonBody(body): JsonBody,
) -> Result<Json<Envelope<Vec<ServiceOutput>>>, ApiError> {
    let body = Fields::from_body(body)?;
    let filter = body.object("Filter")?.unwrap_or_default();
    let mut conditions = Conditions::new();
    conditions.push("sv.tenant_id = ?", &[user.tenant_id]);
    for (name, column) in [("Name", "sv.name"), ("Description", "sv.description")] {
        if let Some(text) = filter.text(name)? {
            conditions.push(
                &format!(r"{column} LIKE '%' || ? || '%' ESCAPE '\'"),
                &[escape_like(&text)],
            );
        }
    }
    for (name, column) in [
        ("CategoryIds", "sv.category_id"),
        ("SubCategoryIds", "sv.sub_category_id"),
        ("UnitOfMeasureIds", "sv.unit_of_measure_id"),
    ] {
        if let Some(ids) = filter.ints(name)? {
            conditions.any_of(column, &ids);
        }
    }
    for (name, column) in [("IsActive", "sv.is_active"), ("IsTaxable", "sv.is_taxable")] {
        if let Some(flag) = filter.int(name)? {
            conditions.push(&format!("{column} = ?"), &[flag != 0]);
        }
    }
    for (name, column) in [
        ("IncomeAccount", "sv.income_account_id"),
        ("ExpenseAccount", "sv.expense_account_id"),
    ] {
        if let Some(text) = filter.text(name)? {
            let matching: Vec<i64> = LEDGER
                .iter()
                .filter(|(_, code, ledger_name)| {
                    *code == text || ledger_name.to_lowercase().contains(&text.to_lowercase())
                })
                .map(|(id, _, _)| *id)
                .collect();
            conditions.any_of(column, &matching);
        }
    }
    let page = Page::from_fields(&body)?;
    let (items, total) = state.store.read(|connection| {
        let total = sql::count(connection, FROM, &conditions)?;
        Ok((select(connection, &conditions, Some(page))?, total))
    })?;
    Ok(envelope::paged(items, total))
}

/// `ServiceInputDto`; the sandbox requires `Name`, as a service cannot be saved without one.
struct ServiceInput {
    name: String,
    description: Option<String>,
    unit_cost: Option<f64>,
    unit_price: Option<f64>,
    category_id: Option<i64>,
    sub_category_id: Option<i64>,
    unit_of_measure_id: Option<i64>,
    income_account_id: Option<i64>,
    expense_account_id: Option<i64>,
    is_active: bool,
    is_taxable: bool,
    margin: Option<f64>,
    margin_type: Option<i64>,
}

fn input(body: &Fields) -> Result<ServiceInput, ApiError> {
    require(body, &["Name"])?;
    let unit_cost = body.float("UnitCost")?;
    let unit_price = body.float("UnitPrice")?;
    Ok(ServiceInput {
        name: body.text("Name")?.unwrap_or_default(),
        description: body.text("Description")?,
        unit_cost,
        unit_price,
        category_id: body.int("CategoryId")?,
        sub_category_id: body.int("SubCategoryId")?,
        unit_of_measure_id: body.int("UnitOfMeasureId")?,
        income_account_id: body.int("IncomeAccountId")?,
        expense_account_id: body.int("ExpenseAccountId")?,
        is_active: body.boolean("IsActive")?.unwrap_or(true),
        is_taxable: body.boolean("IsTaxable")?.unwrap_or(false),
        margin: body
            .float("Margin")?
            .or_else(|| unit_price.zip(unit_cost).map(|(price, cost)| price - cost)),
        margin_type: body.int("MarginType")?,
    })
}

fn check(
    connection: &Connection,
    tenant_id: i64,
    input: &ServiceInput,
    except: Option<i64>,
) -> Result<(), ApiError> {
    let duplicate: bool = connection.query_row(
        "SELECT EXISTS (SELECT 1 FROM bms_services WHERE tenant_id = ?1 AND lower(name) =
            lower(?2) AND id IS NOT ?3)",
        params![tenant_id, input.name, except],
        |row| row.get(0),
    )?;
    if duplicate {
        return Err(ApiError::failure(
            400,
            format!("A service named '{}' already exists.", input.name),
        ));
    }
    let lookups = [
        (
            "CategoryId",
            input.category_id,
            "SELECT EXISTS (SELECT 1 FROM bms_service_categories WHERE id = ?1 AND tenant_id = ?2)",
        ),
        (
            "UnitOfMeasureId",
            input.unit_of_measure_id,
            "SELECT EXISTS (SELECT 1 FROM bms_units_of_measure WHERE id = ?1 AND tenant_id = ?2)",
        ),
    ];
    for (name, id, sql) in lookups {
        if let Some(id) = id {
            let known: bool = connection.query_row(sql, [id, tenant_id], |row| row.get(0))?;
            if !known {
                return Err(ApiError::failure(
                    400,
                    format!("Invalid {name}: {id} does not exist."),
                ));
            }
        }
    }
    if let (Some(sub), Some(category)) = (input.sub_category_id, input.category_id) {
        let known: bool = connection.query_row(
            "SELECT EXISTS (SELECT 1 FROM bms_service_subcategories WHERE id = ?1 AND
                category_id = ?2)",
            [sub, category],
            |row| row.get(0),
        )?;
        if !known {
            return Err(ApiError::failure(
                400,
                format!("Invalid SubCategoryId: {sub} is not in category {category}."),
            ));
        }
    }
    Ok(())
}

/// `POST /v2/admin/finance/services/services`.
pub async fn create(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    JsonBody(body): JsonBody,
) -> Result<Json<Envelope<ServiceOutput>>, ApiError> {
    let input = input(&Fields::from_body(body)?)?;
    let service = state.store.try_write(|connection| {
        check(connection, user.tenant_id, &input, None)?;
        connection.execute(
            "INSERT INTO bms_services
               (tenant_id, name, description, unit_cost, unit_price, category_id, sub_category_id,
                unit_of_measure_id, income_account_id, expense_account_id, is_active,
                is_taxable, margin,
                margin_type, created_by, created_on, modified_by, modified_on)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?15,
             ?16)",
            params![
                user.tenant_id,
                input.name,
                input.description,
                input.unit_cost,
                input.unit_price,
                input.category_id,
                input.sub_category_id,
                input.unit_of_measure_id,
                input.income_account_id,
                input.expense_account_id,
                input.is_active,
                input.is_taxable,
                input.margin,
                input.margin_type,
                user.user_id,
                now()
            ],
        )?;
        one(connection, user.tenant_id, connection.last_insert_rowid())
    })?;
    Ok(envelope::success(service))
}

pub async fn show(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
) -> Result<Json<Envelope<ServiceOutput>>, ApiError> {
    let id = parse_id(&id, NOT_FOUND)?;
    let service = state
        .store
        .try_write(|connection| one(connection, user.tenant_id, id))?;
    Ok(envelope::success(service))
}

pub async fn update(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Envelope<ServiceOutput>>, ApiError> {
    let id = parse_id(&id, NOT_FOUND)?;
    let input = input(&Fields::from_body(body)?)?;
    let service = state.store.try_write(|connection| {
        one(connection, user.tenant_id, id)?;
        check(connection, user.tenant_id, &input, Some(id))?;
        connection.execute(
            "UPDATE bms_services SET name = ?2, description = ?3, unit_cost = ?4, unit_price =
                ?5, category_id = ?6,
                sub_category_id = ?7, unit_of_measure_id = ?8, income_account_id = ?9,
                expense_account_id = ?10,
                is_active = ?11, is_taxable = ?12, margin = ?13, margin_type = ?14, modified_by
                = ?15, modified_on = ?16
             WHERE id = ?1",
            params![
                id,
                input.name,
                input.description,
                input.unit_cost,
                input.unit_price,
                input.category_id,
                input.sub_category_id,
                input.unit_of_measure_id,
                input.income_account_id,
                input.expense_account_id,
                input.is_active,
                input.is_taxable,
                input.margin,
                input.margin_type,
                user.user_id,
                now()
            ],
        )?;
        one(connection, user.tenant_id, id)
    })?;
    Ok(envelope::success(service))
}

fn remove(connection: &Connection, tenant_id: i64, id: i64) -> Result<(), ApiError> {
    one(connection, tenant_id, id)?;
    let used: bool = connection.query_row(
        "SELECT EXISTS (SELECT 1 FROM bms_contract_services WHERE service_id = ?1)",
        [id],
        |row| row.get(0),
    )?;
    if used {
        return Err(ApiError::failure(
            400,
            format!("Service {id} is used on contracts and cannot be deleted."),
        ));
    }
    connection.execute("DELETE FROM bms_services WHERE id = ?1", [id])?;
    Ok(())
}

pub async fn delete(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
) -> Result<Json<Envelope<bool>>, ApiError> {
    let id = parse_id(&id, NOT_FOUND)?;
    state
        .store
        .try_write(|connection| remove(connection, user.tenant_id, id))?;
    Ok(envelope::success(true))
}

fn targets(body: &Fields) -> Result<Vec<i64>, ApiError> {
    body.ints("TargetedIds")?
        .filter(|ids| !ids.is_empty())
        .ok_or_else(|| ApiError::failure(400, "The TargetedIds field is required."))
}

/// `PATCH …/services {TargetedIds, CategoryId?, SubCategoryId?, UnitOfMeasureId?,
/// IsActive?, IsTaxable?}`: all or nothing; the result is a message.
pub async fn batch_edit(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    JsonBody(body): JsonBody,
) -> Result<Json<Envelope<String>>, ApiError> {
    let body = Fields::from_body(body)?;
    let ids = targets(&body)?;
    let category = body.int("CategoryId")?;
    let sub_category = body.int("SubCategoryId")?;
    let unit = body.int("UnitOfMeasureId")?;
    let active = body.boolean("IsActive")?;
    let taxable = body.boolean("IsTaxable")?;
    let count = ids.len();
    state.store.try_write(|connection| {
        for id in &ids {
            one(connection, user.tenant_id, *id)?;
            connection.execute(
                "UPDATE bms_services SET category_id = COALESCE(?2, category_id),
                    sub_category_id = COALESCE(?3, sub_category_id), unit_of_measure_id =
                    COALESCE(?4, unit_of_measure_id),
                    is_active = COALESCE(?5, is_active), is_taxable = COALESCE(?6, is_taxable),
                    modified_by = ?7, modified_on = ?8
                 WHERE id = ?1",
                params![
                    id,
                    category,
                    sub_category,
                    unit,
                    active,
                    taxable,
                    user.user_id,
                    now()
                ],
            )?;
        }
        Ok::<_, ApiError>(())
    })?;
    Ok(envelope::success(format!("{count} services updated.")))
}

/// `DELETE …/services {TargetedIds}`: all or nothing; the result is a message.
pub async fn batch_delete(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    JsonBody(body): JsonBody,
) -> Result<Json<Envelope<String>>, ApiError> {
    let ids = targets(&Fields::from_body(body)?)?;
    let count = ids.len();
    state.store.try_write(|connection| {
        ids.iter()
            .try_for_each(|id| remove(connection, user.tenant_id, *id))
    })?;
    Ok(envelope::success(format!("{count} services deleted.")))
}

#[derive(Debug, Serialize)]
pub struct Category {
    id: i64,
    name: String,
}

pub async fn categories(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
) -> Result<Json<Envelope<Vec<Category>>>, ApiError> {
    let items = state.store.read(|connection| {
        let mut statement = connection.prepare(
            "SELECT id, name FROM bms_service_categories WHERE tenant_id = ?1 ORDER BY name, id",
        )?;
        statement
            .query_map([user.tenant_id], |row| {
                Ok(Category {
                    id: row.get(0)?,
                    name: row.get(1)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()
    })?;
    Ok(envelope::success(items))
}

pub async fn subcategories(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(category): Path<String>,
) -> Result<Json<Envelope<Vec<Category>>>, ApiError> {
    let category = parse_id(&category, "Service category not found.")?;
    let items = state.store.read(|connection| {
        let mut statement = connection.prepare(
            "SELECT s.id, s.name FROM bms_service_subcategories s JOIN bms_service_categories c
                ON c.id = s.category_id
             WHERE c.tenant_id = ?1 AND c.id = ?2 ORDER BY s.name, s.id",
        )?;
        statement
            .query_map([user.tenant_id, category], |row| {
                Ok(Category {
                    id: row.get(0)?,
                    name: row.get(1)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()
    })?;
    Ok(envelope::success(items))
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RelatedService {
    id: i64,
    service_id: i64,
    contract_id: i64,
    account_id: i64,
    service_name: String,
    service_description: Option<String>,
    contract_name: String,
    account_name: Option<String>,
    effective_date: String,
    contract_start_date: String,
    contract_end_date: Option<String>,
    unit_cost: f64,
    unit_price: f64,
    margin_type: Option<i64>,
    margin: Option<f64>,
    exclude_from_contract_bulk_updates: bool,
}

/// `POST …/services/{serviceId}/relatedservices/search`: the contract lines using it.
pub async fn related(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Envelope<Vec<RelatedService>>>, ApiError> {
    let id = parse_id(&id, NOT_FOUND)?;
    let page = Page::from_fields(&Fields::from_body(body)?)?;
    let (items, total) = state.store.try_write(|connection| {
        one(connection, user.tenant_id, id)?;
        let total: i64 = connection.query_row(
            "SELECT COUNT(*) FROM bms_contract_services WHERE service_id = ?1",
            [id],
            |row| row.get(0),
        )?;
        let mut statement = connection.prepare(
            "SELECT l.id, l.service_id, c.id, c.account_id, l.service_name,
                l.service_description, c.name,
                    a.account_name, l.effective_date, c.start_date, c.end_date, l.unit_cost,
                    l.unit_price, l.margin
             FROM bms_contract_services l JOIN bms_contracts c ON c.id = l.contract_id
             LEFT JOIN bms_accounts a ON a.id = c.account_id
             WHERE l.service_id = ?1 ORDER BY c.id, l.sort_order LIMIT ?2 OFFSET ?3",
        )?;
        let items = statement
            .query_map(params![id, page.limit(), page.offset()], |row| {
                Ok(RelatedService {
                    id: row.get(0)?,
                    service_id: row.get(1)?,
                    contract_id: row.get(2)?,
                    account_id: row.get(3)?,
                    service_name: row.get(4)?,
                    service_description: row.get(5)?,
                    contract_name: row.get(6)?,
                    account_name: row.get(7)?,
                    effective_date: row.get(8)?,
                    contract_start_date: row.get(9)?,
                    contract_end_date: row.get(10)?,
                    unit_cost: row.get(11)?,
                    unit_price: row.get(12)?,
                    margin_type: Some(1),
                    margin: row.get(13)?,
                    exclude_from_contract_bulk_updates: false,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok::<_, ApiError>((items, u64::try_from(total).unwrap_or_default()))
    })?;
    Ok(envelope::paged(items, total))
}

/// What a contract line copies from the catalogue.
pub struct CatalogueEntry {
    pub name: String,
    pub description: Option<String>,
    pub unit_cost: f64,
    pub unit_price: f64,
}

pub fn catalogue_entry(
    connection: &Connection,
    tenant_id: i64,
    id: i64,
) -> rusqlite::Result<Option<CatalogueEntry>> {
    connection
        .query_row(
            "SELECT name, description, COALESCE(unit_cost, 0), COALESCE(unit_price, 0) FROM
                bms_services
             WHERE id = ?1 AND tenant_id = ?2",
            [id, tenant_id],
            |row| {
                Ok(CatalogueEntry {
                    name: row.get(0)?,
                    description: row.get(1)?,
                    unit_cost: row.get(2)?,
                    unit_price: row.get(3)?,
                })
            },
        )
        .optional()
}
