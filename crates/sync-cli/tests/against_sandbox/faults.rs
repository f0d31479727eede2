//! A storm of 429s, 503s, timeouts, resets, cut answers and expired tokens, under small rate limits, on list
//! and write routes of both services: the sync still converges to the end state of a calm run.

use std::time::Duration;

use bms_itglue_sync_runner::run_sync;
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::*;

fn itglue_rules() -> Value {
    json!({"rules": [
        {"route": "GET /organizations", "fault": {"kind": "status", "status": 503}, "probability": 0.25, "seed": 1},
        {"route": "GET /contacts", "fault": {"kind": "rate_limit"}, "probability": 0.25, "seed": 2},
        {"route": "GET /configurations", "fault": {"kind": "timeout", "ms": 1500}, "probability": 0.2, "seed": 3},
        {"route": "GET /locations", "fault": {"kind": "malformed"}, "probability": 0.2, "seed": 4},
        {"route": "POST /locations", "fault": {"kind": "truncate"}, "probability": 0.3, "seed": 5},
        {"route": "POST /contacts", "fault": {"kind": "reset"}, "probability": 0.25, "seed": 6},
        {"route": "POST /organizations", "fault": {"kind": "status", "status": 503}, "probability": 0.3, "seed": 7},
        {"route": "PATCH /contacts", "fault": {"kind": "rate_limit"}, "probability": 0.3, "seed": 8},
        {"route": "PATCH /organizations", "fault": {"kind": "status", "status": 500}, "probability": 0.3, "seed": 10},
        {"route": "POST /configurations", "fault": {"kind": "timeout", "ms": 1500}, "probability": 0.3, "seed": 9}
    ]})
}

fn bms_rules() -> Value {
    json!({"rules": [
        {"route": "* /v2/crm", "fault": {"kind": "expire_tokens"}, "count": 1, "seed": 1},
        {"route": "GET /v2/crm/accounts/summary", "fault": {"kind": "status", "status": 503}, "probability": 0.25, "seed": 2},
        {"route": "GET /v2/crm/contacts/summary", "fault": {"kind": "reset"}, "probability": 0.2, "seed": 3},
        {"route": "GET /v2/servicedesk/hardwareasset", "fault": {"kind": "rate_limit"}, "probability": 0.25, "seed": 4},
        {"route": "POST /v2/crm/accounts", "fault": {"kind": "truncate"}, "probability": 0.3, "seed": 5},
        {"route": "PATCH /v2/crm/contacts", "fault": {"kind": "timeout", "ms": 1500}, "probability": 0.25, "seed": 6},
        {"route": "GET /v2/system", "fault": {"kind": "status", "status": 502}, "probability": 0.2, "seed": 7}
    ]})
}

async fn put_faults(url: String, rules: Value) {
    let response = reqwest::Client::new()
        .request(Method::PUT, url)
        .header("Content-Type", "application/json")
        .body(rules.to_string())
        .send()
        .await
        .expect("the fault switch answers");
    assert!(response.status().is_success(), "faults refused: {}", response.text().await.unwrap_or_default());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fault_storm_under_small_limits_converges_to_the_calm_end_state() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let calm = start_at(&dir.path().join("calm.db"), |c| c.reset = true).await;
    let calm_store = Memory::default();
    sync(&calm, &calm_store, &settings(), &options(true)).await;
    sync(&calm, &calm_store, &settings(), &options(true)).await;
    let expected = end_state(&calm, &calm_store).await;

    let small = |requests, seconds| Some(sandbox::Quota { requests, window: Duration::from_secs(seconds) });
    let stormy = start_at(&dir.path().join("storm.db"), |c| {
        c.reset = true;
        c.rate_limits.itglue = small(150, 2);
        c.rate_limits.bms = small(40, 2);
    })
    .await;
    let addresses = stormy.running.addresses();
    put_faults(format!("http://{}/_sandbox/faults", addresses.itglue_api), itglue_rules()).await;
    put_faults(format!("http://{}/_sandbox/faults", addresses.bms_api), bms_rules()).await;

    // Above the sandbox's own limits on purpose: its 429s are part of the storm.
    let scheduler = scheduler_with(limits(200, 60, 2_000), 1_000);
    let store = Memory::default();
    let mut rate_limited = 0;
    for _ in 0..4 {
        let report =
            run_sync(&scheduler, &store, &stormy.connections, &settings(), &options(true), &Collect::default()).await;
        if let Ok(report) = report {
            rate_limited = report.metrics.rate_limited;
        }
    }
    let metrics = scheduler.metrics();
    assert!(rate_limited > 0 && metrics.retries > 0, "the storm reached the runner: {metrics:?}");
    let state = end_state(&stormy, &store).await;
    assert_eq!(duplicates(&state, &expected), Vec::<String>::new());
    assert_eq!(state, expected);
}
