//! The IT Glue REST API (JSON:API), served at the root and under `/api` like the real one.

mod adapters;
mod catalog;
mod jsonapi;
pub mod organizations;
mod paging;
mod query;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::state::AppState;
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
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
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
async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    match check(&state, request.headers()) {
        Ok(()) => next.run(request).await,
        Err(error) => error.into_response(),
    }
}

fn check(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let unauthenticated = || ApiError::Unauthenticated(state.settings.itglue_auth_failure);
    let key = headers
        .get("x-api-key")
        .and_then(|value| value.to_str().ok())
        .ok_or_else(unauthenticated)?;
    let known: bool = state.store.read(|connection| {
        connection.query_row(
            "SELECT EXISTS (SELECT 1 FROM itglue_api_keys WHERE key = ?)",
            [key],
            |row| row.get(0),
        )
    })?;
    if !known {
        return Err(unauthenticated());
    }
    if has_body(headers) {
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("");
        if !is_accepted_media_type(content_type) {
            return Err(ApiError::UnsupportedMediaType(content_type.to_owned()));
        }
    }
    Ok(())
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
