//! The pure core of bms-itglue.
//!
//! Everything here builds and tests natively: no web-sys, no `chrome.*`, no UI framework. The worker and the UI
//! are thin shells that move bytes between the browser and these functions.

pub mod bms;
pub mod itglue;
pub mod messages;
pub mod sanitize;
pub mod sender;
pub mod settings;
pub mod site;
pub mod transport;
pub mod sync;
pub mod widget;
