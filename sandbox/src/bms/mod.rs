//! The Kaseya BMS v2 REST API.

mod account_writes;
pub mod accounts;
mod contact_writes;
mod contacts;
mod core_records;
mod crm_lookups;
mod envelope;
mod finance;
mod form;
mod hardware_assets;
mod itglue_integration;
mod json_input;
mod params;
pub mod security;
mod servicedesk;
mod token;

use axum::Router;
use axum::http::StatusCode;
use axum::middleware;
use axum::routing::{get, post};

use crate::state::AppState;

/// The route table: the two security endpoints are open, every other route needs a token.
pub fn router(state: AppState) -> Router {
    let protected = Router::new()
        .route("/v2/security/userinfo", get(security::userinfo))
        .route("/v2/crm/accounts/summary", get(accounts::list))
        .route("/v2/crm/accounts/summary/{id}", get(accounts::show))
        .merge(core_records::routes())
        .merge(servicedesk::routes())
        .merge(itglue_integration::routes())
        .merge(finance::routes())
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            security::require_bearer,
        ));
    Router::new()
        .route("/v2/security/authenticate", post(security::authenticate))
        .route("/v2/security/refreshtoken", post(security::refresh))
        .merge(protected)
        // ASP.NET answers unknown routes with an empty 404.
        .fallback(|| async { StatusCode::NOT_FOUND })
        .with_state(state)
}
