//! The IT Glue REST API: JSON:API documents, the resources the extension reads, and the request URLs.

pub mod api;
pub mod jsonapi;
pub mod organization;
pub mod record;

pub use api::ItGlueError;
pub use organization::Organization;
pub use record::ItGlueRecord;
