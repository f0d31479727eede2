//! The filters of `GET /organizations` (also used by filter-based bulk PATCH): exact
//! matches, `exclude`, the PSA pair, `primary`, `group_id`, `my_glue_account_id` and its
//! `range`, and the week-long `created_at`/`updated_at` date ranges.

use std::time::Duration;

use super::jsonapi::ApiError;
use super::query::Filters;
use super::synced::psa_condition;
use crate::clock::parse_filter_datetime;
use crate::store::sql::{Conditions, placeholders};

/// The exact title the real API answers for a range over a week or a leading wildcard.
pub const DATE_RANGE_TITLE: &str =
    "date range filter cannot be longer than a week, and cannot start with a wildcard";
const WEEK: Duration = Duration::from_secs(7 * 86_400);
const DAY: Duration = Duration::from_secs(86_400);

const EXACT: &[(&str, &str)] = &[
    ("id", "o.id"),
    ("name", "o.name"),
    ("organization_type_id", "o.organization_type_id"),
    ("organization_status_id", "o.organization_status_id"),
    ("my_glue_account_id", "o.my_glue_account_id"),
];

pub fn conditions(filters: &Filters) -> Result<Conditions, ApiError> {
    let mut conditions = Conditions::new();
    for (name, column) in EXACT {
        if let Some(values) = filters.get(name) {
            conditions.any_of(column, values);
        }
        if let Some(values) = filters.get(&format!("exclude.{name}")) {
            let clause = format!(
                "{column} IS NULL OR {column} NOT IN ({})",
                placeholders(values.len())
            );
            conditions.push(&clause, values);
        }
    }
    psa_condition(filters, &mut conditions, "Organization", "o.id");
    if let Some(values) = filters.get("primary") {
        let flags: Vec<i64> = values
            .iter()
            .filter_map(|v| match v.as_str() {
                "true" | "1" => Some(1),
                "false" | "0" => Some(0),
                _ => None,
            })
            .collect();
        conditions.any_of("o.is_primary", &flags);
    }
    if let Some(groups) = filters.get("group_id") {
        let clause = format!(
            "o.id IN (SELECT organization_id FROM itglue_group_organizations WHERE group_id IN ({}))",
            placeholders(groups.len())
        );
        conditions.push(&clause, groups);
    }
    if let Some(bounds) = filters.get("range.my_glue_account_id") {
        number_range(bounds, "o.my_glue_account_id", &mut conditions)?;
    }
    for (name, column) in [
        ("created_at", "o.created_at"),
        ("updated_at", "o.updated_at"),
    ] {
        if let Some(bounds) = filters.get(name) {
            date_range(bounds, column, &mut conditions)?;
        }
    }
    Ok(conditions)
}

fn range_error() -> ApiError {
    ApiError::Unprocessable {
        title: DATE_RANGE_TITLE.to_owned(),
        detail: None,
        pointer: None,
    }
}

/// `"start, end"` with `*` allowed only as the end; at most seven days apart. A date
/// without a time as the end covers that whole day.
fn date_range(
    bounds: &[String],
    column: &str,
    conditions: &mut Conditions,
) -> Result<(), ApiError> {
    let [start, end] = bounds else {
        return Err(range_error());
    };
    if start == "*" {
        return Err(range_error());
    }
    let invalid =
        || ApiError::bad_parameter("is not a valid date", column.trim_start_matches("o."));
    let from = parse_filter_datetime(start).ok_or_else(invalid)?;
    conditions.push(&format!("{column} >= ?"), &[from.to_itglue()]);
    if end == "*" {
        return Ok(());
    }
    let to = parse_filter_datetime(end).ok_or_else(invalid)?;
    if to < from || to.unix_seconds() - from.unix_seconds() > WEEK.as_secs().cast_signed() {
        return Err(range_error());
    }
    let (operator, bound) = if end.trim().len() == 10 {
        ("<", to.plus(DAY))
    } else {
        ("<=", to)
    };
    conditions.push(&format!("{column} {operator} ?"), &[bound.to_itglue()]);
    Ok(())
}

/// `"2, 10"`, `"2, *"` or `"*, 10"`.
fn number_range(
    bounds: &[String],
    column: &str,
    conditions: &mut Conditions,
) -> Result<(), ApiError> {
    let [low, high] = bounds else {
        return Err(ApiError::bad_parameter(
            "expects \"low, high\"",
            "filter[range]",
        ));
    };
    for (bound, operator) in [(low, ">="), (high, "<=")] {
        if bound == "*" {
            continue;
        }
        let value: i64 = bound
            .parse()
            .map_err(|_| ApiError::bad_parameter("is not a number", "filter[range]"))?;
        conditions.push(&format!("{column} {operator} ?"), &[value]);
    }
    Ok(())
}
