//! Ticket lists: `/tickets` and its search, count, summary and searchselect; the "My
//! tickets" and queue views; tickets of a hardware asset. Every list is limited to the
//! accounts in the caller's security scope.

use axum::extract::{OriginalUri, Path, State};
use axum::{Extension, Json};
use serde::Serialize;

use super::super::super::envelope::{self, ApiError, Envelope};
use super::super::super::json_input::{Fields, JsonBody};
use super::super::super::params::QueryParams;
use super::super::super::security::AuthUser;
use super::super::support::{Page, escape_like, in_scope_sql};
use super::filter;
use super::model::{self, TicketListItem, TicketOutput, TicketSelectItem, TicketSummary};
use crate::state::AppState;
use crate::store::sql::{self, Conditions};

/// Which tickets a list starts from, before filters.
#[derive(Debug, Clone, Copy)]
enum View {
    All,
    /// Assigned to the caller, as primary or secondary assignee.
    Mine,
    /// In a queue the caller is a member of.
    Queues,
}

/// `Sort` values: the syntax is unpublished; `field`, `field desc` and `-field` are read,
/// anything else keeps the default order (newest first).
const SORTABLE: &[(&str, &str)] = &[
    ("id", "t.id"),
    ("ticketnumber", "t.ticket_number"),
    ("title", "t.title"),
    ("opendate", "t.open_date"),
    ("duedate", "t.due_date"),
    ("completeddate", "t.completed_date"),
    ("lastactivityupdate", "t.last_activity_update"),
    ("createdon", "t.created_on"),
    ("statusname", "s.name"),
    ("priorityname", "p.name"),
    ("accountname", "a.account_name"),
];

fn order_by(sort: Option<&str>) -> String {
    let default = " ORDER BY t.id DESC".to_owned();
    let Some(sort) = sort.map(str::trim).filter(|sort| !sort.is_empty()) else {
        return default;
    };
    let (field, descending) = match sort.strip_prefix('-') {
        Some(field) => (field, true),
        None => match sort.split_once(' ') {
            Some((field, direction)) => (field, direction.trim().eq_ignore_ascii_case("desc")),
            None => (sort, false),
        },
    };
    SORTABLE
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(field.trim()))
        .map_or(default, |(_, column)| {
            format!(
                " ORDER BY {column} {}, t.id",
                if descending { "DESC" } else { "ASC" }
            )
        })
}

/// Tenant, scope and view conditions, added to a filter's.
fn restrict(conditions: &mut Conditions, user: AuthUser, view: View) {
    conditions.push("t.tenant_id = ?", &[user.tenant_id]);
    conditions.push(&in_scope_sql("t.account_id"), &[user.user_id]);
    match view {
        View::All => {}
        View::Mine => conditions.push(
            "(t.assignee_id = ? OR t.id IN (SELECT ticket_id FROM bms_ticket_secondary_assignees
                WHERE user_id = ?))",
            &[user.user_id, user.user_id],
        ),
        View::Queues => conditions.push(
            "t.queue_id IN (SELECT queue_id FROM bms_queue_members WHERE user_id = ?)",
            &[user.user_id],
        ),
    }
}

/// One page of tickets and the total under the conditions.
fn page_of(
    state: &AppState,
    conditions: &Conditions,
    order: &str,
    limit: i64,
    offset: i64,
) -> Result<(Vec<TicketOutput>, u64), ApiError> {
    Ok(state.store.read(|connection| {
        let total = sql::count(connection, model::FROM, conditions)?;
        let mut params = conditions.params().to_vec();
        params.extend([limit.into(), offset.into()]);
        let sql = model::select_sql(&format!(
            "{}{order} LIMIT ? OFFSET ?",
            conditions.where_sql()
        ));
        Ok((model::query(connection, &sql, &params)?, total))
    })?)
}

type Paged = Json<Envelope<Vec<TicketListItem>>>;

fn paged(tickets: Vec<TicketOutput>, total: u64) -> Paged {
    envelope::paged(tickets.into_iter().map(Into::into).collect(), total)
}

async fn list_view(
    state: AppState,
    user: AuthUser,
    query: Option<&str>,
    view: View,
) -> Result<Paged, ApiError> {
    let params = QueryParams::parse(query);
    let mut conditions = filter::conditions(&params, "Filter.")?;
    restrict(&mut conditions, user, view);
    let page = Page::from_query(&params)?;
    let order = order_by(params.text("Sort"));
    let (tickets, total) = page_of(&state, &conditions, &order, page.limit(), page.offset())?;
    Ok(paged(tickets, total))
}

/// `GetTicketsInputDto`: paging, `Sort` and a `filter` object in any key casing.
/// `StartRowIndex`/`EndRowIndex` (0-based, inclusive), when both are given, replace paging.
async fn search_view(
    state: AppState,
    user: AuthUser,
    body: JsonBody,
    view: View,
) -> Result<Paged, ApiError> {
    let body = Fields::from_body(body.0)?;
    let filter_body = body.object("Filter")?;
    let params = filter::params_from_body(filter_body.as_ref());
    let mut conditions = filter::conditions(&params, "Filter.")?;
    restrict(&mut conditions, user, view);
    let page = Page::from_fields(&body)?;
    let (limit, offset) = match (body.int("StartRowIndex")?, body.int("EndRowIndex")?) {
        (Some(start), Some(end)) if end >= start && start >= 0 => (end - start + 1, start),
        _ => (page.limit(), page.offset()),
    };
    let order = order_by(body.text("Sort")?.as_deref());
    let (tickets, total) = page_of(&state, &conditions, &order, limit, offset)?;
    Ok(paged(tickets, total))
}

pub async fn list(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    OriginalUri(uri): OriginalUri,
) -> Result<Paged, ApiError> {
    list_view(state, user, uri.query(), View::All).await
}

pub async fn search(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    body: JsonBody,
) -> Result<Paged, ApiError> {
    search_view(state, user, body, View::All).await
}

pub async fn my_tickets(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    OriginalUri(uri): OriginalUri,
) -> Result<Paged, ApiError> {
    list_view(state, user, uri.query(), View::Mine).await
}

pub async fn my_tickets_search(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    body: JsonBody,
) -> Result<Paged, ApiError> {
    search_view(state, user, body, View::Mine).await
}

pub async fn queue_tickets(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    OriginalUri(uri): OriginalUri,
) -> Result<Paged, ApiError> {
    list_view(state, user, uri.query(), View::Queues).await
}

pub async fn queue_tickets_search(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    body: JsonBody,
) -> Result<Paged, ApiError> {
    search_view(state, user, body, View::Queues).await
}

#[derive(Debug, Serialize)]
pub struct Count {
    count: u64,
}

/// `/tickets/count` takes the list's filter names without the `Filter.` prefix.
pub async fn count(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Envelope<Count>>, ApiError> {
    let params = QueryParams::parse(uri.query());
    let mut conditions = filter::conditions(&params, "")?;
    restrict(&mut conditions, user, View::All);
    let count = state
        .store
        .read(|connection| sql::count(connection, model::FROM, &conditions))?;
    Ok(envelope::success(Count { count }))
}

/// Unpaged rows under `conditions`, newest first.
fn all_rows(
    state: &AppState,
    conditions: &Conditions,
    limit: i64,
) -> Result<Vec<TicketOutput>, ApiError> {
    let mut params = conditions.params().to_vec();
    params.push(limit.into());
    let sql = model::select_sql(&format!(
        "{} ORDER BY t.id DESC LIMIT ?",
        conditions.where_sql()
    ));
    Ok(state
        .store
        .read(|connection| model::query(connection, &sql, &params))?)
}

pub async fn summary(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Envelope<Vec<TicketSummary>>>, ApiError> {
    let params = QueryParams::parse(uri.query());
    let mut conditions = Conditions::new();
    if let Some(account) = params.integer("Filter.AccountId")? {
        conditions.push("t.account_id = ?", &[account]);
    }
    if let Some(contact) = params.integer("Filter.ContactId")? {
        conditions.push("t.contact_id = ?", &[contact]);
    }
    if let Some(ids) = params.integer_list("Filter.SLAEventStatusIds")? {
        conditions.any_of("t.sla_status_event_id", &ids);
    }
    if let Some(ids) = params.integer_list("Filter.ExcludedIds")? {
        conditions.push(
            &format!("t.id NOT IN ({})", sql::placeholders(ids.len())),
            &ids,
        );
    }
    restrict(&mut conditions, user, View::All);
    let page = Page::from_query(&params)?;
    let rows = all_rows(&state, &conditions, page.limit())?;
    Ok(envelope::success(
        rows.into_iter().map(Into::into).collect(),
    ))
}

/// `/tickets/searchselect`: its booleans are real booleans; `1` is refused.
pub async fn search_select(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Envelope<Vec<TicketSelectItem>>>, ApiError> {
    let params = QueryParams::parse(uri.query());
    let mut conditions = Conditions::new();
    let contains = [
        ("Filter.Title", "t.title"),
        ("Filter.TicketNumber", "t.ticket_number"),
        (
            "Filter.AssigneeName",
            "asg.first_name || ' ' || asg.last_name",
        ),
        ("Filter.QueueName", "q.name"),
        ("Filter.StatusName", "s.name"),
    ];
    for (name, column) in contains {
        if let Some(text) = params.text(name) {
            conditions.push(
                &format!(r"{column} LIKE '%' || ? || '%' ESCAPE '\'"),
                &[escape_like(text)],
            );
        }
    }
    if let Some(from) = params.datetime("Filter.OpenDateFrom")? {
        conditions.push("t.open_date >= ?", &[from.to_bms()]);
    }
    if let Some(to) = params.datetime("Filter.OpenDateTo")? {
        conditions.push("t.open_date <= ?", &[to.to_bms()]);
    }
    if let Some(account) = params.integer("Filter.AccountId")? {
        conditions.push("t.account_id = ?", &[account]);
    }
    if let Some(excluded) = params.integer("Filter.ExcludedId")? {
        conditions.push("t.id <> ?", &[excluded]);
    }
    if strict_boolean(&params, "Filter.ExcludeCompleted")? == Some(true) {
        conditions.push("s.is_completed = 0", &[] as &[i64]);
    }
    // Queue access is not modelled separately from the security scope; the flag is read
    // so a malformed value still fails like the real binder.
    strict_boolean(&params, "Filter.SupportsQueueAccess")?;
    restrict(&mut conditions, user, View::All);
    let page = Page::from_query(&params)?;
    let mut query_params = conditions.params().to_vec();
    query_params.extend([page.limit().into(), page.offset().into()]);
    let sql = model::select_sql(&format!(
        "{} ORDER BY t.id DESC LIMIT ? OFFSET ?",
        conditions.where_sql()
    ));
    let rows = state
        .store
        .read(|connection| model::query(connection, &sql, &query_params))?;
    Ok(envelope::success(
        rows.into_iter().map(Into::into).collect(),
    ))
}

/// ASP.NET binds `bool` from `true`/`false` only.
fn strict_boolean(params: &QueryParams, name: &str) -> Result<Option<bool>, ApiError> {
    params
        .text(name)
        .map(|value| match value.to_ascii_lowercase().as_str() {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(ApiError::failure(
                400,
                format!("The value '{value}' is not valid for {name}."),
            )),
        })
        .transpose()
}

/// `GET /v2/servicedesk/hardwareasset/{assetId}/tickets`: the tickets whose affected
/// hardware is the asset.
pub async fn for_hardware_asset(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(asset_id): Path<String>,
    OriginalUri(uri): OriginalUri,
) -> Result<Paged, ApiError> {
    let asset_id: i64 = asset_id
        .trim()
        .parse()
        .map_err(|_| ApiError::failure(404, "Hardware asset not found."))?;
    let params = QueryParams::parse(uri.query());
    let mut conditions = Conditions::new();
    conditions.push("t.hardware_asset_id = ?", &[asset_id]);
    restrict(&mut conditions, user, View::All);
    let page = Page::from_query(&params)?;
    let (tickets, total) = page_of(
        &state,
        &conditions,
        " ORDER BY t.id DESC",
        page.limit(),
        page.offset(),
    )?;
    Ok(paged(tickets, total))
}

#[cfg(test)]
mod tests {
    use super::order_by;

    #[test]
    fn sort_forms() {
        assert_eq!(order_by(None), " ORDER BY t.id DESC");
        assert_eq!(
            order_by(Some("openDate desc")),
            " ORDER BY t.open_date DESC, t.id"
        );
        assert_eq!(order_by(Some("-Title")), " ORDER BY t.title DESC, t.id");
        assert_eq!(
            order_by(Some("TicketNumber")),
            " ORDER BY t.ticket_number ASC, t.id"
        );
        assert_eq!(order_by(Some("nonsense")), " ORDER BY t.id DESC");
    }
}
