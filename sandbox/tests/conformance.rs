//! Conformance of the sandbox with the documented behaviour of the real services, checked
//! over real HTTP against an in-process sandbox on loopback ports.

use std::error::Error;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::{Client, Response, StatusCode, header};
use sandbox::{
    AuthFailureStyle, BMS_API_PASSWORD, BMS_API_USERNAME, BMS_TENANT, Config, CspMode,
    ITGLUE_API_KEY, ITGLUE_EU_API_KEY, ItGlueRegion, Running,
};
use serde_json::{Value, json};

type TestResult = Result<(), Box<dyn Error>>;

const NORTHWIND_ID: &str = "574989297464115201";
/// The hand-written demo organizations; the demo seed also has generated ones.
const HAND_ORGS: &str = "filter[id]=2001,2003,2004,2006,574989297464115201";
const HFD_NOTES_START: &str = r#"<p>After-hours alarm code is in the <b>Front Door</b> password.</p><p>Call <a href="https://example.com/oncall">on-call</a> before rebooting the server.</p><script>window.__pwned = 1</script><img src="x" onerror="window.__pwned = 2">"#;
const STRICT_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'";
const RELAXED_CSP: &str = "script-src 'self' 'unsafe-inline' 'unsafe-eval'; object-src 'none'";

/// A directory under the system temp dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<Self, Box<dyn Error>> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH)?.subsec_nanos();
        let dir = std::env::temp_dir().join(format!(
            "sandbox-conformance-{}-{}-{nanos}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir)?;
        Ok(Self(dir))
    }

    fn db(&self) -> PathBuf {
        self.0.join("nested").join("sandbox.db")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

struct Sandbox {
    running: Running,
    client: Client,
}

impl Sandbox {
    async fn start(
        dir: &TempDir,
        adjust: impl FnOnce(&mut Config),
    ) -> Result<Self, Box<dyn Error>> {
        Self::start_at(&dir.db(), adjust).await
    }

    async fn start_at(db: &Path, adjust: impl FnOnce(&mut Config)) -> Result<Self, Box<dyn Error>> {
        let mut config = Config {
            db_path: db.to_path_buf(),
            ..Config::default()
        };
        adjust(&mut config);
        let running = sandbox::start(config).await?;
        let client = Client::builder().no_proxy().build()?;
        Ok(Self { running, client })
    }

    fn itglue_url(&self, path: &str) -> String {
        format!("http://{}{path}", self.running.addresses().itglue_api)
    }

    fn bms_url(&self, path: &str) -> String {
        format!("http://{}{path}", self.running.addresses().bms_api)
    }

    fn bms_web_url(&self, path: &str) -> String {
        format!("http://{}{path}", self.running.addresses().bms_web)
    }

    fn itglue_web_url(&self, path: &str) -> String {
        format!("http://{}{path}", self.running.addresses().itglue_web)
    }

    async fn itglue(&self, path: &str) -> Result<(StatusCode, Value), Box<dyn Error>> {
        let response = self
            .client
            .get(self.itglue_url(path))
            .header("x-api-key", ITGLUE_API_KEY)
            .send()
            .await?;
        json_of(response).await
    }

    /// The ids of a JSON:API list, in order.
    async fn itglue_ids(&self, path: &str) -> Result<Vec<String>, Box<dyn Error>> {
        let (status, body) = self.itglue(path).await?;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        Ok(ids(&body))
    }

    async fn authenticate_form(&self, form: &[(&str, &str)]) -> Result<Value, Box<dyn Error>> {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let response = self
            .client
            .post(self.bms_url("/v2/security/authenticate"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await?;
        let (status, body) = json_of(response).await?;
        assert_eq!(status, StatusCode::OK);
        Ok(body)
    }

    async fn bms_token(&self) -> Result<String, Box<dyn Error>> {
        let body = self.authenticate_form(&api_login()).await?;
        Ok(text(&body["result"]["accessToken"])?.to_owned())
    }

    async fn bms_get(&self, path: &str, token: &str) -> Result<Response, Box<dyn Error>> {
        Ok(self
            .client
            .get(self.bms_url(path))
            .bearer_auth(token)
            .send()
            .await?)
    }
}

fn api_login() -> [(&'static str, &'static str); 4] {
    [
        ("grantType", "password"),
        ("userName", BMS_API_USERNAME),
        ("password", BMS_API_PASSWORD),
        ("tenant", BMS_TENANT),
    ]
}

async fn json_of(response: Response) -> Result<(StatusCode, Value), Box<dyn Error>> {
    let status = response.status();
    let body = response.text().await?;
    Ok((status, serde_json::from_str(&body)?))
}

fn text(value: &Value) -> Result<&str, Box<dyn Error>> {
    value
        .as_str()
        .ok_or_else(|| format!("not a string: {value}").into())
}

fn ids(body: &Value) -> Vec<String> {
    body["data"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn header_value<'a>(response: &'a Response, name: &str) -> Option<&'a str> {
    response.headers().get(name).and_then(|v| v.to_str().ok())
}

/// `2026-01-02T03:04:05`: a BMS date-time, without offset or fraction.
fn is_bms_datetime(value: &str) -> bool {
    value.len() == 19
        && value.char_indices().all(|(i, c)| match i {
            4 | 7 => c == '-',
            10 => c == 'T',
            13 | 16 => c == ':',
            _ => c.is_ascii_digit(),
        })
}

// ---------------------------------------------------------------- IT Glue: authentication

#[tokio::test]
async fn itglue_rejects_missing_and_unknown_keys_with_403() -> TestResult {
    let dir = TempDir::new()?;
    let sandbox = Sandbox::start(&dir, |_| {}).await?;
    let missing = sandbox
        .client
        .get(sandbox.itglue_url("/organizations"))
        .send()
        .await?;
    assert_eq!(
        header_value(&missing, "content-type"),
        Some("application/vnd.api+json")
    );
    let (status, body) = json_of(missing).await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["errors"][0]["status"], json!(403));
    assert_eq!(body["errors"][0]["title"], "Forbidden");
    assert!(body["errors"][0]["detail"].is_string());

    let unknown = sandbox
        .client
        .get(sandbox.itglue_url("/api/organizations/2001"))
        .header("x-api-key", "ITG.not-a-real-key")
        .send()
        .await?;
    assert_eq!(unknown.status(), StatusCode::FORBIDDEN);
    Ok(())
}

/// The status and raw body of an organization read with `key`.
async fn with_key(sandbox: &Sandbox, key: &str) -> Result<(StatusCode, String), Box<dyn Error>> {
    let response = sandbox
        .client
        .get(sandbox.itglue_url("/organizations/2001"))
        .header("x-api-key", key)
        .send()
        .await?;
    Ok((response.status(), response.text().await?))
}

#[tokio::test]
async fn itglue_keys_work_only_on_their_own_region() -> TestResult {
    let dir = TempDir::new()?;
    let us = Sandbox::start(&dir, |_| {}).await?;
    let (status, bad_key_body) = with_key(&us, "ITG.not-a-real-key").await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(with_key(&us, ITGLUE_API_KEY).await?.0, StatusCode::OK);
    assert_eq!(
        with_key(&us, ITGLUE_EU_API_KEY).await?,
        (StatusCode::FORBIDDEN, bad_key_body.clone())
    );
    us.running.shutdown().await?;

    // The wrong region stays a 403 even where unknown keys get the 401 body.
    let eu_dir = TempDir::new()?;
    let eu = Sandbox::start(&eu_dir, |config| {
        config.itglue_region = ItGlueRegion::Eu;
        config.itglue_auth_failure = AuthFailureStyle::Unauthorized401;
    })
    .await?;
    assert_eq!(with_key(&eu, ITGLUE_EU_API_KEY).await?.0, StatusCode::OK);
    assert_eq!(
        with_key(&eu, ITGLUE_API_KEY).await?,
        (StatusCode::FORBIDDEN, bad_key_body)
    );
    assert_eq!(
        with_key(&eu, "ITG.not-a-real-key").await?.0,
        StatusCode::UNAUTHORIZED
    );
    Ok(())
}

#[tokio::test]
async fn itglue_auth_switch_answers_the_field_401_body() -> TestResult {
    let dir = TempDir::new()?;
    let sandbox = Sandbox::start(&dir, |config| {
        config.itglue_auth_failure = AuthFailureStyle::Unauthorized401;
    })
    .await?;
    let response = sandbox
        .client
        .get(sandbox.itglue_url("/organizations"))
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.text().await?,
        r#"{"errors":[{"status":401,"title":"Unauthorized","detail":"Unauthorized resource access","source":{"pointer":"id"}}]}"#
    );
    Ok(())
}

#[tokio::test]
async fn itglue_bodies_need_a_json_media_type() -> TestResult {
    let dir = TempDir::new()?;
    let sandbox = Sandbox::start(&dir, |_| {}).await?;
    let post = |content_type: &'static str| {
        sandbox
            .client
            .post(sandbox.itglue_url("/organizations"))
            .header("x-api-key", ITGLUE_API_KEY)
            .header(header::CONTENT_TYPE, content_type)
            .body(r#"{"data":{"type":"organizations","attributes":{"name":"X"}}}"#)
            .send()
    };
    let (status, body) = json_of(post("text/plain").await?).await?;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(body["errors"][0]["status"], json!(415));
    for accepted in [
        "application/vnd.api+json",
        "application/vnd.api+json; charset=utf-8",
        "application/json",
    ] {
        let status = post(accepted).await?.status();
        assert_ne!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{accepted}");
    }
    Ok(())
}

// ---------------------------------------------------------------- IT Glue: organizations

#[tokio::test]
async fn organization_show_has_every_attribute_in_the_documented_shape() -> TestResult {
    let dir = TempDir::new()?;
    let sandbox = Sandbox::start(&dir, |_| {}).await?;
    for path in ["/organizations/2001", "/api/organizations/2001"] {
        let response = sandbox
            .client
            .get(sandbox.itglue_url(path))
            .header("x-api-key", ITGLUE_API_KEY)
            .send()
            .await?;
        assert_eq!(
            header_value(&response, "content-type"),
            Some("application/vnd.api+json")
        );
        let (status, body) = json_of(response).await?;
        assert_eq!(status, StatusCode::OK);
        let data = &body["data"];
        assert_eq!(data["id"], "2001");
        assert_eq!(data["type"], "organizations");
        assert_eq!(data["relationships"], json!({}));
        let attributes = data["attributes"].as_object().ok_or("attributes")?;
        let expected_keys = [
            "name",
            "alert",
            "description",
            "organization-type-id",
            "organization-type-name",
            "organization-status-id",
            "organization-status-name",
            "primary",
            "logo",
            "quick-notes",
            "short-name",
            "created-at",
            "updated-at",
            "parent-id",
            "ancestor-ids",
            "psa-integration",
            "resource-url",
        ];
        for key in expected_keys {
            assert!(attributes.contains_key(key), "missing {key}");
        }
        assert_eq!(attributes.len(), expected_keys.len());
        assert_eq!(attributes["name"], "Happy Frog Dental");
        assert_eq!(attributes["organization-type-id"], json!(86));
        assert_eq!(attributes["organization-type-name"], "Customer");
        assert_eq!(attributes["organization-status-id"], json!(68));
        assert_eq!(attributes["organization-status-name"], "Active");
        assert_eq!(attributes["short-name"], "HFD");
        assert_eq!(attributes["primary"], json!(false));
        assert_eq!(attributes["logo"], Value::Null);
        assert_eq!(attributes["parent-id"], Value::Null);
        assert_eq!(attributes["ancestor-ids"], "[]");
        assert_eq!(attributes["psa-integration"], "enabled");
        assert_eq!(attributes["created-at"], "2023-05-10T09:15:00.000Z");
        let notes = text(&attributes["quick-notes"])?;
        assert!(notes.starts_with(HFD_NOTES_START));
        assert!(notes.chars().count() > 250);
        let port = sandbox.running.addresses().itglue_web.port();
        assert_eq!(
            attributes["resource-url"],
            json!(format!("http://demo-msp.itglue.localhost:{port}/2001"))
        );
    }
    let (_, contoso) = sandbox.itglue("/organizations/2003").await?;
    assert_eq!(contoso["data"]["attributes"]["quick-notes"], Value::Null);
    assert_eq!(contoso["data"]["attributes"]["description"], Value::Null);
    assert_eq!(
        contoso["data"]["attributes"]["organization-status-name"],
        "Inactive"
    );
    let (_, fabrikam) = sandbox.itglue("/organizations/2006").await?;
    assert_eq!(
        fabrikam["data"]["attributes"]["psa-integration"],
        Value::Null
    );
    Ok(())
}

#[tokio::test]
async fn unknown_organization_is_a_json_api_404() -> TestResult {
    let dir = TempDir::new()?;
    let sandbox = Sandbox::start(&dir, |_| {}).await?;
    for path in ["/organizations/9999", "/organizations/not-a-number"] {
        let (status, body) = sandbox.itglue(path).await?;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body["errors"][0]["status"], json!(404));
    }
    Ok(())
}

#[tokio::test]
async fn an_eighteen_digit_id_round_trips_as_an_exact_string() -> TestResult {
    let dir = TempDir::new()?;
    let sandbox = Sandbox::start(&dir, |_| {}).await?;
    let response = sandbox
        .client
        .get(sandbox.itglue_url(&format!("/organizations/{NORTHWIND_ID}")))
        .header("x-api-key", ITGLUE_API_KEY)
        .send()
        .await?;
    let raw = response.text().await?;
    assert!(raw.contains(&format!(r#""id":"{NORTHWIND_ID}""#)), "{raw}");
    assert!(raw.contains(&format!("/{NORTHWIND_ID}\"")));
    let found = sandbox
        .itglue_ids(&format!("/organizations?filter[id]={NORTHWIND_ID}"))
        .await?;
    assert_eq!(found, [NORTHWIND_ID]);
    Ok(())
}

#[tokio::test]
async fn index_truncates_quick_notes_to_250_characters() -> TestResult {
    let dir = TempDir::new()?;
    let sandbox = Sandbox::start(&dir, |_| {}).await?;
    let (_, full) = sandbox.itglue("/organizations/2001").await?;
    let full = text(&full["data"]["attributes"]["quick-notes"])?.to_owned();
    let (_, list) = sandbox.itglue("/organizations?filter[id]=2001").await?;
    let truncated = text(&list["data"][0]["attributes"]["quick-notes"])?;
    assert_eq!(truncated.chars().count(), 250);
    assert!(full.starts_with(truncated));
    let (_, cafe) = sandbox.itglue("/organizations?filter[id]=2004").await?;
    assert_eq!(
        cafe["data"][0]["attributes"]["quick-notes"],
        "<p>Supplier of the espresso machines 😀</p>"
    );
    Ok(())
}

#[tokio::test]
async fn paging_meta_and_links() -> TestResult {
    let dir = TempDir::new()?;
    let sandbox = Sandbox::start(&dir, |_| {}).await?;
    let port = sandbox.running.addresses().itglue_api.port();
    let base = format!("http://api.itglue.localhost:{port}/organizations");

    let (_, middle) = sandbox
        .itglue(&format!(
            "/organizations?{HAND_ORGS}&page[size]=2&page[number]=2"
        ))
        .await?;
    assert_eq!(
        middle["meta"],
        json!({"current-page": 2, "next-page": 3, "prev-page": 1, "total-pages": 3,
               "total-count": 5, "filters": {}})
    );
    assert_eq!(ids(&middle), ["2004", "2006"]);
    let links = &middle["links"];
    let filter = "filter%5Bid%5D=2001%2C2003%2C2004%2C2006%2C574989297464115201";
    let link = |n: u32| format!("{base}?{filter}&page%5Bnumber%5D={n}&page%5Bsize%5D=2");
    assert_eq!(links["self"], json!(link(2)));
    assert_eq!(links["first"], json!(link(1)));
    assert_eq!(links["prev"], json!(link(1)));
    assert_eq!(links["next"], json!(link(3)));
    assert_eq!(links["last"], json!(link(3)));

    let (_, last) = sandbox
        .itglue(&format!(
            "/organizations?{HAND_ORGS}&page[size]=2&page[number]=3"
        ))
        .await?;
    assert_eq!(last["meta"]["next-page"], Value::Null);
    assert_eq!(last["links"]["next"], Value::Null);
    assert_eq!(ids(&last), [NORTHWIND_ID]);

    let (_, first) = sandbox.itglue("/organizations").await?;
    assert_eq!(first["meta"]["prev-page"], Value::Null);
    assert_eq!(first["links"]["prev"], Value::Null);
    assert_eq!(first["meta"]["total-pages"], json!(1));

    let (status, empty) = sandbox
        .itglue("/organizations?filter[name]=Nobody%20Here")
        .await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(empty["data"], json!([]));
    assert_eq!(
        empty["meta"],
        json!({"current-page": 1, "next-page": null, "prev-page": null, "total-pages": 0,
               "total-count": 0, "filters": {}})
    );

    let (_, clamped) = sandbox
        .itglue(&format!("/organizations?{HAND_ORGS}&page[size]=5000"))
        .await?;
    assert_eq!(ids(&clamped).len(), 5);
    assert!(text(&clamped["links"]["self"])?.ends_with("page%5Bsize%5D=1000"));
    Ok(())
}

#[tokio::test]
async fn psa_id_filter_needs_the_integration_type() -> TestResult {
    let dir = TempDir::new()?;
    let sandbox = Sandbox::start(&dir, |_| {}).await?;
    let linked = sandbox
        .itglue_ids("/organizations?filter[psa_integration_type]=kaseya-bms&filter[psa_id]=101")
        .await?;
    assert_eq!(linked, ["2001"]);
    let northwind = sandbox
        .itglue_ids(
            "/api/organizations?filter%5Bpsa_id%5D=102&filter%5Bpsa_integration_type%5D=kaseya-bms",
        )
        .await?;
    assert_eq!(northwind, [NORTHWIND_ID]);
    let alone = sandbox
        .itglue_ids("/organizations?filter[psa_id]=101")
        .await?;
    let all = sandbox.itglue_ids("/organizations").await?;
    assert_eq!(alone, all, "psa_id alone is ignored");
    let other_psa = sandbox
        .itglue_ids("/organizations?filter[psa_integration_type]=autotask&filter[psa_id]=101")
        .await?;
    assert!(other_psa.is_empty());
    let unlinked = sandbox
        .itglue_ids("/organizations?filter[psa_integration_type]=kaseya-bms&filter[psa_id]=105")
        .await?;
    assert!(
        unlinked.is_empty(),
        "Tailspin Toys has no IT Glue organization"
    );
    Ok(())
}

#[tokio::test]
async fn comma_is_an_or_list_and_backslash_escapes_it() -> TestResult {
    let dir = TempDir::new()?;
    let sandbox = Sandbox::start(&dir, |_| {}).await?;
    let both = sandbox
        .itglue_ids("/organizations?filter[name]=Happy%20Frog%20Dental,%20Contoso%20Legal%20LLP")
        .await?;
    assert_eq!(both, ["2001", "2003"]);
    let escaped = sandbox
        .itglue_ids("/organizations?filter[name]=Northwind%20Traders%5C,%20Inc.")
        .await?;
    assert_eq!(escaped, [NORTHWIND_ID]);
    let unescaped = sandbox
        .itglue_ids("/organizations?filter[name]=Northwind%20Traders,%20Inc.")
        .await?;
    assert!(unescaped.is_empty(), "an unescaped comma splits the name");
    let exact_only = sandbox
        .itglue_ids("/organizations?filter[name]=Happy%20Frog")
        .await?;
    assert!(exact_only.is_empty(), "name matching is exact");
    let by_type = sandbox
        .itglue_ids(&format!(
            "/organizations?filter[organization_type_id]=87,89&{HAND_ORGS}"
        ))
        .await?;
    assert_eq!(by_type, ["2004", "2006"]);
    let by_status = sandbox
        .itglue_ids(&format!(
            "/organizations?filter[organization_status_id]=69&{HAND_ORGS}"
        ))
        .await?;
    assert_eq!(by_status, ["2003"]);
    Ok(())
}

#[tokio::test]
async fn unknown_filters_are_ignored() -> TestResult {
    let dir = TempDir::new()?;
    let sandbox = Sandbox::start(&dir, |_| {}).await?;
    let all = sandbox
        .itglue_ids("/organizations?filter[colour]=blue")
        .await?;
    assert_eq!(all, sandbox.itglue_ids("/organizations").await?);
    let hand = sandbox
        .itglue_ids(&format!("/organizations?filter[colour]=blue&{HAND_ORGS}"))
        .await?;
    assert_eq!(hand, ["2001", "2003", "2004", "2006", NORTHWIND_ID]);
    Ok(())
}

#[tokio::test]
async fn sort_by_name_descending_and_default_by_id() -> TestResult {
    let dir = TempDir::new()?;
    let sandbox = Sandbox::start(&dir, |_| {}).await?;
    let (_, body) = sandbox
        .itglue(&format!("/organizations?sort=-name&{HAND_ORGS}"))
        .await?;
    let names: Vec<&str> = body["data"]
        .as_array()
        .ok_or("data")?
        .iter()
        .filter_map(|item| item["attributes"]["name"].as_str())
        .collect();
    assert_eq!(
        names,
        [
            "Northwind Traders, Inc.",
            "Happy Frog Dental",
            "Fabrikam Logistics",
            "Contoso Legal LLP",
            "Café Zürich GmbH",
        ]
    );
    let by_updated = sandbox
        .itglue_ids(&format!("/organizations?sort=updated_at&{HAND_ORGS}"))
        .await?;
    assert_eq!(by_updated, ["2003", "2001", NORTHWIND_ID, "2006", "2004"]);
    let (status, _) = sandbox.itglue("/organizations?sort=colour").await?;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    Ok(())
}

#[tokio::test]
async fn include_adapters_resources_on_index_and_show() -> TestResult {
    let dir = TempDir::new()?;
    let sandbox = Sandbox::start(&dir, |_| {}).await?;
    let (_, list) = sandbox
        .itglue(&format!(
            "/organizations?include=adapters_resources&{HAND_ORGS}"
        ))
        .await?;
    let data = list["data"].as_array().ok_or("data")?;
    assert_eq!(
        data[0]["relationships"]["adapters-resources"]["data"],
        json!([{"id": "9101", "type": "adapters-resources"}])
    );
    let fabrikam = data.iter().find(|org| org["id"] == "2006").ok_or("2006")?;
    assert_eq!(
        fabrikam["relationships"]["adapters-resources"]["data"],
        json!([])
    );
    let included = list["included"].as_array().ok_or("included")?;
    assert_eq!(included.len(), 4);
    assert_eq!(included[0]["type"], "adapters-resources");
    assert_eq!(
        included[0]["attributes"],
        json!({"adapter-type-name": "Kaseya BMS", "sync": true, "orphaned": false, "remote-id": "101"})
    );

    let (_, show) = sandbox
        .itglue(&format!(
            "/organizations/{NORTHWIND_ID}?include=adapters_resources"
        ))
        .await?;
    assert_eq!(
        show["data"]["relationships"]["adapters-resources"]["data"][0]["id"],
        "9102"
    );
    assert_eq!(show["included"][0]["attributes"]["remote-id"], "102");
    assert!(
        show["data"].get("included").is_none(),
        "included is top-level only"
    );
    Ok(())
}

#[tokio::test]
async fn organization_types_and_statuses_are_paged_lists() -> TestResult {
    let dir = TempDir::new()?;
    let sandbox = Sandbox::start(&dir, |_| {}).await?;
    let (_, types) = sandbox.itglue("/organization_types").await?;
    let names: Vec<&str> = types["data"]
        .as_array()
        .ok_or("data")?
        .iter()
        .filter_map(|t| t["attributes"]["name"].as_str())
        .collect();
    assert_eq!(names, ["Customer", "Vendor", "Internal", "Prospect"]);
    assert_eq!(types["data"][0]["type"], "organization-types");
    assert_eq!(types["meta"]["total-count"], json!(4));
    let (_, statuses) = sandbox
        .itglue("/api/organization_statuses?filter[name]=Inactive")
        .await?;
    assert_eq!(ids(&statuses), ["69"]);
    assert_eq!(statuses["data"][0]["type"], "organization-statuses");
    Ok(())
}

// ---------------------------------------------------------------- BMS: security

#[tokio::test]
async fn bms_authenticates_with_form_urlencoded_and_odd_key_casing() -> TestResult {
    let dir = TempDir::new()?;
    let sandbox = Sandbox::start(&dir, |_| {}).await?;
    let camel = sandbox.authenticate_form(&api_login()).await?;
    let pascal = sandbox
        .authenticate_form(&[
            ("GrantType", "password"),
            ("UserName", BMS_API_USERNAME),
            ("Password", BMS_API_PASSWORD),
            ("Tenant", "demo msp"),
        ])
        .await?;
    let odd = sandbox
        .authenticate_form(&[
            ("GRANTTYPE", "password"),
            ("username", "ITGLUE.API"),
            ("PassWord", BMS_API_PASSWORD),
            ("tEnAnT", "DEMO MSP"),
        ])
        .await?;
    for body in [&camel, &pascal, &odd] {
        assert_eq!(body["success"], json!(true), "{body}");
        assert_eq!(body["error"], Value::Null);
        let result = &body["result"];
        assert!(!text(&result["accessToken"])?.is_empty());
        assert!(!text(&result["refreshToken"])?.is_empty());
        assert!(
            is_bms_datetime(text(&result["accessTokenExpireOn"])?),
            "{result}"
        );
        assert!(
            is_bms_datetime(text(&result["refreshTokenExpireOn"])?),
            "{result}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn bms_authenticates_with_multipart() -> TestResult {
    let dir = TempDir::new()?;
    let sandbox = Sandbox::start(&dir, |_| {}).await?;
    let form = reqwest::multipart::Form::new()
        .text("GrantType", "password")
        .text("UserName", BMS_API_USERNAME)
        .text("Password", BMS_API_PASSWORD)
        .text("Tenant", BMS_TENANT);
    let response = sandbox
        .client
        .post(sandbox.bms_url("/v2/security/authenticate"))
        .multipart(form)
        .send()
        .await?;
    let (status, body) = json_of(response).await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["success"], json!(true), "{body}");
    let token = text(&body["result"]["accessToken"])?;
    let userinfo = sandbox.bms_get("/v2/security/userinfo", token).await?;
    let (status, info) = json_of(userinfo).await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(info["result"]["businessName"], "Demo MSP");
    assert_eq!(info["result"]["userId"], json!(7001));
    assert_eq!(info["result"]["fullName"], "IT Glue Integration");
    assert!(info["result"]["tenantId"].is_i64());
    Ok(())
}

#[tokio::test]
async fn bms_bad_credentials_are_a_200_failure_envelope() -> TestResult {
    let dir = TempDir::new()?;
    let sandbox = Sandbox::start(&dir, |_| {}).await?;
    let expected = json!({
        "success": false,
        "error": {"code": 401, "message": "Invalid username, password or company.",
                  "details": null, "stackStrace": null, "subErrors": null},
        "result": null,
    });
    let wrong_password = sandbox
        .authenticate_form(&[
            ("grantType", "password"),
            ("userName", BMS_API_USERNAME),
            ("password", "sandbox!pass1"),
            ("tenant", BMS_TENANT),
        ])
        .await?;
    assert_eq!(wrong_password, expected);
    let wrong_tenant = sandbox
        .authenticate_form(&[
            ("grantType", "password"),
            ("userName", BMS_API_USERNAME),
            ("password", BMS_API_PASSWORD),
            ("tenant", "Other MSP"),
        ])
        .await?;
    assert_eq!(wrong_tenant, expected);
    let no_grant = sandbox
        .authenticate_form(&[
            ("userName", BMS_API_USERNAME),
            ("password", BMS_API_PASSWORD),
            ("tenant", BMS_TENANT),
        ])
        .await?;
    assert_eq!(no_grant["success"], json!(false));
    assert!(no_grant["error"]["message"].is_string());
    assert_eq!(no_grant["result"], Value::Null);
    Ok(())
}

#[tokio::test]
async fn bms_routes_require_a_bearer_token() -> TestResult {
    let dir = TempDir::new()?;
    let sandbox = Sandbox::start(&dir, |_| {}).await?;
    let none = sandbox
        .client
        .get(sandbox.bms_url("/v2/crm/accounts/summary/101"))
        .send()
        .await?;
    assert_eq!(none.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(header_value(&none, "token-expired"), None);
    let bogus = sandbox
        .bms_get("/v2/security/userinfo", "not-a-token")
        .await?;
    assert_eq!(bogus.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(header_value(&bogus, "token-expired"), None);
    Ok(())
}

#[tokio::test]
async fn bms_expired_token_is_flagged_and_refresh_rotates_the_pair() -> TestResult {
    let dir = TempDir::new()?;
    let sandbox = Sandbox::start(&dir, |config| {
        config.bms_token_lifetime = Duration::from_secs(1);
    })
    .await?;
    let login = sandbox.authenticate_form(&api_login()).await?;
    let access = text(&login["result"]["accessToken"])?.to_owned();
    let refresh = text(&login["result"]["refreshToken"])?.to_owned();
    tokio::time::sleep(Duration::from_millis(1300)).await;

    let expired = sandbox.bms_get("/v2/security/userinfo", &access).await?;
    assert_eq!(expired.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(header_value(&expired, "token-expired"), Some("true"));

    let refresh_with = |access: String, refresh: String| {
        let body = form_urlencoded::Serializer::new(String::new())
            .append_pair("AccessToken", &access)
            .append_pair("RefreshToken", &refresh)
            .finish();
        sandbox
            .client
            .post(sandbox.bms_url("/v2/security/refreshtoken"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    let (status, renewed) = json_of(refresh_with(access.clone(), refresh.clone()).await?).await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(renewed["success"], json!(true), "{renewed}");
    let new_access = text(&renewed["result"]["accessToken"])?;
    assert_ne!(new_access, access);
    assert_ne!(text(&renewed["result"]["refreshToken"])?, refresh);
    let fresh = sandbox.bms_get("/v2/security/userinfo", new_access).await?;
    assert_eq!(fresh.status(), StatusCode::OK);

    let (status, reused) = json_of(refresh_with(access, refresh).await?).await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        reused["success"],
        json!(false),
        "the old refresh token is spent"
    );
    Ok(())
}

// ---------------------------------------------------------------- BMS: accounts

#[tokio::test]
async fn bms_account_summary_is_wrapped_by_default() -> TestResult {
    let dir = TempDir::new()?;
    let sandbox = Sandbox::start(&dir, |_| {}).await?;
    let token = sandbox.bms_token().await?;
    let (status, body) = json_of(
        sandbox
            .bms_get("/v2/crm/accounts/summary/101", &token)
            .await?,
    )
    .await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["success"], json!(true));
    assert_eq!(body["error"], Value::Null);
    let account = &body["result"];
    assert_eq!(account["id"], json!(101));
    assert_eq!(account["accountName"], "Happy Frog Dental");
    assert_eq!(account["accountCode"], "HFD");
    assert_eq!(account["accountType"], "Customer");
    assert!(
        account["accountTypeId"]
            .as_i64()
            .is_some_and(|id| id > 1000)
    );
    assert_eq!(account["isActive"], json!(true));
    assert_eq!(account["tenantName"], "Demo MSP");
    assert_eq!(account["parentId"], Value::Null);
    assert!(is_bms_datetime(text(&account["createdOn"])?));
    let location = &account["locations"][0];
    assert_eq!(location["isMain"], json!(true));
    let address = &location["addresses"][0];
    assert_eq!(address["isMain"], json!(true));
    assert_eq!(address["address1"], "2450 Mission Street");
    assert_eq!(address["city"], "San Francisco");
    assert_eq!(address["zipCode"], "94110");
    assert_eq!(address["country"], "United States");
    assert!(address.get("stackStrace").is_none());

    let (status, missing) = json_of(
        sandbox
            .bms_get("/v2/crm/accounts/summary/999", &token)
            .await?,
    )
    .await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(missing["success"], json!(false));
    assert_eq!(missing["error"]["code"], json!(404));
    assert_eq!(missing["error"]["message"], "Account not found.");
    assert_eq!(missing["result"], Value::Null);
    Ok(())
}

#[tokio::test]
async fn bms_account_summary_unwrapped_switch() -> TestResult {
    let dir = TempDir::new()?;
    let sandbox = Sandbox::start(&dir, |config| config.bms_summary_unwrapped = true).await?;
    let token = sandbox.bms_token().await?;
    let (status, body) = json_of(
        sandbox
            .bms_get("/v2/crm/accounts/summary/104", &token)
            .await?,
    )
    .await?;
    assert_eq!(status, StatusCode::OK);
    assert!(body.get("success").is_none());
    assert_eq!(body["id"], json!(104));
    assert_eq!(body["accountName"], "Café Zürich GmbH");
    assert_eq!(body["accountType"], "Vendor");
    assert_eq!(
        body["locations"][0]["addresses"][0]["country"],
        "Switzerland"
    );
    Ok(())
}

#[tokio::test]
async fn bms_account_list_pages_and_filters() -> TestResult {
    let dir = TempDir::new()?;
    let sandbox = Sandbox::start(&dir, |_| {}).await?;
    let token = sandbox.bms_token().await?;
    let list = |query: &'static str| {
        let token = token.clone();
        let sandbox = &sandbox;
        async move {
            let path = format!("/v2/crm/accounts/summary?{query}");
            let (status, body) = json_of(sandbox.bms_get(&path, &token).await?).await?;
            assert_eq!(status, StatusCode::OK, "{query}: {body}");
            assert_eq!(body["success"], json!(true), "{query}: {body}");
            let ids: Vec<i64> = body["result"]
                .as_array()
                .map(|items| items.iter().filter_map(|a| a["id"].as_i64()).collect())
                .unwrap_or_default();
            Ok::<_, Box<dyn Error>>((body["totalRecords"].as_u64(), ids))
        }
    };
    let (total, first) = list("PageSize=2&PageNumber=0").await?;
    assert_eq!(first, vec![101, 102]);
    assert!(
        total.is_some_and(|total| total > 5),
        "the demo adds generated accounts"
    );
    let (same_total, third) = list("pagesize=2&pagenumber=3").await?;
    assert_eq!((same_total, third.first()), (total, Some(&105)));
    assert_eq!(
        list("Filter.IsActive=false&Filter.AccountName=Contoso").await?,
        (Some(1), vec![103])
    );
    assert_eq!(list("filter.accountName=frog").await?, (Some(1), vec![101]));
    assert_eq!(
        list("Filter.ModifiedOnFrom=2025-02-01").await?,
        (Some(3), vec![102, 104, 105])
    );
    assert_eq!(
        list("Filter.ModifiedOnFrom=2025-01-01T00:00:00Z&Filter.ModifiedOnTo=2025-02-28").await?,
        (Some(2), vec![101, 102])
    );
    Ok(())
}

// ---------------------------------------------------------------- Web pages

#[tokio::test]
async fn bms_account_page_renders_store_data_without_inline_script() -> TestResult {
    let dir = TempDir::new()?;
    let sandbox = Sandbox::start(&dir, |_| {}).await?;
    let response = sandbox
        .client
        .get(sandbox.bms_web_url("/react/crm/accounts/101"))
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header_value(&response, "content-security-policy"),
        Some(RELAXED_CSP)
    );
    assert!(header_value(&response, "content-type").is_some_and(|t| t.starts_with("text/html")));
    let html = response.text().await?;
    // The page is a shell; the record arrives as page data and renders after load.
    for expected in [
        "Jane Tech",
        r#"id="root""#,
        r#"href="/static/bms.css""#,
        r#"<script src="/static/bms.js""#,
    ] {
        assert!(html.contains(expected), "missing {expected}");
    }
    assert_eq!(
        html.matches("<script").count(),
        html.matches("<script src=").count()
    );
    let data = sandbox
        .client
        .get(sandbox.bms_web_url("/_sandbox/page-data/accounts/101"))
        .send()
        .await?
        .text()
        .await?;
    for expected in [
        "Happy Frog Dental",
        "HFD",
        "Jane Tech",
        "2450 Mission Street",
    ] {
        assert!(data.contains(expected), "missing {expected}");
    }

    let (_, inactive) = json_of(
        sandbox
            .client
            .get(sandbox.bms_web_url("/_sandbox/page-data/accounts/103"))
            .send()
            .await?,
    )
    .await?;
    assert_eq!(inactive["active"], json!(false));

    let missing = sandbox
        .client
        .get(sandbox.bms_web_url("/react/crm/accounts/999"))
        .send()
        .await?;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let missing_data = sandbox
        .client
        .get(sandbox.bms_web_url("/_sandbox/page-data/accounts/999"))
        .send()
        .await?;
    assert_eq!(missing_data.status(), StatusCode::NOT_FOUND);
    assert!(missing_data.text().await?.contains("Record not found"));

    let css = sandbox
        .client
        .get(sandbox.bms_web_url("/static/bms.css"))
        .send()
        .await?;
    assert_eq!(css.status(), StatusCode::OK);
    assert!(css.text().await?.contains("box-sizing: border-box"));
    let js = sandbox
        .client
        .get(sandbox.bms_web_url("/static/bms.js"))
        .send()
        .await?;
    assert_eq!(js.status(), StatusCode::OK);
    Ok(())
}

#[tokio::test]
async fn csp_follows_the_mode_and_switches_at_run_time() -> TestResult {
    let dir = TempDir::new()?;
    let sandbox = Sandbox::start(&dir, |config| config.csp = CspMode::Off).await?;
    let page = sandbox.bms_web_url("/react/crm/accounts/102");
    let csp_of = |url: String| {
        let client = sandbox.client.clone();
        async move {
            let response = client.get(url).send().await?;
            Ok::<_, Box<dyn Error>>(
                header_value(&response, "content-security-policy").map(str::to_owned),
            )
        }
    };
    assert_eq!(csp_of(page.clone()).await?, None);

    for (mode, expected) in [
        ("strict", Some(STRICT_CSP)),
        ("relaxed", Some(RELAXED_CSP)),
        ("off", None),
    ] {
        let put = sandbox
            .client
            .put(sandbox.bms_web_url("/_sandbox/csp"))
            .json(&json!({ "mode": mode }))
            .send()
            .await?;
        assert_eq!(put.status(), StatusCode::NO_CONTENT);
        let (_, current) = json_of(
            sandbox
                .client
                .get(sandbox.bms_web_url("/_sandbox/csp"))
                .send()
                .await?,
        )
        .await?;
        assert_eq!(current, json!({ "mode": mode }));
        assert_eq!(csp_of(page.clone()).await?.as_deref(), expected, "{mode}");
    }
    let bad = sandbox
        .client
        .put(sandbox.bms_web_url("/_sandbox/csp"))
        .json(&json!({"mode": "lax"}))
        .send()
        .await?;
    assert!(bad.status().is_client_error());

    let strict_dir = TempDir::new()?;
    let strict = Sandbox::start(&strict_dir, |config| config.csp = CspMode::Strict).await?;
    let response = strict
        .client
        .get(strict.bms_web_url("/react/crm/accounts/101"))
        .send()
        .await?;
    assert_eq!(
        header_value(&response, "content-security-policy"),
        Some(STRICT_CSP)
    );
    Ok(())
}

#[tokio::test]
async fn itglue_web_page_shows_the_organization_with_escaped_notes() -> TestResult {
    let dir = TempDir::new()?;
    let sandbox = Sandbox::start(&dir, |_| {}).await?;
    let response = sandbox
        .client
        .get(sandbox.itglue_web_url("/2001"))
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await?;
    assert!(html.contains("Organizations"));
    assert_eq!(
        html.matches("<script").count(),
        html.matches("<script src=").count()
    );
    // The notes arrive as data and the page script inserts them as text.
    let (_, data) = json_of(
        sandbox
            .client
            .get(sandbox.itglue_web_url("/_sandbox/page-data/organizations/2001"))
            .send()
            .await?,
    )
    .await?;
    assert_eq!(data["name"], json!("Happy Frog Dental"));
    assert!(
        text(&data["quickNotes"])?.contains("<script>window.__pwned = 1</script>"),
        "{data}"
    );
    let northwind = sandbox
        .client
        .get(sandbox.itglue_web_url(&format!(
            "/_sandbox/page-data/organizations/{NORTHWIND_ID}"
        )))
        .send()
        .await?;
    assert!(northwind.text().await?.contains("Northwind Traders, Inc."));
    let missing = sandbox
        .client
        .get(sandbox.itglue_web_url("/9999"))
        .send()
        .await?;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    Ok(())
}

// ---------------------------------------------------------------- Process-level behaviour

#[tokio::test]
async fn ready_line_lists_urls_and_credentials() -> TestResult {
    let dir = TempDir::new()?;
    let sandbox = Sandbox::start(&dir, |_| {}).await?;
    let line = sandbox.running.ready_line();
    assert!(!line.contains('\n'));
    let ready: Value = serde_json::from_str(&line)?;
    let addresses = sandbox.running.addresses();
    assert_eq!(
        ready,
        json!({
            "itglue_api": format!("http://api.itglue.localhost:{}", addresses.itglue_api.port()),
            "bms_api": format!("http://api.bms.localhost:{}", addresses.bms_api.port()),
            "bms_web": format!("http://bms.localhost:{}", addresses.bms_web.port()),
            "itglue_web": format!("http://demo-msp.itglue.localhost:{}", addresses.itglue_web.port()),
            "itglue_api_ip": format!("http://{}", addresses.itglue_api),
            "bms_api_ip": format!("http://{}", addresses.bms_api),
            "bms_web_ip": format!("http://{}", addresses.bms_web),
            "itglue_web_ip": format!("http://{}", addresses.itglue_web),
            "credentials": {
                "itglue_api_key": ITGLUE_API_KEY,
                "bms_username": BMS_API_USERNAME,
                "bms_password": BMS_API_PASSWORD,
                "bms_company": BMS_TENANT,
            },
        })
    );
    assert!(line.starts_with(r#"{"itglue_api":"#));
    assert!(addresses.itglue_api.ip().is_loopback());
    Ok(())
}

#[tokio::test]
async fn data_survives_a_restart_and_reset_reseeds() -> TestResult {
    let dir = TempDir::new()?;
    let first = Sandbox::start(&dir, |_| {}).await?;
    let token = first.bms_token().await?;
    first.running.shutdown().await?;

    let second = Sandbox::start(&dir, |_| {}).await?;
    let kept = second.bms_get("/v2/security/userinfo", &token).await?;
    assert_eq!(
        kept.status(),
        StatusCode::OK,
        "the stored token outlives the process"
    );
    let (status, _) = second.itglue("/organizations/2001").await?;
    assert_eq!(status, StatusCode::OK);
    second.running.shutdown().await?;

    let third = Sandbox::start(&dir, |config| config.reset = true).await?;
    let gone = third.bms_get("/v2/security/userinfo", &token).await?;
    assert_eq!(
        gone.status(),
        StatusCode::UNAUTHORIZED,
        "reset drops issued tokens"
    );
    let hand = third
        .itglue_ids(&format!("/organizations?{HAND_ORGS}"))
        .await?;
    assert_eq!(hand.len(), 5);
    third.running.shutdown().await?;
    Ok(())
}
