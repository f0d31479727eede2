//! The portable shell of sync: it sends requests under both services' limits, retries what can be retried,
//! pages through listings, and executes journaled plans. It performs no I/O of its own: the service worker and
//! the native command each provide a [`Transport`], a [`Clock`] and a [`StateStore`].

pub mod api;
pub mod bms_client;
pub mod execute;
pub mod fetch;
pub mod itglue_client;
pub mod manage;
pub mod run;
pub mod scheduler;
pub mod store;

pub use run::{
    Connections, LogEntry, LogLevel, Phase, Progress, ProgressSink, RunError, RunOptions, RunReport, RunStats, run_sync,
};
pub use scheduler::{CallError, Clock, Metrics, Scheduler, Transport, TransportError};
pub use store::{StateStore, StoreError};
