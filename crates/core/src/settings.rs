//! Connection settings: what the options page edits and the worker keeps.
//!
//! Secrets (the BMS password and the IT Glue API key) live only in [`Settings`], which only the worker holds.
//! Everything sent to a page is a [`PublicSettings`], which has no field that could carry a secret.

use serde::{Deserialize, Serialize};
use thiserror::Error;
use url::Url;

use crate::site::is_loopback_host;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum SettingsError {
    #[error("{field}: not a valid URL ({reason})")]
    InvalidUrl { field: &'static str, reason: String },
    #[error("{field}: http: URLs are allowed only on loopback (localhost, 127.0.0.1); use https:")]
    InsecureUrl { field: &'static str },
    #[error("{field}: only https: URLs are supported")]
    UnsupportedScheme { field: &'static str },
    #[error("{field}: unknown choice {value:?}")]
    UnknownChoice { field: &'static str, value: String },
    #[error("{0} is required")]
    Missing(&'static str),
}

/// A secret string whose `Debug` never prints the value.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// The base URL of an API: https anywhere, http only on loopback. Stored without a trailing slash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ApiBase(Url);

impl ApiBase {
    pub fn parse(field: &'static str, input: &str) -> Result<Self, SettingsError> {
        let url = Url::parse(input.trim()).map_err(|e| SettingsError::InvalidUrl { field, reason: e.to_string() })?;
        let host = url.host().ok_or(SettingsError::InvalidUrl { field, reason: "no host".into() })?;
        match url.scheme() {
            "https" => {}
            "http" if is_loopback_host(&host) => {}
            "http" => return Err(SettingsError::InsecureUrl { field }),
            _ => return Err(SettingsError::UnsupportedScheme { field }),
        }
        let mut url = url;
        url.set_query(None);
        url.set_fragment(None);
        let trimmed = url.path().trim_end_matches('/').to_owned();
        url.set_path(&trimmed);
        Ok(Self(url))
    }

    fn fixed(url: &str) -> Self {
        Self::parse("built-in host", url).expect("built-in hosts are valid https URLs")
    }

    /// The URL of `path` (which starts with `/`) under this base.
    pub fn join(&self, path: &str) -> String {
        format!("{}{}", self.as_str(), path)
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str().trim_end_matches('/')
    }
}

impl TryFrom<String> for ApiBase {
    type Error = SettingsError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse("stored URL", &value)
    }
}

impl From<ApiBase> for String {
    fn from(value: ApiBase) -> Self {
        value.as_str().to_owned()
    }
}

/// A BMS data centre, or a custom API URL (the sandbox, or a host we do not know yet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "url", rename_all = "kebab-case")]
pub enum BmsServer {
    Us,
    Emea,
    Apac,
    Vorex,
    Custom(ApiBase),
}

impl BmsServer {
    /// The option values the options page offers, which are the UI hosts a technician recognises.
    pub const CHOICES: [(&'static str, &'static str); 4] = [
        ("bms.kaseya.com", "United States (bms.kaseya.com)"),
        ("bmsemea.kaseya.com", "Europe (bmsemea.kaseya.com)"),
        ("bmsapac.kaseya.com", "Asia Pacific (bmsapac.kaseya.com)"),
        ("vorexlogin.com", "Vorex (vorexlogin.com)"),
    ];

    pub fn from_choice(choice: &str, custom_url: &str) -> Result<Self, SettingsError> {
        Ok(match choice {
            "bms.kaseya.com" => Self::Us,
            "bmsemea.kaseya.com" => Self::Emea,
            "bmsapac.kaseya.com" => Self::Apac,
            "vorexlogin.com" => Self::Vorex,
            "custom" => Self::Custom(ApiBase::parse("BMS custom URL", custom_url)?),
            other => return Err(SettingsError::UnknownChoice { field: "BMS server", value: other.into() }),
        })
    }

    pub fn choice(&self) -> (&'static str, String) {
        match self {
            Self::Us => ("bms.kaseya.com", String::new()),
            Self::Emea => ("bmsemea.kaseya.com", String::new()),
            Self::Apac => ("bmsapac.kaseya.com", String::new()),
            Self::Vorex => ("vorexlogin.com", String::new()),
            Self::Custom(base) => ("custom", base.as_str().to_owned()),
        }
    }

    /// Where the data centre's web pages are.
    fn web_base(&self) -> Option<ApiBase> {
        match self {
            Self::Us => Some(ApiBase::fixed("https://bms.kaseya.com")),
            Self::Emea => Some(ApiBase::fixed("https://bmsemea.kaseya.com")),
            Self::Apac => Some(ApiBase::fixed("https://bmsapac.kaseya.com")),
            Self::Vorex => Some(ApiBase::fixed("https://vorexlogin.com")),
            Self::Custom(_) => None,
        }
    }

    pub fn api_base(&self) -> ApiBase {
        match self {
            Self::Us => ApiBase::fixed("https://api.bms.kaseya.com"),
            Self::Emea => ApiBase::fixed("https://api.bmsemea.kaseya.com"),
            Self::Apac => ApiBase::fixed("https://api.bmsapac.kaseya.com"),
            Self::Vorex => ApiBase::fixed("https://api.vorexlogin.com"),
            Self::Custom(base) => base.clone(),
        }
    }
}

/// An IT Glue region (API keys work only on their own region's host), or a custom API URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "url", rename_all = "kebab-case")]
pub enum ItGlueRegion {
    Us,
    Eu,
    Au,
    Custom(ApiBase),
}

impl ItGlueRegion {
    pub const CHOICES: [(&'static str, &'static str); 3] = [
        ("us", "United States (api.itglue.com)"),
        ("eu", "Europe (api.eu.itglue.com)"),
        ("au", "Australia (api.au.itglue.com)"),
    ];

    pub fn from_choice(choice: &str, custom_url: &str) -> Result<Self, SettingsError> {
        Ok(match choice {
            "us" => Self::Us,
            "eu" => Self::Eu,
            "au" => Self::Au,
            "custom" => Self::Custom(ApiBase::parse("IT Glue custom URL", custom_url)?),
            other => return Err(SettingsError::UnknownChoice { field: "IT Glue region", value: other.into() }),
        })
    }

    pub fn choice(&self) -> (&'static str, String) {
        match self {
            Self::Us => ("us", String::new()),
            Self::Eu => ("eu", String::new()),
            Self::Au => ("au", String::new()),
            Self::Custom(base) => ("custom", base.as_str().to_owned()),
        }
    }

    pub fn api_base(&self) -> ApiBase {
        match self {
            Self::Us => ApiBase::fixed("https://api.itglue.com"),
            Self::Eu => ApiBase::fixed("https://api.eu.itglue.com"),
            Self::Au => ApiBase::fixed("https://api.au.itglue.com"),
            Self::Custom(base) => base.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BmsSettings {
    pub server: BmsServer,
    pub username: String,
    pub password: Secret,
    /// The tenant ("Company" in BMS's My Settings); may contain spaces.
    pub company: String,
    /// A custom server's web address, when it is not the API address without its `api.` label.
    #[serde(default)]
    pub web: Option<ApiBase>,
}

impl BmsSettings {
    /// Where BMS's web pages are, for "Open in BMS".
    pub fn web_base(&self) -> ApiBase {
        if let Some(base) = self.server.web_base() {
            return base;
        }
        if let Some(web) = &self.web {
            return web.clone();
        }
        let api = self.server.api_base();
        let mut url = api.0.clone();
        let web_host = url.host_str().and_then(|h| h.strip_prefix("api.")).map(str::to_owned);
        match web_host.map(|h| url.set_host(Some(&h))) {
            Some(Ok(())) => ApiBase(url),
            _ => api,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItGlueSettings {
    pub region: ItGlueRegion,
    pub api_key: Secret,
}

/// What the worker stores. Each side is optional: a technician may set up IT Glue before BMS.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub bms: Option<BmsSettings>,
    pub itglue: Option<ItGlueSettings>,
}

/// The options form as the page submits it. Empty secret fields mean "keep the saved secret", because the
/// page never receives saved secrets to fill them in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsForm {
    pub bms_server: String,
    pub bms_custom_url: String,
    /// A custom server's web address; empty means the API address without its `api.` label.
    pub bms_custom_web_url: String,
    pub bms_username: String,
    pub bms_password: String,
    pub bms_company: String,
    pub itg_region: String,
    pub itg_custom_url: String,
    pub itg_api_key: String,
}

/// Settings as a page may see them: the same form, with secrets replaced by "is one saved?" flags.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicSettings {
    pub bms_server: String,
    pub bms_custom_url: String,
    pub bms_custom_web_url: String,
    pub bms_username: String,
    pub bms_company: String,
    pub bms_password_saved: bool,
    pub itg_region: String,
    pub itg_custom_url: String,
    pub itg_api_key_saved: bool,
}

impl Settings {
    /// Builds the settings a form describes, falling back to saved secrets where the form leaves them empty.
    pub fn from_form(form: &SettingsForm, saved: &Settings) -> Result<Settings, SettingsError> {
        Ok(Settings { bms: bms_from_form(form, saved.bms.as_ref())?, itglue: itglue_from_form(form, saved.itglue.as_ref())? })
    }

    pub fn public(&self) -> PublicSettings {
        let (bms_server, bms_custom_url) =
            self.bms.as_ref().map_or(("bms.kaseya.com", String::new()), |b| b.server.choice());
        let (itg_region, itg_custom_url) = self.itglue.as_ref().map_or(("us", String::new()), |i| i.region.choice());
        PublicSettings {
            bms_server: bms_server.to_owned(),
            bms_custom_url,
            bms_custom_web_url: self
                .bms
                .as_ref()
                .and_then(|b| b.web.as_ref())
                .map(|w| w.as_str().to_owned())
                .unwrap_or_default(),
            bms_username: self.bms.as_ref().map(|b| b.username.clone()).unwrap_or_default(),
            bms_company: self.bms.as_ref().map(|b| b.company.clone()).unwrap_or_default(),
            bms_password_saved: self.bms.is_some(),
            itg_region: itg_region.to_owned(),
            itg_custom_url,
            itg_api_key_saved: self.itglue.is_some(),
        }
    }
}

fn bms_from_form(form: &SettingsForm, saved: Option<&BmsSettings>) -> Result<Option<BmsSettings>, SettingsError> {
    let username = form.bms_username.trim();
    if username.is_empty() {
        return Ok(None);
    }
    let server = BmsServer::from_choice(&form.bms_server, &form.bms_custom_url)?;
    let password = secret_or_saved(&form.bms_password, saved.map(|s| &s.password)).ok_or(SettingsError::Missing("BMS password"))?;
    let company = form.bms_company.trim();
    if company.is_empty() {
        return Err(SettingsError::Missing("BMS company"));
    }
    let web = match (&server, form.bms_custom_web_url.trim()) {
        (BmsServer::Custom(_), web) if !web.is_empty() => Some(ApiBase::parse("BMS web address", web)?),
        _ => None,
    };
    Ok(Some(BmsSettings { server, username: username.to_owned(), password, company: company.to_owned(), web }))
}

fn itglue_from_form(form: &SettingsForm, saved: Option<&ItGlueSettings>) -> Result<Option<ItGlueSettings>, SettingsError> {
    let region = ItGlueRegion::from_choice(&form.itg_region, &form.itg_custom_url)?;
    Ok(secret_or_saved(&form.itg_api_key, saved.map(|s| &s.api_key)).map(|api_key| ItGlueSettings { region, api_key }))
}

fn secret_or_saved(typed: &str, saved: Option<&Secret>) -> Option<Secret> {
    let typed = typed.trim();
    if typed.is_empty() { saved.cloned() } else { Some(Secret::new(typed)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> SettingsForm {
        SettingsForm {
            bms_server: "custom".into(),
            bms_custom_url: "http://api.bms.localhost:8081/".into(),
            bms_custom_web_url: String::new(),
            bms_username: "itglue.api".into(),
            bms_password: "pw".into(),
            bms_company: "Demo MSP".into(),
            itg_region: "eu".into(),
            itg_custom_url: String::new(),
            itg_api_key: "ITG.key".into(),
        }
    }

    #[test]
    fn http_is_refused_except_on_loopback() {
        assert!(ApiBase::parse("u", "http://127.0.0.1:1").is_ok());
        assert!(ApiBase::parse("u", "http://api.bms.localhost:1").is_ok());
        assert!(ApiBase::parse("u", "http://[::1]:1").is_ok());
        assert_eq!(ApiBase::parse("u", "http://example.com"), Err(SettingsError::InsecureUrl { field: "u" }));
        assert_eq!(ApiBase::parse("u", "http://localhost.example.com"), Err(SettingsError::InsecureUrl { field: "u" }));
        assert_eq!(ApiBase::parse("u", "ftp://example.com"), Err(SettingsError::UnsupportedScheme { field: "u" }));
        assert!(ApiBase::parse("u", "https://example.com").is_ok());
    }

    #[test]
    fn base_urls_are_normalised() {
        let base = ApiBase::parse("u", "https://example.com/api/?x=1#y").unwrap();
        assert_eq!(base.join("/organizations"), "https://example.com/api/organizations");
    }

    #[test]
    fn regions_map_to_their_api_hosts() {
        assert_eq!(ItGlueRegion::Eu.api_base().join("/x"), "https://api.eu.itglue.com/x");
        assert_eq!(BmsServer::Emea.api_base().join("/v2"), "https://api.bmsemea.kaseya.com/v2");
    }

    #[test]
    fn bms_web_pages_live_on_the_ui_host_or_the_given_address() {
        let derived = Settings::from_form(&form(), &Settings::default()).unwrap().bms.unwrap();
        assert_eq!(derived.web_base().as_str(), "http://bms.localhost:8081");
        let given = SettingsForm { bms_custom_web_url: "http://bms.localhost:9000/".into(), ..form() };
        let given = Settings::from_form(&given, &Settings::default()).unwrap();
        assert_eq!(given.public().bms_custom_web_url, "http://bms.localhost:9000");
        assert_eq!(given.bms.unwrap().web_base().join("/react/crm/accounts/1"), "http://bms.localhost:9000/react/crm/accounts/1");
        let emea = SettingsForm { bms_server: "bmsemea.kaseya.com".into(), bms_custom_web_url: "https://x.example".into(), ..form() };
        let emea = Settings::from_form(&emea, &Settings::default()).unwrap().bms.unwrap();
        assert_eq!((emea.web_base().as_str(), emea.web), ("https://bmsemea.kaseya.com", None));
    }

    #[test]
    fn empty_secret_fields_keep_the_saved_secrets() {
        let saved = Settings::from_form(&form(), &Settings::default()).unwrap();
        let edit = SettingsForm { bms_password: String::new(), itg_api_key: "  ".into(), bms_company: "Other".into(), ..form() };
        let next = Settings::from_form(&edit, &saved).unwrap();
        assert_eq!(next.bms.as_ref().unwrap().password.expose(), "pw");
        assert_eq!(next.bms.unwrap().company, "Other");
        assert_eq!(next.itglue.unwrap().api_key.expose(), "ITG.key");
    }

    #[test]
    fn missing_password_without_a_saved_one_is_an_error() {
        let edit = SettingsForm { bms_password: String::new(), ..form() };
        assert_eq!(Settings::from_form(&edit, &Settings::default()), Err(SettingsError::Missing("BMS password")));
    }

    #[test]
    fn public_settings_carry_no_secret() {
        let settings = Settings::from_form(&form(), &Settings::default()).unwrap();
        let json = serde_json::to_string(&settings.public()).unwrap();
        assert!(!json.contains("ITG.key") && !json.contains("\"pw\""), "{json}");
        assert!(settings.public().bms_password_saved && settings.public().itg_api_key_saved);
        assert_eq!(format!("{:?}", settings).matches("***").count(), 2);
    }

    #[test]
    fn stored_settings_round_trip() {
        let settings = Settings::from_form(&form(), &Settings::default()).unwrap();
        let json = serde_json::to_string(&settings).unwrap();
        assert_eq!(serde_json::from_str::<Settings>(&json).unwrap(), settings);
    }
}
