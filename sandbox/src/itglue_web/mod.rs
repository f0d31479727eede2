//! The IT Glue web app: organizations, their configurations and contacts, and the
//! organization's tickets view where the BMS integration shows tickets. Like the BMS pages,
//! every page is a shell that renders after load from `/_sandbox/page-data/*` and moves
//! between pages without page loads.

mod data;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use rusqlite::Connection;
use serde::Serialize;
use serde_json::json;

use crate::html::{self, escape};
use crate::state::AppState;
use crate::web_csp;

const ASSETS: &[(&str, &str, &str)] = &[
    (
        "/static/itglue.css",
        "text/css; charset=utf-8",
        include_str!("../../assets/itglue.css"),
    ),
    (
        "/static/spa-kit.js",
        JS,
        include_str!("../../assets/spa-kit.js"),
    ),
    (
        "/static/itglue-app.js",
        JS,
        include_str!("../../assets/itglue-app.js"),
    ),
];
const JS: &str = "text/javascript; charset=utf-8";

/// A page under an organization.
#[derive(Debug, Clone, Copy)]
enum Page {
    Organization,
    Configurations,
    Configuration,
    Contacts,
    Contact,
    Tickets,
}

impl Page {
    fn title(self) -> &'static str {
        match self {
            Self::Organization => "Organization",
            Self::Configurations => "Configurations",
            Self::Configuration => "Configuration",
            Self::Contacts => "Contacts",
            Self::Contact => "Contact",
            Self::Tickets => "Tickets",
        }
    }
}

pub fn router(state: AppState) -> Router {
    let shells = [
        ("/{org_id}", Page::Organization),
        ("/{org_id}/configurations", Page::Configurations),
        ("/{org_id}/configurations/{id}", Page::Configuration),
        ("/{org_id}/contacts", Page::Contacts),
        ("/{org_id}/contacts/{id}", Page::Contact),
        ("/{org_id}/tickets", Page::Tickets),
    ];
    let router = shells
        .into_iter()
        .fold(Router::new(), |router, (path, page)| {
            router.route(
                path,
                get(
                    move |state: State<AppState>, Path(ids): Path<Vec<String>>| {
                        shell(state, page, ids)
                    },
                ),
            )
        });
    let router = ASSETS
        .iter()
        .fold(router, |router, &(path, content_type, body)| {
            router.route(
                path,
                get(move || async move { html::asset(content_type, body) }),
            )
        })
        .route(
            "/",
            get(|| async { document(StatusCode::OK, "Organizations") }),
        )
        .merge(page_data_routes())
        .merge(crate::itglue::session::web_routes())
        .fallback(|| async { document(StatusCode::NOT_FOUND, "Not found") })
        .with_state(state.clone());
    web_csp::apply(router, state.csp)
}

/// The shell of a page under an organization; 404 when its record does not exist (the
/// script then shows "Not found").
async fn shell(State(state): State<AppState>, page: Page, ids: Vec<String>) -> Response {
    let exists = state
        .store
        .read(|connection| record_exists(connection, page, &ids));
    match exists {
        Ok(true) => document(StatusCode::OK, page.title()),
        Ok(false) => document(StatusCode::NOT_FOUND, "Not found"),
        Err(error) => {
            eprintln!("sandbox: IT Glue web error: {error}");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

fn record_exists(connection: &Connection, page: Page, ids: &[String]) -> rusqlite::Result<bool> {
    let parsed: Option<Vec<i64>> = ids.iter().map(|id| id.parse().ok()).collect();
    let Some(ids) = parsed else {
        return Ok(false);
    };
    Ok(match (page, ids.as_slice()) {
        (Page::Configuration, &[org, id]) => data::configuration(connection, org, id)?.is_some(),
        (Page::Contact, &[org, id]) => data::contact(connection, org, id)?.is_some(),
        (_, &[org, ..]) => data::organization_link(connection, org)?.is_some(),
        _ => false,
    })
}

fn document(status: StatusCode, title: &str) -> Response {
    let html = format!(
        r##"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} | IT Glue</title>
<link rel="stylesheet" href="/static/itglue.css">
<script src="/static/spa-kit.js" defer></script>
<script src="/static/itglue-app.js" defer></script>
</head>
<body class="itg-app">
<header class="itg-topnav">
  <a class="itg-logo" href="/">IT <span>Glue</span></a>
  <a class="itg-nav-link itg-nav-link--active" href="/">Organizations</a>
  <a class="itg-nav-link" href="#">Global</a>
  <a class="itg-nav-link" href="#">Account</a>
</header>
<div class="itg-layout">
  <nav class="itg-sidebar" id="itg-sidebar" aria-label="Organization menu" hidden></nav>
  <main class="itg-main" id="itg-root" aria-busy="true"><div class="sandbox-loading" role="status">Loading&hellip;</div></main>
</div>
</body>
</html>
"##,
        title = escape(title),
    );
    (status, Html(html)).into_response()
}

fn page_data_routes() -> Router<AppState> {
    Router::new()
        .route("/_sandbox/page-data/organizations", get(organizations))
        .route(
            "/_sandbox/page-data/organizations/{org_id}",
            get(organization),
        )
        .route(
            "/_sandbox/page-data/organizations/{org_id}/configurations",
            get(configurations),
        )
        .route(
            "/_sandbox/page-data/organizations/{org_id}/configurations/{id}",
            get(configuration),
        )
        .route(
            "/_sandbox/page-data/organizations/{org_id}/contacts",
            get(contacts),
        )
        .route(
            "/_sandbox/page-data/organizations/{org_id}/contacts/{id}",
            get(contact),
        )
        .route(
            "/_sandbox/page-data/organizations/{org_id}/tickets",
            get(tickets),
        )
}

/// Page data as JSON; `None` from `load` (or an id that is not a number) is a 404.
fn respond<T: Serialize>(
    state: &AppState,
    ids: &[String],
    load: impl FnOnce(&Connection, &[i64]) -> rusqlite::Result<Option<T>>,
) -> Response {
    let parsed: Option<Vec<i64>> = ids.iter().map(|id| id.parse().ok()).collect();
    let Some(ids) = parsed else {
        return (
            StatusCode::NOT_FOUND,
            axum::Json(json!({"error": "Not found"})),
        )
            .into_response();
    };
    match state.store.read(|connection| load(connection, &ids)) {
        Ok(Some(data)) => axum::Json(data).into_response(),
        Ok(None) => (
            StatusCode::NOT_FOUND,
            axum::Json(json!({"error": "Not found"})),
        )
            .into_response(),
        Err(error) => {
            eprintln!("sandbox: IT Glue page data error: {error}");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

async fn organizations(State(state): State<AppState>) -> Response {
    respond(&state, &[], |connection, _| {
        data::organizations(connection).map(Some)
    })
}

async fn organization(State(state): State<AppState>, Path(ids): Path<Vec<String>>) -> Response {
    respond(&state, &ids, |connection, ids| match *ids {
        [org] => data::organization(connection, org),
        _ => Ok(None),
    })
}

async fn configurations(State(state): State<AppState>, Path(ids): Path<Vec<String>>) -> Response {
    respond(&state, &ids, |connection, ids| match *ids {
        [org] => data::configurations(connection, org),
        _ => Ok(None),
    })
}

async fn configuration(State(state): State<AppState>, Path(ids): Path<Vec<String>>) -> Response {
    respond(&state, &ids, |connection, ids| match *ids {
        [org, id] => data::configuration(connection, org, id),
        _ => Ok(None),
    })
}

async fn contacts(State(state): State<AppState>, Path(ids): Path<Vec<String>>) -> Response {
    respond(&state, &ids, |connection, ids| match *ids {
        [org] => data::contacts(connection, org),
        _ => Ok(None),
    })
}

async fn contact(State(state): State<AppState>, Path(ids): Path<Vec<String>>) -> Response {
    respond(&state, &ids, |connection, ids| match *ids {
        [org, id] => data::contact(connection, org, id),
        _ => Ok(None),
    })
}

async fn tickets(State(state): State<AppState>, Path(ids): Path<Vec<String>>) -> Response {
    respond(&state, &ids, |connection, ids| match *ids {
        [org] => data::tickets(connection, org),
        _ => Ok(None),
    })
}
