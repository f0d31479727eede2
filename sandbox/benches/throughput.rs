//! Requests per second of the sandbox's list and single-record calls, with a few concurrent
//! clients on loopback, against an in-process sandbox at the `large` scale (rate limits off).
//!
//! `cargo bench -p sandbox --bench throughput`
//!
//! Each call runs for at most `SANDBOX_BENCH_SECONDS` (default 3) or `SANDBOX_BENCH_REQUESTS`
//! requests (default 2000), whichever comes first, with `SANDBOX_BENCH_CLIENTS` clients
//! (default 4). `SANDBOX_BENCH_SCALE` picks another scale. The store is kept in Cargo's
//! target tmp directory, so only the first run of a scale pays for seeding.

use std::error::Error;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use reqwest::Client;
use sandbox::{
    BMS_API_PASSWORD, BMS_API_USERNAME, BMS_TENANT, Config, ITGLUE_API_KEY, Scale, WorldSpec,
};

struct Settings {
    scale: Scale,
    clients: usize,
    max_requests: usize,
    max_time: Duration,
}

impl Settings {
    fn from_env() -> Result<Self, Box<dyn Error>> {
        let number = |name: &str, default: u64| -> Result<u64, Box<dyn Error>> {
            match std::env::var(name) {
                Ok(text) => Ok(text
                    .parse()
                    .map_err(|_| format!("{name} must be a number"))?),
                Err(_) => Ok(default),
            }
        };
        let scale = match std::env::var("SANDBOX_BENCH_SCALE") {
            Ok(text) => text.parse()?,
            Err(_) => Scale::Large,
        };
        Ok(Self {
            scale,
            clients: usize::try_from(number("SANDBOX_BENCH_CLIENTS", 4)?)?.max(1),
            max_requests: usize::try_from(number("SANDBOX_BENCH_REQUESTS", 2000)?)?.max(1),
            max_time: Duration::from_secs(number("SANDBOX_BENCH_SECONDS", 3)?.max(1)),
        })
    }
}

/// One measured call.
struct Call {
    name: &'static str,
    url: String,
    auth: Auth,
}

#[derive(Clone)]
enum Auth {
    ApiKey,
    Bearer(String),
}

struct Outcome {
    requests: usize,
    failures: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
    bytes: usize,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let settings = Settings::from_env()?;
    let db =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("throughput-{}.db", settings.scale));
    let mut config = Config {
        db_path: db,
        world: WorldSpec {
            seed: 1,
            scale: settings.scale,
        },
        ..Config::default()
    };
    config.rate_limits.itglue = None;
    config.rate_limits.bms = None;
    let started = Instant::now();
    let running = sandbox::start(config).await?;
    eprintln!(
        "sandbox ready at scale {} in {:.1} s",
        settings.scale,
        started.elapsed().as_secs_f64()
    );

    let addresses = running.addresses();
    let client = Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(settings.clients)
        .build()?;
    let token = bms_token(&client, &format!("http://{}", addresses.bms_api)).await?;
    let itglue = |path: &str| format!("http://{}{path}", addresses.itglue_api);
    let bms = |path: &str| format!("http://{}{path}", addresses.bms_api);
    let bearer = Auth::Bearer(token);
    let calls = [
        Call {
            name: "IT Glue organizations, page[size]=1000",
            url: itglue("/organizations?page[size]=1000"),
            auth: Auth::ApiKey,
        },
        Call {
            name: "IT Glue configurations, page[size]=1000, sort=-updated_at",
            url: itglue("/configurations?page[size]=1000&sort=-updated_at"),
            auth: Auth::ApiKey,
        },
        Call {
            name: "BMS accounts summary, PageSize=1000",
            url: bms("/v2/crm/accounts/summary?PageSize=1000"),
            auth: bearer.clone(),
        },
        Call {
            name: "BMS hardware asset searchselect, PageSize=1000",
            url: bms("/v2/servicedesk/hardwareasset/searchselect?PageSize=1000"),
            auth: bearer.clone(),
        },
        Call {
            name: "IT Glue organization 2001",
            url: itglue("/organizations/2001"),
            auth: Auth::ApiKey,
        },
        Call {
            name: "IT Glue configuration 100001",
            url: itglue("/configurations/100001"),
            auth: Auth::ApiKey,
        },
        Call {
            name: "BMS account summary 101",
            url: bms("/v2/crm/accounts/summary/101"),
            auth: bearer.clone(),
        },
        Call {
            name: "BMS hardware asset 30001",
            url: bms("/v2/servicedesk/hardwareasset/30001"),
            auth: bearer,
        },
    ];

    println!(
        "\nscale {}, {} clients, at most {} requests or {} s per call\n",
        settings.scale,
        settings.clients,
        settings.max_requests,
        settings.max_time.as_secs()
    );
    println!(
        "{:<58} {:>8} {:>6} {:>9} {:>8} {:>8} {:>10}",
        "call", "requests", "errors", "req/s", "p50 ms", "p99 ms", "KiB/resp"
    );
    for call in &calls {
        let outcome = measure(&client, call, &settings).await;
        print_row(call.name, &outcome);
    }
    running.shutdown().await?;
    Ok(())
}

async fn bms_token(client: &Client, bms_api: &str) -> Result<String, Box<dyn Error>> {
    let form = [
        ("GrantType", "password"),
        ("UserName", BMS_API_USERNAME),
        ("Password", BMS_API_PASSWORD),
        ("Tenant", BMS_TENANT),
    ];
    let body: serde_json::Value = client
        .post(format!("{bms_api}/v2/security/authenticate"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(
            form_urlencoded::Serializer::new(String::new())
                .extend_pairs(form)
                .finish(),
        )
        .send()
        .await?
        .json()
        .await?;
    body["result"]["accessToken"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("no token in {body}").into())
}

/// Runs the call from `settings.clients` tasks until the request or time budget is spent.
async fn measure(client: &Client, call: &Call, settings: &Settings) -> Outcome {
    let issued = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + settings.max_time;
    let started = Instant::now();
    let workers: Vec<_> = (0..settings.clients)
        .map(|_| {
            let (client, url, auth, issued) = (
                client.clone(),
                call.url.clone(),
                call.auth.clone(),
                Arc::clone(&issued),
            );
            let max_requests = settings.max_requests;
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let (mut failures, mut bytes) = (0, 0);
                while Instant::now() < deadline
                    && issued.fetch_add(1, Ordering::Relaxed) < max_requests
                {
                    let request = match &auth {
                        Auth::ApiKey => client.get(&url).header("x-api-key", ITGLUE_API_KEY),
                        Auth::Bearer(token) => client.get(&url).bearer_auth(token),
                    };
                    let sent = Instant::now();
                    match request.send().await {
                        Ok(response) if response.status().is_success() => {
                            match response.bytes().await {
                                Ok(body) => bytes += body.len(),
                                Err(_) => failures += 1,
                            }
                        }
                        _ => failures += 1,
                    }
                    latencies.push(sent.elapsed());
                }
                (latencies, failures, bytes)
            })
        })
        .collect();
    let mut outcome = Outcome {
        requests: 0,
        failures: 0,
        elapsed: Duration::ZERO,
        latencies: Vec::new(),
        bytes: 0,
    };
    for worker in workers {
        if let Ok((latencies, failures, bytes)) = worker.await {
            outcome.requests += latencies.len();
            outcome.latencies.extend(latencies);
            outcome.failures += failures;
            outcome.bytes += bytes;
        }
    }
    outcome.elapsed = started.elapsed();
    outcome.latencies.sort_unstable();
    outcome
}

fn print_row(name: &str, outcome: &Outcome) {
    let percentile = |p: usize| {
        let index =
            (outcome.latencies.len() * p / 100).min(outcome.latencies.len().saturating_sub(1));
        outcome
            .latencies
            .get(index)
            .map_or(0.0, |latency| latency.as_secs_f64() * 1000.0)
    };
    let successes = outcome.requests - outcome.failures;
    let per_response = if successes == 0 {
        0.0
    } else {
        outcome.bytes as f64 / successes as f64 / 1024.0
    };
    println!(
        "{:<58} {:>8} {:>6} {:>9.1} {:>8.1} {:>8.1} {:>10.1}",
        name,
        outcome.requests,
        outcome.failures,
        outcome.requests as f64 / outcome.elapsed.as_secs_f64(),
        percentile(50),
        percentile(99),
        per_response
    );
}
