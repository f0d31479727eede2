//! Pieces every list and show route of the documentation resources shares: paged
//! selects, the page document with its links, de-duplicated `included`, path ids and
//! web links.

use std::collections::HashSet;

use axum::extract::{FromRequestParts, Path};
use axum::http::Uri;
use axum::http::request::Parts;
use rusqlite::types::Value;
use rusqlite::{Connection, Row};

use super::access::Principal;
use super::jsonapi::{self, ApiError, Document, Resource};
use super::paging::{PageInfo, PageRequest};
use super::query::{QueryParams, order_by};
use crate::clock::Timestamp;
use crate::state::AppState;
use crate::store::sql::{self, Conditions};

/// A record id from the path; anything but an integer is a missing record.
pub fn path_id(text: &str) -> Result<i64, ApiError> {
    text.trim().parse().map_err(|_| ApiError::RecordNotFound)
}

/// A record's id from `/{collection}/{id}` or `/{parents}/{parent_id}/relationships/{collection}/{id}`, so
/// that one handler serves both routes; `parent`, when given, must own the record.
pub struct RecordPath {
    pub id: i64,
    pub parent: Option<i64>,
}

impl<S: Send + Sync> FromRequestParts<S> for RecordPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(params) = Path::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::RecordNotFound)?;
        match params.as_slice() {
            [(_, id)] => Ok(RecordPath { id: path_id(id)?, parent: None }),
            [(_, parent), (_, id)] => Ok(RecordPath { id: path_id(id)?, parent: Some(path_id(parent)?) }),
            _ => Err(ApiError::RecordNotFound),
        }
    }
}

/// The current time in the API's format.
pub fn now() -> String {
    Timestamp::now().to_itglue()
}

/// `ORDER BY` from the caller's `sort`, with an unknown field as a 400.
pub fn order(
    query: &QueryParams,
    allowed: &[(&str, &str)],
    tie_breaker: &str,
) -> Result<String, ApiError> {
    order_by(query.sort.as_deref(), allowed, tie_breaker)
        .map_err(|unknown| ApiError::InvalidSort(unknown.0))
}

/// Counts the matches and reads one page of them (or all when `page` is `None`).
pub fn select_page<T>(
    connection: &Connection,
    select: &str,
    from: &str,
    conditions: &Conditions,
    order: &str,
    page: Option<PageRequest>,
    read: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<(u64, Vec<T>)> {
    let total = sql::count(connection, from, conditions)?;
    let mut text = format!(
        "SELECT {select} FROM {from}{}{order}",
        conditions.where_sql()
    );
    let mut params: Vec<Value> = conditions.params().to_vec();
    if let Some(page) = page {
        let (limit, offset) = page.limit_offset();
        text.push_str(" LIMIT ? OFFSET ?");
        params.extend([limit.into(), offset.into()]);
    }
    let mut statement = connection.prepare(&text)?;
    let rows = statement.query_map(rusqlite::params_from_iter(params), read)?;
    Ok((total, rows.collect::<rusqlite::Result<Vec<T>>>()?))
}

/// A list document with `meta` and absolute `links` for the request's path.
pub fn page_document(
    state: &AppState,
    uri: &Uri,
    query: &QueryParams,
    total: u64,
    resources: Vec<Resource>,
    included: Included,
) -> Document {
    let page = PageInfo::new(query.page, total);
    let links = page.links(
        &format!("{}{}", state.urls.itglue_api, uri.path()),
        query.non_page_pairs(),
    );
    jsonapi::collection(resources, included.finish(), page, links)
}

/// The `included` list: present when the caller asked for anything, each resource once.
#[derive(Default)]
pub struct Included {
    requested: bool,
    seen: HashSet<(&'static str, i64)>,
    resources: Vec<Resource>,
}

impl Included {
    pub fn new(query: &QueryParams) -> Self {
        Self {
            requested: !query.include.is_empty(),
            ..Self::default()
        }
    }

    /// Adds a resource unless one of the same type and id is already there.
    pub fn add(
        &mut self,
        kind: &'static str,
        id: i64,
        make: impl FnOnce() -> Result<Resource, ApiError>,
    ) -> Result<(), ApiError> {
        if self.seen.insert((kind, id)) {
            self.resources.push(make()?);
        }
        Ok(())
    }

    pub fn finish(self) -> Option<Vec<Resource>> {
        self.requested.then_some(self.resources)
    }
}

/// Checks the organization a record is written into: it must exist and be one the caller
/// may see. The error is the real API's, verbatim (itglue/automation#38).
pub fn organization_for_write(
    connection: &Connection,
    principal: &Principal,
    organization_id: Option<i64>,
) -> Result<i64, ApiError> {
    let invalid = || ApiError::Unprocessable {
        title: "Valid organization_id is required".to_owned(),
        detail: None,
        pointer: Some("data/attributes/organization_id".to_owned()),
    };
    let id = organization_id.ok_or_else(invalid)?;
    let exists: bool = connection.query_row(
        "SELECT EXISTS (SELECT 1 FROM itglue_organizations WHERE id = ?)",
        [id],
        |row| row.get(0),
    )?;
    if exists && principal.can_see_org(id) {
        Ok(id)
    } else {
        Err(invalid())
    }
}

/// Whether an organization exists and the caller may see it (nested routes 404 otherwise).
pub fn organization_visible(
    connection: &Connection,
    principal: &Principal,
    id: i64,
) -> rusqlite::Result<bool> {
    let exists: bool = connection.query_row(
        "SELECT EXISTS (SELECT 1 FROM itglue_organizations WHERE id = ?)",
        [id],
        |row| row.get(0),
    )?;
    Ok(exists && principal.can_see_org(id))
}

/// `Licensed Users` → `licensed-users`: the slug IT Glue uses for trait keys and URLs.
pub fn slug(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    slug
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lowercase_and_dashed() {
        assert_eq!(slug("Licensed Users"), "licensed-users");
        assert_eq!(slug("  Storage (TB) "), "storage-tb");
        assert_eq!(slug("Microsoft 365"), "microsoft-365");
    }

    #[test]
    fn included_is_absent_unless_requested_and_deduplicated() -> Result<(), ApiError> {
        let none = Included::new(&QueryParams::parse(None));
        assert!(none.finish().is_none());
        let mut some = Included::new(&QueryParams::parse(Some("include=attachments")));
        for _ in 0..2 {
            some.add("attachments", 1, || {
                Resource::new(1, "attachments", &serde_json::json!({}))
            })?;
        }
        assert_eq!(some.finish().map(|list| list.len()), Some(1));
        Ok(())
    }
}
