//! BMS finance: the services catalogue and categories, contracts and recurring services
//! contracts, and the sandbox-specific units routes of contract service lines.

mod contracts;
mod services;
mod units;

use axum::Router;
use axum::routing::{get, post, put};

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v2/admin/finance/services/lookup", get(services::lookup))
        .route("/v2/admin/finance/services/search", post(services::search))
        .route(
            "/v2/admin/finance/services/services",
            post(services::create),
        )
        .route(
            "/v2/admin/finance/services",
            axum::routing::patch(services::batch_edit).delete(services::batch_delete),
        )
        .route(
            "/v2/admin/finance/services/{id}",
            get(services::show)
                .put(services::update)
                .delete(services::delete),
        )
        .route(
            "/v2/admin/finance/services/{id}/relatedservices/search",
            post(services::related),
        )
        .route(
            "/v2/admin/finance/servicecategory/lookup",
            get(services::categories),
        )
        .route(
            "/v2/admin/finance/servicecategory/{id}/servicesubcategory/lookup",
            get(services::subcategories),
        )
        .route("/v2/finance/contracts/lookup", get(contracts::lookup))
        .route("/v2/finance/contracts/summary", get(contracts::summary))
        .route(
            "/v2/finance/contracts/{id}/activate",
            put(contracts::activate),
        )
        .route(
            "/v2/finance/contracts/{id}/deactivate",
            put(contracts::deactivate),
        )
        .route(
            "/v2/finance/contracts/recurringservices",
            post(contracts::create),
        )
        .route(
            "/v2/finance/contracts/recurringservices/{id}",
            put(contracts::update_header),
        )
        .route(
            "/v2/finance/contracts/recurringservices/{id}/services",
            post(contracts::add_services),
        )
        .route("/_sandbox/contracts/{id}/services", get(units::list))
        .route(
            "/_sandbox/contracts/{id}/services/{line}/units",
            get(units::history).put(units::update),
        )
}
