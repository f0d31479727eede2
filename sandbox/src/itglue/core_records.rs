//! The route table of the core synced records: the organizations' write side, locations,
//! contacts, configurations (top-level and nested under an organization), configuration
//! interfaces, their catalogs, and the sandbox's PSA admin routes.

use axum::Router;
use axum::extract::{OriginalUri, Path, State};
use axum::routing::{get, patch, post};

use super::catalog::CATALOGS;
use super::configurations::Configuration;
use super::contacts::Contact;
use super::locations::Location;
use super::synced::{self, Synced};
use super::{interfaces, organization_writes, psa};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    let mut router = Router::new()
        .route(
            "/organizations",
            post(organization_writes::create)
                .patch(organization_writes::bulk_update)
                .delete(organization_writes::bulk_delete),
        )
        .route("/organizations/{id}", patch(organization_writes::update))
        .merge(synced_routes::<Location>("locations"))
        .merge(synced_routes::<Contact>("contacts"))
        .merge(synced_routes::<Configuration>("configurations"))
        .merge(interface_routes())
        .route(
            "/_sandbox/itglue/links",
            post(psa::create_link)
                .patch(psa::orphan_link)
                .delete(psa::delete_link),
        )
        .route(
            "/_sandbox/itglue/two_way_sync",
            get(psa::get_two_way).put(psa::put_two_way),
        );
    for (path, catalog) in CATALOGS.iter().copied() {
        router = router
            .route(
                &format!("/{path}"),
                get(
                    move |State(state): State<AppState>, OriginalUri(uri): OriginalUri| async move {
                        catalog.index(state, uri)
                    },
                ),
            )
            .route(
                &format!("/{path}/{{id}}"),
                get(
                    move |State(state): State<AppState>, Path(id): Path<String>| async move {
                        catalog.show(state, &id)
                    },
                ),
            );
    }
    router
}

/// Top-level and nested routes of one record type.
fn synced_routes<K: Synced>(segment: &str) -> Router<AppState> {
    let nested = format!("/organizations/{{id}}/relationships/{segment}");
    Router::new()
        .route(
            &format!("/{segment}"),
            get(synced::index::<K>)
                .post(synced::create::<K>)
                .patch(synced::bulk_update::<K>)
                .delete(synced::bulk_delete::<K>),
        )
        .route(
            &format!("/{segment}/{{id}}"),
            get(synced::show::<K>).patch(synced::update::<K>),
        )
        .route(
            &nested,
            get(synced::nested_index::<K>)
                .post(synced::nested_create::<K>)
                .patch(synced::nested_bulk_update),
        )
        .route(
            &format!("{nested}/{{record_id}}"),
            get(synced::nested_show::<K>).patch(synced::nested_update::<K>),
        )
}

fn interface_routes() -> Router<AppState> {
    let nested = "/configurations/{id}/relationships/configuration_interfaces";
    Router::new()
        .route(
            nested,
            get(interfaces::index).post(interfaces::nested_create),
        )
        .route(
            &format!("{nested}/{{interface_id}}"),
            get(interfaces::nested_show)
                .patch(interfaces::nested_update)
                .delete(interfaces::delete),
        )
        .route(
            "/configuration_interfaces",
            post(interfaces::create).patch(interfaces::bulk_update),
        )
        .route(
            "/configuration_interfaces/{id}",
            get(interfaces::show).patch(interfaces::top_update),
        )
}
