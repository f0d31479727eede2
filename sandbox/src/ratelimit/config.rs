//! The rate-limit switches: each API's quota (or none), and how an over-limit request is
//! answered where the real API does not document it.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// A number of requests allowed within a sliding window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    pub requests: u32,
    pub window: Duration,
}

impl Quota {
    /// IT Glue: "a maximum of 3000 requests within a 5-minute window", per account.
    pub const ITGLUE: Self = Self {
        requests: 3000,
        window: Duration::from_secs(5 * 60),
    };
    /// BMS: "1500 per hour per endpoint".
    pub const BMS: Self = Self {
        requests: 1500,
        window: Duration::from_secs(60 * 60),
    };
}

impl fmt::Display for Quota {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.requests, self.window.as_secs())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown rate limit {0:?} (expected REQUESTS/SECONDS, e.g. 3000/300, or off)")]
pub struct UnknownQuota(String);

/// `REQUESTS/SECONDS`, or `off` for no limit.
pub fn parse_quota(text: &str) -> Result<Option<Quota>, UnknownQuota> {
    if text.eq_ignore_ascii_case("off") {
        return Ok(None);
    }
    text.parse().map(Some)
}

impl FromStr for Quota {
    type Err = UnknownQuota;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let invalid = || UnknownQuota(s.to_owned());
        let (requests, seconds) = s.split_once('/').ok_or_else(invalid)?;
        let requests: u32 = requests.trim().parse().map_err(|_| invalid())?;
        let seconds: u64 = seconds.trim().parse().map_err(|_| invalid())?;
        if requests == 0 || seconds == 0 {
            return Err(invalid());
        }
        Ok(Self {
            requests,
            window: Duration::from_secs(seconds),
        })
    }
}

/// The BMS over-limit answer. The real one is undocumented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverLimit {
    pub status: u16,
    /// The raw body; `None` sends the `success:false` envelope with code 429.
    pub body: Option<String>,
}

impl Default for OverLimit {
    fn default() -> Self {
        Self {
            status: 429,
            body: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimits {
    /// Per IT Glue account; `None` turns the limit off.
    pub itglue: Option<Quota>,
    /// Send `Retry-After` on IT Glue 429s (no public source shows one).
    pub itglue_retry_after: bool,
    /// Per BMS endpoint (method and route template); `None` turns the limit off.
    pub bms: Option<Quota>,
    pub bms_over_limit: OverLimit,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            itglue: Some(Quota::ITGLUE),
            itglue_retry_after: false,
            bms: Some(Quota::BMS),
            bms_over_limit: OverLimit::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotas_parse_from_requests_per_seconds() {
        assert_eq!(parse_quota("3000/300"), Ok(Some(Quota::ITGLUE)));
        assert_eq!(parse_quota("OFF"), Ok(None));
        assert_eq!(Quota::BMS.to_string(), "1500/3600");
        for bad in ["", "10", "0/5", "5/0", "a/b", "-1/5"] {
            assert!(parse_quota(bad).is_err(), "{bad}");
        }
    }
}
