//! The React routes. Every one answers with the same shell; the page script reads the URL,
//! fetches the record's page data and renders it. A record that does not exist still gets
//! the shell, with 404, and the script shows "Record not found".

use std::collections::{HashMap, HashSet};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use rusqlite::Connection;

use super::Web;
use super::data::{assets, crm, tickets};
use super::layout;
use super::session;
use crate::store::StoreError;

/// What a React route shows, as far as the server needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Page {
    Accounts,
    Account,
    Contact,
    HardwareAsset,
    Tickets,
    Ticket,
}

impl Page {
    fn title(self) -> &'static str {
        match self {
            Self::Accounts => "Accounts",
            Self::Account => "Account",
            Self::Contact => "Contact",
            Self::HardwareAsset => "Hardware Asset",
            Self::Tickets => "Tickets",
            Self::Ticket => "Ticket",
        }
    }

    /// Whether the record of a detail page exists; list pages always do.
    fn exists(
        self,
        connection: &Connection,
        tenant_id: i64,
        id: Option<i64>,
    ) -> rusqlite::Result<bool> {
        let check = match self {
            Self::Accounts | Self::Tickets => return Ok(true),
            Self::Account => crm::account_exists,
            Self::Contact => crm::contact_exists,
            Self::HardwareAsset => assets::exists,
            Self::Ticket => tickets::exists,
        };
        match id {
            Some(id) => check(connection, tenant_id, id),
            None => Ok(false),
        }
    }
}

pub fn routes(web: &Web) -> Router<Web> {
    let pages = &web.pages;
    let table: [(&str, Page); 12] = [
        (pages.account.list(), Page::Accounts),
        (pages.account.as_str(), Page::Account),
        (pages.contact.as_str(), Page::Contact),
        (pages.hardware_asset.as_str(), Page::HardwareAsset),
        ("/react/servicedesk/tickets", Page::Tickets),
        ("/react/servicedesk/tickets/{id}", Page::Ticket),
        ("/react/servicedesk/mytickets", Page::Tickets),
        ("/react/servicedesk/mytickets/{id}", Page::Ticket),
        ("/react/home/views/{view_id}/tickets", Page::Tickets),
        ("/react/home/views/{view_id}/tickets/{id}", Page::Ticket),
        ("/react/home/views/{view_id}/mytickets", Page::Tickets),
        ("/react/home/views/{view_id}/mytickets/{id}", Page::Ticket),
    ];
    // Configured record paths may coincide; the first one wins instead of a route clash.
    let mut seen = HashSet::new();
    table
        .into_iter()
        .filter(|(path, _)| seen.insert(*path))
        .fold(Router::new(), |router, (path, page)| {
            router.route(
                path,
                get(
                    move |state: State<Web>, Path(params): Path<HashMap<String, String>>| {
                        render(state, page, params)
                    },
                ),
            )
        })
}

async fn render(State(web): State<Web>, page: Page, params: HashMap<String, String>) -> Response {
    let id = params.get("id").and_then(|id| id.parse::<i64>().ok());
    let status = web.app.store.read(|connection| {
        let Some(user) = session::technician(connection)? else {
            return Ok(None);
        };
        let found = page.exists(connection, user.tenant_id, id)?;
        Ok(Some(if found {
            StatusCode::OK
        } else {
            StatusCode::NOT_FOUND
        }))
    });
    match status {
        Ok(Some(status)) => document(&web, status, page.title()),
        Ok(None) => signed_out(),
        Err(error) => server_error(&error),
    }
}

/// Unknown paths: the shell with 404; the script shows "Page not found".
pub async fn not_found(State(web): State<Web>) -> Response {
    document(&web, StatusCode::NOT_FOUND, "Page not found")
}

/// The shell with the session cookie set.
fn document(web: &Web, status: StatusCode, title: &str) -> Response {
    match session::open(&web.app) {
        Ok(Some(session)) => {
            let html = layout::shell(&web.pages, &session.user, title);
            let mut response = (status, Html(html)).into_response();
            session.set_cookie(&mut response);
            response
        }
        Ok(None) => signed_out(),
        Err(error) => server_error(&error),
    }
}

/// Only reachable if the seeded technician was deleted from the store.
pub fn signed_out() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        Html("<!DOCTYPE html><title>Signed out</title><p>You have been signed out. Please log in again.</p>"),
    )
        .into_response()
}

pub fn server_error(error: &StoreError) -> Response {
    eprintln!("sandbox: BMS web error: {error}");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        Html("<!DOCTYPE html><title>Error</title><p>An unexpected error occurred.</p>"),
    )
        .into_response()
}
