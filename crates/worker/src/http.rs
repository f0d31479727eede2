//! The worker's direct calls (the widget, "Test connection"), on the same `fetch` as the sync runner.

use bms_itglue_core::transport::Method;

use crate::transport::fetch;

const TIMEOUT_MS: u64 = 20_000;

pub struct Reply {
    pub status: u16,
    pub body: String,
}

/// A transport failure: the request never got an HTTP answer.
pub struct Unreachable(pub String);

pub async fn get(url: &str, headers: &[(&str, &str)]) -> Result<Reply, Unreachable> {
    send(Method::Get, url, headers, None).await
}

pub async fn post_form(url: &str, headers: &[(&str, &str)], form: String) -> Result<Reply, Unreachable> {
    let mut headers = headers.to_vec();
    headers.push(("Content-Type", "application/x-www-form-urlencoded"));
    send(Method::Post, url, &headers, Some(&form)).await
}

async fn send(method: Method, url: &str, headers: &[(&str, &str)], body: Option<&str>) -> Result<Reply, Unreachable> {
    let response = fetch(method, url, headers, body, TIMEOUT_MS).await.map_err(|e| Unreachable(e.to_string()))?;
    Ok(Reply { status: response.status, body: response.body })
}
