//! First full sync, incremental sync, conflicts, orphans and the one-time push.

use bms_itglue_core::sync::{EntityKind, FieldValue, LinkState, OrphanReason, SyncSettings};
use bms_itglue_sync_runner::manage::{LinkFilter, links};
use bms_itglue_sync_runner::store::load_conflicts;
use bms_itglue_sync_runner::{RunOptions, RunReport};
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::*;

/// The first full sync, checked, and the sandbox it ran on.
async fn synced(dir: &std::path::Path, store: &Memory) -> (Sandbox, RunReport) {
    let sandbox = start(dir).await;
    let first = sync(&sandbox, store, &settings(), &options(true)).await;
    (sandbox, first)
}

/// A linked organization that IT Glue lets the sync edit (not held by IT Glue's own PSA integration).
async fn editable_organization(sandbox: &Sandbox, store: &Memory) -> (String, String) {
    for link in links(store, Some(EntityKind::Organization), LinkFilter::Enabled).await.expect("links") {
        let org = itglue_send(sandbox, Method::GET, &format!("/organizations/{}", link.itg), None).await;
        if org.pointer("/data/attributes/psa-integration").is_none_or(Value::is_null) {
            return (link.bms.to_string(), link.itg.to_string());
        }
    }
    panic!("no editable organization is linked");
}

/// The `skip`-th linked contact that IT Glue lets the sync edit.
async fn linked_contact(sandbox: &Sandbox, store: &Memory, skip: usize) -> (String, String) {
    let mut editable = Vec::new();
    for link in links(store, Some(EntityKind::Contact), LinkFilter::Enabled).await.expect("links") {
        let contact = itglue_send(sandbox, Method::GET, &format!("/contacts/{}", link.itg), None).await;
        if contact.pointer("/data/attributes/psa-integration").is_none_or(Value::is_null) {
            editable.push((link.bms.to_string(), link.itg.to_string()));
        }
    }
    editable.into_iter().nth(skip).expect("enough editable linked contacts")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_full_sync_links_and_creates_both_ways_then_writes_nothing_more() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let store = Memory::default();
    let (sandbox, first) = synced(dir.path(), &store).await;
    assert!(count(&first, EntityKind::Organization, "link") > 0, "{}", first.summary);
    assert!(count(&first, EntityKind::Organization, "create-in-itglue") > 0, "{}", first.summary);
    assert!(count(&first, EntityKind::Contact, "create-in-itglue") > 0, "{}", first.summary);
    assert!(
        count(&first, EntityKind::Location, "create-in-bms") > 0,
        "two-way sync pushes IT Glue records: {}",
        first.summary
    );
    // Every in-scope BMS account (active customers) ends up linked.
    let accounts = sandbox_accounts(&sandbox).await;
    let in_scope: Vec<&Value> =
        accounts.iter().filter(|a| a["accountType"] == "Customer" && a["isActive"] == true).collect();
    let linked = links(&store, Some(EntityKind::Organization), LinkFilter::Enabled).await.expect("links");
    assert_eq!(linked.len(), in_scope.len());
    let again = sync(&sandbox, &store, &settings(), &options(false)).await;
    assert_eq!(writes(&again), 0, "{}", again.summary);
}

async fn sandbox_accounts(sandbox: &Sandbox) -> Vec<Value> {
    let body = bms_send(sandbox, Method::GET, "/v2/crm/accounts/summary?PageSize=1000", None).await;
    body["result"].as_array().cloned().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incremental_sync_carries_only_the_two_edits() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let store = Memory::default();
    let (sandbox, _) = synced(dir.path(), &store).await;
    let (account, organization) = editable_organization(&sandbox, &store).await;
    let (contact_bms, contact_itg) = linked_contact(&sandbox, &store, 0).await;
    let patch = json!([{"op": "replace", "path": "/accountName", "value": "Renamed In BMS Ltd"}]);
    bms_send(&sandbox, Method::PATCH, &format!("/v2/crm/accounts/{account}"), Some(patch)).await;
    let body = json!({"data": {"type": "contacts", "attributes": {"title": "Renamed in IT Glue"}}});
    itglue_send(&sandbox, Method::PATCH, &format!("/contacts/{contact_itg}"), Some(body)).await;

    let report = sync(&sandbox, &store, &settings(), &options(false)).await;
    assert_eq!(count(&report, EntityKind::Organization, "update-itglue"), 1, "{}", report.summary);
    assert_eq!(count(&report, EntityKind::Contact, "update-bms"), 1, "{}", report.summary);
    assert_eq!(writes(&report), 2, "{}", report.summary);
    let bound = bms_itglue_sync::cli::lower_bound(&report);
    assert!(
        report.metrics.requests <= bound + 3,
        "{} requests for a bound of {bound}: {:#?}",
        report.metrics.requests,
        report.metrics
    );
    let org = itglue_send(&sandbox, Method::GET, &format!("/organizations/{organization}"), None).await;
    assert_eq!(org["data"]["attributes"]["name"], "Renamed In BMS Ltd");
    let contact = bms_send(&sandbox, Method::GET, &format!("/v2/crm/contacts/summary/{contact_bms}"), None).await;
    let contact = if contact.get("result").is_some() { contact["result"].clone() } else { contact };
    assert_eq!(contact["jobTitle"], "Renamed in IT Glue");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conflict_goes_to_bms_and_the_log_keeps_the_losing_value() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let store = Memory::default();
    let (sandbox, _) = synced(dir.path(), &store).await;
    let (contact_bms, contact_itg) = linked_contact(&sandbox, &store, 1).await;
    let patch = json!([{"op": "replace", "path": "/jobTitle", "value": "Title from BMS"}]);
    bms_send(&sandbox, Method::PATCH, &format!("/v2/crm/contacts/{contact_bms}"), Some(patch)).await;
    let body = json!({"data": {"type": "contacts", "attributes": {"title": "Title from IT Glue"}}});
    itglue_send(&sandbox, Method::PATCH, &format!("/contacts/{contact_itg}"), Some(body)).await;

    let report = sync(&sandbox, &store, &settings(), &options(false)).await;
    let losing = FieldValue::Text(Some("Title from IT Glue".into()));
    assert!(report.conflicts.iter().any(|c| c.losing_value() == &losing), "{:#?}", report.conflicts);
    let logged = load_conflicts(&store).await.expect("the conflict log loads");
    assert!(logged.iter().any(|c| c.conflict.losing_value() == &losing));
    let contact = itglue_send(&sandbox, Method::GET, &format!("/contacts/{contact_itg}"), None).await;
    assert_eq!(contact["data"]["attributes"]["title"], "Title from BMS");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleted_and_out_of_scope_records_are_orphaned_and_their_itglue_records_kept() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let store = Memory::default();
    let (sandbox, _) = synced(dir.path(), &store).await;
    let (contact_bms, contact_itg) = linked_contact(&sandbox, &store, 2).await;
    let (account, organization) = editable_organization(&sandbox, &store).await;
    bms_send(&sandbox, Method::DELETE, &format!("/v2/crm/contacts/{contact_bms}"), None).await;
    let patch = json!([{"op": "replace", "path": "/isActive", "value": false}]);
    bms_send(&sandbox, Method::PATCH, &format!("/v2/crm/accounts/{account}"), Some(patch)).await;

    let report = sync(&sandbox, &store, &settings(), &options(true)).await;
    assert!(count(&report, EntityKind::Contact, "orphan") >= 1, "{}", report.summary);
    let orphans = links(&store, None, LinkFilter::Orphaned).await.expect("links");
    let state_of =
        |kind: EntityKind, bms: &str| orphans.iter().find(|l| l.kind == kind && l.bms.as_str() == bms).map(|l| l.state);
    assert_eq!(
        state_of(EntityKind::Contact, &contact_bms),
        Some(LinkState::Orphaned { reason: OrphanReason::DeletedInBms })
    );
    assert_eq!(
        state_of(EntityKind::Organization, &account),
        Some(LinkState::Orphaned { reason: OrphanReason::OutOfScope })
    );
    let kept = itglue_send(&sandbox, Method::GET, &format!("/contacts/{contact_itg}"), None).await;
    assert_eq!(kept["data"]["id"], contact_itg.as_str());
    let kept = itglue_send(&sandbox, Method::GET, &format!("/organizations/{organization}"), None).await;
    assert_eq!(kept["data"]["id"], organization.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_one_time_push_dry_run_shows_the_creates_and_the_likely_duplicates() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let sandbox = start(dir.path()).await;
    let store = Memory::default();
    let options = RunOptions { dry_run: true, one_time_push: true, ..options(true) };
    let report = sync(&sandbox, &store, &settings(), &options).await;
    assert!(count(&report, EntityKind::Organization, "create-in-bms") > 0, "{}", report.summary);
    assert!(
        report.plan.iter().any(|op| !op.warnings.is_empty()),
        "some pushed organizations look like existing accounts"
    );
    let wrote = report.metrics.by_route.keys().any(|route| !route.starts_with("GET ") && !route.contains("/security/"));
    assert!(!wrote, "a dry run writes nothing: {:?}", report.metrics.by_route);
    assert!(links(&store, None, LinkFilter::All).await.expect("links").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_one_time_push_creates_accounts_with_their_locations_and_leaves_linked_records_out() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let store = Memory::default();
    let (sandbox, _) = synced(dir.path(), &store).await;
    let push = RunOptions { one_time_push: true, ..options(true) };
    let with_prospects = SyncSettings { account_types: vec!["Customer".into(), "Prospect".into()], ..settings() };
    let report = sync(&sandbox, &store, &with_prospects, &push).await;
    assert!(count(&report, EntityKind::Organization, "create-in-bms") > 0, "{}", report.summary);
    let account_errors: Vec<&String> = report.errors.iter().filter(|e| e.contains("account")).collect();
    assert!(account_errors.is_empty(), "{account_errors:#?}");

    // Fabrikam Logistics was in IT Glue only: BMS now has it, with its IT Glue locations made inside the create.
    let found = bms_send(&sandbox, Method::GET, "/v2/crm/accounts/summary?Filter.AccountName=Fabrikam%20Logistics", None).await;
    let accounts = found["result"].as_array().cloned().unwrap_or_default();
    assert_eq!(accounts.len(), 1, "{found:#}");
    let locations: Vec<&str> =
        accounts[0]["locations"].as_array().into_iter().flatten().filter_map(|l| l["locationName"].as_str()).collect();
    assert!(locations.contains(&"Main Office"), "{locations:?}");
    let linked = links(&store, Some(EntityKind::Location), LinkFilter::Enabled).await.expect("links");
    let account_id = accounts[0]["id"].to_string();
    let location_ids: Vec<String> =
        accounts[0]["locations"].as_array().into_iter().flatten().map(|l| l["id"].to_string()).collect();
    assert!(
        linked.iter().filter(|l| location_ids.contains(&l.bms.to_string())).count() == location_ids.len(),
        "every location of account {account_id} is linked to its IT Glue location"
    );
    // Happy Frog Dental was linked by the first sync: the push does not create it again.
    let happy = bms_send(&sandbox, Method::GET, "/v2/crm/accounts/summary?Filter.AccountName=Happy%20Frog", None).await;
    assert_eq!(happy["result"].as_array().map(Vec::len), Some(1), "{happy:#}");
}
