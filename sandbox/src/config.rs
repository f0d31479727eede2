//! Start-up configuration and the behaviour switches for points where the real APIs are
//! undocumented or sources disagree.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::bms_web::BmsPages;
use crate::ratelimit::RateLimits;
use crate::store::world::WorldSpec;

/// Where the store lives when no path is given, relative to the current directory.
pub const DEFAULT_DB_PATH: &str = "target/sandbox/sandbox.db";

#[derive(Debug, Clone)]
pub struct Config {
    pub db_path: PathBuf,
    /// Drop and re-seed the store even when it already holds data.
    pub reset: bool,
    /// Initial Content-Security-Policy of the BMS pages; changeable at run time.
    pub csp: CspMode,
    pub itglue_auth_failure: AuthFailureStyle,
    /// The region the IT Glue API listener stands for; keys of other regions get 403.
    pub itglue_region: ItGlueRegion,
    /// Serve `/v2/crm/accounts/summary/{id}` as the bare DTO, as the published spec declares.
    pub bms_summary_unwrapped: bool,
    pub bms_token_lifetime: Duration,
    pub bms_refresh_token_lifetime: Duration,
    /// Ticket create no longer needs a queue or an assignee (the live API is reported to).
    pub bms_ticket_queue_optional: bool,
    /// How long a ticket merge job waits before it runs, as the real one is asynchronous.
    pub bms_merge_delay: Duration,
    /// Lifetime of the IT Glue user JWTs from `/jwt/token` (the real ones last about 2 h).
    pub itglue_jwt_lifetime: Duration,
    pub ports: Ports,
    /// The generated data set; a store seeded from another one is re-seeded.
    pub world: WorldSpec,
    /// PSA-synced organizations reject every PATCH, as the docs' intro says, instead of
    /// allowing alert, description and quick notes.
    pub itglue_org_sync_fully_locked: bool,
    /// Contacts' e-mails count as synced even without a PSA link (an unverified report).
    pub itglue_contact_emails_always_synced: bool,
    /// Synced records become editable while two-way sync is on (unverified).
    pub itglue_two_way_relaxes_locks: bool,
    /// The APIs' request quotas and over-limit answers.
    pub rate_limits: RateLimits,
    /// Record page URL shapes and the native IT Glue integration look-alike.
    pub bms_pages: BmsPages,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            db_path: PathBuf::from(DEFAULT_DB_PATH),
            reset: false,
            csp: CspMode::default(),
            itglue_auth_failure: AuthFailureStyle::default(),
            itglue_region: ItGlueRegion::default(),
            bms_summary_unwrapped: false,
            // Real clients refresh about every 15 minutes; the true lifetime is unpublished.
            bms_token_lifetime: Duration::from_secs(15 * 60),
            bms_refresh_token_lifetime: Duration::from_secs(24 * 60 * 60),
            bms_ticket_queue_optional: false,
            bms_merge_delay: Duration::from_secs(2),
            itglue_jwt_lifetime: Duration::from_secs(2 * 60 * 60),
            ports: Ports::default(),
            world: WorldSpec {
                seed: 1,
                scale: crate::store::world::Scale::Demo,
            },
            itglue_org_sync_fully_locked: false,
            itglue_contact_emails_always_synced: false,
            itglue_two_way_relaxes_locks: false,
            rate_limits: RateLimits::default(),
            bms_pages: BmsPages::default(),
        }
    }
}

/// Loopback ports; 0 lets the OS pick a free one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ports {
    pub itglue_api: u16,
    pub bms_api: u16,
    pub bms_web: u16,
    pub itglue_web: u16,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CspMode {
    Off,
    #[default]
    Relaxed,
    Strict,
}

impl CspMode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Off => "off",
            Self::Relaxed => "relaxed",
            Self::Strict => "strict",
        }
    }

    /// The header value, or `None` when no policy is sent.
    pub fn header_value(self) -> Option<&'static str> {
        match self {
            Self::Off => None,
            Self::Relaxed => {
                Some("script-src 'self' 'unsafe-inline' 'unsafe-eval'; object-src 'none'")
            }
            // No 'wasm-unsafe-eval': WebAssembly stays blocked, also for content scripts.
            Self::Strict => Some(
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'",
            ),
        }
    }
}

impl fmt::Display for CspMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown CSP mode {0:?} (expected off, relaxed or strict)")]
pub struct UnknownCspMode(String);

impl FromStr for CspMode {
    type Err = UnknownCspMode;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "off" => Ok(Self::Off),
            "relaxed" => Ok(Self::Relaxed),
            "strict" => Ok(Self::Strict),
            other => Err(UnknownCspMode(other.to_owned())),
        }
    }
}

/// How the IT Glue API answers a missing or unknown key: the docs say 403, the field has
/// also seen a 401 body.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AuthFailureStyle {
    #[default]
    Forbidden403,
    Unauthorized401,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown auth error status {0:?} (expected 403 or 401)")]
pub struct UnknownAuthFailureStyle(String);

impl FromStr for AuthFailureStyle {
    type Err = UnknownAuthFailureStyle;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "403" => Ok(Self::Forbidden403),
            "401" => Ok(Self::Unauthorized401),
            other => Err(UnknownAuthFailureStyle(other.to_owned())),
        }
    }
}

/// An IT Glue hosting region. Each has its own API host, and a key works only on its own
/// region's host.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ItGlueRegion {
    #[default]
    Us,
    Eu,
    Au,
}

impl ItGlueRegion {
    /// The spelling stored in `itglue_api_keys.region`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Us => "US",
            Self::Eu => "EU",
            Self::Au => "AU",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown IT Glue region {0:?} (expected us, eu or au)")]
pub struct UnknownItGlueRegion(String);

impl FromStr for ItGlueRegion {
    type Err = UnknownItGlueRegion;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Self::Us, Self::Eu, Self::Au]
            .into_iter()
            .find(|region| region.code().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownItGlueRegion(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csp_modes_round_trip_through_their_names() {
        for mode in [CspMode::Off, CspMode::Relaxed, CspMode::Strict] {
            assert_eq!(mode.as_str().parse::<CspMode>(), Ok(mode));
        }
        assert!("lax".parse::<CspMode>().is_err());
    }

    #[test]
    fn regions_parse_in_either_case() {
        assert_eq!("eu".parse::<ItGlueRegion>(), Ok(ItGlueRegion::Eu));
        assert_eq!("AU".parse::<ItGlueRegion>(), Ok(ItGlueRegion::Au));
        assert_eq!(ItGlueRegion::default().code(), "US");
        assert!("uk".parse::<ItGlueRegion>().is_err());
    }

    #[test]
    fn strict_policy_blocks_webassembly() {
        let strict = CspMode::Strict.header_value().unwrap_or_default();
        assert!(!strict.contains("wasm-unsafe-eval"));
        assert!(strict.contains("script-src 'self';"));
        assert_eq!(CspMode::Off.header_value(), None);
    }
}
