//! Kaseya BMS v2 calls on the scheduler: sign-in and token renewal, paged listings (accounts and contacts by
//! `Filter.ModifiedOnFrom`, hardware assets in full, since BMS offers no modified-on filter for them), single
//! records, writes and the lookup lists.
//!
//! Application errors arrive as HTTP 200 with `success: false`; every answer is read through the envelope.

use std::cell::RefCell;

use bms_itglue_core::bms::auth::{self, Token};
use bms_itglue_core::settings::{ApiBase, BmsSettings};
use bms_itglue_core::sync::BmsId;
use bms_itglue_core::sync::mapping::bms::{BmsEndpoint, BmsRequest};
use bms_itglue_core::sync::mapping::{BmsCatalog, BmsDefaults, Method as WriteMethod, NameIds};
use bms_itglue_core::sync::normalize::Timestamp;
use bms_itglue_core::transport::{Endpoint, HttpRequest, HttpResponse, Method};
use bms_itglue_core::widget::Service;
use serde_json::{Value, json};

use crate::api::{ApiError, PAGE_SIZES, UNREADABLE_RETRIES, encode, smaller_page, utc};
use crate::scheduler::{CallError, Clock, Scheduler, Transport};

const SERVICE: &str = "Kaseya BMS";
const ACCOUNTS: &str = "/v2/crm/accounts/summary";
const CONTACTS: &str = "/v2/crm/contacts/summary";
const ASSETS: &str = "/v2/servicedesk/hardwareasset/searchselect";
const LISTING_ATTEMPTS: u32 = 3;

/// Rows of a paged listing (as read by the caller, or as sent), and whether their number matched
/// `totalRecords` (when BMS sends it).
#[derive(Debug)]
pub struct Listed<R = Value> {
    pub rows: Vec<R>,
    pub verified: bool,
}

impl<R> Default for Listed<R> {
    fn default() -> Self {
        Listed { rows: Vec::new(), verified: false }
    }
}

/// How a call is repeated: creates and list "add" operations at most once; pages as the retry policy says (a
/// timeout comes back for the listing to ask for a smaller page); everything else until answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Repeat {
    Never,
    Policy,
    UntilAnswered,
}

pub struct BmsClient<'s, T, C> {
    scheduler: &'s Scheduler<T, C>,
    base: ApiBase,
    settings: BmsSettings,
    token: RefCell<Option<Token>>,
}

/// The `result` of an envelope, or the service's refusal. A bare DTO (some `summary/{id}` routes answer without
/// the envelope) is its own result.
fn read_envelope(what: &str, body: &str) -> Result<Value, ApiError> {
    read_listing_envelope(what, body).map(|(result, _)| result)
}

/// [`read_envelope`] and the `totalRecords` beside `result`, from one parse of the body.
fn read_listing_envelope(what: &str, body: &str) -> Result<(Value, Option<u64>), ApiError> {
    let malformed = |detail: String| ApiError::Malformed { service: SERVICE, what: what.to_owned(), detail };
    let mut doc: Value = serde_json::from_str(body).map_err(|e| malformed(e.to_string()))?;
    let total = doc.get("totalRecords").and_then(Value::as_u64);
    match doc.get("success").and_then(Value::as_bool) {
        Some(true) => Ok((doc.get_mut("result").map(Value::take).unwrap_or(Value::Null), total)),
        Some(false) => {
            let message = doc.pointer("/error/message").and_then(Value::as_str).unwrap_or("refused without a message");
            Err(ApiError::Refused { what: what.to_owned(), message: message.to_owned() })
        }
        None if doc.is_object() && doc.get("id").is_some() => Ok((doc, total)),
        None => Err(malformed("no envelope".into())),
    }
}

fn id_of(value: &Value) -> Option<BmsId> {
    match value.get("id")? {
        Value::Number(n) => Some(BmsId::new(n.to_string())),
        Value::String(s) if !s.trim().is_empty() => Some(BmsId::new(s.trim())),
        _ => None,
    }
}

/// A write's HTTP method, path and route template (BMS budgets are per route).
fn write_target(endpoint: &BmsEndpoint) -> Result<(String, &'static str), ApiError> {
    Ok(match endpoint {
        BmsEndpoint::Accounts => ("/v2/crm/accounts".into(), "/v2/crm/accounts"),
        BmsEndpoint::Account { id } => (format!("/v2/crm/accounts/{}", encode(id.as_str())), "/v2/crm/accounts/{id}"),
        BmsEndpoint::Contacts => (CONTACTS.into(), CONTACTS),
        BmsEndpoint::Contact { id } => (format!("/v2/crm/contacts/{}", encode(id.as_str())), "/v2/crm/contacts/{id}"),
        BmsEndpoint::ContactEmails { contact } => {
            (format!("/v2/crm/contacts/{}/emails", encode(contact.as_str())), "/v2/crm/contacts/{id}/emails")
        }
        BmsEndpoint::ContactPhones { contact } => {
            (format!("/v2/crm/contacts/{}/phones", encode(contact.as_str())), "/v2/crm/contacts/{id}/phones")
        }
        BmsEndpoint::HardwareAssets => ("/v2/servicedesk/hardwareasset".into(), "/v2/servicedesk/hardwareasset"),
        BmsEndpoint::HardwareAsset { id } => {
            (format!("/v2/servicedesk/hardwareasset/{}", encode(id.as_str())), "/v2/servicedesk/hardwareasset/{id}")
        }
        BmsEndpoint::AccountLocations { .. } | BmsEndpoint::AccountLocation { .. } => {
            return Err(ApiError::Unsupported(
                "Kaseya BMS v2 has no route that writes an account location outside a new account".into(),
            ));
        }
    })
}

fn method_of(method: WriteMethod) -> Method {
    match method {
        WriteMethod::Post => Method::Post,
        WriteMethod::Put => Method::Put,
        WriteMethod::Patch => Method::Patch,
    }
}

/// Creates and list edits could be applied twice; whole replacements and field patches cannot.
fn repeat_of(write: &BmsRequest) -> Repeat {
    match (&write.method, &write.endpoint) {
        (WriteMethod::Post, _) | (_, BmsEndpoint::ContactEmails { .. } | BmsEndpoint::ContactPhones { .. }) => {
            Repeat::Never
        }
        _ => Repeat::UntilAnswered,
    }
}

impl<'s, T: Transport, C: Clock> BmsClient<'s, T, C> {
    pub fn new(scheduler: &'s Scheduler<T, C>, settings: &BmsSettings) -> Self {
        BmsClient { scheduler, base: settings.server.api_base(), settings: settings.clone(), token: RefCell::new(None) }
    }

    fn plain(&self, method: Method, path: &str, route: &str, content_type: &str, body: Option<String>) -> HttpRequest {
        let mut headers = vec![("Accept".to_owned(), "application/json".to_owned())];
        if body.is_some() {
            headers.push(("Content-Type".to_owned(), content_type.to_owned()));
        }
        HttpRequest {
            method,
            url: self.base.join(path),
            headers,
            body,
            endpoint: Endpoint { service: Service::Bms, route: format!("{} {route}", method.as_str()) },
        }
    }

    async fn token_call(&self, request: &HttpRequest) -> Result<Token, ApiError> {
        let response = self.scheduler.call(request).await.map_err(|e| ApiError::SignIn(e.to_string()))?;
        auth::read_token(response.status, &response.body).map_err(|e| ApiError::SignIn(e.to_string()))
    }

    async fn sign_in(&self) -> Result<String, ApiError> {
        let request = self.plain(
            Method::Post,
            "/v2/security/authenticate",
            "/v2/security/authenticate",
            "application/x-www-form-urlencoded",
            Some(auth::authenticate_form(&self.settings)),
        );
        let token = self.token_call(&request).await?;
        let access = token.access_token.clone();
        *self.token.borrow_mut() = Some(token);
        Ok(access)
    }

    /// A new token pair from the refresh token, or a new sign-in when that is refused too.
    async fn renew(&self) -> Result<String, ApiError> {
        let current = self.token.borrow().clone();
        if let Some(token) = current {
            let form = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("AccessToken", &token.access_token)
                .append_pair("RefreshToken", &token.refresh_token)
                .finish();
            let request = self.plain(
                Method::Post,
                "/v2/security/refreshtoken",
                "/v2/security/refreshtoken",
                "application/x-www-form-urlencoded",
                Some(form),
            );
            if let Ok(fresh) = self.token_call(&request).await {
                let access = fresh.access_token.clone();
                *self.token.borrow_mut() = Some(fresh);
                return Ok(access);
            }
        }
        self.sign_in().await
    }

    async fn access_token(&self) -> Result<String, ApiError> {
        let current = self.token.borrow().as_ref().map(|t| t.access_token.clone());
        match current {
            Some(access) => Ok(access),
            None => self.sign_in().await,
        }
    }

    /// Sends with the bearer token; on a rejected token, renews it once and sends again.
    async fn authorized(&self, request: &HttpRequest, repeat: Repeat) -> Result<HttpResponse, CallError> {
        let with = |token: &str| {
            let mut r = request.clone();
            r.headers.push(("Authorization".to_owned(), format!("Bearer {token}")));
            r
        };
        let token =
            self.access_token().await.map_err(|e| CallError::Unreachable { attempts: 0, detail: e.to_string() })?;
        match self.send(&with(&token), repeat).await {
            Err(CallError::TokenRejected) => {
                let token =
                    self.renew().await.map_err(|e| CallError::Unreachable { attempts: 0, detail: e.to_string() })?;
                self.send(&with(&token), repeat).await
            }
            other => other,
        }
    }

    async fn send(&self, request: &HttpRequest, repeat: Repeat) -> Result<HttpResponse, CallError> {
        match repeat {
            Repeat::Never => self.scheduler.call_unrepeatable(request).await,
            Repeat::Policy => self.scheduler.call(request).await,
            Repeat::UntilAnswered => {
                let mut outcome = Err(CallError::PageTooLarge);
                for _ in 0..UNREADABLE_RETRIES {
                    outcome = self.scheduler.call(request).await;
                    if !matches!(outcome, Err(CallError::PageTooLarge)) {
                        break;
                    }
                }
                outcome
            }
        }
    }

    fn call_error(what: &str, source: CallError) -> ApiError {
        ApiError::Call { service: SERVICE, what: what.to_owned(), source }
    }

    /// A GET whose envelope must read; unreadable answers are asked for again.
    async fn get(&self, path: &str, route: &str) -> Result<Value, ApiError> {
        let request = self.plain(Method::Get, path, route, "", None);
        let mut last = None;
        for _ in 0..UNREADABLE_RETRIES {
            let response =
                self.authorized(&request, Repeat::UntilAnswered).await.map_err(|e| Self::call_error(route, e))?;
            match read_envelope(route, &response.body) {
                Err(e @ ApiError::Malformed { .. }) => last = Some(e),
                other => return other,
            }
        }
        Err(last.unwrap_or(ApiError::Malformed {
            service: SERVICE,
            what: route.to_owned(),
            detail: "no answer".into(),
        }))
    }

    /// Every row of a paged listing, to the first short page, read again when `totalRecords` disagrees.
    async fn list(&self, path: &str, query: &str) -> Result<Listed, ApiError> {
        self.list_read(path, query, |row| row).await
    }

    /// [`Self::list`], each row handed to `read` as its page arrives: a listing of tens of thousands of rows is
    /// kept in the caller's form, not as JSON.
    async fn list_read<R>(&self, path: &str, query: &str, mut read: impl FnMut(Value) -> R) -> Result<Listed<R>, ApiError> {
        let mut listed = Listed::default();
        for _ in 0..LISTING_ATTEMPTS {
            listed = self.list_once(path, query, &mut read).await?;
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
        read: &mut impl FnMut(Value) -> R,
    ) -> Result<Listed<R>, ApiError> {
        let (mut size, mut offset) = (PAGE_SIZES[0], 0usize);
        let mut rows: Vec<R> = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        let mut total = None;
        loop {
            let number = offset / size as usize + 1;
            let url = format!("{path}?{query}PageSize={size}&PageNumber={number}");
            let page = match self.get_page(&url, path).await {
                Err(ApiError::Call { source: CallError::PageTooLarge, .. }) => {
                    size = smaller_page(size).ok_or_else(|| Self::call_error(path, CallError::PageTooLarge))?;
                    continue;
                }
                other => other?,
            };
            total = page.1.or(total);
            let short = page.0.len() < size as usize;
            for row in page.0 {
                if seen.insert(id_of(&row).map(|id| id.to_string()).unwrap_or_default()) {
                    rows.push(read(row));
                }
            }
            if short {
                break;
            }
            offset += size as usize;
        }
        let verified = total.is_none_or(|t| t == rows.len() as u64);
        Ok(Listed { rows, verified })
    }

    /// A page's rows and `totalRecords`, which sits beside `result` in the envelope.
    async fn get_page(&self, url: &str, route: &str) -> Result<(Vec<Value>, Option<u64>), ApiError> {
        let request = self.plain(Method::Get, url, route, "", None);
        let mut last = None;
        for _ in 0..UNREADABLE_RETRIES {
            let response = match self.authorized(&request, Repeat::Policy).await {
                Ok(response) => response,
                Err(e) => return Err(Self::call_error(route, e)),
            };
            match read_listing_envelope(route, &response.body) {
                Ok((Value::Array(rows), total)) => return Ok((rows, total)),
                Ok(_) => {
                    last = Some(ApiError::Malformed {
                        service: SERVICE,
                        what: route.into(),
                        detail: "result is not a list".into(),
                    })
                }
                Err(e @ ApiError::Malformed { .. }) => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or(ApiError::Malformed { service: SERVICE, what: route.into(), detail: "no answer".into() }))
    }

    fn modified_filter(since: Option<Timestamp>) -> String {
        since.map(|t| format!("Filter.ModifiedOnFrom={}&", encode(&utc(t)))).unwrap_or_default()
    }

    /// Accounts (with their locations) modified at or after `since`, or all of them.
    pub async fn accounts(&self, since: Option<Timestamp>) -> Result<Listed, ApiError> {
        self.read_accounts(since, |row| row).await
    }

    /// [`Self::accounts`], each row as `read` makes it.
    pub async fn read_accounts<R>(
        &self,
        since: Option<Timestamp>,
        read: impl FnMut(Value) -> R,
    ) -> Result<Listed<R>, ApiError> {
        self.list_read(ACCOUNTS, &format!("{}Sort=Id&", Self::modified_filter(since)), read).await
    }

    /// Contacts modified at or after `since`, or all of them.
    pub async fn contacts(&self, since: Option<Timestamp>) -> Result<Listed, ApiError> {
        self.read_contacts(since, |row| row).await
    }

    /// [`Self::contacts`], each row as `read` makes it.
    pub async fn read_contacts<R>(
        &self,
        since: Option<Timestamp>,
        read: impl FnMut(Value) -> R,
    ) -> Result<Listed<R>, ApiError> {
        self.list_read(CONTACTS, &Self::modified_filter(since), read).await
    }

    /// The contacts of one account, for re-checks before a create.
    pub async fn contacts_of(&self, account: &BmsId) -> Result<Vec<Value>, ApiError> {
        Ok(self.list(CONTACTS, &format!("Filter.AccountId={}&", encode(account.as_str()))).await?.rows)
    }

    /// Accounts whose name contains `name`, for re-checks before a create.
    pub async fn accounts_named(&self, name: &str) -> Result<Vec<Value>, ApiError> {
        Ok(self.list(ACCOUNTS, &format!("Filter.AccountName={}&", encode(name))).await?.rows)
    }

    /// The summary row of every hardware asset (no filter on modification exists, so always all of them).
    pub async fn asset_summaries(&self) -> Result<Listed, ApiError> {
        self.read_asset_summaries(|row| row).await
    }

    /// [`Self::asset_summaries`], each row as `read` makes it.
    pub async fn read_asset_summaries<R>(&self, read: impl FnMut(Value) -> R) -> Result<Listed<R>, ApiError> {
        self.list_read(ASSETS, "", read).await
    }

    /// The summary rows of one account's assets, for re-checks before a create.
    pub async fn asset_summaries_of(&self, account: &BmsId) -> Result<Vec<Value>, ApiError> {
        Ok(self.list(ASSETS, &format!("Filter.AccountId={}&", encode(account.as_str()))).await?.rows)
    }

    /// One record by id: `None` when BMS has no such record.
    async fn one(&self, path: String, route: &str) -> Result<Option<Value>, ApiError> {
        match self.get(&path, route).await {
            Ok(Value::Null) => Ok(None),
            Ok(value) => Ok(Some(value)),
            Err(ApiError::Refused { .. } | ApiError::Call { source: CallError::Http { status: 404, .. }, .. }) => {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    pub async fn account(&self, id: &BmsId) -> Result<Option<Value>, ApiError> {
        self.one(format!("{ACCOUNTS}/{}", encode(id.as_str())), "/v2/crm/accounts/summary/{id}").await
    }

    pub async fn contact(&self, id: &BmsId) -> Result<Option<Value>, ApiError> {
        self.one(format!("{CONTACTS}/{}", encode(id.as_str())), "/v2/crm/contacts/summary/{id}").await
    }

    /// The whole `HardwareAssetOutputDto`: the listing has only a summary.
    pub async fn asset(&self, id: &BmsId) -> Result<Option<Value>, ApiError> {
        self.one(format!("/v2/servicedesk/hardwareasset/{}", encode(id.as_str())), "/v2/servicedesk/hardwareasset/{id}")
            .await
    }

    /// Sends one write with its follow-up patch; returns the id of the record a create made.
    pub async fn send_write(&self, write: &BmsRequest, follow_up: &[Value]) -> Result<Option<BmsId>, ApiError> {
        let (path, route) = write_target(&write.endpoint)?;
        let method = method_of(write.method);
        let content_type = if write.method == WriteMethod::Patch
            && !matches!(write.endpoint, BmsEndpoint::ContactEmails { .. } | BmsEndpoint::ContactPhones { .. })
        {
            "application/json-patch+json"
        } else {
            "application/json"
        };
        let what = format!("{} {route}", method.as_str());
        let request = self.plain(method, &path, route, content_type, Some(write.body.to_string()));
        let response = self.authorized(&request, repeat_of(write)).await.map_err(|e| Self::call_error(&what, e))?;
        let result = read_envelope(&what, &response.body).map_err(|e| match e {
            // The write was answered but the answer is garbled: it may well have been applied.
            ApiError::Malformed { detail, .. } => Self::call_error(&what, CallError::OutcomeUnknown(detail)),
            other => other,
        })?;
        if write.method != WriteMethod::Post {
            return Ok(None);
        }
        let id = id_of(&result).ok_or(ApiError::Malformed {
            service: SERVICE,
            what: what.clone(),
            detail: "the created record has no id".into(),
        })?;
        if !follow_up.is_empty() && write.endpoint == BmsEndpoint::Contacts {
            let patch = BmsRequest {
                method: WriteMethod::Patch,
                endpoint: BmsEndpoint::Contact { id: id.clone() },
                body: Value::Array(follow_up.to_vec()),
            };
            Box::pin(self.send_write(&patch, &[])).await?;
        }
        Ok(Some(id))
    }

    async fn lookup(&self, path: &str) -> Result<Vec<Value>, ApiError> {
        match self.get(path, path).await? {
            Value::Array(rows) => Ok(rows),
            _ => Err(ApiError::Malformed { service: SERVICE, what: path.into(), detail: "not a list".into() }),
        }
    }

    fn names(rows: &[Value]) -> NameIds {
        NameIds::new(
            rows.iter()
                .filter_map(|r| Some((r.get("name")?.as_str()?.to_owned(), r.get("id")?.as_i64()?)))
                .collect::<Vec<_>>(),
        )
    }

    /// The row marked default, else the first.
    fn default_id(rows: &[Value]) -> Option<i64> {
        let default = rows.iter().find(|r| r.get("isDefault").and_then(Value::as_bool) == Some(true));
        default.or(rows.first()).and_then(|r| r.get("id")?.as_i64())
    }

    /// The lookup lists and the ids a new account or contact needs that IT Glue does not supply. The account
    /// manager of accounts created from IT Glue is the signed-in API user.
    pub async fn catalog(&self) -> Result<BmsCatalog, ApiError> {
        let account_types = self.lookup("/v2/system/accounttypes/lookup").await?;
        let table = |name: &str| format!("/v2/system/lookup/{name}");
        let categories = self.lookup(&table("AssetCategories")).await?;
        let manufacturers = self.lookup(&table("Manufacturers")).await?;
        let email_types = self.lookup(&table("EmailTypes")).await?;
        let phone_types = self.lookup(&table("PhoneTypes")).await?;
        let countries = self.lookup(&table("Countries")).await?;
        let business_types = self.lookup(&table("BusinessTypes")).await?;
        let me = self.get("/v2/security/userinfo", "/v2/security/userinfo").await?;
        Ok(BmsCatalog {
            account_types: Self::names(&account_types),
            asset_categories: Self::names(&categories),
            manufacturers: Self::names(&manufacturers),
            email_types: Self::names(&email_types),
            phone_types: Self::names(&phone_types),
            countries: Self::names(&countries),
            defaults: BmsDefaults {
                business_type_id: Self::default_id(&business_types),
                account_manager_id: me.get("userId").and_then(Value::as_i64),
                email_type_id: Self::default_id(&email_types),
                phone_type_id: Self::default_id(&phone_types),
            },
        })
    }
}

/// A hardware asset's summary row (`searchselect`) as the fields it shares with the full record, so a changed
/// row can be told from an unchanged one without reading the asset.
pub fn summary_fingerprint(row: &Value) -> String {
    let keys =
        ["assetName", "categoryId", "serialNumber", "ipAddress", "contactId", "accountId", "locationName", "isActive"];
    let picked: Vec<&Value> = keys.iter().map(|k| row.get(*k).unwrap_or(&Value::Null)).collect();
    json!(picked).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_envelope_and_its_refusals() {
        assert_eq!(read_envelope("x", r#"{"success":true,"error":null,"result":[1]}"#).unwrap(), json!([1]));
        let refused = read_envelope(
            "x",
            r#"{"success":false,"error":{"code":400,"message":"The AccountName field is required."},"result":null}"#,
        );
        assert_eq!(
            refused,
            Err(ApiError::Refused { what: "x".into(), message: "The AccountName field is required.".into() })
        );
        assert_eq!(read_envelope("x", r#"{"id":7,"accountName":"A"}"#).unwrap()["id"], 7);
        assert!(matches!(read_envelope("x", "{\"success\":tr"), Err(ApiError::Malformed { .. })));
    }

    #[test]
    fn locations_have_no_write_route_and_creates_are_sent_once() {
        let location = BmsEndpoint::AccountLocations { account: BmsId::new("1") };
        assert!(matches!(write_target(&location), Err(ApiError::Unsupported(_))));
        let create = BmsRequest { method: WriteMethod::Post, endpoint: BmsEndpoint::Contacts, body: json!({}) };
        assert_eq!(repeat_of(&create), Repeat::Never);
        let put = BmsRequest {
            method: WriteMethod::Put,
            endpoint: BmsEndpoint::HardwareAsset { id: BmsId::new("2") },
            body: json!({}),
        };
        assert_eq!(repeat_of(&put), Repeat::UntilAnswered);
        assert_eq!(write_target(&put.endpoint).unwrap().1, "/v2/servicedesk/hardwareasset/{id}");
    }
}
