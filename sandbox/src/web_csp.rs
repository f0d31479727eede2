//! The Content-Security-Policy of every response of both web listeners, switchable at run
//! time through `GET|PUT /_sandbox/csp` on either of them.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use crate::config::CspMode;
use crate::state::CspSwitch;

/// Adds the policy to every route of `router` (fallback included) and the switch route.
pub fn apply(router: Router, csp: CspSwitch) -> Router {
    let admin = Router::new()
        .route("/_sandbox/csp", get(get_csp).put(put_csp))
        .with_state(csp.clone());
    router
        .layer(middleware::map_response_with_state(csp, add_policy))
        .merge(admin)
}

async fn add_policy(State(csp): State<CspSwitch>, mut response: Response) -> Response {
    if let Some(policy) = csp.get().header_value() {
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

async fn get_csp(State(csp): State<CspSwitch>) -> Json<CspBody> {
    Json(CspBody { mode: csp.get() })
}

async fn put_csp(State(csp): State<CspSwitch>, Json(body): Json<CspBody>) -> StatusCode {
    csp.set(body.mode);
    eprintln!("sandbox: web pages now use CSP mode {}", body.mode);
    StatusCode::NO_CONTENT
}
