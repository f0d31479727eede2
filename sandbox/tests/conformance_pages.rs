//! The web pages the extension injects into, over real HTTP: each page's shell and its
//! page-data route, the signed-in session, the CSP of every page in every mode, the legacy
//! WebForms selectors, the native integration look-alike and the IT Glue pages.

mod harness;

use std::error::Error;

use harness::{Sandbox, TestResult, header_value, json_of};
use reqwest::{Response, StatusCode};
use sandbox::{CspMode, RecordPath};
use serde_json::{Value, json};

const STRICT_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'";
const RELAXED_CSP: &str = "script-src 'self' 'unsafe-inline' 'unsafe-eval'; object-src 'none'";

/// Every React page of the BMS listener, one per route shape.
const BMS_REACT_PAGES: &[&str] = &[
    "/react/crm/accounts",
    "/react/crm/accounts/101",
    "/react/crm/contacts/20001",
    "/react/servicedesk/hardwareassets/30001",
    "/react/servicedesk/tickets",
    "/react/servicedesk/tickets/118201",
    "/react/servicedesk/mytickets",
    "/react/servicedesk/mytickets/118202",
    "/react/home/views/7/tickets",
    "/react/home/views/7/tickets/118203",
    "/react/home/views/7/mytickets",
    "/react/home/views/7/mytickets/118202",
];

const BMS_LEGACY_PAGES: &[&str] = &[
    "/MSP/TicketEdit.aspx?ID=118201",
    "/MSP/TicketsListing.aspx",
    "/MSP/MyTickets.aspx",
];

const ITGLUE_PAGES: &[&str] = &[
    "/",
    "/2001",
    "/2001/configurations",
    "/2001/configurations/100001",
    "/2001/contacts",
    "/2001/contacts/10001",
    "/2001/tickets",
];

impl Sandbox {
    fn bms_web_url(&self, path: &str) -> String {
        format!("http://{}{path}", self.running.addresses().bms_web)
    }

    fn itglue_web_url(&self, path: &str) -> String {
        format!("http://{}{path}", self.running.addresses().itglue_web)
    }

    async fn get(&self, url: String) -> reqwest::Result<Response> {
        self.client.get(url).send().await
    }

    async fn bms_data(&self, path: &str) -> Result<Value, Box<dyn Error>> {
        let (status, body) = json_of(self.get(self.bms_web_url(path)).await?).await?;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        Ok(body)
    }

    async fn itglue_data(&self, path: &str) -> Result<Value, Box<dyn Error>> {
        let (status, body) = json_of(self.get(self.itglue_web_url(path)).await?).await?;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        Ok(body)
    }

    async fn set_csp(&self, url: String, mode: &str) -> TestResult {
        let response = self
            .client
            .put(url)
            .json(&json!({ "mode": mode }))
            .send()
            .await?;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        Ok(())
    }
}

/// The session cookie a page sets.
fn session_cookie(response: &Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find_map(|cookie| cookie.strip_prefix("PSAAuthToken="))
        .and_then(|rest| rest.split(';').next())
        .map(str::to_owned)
}

/// Every `<script>` loads a file: nothing inline, so the strict CSP keeps page scripts working.
fn assert_external_scripts_only(html: &str, page: &str) {
    assert_eq!(
        html.matches("<script").count(),
        html.matches("<script src=\"/static/").count(),
        "{page}"
    );
}

fn rows(body: &Value) -> &[Value] {
    body["rows"].as_array().map_or(&[], Vec::as_slice)
}

// ---------------------------------------------------------------- BMS React pages

#[tokio::test]
async fn react_pages_render_a_shell_with_the_signed_in_session() -> TestResult {
    let sandbox = Sandbox::start(|_| {}).await?;
    let mut tokens = Vec::new();
    for page in BMS_REACT_PAGES {
        let response = sandbox.get(sandbox.bms_web_url(page)).await?;
        assert_eq!(response.status(), StatusCode::OK, "{page}");
        assert!(
            header_value(&response, "content-type").is_some_and(|t| t.starts_with("text/html"))
        );
        let cookie = session_cookie(&response).ok_or(format!("{page}: no PSAAuthToken"))?;
        let set_cookie = header_value(&response, "set-cookie").unwrap_or("");
        assert!(
            !set_cookie.to_ascii_lowercase().contains("httponly"),
            "page script reads the cookie"
        );
        tokens.push(cookie);
        let html = response.text().await?;
        assert_external_scripts_only(&html, page);
        for expected in [
            r#"<main class="psa-content" id="root""#,
            r#"<meta name="psa-user-info" content="{&quot;userId&quot;:7002,&quot;fullName&quot;:&quot;Jane Tech&quot;"#,
            r#"<meta name="psa-routes""#,
            r#"<script src="/static/psa-session.js">"#,
            r#"<script src="/static/jquery-lite.js">"#,
            r#"<script src="/static/bootstrap-lite.js">"#,
            r#"<script src="/static/bms-app.js" defer>"#,
        ] {
            assert!(html.contains(expected), "{page}: missing {expected}");
        }
    }
    // One session: the token is reused while it is fresh, and it is a real API token.
    assert!(tokens.windows(2).all(|pair| pair[0] == pair[1]));
    let token = tokens.first().ok_or("no pages")?;
    assert_eq!(token.split('.').count(), 3, "JWT-shaped");
    let userinfo = sandbox
        .client
        .get(sandbox.bms_url("/v2/security/userinfo"))
        .bearer_auth(token)
        .send()
        .await?;
    let (status, body) = json_of(userinfo).await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["result"]["fullName"], json!("Jane Tech"));
    Ok(())
}

#[tokio::test]
async fn session_and_page_scripts_are_served() -> TestResult {
    let sandbox = Sandbox::start(|_| {}).await?;
    for (asset, expected) in [
        (
            "/static/psa-session.js",
            r#"localStorage.setItem("PSAUserInfo""#,
        ),
        ("/static/jquery-lite.js", "$.cookie = function"),
        ("/static/bootstrap-lite.js", "fn.modal"),
        ("/static/spa-kit.js", "history.pushState"),
        ("/static/spa-kit.js", "popstate"),
        ("/static/bms-app.js", "/_sandbox/page-data/tickets/"),
        ("/static/legacy.js", "rgSelectedRow"),
        ("/static/bms.css", ".psa-right-side"),
        ("/static/legacy.css", ".rgHeader"),
    ] {
        let response = sandbox.get(sandbox.bms_web_url(asset)).await?;
        assert_eq!(response.status(), StatusCode::OK, "{asset}");
        assert!(
            response.text().await?.contains(expected),
            "{asset}: {expected}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn missing_records_get_the_shell_with_404() -> TestResult {
    let sandbox = Sandbox::start(|_| {}).await?;
    for page in [
        "/react/crm/accounts/999",
        "/react/crm/contacts/abc",
        "/react/servicedesk/hardwareassets/1",
        "/react/servicedesk/tickets/999999",
        "/react/servicedesk/mytickets/1",
        "/react/no/such/page",
    ] {
        let response = sandbox.get(sandbox.bms_web_url(page)).await?;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{page}");
        assert!(response.text().await?.contains(r#"id="root""#), "{page}");
    }
    for data in [
        "/_sandbox/page-data/accounts/999",
        "/_sandbox/page-data/contacts/x",
        "/_sandbox/page-data/hardwareassets/1",
        "/_sandbox/page-data/tickets/999999",
    ] {
        let (status, body) = json_of(sandbox.get(sandbox.bms_web_url(data)).await?).await?;
        assert_eq!(status, StatusCode::NOT_FOUND, "{data}");
        assert_eq!(body["error"], json!("Record not found"));
    }
    Ok(())
}

#[tokio::test]
async fn page_data_of_accounts_contacts_and_assets() -> TestResult {
    let sandbox = Sandbox::start(|_| {}).await?;
    let accounts = sandbox.bms_data("/_sandbox/page-data/accounts").await?;
    assert!(accounts["total"].as_i64().is_some_and(|total| total >= 5));
    assert!(
        rows(&accounts)
            .iter()
            .any(|row| row["name"] == json!("Happy Frog Dental"))
    );

    let account = sandbox.bms_data("/_sandbox/page-data/accounts/101").await?;
    assert_eq!(
        (&account["name"], &account["code"]),
        (&json!("Happy Frog Dental"), &json!("HFD"))
    );
    assert_eq!(account["manager"], json!("Jane Tech"));
    assert_eq!(account["mainLocation"]["main"], json!(true));
    for related in ["contacts", "assets", "tickets", "locations"] {
        assert!(
            account[related]
                .as_array()
                .is_some_and(|list| !list.is_empty()),
            "{related}"
        );
    }

    let contact = sandbox
        .bms_data("/_sandbox/page-data/contacts/20001")
        .await?;
    assert!(
        contact["name"]
            .as_str()
            .is_some_and(|name| !name.is_empty())
    );
    assert_eq!(
        contact["account"],
        json!({"id": 101, "name": "Happy Frog Dental"})
    );
    assert!(
        contact["emails"][0]["value"]
            .as_str()
            .is_some_and(|email| email.contains('@'))
    );

    let asset = sandbox
        .bms_data("/_sandbox/page-data/hardwareassets/30001")
        .await?;
    assert!(
        asset["name"]
            .as_str()
            .is_some_and(|name| name.starts_with("HFD-"))
    );
    assert_eq!(asset["account"]["id"], json!(101));
    assert!(asset["category"].is_string());
    Ok(())
}

#[tokio::test]
async fn page_data_of_tickets() -> TestResult {
    let sandbox = Sandbox::start(|_| {}).await?;
    let all = sandbox.bms_data("/_sandbox/page-data/tickets").await?;
    let mine = sandbox
        .bms_data("/_sandbox/page-data/tickets?assignee=me")
        .await?;
    assert!(!rows(&mine).is_empty() && rows(&mine).len() < rows(&all).len());
    assert!(
        rows(&mine)
            .iter()
            .all(|row| row["assignee"] == json!("Jane Tech"))
    );

    let ticket = sandbox
        .bms_data("/_sandbox/page-data/tickets/118203")
        .await?;
    let row = rows(&all)
        .iter()
        .find(|row| row["id"] == json!(118203))
        .ok_or("118203 is open")?;
    assert_eq!(
        (&ticket["number"], &ticket["title"]),
        (&row["number"], &row["title"])
    );
    assert_eq!(
        ticket["account"],
        json!({"id": 101, "name": "Happy Frog Dental"})
    );
    let contact = sandbox
        .bms_data(&format!(
            "/_sandbox/page-data/contacts/{}",
            ticket["contact"]["id"]
        ))
        .await?;
    assert_eq!(ticket["contact"]["name"], contact["name"]);
    let asset = sandbox
        .bms_data(&format!(
            "/_sandbox/page-data/hardwareassets/{}",
            ticket["hardwareAsset"]["id"]
        ))
        .await?;
    assert_eq!(ticket["hardwareAsset"]["name"], asset["name"]);
    assert!(
        ticket["notes"]
            .as_array()
            .is_some_and(|notes| !notes.is_empty())
    );
    assert!(ticket["attachments"].is_array());
    assert_eq!(
        ticket["native"],
        Value::Null,
        "the native look-alike is off by default"
    );
    Ok(())
}

#[tokio::test]
async fn native_integration_look_alike_is_switchable() -> TestResult {
    let sandbox = Sandbox::start(|_| {}).await?;
    let switch = sandbox.bms_web_url("/_sandbox/native-integration");
    let (_, state) = json_of(sandbox.get(switch.clone()).await?).await?;
    assert_eq!(state, json!({"enabled": false}));
    let put = sandbox
        .client
        .put(switch.clone())
        .json(&json!({"enabled": true}))
        .send()
        .await?;
    assert_eq!(put.status(), StatusCode::NO_CONTENT);

    let ticket = sandbox
        .bms_data("/_sandbox/page-data/tickets/118203")
        .await?;
    let native = &ticket["native"];
    assert_eq!(
        native["connected"],
        json!(true),
        "jane.tech is connected to IT Glue"
    );
    assert_eq!(native["organization"]["id"], json!("2001"));
    assert!(
        native["organization"]["notes"]
            .as_str()
            .is_some_and(|notes| notes.contains("After-hours alarm code"))
    );
    let itglue_contact = native["contact"]["id"]
        .as_str()
        .ok_or("the ticket's contact is synced")?;
    assert!(
        native["contact"]["url"]
            .as_str()
            .is_some_and(|url| url.ends_with(&format!("/2001/contacts/{itglue_contact}")))
    );
    assert!(
        native["contact"]["notes"].is_string(),
        "contact notes for a connected user"
    );

    // Tailspin Toys (105) is not synced: its tickets get the panel but no notes.
    let unsynced = sandbox
        .bms_data("/_sandbox/page-data/tickets/118215")
        .await?;
    assert_eq!(unsynced["account"]["id"], json!(105));
    assert_eq!(unsynced["native"]["connected"], json!(true));
    assert_eq!(unsynced["native"]["organization"], Value::Null);

    let script = sandbox
        .get(sandbox.bms_web_url("/static/bms-app.js"))
        .await?
        .text()
        .await?;
    for hook in [
        "itg-side-panel--",
        "itg-company-notes",
        "psa-collapsible--collapsed",
        "itg-contact-notes",
    ] {
        assert!(script.contains(hook), "{hook}");
    }

    let on_at_start = Sandbox::start(|config| config.bms_pages.native_itglue = true).await?;
    let (_, state) = json_of(
        on_at_start
            .get(on_at_start.bms_web_url("/_sandbox/native-integration"))
            .await?,
    )
    .await?;
    assert_eq!(state, json!({"enabled": true}));
    Ok(())
}

#[tokio::test]
async fn record_page_paths_are_configurable() -> TestResult {
    let sandbox = Sandbox::start(|config| {
        if let Ok(path) = "/react/crm/companies/{id}".parse::<RecordPath>() {
            config.bms_pages.account = path;
        }
        if let Ok(path) = "/react/assets/hardware/{id}".parse::<RecordPath>() {
            config.bms_pages.hardware_asset = path;
        }
    })
    .await?;
    for (page, status) in [
        ("/react/crm/companies/101", StatusCode::OK),
        ("/react/crm/companies", StatusCode::OK),
        ("/react/assets/hardware/30001", StatusCode::OK),
        ("/react/crm/accounts/101", StatusCode::NOT_FOUND),
        (
            "/react/servicedesk/hardwareassets/30001",
            StatusCode::NOT_FOUND,
        ),
    ] {
        let response = sandbox.get(sandbox.bms_web_url(page)).await?;
        assert_eq!(response.status(), status, "{page}");
    }
    let html = sandbox
        .get(sandbox.bms_web_url("/react/crm/companies/101"))
        .await?
        .text()
        .await?;
    assert!(
        html.contains("/react/crm/companies/{id}"),
        "the page script learns the path"
    );
    Ok(())
}

// ---------------------------------------------------------------- Legacy pages

#[tokio::test]
async fn legacy_ticket_page_has_the_webforms_selectors() -> TestResult {
    let sandbox = Sandbox::start(|_| {}).await?;
    let ticket = sandbox
        .bms_data("/_sandbox/page-data/tickets/118203")
        .await?;
    let number = ticket["number"].as_str().ok_or("no number")?;
    let assignee = ticket["assignee"].as_str().ok_or("no assignee")?;
    let response = sandbox
        .get(sandbox.bms_web_url("/MSP/TicketEdit.aspx?ID=118203"))
        .await?;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(session_cookie(&response).is_some());
    let html = response.text().await?;
    assert_external_scripts_only(&html, "TicketEdit.aspx");
    for expected in [
        format!("<title>Happy Frog Dental - Ticket# {number}</title>"),
        r#"<form method="post" action="./TicketEdit.aspx?ID=118203" id="aspnetForm">"#.to_owned(),
        format!(r#"<div class="TicketTitle"><em><span id="ctl00_phContent_lblTicketTitle">Ticket# {number} - "#),
        r#"<span class="itg-org" id="ctl00_phContent_lblVAccount"><a href="/react/crm/accounts/101">Happy Frog Dental</a></span>"#.to_owned(),
        format!(r#"<span id="ctl00_phContent_lblVPrimaryAssignee">{assignee}</span>"#),
        r#"id="ctl00_phMenu_pnlGroupActionButtons""#.to_owned(),
        r#"id="ctl00_phContent_pnlTicketProperties""#.to_owned(),
        r#"id="ctl00_phContent_CustomAttach_rdAttachment_GridData""#.to_owned(),
        r#"<meta name="psa-user-info""#.to_owned(),
        r#"<script src="/static/psa-session.js">"#.to_owned(),
        r#"<script src="/static/jquery-lite.js">"#.to_owned(),
    ] {
        assert!(html.contains(&expected), "missing {expected}");
    }
    let lower_case = sandbox
        .get(sandbox.bms_web_url("/MSP/TicketEdit.aspx?id=118203"))
        .await?;
    assert_eq!(lower_case.status(), StatusCode::OK);
    for missing in [
        "/MSP/TicketEdit.aspx?ID=1",
        "/MSP/TicketEdit.aspx",
        "/MSP/TicketEdit.aspx?ID=x",
    ] {
        let response = sandbox.get(sandbox.bms_web_url(missing)).await?;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{missing}");
    }
    Ok(())
}

#[tokio::test]
async fn legacy_lists_are_radgrids() -> TestResult {
    let sandbox = Sandbox::start(|_| {}).await?;
    let all = sandbox
        .get(sandbox.bms_web_url("/MSP/TicketsListing.aspx"))
        .await?
        .text()
        .await?;
    let mine = sandbox
        .get(sandbox.bms_web_url("/MSP/MyTickets.aspx"))
        .await?
        .text()
        .await?;
    for (html, title) in [
        (&all, "Demo MSP - Tickets"),
        (&mine, "Demo MSP - My Tickets"),
    ] {
        assert!(html.contains(&format!("<title>{title}</title>")));
        for expected in [
            r#"id="ctl00_phListing_ctrlListing_RadGrid1" class="RadGrid RadGrid_Default""#,
            r#"class="rgHeader" UniqueName="TicketNumber""#,
            r#"<tr class="rgRow""#,
            r#"<div id="ctl00_phListing_ctrlListing_RadMenuWindow_detached""#,
            r##"<li class="rmItem rmFirst"><a class="rmLink" href="#" data-action="open"><span class="rmText">"##,
            r#"<a href="TicketEdit.aspx?ID="#,
        ] {
            assert!(html.contains(expected), "{title}: missing {expected}");
        }
    }
    let count = |html: &str| html.matches("data-ticket-id=").count();
    assert!(count(&mine) > 0 && count(&mine) < count(&all));
    Ok(())
}

// ---------------------------------------------------------------- IT Glue pages

#[tokio::test]
async fn itglue_pages_render_shells_and_page_data() -> TestResult {
    let sandbox = Sandbox::start(|_| {}).await?;
    for page in ITGLUE_PAGES {
        let response = sandbox.get(sandbox.itglue_web_url(page)).await?;
        assert_eq!(response.status(), StatusCode::OK, "{page}");
        let html = response.text().await?;
        assert_external_scripts_only(&html, page);
        assert!(
            html.contains(r#"id="itg-root""#) && html.contains(r#"id="itg-sidebar""#),
            "{page}"
        );
        assert!(
            html.contains(r#"<script src="/static/itglue-app.js" defer>"#),
            "{page}"
        );
    }
    for page in [
        "/9999",
        "/2001/configurations/1",
        "/2001/contacts/x",
        "/abc/tickets",
        "/2001/nothing/here/at/all",
    ] {
        let response = sandbox.get(sandbox.itglue_web_url(page)).await?;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{page}");
    }

    let organizations = sandbox
        .itglue_data("/_sandbox/page-data/organizations")
        .await?;
    assert!(
        rows(&organizations)
            .iter()
            .any(|row| row["id"] == json!("574989297464115201"))
    );
    let configurations = sandbox
        .itglue_data("/_sandbox/page-data/organizations/2001/configurations")
        .await?;
    assert_eq!(
        configurations["organization"]["name"],
        json!("Happy Frog Dental")
    );
    assert!(!rows(&configurations).is_empty());
    let configuration = sandbox
        .itglue_data("/_sandbox/page-data/organizations/2001/configurations/100001")
        .await?;
    let listed = rows(&configurations)
        .iter()
        .find(|row| row["id"] == json!("100001"))
        .ok_or("100001 is listed")?;
    assert_eq!(configuration["name"], listed["name"]);
    assert!(
        configuration["interfaces"]
            .as_array()
            .is_some_and(|list| !list.is_empty())
    );
    let contacts = sandbox
        .itglue_data("/_sandbox/page-data/organizations/2001/contacts")
        .await?;
    assert!(!rows(&contacts).is_empty());
    let contact = sandbox
        .itglue_data("/_sandbox/page-data/organizations/2001/contacts/10001")
        .await?;
    assert!(
        contact["firstName"]
            .as_str()
            .is_some_and(|name| !name.is_empty())
    );
    assert_eq!(contact["organization"]["id"], json!("2001"));
    assert!(
        contact["emails"][0]["value"]
            .as_str()
            .is_some_and(|email| email.contains('@'))
    );
    Ok(())
}

#[tokio::test]
async fn itglue_tickets_view_has_a_placeholder_for_the_bms_ticket_ui() -> TestResult {
    let sandbox = Sandbox::start(|_| {}).await?;
    let linked = sandbox
        .itglue_data("/_sandbox/page-data/organizations/2001/tickets")
        .await?;
    assert_eq!(linked["psaAccountId"], json!("101"));
    assert_eq!(linked["psaIntegrationType"], json!("kaseya-bms"));
    let unlinked = sandbox
        .itglue_data("/_sandbox/page-data/organizations/2006/tickets")
        .await?;
    assert_eq!(unlinked["psaAccountId"], Value::Null);
    let script = sandbox
        .get(sandbox.itglue_web_url("/static/itglue-app.js"))
        .await?
        .text()
        .await?;
    for hook in [
        "itg-psa-tickets-root",
        "data-psa-account-id",
        r#"["tickets", "Tickets", "/tickets"]"#,
    ] {
        assert!(script.contains(hook), "{hook}");
    }
    Ok(())
}

// ---------------------------------------------------------------- CSP

#[tokio::test]
async fn every_page_of_both_web_listeners_follows_the_csp_switch() -> TestResult {
    let sandbox = Sandbox::start(|config| config.csp = CspMode::Strict).await?;
    let mut urls: Vec<String> = BMS_REACT_PAGES
        .iter()
        .chain(BMS_LEGACY_PAGES)
        .chain(&[
            "/react/crm/accounts/999",
            "/static/bms-app.js",
            "/_sandbox/page-data/tickets/118201",
        ])
        .map(|page| sandbox.bms_web_url(page))
        .collect();
    urls.extend(
        ITGLUE_PAGES
            .iter()
            .chain(&["/9999", "/_sandbox/page-data/organizations/2001"])
            .map(|page| sandbox.itglue_web_url(page)),
    );
    let switches = [
        sandbox.bms_web_url("/_sandbox/csp"),
        sandbox.itglue_web_url("/_sandbox/csp"),
    ];
    for (index, (mode, expected)) in [
        ("strict", Some(STRICT_CSP)),
        ("relaxed", Some(RELAXED_CSP)),
        ("off", None),
    ]
    .into_iter()
    .enumerate()
    {
        // Either listener's switch sets the mode of both.
        sandbox.set_csp(switches[index % 2].clone(), mode).await?;
        for url in &urls {
            let response = sandbox.get(url.clone()).await?;
            assert_eq!(
                header_value(&response, "content-security-policy"),
                expected,
                "{mode} {url}"
            );
        }
    }
    let (_, current) = json_of(sandbox.get(switches[1].clone()).await?).await?;
    assert_eq!(current, json!({"mode": "off"}));
    Ok(())
}
