//! What both API clients share: their error, the page sizes they step down through, and UTC time as the
//! services' filters spell it.

use bms_itglue_core::sync::normalize::Timestamp;

use crate::scheduler::CallError;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    #[error("{service} {what}: {source}{}", answer(source))]
    Call { service: &'static str, what: String, source: CallError },
    #[error("{service} {what}: the answer cannot be read: {detail}")]
    Malformed { service: &'static str, what: String, detail: String },
    /// BMS answered HTTP 200 with `success: false`.
    #[error("Kaseya BMS {what}: {message}")]
    Refused { what: String, message: String },
    #[error("Kaseya BMS sign-in failed: {0}")]
    SignIn(String),
    #[error("{0}")]
    Unsupported(String),
}

/// The start of a refusal's body: the service's own words say what was wrong.
fn answer(source: &CallError) -> String {
    match source {
        CallError::Http { body, .. } if !body.trim().is_empty() => {
            format!(": {}", body.chars().take(300).collect::<String>())
        }
        _ => String::new(),
    }
}

impl ApiError {
    /// Whether trying again later may succeed: rate limits, server errors, timeouts, unknown outcomes. A
    /// refusal (4xx, `success: false`) or an unsupported write will fail the same way until the data changes.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Call { source, .. } => match source {
                CallError::Http { status, .. } => *status == 429 || *status >= 500,
                CallError::TokenRejected => false,
                CallError::PageTooLarge | CallError::Unreachable { .. } | CallError::OutcomeUnknown(_) => true,
            },
            Self::Malformed { .. } => true,
            Self::Refused { .. } | Self::SignIn(_) | Self::Unsupported(_) => false,
        }
    }

    /// Whether a write may have happened although it reported no success.
    pub fn outcome_unknown(&self) -> bool {
        matches!(self, Self::Call { source: CallError::OutcomeUnknown(_), .. } | Self::Malformed { .. })
    }
}

/// Page sizes from the largest the services allow down to a floor; each divides the one before, so a listing
/// that steps down keeps its place (`page[number]` stays aligned with what was already read).
pub const PAGE_SIZES: [u32; 5] = [1000, 500, 250, 125, 25];

/// The next smaller page size, or `None` at the floor.
pub fn smaller_page(size: u32) -> Option<u32> {
    PAGE_SIZES.iter().copied().find(|&s| s < size)
}

/// How many times a GET whose answer could not be read is asked again before the listing gives up.
pub const UNREADABLE_RETRIES: u32 = 3;

/// `2024-05-01T13:45:10Z`: RFC 3339 in UTC, which both services' date filters take.
pub fn utc(at: Timestamp) -> String {
    let ms = at.unix_millis();
    let days = ms.div_euclid(86_400_000);
    let secs = ms.rem_euclid(86_400_000) / 1000;
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", secs / 3600, secs / 60 % 60, secs % 60)
}

/// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian calendar).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// A query-string value, percent-encoded.
pub fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_utc_times_both_services_read() {
        let at = Timestamp::parse("2024-02-29T23:59:58.250Z").unwrap();
        assert_eq!(utc(at), "2024-02-29T23:59:58Z");
        assert_eq!(utc(Timestamp::from_unix_millis(0)), "1970-01-01T00:00:00Z");
        assert_eq!(Timestamp::parse(&utc(at)).unwrap().unix_millis(), at.unix_millis() - 250);
    }

    #[test]
    fn page_sizes_step_down_to_a_floor() {
        assert_eq!(smaller_page(1000), Some(500));
        assert_eq!(smaller_page(125), Some(25));
        assert_eq!(smaller_page(25), None);
        for pair in PAGE_SIZES.windows(2) {
            assert_eq!(pair[0] % pair[1], 0, "{} is not a multiple of {}", pair[0], pair[1]);
        }
    }
}
