//! Contracts: `GET /v2/finance/contracts/lookup`, `…/summary`, `PUT …/{id}/activate` and
//! `…/deactivate`; recurring services contracts: `POST …/recurringservices` (with
//! `Services`), `PUT …/recurringservices/{id}` (header only) and
//! `POST …/recurringservices/{id}/services` (add lines). Contracts follow the security
//! scope of their account. `BillingCycleId`: 1 monthly, 2 quarterly, 3 semi-annually,
//! 4 annually; `IssueInvoiceOn` true is the start of the period (sandbox numbering).

use axum::extract::{OriginalUri, Path, State};
use axum::{Extension, Json};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

use super::super::envelope::{self, ApiError, Envelope};
use super::super::json_input::{Fields, JsonBody, csv_ints, require};
use super::super::params::QueryParams;
use super::super::security::AuthUser;
use super::super::servicedesk::support::{Page, escape_like, in_scope_sql, now, parse_id};
use super::services::catalogue_entry;
use crate::state::AppState;
use crate::store::sql::{self, Conditions};

pub const NOT_FOUND: &str = "Contract not found.";
const RECURRING_TYPE: (i64, &str) = (3, "Recurring Services");
const BILLING_CYCLES: &[(i64, &str)] = &[
    (1, "Monthly"),
    (2, "Quarterly"),
    (3, "Semi-Annually"),
    (4, "Annually"),
];

fn cycle_name(id: i64) -> Option<String> {
    BILLING_CYCLES
        .iter()
        .find(|(cycle, _)| *cycle == id)
        .map(|(_, name)| (*name).to_owned())
}

/// A recurring service line of a contract.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractLine {
    pub id: i64,
    pub service_id: i64,
    pub service_name: String,
    pub service_description: Option<String>,
    pub contract_id: i64,
    pub contract_name: String,
    pub total_cost: f64,
    pub total_price: f64,
    pub units: f64,
    pub unit_cost: f64,
    pub unit_price: f64,
    pub effective_date: String,
    pub sort_order: i64,
    pub margin: Option<f64>,
    pub original_unit_price: f64,
    pub original_unit_cost: f64,
}

fn line(row: &Row<'_>) -> rusqlite::Result<ContractLine> {
    let units: f64 = row.get(7)?;
    let unit_cost: f64 = row.get(8)?;
    let unit_price: f64 = row.get(9)?;
    Ok(ContractLine {
        id: row.get(0)?,
        service_id: row.get(1)?,
        service_name: row.get(2)?,
        service_description: row.get(3)?,
        contract_id: row.get(4)?,
        contract_name: row.get(5)?,
        effective_date: row.get(6)?,
        total_cost: units * unit_cost,
        total_price: units * unit_price,
        units,
        unit_cost,
        unit_price,
        sort_order: row.get(10)?,
        margin: row.get(11)?,
        original_unit_price: row.get(12)?,
        original_unit_cost: row.get(13)?,
    })
}

/// Lines of a contract matching `clause` (`?1` = contract id, then `extra`).
pub fn lines(
    connection: &Connection,
    contract: i64,
    clause: &str,
    extra: Option<i64>,
) -> rusqlite::Result<Vec<ContractLine>> {
    let sql = format!(
        "SELECT l.id, l.service_id, l.service_name, l.service_description, l.contract_id, c.name,
                l.effective_date, l.units, l.unit_cost, l.unit_price, l.sort_order, l.margin,
                l.original_unit_price, l.original_unit_cost
         FROM bms_contract_services l JOIN bms_contracts c ON c.id = l.contract_id
         WHERE l.contract_id = ?1 {clause} ORDER BY l.sort_order, l.id"
    );
    let mut statement = connection.prepare(&sql)?;
    match extra {
        Some(extra) => statement.query_map([contract, extra], line)?.collect(),
        None => statement.query_map([contract], line)?.collect(),
    }
}

/// A recurring services contract with its lines.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractOutput {
    id: i64,
    contract_name: String,
    account_id: i64,
    account_name: Option<String>,
    contract_number: String,
    status_id: i64,
    status_name: String,
    type_id: i64,
    type_name: String,
    sla_id: Option<i64>,
    sla_name: Option<String>,
    reference_number: Option<String>,
    billing_cycle_id: i64,
    billing_cycle_name: Option<String>,
    start_date: String,
    end_date: Option<String>,
    contract_billing_price: f64,
    issue_invoice_on_id: Option<i64>,
    issue_invoice_on_name: Option<String>,
    is_default_contract: bool,
    is_fiscal_billing: bool,
    is_notification_enabled: bool,
    notification_emails: Vec<String>,
    services: Vec<ContractLine>,
}

/// The contract, when its account is in the caller's scope.
pub fn visible(connection: &Connection, user: AuthUser, id: i64) -> Result<(), ApiError> {
    let sql = format!(
        "SELECT EXISTS (SELECT 1 FROM bms_contracts c WHERE c.id = ? AND c.tenant_id = ? AND {})",
        in_scope_sql("c.account_id")
    );
    let found: bool =
        connection.query_row(&sql, [id, user.tenant_id, user.user_id], |row| row.get(0))?;
    if found {
        Ok(())
    } else {
        Err(ApiError::failure(404, NOT_FOUND))
    }
}

pub fn one(connection: &Connection, user: AuthUser, id: i64) -> Result<ContractOutput, ApiError> {
    visible(connection, user, id)?;
    let mut contract = connection
        .query_row(
            "SELECT c.id, c.name, c.account_id, a.account_name, c.contract_number, c.is_active,
                c.sla_id, s.name,
                    c.reference_number, c.billing_cycle_id, c.start_date, c.end_date,
                    c.issue_invoice_on,
                    c.is_default, c.is_fiscal_billing, c.is_notification_enabled,
                    c.notification_emails
             FROM bms_contracts c LEFT JOIN bms_accounts a ON a.id = c.account_id
             LEFT JOIN bms_slas s ON s.id = c.sla_id WHERE c.id = ?1",
            [id],
            |row| {
                let active: bool = row.get(5)?;
                let cycle: i64 = row.get(9)?;
                let issue_on: Option<bool> = row.get(12)?;
                let emails: String = row.get(16)?;
                Ok(ContractOutput {
                    id: row.get(0)?,
                    contract_name: row.get(1)?,
                    account_id: row.get(2)?,
                    account_name: row.get(3)?,
                    contract_number: row.get(4)?,
                    status_id: if active { 1 } else { 2 },
                    status_name: if active { "Active" } else { "Inactive" }.to_owned(),
                    type_id: RECURRING_TYPE.0,
                    type_name: RECURRING_TYPE.1.to_owned(),
                    sla_id: row.get(6)?,
                    sla_name: row.get(7)?,
                    reference_number: row.get(8)?,
                    billing_cycle_id: cycle,
                    billing_cycle_name: cycle_name(cycle),
                    start_date: row.get(10)?,
                    end_date: row.get(11)?,
                    contract_billing_price: 0.0,
                    issue_invoice_on_id: issue_on.map(|start| if start { 1 } else { 2 }),
                    issue_invoice_on_name: issue_on.map(|start| {
                        if start {
                            "Beginning of period"
                        } else {
                            "End of period"
                        }
                        .to_owned()
                    }),
                    is_default_contract: row.get(13)?,
                    is_fiscal_billing: row.get(14)?,
                    is_notification_enabled: row.get(15)?,
                    notification_emails: serde_json::from_str(&emails).unwrap_or_default(),
                    services: Vec::new(),
                })
            },
        )
        .optional()?
        .ok_or_else(|| ApiError::failure(404, NOT_FOUND))?;
    contract.services = lines(connection, id, "", None)?;
    contract.contract_billing_price = contract.services.iter().map(|line| line.total_price).sum();
    Ok(contract)
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractLookup {
    id: i64,
    name: String,
    is_default: Option<bool>,
    #[serde(rename = "slaId")]
    sla_id: Option<i64>,
    sla_name: Option<String>,
    is_active: bool,
    end_date: Option<String>,
}

/// A parameter read with or without the `Filter.` prefix (the spec lists these bare).
fn either<'a>(params: &'a QueryParams, name: &str) -> Option<&'a str> {
    params
        .text(name)
        .or_else(|| params.text(&format!("Filter.{name}")))
}

/// `?Ids&AccountId&Name&ExcludeExpiredContracts`.
pub async fn lookup(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Envelope<Vec<ContractLookup>>>, ApiError> {
    let params = QueryParams::parse(uri.query());
    let mut conditions = scoped(user);
    if let Some(ids) = either(&params, "Ids") {
        let ids = csv_ints(ids).ok_or_else(|| {
            ApiError::failure(400, format!("The value '{ids}' is not valid for Ids."))
        })?;
        conditions.any_of("c.id", &ids);
    }
    if let Some(account) = either(&params, "AccountId") {
        let account: i64 = account.parse().map_err(|_| {
            ApiError::failure(
                400,
                format!("The value '{account}' is not valid for AccountId."),
            )
        })?;
        conditions.push("c.account_id = ?", &[account]);
    }
    if let Some(name) = either(&params, "Name") {
        conditions.push(
            r"c.name LIKE '%' || ? || '%' ESCAPE '\'",
            &[escape_like(name)],
        );
    }
    if either(&params, "ExcludeExpiredContracts")
        .is_some_and(|flag| flag.eq_ignore_ascii_case("true") || flag == "1")
    {
        conditions.push("(c.end_date IS NULL OR c.end_date >= ?)", &[now()]);
    }
    let items = state.store.read(|connection| {
        let mut statement = connection.prepare(&format!(
            "SELECT c.id, c.name, c.is_default, c.sla_id, s.name, c.is_active, c.end_date
             FROM bms_contracts c LEFT JOIN bms_slas s ON s.id = c.sla_id{} ORDER BY c.name, c.id",
            conditions.where_sql()
        ))?;
        statement
            .query_map(rusqlite::params_from_iter(conditions.params()), |row| {
                Ok(ContractLookup {
                    id: row.get(0)?,
                    name: row.get(1)?,
                    is_default: row.get(2)?,
                    sla_id: row.get(3)?,
                    sla_name: row.get(4)?,
                    is_active: row.get(5)?,
                    end_date: row.get(6)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()
    })?;
    Ok(envelope::success(items))
}

fn scoped(user: AuthUser) -> Conditions {
    let mut conditions = Conditions::new();
    conditions.push("c.tenant_id = ?", &[user.tenant_id]);
    conditions.push(&in_scope_sql("c.account_id"), &[user.user_id]);
    conditions
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractSummary {
    id: i64,
    contract_name: String,
    account_name: Option<String>,
    contract_type: String,
    contract_billing_price: f64,
    status: String,
    contract_number: String,
    billing_cycle: Option<String>,
    start_date: String,
    end_date: Option<String>,
}

/// `Filter.ContractType`, `ContractName`, `BillingCycle`, `AccountName`, `Status`.
pub async fn summary(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Envelope<Vec<ContractSummary>>>, ApiError> {
    let params = QueryParams::parse(uri.query());
    let mut conditions = scoped(user);
    for (name, column) in [
        ("Filter.ContractType", "c.type_name"),
        ("Filter.ContractName", "c.name"),
        ("Filter.AccountName", "a.account_name"),
    ] {
        if let Some(text) = params.text(name) {
            conditions.push(
                &format!(r"{column} LIKE '%' || ? || '%' ESCAPE '\'"),
                &[escape_like(text)],
            );
        }
    }
    if let Some(cycle) = params.text("Filter.BillingCycle") {
        let ids: Vec<i64> = BILLING_CYCLES
            .iter()
            .filter(|(id, name)| name.eq_ignore_ascii_case(cycle) || id.to_string() == cycle)
            .map(|(id, _)| *id)
            .collect();
        conditions.any_of("c.billing_cycle_id", &ids);
    }
    if let Some(status) = params.text("Filter.Status") {
        conditions.push(
            "c.is_active = ?",
            &[status.eq_ignore_ascii_case("active") || status == "1"],
        );
    }
    let page = Page::from_query(&params)?;
    let from = "bms_contracts c LEFT JOIN bms_accounts a ON a.id = c.account_id";
    let (items, total) = state.store.read(|connection| {
        let total = sql::count(connection, from, &conditions)?;
        let mut query_params = conditions.params().to_vec();
        query_params.extend([page.limit().into(), page.offset().into()]);
        let mut statement = connection.prepare(&format!(
            "SELECT c.id, c.name, a.account_name, c.type_name,
                    (SELECT COALESCE(SUM(l.units * l.unit_price), 0) FROM bms_contract_services
                    l WHERE l.contract_id = c.id),
                    c.is_active, c.contract_number, c.billing_cycle_id, c.start_date, c.end_date
             FROM {from}{} ORDER BY c.id LIMIT ? OFFSET ?",
            conditions.where_sql()
        ))?;
        let items = statement
            .query_map(rusqlite::params_from_iter(query_params), |row| {
                let active: bool = row.get(5)?;
                Ok(ContractSummary {
                    id: row.get(0)?,
                    contract_name: row.get(1)?,
                    account_name: row.get(2)?,
                    contract_type: row.get(3)?,
                    contract_billing_price: row.get(4)?,
                    status: if active { "Active" } else { "Inactive" }.to_owned(),
                    contract_number: row.get(6)?,
                    billing_cycle: cycle_name(row.get(7)?),
                    start_date: row.get(8)?,
                    end_date: row.get(9)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok((items, total))
    })?;
    Ok(envelope::paged(items, total))
}

async fn set_active(
    state: AppState,
    user: AuthUser,
    id: String,
    active: bool,
) -> Result<Json<Envelope<bool>>, ApiError> {
    let id = parse_id(&id, NOT_FOUND)?;
    state.store.try_write(|connection| {
        visible(connection, user, id)?;
        connection.execute(
            "UPDATE bms_contracts SET is_active = ?2, modified_by = ?3, modified_on = ?4 WHERE
                id = ?1",
            params![id, active, user.user_id, now()],
        )?;
        Ok::<_, ApiError>(())
    })?;
    Ok(envelope::success(true))
}

pub async fn activate(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
) -> Result<Json<Envelope<bool>>, ApiError> {
    set_active(state, user, id, true).await
}

pub async fn deactivate(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
) -> Result<Json<Envelope<bool>>, ApiError> {
    set_active(state, user, id, false).await
}

/// The contract header of `RecurringServiceContractInputDto`. The spec marks nothing
/// required; a contract cannot be saved without a name, account, cycle and start.
struct Header {
    name: String,
    account_id: i64,
    sla_id: Option<i64>,
    reference_number: Option<String>,
    billing_cycle_id: i64,
    start_date: String,
    end_date: Option<String>,
    issue_invoice_on: Option<bool>,
    is_default: bool,
    is_fiscal_billing: bool,
    is_notification_enabled: bool,
    notification_emails: Vec<String>,
}

fn header(body: &Fields) -> Result<Header, ApiError> {
    require(
        body,
        &["ContractName", "AccountId", "BillingCycleId", "StartDate"],
    )?;
    let billing_cycle_id = body.int("BillingCycleId")?.unwrap_or_default();
    if cycle_name(billing_cycle_id).is_none() {
        return Err(ApiError::failure(
            400,
            format!("Invalid BillingCycleId: {billing_cycle_id} does not exist."),
        ));
    }
    Ok(Header {
        name: body.text("ContractName")?.unwrap_or_default(),
        account_id: body.int("AccountId")?.unwrap_or_default(),
        sla_id: body.int("SLAId")?,
        reference_number: body.text("ReferenceNumber")?,
        billing_cycle_id,
        start_date: body
            .datetime("StartDate")?
            .map(|date| date.to_bms())
            .unwrap_or_default(),
        end_date: body.datetime("EndDate")?.map(|date| date.to_bms()),
        issue_invoice_on: body.boolean("IssueInvoiceOn")?,
        is_default: body.boolean("IsDefaultContract")?.unwrap_or(false),
        is_fiscal_billing: body.boolean("IsFiscalBilling")?.unwrap_or(false),
        is_notification_enabled: body.boolean("IsNotificationEnabled")?.unwrap_or(false),
        notification_emails: body.texts("NotificationEmails")?,
    })
}

fn check_header(connection: &Connection, user: AuthUser, header: &Header) -> Result<(), ApiError> {
    let sql = format!(
        "SELECT EXISTS (SELECT 1 FROM bms_accounts a WHERE a.id = ? AND a.tenant_id = ? AND {})",
        in_scope_sql("a.id")
    );
    let account_ok: bool = connection.query_row(
        &sql,
        [header.account_id, user.tenant_id, user.user_id],
        |row| row.get(0),
    )?;
    if !account_ok {
        return Err(ApiError::failure(
            400,
            format!("Invalid AccountId: {} does not exist.", header.account_id),
        ));
    }
    if let Some(sla) = header.sla_id {
        let known: bool = connection.query_row(
            "SELECT EXISTS (SELECT 1 FROM bms_slas WHERE id = ?1 AND tenant_id = ?2)",
            [sla, user.tenant_id],
            |row| row.get(0),
        )?;
        if !known {
            return Err(ApiError::failure(
                400,
                format!("Invalid SLAId: {sla} does not exist."),
            ));
        }
    }
    if header
        .end_date
        .as_ref()
        .is_some_and(|end| *end < header.start_date)
    {
        return Err(ApiError::failure(
            400,
            "The EndDate must not be before the StartDate.",
        ));
    }
    Ok(())
}

/// A `RecurringServicePostInputDto`, with the catalogue filling what is not sent.
struct NewLine {
    service_id: i64,
    name: Option<String>,
    description: Option<String>,
    units: f64,
    unit_cost: Option<f64>,
    unit_price: Option<f64>,
    effective_date: Option<String>,
    sort_order: Option<i64>,
}

fn new_line(body: &Fields) -> Result<NewLine, ApiError> {
    require(body, &["ServiceId", "Units"])?;
    let units = body.float("Units")?.unwrap_or_default();
    if units < 0.0 {
        return Err(ApiError::failure(400, "Units must not be negative."));
    }
    Ok(NewLine {
        service_id: body.int("ServiceId")?.unwrap_or_default(),
        name: body
            .text("ServiceName")?
            .filter(|name| !name.trim().is_empty()),
        description: body.text("ServiceDescription")?,
        units,
        unit_cost: body.float("UnitCost")?,
        unit_price: body.float("UnitPrice")?,
        effective_date: body.datetime("EffectiveDate")?.map(|date| date.to_bms()),
        sort_order: body.int("SortOrder")?,
    })
}

fn insert_line(
    connection: &Connection,
    user: AuthUser,
    contract: i64,
    start: &str,
    line: &NewLine,
) -> Result<i64, ApiError> {
    let entry = catalogue_entry(connection, user.tenant_id, line.service_id)?.ok_or_else(|| {
        ApiError::failure(
            400,
            format!("Invalid ServiceId: {} does not exist.", line.service_id),
        )
    })?;
    let (cost, price) = (entry.unit_cost, entry.unit_price);
    let (unit_cost, unit_price) = (
        line.unit_cost.unwrap_or(cost),
        line.unit_price.unwrap_or(price),
    );
    let order = match line.sort_order {
        Some(order) => order,
        None => connection.query_row(
            "SELECT COALESCE(MAX(sort_order), 0) + 1 FROM bms_contract_services WHERE
                contract_id = ?1",
            [contract],
            |row| row.get(0),
        )?,
    };
    connection.execute(
        "INSERT INTO bms_contract_services
           (contract_id, service_id, service_name, service_description, units, unit_cost,
           unit_price,
            original_unit_cost, original_unit_price, margin, effective_date, sort_order,
            created_by, created_on,
            modified_by, modified_on)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?13, ?14)",
        params![
            contract,
            line.service_id,
            line.name.clone().unwrap_or(entry.name),
            line.description.clone().or(entry.description),
            line.units,
            unit_cost,
            unit_price,
            cost,
            price,
            unit_price - unit_cost,
            line.effective_date
                .clone()
                .unwrap_or_else(|| start.to_owned()),
            order,
            user.user_id,
            now()
        ],
    )?;
    Ok(connection.last_insert_rowid())
}

pub async fn create(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    JsonBody(body): JsonBody,
) -> Result<Json<Envelope<ContractOutput>>, ApiError> {
    let body = Fields::from_body(body)?;
    let header = header(&body)?;
    let services = body
        .objects("Services")?
        .iter()
        .map(new_line)
        .collect::<Result<Vec<_>, _>>()?;
    let contract = state.store.try_write(|connection| {
        check_header(connection, user, &header)?;
        connection.execute(
            "INSERT INTO bms_contracts
               (tenant_id, account_id, contract_number, name, type_name, is_active, is_default,
               sla_id,
                reference_number, billing_cycle_id, start_date, end_date, issue_invoice_on,
                is_fiscal_billing,
                is_notification_enabled, notification_emails, created_by, created_on,
                modified_by, modified_on)
             VALUES (?1, ?2, '', ?3, ?4, 1, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,
             ?16, ?15, ?16)",
            params![
                user.tenant_id,
                header.account_id,
                header.name,
                RECURRING_TYPE.1,
                header.is_default,
                header.sla_id,
                header.reference_number,
                header.billing_cycle_id,
                header.start_date,
                header.end_date,
                header.issue_invoice_on,
                header.is_fiscal_billing,
                header.is_notification_enabled,
                serde_json::to_string(&header.notification_emails)
                    .unwrap_or_else(|_| "[]".to_owned()),
                user.user_id,
                now()
            ],
        )?;
        let id = connection.last_insert_rowid();
        connection.execute(
            "UPDATE bms_contracts SET contract_number = ?2 WHERE id = ?1",
            params![id, format!("RS-{id}")],
        )?;
        for line in &services {
            insert_line(connection, user, id, &header.start_date, line)?;
        }
        one(connection, user, id)
    })?;
    Ok(envelope::success(contract))
}

/// `PUT …/recurringservices/{contractId}`: the header only; lines are untouched.
pub async fn update_header(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Envelope<ContractOutput>>, ApiError> {
    let id = parse_id(&id, NOT_FOUND)?;
    let header = header(&Fields::from_body(body)?)?;
    let contract = state.store.try_write(|connection| {
        visible(connection, user, id)?;
        check_header(connection, user, &header)?;
        connection.execute(
            "UPDATE bms_contracts SET account_id = ?2, name = ?3, is_default = ?4, sla_id = ?5,
                reference_number = ?6,
                billing_cycle_id = ?7, start_date = ?8, end_date = ?9, issue_invoice_on = ?10,
                is_fiscal_billing = ?11,
                is_notification_enabled = ?12, notification_emails = ?13, modified_by = ?14,
                modified_on = ?15
             WHERE id = ?1",
            params![
                id,
                header.account_id,
                header.name,
                header.is_default,
                header.sla_id,
                header.reference_number,
                header.billing_cycle_id,
                header.start_date,
                header.end_date,
                header.issue_invoice_on,
                header.is_fiscal_billing,
                header.is_notification_enabled,
                serde_json::to_string(&header.notification_emails)
                    .unwrap_or_else(|_| "[]".to_owned()),
                user.user_id,
                now()
            ],
        )?;
        one(connection, user, id)
    })?;
    Ok(envelope::success(contract))
}

/// `POST …/recurringservices/{contractId}/services` with an array body → the added lines.
pub async fn add_services(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Envelope<Vec<ContractLine>>>, ApiError> {
    let id = parse_id(&id, NOT_FOUND)?;
    let new = Fields::list_from_body(body)?
        .iter()
        .map(new_line)
        .collect::<Result<Vec<_>, _>>()?;
    if new.is_empty() {
        return Err(ApiError::failure(400, "At least one service is required."));
    }
    let added = state.store.try_write(|connection| {
        visible(connection, user, id)?;
        let start: String = connection.query_row(
            "SELECT start_date FROM bms_contracts WHERE id = ?1",
            [id],
            |row| row.get(0),
        )?;
        let mut added = Vec::new();
        for line in &new {
            let line_id = insert_line(connection, user, id, &start, line)?;
            added.extend(lines(connection, id, "AND l.id = ?2", Some(line_id))?);
        }
        connection.execute(
            "UPDATE bms_contracts SET modified_by = ?2, modified_on = ?3 WHERE id = ?1",
            params![id, user.user_id, now()],
        )?;
        Ok::<_, ApiError>(added)
    })?;
    Ok(envelope::success(added))
}
