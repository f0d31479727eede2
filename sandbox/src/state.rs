//! What every handler can reach: the store, the run-time switches and the public origins.

use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use crate::config::{AuthFailureStyle, Config, CspMode};
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
    pub bms_summary_unwrapped: bool,
    pub bms_token_lifetime: Duration,
    pub bms_refresh_token_lifetime: Duration,
}

impl From<&Config> for Settings {
    fn from(config: &Config) -> Self {
        Self {
            itglue_auth_failure: config.itglue_auth_failure,
            bms_summary_unwrapped: config.bms_summary_unwrapped,
            bms_token_lifetime: config.bms_token_lifetime,
            bms_refresh_token_lifetime: config.bms_refresh_token_lifetime,
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
