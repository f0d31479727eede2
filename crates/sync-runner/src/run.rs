//! One sync run against the real APIs: finish the run a kill interrupted, then read both systems, plan, keep the
//! plan in the journal, carry it out, and move the cursors of the kinds that completed.

use std::cell::RefCell;
use std::collections::BTreeMap;

use bms_itglue_core::settings::{BmsSettings, ItGlueSettings};
use bms_itglue_core::sync::normalize::Timestamp;
use bms_itglue_core::sync::{
    BmsId, Catalog, Conflict, Cursor, EntityKind, ItgEntry, Journal, Listing, Plan, PlanInputs, PlanSummary, PlannedOp,
    SyncSettings, plan, plan_one_time_push,
};
use serde::{Deserialize, Serialize};

use crate::api::ApiError;
use crate::bms_client::BmsClient;
use crate::execute::{Executed, Executor, conflicts, replay};
use crate::fetch::{AssetIndex, CATALOG_REQUESTS, FetchPlan, Fetched, Fetcher};
use crate::itglue_client::ItGlueClient;
use crate::scheduler::{Clock, Metrics, Scheduler, Transport};
use crate::store::{self, StateError, StateStore, StoreError, StoredLinks};

/// The two services to sync, with their secrets.
#[derive(Debug, Clone)]
pub struct Connections {
    pub bms: BmsSettings,
    pub itglue: ItGlueSettings,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunOptions {
    /// Plan and report, write nothing.
    pub dry_run: bool,
    /// List everything, which is how deletions are noticed.
    pub full_pass: bool,
    /// The one-time push of IT Glue data to a new BMS.
    pub one_time_push: bool,
    /// "Sync now" for one BMS record.
    pub only: Option<(EntityKind, BmsId)>,
    pub now_ms: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    Listing,
    Planning,
    Writing,
    Done,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub phase: Phase,
    pub entity: Option<EntityKind>,
    pub done: u64,
    pub total: u64,
}

/// The sync log's levels are the ones the extension's pages show.
pub use bms_itglue_core::sync::status::LogLevel;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    pub at_ms: u64,
    pub level: LogLevel,
    pub entity: Option<EntityKind>,
    pub message: String,
}

/// Where a run reports as it goes: the extension's status view, the command's terminal.
pub trait ProgressSink {
    fn progress(&self, progress: &Progress);
    fn log(&self, entry: LogEntry);
}

/// Counts for judging a run's cost: requests it could not have done without.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunStats {
    /// Requests for the lookup lists and the sign-in.
    pub lookups: u64,
    /// List pages at the largest page size, for what was listed.
    pub min_list_pages: u64,
    /// Full asset records read (BMS lists assets only as summaries).
    pub asset_reads: u64,
    /// Write operations sent (each one request, or a few for a contact's e-mails and phones).
    pub writes: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    pub summary: PlanSummary,
    pub metrics: Metrics,
    pub conflicts: Vec<Conflict>,
    pub errors: Vec<String>,
    /// Every operation done, nothing left for the next run but what changes.
    pub completed: bool,
    /// The planned operations with their reasons, for the dry-run view (empty after a real run).
    pub plan: Vec<PlannedOp>,
    pub stats: RunStats,
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    State(#[from] StateError),
    #[error(transparent)]
    Api(#[from] ApiError),
}

impl From<StoreError> for RunError {
    fn from(e: StoreError) -> Self {
        RunError::State(StateError::Store(e))
    }
}

/// Forwards to the caller's sink and keeps the entries for the stored sync log.
struct Recording<'a> {
    inner: &'a dyn ProgressSink,
    entries: RefCell<Vec<LogEntry>>,
}

impl ProgressSink for Recording<'_> {
    fn progress(&self, progress: &Progress) {
        self.inner.progress(progress);
    }
    fn log(&self, entry: LogEntry) {
        self.entries.borrow_mut().push(entry.clone());
        self.inner.log(entry);
    }
}

const RUN_SEQUENCE: &str = "run-sequence";

struct Ctx<'a, 's, T, C, S> {
    scheduler: &'s Scheduler<T, C>,
    store: &'a S,
    bms: BmsClient<'s, T, C>,
    itg: ItGlueClient<'s, T, C>,
    settings: &'a SyncSettings,
    sink: Recording<'a>,
}

/// Runs one sync: resumes an unfinished run first, then (unless only resuming was possible) a new one.
pub async fn run_sync<T: Transport, C: Clock, S: StateStore>(
    scheduler: &Scheduler<T, C>,
    store: &S,
    connections: &Connections,
    settings: &SyncSettings,
    options: &RunOptions,
    sink: &dyn ProgressSink,
) -> Result<RunReport, RunError> {
    let ctx = Ctx {
        scheduler,
        store,
        bms: BmsClient::new(scheduler, &connections.bms),
        itg: ItGlueClient::new(scheduler, &connections.itglue),
        settings,
        sink: Recording { inner: sink, entries: RefCell::new(Vec::new()) },
    };
    let outcome = ctx.run(options).await;
    let entries = ctx.sink.entries.take();
    // The log of a run that stopped on an error is kept too, unless the store itself failed.
    if !matches!(outcome, Err(RunError::State(StateError::Store(_)))) {
        store::append_sync_log(store, entries).await?;
    }
    outcome
}

impl<T: Transport, C: Clock, S: StateStore> Ctx<'_, '_, T, C, S> {
    fn log(&self, level: LogLevel, entity: Option<EntityKind>, message: String) {
        self.sink.log(LogEntry { at_ms: self.scheduler.clock().now_ms(), level, entity, message });
    }

    fn progress(&self, phase: Phase, done: u64, total: u64) {
        self.sink.progress(&Progress { phase, entity: None, done, total });
    }

    async fn run(&self, options: &RunOptions) -> Result<RunReport, RunError> {
        let mut links = store::load_links(self.store).await?;
        let mut report = RunReport::default();
        if let Some(journal) = store::load_open_journal(self.store).await? {
            if options.dry_run {
                self.log(
                    LogLevel::Info,
                    None,
                    "an interrupted run is open; the next real run finishes it first".into(),
                );
            } else {
                self.resume(journal, &mut links, &mut report).await?;
            }
        }
        let index: AssetIndex = store::load_json_or_default(self.store, store::ASSET_SUMMARIES).await?;
        let cursors = store::load_cursors(self.store).await?;
        let fetch_plan = FetchPlan {
            full: options.full_pass || options.one_time_push,
            only: options.only.as_ref(),
            cursors: &cursors,
            now_ms: options.now_ms,
        };
        let fetcher =
            Fetcher { bms: &self.bms, itg: &self.itg, links: &links.links, settings: self.settings, sink: &self.sink };
        let mut fetched = fetcher.fetch(&fetch_plan, index).await?;
        self.progress(Phase::Planning, 0, 1);
        let plan = self.plan(&fetched, &links, options);
        report.summary = plan.summary();
        report.stats.lookups += CATALOG_REQUESTS;
        report.stats.min_list_pages += fetched.min_list_pages;
        report.stats.asset_reads += fetched.asset_reads;
        if options.dry_run {
            report.plan = plan.ops;
            report.completed = true;
            report.metrics = self.scheduler.metrics();
            self.progress(Phase::Done, 1, 1);
            return Ok(report);
        }
        // Writing needs the catalogs, the assets read and what was listed whole, not the listed records, the larger
        // part of a run's memory: a large first sync writes for an hour.
        fetched.bms = Vec::new();
        fetched.itg = Vec::new();
        let run_id = self.next_run_id().await?;
        let journal =
            Journal::new(run_id, plan, fetched.cursors.clone(), Timestamp::from_unix_millis(options.now_ms as i64));
        store::open_journal(self.store, &journal).await?;
        let commit_cursors = options.only.is_none() && !options.one_time_push;
        self.execute(journal, &fetched, &mut links, commit_cursors, &mut report).await?;
        if options.only.is_none() {
            store::save_value(self.store, store::ASSET_SUMMARIES, &fetched.asset_index).await?;
        }
        report.metrics = self.scheduler.metrics();
        self.progress(Phase::Done, 1, 1);
        self.finished(&report);
        Ok(report)
    }

    fn plan(&self, fetched: &Fetched, links: &StoredLinks, options: &RunOptions) -> Plan {
        if options.one_time_push {
            // What this sync already links is in BMS: the push leaves it out rather than duplicate it.
            let unlinked: Vec<ItgEntry> =
                fetched.itg.iter().filter(|e| links.links.by_itg(e.kind(), &e.id).is_none()).cloned().collect();
            return plan_one_time_push(&unlinked, &fetched.bms, self.settings, &fetched.catalog);
        }
        plan(&PlanInputs {
            bms: Listing { records: &fetched.bms, complete: false, deleted: &fetched.bms_deleted },
            itglue: Listing { records: &fetched.itg, complete: false, deleted: &fetched.itg_deleted },
            links: &links.links,
            settings: self.settings,
            catalog: &fetched.catalog,
            now: Timestamp::from_unix_millis(options.now_ms as i64),
        })
    }

    fn finished(&self, report: &RunReport) {
        let written = report.stats.writes;
        let message = if report.errors.is_empty() {
            format!("sync finished: {written} writes, {} requests", report.metrics.requests)
        } else {
            format!(
                "sync finished with {} errors: {written} writes, {} requests",
                report.errors.len(),
                report.metrics.requests
            )
        };
        let level = if report.errors.is_empty() { LogLevel::Info } else { LogLevel::Warning };
        self.log(level, None, message);
    }

    async fn next_run_id(&self) -> Result<String, RunError> {
        let sequence: u64 = store::load_json_or_default(self.store, RUN_SEQUENCE).await?;
        store::save_value(self.store, RUN_SEQUENCE, &(sequence + 1)).await?;
        Ok(format!("run-{}", sequence + 1))
    }

    /// Finishes a run a kill interrupted: its done operations are replayed onto the link table it started from,
    /// and what is left is carried out (unfinished creates look for their record first).
    async fn resume(&self, journal: Journal, links: &mut StoredLinks, report: &mut RunReport) -> Result<(), RunError> {
        if links.applied_run.as_deref() == Some(journal.run_id.as_str()) {
            // The kill came after the links were saved: only the journal was left open.
            return Ok(store::close_journal(self.store).await?);
        }
        self.log(LogLevel::Info, None, format!("resuming the interrupted {}", journal.run_id));
        replay(&journal, &mut links.links);
        report.stats.lookups += CATALOG_REQUESTS;
        let fetched = Fetched {
            catalog: Catalog { bms: self.bms.catalog().await?, itglue: self.itg.catalog().await? },
            ..Fetched::default()
        };
        self.execute(journal, &fetched, links, true, report).await
    }

    /// Carries out a journal, then saves the links, the conflicts, the cursors of the kinds that completed, and
    /// closes the journal.
    async fn execute(
        &self,
        mut journal: Journal,
        fetched: &Fetched,
        links: &mut StoredLinks,
        commit_cursors: bool,
        report: &mut RunReport,
    ) -> Result<(), RunError> {
        let executor = Executor {
            bms: &self.bms,
            itg: &self.itg,
            store: self.store,
            sink: &self.sink,
            clock: self.scheduler.clock(),
            catalog: &fetched.catalog,
            settings: self.settings,
            assets: &fetched.assets,
            whole: &fetched.whole,
        };
        let executed = executor.run(&mut journal, &mut links.links).await?;
        // Conflicts before links: a kill between the two leaves the run open, and finishing it logs them again
        // (the log keeps each once).
        let logged = conflicts(&journal, self.scheduler.clock().now_ms());
        store::append_conflicts(self.store, logged.clone()).await?;
        links.applied_run = Some(journal.run_id.clone());
        store::save_links(self.store, links).await?;
        if commit_cursors {
            let mut cursors = store::load_cursors(self.store).await?;
            cursors.extend(completed_cursors(&journal, &executed));
            store::save_cursors(self.store, &cursors).await?;
        }
        store::close_journal(self.store).await?;
        report.completed = executed.errors.is_empty() && journal.is_complete();
        report.stats.writes += executed.writes_done;
        report.conflicts.extend(logged.into_iter().map(|c| c.conflict));
        report.errors.extend(executed.errors);
        Ok(())
    }
}

/// The cursors of the kinds none of whose operations failed in a way the next run could fix; a kind with such a
/// failure is read again from its old cursor.
fn completed_cursors(journal: &Journal, executed: &Executed) -> BTreeMap<EntityKind, Cursor> {
    let blocked: Vec<EntityKind> =
        journal.entries.iter().filter(|e| executed.transient.contains(&e.op.id)).map(|e| e.op.entity).collect();
    journal.cursors.iter().filter(|(kind, _)| !blocked.contains(kind)).map(|(k, c)| (*k, *c)).collect()
}
