//! The ticket side of the integration, as IT Glue's embedded ticketing reads it:
//! - `GET /v2/integrations/itglue/servicedesk/ticketsync` — the change feed
//!   `[{id, createdOn, modifiedOn}]` with `Filter.CreatedOnFrom/To` and
//!   `Filter.ModifiedOnFrom/To`, paged, oldest change first;
//! - `GET …/ticketsync/{ticketId}` — one ticket as `TicketOutputDto` (the sandbox's reading;
//!   the spec names no body);
//! - `GET …/servicedesk/globalsearch` — `Filter.Keyword` over number, title, details and
//!   account name, `Filter.AccountIds` (csv), as `TicketListDto` rows.
//!
//! Only tickets of accounts synced with an IT Glue organization take part, and only those
//! in the caller's scope.

use axum::extract::{OriginalUri, Path, State};
use axum::{Extension, Json};
use serde::Serialize;

use super::super::envelope::{self, ApiError, Envelope};
use super::super::params::QueryParams;
use super::super::security::AuthUser;
use super::super::servicedesk::support::{Page, escape_like, in_scope_sql};
use super::super::servicedesk::tickets::model::{self, TicketListItem, TicketOutput};
use super::super::servicedesk::tickets::{NOT_FOUND, ticket_id};
use super::mapping;
use crate::state::AppState;
use crate::store::sql::{self, Conditions};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TicketChange {
    id: i64,
    created_on: Option<String>,
    modified_on: Option<String>,
}

/// Tenant, scope and "account synced with IT Glue".
fn synced_tickets(user: AuthUser) -> Conditions {
    let mut conditions = Conditions::new();
    conditions.push("t.tenant_id = ?", &[user.tenant_id]);
    conditions.push(&in_scope_sql("t.account_id"), &[user.user_id]);
    conditions.push(
        "EXISTS (SELECT 1 FROM itglue_adapters_resources ar
          WHERE ar.integration_type = ? AND ar.resource_type = ? AND ar.orphaned = 0
            AND ar.remote_id = CAST(t.account_id AS TEXT))",
        &[
            mapping::INTEGRATION_TYPE.to_owned(),
            mapping::ORGANIZATION.to_owned(),
        ],
    );
    conditions
}

pub async fn feed(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Envelope<Vec<TicketChange>>>, ApiError> {
    let params = QueryParams::parse(uri.query());
    let mut conditions = synced_tickets(user);
    for (name, clause) in [
        ("Filter.CreatedOnFrom", "t.created_on >= ?"),
        ("Filter.CreatedOnTo", "t.created_on <= ?"),
        ("Filter.ModifiedOnFrom", "t.modified_on >= ?"),
        ("Filter.ModifiedOnTo", "t.modified_on <= ?"),
    ] {
        if let Some(bound) = params.datetime(name)? {
            conditions.push(clause, &[bound.to_bms()]);
        }
    }
    let page = Page::from_query(&params)?;
    let (changes, total) = state.store.read(|connection| {
        let total = sql::count(connection, "bms_tickets t", &conditions)?;
        let mut query_params = conditions.params().to_vec();
        query_params.extend([page.limit().into(), page.offset().into()]);
        let mut statement = connection.prepare(&format!(
            "SELECT t.id, t.created_on, t.modified_on FROM bms_tickets t{}
             ORDER BY t.modified_on, t.id LIMIT ? OFFSET ?",
            conditions.where_sql()
        ))?;
        let changes = statement
            .query_map(rusqlite::params_from_iter(query_params), |row| {
                Ok(TicketChange {
                    id: row.get(0)?,
                    created_on: row.get(1)?,
                    modified_on: row.get(2)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok((changes, total))
    })?;
    Ok(envelope::paged(changes, total))
}

pub async fn feed_ticket(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Path(id): Path<String>,
) -> Result<Json<Envelope<TicketOutput>>, ApiError> {
    let id = ticket_id(&id)?;
    let mut conditions = synced_tickets(user);
    conditions.push("t.id = ?", &[id]);
    let sql = model::select_sql(&conditions.where_sql());
    let ticket = state.store.read(|connection| {
        let found = model::query(connection, &sql, conditions.params())?.pop();
        // The single read also carries the secondary assignees.
        found
            .map(|_| model::find(connection, user.tenant_id, id))
            .transpose()
            .map(Option::flatten)
    })?;
    ticket
        .map(envelope::success)
        .ok_or_else(|| ApiError::failure(404, NOT_FOUND))
}

pub async fn global_search(
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Envelope<Vec<TicketListItem>>>, ApiError> {
    let params = QueryParams::parse(uri.query());
    let mut conditions = synced_tickets(user);
    if let Some(keyword) = params.text("Filter.Keyword") {
        let pattern = escape_like(keyword);
        conditions.push(
            r"(t.ticket_number LIKE '%' || ? || '%' ESCAPE '\' OR t.title LIKE '%' || ? || '%'
                ESCAPE '\'
               OR t.details LIKE '%' || ? || '%' ESCAPE '\' OR a.account_name LIKE '%' || ? ||
               '%' ESCAPE '\')",
            &[pattern.clone(), pattern.clone(), pattern.clone(), pattern],
        );
    }
    if let Some(ids) = params.integer_list("Filter.AccountIds")? {
        conditions.any_of("t.account_id", &ids);
    }
    let page = Page::from_query(&params)?;
    let (tickets, total) = state.store.read(|connection| {
        let total = sql::count(connection, model::FROM, &conditions)?;
        let mut query_params = conditions.params().to_vec();
        query_params.extend([page.limit().into(), page.offset().into()]);
        let sql = model::select_sql(&format!(
            "{} ORDER BY t.id DESC LIMIT ? OFFSET ?",
            conditions.where_sql()
        ));
        Ok((model::query(connection, &sql, &query_params)?, total))
    })?;
    Ok(envelope::paged(
        tickets.into_iter().map(Into::into).collect(),
        total,
    ))
}
