//! Conformance of the BMS service desk, finance and IT Glue integration endpoints, checked
//! over real HTTP against an in-process sandbox on loopback ports.

mod harness;

use std::error::Error;
use std::ops::Deref;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use sandbox::{
    BMS_API_PASSWORD, BMS_API_USERNAME, BMS_TECH_PASSWORD, BMS_TECH_USERNAME, BMS_TENANT, Config,
    ITGLUE_API_KEY,
};
use serde_json::{Value, json};

use harness::TestResult;

/// Employees the service desk seed adds, and their password.
const SAM: &str = "sam.rivera";
const EMPLOYEE_PASSWORD: &str = "Tech!Pass3";
/// Happy Frog Dental: BMS account 101, IT Glue organization 2001.
const HFD_ACCOUNT: i64 = 101;
const HFD_LOCATION: i64 = 201;
const HFD_ORGANIZATION: i64 = 2001;

const STATUS_NEW: i64 = 36707;
const STATUS_IN_PROGRESS: i64 = 36708;
const STATUS_RESOLVED: i64 = 37181;
const QUEUE_HELP_DESK: i64 = 27976;
const PRIORITY_MEDIUM: i64 = 28790;
const TYPE_SERVICE_REQUEST: i64 = 28;
const NOTE_GENERAL: i64 = 5301;
const WORK_REMOTE: i64 = 19558;
const ROLE_TECHNICIAN: i64 = 15324;

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
        Ok(Self(
            harness::Sandbox::start(|config| {
                config.bms_merge_delay = Duration::from_millis(400);
                adjust(config);
            })
            .await?,
        ))
    }

    /// Signs in and returns a client for that BMS user.
    async fn bms(&self, username: &str, password: &str) -> Result<Bms<'_>, Box<dyn Error>> {
        let body = form_urlencoded::Serializer::new(String::new())
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
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await?;
        let value: Value = response.json().await?;
        let token = value["result"]["accessToken"]
            .as_str()
            .ok_or_else(|| format!("no token for {username}: {value}"))?
            .to_owned();
        Ok(Bms {
            sandbox: self,
            token,
        })
    }

    async fn api(&self) -> Result<Bms<'_>, Box<dyn Error>> {
        self.bms(BMS_API_USERNAME, BMS_API_PASSWORD).await
    }

    async fn jane(&self) -> Result<Bms<'_>, Box<dyn Error>> {
        self.bms(BMS_TECH_USERNAME, BMS_TECH_PASSWORD).await
    }

    /// `GET` on the IT Glue API with the demo key.
    async fn itglue(&self, path: &str) -> Result<Value, Box<dyn Error>> {
        let response = self
            .client
            .get(format!(
                "http://{}{path}",
                self.running.addresses().itglue_api
            ))
            .header("x-api-key", ITGLUE_API_KEY)
            .send()
            .await?;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        Ok(response.json().await?)
    }
}

/// A signed-in BMS user.
struct Bms<'a> {
    sandbox: &'a Sandbox,
    token: String,
}

impl Bms<'_> {
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<(StatusCode, Value), Box<dyn Error>> {
        let mut request = self
            .sandbox
            .client
            .request(method, self.sandbox.bms_url(path))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
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

    /// A call that must succeed; returns `result` (and the whole envelope for paging).
    async fn ok(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, Box<dyn Error>> {
        let (status, value) = self.call(method.clone(), path, body).await?;
        assert_eq!(status, StatusCode::OK, "{method} {path}: {value}");
        assert_eq!(value["success"], json!(true), "{method} {path}: {value}");
        Ok(value)
    }

    async fn get(&self, path: &str) -> Result<Value, Box<dyn Error>> {
        Ok(self.ok(Method::GET, path, None).await?["result"].clone())
    }

    async fn post(&self, path: &str, body: Value) -> Result<Value, Box<dyn Error>> {
        Ok(self.ok(Method::POST, path, Some(body)).await?["result"].clone())
    }

    async fn put(&self, path: &str, body: Value) -> Result<Value, Box<dyn Error>> {
        Ok(self.ok(Method::PUT, path, Some(body)).await?["result"].clone())
    }

    async fn patch(&self, path: &str, body: Value) -> Result<Value, Box<dyn Error>> {
        Ok(self.ok(Method::PATCH, path, Some(body)).await?["result"].clone())
    }

    /// A call that must fail the BMS way: HTTP 200 with `success: false`.
    async fn failure(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, Box<dyn Error>> {
        let (status, value) = self.call(method.clone(), path, body).await?;
        assert_eq!(status, StatusCode::OK, "{method} {path}: {value}");
        assert_eq!(value["success"], json!(false), "{method} {path}: {value}");
        Ok(value["error"].clone())
    }

    async fn total(&self, path: &str) -> Result<i64, Box<dyn Error>> {
        let envelope = self.ok(Method::GET, path, None).await?;
        envelope["totalRecords"]
            .as_i64()
            .ok_or_else(|| format!("no totalRecords: {envelope}").into())
    }

    async fn user_id(&self) -> Result<i64, Box<dyn Error>> {
        let info = self.get("/v2/security/userinfo").await?;
        int(&info["userId"])
    }

    /// Creates a ticket on Happy Frog Dental and returns it.
    async fn new_ticket(&self, title: &str) -> Result<Value, Box<dyn Error>> {
        self.post("/v2/servicedesk/tickets", ticket_body(title))
            .await
    }
}

fn ticket_body(title: &str) -> Value {
    json!({
        "title": title,
        "details": format!("{title} (details)"),
        "accountId": HFD_ACCOUNT,
        "locationId": HFD_LOCATION,
        "statusId": STATUS_NEW,
        "priorityId": PRIORITY_MEDIUM,
        "typeId": TYPE_SERVICE_REQUEST,
        "sourceId": 4,
        "openDate": "2025-03-03T09:00:00Z",
        "queueID": QUEUE_HELP_DESK
    })
}

fn int(value: &Value) -> Result<i64, Box<dyn Error>> {
    value
        .as_i64()
        .ok_or_else(|| format!("not an integer: {value}").into())
}

fn text(value: &Value) -> Result<&str, Box<dyn Error>> {
    value
        .as_str()
        .ok_or_else(|| format!("not a string: {value}").into())
}

fn rows(value: &Value) -> Vec<Value> {
    value.as_array().cloned().unwrap_or_default()
}

fn ids(value: &Value) -> Vec<i64> {
    rows(value)
        .iter()
        .filter_map(|row| row["id"].as_i64())
        .collect()
}

/// `2026-01-02T03:04:05`: a BMS date-time, without offset or fraction.
fn is_bms_datetime(value: &Value) -> bool {
    value.as_str().is_some_and(|text| {
        text.len() == 19
            && text.char_indices().all(|(i, c)| match i {
                4 | 7 => c == '-',
                10 => c == 'T',
                13 | 16 => c == ':',
                _ => c.is_ascii_digit(),
            })
    })
}

// ---------------------------------------------------------------- lookups and employees

#[tokio::test]
async fn lookups_carry_tenant_ids_and_the_system_sources() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let api = sandbox.api().await?;
    let statuses = api.get("/v2/system/statuses/lookup").await?;
    let status_ids = ids(&statuses);
    assert!(
        status_ids.iter().all(|id| (36707..=37182).contains(id)),
        "{statuses}"
    );
    assert_eq!(statuses[0]["name"], "New");
    for key in [
        "fontColor",
        "color",
        "statusOrder",
        "typeId",
        "isSystemStatus",
        "slaEventId",
        "isActive",
    ] {
        assert!(statuses[0].get(key).is_some(), "{key}");
    }
    let queues = api.get("/v2/system/queues/lookup").await?;
    assert!(
        rows(&queues)
            .iter()
            .any(|q| q["id"] == json!(27976) && q["name"] == "Help Desk")
    );
    let priorities = api.get("/v2/system/priorities/lookup").await?;
    assert!(
        rows(&priorities)
            .iter()
            .any(|p| p["isDefault"] == json!(true))
    );
    let issue_types = api
        .get("/v2/system/issuetypes/lookup?Filter.Name=hard")
        .await?;
    assert_eq!(rows(&issue_types).len(), 1);
    let hardware = int(&issue_types[0]["id"])?;
    assert!((10479..=12307).contains(&hardware));
    let subs = api
        .get(&format!(
            "/v2/system/issuetypes/{hardware}/issuesubtypes/lookup"
        ))
        .await?;
    assert!(rows(&subs).iter().any(|s| s["name"] == "Printer"));
    for path in [
        "/v2/system/slas/lookup",
        "/v2/system/worktypes/lookup",
        "/v2/system/roles/lookup",
    ] {
        let items = api.get(path).await?;
        assert!(
            rows(&items)
                .iter()
                .any(|item| item["isDefault"] == json!(true)),
            "{path}"
        );
    }
    let templates = api.get("/v2/servicedesk/templates/tickets/lookup").await?;
    let template = api
        .get(&format!(
            "/v2/servicedesk/templates/tickets/{}",
            templates[0]["id"]
        ))
        .await?;
    assert!(template.get("expectedTimeToResolve").is_some());
    let note_templates = api.get("/v2/servicedesk/templates/notes/lookup").await?;
    assert!(rows(&note_templates)[0].get("isInternal").is_some());
    let time_templates = api.get("/v2/servicedesk/templates/timelogs/lookup").await?;
    assert!(rows(&time_templates)[0].get("timespent").is_some());
    // Ticket sources are the system's 0–9 everywhere, served by the generic lookup.
    let sources = api.get("/v2/system/lookup/TicketSources").await?;
    assert_eq!(ids(&sources), (0..=9).collect::<Vec<i64>>());
    assert_eq!(sources[0]["name"], "Client Portal");
    assert_eq!(sources[9]["name"], "Recurring");
    let types = api.get("/v2/system/lookup/tickettypes").await?;
    assert!(
        rows(&types)
            .iter()
            .any(|t| t["id"] == json!(28) && t["name"] == "Service Request")
    );
    let ticket = api.new_ticket("Source check").await?;
    assert_eq!(ticket["sourceId"], json!(4));
    assert_eq!(ticket["sourceName"], "Email");
    Ok(())
}

#[tokio::test]
async fn employees_and_assignees() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let api = sandbox.api().await?;
    let jane = sandbox.jane().await?.user_id().await?;
    let api_user = api.user_id().await?;
    let lookup = api
        .get(&format!(
            "/v2/hr/employees/lookup?Filter.Ids={jane}&Filter.Ids={api_user}"
        ))
        .await?;
    let mut found = ids(&lookup);
    found.sort_unstable();
    let mut expected = vec![jane, api_user];
    expected.sort_unstable();
    assert_eq!(found, expected);
    let select = api
        .get("/v2/hr/employees/searchselect?Filter.Filter_Text=rivera")
        .await?;
    assert_eq!(select[0]["username"], SAM);
    assert_eq!(select[0]["jobTitle"], "Service Desk Technician");
    let assignees = api.get("/v2/hr/assignees").await?;
    assert!(
        !ids(&assignees).contains(&api_user),
        "API employees take no tickets"
    );
    assert!(ids(&assignees).contains(&jane));
    let employees_only = api.get("/v2/hr/assignees?EmployeesOnly=true").await?;
    assert!(
        rows(&employees_only).len() < rows(&assignees).len(),
        "the contractor is left out"
    );
    let count = api.get("/v2/hr/assignees/count").await?;
    assert_eq!(int(&count["count"])?, rows(&assignees).len() as i64);
    let for_account = api
        .get(&format!(
            "/v2/hr/assignees/lookup?Filter.AccountId={HFD_ACCOUNT}"
        ))
        .await?;
    assert!(ids(&for_account).contains(&jane));
    let roles = api.get(&format!("/v2/hr/assignees/{jane}/roles")).await?;
    assert!(
        rows(&roles)
            .iter()
            .any(|role| role["isDefault"] == json!(true))
    );
    Ok(())
}

// ---------------------------------------------------------------- ticket lists

#[tokio::test]
async fn ticket_list_filters() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let api = sandbox.api().await?;
    let all = api.total("/v2/servicedesk/tickets").await?;
    assert!(all > 20, "{all}");
    let open = api
        .ok(
            Method::GET,
            "/v2/servicedesk/tickets?Filter.ExcludeCompleted=1&PageSize=500",
            None,
        )
        .await?;
    let open_total = int(&open["totalRecords"])?;
    assert!(open_total < all);
    assert!(
        rows(&open["result"])
            .iter()
            .all(|t| t["completedDate"].is_null())
    );
    // An int-boolean: `true` does not bind.
    let error = api
        .failure(
            Method::GET,
            "/v2/servicedesk/tickets?Filter.ExcludeCompleted=true",
            None,
        )
        .await?;
    assert!(text(&error["message"])?.contains("ExcludeCompleted"));
    let done = api
        .ok(
            Method::GET,
            "/v2/servicedesk/tickets?Filter.StatusNames=Resolved,Closed&PageSize=500",
            None,
        )
        .await?;
    assert_eq!(int(&done["totalRecords"])? + open_total, all);
    assert!(
        rows(&done["result"])
            .iter()
            .all(|t| t["statusName"] == "Resolved" || t["statusName"] == "Closed")
    );
    let two = api
        .ok(
            Method::GET,
            "/v2/servicedesk/tickets?Filter.AccountIds=101,102&PageSize=500",
            None,
        )
        .await?;
    assert!(
        rows(&two["result"])
            .iter()
            .all(|t| t["accountId"] == json!(101) || t["accountId"] == json!(102))
    );
    let help = api
        .ok(
            Method::GET,
            "/v2/servicedesk/tickets?Filter.QueueNames=help%20desk&PageSize=500",
            None,
        )
        .await?;
    assert!(
        rows(&help["result"])
            .iter()
            .all(|t| t["queueName"] == "Help Desk")
    );
    let february = api
        .ok(
            Method::GET,
            concat!(
                "/v2/servicedesk/tickets?Filter.OpenDateFrom=2025-02-01",
                "&Filter.OpenDateTo=2025-02-28T23:59:59Z&PageSize=500"
            ),
            None,
        )
        .await?;
    assert!(rows(&february["result"]).iter().all(|t| {
        t["openDate"]
            .as_str()
            .is_some_and(|d| d.starts_with("2025-02"))
    }));
    // There is no ModifiedOn filter on tickets: it is ignored.
    assert_eq!(
        api.total("/v2/servicedesk/tickets?Filter.ModifiedOnFrom=2099-01-01")
            .await?,
        all
    );
    let recent = api
        .total("/v2/servicedesk/tickets?Filter.LastActivityUpdateFrom=2099-01-01")
        .await?;
    assert_eq!(recent, 0);
    // Paging and list rows.
    let page = api
        .ok(
            Method::GET,
            "/v2/servicedesk/tickets?PageSize=5&PageNumber=2",
            None,
        )
        .await?;
    assert_eq!(rows(&page["result"]).len(), 5);
    let row = &page["result"][0];
    assert!(
        row["hardwareAssetId"].is_i64(),
        "a non-null int in list rows"
    );
    assert!(row.get("cCs").is_none() && row.get("tenantName").is_some());
    assert!(is_bms_datetime(&row["openDate"]));
    Ok(())
}

#[tokio::test]
async fn count_takes_the_filters_without_prefix() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let api = sandbox.api().await?;
    let listed = api
        .total("/v2/servicedesk/tickets?Filter.ExcludeCompleted=1&Filter.AccountIds=101,102,103")
        .await?;
    let counted = api
        .get("/v2/servicedesk/tickets/count?ExcludeCompleted=1&AccountIds=101,102,103")
        .await?;
    assert_eq!(int(&counted["count"])?, listed);
    // The prefixed names are not the count's; they change nothing.
    let all = api.get("/v2/servicedesk/tickets/count").await?;
    let prefixed = api
        .get("/v2/servicedesk/tickets/count?Filter.ExcludeCompleted=1")
        .await?;
    assert_eq!(all, prefixed);
    assert!(int(&all["count"])? > listed);
    Ok(())
}

#[tokio::test]
async fn search_bodies_in_any_key_casing() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let api = sandbox.api().await?;
    let camel = api
        .ok(
            Method::POST,
            "/v2/servicedesk/tickets/search",
            Some(
                json!({"filter": {"queueNames": "Help Desk", "excludeCompleted": 1},
                "pageSize": 500}),
            ),
        )
        .await?;
    let pascal = api
        .ok(
            Method::POST,
            "/v2/servicedesk/tickets/search",
            Some(
                json!({"Filter": {"QueueNames": "Help Desk", "ExcludeCompleted": 1},
                "PageSize": 500}),
            ),
        )
        .await?;
    assert_eq!(camel["totalRecords"], pascal["totalRecords"]);
    assert!(int(&camel["totalRecords"])? > 0);
    assert!(
        rows(&camel["result"])
            .iter()
            .all(|t| t["queueName"] == "Help Desk" && t["completedDate"].is_null())
    );
    let listed = api
        .total("/v2/servicedesk/tickets?Filter.QueueNames=Help%20Desk&Filter.ExcludeCompleted=1")
        .await?;
    assert_eq!(int(&camel["totalRecords"])?, listed);
    let accounts = api
        .ok(
            Method::POST,
            "/v2/servicedesk/tickets/search",
            Some(json!({"filter": {"accountIds": [101]}})),
        )
        .await?;
    assert!(
        rows(&accounts["result"])
            .iter()
            .all(|t| t["accountId"] == json!(101))
    );
    Ok(())
}

#[tokio::test]
async fn summary_and_searchselect() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let api = sandbox.api().await?;
    let summary = api
        .get(&format!(
            "/v2/servicedesk/tickets/summary?Filter.AccountId={HFD_ACCOUNT}"
        ))
        .await?;
    assert!(!rows(&summary).is_empty());
    assert!(summary[0]["statusId"].is_string() && summary[0]["priorityId"].is_string());
    let select = api
        .get("/v2/servicedesk/tickets/searchselect?Filter.ExcludeCompleted=true")
        .await?;
    assert!(
        rows(&select)
            .iter()
            .all(|t| t["statusName"] != "Resolved" && t["statusName"] != "Closed")
    );
    assert!(select[0].get("queueName").is_some());
    // A true boolean: `1` does not bind there.
    api.failure(
        Method::GET,
        "/v2/servicedesk/tickets/searchselect?Filter.ExcludeCompleted=1",
        None,
    )
    .await?;
    Ok(())
}

// ---------------------------------------------------------------- ticket writes

#[tokio::test]
async fn create_validates_required_fields_and_the_queue_rule() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let api = sandbox.api().await?;
    let error = api
        .failure(
            Method::POST,
            "/v2/servicedesk/tickets",
            Some(json!({"details": "x"})),
        )
        .await?;
    let message = text(&error["message"])?;
    for field in [
        "Title",
        "AccountId",
        "LocationId",
        "StatusId",
        "PriorityId",
        "TypeId",
        "SourceId",
        "OpenDate",
    ] {
        assert!(
            message.contains(&format!("The {field} field is required.")),
            "{message}"
        );
    }
    assert!(!message.contains("Details"));
    let mut no_queue = ticket_body("No queue");
    no_queue.as_object_mut().map(|body| body.remove("queueID"));
    let error = api
        .failure(
            Method::POST,
            "/v2/servicedesk/tickets",
            Some(no_queue.clone()),
        )
        .await?;
    assert!(text(&error["message"])?.contains("QueueId"));
    let mut bad_status = ticket_body("Bad status");
    bad_status["statusId"] = json!(1);
    let error = api
        .failure(Method::POST, "/v2/servicedesk/tickets", Some(bad_status))
        .await?;
    assert!(text(&error["message"])?.contains("StatusId"));
    let ticket = api.new_ticket("Keyboard missing keys").await?;
    assert!(text(&ticket["ticketNumber"])?.starts_with("T20250303."));
    assert_eq!(ticket["queueName"], "Help Desk");
    assert_eq!(ticket["accountName"], "Happy Frog Dental");
    assert_eq!(ticket["statusName"], "New");
    assert_eq!(ticket["cCs"], json!([]));
    assert!(ticket["secondaryAssignees"].is_array() && ticket.get("isSLAPaused").is_some());
    assert!(is_bms_datetime(&ticket["openDate"]) && is_bms_datetime(&ticket["createdOn"]));
    let again = api
        .get(&format!("/v2/servicedesk/tickets/{}", ticket["id"]))
        .await?;
    assert_eq!(again["title"], "Keyboard missing keys");

    // The switch drops the queue-or-assignee rule.
    let relaxed = Sandbox::start_with(|config| config.bms_ticket_queue_optional = true).await?;
    let created = relaxed
        .api()
        .await?
        .post("/v2/servicedesk/tickets", no_queue)
        .await?;
    assert!(created["queueId"].is_null());
    Ok(())
}

#[tokio::test]
async fn put_patch_and_delete() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let api = sandbox.api().await?;
    let jane_id = sandbox.jane().await?.user_id().await?;
    let ticket = api.new_ticket("Scanner jams").await?;
    let path = format!("/v2/servicedesk/tickets/{}", ticket["id"]);
    let mut full = ticket_body("Scanner jams on every page");
    full["priorityId"] = json!(28789);
    let updated = api.put(&path, full).await?;
    assert_eq!(updated["title"], "Scanner jams on every page");
    assert_eq!(updated["priorityName"], "High");
    assert!(is_bms_datetime(&updated["lastPriorityUpdate"]));
    // PUT is a full update: required fields apply.
    api.failure(Method::PUT, &path, Some(json!({"title": "only"})))
        .await?;
    let patched = api
        .patch(
            &path,
            json!([{"op": "replace", "path": "assigneeId", "value": jane_id},
            {"op": "replace", "path": "/StatusId", "value": STATUS_IN_PROGRESS}]),
        )
        .await?;
    assert_eq!(patched["assigneeName"], "Jane Tech");
    assert_eq!(patched["statusName"], "In Progress");
    api.failure(
        Method::PATCH,
        &path,
        Some(json!([{"op": "replace", "path": "/NoSuchField", "value": 1}])),
    )
    .await?;
    let audit = api.get(&format!("{path}/auditlogs")).await?;
    assert!(
        rows(&audit)
            .iter()
            .any(|entry| text(&entry["details"]).is_ok_and(|d| d.contains("AssigneeId")))
    );
    api.ok(Method::DELETE, &path, None).await?;
    let error = api.failure(Method::GET, &path, None).await?;
    assert_eq!(error["code"], json!(404));
    Ok(())
}

#[tokio::test]
async fn batch_edit_and_delete_return_a_job_with_a_log() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let api = sandbox.api().await?;
    let first = int(&api.new_ticket("Batch one").await?["id"])?;
    let second = int(&api.new_ticket("Batch two").await?["id"])?;
    let job = api
        .patch(
            "/v2/servicedesk/tickets",
            json!({"TargetedIds": [first, second, 999_999], "StatusId": STATUS_IN_PROGRESS}),
        )
        .await?;
    let job = text(&job)?.to_owned();
    assert_eq!(job.len(), 36);
    let log = api
        .get(&format!("/v2/servicedesk/tickets/logs/{job}"))
        .await?;
    assert_eq!(
        rows(&log)
            .iter()
            .filter(|line| line["type"] == json!(1))
            .count(),
        2
    );
    assert_eq!(
        rows(&log)
            .iter()
            .filter(|line| line["type"] == json!(2))
            .count(),
        1
    );
    let ticket = api.get(&format!("/v2/servicedesk/tickets/{first}")).await?;
    assert_eq!(ticket["statusId"], json!(STATUS_IN_PROGRESS));
    let job = api
        .ok(
            Method::DELETE,
            "/v2/servicedesk/tickets",
            Some(json!({"targetedIds": [first, second]})),
        )
        .await?;
    assert!(job["result"].is_string());
    api.failure(
        Method::GET,
        &format!("/v2/servicedesk/tickets/{second}"),
        None,
    )
    .await?;
    Ok(())
}

// ---------------------------------------------------------------- notes, activities, actions

#[tokio::test]
async fn a_note_with_a_status_changes_the_status() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let api = sandbox.api().await?;
    let ticket = api.new_ticket("Email bouncing").await?;
    let path = format!("/v2/servicedesk/tickets/{}", ticket["id"]);
    let error = api
        .failure(
            Method::POST,
            &format!("{path}/notes"),
            Some(json!({"details": "x"})),
        )
        .await?;
    assert!(text(&error["message"])?.contains("The IsInternal field is required."));
    let note = api
        .post(
            &format!("{path}/notes"),
            json!({"Details": "Called the user", "IsInternal": false, "TypeId": NOTE_GENERAL,
                "NoteDate": "2025-03-03T10:00:00Z",
                   "StatusId": STATUS_IN_PROGRESS, "EmailNotification": {"ContactIds": "",
                       "OtherEmails": ["user@example.com"]}}),
        )
        .await?;
    assert_eq!(note["typeName"], "General");
    assert_eq!(note["createdByName"], "IT Glue Integration");
    let after = api.get(&path).await?;
    assert_eq!(after["statusName"], "In Progress");
    let notes = api.ok(Method::GET, &format!("{path}/notes"), None).await?;
    assert_eq!(notes["totalRecords"], json!(1));
    let activities = api.get(&format!("{path}/activities")).await?;
    let change = rows(&activities)
        .into_iter()
        .find(|a| a["activityType"] == "Status Changed")
        .ok_or("no status change")?;
    assert_eq!(change["notes"], "New");
    assert_eq!(change["internalNotes"], "In Progress");
    assert!(
        rows(&activities)
            .iter()
            .any(|a| a["activityType"] == "Email Sent")
    );
    let only_changes = api
        .get(&format!(
            "{path}/activities?Filter.ActivityType=Status%20Changed"
        ))
        .await?;
    assert_eq!(rows(&only_changes).len(), 1);
    // Edit and delete.
    let note_path = format!("{path}/notes/{}", note["id"]);
    let edited = api
        .put(
            &note_path,
            json!({"details": "Called the user twice", "isInternal": true,
            "typeId": NOTE_GENERAL, "noteDate": "2025-03-03T10:00:00"}),
        )
        .await?;
    assert_eq!(edited["isInternal"], json!(true));
    api.ok(Method::DELETE, &note_path, None).await?;
    api.failure(Method::GET, &note_path, None).await?;
    Ok(())
}

#[tokio::test]
async fn assigning_always_writes_a_note_and_answers_without_a_body() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let api = sandbox.api().await?;
    let jane_id = sandbox.jane().await?.user_id().await?;
    let ticket = api.new_ticket("Laptop will not boot").await?;
    let path = format!("/v2/servicedesk/tickets/{}", ticket["id"]);
    let (status, body) = api
        .call(
            Method::POST,
            &format!("{path}/assignticket"),
            Some(
                json!({"details": "Over to Jane", "isInternal": true, "typeId": NOTE_GENERAL,
                "statusId": STATUS_IN_PROGRESS,
                        "noteDate": "2025-03-03T11:00:00Z", "assigneeId": jane_id}),
            ),
        )
        .await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, Value::Null);
    let after = api.get(&path).await?;
    assert_eq!(after["assigneeId"], json!(jane_id));
    let notes = api.get(&format!("{path}/notes")).await?;
    assert_eq!(notes[0]["details"], "Over to Jane");
    let error = api
        .failure(
            Method::POST,
            &format!("{path}/assignticket"),
            Some(json!({"assigneeId": jane_id})),
        )
        .await?;
    assert!(text(&error["message"])?.contains("Details"));
    Ok(())
}

#[tokio::test]
async fn resolve_then_reopen_by_status() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let api = sandbox.api().await?;
    let ticket = api.new_ticket("Share drive missing").await?;
    let path = format!("/v2/servicedesk/tickets/{}", ticket["id"]);
    api.failure(Method::POST, &format!("{path}/resolve"), Some(json!({})))
        .await?;
    let resolved = api
        .post(
            &format!("{path}/resolve"),
            json!({"Comment": "Remapped the drive"}),
        )
        .await?;
    assert_eq!(resolved["statusId"], json!(STATUS_RESOLVED));
    assert_eq!(resolved["statusName"], "Resolved");
    assert!(is_bms_datetime(&resolved["completedDate"]));
    assert!(resolved["reOpenedDate"].is_null());
    let notes = api.get(&format!("{path}/notes")).await?;
    assert_eq!(notes[0]["typeName"], "Resolution");
    let reopened = api
        .patch(
            &path,
            json!([{"op": "replace", "path": "statusId", "value": STATUS_IN_PROGRESS}]),
        )
        .await?;
    assert!(is_bms_datetime(&reopened["reOpenedDate"]));
    assert!(reopened["completedDate"].is_null());
    let open = api
        .total(&format!(
            "/v2/servicedesk/tickets?Filter.ExcludeCompleted=1&Filter.Title={}",
            "Share%20drive"
        ))
        .await?;
    assert_eq!(open, 1);
    Ok(())
}

#[tokio::test]
async fn merge_runs_later_and_absorb_goes_the_other_way() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let api = sandbox.api().await?;
    let destination = api.new_ticket("Printer offline").await?;
    let source = api.new_ticket("Printer still offline, urgent").await?;
    let (destination_id, source_id) = (int(&destination["id"])?, int(&source["id"])?);
    api.post(
        &format!("/v2/servicedesk/tickets/{source_id}/notes"),
        json!({"details": "Toner is empty", "isInternal": false, "typeId": NOTE_GENERAL,
            "noteDate": "2025-03-03T12:00:00"}),
    )
    .await?;
    let job = api
        .post(
            "/v2/servicedesk/tickets/merge",
            json!({"DestinationTicketId": destination_id,
            "SourceTicketIds": [source_id], "IsMerge": true}),
        )
        .await?;
    let job_id = text(&job["jobId"])?.to_owned();
    // Answered before anything merged.
    let before = api
        .get(&format!("/v2/servicedesk/tickets/{destination_id}"))
        .await?;
    assert_eq!(before["title"], "Printer offline");
    tokio::time::sleep(Duration::from_millis(900)).await;
    let log = api
        .get(&format!("/v2/servicedesk/tickets/logs/{job_id}"))
        .await?;
    assert!(
        rows(&log).iter().any(|line| line["type"] == json!(1)),
        "{log}"
    );
    let merged = api
        .get(&format!("/v2/servicedesk/tickets/{destination_id}"))
        .await?;
    assert_eq!(merged["title"], "Printer still offline, urgent");
    assert_ne!(merged["ticketNumber"], source["ticketNumber"]);
    let notes = api
        .get(&format!("/v2/servicedesk/tickets/{destination_id}/notes"))
        .await?;
    assert!(
        rows(&notes)
            .iter()
            .any(|n| n["details"] == "Toner is empty")
    );
    let activities = api
        .get(&format!(
            "/v2/servicedesk/tickets/{destination_id}/activities"
        ))
        .await?;
    assert!(rows(&activities).iter().any(|a| a["isMerged"] == json!(1)));

    // Absorb: the source takes the destination's details.
    let keeper = api.new_ticket("VPN down for everyone").await?;
    let absorbed = api.new_ticket("Cannot connect").await?;
    let job = api
        .post(
            "/v2/servicedesk/tickets/merge",
            json!({"destinationTicketId": keeper["id"],
            "sourceTicketIds": [absorbed["id"]], "isMerge": false}),
        )
        .await?;
    tokio::time::sleep(Duration::from_millis(900)).await;
    api.get(&format!(
        "/v2/servicedesk/tickets/logs/{}",
        text(&job["jobId"])?
    ))
    .await?;
    let after = api
        .get(&format!("/v2/servicedesk/tickets/{}", absorbed["id"]))
        .await?;
    assert_eq!(after["title"], "VPN down for everyone");
    let kept = api
        .get(&format!("/v2/servicedesk/tickets/{}", keeper["id"]))
        .await?;
    assert_eq!(kept["title"], "VPN down for everyone");
    // Itself or another account is refused at once.
    api.failure(
        Method::POST,
        "/v2/servicedesk/tickets/merge",
        Some(json!({"DestinationTicketId": destination_id, "SourceTicketIds": [destination_id]})),
    )
    .await?;
    Ok(())
}

#[tokio::test]
async fn time_logs_take_time_spans_and_decimal_hours() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let api = sandbox.api().await?;
    let ticket = api.new_ticket("Slow PC").await?;
    let path = format!("/v2/servicedesk/tickets/{}/timelogs", ticket["id"]);
    let error = api
        .failure(
            Method::POST,
            &path,
            Some(json!({"startDate": "2025-03-03"})),
        )
        .await?;
    assert!(text(&error["message"])?.contains("The StartTime field is required."));
    let entry = api
        .post(
            &path,
            json!({"startDate": "2025-03-05T00:00:00Z", "startTime": "14:05:00",
            "endTime": "15:35:00", "notes": "Cleaned up startup items",
                             "workTypeId": WORK_REMOTE, "roleId": ROLE_TECHNICIAN,
                                 "statusId": STATUS_IN_PROGRESS}),
        )
        .await?;
    assert_eq!(entry["startTime"], "14:05:00");
    assert_eq!(entry["timespent"], json!(1.5));
    assert_eq!(entry["weekStart"], "2025-03-02T00:00:00");
    assert_eq!(entry["workTypeName"], "Remote Support");
    let explicit = api
        .post(
            &path,
            json!({"StartDate": "2025-03-05", "StartTime": "09:00", "EndTime": "09:10",
            "Timespent": 0.25, "WorkTypeId": WORK_REMOTE, "RoleId": ROLE_TECHNICIAN}),
        )
        .await?;
    assert_eq!(explicit["timespent"], json!(0.25));
    let activities = api
        .get(&format!(
            "/v2/servicedesk/tickets/{}/activities?Filter.ActivityType=Time%20Logged",
            ticket["id"]
        ))
        .await?;
    assert_eq!(rows(&activities).len(), 2);
    let all = api
        .ok(
            Method::GET,
            &format!("/v2/timelogs?Filter.TicketId={}", ticket["id"]),
            None,
        )
        .await?;
    assert_eq!(all["totalRecords"], json!(2));
    assert_eq!(all["result"][0]["accountName"], "Happy Frog Dental");
    let ticket_after = api
        .get(&format!("/v2/servicedesk/tickets/{}", ticket["id"]))
        .await?;
    assert_eq!(ticket_after["totalTimeSpent"], json!(1.75));
    assert_eq!(ticket_after["statusName"], "In Progress");
    let entry_path = format!("{path}/{}", entry["id"]);
    let changed = api
        .put(
            &entry_path,
            json!({"startDate": "2025-03-05", "startTime": "14:00:00",
            "endTime": "14:30:00", "workTypeId": WORK_REMOTE, "roleId": ROLE_TECHNICIAN}),
        )
        .await?;
    assert_eq!(changed["timespent"], json!(0.5));
    api.ok(Method::DELETE, &entry_path, None).await?;
    Ok(())
}

// ---------------------------------------------------------------- scope and views

#[tokio::test]
async fn a_user_sees_only_their_scope_and_their_tickets() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let api = sandbox.api().await?;
    let sam = sandbox.bms(SAM, EMPLOYEE_PASSWORD).await?;
    let sam_id = sam.user_id().await?;
    let everything = api.total("/v2/servicedesk/tickets").await?;
    let visible = sam
        .ok(Method::GET, "/v2/servicedesk/tickets?PageSize=500", None)
        .await?;
    let accounts: std::collections::BTreeSet<i64> = rows(&visible["result"])
        .iter()
        .filter_map(|t| t["accountId"].as_i64())
        .collect();
    assert!(int(&visible["totalRecords"])? < everything);
    assert!(!accounts.is_empty() && accounts.len() <= 2, "{accounts:?}");
    // A ticket outside the scope is not found.
    let outside = api
        .ok(Method::GET, "/v2/servicedesk/tickets?PageSize=500", None)
        .await?["result"]
        .as_array()
        .and_then(|all| {
            all.iter()
                .find(|t| {
                    t["accountId"]
                        .as_i64()
                        .is_some_and(|a| !accounts.contains(&a))
                })
                .cloned()
        })
        .ok_or("every ticket is in scope")?;
    sam.failure(
        Method::GET,
        &format!("/v2/servicedesk/tickets/{}", outside["id"]),
        None,
    )
    .await?;
    // My tickets: only those assigned to the caller.
    let mine_before = sam.total("/v2/servicedesk/mytickets").await?;
    let target = &visible["result"][0];
    api.patch(
        &format!("/v2/servicedesk/tickets/{}", target["id"]),
        json!([{"op": "replace", "path": "assigneeId", "value": sam_id}]),
    )
    .await?;
    let mine = sam
        .ok(Method::GET, "/v2/servicedesk/mytickets?PageSize=500", None)
        .await?;
    assert!(
        rows(&mine["result"])
            .iter()
            .all(|t| t["assigneeId"] == json!(sam_id))
    );
    assert!(ids(&mine["result"]).contains(&int(&target["id"])?));
    assert!(int(&mine["totalRecords"])? >= mine_before.min(1));
    let searched = sam
        .ok(
            Method::POST,
            "/v2/servicedesk/mytickets/search",
            Some(json!({"filter": {}})),
        )
        .await?;
    assert_eq!(searched["totalRecords"], mine["totalRecords"]);
    // Queue tickets: Sam is in the Help Desk queue only.
    let queued = sam
        .ok(
            Method::GET,
            "/v2/servicedesk/queuetickets?PageSize=500",
            None,
        )
        .await?;
    assert!(
        rows(&queued["result"])
            .iter()
            .all(|t| t["queueId"] == json!(QUEUE_HELP_DESK))
    );
    // Creating outside the scope is refused.
    let mut body = ticket_body("Out of scope");
    body["accountId"] = outside["accountId"].clone();
    body["locationId"] = outside["locationId"].clone();
    sam.failure(Method::POST, "/v2/servicedesk/tickets", Some(body))
        .await?;
    Ok(())
}

// ---------------------------------------------------------------- related items and costs

#[tokio::test]
async fn related_tickets_tasks_calls_todos_expenses_and_charges() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let api = sandbox.api().await?;
    let jane_id = sandbox.jane().await?.user_id().await?;
    let one = api.new_ticket("Related one").await?;
    let two = api.new_ticket("Related two").await?;
    let path = format!("/v2/servicedesk/tickets/{}", one["id"]);
    let related = api
        .post(
            &format!("{path}/relatedTickets"),
            json!({"RelatedTicketIds": [two["id"]]}),
        )
        .await?;
    assert_eq!(related[0]["relatedTicketId"], two["id"]);
    let other_side = api
        .get(&format!(
            "/v2/servicedesk/tickets/{}/relatedTickets/count",
            two["id"]
        ))
        .await?;
    assert_eq!(other_side["count"], json!(1));
    api.ok(
        Method::DELETE,
        "/v2/servicedesk/tickets/relatedTickets",
        Some(json!({"RelatedTicketIds": related[0]["id"].to_string()})),
    )
    .await?;
    assert_eq!(
        api.get(&format!("{path}/relatedTickets/count")).await?["count"],
        json!(0)
    );

    let tasks = api
        .post(
            &format!("{path}/relatedtasks"),
            json!({"TicketTaskIds": [7_710_001]}),
        )
        .await?;
    assert_eq!(tasks[0]["taskId"], json!(7_710_001));
    assert_eq!(
        api.get(&format!("{path}/relatedtasks/count")).await?["count"],
        json!(1)
    );
    api.ok(
        Method::DELETE,
        "/v2/servicedesk/tickets/relatedtasks",
        Some(json!({"TicketTaskIds": tasks[0]["id"].to_string()})),
    )
    .await?;

    let calls = api
        .post(
            &format!("{path}/servicecalls"),
            json!({"description": "Onsite visit",
            "startDate": "2025-03-04T09:00:00", "endDate": "2025-03-04T10:00:00",
                "userIds": [jane_id]}),
        )
        .await?;
    assert_eq!(calls[0]["resource"], "Jane Tech");
    let todo = api
        .post(
            &format!("{path}/todos"),
            json!({"description": "Order toner", "userId": jane_id, "date": "2025-03-05"}),
        )
        .await?;
    let combined = api
        .ok(Method::GET, &format!("{path}/servicecallstodos"), None)
        .await?;
    assert_eq!(combined["totalRecords"], json!(2));
    let only_todos = api
        .get(&format!("{path}/servicecallstodos?Filter.ItemTypeIds=2"))
        .await?;
    assert_eq!(rows(&only_todos).len(), 1);
    api.ok(
        Method::DELETE,
        &format!("{path}/servicecallstodos"),
        Some(json!({"ServiceCallIds": calls[0]["id"].to_string(),
            "ToDoIds": todo["id"].to_string()})),
    )
    .await?;
    assert_eq!(api.total(&format!("{path}/servicecallstodos")).await?, 0);

    let expense = api
        .post(
            &format!("{path}/expenses"),
            json!({"date": "2025-03-04", "amountSpent": 12.5, "notes": "Parking"}),
        )
        .await?;
    assert_eq!(expense["totalAmount"], json!(12.5));
    let charge = api
        .post(
            &format!("{path}/charges"),
            json!({"chargeName": "USB keyboard", "quantity": 2, "price": 20}),
        )
        .await?;
    assert_eq!(charge["chargeName"], "USB keyboard");
    let costs = api
        .ok(Method::GET, &format!("{path}/expensesandcharges"), None)
        .await?;
    assert_eq!(costs["totalRecords"], json!(2));
    let charges_only = api
        .get(&format!("{path}/expensesandcharges?Filter.LogTypeIds=2"))
        .await?;
    assert_eq!(charges_only[0]["amount"], json!(40.0));
    api.ok(
        Method::DELETE,
        &format!("{path}/expenses/{}", expense["id"]),
        None,
    )
    .await?;
    api.ok(
        Method::DELETE,
        &format!("{path}/charges/{}", charge["id"]),
        None,
    )
    .await?;
    Ok(())
}

#[tokio::test]
async fn affected_hardware_and_its_tickets() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let api = sandbox.api().await?;
    let with_asset = api
        .ok(Method::GET, "/v2/servicedesk/tickets?PageSize=500", None)
        .await?["result"]
        .as_array()
        .and_then(|all| {
            all.iter()
                .find(|t| t["hardwareAssetId"].as_i64().is_some_and(|id| id > 0))
                .cloned()
        })
        .ok_or("no seeded ticket has affected hardware")?;
    let asset = int(&with_asset["hardwareAssetId"])?;
    assert!(with_asset["hardwareAssetName"].is_string());
    let listed = api
        .get(&format!("/v2/servicedesk/hardwareasset/{asset}/tickets"))
        .await?;
    assert!(ids(&listed).contains(&int(&with_asset["id"])?));
    assert!(
        rows(&listed)
            .iter()
            .all(|t| t["hardwareAssetId"] == json!(asset))
    );
    Ok(())
}

#[tokio::test]
async fn attachments_of_a_ticket_upload_and_download() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let api = sandbox.api().await?;
    let ticket = api.new_ticket("Error screenshot").await?;
    let form = reqwest::multipart::Form::new().part(
        "formFile",
        reqwest::multipart::Part::bytes(b"line 1\nline 2\n".to_vec())
            .file_name("error.log")
            .mime_str("text/plain")?,
    );
    let response = sandbox
        .client
        .post(sandbox.bms_url(&format!("/v2/system/attachments/22/{}", ticket["id"])))
        .bearer_auth(&api.token)
        .multipart(form)
        .send()
        .await?;
    let uploaded: Value = response.json().await?;
    let attachment = &uploaded["result"];
    assert_eq!(attachment["originalFileName"], "error.log");
    assert_eq!(attachment["moduleId"], json!(22));
    let url = text(&attachment["url"])?;
    assert!(url.starts_with("system/attachments/") && !url.starts_with('/'));
    let listed = api
        .ok(
            Method::GET,
            &format!("/v2/system/attachments/22/{}", ticket["id"]),
            None,
        )
        .await?;
    assert_eq!(listed["totalRecords"], json!(1));
    let download = sandbox
        .client
        .get(sandbox.bms_url(&format!("/v2/{url}")))
        .bearer_auth(&api.token)
        .send()
        .await?;
    assert_eq!(download.status(), StatusCode::OK);
    assert_eq!(download.bytes().await?.as_ref(), b"line 1\nline 2\n");
    api.ok(
        Method::DELETE,
        &format!("/v2/system/attachments/{}", attachment["id"]),
        None,
    )
    .await?;
    assert_eq!(
        api.total(&format!("/v2/system/attachments/22/{}", ticket["id"]))
            .await?,
        0
    );
    Ok(())
}

// ---------------------------------------------------------------- checklists

#[tokio::test]
async fn checklist_items_are_stamped_when_completed_and_round_trip_through_itglue() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let jane = sandbox.jane().await?;
    let jane_id = jane.user_id().await?;
    let ticket = jane.new_ticket("Onboard the new hygienist").await?;
    let path = format!("/v2/servicedesk/tickets/{}/checklistitems", ticket["id"]);
    jane.failure(Method::POST, &path, Some(json!({"description": "no name"})))
        .await?;
    let item = jane
        .post(
            &path,
            json!({"name": "Create the account", "description": "Microsoft 365"}),
        )
        .await?;
    assert_eq!(item["isCompleted"], json!(false));
    assert!(item["completedOn"].is_null());
    jane.post(&path, json!({"Name": "Prepare the laptop"}))
        .await?;
    let done = jane
        .put(
            &format!("{path}/{}", item["id"]),
            json!({"name": "Create the account", "order": 1, "isCompleted": true}),
        )
        .await?;
    assert_eq!(done["completedBy"], json!(jane_id));
    assert_eq!(done["completedByName"], "Jane Tech");
    assert!(is_bms_datetime(&done["completedOn"]));
    let undone = jane
        .put(
            &format!("{path}/{}", item["id"]),
            json!({"name": "Create the account", "isCompleted": false}),
        )
        .await?;
    assert!(undone["completedBy"].is_null() && undone["completedOn"].is_null());

    // Saved as an IT Glue checklist of the synced organization…
    let saved = jane
        .post(
            &format!("/v2/servicedesk/tickets/{}/checklist", ticket["id"]),
            json!({"Name": "Hygienist onboarding", "Description": "From a ticket"}),
        )
        .await?;
    let checklist = int(&saved["checklist"]["id"])?;
    assert_eq!(saved["checklist"]["createdByName"], "Jane Tech");
    assert_eq!(rows(&saved["tasks"]).len(), 2);
    let listed = jane
        .get(&format!(
            "/v2/integrations/itglue/checklists?accountId={HFD_ACCOUNT}&Name=hygienist"
        ))
        .await?;
    assert_eq!(ids(&listed), vec![checklist]);
    jane.failure(Method::GET, "/v2/integrations/itglue/checklists", None)
        .await?;
    let tasks = jane
        .get(&format!(
            "/v2/integrations/itglue/checklists/{checklist}/tasks"
        ))
        .await?;
    assert_eq!(tasks[1]["name"], "Prepare the laptop");
    assert_eq!(tasks[1]["order"], json!(2));
    // …and applied to another ticket, after its own items.
    let other = jane.new_ticket("Onboard the new receptionist").await?;
    let other_path = format!("/v2/servicedesk/tickets/{}/checklistitems", other["id"]);
    jane.post(&other_path, json!({"name": "Order a badge"}))
        .await?;
    let applied = jane
        .post(&format!("{other_path}/{checklist}"), json!({}))
        .await?;
    assert_eq!(rows(&applied).len(), 2);
    let items = jane.get(&other_path).await?;
    assert_eq!(
        rows(&items)
            .iter()
            .map(|i| i["order"].clone())
            .collect::<Vec<_>>(),
        vec![json!(1), json!(2), json!(3)]
    );
    jane.ok(Method::DELETE, &other_path, None).await?;
    assert_eq!(rows(&jane.get(&other_path).await?).len(), 0);
    Ok(())
}

// ---------------------------------------------------------------- IT Glue integration

#[tokio::test]
async fn integration_status_and_per_user_access() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let api = sandbox.api().await?;
    let jane = sandbox.jane().await?;
    let status = api.get("/v2/integrations/itglue/status").await?;
    assert_eq!(status["isEnabled"], json!(true));
    assert_eq!(status["isTicketSyncEnabled"], json!(true));
    assert!(status.get("itGlueAccountId").is_some());
    let api_access = api.get("/v2/integrations/itglue/accessinfo").await?;
    assert_eq!(api_access["isConnected"], json!(false));
    assert!(api_access["accessToken"].is_null());
    let access = jane.get("/v2/integrations/itglue/accessinfo").await?;
    assert_eq!(access["isConnected"], json!(true));
    assert!(is_bms_datetime(&access["expiresIn"]));
    // The brokered token works on the IT Glue API as that user.
    let token = text(&access["accessToken"])?;
    let response = sandbox
        .client
        .get(format!(
            "http://{}/organizations/{HFD_ORGANIZATION}",
            sandbox.running.addresses().itglue_api
        ))
        .bearer_auth(token)
        .send()
        .await?;
    assert_eq!(response.status(), StatusCode::OK);
    let again = jane.get("/v2/integrations/itglue/accessinfo").await?;
    assert_eq!(again["accessToken"], access["accessToken"]);
    Ok(())
}

#[tokio::test]
async fn bms_records_map_to_itglue_ids() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let api = sandbox.api().await?;
    let account = api
        .get(&format!(
            "/v2/integrations/itglue/accounts/{HFD_ACCOUNT}/lookup"
        ))
        .await?;
    assert_eq!(account["id"], json!(HFD_ORGANIZATION));
    assert_eq!(account["name"], "Happy Frog Dental");
    let northwind = api
        .get("/v2/integrations/itglue/accounts/102/lookup")
        .await?;
    assert_eq!(northwind["id"].as_u64(), Some(574_989_297_464_115_201));
    let error = api
        .failure(
            Method::GET,
            "/v2/integrations/itglue/accounts/105/lookup",
            None,
        )
        .await?;
    assert_eq!(error["code"], json!(404));
    let error = api
        .failure(
            Method::GET,
            "/v2/integrations/itglue/hardwareassets/999999/lookup",
            None,
        )
        .await?;
    assert_eq!(error["code"], json!(404));
    Ok(())
}

#[tokio::test]
async fn company_notes_edits_show_in_itglue_quick_notes() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let jane = sandbox.jane().await?;
    let path = format!("/v2/integrations/itglue/accounts/{HFD_ORGANIZATION}/notes");
    let notes = jane.get(&path).await?;
    assert!(text(&notes["notes"])?.contains("Front Door"));
    let updated = jane
        .put(
            &path,
            json!({"Notes": "<p>Alarm code changed on Monday.</p>"}),
        )
        .await?;
    assert_eq!(updated["notes"], "<p>Alarm code changed on Monday.</p>");
    let organization = sandbox
        .itglue(&format!("/organizations/{HFD_ORGANIZATION}"))
        .await?;
    assert_eq!(
        organization["data"]["attributes"]["quick-notes"],
        "<p>Alarm code changed on Monday.</p>"
    );
    // Not connected to IT Glue: no notes; unsynced organization: not found.
    let api = sandbox.api().await?;
    let error = api.failure(Method::GET, &path, None).await?;
    assert_eq!(error["code"], json!(403));
    let error = jane
        .failure(
            Method::GET,
            "/v2/integrations/itglue/accounts/2006/notes",
            None,
        )
        .await?;
    assert_eq!(error["code"], json!(404));
    Ok(())
}

#[tokio::test]
async fn contact_notes_and_record_lookups_follow_the_synced_records() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let jane = sandbox.jane().await?;
    let contacts = jane.get("/v2/crm/contacts/summary?PageSize=500").await?;
    let mut synced = None;
    for contact in rows(&contacts) {
        let path = format!("/v2/integrations/itglue/contacts/{}/lookup", contact["id"]);
        let (_, value) = jane.call(Method::GET, &path, None).await?;
        if value["success"] == json!(true) {
            synced = Some((contact, value["result"].clone()));
            break;
        }
    }
    let (contact, linked) = synced.ok_or("no synced contact in Jane's scope")?;
    let itglue_contact = int(&linked["id"])?;
    let expected = format!(
        "{} {}",
        text(&contact["firstName"])?,
        text(&contact["lastName"])?
    );
    assert_eq!(linked["name"], json!(expected));
    let path = format!("/v2/integrations/itglue/contacts/{itglue_contact}/notes");
    jane.get(&path).await?;
    let saved = jane
        .put(&path, json!({"notes": "Prefers a call before 10 am."}))
        .await?;
    assert_eq!(saved["notes"], "Prefers a call before 10 am.");
    let itglue = sandbox
        .itglue(&format!("/contacts/{itglue_contact}"))
        .await?;
    assert_eq!(
        itglue["data"]["attributes"]["notes"],
        "Prefers a call before 10 am."
    );
    if let Some(location) = contact["locationId"].as_i64() {
        let (_, value) = jane
            .call(
                Method::GET,
                &format!("/v2/integrations/itglue/locations/{location}/lookup"),
                None,
            )
            .await?;
        if value["success"] == json!(true) {
            let itglue = sandbox
                .itglue(&format!("/locations/{}", value["result"]["id"]))
                .await?;
            assert_eq!(
                itglue["data"]["attributes"]["name"],
                value["result"]["name"]
            );
        }
    }
    Ok(())
}

#[tokio::test]
async fn suggested_resources_and_password_values() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let jane = sandbox.jane().await?;
    let ticket = jane.new_ticket("Guest wireless not working").await?;
    let base = format!(
        "/v2/integrations/itglue/{}/suggestedresources/ticket",
        ticket["id"]
    );
    let suggestions = jane.get(&base).await?;
    let password = rows(&suggestions)
        .into_iter()
        .find(|s| s["resourceType"] == "Password")
        .ok_or("no password suggested")?;
    assert_eq!(password["name"], "Guest Wi-Fi");
    assert_eq!(password["organizationName"], "Happy Frog Dental");
    assert!(text(&password["resourceUrl"])?.ends_with(&format!(
        "/{HFD_ORGANIZATION}/passwords/{}",
        password["resourceId"]
    )));
    let only_documents = jane.get(&format!("{base}?resourceType=0")).await?;
    assert!(
        rows(&only_documents)
            .iter()
            .all(|s| s["resourceType"] == "Document")
    );
    let count = jane.get(&format!("{base}/count")).await?;
    assert_eq!(
        int(&count["suggestedPasswords"])? + int(&count["suggestedDocuments"])?,
        rows(&suggestions).len() as i64
    );
    let value = jane
        .get(&format!(
            "/v2/integrations/itglue/passwords/{}",
            password["resourceId"]
        ))
        .await?;
    let itglue = sandbox
        .itglue(&format!("/passwords/{}", password["resourceId"]))
        .await?;
    assert_eq!(value, itglue["data"]["attributes"]["password"]);
    let api = sandbox.api().await?;
    api.failure(
        Method::GET,
        &format!(
            "/v2/integrations/itglue/passwords/{}",
            password["resourceId"]
        ),
        None,
    )
    .await?;
    Ok(())
}

#[tokio::test]
async fn ticket_sync_feed_filters_by_modification() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let api = sandbox.api().await?;
    let everything = api
        .total("/v2/integrations/itglue/servicedesk/ticketsync?PageSize=1")
        .await?;
    assert!(everything > 0);
    let seeded_window = api
        .ok(
            Method::GET,
            concat!(
                "/v2/integrations/itglue/servicedesk/ticketsync?Filter.CreatedOnFrom=2025-01-01",
                "&Filter.CreatedOnTo=2025-12-31&PageSize=500"
            ),
            None,
        )
        .await?;
    assert!(rows(&seeded_window["result"]).iter().all(|c| {
        c["createdOn"]
            .as_str()
            .is_some_and(|d| d.starts_with("2025"))
    }));
    let since = api.get("/v2/security/userinfo").await?["timeStamp"].clone();
    let ticket = api.new_ticket("Changed after the mark").await?;
    let changed = api
        .ok(
            Method::GET,
            &format!(
                "/v2/integrations/itglue/servicedesk/ticketsync?Filter.ModifiedOnFrom={}",
                text(&since)?
            ),
            None,
        )
        .await?;
    assert_eq!(ids(&changed["result"]), vec![int(&ticket["id"])?]);
    assert!(is_bms_datetime(&changed["result"][0]["modifiedOn"]));
    let none = api
        .total("/v2/integrations/itglue/servicedesk/ticketsync?Filter.ModifiedOnTo=2000-01-01")
        .await?;
    assert_eq!(none, 0);
    let one = api
        .get(&format!(
            "/v2/integrations/itglue/servicedesk/ticketsync/{}",
            ticket["id"]
        ))
        .await?;
    assert_eq!(one["title"], "Changed after the mark");
    let search = format!(
        "/v2/integrations/itglue/servicedesk/globalsearch?{}&Filter.AccountIds={HFD_ACCOUNT}",
        "Filter.Keyword=after%20the%20mark"
    );
    let found = api.ok(Method::GET, &search, None).await?;
    assert_eq!(ids(&found["result"]), vec![int(&ticket["id"])?]);
    // Tailspin Toys (105) is not synced with IT Glue: its tickets are not in the feed.
    let unsynced = api
        .total("/v2/integrations/itglue/servicedesk/globalsearch?Filter.AccountIds=105")
        .await?;
    assert_eq!(unsynced, 0);
    Ok(())
}

// ---------------------------------------------------------------- finance

#[tokio::test]
async fn services_catalogue() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let api = sandbox.api().await?;
    let lookup = api
        .get("/v2/admin/finance/services/lookup?Filter.Name=managed")
        .await?;
    assert_eq!(
        rows(&lookup).len(),
        2,
        "Managed Backup and Managed Workstation"
    );
    let m365 = api
        .ok(
            Method::POST,
            "/v2/admin/finance/services/search",
            Some(json!({"filter": {"name": "Microsoft 365", "isActive": 1}})),
        )
        .await?;
    assert_eq!(m365["result"][0]["name"], "Microsoft 365 Business Standard");
    assert_eq!(m365["result"][0]["unitOfMeasure"], "User");
    let pascal = api
        .ok(
            Method::POST,
            "/v2/admin/finance/services/search",
            Some(json!({"Filter": {"Name": "Microsoft 365"}})),
        )
        .await?;
    assert_eq!(pascal["totalRecords"], m365["totalRecords"]);
    api.failure(
        Method::POST,
        "/v2/admin/finance/services/services",
        Some(json!({"unitPrice": 5})),
    )
    .await?;
    let created = api
        .post(
            "/v2/admin/finance/services/services",
            json!({"name": "Managed Firewall",
            "unitCost": 20, "unitPrice": 35, "categoryId": 6101, "isActive": true,
                "isTaxable": true}),
        )
        .await?;
    assert_eq!(created["category"], "Managed Services");
    api.failure(
        Method::POST,
        "/v2/admin/finance/services/services",
        Some(json!({"name": "managed firewall"})),
    )
    .await?;
    let id = int(&created["id"])?;
    let updated = api
        .put(
            &format!("/v2/admin/finance/services/{id}"),
            json!({"name": "Managed Firewall", "unitPrice": 40}),
        )
        .await?;
    assert_eq!(updated["unitPrice"], json!(40.0));
    let message = api
        .patch(
            "/v2/admin/finance/services",
            json!({"TargetedIds": [id], "IsActive": false}),
        )
        .await?;
    assert!(message.is_string());
    assert_eq!(
        api.get(&format!("/v2/admin/finance/services/{id}")).await?["isActive"],
        json!(false)
    );
    api.ok(
        Method::DELETE,
        "/v2/admin/finance/services",
        Some(json!({"targetedIds": [id]})),
    )
    .await?;
    api.failure(
        Method::GET,
        &format!("/v2/admin/finance/services/{id}"),
        None,
    )
    .await?;
    // A service on contracts cannot go.
    api.failure(Method::DELETE, "/v2/admin/finance/services/8801", None)
        .await?;
    let related = api
        .ok(
            Method::POST,
            "/v2/admin/finance/services/8801/relatedservices/search",
            Some(json!({})),
        )
        .await?;
    assert!(int(&related["totalRecords"])? > 0);
    let categories = api.get("/v2/admin/finance/servicecategory/lookup").await?;
    let subs = api
        .get(&format!(
            "/v2/admin/finance/servicecategory/{}/servicesubcategory/lookup",
            categories[0]["id"]
        ))
        .await?;
    assert!(!rows(&subs).is_empty());
    Ok(())
}

#[tokio::test]
async fn contracts_and_the_sandbox_units_route() -> TestResult {
    let sandbox = Sandbox::start().await?;
    let api = sandbox.api().await?;
    let lookup = api
        .get(&format!(
            "/v2/finance/contracts/lookup?AccountId={HFD_ACCOUNT}"
        ))
        .await?;
    assert_eq!(rows(&lookup).len(), 1);
    let seeded = int(&lookup[0]["id"])?;
    let lines = api
        .get(&format!("/_sandbox/contracts/{seeded}/services"))
        .await?;
    assert_eq!(rows(&lines).len(), 3);
    assert_eq!(lines[0]["serviceName"], "Microsoft 365 Business Standard");

    let contract = api
        .post(
            "/v2/finance/contracts/recurringservices",
            json!({"ContractName": "Backup add-on", "AccountId": HFD_ACCOUNT,
                "BillingCycleId": 1, "StartDate": "2025-04-01",
                   "Services": [{"ServiceId": 8802, "Units": 2}, {"serviceId": 8801, "units": 12,
                       "unitPrice": 14.0}]}),
        )
        .await?;
    let id = int(&contract["id"])?;
    assert_eq!(contract["billingCycleName"], "Monthly");
    assert_eq!(contract["services"][0]["serviceName"], "Managed Backup");
    assert_eq!(
        contract["contractBillingPrice"],
        json!(2.0 * 60.0 + 12.0 * 14.0)
    );
    api.failure(
        Method::POST,
        "/v2/finance/contracts/recurringservices",
        Some(json!({"ContractName": "x"})),
    )
    .await?;
    let renamed = api
        .put(
            &format!("/v2/finance/contracts/recurringservices/{id}"),
            json!({"contractName": "Backup and M365", "accountId": HFD_ACCOUNT,
                "billingCycleId": 2, "startDate": "2025-04-01"}),
        )
        .await?;
    assert_eq!(renamed["contractName"], "Backup and M365");
    assert_eq!(
        rows(&renamed["services"]).len(),
        2,
        "the header update keeps the lines"
    );
    let added = api
        .post(
            &format!("/v2/finance/contracts/recurringservices/{id}/services"),
            json!([{"ServiceId": 8803, "Units": 9}]),
        )
        .await?;
    assert_eq!(added[0]["units"], json!(9.0));
    assert_eq!(added[0]["originalUnitPrice"], json!(45.0));

    // Units: sandbox-specific, one history row per change.
    let line = int(&added[0]["id"])?;
    let units_path = format!("/_sandbox/contracts/{id}/services/{line}/units");
    let changed = api
        .put(&units_path, json!({"units": 11, "source": "Nightly Sync"}))
        .await?;
    assert_eq!(changed["units"], json!(11.0));
    assert_eq!(changed["totalPrice"], json!(11.0 * 45.0));
    api.put(&units_path, json!({"units": 11})).await?;
    api.put(&units_path, json!({"Units": 10, "Source": "update units"}))
        .await?;
    let history = api.get(&units_path).await?;
    assert_eq!(rows(&history).len(), 2);
    assert_eq!(
        (
            history[0]["oldUnits"].clone(),
            history[0]["newUnits"].clone(),
            history[0]["source"].clone()
        ),
        (json!(9.0), json!(11.0), json!("Nightly Sync"))
    );
    assert_eq!(history[1]["source"], "Update Units");
    api.failure(Method::PUT, &units_path, Some(json!({"units": -1})))
        .await?;
    api.failure(
        Method::PUT,
        &units_path,
        Some(json!({"units": 3, "source": "guess"})),
    )
    .await?;

    let summary = api
        .ok(
            Method::GET,
            "/v2/finance/contracts/summary?Filter.ContractName=Backup%20and",
            None,
        )
        .await?;
    assert_eq!(summary["result"][0]["status"], "Active");
    api.ok(
        Method::PUT,
        &format!("/v2/finance/contracts/{id}/deactivate"),
        None,
    )
    .await?;
    let inactive = api
        .get(concat!(
            "/v2/finance/contracts/summary?Filter.ContractName=Backup%20and",
            "&Filter.Status=Inactive"
        ))
        .await?;
    assert_eq!(ids(&inactive), vec![id]);
    api.ok(
        Method::PUT,
        &format!("/v2/finance/contracts/{id}/activate"),
        None,
    )
    .await?;
    Ok(())
}
