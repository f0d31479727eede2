//! The two-way sync engine between Kaseya BMS and IT Glue, as pure functions and data.
//!
//! Shells fetch both systems, read the records with [`mapping`], call [`plan::plan`], keep the plan in a
//! [`journal::Journal`], send each operation's requests ([`render`]) and record the outcome in the journal and the
//! [`links::LinkTable`]. Nothing here does I/O or reads a clock: time comes in as data.

pub mod journal;
pub mod links;
pub mod manage;
pub mod mapping;
pub mod matching;
pub mod merge;
pub mod normalize;
pub mod plan;
pub mod records;
pub mod render;
pub mod settings;
pub mod snapshot;
pub mod status;

pub use journal::{Cursor, Journal, JournalError, OpState, resume};
pub use links::{Link, LinkError, LinkState, LinkTable, OpResult, OrphanDeletion, OrphanReason};
pub use mapping::{Catalog, MappingError};
pub use merge::{Conflict, ConflictCause, FieldChange};
pub use plan::{Listing, OpId, OpKind, Plan, PlanInputs, PlanSummary, PlannedOp, plan, plan_one_time_push};
pub use records::{BmsId, EntityKind, Field, FieldValue, ItgId, Record, RecordRef, Side};
pub use settings::{ConflictPolicy, SyncSettings, TwoWay};
pub use snapshot::{BmsEntry, ItgEntry, ItgOrigin, PsaState};

#[cfg(test)]
mod tests;
