//! Durable state: the journal of the open run, the link table, the cursors, the conflict log and the sync log.
//! The extension keeps it in IndexedDB, the native command in JSON files; both are a key → JSON string map.
//!
//! A run's journal is stored as its plan (written once) plus small chunks of operation states, so that recording
//! one operation rewrites a few kilobytes rather than the whole plan. The link table is saved when a run ends;
//! while one is open, the journal is the write-ahead log the links are replayed from.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;

use bms_itglue_core::sync::journal::JournalEntry;
use bms_itglue_core::sync::normalize::Timestamp;
use bms_itglue_core::sync::{Conflict, Cursor, EntityKind, Journal, LinkTable, OpId, OpState, PlannedOp};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::run::LogEntry;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct StoreError(pub String);

/// A key → JSON string map that survives the process (IndexedDB, files).
pub trait StateStore {
    fn load(&self, key: &str) -> impl Future<Output = Result<Option<String>, StoreError>>;
    fn save(&self, key: &str, value: &str) -> impl Future<Output = Result<(), StoreError>>;
}

pub const LINKS: &str = "links";
pub const CURSORS: &str = "cursors";
pub const CONFLICTS: &str = "conflicts";
pub const SYNC_LOG: &str = "sync-log";
pub const ASSET_SUMMARIES: &str = "bms-asset-summaries";
const JOURNAL_PLAN: &str = "journal";
const JOURNAL_STATES: &str = "journal-states";

/// Operations per stored chunk of states.
pub const CHUNK: usize = 128;
/// The conflict log and the sync log are rolling windows, not archives.
pub const CONFLICT_LOG_LIMIT: usize = 2_000;
pub const SYNC_LOG_LIMIT: usize = 2_000;

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("durable state: {0}")]
    Store(#[from] StoreError),
    #[error("stored {key} is unreadable: {detail}")]
    Corrupt { key: String, detail: String },
}

async fn load_json<S: StateStore, T: DeserializeOwned>(store: &S, key: &str) -> Result<Option<T>, StateError> {
    match store.load(key).await? {
        None => Ok(None),
        Some(text) => serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| StateError::Corrupt { key: key.to_owned(), detail: e.to_string() }),
    }
}

async fn save_json<S: StateStore, T: Serialize>(store: &S, key: &str, value: &T) -> Result<(), StateError> {
    let text =
        serde_json::to_string(value).map_err(|e| StateError::Corrupt { key: key.to_owned(), detail: e.to_string() })?;
    Ok(store.save(key, &text).await?)
}

/// The link table, and the run whose operations it already holds (so a run is never applied twice).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct StoredLinks {
    pub applied_run: Option<String>,
    pub links: LinkTable,
}

pub async fn load_links<S: StateStore>(store: &S) -> Result<StoredLinks, StateError> {
    Ok(load_json(store, LINKS).await?.unwrap_or_default())
}

pub async fn save_links<S: StateStore>(store: &S, links: &StoredLinks) -> Result<(), StateError> {
    save_json(store, LINKS, links).await
}

pub async fn load_cursors<S: StateStore>(store: &S) -> Result<BTreeMap<EntityKind, Cursor>, StateError> {
    Ok(load_json(store, CURSORS).await?.unwrap_or_default())
}

pub async fn save_cursors<S: StateStore>(store: &S, cursors: &BTreeMap<EntityKind, Cursor>) -> Result<(), StateError> {
    save_json(store, CURSORS, cursors).await
}

/// One conflict as the log keeps it: when, which run's operation logged it, and the losing value inside
/// `conflict`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConflictRecord {
    pub at_ms: u64,
    pub run: String,
    pub op: OpId,
    pub conflict: Conflict,
}

pub async fn load_conflicts<S: StateStore>(store: &S) -> Result<Vec<ConflictRecord>, StateError> {
    Ok(load_json(store, CONFLICTS).await?.unwrap_or_default())
}

/// Adds records not logged yet: a run finished after a kill logs its conflicts again, and each stays once.
pub async fn append_conflicts<S: StateStore>(store: &S, records: Vec<ConflictRecord>) -> Result<(), StateError> {
    if records.is_empty() {
        return Ok(());
    }
    let mut log = load_conflicts(store).await?;
    let logged: BTreeSet<(String, OpId)> = log.iter().map(|r| (r.run.clone(), r.op.clone())).collect();
    log.extend(records.into_iter().filter(|r| !logged.contains(&(r.run.clone(), r.op.clone()))));
    trim_front(&mut log, CONFLICT_LOG_LIMIT);
    save_json(store, CONFLICTS, &log).await
}

pub async fn load_sync_log<S: StateStore>(store: &S) -> Result<Vec<LogEntry>, StateError> {
    Ok(load_json(store, SYNC_LOG).await?.unwrap_or_default())
}

pub async fn append_sync_log<S: StateStore>(store: &S, entries: Vec<LogEntry>) -> Result<(), StateError> {
    if entries.is_empty() {
        return Ok(());
    }
    let mut log = load_sync_log(store).await?;
    log.extend(entries);
    trim_front(&mut log, SYNC_LOG_LIMIT);
    save_json(store, SYNC_LOG, &log).await
}

fn trim_front<T>(list: &mut Vec<T>, limit: usize) {
    if list.len() > limit {
        list.drain(..list.len() - limit);
    }
}

pub async fn load_json_or_default<S: StateStore, T: DeserializeOwned + Default>(
    store: &S,
    key: &str,
) -> Result<T, StateError> {
    Ok(load_json(store, key).await?.unwrap_or_default())
}

pub async fn save_value<S: StateStore, T: Serialize>(store: &S, key: &str, value: &T) -> Result<(), StateError> {
    save_json(store, key, value).await
}

/// The stored journal: the plan of the open run, or nothing between runs.
#[derive(Debug, Serialize, Deserialize)]
struct StoredPlan {
    open: Option<Journal>,
}

/// A new run's journal as [`StoredPlan`] stores it, with every operation pending, borrowed from the journal
/// rather than copied: the plan of a large first sync is about a hundred megabytes in memory.
#[derive(Serialize)]
struct PendingPlan<'a> {
    open: PendingJournal<'a>,
}

#[derive(Serialize)]
struct PendingJournal<'a> {
    run_id: &'a str,
    started_at: Timestamp,
    cursors: &'a BTreeMap<EntityKind, Cursor>,
    entries: Vec<PendingEntry<'a>>,
}

#[derive(Serialize)]
struct PendingEntry<'a> {
    op: &'a PlannedOp,
    state: OpState,
}

#[derive(Debug, Serialize, Deserialize)]
struct StoredStates {
    run_id: String,
    states: Vec<OpState>,
}

fn chunk_key(chunk: usize) -> String {
    format!("{JOURNAL_STATES}-{chunk}")
}

/// Writes a new run's journal: the plan once, with every operation pending.
pub async fn open_journal<S: StateStore>(store: &S, journal: &Journal) -> Result<(), StateError> {
    let open = PendingJournal {
        run_id: &journal.run_id,
        started_at: journal.started_at,
        cursors: &journal.cursors,
        entries: journal.entries.iter().map(|e| PendingEntry { op: &e.op, state: OpState::Pending }).collect(),
    };
    save_json(store, JOURNAL_PLAN, &PendingPlan { open }).await
}

/// Records the state of the operation at `index` (and its neighbours in the same chunk).
pub async fn save_op_state<S: StateStore>(store: &S, journal: &Journal, index: usize) -> Result<(), StateError> {
    let chunk = index / CHUNK;
    let states: Vec<OpState> =
        journal.entries.iter().skip(chunk * CHUNK).take(CHUNK).map(|e: &JournalEntry| e.state.clone()).collect();
    save_json(store, &chunk_key(chunk), &StoredStates { run_id: journal.run_id.clone(), states }).await
}

/// Records every chunk (after operations that changed many states at once).
pub async fn save_all_states<S: StateStore>(store: &S, journal: &Journal) -> Result<(), StateError> {
    for index in (0..journal.entries.len()).step_by(CHUNK) {
        save_op_state(store, journal, index).await?;
    }
    Ok(())
}

/// The open run's journal with its recorded states; chunks left over from an earlier run count as pending.
pub async fn load_open_journal<S: StateStore>(store: &S) -> Result<Option<Journal>, StateError> {
    let Some(StoredPlan { open: Some(mut journal) }) = load_json::<S, StoredPlan>(store, JOURNAL_PLAN).await? else {
        return Ok(None);
    };
    for chunk in 0..journal.entries.len().div_ceil(CHUNK) {
        let Some(stored) = load_json::<S, StoredStates>(store, &chunk_key(chunk)).await? else { continue };
        if stored.run_id != journal.run_id {
            continue;
        }
        for (entry, state) in journal.entries.iter_mut().skip(chunk * CHUNK).zip(stored.states) {
            entry.state = state;
        }
    }
    Ok(Some(journal))
}

/// Closes the open run: the next start finds no journal to resume.
pub async fn close_journal<S: StateStore>(store: &S) -> Result<(), StateError> {
    save_json(store, JOURNAL_PLAN, &StoredPlan { open: None }).await
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use bms_itglue_core::sync::records::Organization;
    use bms_itglue_core::sync::{BmsId, OpKind, Plan, Record};

    use super::*;

    #[derive(Default)]
    struct Memory(RefCell<BTreeMap<String, String>>);

    impl StateStore for Memory {
        async fn load(&self, key: &str) -> Result<Option<String>, StoreError> {
            Ok(self.0.borrow().get(key).cloned())
        }
        async fn save(&self, key: &str, value: &str) -> Result<(), StoreError> {
            self.0.borrow_mut().insert(key.to_owned(), value.to_owned());
            Ok(())
        }
    }

    fn journal(ops: usize) -> Journal {
        let plan = Plan {
            ops: (0..ops)
                .map(|n| PlannedOp {
                    id: serde_json::from_value(serde_json::json!(format!("op-{n}"))).unwrap(),
                    entity: EntityKind::Organization,
                    op: OpKind::CreateInItGlue {
                        record: Record::Organization(Organization { name: format!("Org {n}"), ..Organization::default() }),
                    },
                    bms: Some(BmsId::new(n.to_string())),
                    itg: None,
                    account: None,
                    organization: None,
                    depends_on: Vec::new(),
                    reason: format!("reason {n}"),
                    warnings: Vec::new(),
                })
                .collect(),
        };
        let cursors = BTreeMap::from([(EntityKind::Organization, Cursor::default())]);
        Journal::new("run-7", plan, cursors, Timestamp::from_unix_millis(42))
    }

    #[test]
    fn an_opened_journal_loads_back_pending_with_the_states_recorded_since() {
        pollster::block_on(async {
            let store = Memory::default();
            let mut journal = journal(CHUNK + 3);
            let first = journal.entries[0].op.id.clone();
            journal.start(&first).unwrap();
            // Opening stores every operation as pending, whatever the journal in hand says.
            open_journal(&store, &journal).await.unwrap();
            let mut expected = journal.clone();
            expected.entries[0].state = OpState::Pending;
            assert_eq!(load_open_journal(&store).await.unwrap(), Some(expected));

            let last = journal.entries[CHUNK + 2].op.id.clone();
            journal.start(&last).unwrap();
            save_all_states(&store, &journal).await.unwrap();
            let loaded = load_open_journal(&store).await.unwrap().unwrap();
            assert_eq!(loaded, journal);
            assert_eq!(loaded.state(&last), Some(&OpState::Started { attempts: 1 }));

            close_journal(&store).await.unwrap();
            assert_eq!(load_open_journal(&store).await.unwrap(), None);
        });
    }
}
