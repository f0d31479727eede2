//! The sync runner's transport in the worker: `fetch` with a deadline.

use bms_itglue_core::transport::{HttpRequest, HttpResponse, Method};
use bms_itglue_sync_runner::{Transport, TransportError};
use gloo_net::http::{Request, RequestBuilder};

pub struct FetchTransport;

impl Transport for FetchTransport {
    async fn send(&self, request: &HttpRequest, timeout_ms: u64) -> Result<HttpResponse, TransportError> {
        let signal = web_sys::AbortSignal::timeout_with_u32(timeout_ms.min(u32::MAX as u64) as u32);
        let mut builder = builder(request.method, &request.url).abort_signal(Some(&signal));
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        let built = match &request.body {
            Some(body) => builder.body(body.clone()),
            None => builder.build(),
        }
        .map_err(|e| TransportError::Network(e.to_string()))?;
        let response = built.send().await.map_err(|e| classify(e, &signal, timeout_ms))?;
        let retry_after = response.headers().get("retry-after").and_then(|v| v.trim().parse().ok());
        let status = response.status();
        let body = response.text().await.map_err(|e| classify(e, &signal, timeout_ms))?;
        Ok(HttpResponse { status, retry_after, body })
    }
}

fn builder(method: Method, url: &str) -> RequestBuilder {
    match method {
        Method::Get => Request::get(url),
        Method::Post => Request::post(url),
        Method::Put => Request::put(url),
        Method::Patch => Request::patch(url),
        Method::Delete => Request::delete(url),
    }
}

/// An aborted fetch is our deadline firing, which the retry policy treats differently from a network error.
fn classify(error: gloo_net::Error, signal: &web_sys::AbortSignal, timeout_ms: u64) -> TransportError {
    if signal.aborted() { TransportError::Timeout(timeout_ms) } else { TransportError::Network(error.to_string()) }
}
