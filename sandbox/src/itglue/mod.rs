//! The IT Glue REST API (JSON:API), served at the root and under `/api` like the real one.

pub mod access;
mod adapters;
mod attachments;
mod body;
mod catalog;
mod configurations;
mod contacts;
mod core_records;
mod checklist_templates;
mod checklists;
mod document_sections;
mod documents;
mod fields;
mod flexible_asset_fields;
mod flexible_asset_types;
mod flexible_assets;
mod folders;
mod groups;
mod interfaces;
mod jsonapi;
mod listing;
mod locations;
mod organization_filters;
mod organization_writes;
mod logs;
pub mod organizations;
mod paging;
mod password_categories;
mod passwords;
mod psa;
mod query;
mod records;
mod related_items;
pub mod session;
mod synced;
mod users;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::state::AppState;
use access::Principal;
use jsonapi::{ApiError, MEDIA_TYPE};

/// The route table; every route also answers under `/api`.
fn routes() -> Router<AppState> {
    Router::new()
        .route("/organizations", get(organizations::index))
        .route("/organizations/{id}", get(organizations::show))
        .route("/organization_types", get(catalog::organization_types))
        .route("/organization_types/{id}", get(catalog::organization_type))
        .route(
            "/organization_statuses",
            get(catalog::organization_statuses),
        )
        .route(
            "/organization_statuses/{id}",
            get(catalog::organization_status),
        )
        .merge(documentation_routes())
        .merge(core_records::routes())
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
}

/// Flexible assets, passwords, documents, checklists, related items, attachments, users
/// and groups.
fn documentation_routes() -> Router<AppState> {
    Router::new()
        .merge(flexible_asset_types::routes())
        .merge(flexible_asset_fields::routes())
        .merge(flexible_assets::routes())
        .merge(attachments::routes())
        .merge(related_items::routes())
        .merge(passwords::routes())
        .merge(password_categories::routes())
        .merge(folders::routes::<folders::PasswordFolders>())
        .merge(folders::routes::<folders::DocumentFolders>())
        .merge(documents::routes())
        .merge(document_sections::routes())
        .merge(checklists::routes())
        .merge(checklist_templates::routes())
        .merge(users::routes())
        .merge(groups::routes())
        .merge(logs::routes())
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(routes())
        .nest("/api", routes())
        .fallback(|method: Method, uri: Uri| async move {
            ApiError::RouteNotFound(format!("{method} {}", uri.path()))
        })
        .layer(middleware::from_fn_with_state(state.clone(), guard))
        .layer(middleware::map_response(json_api_media_type))
        .with_state(state)
}

/// Runs before routing: the API key first (as the real API answers 403 before anything
/// else), then the media type of any request body.
async fn guard(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    match check(&state, request.uri().path(), request.headers()) {
        Ok(principal) => {
            request.extensions_mut().insert(principal);
            next.run(request).await
        }
        Err(error) => error.into_response(),
    }
}

/// Authenticates the caller (see [`access`]) and checks the media type of any body.
fn check(state: &AppState, path: &str, headers: &HeaderMap) -> Result<Principal, ApiError> {
    let principal = access::authenticate(state, headers)?;
    if has_body(headers) {
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("");
        let upload = takes_uploads(path) && is_multipart(content_type);
        if !upload && !is_accepted_media_type(content_type) {
            return Err(ApiError::UnsupportedMediaType(content_type.to_owned()));
        }
    }
    Ok(principal)
}

/// Attachments also take multipart bodies, as the docs' curl examples send them.
fn takes_uploads(path: &str) -> bool {
    path.contains("/relationships/attachments")
}

fn is_multipart(content_type: &str) -> bool {
    content_type
        .split(';')
        .next()
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("multipart/form-data"))
}

fn has_body(headers: &HeaderMap) -> bool {
    let length = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok());
    length.is_some_and(|n| n > 0) || headers.contains_key(header::TRANSFER_ENCODING)
}

/// `application/vnd.api+json` or `application/json`, optionally with a charset.
fn is_accepted_media_type(content_type: &str) -> bool {
    let mut parts = content_type.split(';').map(str::trim);
    let essence = parts.next().unwrap_or("").to_ascii_lowercase();
    let only_charset = parts.all(|param| param.to_ascii_lowercase().starts_with("charset="));
    only_charset && (essence == MEDIA_TYPE || essence == "application/json")
}

async fn json_api_media_type(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(MEDIA_TYPE));
    response
}

#[cfg(test)]
mod tests {
    use super::is_accepted_media_type;

    #[test]
    fn accepts_json_api_and_plain_json_bodies() {
        assert!(is_accepted_media_type("application/vnd.api+json"));
        assert!(is_accepted_media_type(
            "application/vnd.api+json; charset=utf-8"
        ));
        assert!(is_accepted_media_type("Application/JSON"));
        assert!(!is_accepted_media_type("text/plain"));
        assert!(!is_accepted_media_type("application/x-www-form-urlencoded"));
        assert!(!is_accepted_media_type(
            "application/vnd.api+json; ext=bulk"
        ));
        assert!(!is_accepted_media_type(""));
    }
}
