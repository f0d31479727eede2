//! Conformance of the core synced records (IT Glue locations, contacts, configurations and
//! interfaces, the organizations' write side; BMS accounts, contacts and hardware assets)
//! and of the generated seed, over real HTTP against an in-process sandbox.

mod harness;

use std::error::Error;
use std::ops::Deref;
use std::time::Duration;

use reqwest::{Method, StatusCode, header};
use sandbox::{
    BMS_API_PASSWORD, BMS_API_USERNAME, BMS_TECH_PASSWORD, BMS_TECH_USERNAME, BMS_TENANT, Config,
    ITGLUE_API_KEY, Scale, WorldSpec,
};
use serde_json::{Value, json};

use harness::TestResult;

const JSON_API: &str = "application/vnd.api+json";
const SYNCED: &str = "Cannot update a synced resource";
const DATE_RANGE_TITLE: &str =
    "date range filter cannot be longer than a week, and cannot start with a wildcard";
const LINKED_CONFIGURATIONS: &str =
    "/configurations?filter[psa_integration_type]=kaseya-bms&page[size]=1";

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
        Self::with(|_| {}).await
    }

    async fn with(adjust: impl FnOnce(&mut Config)) -> Result<Self, Box<dyn Error>> {
        Ok(Self(harness::Sandbox::start(adjust).await?))
    }

    fn itglue_url(&self, path: &str) -> String {
        format!("http://{}{path}", self.running.addresses().itglue_api)
    }

    fn bms_url(&self, path: &str) -> String {
        format!("http://{}{path}", self.running.addresses().bms_api)
    }

    async fn itglue(&self, path: &str) -> Result<(StatusCode, Value), Box<dyn Error>> {
        self.itglue_send(Method::GET, path, None).await
    }

    async fn itglue_send(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<(StatusCode, Value), Box<dyn Error>> {
        let mut request = self
            .client
            .request(method, self.itglue_url(path))
            .header("x-api-key", ITGLUE_API_KEY);
        if let Some(body) = body {
            request = request
                .header(header::CONTENT_TYPE, JSON_API)
                .body(body.to_string());
        }
        json_of(request.send().await?).await
    }

    async fn itglue_ok(&self, path: &str) -> Result<Value, Box<dyn Error>> {
        let (status, body) = self.itglue(path).await?;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        Ok(body)
    }

    async fn token(&self, username: &str, password: &str) -> Result<String, Box<dyn Error>> {
        let form = form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("grantType", "password"),
                ("userName", username),
                ("password", password),
                ("tenant", BMS_TENANT),
            ])
            .finish();
        let response = self
            .client
            .post(self.bms_url("/v2/security/authenticate"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await?;
        let (_, body) = json_of(response).await?;
        Ok(text(&body["result"]["accessToken"])?.to_owned())
    }

    async fn api_token(&self) -> Result<String, Box<dyn Error>> {
        self.token(BMS_API_USERNAME, BMS_API_PASSWORD).await
    }

    async fn bms(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> Result<Value, Box<dyn Error>> {
        let mut request = self
            .client
            .request(method, self.bms_url(path))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request
                .header(header::CONTENT_TYPE, "application/json")
                .body(body.to_string());
        }
        let (status, body) = json_of(request.send().await?).await?;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        Ok(body)
    }

    async fn bms_get(&self, path: &str, token: &str) -> Result<Value, Box<dyn Error>> {
        self.bms(Method::GET, path, token, None).await
    }
}

async fn json_of(response: reqwest::Response) -> Result<(StatusCode, Value), Box<dyn Error>> {
    let status = response.status();
    let body = response.text().await?;
    if body.is_empty() {
        return Ok((status, Value::Null));
    }
    Ok((status, serde_json::from_str(&body)?))
}

fn text(value: &Value) -> Result<&str, Box<dyn Error>> {
    value
        .as_str()
        .ok_or_else(|| format!("not a string: {value}").into())
}

fn items(body: &Value) -> Vec<Value> {
    body["data"].as_array().cloned().unwrap_or_default()
}

fn ids(body: &Value) -> Vec<String> {
    items(body)
        .iter()
        .filter_map(|item| item["id"].as_str().map(str::to_owned))
        .collect()
}

fn first_id(body: &Value) -> Result<String, Box<dyn Error>> {
    ids(body)
        .into_iter()
        .next()
        .ok_or_else(|| format!("no records in {body}").into())
}

fn error_of(body: &Value) -> Value {
    body["errors"][0].clone()
}

fn patch_body(kind: &str, attributes: Value) -> Value {
    json!({"data": {"type": kind, "attributes": attributes}})
}

/// `2026-01-02T03:04:05`: a BMS date-time, without offset or fraction.
fn is_bms_datetime(value: &Value) -> bool {
    value
        .as_str()
        .is_some_and(|v| v.len() == 19 && v.as_bytes().get(10) == Some(&b'T') && !v.ends_with('Z'))
}

// ---------------------------------------------------------------- IT Glue reads

#[tokio::test]
async fn configurations_have_every_attribute_and_include_interfaces() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let body = sandbox
        .itglue_ok("/configurations?filter[organization_id]=2001&include=configuration_interfaces,adapters_resources")
        .await?;
    let first = &items(&body)[0];
    assert_eq!(first["type"], "configurations");
    for key in [
        "organization-id",
        "organization-name",
        "resource-url",
        "name",
        "hostname",
        "primary-ip",
        "mac-address",
        "default-gateway",
        "serial-number",
        "asset-tag",
        "notes",
        "warranty-expires-at",
        "purchased-at",
        "created-at",
        "updated-at",
        "configuration-type-id",
        "configuration-type-name",
        "configuration-type-kind",
        "configuration-status-name",
        "manufacturer-name",
        "model-name",
        "operating-system-name",
        "location-id",
        "location-name",
        "contact-id",
        "archived",
        "restricted",
        "psa-integration",
        "mitp-device-expiration-date",
        "mitp-end-of-life-date",
    ] {
        assert!(first["attributes"].get(key).is_some(), "missing {key}");
    }
    assert_eq!(first["attributes"]["organization-id"], json!(2001));
    let included = body["included"].as_array().ok_or("included")?;
    assert!(
        included
            .iter()
            .any(|r| r["type"] == "configuration-interfaces")
    );
    assert!(included.iter().any(|r| r["type"] == "adapters-resources"));
    let with_primary = items(&body)
        .into_iter()
        .find(|c| !c["attributes"]["primary-ip"].is_null())
        .ok_or("a configuration with a primary IP")?;
    let interface_ids: Vec<Value> =
        with_primary["relationships"]["configuration-interfaces"]["data"]
            .as_array()
            .ok_or("interfaces")?
            .iter()
            .map(|i| i["id"].clone())
            .collect();
    let primary = included
        .iter()
        .find(|r| interface_ids.contains(&r["id"]) && r["attributes"]["primary"] == true)
        .ok_or("primary interface")?;
    assert_eq!(
        primary["attributes"]["ip-address"],
        with_primary["attributes"]["primary-ip"]
    );
    Ok(())
}

#[tokio::test]
async fn contacts_carry_email_and_phone_lists_and_nullable_important() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let body = sandbox.itglue_ok("/contacts?page[size]=1000").await?;
    let contacts = items(&body);
    assert!(
        contacts
            .iter()
            .any(|c| c["attributes"]["important"].is_null())
    );
    assert!(
        contacts
            .iter()
            .any(|c| c["attributes"]["contact-emails"] == json!([]))
    );
    let with_phone = contacts
        .iter()
        .find(|c| c["attributes"]["contact-phones"][0].is_object())
        .ok_or("a contact with a phone")?;
    let phone = &with_phone["attributes"]["contact-phones"][0];
    let value = text(&phone["value"])?;
    assert!(value.bytes().all(|b| b.is_ascii_digit()), "{value}");
    assert!(phone["formatted-value"].is_string());
    for key in ["extension", "primary", "label-name", "label-type"] {
        assert!(phone.get(key).is_some(), "missing {key}");
    }
    let with_email = contacts
        .iter()
        .find(|c| c["attributes"]["contact-emails"][0].is_object())
        .ok_or("a contact with an e-mail")?;
    let email = text(&with_email["attributes"]["contact-emails"][0]["value"])?.to_owned();
    let found = sandbox
        .itglue_ok(&format!("/contacts?filter[primary_email]={email}"))
        .await?;
    assert!(ids(&found).contains(&text(&with_email["id"])?.to_owned()));
    let with_location = sandbox
        .itglue_ok("/contacts?filter[organization_id]=2001&include=location")
        .await?;
    assert!(
        with_location["included"]
            .as_array()
            .is_some_and(|list| list.iter().all(|r| r["type"] == "locations"))
    );
    Ok(())
}

#[tokio::test]
async fn filters_by_psa_link_serial_mac_and_archived() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let linked = sandbox.itglue_ok(LINKED_CONFIGURATIONS).await?;
    let id = first_id(&linked)?;
    let links = sandbox
        .itglue_ok(&format!("/configurations/{id}?include=adapters_resources"))
        .await?;
    let remote = text(&links["included"][0]["attributes"]["remote-id"])?.to_owned();
    let by_psa = sandbox
        .itglue_ok(&format!(
            "/configurations?filter[psa_integration_type]=kaseya-bms&filter[psa_id]={remote}"
        ))
        .await?;
    assert_eq!(ids(&by_psa), std::slice::from_ref(&id));
    let all = sandbox.itglue_ok("/configurations?page[size]=1000").await?;
    let with_serial = items(&all)
        .into_iter()
        .find(|c| {
            c["attributes"]["serial-number"].is_string()
                && c["attributes"]["mac-address"].is_string()
        })
        .ok_or("a configuration with serial and MAC")?;
    let serial = text(&with_serial["attributes"]["serial-number"])?;
    let mac = text(&with_serial["attributes"]["mac-address"])?.to_lowercase();
    let expected = vec![text(&with_serial["id"])?.to_owned()];
    let by_serial = sandbox
        .itglue_ok(&format!("/configurations?filter[serial_number]={serial}"))
        .await?;
    assert_eq!(ids(&by_serial), expected);
    let by_mac = sandbox
        .itglue_ok(&format!("/configurations?filter[mac_address]={mac}"))
        .await?;
    assert_eq!(ids(&by_mac), expected, "MACs match in any case");
    let archived = sandbox
        .itglue_ok("/configurations?filter[archived]=true")
        .await?;
    assert!(
        items(&archived)
            .iter()
            .all(|c| c["attributes"]["archived"] == true)
    );
    let linked_locations = sandbox
        .itglue_ok("/locations?filter[psa_integration_type]=kaseya-bms&filter[psa_id]=201")
        .await?;
    assert_eq!(
        items(&linked_locations).len(),
        1,
        "Happy Frog's main office"
    );
    Ok(())
}

#[tokio::test]
async fn sort_by_updated_at_pages_down_to_a_watermark() -> TestResult {
    let sandbox = Sandbox::start().await?;
    for resource in ["configurations", "contacts", "locations"] {
        let body = sandbox
            .itglue_ok(&format!("/{resource}?sort=-updated_at&page[size]=20"))
            .await?;
        let stamps: Vec<String> = items(&body)
            .iter()
            .filter_map(|r| r["attributes"]["updated-at"].as_str().map(str::to_owned))
            .collect();
        assert!(
            stamps.windows(2).all(|w| w[0] >= w[1]),
            "{resource}: {stamps:?}"
        );
        let ascending = sandbox
            .itglue_ok(&format!("/{resource}?sort=updated_at&page[size]=5"))
            .await?;
        let first = text(&items(&ascending)[0]["attributes"]["updated-at"])?.to_owned();
        assert!(stamps.iter().all(|s| *s >= first));
        let (status, _) = sandbox.itglue(&format!("/{resource}?sort=colour")).await?;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }
    Ok(())
}

#[tokio::test]
async fn nested_routes_scope_to_the_organization_and_ignore_filters() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let nested = sandbox
        .itglue_ok("/organizations/2001/relationships/contacts?filter[id]=1&page[size]=1000")
        .await?;
    let all = sandbox
        .itglue_ok("/contacts?filter[organization_id]=2001&page[size]=1000")
        .await?;
    assert_eq!(
        ids(&nested),
        ids(&all),
        "filters do not apply on nested routes"
    );
    let one = first_id(&nested)?;
    let (status, _) = sandbox
        .itglue(&format!("/organizations/2004/relationships/contacts/{one}"))
        .await?;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another organization's contact"
    );
    let (status, _) = sandbox
        .itglue(&format!("/organizations/2001/relationships/contacts/{one}"))
        .await?;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = sandbox
        .itglue_send(
            Method::PATCH,
            "/organizations/2006/relationships/locations",
            Some(json!({"data": [{"type": "locations", "attributes": {"id": 1, "name": "x"}}]})),
        )
        .await?;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    Ok(())
}

#[tokio::test]
async fn catalogs_are_served() -> TestResult {
    let sandbox = Sandbox::start().await?;
    for (path, kind) in [
        ("/configuration_types", "configuration-types"),
        ("/configuration_statuses", "configuration-statuses"),
        ("/manufacturers", "manufacturers"),
        ("/models", "models"),
        ("/operating_systems", "operating-systems"),
        ("/platforms", "platforms"),
        ("/contact_types", "contact-types"),
    ] {
        let body = sandbox.itglue_ok(path).await?;
        assert_eq!(items(&body)[0]["type"], kind, "{path}");
        let id = first_id(&body)?;
        sandbox.itglue_ok(&format!("{path}/{id}")).await?;
    }
    Ok(())
}

// ---------------------------------------------------------------- IT Glue writes

#[tokio::test]
async fn create_takes_snake_kebab_and_odd_keys_and_stamps_times() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let body = json!({"data": {"type": "locations", "attributes": {
        "organization-id": 2006, "name": "Dock 4", "address_1": "1 Pier Way", "City": "Chicago",
        "postal-code": "60601", "phone": "(312) 555-0100", "region_id": 1013, "country-id": 1
    }}});
    let (status, created) = sandbox
        .itglue_send(Method::POST, "/locations", Some(body))
        .await?;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let attributes = &created["data"]["attributes"];
    assert_eq!(attributes["city"], "Chicago");
    assert_eq!(attributes["address-1"], "1 Pier Way");
    assert_eq!(attributes["phone"], "3125550100");
    assert_eq!(attributes["formatted-phone"], "(312) 555-0100");
    assert_eq!(attributes["region-name"], "Illinois");
    assert_eq!(attributes["created-at"], attributes["updated-at"]);
    assert!(text(&attributes["created-at"])?.ends_with('Z'));

    let kebab_type = json!({"data": {"type": "configuration-interfaces", "attributes": {
        "configuration-id": 0, "name": "x"}}});
    let (status, _) = sandbox
        .itglue_send(Method::POST, "/configuration_interfaces", Some(kebab_type))
        .await?;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "kebab type accepted, bad id"
    );

    let response = sandbox
        .client
        .post(sandbox.itglue_url("/locations"))
        .header("x-api-key", ITGLUE_API_KEY)
        .header(header::CONTENT_TYPE, "text/plain")
        .body("{}")
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    Ok(())
}

#[tokio::test]
async fn validation_errors_have_the_documented_bodies() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let (status, body) = sandbox
        .itglue_send(
            Method::POST,
            "/configurations",
            Some(patch_body(
                "configurations",
                json!({"name": "X", "configuration_type_id": 101}),
            )),
        )
        .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body,
        json!({"errors": [{"status": 422, "title": "Valid organization_id is required",
                           "source": {"pointer": "data/attributes/organization_id"}}]})
    );
    let (status, body) = sandbox
        .itglue_send(
            Method::POST,
            "/configurations",
            Some(patch_body(
                "configurations",
                json!({"organization_id": 2006, "name": "X",
                                                     "configuration_type_id": 999}),
            )),
        )
        .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_of(&body),
        json!({"status": 422, "title": "Unprocessable Entity", "detail": "must exist",
               "source": {"pointer": "/data/attributes/configuration-type"}})
    );
    let (status, body) = sandbox
        .itglue_send(
            Method::POST,
            "/organizations/2006/relationships/configurations",
            Some(patch_body(
                "configurations",
                json!({"name": "X", "configuration_type_id": 101,
                                                     "mac_address": "AA:BB:CC:DD:EE:FF:00"}),
            )),
        )
        .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_of(&body)["source"]["pointer"],
        "/data/attributes/mac-address"
    );
    let (status, _) = sandbox
        .itglue_send(
            Method::POST,
            "/contacts",
            Some(
                json!({"data": [{"type": "contacts", "attributes": {"organization_id": 2006,
                                                                      "first_name": "A"}}]}),
            ),
        )
        .await?;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "bulk create only on nested routes"
    );
    Ok(())
}

#[tokio::test]
async fn nested_bulk_create_patch_merge_bulk_patch_and_bulk_delete() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let (status, created) = sandbox
        .itglue_send(
            Method::POST,
            "/organizations/2006/relationships/contacts",
            Some(json!({"data": [
                {"type": "contacts", "attributes": {"first-name": "Ana", "last_name": "Silva",
                 "contact_emails": [{"value": "ana@fabrikam.example.com", "label_name": "Work"}],
                 "contact-phones": [{"value": "+1 (312) 555-0119", "label-name": "Work"}]}},
                {"type": "contacts", "attributes": {"first_name": "Bo", "important": null}}
            ]})),
        )
        .await?;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let new_ids = ids(&created);
    assert_eq!(new_ids.len(), 2);
    let first = &items(&created)[0]["attributes"];
    assert_eq!(first["contact-emails"][0]["primary"], true);
    assert_eq!(first["contact-phones"][0]["value"], "13125550119");
    assert_eq!(
        first["contact-phones"][0]["formatted-value"],
        "(312) 555-0119"
    );
    assert_eq!(items(&created)[1]["attributes"]["important"], Value::Null);

    tokio::time::sleep(Duration::from_millis(5)).await;
    let (status, patched) = sandbox
        .itglue_send(
            Method::PATCH,
            &format!("/contacts/{}", new_ids[0]),
            Some(patch_body("contacts", json!({"title": "Dispatcher"}))),
        )
        .await?;
    assert_eq!(status, StatusCode::OK, "{patched}");
    let attributes = &patched["data"]["attributes"];
    assert_eq!(attributes["title"], "Dispatcher");
    assert_eq!(attributes["last-name"], "Silva", "PATCH merges");
    assert!(text(&attributes["updated-at"])? > text(&first["updated-at"])?);

    let bulk = json!({"data": new_ids.iter().map(|id| json!({"type": "contacts",
        "attributes": {"id": id, "notes": "bulk"}})).collect::<Vec<_>>()});
    let (status, updated) = sandbox
        .itglue_send(Method::PATCH, "/contacts", Some(bulk))
        .await?;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert!(
        items(&updated)
            .iter()
            .all(|c| c["attributes"]["notes"] == "bulk")
    );

    let delete = json!({"data": [{"type": "contacts", "attributes": {"id": new_ids[1]}}]});
    let (status, deleted) = sandbox
        .itglue_send(Method::DELETE, "/contacts", Some(delete))
        .await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ids(&deleted), [new_ids[1].clone()]);
    let (status, _) = sandbox.itglue(&format!("/contacts/{}", new_ids[1])).await?;
    assert_eq!(status, StatusCode::NOT_FOUND);
    Ok(())
}

#[tokio::test]
async fn relationships_in_a_configuration_patch_are_refused() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let id = first_id(
        &sandbox
            .itglue_ok("/configurations?filter[organization_id]=2006")
            .await?,
    )?;
    let body = json!({"data": {"type": "configurations", "attributes": {"notes": "x"},
        "relationships": {"configuration_interfaces": {"data": []}}}});
    let (status, _) = sandbox
        .itglue_send(Method::PATCH, &format!("/configurations/{id}"), Some(body))
        .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    Ok(())
}

#[tokio::test]
async fn primary_interface_and_configuration_stay_coupled() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let (status, created) = sandbox
        .itglue_send(
            Method::POST,
            "/organizations/2006/relationships/configurations",
            Some(patch_body(
                "configurations",
                json!({"name": "FAB-SRV-900",
                "configuration_type_id": 103, "primary_ip": "10.9.9.9",
                "mac_address": "02:00:00:00:00:01"}),
            )),
        )
        .await?;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = text(&created["data"]["id"])?.to_owned();
    let interfaces = sandbox
        .itglue_ok(&format!(
            "/configurations/{id}/relationships/configuration_interfaces"
        ))
        .await?;
    let primary = &items(&interfaces)[0];
    assert_eq!(primary["attributes"]["primary"], true);
    assert_eq!(primary["attributes"]["ip-address"], "10.9.9.9");
    let interface_id = text(&primary["id"])?.to_owned();

    let (status, _) = sandbox
        .itglue_send(
            Method::PATCH,
            &format!("/configurations/{id}/relationships/configuration_interfaces/{interface_id}"),
            Some(patch_body(
                "configuration_interfaces",
                json!({"ip_address": "10.9.9.10"}),
            )),
        )
        .await?;
    assert_eq!(status, StatusCode::OK);
    let configuration = sandbox.itglue_ok(&format!("/configurations/{id}")).await?;
    assert_eq!(
        configuration["data"]["attributes"]["primary-ip"],
        "10.9.9.10"
    );

    let (status, _) = sandbox
        .itglue_send(
            Method::PATCH,
            &format!("/configurations/{id}"),
            Some(patch_body(
                "configurations",
                json!({"mac-address": "02-00-00-00-00-02"}),
            )),
        )
        .await?;
    assert_eq!(status, StatusCode::OK);
    let interface = sandbox
        .itglue_ok(&format!("/configuration_interfaces/{interface_id}"))
        .await?;
    assert_eq!(
        interface["data"]["attributes"]["mac-address"],
        "02-00-00-00-00-02"
    );

    let (status, second) = sandbox
        .itglue_send(
            Method::POST,
            &format!("/configurations/{id}/relationships/configuration_interfaces"),
            Some(patch_body(
                "configuration-interfaces",
                json!({"name": "Wi-Fi",
                "ip_address": "10.9.9.11", "primary": true}),
            )),
        )
        .await?;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    let configuration = sandbox.itglue_ok(&format!("/configurations/{id}")).await?;
    assert_eq!(
        configuration["data"]["attributes"]["primary-ip"], "10.9.9.11",
        "one primary per configuration"
    );
    let response = sandbox
        .client
        .delete(sandbox.itglue_url(&format!(
            "/configurations/{id}/relationships/configuration_interfaces/{interface_id}"
        )))
        .header("x-api-key", ITGLUE_API_KEY)
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);

    let linked = first_id(&sandbox.itglue_ok(LINKED_CONFIGURATIONS).await?)?;
    let (status, body) = sandbox
        .itglue_send(
            Method::PATCH,
            &format!("/configurations/{linked}"),
            Some(patch_body(
                "configurations",
                json!({"primary_ip": "10.1.1.1"}),
            )),
        )
        .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(&body)["detail"], SYNCED);
    Ok(())
}

// ---------------------------------------------------------------- PSA locks

#[tokio::test]
async fn synced_records_accept_only_their_allow_lists() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let linked = first_id(&sandbox.itglue_ok(LINKED_CONFIGURATIONS).await?)?;
    let path = format!("/configurations/{linked}");
    let (status, body) = sandbox
        .itglue_send(
            Method::PATCH,
            &path,
            Some(patch_body("configurations", json!({"name": "Renamed"}))),
        )
        .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_of(&body),
        json!({"status": 422, "title": "Unprocessable Entity", "detail": SYNCED,
               "source": {"pointer": "/data/attributes/name"}})
    );
    let (status, _) = sandbox
        .itglue_send(
            Method::PATCH,
            &path,
            Some(patch_body(
                "configurations",
                json!({"serial_number": "SN-NEW", "archived": true,
                                                     "warranty_expires_at": "2027-01-31"}),
            )),
        )
        .await?;
    assert_eq!(status, StatusCode::OK);

    let contact = first_id(
        &sandbox
            .itglue_ok("/contacts?filter[psa_integration_type]=kaseya-bms&page[size]=1")
            .await?,
    )?;
    let (status, _) = sandbox
        .itglue_send(
            Method::PATCH,
            &format!("/contacts/{contact}"),
            Some(patch_body("contacts", json!({"title": "Boss"}))),
        )
        .await?;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "synced contacts are locked"
    );
    let location = first_id(
        &sandbox
            .itglue_ok("/locations?filter[psa_integration_type]=kaseya-bms&page[size]=1")
            .await?,
    )?;
    let (status, _) = sandbox
        .itglue_send(
            Method::PATCH,
            &format!("/locations/{location}"),
            Some(patch_body("locations", json!({"notes": "x"}))),
        )
        .await?;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "synced locations are locked"
    );

    let (status, _) = sandbox
        .itglue_send(
            Method::PATCH,
            "/organizations/2001",
            Some(patch_body("organizations", json!({"name": "Sad Frog"}))),
        )
        .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, body) = sandbox
        .itglue_send(
            Method::PATCH,
            "/organizations/2001",
            Some(patch_body(
                "organizations",
                json!({"quick_notes": "<p>new</p>", "alert": null}),
            )),
        )
        .await?;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["attributes"]["alert"], Value::Null);
    Ok(())
}

#[tokio::test]
async fn organization_full_lock_switch() -> TestResult {
    let sandbox = Sandbox::with(|config| config.itglue_org_sync_fully_locked = true).await?;
    let (status, _) = sandbox
        .itglue_send(
            Method::PATCH,
            "/organizations/2001",
            Some(patch_body("organizations", json!({"quick_notes": "x"}))),
        )
        .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = sandbox
        .itglue_send(
            Method::PATCH,
            "/organizations/2006",
            Some(patch_body("organizations", json!({"quick_notes": "x"}))),
        )
        .await?;
    assert_eq!(
        status,
        StatusCode::OK,
        "unlinked organizations stay editable"
    );
    Ok(())
}

#[tokio::test]
async fn contact_emails_switch_locks_unlinked_contacts() -> TestResult {
    let emails =
        json!({"contact_emails": [{"value": "x@fabrikam.example.com", "label_name": "Work"}]});
    for (switch, expected) in [
        (false, StatusCode::OK),
        (true, StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        let sandbox =
            Sandbox::with(|config| config.itglue_contact_emails_always_synced = switch).await?;
        let contact = first_id(
            &sandbox
                .itglue_ok("/contacts?filter[organization_id]=2006")
                .await?,
        )?;
        let (status, body) = sandbox
            .itglue_send(
                Method::PATCH,
                &format!("/contacts/{contact}"),
                Some(patch_body("contacts", emails.clone())),
            )
            .await?;
        assert_eq!(status, expected, "{body}");
        if switch {
            assert_eq!(
                error_of(&body)["source"]["pointer"],
                "/data/attributes/contact-emails.base"
            );
            assert_eq!(error_of(&body)["detail"], SYNCED);
        }
    }
    Ok(())
}

#[tokio::test]
async fn two_way_sync_relaxes_locks_only_with_its_switch() -> TestResult {
    for (switch, expected) in [
        (false, StatusCode::UNPROCESSABLE_ENTITY),
        (true, StatusCode::OK),
    ] {
        let sandbox = Sandbox::with(|config| config.itglue_two_way_relaxes_locks = switch).await?;
        let response = sandbox
            .client
            .put(sandbox.itglue_url("/_sandbox/itglue/two_way_sync"))
            .header("x-api-key", ITGLUE_API_KEY)
            .json(&json!({"enabled": true}))
            .send()
            .await?;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        let state = sandbox.itglue_ok("/_sandbox/itglue/two_way_sync").await?;
        assert_eq!(state, json!({"enabled": true}));
        let (status, _) = sandbox
            .itglue_send(
                Method::PATCH,
                "/organizations/2001",
                Some(patch_body(
                    "organizations",
                    json!({"name": "Happy Frog Dental Group"}),
                )),
            )
            .await?;
        assert_eq!(status, expected, "switch {switch}");
    }
    Ok(())
}

#[tokio::test]
async fn sandbox_links_set_and_clear_the_psa_link() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let link = json!({"resource_type": "organizations", "resource_id": "2006", "remote_id": 105});
    let response = sandbox
        .client
        .post(sandbox.itglue_url("/_sandbox/itglue/links"))
        .header("x-api-key", ITGLUE_API_KEY)
        .json(&link)
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::CREATED);
    let found = sandbox
        .itglue_ok("/organizations?filter[psa_integration_type]=kaseya-bms&filter[psa_id]=105")
        .await?;
    assert_eq!(ids(&found), ["2006"]);
    assert_eq!(items(&found)[0]["attributes"]["psa-integration"], "enabled");
    let (status, _) = sandbox
        .itglue_send(
            Method::PATCH,
            "/organizations/2006",
            Some(patch_body("organizations", json!({"short_name": "FL"}))),
        )
        .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let response = sandbox
        .client
        .delete(sandbox.itglue_url("/_sandbox/itglue/links"))
        .header("x-api-key", ITGLUE_API_KEY)
        .json(&link)
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let show = sandbox.itglue_ok("/organizations/2006").await?;
    assert_eq!(show["data"]["attributes"]["psa-integration"], Value::Null);
    Ok(())
}

/// Sends `PATCH /_sandbox/itglue/links` to orphan a link or sync it again.
async fn orphan(
    sandbox: &Sandbox,
    resource_id: &str,
    orphaned: bool,
) -> Result<(StatusCode, Value), Box<dyn Error>> {
    let body = json!({"resource_type": "organizations", "resource_id": resource_id,
                      "orphaned": orphaned});
    let response = sandbox
        .client
        .patch(sandbox.itglue_url("/_sandbox/itglue/links"))
        .header("x-api-key", ITGLUE_API_KEY)
        .json(&body)
        .send()
        .await?;
    json_of(response).await
}

#[tokio::test]
async fn sandbox_links_orphan_and_resync_the_psa_link() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let rename = || {
        Some(patch_body(
            "organizations",
            json!({"name": "Happy Frog Dental Group"}),
        ))
    };
    let (status, body) = orphan(&sandbox, "2001", true).await?;
    assert_eq!(status, StatusCode::OK, "{body}");
    let show = sandbox
        .itglue_ok("/organizations/2001?include=adapters_resources")
        .await?;
    assert_eq!(show["data"]["attributes"]["psa-integration"], "orphaned");
    let link = &show["included"][0]["attributes"];
    assert_eq!(
        (&link["orphaned"], &link["sync"]),
        (&json!(true), &json!(false))
    );
    // An orphaned record is no longer synced, so its locks are gone.
    let (status, body) = sandbox
        .itglue_send(Method::PATCH, "/organizations/2001", rename())
        .await?;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (status, _) = orphan(&sandbox, "2001", false).await?;
    assert_eq!(status, StatusCode::OK);
    let show = sandbox
        .itglue_ok("/organizations/2001?include=adapters_resources")
        .await?;
    assert_eq!(show["data"]["attributes"]["psa-integration"], "enabled");
    assert_eq!(show["included"][0]["attributes"]["sync"], json!(true));
    let (status, _) = sandbox
        .itglue_send(Method::PATCH, "/organizations/2001", rename())
        .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // Only a linked record can be orphaned.
    let (status, body) = orphan(&sandbox, "2006", true).await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["source"]["pointer"], "/resource_id");
    Ok(())
}

// ---------------------------------------------------------------- Organizations

#[tokio::test]
async fn organizations_create_bulk_patch_by_filter_and_delete_later() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let mut created = Vec::new();
    for name in ["Lamna Healthcare", "Litware, Inc."] {
        let (status, body) = sandbox
            .itglue_send(
                Method::POST,
                "/organizations",
                Some(patch_body(
                    "organizations",
                    json!({"name": name, "organization-type-id": 86,
                                                        "organization_status_id": 68}),
                )),
            )
            .await?;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(
            body["data"]["attributes"]["organization-type-name"],
            "Customer"
        );
        created.push(text(&body["data"]["id"])?.to_owned());
    }
    let filter = format!("/organizations?filter[id]={}", created.join(","));
    let (status, body) = sandbox
        .itglue_send(
            Method::PATCH,
            &filter,
            Some(patch_body("organizations", json!({"description": "Bulk"}))),
        )
        .await?;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(items(&body).len(), 2);
    let (status, _) = sandbox
        .itglue_send(
            Method::PATCH,
            "/organizations",
            Some(patch_body(
                "organizations",
                json!({"description": "Everyone"}),
            )),
        )
        .await?;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an object needs a filter"
    );

    let targets = json!({"data": created.iter().map(|id| json!({"type": "organizations",
        "attributes": {"id": id}})).collect::<Vec<_>>()});
    let (status, _) = sandbox
        .itglue_send(Method::DELETE, &filter, Some(targets.clone()))
        .await?;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "bulk DELETE refuses a filter"
    );
    let (status, body) = sandbox
        .itglue_send(Method::DELETE, "/organizations", Some(targets))
        .await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ids(&body), created);
    let (status, _) = sandbox
        .itglue(&format!("/organizations/{}", created[0]))
        .await?;
    assert_eq!(status, StatusCode::OK, "marked, not yet removed");
    tokio::time::sleep(Duration::from_millis(1300)).await;
    let (status, _) = sandbox
        .itglue(&format!("/organizations/{}", created[0]))
        .await?;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = sandbox
        .itglue_send(Method::DELETE, "/organizations/2006", None)
        .await?;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "no single DELETE");
    Ok(())
}

#[tokio::test]
async fn organization_date_ranges_exclusions_and_numeric_ranges() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let week = sandbox
        .itglue_ok("/organizations?filter[updated_at]=2025-01-04, 2025-01-11")
        .await?;
    assert!(ids(&week).contains(&"2001".to_owned()));
    let exact_week = sandbox
        .itglue_ok("/organizations?filter[updated_at]=2025-02-14,2025-02-21")
        .await?;
    assert!(ids(&exact_week).contains(&"574989297464115201".to_owned()));
    for bad in ["2025-01-01,2025-01-09", "*,2025-01-08", "2025-01-01"] {
        let (status, body) = sandbox
            .itglue(&format!("/organizations?filter[created_at]={bad}"))
            .await?;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(error_of(&body)["title"], DATE_RANGE_TITLE);
        assert_eq!(error_of(&body)["status"], 422);
    }
    let open = sandbox
        .itglue_ok("/organizations?filter[updated_at]=2025-02-20,*")
        .await?;
    let mut open_ids = ids(&open);
    open_ids.sort();
    assert_eq!(open_ids, ["2004", "2006"]);
    let excluded = sandbox
        .itglue_ok("/organizations?filter[exclude][id]=2001&filter[organization_type_id]=86&page[size]=1000")
        .await?;
    assert!(!ids(&excluded).contains(&"2001".to_owned()));
    assert!(ids(&excluded).contains(&"2003".to_owned()));
    let all = sandbox.itglue_ok("/organizations?page[size]=1000").await?;
    let ranged = sandbox
        .itglue_ok("/organizations?filter[range][my_glue_account_id]=4000, *&page[size]=1000")
        .await?;
    assert!(!ranged["data"].as_array().is_none_or(Vec::is_empty));
    assert!(items(&ranged).len() < items(&all).len());
    let sorted = sandbox
        .itglue_ok("/organizations?sort=-my_glue_account_id&page[size]=1")
        .await?;
    assert!(ids(&ranged).contains(&first_id(&sorted)?));
    Ok(())
}

// ---------------------------------------------------------------- BMS accounts

#[tokio::test]
async fn bms_account_create_put_and_json_patch() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let token = sandbox.api_token().await?;
    let missing = sandbox
        .bms(
            Method::POST,
            "/v2/crm/accounts",
            &token,
            Some(json!({"accountTypeId": 4201})),
        )
        .await?;
    assert_eq!(missing["success"], false);
    let message = text(&missing["error"]["message"])?;
    assert!(
        message.contains("AccountName") && message.contains("BusinessTypeId"),
        "{message}"
    );
    let created = sandbox
        .bms(
            Method::POST,
            "/v2/crm/accounts",
            &token,
            Some(
                json!({"AccountName": "Wide World Importers", "accountCode": "WWI",
                "AccountTypeId": 4201, "BusinessTypeId": 3101, "AccountManagerId": 7002,
                "Locations": [{"LocationName": "HQ", "IsMain": true, "IsActive": true,
                    "Addresses": [{"Address1": "1 Harbor Rd", "City": "Oakland", "State": "CA",
                                   "ZipCode": "94601", "CountryId": 1}]}]}),
            ),
        )
        .await?;
    assert_eq!(created["success"], true, "{created}");
    let account = &created["result"];
    let id = account["id"].as_i64().ok_or("id")?;
    assert_eq!(
        account["locations"][0]["addresses"][0]["country"],
        "United States"
    );
    assert!(is_bms_datetime(&account["modifiedOn"]));

    let put = sandbox
        .bms(
            Method::PUT,
            &format!("/v2/crm/accounts/{id}"),
            &token,
            Some(
                json!({"AccountName": "Wide World Importers Ltd", "AccountTypeId": 4202,
                        "BusinessTypeId": 3102, "AccountManagerId": 7002, "IsActive": false}),
            ),
        )
        .await?;
    assert_eq!(put["result"]["accountType"], "Vendor");
    assert_eq!(put["result"]["isActive"], false);
    assert_eq!(
        put["result"]["accountCode"],
        Value::Null,
        "PUT replaces every member"
    );

    let patched = sandbox
        .bms(
            Method::PATCH,
            &format!("/v2/crm/accounts/{id}"),
            &token,
            Some(
                json!([{"op": "replace", "path": "/AccountName", "value": "WWI Group"},
                        {"op": "replace", "path": "accountCode", "value": "WWG"}]),
            ),
        )
        .await?;
    assert_eq!(patched["result"]["accountName"], "WWI Group");
    assert_eq!(patched["result"]["accountCode"], "WWG");
    assert_eq!(
        patched["result"]["accountType"], "Vendor",
        "other members stay"
    );

    let listed = sandbox
        .bms_get(
            "/v2/crm/accounts/summary?Filter.AccountTypeName=vendor&Sort=AccountName desc",
            &token,
        )
        .await?;
    let names: Vec<&str> = listed["result"]
        .as_array()
        .ok_or("result")?
        .iter()
        .filter_map(|a| a["accountName"].as_str())
        .collect();
    assert!(names.contains(&"WWI Group") && names.contains(&"Café Zürich GmbH"));
    assert!(names.windows(2).all(|w| w[0] >= w[1]), "{names:?}");
    let bad_sort = sandbox
        .bms_get("/v2/crm/accounts/summary?Sort=colour", &token)
        .await?;
    assert_eq!(bad_sort["success"], false);
    Ok(())
}

#[tokio::test]
async fn bms_account_lookups_locations_and_system_lookups() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let token = sandbox.api_token().await?;
    let lookup = sandbox
        .bms_get("/v2/crm/accounts/lookup?Filter.Ids=101&Filter.Ids=103&Filter.WithInactiveAccounts=true", &token)
        .await?;
    let names: Vec<&str> = lookup["result"]
        .as_array()
        .ok_or("result")?
        .iter()
        .filter_map(|a| a["name"].as_str())
        .collect();
    assert_eq!(names, ["Contoso Legal LLP", "Happy Frog Dental"]);
    assert_eq!(lookup["result"][0]["tenantName"], BMS_TENANT);
    let active_only = sandbox
        .bms_get("/v2/crm/accounts/lookup?Filter.Ids=103", &token)
        .await?;
    assert_eq!(active_only["result"], json!([]));

    let locations = sandbox
        .bms_get("/v2/crm/accounts/101/locations/lookup", &token)
        .await?;
    assert_eq!(
        locations["result"][0],
        json!({"id": 201, "name": "Main Office", "accountId": 101, "isMain": true})
    );
    let location = sandbox
        .bms_get("/v2/crm/accounts/101/locations/201", &token)
        .await?;
    assert_eq!(
        location["result"]["addresses"][0]["address1"],
        "2450 Mission Street"
    );
    let types = sandbox
        .bms_get("/v2/system/accounttypes/lookup", &token)
        .await?;
    assert_eq!(
        types["result"][0],
        json!({"id": 4201, "name": "Customer", "isActive": true, "isClient": true, "isVendor": false})
    );
    for table in [
        "AssetCategories",
        "assetstatuses",
        "EmailTypes",
        "PhoneTypes",
        "BusinessTypes",
        "Countries",
    ] {
        let body = sandbox
            .bms_get(&format!("/v2/system/lookup/{table}"), &token)
            .await?;
        let first = &body["result"][0];
        assert!(
            first["id"].is_i64() && first["name"].is_string(),
            "{table}: {body}"
        );
        assert!(first["isDefault"].is_boolean() && first["isActive"].is_boolean());
    }
    let unknown = sandbox.bms_get("/v2/system/lookup/Colours", &token).await?;
    assert_eq!(unknown["success"], false);
    Ok(())
}

// ---------------------------------------------------------------- BMS contacts

#[tokio::test]
async fn bms_contacts_list_search_lookup_and_modified_filter() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let token = sandbox.api_token().await?;
    let list = sandbox
        .bms_get(
            "/v2/crm/contacts/summary?Filter.AccountId=101&PageSize=100",
            &token,
        )
        .await?;
    let contacts = list["result"].as_array().ok_or("result")?;
    assert!(!contacts.is_empty());
    assert_eq!(list["totalRecords"].as_u64(), Some(contacts.len() as u64));
    let contact = contacts
        .iter()
        .find(|c| c["emails"][0].is_object())
        .ok_or("a contact with an e-mail")?;
    for key in [
        "isPoc",
        "jobTitle",
        "locationName",
        "canRecieveInvoices",
        "phones",
    ] {
        assert!(contact.get(key).is_some(), "missing {key}");
    }
    assert!(is_bms_datetime(&contact["modifiedOn"]));
    let id = contact["id"].as_i64().ok_or("id")?;
    let email = text(&contact["emails"][0]["emailAddress"])?;
    let one = sandbox
        .bms_get(&format!("/v2/crm/contacts/summary/{id}"), &token)
        .await?;
    assert_eq!(one["result"]["id"], id);
    let search = sandbox
        .bms_get(
            &format!("/v2/crm/contacts/search?Filter.EmailAddress={email}"),
            &token,
        )
        .await?;
    assert_eq!(search["result"][0]["id"], id);
    assert!(search.get("totalRecords").is_none());
    let lookup = sandbox
        .bms_get("/v2/crm/accounts/101/contacts/lookup?PageSize=100", &token)
        .await?;
    assert!(
        lookup["result"]
            .as_array()
            .is_some_and(|l| l.iter().any(|c| c["id"] == id))
    );

    let recent = sandbox
        .bms_get(
            "/v2/crm/contacts/summary?Filter.ModifiedOnFrom=2030-01-01T00:00:00Z",
            &token,
        )
        .await?;
    assert_eq!(recent["totalRecords"], 0);
    let old = sandbox
        .bms_get(
            "/v2/crm/contacts/summary?Filter.ModifiedOnTo=2023-01-01&PageSize=1",
            &token,
        )
        .await?;
    assert_eq!(old["totalRecords"], 0, "the seed starts in 2023");
    Ok(())
}

#[tokio::test]
async fn bms_contact_create_put_patch_emails_phones_and_delete() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let token = sandbox.api_token().await?;
    let missing = sandbox
        .bms(
            Method::POST,
            "/v2/crm/contacts/summary",
            &token,
            Some(json!({"FirstName": "X"})),
        )
        .await?;
    assert_eq!(missing["success"], false);
    assert!(text(&missing["error"]["message"])?.contains("AccountId"));
    let created = sandbox
        .bms(
            Method::POST,
            "/v2/crm/contacts/summary",
            &token,
            Some(
                json!({"firstName": "Lee", "lastName": "Park", "accountId": 101,
                        "locationId": 201, "jobTitle": "Ignored on create",
                        "emails": [{"emailAddress": "lee@happyfrog.example.com", "emailTypeId": 1,
                                    "isDefault": true}],
                        "phones": [{"phoneNumber": "(415) 555-0199", "phoneTypeId": 1}]}),
            ),
        )
        .await?;
    assert_eq!(created["success"], true, "{created}");
    let id = created["result"]["id"].as_i64().ok_or("id")?;
    assert_eq!(
        created["result"]["jobTitle"],
        Value::Null,
        "no job title on create"
    );
    let before = text(&created["result"]["modifiedOn"])?.to_owned();

    let put = sandbox
        .bms(
            Method::PUT,
            &format!("/v2/crm/contacts/{id}"),
            &token,
            Some(
                json!({"AccountId": 101, "LocationId": 201, "FirstName": "Lee",
                        "LastName": "Park", "JobTitle": "Hygienist", "Poc": true,
                        "IsActive": true}),
            ),
        )
        .await?;
    assert_eq!(put["result"]["jobTitle"], "Hygienist");
    assert_eq!(put["result"]["poc"], true);
    assert!(put["result"].get("createdByName").is_some());

    let patched = sandbox
        .bms(
            Method::PATCH,
            &format!("/v2/crm/contacts/{id}"),
            &token,
            Some(json!([{"op": "replace", "path": "/JobTitle", "value": "Lead Hygienist"}])),
        )
        .await?;
    assert_eq!(patched["result"]["jobTitle"], "Lead Hygienist");
    assert_eq!(patched["result"]["lastName"], "Park");
    assert!(text(&patched["result"]["modifiedOn"])? >= before.as_str());

    let emails = sandbox
        .bms(
            Method::PATCH,
            &format!("/v2/crm/contacts/{id}/emails"),
            &token,
            Some(json!([
                {"operation": 0, "emailAddress": "lee.park@personal.example.net", "typeId": 2},
                {"operation": 1, "emailAddress": "LEE@happyfrog.example.com",
                 "newEmailAddress": "lpark@happyfrog.example.com"},
            ])),
        )
        .await?;
    assert_eq!(emails["result"]["added"], 1);
    assert_eq!(emails["result"]["updated"], 1);
    let addresses: Vec<&str> = emails["result"]["emails"]
        .as_array()
        .ok_or("emails")?
        .iter()
        .filter_map(|e| e["emailAddress"].as_str())
        .collect();
    assert_eq!(
        addresses,
        [
            "lpark@happyfrog.example.com",
            "lee.park@personal.example.net"
        ]
    );
    let deleted = sandbox
        .bms(
            Method::PATCH,
            &format!("/v2/crm/contacts/{id}/emails"),
            &token,
            Some(json!([{"operation": 2, "emailAddress": "lee.park@personal.example.net"}])),
        )
        .await?;
    assert_eq!(deleted["result"]["deleted"], 1);
    let unknown = sandbox
        .bms(
            Method::PATCH,
            &format!("/v2/crm/contacts/{id}/emails"),
            &token,
            Some(json!([{"operation": 2, "emailAddress": "nobody@example.com"}])),
        )
        .await?;
    assert_eq!(unknown["success"], false);

    let phones = sandbox
        .bms(
            Method::PATCH,
            &format!("/v2/crm/contacts/{id}/phones"),
            &token,
            Some(
                json!([{"Operation": "Add", "PhoneNumber": "(415) 555-0100", "TypeId": 2,
                         "IsDefault": true}]),
            ),
        )
        .await?;
    let list = phones["result"]["phones"].as_array().ok_or("phones")?;
    assert_eq!(list.len(), 2);
    assert_eq!(list[1]["isDefault"], true);
    assert_eq!(list[0]["isDefault"], false, "one default");
    assert_eq!(list[1]["phoneType"], "Mobile");

    let removed = sandbox
        .bms(
            Method::DELETE,
            &format!("/v2/crm/contacts/{id}"),
            &token,
            None,
        )
        .await?;
    assert_eq!(removed["success"], true);
    let gone = sandbox
        .bms_get(&format!("/v2/crm/contacts/summary/{id}"), &token)
        .await?;
    assert_eq!(gone["success"], false);
    Ok(())
}

// ---------------------------------------------------------------- BMS hardware assets

#[tokio::test]
async fn bms_hardware_assets_read_write_and_casing() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let token = sandbox.api_token().await?;
    let list = sandbox
        .bms_get(
            "/v2/servicedesk/hardwareasset/searchselect?Filter.AccountId=101&PageSize=100",
            &token,
        )
        .await?;
    assert!(list.get("totalRecords").is_none(), "a plain list");
    let first = &list["result"][0];
    for key in [
        "id",
        "categoryName",
        "categoryId",
        "locationName",
        "assetName",
        "serialNumber",
        "machineGroupId",
        "ipAddress",
        "contactId",
        "contactName",
        "accountId",
        "accountName",
        "isActive",
    ] {
        assert!(first.get(key).is_some(), "missing {key}");
    }
    let id = first["id"].as_i64().ok_or("id")?;
    let one = sandbox
        .bms_get(&format!("/v2/servicedesk/hardwareasset/{id}"), &token)
        .await?;
    assert_eq!(one["result"]["createdBy"], "Jane Tech", "a name, not an id");
    assert_eq!(one["result"]["createdById"], 7002);
    assert!(is_bms_datetime(&one["result"]["modifiedOn"]));

    let missing = sandbox
        .bms(
            Method::POST,
            "/v2/servicedesk/hardwareasset",
            &token,
            Some(json!({"AccountId": 101})),
        )
        .await?;
    assert_eq!(missing["success"], false);
    let message = text(&missing["error"]["message"])?;
    assert!(message.contains("The Name field is required."), "{message}");
    let created = sandbox
        .bms(
            Method::POST,
            "/v2/servicedesk/hardwareasset",
            &token,
            Some(
                json!({"Name": "HFD-NAS-001", "AccountId": 101, "AccountLocationId": 201,
                        "CategoryId": 5103, "SerialNumber": "NAS123", "DnsServers": "10.0.0.2",
                        "DhcpEnabled": true, "MacAddress": "AA-BB-CC-00-11-22; 11:22:33:44:55:66",
                        "PurchaseCost": 899.5, "AcquisitionDate": "2024-02-01"}),
            ),
        )
        .await?;
    assert_eq!(created["success"], true, "{created}");
    let asset = &created["result"];
    assert_eq!(asset["dnsServers"], "10.0.0.2");
    assert_eq!(asset["dhcpEnabled"], true);
    assert_eq!(asset["winsEnabled"], false);
    assert_eq!(asset["category"], "Managed Server");
    assert_eq!(asset["acquisitionDate"], "2024-02-01T00:00:00");
    assert_eq!(asset["macAddress"], "AA-BB-CC-00-11-22; 11:22:33:44:55:66");
    assert_eq!(asset["modifiedBy"], "IT Glue Integration");
    let new_id = asset["id"].as_i64().ok_or("id")?;
    let put = sandbox
        .bms(
            Method::PUT,
            &format!("/v2/servicedesk/hardwareasset/{new_id}"),
            &token,
            Some(
                json!({"Name": "HFD-NAS-002", "AccountId": 101, "AccountLocationId": 201,
                        "CategoryId": 5103}),
            ),
        )
        .await?;
    assert_eq!(put["result"]["name"], "HFD-NAS-002");
    assert_eq!(
        put["result"]["serialNumber"],
        Value::Null,
        "PUT replaces every member"
    );
    let found = sandbox
        .bms_get(
            "/v2/servicedesk/hardwareasset/searchselect?Filter.AssetName=NAS-002",
            &token,
        )
        .await?;
    assert_eq!(found["result"][0]["id"], new_id);
    let deleted = sandbox
        .bms(
            Method::DELETE,
            &format!("/v2/servicedesk/hardwareasset/{new_id}"),
            &token,
            None,
        )
        .await?;
    assert_eq!(deleted["success"], true);
    let gone = sandbox
        .bms_get(&format!("/v2/servicedesk/hardwareasset/{new_id}"), &token)
        .await?;
    assert_eq!(gone["success"], false);
    Ok(())
}

#[tokio::test]
async fn bms_security_scope_limits_the_technician() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let api = sandbox.api_token().await?;
    let tech = sandbox.token(BMS_TECH_USERNAME, BMS_TECH_PASSWORD).await?;
    let all = sandbox
        .bms_get("/v2/crm/accounts/summary?PageSize=1000", &api)
        .await?;
    let mine = sandbox
        .bms_get("/v2/crm/accounts/summary?PageSize=1000", &tech)
        .await?;
    let account_ids = |body: &Value| -> Vec<i64> {
        body["result"]
            .as_array()
            .map(|list| list.iter().filter_map(|a| a["id"].as_i64()).collect())
            .unwrap_or_default()
    };
    let (all_ids, my_ids) = (account_ids(&all), account_ids(&mine));
    assert!(my_ids.len() < all_ids.len());
    assert!(my_ids.contains(&101));
    let hidden = *all_ids
        .iter()
        .find(|id| !my_ids.contains(id))
        .ok_or("an account outside the technician's scope")?;
    let show = sandbox
        .bms_get(&format!("/v2/crm/accounts/summary/{hidden}"), &tech)
        .await?;
    assert_eq!(show["success"], false);
    let contacts = sandbox
        .bms_get(
            &format!("/v2/crm/contacts/summary?Filter.AccountId={hidden}"),
            &tech,
        )
        .await?;
    assert_eq!(contacts["totalRecords"], 0);
    let assets = sandbox
        .bms_get(
            &format!("/v2/servicedesk/hardwareasset/searchselect?Filter.AccountId={hidden}"),
            &tech,
        )
        .await?;
    assert_eq!(assets["result"], json!([]));
    let api_assets = sandbox
        .bms_get(
            &format!("/v2/servicedesk/hardwareasset/searchselect?Filter.AccountId={hidden}"),
            &api,
        )
        .await?;
    if let Some(asset) = api_assets["result"][0]["id"].as_i64() {
        let one = sandbox
            .bms_get(&format!("/v2/servicedesk/hardwareasset/{asset}"), &tech)
            .await?;
        assert_eq!(one["success"], false);
    }
    Ok(())
}

// ---------------------------------------------------------------- The seed

#[tokio::test]
async fn the_same_seed_gives_byte_identical_stores() -> TestResult {
    let dir = harness::TempDir::new()?;
    let spec = |seed| WorldSpec {
        seed,
        scale: Scale::Demo,
    };
    let mut files = Vec::new();
    for (name, seed) in [("a.db", 7), ("b.db", 7), ("c.db", 8)] {
        let path = dir.join(name);
        let config = Config {
            db_path: path.clone(),
            world: spec(seed),
            ..Config::default()
        };
        sandbox::start(config).await?.shutdown().await?;
        files.push(std::fs::read(path)?);
    }
    assert!(files[0] == files[1], "same seed, same bytes");
    assert!(files[0] != files[2], "another seed, other data");
    Ok(())
}

#[tokio::test]
async fn small_scale_has_its_exact_counts_and_keeps_the_hand_records() -> TestResult {
    let sandbox = Sandbox::with(|config| {
        config.world = WorldSpec {
            seed: 1,
            scale: Scale::Small,
        };
    })
    .await?;
    let token = sandbox.api_token().await?;
    let accounts = sandbox
        .bms_get("/v2/crm/accounts/summary?PageSize=1", &token)
        .await?;
    assert_eq!(accounts["totalRecords"], 100);
    let contacts = sandbox
        .bms_get("/v2/crm/contacts/summary?PageSize=1", &token)
        .await?;
    assert_eq!(contacts["totalRecords"], 500);
    let assets = sandbox
        .bms_get(
            "/v2/servicedesk/hardwareasset/searchselect?PageSize=5000",
            &token,
        )
        .await?;
    assert_eq!(assets["result"].as_array().map(Vec::len), Some(1000));
    let northwind = sandbox
        .itglue_ok("/organizations/574989297464115201")
        .await?;
    assert_eq!(
        northwind["data"]["attributes"]["name"],
        "Northwind Traders, Inc."
    );
    let big = sandbox
        .itglue_ok("/configurations?sort=-id&page[size]=1")
        .await?;
    let id: u64 = first_id(&big)?.parse()?;
    assert!(id > 1 << 53, "some IT Glue ids are beyond 2^53");
    Ok(())
}

#[tokio::test]
async fn the_demo_world_is_realistically_messy() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let token = sandbox.api_token().await?;
    let assets = sandbox
        .bms_get(
            "/v2/servicedesk/hardwareasset/searchselect?PageSize=1000",
            &token,
        )
        .await?;
    let list = assets["result"].as_array().ok_or("result")?;
    assert!(
        list.iter().any(|a| a["serialNumber"].is_null()),
        "missing serials"
    );
    let mut several_macs = false;
    for asset in list.iter().take(120) {
        let id = asset["id"].as_i64().ok_or("id")?;
        let one = sandbox
            .bms_get(&format!("/v2/servicedesk/hardwareasset/{id}"), &token)
            .await?;
        several_macs |= one["result"]["macAddress"]
            .as_str()
            .is_some_and(|m| m.contains("; "));
    }
    assert!(several_macs, "several MACs in one field");
    let accounts = sandbox
        .bms_get("/v2/crm/accounts/summary?PageSize=1000", &token)
        .await?;
    let orgs = sandbox.itglue_ok("/organizations?page[size]=1000").await?;
    let bms_names: Vec<String> = accounts["result"]
        .as_array()
        .ok_or("accounts")?
        .iter()
        .filter_map(|a| a["accountName"].as_str().map(str::to_owned))
        .collect();
    let near_duplicates = items(&orgs)
        .iter()
        .filter_map(|o| o["attributes"]["name"].as_str())
        .filter(|name| !bms_names.iter().any(|b| b == name))
        .filter(|name| {
            let squash = |s: &str| s.to_lowercase().replace(['.', ',', ' '], "");
            bms_names.iter().any(|b| squash(b) == squash(name))
        })
        .count();
    assert!(
        near_duplicates > 0,
        "names that differ only in case, punctuation or spaces"
    );
    let notes = sandbox.itglue_ok("/configurations?page[size]=1000").await?;
    assert!(items(&notes).iter().any(|c| {
        c["attributes"]["notes"]
            .as_str()
            .is_some_and(|n| n.contains("<script") || n.contains("onerror"))
    }));
    Ok(())
}
