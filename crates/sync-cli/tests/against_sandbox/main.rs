//! The sync engine against the sandbox over real HTTP: first and incremental syncs, conflicts, orphans, the
//! one-time push, a kill at every journal step, and a storm of faults.

mod common;
mod faults;
mod kill;
mod sync;
