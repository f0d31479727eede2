//! Carrying out a journaled plan. Each write is recorded as started before its request goes out and as done or
//! failed after the answer; a create whose outcome is unknown (a resumed run, a timeout, a cut answer) first
//! looks for the record it may have made, so no kill point and no lost answer produces a duplicate.
//!
//! Operations that only touch the link table (links, rebases, orphans, conflicts) are recorded along with the
//! next write; losing them to a kill only means doing them again.

use std::collections::{BTreeMap, BTreeSet};

use bms_itglue_core::sync::journal::{find_created_in_bms, find_created_in_itglue};
use bms_itglue_core::sync::mapping::IdResolver;
use bms_itglue_core::sync::mapping::bms as bms_map;
use bms_itglue_core::sync::mapping::itglue as itg_map;
use bms_itglue_core::sync::normalize::Timestamp;
use bms_itglue_core::sync::render::{self, RenderError};
use bms_itglue_core::sync::{
    BmsEntry, BmsId, Catalog, EntityKind, ItgEntry, ItgOrigin, Journal, LinkTable, OpId, OpKind, OpResult, OpState,
    PlannedOp, Record, Side, SyncSettings,
};
use serde_json::Value;

use crate::api::ApiError;
use crate::bms_client::BmsClient;
use crate::fetch::summary_as_asset;
use crate::itglue_client::ItGlueClient;
use crate::run::{LogEntry, LogLevel, Phase, Progress, ProgressSink};
use crate::scheduler::{Clock, Transport};
use crate::store::{self, ConflictRecord, StateError, StateStore};

/// How many times one create is tried within a run when its answers are lost.
const CREATE_ATTEMPTS: u32 = 3;
/// The chunks of operation states changed since the last save.
type Dirty = BTreeSet<usize>;

#[derive(Debug, thiserror::Error)]
pub enum OpError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error("{0}")]
    Render(#[from] RenderError),
    #[error("operation {0} waits for an earlier one that did not complete")]
    Blocked(OpId),
    #[error("Kaseya BMS no longer has asset #{0}")]
    AssetGone(BmsId),
}

impl OpError {
    /// Whether the next run may succeed without anything changing: rate limits, outages, unfinished
    /// dependencies. A refusal fails the same way until the record changes.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Api(e) => e.is_transient(),
            Self::Render(RenderError::Pending(_) | RenderError::OwnerNotLinked { .. }) | Self::Blocked(_) => true,
            Self::Render(_) | Self::AssetGone(_) => false,
        }
    }
}

/// What a run of the journal did besides the journal itself.
#[derive(Debug, Default)]
pub struct Executed {
    /// Failed operations that may succeed later; their kinds keep their old cursors.
    pub transient: BTreeSet<OpId>,
    pub errors: Vec<String>,
    pub writes_done: u64,
}

pub struct Executor<'a, 's, T, C, S, P: ?Sized> {
    pub bms: &'a BmsClient<'s, T, C>,
    pub itg: &'a ItGlueClient<'s, T, C>,
    pub store: &'a S,
    pub sink: &'a P,
    pub clock: &'a C,
    pub catalog: &'a Catalog,
    pub settings: &'a SyncSettings,
    /// Full asset records as last read, which replacements start from.
    pub assets: &'a BTreeMap<BmsId, Value>,
    /// The (side, kind) pairs listed whole this run: the plan saw every record there, so a create needs no
    /// re-check unless its outcome is unknown.
    pub whole: &'a BTreeSet<(Side, EntityKind)>,
}

/// Location creates that travel inside their new account's create, by the account's operation.
struct Embedded {
    by_account: BTreeMap<OpId, Vec<Record>>,
    locations: BTreeSet<OpId>,
}

impl Embedded {
    /// From the operations `journal` has left; only these records are copied, not the plan.
    fn of(journal: &Journal) -> Self {
        let ops: BTreeMap<&OpId, &PlannedOp> = journal
            .entries
            .iter()
            .filter(|e| !matches!(e.state, OpState::Done { .. }))
            .map(|e| (&e.op.id, &e.op))
            .collect();
        let mut out = Embedded { by_account: BTreeMap::new(), locations: BTreeSet::new() };
        for op in ops.values().filter(|op| op.entity == EntityKind::Location) {
            let Some(record) = bms_create_record(&op.op) else { continue };
            let account = op.depends_on.iter().find(|d| {
                ops.get(d).is_some_and(|a| a.entity == EntityKind::Organization && bms_create_record(&a.op).is_some())
            });
            if let Some(account) = account {
                out.by_account.entry(account.clone()).or_default().push(record.clone());
                out.locations.insert(op.id.clone());
            }
        }
        out
    }

    fn of_account(&self, op: &OpId) -> Vec<&Record> {
        self.by_account.get(op).map(|records| records.iter().collect()).unwrap_or_default()
    }
}

fn bms_create_record(op: &OpKind) -> Option<&Record> {
    match op {
        OpKind::CreateInBms { record, .. } | OpKind::RecheckThenCreate { side: Side::Bms, record, .. } => Some(record),
        _ => None,
    }
}

/// The "look first, then create" form of a create.
fn as_recheck(op: &PlannedOp) -> PlannedOp {
    let mut out = op.clone();
    out.op = match &op.op {
        OpKind::CreateInItGlue { record } => {
            OpKind::RecheckThenCreate { side: Side::ItGlue, record: record.clone(), origin: ItgOrigin::Manual }
        }
        OpKind::CreateInBms { record, origin } => {
            OpKind::RecheckThenCreate { side: Side::Bms, record: record.clone(), origin: *origin }
        }
        other => other.clone(),
    };
    out
}

fn create_side(op: &OpKind) -> Option<Side> {
    match op {
        OpKind::CreateInItGlue { .. } => Some(Side::ItGlue),
        OpKind::CreateInBms { .. } => Some(Side::Bms),
        OpKind::RecheckThenCreate { side, .. } => Some(*side),
        _ => None,
    }
}

fn org_name(record: &Record) -> Option<&str> {
    match record {
        Record::Organization(o) => Some(o.name.as_str()),
        _ => None,
    }
}

fn chunk_of(index: usize) -> usize {
    index / store::CHUNK
}

impl<T: Transport, C: Clock, S: StateStore, P: ProgressSink + ?Sized> Executor<'_, '_, T, C, S, P> {
    fn now(&self) -> Timestamp {
        Timestamp::from_unix_millis(self.clock.now_ms() as i64)
    }

    fn log(&self, level: LogLevel, entity: Option<EntityKind>, message: String) {
        self.sink.log(LogEntry { at_ms: self.clock.now_ms(), level, entity, message });
    }

    async fn save(&self, journal: &Journal, dirty: &mut Dirty) -> Result<(), StateError> {
        for chunk in std::mem::take(dirty) {
            store::save_op_state(self.store, journal, chunk * store::CHUNK).await?;
        }
        Ok(())
    }

    /// Carries out what is left of `journal`, in plan order, keeping `links` in step.
    pub async fn run(&self, journal: &mut Journal, links: &mut LinkTable) -> Result<Executed, StateError> {
        let embedded = Embedded::of(journal);
        let total = journal
            .entries
            .iter()
            .filter(|e| !matches!(e.state, OpState::Done { .. }) && e.op.op.is_remote_write())
            .count() as u64;
        let mut out = Executed::default();
        let mut dirty = Dirty::new();
        for index in 0..journal.entries.len() {
            // One operation at a time: a copy of all that is left would hold a large run's plan twice.
            let Some(left) = journal.entries[index].left() else { continue };
            let op = &left;
            dirty.insert(chunk_of(index));
            let outcome = match op.depends_on.iter().find(|d| !matches!(journal.state(d), Some(OpState::Done { .. }))) {
                Some(blocker) => Err(OpError::Blocked(blocker.clone())),
                None if op.op.is_remote_write() => {
                    journal
                        .start(&op.id)
                        .map_err(|e| StateError::Corrupt { key: "journal".into(), detail: e.to_string() })?;
                    self.save(journal, &mut dirty).await?;
                    dirty.insert(chunk_of(index));
                    out.writes_done += 1;
                    self.perform(op, links, &embedded).await
                }
                None => Ok(OpResult::default()),
            };
            self.record(journal, op, outcome, links, &mut out)?;
            if op.op.is_remote_write() {
                self.save(journal, &mut dirty).await?;
                self.sink.progress(&Progress {
                    phase: Phase::Writing,
                    entity: Some(op.entity),
                    done: out.writes_done,
                    total,
                });
            }
        }
        self.save(journal, &mut dirty).await?;
        Ok(out)
    }

    fn record(
        &self,
        journal: &mut Journal,
        op: &PlannedOp,
        outcome: Result<OpResult, OpError>,
        links: &mut LinkTable,
        out: &mut Executed,
    ) -> Result<(), StateError> {
        let corrupt = |e: bms_itglue_core::sync::JournalError| StateError::Corrupt {
            key: "journal".into(),
            detail: e.to_string(),
        };
        if !matches!(journal.state(&op.id), Some(OpState::Started { .. })) {
            journal.start(&op.id).map_err(corrupt)?;
        }
        match outcome {
            Ok(result) => {
                if let Err(e) = links.apply(op, &result, self.now()) {
                    self.log(LogLevel::Warning, Some(op.entity), format!("link table: {e}"));
                }
                journal.complete(&op.id, result).map_err(corrupt)
            }
            Err(e) => {
                if e.is_transient() {
                    out.transient.insert(op.id.clone());
                }
                let message = format!("{} ({}): {e}", op.reason, op.op.name());
                self.log(LogLevel::Error, Some(op.entity), message.clone());
                out.errors.push(message);
                journal.fail(&op.id, e.to_string()).map_err(corrupt)
            }
        }
    }

    async fn perform(&self, op: &PlannedOp, links: &LinkTable, embedded: &Embedded) -> Result<OpResult, OpError> {
        match (&op.op, create_side(&op.op)) {
            (_, Some(side)) => self.create(op, side, links, embedded).await,
            (OpKind::UpdateItGlue { .. }, _) => {
                for write in render::itglue_requests(op, links, self.catalog)?.requests {
                    self.itg.send(&write).await?;
                }
                Ok(OpResult::default())
            }
            (OpKind::UpdateBms { .. }, _) => {
                let current = self.current_asset(op).await?;
                let rendered = render::bms_requests(op, links, self.catalog, self.settings, current.as_ref())?;
                for write in &rendered.requests {
                    self.bms.send_write(write, &[]).await?;
                }
                Ok(OpResult::default())
            }
            _ => Ok(OpResult::default()),
        }
    }

    /// The asset as BMS holds it now, for an asset replacement (BMS takes only whole records).
    async fn current_asset(&self, op: &PlannedOp) -> Result<Option<Value>, OpError> {
        let Some(id) = op.bms.as_ref().filter(|_| op.entity == EntityKind::Configuration) else { return Ok(None) };
        if let Some(dto) = self.assets.get(id) {
            return Ok(Some(dto.clone()));
        }
        self.bms.asset(id).await?.map(Some).ok_or_else(|| OpError::AssetGone(id.clone()))
    }

    async fn create(&self, op: &PlannedOp, side: Side, links: &LinkTable, embedded: &Embedded) -> Result<OpResult, OpError> {
        // A location sent inside its new account's create is found there, not created again.
        let unsure = matches!(op.op, OpKind::RecheckThenCreate { .. })
            || !self.whole.contains(&(side, op.entity))
            || embedded.locations.contains(&op.id);
        let mut last = None;
        for attempt in 0..CREATE_ATTEMPTS {
            if (unsure || attempt > 0)
                && let Some(found) = self.find_existing(op, side, links).await?
            {
                return Ok(found);
            }
            let sent = match side {
                Side::ItGlue => self.create_in_itglue(op, links).await,
                Side::Bms => self.create_in_bms(op, links, &embedded.of_account(&op.id)).await,
            };
            match sent {
                Err(OpError::Api(e)) if e.outcome_unknown() => last = Some(e),
                other => return other,
            }
        }
        Err(last.map_or(OpError::Blocked(op.id.clone()), OpError::Api))
    }

    async fn create_in_itglue(&self, op: &PlannedOp, links: &LinkTable) -> Result<OpResult, OpError> {
        let rendered = render::itglue_requests(op, links, self.catalog)?;
        let mut created = None;
        for write in &rendered.requests {
            created = self.itg.send(write).await?.or(created);
        }
        Ok(OpResult { bms: None, itg: created })
    }

    async fn create_in_bms(&self, op: &PlannedOp, links: &LinkTable, locations: &[&Record]) -> Result<OpResult, OpError> {
        let rendered = if op.entity == EntityKind::Organization {
            render::bms_account_create(op, links, self.catalog, self.settings, locations)?
        } else {
            render::bms_requests(op, links, self.catalog, self.settings, None)?
        };
        let mut created = None;
        for write in &rendered.requests {
            created = self.bms.send_write(write, &rendered.follow_up).await?.or(created);
        }
        Ok(OpResult { bms: created, itg: None })
    }

    /// The unlinked record on `side` that this create would duplicate (made by an earlier attempt, or there
    /// before and not in this run's listing), by the matching rules.
    async fn find_existing(&self, op: &PlannedOp, side: Side, links: &LinkTable) -> Result<Option<OpResult>, OpError> {
        let recheck = as_recheck(op);
        let record = match &recheck.op {
            OpKind::RecheckThenCreate { record, .. } => record,
            _ => return Ok(None),
        };
        Ok(match side {
            Side::ItGlue => {
                let candidates = self.itglue_candidates(op, record, links).await?;
                find_created_in_itglue(&recheck, &candidates, links).map(|id| OpResult { bms: None, itg: Some(id) })
            }
            Side::Bms => {
                let candidates = self.bms_candidates(op, record, links).await?;
                find_created_in_bms(&recheck, &candidates, links).map(|id| OpResult { bms: Some(id), itg: None })
            }
        })
    }

    async fn itglue_candidates(
        &self,
        op: &PlannedOp,
        record: &Record,
        links: &LinkTable,
    ) -> Result<Vec<ItgEntry>, OpError> {
        let resources = match (op.entity, org_name(record)) {
            (EntityKind::Organization, Some(name)) => self.itg.organizations_named(name).await?,
            (EntityKind::Organization, None) => Vec::new(),
            (kind, _) => {
                let organization = op
                    .organization
                    .clone()
                    .or_else(|| op.account.as_ref().and_then(|a| links.itg_for(EntityKind::Organization, a)));
                match organization {
                    Some(org) => self.itg.list_in_organization(kind, &org).await?,
                    None => Vec::new(),
                }
            }
        };
        Ok(resources.iter().filter_map(|r| itg_map::entry(r, &[], self.catalog, links).ok()).collect())
    }

    async fn bms_candidates(
        &self,
        op: &PlannedOp,
        record: &Record,
        links: &LinkTable,
    ) -> Result<Vec<BmsEntry>, OpError> {
        let account = op
            .account
            .clone()
            .or_else(|| op.organization.as_ref().and_then(|o| links.bms_for(EntityKind::Organization, o)));
        let catalog = self.catalog;
        Ok(match (op.entity, account) {
            (EntityKind::Organization, _) => match org_name(record) {
                Some(name) => self
                    .bms
                    .accounts_named(name)
                    .await?
                    .iter()
                    .filter_map(|r| bms_map::account(r, catalog).ok())
                    .collect(),
                None => Vec::new(),
            },
            (EntityKind::Contact, Some(account)) => {
                self.bms.contacts_of(&account).await?.iter().filter_map(|r| bms_map::contact(r, catalog).ok()).collect()
            }
            (EntityKind::Location, Some(account)) => match self.bms.account(&account).await? {
                Some(dto) => bms_map::account_locations(&dto, catalog).unwrap_or_default(),
                None => Vec::new(),
            },
            (EntityKind::Configuration, Some(account)) => self
                .bms
                .asset_summaries_of(&account)
                .await?
                .iter()
                .filter_map(|r| bms_map::asset(&summary_as_asset(r), catalog).ok())
                .collect(),
            _ => Vec::new(),
        })
    }
}

/// The conflicts a journal's done operations logged, including those done before a kill.
pub fn conflicts(journal: &Journal, at_ms: u64) -> Vec<ConflictRecord> {
    journal
        .done()
        .filter_map(|(op, _)| match &op.op {
            OpKind::LogConflict { conflict } => {
                Some(ConflictRecord { at_ms, run: journal.run_id.clone(), op: op.id.clone(), conflict: conflict.clone() })
            }
            _ => None,
        })
        .collect()
}

/// Replays the done operations of a journal onto the link table it started from (after a kill, the table on
/// disk is the one from before the run).
pub fn replay(journal: &Journal, links: &mut LinkTable) {
    let at = journal.started_at;
    for (op, result) in journal.done() {
        // An operation that no longer applies (its link was changed by hand since) is skipped, as it would be
        // refused by the table anyway.
        let _ = links.apply(op, result, at);
    }
}
