//! The Manage Data page's view of the link table and of a one-time push plan: counts per category, filtered
//! lists of pairs, and the dry run a person confirms before anything is pushed to BMS.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

use serde::{Deserialize, Serialize};

use super::links::{Link, LinkState, LinkTable};
use super::plan::{OpKind, Plan, Warning};
use super::records::{EntityKind, Side};
use super::settings::SyncSettings;
use crate::widget::RecordSync;

/// Which pairs to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LinkFilter {
    All,
    Enabled,
    Orphaned,
    Disconnected,
}

impl LinkFilter {
    pub fn keeps(self, state: LinkState) -> bool {
        match self {
            Self::All => true,
            Self::Enabled => state == LinkState::Enabled,
            Self::Orphaned => matches!(state, LinkState::Orphaned { .. }),
            Self::Disconnected => state == LinkState::Disconnected,
        }
    }
}

/// One category's line on the Manage Data page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryView {
    pub kind: EntityKind,
    /// "Organizations ↔ Accounts".
    pub label: String,
    /// Whether the sync settings include this category at all.
    pub syncing: bool,
    pub synced: usize,
    pub orphaned: usize,
    pub disconnected: usize,
}

pub fn category_label(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Organization => "Organizations ↔ Accounts",
        EntityKind::Location => "Locations ↔ Account locations",
        EntityKind::Contact => "Contacts ↔ Contacts",
        EntityKind::Configuration => "Configurations ↔ Hardware assets",
    }
}

fn category_syncing(settings: &SyncSettings, kind: EntityKind) -> bool {
    match kind {
        EntityKind::Organization | EntityKind::Location => !settings.account_types.is_empty(),
        EntityKind::Contact => !settings.account_types.is_empty() && settings.contacts,
        EntityKind::Configuration => !settings.account_types.is_empty() && !settings.asset_types.is_empty(),
    }
}

pub fn categories(links: &LinkTable, settings: Option<&SyncSettings>) -> Vec<CategoryView> {
    EntityKind::SYNC_ORDER
        .into_iter()
        .map(|kind| {
            let mut view = CategoryView {
                kind,
                label: category_label(kind).to_owned(),
                syncing: settings.is_some_and(|s| category_syncing(s, kind)),
                synced: 0,
                orphaned: 0,
                disconnected: 0,
            };
            for link in links.iter().filter(|l| l.kind == kind) {
                match link.state {
                    LinkState::Enabled => view.synced += 1,
                    LinkState::Orphaned { .. } => view.orphaned += 1,
                    LinkState::Disconnected => view.disconnected += 1,
                }
            }
            view
        })
        .collect()
}

/// One pair in a Manage Data list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkRow {
    pub kind: EntityKind,
    pub bms_id: String,
    pub itg_id: String,
    /// The record's name as of the last sync.
    pub name: String,
    pub sync: RecordSync,
}

impl From<&Link> for LinkRow {
    fn from(link: &Link) -> Self {
        LinkRow {
            kind: link.kind,
            bms_id: link.bms.to_string(),
            itg_id: link.itg.to_string(),
            name: link.base.display_name(),
            sync: RecordSync::from_link(link),
        }
    }
}

/// A page of a filtered list, and how many pairs matched in all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkPage {
    pub rows: Vec<LinkRow>,
    pub matched: usize,
}

/// The pairs of one category in a state whose name or either id contains `query` (any case), by name.
pub fn list(links: &LinkTable, kind: EntityKind, filter: LinkFilter, query: &str, limit: usize) -> LinkPage {
    let query = query.trim().to_lowercase();
    let mut rows: Vec<LinkRow> = links
        .iter()
        .filter(|l| l.kind == kind && filter.keeps(l.state))
        .map(LinkRow::from)
        .filter(|r| {
            query.is_empty()
                || r.name.to_lowercase().contains(&query)
                || r.bms_id.contains(&query)
                || r.itg_id.contains(&query)
        })
        .collect();
    rows.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then_with(|| a.bms_id.cmp(&b.bms_id)));
    let matched = rows.len();
    rows.truncate(limit);
    LinkPage { rows, matched }
}

/// A record the one-time push would create in BMS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushRow {
    pub kind: EntityKind,
    pub itg_id: String,
    pub name: String,
    /// Records this one looks like: "BMS #12 Acme" (already in BMS) or "IT Glue #9 ACME" (pushed in the same run).
    pub likely_duplicates: Vec<String>,
}

/// The dry run of a one-time push, as shown before the confirmation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushPlanView {
    /// Names this exact plan; the confirmation must quote it.
    pub plan_id: String,
    pub creates: BTreeMap<EntityKind, usize>,
    pub likely_duplicates: usize,
    /// Records not pushed, with why (e.g. a contact with no e-mail).
    pub skipped: Vec<String>,
    /// The creates, those with likely duplicates first, then by kind and name.
    pub rows: Vec<PushRow>,
}

pub fn push_plan_view(plan: &Plan) -> PushPlanView {
    let mut view = PushPlanView { plan_id: plan_id(plan), ..PushPlanView::default() };
    for op in &plan.ops {
        match &op.op {
            OpKind::CreateInBms { record, .. } => {
                *view.creates.entry(op.entity).or_default() += 1;
                let likely_duplicates: Vec<String> = op
                    .warnings
                    .iter()
                    .map(|Warning::LikelyDuplicate { side, id, name }| match side {
                        Side::Bms => format!("BMS #{id} {name}"),
                        Side::ItGlue => format!("IT Glue #{id} {name}"),
                    })
                    .collect();
                view.likely_duplicates += usize::from(!likely_duplicates.is_empty());
                view.rows.push(PushRow {
                    kind: op.entity,
                    itg_id: op.itg.as_ref().map(ToString::to_string).unwrap_or_default(),
                    name: record.display_name(),
                    likely_duplicates,
                });
            }
            OpKind::Skipped => view.skipped.push(op.reason.clone()),
            _ => {}
        }
    }
    view.rows.sort_by_cached_key(|r| (r.likely_duplicates.is_empty(), r.kind, r.name.to_lowercase()));
    view
}

/// A digest of the plan's operations: equal plans get equal ids within one build of the extension, which is
/// all a confirmation needs (a plan shown by an older build is simply planned again).
fn plan_id(plan: &Plan) -> String {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for op in &plan.ops {
        (op.entity, op.op.name(), &op.bms, &op.itg, &op.reason).hash(&mut hasher);
    }
    format!("{:016x}-{}", hasher.finish(), plan.ops.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::links::OrphanReason;
    use crate::sync::normalize::Timestamp;
    use crate::sync::plan::{OpId, PlannedOp};
    use crate::sync::records::{BmsId, Contact, ItgId, Organization, Record};
    use crate::sync::snapshot::ItgOrigin;

    fn org(name: &str) -> Record {
        Record::Organization(Organization { name: name.into(), ..Organization::default() })
    }

    fn table() -> LinkTable {
        let mut links = LinkTable::new();
        let now = Timestamp::from_unix_millis(1_000);
        for (bms, itg, name) in [("1", "11", "Acme"), ("2", "12", "Bravo"), ("3", "13", "Charlie"), ("4", "14", "acme west")] {
            links.link(EntityKind::Organization, BmsId::new(bms), ItgId::new(itg), org(name), now).unwrap();
        }
        let ann = Record::Contact(Contact { first_name: Some("Ann".into()), ..Contact::default() });
        links.link(EntityKind::Contact, BmsId::new("7"), ItgId::new("17"), ann, now).unwrap();
        links.orphan(EntityKind::Organization, &BmsId::new("2"), OrphanReason::DeletedInBms, now).unwrap();
        links.disconnect(EntityKind::Organization, &BmsId::new("3"), now).unwrap();
        links
    }

    #[test]
    fn categories_count_pairs_by_state_and_say_whether_they_sync() {
        let settings = SyncSettings { account_types: vec!["Customer".into()], contacts: false, ..SyncSettings::default() };
        let views = categories(&table(), Some(&settings));
        let org = &views[0];
        assert_eq!((org.kind, org.synced, org.orphaned, org.disconnected, org.syncing), (EntityKind::Organization, 2, 1, 1, true));
        let contact = views.iter().find(|v| v.kind == EntityKind::Contact).unwrap();
        assert_eq!((contact.synced, contact.syncing), (1, false), "contacts are off in the settings");
        assert!(categories(&table(), None).iter().all(|v| !v.syncing), "nothing syncs before settings are saved");
    }

    #[test]
    fn lists_filter_by_state_and_search_any_case() {
        let links = table();
        let all = list(&links, EntityKind::Organization, LinkFilter::All, "", 10);
        assert_eq!(all.rows.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["Acme", "acme west", "Bravo", "Charlie"]);
        let orphaned = list(&links, EntityKind::Organization, LinkFilter::Orphaned, "", 10);
        assert_eq!((orphaned.rows[0].bms_id.as_str(), orphaned.rows[0].sync.state.name()), ("2", "orphaned"));
        assert_eq!(list(&links, EntityKind::Organization, LinkFilter::Enabled, "ACME", 10).matched, 2);
        assert_eq!(list(&links, EntityKind::Organization, LinkFilter::All, "13", 10).rows[0].name, "Charlie");
        let capped = list(&links, EntityKind::Organization, LinkFilter::All, "", 1);
        assert_eq!((capped.rows.len(), capped.matched), (1, 4));
    }

    fn create(id: &str, name: &str, warnings: Vec<Warning>) -> PlannedOp {
        PlannedOp {
            id: OpId(format!("op-{id}")),
            entity: EntityKind::Organization,
            op: OpKind::CreateInBms { record: org(name), origin: ItgOrigin::Manual },
            bms: None,
            itg: Some(ItgId::new(id)),
            account: None,
            organization: None,
            depends_on: Vec::new(),
            reason: format!("push {name}"),
            warnings,
        }
    }

    #[test]
    fn a_push_plan_view_counts_creates_and_puts_likely_duplicates_first() {
        let dup = Warning::LikelyDuplicate { side: Side::Bms, id: "101".into(), name: "Acme Inc".into() };
        let skipped = PlannedOp { op: OpKind::Skipped, reason: "Parts Co: type Vendor is not synced".into(), ..create("5", "Parts Co", vec![]) };
        let plan = Plan { ops: vec![create("3", "Bravo", vec![]), create("1", "Acme, Inc.", vec![dup]), skipped] };
        let view = push_plan_view(&plan);
        assert_eq!(view.creates.get(&EntityKind::Organization), Some(&2));
        assert_eq!(view.likely_duplicates, 1);
        assert_eq!(view.rows[0].name, "Acme, Inc.");
        assert_eq!(view.rows[0].likely_duplicates, ["BMS #101 Acme Inc"]);
        assert_eq!(view.skipped, ["Parts Co: type Vendor is not synced"]);
        let mut changed = plan.clone();
        changed.ops.pop();
        assert_ne!(push_plan_view(&changed).plan_id, view.plan_id, "another plan gets another id");
        assert_eq!(push_plan_view(&plan).plan_id, view.plan_id);
    }
}
