//! How the extension and the native sync command talk to both services without tripping their limits: the
//! request and response shapes, the rate budgets, and the retry decisions. Pure: the async loop that sleeps and
//! sends lives in the shells, which ask these types what to do next.

pub mod rate;
pub mod retry;

pub use rate::{Budget, Limiter, RateLimits};
pub use retry::{Decision, Outcome, RetryPolicy};

use serde::{Deserialize, Serialize};

use crate::widget::Service;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// Which limit a request counts against. BMS limits each endpoint separately (1,500 calls an hour per
/// endpoint); IT Glue limits the whole account (3,000 requests per 5 minutes), so its route is informational.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Endpoint {
    pub service: Service,
    /// The route template, e.g. `GET /v2/crm/accounts/summary`, never the concrete URL with ids.
    pub route: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpRequest {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
    pub endpoint: Endpoint,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpResponse {
    pub status: u16,
    /// `Retry-After` in seconds, when the service sent one.
    pub retry_after: Option<u64>,
    pub body: String,
}
