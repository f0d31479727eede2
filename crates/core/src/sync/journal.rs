//! A write-ahead journal for resumable, idempotent runs. The extension's service worker can be killed at any
//! moment; the journal (kept in IndexedDB) says what a run planned and how far it got.
//!
//! Each operation moves `Pending → Started → Done | Failed`, recorded *before* the request goes out (`start`) and
//! after its answer (`complete`/`fail`). On restart, [`resume`] yields what is left. A create that was started
//! but never completed may or may not exist on the other side, so it comes back as
//! [`OpKind::RecheckThenCreate`]: look for it by the matching rules, create only if absent. No kill point can then
//! produce a duplicate.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::links::{LinkTable, OpResult};
use super::mapping::IdResolver;
use super::matching::{Matchable, best_match};
use super::normalize::Timestamp;
use super::plan::{OpId, OpKind, Plan, PlannedOp};
use super::records::{BmsId, EntityKind, ItgId, Record, Side};
use super::snapshot::{BmsEntry, ItgEntry, ItgOrigin};

/// How far a run read each kind: BMS modified-on and IT Glue updated-at watermarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub bms_modified_on: Option<Timestamp>,
    pub itg_updated_at: Option<Timestamp>,
}

impl Cursor {
    /// The watermarks after reading `bms` and `itg`: the latest time seen on each side, never moving back.
    pub fn advanced<'e>(
        self,
        bms: impl IntoIterator<Item = &'e BmsEntry>,
        itg: impl IntoIterator<Item = &'e ItgEntry>,
    ) -> Cursor {
        let latest_bms = bms.into_iter().filter_map(|e| e.modified_on).max();
        let latest_itg = itg.into_iter().filter_map(|e| e.updated_at).max();
        Cursor { bms_modified_on: self.bms_modified_on.max(latest_bms), itg_updated_at: self.itg_updated_at.max(latest_itg) }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum OpState {
    Pending,
    /// The request may have gone out; its outcome is unknown until `complete` or `fail`.
    Started {
        attempts: u32,
    },
    Done {
        result: OpResult,
    },
    Failed {
        error: String,
        attempts: u32,
    },
}

impl OpState {
    fn name(&self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Started { .. } => "started",
            Self::Done { .. } => "done",
            Self::Failed { .. } => "failed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalEntry {
    pub op: PlannedOp,
    pub state: OpState,
}

#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum JournalError {
    #[error("operation {0} is not in this run")]
    UnknownOp(OpId),
    #[error("operation {op} cannot go from {from} to {to}")]
    BadTransition { op: OpId, from: &'static str, to: &'static str },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "StoredJournal")]
pub struct Journal {
    pub run_id: String,
    pub started_at: Timestamp,
    /// The watermarks this run reaches; they become the next run's starting point only once every operation is
    /// done, so a half-finished run is read again.
    pub cursors: BTreeMap<EntityKind, Cursor>,
    pub entries: Vec<JournalEntry>,
    /// Where each operation sits in `entries`: a run of tens of thousands of operations looks one up per step.
    /// Rebuilt on load, so it is never stored.
    #[serde(skip_serializing)]
    positions: HashMap<OpId, usize>,
}

/// A journal as stored: everything but the positions.
#[derive(Deserialize)]
struct StoredJournal {
    run_id: String,
    started_at: Timestamp,
    cursors: BTreeMap<EntityKind, Cursor>,
    entries: Vec<JournalEntry>,
}

impl From<StoredJournal> for Journal {
    fn from(stored: StoredJournal) -> Self {
        Journal::with_entries(stored.run_id, stored.started_at, stored.cursors, stored.entries)
    }
}

impl Journal {
    pub fn new(run_id: impl Into<String>, plan: Plan, cursors: BTreeMap<EntityKind, Cursor>, now: Timestamp) -> Self {
        let entries = plan.ops.into_iter().map(|op| JournalEntry { op, state: OpState::Pending }).collect();
        Journal::with_entries(run_id.into(), now, cursors, entries)
    }

    fn with_entries(
        run_id: String,
        started_at: Timestamp,
        cursors: BTreeMap<EntityKind, Cursor>,
        entries: Vec<JournalEntry>,
    ) -> Self {
        let mut positions = HashMap::with_capacity(entries.len());
        for (position, entry) in entries.iter().enumerate() {
            positions.entry(entry.op.id.clone()).or_insert(position);
        }
        Journal { run_id, started_at, cursors, entries, positions }
    }

    /// The first entry of `op`. `entries` is public, so a position that no longer fits falls back to a scan.
    fn position(&self, op: &OpId) -> Option<usize> {
        self.positions
            .get(op)
            .copied()
            .filter(|&at| self.entries.get(at).is_some_and(|e| &e.op.id == op))
            .or_else(|| self.entries.iter().position(|e| &e.op.id == op))
    }

    fn entry_mut(&mut self, op: &OpId) -> Result<&mut JournalEntry, JournalError> {
        let at = self.position(op).ok_or_else(|| JournalError::UnknownOp(op.clone()))?;
        Ok(&mut self.entries[at])
    }

    pub fn state(&self, op: &OpId) -> Option<&OpState> {
        self.position(op).map(|at| &self.entries[at].state)
    }

    /// Records that the operation is about to be sent. Allowed again after a failure or an unknown outcome.
    pub fn start(&mut self, op: &OpId) -> Result<(), JournalError> {
        let entry = self.entry_mut(op)?;
        let attempts = match &entry.state {
            OpState::Pending => 0,
            OpState::Started { attempts } | OpState::Failed { attempts, .. } => *attempts,
            OpState::Done { .. } => return Err(JournalError::BadTransition { op: op.clone(), from: "done", to: "started" }),
        };
        entry.state = OpState::Started { attempts: attempts + 1 };
        Ok(())
    }

    /// Records the operation's success and the id of what it created, if anything.
    pub fn complete(&mut self, op: &OpId, result: OpResult) -> Result<(), JournalError> {
        let entry = self.entry_mut(op)?;
        match entry.state {
            OpState::Started { .. } => {
                entry.state = OpState::Done { result };
                Ok(())
            }
            ref other => Err(JournalError::BadTransition { op: op.clone(), from: other.name(), to: "done" }),
        }
    }

    pub fn fail(&mut self, op: &OpId, error: impl Into<String>) -> Result<(), JournalError> {
        let entry = self.entry_mut(op)?;
        match entry.state {
            OpState::Started { attempts } => {
                entry.state = OpState::Failed { error: error.into(), attempts };
                Ok(())
            }
            ref other => Err(JournalError::BadTransition { op: op.clone(), from: other.name(), to: "failed" }),
        }
    }

    pub fn is_complete(&self) -> bool {
        self.entries.iter().all(|e| matches!(e.state, OpState::Done { .. }))
    }

    /// The watermarks to start the next run from: this run's when it finished, else none (read everything again).
    pub fn committed_cursors(&self) -> Option<&BTreeMap<EntityKind, Cursor>> {
        self.is_complete().then_some(&self.cursors)
    }

    /// The done operations and what they produced.
    pub fn done(&self) -> impl Iterator<Item = (&PlannedOp, &OpResult)> {
        self.entries.iter().filter_map(|e| match &e.state {
            OpState::Done { result } => Some((&e.op, result)),
            _ => None,
        })
    }
}

/// The step a create becomes when its outcome is unknown: look for the record first, create only if absent.
fn as_recheck(op: &OpKind) -> Option<OpKind> {
    match op {
        OpKind::CreateInItGlue { record } => {
            Some(OpKind::RecheckThenCreate { side: Side::ItGlue, record: record.clone(), origin: ItgOrigin::Manual })
        }
        OpKind::CreateInBms { record, origin } => {
            Some(OpKind::RecheckThenCreate { side: Side::Bms, record: record.clone(), origin: *origin })
        }
        OpKind::RecheckThenCreate { .. } => Some(op.clone()),
        _ => None,
    }
}

/// What is left of a run, in plan order. A create that was ever started without completing comes back as a
/// "re-check for a match before creating" step, with the same id.
pub fn resume(journal: &Journal) -> Vec<PlannedOp> {
    journal.entries.iter().filter_map(JournalEntry::left).collect()
}

impl JournalEntry {
    /// What is left of this operation, as [`resume`] has it: nothing once done.
    pub fn left(&self) -> Option<PlannedOp> {
        match &self.state {
            OpState::Done { .. } => None,
            OpState::Pending => Some(self.op.clone()),
            OpState::Started { .. } | OpState::Failed { .. } => {
                let mut op = self.op.clone();
                if let Some(recheck) = as_recheck(&op.op) {
                    op.op = recheck;
                }
                Some(op)
            }
        }
    }
}

fn recheck_record(op: &PlannedOp, side: Side) -> Option<&Record> {
    match &op.op {
        OpKind::RecheckThenCreate { side: s, record, .. } if *s == side => Some(record),
        _ => None,
    }
}

/// For a re-check step bound for IT Glue: the unlinked IT Glue record that an earlier attempt created, if any.
pub fn find_created_in_itglue(op: &PlannedOp, candidates: &[ItgEntry], links: &LinkTable) -> Option<ItgId> {
    let record = recheck_record(op, Side::ItGlue)?;
    let organization =
        op.organization.clone().or_else(|| op.account.as_ref().and_then(|a| links.itg_for(EntityKind::Organization, a)));
    let pool = candidates
        .iter()
        .filter(|e| e.kind() == op.entity && links.by_itg(op.entity, &e.id).is_none())
        .filter(|e| op.entity == EntityKind::Organization || e.organization == organization)
        .map(|e| Matchable::<'_, ItgId, ItgId> { id: &e.id, scope: None, created: e.created_at, record: &e.record });
    best_match(record, pool).map(|m| m.id)
}

/// For a re-check step bound for BMS: the unlinked BMS record that an earlier attempt created, if any.
pub fn find_created_in_bms(op: &PlannedOp, candidates: &[BmsEntry], links: &LinkTable) -> Option<BmsId> {
    let record = recheck_record(op, Side::Bms)?;
    let account =
        op.account.clone().or_else(|| op.organization.as_ref().and_then(|o| links.bms_for(EntityKind::Organization, o)));
    let pool = candidates
        .iter()
        .filter(|e| e.kind() == op.entity && links.get(op.entity, &e.id).is_none())
        .filter(|e| op.entity == EntityKind::Organization || e.account == account)
        .map(|e| Matchable::<'_, BmsId, BmsId> { id: &e.id, scope: None, created: e.created_on, record: &e.record });
    best_match(record, pool).map(|m| m.id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::records::Organization;

    fn op(id: &str, kind: OpKind) -> PlannedOp {
        PlannedOp {
            id: OpId(id.into()),
            entity: EntityKind::Organization,
            op: kind,
            bms: Some(BmsId::new("1")),
            itg: None,
            account: None,
            organization: None,
            depends_on: Vec::new(),
            reason: String::new(),
            warnings: Vec::new(),
        }
    }

    fn journal() -> Journal {
        let create = OpKind::CreateInItGlue {
            record: Record::Organization(Organization { name: "Acme".into(), ..Organization::default() }),
        };
        let plan = Plan { ops: vec![op("a", create), op("b", OpKind::Reenable)] };
        Journal::new("run-1", plan, BTreeMap::new(), Timestamp::from_unix_millis(1))
    }

    fn id(s: &str) -> OpId {
        OpId(s.into())
    }

    #[test]
    fn transitions_are_checked() {
        let mut j = journal();
        assert!(matches!(j.complete(&id("a"), OpResult::default()), Err(JournalError::BadTransition { .. })));
        assert!(matches!(j.start(&id("zz")), Err(JournalError::UnknownOp(_))));
        j.start(&id("a")).unwrap();
        j.fail(&id("a"), "HTTP 502").unwrap();
        assert_eq!(j.state(&id("a")), Some(&OpState::Failed { error: "HTTP 502".into(), attempts: 1 }));
        j.start(&id("a")).unwrap();
        assert_eq!(j.state(&id("a")), Some(&OpState::Started { attempts: 2 }));
        j.complete(&id("a"), OpResult { bms: None, itg: Some(ItgId::new("9")) }).unwrap();
        assert!(matches!(j.start(&id("a")), Err(JournalError::BadTransition { .. })));
        assert!(j.committed_cursors().is_none());
        j.start(&id("b")).unwrap();
        j.complete(&id("b"), OpResult::default()).unwrap();
        assert!(j.is_complete());
        assert!(j.committed_cursors().is_some());
        assert_eq!(j.done().count(), 2);
    }

    #[test]
    fn a_started_create_resumes_as_a_recheck() {
        let mut j = journal();
        j.start(&id("a")).unwrap();
        let left = resume(&j);
        assert_eq!(left.len(), 2);
        assert_eq!(left[0].id, id("a"), "the same id, so the step stays idempotent");
        assert!(matches!(left[0].op, OpKind::RecheckThenCreate { side: Side::ItGlue, .. }));
        assert_eq!(left[1].op, OpKind::Reenable);
        let stored = serde_json::to_string(&j).unwrap();
        assert_eq!(serde_json::from_str::<Journal>(&stored).unwrap(), j);
    }

    #[test]
    fn cursors_only_move_forward() {
        let c = Cursor { bms_modified_on: Some(Timestamp::from_unix_millis(50)), itg_updated_at: None };
        let entry = BmsEntry {
            id: BmsId::new("1"),
            account: None,
            created_on: None,
            modified_on: Some(Timestamp::from_unix_millis(40)),
            record: Record::empty(EntityKind::Organization),
        };
        assert_eq!(c.advanced(&[entry], &[]), c);
    }
}
