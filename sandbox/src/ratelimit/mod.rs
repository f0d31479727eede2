//! Rate limiting, as a layer over each API router, with its counters at
//! `GET /_sandbox/limits` (and `DELETE` to start afresh).
//!
//! - IT Glue: one budget per account. The sandbox has a single IT Glue account, so every
//!   request that carries an API key or a bearer token counts against it. Over the limit:
//!   429 with a JSON:API `errors` body and no rate-limit headers (`Retry-After` only when
//!   switched on).
//! - BMS: one budget per endpoint, i.e. per method and route template, whoever calls it.
//!   Requests that match no route do not count. The over-limit status and body are
//!   configurable, since the real ones are undocumented.
//!
//! Both windows slide: the real window types are undocumented.

mod config;
mod window;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

pub use config::{OverLimit, Quota, RateLimits, UnknownQuota, parse_quota};
use window::SlidingWindow;

use crate::api_kind::{ApiKind, bms_failure};

/// The budget key of the sandbox's only IT Glue account (its web subdomain).
const ITGLUE_ACCOUNT: &str = "demo-msp";

/// One API's limiter; clones share the counters.
#[derive(Clone)]
pub struct Limiter(Arc<Shared>);

struct Shared {
    quota: Option<Quota>,
    rejection: Rejection,
    windows: Mutex<BTreeMap<String, SlidingWindow>>,
}

/// Builds the over-limit answer of one API; fault injection sends the same one.
#[derive(Debug, Clone)]
pub struct Rejection {
    api: ApiKind,
    itglue_retry_after: bool,
    bms_over_limit: OverLimit,
}

impl Rejection {
    pub fn response(&self, retry_after: Duration) -> Response {
        match self.api {
            ApiKind::ItGlue => {
                let mut response = self.api.error(
                    StatusCode::TOO_MANY_REQUESTS,
                    "Too many requests. Please try again later.",
                );
                if self.itglue_retry_after {
                    // Whole seconds, rounded up, so a client that waits that long gets in.
                    let seconds = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
                    response
                        .headers_mut()
                        .insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
                }
                response
            }
            ApiKind::Bms => self.bms_response(),
        }
    }

    fn bms_response(&self) -> Response {
        let status = StatusCode::from_u16(self.bms_over_limit.status)
            .unwrap_or(StatusCode::TOO_MANY_REQUESTS);
        let (content_type, body) = match &self.bms_over_limit.body {
            Some(body) if serde_json::from_str::<serde_json::Value>(body).is_ok() => {
                ("application/json; charset=utf-8", body.clone())
            }
            Some(body) => ("text/plain; charset=utf-8", body.clone()),
            None => (
                "application/json; charset=utf-8",
                bms_failure(
                    status.as_u16(),
                    "API calls quota exceeded for this endpoint. Please try again later.",
                )
                .to_string(),
            ),
        };
        (
            status,
            [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
            body,
        )
            .into_response()
    }
}

impl Limiter {
    pub fn new(api: ApiKind, limits: &RateLimits) -> Self {
        let quota = match api {
            ApiKind::ItGlue => limits.itglue,
            ApiKind::Bms => limits.bms,
        };
        Self(Arc::new(Shared {
            quota,
            rejection: Rejection {
                api,
                itglue_retry_after: limits.itglue_retry_after,
                bms_over_limit: limits.bms_over_limit.clone(),
            },
            windows: Mutex::new(BTreeMap::new()),
        }))
    }

    pub fn rejection(&self) -> Rejection {
        self.0.rejection.clone()
    }

    /// Limits `router` (when a quota is set) and adds `/_sandbox/limits`, which is never
    /// limited itself.
    pub fn apply(self, router: Router) -> Router {
        let admin = Router::new()
            .route("/_sandbox/limits", get(show).delete(reset))
            .with_state(self.clone());
        let router = match self.0.quota {
            Some(_) => router.layer(middleware::from_fn_with_state(self, limit)),
            None => router,
        };
        router.merge(admin)
    }

    fn key(&self, request: &Request) -> Option<String> {
        match self.0.rejection.api {
            ApiKind::ItGlue => {
                has_credentials(request.headers()).then(|| ITGLUE_ACCOUNT.to_owned())
            }
            ApiKind::Bms => request
                .extensions()
                .get::<MatchedPath>()
                .map(|path| format!("{} {}", request.method(), path.as_str())),
        }
    }

    fn admit(&self, quota: Quota, key: String) -> Result<(), Duration> {
        let mut windows = self
            .0
            .windows
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        windows.entry(key).or_default().admit(quota, Instant::now())
    }
}

fn has_credentials(headers: &HeaderMap) -> bool {
    headers.contains_key("x-api-key") || headers.contains_key(header::AUTHORIZATION)
}

async fn limit(State(limiter): State<Limiter>, request: Request, next: Next) -> Response {
    let (Some(quota), Some(key)) = (limiter.0.quota, limiter.key(&request)) else {
        return next.run(request).await;
    };
    match limiter.admit(quota, key) {
        Ok(()) => next.run(request).await,
        Err(retry_after) => limiter.0.rejection.response(retry_after),
    }
}

#[derive(Debug, Serialize)]
struct LimitsView {
    api: &'static str,
    enabled: bool,
    requests: Option<u32>,
    window_seconds: Option<u64>,
    window: &'static str,
    per: &'static str,
    counters: Vec<Counter>,
}

#[derive(Debug, Serialize)]
struct Counter {
    key: String,
    used: usize,
    remaining: usize,
    rejected: u64,
}

async fn show(State(limiter): State<Limiter>) -> Json<LimitsView> {
    let api = limiter.0.rejection.api;
    let quota = limiter.0.quota;
    let now = Instant::now();
    let mut windows = limiter
        .0
        .windows
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    let counters = match quota {
        Some(quota) => windows
            .iter_mut()
            .map(|(key, window)| {
                let used = window.used(quota, now);
                Counter {
                    key: key.clone(),
                    used,
                    remaining: (quota.requests as usize).saturating_sub(used),
                    rejected: window.rejected(),
                }
            })
            .collect(),
        None => Vec::new(),
    };
    Json(LimitsView {
        api: api.name(),
        enabled: quota.is_some(),
        requests: quota.map(|q| q.requests),
        window_seconds: quota.map(|q| q.window.as_secs()),
        window: "sliding",
        per: match api {
            ApiKind::ItGlue => "account",
            ApiKind::Bms => "endpoint",
        },
        counters,
    })
}

async fn reset(State(limiter): State<Limiter>) -> StatusCode {
    limiter
        .0
        .windows
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clear();
    StatusCode::NO_CONTENT
}
