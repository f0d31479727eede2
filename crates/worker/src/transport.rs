//! `fetch` with a deadline: the sync runner's transport in the worker, and what the worker's own calls use.

use bms_itglue_core::transport::{HttpRequest, HttpResponse, Method};
use bms_itglue_sync_runner::{Transport, TransportError};
use gloo_net::http::{Request, RequestBuilder};

pub struct FetchTransport;

impl Transport for FetchTransport {
    async fn send(&self, request: &HttpRequest, timeout_ms: u64) -> Result<HttpResponse, TransportError> {
        let headers: Vec<(&str, &str)> = request.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        fetch(request.method, &request.url, &headers, request.body.as_deref(), timeout_ms).await
    }
}

/// One request. An answer that never comes aborts at the deadline, so a silent server shows as a timeout
/// instead of a spinner that never ends.
pub async fn fetch(
    method: Method,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
    timeout_ms: u64,
) -> Result<HttpResponse, TransportError> {
    let signal = web_sys::AbortSignal::timeout_with_u32(timeout_ms.min(u32::MAX as u64) as u32);
    let mut builder = builder(method, url).abort_signal(Some(&signal));
    for (name, value) in headers {
        builder = builder.header(name, value);
    }
    let built = match body {
        Some(body) => builder.body(body.to_owned()),
        None => builder.build(),
    }
    .map_err(|e| TransportError::Network(e.to_string()))?;
    let response = built.send().await.map_err(|e| classify(e, &signal, timeout_ms))?;
    let retry_after = response.headers().get("retry-after").and_then(|v| v.trim().parse().ok());
    let status = response.status();
    let body = response.text().await.map_err(|e| classify(e, &signal, timeout_ms))?;
    Ok(HttpResponse { status, retry_after, body })
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
