//! Sync orchestration in the worker: alarms schedule runs, one run at a time, status and log in IndexedDB.
//!
//! The worker may be killed at any moment. The runner journals every step in IndexedDB, and a watchdog alarm
//! fires every minute while a run is unfinished, so the next worker picks the run up where it stopped.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use bms_itglue_core::messages::Response;
use bms_itglue_core::settings::Settings;
use bms_itglue_core::sync::manage::{self as view, LinkFilter};
use bms_itglue_core::sync::{BmsId, EntityKind, ItgId, Link, OrphanDeletion, Plan, SyncSettings};
use bms_itglue_core::sync::status::{LogLine, ProgressView, SyncStatus};
use bms_itglue_core::transport::{RateLimits, RetryPolicy};
use bms_itglue_sync_runner::manage;
use bms_itglue_sync_runner::store::{load_links, load_sync_log};
use bms_itglue_sync_runner::{
    Connections, LogEntry, Progress, ProgressSink, RunOptions, RunReport, Scheduler, StateStore, run_sync,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::clock::BrowserClock;
use crate::state::IndexedDbState;
use crate::transport::FetchTransport;
use crate::handlers::done_or_failed;
use crate::{bms, chrome, storage};

const SETTINGS_KEY: &str = "sync-settings";
const STATUS_KEY: &str = "sync-status";
/// The id of the one-time push plan last shown; only that plan can be confirmed.
const PUSH_PLAN_KEY: &str = "one-time-push-plan";
/// A Manage Data list shows this many pairs; the search narrows longer ones.
const LIST_LIMIT: usize = 200;
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
    /// Runs asked for while one was going on, in order.
    static FOLLOW_UPS: RefCell<VecDeque<RunKind>> = const { RefCell::new(VecDeque::new()) };
}

async fn load<T: DeserializeOwned + Default>(key: &str) -> T {
    match IndexedDbState.load(key).await {
        Ok(Some(json)) => serde_json::from_str(&json).unwrap_or_default(),
        _ => T::default(),
    }
}

async fn save<T: Serialize>(key: &str, value: &T) {
    if let Ok(json) = serde_json::to_string(value)
        && let Err(e) = IndexedDbState.save(key, &json).await
    {
        web_sys::console::error_1(&format!("bms-itglue: cannot save {key}: {}", e.0).into());
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
        run(RunKind::Scheduled { full_pass: false }).await;
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
    wasm_bindgen_futures::spawn_local(run(RunKind::Scheduled { full_pass: false }));
    Response::Done
}

pub async fn on_alarm(name: &str) {
    match name {
        ALARM_QUEUED | ALARM_PERIODIC => run(RunKind::Scheduled { full_pass: false }).await,
        ALARM_NIGHTLY => run(RunKind::Scheduled { full_pass: true }).await,
        ALARM_WATCHDOG if !RUNNING.get() => run(RunKind::Scheduled { full_pass: false }).await,
        _ => {}
    }
}

/// What a run does. A nightly run is a full pass, which detects records deleted in BMS.
#[derive(PartialEq)]
enum RunKind {
    Scheduled { full_pass: bool },
    /// "Sync now" for one BMS record.
    Only(EntityKind, BmsId),
    /// The one-time push whose reviewed plan had this id.
    OneTimePush { plan_id: String },
}

/// Runs one sync at a time. A run asked for while another goes on (a technician's "Start sync now" or "Sync now",
/// an alarm) waits for it and then runs, so that no request is dropped.
async fn run(kind: RunKind) {
    if RUNNING.replace(true) {
        FOLLOW_UPS.with_borrow_mut(|waiting| {
            if !waiting.contains(&kind) {
                waiting.push_back(kind);
            }
        });
        return;
    }
    chrome::create_alarm(ALARM_WATCHDOG, Some(1.0), Some(1.0));
    let mut next = Some(kind);
    while let Some(kind) = next {
        run_and_record(kind).await;
        next = FOLLOW_UPS.with_borrow_mut(VecDeque::pop_front);
    }
    chrome::clear_alarm(ALARM_WATCHDOG);
    RUNNING.set(false);
}

async fn run_and_record(kind: RunKind) {
    let started_at_ms = js_sys::Date::now() as u64;
    let full_pass = matches!(kind, RunKind::Scheduled { full_pass: true });
    let sink = WorkerSink::default();
    let outcome = run_once(kind, &sink).await;
    sink.ended.set(true);
    let now = js_sys::Date::now() as u64;
    let status = match outcome {
        Ok(summary) => SyncStatus::Ok { started_at_ms, finished_at_ms: now, summary },
        Err(message) => SyncStatus::Error { started_at_ms, at_ms: now, message },
    };
    if let SyncStatus::Ok { summary, .. } = &status
        && full_pass
    {
        chrome::notify("BMS ⇄ IT Glue sync complete", summary);
    }
    save(STATUS_KEY, &status).await;
}

/// Both connections and the sync settings, or the words that say what to set up first.
async fn setup() -> Result<(Connections, SyncSettings), String> {
    let Settings { bms: Some(bms), itglue: Some(itglue) } = storage::load_settings().await else {
        return Err("Set up both connections in the extension's settings before syncing.".into());
    };
    let Some(sync_settings) = load::<Option<SyncSettings>>(SETTINGS_KEY).await else {
        return Err("Choose what to sync on the Sync Settings tab first.".into());
    };
    Ok((Connections { bms, itglue }, sync_settings))
}

fn scheduler() -> Scheduler<FetchTransport, BrowserClock> {
    Scheduler::new(FetchTransport, BrowserClock, RateLimits::default(), RetryPolicy::default(), REQUEST_TIMEOUT_MS)
}

fn options(now_ms: u64) -> RunOptions {
    RunOptions { dry_run: false, full_pass: false, one_time_push: false, only: None, now_ms }
}

/// The dry run of the one-time push, as the Manage Data page shows it.
async fn push_dry_run(connections: &Connections, settings: &SyncSettings) -> Result<view::PushPlanView, String> {
    let options = RunOptions { dry_run: true, one_time_push: true, ..options(js_sys::Date::now() as u64) };
    let report = run_sync(&scheduler(), &IndexedDbState, connections, settings, &options, &QuietSink).await;
    Ok(view::push_plan_view(&Plan { ops: report.map_err(|e| e.to_string())?.plan }))
}

async fn run_once(kind: RunKind, sink: &WorkerSink) -> Result<String, String> {
    let (connections, sync_settings) = setup().await?;
    save(STATUS_KEY, &SyncStatus::Syncing { progress: ProgressView::default() }).await;
    let base = options(js_sys::Date::now() as u64);
    let options = match kind {
        RunKind::Scheduled { full_pass } => RunOptions { full_pass, ..base },
        RunKind::Only(kind, bms) => RunOptions { only: Some((kind, bms)), ..base },
        RunKind::OneTimePush { plan_id } => {
            // The push goes ahead only as reviewed: anything changed since makes another plan, to review again.
            if push_dry_run(&connections, &sync_settings).await?.plan_id != plan_id {
                return Err("IT Glue or BMS changed since the one-time push was reviewed; review it again on the Manage Data page.".into());
            }
            RunOptions { one_time_push: true, ..base }
        }
    };
    let report = run_sync(&scheduler(), &IndexedDbState, &connections, &sync_settings, &options, sink).await;
    outcome(report.map_err(|e| e.to_string())?)
}

fn outcome(report: RunReport) -> Result<String, String> {
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
    /// Set before the run's outcome is stored: a progress write still waiting to start would otherwise land
    /// after the outcome and leave the status at "Syncing".
    ended: Rc<Cell<bool>>,
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
        let ended = Rc::clone(&self.ended);
        wasm_bindgen_futures::spawn_local(async move {
            if !ended.get() {
                save(STATUS_KEY, &SyncStatus::Syncing { progress: view }).await;
            }
        });
    }

    fn log(&self, _: LogEntry) {}
}

/// For dry runs a page waits on: they do not touch the stored status.
struct QuietSink;

impl ProgressSink for QuietSink {
    fn progress(&self, _: &Progress) {}
    fn log(&self, _: LogEntry) {}
}

fn minutes_to_next_midnight() -> f64 {
    let now = js_sys::Date::new_0();
    let minutes_today = f64::from(now.get_hours()) * 60.0 + f64::from(now.get_minutes());
    // Just after midnight, like the native integration's nightly sync.
    (24.0 * 60.0 - minutes_today + 5.0).max(1.0)
}

/// The pair this extension's sync made for a BMS record, if any.
pub async fn record_link(kind: EntityKind, bms_id: &str) -> Option<Link> {
    let stored = load_links(&IndexedDbState).await.ok()?;
    stored.links.get(kind, &BmsId::new(bms_id)).cloned()
}

/// "Enable sync" / "Disable sync" for one pair.
pub async fn set_record_sync(kind: EntityKind, bms_id: &str, enabled: bool) -> Response {
    let (bms, now) = (BmsId::new(bms_id), js_sys::Date::now() as u64);
    let result = if enabled {
        manage::reconnect(&IndexedDbState, kind, &bms, now).await
    } else {
        manage::disconnect(&IndexedDbState, kind, &bms, now).await
    };
    done_or_failed(result)
}

/// "Sync now": this record only, in the background.
pub fn sync_record_now(kind: EntityKind, bms_id: String) -> Response {
    wasm_bindgen_futures::spawn_local(run(RunKind::Only(kind, BmsId::new(bms_id))));
    Response::Done
}

pub async fn manage_data() -> Response {
    match load_links(&IndexedDbState).await {
        Ok(stored) => Response::ManageData {
            categories: view::categories(&stored.links, load::<Option<SyncSettings>>(SETTINGS_KEY).await.as_ref()),
            status: load(STATUS_KEY).await,
        },
        Err(e) => Response::Failed { message: e.to_string() },
    }
}

pub async fn list_links(kind: EntityKind, filter: LinkFilter, query: &str) -> Response {
    match load_links(&IndexedDbState).await {
        Ok(stored) => Response::Links { page: view::list(&stored.links, kind, filter, query, LIST_LIMIT) },
        Err(e) => Response::Failed { message: e.to_string() },
    }
}

pub async fn confirm_orphan_deletion(kind: EntityKind, itg_id: &str) -> Response {
    let itg = ItgId::new(itg_id);
    let name = load_links(&IndexedDbState)
        .await
        .ok()
        .and_then(|stored| stored.links.by_itg(kind, &itg).map(|l| l.base.display_name()))
        .unwrap_or_default();
    match manage::confirm_orphan_deletion(&IndexedDbState, kind, &itg).await {
        Ok(confirmation) => Response::OrphanDeletion {
            confirmation,
            prompt: format!(
                "Delete the IT Glue {kind} “{name}” (#{itg_id})? It is no longer synced with BMS. IT Glue cannot undo a deletion."
            ),
        },
        Err(e) => Response::Failed { message: e.to_string() },
    }
}

pub async fn delete_orphan(confirmation: OrphanDeletion) -> Response {
    let (connections, _) = match setup().await {
        Ok(setup) => setup,
        Err(message) => return Response::Failed { message },
    };
    done_or_failed(manage::delete_orphan(&scheduler(), &IndexedDbState, &connections, confirmation).await.map(drop))
}

/// The one-time push's dry run; its id is kept so that only this plan can be confirmed.
pub async fn plan_one_time_push() -> Response {
    if RUNNING.get() {
        return Response::Failed { message: "A sync is running; review the push once it has finished.".into() };
    }
    let planned = match setup().await {
        Ok((connections, settings)) => push_dry_run(&connections, &settings).await,
        Err(message) => Err(message),
    };
    match planned {
        Ok(view) => {
            save(PUSH_PLAN_KEY, &Some(view.plan_id.clone())).await;
            Response::PushPlan { view }
        }
        Err(message) => Response::Failed { message },
    }
}

/// Starts the reviewed push in the background; it re-plans first and stops if the plan changed.
pub async fn confirm_one_time_push(plan_id: String) -> Response {
    if load::<Option<String>>(PUSH_PLAN_KEY).await.as_deref() != Some(plan_id.as_str()) {
        return Response::Failed { message: "This is not the push last reviewed; review it again.".into() };
    }
    if RUNNING.get() {
        return Response::Failed { message: "A sync is running; confirm the push once it has finished.".into() };
    }
    save(PUSH_PLAN_KEY, &None::<String>).await;
    wasm_bindgen_futures::spawn_local(run(RunKind::OneTimePush { plan_id }));
    Response::Done
}
