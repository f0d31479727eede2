//! Sending one request: wait for the rate budget, send, and retry according to the policy.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::future::Future;

use bms_itglue_core::transport::rate::Limiter;
use bms_itglue_core::transport::{Decision, HttpRequest, HttpResponse, Outcome, RateLimits, RetryPolicy};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    #[error("no answer within {0} ms")]
    Timeout(u64),
    #[error("{0}")]
    Network(String),
}

/// Sends one HTTP request; implemented with `fetch` in the worker and an HTTP client natively.
pub trait Transport {
    fn send(
        &self,
        request: &HttpRequest,
        timeout_ms: u64,
    ) -> impl Future<Output = Result<HttpResponse, TransportError>>;
}

/// Time, injected so that tests run instantly and deterministically.
pub trait Clock {
    fn now_ms(&self) -> u64;
    fn sleep(&self, ms: u64) -> impl Future<Output = ()>;
    /// A number in [0, 1) to spread retries.
    fn jitter(&self) -> f64;
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    #[error("HTTP {status}")]
    Http { status: u16, body: String },
    /// BMS answered 401: the caller refreshes its token and calls again.
    #[error("the access token was rejected")]
    TokenRejected,
    /// The page timed out: the caller asks again for a smaller page.
    #[error("the page timed out; ask for a smaller one")]
    PageTooLarge,
    #[error("unreachable after {attempts} attempts: {detail}")]
    Unreachable { attempts: u32, detail: String },
    /// A write that must not be repeated blindly got no clear answer (a timeout, a dropped connection, a 500 or
    /// 504): it may or may not have been carried out. The caller looks for its effect before trying again.
    #[error("no clear answer, the write may or may not have been carried out: {0}")]
    OutcomeUnknown(String),
}

/// What the scheduler did, for sync logs and benchmarks.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Metrics {
    pub requests: u64,
    pub rate_limited: u64,
    pub retries: u64,
    pub waited_ms: u64,
    pub by_route: BTreeMap<String, u64>,
}

pub struct Scheduler<T, C> {
    transport: T,
    clock: C,
    policy: RetryPolicy,
    timeout_ms: u64,
    limiter: RefCell<Limiter>,
    metrics: RefCell<Metrics>,
}

impl<T: Transport, C: Clock> Scheduler<T, C> {
    pub fn new(transport: T, clock: C, limits: RateLimits, policy: RetryPolicy, timeout_ms: u64) -> Self {
        Scheduler {
            transport,
            clock,
            policy,
            timeout_ms,
            limiter: RefCell::new(Limiter::new(limits)),
            metrics: RefCell::default(),
        }
    }

    pub fn metrics(&self) -> Metrics {
        self.metrics.borrow().clone()
    }

    pub fn clock(&self) -> &C {
        &self.clock
    }

    /// Sends `request` until it succeeds or the policy gives up. A 2xx/3xx answer is returned as is.
    pub async fn call(&self, request: &HttpRequest) -> Result<HttpResponse, CallError> {
        self.send_with_retries(request, false).await
    }

    /// Sends a write whose repetition could duplicate its effect (a create, a list "add"). Only answers that show
    /// the request was not carried out (429, 502, 503, 408) are retried; anything ambiguous ends the call with
    /// [`CallError::OutcomeUnknown`].
    pub async fn call_unrepeatable(&self, request: &HttpRequest) -> Result<HttpResponse, CallError> {
        self.send_with_retries(request, true).await
    }

    async fn send_with_retries(&self, request: &HttpRequest, unrepeatable: bool) -> Result<HttpResponse, CallError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.wait_for_budget(request).await;
            let sent = self.transport.send(request, self.timeout_ms).await;
            let outcome = match &sent {
                Ok(response) => Outcome::Status { status: response.status, retry_after: response.retry_after },
                Err(TransportError::Timeout(_)) => Outcome::Timeout,
                Err(TransportError::Network(_)) => Outcome::Network,
            };
            if matches!(outcome, Outcome::Status { status: 429, .. }) {
                self.metrics.borrow_mut().rate_limited += 1;
            }
            if unrepeatable && is_ambiguous(outcome) {
                let detail = match sent {
                    Ok(response) => format!("HTTP {}", response.status),
                    Err(e) => e.to_string(),
                };
                return Err(CallError::OutcomeUnknown(detail));
            }
            match self.policy.decide(attempt, outcome, self.clock.jitter(), false) {
                Decision::Done => {
                    return sent.map_err(|e| CallError::Unreachable { attempts: attempt, detail: e.to_string() });
                }
                Decision::RefreshToken => return Err(CallError::TokenRejected),
                Decision::Retry { halve_page: true, .. } => return Err(CallError::PageTooLarge),
                Decision::Retry { delay_ms, .. } => {
                    self.metrics.borrow_mut().retries += 1;
                    self.pause(delay_ms).await;
                }
                Decision::GiveUp => {
                    return Err(match sent {
                        Ok(response) => CallError::Http { status: response.status, body: response.body },
                        Err(e) => CallError::Unreachable { attempts: attempt, detail: e.to_string() },
                    });
                }
            }
        }
    }

    async fn wait_for_budget(&self, request: &HttpRequest) {
        loop {
            let wait = self.limiter.borrow_mut().acquire(&request.endpoint, self.clock.now_ms());
            if wait == 0 {
                break;
            }
            self.pause(wait).await;
        }
        let mut metrics = self.metrics.borrow_mut();
        metrics.requests += 1;
        *metrics.by_route.entry(request.endpoint.route.clone()).or_default() += 1;
    }

    async fn pause(&self, ms: u64) {
        self.metrics.borrow_mut().waited_ms += ms;
        self.clock.sleep(ms).await;
    }
}

/// Whether a failed write may have been carried out all the same.
fn is_ambiguous(outcome: Outcome) -> bool {
    match outcome {
        Outcome::Timeout | Outcome::Network => true,
        Outcome::Status { status, .. } => matches!(status, 500 | 504..=599),
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use bms_itglue_core::transport::{Budget, Endpoint, Method};
    use bms_itglue_core::widget::Service;

    use super::*;

    /// Answers with a scripted list of outcomes, then 200s.
    struct Script(RefCell<Vec<Result<HttpResponse, TransportError>>>);

    impl Transport for Script {
        async fn send(&self, _: &HttpRequest, _: u64) -> Result<HttpResponse, TransportError> {
            let mut script = self.0.borrow_mut();
            if script.is_empty() { Ok(reply(200)) } else { script.remove(0) }
        }
    }

    #[derive(Default)]
    struct FakeClock(Cell<u64>);

    impl Clock for FakeClock {
        fn now_ms(&self) -> u64 {
            self.0.get()
        }
        async fn sleep(&self, ms: u64) {
            self.0.set(self.0.get() + ms);
        }
        fn jitter(&self) -> f64 {
            0.0
        }
    }

    fn reply(status: u16) -> HttpResponse {
        HttpResponse { status, retry_after: None, body: String::new() }
    }

    fn request(service: Service) -> HttpRequest {
        HttpRequest {
            method: Method::Get,
            url: "http://x/".into(),
            headers: vec![],
            body: None,
            endpoint: Endpoint { service, route: "GET /x".into() },
        }
    }

    fn scheduler(script: Vec<Result<HttpResponse, TransportError>>) -> Scheduler<Script, FakeClock> {
        let limits = RateLimits {
            itglue: Budget { requests: 2, window_ms: 1_000 },
            bms_per_endpoint: Budget { requests: 2, window_ms: 1_000 },
        };
        let policy = RetryPolicy { max_attempts: 4, base_delay_ms: 10, max_delay_ms: 100, rate_limited_delay_ms: 500 };
        Scheduler::new(Script(RefCell::new(script)), FakeClock::default(), limits, policy, 5_000)
    }

    #[test]
    fn retries_server_errors_and_rate_limits_then_succeeds() {
        let s = scheduler(vec![Ok(reply(503)), Ok(reply(429)), Err(TransportError::Network("reset".into()))]);
        let response = pollster::block_on(s.call(&request(Service::ItGlue))).unwrap();
        assert_eq!(response.status, 200);
        let m = s.metrics();
        assert_eq!((m.requests, m.rate_limited, m.retries), (4, 1, 3));
        assert!(m.waited_ms >= 10 + 500 + 40, "waited {} ms", m.waited_ms);
    }

    #[test]
    fn stays_within_the_budget_by_waiting() {
        let s = scheduler(vec![]);
        for _ in 0..5 {
            pollster::block_on(s.call(&request(Service::Bms))).unwrap();
        }
        assert_eq!(s.clock().now_ms(), 2_000, "five calls at two per second end two seconds later");
    }

    #[test]
    fn hands_token_rejections_timeouts_and_final_errors_to_the_caller() {
        assert_eq!(
            pollster::block_on(scheduler(vec![Ok(reply(401))]).call(&request(Service::Bms))),
            Err(CallError::TokenRejected)
        );
        let timeout = scheduler(vec![Err(TransportError::Timeout(5_000))]);
        assert_eq!(pollster::block_on(timeout.call(&request(Service::ItGlue))), Err(CallError::PageTooLarge));
        let missing = pollster::block_on(scheduler(vec![Ok(reply(404))]).call(&request(Service::ItGlue)));
        assert_eq!(missing, Err(CallError::Http { status: 404, body: String::new() }));
        let down = scheduler((0..4).map(|_| Ok(reply(502))).collect());
        assert!(matches!(
            pollster::block_on(down.call(&request(Service::ItGlue))),
            Err(CallError::Http { status: 502, .. })
        ));
    }

    #[test]
    fn unrepeatable_writes_retry_only_clear_refusals() {
        let s = scheduler(vec![Ok(reply(429)), Ok(reply(503))]);
        assert_eq!(pollster::block_on(s.call_unrepeatable(&request(Service::ItGlue))).map(|r| r.status), Ok(200));
        for ambiguous in
            [Err(TransportError::Timeout(5_000)), Err(TransportError::Network("reset".into())), Ok(reply(504))]
        {
            let s = scheduler(vec![ambiguous]);
            let sent = pollster::block_on(s.call_unrepeatable(&request(Service::Bms)));
            assert!(matches!(sent, Err(CallError::OutcomeUnknown(_))), "{sent:?}");
            assert_eq!(s.metrics().requests, 1, "sent once, never repeated");
        }
    }
}
