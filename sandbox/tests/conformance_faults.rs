//! Fault injection and rate limits, observed over real HTTP (and raw TCP where the fault is
//! below HTTP) against an in-process sandbox.

mod harness;

use std::error::Error;
use std::time::{Duration, Instant};

use harness::{Sandbox, TestResult, header_value, json_of};
use reqwest::StatusCode;
use sandbox::{ITGLUE_API_KEY, OverLimit, Quota};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

impl Sandbox {
    fn itglue_url(&self, path: &str) -> String {
        format!("http://{}{path}", self.running.addresses().itglue_api)
    }

    /// A BMS access token of the API user.
    async fn bms_token(&self) -> Result<String, Box<dyn Error>> {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("GrantType", "password"),
                ("UserName", sandbox::BMS_API_USERNAME),
                ("Password", sandbox::BMS_API_PASSWORD),
                ("Tenant", sandbox::BMS_TENANT),
            ])
            .finish();
        let response = self
            .client
            .post(self.bms_url("/v2/security/authenticate"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await?;
        let (_, body) = json_of(response).await?;
        body["result"]["accessToken"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("no access token in {body}").into())
    }

    async fn set_faults(&self, url: String, rules: Value) -> Result<Value, Box<dyn Error>> {
        let response = self
            .client
            .put(url)
            .json(&json!({ "rules": rules }))
            .send()
            .await?;
        let (status, body) = json_of(response).await?;
        assert_eq!(status, StatusCode::OK, "{body}");
        Ok(body)
    }

    async fn itglue_faults(&self, rules: Value) -> Result<Value, Box<dyn Error>> {
        self.set_faults(self.itglue_url("/_sandbox/faults"), rules)
            .await
    }

    async fn bms_faults(&self, rules: Value) -> Result<Value, Box<dyn Error>> {
        self.set_faults(self.bms_url("/_sandbox/faults"), rules)
            .await
    }

    async fn itglue_get(&self, path: &str) -> reqwest::Result<reqwest::Response> {
        self.client
            .get(self.itglue_url(path))
            .header("x-api-key", ITGLUE_API_KEY)
            .send()
            .await
    }

    async fn bms_get(&self, path: &str, token: &str) -> reqwest::Result<reqwest::Response> {
        self.client
            .get(self.bms_url(path))
            .bearer_auth(token)
            .send()
            .await
    }

    async fn view(&self, url: String) -> Result<Value, Box<dyn Error>> {
        let (status, body) = json_of(self.client.get(url).send().await?).await?;
        assert_eq!(status, StatusCode::OK);
        Ok(body)
    }
}

/// Sends one raw HTTP/1.1 request and reads until the server closes: the bytes received,
/// or the read error.
async fn raw_exchange(address: std::net::SocketAddr, path: &str) -> std::io::Result<Vec<u8>> {
    let mut stream = TcpStream::connect(address).await?;
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nx-api-key: {ITGLUE_API_KEY}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await?;
    let mut received = Vec::new();
    stream.read_to_end(&mut received).await?;
    Ok(received)
}

// ---------------------------------------------------------------- Fault kinds

#[tokio::test]
async fn status_faults_answer_in_each_apis_error_shape() -> TestResult {
    let sandbox = Sandbox::start(|_| {}).await?;
    sandbox
        .itglue_faults(
            json!([{"route": "GET /organizations", "fault": {"kind": "status", "status": 503}}]),
        )
        .await?;
    for path in [
        "/organizations",
        "/organizations/2001",
        "/api/organizations",
    ] {
        let response = sandbox.itglue_get(path).await?;
        assert_eq!(
            header_value(&response, "content-type"),
            Some("application/vnd.api+json")
        );
        let (status, body) = json_of(response).await?;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{path}");
        assert_eq!(body["errors"][0]["status"], json!(503));
    }
    let untouched = sandbox.itglue_get("/organization_types").await?;
    assert_eq!(untouched.status(), StatusCode::OK);

    let view = sandbox.view(sandbox.itglue_url("/_sandbox/faults")).await?;
    assert_eq!(view["rules"][0]["matched"], json!(3));
    assert_eq!(view["rules"][0]["fired"], json!(3));

    let cleared = sandbox
        .client
        .delete(sandbox.itglue_url("/_sandbox/faults"))
        .send()
        .await?;
    assert_eq!(cleared.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        sandbox.itglue_get("/organizations").await?.status(),
        StatusCode::OK
    );

    let token = sandbox.bms_token().await?;
    sandbox
        .bms_faults(json!([{"route": "GET /v2/crm", "fault": {"kind": "status", "status": 500}}]))
        .await?;
    let (status, body) =
        json_of(sandbox.bms_get("/v2/crm/accounts/summary", &token).await?).await?;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(body["success"], json!(false));
    assert_eq!(body["error"]["code"], json!(500));
    Ok(())
}

#[tokio::test]
async fn latency_delays_and_still_answers() -> TestResult {
    let sandbox = Sandbox::start(|_| {}).await?;
    let token = sandbox.bms_token().await?;
    sandbox
        .bms_faults(json!([
            {"route": "GET /v2/crm/accounts/summary", "fault": {"kind": "latency", "ms": 150}},
            {"route": "GET /v2/crm/accounts/summary", "fault": {"kind": "latency", "ms": 150}},
        ]))
        .await?;
    let started = Instant::now();
    let response = sandbox.bms_get("/v2/crm/accounts/summary", &token).await?;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "latency rules add up"
    );
    Ok(())
}

#[tokio::test]
async fn rate_limit_faults_look_like_the_limiter() -> TestResult {
    let sandbox = Sandbox::start(|_| {}).await?;
    sandbox
        .itglue_faults(
            json!([{"route": "/organizations", "fault": {"kind": "rate_limit"}, "count": 2}]),
        )
        .await?;
    for _ in 0..2 {
        let response = sandbox.itglue_get("/organizations").await?;
        assert!(header_value(&response, "retry-after").is_none());
        assert!(
            !response
                .headers()
                .keys()
                .any(|name| name.as_str().contains("ratelimit"))
        );
        let (status, body) = json_of(response).await?;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(body["errors"][0]["status"], json!(429));
    }
    assert_eq!(
        sandbox.itglue_get("/organizations").await?.status(),
        StatusCode::OK
    );

    let token = sandbox.bms_token().await?;
    sandbox
        .bms_faults(
            json!([{"route": "GET /v2/security/userinfo", "fault": {"kind": "rate_limit"}}]),
        )
        .await?;
    let (status, body) = json_of(sandbox.bms_get("/v2/security/userinfo", &token).await?).await?;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body["success"], json!(false));
    Ok(())
}

#[tokio::test]
async fn timeouts_hold_the_request_then_close_without_an_answer() -> TestResult {
    let sandbox = Sandbox::start(|_| {}).await?;
    sandbox
        .itglue_faults(
            json!([{"route": "GET /organizations", "fault": {"kind": "timeout", "ms": 300}}]),
        )
        .await?;
    let started = Instant::now();
    let received = raw_exchange(sandbox.running.addresses().itglue_api, "/organizations").await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert!(
        received.as_ref().map_or(true, Vec::is_empty),
        "nothing is answered: {received:?}"
    );

    let client_error = sandbox.itglue_get("/organizations").await;
    assert!(
        client_error.is_err(),
        "an HTTP client sees the connection closed"
    );

    let impatient = sandbox
        .client
        .get(sandbox.itglue_url("/organizations"))
        .header("x-api-key", ITGLUE_API_KEY)
        .timeout(Duration::from_millis(100))
        .send()
        .await;
    assert!(impatient.is_err_and(|error| error.is_timeout()));
    Ok(())
}

#[tokio::test]
async fn resets_abort_the_connection() -> TestResult {
    let sandbox = Sandbox::start(|_| {}).await?;
    sandbox
        .itglue_faults(json!([{"route": "GET /organizations/{id}$", "fault": {"kind": "reset"}}]))
        .await?;
    let received = raw_exchange(
        sandbox.running.addresses().itglue_api,
        "/organizations/2001",
    )
    .await;
    match received {
        Err(error) => assert_eq!(error.kind(), std::io::ErrorKind::ConnectionReset),
        Ok(bytes) => panic!("expected a reset, got {} bytes", bytes.len()),
    }
    assert!(sandbox.itglue_get("/organizations/2001").await.is_err());
    assert_eq!(
        sandbox.itglue_get("/organizations").await?.status(),
        StatusCode::OK
    );
    Ok(())
}

#[tokio::test]
async fn truncated_bodies_stop_short_of_their_length() -> TestResult {
    let sandbox = Sandbox::start(|_| {}).await?;
    sandbox
        .itglue_faults(json!([{"route": "GET /organizations", "fault": {"kind": "truncate"}}]))
        .await?;
    let raw = raw_exchange(sandbox.running.addresses().itglue_api, "/organizations").await?;
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").ok_or("no header block")?;
    assert!(head.starts_with("HTTP/1.1 200"));
    let declared: usize = head
        .lines()
        .find_map(|line| {
            line.to_ascii_lowercase()
                .strip_prefix("content-length: ")
                .map(str::to_owned)
        })
        .ok_or("no content-length")?
        .trim()
        .parse()?;
    assert!(
        body.len() > 0 && body.len() < declared,
        "{} of {declared}",
        body.len()
    );

    let response = sandbox.itglue_get("/organizations").await?;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.bytes().await.is_err());
    Ok(())
}

#[tokio::test]
async fn malformed_bodies_keep_the_status_but_do_not_parse() -> TestResult {
    let sandbox = Sandbox::start(|_| {}).await?;
    let token = sandbox.bms_token().await?;
    sandbox
        .bms_faults(
            json!([{"route": "GET /v2/crm/accounts/summary", "fault": {"kind": "malformed"}}]),
        )
        .await?;
    let response = sandbox.bms_get("/v2/crm/accounts/summary", &token).await?;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(header_value(&response, "content-type").is_some_and(|t| t.contains("json")));
    let body = response.bytes().await?;
    assert!(!body.is_empty());
    assert!(serde_json::from_slice::<Value>(&body).is_err());
    Ok(())
}

#[tokio::test]
async fn expired_tokens_get_401_until_refreshed() -> TestResult {
    let sandbox = Sandbox::start(|_| {}).await?;
    let form = |pairs: &[(&str, &str)]| {
        form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish()
    };
    let login = sandbox
        .client
        .post(sandbox.bms_url("/v2/security/authenticate"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[
            ("GrantType", "password"),
            ("UserName", sandbox::BMS_API_USERNAME),
            ("Password", sandbox::BMS_API_PASSWORD),
            ("Tenant", sandbox::BMS_TENANT),
        ]))
        .send()
        .await?;
    let (_, login) = json_of(login).await?;
    let access = login["result"]["accessToken"].as_str().ok_or("no token")?;
    let refresh = login["result"]["refreshToken"]
        .as_str()
        .ok_or("no refresh token")?;

    sandbox
        .bms_faults(json!([{"route": "/v2", "fault": {"kind": "expire_tokens"}, "count": 1}]))
        .await?;
    for _ in 0..2 {
        let response = sandbox.bms_get("/v2/security/userinfo", access).await?;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(header_value(&response, "token-expired"), Some("true"));
    }
    let refreshed = sandbox
        .client
        .post(sandbox.bms_url("/v2/security/refreshtoken"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[("AccessToken", access), ("RefreshToken", refresh)]))
        .send()
        .await?;
    let (status, refreshed) = json_of(refreshed).await?;
    assert_eq!(status, StatusCode::OK, "{refreshed}");
    let fresh = refreshed["result"]["accessToken"]
        .as_str()
        .ok_or("no token")?;
    let response = sandbox.bms_get("/v2/security/userinfo", fresh).await?;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "only the next N tokens expire"
    );

    let view = sandbox.view(sandbox.bms_url("/_sandbox/faults")).await?;
    assert_eq!(view["expired_tokens"], json!(1));
    Ok(())
}

// ---------------------------------------------------------------- Rule behaviour

/// Which of `n` sequential requests failed.
async fn failure_pattern(sandbox: &Sandbox, n: usize) -> Result<Vec<bool>, Box<dyn Error>> {
    let mut pattern = Vec::with_capacity(n);
    for _ in 0..n {
        pattern.push(sandbox.itglue_get("/organization_types").await?.status() != StatusCode::OK);
    }
    Ok(pattern)
}

#[tokio::test]
async fn probabilities_are_deterministic_by_seed() -> TestResult {
    let sandbox = Sandbox::start(|_| {}).await?;
    let rule = |seed: u64| {
        json!([{"route": "GET /organization_types", "fault": {"kind": "status", "status": 502},
                "probability": 0.5, "seed": seed}])
    };
    sandbox.itglue_faults(rule(7)).await?;
    let first = failure_pattern(&sandbox, 24).await?;
    sandbox.itglue_faults(rule(7)).await?;
    let again = failure_pattern(&sandbox, 24).await?;
    sandbox.itglue_faults(rule(8)).await?;
    let other = failure_pattern(&sandbox, 24).await?;
    assert_eq!(first, again, "the same seed gives the same faults");
    assert_ne!(first, other, "another seed gives other faults");
    assert!(first.iter().any(|&failed| failed) && first.iter().any(|&failed| !failed));
    Ok(())
}

#[tokio::test]
async fn counted_rules_fault_only_the_next_n_matches() -> TestResult {
    let sandbox = Sandbox::start(|_| {}).await?;
    sandbox
        .itglue_faults(json!([{"route": "GET /organization_types", "fault": {"kind": "status", "status": 500}, "count": 3}]))
        .await?;
    let pattern = failure_pattern(&sandbox, 5).await?;
    assert_eq!(pattern, [true, true, true, false, false]);
    let view = sandbox.view(sandbox.itglue_url("/_sandbox/faults")).await?;
    let rule = &view["rules"][0];
    assert_eq!(
        (&rule["matched"], &rule["fired"], &rule["remaining"]),
        (&json!(5), &json!(3), &json!(0))
    );
    Ok(())
}

#[tokio::test]
async fn bad_rules_are_rejected_and_admin_routes_are_never_faulted() -> TestResult {
    let sandbox = Sandbox::start(|_| {}).await?;
    for rules in [
        json!([{"route": "organizations", "fault": {"kind": "reset"}}]),
        json!([{"route": "GET /x", "fault": {"kind": "status", "status": 42}}]),
        json!([{"route": "GET /x", "fault": {"kind": "reset"}, "probability": 2.0}]),
    ] {
        let response = sandbox
            .client
            .put(sandbox.bms_url("/_sandbox/faults"))
            .json(&json!({ "rules": rules }))
            .send()
            .await?;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{rules}");
    }
    let unknown_kind = sandbox
        .client
        .put(sandbox.bms_url("/_sandbox/faults"))
        .json(&json!({"rules": [{"route": "/", "fault": {"kind": "explode"}}]}))
        .send()
        .await?;
    assert!(unknown_kind.status().is_client_error());

    sandbox
        .bms_faults(json!([{"route": "/", "fault": {"kind": "reset"}}]))
        .await?;
    let view = sandbox.view(sandbox.bms_url("/_sandbox/faults")).await?;
    assert_eq!(view["rules"][0]["fault"], json!({"kind": "reset"}));
    let limits = sandbox.view(sandbox.bms_url("/_sandbox/limits")).await?;
    assert_eq!(limits["api"], json!("bms"));
    assert!(
        sandbox
            .client
            .get(sandbox.bms_url("/v2/security/userinfo"))
            .send()
            .await
            .is_err()
    );
    Ok(())
}

// ---------------------------------------------------------------- Rate limits

#[tokio::test]
async fn itglue_limit_is_per_account_with_a_json_api_429() -> TestResult {
    let sandbox = Sandbox::start(|config| {
        config.rate_limits.itglue = Some(Quota {
            requests: 3,
            window: Duration::from_secs(60),
        });
    })
    .await?;
    // Different routes share the account's budget.
    for path in [
        "/organizations",
        "/organization_types",
        "/organizations/2001",
    ] {
        assert_eq!(
            sandbox.itglue_get(path).await?.status(),
            StatusCode::OK,
            "{path}"
        );
    }
    let over = sandbox.itglue_get("/organization_statuses").await?;
    assert!(
        header_value(&over, "retry-after").is_none(),
        "Retry-After is off by default"
    );
    assert!(
        !over
            .headers()
            .keys()
            .any(|name| name.as_str().contains("ratelimit"))
    );
    let (status, body) = json_of(over).await?;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body["errors"][0]["status"], json!(429));

    let limits = sandbox.view(sandbox.itglue_url("/_sandbox/limits")).await?;
    assert_eq!(
        (
            &limits["enabled"],
            &limits["requests"],
            &limits["window_seconds"],
            &limits["per"]
        ),
        (&json!(true), &json!(3), &json!(60), &json!("account"))
    );
    let counter = &limits["counters"][0];
    assert_eq!(
        (
            &counter["used"],
            &counter["remaining"],
            &counter["rejected"]
        ),
        (&json!(3), &json!(0), &json!(1))
    );

    let reset = sandbox
        .client
        .delete(sandbox.itglue_url("/_sandbox/limits"))
        .send()
        .await?;
    assert_eq!(reset.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        sandbox.itglue_get("/organizations").await?.status(),
        StatusCode::OK
    );
    Ok(())
}

#[tokio::test]
async fn itglue_window_slides_and_retry_after_can_be_switched_on() -> TestResult {
    let sandbox = Sandbox::start(|config| {
        config.rate_limits.itglue = Some(Quota {
            requests: 2,
            window: Duration::from_secs(1),
        });
        config.rate_limits.itglue_retry_after = true;
    })
    .await?;
    for _ in 0..2 {
        assert_eq!(
            sandbox.itglue_get("/organization_types").await?.status(),
            StatusCode::OK
        );
    }
    let over = sandbox.itglue_get("/organization_types").await?;
    assert_eq!(over.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(header_value(&over, "retry-after"), Some("1"));
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        sandbox.itglue_get("/organization_types").await?.status(),
        StatusCode::OK
    );
    Ok(())
}

#[tokio::test]
async fn bms_limit_is_per_endpoint() -> TestResult {
    let sandbox = Sandbox::start(|config| {
        config.rate_limits.bms = Some(Quota {
            requests: 2,
            window: Duration::from_secs(60),
        });
    })
    .await?;
    let token = sandbox.bms_token().await?;
    for _ in 0..2 {
        assert_eq!(
            sandbox
                .bms_get("/v2/crm/accounts/summary", &token)
                .await?
                .status(),
            StatusCode::OK
        );
    }
    let (status, body) =
        json_of(sandbox.bms_get("/v2/crm/accounts/summary", &token).await?).await?;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body["success"], json!(false));
    assert_eq!(body["error"]["code"], json!(429));

    // Another route template has its own budget; ids of one template share one.
    assert_eq!(
        sandbox
            .bms_get("/v2/crm/accounts/summary/101", &token)
            .await?
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        sandbox
            .bms_get("/v2/crm/accounts/summary/102", &token)
            .await?
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        sandbox
            .bms_get("/v2/crm/accounts/summary/103", &token)
            .await?
            .status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        sandbox
            .bms_get("/v2/security/userinfo", &token)
            .await?
            .status(),
        StatusCode::OK
    );

    let limits = sandbox.view(sandbox.bms_url("/_sandbox/limits")).await?;
    assert_eq!(limits["per"], json!("endpoint"));
    let keys: Vec<&str> = limits["counters"]
        .as_array()
        .ok_or("no counters")?
        .iter()
        .filter_map(|counter| counter["key"].as_str())
        .collect();
    assert_eq!(
        keys,
        [
            "GET /v2/crm/accounts/summary",
            "GET /v2/crm/accounts/summary/{id}",
            "GET /v2/security/userinfo",
            "POST /v2/security/authenticate",
        ]
    );
    Ok(())
}

#[tokio::test]
async fn bms_over_limit_answer_is_configurable() -> TestResult {
    let sandbox = Sandbox::start(|config| {
        config.rate_limits.bms = Some(Quota {
            requests: 1,
            window: Duration::from_secs(60),
        });
        config.rate_limits.bms_over_limit = OverLimit {
            status: 503,
            body: Some("API calls quota exceeded".to_owned()),
        };
    })
    .await?;
    let token = sandbox.bms_token().await?;
    assert_eq!(
        sandbox
            .bms_get("/v2/security/userinfo", &token)
            .await?
            .status(),
        StatusCode::OK
    );
    let over = sandbox.bms_get("/v2/security/userinfo", &token).await?;
    assert_eq!(over.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(header_value(&over, "content-type").is_some_and(|t| t.starts_with("text/plain")));
    assert_eq!(over.text().await?, "API calls quota exceeded");
    Ok(())
}

#[tokio::test]
async fn limits_can_be_turned_off() -> TestResult {
    let sandbox = Sandbox::start(|config| {
        config.rate_limits.itglue = None;
        config.rate_limits.bms = None;
    })
    .await?;
    for _ in 0..5 {
        assert_eq!(
            sandbox.itglue_get("/organization_types").await?.status(),
            StatusCode::OK
        );
    }
    let limits = sandbox.view(sandbox.itglue_url("/_sandbox/limits")).await?;
    assert_eq!(
        (&limits["enabled"], &limits["counters"]),
        (&json!(false), &json!([]))
    );
    Ok(())
}
