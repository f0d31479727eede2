//! Sync orchestration in the worker: alarms schedule runs, one run at a time, status and log in IndexedDB.
//!
//! The worker may be killed at any moment. The runner journals every step in IndexedDB, and a watchdog alarm
//! fires every minute while a run is unfinished, so the next worker picks the run up where it stopped.

use std::cell::Cell;

use bms_itglue_core::messages::Response;
use bms_itglue_core::sync::{BmsId, EntityKind, Link, SyncSettings};
use bms_itglue_core::sync::status::{LogLine, ProgressView, SyncStatus};
use bms_itglue_core::transport::{RateLimits, RetryPolicy};
use bms_itglue_sync_runner::manage;
use bms_itglue_sync_runner::store::load_sync_log;
use bms_itglue_sync_runner::{Connections, LogEntry, Progress, ProgressSink, RunOptions, Scheduler, StateStore, run_sync};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::clock::BrowserClock;
use crate::state::IndexedDbState;
use crate::transport::FetchTransport;
use crate::{bms, chrome, storage};

const SETTINGS_KEY: &str = "sync-settings";
const STATUS_KEY: &str = "sync-status";
const REQUEST_TIMEOUT_MS: u64 = 60_000;

pub const ALARM_QUEUED: &str = "sync-queued";
pub const ALARM_PERIODIC: &str = "sync-periodic";
pub const ALARM_NIGHTLY: &str = "sync-nightly";
pub const ALARM_WATCHDOG: &str = "sync-watchdog";
/// The native integration runs a newly queued sync one hour later.
const QUEUE_DELAY_MINUTES: f64 = 60.0;
const PERIOD_MINUTES: f64 = 60.0;

thread_local! {
    /// True while this worker instance runs a sync; a new instance starts false, which is how the watchdog
    /// knows a journaled run was cut short.
    static RUNNING: Cell<bool> = const { Cell::new(false) };
}

async fn load<T: DeserializeOwned + Default>(key: &str) -> T {
    match IndexedDbState.load(key).await {
        Ok(Some(json)) => serde_json::from_str(&json).unwrap_or_default(),
        _ => T::default(),
    }
}

async fn save<T: Serialize>(key: &str, value: &T) {
    if let Ok(json) = serde_json::to_string(value) {
        if let Err(e) = IndexedDbState.save(key, &json).await {
            web_sys::console::error_1(&format!("bms-itglue: cannot save {key}: {}", e.0).into());
        }
    }
}

pub async fn overview() -> Response {
    Response::Sync { status: load(STATUS_KEY).await, settings: load::<Option<SyncSettings>>(SETTINGS_KEY).await.unwrap_or_default() }
}

/// The runner keeps the sync log in the same store; pages get it as plain lines.
pub async fn log() -> Response {
    match load_sync_log(&IndexedDbState).await {
        Ok(entries) => Response::SyncLog { lines: entries.into_iter().map(log_line).collect() },
        Err(e) => Response::Failed { message: e.to_string() },
    }
}

fn log_line(entry: LogEntry) -> LogLine {
    LogLine {
        at_ms: entry.at_ms,
        level: entry.level,
        entity: entry.entity.map(|e| e.itglue_noun().to_owned()),
        message: entry.message,
    }
}

/// A worker that starts while the stored status says a run is going on was killed during that run: resume it.
pub async fn resume_if_interrupted() {
    if matches!(load::<SyncStatus>(STATUS_KEY).await, SyncStatus::Syncing { .. }) {
        run(false).await;
    }
}

pub async fn save_settings(settings: SyncSettings) -> Response {
    save(SETTINGS_KEY, &Some(settings)).await;
    let at_ms = js_sys::Date::now() as u64 + (QUEUE_DELAY_MINUTES * 60_000.0) as u64;
    chrome::create_alarm(ALARM_QUEUED, Some(QUEUE_DELAY_MINUTES), None);
    chrome::create_alarm(ALARM_PERIODIC, Some(PERIOD_MINUTES), Some(PERIOD_MINUTES));
    chrome::create_alarm(ALARM_NIGHTLY, Some(minutes_to_next_midnight()), Some(24.0 * 60.0));
    if !RUNNING.get() {
        save(STATUS_KEY, &SyncStatus::Queued { at_ms }).await;
    }
    overview().await
}

pub async fn choices() -> Response {
    let Some(bms_settings) = storage::load_settings().await.bms else {
        return Response::Failed { message: "Set up the BMS connection first.".into() };
    };
    match bms::sync_choices(&bms_settings).await {
        Ok(choices) => Response::SyncChoices { choices },
        Err(e) => Response::Failed { message: e.to_string() },
    }
}

/// "Start sync now": answers at once; the run goes on in the background.
pub fn start_now() -> Response {
    wasm_bindgen_futures::spawn_local(run(false));
    Response::Done
}

pub async fn on_alarm(name: &str) {
    match name {
        ALARM_QUEUED | ALARM_PERIODIC => run(false).await,
        ALARM_NIGHTLY => run(true).await,
        ALARM_WATCHDOG if !RUNNING.get() => run(false).await,
        _ => {}
    }
}

/// One sync run. A nightly run is a full pass, which detects records deleted in BMS.
async fn run(full_pass: bool) {
    run_with(full_pass, None).await
}

async fn run_with(full_pass: bool, only: Option<(EntityKind, BmsId)>) {
    if RUNNING.replace(true) {
        return;
    }
    chrome::create_alarm(ALARM_WATCHDOG, Some(1.0), Some(1.0));
    let outcome = run_once(full_pass, only).await;
    let now = js_sys::Date::now() as u64;
    let status = match outcome {
        Ok(summary) => SyncStatus::Ok { finished_at_ms: now, summary },
        Err(message) => SyncStatus::Error { at_ms: now, message },
    };
    if let SyncStatus::Ok { summary, .. } = &status {
        if full_pass {
            chrome::notify("BMS ⇄ IT Glue sync complete", summary);
        }
    }
    save(STATUS_KEY, &status).await;
    chrome::clear_alarm(ALARM_WATCHDOG);
    RUNNING.set(false);
}

async fn run_once(full_pass: bool, only: Option<(EntityKind, BmsId)>) -> Result<String, String> {
    let settings = storage::load_settings().await;
    let (Some(bms), Some(itglue)) = (settings.bms, settings.itglue) else {
        return Err("Set up both connections in the extension's settings before syncing.".into());
    };
    let Some(sync_settings) = load::<Option<SyncSettings>>(SETTINGS_KEY).await else {
        return Err("Choose what to sync on the Sync Settings tab first.".into());
    };
    save(STATUS_KEY, &SyncStatus::Syncing { progress: ProgressView::default() }).await;
    let scheduler = Scheduler::new(FetchTransport, BrowserClock, RateLimits::default(), RetryPolicy::default(), REQUEST_TIMEOUT_MS);
    let options = RunOptions { dry_run: false, full_pass, one_time_push: false, only, now_ms: js_sys::Date::now() as u64 };
    let sink = WorkerSink::default();
    let result = run_sync(&scheduler, &IndexedDbState, &Connections { bms, itglue }, &sync_settings, &options, &sink).await;
    let report = result.map_err(|e| e.to_string())?;
    if report.completed {
        Ok(format!("{} ({} requests, {} rate-limited)", report.summary, report.metrics.requests, report.metrics.rate_limited))
    } else {
        Err(report.errors.join("; "))
    }
}

/// Turns the runner's progress reports into the stored status the popup polls. The runner persists its log
/// itself.
#[derive(Default)]
struct WorkerSink {
    last_progress_write: Cell<u64>,
}

impl ProgressSink for WorkerSink {
    fn progress(&self, progress: &Progress) {
        let now = js_sys::Date::now() as u64;
        // A progress bar needs a few updates a second at most.
        if now.saturating_sub(self.last_progress_write.get()) < 500 {
            return;
        }
        self.last_progress_write.set(now);
        let view = ProgressView {
            phase: format!("{:?}", progress.phase),
            entity: progress.entity.map(|e| e.itglue_noun().to_owned()),
            done: progress.done,
            total: progress.total,
        };
        wasm_bindgen_futures::spawn_local(async move { save(STATUS_KEY, &SyncStatus::Syncing { progress: view }).await });
    }

    fn log(&self, _: LogEntry) {}
}

fn minutes_to_next_midnight() -> f64 {
    let now = js_sys::Date::new_0();
    let minutes_today = f64::from(now.get_hours()) * 60.0 + f64::from(now.get_minutes());
    // Just after midnight, like the native integration's nightly sync.
    (24.0 * 60.0 - minutes_today + 5.0).max(1.0)
}

/// The pair this extension's sync made for a BMS account, if any.
pub async fn account_link(account_id: &str) -> Option<Link> {
    let stored = bms_itglue_sync_runner::store::load_links(&IndexedDbState).await.ok()?;
    stored.links.get(EntityKind::Organization, &BmsId::new(account_id)).cloned()
}

/// "Enable sync" / "Disable sync" on the widget.
pub async fn set_account_sync(account_id: &str, enabled: bool) -> Response {
    let (kind, bms, now) = (EntityKind::Organization, BmsId::new(account_id), js_sys::Date::now() as u64);
    let result = if enabled {
        manage::reconnect(&IndexedDbState, kind, &bms, now).await
    } else {
        manage::disconnect(&IndexedDbState, kind, &bms, now).await
    };
    match result {
        Ok(()) => Response::Done,
        Err(e) => Response::Failed { message: e.to_string() },
    }
}

/// "Sync now" on the widget: this account only, in the background.
pub fn sync_account_now(account_id: String) -> Response {
    wasm_bindgen_futures::spawn_local(run_with(false, Some((EntityKind::Organization, BmsId::new(account_id)))));
    Response::Done
}
