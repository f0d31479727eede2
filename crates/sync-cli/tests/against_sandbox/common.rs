//! A sandbox per test (temporary database, any free ports), the runner wired to it, and the readings the tests
//! compare.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::Path;

use bms_itglue_core::settings::{ApiBase, BmsServer, BmsSettings, ItGlueRegion, ItGlueSettings, Secret};
use bms_itglue_core::sync::normalize::Timestamp;
use bms_itglue_core::sync::{EntityKind, LinkState, SyncSettings, TwoWay};
use bms_itglue_core::transport::{Budget, RateLimits, RetryPolicy};
use bms_itglue_sync::{HttpTransport, SystemClock};
use bms_itglue_sync_runner::bms_client::BmsClient;
use bms_itglue_sync_runner::itglue_client::ItGlueClient;
use bms_itglue_sync_runner::store::load_links;
use bms_itglue_sync_runner::{
    Connections, LogEntry, Progress, ProgressSink, RunOptions, RunReport, Scheduler, StateStore, StoreError,
    run_sync,
};
use serde_json::Value;

pub type Sched = Scheduler<HttpTransport, SystemClock>;

pub struct Sandbox {
    pub running: sandbox::Running,
    pub connections: Connections,
    pub http: reqwest::Client,
}

/// Retries in milliseconds rather than seconds, so fault tests run fast.
pub fn fast_policy() -> RetryPolicy {
    RetryPolicy { max_attempts: 10, base_delay_ms: 5, max_delay_ms: 80, rate_limited_delay_ms: 200 }
}

pub fn scheduler_with(limits: RateLimits, timeout_ms: u64) -> Sched {
    let transport = HttpTransport::new().expect("an HTTP client builds");
    Scheduler::new(transport, SystemClock::default(), limits, fast_policy(), timeout_ms)
}

pub fn scheduler() -> Sched {
    scheduler_with(RateLimits::default(), 10_000)
}

/// Limits far above what a test sends, for the fault tests whose sandbox limits are small and set apart.
pub fn limits(itglue: usize, bms: usize, window_ms: u64) -> RateLimits {
    RateLimits { itglue: Budget { requests: itglue, window_ms }, bms_per_endpoint: Budget { requests: bms, window_ms } }
}

pub async fn start_at(db: &Path, configure: impl FnOnce(&mut sandbox::Config)) -> Sandbox {
    let mut config = sandbox::Config { db_path: db.to_path_buf(), ..sandbox::Config::default() };
    configure(&mut config);
    let running = sandbox::start(config).await.expect("the sandbox starts");
    let addresses = running.addresses();
    let connections = Connections {
        bms: BmsSettings {
            server: BmsServer::Custom(
                ApiBase::parse("bms", &format!("http://{}", addresses.bms_api)).expect("loopback URL"),
            ),
            username: sandbox::BMS_API_USERNAME.into(),
            password: Secret::new(sandbox::BMS_API_PASSWORD),
            company: sandbox::BMS_TENANT.into(),
            web: None,
        },
        itglue: ItGlueSettings {
            region: ItGlueRegion::Custom(
                ApiBase::parse("itglue", &format!("http://{}", addresses.itglue_api)).expect("loopback URL"),
            ),
            api_key: Secret::new(sandbox::ITGLUE_API_KEY),
        },
    };
    Sandbox { running, connections, http: reqwest::Client::new() }
}

pub async fn start(dir: &Path) -> Sandbox {
    start_at(&dir.join("sandbox.db"), |c| c.reset = true).await
}

/// Customers that are active, their contacts and their servers and firewalls, two-way since 2024.
pub fn settings() -> SyncSettings {
    SyncSettings {
        account_types: vec!["Customer".into()],
        account_statuses: vec!["Active".into()],
        asset_types: vec!["Managed Server".into(), "Firewall".into()],
        asset_statuses: vec!["Active".into()],
        contacts: true,
        two_way: TwoWay::On { since: Timestamp::parse("2024-06-01T00:00:00Z").expect("a valid time") },
        ..SyncSettings::default()
    }
}

pub fn now_ms() -> u64 {
    bms_itglue_sync_runner::Clock::now_ms(&SystemClock::default())
}

pub fn options(full: bool) -> RunOptions {
    RunOptions { full_pass: full, now_ms: now_ms(), ..RunOptions::default() }
}

/// State in memory; `fail_after` saves end in an error, as if the process died there.
#[derive(Default)]
pub struct Memory {
    pub values: RefCell<BTreeMap<String, String>>,
    pub saves: RefCell<u64>,
    pub fail_after: Option<u64>,
}

impl Memory {
    pub fn with_values(values: BTreeMap<String, String>) -> Self {
        Memory { values: RefCell::new(values), ..Memory::default() }
    }
}

impl StateStore for Memory {
    async fn load(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self.values.borrow().get(key).cloned())
    }

    async fn save(&self, key: &str, value: &str) -> Result<(), StoreError> {
        let mut saves = self.saves.borrow_mut();
        if self.fail_after.is_some_and(|n| *saves >= n) {
            return Err(StoreError("killed".into()));
        }
        *saves += 1;
        self.values.borrow_mut().insert(key.to_owned(), value.to_owned());
        Ok(())
    }
}

#[derive(Default)]
pub struct Collect {
    pub logs: RefCell<Vec<LogEntry>>,
}

impl ProgressSink for Collect {
    fn progress(&self, _: &Progress) {}
    fn log(&self, entry: LogEntry) {
        self.logs.borrow_mut().push(entry);
    }
}


pub async fn sync<S: StateStore>(
    sandbox: &Sandbox,
    store: &S,
    settings: &SyncSettings,
    options: &RunOptions,
) -> RunReport {
    let scheduler = scheduler();
    let sink = Collect::default();
    run_sync(&scheduler, store, &sandbox.connections, settings, options, &sink).await.expect("the run finishes")
}

/// Both systems' records (kind, owner name, name) with counts, and the link table by state: what an end state
/// is compared on (ids differ between sandboxes, content does not).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndState {
    pub itglue: BTreeMap<(String, String), usize>,
    pub bms: BTreeMap<(String, String), usize>,
    pub links: BTreeMap<(EntityKind, String), usize>,
}

fn attr<'a>(r: &'a Value, key: &str) -> &'a str {
    r.pointer(&format!("/attributes/{key}")).and_then(Value::as_str).unwrap_or("")
}

fn field(r: &Value, key: &str) -> String {
    match r.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn bump(map: &mut BTreeMap<(String, String), usize>, kind: &str, name: String) {
    *map.entry((kind.to_owned(), name)).or_default() += 1;
}

pub async fn end_state<S: StateStore>(sandbox: &Sandbox, store: &S) -> EndState {
    let scheduler = scheduler();
    let itg = ItGlueClient::new(&scheduler, &sandbox.connections.itglue);
    let bms = BmsClient::new(&scheduler, &sandbox.connections.bms);
    let mut itglue = BTreeMap::new();
    for kind in EntityKind::SYNC_ORDER {
        for r in itg.list_kind(kind).await.expect("IT Glue lists").resources {
            let name = match kind {
                EntityKind::Contact => {
                    format!("{}|{} {}", attr(&r, "organization-name"), attr(&r, "first-name"), attr(&r, "last-name"))
                }
                EntityKind::Organization => attr(&r, "name").to_owned(),
                _ => format!("{}|{}", attr(&r, "organization-name"), attr(&r, "name")),
            };
            bump(&mut itglue, &kind.to_string(), name);
        }
    }
    let mut bms_records = BTreeMap::new();
    for r in bms.accounts(None).await.expect("BMS lists").rows {
        bump(&mut bms_records, "account", field(&r, "accountName"));
        for l in r.get("locations").and_then(Value::as_array).into_iter().flatten() {
            bump(&mut bms_records, "location", format!("{}|{}", field(&r, "accountName"), field(l, "locationName")));
        }
    }
    for r in bms.contacts(None).await.expect("BMS lists").rows {
        bump(
            &mut bms_records,
            "contact",
            format!("{}|{} {}", field(&r, "accountName"), field(&r, "firstName"), field(&r, "lastName")),
        );
    }
    for r in bms.asset_summaries().await.expect("BMS lists").rows {
        bump(&mut bms_records, "asset", format!("{}|{}", field(&r, "accountName"), field(&r, "assetName")));
    }
    let mut links = BTreeMap::new();
    for link in load_links(store).await.expect("links load").links.iter() {
        let state = match link.state {
            LinkState::Enabled => "enabled",
            LinkState::Orphaned { .. } => "orphaned",
            LinkState::Disconnected => "disconnected",
        };
        *links.entry((link.kind, state.to_owned())).or_default() += 1;
    }
    EndState { itglue, bms: bms_records, links }
}

/// Records that exist more than once with the same owner and name, beyond what `baseline` had.
pub fn duplicates(state: &EndState, baseline: &EndState) -> Vec<String> {
    let mut out = Vec::new();
    for (side, now, before) in [("IT Glue", &state.itglue, &baseline.itglue), ("BMS", &state.bms, &baseline.bms)] {
        for (key, &n) in now {
            if n > 1 && n > before.get(key).copied().unwrap_or(0).max(1) {
                out.push(format!("{side} {key:?} x{n}"));
            }
        }
    }
    out
}

/// An authenticated BMS bearer token, for edits the tests make as a technician would.
pub async fn bms_token(sandbox: &Sandbox) -> String {
    let url = format!("{}/v2/security/authenticate", sandbox.connections.bms.server.api_base().as_str());
    let form = bms_itglue_core::bms::auth::authenticate_form(&sandbox.connections.bms);
    let body: Value = sandbox
        .http
        .post(url)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .expect("sign-in answers")
        .json()
        .await
        .expect("sign-in is JSON");
    body.pointer("/result/accessToken").and_then(Value::as_str).expect("a token").to_owned()
}

pub async fn bms_send(sandbox: &Sandbox, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
    let token = bms_token(sandbox).await;
    let url = format!("{}{path}", sandbox.connections.bms.server.api_base().as_str());
    let mut request = sandbox.http.request(method, url).bearer_auth(token);
    if let Some(body) = body {
        request = request.header("Content-Type", "application/json").body(body.to_string());
    }
    request.send().await.expect("BMS answers").json().await.expect("BMS answers JSON")
}

pub async fn itglue_send(sandbox: &Sandbox, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
    let url = format!("{}{path}", sandbox.connections.itglue.region.api_base().as_str());
    let mut request =
        sandbox.http.request(method, url).header("x-api-key", sandbox.connections.itglue.api_key.expose());
    if let Some(body) = body {
        request = request.header("Content-Type", "application/vnd.api+json").body(body.to_string());
    }
    let response = request.send().await.expect("IT Glue answers");
    response.json().await.unwrap_or(Value::Null)
}

/// Counts of one kind of operation in a report's summary.
pub fn count(report: &RunReport, kind: EntityKind, op: &str) -> usize {
    report.summary.counts.get(&kind).and_then(|ops| ops.get(op)).copied().unwrap_or(0)
}

pub fn writes(report: &RunReport) -> usize {
    report
        .summary
        .counts
        .values()
        .flat_map(|ops| ops.iter())
        .filter(|(op, _)| {
            matches!(
                op.as_str(),
                "create-in-itglue" | "create-in-bms" | "recheck-then-create" | "update-itglue" | "update-bms"
            )
        })
        .map(|(_, n)| n)
        .sum()
}
