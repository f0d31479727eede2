//! The route table of the core synced BMS records: account writes and lookups, account
//! locations, contacts, hardware assets and the generic lookups.

use axum::Router;
use axum::routing::{get, patch, post};

use super::{account_writes, contact_writes, contacts, crm_lookups, hardware_assets};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v2/crm/accounts", post(account_writes::create))
        .route(
            "/v2/crm/accounts/{id}",
            patch(account_writes::patch).put(account_writes::update),
        )
        .route("/v2/crm/accounts/lookup", get(crm_lookups::accounts_lookup))
        .route(
            "/v2/crm/accounts/{id}/locations/lookup",
            get(crm_lookups::locations_lookup),
        )
        .route(
            "/v2/crm/accounts/{id}/locations/{location_id}",
            get(crm_lookups::location),
        )
        .route(
            "/v2/crm/accounts/{id}/contacts/lookup",
            get(contacts::account_lookup),
        )
        .route(
            "/v2/crm/contacts/summary",
            get(contacts::list).post(contact_writes::create),
        )
        .route("/v2/crm/contacts/summary/{id}", get(contacts::show))
        .route("/v2/crm/contacts/search", get(contacts::search))
        .route(
            "/v2/crm/contacts/{id}",
            patch(contact_writes::patch)
                .put(contact_writes::update)
                .delete(contact_writes::delete),
        )
        .route(
            "/v2/crm/contacts/{id}/emails",
            patch(contact_writes::patch_emails),
        )
        .route(
            "/v2/crm/contacts/{id}/phones",
            patch(contact_writes::patch_phones),
        )
        .route(
            "/v2/servicedesk/hardwareasset",
            post(hardware_assets::create),
        )
        .route(
            "/v2/servicedesk/hardwareasset/searchselect",
            get(hardware_assets::search_select),
        )
        .route(
            "/v2/servicedesk/hardwareasset/{id}",
            get(hardware_assets::show)
                .put(hardware_assets::update)
                .delete(hardware_assets::delete),
        )
        .route(
            "/v2/system/accounttypes/lookup",
            get(crm_lookups::account_types),
        )
        .route("/v2/system/lookup/{table}", get(crm_lookups::lookup))
}
