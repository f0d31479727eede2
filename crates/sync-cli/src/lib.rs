//! The sync engine as a headless command, and the native pieces it runs on: an HTTP transport, the system
//! clock, a JSON-files state store and a terminal progress view.

pub mod cli;
pub mod files;
pub mod terminal;
pub mod transport;

pub use files::JsonFiles;
pub use transport::{HttpTransport, SystemClock};
