//! CRM contact reads: `GET /v2/crm/contacts/summary` (paged), `/summary/{id}`,
//! `/v2/crm/contacts/search` and `/v2/crm/accounts/{accountId}/contacts/lookup`, all within
//! the caller's security scope. The writes live in `contact_writes`.

use axum::extract::{OriginalUri, Path, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use rusqlite::{Connection, Row};
use serde::Serialize;

use super::envelope::{self, ApiError};
use super::params::QueryParams;
use super::security::AuthUser;
use super::servicedesk::support::{Page, escape_like, in_scope_sql, parse_id};
use crate::state::AppState;
use crate::store::sql::{self, Conditions};

pub const NOT_FOUND: &str = "Contact not found.";

const FROM: &str = "bms_contacts c
    JOIN bms_accounts a ON a.id = c.account_id
    LEFT JOIN bms_account_locations l ON l.id = c.location_id
    LEFT JOIN bms_users cu ON cu.id = c.created_by
    LEFT JOIN bms_users mu ON mu.id = c.modified_by";
const COLUMNS: &str = "c.id, c.created_by, c.created_on, c.modified_by, c.modified_on,
    c.account_id, a.account_name, c.location_id, l.location_name, c.first_name, c.last_name,
    c.job_title, c.is_poc, c.is_active, c.effective_date, c.is_billable, c.receive_invoices,
    c.middle_name, c.bill_by_contact, c.has_client_portal_access,
    cu.first_name || ' ' || cu.last_name, mu.first_name || ' ' || mu.last_name";

/// `ContactsSummaryOutputDto`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactSummary {
    pub id: i64,
    pub created_by: Option<i64>,
    pub created_on: Option<String>,
    pub modified_by: Option<i64>,
    pub modified_on: Option<String>,
    pub account_id: i64,
    pub account_name: Option<String>,
    pub location_id: Option<i64>,
    pub location_name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub job_title: Option<String>,
    pub is_poc: bool,
    pub is_active: bool,
    pub effective_date: Option<String>,
    pub is_billable: bool,
    pub emails: Vec<Email>,
    pub phones: Vec<Phone>,
    /// The spec's spelling.
    pub can_recieve_invoices: bool,
    #[serde(skip)]
    pub middle_name: Option<String>,
    #[serde(skip)]
    pub bill_by_contact: bool,
    #[serde(skip)]
    pub has_client_portal_access: bool,
    #[serde(skip)]
    pub created_by_name: Option<String>,
    #[serde(skip)]
    pub modified_by_name: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Email {
    pub id: i64,
    pub created_by: Option<i64>,
    pub created_on: Option<String>,
    pub modified_by: Option<i64>,
    pub modified_on: Option<String>,
    pub email_address: String,
    pub email_type_id: Option<i64>,
    pub email_type: Option<String>,
    pub is_default: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Phone {
    pub id: i64,
    pub created_by: Option<i64>,
    pub created_on: Option<String>,
    pub modified_by: Option<i64>,
    pub modified_on: Option<String>,
    pub phone: String,
    pub phone_type_id: Option<i64>,
    pub phone_type: Option<String>,
    pub is_default: bool,
}

/// `ContactOutputDto`, what PUT answers.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactOutput {
    id: i64,
    created_by: Option<i64>,
    created_on: Option<String>,
    modified_by: Option<i64>,
    modified_on: Option<String>,
    account_id: i64,
    account_name: Option<String>,
    location_id: Option<i64>,
    location_name: Option<String>,
    first_name: Option<String>,
    middle_name: Option<String>,
    last_name: Option<String>,
    job_title: Option<String>,
    poc: Option<bool>,
    is_active: Option<bool>,
    bill_by_contact: Option<bool>,
    effective_date: Option<String>,
    phones: Vec<Phone>,
    emails: Vec<Email>,
    /// The spec's spelling.
    recieve_invoices: Option<bool>,
    created_by_name: Option<String>,
    modified_by_name: Option<String>,
}

impl ContactSummary {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            created_by: row.get(1)?,
            created_on: row.get(2)?,
            modified_by: row.get(3)?,
            modified_on: row.get(4)?,
            account_id: row.get(5)?,
            account_name: row.get(6)?,
            location_id: row.get(7)?,
            location_name: row.get(8)?,
            first_name: row.get(9)?,
            last_name: row.get(10)?,
            job_title: row.get(11)?,
            is_poc: row.get(12)?,
            is_active: row.get(13)?,
            effective_date: row.get(14)?,
            is_billable: row.get(15)?,
            can_recieve_invoices: row.get(16)?,
            middle_name: row.get(17)?,
            bill_by_contact: row.get(18)?,
            has_client_portal_access: row.get(19)?,
            created_by_name: row.get(20)?,
            modified_by_name: row.get(21)?,
            emails: Vec::new(),
            phones: Vec::new(),
        })
    }

    pub fn into_output(self) -> ContactOutput {
        ContactOutput {
            id: self.id,
            created_by: self.created_by,
            created_on: self.created_on,
            modified_by: self.modified_by,
            modified_on: self.modified_on,
            account_id: self.account_id,
            account_name: self.account_name,
            location_id: self.location_id,
            location_name: self.location_name,
            first_name: self.first_name,
            middle_name: self.middle_name,
            last_name: self.last_name,
            job_title: self.job_title,
            poc: Some(self.is_poc),
            is_active: Some(self.is_active),
            bill_by_contact: Some(self.bill_by_contact),
            effective_date: self.effective_date,
            phones: self.phones,
            emails: self.emails,
            recieve_invoices: Some(self.can_recieve_invoices),
            created_by_name: self.created_by_name,
            modified_by_name: self.modified_by_name,
        }
    }

    /// The default e-mail, or the first.
    fn email(&self) -> Option<String> {
        self.emails
            .iter()
            .find(|e| e.is_default)
            .or_else(|| self.emails.first())
            .map(|e| e.email_address.clone())
    }

    fn phone(&self) -> Option<String> {
        self.phones
            .iter()
            .find(|p| p.is_default)
            .or_else(|| self.phones.first())
            .map(|p| p.phone.clone())
    }
}

/// Scope and tenant conditions every contact read starts from.
fn visible(user: &AuthUser) -> Conditions {
    let mut conditions = Conditions::new();
    conditions.push("a.tenant_id = ?", &[user.tenant_id]);
    conditions.push(&in_scope_sql("c.account_id"), &[user.user_id]);
    conditions
}

/// One contact the caller may see, with e-mails and phones.
pub fn find_visible(
    connection: &Connection,
    user: &AuthUser,
    id: i64,
) -> rusqlite::Result<Option<ContactSummary>> {
    let mut conditions = visible(user);
    conditions.push("c.id = ?", &[id]);
    Ok(select(connection, &conditions, None)?.pop())
}

fn select(
    connection: &Connection,
    conditions: &Conditions,
    page: Option<Page>,
) -> rusqlite::Result<Vec<ContactSummary>> {
    let mut sql = format!(
        "SELECT {COLUMNS} FROM {FROM}{} ORDER BY c.id",
        conditions.where_sql()
    );
    let mut params = conditions.params().to_vec();
    if let Some(page) = page {
        sql.push_str(" LIMIT ? OFFSET ?");
        params.extend([page.limit().into(), page.offset().into()]);
    }
    let mut statement = connection.prepare(&sql)?;
    let mut contacts = statement
        .query_map(rusqlite::params_from_iter(params), ContactSummary::from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for contact in &mut contacts {
        contact.emails = emails(connection, contact.id)?;
        contact.phones = phones(connection, contact.id)?;
    }
    Ok(contacts)
}

pub fn emails(connection: &Connection, contact_id: i64) -> rusqlite::Result<Vec<Email>> {
    let mut statement = connection.prepare_cached(
        "SELECT e.id, e.created_by, e.created_on, e.modified_by, e.modified_on, e.email_address,
                e.email_type_id, t.name, e.is_default
         FROM bms_contact_emails e
         LEFT JOIN bms_lookups t ON t.table_name = 'EmailTypes' AND t.id = e.email_type_id
         WHERE e.contact_id = ?1 ORDER BY e.id",
    )?;
    let rows = statement.query_map([contact_id], |row| {
        Ok(Email {
            id: row.get(0)?,
            created_by: row.get(1)?,
            created_on: row.get(2)?,
            modified_by: row.get(3)?,
            modified_on: row.get(4)?,
            email_address: row.get(5)?,
            email_type_id: row.get(6)?,
            email_type: row.get(7)?,
            is_default: row.get(8)?,
        })
    })?;
    rows.collect()
}

pub fn phones(connection: &Connection, contact_id: i64) -> rusqlite::Result<Vec<Phone>> {
    let mut statement = connection.prepare_cached(
        "SELECT p.id, p.created_by, p.created_on, p.modified_by, p.modified_on, p.phone,
                p.phone_type_id, t.name, p.is_default
         FROM bms_contact_phones p
         LEFT JOIN bms_lookups t ON t.table_name = 'PhoneTypes' AND t.id = p.phone_type_id
         WHERE p.contact_id = ?1 ORDER BY p.id",
    )?;
    let rows = statement.query_map([contact_id], |row| {
        Ok(Phone {
            id: row.get(0)?,
            created_by: row.get(1)?,
            created_on: row.get(2)?,
            modified_by: row.get(3)?,
            modified_on: row.get(4)?,
            phone: row.get(5)?,
            phone_type_id: row.get(6)?,
            phone_type: row.get(7)?,
            is_default: row.get(8)?,
        })
    })?;
    rows.collect()
}

fn like(conditions: &mut Conditions, column: &str, value: &str) {
    conditions.push(
        &format!(r"{column} LIKE '%' || ? || '%' ESCAPE '\'"),
        &[escape_like(value)],
    );
}

/// `GET /v2/crm/contacts/summary`.
pub async fn list(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    OriginalUri(uri): OriginalUri,
) -> Result<Response, ApiError> {
    let params = QueryParams::parse(uri.query());
    let page = Page::from_query(&params)?;
    let mut conditions = visible(&user);
    if let Some(account) = params.integer("Filter.AccountId")? {
        conditions.push("c.account_id = ?", &[account]);
    }
    for (name, column) in [
        ("Filter.AccountName", "a.account_name"),
        ("Filter.FirstName", "c.first_name"),
        ("Filter.LastName", "c.last_name"),
    ] {
        if let Some(value) = params.text(name) {
            like(&mut conditions, column, value);
        }
    }
    if let Some(email) = params.text("Filter.Email") {
        conditions.push(
            r"c.id IN (SELECT contact_id FROM bms_contact_emails
                       WHERE email_address LIKE '%' || ? || '%' ESCAPE '\')",
            &[escape_like(email)],
        );
    }
    if let Some(phone) = params.text("Filter.Phone") {
        conditions.push(
            r"c.id IN (SELECT contact_id FROM bms_contact_phones
                       WHERE phone LIKE '%' || ? || '%' ESCAPE '\')",
            &[escape_like(phone)],
        );
    }
    if let Some(active) = params.boolean("Filter.IsActive")? {
        conditions.push("c.is_active = ?", &[active]);
    }
    for (name, clause) in [
        ("Filter.CreatedOnFrom", "c.created_on >= ?"),
        ("Filter.CreatedOnTo", "c.created_on <= ?"),
        ("Filter.ModifiedOnFrom", "c.modified_on >= ?"),
        ("Filter.ModifiedOnTo", "c.modified_on <= ?"),
    ] {
        if let Some(bound) = params.datetime(name)? {
            conditions.push(clause, &[bound.to_bms()]);
        }
    }
    let (contacts, total) = state.store.read(|connection| {
        let total = sql::count(connection, FROM, &conditions)?;
        Ok((select(connection, &conditions, Some(page))?, total))
    })?;
    Ok(envelope::paged(contacts, total).into_response())
}

/// `GET /v2/crm/contacts/summary/{id}`: unwrapped under the same switch as accounts.
pub async fn show(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = parse_id(&id, NOT_FOUND)?;
    let contact = state
        .store
        .read(|connection| find_visible(connection, &user, id))?
        .ok_or_else(|| ApiError::failure(404, NOT_FOUND))?;
    Ok(if state.settings.bms_summary_unwrapped {
        Json(contact).into_response()
    } else {
        envelope::success(contact).into_response()
    })
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct SearchItem {
    id: i64,
    account_id: i64,
    account_name: Option<String>,
    location_id: Option<i64>,
    location_name: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    job_title: Option<String>,
    email_address: Option<String>,
    is_poc: bool,
    is_active: bool,
    has_client_portal_access: bool,
}

/// `GET /v2/crm/contacts/search`.
pub async fn search(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    OriginalUri(uri): OriginalUri,
) -> Result<Response, ApiError> {
    let params = QueryParams::parse(uri.query());
    let page = Page::from_query(&params)?;
    let mut conditions = visible(&user);
    let ids = super::crm_lookups::repeated_ints(uri.query(), "Filter.Ids")?;
    if !ids.is_empty() {
        conditions.any_of("c.id", &ids);
    }
    let accounts = super::crm_lookups::repeated_ints(uri.query(), "Filter.AccountIds")?;
    if !accounts.is_empty() {
        conditions.any_of("c.account_id", &accounts);
    }
    if let Some(location) = params.integer("Filter.LocationId")? {
        conditions.push("c.location_id = ?", &[location]);
    }
    for (name, column) in [
        ("Filter.AccountName", "a.account_name"),
        ("Filter.LocationName", "l.location_name"),
        ("Filter.FirstName", "c.first_name"),
        ("Filter.LastName", "c.last_name"),
        ("Filter.JobTitle", "c.job_title"),
    ] {
        if let Some(value) = params.text(name) {
            like(&mut conditions, column, value);
        }
    }
    if let Some(email) = params.text("Filter.EmailAddress") {
        conditions.push(
            "c.id IN (SELECT contact_id FROM bms_contact_emails WHERE lower(email_address) = lower(?))",
            &[email.to_owned()],
        );
    }
    for (name, column) in [
        ("Filter.IsPoc", "c.is_poc"),
        ("Filter.HasClientPortalAccess", "c.has_client_portal_access"),
        ("Filter.IsActive", "c.is_active"),
    ] {
        if let Some(flag) = params.boolean(name)? {
            conditions.push(&format!("{column} = ?"), &[flag]);
        }
    }
    let found = state
        .store
        .read(|connection| select(connection, &conditions, Some(page)))?;
    let items: Vec<SearchItem> = found
        .into_iter()
        .map(|contact| SearchItem {
            email_address: contact.email(),
            id: contact.id,
            account_id: contact.account_id,
            account_name: contact.account_name,
            location_id: contact.location_id,
            location_name: contact.location_name,
            first_name: contact.first_name,
            last_name: contact.last_name,
            job_title: contact.job_title,
            is_poc: contact.is_poc,
            is_active: contact.is_active,
            has_client_portal_access: contact.has_client_portal_access,
        })
        .collect();
    Ok(envelope::success(items).into_response())
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct LookupItem {
    id: i64,
    name: String,
    location_id: Option<i64>,
    location_name: Option<String>,
    phone: Option<String>,
    email_address: Option<String>,
}

/// `GET /v2/crm/accounts/{accountId}/contacts/lookup`.
pub async fn account_lookup(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(account_id): Path<String>,
    OriginalUri(uri): OriginalUri,
) -> Result<Response, ApiError> {
    let account_id = parse_id(&account_id, "Account not found.")?;
    let params = QueryParams::parse(uri.query());
    let page = Page::from_query(&params)?;
    let mut conditions = visible(&user);
    conditions.push("c.account_id = ?", &[account_id]);
    if let Some(name) = params.text("Filter.Name") {
        like(
            &mut conditions,
            "(coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, ''))",
            name,
        );
    }
    if let Some(location) = params.integer("Filter.LocationId")? {
        conditions.push("c.location_id = ?", &[location]);
    }
    let found = state
        .store
        .read(|connection| select(connection, &conditions, Some(page)))?;
    let items: Vec<LookupItem> = found
        .into_iter()
        .map(|contact| LookupItem {
            name: [contact.first_name.as_deref(), contact.last_name.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" "),
            phone: contact.phone(),
            email_address: contact.email(),
            id: contact.id,
            location_id: contact.location_id,
            location_name: contact.location_name,
        })
        .collect();
    Ok(envelope::success(items).into_response())
}
