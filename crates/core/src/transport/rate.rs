//! Sliding-window request budgets, one per limit key, kept a little under each service's published limit so
//! that the extension and any other integration of the same account do not push it over together.

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

use super::Endpoint;
use crate::widget::Service;

/// A limit: at most `requests` in any `window_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Budget {
    pub requests: usize,
    pub window_ms: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateLimits {
    /// Per IT Glue account: the API allows 3,000 per 5 minutes.
    pub itglue: Budget,
    /// Per BMS endpoint: the API allows 1,500 per hour.
    pub bms_per_endpoint: Budget,
}

impl Default for RateLimits {
    /// 90% of the published limits.
    fn default() -> Self {
        RateLimits {
            itglue: Budget { requests: 2_700, window_ms: 5 * 60 * 1000 },
            bms_per_endpoint: Budget { requests: 1_350, window_ms: 60 * 60 * 1000 },
        }
    }
}

/// Request times per limit key, oldest first.
#[derive(Debug, Clone, Default)]
pub struct Limiter {
    limits: RateLimits,
    sent: BTreeMap<String, VecDeque<u64>>,
}

impl Limiter {
    pub fn new(limits: RateLimits) -> Self {
        Limiter { limits, sent: BTreeMap::new() }
    }

    fn key_and_budget(&self, endpoint: &Endpoint) -> (String, Budget) {
        match endpoint.service {
            Service::ItGlue => ("itglue".into(), self.limits.itglue),
            Service::Bms => (format!("bms {}", endpoint.route), self.limits.bms_per_endpoint),
        }
    }

    /// How long to wait before a request to `endpoint` fits its budget; 0 means send now, and the request is
    /// then counted as sent at `now_ms`.
    pub fn acquire(&mut self, endpoint: &Endpoint, now_ms: u64) -> u64 {
        let (key, budget) = self.key_and_budget(endpoint);
        let times = self.sent.entry(key).or_default();
        while times.front().is_some_and(|&t| t + budget.window_ms <= now_ms) {
            times.pop_front();
        }
        if times.len() < budget.requests {
            times.push_back(now_ms);
            return 0;
        }
        times.front().map_or(0, |&oldest| oldest + budget.window_ms - now_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn endpoint(service: Service, route: &str) -> Endpoint {
        Endpoint { service, route: route.into() }
    }

    fn small() -> RateLimits {
        RateLimits { itglue: Budget { requests: 3, window_ms: 1000 }, bms_per_endpoint: Budget { requests: 2, window_ms: 1000 } }
    }

    #[test]
    fn waits_until_the_oldest_request_leaves_the_window() {
        let mut limiter = Limiter::new(small());
        let e = endpoint(Service::ItGlue, "GET /organizations");
        assert_eq!([0, 0, 0].map(|t| limiter.acquire(&e, t)), [0, 0, 0]);
        assert_eq!(limiter.acquire(&e, 400), 600);
        assert_eq!(limiter.acquire(&e, 1000), 0);
    }

    #[test]
    fn bms_budgets_are_per_endpoint_and_itglue_is_per_account() {
        let mut limiter = Limiter::new(small());
        let a = endpoint(Service::Bms, "GET /v2/crm/accounts/summary");
        let b = endpoint(Service::Bms, "GET /v2/crm/contacts/summary");
        assert_eq!([limiter.acquire(&a, 0), limiter.acquire(&a, 0), limiter.acquire(&b, 0)], [0, 0, 0]);
        assert!(limiter.acquire(&a, 0) > 0);
        let i = endpoint(Service::ItGlue, "GET /organizations");
        let j = endpoint(Service::ItGlue, "GET /configurations");
        assert_eq!([limiter.acquire(&i, 0), limiter.acquire(&j, 0), limiter.acquire(&i, 0)], [0, 0, 0]);
        assert!(limiter.acquire(&j, 0) > 0);
    }

    proptest! {
        /// Whatever the arrival times, no window ever holds more requests than the budget.
        #[test]
        fn never_exceeds_the_budget(gaps in proptest::collection::vec(0u64..400, 1..200)) {
            let mut limiter = Limiter::new(small());
            let e = endpoint(Service::ItGlue, "GET /organizations");
            let (mut now, mut sent) = (0u64, Vec::new());
            for gap in gaps {
                now += gap;
                let wait = limiter.acquire(&e, now);
                if wait > 0 {
                    now += wait;
                    prop_assert_eq!(limiter.acquire(&e, now), 0);
                }
                sent.push(now);
            }
            for (i, &t) in sent.iter().enumerate() {
                let in_window = sent[i..].iter().take_while(|&&u| u < t + 1000).count();
                prop_assert!(in_window <= 3);
            }
        }
    }
}
