//! The forms in which values from the two systems compare equal.
//!
//! BMS stores free text (phones with punctuation, several MACs in one field, dates as `2024-01-15T00:00:00`); IT
//! Glue stores digits-only phones, one primary MAC and `2018-05-05` dates. Comparison goes through these helpers so
//! that a reformatted value is not mistaken for a change. Values written back keep their original case.

use serde::{Deserialize, Serialize};
use thiserror::Error;

#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum NormalizeError {
    #[error("not a date (expected YYYY-MM-DD...): {0:?}")]
    BadDate(String),
    #[error("not a timestamp (expected YYYY-MM-DDTHH:MM:SS with an optional offset): {0:?}")]
    BadTimestamp(String),
}

/// Trims and collapses every run of whitespace into one space.
pub fn collapse_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A stored text value: trimmed, and `None` when blank, so "" and null and "  " are the same empty value.
pub fn clean(value: Option<&str>) -> Option<String> {
    value.map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// The case-insensitive comparison form: collapsed whitespace, lower case.
pub fn fold(s: &str) -> String {
    collapse_whitespace(s).to_lowercase()
}

/// Whether two optional values are equal ignoring case and spacing, with blank equal to missing.
pub fn same_folded(a: Option<&str>, b: Option<&str>) -> bool {
    a.map(fold).unwrap_or_default() == b.map(fold).unwrap_or_default()
}

/// The comparison form of an email address. Addresses are case-insensitive in practice, and both systems let
/// users type them in any case.
pub fn email_key(address: &str) -> String {
    address.trim().to_lowercase()
}

/// A phone number as digits, with the extension apart. IT Glue keeps digits and a separate extension; BMS keeps
/// whatever was typed, e.g. "(415) 555-2156 x12".
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PhoneKey {
    pub digits: String,
    pub extension: Option<String>,
}

/// Words that start an extension in free text, longest first so "ext." wins over "x".
const EXTENSION_MARKERS: [&str; 5] = ["extension", "ext.", "ext", "x", "#"];

/// Splits free text into the number part and the extension part, both as typed (not yet reduced to digits).
pub fn split_extension(raw: &str) -> (&str, Option<&str>) {
    let lower = raw.to_ascii_lowercase();
    // Only a marker that follows at least one digit starts an extension: "#5" alone is not an extension.
    let first_digit = match lower.find(|c: char| c.is_ascii_digit()) {
        Some(i) => i,
        None => return (raw, None),
    };
    let marker = EXTENSION_MARKERS
        .iter()
        .filter_map(|m| lower[first_digit..].find(m).map(|at| (first_digit + at, m.len())))
        .min_by_key(|&(at, len)| (at, usize::MAX - len));
    match marker {
        Some((at, len)) => {
            let ext = raw[at + len..].trim();
            (raw[..at].trim(), (!ext.is_empty()).then_some(ext))
        }
        None => (raw.trim(), None),
    }
}

fn digits_of(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// The comparison form of a phone number: digits only, extension apart. An explicit extension (IT Glue's own
/// field) takes precedence over one found in the text.
pub fn phone_key(number: &str, extension: Option<&str>) -> PhoneKey {
    let (main, inline_ext) = split_extension(number);
    let ext = extension.map(digits_of).filter(|e| !e.is_empty()).or_else(|| inline_ext.map(digits_of)).filter(|e| !e.is_empty());
    PhoneKey { digits: digits_of(main), extension: ext }
}

/// A MAC address in the form `AA:BB:CC:DD:EE:FF`. A value that is not 12 hex digits (IT Glue's own docs show
/// `18-5E-0F-ED-99-9J`) is kept as typed, upper-cased, so nothing is lost; it then equals only itself.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub struct MacAddress(String);

impl MacAddress {
    /// `None` for a blank value.
    pub fn parse(raw: &str) -> Option<Self> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return None;
        }
        let hex: String = trimmed.chars().filter(|c| !matches!(c, ':' | '-' | '.' | ' ')).collect();
        if hex.len() == 12 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
            let upper = hex.to_ascii_uppercase();
            let pairs: Vec<&str> = (0..6).map(|i| &upper[i * 2..i * 2 + 2]).collect();
            Some(Self(pairs.join(":")))
        } else {
            Some(Self(trimmed.to_uppercase()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<String> for MacAddress {
    fn from(value: String) -> Self {
        Self::parse(&value).unwrap_or(Self(value))
    }
}

impl From<MacAddress> for String {
    fn from(value: MacAddress) -> Self {
        value.0
    }
}

impl std::fmt::Display for MacAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A field that may hold several MACs (`;`, `,` or whitespace separated), as BMS allows. The first is the primary
/// one; repeats are dropped.
pub fn parse_mac_list(raw: &str) -> Vec<MacAddress> {
    let mut out: Vec<MacAddress> = Vec::new();
    for part in raw.split(|c: char| c == ';' || c == ',' || c.is_whitespace()) {
        if let Some(mac) = MacAddress::parse(part)
            && !out.contains(&mac)
        {
            out.push(mac);
        }
    }
    out
}

/// A calendar date without time or zone, written `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SyncDate {
    year: i32,
    month: u32,
    day: u32,
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

fn fixed_digits(s: &str) -> Option<u32> {
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten()
}

impl SyncDate {
    pub fn new(year: i32, month: u32, day: u32) -> Option<Self> {
        ((1..=9999).contains(&year) && (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month))
            .then_some(Self { year, month, day })
    }

    /// Reads `2018-05-05`, BMS's `2024-01-15T00:00:00` and RFC 3339 `2016-09-14T17:02:44.000Z`. The date is taken
    /// as written: a date-only field is not shifted by the offset of its time part.
    pub fn parse(raw: &str) -> Result<Self, NormalizeError> {
        let bad = || NormalizeError::BadDate(raw.to_owned());
        let s = raw.trim();
        let (date, rest) = s.split_at_checked(10).ok_or_else(bad)?;
        if !(rest.is_empty() || rest.starts_with('T') || rest.starts_with(' ')) {
            return Err(bad());
        }
        let mut parts = date.split('-');
        let (y, m, d) = (parts.next(), parts.next(), parts.next());
        match (y, m, d, parts.next()) {
            (Some(y), Some(m), Some(d), None) if y.len() == 4 && m.len() == 2 && d.len() == 2 => {
                let year = i32::try_from(fixed_digits(y).ok_or_else(bad)?).map_err(|_| bad())?;
                Self::new(year, fixed_digits(m).ok_or_else(bad)?, fixed_digits(d).ok_or_else(bad)?).ok_or_else(bad)
            }
            _ => Err(bad()),
        }
    }

    /// Days since 1970-01-01 (proleptic Gregorian), after H. Hinnant's `days_from_civil`.
    fn days_since_epoch(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }
}

impl std::fmt::Display for SyncDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl TryFrom<String> for SyncDate {
    type Error = NormalizeError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<SyncDate> for String {
    fn from(value: SyncDate) -> Self {
        value.to_string()
    }
}

/// An instant, as milliseconds since the Unix epoch in UTC. Time is always passed in as data: the engine never
/// reads a clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(i64);

impl Timestamp {
    pub const fn from_unix_millis(ms: i64) -> Self {
        Self(ms)
    }

    pub const fn unix_millis(self) -> i64 {
        self.0
    }

    /// Reads `2024-01-15T10:00:00` (BMS; no offset, taken as UTC because BMS does not say otherwise),
    /// `2016-09-14T17:02:44.000Z` and `2026-04-07T14:00:00+00:00`.
    pub fn parse(raw: &str) -> Result<Self, NormalizeError> {
        let bad = || NormalizeError::BadTimestamp(raw.to_owned());
        let s = raw.trim();
        let date = SyncDate::parse(s).map_err(|_| bad())?;
        let rest = &s[10..];
        let day_ms = date.days_since_epoch() * 86_400_000;
        if rest.is_empty() {
            return Ok(Self(day_ms));
        }
        let time = &rest[1..];
        let (clock, offset_minutes) = split_offset(time).ok_or_else(bad)?;
        let clock_ms = parse_clock(clock).ok_or_else(bad)?;
        Ok(Self(day_ms + clock_ms - offset_minutes * 60_000))
    }
}

/// Splits `HH:MM:SS.fff+01:00` into the clock and the offset in minutes east of UTC.
fn split_offset(time: &str) -> Option<(&str, i64)> {
    if let Some(clock) = time.strip_suffix('Z').or_else(|| time.strip_suffix('z')) {
        return Some((clock, 0));
    }
    match time.rfind(['+', '-']) {
        Some(at) => {
            let sign = if time[at..].starts_with('-') { -1 } else { 1 };
            let offset = time[at + 1..].replace(':', "");
            if offset.len() != 4 || !offset.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let hours = i64::from(fixed_digits(&offset[..2])?);
            let minutes = i64::from(fixed_digits(&offset[2..])?);
            Some((&time[..at], sign * (hours * 60 + minutes)))
        }
        None => Some((time, 0)),
    }
}

fn parse_clock(clock: &str) -> Option<i64> {
    let (hms, fraction) = match clock.split_once('.') {
        Some((hms, f)) => (hms, Some(f)),
        None => (clock, None),
    };
    let mut parts = hms.split(':');
    let h = i64::from(fixed_digits(parts.next()?)?);
    let m = i64::from(fixed_digits(parts.next()?)?);
    let s = match parts.next() {
        Some(s) => i64::from(fixed_digits(s)?),
        None => 0,
    };
    if parts.next().is_some() || h > 23 || m > 59 || s > 60 {
        return None;
    }
    let ms = match fraction {
        Some(f) => {
            let digits: String = f.chars().take(3).collect();
            let value = i64::from(fixed_digits(&digits)?);
            value * 10_i64.pow(3 - u32::try_from(digits.len()).ok()?)
        }
        None => 0,
    };
    Some(((h * 60 + m) * 60 + s) * 1000 + ms)
}

/// The key under which names that differ only in case, spacing or punctuation collide: "Acme, Inc." and
/// "ACME Inc". The sync itself matches exactly, like the real integration; this key only feeds "likely
/// duplicate" warnings in the UI.
pub fn near_duplicate_key(name: &str) -> String {
    let spelled = name.replace('&', " and ");
    let kept: String = spelled.chars().filter(|c| c.is_alphanumeric() || c.is_whitespace()).collect();
    fold(&kept)
}

/// Whether two names would look like the same thing to a person, though exact matching may tell them apart.
pub fn likely_duplicate(a: &str, b: &str) -> bool {
    let key = near_duplicate_key(a);
    !key.is_empty() && key == near_duplicate_key(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn text_is_trimmed_and_blank_is_missing() {
        assert_eq!(collapse_whitespace("  Acme \t  Corp \n"), "Acme Corp");
        assert_eq!(clean(Some("   ")), None);
        assert_eq!(clean(Some(" x ")), Some("x".into()));
        assert!(same_folded(Some("UNITED  States"), Some("united states")));
        assert!(same_folded(None, Some(" ")));
    }

    #[test]
    fn phones_compare_by_digits_and_keep_the_extension() {
        assert_eq!(phone_key("(415) 555-2156", None), phone_key("4155552156", None));
        assert_eq!(
            phone_key("(415) 555-2156 x 12", None),
            PhoneKey { digits: "4155552156".into(), extension: Some("12".into()) }
        );
        assert_eq!(phone_key("415.555.2156 ext. 7", None), phone_key("4155552156", Some("7")));
        assert_eq!(phone_key("415-555-2156 Extension 99", None).extension.as_deref(), Some("99"));
        assert_ne!(phone_key("4155552156", Some("1")), phone_key("4155552156", None));
        assert_eq!(split_extension("#5"), ("#5", None));
    }

    #[test]
    fn macs_are_normalized_and_lists_split() {
        assert_eq!(MacAddress::parse("aa-bb-cc-dd-ee-ff").unwrap().as_str(), "AA:BB:CC:DD:EE:FF");
        assert_eq!(MacAddress::parse("aabb.ccdd.eeff").unwrap().as_str(), "AA:BB:CC:DD:EE:FF");
        assert_eq!(MacAddress::parse("18-5E-0F-ED-99-9J").unwrap().as_str(), "18-5E-0F-ED-99-9J");
        assert_eq!(MacAddress::parse("  "), None);
        let list = parse_mac_list("aa:bb:cc:dd:ee:ff; 11-22-33-44-55-66,AABBCCDDEEFF 01 02");
        let strs: Vec<&str> = list.iter().map(MacAddress::as_str).collect();
        assert_eq!(strs, ["AA:BB:CC:DD:EE:FF", "11:22:33:44:55:66", "01", "02"]);
    }

    #[test]
    fn dates_from_both_systems() {
        let d = SyncDate::new(2024, 1, 15).unwrap();
        assert_eq!(SyncDate::parse("2024-01-15T00:00:00"), Ok(d));
        assert_eq!(SyncDate::parse("2024-01-15"), Ok(d));
        assert_eq!(SyncDate::parse("2024-01-15T23:30:00.000-05:00"), Ok(d));
        assert_eq!(d.to_string(), "2024-01-15");
        assert!(SyncDate::parse("2023-02-29").is_err());
        assert!(SyncDate::parse("15/01/2024").is_err());
        assert!(SyncDate::parse("2024-01-15X").is_err());
        assert!(SyncDate::parse("").is_err());
    }

    #[test]
    fn timestamps_from_both_systems() {
        let z = Timestamp::parse("2016-09-14T17:02:44.000Z").unwrap();
        assert_eq!(z.unix_millis(), 1_473_872_564_000);
        assert_eq!(Timestamp::parse("2016-09-14T17:02:44"), Ok(z));
        assert_eq!(Timestamp::parse("2016-09-14T19:02:44+02:00"), Ok(z));
        assert_eq!(Timestamp::parse("2016-09-14T17:02:44.5Z").unwrap().unix_millis(), 1_473_872_564_500);
        assert_eq!(Timestamp::parse("1970-01-01").unwrap().unix_millis(), 0);
        assert!(Timestamp::parse("2016-09-14T25:00:00").is_err());
        assert!(Timestamp::parse("2016-09-14T17:02:44+2").is_err());
    }

    #[test]
    fn near_duplicates_are_detected_but_not_equal() {
        assert!(likely_duplicate("Acme, Inc.", "ACME Inc"));
        assert!(likely_duplicate("Smith & Sons", "Smith and Sons"));
        assert!(!likely_duplicate("Acme", "Acme Labs"));
        assert!(!likely_duplicate("...", "!!!"));
        assert_ne!(fold("Acme, Inc."), fold("Acme Inc"));
    }

    proptest! {
        #[test]
        fn formatted_phones_equal_their_digits(d in "[0-9]{10}", ext in proptest::option::of("[0-9]{1,4}")) {
            let pretty = format!("({}) {}-{}{}", &d[..3], &d[3..6], &d[6..], ext.as_ref().map(|e| format!(" x{e}")).unwrap_or_default());
            prop_assert_eq!(phone_key(&pretty, None), phone_key(&d, ext.as_deref()));
        }

        #[test]
        fn mac_normalization_is_idempotent(raw in "[0-9a-fA-F]{2}([:-]?[0-9a-fA-F]{2}){5}") {
            let once = MacAddress::parse(&raw).unwrap();
            prop_assert_eq!(MacAddress::parse(once.as_str()).unwrap(), once.clone());
            prop_assert_eq!(once.as_str().len(), 17);
        }

        #[test]
        fn date_display_round_trips(y in 1900i32..2100, m in 1u32..=12, d in 1u32..=28) {
            let date = SyncDate::new(y, m, d).unwrap();
            prop_assert_eq!(SyncDate::parse(&date.to_string()), Ok(date));
            prop_assert_eq!(SyncDate::parse(&format!("{date}T00:00:00")), Ok(date));
        }
    }
}
