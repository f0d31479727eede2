//! What every handler can reach: the store, the run-time switches and the public origins.

use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use crate::bms_web::BmsPages;
use crate::config::{AuthFailureStyle, Config, CspMode, ItGlueRegion};
use crate::server::PublicUrls;
use crate::store::Store;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub settings: Arc<Settings>,
    pub urls: Arc<PublicUrls>,
    pub csp: CspSwitch,
}

/// The switches fixed at start-up.
#[derive(Debug)]
pub struct Settings {
    pub itglue_auth_failure: AuthFailureStyle,
    pub itglue_region: ItGlueRegion,
    pub bms_summary_unwrapped: bool,
    pub bms_token_lifetime: Duration,
    pub bms_refresh_token_lifetime: Duration,
    pub bms_ticket_queue_optional: bool,
    pub bms_merge_delay: Duration,
    pub itglue_jwt_lifetime: Duration,
    pub itglue_org_sync_fully_locked: bool,
    pub itglue_contact_emails_always_synced: bool,
    pub itglue_two_way_relaxes_locks: bool,
    pub bms_pages: BmsPages,
}

impl From<&Config> for Settings {
    fn from(config: &Config) -> Self {
        Self {
            itglue_auth_failure: config.itglue_auth_failure,
            itglue_region: config.itglue_region,
            bms_summary_unwrapped: config.bms_summary_unwrapped,
            bms_token_lifetime: config.bms_token_lifetime,
            bms_refresh_token_lifetime: config.bms_refresh_token_lifetime,
            bms_ticket_queue_optional: config.bms_ticket_queue_optional,
            bms_merge_delay: config.bms_merge_delay,
            itglue_jwt_lifetime: config.itglue_jwt_lifetime,
            itglue_org_sync_fully_locked: config.itglue_org_sync_fully_locked,
            itglue_contact_emails_always_synced: config.itglue_contact_emails_always_synced,
            itglue_two_way_relaxes_locks: config.itglue_two_way_relaxes_locks,
            bms_pages: config.bms_pages.clone(),
        }
    }
}

/// The BMS pages' CSP mode, which tests flip while the sandbox runs.
#[derive(Clone, Debug)]
pub struct CspSwitch(Arc<RwLock<CspMode>>);

impl CspSwitch {
    pub fn new(mode: CspMode) -> Self {
        Self(Arc::new(RwLock::new(mode)))
    }

    pub fn get(&self) -> CspMode {
        // A poisoned lock still holds a valid mode; a Copy enum cannot be half-written.
        *self.0.read().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn set(&self, mode: CspMode) {
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = mode;
    }
}
