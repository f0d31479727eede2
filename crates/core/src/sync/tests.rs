//! Tests across the engine: plans for the spec's scenarios, mapping round trips, and the run-level properties
//! (a plan applied and planned again writes nothing; a run killed anywhere and resumed ends like an
//! uninterrupted one). The "apply" side is a small in-memory pair of systems, [`World`].

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use serde_json::{Value, json};

use super::journal::{Journal, find_created_in_bms, find_created_in_itglue, resume};
use super::links::{LinkState, LinkTable, OpResult, OrphanReason};
use super::mapping::bms::{self as bms_map, BmsWriteContext};
use super::mapping::itglue::{self as itg_map, ItgWriteContext};
use super::mapping::{Catalog, IdResolver, NameIds, OperatingSystem, Region};
use super::merge::ConflictCause;
use super::normalize::{MacAddress, SyncDate, Timestamp};
use super::plan::{Listing, NOT_YET_PUSHED, OpId, OpKind, Plan, PlanInputs, PlannedOp, Warning, plan, plan_one_time_push};
use super::records::{
    BmsId, Configuration, Contact, Email, EntityKind, ItgId, Location, Organization, Phone, Record, RecordRef, Side, id_order,
    same_value,
};
use super::render::{RenderError, bms_requests, itglue_requests};
use super::settings::{ConflictPolicies, ConflictPolicy, DirectoryContactTypes, SyncSettings, TwoWay};
use super::snapshot::{BmsEntry, ItgEntry, ItgOrigin, PsaState};

// ---------------------------------------------------------------------------------------------------------------
// Fixtures

fn catalog() -> Catalog {
    let mut c = Catalog::default();
    c.bms.account_types = NameIds::new([("Customer", 2), ("Prospect", 3)]);
    c.bms.asset_categories = NameIds::new([("Workstation", 7), ("Server", 8)]);
    c.bms.manufacturers = NameIds::new([("Dell", 1), ("HP", 2)]);
    c.bms.email_types = NameIds::new([("Work", 1), ("Personal", 2)]);
    c.bms.phone_types = NameIds::new([("Work", 1), ("Mobile", 3)]);
    c.bms.countries = NameIds::new([("United States", 1), ("Canada", 2)]);
    c.bms.defaults.business_type_id = Some(1);
    c.bms.defaults.account_manager_id = Some(5);
    c.bms.defaults.email_type_id = Some(1);
    c.bms.defaults.phone_type_id = Some(1);
    c.itglue.organization_types = NameIds::new([("Customer", 86), ("Prospect", 87)]);
    c.itglue.organization_statuses = NameIds::new([("Active", 68), ("Inactive", 69)]);
    c.itglue.configuration_types = NameIds::new([("Workstation", 64), ("Server", 65), ("Printer", 66)]);
    c.itglue.configuration_statuses = NameIds::new([("Active", 29), ("Inactive", 30)]);
    c.itglue.manufacturers = NameIds::new([("Dell", 60), ("HP", 61)]);
    c.itglue.models = NameIds::new([("Latitude 7440", 3), ("EliteBook 840", 4)]);
    c.itglue.countries = NameIds::new([("United States", 1), ("Canada", 2)]);
    c.itglue.regions = vec![
        Region { id: 10, name: "CA".into(), country_id: 1 },
        Region { id: 11, name: "NY".into(), country_id: 1 },
        Region { id: 20, name: "ON".into(), country_id: 2 },
    ];
    c.itglue.operating_systems = vec![
        OperatingSystem { id: 4, name: "Windows 10".into(), platform: Some("Windows".into()) },
        OperatingSystem { id: 5, name: "Ubuntu 22.04".into(), platform: Some("Linux".into()) },
    ];
    c
}

fn settings() -> SyncSettings {
    SyncSettings {
        account_types: vec!["Customer".into()],
        asset_types: vec!["Workstation".into(), "Server".into(), "Printer".into()],
        contacts: true,
        ..SyncSettings::default()
    }
}

fn t(ms: i64) -> Timestamp {
    Timestamp::from_unix_millis(ms)
}

fn org(name: &str) -> Organization {
    Organization {
        name: name.into(),
        type_name: Some("Customer".into()),
        status: Some("Active".into()),
        ..Organization::default()
    }
}

fn bms_entry(id: &str, account: Option<&str>, record: Record) -> BmsEntry {
    BmsEntry { id: BmsId::new(id), account: account.map(BmsId::new), created_on: Some(t(1)), modified_on: Some(t(1)), record }
}

fn itg_entry(id: &str, organization: Option<&str>, record: Record) -> ItgEntry {
    ItgEntry {
        id: ItgId::new(id),
        organization: organization.map(ItgId::new),
        created_at: Some(t(1)),
        updated_at: Some(t(1)),
        psa: PsaState::None,
        origin: ItgOrigin::Manual,
        push_requested: false,
        record,
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The in-memory pair of systems

/// Both systems and the link table, held as canonical records. Writes land the way the real APIs would store
/// them; [`World::plan`] reads everything back as a complete listing.
#[derive(Debug, Clone)]
struct World {
    bms: Vec<BmsEntry>,
    itg: Vec<ItgEntry>,
    links: LinkTable,
    clock: i64,
    next_id: u64,
    /// Which operation created each record, to prove no operation creates twice.
    created_by: Vec<OpId>,
}

impl World {
    fn new(bms: Vec<BmsEntry>, itg: Vec<ItgEntry>, links: LinkTable) -> Self {
        World { bms, itg, links, clock: 100, next_id: 1, created_by: Vec::new() }
    }

    fn plan(&self, settings: &SyncSettings, catalog: &Catalog) -> Plan {
        plan(&PlanInputs {
            bms: Listing { records: &self.bms, complete: true, deleted: &[] },
            itglue: Listing { records: &self.itg, complete: true, deleted: &[] },
            links: &self.links,
            settings,
            catalog,
            now: t(self.clock),
        })
    }

    /// BMS stores only BMS ids: a reference to an IT Glue record becomes its BMS twin's id.
    fn bms_refs(&self, record: &Record) -> Record {
        let mut out = record.clone();
        out.rewrite_refs(|field, r| match r {
            RecordRef::ItGlue(id) => {
                let kind = field.ref_kind().unwrap_or(EntityKind::Organization);
                self.links.bms_for(kind, id).map_or_else(|| r.clone(), RecordRef::Bms)
            }
            RecordRef::Bms(_) => r.clone(),
        });
        out
    }

    fn fresh_id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}{}", self.next_id)
    }

    /// The remote effect of an operation (nothing for the engine's own bookkeeping).
    fn effect(&mut self, op: &PlannedOp) -> OpResult {
        self.clock += 1;
        let now = t(self.clock);
        match &op.op {
            OpKind::CreateInItGlue { record } | OpKind::RecheckThenCreate { side: Side::ItGlue, record, .. } => {
                let id = ItgId::new(self.fresh_id("new-itg-"));
                let organization = match op.entity {
                    EntityKind::Organization => None,
                    _ => op
                        .organization
                        .clone()
                        .or_else(|| op.account.as_ref().and_then(|a| self.links.itg_for(EntityKind::Organization, a))),
                };
                let mut entry = itg_entry(id.as_str(), None, record.clone());
                entry.organization = organization;
                entry.created_at = Some(now);
                entry.updated_at = Some(now);
                self.itg.push(entry);
                self.created_by.push(op.id.clone());
                OpResult { bms: None, itg: Some(id) }
            }
            OpKind::CreateInBms { record, .. } | OpKind::RecheckThenCreate { side: Side::Bms, record, .. } => {
                let id = BmsId::new(self.fresh_id("new-bms-"));
                let account = match op.entity {
                    EntityKind::Organization => None,
                    _ => op
                        .account
                        .clone()
                        .or_else(|| op.organization.as_ref().and_then(|o| self.links.bms_for(EntityKind::Organization, o))),
                };
                let record = self.bms_refs(record);
                self.bms.push(BmsEntry { id: id.clone(), account, created_on: Some(now), modified_on: Some(now), record });
                self.created_by.push(op.id.clone());
                OpResult { bms: Some(id), itg: None }
            }
            OpKind::UpdateItGlue { changes, target } => {
                let kind = op.entity;
                if let Some(entry) = self.itg.iter_mut().find(|e| Some(&e.id) == op.itg.as_ref() && e.kind() == kind) {
                    for c in changes {
                        entry.record.copy_field(target, c.field).unwrap();
                    }
                    entry.updated_at = Some(now);
                }
                OpResult::default()
            }
            OpKind::UpdateBms { changes, target } => {
                let target = self.bms_refs(target);
                let kind = op.entity;
                if let Some(entry) = self.bms.iter_mut().find(|e| Some(&e.id) == op.bms.as_ref() && e.kind() == kind) {
                    for c in changes {
                        entry.record.copy_field(&target, c.field).unwrap();
                    }
                    entry.modified_on = Some(now);
                }
                OpResult::default()
            }
            _ => OpResult::default(),
        }
    }

    fn record(&mut self, op: &PlannedOp, result: &OpResult) {
        self.links.apply(op, result, t(self.clock)).unwrap();
    }

    fn run(&mut self, plan: &Plan) {
        for op in &plan.ops {
            let result = self.effect(op);
            self.record(op, &result);
        }
    }
}

fn show(plan: &Plan) -> String {
    plan.ops
        .iter()
        .map(|o| format!("  {} {} {:?}/{:?}: {}", o.op.name(), o.entity, o.bms, o.itg, o.reason))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The second plan writes nothing, and does nothing but report skips; `first` is shown when it does more.
fn assert_quiet(first: &Plan, second: &Plan) {
    let acts = second.writes().count() > 0 || second.ops.iter().any(|o| o.op != OpKind::Skipped);
    assert!(!acts, "a second plan still acts:\n{}\nafter:\n{}", show(second), show(first));
}

// ---------------------------------------------------------------------------------------------------------------
// Plans for the spec's scenarios

#[test]
fn a_new_account_is_matched_by_name_or_created_with_its_children() {
    let bms = vec![
        bms_entry("101", None, Record::Organization(org("Happy Frog"))),
        bms_entry("102", None, Record::Organization(org("Blue Heron"))),
        bms_entry("201", Some("102"), Record::Location(Location { name: "HQ".into(), main: true, ..Location::default() })),
    ];
    let itg =
        vec![itg_entry("2", None, Record::Organization(Organization { short_name: Some("frog".into()), ..org("Happy Frog") }))];
    let world = World::new(bms, itg, LinkTable::new());
    let p = world.plan(&settings(), &catalog());
    let ops: Vec<(&str, EntityKind)> = p.ops.iter().map(|o| (o.op.name(), o.entity)).collect();
    assert_eq!(
        ops,
        [
            ("link", EntityKind::Organization),
            ("create-in-itglue", EntityKind::Organization),
            ("log-conflict", EntityKind::Organization),
            ("update-itglue", EntityKind::Organization),
            ("create-in-itglue", EntityKind::Location),
        ]
    );
    assert_eq!(p.ops[0].reason, "matched on account name");
    assert_eq!(p.ops[1].reason, "no IT Glue organization named \"Blue Heron\"; will create");
    assert_eq!(p.ops[2].reason, "matched: Kaseya BMS's short name replaces IT Glue's frog");
    assert_eq!(p.ops[4].depends_on, vec![p.ops[1].id.clone()], "the location waits for its organization");
    let summary = p.summary();
    assert_eq!(summary.counts[&EntityKind::Organization]["create-in-itglue"], 1);
    assert!(summary.to_string().contains("location: 1 create-in-itglue"));
}

#[test]
fn contacts_are_left_alone_when_contacts_sync_is_off() {
    let bms = vec![
        bms_entry("101", None, Record::Organization(org("Acme"))),
        bms_entry("401", Some("101"), Record::Contact(Contact { first_name: Some("Ann".into()), ..Contact::default() })),
    ];
    let world = World::new(bms, Vec::new(), LinkTable::new());
    let p = world.plan(&SyncSettings { contacts: false, ..settings() }, &catalog());
    assert!(p.ops.iter().all(|o| o.entity != EntityKind::Contact));
}

fn linked_world(bms_org: Organization, itg_org: Organization, base: Organization) -> World {
    let mut links = LinkTable::new();
    links.link(EntityKind::Organization, BmsId::new("101"), ItgId::new("2"), Record::Organization(base), t(1)).unwrap();
    World::new(
        vec![bms_entry("101", None, Record::Organization(bms_org))],
        vec![itg_entry("2", None, Record::Organization(itg_org))],
        links,
    )
}

#[test]
fn orphans_when_deleted_or_out_of_scope_and_back_when_in_scope() {
    // Deleted in BMS: orphaned, the IT Glue record is kept (no operation touches it).
    let mut world = linked_world(org("Acme"), org("Acme"), org("Acme"));
    world.bms.clear();
    let p = world.plan(&settings(), &catalog());
    assert_eq!(p.ops.len(), 1);
    assert_eq!(p.ops[0].op, OpKind::Orphan { reason: OrphanReason::DeletedInBms });
    world.run(&p);
    assert_eq!(world.itg.len(), 1);
    assert_quiet(&p, &world.plan(&settings(), &catalog()));

    // Moved to a type that is not synced: orphaned too; moved back: syncing resumes.
    let mut world = linked_world(Organization { type_name: Some("Prospect".into()), ..org("Acme") }, org("Acme"), org("Acme"));
    let p = world.plan(&settings(), &catalog());
    assert_eq!(p.ops[0].op, OpKind::Orphan { reason: OrphanReason::OutOfScope });
    world.run(&p);
    world.bms[0].record = Record::Organization(org("Acme"));
    let p = world.plan(&settings(), &catalog());
    assert_eq!(p.ops[0].op, OpKind::Reenable);
    world.run(&p);
    assert_eq!(world.links.get(EntityKind::Organization, &BmsId::new("101")).unwrap().state, LinkState::Enabled);
}

#[test]
fn an_orphaned_accounts_children_are_orphaned_with_it() {
    let mut links = LinkTable::new();
    links.link(EntityKind::Organization, BmsId::new("101"), ItgId::new("2"), Record::Organization(org("Acme")), t(1)).unwrap();
    let loc = Record::Location(Location { name: "HQ".into(), ..Location::default() });
    links.link(EntityKind::Location, BmsId::new("201"), ItgId::new("20"), loc.clone(), t(1)).unwrap();
    let bms = vec![
        bms_entry("101", None, Record::Organization(Organization { status: Some("Inactive".into()), ..org("Acme") })),
        bms_entry("201", Some("101"), loc.clone()),
    ];
    let itg = vec![itg_entry("2", None, Record::Organization(org("Acme"))), itg_entry("20", Some("2"), loc)];
    let p = World::new(bms, itg, links).plan(&settings(), &catalog());
    let orphans: Vec<EntityKind> = p.ops.iter().filter(|o| matches!(o.op, OpKind::Orphan { .. })).map(|o| o.entity).collect();
    assert_eq!(orphans, [EntityKind::Organization, EntityKind::Location]);
}

#[test]
fn disconnected_pairs_are_not_synced_until_reconnected() {
    let mut world = linked_world(Organization { short_name: Some("NEW".into()), ..org("Acme") }, org("Acme"), org("Acme"));
    world.links.disconnect(EntityKind::Organization, &BmsId::new("101"), t(2)).unwrap();
    assert!(world.plan(&settings(), &catalog()).ops.is_empty());
    world.links.reconnect(EntityKind::Organization, &BmsId::new("101"), t(3)).unwrap();
    let p = world.plan(&settings(), &catalog());
    assert_eq!(p.ops[0].op.name(), "update-itglue");
}

#[test]
fn deleting_an_orphan_goes_through_its_confirmation() {
    let mut world = linked_world(org("Acme"), org("Acme"), org("Acme"));
    world.bms.clear();
    world.run(&world.plan(&settings(), &catalog()));
    let kind = EntityKind::Organization;
    let confirmation = world.links.confirm_orphan_deletion(kind, &ItgId::new("2")).unwrap();
    let deletion = world.links.delete_orphan(confirmation).unwrap();
    assert_eq!(deletion.itg, ItgId::new("2"));
    assert!(world.links.is_empty());
}

#[test]
fn with_two_way_off_it_glue_edits_are_overwritten_and_logged() {
    let base = Organization { short_name: Some("ACME".into()), ..org("Acme") };
    let world = linked_world(base.clone(), Organization { short_name: Some("ACM".into()), ..org("Acme") }, base);
    let p = world.plan(&settings(), &catalog());
    let names: Vec<&str> = p.ops.iter().map(|o| o.op.name()).collect();
    assert_eq!(names, ["log-conflict", "update-itglue"]);
    assert_eq!(p.ops[1].reason, "two-way sync is off; IT Glue change to short name not pushed");
    let OpKind::LogConflict { conflict } = &p.ops[0].op else { panic!("not a conflict") };
    assert_eq!(conflict.cause, ConflictCause::TwoWayOff);
    assert_eq!(conflict.losing_value().to_string(), "ACM");
}

#[test]
fn with_two_way_on_it_glue_edits_reach_bms() {
    let base = Organization { short_name: Some("ACME".into()), ..org("Acme") };
    let world = linked_world(base.clone(), Organization { short_name: Some("ACM".into()), ..org("Acme") }, base);
    let s = SyncSettings { two_way: TwoWay::On { since: t(0) }, ..settings() };
    let p = world.plan(&s, &catalog());
    assert_eq!(p.ops.len(), 1);
    assert_eq!(p.ops[0].reason, "IT Glue changed short name (two-way sync)");
    let rendered = bms_requests(&p.ops[0], &world.links, &catalog(), &s, None).unwrap();
    assert_eq!(rendered.requests[0].body, json!([{"op": "replace", "path": "/accountCode", "value": "ACM"}]));
}

#[test]
fn pre_existing_it_glue_records_wait_for_an_edit() {
    let s = SyncSettings { two_way: TwoWay::On { since: t(50) }, ..settings() };
    let mut old = itg_entry("7", None, Record::Organization(org("Old Co")));
    old.updated_at = Some(t(10));
    let mut edited = itg_entry("8", None, Record::Organization(org("Edited Co")));
    edited.updated_at = Some(t(60));
    let mut requested = itg_entry("9", None, Record::Organization(org("Asked Co")));
    requested.updated_at = Some(t(10));
    requested.push_requested = true;
    let world = World::new(Vec::new(), vec![old, edited, requested], LinkTable::new());
    let p = world.plan(&s, &catalog());
    let got: Vec<(&str, &str)> = p.ops.iter().map(|o| (o.itg.as_ref().map_or("", ItgId::as_str), o.op.name())).collect();
    assert_eq!(got, [("7", "skipped"), ("8", "create-in-bms"), ("9", "create-in-bms")]);
    assert_eq!(p.ops[0].reason, NOT_YET_PUSHED);
    // Two-way sync off: nothing goes to BMS at all.
    assert!(world.plan(&settings(), &catalog()).ops.is_empty());
}

#[test]
fn directory_contacts_are_pushed_only_with_bms_types_chosen() {
    let mut links = LinkTable::new();
    links.link(EntityKind::Organization, BmsId::new("101"), ItgId::new("2"), Record::Organization(org("Acme")), t(1)).unwrap();
    links
        .link(
            EntityKind::Location,
            BmsId::new("201"),
            ItgId::new("20"),
            Record::Location(Location { name: "HQ".into(), ..Location::default() }),
            t(1),
        )
        .unwrap();
    let contact = Contact {
        first_name: Some("Ann".into()),
        emails: vec![Email { address: "ann@acme.com".into(), primary: true, label: Some("Work".into()) }],
        phones: vec![Phone { number: "4155550100".into(), extension: None, primary: true, label: Some("Work".into()) }],
        location: Some(RecordRef::ItGlue(ItgId::new("20"))),
        ..Contact::default()
    };
    let mut entry = itg_entry("30", Some("2"), Record::Contact(contact));
    entry.origin = ItgOrigin::ActiveDirectory;
    let bms = vec![
        bms_entry("101", None, Record::Organization(org("Acme"))),
        bms_entry("201", Some("101"), Record::Location(Location { name: "HQ".into(), ..Location::default() })),
    ];
    let itg = vec![
        itg_entry("2", None, Record::Organization(org("Acme"))),
        itg_entry("20", Some("2"), Record::Location(Location { name: "HQ".into(), ..Location::default() })),
        entry,
    ];
    let world = World::new(bms, itg, links);
    let off = SyncSettings { two_way: TwoWay::On { since: t(50) }, ..settings() };
    let p = world.plan(&off, &catalog());
    assert_eq!(p.ops.iter().map(|o| o.reason.as_str()).collect::<Vec<_>>(), [NOT_YET_PUSHED]);
    let types = DirectoryContactTypes { email_type: "Personal".into(), phone_type: "Mobile".into() };
    let on = SyncSettings { directory_contact_types: Some(types), ..off };
    let p = world.plan(&on, &catalog());
    assert_eq!(p.ops[0].op.name(), "create-in-bms");
    assert_eq!(p.ops[0].account, Some(BmsId::new("101")));
    let rendered = bms_requests(&p.ops[0], &world.links, &catalog(), &on, None).unwrap();
    let body = &rendered.requests[0].body;
    assert_eq!(body["emails"][0]["emailTypeId"], 2, "the type chosen for directory contacts");
    assert_eq!(body["phones"][0]["phoneTypeId"], 3);
    assert_eq!(body["locationId"], 201);
}

#[test]
fn an_it_glue_record_matching_an_unsynced_bms_record_is_not_pushed() {
    let s = SyncSettings { two_way: TwoWay::On { since: t(0) }, ..settings() };
    let prospect = Organization { type_name: Some("Prospect".into()), ..org("Acme") };
    let mut entry = itg_entry("2", None, Record::Organization(org("Acme")));
    entry.updated_at = Some(t(5));
    let p = World::new(vec![bms_entry("101", None, Record::Organization(prospect))], vec![entry], LinkTable::new())
        .plan(&s, &catalog());
    assert_eq!(p.ops.len(), 1);
    assert!(p.ops[0].reason.contains("matches account #101"), "{}", p.ops[0].reason);
}

#[test]
fn a_configurations_contact_from_another_account_is_left_out() {
    let bms = vec![
        bms_entry("101", None, Record::Organization(org("Acme"))),
        bms_entry("102", None, Record::Organization(org("Beta"))),
        bms_entry("401", Some("102"), Record::Contact(Contact { first_name: Some("Bo".into()), ..Contact::default() })),
        bms_entry(
            "601",
            Some("101"),
            Record::Configuration(Box::new(Configuration {
                name: "PC-1".into(),
                configuration_type: Some("Workstation".into()),
                status: Some("Active".into()),
                contact: Some(RecordRef::Bms(BmsId::new("401"))),
                ..Configuration::default()
            })),
        ),
    ];
    let p = World::new(bms, Vec::new(), LinkTable::new()).plan(&settings(), &catalog());
    let create = p.ops.iter().find(|o| o.entity == EntityKind::Configuration).unwrap();
    let OpKind::CreateInItGlue { record: Record::Configuration(c) } = &create.op else { panic!("not a configuration create") };
    assert_eq!(c.contact, None);
}

#[test]
fn unknown_categories_are_reported_not_created() {
    let bms = vec![
        bms_entry("101", None, Record::Organization(org("Acme"))),
        bms_entry(
            "601",
            Some("101"),
            Record::Configuration(Box::new(Configuration {
                name: "Router".into(),
                configuration_type: Some("Network".into()),
                status: Some("Active".into()),
                ..Configuration::default()
            })),
        ),
    ];
    let s = SyncSettings { asset_types: vec!["Network".into()], ..settings() };
    let p = World::new(bms, Vec::new(), LinkTable::new()).plan(&s, &catalog());
    let skip = p.ops.iter().find(|o| o.entity == EntityKind::Configuration).unwrap();
    assert_eq!(skip.op, OpKind::Skipped);
    assert_eq!(skip.reason, "cannot create the IT Glue configuration: IT Glue has no configuration type named \"Network\"");
}

#[test]
fn psa_locked_records_are_linked_but_not_overwritten() {
    let world = {
        let mut w = World::new(
            vec![bms_entry("101", None, Record::Organization(Organization { short_name: Some("X".into()), ..org("Acme") }))],
            vec![itg_entry("2", None, Record::Organization(org("Acme")))],
            LinkTable::new(),
        );
        w.itg[0].psa = PsaState::Enabled;
        w
    };
    let p = world.plan(&settings(), &catalog());
    let names: Vec<&str> = p.ops.iter().map(|o| o.op.name()).collect();
    assert_eq!(names, ["link", "skipped"]);
    assert!(p.ops[1].reason.starts_with("not written to IT Glue: short name (IT Glue locks it"), "{}", p.ops[1].reason);
}

#[test]
fn children_render_against_the_organization_created_before_them() {
    let bms = vec![
        bms_entry("101", None, Record::Organization(org("Acme"))),
        bms_entry("201", Some("101"), Record::Location(Location { name: "HQ".into(), main: true, ..Location::default() })),
    ];
    let mut world = World::new(bms, Vec::new(), LinkTable::new());
    let p = world.plan(&settings(), &catalog());
    assert!(matches!(itglue_requests(&p.ops[1], &world.links, &catalog()), Err(RenderError::OwnerNotLinked { .. })));
    let result = world.effect(&p.ops[0]);
    world.record(&p.ops[0], &result);
    let rendered = itglue_requests(&p.ops[1], &world.links, &catalog()).unwrap();
    let org_id = world.links.itg_for(EntityKind::Organization, &BmsId::new("101")).unwrap();
    assert_eq!(rendered.requests[0].attributes["organization_id"], Value::String(org_id.to_string()));
    assert_eq!(rendered.requests[0].attributes["primary"], true);
}

#[test]
fn the_one_time_push_creates_everything_and_flags_likely_duplicates() {
    let s = SyncSettings { account_types: vec!["Customer".into()], ..settings() };
    let itg = vec![
        itg_entry(
            "1",
            None,
            Record::Organization(Organization { parent: Some(RecordRef::ItGlue(ItgId::new("3"))), ..org("Acme, Inc.") }),
        ),
        itg_entry("3", None, Record::Organization(org("Holding"))),
        itg_entry("4", None, Record::Organization(org("ACME Inc"))),
        itg_entry("5", None, Record::Organization(Organization { type_name: Some("Vendor".into()), ..org("Parts Co") })),
    ];
    let bms = vec![bms_entry("101", None, Record::Organization(org("Acme Inc")))];
    let p = plan_one_time_push(&itg, &bms, &s, &catalog());
    let creates: Vec<&PlannedOp> = p.ops.iter().filter(|o| matches!(o.op, OpKind::CreateInBms { .. })).collect();
    assert_eq!(creates.len(), 3, "no matching: even likely duplicates are created");
    let OpKind::CreateInBms { record: Record::Organization(first), .. } = &creates[0].op else { panic!("not an organization") };
    assert_eq!(first.parent, None, "parent-child relationships are not pushed");
    assert!(creates[0].reason.contains("parent organization is not carried over"));
    assert_eq!(
        creates[0].warnings,
        vec![Warning::LikelyDuplicate { side: Side::Bms, id: "101".into(), name: "Acme Inc".into() }]
    );
    assert!(creates[2].warnings.contains(&Warning::LikelyDuplicate {
        side: Side::ItGlue,
        id: "1".into(),
        name: "Acme, Inc.".into()
    }));
    let skipped = p.ops.iter().find(|o| o.op == OpKind::Skipped).unwrap();
    assert_eq!(skipped.itg, Some(ItgId::new("5")));
}

// ---------------------------------------------------------------------------------------------------------------
// Mapping round trips

/// A link table that resolves every reference the generators make.
fn ref_links() -> LinkTable {
    let mut links = LinkTable::new();
    for kind in EntityKind::SYNC_ORDER {
        for n in 1..=3 {
            let (b, i) = (BmsId::new(format!("{n}")), ItgId::new(format!("90000000000000000{n}")));
            links.link(kind, b, i, Record::empty(kind), t(0)).unwrap();
        }
    }
    links
}

fn text(options: &'static [&'static str]) -> impl Strategy<Value = Option<String>> + Clone {
    proptest::option::of(prop::sample::select(options).prop_map(str::to_owned))
}

fn bms_ref() -> impl Strategy<Value = Option<RecordRef>> + Clone {
    proptest::option::of((1u8..=3).prop_map(|n| RecordRef::Bms(BmsId::new(n.to_string()))))
}

fn date() -> impl Strategy<Value = Option<SyncDate>> + Clone {
    proptest::option::of((2000i32..2030, 1u32..=12, 1u32..=28).prop_filter_map("a real date", |(y, m, d)| SyncDate::new(y, m, d)))
}

fn organization() -> impl Strategy<Value = Record> {
    (
        prop::sample::select(vec!["Acme", "Happy Frog", "Blue  Heron"]),
        prop::sample::select(vec!["Customer", "prospect"]),
        text(&["Active", "Inactive"]),
        bms_ref(),
        text(&["ACME", "hf"]),
    )
        .prop_map(|(name, kind, status, parent, short)| {
            Record::Organization(Organization {
                name: name.into(),
                type_name: Some(kind.into()),
                status,
                parent,
                short_name: short,
            })
        })
}

fn location() -> impl Strategy<Value = Record> {
    let place = prop::sample::select(vec![
        (None, None),
        (Some("United States"), Some("CA")),
        (Some("united states"), None),
        (Some("Canada"), Some("ON")),
    ]);
    (
        prop::sample::select(vec!["HQ", "Branch 2"]),
        any::<bool>(),
        text(&["1 Main St", "22 Side Rd"]),
        text(&["Suite 5"]),
        text(&["Springfield"]),
        place,
        text(&["95014", "K1A 0B1"]),
        text(&["(408) 555-0100", "4085550101"]),
        text(&["408-555-0199"]),
    )
        .prop_map(|(name, main, a1, a2, city, (country, state), zip, phone, fax)| {
            Record::Location(Location {
                name: name.into(),
                main,
                address1: a1,
                address2: a2,
                city,
                state: state.map(Into::into),
                postal_code: zip,
                country: country.map(Into::into),
                phone,
                fax,
            })
        })
}

fn contact() -> impl Strategy<Value = Record> {
    let email =
        (prop::sample::select(vec!["ann@acme.com", "Bob@Acme.com", "x@y.org"]), any::<bool>(), text(&["Work", "Personal"]))
            .prop_map(|(a, primary, label)| Email { address: a.into(), primary, label });
    let phone = (
        prop::sample::select(vec!["(415) 555-2156", "8134890123", "+1 212 555 0100"]),
        text(&["12", "7"]),
        any::<bool>(),
        text(&["Work", "Mobile"]),
    )
        .prop_map(|(n, ext, primary, label)| Phone { number: n.into(), extension: ext, primary, label });
    let unique_emails = prop::collection::vec(email, 0..3).prop_map(|mut v| {
        let mut seen = BTreeSet::new();
        v.retain(|e| seen.insert(e.address.to_lowercase()));
        v
    });
    let unique_phones = prop::collection::vec(phone, 0..3).prop_map(|mut v| {
        let mut seen = BTreeSet::new();
        v.retain(|p| seen.insert(p.number.clone()));
        v
    });
    (
        text(&["Ann", "Bob"]),
        text(&["Lee", "Ng"]),
        text(&["CTO", "Director of IT"]),
        unique_emails,
        unique_phones,
        bms_ref(),
        any::<bool>(),
    )
        .prop_map(|(first, last, title, emails, phones, location, important)| {
            Record::Contact(Contact { first_name: first, last_name: last, title, emails, phones, location, important })
        })
}

fn configuration() -> impl Strategy<Value = Record> {
    // An operating system IT Glue knows comes with its platform; one it does not know has none there.
    let os = prop::sample::select(vec![
        (None, None),
        (Some("Windows 10"), Some("Windows")),
        (Some("Ubuntu 22.04"), Some("linux")),
        (Some("FreeBSD 14"), None),
    ]);
    (
        (
            prop::sample::select(vec!["PC-1", "srv 2"]),
            text(&["BP6549"]),
            bms_ref(),
            text(&["10.0.0.1"]),
            text(&["Active", "Inactive"]),
            prop::sample::select(vec!["Workstation", "Server"]),
        ),
        (
            text(&["10.0.0.5", "fe80::1"]),
            (1u8..=3).prop_map(|n| RecordRef::Bms(BmsId::new(n.to_string()))),
            text(&["Dell", "HP"]),
            text(&["Latitude 7440"]),
            text(&["line one\nline two", "note"]),
        ),
        (
            os,
            text(&["Rack 4", "Closet"]),
            date(),
            text(&["C03R3LT7THV8"]),
            proptest::option::of(prop::sample::select(vec!["aa:bb:cc:dd:ee:ff", "02-00-00-00-00-01"])),
            date(),
        ),
    )
        .prop_map(
            |(
                (name, tag, contact, gw, status, kind),
                (ip, loc, manufacturer, model, notes),
                ((os, platform), position, bought, serial, mac, warranty),
            )| {
                Record::Configuration(Box::new(Configuration {
                    name: name.into(),
                    asset_tag: tag,
                    contact,
                    default_gateway: gw,
                    status,
                    configuration_type: Some(kind.into()),
                    primary_ip: ip,
                    location: Some(loc),
                    manufacturer,
                    model,
                    notes,
                    operating_system: os.map(Into::into),
                    position,
                    platform: platform.map(Into::into),
                    purchased_at: bought,
                    serial_number: serial,
                    primary_mac: mac.and_then(MacAddress::parse),
                    warranty_expires_at: warranty,
                }))
            },
        )
}

fn any_record() -> impl Strategy<Value = Record> {
    prop_oneof![organization(), location(), contact(), configuration()]
}

fn assert_same(before: &Record, after: &Record) -> Result<(), TestCaseError> {
    for &f in before.fields() {
        prop_assert!(same_value(before.get(f), after.get(f)), "{f}: {:?} became {:?}", before.get(f), after.get(f));
    }
    Ok(())
}

/// Applies JSON Patch `replace` operations to an object, the way BMS applies a contact's follow-up patch.
fn patch(body: &mut Value, ops: &[Value]) {
    for op in ops {
        let key = op["path"].as_str().unwrap_or_default().trim_start_matches('/').to_owned();
        body[key] = op["value"].clone();
    }
}

proptest! {
    #[test]
    fn it_glue_round_trip(record in any_record()) {
        let (cat, links) = (catalog(), ref_links());
        let ctx = ItgWriteContext { catalog: &cat, resolver: &links };
        let out = itg_map::create(&record, Some(&ItgId::new("2")), &ctx).unwrap();
        prop_assert!(out.dropped.is_empty(), "{:?}", out.dropped);
        let back = itg_map::record(record.kind(), &out.requests[0].attributes, &[], &cat, &links).unwrap();
        assert_same(&record, &back)?;
    }

    #[test]
    fn bms_round_trip(record in any_record()) {
        let (cat, links) = (catalog(), ref_links());
        let ctx = BmsWriteContext { catalog: &cat, resolver: &links, directory_types: None };
        let account = BmsId::new("101");
        let out = bms_map::create(&record, Some(&account), &ctx).unwrap();
        let mut body = out.requests[0].body.clone();
        patch(&mut body, &out.follow_up);
        body["id"] = json!(55);
        let entry = match record.kind() {
            EntityKind::Organization => bms_map::account(&body, &cat),
            EntityKind::Location => bms_map::location(&body, &account, &cat),
            EntityKind::Contact => bms_map::contact(&body, &cat),
            EntityKind::Configuration => bms_map::asset(&body, &cat),
        }
        .unwrap();
        assert_same(&record, &entry.record)?;
    }

    #[test]
    fn updates_round_trip_through_the_current_record(record in configuration()) {
        let (cat, links) = (catalog(), ref_links());
        let ctx = BmsWriteContext { catalog: &cat, resolver: &links, directory_types: None };
        let current = json!({"id": 601, "name": "old", "accountId": 101, "accountLocationId": 1, "categoryId": 7, "macAddress": "11:22:33:44:55:66; 02:00:00:00:00:09"});
        let target = super::mapping::bms::BmsTarget { id: &BmsId::new("601"), account: None };
        let out = bms_map::update(target, &record, &record, record.fields(), Some(&current), &ctx).unwrap();
        let mut body = out.requests[0].body.clone();
        prop_assert!(body.get("id").is_none(), "the id goes in the route, not the body");
        body["id"] = json!(601);
        let back = bms_map::asset(&body, &cat).unwrap();
        assert_same(&record, &back.record)?;
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Run-level properties over random worlds

/// (name, type, active, parent position, created)
type BmsOrgSeed = (u8, u8, bool, Option<u8>, u8);
/// (name, type, active, parent position, created, updated, push requested)
type ItgOrgSeed = (u8, u8, bool, Option<u8>, u8, u8, bool);
/// (kind, owner position, name, variant, reference a, reference b, created)
type BmsChildSeed = (u8, u8, u8, u8, Option<u8>, Option<u8>, u8);
/// (kind, owner position, name, variant, reference a, reference b, (created, updated, psa and origin, push requested))
type ItgChildSeed = (u8, u8, u8, u8, Option<u8>, Option<u8>, (u8, u8, u8, bool));
/// (kind, BMS position, IT Glue position, state, base from)
type LinkSeed = (u8, u8, u8, u8, u8);

/// A compact description of two systems and their links, from which [`build`] makes a [`World`].
#[derive(Debug, Clone)]
struct Seed {
    bms_orgs: Vec<BmsOrgSeed>,
    itg_orgs: Vec<ItgOrgSeed>,
    bms_children: Vec<BmsChildSeed>,
    itg_children: Vec<ItgChildSeed>,
    links: Vec<LinkSeed>,
    contacts: bool,
    two_way: bool,
    policy: u8,
}

fn seed() -> impl Strategy<Value = Seed> {
    (
        prop::collection::vec((0u8..5, 0u8..3, any::<bool>(), proptest::option::of(0u8..4), 0u8..100), 0..4),
        prop::collection::vec(
            (0u8..5, 0u8..3, any::<bool>(), proptest::option::of(0u8..4), 0u8..100, 0u8..100, any::<bool>()),
            0..4,
        ),
        prop::collection::vec(
            (0u8..3, 0u8..4, 0u8..3, 0u8..4, proptest::option::of(0u8..4), proptest::option::of(0u8..4), 0u8..100),
            0..8,
        ),
        prop::collection::vec(
            (
                0u8..3,
                0u8..4,
                0u8..3,
                0u8..4,
                proptest::option::of(0u8..4),
                proptest::option::of(0u8..4),
                (0u8..100, 0u8..100, 0u8..6, any::<bool>()),
            ),
            0..8,
        ),
        prop::collection::vec((0u8..4, 0u8..6, 0u8..6, 0u8..6, 0u8..3), 0..8),
        any::<bool>(),
        any::<bool>(),
        0u8..3,
    )
        .prop_map(|(bms_orgs, itg_orgs, bms_children, itg_children, links, contacts, two_way, policy)| Seed {
            bms_orgs,
            itg_orgs,
            bms_children,
            itg_children,
            links,
            contacts,
            two_way,
            policy,
        })
}

// Names collide often and most accounts are synced, so matches, children and conflicts are common.
const ORG_NAMES: [&str; 5] = ["Acme", "acme", "Beta", "Acme", "Gamma Inc."];
const ORG_TYPES: [&str; 3] = ["Customer", "Customer", "Prospect"];

fn seed_org(name: u8, kind: u8, active: bool, parent: Option<RecordRef>) -> Record {
    Record::Organization(Organization {
        name: ORG_NAMES[usize::from(name) % ORG_NAMES.len()].into(),
        type_name: Some(ORG_TYPES[usize::from(kind) % ORG_TYPES.len()].into()),
        status: Some(if active { "Active" } else { "Inactive" }.into()),
        parent,
        short_name: name.is_multiple_of(2).then(|| format!("S{name}")),
    })
}

/// A child record; `variant` varies the synced values, `a` and `b` are references (by position).
fn seed_child(kind: u8, name: u8, variant: u8, a: Option<RecordRef>, b: Option<RecordRef>) -> Record {
    let v = usize::from(variant);
    match kind % 3 {
        0 => Record::Location(Location {
            name: ["HQ", "Branch"][usize::from(name) % 2].into(),
            main: variant.is_multiple_of(2),
            address1: Some(["1 Main St", "9 Side Rd"][v % 2].into()),
            city: Some("Springfield".into()),
            country: Some("United States".into()),
            state: Some(["CA", "Texas"][v / 2 % 2].into()),
            phone: (variant == 3).then(|| "(408) 555-0100".into()),
            ..Location::default()
        }),
        1 => Record::Contact(Contact {
            first_name: Some(["Ann", "Bob", "Cy"][usize::from(name) % 3].into()),
            last_name: Some("Lee".into()),
            title: [None, Some("CTO".into()), Some("CFO".into()), None][v % 4].clone(),
            emails: if variant.is_multiple_of(2) {
                vec![Email { address: "a@x.com".into(), primary: true, label: Some("Work".into()) }]
            } else {
                Vec::new()
            },
            phones: if variant < 2 {
                vec![Phone { number: "4155550100".into(), extension: None, primary: true, label: None }]
            } else {
                Vec::new()
            },
            location: a,
            important: variant == 3,
        }),
        _ => Record::Configuration(Box::new(Configuration {
            name: ["PC-1", "PC-2", "Printer"][usize::from(name) % 3].into(),
            configuration_type: Some(["Workstation", "Server", "Printer", "Workstation"][v % 4].into()),
            status: Some(if variant == 3 { "Inactive" } else { "Active" }.into()),
            serial_number: Some(format!("SN{}", variant % 2)),
            primary_mac: MacAddress::parse(["02:00:00:00:00:01", "02:00:00:00:00:02"][v % 2]),
            operating_system: Some(["Windows 10", "Ubuntu 22.04", "FreeBSD 14", "Windows 10"][v % 4].into()),
            platform: Some(["Windows", "Linux", "BSD", "Linux"][v % 4].into()),
            contact: a,
            location: b,
            ..Configuration::default()
        })),
    }
}

fn child_kind(kind: u8) -> EntityKind {
    [EntityKind::Location, EntityKind::Contact, EntityKind::Configuration][usize::from(kind % 3)]
}

fn pick<T: Clone>(items: &[T], at: Option<u8>) -> Option<T> {
    let at = usize::from(at?);
    items.get(at % items.len().max(1)).cloned()
}

fn build(seed: &Seed) -> (World, SyncSettings) {
    let bms_org_ids: Vec<BmsId> = (0..seed.bms_orgs.len()).map(|i| BmsId::new(format!("{}", 100 + i))).collect();
    let itg_org_ids: Vec<ItgId> = (0..seed.itg_orgs.len()).map(|i| ItgId::new(format!("90000000000000{}", 100 + i))).collect();
    let mut bms: Vec<BmsEntry> = seed
        .bms_orgs
        .iter()
        .zip(&bms_org_ids)
        .map(|(&(name, kind, active, parent, created), id)| {
            // Parents come earlier in the list: neither product allows a cycle of parents.
            let parent = pick(&bms_org_ids, parent).filter(|p| id_order(p.as_str(), id.as_str()).is_lt()).map(RecordRef::Bms);
            let mut e = bms_entry(id.as_str(), None, seed_org(name, kind, active, parent));
            e.created_on = Some(t(i64::from(created)));
            e
        })
        .collect();
    let mut itg: Vec<ItgEntry> = seed
        .itg_orgs
        .iter()
        .zip(&itg_org_ids)
        .map(|(&(name, kind, active, parent, created, updated, push), id)| {
            let parent = pick(&itg_org_ids, parent).filter(|p| id_order(p.as_str(), id.as_str()).is_lt()).map(RecordRef::ItGlue);
            let mut e = itg_entry(id.as_str(), None, seed_org(name, kind, active, parent));
            e.created_at = Some(t(i64::from(created)));
            e.updated_at = Some(t(i64::from(updated)));
            e.push_requested = push;
            e
        })
        .collect();
    // Children: references point at earlier children of the same side (locations, then contacts).
    let mut bms_by_kind: BTreeMap<EntityKind, Vec<BmsId>> = BTreeMap::new();
    let mut ordered = seed.bms_children.clone();
    ordered.sort_by_key(|c| c.0 % 3);
    for (i, &(kind, owner, name, variant, a, b, created)) in ordered.iter().enumerate() {
        let Some(account) = pick(&bms_org_ids, Some(owner)) else { continue };
        let k = child_kind(kind);
        let refs = |want: EntityKind, at| pick(bms_by_kind.get(&want).map(Vec::as_slice).unwrap_or(&[]), at).map(RecordRef::Bms);
        let (ra, rb) = match k {
            EntityKind::Contact => (refs(EntityKind::Location, a), None),
            EntityKind::Configuration => (refs(EntityKind::Contact, a), refs(EntityKind::Location, b)),
            _ => (None, None),
        };
        let id = BmsId::new(format!("{}", 200 + i));
        let mut e = bms_entry(id.as_str(), Some(account.as_str()), seed_child(kind, name, variant, ra, rb));
        e.created_on = Some(t(i64::from(created)));
        bms.push(e);
        bms_by_kind.entry(k).or_default().push(id);
    }
    let mut itg_by_kind: BTreeMap<EntityKind, Vec<ItgId>> = BTreeMap::new();
    let mut ordered = seed.itg_children.clone();
    ordered.sort_by_key(|c| c.0 % 3);
    for (i, &(kind, owner, name, variant, a, b, (created, updated, psa, push))) in ordered.iter().enumerate() {
        let Some(org) = pick(&itg_org_ids, Some(owner)) else { continue };
        let k = child_kind(kind);
        let refs =
            |want: EntityKind, at| pick(itg_by_kind.get(&want).map(Vec::as_slice).unwrap_or(&[]), at).map(RecordRef::ItGlue);
        let (ra, rb) = match k {
            EntityKind::Contact => (refs(EntityKind::Location, a), None),
            EntityKind::Configuration => (refs(EntityKind::Contact, a), refs(EntityKind::Location, b)),
            _ => (None, None),
        };
        let id = ItgId::new(format!("90000000000000{}", 200 + i));
        let mut e = itg_entry(id.as_str(), Some(org.as_str()), seed_child(kind, name, variant, ra, rb));
        e.created_at = Some(t(i64::from(created)));
        e.updated_at = Some(t(i64::from(updated)));
        e.psa = if psa == 0 { PsaState::Enabled } else { PsaState::None };
        e.origin = if psa == 1 { ItgOrigin::Microsoft } else { ItgOrigin::Manual };
        e.push_requested = push;
        itg.push(e);
        itg_by_kind.entry(k).or_default().push(id);
    }
    // Links, in any state, including to records that no longer exist on one side.
    let mut links = LinkTable::new();
    for &(kind, bi, ii, state, base_from) in &seed.links {
        let kind = EntityKind::SYNC_ORDER[usize::from(kind % 4)];
        let bms_ids: Vec<&BmsEntry> = bms.iter().filter(|e| e.kind() == kind).collect();
        let itg_ids: Vec<&ItgEntry> = itg.iter().filter(|e| e.kind() == kind).collect();
        // Position 5 stands for a record deleted since it was linked.
        let b = if bi == 5 { None } else { bms_ids.get(usize::from(bi) % bms_ids.len().max(1)) };
        let i = if ii == 5 { None } else { itg_ids.get(usize::from(ii) % itg_ids.len().max(1)) };
        // The base is what one side holds, or a third version, so both sides may have changed since.
        let base = match (b, i, base_from) {
            (Some(b), _, 0) | (Some(b), None, _) => b.record.clone(),
            (_, Some(i), 1) => i.record.clone(),
            (_, Some(i), _) => match &i.record {
                Record::Organization(_) => seed_org(bi, ii, state % 2 == 0, None),
                _ => seed_child(
                    [EntityKind::Location, EntityKind::Contact, EntityKind::Configuration]
                        .iter()
                        .position(|&k| k == kind)
                        .map_or(0, |p| p as u8),
                    ii,
                    bi,
                    None,
                    None,
                ),
            },
            (None, None, _) => continue,
        };
        let bms_id = b.map_or_else(|| BmsId::new(format!("gone-{bi}")), |e| e.id.clone());
        let itg_id = i.map_or_else(|| ItgId::new(format!("gone-{ii}")), |e| e.id.clone());
        if links.link(kind, bms_id.clone(), itg_id, base, t(0)).is_err() {
            continue;
        }
        let _ = match state {
            3 => links.orphan(kind, &bms_id, OrphanReason::OutOfScope, t(0)),
            4 => links.orphan(kind, &bms_id, OrphanReason::DeletedInBms, t(0)),
            5 => links.disconnect(kind, &bms_id, t(0)),
            _ => Ok(()),
        };
    }
    let policy = [ConflictPolicy::BmsWins, ConflictPolicy::ItGlueWins, ConflictPolicy::NewestWins][usize::from(seed.policy % 3)];
    let settings = SyncSettings {
        contacts: seed.contacts,
        two_way: if seed.two_way { TwoWay::On { since: t(50) } } else { TwoWay::Off },
        microsoft_contacts_auto_push: true,
        conflict_policy: ConflictPolicies { organization: policy, location: policy, contact: policy, configuration: policy },
        ..settings()
    };
    (World::new(bms, itg, links), settings)
}

fn assert_well_formed(p: &Plan) -> Result<(), TestCaseError> {
    let mut seen = BTreeSet::new();
    for op in &p.ops {
        for dep in &op.depends_on {
            prop_assert!(seen.contains(dep), "{} depends on {dep}, which does not come before it", op.id);
        }
        prop_assert!(seen.insert(op.id.clone()), "op id {} appears twice", op.id);
    }
    Ok(())
}

/// Runs a journal to the end from `ops`, re-checking before any create whose outcome is unknown.
fn finish(world: &mut World, journal: &mut Journal, ops: Vec<PlannedOp>) {
    for op in ops {
        journal.start(&op.id).unwrap();
        let found = match &op.op {
            OpKind::RecheckThenCreate { side: Side::ItGlue, .. } => {
                find_created_in_itglue(&op, &world.itg, &world.links).map(|id| OpResult { bms: None, itg: Some(id) })
            }
            OpKind::RecheckThenCreate { side: Side::Bms, .. } => {
                find_created_in_bms(&op, &world.bms, &world.links).map(|id| OpResult { bms: Some(id), itg: None })
            }
            _ => None,
        };
        let result = found.unwrap_or_else(|| world.effect(&op));
        world.record(&op, &result);
        journal.complete(&op.id, result).unwrap();
    }
}

/// Runs a journal until `budget` steps (start, remote effect, complete) have happened, as a killed worker would.
fn run_until(world: &mut World, journal: &mut Journal, budget: usize) {
    let mut steps = 0;
    let ops: Vec<PlannedOp> = journal.entries.iter().map(|e| e.op.clone()).collect();
    for op in ops {
        if steps == budget {
            return;
        }
        journal.start(&op.id).unwrap();
        steps += 1;
        if steps == budget {
            return;
        }
        let result = world.effect(&op);
        steps += 1;
        if steps == budget {
            return;
        }
        world.record(&op, &result);
        journal.complete(&op.id, result).unwrap();
        steps += 1;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn a_plan_applied_then_planned_again_writes_nothing(seed in seed()) {
        let (cat, (mut world, settings)) = (catalog(), build(&seed));
        let first = world.plan(&settings, &cat);
        assert_well_formed(&first)?;
        prop_assert_eq!(&first, &world.plan(&settings, &cat), "planning is deterministic");
        world.run(&first);
        let second = world.plan(&settings, &cat);
        assert_quiet(&first, &second);
    }

    #[test]
    fn a_run_killed_anywhere_and_resumed_ends_like_an_uninterrupted_one(seed in seed(), kill in 0usize..200) {
        let (cat, (world, settings)) = (catalog(), build(&seed));
        let p = world.plan(&settings, &cat);
        let first = p.clone();
        let mut whole = world.clone();
        let mut journal = Journal::new("run", p.clone(), BTreeMap::new(), t(100));
        let all = resume(&journal);
        finish(&mut whole, &mut journal, all);
        let done_whole: BTreeSet<OpId> = journal.done().map(|(op, _)| op.id.clone()).collect();

        let mut killed = world.clone();
        let mut journal = Journal::new("run", p, BTreeMap::new(), t(100));
        run_until(&mut killed, &mut journal, kill);
        let stored: Journal = serde_json::from_str(&serde_json::to_string(&journal).unwrap()).unwrap();
        let mut journal = stored;
        let left = resume(&journal);
        finish(&mut killed, &mut journal, left);
        prop_assert!(journal.is_complete());
        let done_resumed: BTreeSet<OpId> = journal.done().map(|(op, _)| op.id.clone()).collect();
        prop_assert_eq!(done_whole, done_resumed);
        let mut creates: BTreeMap<&OpId, usize> = BTreeMap::new();
        for op in &killed.created_by {
            *creates.entry(op).or_default() += 1;
        }
        prop_assert!(creates.values().all(|&n| n == 1), "an operation created twice: {:?}", creates);
        prop_assert_eq!(killed.bms.len(), whole.bms.len());
        prop_assert_eq!(killed.itg.len(), whole.itg.len());
        assert_quiet(&first, &killed.plan(&settings, &cat));
    }
}
