//! Fault rules: what `PUT /_sandbox/faults` takes, how a rule's route matches a request,
//! and the seeded decision whether a matching request gets the fault.

use axum::http::{Method, StatusCode};
use serde::{Deserialize, Serialize};

/// What happens to a request that a rule picks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    /// Answer with this status and an error body in the API's shape.
    Status { status: u16 },
    /// Wait, then go on to the next rule and the route.
    Latency { ms: u64 },
    /// Answer as the rate limiter does.
    RateLimit,
    /// Hold the request this long, then close the connection without an answer.
    Timeout { ms: u64 },
    /// Send the real headers and half the body, then cut the connection.
    Truncate,
    /// Send the real status with a body that is not valid JSON.
    Malformed,
    /// Reset the connection (RST) without an answer.
    Reset,
    /// Treat each new bearer token as expired (401), and keep treating it so.
    ExpireTokens,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    pub route: String,
    pub fault: Fault,
    #[serde(default)]
    pub probability: Option<f64>,
    #[serde(default)]
    pub count: Option<u64>,
    #[serde(default)]
    pub seed: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSetSpec {
    pub rules: Vec<RuleSpec>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error(
        "rule {index}: route {route:?} must be \"METHOD /path\" or \"/path\" (METHOD may be *)"
    )]
    Route { index: usize, route: String },
    #[error("rule {index}: probability must be between 0 and 1")]
    Probability { index: usize },
    #[error("rule {index}: status must be between 100 and 599")]
    Status { index: usize },
}

/// A route: an optional method and a path whose segments match as a prefix of the
/// request path. `{name}` or `*` stands for any one segment; a trailing `$` asks for the
/// whole path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutePattern {
    method: Option<Method>,
    segments: Vec<Segment>,
    exact: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Any,
}

impl RoutePattern {
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let (method, path) = match text.split_once(char::is_whitespace) {
            Some((method, path)) => (Some(method), path.trim()),
            None => (None, text),
        };
        let method = match method {
            None | Some("*") => None,
            Some(name) => Some(Method::from_bytes(name.to_ascii_uppercase().as_bytes()).ok()?),
        };
        let (path, exact) = match path.strip_suffix('$') {
            Some(path) => (path, true),
            None => (path, false),
        };
        if !path.starts_with('/') {
            return None;
        }
        let segments = path
            .split('/')
            .filter(|segment| !segment.is_empty())
            .map(|segment| {
                if segment == "*" || (segment.starts_with('{') && segment.ends_with('}')) {
                    Segment::Any
                } else {
                    Segment::Literal(segment.to_owned())
                }
            })
            .collect();
        Some(Self {
            method,
            segments,
            exact,
        })
    }

    pub fn matches(&self, method: &Method, path: &str) -> bool {
        if self.method.as_ref().is_some_and(|wanted| wanted != method) {
            return false;
        }
        let mut actual = path.split('/').filter(|segment| !segment.is_empty());
        for segment in &self.segments {
            match (segment, actual.next()) {
                (_, None) => return false,
                (Segment::Any, Some(_)) => {}
                (Segment::Literal(wanted), Some(found)) if wanted == found => {}
                (Segment::Literal(_), Some(_)) => return false,
            }
        }
        !self.exact || actual.next().is_none()
    }
}

/// A rule with its own random sequence and counters.
#[derive(Debug)]
pub struct Rule {
    pub spec: RuleSpec,
    pattern: RoutePattern,
    rng: fastrand::Rng,
    pub matched: u64,
    pub fired: u64,
}

impl Rule {
    pub fn new(index: usize, spec: RuleSpec) -> Result<Self, RuleError> {
        let pattern = RoutePattern::parse(&spec.route).ok_or_else(|| RuleError::Route {
            index,
            route: spec.route.clone(),
        })?;
        if spec
            .probability
            .is_some_and(|p| !(0.0..=1.0).contains(&p) || p.is_nan())
        {
            return Err(RuleError::Probability { index });
        }
        if let Fault::Status { status } = spec.fault {
            if StatusCode::from_u16(status).is_err() || !(100..=599).contains(&status) {
                return Err(RuleError::Status { index });
            }
        }
        Ok(Self {
            rng: fastrand::Rng::with_seed(spec.seed.unwrap_or(0)),
            spec,
            pattern,
            matched: 0,
            fired: 0,
        })
    }

    pub fn matches(&self, method: &Method, path: &str) -> bool {
        self.pattern.matches(method, path)
    }

    /// Counts a matching request and decides whether it gets the fault: never once `count`
    /// faults were injected, otherwise with the rule's probability drawn from its own
    /// seeded sequence, so the same requests in the same order get the same faults.
    pub fn fires(&mut self) -> bool {
        self.matched += 1;
        if self.spec.count.is_some_and(|count| self.fired >= count) {
            return false;
        }
        let fire = self
            .spec
            .probability
            .is_none_or(|probability| self.rng.f64() < probability);
        if fire {
            self.fired += 1;
        }
        fire
    }

    /// Injections left before `count` is used up.
    pub fn remaining(&self) -> Option<u64> {
        self.spec
            .count
            .map(|count| count.saturating_sub(self.fired))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(text: &str) -> RoutePattern {
        RoutePattern::parse(text).unwrap_or_else(|| panic!("{text} should parse"))
    }

    #[test]
    fn routes_match_by_method_and_segment_prefix() {
        let organizations = pattern("GET /organizations");
        assert!(organizations.matches(&Method::GET, "/organizations"));
        assert!(organizations.matches(&Method::GET, "/organizations/5"));
        assert!(!organizations.matches(&Method::GET, "/organization_types"));
        assert!(!organizations.matches(&Method::PATCH, "/organizations"));
        let any_method = pattern("* /v2/crm");
        assert!(any_method.matches(&Method::POST, "/v2/crm/accounts"));
        let exact = pattern("get /v2/crm/accounts/summary/{id}$");
        assert!(exact.matches(&Method::GET, "/v2/crm/accounts/summary/101"));
        assert!(!exact.matches(&Method::GET, "/v2/crm/accounts/summary"));
        assert!(!exact.matches(&Method::GET, "/v2/crm/accounts/summary/1/x"));
        assert!(pattern("/").matches(&Method::DELETE, "/anything"));
        assert!(RoutePattern::parse("GET organizations").is_none());
        assert!(RoutePattern::parse("G(T /x").is_none());
    }

    #[test]
    fn same_seed_same_decisions_and_count_caps_injections() -> Result<(), RuleError> {
        let spec = |seed| RuleSpec {
            route: "/".to_owned(),
            fault: Fault::Reset,
            probability: Some(0.5),
            count: None,
            seed: Some(seed),
        };
        let decisions = |seed| -> Result<Vec<bool>, RuleError> {
            let mut rule = Rule::new(0, spec(seed))?;
            Ok((0..64).map(|_| rule.fires()).collect())
        };
        assert_eq!(decisions(7)?, decisions(7)?);
        assert_ne!(decisions(7)?, decisions(8)?);

        let mut capped = Rule::new(
            0,
            RuleSpec {
                count: Some(3),
                probability: None,
                ..spec(1)
            },
        )?;
        let fired = (0..10).filter(|_| capped.fires()).count();
        assert_eq!(
            (fired, capped.matched, capped.remaining()),
            (3, 10, Some(0))
        );
        Ok(())
    }

    #[test]
    fn rejects_bad_rules() {
        let spec = |fault, probability| RuleSpec {
            route: "GET /x".to_owned(),
            fault,
            probability,
            count: None,
            seed: None,
        };
        assert!(matches!(
            Rule::new(2, spec(Fault::Status { status: 42 }, None)),
            Err(RuleError::Status { index: 2 })
        ));
        assert!(matches!(
            Rule::new(0, spec(Fault::Reset, Some(1.5))),
            Err(RuleError::Probability { .. })
        ));
    }
}
