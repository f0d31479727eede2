//! Kaseya BMS: the v2 REST API's envelope and sign-in, and the routes of its web UI.

pub mod auth;
pub mod envelope;
pub mod page;

pub use envelope::BmsError;
