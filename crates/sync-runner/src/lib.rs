//! The portable shell of sync: it sends requests under both services' limits, retries what can be retried, and
//! (in later modules) pages through listings and executes journaled plans. It performs no I/O of its own: the
//! service worker and the native command each provide a [`Transport`] and a [`Clock`].

pub mod scheduler;

pub use scheduler::{CallError, Clock, Metrics, Scheduler, Transport, TransportError};
