//! The BMS web app pages the extension injects into, with a per-response CSP that can be
//! switched at run time through `/_sandbox/csp`.

mod layout;
mod pages;

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use crate::config::CspMode;
use crate::html;
use crate::state::AppState;

const STYLESHEET: &str = include_str!("../../assets/bms.css");
const SCRIPT: &str = include_str!("../../assets/bms.js");

/// The route table. The page URL shape is the sandbox's choice: the real one is not public.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(|| async { Redirect::to("/react/crm/accounts") }))
        .route("/react/crm/accounts", get(pages::account_list))
        .route("/react/crm/accounts/{id}", get(pages::account_detail))
        .route(
            "/static/bms.css",
            get(|| async { html::asset("text/css; charset=utf-8", STYLESHEET) }),
        )
        .route(
            "/static/bms.js",
            get(|| async { html::asset("text/javascript; charset=utf-8", SCRIPT) }),
        )
        .route("/_sandbox/csp", get(get_csp).put(put_csp))
        .fallback(pages::page_not_found)
        .layer(middleware::map_response_with_state(
            state.clone(),
            apply_csp,
        ))
        .with_state(state)
}

async fn apply_csp(State(state): State<AppState>, mut response: Response) -> Response {
    if let Some(policy) = state.csp.get().header_value() {
        response.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(policy),
        );
    }
    response
}

#[derive(Debug, Serialize, Deserialize)]
struct CspBody {
    mode: CspMode,
}

async fn get_csp(State(state): State<AppState>) -> Json<CspBody> {
    Json(CspBody {
        mode: state.csp.get(),
    })
}

async fn put_csp(State(state): State<AppState>, Json(body): Json<CspBody>) -> impl IntoResponse {
    state.csp.set(body.mode);
    eprintln!("sandbox: BMS pages now use CSP mode {}", body.mode);
    StatusCode::NO_CONTENT
}
