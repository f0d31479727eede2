//! HTTP with reqwest and time with tokio, for the sync runner outside the browser.

use std::cell::Cell;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bms_itglue_core::transport::{HttpRequest, HttpResponse, Method};
use bms_itglue_sync_runner::{Clock, Transport, TransportError};

pub struct HttpTransport {
    client: reqwest::Client,
}

impl HttpTransport {
    pub fn new() -> Result<Self, reqwest::Error> {
        Ok(HttpTransport { client: reqwest::Client::builder().build()? })
    }
}

fn method(method: Method) -> reqwest::Method {
    match method {
        Method::Get => reqwest::Method::GET,
        Method::Post => reqwest::Method::POST,
        Method::Put => reqwest::Method::PUT,
        Method::Patch => reqwest::Method::PATCH,
        Method::Delete => reqwest::Method::DELETE,
    }
}

/// A deadline that fired is a timeout (the policy then asks for a smaller page); anything else is the network.
fn classify(error: &reqwest::Error, timeout_ms: u64) -> TransportError {
    if error.is_timeout() { TransportError::Timeout(timeout_ms) } else { TransportError::Network(error.to_string()) }
}

impl Transport for HttpTransport {
    async fn send(&self, request: &HttpRequest, timeout_ms: u64) -> Result<HttpResponse, TransportError> {
        let mut builder =
            self.client.request(method(request.method), &request.url).timeout(Duration::from_millis(timeout_ms));
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        if let Some(body) = &request.body {
            builder = builder.body(body.clone());
        }
        let response = builder.send().await.map_err(|e| classify(&e, timeout_ms))?;
        let status = response.status().as_u16();
        let retry_after =
            response.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse().ok());
        let body = response.text().await.map_err(|e| classify(&e, timeout_ms))?;
        Ok(HttpResponse { status, retry_after, body })
    }
}

/// Wall-clock time and tokio timers; jitter from a xorshift seeded by the clock.
pub struct SystemClock {
    state: Cell<u64>,
}

impl Default for SystemClock {
    fn default() -> Self {
        let seed = SystemTime::now().duration_since(UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64) | 1;
        SystemClock { state: Cell::new(seed) }
    }
}

impl Clock for SystemClock {
    fn now_ms(&self) -> u64 {
        SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
    }

    async fn sleep(&self, ms: u64) {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }

    fn jitter(&self) -> f64 {
        let mut x = self.state.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.state.set(x);
        (x >> 11) as f64 / (1u64 << 53) as f64
    }
}
