//! HTTP from the worker. Host permissions exempt these calls from CORS; every call has a deadline so that a
//! silent server shows as unreachable instead of a spinner that never ends.

use gloo_net::http::{Request, RequestBuilder};

const TIMEOUT_MS: u32 = 20_000;

pub struct Reply {
    pub status: u16,
    pub body: String,
}

/// A transport failure: the request never got an HTTP answer.
pub struct Unreachable(pub String);

pub async fn get(url: &str, headers: &[(&str, &str)]) -> Result<Reply, Unreachable> {
    send(with_headers(Request::get(url), headers), None).await
}

pub async fn post_form(url: &str, headers: &[(&str, &str)], form: String) -> Result<Reply, Unreachable> {
    let builder = with_headers(Request::post(url), headers).header("Content-Type", "application/x-www-form-urlencoded");
    send(builder, Some(form)).await
}

fn with_headers(mut builder: RequestBuilder, headers: &[(&str, &str)]) -> RequestBuilder {
    for (name, value) in headers {
        builder = builder.header(name, value);
    }
    builder
}

async fn send(builder: RequestBuilder, body: Option<String>) -> Result<Reply, Unreachable> {
    let signal = web_sys::AbortSignal::timeout_with_u32(TIMEOUT_MS);
    let builder = builder.abort_signal(Some(&signal));
    let request = match body {
        Some(body) => builder.body(body),
        None => builder.build(),
    }
    .map_err(|e| Unreachable(e.to_string()))?;
    let response = request.send().await.map_err(|e| Unreachable(e.to_string()))?;
    let status = response.status();
    let body = response.text().await.map_err(|e| Unreachable(e.to_string()))?;
    Ok(Reply { status, body })
}
