//! The CRM account pages, rendered from the store.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use rusqlite::{Connection, OptionalExtension};

use super::layout::{Viewer, page};
use crate::bms::accounts::{self, AccountSummary};
use crate::html::escape;
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::seed::BMS_TECH_USERNAME;

/// The pages render as the demo technician, as if she were signed in.
fn viewer(connection: &Connection) -> rusqlite::Result<Option<(Viewer, i64)>> {
    connection
        .query_row(
            "SELECT first_name || ' ' || last_name, tenant_id FROM bms_users WHERE username = ?1",
            [BMS_TECH_USERNAME],
            |row| {
                Ok((
                    Viewer {
                        full_name: row.get(0)?,
                    },
                    row.get(1)?,
                ))
            },
        )
        .optional()
}

pub async fn account_detail(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let loaded = state.store.read(|connection| {
        let Some((viewer, tenant_id)) = viewer(connection)? else {
            return Ok(None);
        };
        let account = match id.parse::<i64>() {
            Ok(id) => accounts::find(connection, tenant_id, id)?,
            Err(_) => None,
        };
        Ok(Some((viewer, account)))
    });
    let bms_web = &state.urls.bms_web;
    match loaded {
        Ok(Some((viewer, Some(account)))) => {
            let title = format!("{} - Account", account.account_name);
            Html(page(
                bms_web,
                &title,
                &viewer,
                &account_body(bms_web, &account),
            ))
            .into_response()
        }
        Ok(Some((viewer, None))) => record_not_found(bms_web, &viewer),
        Ok(None) => signed_out(),
        Err(error) => server_error(&error),
    }
}

pub async fn account_list(State(state): State<AppState>) -> Response {
    let loaded = state.store.read(|connection| {
        let Some((viewer, tenant_id)) = viewer(connection)? else {
            return Ok(None);
        };
        Ok(Some((
            viewer,
            accounts::all_by_name(connection, tenant_id)?,
        )))
    });
    let bms_web = &state.urls.bms_web;
    match loaded {
        Ok(Some((viewer, accounts))) => Html(page(
            bms_web,
            "Accounts",
            &viewer,
            &list_body(bms_web, &accounts),
        ))
        .into_response(),
        Ok(None) => signed_out(),
        Err(error) => server_error(&error),
    }
}

pub async fn page_not_found(State(state): State<AppState>) -> Response {
    match state.store.read(viewer) {
        Ok(Some((viewer, _))) => {
            let body = empty_state(
                &state.urls.bms_web,
                "Page not found",
                "The page you requested does not exist.",
            );
            let html = page(&state.urls.bms_web, "Page not found", &viewer, &body);
            (StatusCode::NOT_FOUND, Html(html)).into_response()
        }
        Ok(None) => signed_out(),
        Err(error) => server_error(&error),
    }
}

fn record_not_found(bms_web: &str, viewer: &Viewer) -> Response {
    let body = empty_state(
        bms_web,
        "Record not found",
        "The account you are looking for does not exist, was deleted, or you do not have permission to view it.",
    );
    let html = page(bms_web, "Record not found", viewer, &body);
    (StatusCode::NOT_FOUND, Html(html)).into_response()
}

fn empty_state(bms_web: &str, heading: &str, message: &str) -> String {
    format!(
        r#"<div class="psa-empty-state">
  <div class="psa-empty-state-icon" aria-hidden="true">!</div>
  <h1 class="psa-empty-state-title">{heading}</h1>
  <p>{message}</p>
  <a class="btn btn-primary" href="{bms_web}/react/crm/accounts">Back to Accounts</a>
</div>"#,
        heading = escape(heading),
        message = escape(message),
    )
}

/// Only reachable if the seeded technician was deleted from the store.
fn signed_out() -> Response {
    (StatusCode::UNAUTHORIZED, Html("<!DOCTYPE html><title>Signed out</title><p>You have been signed out. Please log in again.</p>")).into_response()
}

fn server_error(error: &StoreError) -> Response {
    eprintln!("sandbox: BMS web error: {error}");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        Html("<!DOCTYPE html><title>Error</title><p>An unexpected error occurred.</p>"),
    )
        .into_response()
}

fn text_or_dash(value: Option<&str>) -> String {
    value
        .filter(|v| !v.is_empty())
        .map_or_else(|| DASH.to_owned(), escape)
}

fn field(label: &str, value_html: &str) -> String {
    format!(
        r#"<div class="psa-field"><div class="psa-label-field">{label}</div><div class="psa-value-field"><span>{value_html}</span></div></div>"#
    )
}

fn status_label(active: bool) -> &'static str {
    if active { "Active" } else { "Inactive" }
}

const DASH: &str = "&mdash;";

fn account_body(bms_web: &str, account: &AccountSummary) -> String {
    let name = escape(&account.account_name);
    let code = text_or_dash(account.account_code.as_deref());
    let status = status_label(account.is_active);
    let fields = account_fields(account);
    let locations = location_rows(account);
    let badge_class = if account.is_active {
        "psa-badge--success"
    } else {
        "psa-badge--muted"
    };
    format!(
        r#"<nav class="psa-breadcrumb" aria-label="Breadcrumb"><a href="{bms_web}/react/crm/accounts">Accounts</a><span class="psa-breadcrumb-separator">/</span><span>{name}</span></nav>
<div class="psa-page-header">
  <div class="psa-page-header-title">
    <h1 class="psa-page-title">{name}</h1>
    <span class="psa-account-code">{code}</span>
    <span class="psa-badge {badge_class}">{status}</span>
  </div>
  <div class="psa-page-header-actions">
    <button type="button" class="btn btn-sm btn-secondary">Edit</button>
    <button type="button" class="btn btn-sm btn-primary bigk-button--primary">New Ticket</button>
  </div>
</div>
<div class="psa-tabs" role="tablist">
  <button type="button" class="psa-tab psa-tab--active" role="tab" aria-selected="true" data-tab="details">Details</button>
  <button type="button" class="psa-tab" role="tab" aria-selected="false" data-tab="contacts">Contacts</button>
  <button type="button" class="psa-tab" role="tab" aria-selected="false" data-tab="locations">Locations</button>
  <button type="button" class="psa-tab" role="tab" aria-selected="false" data-tab="tickets">Tickets</button>
</div>
<section class="psa-tab-panel" role="tabpanel" data-panel="details">
  <div class="psa-card">
    <div class="psa-card-header">Account Information</div>
    <div class="psa-record-grid">{fields}</div>
  </div>
</section>
<section class="psa-tab-panel" role="tabpanel" data-panel="contacts" hidden>
  <div class="psa-card"><p class="psa-grid-empty">No contacts to display.</p></div>
</section>
<section class="psa-tab-panel" role="tabpanel" data-panel="locations" hidden>
  <div class="psa-card">
    <table class="psa-grid"><thead><tr><th>Location</th><th>Address</th><th>Phone</th><th>Main</th></tr></thead>
    <tbody>{locations}</tbody></table>
  </div>
</section>
<section class="psa-tab-panel" role="tabpanel" data-panel="tickets" hidden>
  <div class="psa-card"><p class="psa-grid-empty">No open tickets.</p></div>
</section>"#
    )
}

/// The record grid of the Details tab.
fn account_fields(account: &AccountSummary) -> String {
    let (location_name, address, phone) = match account.main_location() {
        Some((location, address)) => (
            escape(&location.location_name),
            address.map_or_else(|| DASH.to_owned(), format_address),
            text_or_dash(address.and_then(|a| a.phone.as_deref())),
        ),
        None => (DASH.to_owned(), DASH.to_owned(), DASH.to_owned()),
    };
    let website = account.website.as_deref().map_or_else(
        || DASH.to_owned(),
        |url| {
            let url = escape(url);
            format!(r#"<a href="{url}" target="_blank" rel="noopener">{url}</a>"#)
        },
    );
    [
        field("Account Name", &escape(&account.account_name)),
        field(
            "Account Code",
            &text_or_dash(account.account_code.as_deref()),
        ),
        field("Type", &text_or_dash(account.account_type.as_deref())),
        field("Status", status_label(account.is_active)),
        field("Main Location", &location_name),
        field("Address", &address),
        field("Phone", &phone),
        field("Website", &website),
        field(
            "Account Manager",
            &text_or_dash(account.account_manager_full_name.as_deref()),
        ),
    ]
    .concat()
}

/// The table rows of the Locations tab.
fn location_rows(account: &AccountSummary) -> String {
    account
        .locations
        .iter()
        .map(|location| {
            let address = location.addresses.iter().find(|a| a.is_main);
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&location.location_name),
                address.map_or_else(|| DASH.to_owned(), format_address),
                text_or_dash(address.and_then(|a| a.phone.as_deref())),
                if location.is_main { "Yes" } else { "No" },
            )
        })
        .collect()
}

fn format_address(address: &accounts::Address) -> String {
    let street = [address.address1.as_deref(), address.address2.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ");
    let locality = [
        address.city.as_deref(),
        address.state.as_deref(),
        address.zip_code.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    let parts: Vec<String> = [Some(street), Some(locality), address.country.clone()]
        .into_iter()
        .flatten()
        .filter(|part| !part.is_empty())
        .map(|part| escape(&part))
        .collect();
    if parts.is_empty() {
        DASH.to_owned()
    } else {
        parts.join("<br>")
    }
}

fn list_body(bms_web: &str, accounts: &[AccountSummary]) -> String {
    let rows: String = accounts
        .iter()
        .map(|account| {
            let city = account
                .main_location()
                .and_then(|(_, address)| address)
                .and_then(|address| address.city.as_deref());
            format!(
                r#"<tr><td><a href="{bms_web}/react/crm/accounts/{id}">{name}</a></td><td>{code}</td><td>{kind}</td><td>{city}</td><td>{status}</td></tr>"#,
                id = account.id,
                name = escape(&account.account_name),
                code = text_or_dash(account.account_code.as_deref()),
                kind = text_or_dash(account.account_type.as_deref()),
                city = text_or_dash(city),
                status = status_label(account.is_active),
            )
        })
        .collect();
    format!(
        r#"<div class="psa-page-header"><div class="psa-page-header-title"><h1 class="psa-page-title">Accounts</h1></div></div>
<div class="psa-card">
  <table class="psa-grid">
    <thead><tr><th>Account Name</th><th>Account Code</th><th>Type</th><th>City</th><th>Status</th></tr></thead>
    <tbody>{rows}</tbody>
  </table>
</div>"#
    )
}
