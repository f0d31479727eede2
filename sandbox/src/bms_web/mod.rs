//! The BMS web pages the extension injects into: the React UI (a shell that renders each
//! record after load and moves between records without page loads), the legacy WebForms
//! ticket pages, and the optional look-alike of BMS's own IT Glue integration.

mod data;
mod layout;
mod legacy;
mod page_data;
mod routes;
mod session;
mod shell;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Redirect;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

pub use routes::{BmsPages, InvalidRecordPath, RecordPath};

use crate::html;
use crate::state::AppState;
use crate::web_csp;

/// Local stand-ins for what the real UI loads; nothing comes from the internet.
const ASSETS: &[(&str, &str, &str)] = &[
    ("/static/bms.css", CSS, include_str!("../../assets/bms.css")),
    (
        "/static/legacy.css",
        CSS,
        include_str!("../../assets/legacy.css"),
    ),
    ("/static/bms.js", JS, include_str!("../../assets/bms.js")),
    (
        "/static/spa-kit.js",
        JS,
        include_str!("../../assets/spa-kit.js"),
    ),
    (
        "/static/bms-app.js",
        JS,
        include_str!("../../assets/bms-app.js"),
    ),
    (
        "/static/jquery-lite.js",
        JS,
        include_str!("../../assets/jquery-lite.js"),
    ),
    (
        "/static/bootstrap-lite.js",
        JS,
        include_str!("../../assets/bootstrap-lite.js"),
    ),
    (
        "/static/psa-session.js",
        JS,
        include_str!("../../assets/psa-session.js"),
    ),
    (
        "/static/legacy.js",
        JS,
        include_str!("../../assets/legacy.js"),
    ),
];
const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";

/// What the BMS web handlers reach.
#[derive(Clone)]
struct Web {
    app: AppState,
    pages: Arc<BmsPages>,
    native: NativeSwitch,
}

/// Whether ticket pages show the native integration look-alike; tests flip it at run time.
#[derive(Clone)]
struct NativeSwitch(Arc<AtomicBool>);

impl NativeSwitch {
    fn enabled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

pub fn router(state: AppState) -> Router {
    let pages = state.settings.bms_pages.clone();
    let web = Web {
        native: NativeSwitch(Arc::new(AtomicBool::new(pages.native_itglue))),
        pages: Arc::new(pages),
        app: state.clone(),
    };
    let home = web.pages.account.list().to_owned();
    let router = ASSETS
        .iter()
        .fold(Router::new(), |router, &(path, content_type, body)| {
            router.route(
                path,
                get(move || async move { html::asset(content_type, body) }),
            )
        })
        .route(
            "/",
            get(move || {
                let home = home.clone();
                async move { Redirect::to(&home) }
            }),
        )
        .merge(shell::routes(&web))
        .merge(legacy::routes())
        .merge(page_data::routes())
        .route(
            "/_sandbox/native-integration",
            get(get_native).put(put_native),
        )
        .fallback(shell::not_found)
        .with_state(web);
    web_csp::apply(router, state.csp)
}

/// A query parameter, its name matched without regard to case (`?ID=`, `?id=`).
fn query_value(query: Option<&str>, name: &str) -> Option<String> {
    form_urlencoded::parse(query?.as_bytes())
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.into_owned())
}

#[derive(Debug, Serialize, Deserialize)]
struct NativeBody {
    enabled: bool,
}

async fn get_native(State(web): State<Web>) -> Json<NativeBody> {
    Json(NativeBody {
        enabled: web.native.enabled(),
    })
}

async fn put_native(State(web): State<Web>, Json(body): Json<NativeBody>) -> StatusCode {
    web.native.0.store(body.enabled, Ordering::Relaxed);
    eprintln!(
        "sandbox: native IT Glue integration on ticket pages {}",
        if body.enabled { "on" } else { "off" }
    );
    StatusCode::NO_CONTENT
}
