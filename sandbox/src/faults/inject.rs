//! The fault layer itself: it plans each request against the rules, then delays it, answers
//! in the route's place, mangles the route's answer, or drops the connection.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

use super::Faults;
use super::connection::{ConnectionControl, Ending};
use super::rules::Fault;

/// Appended to a cut body, so no prefix of a JSON document can parse.
const GARBAGE: &[u8] = b"\x00<!-- upstream error -->";

pub async fn inject(State(faults): State<Faults>, request: Request, next: Next) -> Response {
    if request.uri().path().starts_with("/_sandbox/") {
        return next.run(request).await;
    }
    let bearer = bearer_token(&request);
    let plan = faults.plan(request.method(), request.uri().path(), bearer.as_deref());
    if !plan.delay.is_zero() {
        tokio::time::sleep(plan.delay).await;
    }
    let Some(fault) = plan.fault else {
        return next.run(request).await;
    };
    let control = request
        .extensions()
        .get::<ConnectInfo<ConnectionControl>>()
        .map(|info| info.0.clone());
    let api = faults.0.api;
    match fault {
        Fault::Status { status } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            api.error(status, "Injected by the sandbox.")
        }
        Fault::RateLimit => faults.0.rejection.response(Duration::from_secs(1)),
        Fault::Timeout { ms } => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            drop_connection(control, Ending::Close)
        }
        Fault::Reset => drop_connection(control, Ending::Reset),
        Fault::Truncate => truncate(next.run(request).await).await,
        Fault::Malformed => malform(next.run(request).await).await,
        Fault::ExpireTokens => api.expired_token(),
        // Latency never ends a plan; it is listed for the match to be exhaustive.
        Fault::Latency { .. } => next.run(request).await,
    }
}

fn bearer_token(request: &Request) -> Option<String> {
    request
        .headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim().to_owned())
}

/// Ends the connection before anything is written. The returned response is never sent:
/// writing it fails. Without a controlled connection (a router called directly), a body
/// that fails at once makes the server abort the connection instead.
fn drop_connection(control: Option<ConnectionControl>, ending: Ending) -> Response {
    match control {
        Some(control) => {
            control.end(ending);
            Response::new(Body::empty())
        }
        None => Response::new(Body::new(CutOff::new(None))),
    }
}

/// The real headers with the full `Content-Length`, then half the body, then the connection
/// is cut.
async fn truncate(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
    let half = bytes.slice(..bytes.len() / 2);
    Response::from_parts(parts, Body::new(CutOff::new(Some(half))))
}

/// The real status and headers with half the body followed by bytes no JSON parser takes.
async fn malform(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let mut mangled = bytes[..bytes.len() / 2].to_vec();
    mangled.extend_from_slice(GARBAGE);
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(mangled))
}

/// A body that yields its data, if any, lets the server flush it, and then fails, which makes
/// the server abort the connection mid-response.
struct CutOff {
    data: Option<Bytes>,
    flushed: bool,
}

impl CutOff {
    /// Without data it fails at once, before the server has flushed the response head.
    fn new(data: Option<Bytes>) -> Self {
        let data = data.filter(|data| !data.is_empty());
        Self {
            flushed: data.is_none(),
            data,
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("response cut off by an injected fault")]
struct CutOffError;

impl HttpBody for CutOff {
    type Data = Bytes;
    type Error = CutOffError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, CutOffError>>> {
        let this = self.get_mut();
        if let Some(data) = this.data.take() {
            return Poll::Ready(Some(Ok(http_body::Frame::data(data))));
        }
        if !this.flushed {
            // One pending turn: the server flushes what it has before it sees the error.
            this.flushed = true;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        Poll::Ready(Some(Err(CutOffError)))
    }
}
