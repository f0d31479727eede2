//! A loopback-only emulation of the IT Glue REST API, the Kaseya BMS v2 REST API and the
//! BMS web pages the extension injects into, backed by an embedded SQLite store.
//!
//! Four listeners, each its own origin as in reality: the IT Glue API, the BMS API, the BMS
//! web UI and the IT Glue web UI. [`start`] binds them and returns a [`Running`] handle.

mod api_kind;
mod bms;
mod bms_web;
pub mod cli;
mod clock;
mod config;
mod error;
mod faults;
mod html;
mod itglue;
mod itglue_web;
mod phone;
mod ratelimit;
mod server;
mod state;
mod store;
mod web_csp;

pub use bms_web::{BmsPages, InvalidRecordPath, RecordPath};
pub use config::{
    AuthFailureStyle, Config, CspMode, DEFAULT_DB_PATH, ItGlueRegion, Ports, UnknownItGlueRegion,
};
pub use error::Error;
pub use ratelimit::{OverLimit, Quota, RateLimits, UnknownQuota};
pub use server::{Addresses, PublicUrls, Running, start};
pub use store::StoreError;
pub use store::world::{Scale, UnknownScale, WorldSpec};
pub use store::seed::{
    BMS_API_PASSWORD, BMS_API_USERNAME, BMS_TECH_PASSWORD, BMS_TECH_USERNAME, BMS_TENANT,
    ITGLUE_API_KEY, ITGLUE_EU_API_KEY,
};
