//! A sliding-window log: the times of the admitted requests of the last window. Exact, and
//! small enough at the documented quotas (a few thousand instants per key).

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::config::Quota;

#[derive(Debug, Default)]
pub struct SlidingWindow {
    admitted: VecDeque<Instant>,
    rejected: u64,
}

impl SlidingWindow {
    /// Admits a request at `now`, or says how long until the oldest admitted one leaves the
    /// window. Rejected requests do not count against the quota.
    pub fn admit(&mut self, quota: Quota, now: Instant) -> Result<(), Duration> {
        self.forget_before(quota, now);
        if self.admitted.len() < quota.requests as usize {
            self.admitted.push_back(now);
            return Ok(());
        }
        self.rejected += 1;
        let oldest = self.admitted.front().copied().unwrap_or(now);
        Err((oldest + quota.window).saturating_duration_since(now))
    }

    /// Requests admitted within the window ending at `now`.
    pub fn used(&mut self, quota: Quota, now: Instant) -> usize {
        self.forget_before(quota, now);
        self.admitted.len()
    }

    pub fn rejected(&self) -> u64 {
        self.rejected
    }

    fn forget_before(&mut self, quota: Quota, now: Instant) {
        while self
            .admitted
            .front()
            .is_some_and(|&at| now.saturating_duration_since(at) >= quota.window)
        {
            self.admitted.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slides_instead_of_resetting() {
        let quota = Quota {
            requests: 2,
            window: Duration::from_secs(10),
        };
        let start = Instant::now();
        let mut window = SlidingWindow::default();
        assert!(window.admit(quota, start).is_ok());
        assert!(window.admit(quota, start + Duration::from_secs(6)).is_ok());
        assert_eq!(
            window.admit(quota, start + Duration::from_secs(8)),
            Err(Duration::from_secs(2))
        );
        // The first request left the window; the second still holds a slot.
        assert!(window.admit(quota, start + Duration::from_secs(10)).is_ok());
        assert!(
            window
                .admit(quota, start + Duration::from_secs(11))
                .is_err()
        );
        assert_eq!(window.used(quota, start + Duration::from_secs(16)), 1);
        assert_eq!(window.rejected(), 2);
    }
}
