//! Signing in to the BMS v2 API with an API-employee user.

use serde::Deserialize;

use super::envelope::{self, BmsError};
use crate::settings::{ApiBase, BmsSettings};

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Token {
    pub access_token: String,
    pub refresh_token: String,
    #[serde(default)]
    pub access_token_expire_on: Option<String>,
    #[serde(default)]
    pub refresh_token_expire_on: Option<String>,
}

pub fn authenticate_url(base: &ApiBase) -> String {
    base.join("/v2/security/authenticate")
}

pub fn userinfo_url(base: &ApiBase) -> String {
    base.join("/v2/security/userinfo")
}

/// The form body of `POST /v2/security/authenticate`, url-encoded as real clients send it.
pub fn authenticate_form(settings: &BmsSettings) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair("UserName", &settings.username)
        .append_pair("Password", settings.password.expose())
        .append_pair("Tenant", &settings.company)
        .append_pair("GrantType", "password")
        .finish()
}

pub fn read_token(status: u16, body: &str) -> Result<Token, BmsError> {
    envelope::read(status, body)
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserInfo {
    #[serde(default)]
    pub full_name: Option<String>,
    #[serde(default)]
    pub business_name: Option<String>,
}

pub fn read_userinfo(status: u16, body: &str) -> Result<UserInfo, BmsError> {
    envelope::read(status, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::{BmsServer, Secret};

    #[test]
    fn the_form_encodes_spaces_and_symbols() {
        let settings = BmsSettings {
            server: BmsServer::Us,
            username: "itglue.api".into(),
            password: Secret::new("Sandbox!Pass 1&"),
            company: "Demo MSP".into(),
            web: None,
        };
        assert_eq!(
            authenticate_form(&settings),
            "UserName=itglue.api&Password=Sandbox%21Pass+1%26&Tenant=Demo+MSP&GrantType=password"
        );
    }

    #[test]
    fn reads_the_camel_case_token() {
        let body = r#"{"success":true,"error":null,"result":{"accessToken":"a","refreshToken":"r","accessTokenExpireOn":"2026-11-27T10:00:00","refreshTokenExpireOn":"2026-12-27T10:00:00"}}"#;
        assert_eq!(read_token(200, body).unwrap().access_token, "a");
    }
}
