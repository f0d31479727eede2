//! The BMS endpoints behind the native IT Glue integration (tag "ITG" of the spec):
//! integration status and per-user access, BMS → IT Glue lookups, suggested resources,
//! password values, company and contact notes, checklists, and the ticket feed.

pub mod checklists;
mod lookups;
pub mod mapping;
mod notes;
mod passwords;
mod status;
mod suggested;
mod tickets;

use axum::Router;
use axum::routing::get;

use crate::state::AppState;

const BASE: &str = "/v2/integrations/itglue";

pub fn routes() -> Router<AppState> {
    let route = |path: &str| format!("{BASE}{path}");
    Router::new()
        .route(&route("/status"), get(status::status))
        .route(&route("/accessinfo"), get(status::access_info))
        .route(&route("/accounts/{id}/lookup"), get(lookups::account))
        .route(&route("/contacts/{id}/lookup"), get(lookups::contact))
        .route(&route("/locations/{id}/lookup"), get(lookups::location))
        .route(
            &route("/hardwareassets/{id}/lookup"),
            get(lookups::hardware_asset),
        )
        .route(
            &route("/accounts/{id}/notes"),
            get(notes::company).put(notes::update_company),
        )
        .route(
            &route("/contacts/{id}/notes"),
            get(notes::contact).put(notes::update_contact),
        )
        .route(&route("/passwords/{id}"), get(passwords::show))
        .route(&route("/checklists"), get(checklists::list))
        .route(&route("/checklists/{id}/tasks"), get(checklists::tasks))
        .route(
            &route("/{subject}/suggestedresources/{kind}"),
            get(suggested::list),
        )
        .route(
            &route("/{subject}/suggestedresources/{kind}/count"),
            get(suggested::count),
        )
        .route(&route("/servicedesk/ticketsync"), get(tickets::feed))
        .route(
            &route("/servicedesk/ticketsync/{id}"),
            get(tickets::feed_ticket),
        )
        .route(
            &route("/servicedesk/globalsearch"),
            get(tickets::global_search),
        )
}
