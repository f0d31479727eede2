//! Conformance of the IT Glue documentation resources (passwords, flexible assets,
//! documents, checklists, related items, attachments, users, groups) and of the user-JWT
//! permission model, over real HTTP against an in-process sandbox.

mod harness;

use std::collections::BTreeSet;
use std::error::Error;
use std::ops::Deref;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::{Method, StatusCode, header};
use sandbox::{Config, ITGLUE_API_KEY};
use serde_json::{Value, json};

use harness::TestResult;

const ADMIN: (&str, &str) = ("ada.admin@demo-msp.example.com", "Admin!Pass1");
const MANAGER: (&str, &str) = ("max.manager@demo-msp.example.com", "Manager!Pass2");
const EDITOR: (&str, &str) = ("erin.editor@demo-msp.example.com", "Editor!Pass3");
const EDITOR_OTP: &str = "246810";
const CREATOR: (&str, &str) = ("cody.creator@demo-msp.example.com", "Creator!Pass4");
const LITE: (&str, &str) = ("lena.lite@demo-msp.example.com", "Lite!Pass5");
const M365_TYPE: &str = "41";
const BACKUP_TYPE: &str = "42";
const JSON_API: &str = "application/vnd.api+json";

/// Who a request is sent as.
#[derive(Clone, Copy)]
enum As<'a> {
    Key,
    Jwt(&'a str),
    /// A JWT plus the vault passphrase header.
    Vault(&'a str, &'a str),
}

/// The shared in-process sandbox, with this suite's requests on top.
struct Sandbox(harness::Sandbox);

impl Deref for Sandbox {
    type Target = harness::Sandbox;

    fn deref(&self) -> &harness::Sandbox {
        &self.0
    }
}

impl Sandbox {
    async fn start() -> Result<Self, Box<dyn Error>> {
        Self::start_with(|_| {}).await
    }

    async fn start_with(adjust: impl FnOnce(&mut Config)) -> Result<Self, Box<dyn Error>> {
        Ok(Self(harness::Sandbox::start(adjust).await?))
    }

    fn api(&self, path: &str) -> String {
        format!("http://{}{path}", self.running.addresses().itglue_api)
    }

    fn web(&self, path: &str) -> String {
        format!("http://{}{path}", self.running.addresses().itglue_web)
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        who: As<'_>,
        body: Option<Value>,
    ) -> Result<(StatusCode, Value), Box<dyn Error>> {
        let mut request = self.client.request(method, self.api(path));
        request = match who {
            As::Key => request.header("x-api-key", ITGLUE_API_KEY),
            As::Jwt(token) => request.bearer_auth(token),
            As::Vault(token, passphrase) => request
                .bearer_auth(token)
                .header("x-vault-passphrase", passphrase),
        };
        if let Some(body) = body {
            request = request
                .header(header::CONTENT_TYPE, JSON_API)
                .body(body.to_string());
        }
        let response = request.send().await?;
        let status = response.status();
        let text = response.text().await?;
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text)?
        };
        Ok((status, value))
    }

    async fn get(&self, path: &str) -> Result<(StatusCode, Value), Box<dyn Error>> {
        self.call(Method::GET, path, As::Key, None).await
    }

    async fn get_as(&self, path: &str, who: As<'_>) -> Result<(StatusCode, Value), Box<dyn Error>> {
        self.call(Method::GET, path, who, None).await
    }

    async fn ok(&self, path: &str) -> Result<Value, Box<dyn Error>> {
        let (status, body) = self.get(path).await?;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        Ok(body)
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Value,
    ) -> Result<(StatusCode, Value), Box<dyn Error>> {
        self.call(method, path, As::Key, Some(body)).await
    }

    async fn login(
        &self,
        (email, password): (&str, &str),
        otp: Option<&str>,
    ) -> Result<reqwest::Response, Box<dyn Error>> {
        let body = json!({"user": {"email": email, "password": password, "otp_attempt": otp}});
        Ok(self
            .client
            .post(self.web("/login?generate_jwt=1"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(body.to_string())
            .send()
            .await?)
    }

    /// Signs in and trades the refresh token for an access JWT.
    async fn jwt(&self, user: (&str, &str)) -> Result<String, Box<dyn Error>> {
        let otp = (user == EDITOR).then_some(EDITOR_OTP);
        let response = self.login(user, otp).await?;
        assert_eq!(response.status(), StatusCode::OK);
        let refresh: Value = response.json().await?;
        let response = self
            .client
            .get(self.web(&format!(
                "/jwt/token?refresh_token={}",
                text(&refresh["token"])?
            )))
            .send()
            .await?;
        assert_eq!(response.status(), StatusCode::OK);
        let access: Value = response.json().await?;
        Ok(text(&access["token"])?.to_owned())
    }

    /// The id of a password found by organization and name.
    async fn password_id(&self, organization: &str, name: &str) -> Result<String, Box<dyn Error>> {
        let body = self
            .ok(&format!(
                "/passwords?filter[organization_id]={organization}&filter[name]={}",
                encode(name)
            ))
            .await?;
        first_id(&body)
    }

    async fn document_id(&self, organization: &str, name: &str) -> Result<String, Box<dyn Error>> {
        let body = self
            .ok(&format!("/organizations/{organization}/relationships/documents?filter[document_folder_id]=null&page[size]=100"))
            .await?;
        find_by(&body, "name", name).map(|item| text(&item["id"]).map(str::to_owned))?
    }

    async fn asset(&self, type_id: &str, organization: &str) -> Result<Value, Box<dyn Error>> {
        let body = self
            .ok(&format!("/flexible_assets?filter[flexible-asset-type-id]={type_id}&filter[organization-id]={organization}"))
            .await?;
        Ok(body["data"][0].clone())
    }
}

fn encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

fn text(value: &Value) -> Result<&str, Box<dyn Error>> {
    value
        .as_str()
        .ok_or_else(|| format!("not a string: {value}").into())
}

fn first_id(body: &Value) -> Result<String, Box<dyn Error>> {
    Ok(text(&body["data"][0]["id"])?.to_owned())
}

fn data(body: &Value) -> &[Value] {
    body["data"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
}

fn find_by<'a>(
    body: &'a Value,
    attribute: &str,
    wanted: &str,
) -> Result<&'a Value, Box<dyn Error>> {
    data(body)
        .iter()
        .find(|item| item["attributes"][attribute] == wanted)
        .ok_or_else(|| format!("no {attribute} = {wanted} in {body}").into())
}

fn names(body: &Value) -> BTreeSet<String> {
    data(body)
        .iter()
        .filter_map(|item| item["attributes"]["name"].as_str().map(str::to_owned))
        .collect()
}

fn organization_ids(body: &Value) -> BTreeSet<i64> {
    data(body)
        .iter()
        .filter_map(|item| item["attributes"]["organization-id"].as_i64())
        .collect()
}

fn pointer(body: &Value) -> &str {
    body["errors"][0]["source"]["pointer"]
        .as_str()
        .unwrap_or_default()
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (index, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if index <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn unix_now() -> Result<i64, Box<dyn Error>> {
    Ok(i64::try_from(
        SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs(),
    )?)
}

/// `YYYY-MM-DD` of a Unix time (civil-from-days, proleptic Gregorian, UTC).
fn date_of(unix: i64) -> String {
    let days = unix.div_euclid(86_400) + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
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
    format!("{year:04}-{month:02}-{day:02}")
}

/// The `exp` claim of a JWT.
fn expiry(jwt: &str) -> Result<i64, Box<dyn Error>> {
    let payload = jwt.split('.').nth(1).ok_or("no payload")?;
    let mut bits = 0_u32;
    let mut count = 0;
    let mut bytes = Vec::new();
    for c in payload.bytes() {
        let value = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return Err("not base64url".into()),
        };
        bits = (bits << 6) | u32::from(value);
        count += 6;
        if count >= 8 {
            count -= 8;
            bytes.push(u8::try_from((bits >> count) & 0xff)?);
        }
    }
    let claims: Value = serde_json::from_slice(&bytes)?;
    claims["exp"].as_i64().ok_or_else(|| "no exp".into())
}

// ------------------------------------------------------------------ sign-in and JWTs

#[tokio::test]
async fn login_yields_a_refresh_token_and_jwt_with_a_two_hour_expiry() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let wrong = sandbox.login((ADMIN.0, "nope"), None).await?;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let no_code = sandbox.login(EDITOR, None).await?;
    assert_eq!(
        no_code.status(),
        StatusCode::UNAUTHORIZED,
        "two-factor users need otp_attempt"
    );
    let without_flag = sandbox
        .client
        .post(sandbox.web("/login"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(json!({"user": {"email": ADMIN.0, "password": ADMIN.1}}).to_string())
        .send()
        .await?;
    assert_eq!(without_flag.status(), StatusCode::BAD_REQUEST);

    let jwt = sandbox.jwt(EDITOR).await?;
    assert_eq!(jwt.split('.').count(), 3);
    let lifetime = expiry(&jwt)? - unix_now()?;
    assert!((7100..=7200).contains(&lifetime), "exp {lifetime} s ahead");

    let bad_refresh = sandbox
        .client
        .get(sandbox.web("/jwt/token?refresh_token=nope"))
        .send()
        .await?;
    assert_eq!(bad_refresh.status(), StatusCode::UNAUTHORIZED);
    let (status, body) = sandbox
        .get_as("/organizations", As::Jwt("not.a.token"))
        .await?;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["errors"][0]["detail"], "Unauthorized resource access");
    let (status, _) = sandbox.get_as("/organizations", As::Jwt(&jwt)).await?;
    assert_eq!(status, StatusCode::OK);
    Ok(())
}

#[tokio::test]
async fn jwt_lifetime_is_configurable_and_expired_tokens_fail() -> TestResult {
    let sandbox =
        Sandbox::start_with(|config| config.itglue_jwt_lifetime = Duration::from_secs(1)).await?;
    let jwt = sandbox.jwt(ADMIN).await?;
    assert!(expiry(&jwt)? - unix_now()? <= 1);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let (status, _) = sandbox.get_as("/passwords", As::Jwt(&jwt)).await?;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    Ok(())
}

// ------------------------------------------------------------------ visibility

#[tokio::test]
async fn a_user_jwt_sees_only_its_organizations_while_the_key_sees_all() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let key_orgs = organization_ids(&sandbox.ok("/passwords?page[size]=1000").await?);
    assert!(
        key_orgs.is_superset(&BTreeSet::from([2001, 2003, 2004, 2006])),
        "{key_orgs:?}"
    );

    let editor = sandbox.jwt(EDITOR).await?;
    let (_, body) = sandbox
        .get_as("/passwords?page[size]=1000", As::Jwt(&editor))
        .await?;
    assert_eq!(
        organization_ids(&body),
        BTreeSet::from([2001, 2003]),
        "via the Tier 2 group"
    );
    let (_, organizations) = sandbox.get_as("/organizations", As::Jwt(&editor)).await?;
    let visible: BTreeSet<&str> = data(&organizations)
        .iter()
        .filter_map(|org| org["id"].as_str())
        .collect();
    assert_eq!(visible, BTreeSet::from(["2001", "2003"]));
    let (status, _) = sandbox
        .get_as("/organizations/2004", As::Jwt(&editor))
        .await?;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = sandbox
        .get_as(
            "/organizations/2004/relationships/passwords",
            As::Jwt(&editor),
        )
        .await?;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let foreign = sandbox.password_id("2004", "Core switch").await?;
    let (status, _) = sandbox
        .get_as(&format!("/passwords/{foreign}"), As::Jwt(&editor))
        .await?;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, assets) = sandbox
        .get_as(
            &format!("/flexible_assets?filter[flexible-asset-type-id]={M365_TYPE}"),
            As::Jwt(&editor),
        )
        .await?;
    assert_eq!(organization_ids(&assets), BTreeSet::from([2001, 2003]));

    let creator = sandbox.jwt(CREATOR).await?;
    let (_, body) = sandbox
        .get_as("/passwords?page[size]=1000", As::Jwt(&creator))
        .await?;
    assert_eq!(
        organization_ids(&body),
        BTreeSet::from([2004]),
        "direct grant"
    );
    let lite = sandbox.jwt(LITE).await?;
    let (_, body) = sandbox
        .get_as(
            "/organizations/2001/relationships/documents",
            As::Jwt(&lite),
        )
        .await?;
    assert_eq!(organization_ids(&body), BTreeSet::from([2001]));
    Ok(())
}

#[tokio::test]
async fn restricted_records_need_a_grant_or_the_administrator_role() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let console = sandbox.password_id("2001", "Backup console").await?;
    let path = format!("/passwords/{console}");
    let editor = sandbox.jwt(EDITOR).await?;
    let manager = sandbox.jwt(MANAGER).await?;
    let admin = sandbox.jwt(ADMIN).await?;
    assert_eq!(
        sandbox.get_as(&path, As::Jwt(&editor)).await?.0,
        StatusCode::OK,
        "granted to Tier 2"
    );
    assert_eq!(
        sandbox.get_as(&path, As::Jwt(&manager)).await?.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        sandbox.get_as(&path, As::Jwt(&admin)).await?.0,
        StatusCode::OK
    );
    assert_eq!(
        sandbox.get(&path).await?.0,
        StatusCode::OK,
        "API keys are account-wide"
    );

    let documents = "/organizations/2001/relationships/documents";
    let (_, body) = sandbox.get_as(documents, As::Jwt(&manager)).await?;
    assert!(!names(&body).contains("HR credentials policy"));
    let (_, body) = sandbox.get_as(documents, As::Jwt(&admin)).await?;
    assert!(names(&body).contains("HR credentials policy"));
    Ok(())
}

#[tokio::test]
async fn roles_gate_writes() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let lite = sandbox.jwt(LITE).await?;
    let creator = sandbox.jwt(CREATOR).await?;
    let new_password =
        json!({"data": {"type": "passwords", "attributes": {"name": "X", "password": "Y"}}});
    let (status, body) = sandbox
        .call(
            Method::POST,
            "/organizations/2001/relationships/passwords",
            As::Jwt(&lite),
            Some(new_password.clone()),
        )
        .await?;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = sandbox
        .call(
            Method::POST,
            "/organizations/2004/relationships/passwords",
            As::Jwt(&creator),
            Some(new_password),
        )
        .await?;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = text(&body["data"]["id"])?.to_owned();
    let (status, _) = sandbox
        .call(
            Method::DELETE,
            &format!("/passwords/{id}"),
            As::Jwt(&creator),
            None,
        )
        .await?;
    assert_eq!(status, StatusCode::FORBIDDEN, "Creators cannot delete");
    let foreign = json!({"data": {"type": "passwords", "attributes": {"organization_id": 2001, "name": "X", "password": "Y"}}});
    let (status, body) = sandbox
        .call(Method::POST, "/passwords", As::Jwt(&creator), Some(foreign))
        .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body["errors"][0]["title"],
        "Valid organization_id is required"
    );
    Ok(())
}

// ------------------------------------------------------------------ passwords

#[tokio::test]
async fn password_lists_never_carry_the_value() -> TestResult {
    let sandbox = Sandbox::start().await?;
    for path in [
        "/passwords?show_password=true&page[size]=1000",
        "/organizations/2001/relationships/passwords?show_password=true",
    ] {
        let body = sandbox.ok(path).await?;
        assert!(!data(&body).is_empty());
        for row in data(&body) {
            assert!(row["attributes"].get("password").is_none(), "{path}: {row}");
            assert!(row["attributes"].get("is-live").is_none());
        }
    }
    Ok(())
}

#[tokio::test]
async fn password_show_follows_access_vault_and_show_password() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let admin_password = sandbox
        .password_id("2001", "Office 365 Global Admin")
        .await?;
    let path = format!("/passwords/{admin_password}");
    let shown = sandbox.ok(&path).await?;
    let attributes = &shown["data"]["attributes"];
    assert_eq!(attributes["password"], "M365-HFD-Adm1n!");
    assert_eq!(attributes["otp-enabled"], true);
    assert_eq!(attributes["is-live"], true);
    let keys: Vec<&String> = attributes.as_object().ok_or("attributes")?.keys().collect();
    assert!(
        keys.iter()
            .all(|key| !key.contains("otp") || *key == "otp-enabled"),
        "{keys:?}"
    );
    for key in [
        "vault-id",
        "personal",
        "archived",
        "password-folder-id",
        "updated-by-type",
        "parent-url",
        "otp-enabled",
    ] {
        assert!(attributes.get(key).is_some(), "missing {key}");
    }
    let hidden = sandbox.ok(&format!("{path}?show_password=false")).await?;
    assert!(hidden["data"]["attributes"].get("password").is_none());

    let creator = sandbox.jwt(CREATOR).await?;
    let creators = sandbox.password_id("2004", "Core switch").await?;
    let (_, body) = sandbox
        .get_as(&format!("/passwords/{creators}"), As::Jwt(&creator))
        .await?;
    assert!(
        body["data"]["attributes"].get("password").is_none(),
        "no password access"
    );

    let vaulted = sandbox.password_id("2001", "Domain Administrator").await?;
    let vault_path = format!("/passwords/{vaulted}");
    let by_key = sandbox.ok(&vault_path).await?;
    assert!(by_key["data"]["attributes"]["vault-id"].is_i64());
    assert!(
        by_key["data"]["attributes"].get("password").is_none(),
        "keys never read vaults"
    );
    let editor = sandbox.jwt(EDITOR).await?;
    let (_, locked) = sandbox.get_as(&vault_path, As::Jwt(&editor)).await?;
    assert!(locked["data"]["attributes"].get("password").is_none());
    let (_, wrong) = sandbox
        .get_as(&vault_path, As::Vault(&editor, "vault-ada"))
        .await?;
    assert!(wrong["data"]["attributes"].get("password").is_none());
    let (_, open) = sandbox
        .get_as(&vault_path, As::Vault(&editor, "vault-erin"))
        .await?;
    assert_eq!(open["data"]["attributes"]["password"], "Vault-HFD-D0main!");
    Ok(())
}

#[tokio::test]
async fn embedded_passwords_name_their_parent() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let switch = sandbox.password_id("2001", "Core switch").await?;
    let body = sandbox.ok(&format!("/passwords/{switch}")).await?;
    let attributes = &body["data"]["attributes"];
    assert_eq!(attributes["resource-type"], "Configuration");
    let configuration = attributes["resource-id"].as_i64().ok_or("resource-id")?;
    let parent_url = text(&attributes["parent-url"])?;
    assert!(
        parent_url.ends_with(&format!("/2001/configurations/{configuration}")),
        "{parent_url}"
    );
    assert!(attributes["cached-resource-name"].is_string());

    let general = sandbox.password_id("2001", "Guest Wi-Fi").await?;
    let body = sandbox.ok(&format!("/passwords/{general}")).await?;
    assert_eq!(body["data"]["attributes"]["resource-type"], Value::Null);
    assert_eq!(body["data"]["attributes"]["parent-url"], Value::Null);

    let half = json!({"data": {"type": "passwords", "attributes": {
        "organization_id": 2001, "name": "Half", "password": "x", "resource_id": configuration
    }}});
    let (status, body) = sandbox.send(Method::POST, "/passwords", half).await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(pointer(&body), "/data/attributes/resource-id");
    let whole = json!({"data": {"type": "passwords", "attributes": {
        "organization_id": 2001, "name": "iDRAC", "password": "x",
        "resource_id": configuration, "resource_type": "Configuration"
    }}});
    let (status, body) = sandbox.send(Method::POST, "/passwords", whole).await?;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["data"]["attributes"]["resource-id"], configuration);
    Ok(())
}

#[tokio::test]
async fn password_writes_versions_otp_and_deletes() -> TestResult {
    let sandbox = Sandbox::start().await?;
    for key in ["otpSecret", "otp_secret"] {
        let body = json!({"data": {"type": "passwords", "attributes": {
            "name": format!("Portal {key}"), "password": "first", key: "JBSWY3DPEHPK3PXP",
            "password_category_id": 11
        }}});
        let (status, created) = sandbox
            .send(
                Method::POST,
                "/organizations/2003/relationships/passwords",
                body,
            )
            .await?;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let attributes = &created["data"]["attributes"];
        assert_eq!(attributes["otp-enabled"], true);
        assert!(
            attributes.get("password").is_none(),
            "POST defaults to show_password=false"
        );
        assert_eq!(attributes["password-category-name"], "Cloud");
    }
    let id = sandbox.password_id("2003", "Portal otpSecret").await?;
    let patch = json!({"data": {"type": "passwords", "attributes": {"password": "second"}}});
    let (status, patched) = sandbox
        .send(
            Method::PATCH,
            &format!("/passwords/{id}?show_password=true"),
            patch,
        )
        .await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(patched["data"]["attributes"]["password"], "second");

    let seeded = sandbox
        .password_id("2001", "Office 365 Global Admin")
        .await?;
    let inline = json!({"data": {
        "type": "passwords",
        "attributes": {"organization_id": 2001, "name": "Router", "password": "r"},
        "relationships": {"password_category": {"data": {"type": "password_categories", "attributes": {"name": "Routers", "account_id": 1}}}}
    }});
    let (status, body) = sandbox.send(Method::POST, "/passwords", inline).await?;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        body["data"]["attributes"]["password-category-name"],
        "Routers"
    );
    let categories = sandbox
        .ok("/password_categories?filter[name]=Routers")
        .await?;
    assert_eq!(data(&categories).len(), 1);

    // The seeded password has one earlier revision; its id comes from the version table.
    let current = sandbox.ok(&format!("/passwords/{seeded}")).await?;
    assert_eq!(current["data"]["attributes"]["password"], "M365-HFD-Adm1n!");
    let (status, _) = sandbox
        .get(&format!("/passwords/{seeded}?version_id=999999"))
        .await?;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let patch = json!({"data": {"type": "passwords", "attributes": {"password": "Rotated!"}}});
    sandbox
        .send(Method::PATCH, &format!("/passwords/{id}"), patch)
        .await?;
    let mut found_old = false;
    for version in 1..=40 {
        let (status, body) = sandbox
            .get(&format!("/passwords/{id}?version_id={version}"))
            .await?;
        if status == StatusCode::OK && body["data"]["attributes"]["password"] == "second" {
            assert_eq!(body["data"]["id"], id.as_str());
            found_old = true;
        }
    }
    assert!(
        found_old,
        "version_id returns the revision before the last change"
    );

    let (status, body) = sandbox
        .call(Method::DELETE, &format!("/passwords/{id}"), As::Key, None)
        .await?;
    assert_eq!((status, body), (StatusCode::NO_CONTENT, Value::Null));
    let other = sandbox.password_id("2003", "Portal otp_secret").await?;
    let bulk = json!({"data": [{"type": "passwords", "attributes": {"id": other}}]});
    let (status, body) = sandbox.send(Method::DELETE, "/passwords", bulk).await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"][0]["id"], other.as_str());
    assert_eq!(
        sandbox.get(&format!("/passwords/{other}")).await?.0,
        StatusCode::NOT_FOUND
    );
    Ok(())
}

#[tokio::test]
async fn password_folders_nest_under_organizations() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let folders = sandbox
        .ok("/organizations/2001/relationships/password_folders")
        .await?;
    let infrastructure = find_by(&folders, "name", "Infrastructure")?;
    let wireless = find_by(&folders, "name", "Wireless")?;
    assert_eq!(
        wireless["attributes"]["parent-id"].as_i64(),
        text(&infrastructure["id"])?.parse().ok()
    );
    let create = json!({"data": {"type": "password_folders", "attributes": {"name": "Firewalls", "parent_id": text(&infrastructure["id"])?}}});
    let (status, body) = sandbox
        .send(
            Method::POST,
            "/organizations/2001/relationships/password_folders",
            create,
        )
        .await?;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let foreign = json!({"data": {"type": "password_folders", "attributes": {"name": "X", "parent_id": text(&infrastructure["id"])?}}});
    let (status, _) = sandbox
        .send(
            Method::POST,
            "/organizations/2003/relationships/password_folders",
            foreign,
        )
        .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    Ok(())
}

// ------------------------------------------------------------------ flexible assets

#[tokio::test]
async fn flexible_asset_index_requires_the_kebab_type_filter() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let (status, body) = sandbox.get("/flexible_assets").await?;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, _) = sandbox
        .get(&format!(
            "/flexible_assets?filter[flexible_asset_type_id]={M365_TYPE}"
        ))
        .await?;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "the snake key is not this route's"
    );
    let body = sandbox
        .ok(&format!("/flexible_assets?filter[flexible-asset-type-id]={M365_TYPE}&filter[organization-id]=2001"))
        .await?;
    assert_eq!(data(&body).len(), 1);
    let attributes = &body["data"][0]["attributes"];
    assert_eq!(attributes["flexible-asset-type-name"], "Microsoft 365");
    assert_eq!(
        attributes["name"], "happyfrogdental.onmicrosoft.com",
        "computed from the title field"
    );
    assert!(
        attributes["traits"]["licensed-users"].is_i64(),
        "licence counts are numbers"
    );
    assert!(text(&attributes["resource-url"])?.contains("/2001/assets/41-microsoft-365/records/"));
    let tag = &attributes["traits"]["global-admin-password"];
    assert_eq!(tag["type"], "Passwords");
    assert_eq!(tag["values"][0]["name"], "Office 365 Global Admin");
    let by_name = sandbox
        .ok(&format!("/flexible_assets?filter[flexible-asset-type-id]={M365_TYPE}&filter[name]=happyfrogdental.onmicrosoft.com"))
        .await?;
    assert_eq!(data(&by_name).len(), 1);
    Ok(())
}

#[tokio::test]
async fn flexible_asset_patch_deletes_omitted_and_null_traits() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let password = sandbox
        .password_id("2003", "Office 365 Global Admin")
        .await?;
    let create = json!({"data": {"type": "flexible-assets", "attributes": {
        "organization-id": 2003, "flexible-asset-type-id": M365_TYPE,
        "traits": {"tenant-name": "contoso.onmicrosoft.com", "plan": "E3", "licensed-users": 40,
                   "notes": "Renew in March", "renewal-date": "2025-03-31",
                   "global-admin-password": password}
    }}});
    let (status, created) = sandbox
        .send(Method::POST, "/flexible_assets", create)
        .await?;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = text(&created["data"]["id"])?.to_owned();
    let traits = &created["data"]["attributes"]["traits"];
    assert_eq!(
        traits["global-admin-password"]["values"][0]["id"].to_string(),
        password
    );
    assert_eq!(
        created["data"]["attributes"]["name"],
        "contoso.onmicrosoft.com"
    );

    let patch = json!({"data": {"type": "flexible_assets", "attributes": {"traits": {
        "tenant-name": "contoso.onmicrosoft.com", "plan": "E5", "licensed-users": 42, "notes": null
    }}}});
    let (status, patched) = sandbox
        .send(Method::PATCH, &format!("/flexible_assets/{id}"), patch)
        .await?;
    assert_eq!(status, StatusCode::OK, "{patched}");
    let traits = patched["data"]["attributes"]["traits"]
        .as_object()
        .ok_or("traits")?;
    let keys: BTreeSet<&str> = traits.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        BTreeSet::from(["licensed-users", "plan", "tenant-name"]),
        "omitted and null traits are gone"
    );
    assert_eq!(traits["licensed-users"], 42);

    let missing_required =
        json!({"data": {"type": "flexible_assets", "attributes": {"traits": {"plan": "E5"}}}});
    let (status, body) = sandbox
        .send(
            Method::PATCH,
            &format!("/flexible_assets/{id}"),
            missing_required,
        )
        .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(pointer(&body).ends_with("/traits/tenant-name"), "{body}");

    let flags_only = json!({"data": {"type": "flexible_assets", "attributes": {"archived": true}}});
    let (_, kept) = sandbox
        .send(Method::PATCH, &format!("/flexible_assets/{id}"), flags_only)
        .await?;
    assert_eq!(
        kept["data"]["attributes"]["traits"]["plan"], "E5",
        "no traits member keeps the traits"
    );
    assert_eq!(kept["data"]["attributes"]["archived"], true);

    let bulk = json!({"data": [{"type": "flexible_assets", "attributes": {"id": id, "traits": {
        "tenant-name": "contoso.onmicrosoft.com", "plan": "E3", "licensed-users": 7
    }}}]});
    let (status, body) = sandbox
        .send(Method::PATCH, "/flexible_assets", bulk)
        .await?;
    assert_eq!(status, StatusCode::OK, "{body}");
    let traits = body["data"][0]["attributes"]["traits"]
        .as_object()
        .ok_or("traits")?;
    assert_eq!(traits.len(), 3, "bulk PATCH is destructive too");

    for (bad, at) in [
        (json!({"plan": "Ultimate"}), "plan"),
        (json!({"licensed-users": "many"}), "licensed-users"),
        (json!({"renewal-date": "31/03/2025"}), "renewal-date"),
        (
            json!({"global-admin-password": [999_999_999]}),
            "global-admin-password",
        ),
        (json!({"colour": "red"}), "colour"),
    ] {
        let mut traits = json!({"tenant-name": "t", "plan": "E3", "licensed-users": 1});
        if let (Some(target), Some(extra)) = (traits.as_object_mut(), bad.as_object()) {
            target.extend(extra.clone());
        }
        let body = json!({"data": {"type": "flexible_assets", "attributes": {"traits": traits}}});
        let (status, error) = sandbox
            .send(Method::PATCH, &format!("/flexible_assets/{id}"), body)
            .await?;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{at}");
        assert!(pointer(&error).ends_with(at), "{error}");
    }
    Ok(())
}

#[tokio::test]
async fn upload_traits_take_strict_base64_and_serve_the_file() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let asset = sandbox.asset(BACKUP_TYPE, "2001").await?;
    let id = text(&asset["id"])?.to_owned();
    let seeded = text(&asset["attributes"]["traits"]["config-export"]["download-url"])?;
    let port = sandbox.running.addresses().itglue_web.port();
    assert!(seeded.starts_with(&format!("http://demo-msp.itglue.localhost:{port}/")));
    let base = |upload: Value| {
        json!({"data": {"type": "flexible_assets", "attributes": {"traits": {
            "backup-name": "HFD nightly backup", "product": "Veeam", "protected-devices": 3,
            "config-export": upload
        }}}})
    };
    let wrapped = format!("{}\n{}", base64(b"line one, "), base64(b"line two"));
    let (status, _) = sandbox
        .send(
            Method::PATCH,
            &format!("/flexible_assets/{id}"),
            base(json!({"content": wrapped, "file_name": "x.txt"})),
        )
        .await?;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "line breaks are not strict base64"
    );
    let (status, body) = sandbox
        .send(
            Method::PATCH,
            &format!("/flexible_assets/{id}"),
            base(json!({"content": base64(b"a,b\n1,2\n"), "file_name": "export.csv"})),
        )
        .await?;
    assert_eq!(status, StatusCode::OK, "{body}");
    let upload = &body["data"]["attributes"]["traits"]["config-export"];
    assert_eq!(upload["file-name"], "export.csv");
    let url = text(&upload["download-url"])?.replace("demo-msp.itglue.localhost", "127.0.0.1");
    let file = sandbox.client.get(url).send().await?;
    assert_eq!(file.status(), StatusCode::OK);
    assert_eq!(
        file.headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
        Some("text/csv")
    );
    assert_eq!(file.bytes().await?.as_ref(), b"a,b\n1,2\n");
    Ok(())
}

#[tokio::test]
async fn flexible_asset_field_rules() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let fields = format!("/flexible_asset_types/{M365_TYPE}/relationships/flexible_asset_fields");
    let listed = sandbox.ok(&fields).await?;
    let licensed = find_by(&listed, "name", "Licensed Users")?;
    assert_eq!(licensed["attributes"]["kind"], "Number");
    assert_eq!(licensed["attributes"]["name-key"], "licensed-users");
    let plan = find_by(&listed, "name", "Plan")?;
    assert_eq!(plan["attributes"]["kind"], "Select");

    let post = |attributes: Value| json!({"data": {"type": "flexible_asset_fields", "attributes": attributes}});
    for (attributes, at) in [
        (json!({"name": "plan", "kind": "Text", "order": 50}), "name"),
        (
            json!({"name": "Seats", "kind": "Text", "order": 1}),
            "order",
        ),
        (
            json!({"name": "Tier", "kind": "Select", "order": 51}),
            "default-value",
        ),
        (
            json!({"name": "Seats", "kind": "Number", "order": 52}),
            "decimals",
        ),
        (
            json!({"name": "Ratio", "kind": "Percent", "order": 53}),
            "decimals",
        ),
    ] {
        let (status, body) = sandbox
            .send(Method::POST, &fields, post(attributes))
            .await?;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{at}: {body}");
        assert_eq!(pointer(&body), format!("/data/attributes/{at}"));
    }
    let (status, created) = sandbox
        .send(
            Method::POST,
            &fields,
            post(
                json!({"name": "Seats", "kind": "Number", "decimals": 0, "order": 60,
            "use_for_title": true, "required": false}),
            ),
        )
        .await?;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(
        created["data"]["attributes"]["use-for-title"], false,
        "forced false for Number"
    );
    let seats = text(&created["data"]["id"])?.to_owned();
    let (status, header_field) = sandbox
        .send(
            Method::POST,
            &fields,
            post(json!({"name": "Section", "kind": "Header", "order": 61, "required": true})),
        )
        .await?;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        header_field["data"]["attributes"]["required"], false,
        "forced false for Header"
    );

    let to_text =
        json!({"data": {"type": "flexible_asset_fields", "attributes": {"kind": "Text"}}});
    let (status, _) = sandbox
        .send(
            Method::PATCH,
            &format!("/flexible_asset_fields/{seats}"),
            to_text.clone(),
        )
        .await?;
    assert_eq!(status, StatusCode::OK, "no traits use it yet");
    let licensed_id = text(&licensed["id"])?;
    let (status, body) = sandbox
        .send(
            Method::PATCH,
            &format!("/flexible_asset_fields/{licensed_id}"),
            to_text,
        )
        .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(pointer(&body), "/data/attributes/kind");

    for id in [&seats, &text(&header_field["data"]["id"])?.to_owned()] {
        let (status, _) = sandbox
            .call(
                Method::DELETE,
                &format!("/flexible_asset_fields/{id}"),
                As::Key,
                None,
            )
            .await?;
        assert_eq!(status, StatusCode::NO_CONTENT);
    }
    let hide_all = json!({"data": data(&listed).iter()
        .filter(|field| field["attributes"]["show-in-list"] == true)
        .map(|field| json!({"type": "flexible_asset_fields", "attributes": {"id": field["id"], "show_in_list": false}}))
        .collect::<Vec<_>>()});
    let (status, body) = sandbox
        .send(Method::PATCH, "/flexible_asset_fields", hide_all)
        .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(pointer(&body), "/data/attributes/show-in-list");
    Ok(())
}

#[tokio::test]
async fn flexible_asset_types_embed_fields_and_refuse_relationship_patches() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let body = sandbox
        .ok(&format!(
            "/flexible_asset_types/{M365_TYPE}?include=flexible_asset_fields"
        ))
        .await?;
    assert_eq!(body["data"]["attributes"]["name"], "Microsoft 365");
    let related = body["data"]["relationships"]["flexible-asset-fields"]["data"]
        .as_array()
        .ok_or("fields")?;
    assert_eq!(
        related.len(),
        body["included"].as_array().map_or(0, Vec::len)
    );
    assert!(
        related
            .iter()
            .all(|field| field["type"] == "flexible-asset-fields")
    );

    let create = json!({"data": {"type": "flexible_asset_types", "attributes": {"name": "Firewall", "icon": "shield"},
    "relationships": {"flexible_asset_fields": {"data": [
        {"type": "flexible_asset_fields", "attributes": {"order": 1, "name": "Model", "kind": "Text", "show_in_list": true, "use_for_title": true}},
        {"type": "flexible_asset_fields", "attributes": {"order": 2, "name": "Ports", "kind": "Number", "decimals": 0}}
    ]}}}});
    let (status, created) = sandbox
        .send(
            Method::POST,
            "/flexible_asset_types?include=flexible_asset_fields",
            create,
        )
        .await?;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["included"].as_array().map_or(0, Vec::len), 2);
    let id = text(&created["data"]["id"])?.to_owned();
    let invalid = json!({"data": {"type": "flexible_asset_types", "attributes": {"name": "Bad"},
    "relationships": {"flexible_asset_fields": {"data": [
        {"type": "flexible_asset_fields", "attributes": {"order": 1, "name": "Only", "kind": "Text"}}
    ]}}}});
    let (status, _) = sandbox
        .send(Method::POST, "/flexible_asset_types", invalid)
        .await?;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no field shown in the list"
    );
    assert!(
        sandbox.ok("/flexible_asset_types?filter[name]=Bad").await?["data"]
            .as_array()
            .is_some_and(Vec::is_empty)
    );

    let with_relationships = json!({"data": {"type": "flexible_asset_types", "attributes": {"name": "Firewalls"},
        "relationships": {"flexible_asset_fields": {"data": []}}}});
    let (status, _) = sandbox
        .send(
            Method::PATCH,
            &format!("/flexible_asset_types/{id}"),
            with_relationships,
        )
        .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let rename = json!({"data": {"type": "flexible_asset_types", "attributes": {"name": "Firewalls", "enabled": false}}});
    let (status, body) = sandbox
        .send(
            Method::PATCH,
            &format!("/flexible_asset_types/{id}"),
            rename,
        )
        .await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"]["attributes"]["enabled"], false);
    let (status, _) = sandbox
        .call(
            Method::DELETE,
            &format!("/flexible_asset_types/{id}"),
            As::Key,
            None,
        )
        .await?;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    Ok(())
}

#[tokio::test]
async fn flexible_asset_deletes_single_and_by_filter() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let asset = sandbox.asset(M365_TYPE, "2006").await?;
    let id = text(&asset["id"])?;
    let (status, _) = sandbox
        .call(
            Method::DELETE,
            &format!("/flexible_assets/{id}"),
            As::Key,
            None,
        )
        .await?;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = sandbox
        .call(
            Method::DELETE,
            "/flexible_assets?filter[organization_id]=2006",
            As::Key,
            None,
        )
        .await?;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "flexible_asset_type_id is required: {body}"
    );
    let (status, body) = sandbox
        .call(Method::DELETE, &format!("/flexible_assets?filter[organization_id]=2006&filter[flexible_asset_type_id]={BACKUP_TYPE}"), As::Key, None)
        .await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(data(&body).len(), 1);
    let left = sandbox
        .ok(&format!("/flexible_assets?filter[flexible-asset-type-id]={M365_TYPE},{BACKUP_TYPE}&filter[organization-id]=2006"))
        .await?;
    assert!(data(&left).is_empty());
    Ok(())
}

// ------------------------------------------------------------------ documents

#[tokio::test]
async fn organization_documents_are_root_only_unless_a_folder_filter_is_given() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let base = "/organizations/2001/relationships/documents";
    let root = sandbox.ok(base).await?;
    let root_names = names(&root);
    assert!(root_names.contains("Welcome to Happy Frog Dental"));
    assert!(
        !root_names.contains("Backup runbook"),
        "foldered documents stay out"
    );
    for row in data(&root) {
        assert_eq!(row["attributes"]["document-folder-id"], Value::Null);
        assert!(
            row["attributes"]["content"].is_string(),
            "list rows carry the body"
        );
    }
    let all = names(
        &sandbox
            .ok(&format!("{base}?filter[document_folder_id]=null"))
            .await?,
    );
    assert!(all.contains("Backup runbook") && all.contains("Old network diagram notes"));
    let fallback = names(
        &sandbox
            .ok(&format!("{base}?filter[document_folder_id][ne]="))
            .await?,
    );
    assert_eq!(fallback, all);
    let folders = sandbox
        .ok("/organizations/2001/relationships/document_folders")
        .await?;
    let runbooks = text(&find_by(&folders, "name", "Runbooks")?["id"])?.to_owned();
    let in_folder = names(
        &sandbox
            .ok(&format!("{base}?filter[document_folder_id]={runbooks}"))
            .await?,
    );
    assert_eq!(in_folder, BTreeSet::from(["Backup runbook".to_owned()]));

    let imported = sandbox.document_id("2001", "Imported notes").await?;
    let body = sandbox.ok(&format!("/documents/{imported}")).await?;
    let content = text(&body["data"]["attributes"]["content"])?;
    assert!(
        content.contains("<script>window.__pwned = 'doc-script'</script>"),
        "stored HTML is not sanitised"
    );
    assert!(content.contains("onerror="));
    Ok(())
}

#[tokio::test]
async fn documents_create_patch_publish_and_bulk_delete() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let create = json!({"data": {"type": "documents", "attributes": {"name": "Printer guide"}}});
    let (status, created) = sandbox
        .send(
            Method::POST,
            "/organizations/2003/relationships/documents",
            create,
        )
        .await?;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = text(&created["data"]["id"])?.to_owned();
    assert_eq!(created["data"]["attributes"]["published"], false);
    let (status, body) = sandbox
        .send(
            Method::PATCH,
            &format!("/documents/{id}"),
            json!({"data": {"type": "documents", "attributes": {"document_folder_id": 1}}}),
        )
        .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(pointer(&body), "/data/attributes/document-folder-id");
    let (status, body) = sandbox
        .send(Method::PATCH, &format!("/documents/{id}"), json!({"data": {"type": "documents", "attributes": {"name": "Printer guide v2", "public": true}}}))
        .await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"]["attributes"]["name"], "Printer guide v2");

    let sections = format!("/documents/{id}/relationships/sections");
    let heading = json!({"data": {"type": "document-sections", "attributes": {"resource_type": "Document::Heading", "content": "Setup"}}});
    let (status, _) = sandbox.send(Method::POST, &sections, heading).await?;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "headings need a level"
    );
    for attributes in [
        json!({"resource_type": "Document::Heading", "content": "Setup", "level": 2}),
        json!({"resource_type": "Document::Text", "content": "<p>Plug it in.</p>"}),
        json!({"resource_type": "Document::Step", "content": "<p>Print a test page.</p>", "duration": 3}),
    ] {
        let (status, body) = sandbox
            .send(
                Method::POST,
                &sections,
                json!({"data": {"type": "document_sections", "attributes": attributes}}),
            )
            .await?;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["data"]["type"], "document-sections");
    }
    let listed = sandbox.ok(&sections).await?;
    assert_eq!(data(&listed).len(), 3);
    assert_eq!(
        listed["data"][0]["attributes"]["rendered-content"],
        "<h2>Setup</h2>"
    );
    let document = sandbox.ok(&format!("/documents/{id}")).await?;
    let content = text(&document["data"]["attributes"]["content"])?;
    assert!(
        content.starts_with("<h2>Setup</h2><p>Plug it in.</p>"),
        "{content}"
    );

    let (status, published) = sandbox
        .call(
            Method::PATCH,
            &format!("/documents/{id}/publish"),
            As::Key,
            None,
        )
        .await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(published["data"]["attributes"]["published"], true);
    let bulk = json!({"data": [{"type": "documents", "attributes": {"id": id}}]});
    let (status, body) = sandbox.send(Method::DELETE, "/documents", bulk).await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"][0]["id"], id.as_str());
    assert_eq!(
        sandbox.get(&format!("/documents/{id}")).await?.0,
        StatusCode::NOT_FOUND
    );
    Ok(())
}

// ------------------------------------------------------------------ checklists

#[tokio::test]
async fn checklists_have_no_create_but_templates_instantiate() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let (status, _) = sandbox
        .send(
            Method::POST,
            "/checklists",
            json!({"data": {"type": "checklists", "attributes": {"name": "X"}}}),
        )
        .await?;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    let nested = "/organizations/2001/relationships/checklists";
    let (status, body) = sandbox
        .send(
            Method::POST,
            nested,
            json!({"data": {"type": "checklists", "attributes": {"name": "X"}}}),
        )
        .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(pointer(&body), "/data/attributes/checklist-template-id");

    let templates = sandbox
        .ok("/checklist_templates?include=checklist_tasks")
        .await?;
    let template_names = names(&templates);
    for name in [
        "New user onboarding",
        "Server reboot",
        "Printer troubleshooting",
    ] {
        assert!(template_names.contains(name), "{name}");
    }
    let reboot = find_by(&templates, "name", "Server reboot")?;
    let task_count = reboot["relationships"]["checklist-tasks"]["data"]
        .as_array()
        .map_or(0, Vec::len);
    assert_eq!(task_count, 4);

    let instantiate = json!({"data": {"type": "checklists", "attributes": {"checklist_template_id": reboot["id"], "due_date": "2025-07-01"}}});
    let (status, created) = sandbox.send(Method::POST, nested, instantiate).await?;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["data"]["attributes"]["name"], "Server reboot");
    let tasks = created["included"].as_array().ok_or("tasks")?;
    assert_eq!(tasks.len(), 4);
    let first = &tasks[0];
    assert_eq!(first["type"], "checklist-tasks");
    let task_keys: BTreeSet<&str> = first["attributes"]
        .as_object()
        .ok_or("attributes")?
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        task_keys,
        BTreeSet::from([
            "completed",
            "completed-at",
            "completed-by",
            "description",
            "name",
            "order"
        ])
    );

    let id = text(&created["data"]["id"])?.to_owned();
    let tick = json!({"data": {"type": "checklists", "attributes": {"checklist_tasks": [{"id": first["id"], "completed": true}]}}});
    let (status, body) = sandbox
        .send(
            Method::PATCH,
            &format!("/checklists/{id}?include=checklist_tasks"),
            tick,
        )
        .await?;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["attributes"]["completed-task-count"], 1);
    assert_eq!(body["included"][0]["attributes"]["completed"], true);
    assert!(body["included"][0]["attributes"]["completed-at"].is_string());

    let listed = sandbox
        .ok(&format!("{nested}?include=checklist_tasks"))
        .await?;
    assert!(names(&listed).contains("Onboarding: new hire"));
    let bulk =
        json!({"data": [{"type": "checklists", "attributes": {"id": id, "name": "Reboot DC01"}}]});
    let (status, body) = sandbox.send(Method::PATCH, "/checklists", bulk).await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"][0]["attributes"]["name"], "Reboot DC01");
    let delete = json!({"data": [{"type": "checklists", "attributes": {"id": id}}]});
    let (status, _) = sandbox.send(Method::DELETE, "/checklists", delete).await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        sandbox.get(&format!("/checklists/{id}")).await?.0,
        StatusCode::NOT_FOUND
    );
    Ok(())
}

// ------------------------------------------------------------------ related items and attachments

#[tokio::test]
async fn related_items_are_directional_and_editable_only_in_notes() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let password = sandbox
        .password_id("2001", "Office 365 Global Admin")
        .await?;
    let shown = sandbox
        .ok(&format!("/passwords/{password}?include=related_items"))
        .await?;
    let item = &shown["included"][0];
    assert_eq!(item["type"], "related_items");
    assert_eq!(item["attributes"]["destination-type"], "Flexible Asset");
    assert_eq!(
        item["attributes"]["destination-name"],
        "happyfrogdental.onmicrosoft.com"
    );
    assert_eq!(
        shown["data"]["relationships"]["related-items"]["data"][0]["id"],
        item["id"]
    );
    let asset = sandbox.asset(M365_TYPE, "2001").await?;
    let asset_side = sandbox
        .ok(&format!(
            "/flexible_assets/{}?include=related_items",
            text(&asset["id"])?
        ))
        .await?;
    assert!(
        asset_side["included"].as_array().is_some_and(Vec::is_empty),
        "links show on their source only"
    );

    let document = sandbox.document_id("2001", "Imported notes").await?;
    let path = format!("/passwords/{password}/relationships/related_items");
    let many = json!({"data": [
        {"type": "related_items", "attributes": {"destination_id": document, "destination_type": "Document", "notes": "See notes"}},
        {"type": "related_items", "attributes": {"destination_id": "2001", "destination_type": "Organization"}}
    ]});
    let (status, created) = sandbox.send(Method::POST, &path, many).await?;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(data(&created).len(), 2);
    let new_id = text(&created["data"][0]["id"])?.to_owned();
    let bad = json!({"data": {"type": "related_items", "attributes": {"destination_id": 1, "destination_type": "Spaceship"}}});
    assert_eq!(
        sandbox.send(Method::POST, &path, bad).await?.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    let patch = json!({"data": {"type": "related_items", "attributes": {"notes": "Updated", "destination_type": "Organization"}}});
    let (status, body) = sandbox
        .send(Method::PATCH, &format!("{path}/{new_id}"), patch)
        .await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"]["attributes"]["notes"], "Updated");
    assert_eq!(
        body["data"]["attributes"]["destination-type"], "Document",
        "only notes change"
    );

    let delete = json!({"data": [{"type": "related_items", "attributes": {"id": new_id}}]});
    let (status, body) = sandbox.send(Method::DELETE, &path, delete).await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"][0]["id"], new_id.as_str());
    let after = sandbox
        .ok(&format!("/passwords/{password}?include=related_items"))
        .await?;
    assert_eq!(after["included"].as_array().map_or(0, Vec::len), 2);
    Ok(())
}

#[tokio::test]
async fn attachments_upload_download_rename_and_delete() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let welcome = sandbox
        .document_id("2001", "Welcome to Happy Frog Dental")
        .await?;
    let shown = sandbox
        .ok(&format!("/documents/{welcome}?include=attachments"))
        .await?;
    let seeded = &shown["included"][0];
    assert_eq!(seeded["type"], "attachments");
    for key in [
        "name",
        "attachment-file-name",
        "attachment-content-type",
        "attachment-file-size",
        "ext",
        "viewable",
        "download-url",
        "created-at",
        "updated-at",
    ] {
        assert!(seeded["attributes"].get(key).is_some(), "missing {key}");
    }
    assert_eq!(seeded["attributes"]["ext"], "png");
    assert_eq!(seeded["attributes"]["viewable"], true);

    let path = format!("/documents/{welcome}/relationships/attachments");
    let upload = json!({"data": {"type": "attachments", "attributes": {"attachment": {"content": base64(b"hello"), "file_name": "hello.txt"}}}});
    let (status, created) = sandbox.send(Method::POST, &path, upload).await?;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["data"]["attributes"]["attachment-file-size"], 5);
    let url = text(&created["data"]["attributes"]["download-url"])?
        .replace("demo-msp.itglue.localhost", "127.0.0.1");
    assert_eq!(
        sandbox
            .client
            .get(url)
            .send()
            .await?
            .bytes()
            .await?
            .as_ref(),
        b"hello"
    );
    let bad = json!({"data": {"type": "attachments", "attributes": {"attachment": {"content": "aGVsbG8", "file_name": "x.txt"}}}});
    assert_eq!(
        sandbox.send(Method::POST, &path, bad).await?.0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "missing padding"
    );

    let form = reqwest::multipart::Form::new()
        .text("data[type]", "attachments")
        .part(
            "data[attributes][attachment]",
            reqwest::multipart::Part::bytes(b"col\n1\n".to_vec()).file_name("report.csv"),
        );
    let response = sandbox
        .client
        .post(sandbox.api(&path))
        .header("x-api-key", ITGLUE_API_KEY)
        .multipart(form)
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::CREATED);
    let multipart: Value = response.json().await?;
    assert_eq!(
        multipart["data"]["attributes"]["attachment-content-type"],
        "text/csv"
    );

    let id = text(&created["data"]["id"])?.to_owned();
    let rename = json!({"data": {"type": "attachments", "attributes": {"name": "Greeting", "attachment": {"file_name": "ignored.txt"}}}});
    let (status, renamed) = sandbox
        .send(Method::PATCH, &format!("{path}/{id}"), rename)
        .await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(renamed["data"]["attributes"]["name"], "Greeting");
    assert_eq!(
        renamed["data"]["attributes"]["attachment-file-name"],
        "hello.txt"
    );
    let delete = json!({"data": [{"type": "attachments", "attributes": {"id": id}}]});
    let (status, _) = sandbox.send(Method::DELETE, &path, delete).await?;
    assert_eq!(status, StatusCode::OK);
    let listed = sandbox.ok(&path).await?;
    assert_eq!(data(&listed).len(), 2);
    Ok(())
}

// ------------------------------------------------------------------ users and groups

#[tokio::test]
async fn users_are_read_only_but_for_names_and_avatars() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let users = sandbox.ok("/users?sort=name").await?;
    let roles: BTreeSet<&str> = data(&users)
        .iter()
        .filter_map(|user| user["attributes"]["role-name"].as_str())
        .collect();
    assert_eq!(
        roles,
        BTreeSet::from(["Administrator", "Creator", "Editor", "Lite", "Manager"])
    );
    let erin = find_by(&users, "email", EDITOR.0)?;
    let id = text(&erin["id"])?.to_owned();
    let by_name = sandbox.ok("/users?filter[name]=Erin%20Editor").await?;
    assert_eq!(data(&by_name).len(), 1);

    let patch = json!({"data": {"type": "users", "attributes": {"first_name": "Erin M.", "email": "changed@example.com",
        "avatar": {"content": base64(&[0x89, b'P', b'N', b'G']), "file_name": "me.png"}}}});
    let (status, body) = sandbox
        .send(Method::PATCH, &format!("/users/{id}"), patch)
        .await?;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["attributes"]["first-name"], "Erin M.");
    assert_eq!(
        body["data"]["attributes"]["email"], EDITOR.0,
        "email is not writable"
    );
    assert!(body["data"]["attributes"]["avatar"].is_string());
    let (status, _) = sandbox
        .send(
            Method::POST,
            "/users",
            json!({"data": {"type": "users", "attributes": {"first_name": "New"}}}),
        )
        .await?;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        sandbox
            .call(Method::DELETE, &format!("/users/{id}"), As::Key, None)
            .await?
            .0,
        StatusCode::METHOD_NOT_ALLOWED
    );
    let lite = sandbox.jwt(LITE).await?;
    let other = json!({"data": {"type": "users", "attributes": {"first_name": "Hacked"}}});
    let (status, _) = sandbox
        .call(
            Method::PATCH,
            &format!("/users/{id}"),
            As::Jwt(&lite),
            Some(other),
        )
        .await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    Ok(())
}

#[tokio::test]
async fn group_members_are_replaced_whole_and_drive_access() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let groups = sandbox.ok("/groups?include=users").await?;
    let tier2 = find_by(&groups, "name", "Tier 2 Technicians")?;
    let id = text(&tier2["id"])?.to_owned();
    assert_eq!(
        tier2["relationships"]["users"]["data"]
            .as_array()
            .map_or(0, Vec::len),
        1
    );
    let users = sandbox.ok("/users").await?;
    let max = text(&find_by(&users, "email", MANAGER.0)?["id"])?.to_owned();
    let replace = json!({"data": {"type": "groups", "attributes": {"accounts_user_ids": [max]}}});
    let (status, body) = sandbox
        .send(
            Method::PATCH,
            &format!("/groups/{id}?include=users"),
            replace,
        )
        .await?;
    assert_eq!(status, StatusCode::OK, "{body}");
    let members: Vec<&str> = body["data"]["relationships"]["users"]["data"]
        .as_array()
        .map(|members| {
            members
                .iter()
                .filter_map(|member| member["id"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        members,
        vec![max.as_str()],
        "the list replaces the old members"
    );

    let editor = sandbox.jwt(EDITOR).await?;
    let (_, body) = sandbox.get_as("/passwords", As::Jwt(&editor)).await?;
    assert!(
        data(&body).is_empty(),
        "without the group Erin sees no organization"
    );
    let manager = sandbox.jwt(MANAGER).await?;
    let console = sandbox.password_id("2001", "Backup console").await?;
    let (status, _) = sandbox
        .get_as(&format!("/passwords/{console}"), As::Jwt(&manager))
        .await?;
    assert_eq!(status, StatusCode::OK, "now granted through the group");
    Ok(())
}

// ------------------------------------------------------------------ logs

#[tokio::test]
async fn logs_cover_thirty_days_five_pages_and_week_long_ranges() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let all = sandbox.ok("/logs?page[size]=1000").await?;
    assert!(!data(&all).is_empty());
    for log in data(&all) {
        let id = text(&log["id"])?;
        assert!(id.len() >= 18, "long numeric ids: {id}");
        assert!(text(&log["attributes"]["created-at"])?.ends_with('Z'));
        assert!(log["attributes"].get("ip-country").is_some());
    }
    let actions: BTreeSet<&str> = data(&all)
        .iter()
        .filter_map(|log| log["attributes"]["action"].as_str())
        .collect();
    assert!(actions.contains("view"), "25 days old is still served");
    assert!(
        !actions.contains("delete"),
        "the 41-day-old entries are past the 30 days"
    );

    let (status, body) = sandbox.get("/logs?page[number]=6").await?;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(sandbox.get("/logs?page[number]=5").await?.0, StatusCode::OK);
    let title = "date range filter cannot be longer than a week, and cannot start with a wildcard";
    for range in ["2025-08-01,2025-08-09", "*,2025-08-08"] {
        let (status, body) = sandbox
            .get(&format!("/logs?filter[created_at]={range}"))
            .await?;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{range}");
        assert_eq!(body["errors"][0]["title"], title);
    }
    let (status, _) = sandbox
        .get("/logs?filter[created_at]=2025-08-01,2025-08-08")
        .await?;
    assert_eq!(status, StatusCode::OK);
    let since = date_of(unix_now()? - 3 * 24 * 3600);
    let recent = sandbox
        .ok(&format!(
            "/logs?page[size]=1000&sort=created_at&filter[created_at]={since},*"
        ))
        .await?;
    assert!(!data(&recent).is_empty() && data(&recent).len() < data(&all).len());
    let first = text(&recent["data"][0]["attributes"]["created-at"])?;
    assert!(first >= since.as_str(), "{first} before {since}");

    let lite = sandbox.jwt(LITE).await?;
    assert_eq!(
        sandbox.get_as("/logs", As::Jwt(&lite)).await?.0,
        StatusCode::FORBIDDEN
    );
    let manager = sandbox.jwt(MANAGER).await?;
    assert_eq!(
        sandbox.get_as("/logs", As::Jwt(&manager)).await?.0,
        StatusCode::OK
    );
    Ok(())
}
