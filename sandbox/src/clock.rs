//! UTC timestamps without a date-time dependency: the sandbox needs only "now", an offset,
//! two text formats and the parsing of BMS filter values.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

const MILLIS_PER_DAY: i64 = 86_400_000;

/// Milliseconds since the Unix epoch, UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp(i64);

impl Timestamp {
    pub fn now() -> Self {
        let since_epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or(Duration::ZERO);
        Self(i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX))
    }

    pub const fn from_unix_seconds(seconds: i64) -> Self {
        Self(seconds.saturating_mul(1000))
    }

    pub fn plus(self, duration: Duration) -> Self {
        let millis = i64::try_from(duration.as_millis()).unwrap_or(i64::MAX);
        Self(self.0.saturating_add(millis))
    }

    pub fn unix_seconds(self) -> i64 {
        self.0.div_euclid(1000)
    }

    /// BMS wire format: no offset, no fraction (`2024-01-15T10:00:00`).
    pub fn to_bms(self) -> String {
        let (date, time, _) = self.parts();
        format!("{date}T{time}")
    }

    /// IT Glue wire format: RFC 3339 UTC with milliseconds (`2024-01-15T10:00:00.000Z`).
    pub fn to_itglue(self) -> String {
        format!("{}Z", self.to_stored())
    }

    /// A date without a time (`2024-01-15`), as IT Glue writes date-only fields.
    pub fn to_date(self) -> String {
        self.parts().0
    }

    /// Storage format with milliseconds; fixed width, so text comparison orders it.
    pub fn to_stored(self) -> String {
        let (date, time, millis) = self.parts();
        format!("{date}T{time}.{millis:03}")
    }

    fn parts(self) -> (String, String, i64) {
        let days = self.0.div_euclid(MILLIS_PER_DAY);
        let in_day = self.0.rem_euclid(MILLIS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        let secs = in_day / 1000;
        let time = format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60);
        (
            format!("{year:04}-{month:02}-{day:02}"),
            time,
            in_day % 1000,
        )
    }
}

/// Reads a BMS filter date (`2023-02-01`, `2023-02-01T10:00:00`, with an optional fraction
/// and `Z` or `±hh:mm` offset) as a UTC instant.
pub fn parse_filter_datetime(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    let (date, rest) = text.split_at_checked(10)?;
    let days = parse_date(date)?;
    let (seconds, offset) = if rest.is_empty() {
        (0, 0)
    } else {
        let rest = rest.strip_prefix('T').or_else(|| rest.strip_prefix(' '))?;
        parse_time_and_offset(rest)?
    };
    Some(Timestamp(days * MILLIS_PER_DAY + (seconds - offset) * 1000))
}

fn parse_date(date: &str) -> Option<i64> {
    let mut fields = date.split('-');
    let year = parse_digits(fields.next()?, 4)?;
    let month = parse_digits(fields.next()?, 2)?;
    let day = parse_digits(fields.next()?, 2)?;
    if fields.next().is_some() || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    Some(days_from_civil(year, month, day))
}

/// Returns seconds into the day and the offset east of UTC in seconds.
fn parse_time_and_offset(text: &str) -> Option<(i64, i64)> {
    let split = text.find(['Z', 'z', '+', '-']).unwrap_or(text.len());
    let (clock, zone) = text.split_at(split);
    let clock = clock.split('.').next()?;
    let mut fields = clock.split(':');
    let hours = parse_digits(fields.next()?, 2)?;
    let minutes = parse_digits(fields.next()?, 2)?;
    let seconds = fields.next().map_or(Some(0), |s| parse_digits(s, 2))?;
    if fields.next().is_some() || hours > 23 || minutes > 59 || seconds > 60 {
        return None;
    }
    Some((hours * 3600 + minutes * 60 + seconds, parse_offset(zone)?))
}

fn parse_offset(zone: &str) -> Option<i64> {
    match zone {
        "" | "Z" | "z" => Some(0),
        _ => {
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            let (hours, minutes) = zone.get(1..)?.split_once(':')?;
            Some(sign * (parse_digits(hours, 2)? * 3600 + parse_digits(minutes, 2)? * 60))
        }
    }
}

fn parse_digits(text: &str, width: usize) -> Option<i64> {
    if text.len() != width || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

// Howard Hinnant's civil-calendar algorithms, valid far beyond any date the sandbox sees.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        // 2024-02-29T13:45:07.089Z
        let leap_day = Timestamp(1_709_214_307_089);
        assert_eq!(leap_day.to_bms(), "2024-02-29T13:45:07");
        assert_eq!(leap_day.to_stored(), "2024-02-29T13:45:07.089");
        assert_eq!(Timestamp(0).to_bms(), "1970-01-01T00:00:00");
    }

    #[test]
    fn civil_conversion_round_trips() {
        for days in [-800_000, -1, 0, 59, 60, 11_016, 20_000, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn parses_filter_dates_in_every_accepted_shape() {
        let midnight = parse_filter_datetime("2023-02-01").map(Timestamp::to_bms);
        assert_eq!(midnight.as_deref(), Some("2023-02-01T00:00:00"));
        let zulu = parse_filter_datetime("2023-02-01T10:30:00.123Z").map(Timestamp::to_bms);
        assert_eq!(zulu.as_deref(), Some("2023-02-01T10:30:00"));
        let offset = parse_filter_datetime("2023-02-01T01:00:00+02:00").map(Timestamp::to_bms);
        assert_eq!(offset.as_deref(), Some("2023-01-31T23:00:00"));
        let no_seconds = parse_filter_datetime("2023-02-01 08:15").map(Timestamp::to_bms);
        assert_eq!(no_seconds.as_deref(), Some("2023-02-01T08:15:00"));
    }

    #[test]
    fn rejects_malformed_filter_dates() {
        for bad in [
            "",
            "2023-2-01",
            "2023-13-01",
            "yesterday",
            "2023-02-01T25:00",
            "2023-02-01X",
        ] {
            assert_eq!(parse_filter_datetime(bad), None, "{bad}");
        }
    }
}
