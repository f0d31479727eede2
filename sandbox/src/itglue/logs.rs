//! Activity logs: `GET /logs`.
//!
//! As documented: only the last 30 days, only `page[number]` 1–5, and `filter[created_at]`
//! as a `"start, end"` range of at most a week that may not start with `*`. Sandbox
//! choices: the newest entry comes first unless `sort=created_at`; a page beyond 5 is a
//! 400; a user JWT needs the Administrator or Manager role and sees only its
//! organizations' entries. Entries come from the seed; API writes are not logged.

use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::{Extension, OriginalUri, State};
use axum::routing::get;
use rusqlite::Row;
use serde::Serialize;

use super::access::Principal;
use super::jsonapi::{ApiError, Document, Resource};
use super::listing::{self, Included};
use super::query::QueryParams;
use crate::clock::{Timestamp, parse_filter_datetime};
use crate::state::AppState;
use crate::store::sql::Conditions;

const KIND: &str = "logs";
const MAX_PAGE: u64 = 5;
const RETENTION: Duration = Duration::from_secs(30 * 24 * 60 * 60);
const MAX_RANGE_SECONDS: i64 = 7 * 24 * 60 * 60;
/// The real API's title, verbatim (verified live, see the reference).
const RANGE_ERROR: &str =
    "date range filter cannot be longer than a week, and cannot start with a wildcard";
const FROM: &str = "itglue_logs l";
const COLUMNS: &str =
    "l.id, l.created_at, l.level, l.user_id, l.organization_id, l.action, l.resource_type,
    l.resource_name, l.ip_address, l.ip_city, l.ip_region, l.ip_country, l.user_agent";
const SORTABLE: &[(&str, &str)] = &[("created_at", "l.created_at"), ("id", "l.id")];
/// The account id every entry carries; the sandbox has one account.
const ACCOUNT_ID: i64 = 1;

struct Log {
    id: i64,
    created_at: String,
    level: String,
    user_id: Option<i64>,
    organization_id: Option<i64>,
    action: String,
    resource_type: String,
    resource_name: Option<String>,
    ip_address: Option<String>,
    ip_city: Option<String>,
    ip_region: Option<String>,
    ip_country: Option<String>,
    user_agent: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct LogAttributes<'a> {
    created_at: &'a str,
    level: &'a str,
    account_id: i64,
    user_id: Option<i64>,
    organization_id: Option<i64>,
    action: &'a str,
    resource_type: &'a str,
    resource_name: Option<&'a str>,
    ip_address: Option<&'a str>,
    ip_city: Option<&'a str>,
    ip_region: Option<&'a str>,
    ip_country: Option<&'a str>,
    user_agent: Option<&'a str>,
}

impl Log {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            created_at: row.get(1)?,
            level: row.get(2)?,
            user_id: row.get(3)?,
            organization_id: row.get(4)?,
            action: row.get(5)?,
            resource_type: row.get(6)?,
            resource_name: row.get(7)?,
            ip_address: row.get(8)?,
            ip_city: row.get(9)?,
            ip_region: row.get(10)?,
            ip_country: row.get(11)?,
            user_agent: row.get(12)?,
        })
    }

    fn to_resource(&self) -> Result<Resource, ApiError> {
        Resource::new(
            self.id,
            KIND,
            &LogAttributes {
                created_at: &self.created_at,
                level: &self.level,
                account_id: ACCOUNT_ID,
                user_id: self.user_id,
                organization_id: self.organization_id,
                action: &self.action,
                resource_type: &self.resource_type,
                resource_name: self.resource_name.as_deref(),
                ip_address: self.ip_address.as_deref(),
                ip_city: self.ip_city.as_deref(),
                ip_region: self.ip_region.as_deref(),
                ip_country: self.ip_country.as_deref(),
                user_agent: self.user_agent.as_deref(),
            },
        )
    }
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/logs", get(index))
}

/// `"start, end"` with `*` allowed as the end: the bounds as stored text.
fn created_range(values: &[String]) -> Result<(String, Option<String>), ApiError> {
    let invalid = || ApiError::Unprocessable {
        title: RANGE_ERROR.to_owned(),
        detail: None,
        pointer: Some("filter[created_at]".to_owned()),
    };
    let [start, end] = values else {
        return Err(invalid());
    };
    let start = parse_filter_datetime(start).ok_or_else(invalid)?;
    if end == "*" {
        return Ok((start.to_itglue(), None));
    }
    let end = parse_filter_datetime(end).ok_or_else(invalid)?;
    let span = end.unix_seconds() - start.unix_seconds();
    if !(0..=MAX_RANGE_SECONDS).contains(&span) {
        return Err(invalid());
    }
    Ok((start.to_itglue(), Some(end.to_itglue())))
}

async fn index(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    OriginalUri(uri): OriginalUri,
) -> Result<Json<Document>, ApiError> {
    principal.require_manage()?;
    let query = QueryParams::parse(uri.query());
    if query.page.number > MAX_PAGE {
        return Err(ApiError::bad_parameter(
            format!(
                "page[number] must be between 1 and {MAX_PAGE}; narrow filter[created_at] instead"
            ),
            "page[number]",
        ));
    }
    let order = match query.sort {
        Some(_) => listing::order(&query, SORTABLE, "l.id")?,
        None => " ORDER BY l.created_at DESC, l.id DESC".to_owned(),
    };
    let oldest = Timestamp::from_unix_seconds(
        Timestamp::now().unix_seconds() - i64::try_from(RETENTION.as_secs()).unwrap_or_default(),
    );
    let mut conditions = Conditions::new();
    conditions.push("l.created_at >= ?", &[oldest.to_itglue()]);
    if let Some(values) = query.filters.get("created_at") {
        let (start, end) = created_range(values)?;
        conditions.push("l.created_at >= ?", &[start]);
        if let Some(end) = end {
            conditions.push("l.created_at <= ?", &[end]);
        }
    }
    principal.restrict_organizations(&mut conditions, "l.organization_id");
    let (total, logs) = state.store.read(|connection| {
        listing::select_page(
            connection,
            COLUMNS,
            FROM,
            &conditions,
            &order,
            Some(query.page),
            Log::from_row,
        )
    })?;
    let resources = logs
        .iter()
        .map(Log::to_resource)
        .collect::<Result<_, _>>()?;
    Ok(Json(listing::page_document(
        &state,
        &uri,
        &query,
        total,
        resources,
        Included::new(&query),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(start: &str, end: &str) -> Result<(String, Option<String>), ApiError> {
        created_range(&[start.to_owned(), end.to_owned()])
    }

    #[test]
    fn ranges_are_a_week_at_most_and_open_only_at_the_end() {
        assert!(range("2025-08-01", "2025-08-08").is_ok());
        assert!(range("2025-08-01", "2025-08-09").is_err());
        assert!(range("*", "2025-08-08").is_err());
        assert_eq!(
            range("2025-08-01", "*").ok(),
            Some(("2025-08-01T00:00:00.000Z".to_owned(), None))
        );
        assert!(created_range(&["2025-08-01".to_owned()]).is_err());
    }
}
