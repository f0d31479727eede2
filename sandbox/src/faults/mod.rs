//! Fault injection, as a layer over each API router, controlled at run time through
//! `PUT|GET|DELETE /_sandbox/faults` on that API's listener.
//!
//! Rules are checked in order for every request outside `/_sandbox/`. Latency rules add up
//! and fall through; the first other rule that fires decides the request. IT Glue routes
//! match with or without their `/api` prefix.

mod connection;
mod inject;
mod rules;

use std::collections::HashSet;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use serde_json::json;

pub use connection::{ConnectionControl, ControlledListener};
use rules::{Fault, Rule, RuleSetSpec};

use crate::api_kind::ApiKind;
use crate::ratelimit::Rejection;

/// One API's fault rules; clones share them.
#[derive(Clone)]
pub struct Faults(Arc<Shared>);

struct Shared {
    api: ApiKind,
    rejection: Rejection,
    book: Mutex<RuleBook>,
}

#[derive(Default)]
struct RuleBook {
    rules: Vec<Rule>,
    /// Bearer tokens an `expire_tokens` rule has picked; they stay expired until the rules
    /// are replaced or cleared.
    expired_tokens: HashSet<String>,
}

/// What to do with one request: wait, then maybe one terminal fault.
#[derive(Debug, Default)]
struct Plan {
    delay: Duration,
    fault: Option<Fault>,
}

impl Faults {
    pub fn new(api: ApiKind, rejection: Rejection) -> Self {
        Self(Arc::new(Shared {
            api,
            rejection,
            book: Mutex::new(RuleBook::default()),
        }))
    }

    /// Injects faults into `router` and adds `/_sandbox/faults`, which is never faulted.
    pub fn apply(self, router: Router) -> Router {
        let admin = Router::new()
            .route("/_sandbox/faults", get(show).put(replace).delete(clear))
            .with_state(self.clone());
        router
            .layer(middleware::from_fn_with_state(self, inject::inject))
            .merge(admin)
    }

    fn book(&self) -> MutexGuard<'_, RuleBook> {
        self.0.book.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn plan(&self, method: &Method, path: &str, bearer: Option<&str>) -> Plan {
        let unprefixed = match self.0.api {
            ApiKind::ItGlue => path
                .strip_prefix("/api")
                .filter(|rest| rest.starts_with('/')),
            ApiKind::Bms => None,
        };
        let mut book = self.book();
        let RuleBook {
            rules,
            expired_tokens,
        } = &mut *book;
        let mut plan = Plan::default();
        for rule in rules.iter_mut() {
            let matched = rule.matches(method, path)
                || unprefixed.is_some_and(|rest| rule.matches(method, rest));
            if !matched {
                continue;
            }
            let fault = rule.spec.fault;
            match fault {
                Fault::ExpireTokens => {
                    let Some(token) = bearer else { continue };
                    if expired_tokens.contains(token) {
                        rule.matched += 1;
                    } else if rule.fires() {
                        expired_tokens.insert(token.to_owned());
                    } else {
                        continue;
                    }
                    plan.fault = Some(Fault::ExpireTokens);
                    break;
                }
                Fault::Latency { ms } if rule.fires() => {
                    plan.delay += Duration::from_millis(ms);
                }
                Fault::Latency { .. } => {}
                _ if rule.fires() => {
                    plan.fault = Some(fault);
                    break;
                }
                _ => {}
            }
        }
        plan
    }

    fn view(&self) -> serde_json::Value {
        let book = self.book();
        let rules: Vec<RuleView<'_>> = book
            .rules
            .iter()
            .map(|rule| RuleView {
                route: &rule.spec.route,
                fault: rule.spec.fault,
                probability: rule.spec.probability,
                count: rule.spec.count,
                seed: rule.spec.seed.unwrap_or(0),
                matched: rule.matched,
                fired: rule.fired,
                remaining: rule.remaining(),
            })
            .collect();
        json!({
            "api": self.0.api.name(),
            "rules": rules,
            "expired_tokens": book.expired_tokens.len(),
        })
    }
}

#[derive(Serialize)]
struct RuleView<'a> {
    route: &'a str,
    fault: Fault,
    probability: Option<f64>,
    count: Option<u64>,
    seed: u64,
    matched: u64,
    fired: u64,
    remaining: Option<u64>,
}

async fn show(State(faults): State<Faults>) -> Json<serde_json::Value> {
    Json(faults.view())
}

/// Replaces every rule, with fresh counters and random sequences.
async fn replace(State(faults): State<Faults>, Json(spec): Json<RuleSetSpec>) -> Response {
    let rules: Result<Vec<Rule>, _> = spec
        .rules
        .into_iter()
        .enumerate()
        .map(|(index, rule)| Rule::new(index, rule))
        .collect();
    match rules {
        Ok(rules) => {
            *faults.book() = RuleBook {
                rules,
                expired_tokens: HashSet::new(),
            };
            eprintln!("sandbox: {} fault rules replaced", faults.0.api.name());
            Json(faults.view()).into_response()
        }
        Err(error) => (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": error.to_string()})),
        )
            .into_response(),
    }
}

async fn clear(State(faults): State<Faults>) -> StatusCode {
    *faults.book() = RuleBook::default();
    StatusCode::NO_CONTENT
}
