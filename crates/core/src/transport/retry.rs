//! What to do after a failed call: wait and retry (with exponential backoff and jitter), retry with a smaller
//! page, refresh the BMS token, or give up with the last error.

use serde::{Deserialize, Serialize};

/// How a call ended, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// An HTTP status, with the `Retry-After` seconds the service sent, if any.
    Status { status: u16, retry_after: Option<u64> },
    /// No answer before the deadline. Large list pages are the usual cause.
    Timeout,
    /// The connection failed or was reset.
    Network,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Done,
    Retry { delay_ms: u64, halve_page: bool },
    RefreshToken,
    GiveUp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub base_delay_ms: u64,
    pub max_delay_ms: u64,
    /// IT Glue's field advice: after a 429, wait about a minute when the service gives no hint.
    pub rate_limited_delay_ms: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { max_attempts: 8, base_delay_ms: 1_000, max_delay_ms: 60_000, rate_limited_delay_ms: 60_000 }
    }
}

impl RetryPolicy {
    /// The decision after attempt number `attempt` (1-based) ended with `outcome`. `jitter` in [0, 1) spreads
    /// retries of many clients apart; `token_refreshed` says whether a 401 was already answered by a refresh.
    pub fn decide(&self, attempt: u32, outcome: Outcome, jitter: f64, token_refreshed: bool) -> Decision {
        let retryable = match outcome {
            Outcome::Status { status: 200..=399, .. } => return Decision::Done,
            Outcome::Status { status: 401, .. } if !token_refreshed => return Decision::RefreshToken,
            Outcome::Status { status, .. } => status == 429 || status == 408 || (500..=599).contains(&status),
            Outcome::Timeout | Outcome::Network => true,
        };
        if !retryable || attempt >= self.max_attempts {
            return Decision::GiveUp;
        }
        let delay_ms = match outcome {
            Outcome::Status { status: 429, retry_after: Some(seconds) } => seconds.saturating_mul(1000),
            Outcome::Status { status: 429, retry_after: None } => self.rate_limited_delay_ms,
            _ => self.backoff(attempt),
        };
        let spread = (delay_ms as f64 * 0.25 * jitter.clamp(0.0, 1.0)) as u64;
        Decision::Retry { delay_ms: delay_ms + spread, halve_page: matches!(outcome, Outcome::Timeout | Outcome::Status { status: 504, .. }) }
    }

    fn backoff(&self, attempt: u32) -> u64 {
        let factor = 1u64.checked_shl(attempt.saturating_sub(1)).unwrap_or(u64::MAX);
        self.base_delay_ms.saturating_mul(factor).min(self.max_delay_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: RetryPolicy = RetryPolicy { max_attempts: 4, base_delay_ms: 100, max_delay_ms: 1_000, rate_limited_delay_ms: 5_000 };

    fn status(status: u16) -> Outcome {
        Outcome::Status { status, retry_after: None }
    }

    #[test]
    fn success_and_client_errors_end_the_call() {
        assert_eq!(P.decide(1, status(200), 0.0, false), Decision::Done);
        assert_eq!(P.decide(1, status(404), 0.0, false), Decision::GiveUp);
        assert_eq!(P.decide(1, status(422), 0.0, false), Decision::GiveUp);
    }

    #[test]
    fn a_401_refreshes_the_token_once() {
        assert_eq!(P.decide(1, status(401), 0.0, false), Decision::RefreshToken);
        assert_eq!(P.decide(2, status(401), 0.0, true), Decision::GiveUp);
    }

    #[test]
    fn server_errors_back_off_exponentially_up_to_a_cap() {
        let delays: Vec<_> = (1..4).map(|a| P.decide(a, status(503), 0.0, false)).collect();
        assert_eq!(
            delays,
            [100, 200, 400].map(|delay_ms| Decision::Retry { delay_ms, halve_page: false }).to_vec()
        );
        assert_eq!(P.decide(4, status(503), 0.0, false), Decision::GiveUp);
        assert_eq!(RetryPolicy { max_attempts: 99, ..P }.backoff(40), 1_000);
    }

    #[test]
    fn rate_limits_wait_as_told_or_a_minute_and_timeouts_halve_the_page() {
        assert_eq!(
            P.decide(1, Outcome::Status { status: 429, retry_after: Some(7) }, 0.0, false),
            Decision::Retry { delay_ms: 7_000, halve_page: false }
        );
        assert_eq!(P.decide(1, status(429), 0.0, false), Decision::Retry { delay_ms: 5_000, halve_page: false });
        assert_eq!(P.decide(1, Outcome::Timeout, 0.0, false), Decision::Retry { delay_ms: 100, halve_page: true });
        assert_eq!(P.decide(1, status(504), 0.0, false), Decision::Retry { delay_ms: 100, halve_page: true });
        assert_eq!(P.decide(1, Outcome::Network, 0.99, false), Decision::Retry { delay_ms: 124, halve_page: false });
    }
}
