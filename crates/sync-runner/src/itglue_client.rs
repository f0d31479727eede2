//! IT Glue calls on the scheduler: listings that follow paging to the end and check what they got against
//! `total-count`, the incremental listings (organizations by `updated_at` windows, other kinds by
//! `sort=-updated_at` down to the watermark), single records, writes and the lookup lists.

use std::collections::BTreeSet;

use bms_itglue_core::itglue::api::MEDIA_TYPE;
use bms_itglue_core::settings::{ApiBase, ItGlueSettings, Secret};
use bms_itglue_core::sync::mapping::itglue::ItgRequest;
use bms_itglue_core::sync::mapping::{ItgCatalog, Method as WriteMethod, NameIds, OperatingSystem, Region};
use bms_itglue_core::sync::normalize::Timestamp;
use bms_itglue_core::sync::{EntityKind, ItgId};
use bms_itglue_core::transport::{Endpoint, HttpRequest, Method};
use bms_itglue_core::widget::Service;
use serde_json::Value;

use crate::api::{ApiError, PAGE_SIZES, UNREADABLE_RETRIES, encode, smaller_page, utc};
use crate::scheduler::{CallError, Clock, Scheduler, Transport};

const SERVICE: &str = "IT Glue";
/// IT Glue refuses `updated_at` ranges longer than a week.
const WEEK_MS: i64 = 7 * 86_400_000;
/// Past this many one-week windows, one full listing of organizations is cheaper.
const MAX_WINDOWS: i64 = 8;
/// Ids per `filter[id]` request.
const ID_BATCH: usize = 100;
/// A listing whose count disagrees with `total-count` is read again this many times.
const LISTING_ATTEMPTS: u32 = 3;

pub fn plural(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Organization => "organizations",
        EntityKind::Location => "locations",
        EntityKind::Contact => "contacts",
        EntityKind::Configuration => "configurations",
    }
}

/// Resources of a listing (as read by the caller, or as sent), and whether their number matched the service's
/// `total-count`.
#[derive(Debug)]
pub struct Listed<R = Value> {
    pub resources: Vec<R>,
    pub verified: bool,
}

impl<R> Default for Listed<R> {
    fn default() -> Self {
        Listed { resources: Vec::new(), verified: false }
    }
}

struct PageDoc {
    data: Vec<Value>,
    has_next: bool,
    total: Option<u64>,
}

pub struct ItGlueClient<'s, T, C> {
    scheduler: &'s Scheduler<T, C>,
    base: ApiBase,
    key: Secret,
}

fn resource_id(resource: &Value) -> Option<String> {
    match resource.get("id")? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn updated_at(resource: &Value) -> Option<Timestamp> {
    let raw = resource.pointer("/attributes/updated-at")?.as_str()?;
    Timestamp::parse(raw).ok()
}

fn read_page(body: &str) -> Result<PageDoc, String> {
    let mut doc: Value = serde_json::from_str(body).map_err(|e| e.to_string())?;
    let next_page = doc.pointer("/meta/next-page").is_some_and(|v| !v.is_null());
    let next_link = doc.pointer("/links/next").is_some_and(|v| !v.is_null());
    let total = doc.pointer("/meta/total-count").and_then(Value::as_u64);
    let Some(Value::Array(data)) = doc.get_mut("data").map(Value::take) else { return Err("no data list".into()) };
    Ok(PageDoc { data, has_next: next_page || next_link, total })
}

impl<'s, T: Transport, C: Clock> ItGlueClient<'s, T, C> {
    pub fn new(scheduler: &'s Scheduler<T, C>, settings: &ItGlueSettings) -> Self {
        ItGlueClient { scheduler, base: settings.region.api_base(), key: settings.api_key.clone() }
    }

    fn request(&self, method: Method, path: &str, route: &str, body: Option<String>) -> HttpRequest {
        let mut headers =
            vec![("x-api-key".to_owned(), self.key.expose().to_owned()), ("Accept".to_owned(), MEDIA_TYPE.to_owned())];
        if body.is_some() {
            headers.push(("Content-Type".to_owned(), MEDIA_TYPE.to_owned()));
        }
        HttpRequest {
            method,
            url: self.base.join(path),
            headers,
            body,
            endpoint: Endpoint { service: Service::ItGlue, route: format!("{} {route}", method.as_str()) },
        }
    }

    fn call_error(what: &str, source: CallError) -> ApiError {
        ApiError::Call { service: SERVICE, what: what.to_owned(), source }
    }

    /// One GET whose body must parse; an unreadable answer (cut off, garbled) is asked for again.
    async fn get<R>(&self, path: &str, route: &str, read: impl Fn(&str) -> Result<R, String>) -> Result<R, ApiError> {
        let request = self.request(Method::Get, path, route, None);
        let mut last = String::new();
        for _ in 0..UNREADABLE_RETRIES {
            let response = self.scheduler.call(&request).await.map_err(|e| Self::call_error(route, e))?;
            match read(&response.body) {
                Ok(value) => return Ok(value),
                Err(detail) => last = detail,
            }
        }
        Err(ApiError::Malformed { service: SERVICE, what: route.to_owned(), detail: last })
    }

    /// A page, stepping the size down while pages time out. Returns the size that worked.
    async fn page(
        &self,
        path: &str,
        query: &str,
        route: &str,
        size: u32,
        offset: usize,
    ) -> Result<(PageDoc, u32), ApiError> {
        let mut size = size;
        loop {
            let number = offset / size as usize + 1;
            let url = format!("{path}?{query}page[size]={size}&page[number]={number}");
            match self.get(&url, route, read_page).await {
                Err(ApiError::Call { source: CallError::PageTooLarge, .. }) => {
                    size = smaller_page(size).ok_or_else(|| Self::call_error(route, CallError::PageTooLarge))?;
                }
                other => return other.map(|doc| (doc, size)),
            }
        }
    }

    /// Every resource at `path` (filters in `query`, each ending with `&`), in id order, to the last page; read
    /// again when the count disagrees with `total-count` (records added or removed while paging).
    pub async fn list_all(&self, path: &str, query: &str, route: &str) -> Result<Listed, ApiError> {
        self.read_all(path, query, route, |resource| resource).await
    }

    /// [`Self::list_all`], each resource handed to `read` as its page arrives: a listing of tens of thousands
    /// of resources is kept in the caller's form, not as JSON.
    async fn read_all<R>(
        &self,
        path: &str,
        query: &str,
        route: &str,
        mut read: impl FnMut(Value) -> R,
    ) -> Result<Listed<R>, ApiError> {
        let mut listed = Listed::default();
        for _ in 0..LISTING_ATTEMPTS {
            listed = self.list_once(path, &format!("{query}sort=id&"), route, &mut read).await?;
            if listed.verified {
                break;
            }
        }
        Ok(listed)
    }

    async fn list_once<R>(
        &self,
        path: &str,
        query: &str,
        route: &str,
        read: &mut impl FnMut(Value) -> R,
    ) -> Result<Listed<R>, ApiError> {
        let (mut size, mut offset) = (PAGE_SIZES[0], 0usize);
        let mut seen = BTreeSet::new();
        let mut resources = Vec::new();
        let mut total = None;
        loop {
            let (doc, used) = self.page(path, query, route, size, offset).await?;
            size = used;
            total = doc.total.or(total);
            let last = !doc.has_next || doc.data.is_empty();
            for resource in doc.data {
                if seen.insert(resource_id(&resource).unwrap_or_default()) {
                    resources.push(read(resource));
                }
            }
            if last {
                break;
            }
            offset += size as usize;
        }
        let verified = total.is_none_or(|t| t == resources.len() as u64);
        Ok(Listed { resources, verified })
    }

    /// Records of `kind` changed at or after `since`, newest first, paging `sort=-updated_at` until a page
    /// reaches older ones (the other kinds have no `updated_at` filter).
    pub async fn list_changed_since(&self, kind: EntityKind, since: Timestamp) -> Result<Vec<Value>, ApiError> {
        let path = format!("/{}", plural(kind));
        let route = path.clone();
        let (mut size, mut offset) = (PAGE_SIZES[0], 0usize);
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        loop {
            let (doc, used) = self.page(&path, "sort=-updated_at&", &route, size, offset).await?;
            size = used;
            let reached_older = doc.data.iter().any(|r| updated_at(r).is_some_and(|u| u < since));
            let last = !doc.has_next || doc.data.is_empty() || reached_older;
            for resource in doc.data {
                if updated_at(&resource).is_none_or(|u| u >= since)
                    && seen.insert(resource_id(&resource).unwrap_or_default())
                {
                    out.push(resource);
                }
            }
            if last {
                return Ok(out);
            }
            offset += size as usize;
        }
    }

    /// Organizations updated at or after `since`, in windows of at most a week that never start with `*`; a
    /// full listing when that would take more windows than it is worth.
    pub async fn organizations_changed_since(&self, since: Timestamp, now: Timestamp) -> Result<Vec<Value>, ApiError> {
        let span = now.unix_millis() - since.unix_millis();
        if span / WEEK_MS >= MAX_WINDOWS {
            return Ok(self.list_all("/organizations", "", "/organizations").await?.resources);
        }
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        let mut start = since.unix_millis();
        while start <= now.unix_millis() {
            let end = start + WEEK_MS;
            let range =
                format!("{}, {}", utc(Timestamp::from_unix_millis(start)), utc(Timestamp::from_unix_millis(end)));
            let query = format!("filter[updated_at]={}&", encode(&range));
            for resource in self.list_all("/organizations", &query, "/organizations").await?.resources {
                if seen.insert(resource_id(&resource).unwrap_or_default()) {
                    out.push(resource);
                }
            }
            start = end;
        }
        Ok(out)
    }

    /// Every record of `kind` (id order).
    pub async fn list_kind(&self, kind: EntityKind) -> Result<Listed, ApiError> {
        self.read_kind(kind, |resource| resource).await
    }

    /// [`Self::list_kind`], each resource as `read` makes it.
    pub async fn read_kind<R>(&self, kind: EntityKind, read: impl FnMut(Value) -> R) -> Result<Listed<R>, ApiError> {
        let path = format!("/{}", plural(kind));
        self.read_all(&path, "", &path, read).await
    }

    /// The records of `kind` in one organization, for re-checks before a create.
    pub async fn list_in_organization(&self, kind: EntityKind, organization: &ItgId) -> Result<Vec<Value>, ApiError> {
        let path = format!("/{}", plural(kind));
        let query = format!("filter[organization_id]={}&", encode(organization.as_str()));
        Ok(self.list_all(&path, &query, &path).await?.resources)
    }

    /// The records of `kind` with these ids (a comma-separated `filter[id]` is an OR list), in batches short
    /// enough for a URL.
    pub async fn list_by_ids(&self, kind: EntityKind, ids: &[ItgId]) -> Result<Vec<Value>, ApiError> {
        let path = format!("/{}", plural(kind));
        let mut out = Vec::new();
        for batch in ids.chunks(ID_BATCH) {
            let list: Vec<&str> = batch.iter().map(ItgId::as_str).collect();
            let query = format!("filter[id]={}&", encode(&list.join(",")));
            out.extend(self.list_all(&path, &query, &path).await?.resources);
        }
        Ok(out)
    }

    /// Organizations named exactly `name` (a comma would make the filter an OR list, so it is escaped).
    pub async fn organizations_named(&self, name: &str) -> Result<Vec<Value>, ApiError> {
        let query = format!("filter[name]={}&", encode(&name.replace(',', "\\,")));
        Ok(self.list_all("/organizations", &query, "/organizations").await?.resources)
    }

    /// One record, or `None` when IT Glue has no such record.
    pub async fn get_one(&self, kind: EntityKind, id: &ItgId) -> Result<Option<Value>, ApiError> {
        let path = format!("/{}/{}", plural(kind), encode(id.as_str()));
        let route = format!("/{}/{{id}}", plural(kind));
        let read = |body: &str| {
            let doc: Value = serde_json::from_str(body).map_err(|e| e.to_string())?;
            doc.get("data").cloned().ok_or_else(|| "no data".to_owned())
        };
        match self.get(&path, &route, read).await {
            Err(ApiError::Call { source: CallError::Http { status: 404, .. }, .. }) => Ok(None),
            other => other.map(Some),
        }
    }

    /// Sends one write. A create is sent once (a repeat could duplicate the record) and returns the new id; an
    /// update is repeated until it gets an answer.
    pub async fn send(&self, write: &ItgRequest) -> Result<Option<ItgId>, ApiError> {
        let path = write.path();
        let (method, route) = match (write.method, &write.id) {
            (WriteMethod::Post, _) => (Method::Post, format!("/{}", plural(write.kind))),
            (_, Some(_)) => (Method::Patch, format!("/{}/{{id}}", plural(write.kind))),
            (_, None) => (Method::Patch, format!("/{}", plural(write.kind))),
        };
        let request = self.request(method, &path, &route, Some(write.document().to_string()));
        let what = format!("{} {route}", method.as_str());
        let response = if method == Method::Post {
            self.scheduler.call_unrepeatable(&request).await
        } else {
            self.call_repeating(&request).await
        }
        .map_err(|e| Self::call_error(&what, e))?;
        if method != Method::Post {
            return Ok(None);
        }
        let doc: Value = serde_json::from_str(&response.body).map_err(|e| ApiError::Malformed {
            service: SERVICE,
            what: what.clone(),
            detail: e.to_string(),
        })?;
        let id = doc.get("data").and_then(resource_id);
        id.map(|id| Some(ItgId::new(id))).ok_or(ApiError::Malformed {
            service: SERVICE,
            what,
            detail: "the created record has no id".into(),
        })
    }

    /// A repeatable call: a timeout (which the scheduler reports as "ask for less") is simply tried again.
    async fn call_repeating(
        &self,
        request: &HttpRequest,
    ) -> Result<bms_itglue_core::transport::HttpResponse, CallError> {
        let mut last = CallError::PageTooLarge;
        for _ in 0..UNREADABLE_RETRIES {
            match self.scheduler.call(request).await {
                Err(CallError::PageTooLarge) => last = CallError::PageTooLarge,
                other => return other,
            }
        }
        Err(last)
    }

    async fn names(&self, path: &str) -> Result<NameIds, ApiError> {
        let listed = self.list_all(path, "", path).await?;
        let pairs = listed.resources.iter().filter_map(|r| {
            let id = resource_id(r)?.parse::<i64>().ok()?;
            let name = r.pointer("/attributes/name")?.as_str()?.to_owned();
            Some((name, id))
        });
        Ok(NameIds::new(pairs.collect::<Vec<_>>()))
    }

    /// A lookup list the service may not offer (the sandbox has no countries or regions): absent is empty.
    async fn optional(&self, path: &str) -> Result<Vec<Value>, ApiError> {
        match self.list_all(path, "", path).await {
            Err(ApiError::Call { source: CallError::Http { status: 404, .. }, .. }) => Ok(Vec::new()),
            other => other.map(|l| l.resources),
        }
    }

    /// The lookup lists the mapping needs: types, statuses, manufacturers, models, countries, regions and
    /// operating systems.
    pub async fn catalog(&self) -> Result<ItgCatalog, ApiError> {
        let countries = self.optional("/countries").await?;
        let regions = self.optional("/regions").await?;
        let systems = self.list_all("/operating_systems", "", "/operating_systems").await?.resources;
        Ok(ItgCatalog {
            organization_types: self.names("/organization_types").await?,
            organization_statuses: self.names("/organization_statuses").await?,
            configuration_types: self.names("/configuration_types").await?,
            configuration_statuses: self.names("/configuration_statuses").await?,
            manufacturers: self.names("/manufacturers").await?,
            models: self.names("/models").await?,
            countries: NameIds::new(
                countries
                    .iter()
                    .filter_map(|r| {
                        Some((
                            r.pointer("/attributes/name")?.as_str()?.to_owned(),
                            resource_id(r)?.parse::<i64>().ok()?,
                        ))
                    })
                    .collect::<Vec<_>>(),
            ),
            regions: regions
                .iter()
                .filter_map(|r| {
                    Some(Region {
                        id: resource_id(r)?.parse().ok()?,
                        name: r.pointer("/attributes/name")?.as_str()?.to_owned(),
                        country_id: r.pointer("/attributes/country-id")?.as_i64()?,
                    })
                })
                .collect(),
            operating_systems: systems
                .iter()
                .filter_map(|r| {
                    Some(OperatingSystem {
                        id: resource_id(r)?.parse().ok()?,
                        name: r.pointer("/attributes/name")?.as_str()?.to_owned(),
                        platform: r.pointer("/attributes/platform-name").and_then(Value::as_str).map(str::to_owned),
                    })
                })
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_pages_with_either_next_marker() {
        let page = read_page(r#"{"data":[{"id":"1"}],"meta":{"next-page":2,"total-count":3},"links":{}}"#).unwrap();
        assert!(page.has_next);
        assert_eq!(page.total, Some(3));
        let page =
            read_page(r#"{"data":[],"meta":{"next-page":null},"links":{"next":"http://x/?page[number]=2"}}"#).unwrap();
        assert!(page.has_next);
        let last = read_page(r#"{"data":[{"id":9}],"meta":{"next-page":null,"total-count":1},"links":{"next":null}}"#)
            .unwrap();
        assert!(!last.has_next);
        assert_eq!(resource_id(&last.data[0]).as_deref(), Some("9"));
        assert!(read_page("{\"data\":[{\"id\":\"1\"").is_err());
    }
}
