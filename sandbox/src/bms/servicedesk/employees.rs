//! Employees and assignees: `/v2/hr/employees/lookup`, `/v2/hr/employees/searchselect`,
//! `/v2/hr/assignees`, `/v2/hr/assignees/lookup` and `/v2/hr/assignees/count`.
//! Assignees are the employees tickets can go to: API employees are not among them, and
//! `EmployeesOnly` leaves out external employees. `Filter.Ids` may repeat or be a list.

use axum::extract::{OriginalUri, State};
use axum::{Extension, Json};
use rusqlite::Row;
use serde::Serialize;

use super::super::envelope::{self, ApiError, Envelope};
use super::super::json_input::csv_ints;
use super::super::params::QueryParams;
use super::super::security::AuthUser;
use super::support::{Page, escape_like, in_scope_sql};
use crate::state::AppState;
use crate::store::sql::Conditions;

/// Every value of a query parameter that may repeat (`Filter.Ids=1&Filter.Ids=2`) or
/// carry a comma list, matched without regard to case.
fn repeated_ids(query: Option<&str>, name: &str) -> Result<Option<Vec<i64>>, ApiError> {
    let mut ids = Vec::new();
    let mut seen = false;
    for (key, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        if !key.eq_ignore_ascii_case(name) || value.trim().is_empty() {
            continue;
        }
        seen = true;
        ids.extend(csv_ints(&value).ok_or_else(|| {
            ApiError::failure(400, format!("The value '{value}' is not valid for {name}."))
        })?);
    }
    Ok(seen.then_some(ids))
}

const FROM: &str = "bms_users u LEFT JOIN bms_employee_profiles ep ON ep.user_id = u.id";

fn base(user: AuthUser) -> Conditions {
    let mut conditions = Conditions::new();
    conditions.push("u.tenant_id = ?", &[user.tenant_id]);
    conditions
}

fn assignable(conditions: &mut Conditions) {
    conditions.push(
        "u.user_type <> 'API Employee' AND COALESCE(ep.is_active, 1) = 1",
        &[] as &[i64],
    );
}

fn name_filter(conditions: &mut Conditions, name: Option<&str>) {
    if let Some(name) = name {
        conditions.push(
            r"(u.first_name || ' ' || u.last_name) LIKE '%' || ? || '%' ESCAPE '\'",
            &[escape_like(name)],
        );
    }
}

fn select<T>(
    state: &AppState,
    columns: &str,
    conditions: &Conditions,
    page: Option<Page>,
    map: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>, ApiError> {
    let mut params = conditions.params().to_vec();
    let limit = match page {
        Some(page) => {
            params.extend([page.limit().into(), page.offset().into()]);
            " LIMIT ? OFFSET ?"
        }
        None => "",
    };
    let sql = format!(
        "SELECT {columns} FROM {FROM}{} ORDER BY u.first_name, u.last_name, u.id{limit}",
        conditions.where_sql()
    );
    Ok(state.store.read(|connection| {
        let mut statement = connection.prepare(&sql)?;
        statement
            .query_map(rusqlite::params_from_iter(params), map)?
            .collect::<rusqlite::Result<Vec<T>>>()
    })?)
}

#[derive(Debug, Serialize)]
pub struct EmployeeName {
    id: i64,
    name: String,
}

pub async fn lookup(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Envelope<Vec<EmployeeName>>>, ApiError> {
    let params = QueryParams::parse(uri.query());
    let mut conditions = base(user);
    if let Some(ids) = repeated_ids(uri.query(), "Filter.Ids")? {
        conditions.any_of("u.id", &ids);
    }
    name_filter(&mut conditions, params.text("Filter.Name"));
    let page = Page::from_query(&params)?;
    let items = select(
        &state,
        "u.id, u.first_name || ' ' || u.last_name",
        &conditions,
        Some(page),
        |row| {
            Ok(EmployeeName {
                id: row.get(0)?,
                name: row.get(1)?,
            })
        },
    )?;
    Ok(envelope::success(items))
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EmployeeSelect {
    id: i64,
    first_name: String,
    last_name: String,
    email_address: String,
    username: String,
    job_title: Option<String>,
    is_active: Option<bool>,
}

/// `Filter.Filter_Text` matches names, e-mail and user name.
pub async fn search_select(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Envelope<Vec<EmployeeSelect>>>, ApiError> {
    let params = QueryParams::parse(uri.query());
    let mut conditions = base(user);
    if let Some(ids) = repeated_ids(uri.query(), "Filter.Ids")? {
        conditions.any_of("u.id", &ids);
    }
    if let Some(text) = params.text("Filter.Filter_Text") {
        let pattern = escape_like(text);
        conditions.push(
            r"((u.first_name || ' ' || u.last_name) LIKE '%' || ? || '%' ESCAPE '\'
               OR u.email_address LIKE '%' || ? || '%' ESCAPE '\' OR u.username LIKE '%' || ? ||
               '%' ESCAPE '\')",
            &[pattern.clone(), pattern.clone(), pattern],
        );
    }
    if let Some(active) = params.boolean("Filter.IsActive")? {
        conditions.push("COALESCE(ep.is_active, 1) = ?", &[active]);
    }
    let page = Page::from_query(&params)?;
    let items = select(
        &state,
        "u.id, u.first_name, u.last_name, u.email_address, u.username, ep.job_title,
         COALESCE(ep.is_active, 1)",
        &conditions,
        Some(page),
        |row| {
            Ok(EmployeeSelect {
                id: row.get(0)?,
                first_name: row.get(1)?,
                last_name: row.get(2)?,
                email_address: row.get(3)?,
                username: row.get(4)?,
                job_title: row.get(5)?,
                is_active: row.get(6)?,
            })
        },
    )?;
    Ok(envelope::success(items))
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Assignee {
    id: i64,
    first_name: String,
    last_name: String,
    name: String,
    email_address: String,
    picture_name: Option<String>,
    picture_url: Option<String>,
}

/// `GET /v2/hr/assignees` with `Name`, `Ids` and `EmployeesOnly` (no `Filter.` prefix).
pub async fn assignees(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Envelope<Vec<Assignee>>>, ApiError> {
    let params = QueryParams::parse(uri.query());
    let conditions = assignee_conditions(user, uri.query(), &params)?;
    let items = select(
        &state,
        "u.id, u.first_name, u.last_name, u.first_name || ' ' || u.last_name, u.email_address",
        &conditions,
        None,
        |row| {
            Ok(Assignee {
                id: row.get(0)?,
                first_name: row.get(1)?,
                last_name: row.get(2)?,
                name: row.get(3)?,
                email_address: row.get(4)?,
                picture_name: None,
                picture_url: None,
            })
        },
    )?;
    Ok(envelope::success(items))
}

fn assignee_conditions(
    user: AuthUser,
    query: Option<&str>,
    params: &QueryParams,
) -> Result<Conditions, ApiError> {
    let mut conditions = base(user);
    assignable(&mut conditions);
    if let Some(ids) = repeated_ids(query, "Ids")? {
        conditions.any_of("u.id", &ids);
    }
    name_filter(&mut conditions, params.text("Name"));
    if params.boolean("EmployeesOnly")? == Some(true) {
        conditions.push("u.user_type = 'Employee'", &[] as &[i64]);
    }
    Ok(conditions)
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AssigneeLookup {
    id: i64,
    name: String,
    url: Option<String>,
    email_address: String,
    job_title: Option<String>,
    picture_name: Option<String>,
    #[serde(rename = "pictureURL")]
    picture_url: Option<String>,
}

/// `Filter.Ids`, `Filter.Name`, `Filter.ExcludedIds`, `Filter.AccountId` (assignees whose
/// security scope covers the account).
pub async fn assignee_lookup(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Envelope<Vec<AssigneeLookup>>>, ApiError> {
    let params = QueryParams::parse(uri.query());
    let mut conditions = base(user);
    assignable(&mut conditions);
    if let Some(ids) = repeated_ids(uri.query(), "Filter.Ids")? {
        conditions.any_of("u.id", &ids);
    }
    if let Some(excluded) = repeated_ids(uri.query(), "Filter.ExcludedIds")? {
        conditions.push(
            &format!(
                "u.id NOT IN ({})",
                crate::store::sql::placeholders(excluded.len())
            ),
            &excluded,
        );
    }
    name_filter(&mut conditions, params.text("Filter.Name"));
    if let Some(account) = params.integer("Filter.AccountId")? {
        let scope = in_scope_sql("?").replace("sc.user_id = ?", "sc.user_id = u.id");
        conditions.push(&scope, &[account]);
    }
    let page = Page::from_query(&params)?;
    let items = select(
        &state,
        "u.id, u.first_name || ' ' || u.last_name, u.email_address, ep.job_title",
        &conditions,
        Some(page),
        |row| {
            Ok(AssigneeLookup {
                id: row.get(0)?,
                name: row.get(1)?,
                url: None,
                email_address: row.get(2)?,
                job_title: row.get(3)?,
                picture_name: None,
                picture_url: None,
            })
        },
    )?;
    Ok(envelope::success(items))
}

#[derive(Debug, Serialize)]
pub struct Count {
    count: u64,
}

pub async fn assignee_count(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Envelope<Count>>, ApiError> {
    let params = QueryParams::parse(uri.query());
    let conditions = assignee_conditions(user, uri.query(), &params)?;
    let count = state
        .store
        .read(|connection| crate::store::sql::count(connection, FROM, &conditions))?;
    Ok(envelope::success(Count { count }))
}

#[cfg(test)]
mod tests {
    use super::repeated_ids;

    #[test]
    fn ids_repeat_or_list() {
        let ids = repeated_ids(Some("filter.ids=1&Filter.Ids=2,3&other=4"), "Filter.Ids")
            .ok()
            .flatten();
        assert_eq!(ids, Some(vec![1, 2, 3]));
        assert_eq!(repeated_ids(Some("x=1"), "Filter.Ids").ok().flatten(), None);
        assert!(repeated_ids(Some("Filter.Ids=a"), "Filter.Ids").is_err());
    }
}
