//! Planning, apart from doing: from snapshots of both systems, the link table, the settings and the catalog, the
//! list of operations a sync run would perform, each with the reason a technician reads in the dry-run view.
//!
//! Order: organizations, then locations, contacts and configurations, so each record's parents are linked first.
//! Within a kind: existing links (orphan, re-enable, unlink), then matching and creating for unlinked BMS records,
//! then (two-way sync only) the IT Glue records to push to BMS, then the field merges of linked pairs.
//!
//! Runaway syncs and ping-pong are kept out by construction: a plan applied and planned again yields no writes
//! (the tests check it), and a field that cannot be written is never read back as a change.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use serde::{Deserialize, Serialize};

use super::links::{LinkState, LinkTable, OrphanReason};
use super::mapping::bms::{self as bms_map, BmsWriteContext};
use super::mapping::itglue::{self as itg_map, ItgWriteContext, open_while_psa_synced};
use super::mapping::{Catalog, Dropped, IdResolver, bms_id_of};
use super::matching::{Matchable, best_match, match_all};
use super::merge::{Conflict, ConflictCause, FieldChange, MergeContext, merge};
use super::normalize::{Timestamp, near_duplicate_key};
use super::records::{BmsId, EntityKind, Field, ItgId, Record, RecordRef, Side, id_order};
use super::settings::{SyncSettings, TwoWay};
use super::snapshot::{BmsEntry, ItgEntry, ItgOrigin, PsaState};

/// The spec's message for IT Glue records that predate two-way sync and were not edited since.
pub const NOT_YET_PUSHED: &str = "Record not yet pushed to Kaseya BMS. To trigger a push, try updating the record.";

/// A stable id for an operation: the same operation on the same records gets the same id in every plan, which is
/// what makes a resumed run idempotent.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OpId(pub(crate) String);

impl OpId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OpId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// FNV-1a, 64-bit: stable across platforms and compiler versions, unlike the standard library's hasher.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

fn op_id(name: &str, entity: EntityKind, bms: Option<&BmsId>, itg: Option<&ItgId>, extra: &str) -> OpId {
    let key = format!(
        "{name}|{entity}|{}|{}|{extra}",
        bms.map(BmsId::as_str).unwrap_or_default(),
        itg.map(ItgId::as_str).unwrap_or_default()
    );
    OpId(format!("{:016x}", fnv1a(key.as_bytes())))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "warning", rename_all = "kebab-case")]
pub enum Warning {
    /// The record looks like one that already exists (or is pushed in the same run), differing only in case,
    /// spacing or punctuation.
    LikelyDuplicate { side: Side, id: String, name: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub enum OpKind {
    /// A match was found: link the pair. `base` is what IT Glue holds now.
    Link {
        base: Record,
    },
    CreateInItGlue {
        record: Record,
    },
    CreateInBms {
        record: Record,
        origin: ItgOrigin,
    },
    /// A create whose outcome is unknown (the run stopped after sending it): look for the record on `side` by the
    /// matching rules first, and create only if it is not there. Made by [`super::journal::resume`].
    RecheckThenCreate {
        side: Side,
        record: Record,
        origin: ItgOrigin,
    },
    UpdateItGlue {
        changes: Vec<FieldChange>,
        target: Record,
    },
    /// Each change keeps BMS's previous value, which list updates (emails, phones) are computed against.
    UpdateBms {
        changes: Vec<FieldChange>,
        target: Record,
    },
    /// Both sides already agree on new values: only the base moves.
    Rebase {
        changes: Vec<FieldChange>,
        target: Record,
    },
    Orphan {
        reason: OrphanReason,
    },
    Reenable,
    /// The IT Glue record is gone: forget the link (the BMS record is matched or created again).
    Unlink,
    LogConflict {
        conflict: Conflict,
    },
    /// Nothing is done; `reason` says why.
    Skipped,
}

impl OpKind {
    pub fn name(&self) -> &'static str {
        match self {
            Self::Link { .. } => "link",
            Self::CreateInItGlue { .. } => "create-in-itglue",
            Self::CreateInBms { .. } => "create-in-bms",
            Self::RecheckThenCreate { .. } => "recheck-then-create",
            Self::UpdateItGlue { .. } => "update-itglue",
            Self::UpdateBms { .. } => "update-bms",
            Self::Rebase { .. } => "rebase",
            Self::Orphan { .. } => "orphan",
            Self::Reenable => "reenable",
            Self::Unlink => "unlink",
            Self::LogConflict { .. } => "log-conflict",
            Self::Skipped => "skipped",
        }
    }

    /// Whether the operation sends a write to either system.
    pub fn is_remote_write(&self) -> bool {
        matches!(
            self,
            Self::CreateInItGlue { .. }
                | Self::CreateInBms { .. }
                | Self::RecheckThenCreate { .. }
                | Self::UpdateItGlue { .. }
                | Self::UpdateBms { .. }
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedOp {
    pub id: OpId,
    pub entity: EntityKind,
    pub op: OpKind,
    pub bms: Option<BmsId>,
    pub itg: Option<ItgId>,
    /// The owning BMS account, for records created under it.
    pub account: Option<BmsId>,
    /// The owning IT Glue organization, when it already exists.
    pub organization: Option<ItgId>,
    /// Operations that must be done first (the creates of the records this one refers to).
    pub depends_on: Vec<OpId>,
    pub reason: String,
    pub warnings: Vec<Warning>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub ops: Vec<PlannedOp>,
}

/// Operation counts per kind of record, for the dry-run view.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanSummary {
    pub counts: BTreeMap<EntityKind, BTreeMap<String, usize>>,
}

impl fmt::Display for PlanSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (kind, ops) in &self.counts {
            let parts: Vec<String> = ops.iter().map(|(name, n)| format!("{n} {name}")).collect();
            writeln!(f, "{kind}: {}", parts.join(", "))?;
        }
        Ok(())
    }
}

impl Plan {
    pub fn summary(&self) -> PlanSummary {
        let mut summary = PlanSummary::default();
        for op in &self.ops {
            *summary.counts.entry(op.entity).or_default().entry(op.op.name().to_owned()).or_default() += 1;
        }
        summary
    }

    /// The operations that write to either system.
    pub fn writes(&self) -> impl Iterator<Item = &PlannedOp> {
        self.ops.iter().filter(|op| op.op.is_remote_write())
    }
}

/// What one system returned: the records, whether that is all of them (so an absent linked record was deleted),
/// and records known to be deleted.
#[derive(Debug, Clone)]
pub struct Listing<'a, E, I> {
    pub records: &'a [E],
    pub complete: bool,
    pub deleted: &'a [(EntityKind, I)],
}

#[derive(Debug, Clone)]
pub struct PlanInputs<'a> {
    /// BMS records in and out of scope: the planner applies the settings itself.
    pub bms: Listing<'a, BmsEntry, BmsId>,
    pub itglue: Listing<'a, ItgEntry, ItgId>,
    pub links: &'a LinkTable,
    pub settings: &'a SyncSettings,
    pub catalog: &'a Catalog,
    pub now: Timestamp,
}

/// The partner of a record in this run: linked, matched, or being created by `op`.
#[derive(Debug, Clone)]
struct Partner<I> {
    id: Option<I>,
    op: Option<OpId>,
    /// Linked and enabled, or paired in this run: children may sync.
    synced: bool,
}

/// A linked or matched pair to merge. The records are borrowed from the inputs where they can be: a kind's jobs
/// are all made before the first is merged.
struct MergeJob<'r> {
    bms: BmsId,
    itg: ItgId,
    base: Cow<'r, Record>,
    bms_record: Cow<'r, Record>,
    itg_record: &'r Record,
    bms_modified: Option<Timestamp>,
    itg_updated: Option<Timestamp>,
    psa: PsaState,
    /// Matched in this run (the base is what IT Glue held, and BMS wins every difference).
    matched: bool,
    account: Option<BmsId>,
    organization: Option<ItgId>,
}

/// The records the listings say were deleted, for one lookup per link.
struct Deleted<'i> {
    bms: BTreeSet<(EntityKind, &'i BmsId)>,
    itg: BTreeSet<(EntityKind, &'i ItgId)>,
}

/// Where a child record's account stands in this run.
enum Owner<I> {
    NotSynced,
    Linked(I),
    Pending(OpId),
}

struct Planner<'a> {
    settings: &'a SyncSettings,
    catalog: &'a Catalog,
    now: Timestamp,
    bms: BTreeMap<(EntityKind, &'a BmsId), &'a BmsEntry>,
    itg: BTreeMap<(EntityKind, &'a ItgId), &'a ItgEntry>,
    bms_pairs: BTreeMap<(EntityKind, BmsId), Partner<ItgId>>,
    itg_pairs: BTreeMap<(EntityKind, ItgId), Partner<BmsId>>,
    ops: Vec<PlannedOp>,
}

/// Resolves references the way execution will: linked records, and records created earlier in the plan (given
/// a stand-in id, never written anywhere).
impl IdResolver for Planner<'_> {
    fn itg_for(&self, kind: EntityKind, bms: &BmsId) -> Option<ItgId> {
        let p = self.bms_pairs.get(&(kind, bms.clone()))?;
        p.id.clone().or_else(|| p.op.as_ref().map(|op| ItgId::new(format!("planned-{op}"))))
    }

    fn bms_for(&self, kind: EntityKind, itg: &ItgId) -> Option<BmsId> {
        let p = self.itg_pairs.get(&(kind, itg.clone()))?;
        p.id.clone().or_else(|| p.op.as_ref().map(|op| BmsId::new(format!("planned-{op}"))))
    }
}

fn field_list(fields: impl IntoIterator<Item = Field>) -> String {
    fields.into_iter().map(Field::label).collect::<Vec<_>>().join(", ")
}

fn dropped_map(dropped: Vec<Dropped>) -> BTreeMap<Field, String> {
    dropped.into_iter().map(|d| (d.field, d.reason)).collect()
}

fn dropped_note(unwritable: &BTreeMap<Field, String>, side: Side) -> String {
    if unwritable.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = unwritable.iter().map(|(f, why)| format!("{f} ({why})")).collect();
    format!("; not written to {side} yet: {}", parts.join("; "))
}

fn creation_order<I: AsRef<str>>(a: (Option<Timestamp>, &I), b: (Option<Timestamp>, &I)) -> std::cmp::Ordering {
    let time = match (a.0, b.0) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    };
    time.then_with(|| id_order(a.1.as_ref(), b.1.as_ref()))
}

/// Orders records so that an organization comes after its parent when both are in the list (a parent created in
/// the same run must exist before its child refers to it). A cycle is broken at its first member.
///
/// Each step takes the earliest record whose parent is not waiting (or is itself), else the earliest record of
/// all; a record becomes ready once no waiting record carries its parent's id, so the steps cost a logarithm
/// each rather than a pass over everything still waiting.
fn parents_first<E>(entries: Vec<E>, id: impl Fn(&E) -> String, parent: impl Fn(&E) -> Option<String>) -> Vec<E> {
    let ids: Vec<String> = entries.iter().map(&id).collect();
    let mut pending: HashMap<&str, usize> = HashMap::new();
    for own in &ids {
        *pending.entry(own.as_str()).or_default() += 1;
    }
    let parents: Vec<Option<String>> = entries.iter().map(&parent).collect();
    let mut children: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut ready = BTreeSet::new();
    for (position, (own, parent)) in ids.iter().zip(&parents).enumerate() {
        match parent.as_deref() {
            Some(p) if p != own.as_str() && pending.contains_key(p) => children.entry(p).or_default().push(position),
            _ => {
                ready.insert(position);
            }
        }
    }
    let mut waiting: BTreeSet<usize> = (0..entries.len()).collect();
    let mut order = Vec::with_capacity(entries.len());
    while let Some(next) = ready.pop_first().or_else(|| waiting.first().copied()) {
        waiting.remove(&next);
        order.push(next);
        let own = ids[next].as_str();
        if let Some(left) = pending.get_mut(own) {
            *left -= 1;
            if *left == 0 {
                ready.extend(children.remove(own).into_iter().flatten().filter(|c| waiting.contains(c)));
            }
        }
    }
    let mut slots: Vec<Option<E>> = entries.into_iter().map(Some).collect();
    order.into_iter().filter_map(|position| slots[position].take()).collect()
}

/// The BMS record once `changes` (fields of `merged`) are written to it.
fn bms_after(bms: &Record, merged: &Record, changes: &[FieldChange]) -> Record {
    let mut after = bms.clone();
    for change in changes {
        // Same kind on both sides of a pair, so the copy cannot fail.
        let _same_kind = after.copy_field(merged, change.field);
    }
    after
}

fn org_parent(record: &Record) -> Option<String> {
    match record {
        Record::Organization(o) => o.parent.as_ref().map(|p| match p {
            RecordRef::Bms(id) => id.to_string(),
            RecordRef::ItGlue(id) => id.to_string(),
        }),
        _ => None,
    }
}

/// Why a contact cannot be pushed to BMS: Kaseya's rules ask for a first name, a primary email, a primary phone
/// and a location.
fn contact_push_gaps(record: &Record) -> Vec<&'static str> {
    let Record::Contact(c) = record else { return Vec::new() };
    let mut gaps = Vec::new();
    if c.first_name.is_none() {
        gaps.push("a first name");
    }
    if c.emails.is_empty() {
        gaps.push("an email");
    }
    if c.phones.is_empty() {
        gaps.push("a phone");
    }
    if c.location.is_none() {
        gaps.push("a location");
    }
    gaps
}

impl<'a> Planner<'a> {
    fn new(
        bms: &'a [BmsEntry],
        itg: &'a [ItgEntry],
        links: &LinkTable,
        settings: &'a SyncSettings,
        catalog: &'a Catalog,
        now: Timestamp,
    ) -> Self {
        let mut planner = Planner {
            settings,
            catalog,
            now,
            bms: bms.iter().map(|e| ((e.kind(), &e.id), e)).collect(),
            itg: itg.iter().map(|e| ((e.kind(), &e.id), e)).collect(),
            bms_pairs: BTreeMap::new(),
            itg_pairs: BTreeMap::new(),
            ops: Vec::new(),
        };
        for link in links.iter() {
            let synced = link.state == LinkState::Enabled;
            planner.pair(link.kind, Some(link.bms.clone()), Some(link.itg.clone()), None, synced);
        }
        planner
    }

    fn pair(&mut self, kind: EntityKind, bms: Option<BmsId>, itg: Option<ItgId>, op: Option<OpId>, synced: bool) {
        if let Some(b) = &bms {
            self.bms_pairs.insert((kind, b.clone()), Partner { id: itg.clone(), op: op.clone(), synced });
        }
        if let Some(i) = &itg {
            self.itg_pairs.insert((kind, i.clone()), Partner { id: bms, op, synced });
        }
    }

    fn set_synced(&mut self, kind: EntityKind, bms: &BmsId, itg: &ItgId, synced: bool) {
        if let Some(p) = self.bms_pairs.get_mut(&(kind, bms.clone())) {
            p.synced = synced;
        }
        if let Some(p) = self.itg_pairs.get_mut(&(kind, itg.clone())) {
            p.synced = synced;
        }
    }

    fn push(
        &mut self,
        entity: EntityKind,
        op: OpKind,
        (bms, itg): (Option<&BmsId>, Option<&ItgId>),
        extra: &str,
        reason: String,
        deps: Vec<OpId>,
    ) -> OpId {
        let id = op_id(op.name(), entity, bms, itg, extra);
        self.ops.push(PlannedOp {
            id: id.clone(),
            entity,
            op,
            bms: bms.cloned(),
            itg: itg.cloned(),
            account: None,
            organization: None,
            depends_on: deps,
            reason,
            warnings: Vec::new(),
        });
        id
    }

    fn last_op(&mut self) -> Option<&mut PlannedOp> {
        self.ops.last_mut()
    }

    /// The account of a BMS child, as this run sees it.
    fn bms_owner(&self, entry: &BmsEntry) -> Owner<ItgId> {
        let Some(account) = &entry.account else { return Owner::NotSynced };
        match self.bms_pairs.get(&(EntityKind::Organization, account.clone())) {
            Some(Partner { synced: true, id: Some(itg), .. }) => Owner::Linked(itg.clone()),
            Some(Partner { synced: true, id: None, op: Some(op) }) => Owner::Pending(op.clone()),
            _ => Owner::NotSynced,
        }
    }

    /// The organization of an IT Glue child, as this run sees it.
    fn itg_owner(&self, entry: &ItgEntry) -> Owner<BmsId> {
        let Some(org) = &entry.organization else { return Owner::NotSynced };
        match self.itg_pairs.get(&(EntityKind::Organization, org.clone())) {
            Some(Partner { synced: true, id: Some(bms), .. }) => Owner::Linked(bms.clone()),
            Some(Partner { synced: true, id: None, op: Some(op) }) => Owner::Pending(op.clone()),
            _ => Owner::NotSynced,
        }
    }

    fn bms_in_scope(&self, entry: &BmsEntry) -> bool {
        let owner_synced = entry.kind() == EntityKind::Organization || !matches!(self.bms_owner(entry), Owner::NotSynced);
        self.settings.in_scope(&entry.record, owner_synced)
    }

    /// BMS's record as it should reach IT Glue. A configuration's contact from another account is left out: "IT
    /// Glue creates contacts that are associated with a configuration only if the contact in BMS exists in the
    /// same account as the configuration."
    fn bms_view<'e>(&self, entry: &'e BmsEntry) -> Cow<'e, Record> {
        if let Record::Configuration(c) = &entry.record
            && let Some(RecordRef::Bms(contact)) = &c.contact
            && let Some(owner) = self.bms.get(&(EntityKind::Contact, contact))
            && owner.account != entry.account
        {
            let mut c = c.clone();
            c.contact = None;
            return Cow::Owned(Record::Configuration(c));
        }
        Cow::Borrowed(&entry.record)
    }

    /// IT Glue's record with references to paired records in BMS's id space, so both sides compare.
    fn itg_view(&self, record: &Record) -> Record {
        let mut out = record.clone();
        out.rewrite_refs(|field, r| match r {
            RecordRef::ItGlue(id) => {
                let kind = field.ref_kind().unwrap_or(EntityKind::Organization);
                match self.itg_pairs.get(&(kind, id.clone())).and_then(|p| p.id.clone()) {
                    Some(bms) => RecordRef::Bms(bms),
                    None => r.clone(),
                }
            }
            RecordRef::Bms(_) => r.clone(),
        });
        out
    }

    fn itg_unwritable(&self, record: &Record, psa: PsaState) -> BTreeMap<Field, String> {
        let mut out = dropped_map(itg_map::unwritable(record, &ItgWriteContext { catalog: self.catalog, resolver: self }));
        if psa == PsaState::Enabled {
            for &field in record.fields() {
                if !open_while_psa_synced(record.kind(), field) {
                    out.entry(field).or_insert_with(|| "IT Glue locks it while a PSA integration syncs the record".to_owned());
                }
            }
        }
        out
    }

    /// A record as IT Glue will show it once written: the platform is the one of its operating system.
    fn as_itglue_shows(&self, mut record: Record) -> Record {
        if let Record::Configuration(c) = &mut record
            && c.platform.is_none()
        {
            c.platform = c
                .operating_system
                .as_deref()
                .and_then(|os| self.catalog.itglue.operating_system_named(os))
                .and_then(|os| os.platform.clone());
        }
        record
    }

    fn bms_ctx<'s>(&'s self, origin: ItgOrigin) -> BmsWriteContext<'s> {
        let directory_types =
            if origin == ItgOrigin::ActiveDirectory { self.settings.directory_contact_types.as_ref() } else { None };
        BmsWriteContext { catalog: self.catalog, resolver: self, directory_types }
    }

    /// The fields BMS cannot take from `record`, an IT Glue record bound for `account` (`None`: not known). The
    /// same-account rule for a configuration's contact holds in this direction too.
    fn bms_unwritable(&self, record: &Record, account: Option<&BmsId>) -> BTreeMap<Field, String> {
        let mut out = dropped_map(bms_map::unwritable(record, &self.bms_ctx(ItgOrigin::Manual)));
        if let Record::Configuration(c) = record
            && let Some(account) = account
            && let Some(contact) = c.contact.as_ref().and_then(|r| bms_id_of(EntityKind::Contact, r, self))
            && let Some(owner) = self.bms.get(&(EntityKind::Contact, &contact))
            && owner.account.as_ref() != Some(account)
        {
            out.insert(Field::Contact, "the contact belongs to another account".to_owned());
        }
        out
    }

    /// The creates of records this one refers to that happen in the same run.
    fn ref_deps(&self, record: &Record) -> Vec<OpId> {
        let mut deps = Vec::new();
        for (field, r) in record.refs() {
            let kind = field.ref_kind().unwrap_or(EntityKind::Organization);
            let op = match r {
                RecordRef::Bms(id) => {
                    self.bms_pairs.get(&(kind, id.clone())).filter(|p| p.id.is_none()).and_then(|p| p.op.clone())
                }
                RecordRef::ItGlue(id) => {
                    self.itg_pairs.get(&(kind, id.clone())).filter(|p| p.id.is_none()).and_then(|p| p.op.clone())
                }
            };
            deps.extend(op);
        }
        deps
    }

    fn run(&mut self, links: &'a LinkTable, inputs: &PlanInputs<'_>) {
        let deleted = Deleted {
            bms: inputs.bms.deleted.iter().map(|(k, id)| (*k, id)).collect(),
            itg: inputs.itglue.deleted.iter().map(|(k, id)| (*k, id)).collect(),
        };
        for kind in EntityKind::SYNC_ORDER {
            if !self.settings.kind_enabled(kind) {
                continue;
            }
            let mut merges = Vec::new();
            for link in links.iter().filter(|l| l.kind == kind) {
                self.existing_link(link, inputs, &deleted, &mut merges);
            }
            self.match_and_create(kind, &mut merges);
            // Pushes come before merges: a merged organization may take a parent that is pushed in this run.
            if self.settings.two_way_enabled() {
                self.push_to_bms(kind);
            }
            for job in merges {
                self.merge_pair(kind, job);
            }
        }
    }

    fn existing_link(
        &mut self,
        link: &'a super::links::Link,
        inputs: &PlanInputs<'_>,
        deleted: &Deleted<'_>,
        merges: &mut Vec<MergeJob<'a>>,
    ) {
        let kind = link.kind;
        let enabled = link.state == LinkState::Enabled;
        if link.state == LinkState::Disconnected {
            return;
        }
        let bms_entry = self.bms.get(&(kind, &link.bms)).copied();
        let bms_deleted = deleted.bms.contains(&(kind, &link.bms)) || (inputs.bms.complete && bms_entry.is_none());
        let (b, i) = (Some(&link.bms), Some(&link.itg));
        if bms_deleted {
            if enabled {
                let reason =
                    format!("the {} was deleted in Kaseya BMS; the IT Glue {} is kept", kind.bms_noun(), kind.itglue_noun());
                self.push(kind, OpKind::Orphan { reason: OrphanReason::DeletedInBms }, (b, i), "", reason, Vec::new());
                self.set_synced(kind, &link.bms, &link.itg, false);
            }
            return;
        }
        if let Some(entry) = bms_entry {
            if !self.bms_in_scope(entry) {
                if enabled {
                    let reason = format!(
                        "the {} no longer matches the sync settings (its type or status, or its account's); the IT Glue {} is kept",
                        kind.bms_noun(),
                        kind.itglue_noun()
                    );
                    self.push(kind, OpKind::Orphan { reason: OrphanReason::OutOfScope }, (b, i), "", reason, Vec::new());
                    self.set_synced(kind, &link.bms, &link.itg, false);
                }
                return;
            }
            if !enabled {
                let reason = format!("the {} matches the sync settings again; syncing resumes", kind.bms_noun());
                self.push(kind, OpKind::Reenable, (b, i), "", reason, Vec::new());
                self.set_synced(kind, &link.bms, &link.itg, true);
            }
        } else if !enabled {
            return;
        }
        let itg_entry = self.itg.get(&(kind, &link.itg)).copied();
        let itg_deleted = deleted.itg.contains(&(kind, &link.itg)) || (inputs.itglue.complete && itg_entry.is_none());
        if itg_deleted {
            let reason =
                format!("the IT Glue {} was deleted; the {} is matched or created again", kind.itglue_noun(), kind.bms_noun());
            self.push(kind, OpKind::Unlink, (b, i), "", reason, Vec::new());
            self.bms_pairs.remove(&(kind, link.bms.clone()));
            self.itg_pairs.remove(&(kind, link.itg.clone()));
            return;
        }
        merges.push(MergeJob {
            bms: link.bms.clone(),
            itg: link.itg.clone(),
            base: Cow::Borrowed(&link.base),
            bms_record: bms_entry.map_or(Cow::Borrowed(&link.base), |e| self.bms_view(e)),
            itg_record: itg_entry.map_or(&link.base, |e| &e.record),
            bms_modified: bms_entry.and_then(|e| e.modified_on),
            itg_updated: itg_entry.and_then(|e| e.updated_at),
            psa: itg_entry.map(|e| e.psa).unwrap_or_default(),
            matched: false,
            account: bms_entry.and_then(|e| e.account.clone()),
            organization: itg_entry.and_then(|e| e.organization.clone()),
        });
    }

    fn match_and_create(&mut self, kind: EntityKind, merges: &mut Vec<MergeJob<'a>>) {
        let mut probes: Vec<&'a BmsEntry> = self
            .bms
            .iter()
            .filter(|((k, id), _)| *k == kind && !self.bms_pairs.contains_key(&(kind, (*id).clone())))
            .map(|(_, e)| *e)
            .filter(|e| self.bms_in_scope(e))
            .collect();
        probes.sort_by(|a, b| creation_order((a.created_on, &a.id), (b.created_on, &b.id)));
        let candidates: Vec<&'a ItgEntry> = self
            .itg
            .iter()
            .filter(|((k, id), _)| *k == kind && !self.itg_pairs.contains_key(&(kind, (*id).clone())))
            .map(|(_, e)| *e)
            .collect();
        // Children of an account created in this run have nothing to match: its organization is new.
        let scopes: Vec<Option<ItgId>> = probes
            .iter()
            .map(|e| match self.bms_owner(e) {
                Owner::Linked(org) => Some(org),
                _ => None,
            })
            .collect();
        let matchable: Vec<Matchable<'_, BmsId, ItgId>> = probes
            .iter()
            .zip(&scopes)
            .filter(|(_, scope)| kind == EntityKind::Organization || scope.is_some())
            .map(|(e, scope)| Matchable { id: &e.id, scope: scope.as_ref(), created: e.created_on, record: &e.record })
            .collect();
        let pool: Vec<Matchable<'_, ItgId, ItgId>> = candidates
            .iter()
            .map(|e| Matchable { id: &e.id, scope: e.organization.as_ref(), created: e.created_at, record: &e.record })
            .collect();
        let mut matched = Vec::new();
        for pairing in match_all(&matchable, &pool) {
            let (Some(b), Some(i)) = (
                self.bms.get(&(kind, &pairing.probe)).copied(),
                self.itg.get(&(kind, &pairing.matched.id)).copied(),
            ) else {
                continue;
            };
            self.pair(kind, Some(b.id.clone()), Some(i.id.clone()), None, true);
            matched.push((b, i, pairing.matched.reason()));
        }
        // Links go before this kind's creates, so a create re-checked after a crash cannot take a matched record.
        for (b, i, reason) in matched {
            let base = self.itg_view(&i.record);
            self.push(kind, OpKind::Link { base: base.clone() }, (Some(&b.id), Some(&i.id)), "", reason.clone(), Vec::new());
            merges.push(MergeJob {
                bms: b.id.clone(),
                itg: i.id.clone(),
                base: Cow::Owned(base),
                bms_record: self.bms_view(b),
                itg_record: &i.record,
                bms_modified: b.modified_on,
                itg_updated: i.updated_at,
                psa: i.psa,
                matched: true,
                account: b.account.clone(),
                organization: i.organization.clone(),
            });
        }
        let unmatched: Vec<&'a BmsEntry> =
            probes.into_iter().filter(|e| !self.bms_pairs.contains_key(&(kind, e.id.clone()))).collect();
        for entry in parents_first(unmatched, |e| e.id.to_string(), |e| org_parent(&e.record)) {
            self.create_in_itglue(entry);
        }
    }

    fn create_in_itglue(&mut self, entry: &BmsEntry) {
        let kind = entry.kind();
        let (organization, owner_op) = match self.bms_owner(entry) {
            Owner::Linked(org) => (Some(org), None),
            Owner::Pending(op) => (None, Some(op)),
            Owner::NotSynced => (None, None),
        };
        let record = self.bms_view(entry).into_owned();
        // A required field IT Glue cannot take (an unknown configuration type) makes the create fail: try it first.
        let stand_in = ItgId::new("planned-organization");
        let check = itg_map::create(
            &record,
            Some(organization.as_ref().unwrap_or(&stand_in)),
            &ItgWriteContext { catalog: self.catalog, resolver: self },
        );
        let unwritable = self.itg_unwritable(&record, PsaState::None);
        let record = self.as_itglue_shows(record.cleared(unwritable.keys().copied()));
        let bms = Some(&entry.id);
        if let Err(e) = check {
            let reason = format!("cannot create the IT Glue {}: {e}", kind.itglue_noun());
            self.push(kind, OpKind::Skipped, (bms, None), "create", reason, Vec::new());
            return;
        }
        let within = if kind == EntityKind::Organization { "" } else { " in its organization" };
        let reason = format!(
            "no IT Glue {} named {:?}{within}; will create{}",
            kind.itglue_noun(),
            record.display_name(),
            dropped_note(&unwritable, Side::ItGlue)
        );
        let mut deps: Vec<OpId> = owner_op.into_iter().collect();
        deps.extend(self.ref_deps(&record));
        let id = self.push(kind, OpKind::CreateInItGlue { record }, (bms, None), "", reason, deps);
        if let Some(op) = self.last_op() {
            op.account = entry.account.clone();
            op.organization = organization;
        }
        self.pair(kind, Some(entry.id.clone()), None, Some(id), true);
    }

    fn merge_pair(&mut self, kind: EntityKind, job: MergeJob<'_>) {
        let itg_record = self.itg_view(job.itg_record);
        // The base may name records by their IT Glue id that got a BMS twin since; compare like with like.
        let base = self.itg_view(&job.base);
        let itg_unwritable = self.itg_unwritable(&job.bms_record, job.psa);
        let bms_unwritable = self.bms_unwritable(&itg_record, job.account.as_ref());
        let ctx = MergeContext {
            bms: &job.bms,
            itg: &job.itg,
            two_way: self.settings.two_way_enabled(),
            policy: self.settings.policy(kind),
            bms_modified: job.bms_modified,
            itg_updated: job.itg_updated,
            at: self.now,
            first_match: job.matched,
            itg_unwritable: &itg_unwritable,
            bms_unwritable: &bms_unwritable,
        };
        let (b, i) = (Some(&job.bms), Some(&job.itg));
        let out = match merge(&base, &job.bms_record, &itg_record, &ctx) {
            Ok(out) => out,
            Err(e) => {
                self.push(kind, OpKind::Skipped, (b, i), "merge", format!("cannot merge: {e}"), Vec::new());
                return;
            }
        };
        for conflict in &out.conflicts {
            let reason = conflict_reason(conflict);
            let extra = conflict.field.label();
            self.push(kind, OpKind::LogConflict { conflict: conflict.clone() }, (b, i), extra, reason, Vec::new());
        }
        if !out.to_itglue.is_empty() {
            let reason = itglue_update_reason(&out.to_itglue, &out.conflicts);
            let deps = self.ref_deps(&out.merged);
            let op = OpKind::UpdateItGlue { changes: out.to_itglue.clone(), target: out.merged.clone() };
            self.push(kind, op, (b, i), "", reason, deps);
            self.set_owners(&job);
        }
        if !out.to_bms.is_empty() {
            let fields = field_list(out.to_bms.iter().map(|c| c.field));
            let won: Vec<Field> = out.conflicts.iter().filter(|c| c.winner == Side::ItGlue).map(|c| c.field).collect();
            let mut reason = format!("IT Glue changed {fields} (two-way sync)");
            if !won.is_empty() {
                reason.push_str(&format!("; IT Glue wins the conflict on {}", field_list(won)));
            }
            let deps = self.ref_deps(&out.merged);
            let op = OpKind::UpdateBms { changes: out.to_bms.clone(), target: out.merged.clone() };
            self.push(kind, op, (b, i), "", reason, deps);
            self.set_owners(&job);
            // An IT Glue edit of the type or status can take the BMS record out of the sync settings: it is then
            // orphaned now, with its children, rather than on the next run. What counts is what BMS will hold:
            // the merged record may keep IT Glue values that are not written to BMS.
            if !self.settings.in_scope(&bms_after(&job.bms_record, &out.merged, &out.to_bms), true) {
                let reason = format!(
                    "the IT Glue change takes the {} out of the sync settings; the IT Glue {} is kept",
                    kind.bms_noun(),
                    kind.itglue_noun()
                );
                self.push(kind, OpKind::Orphan { reason: OrphanReason::OutOfScope }, (b, i), "", reason, Vec::new());
                self.set_synced(kind, &job.bms, &job.itg, false);
            }
        }
        if !out.agreed.is_empty() {
            let reason =
                format!("both sides already hold the new {}; nothing to write", field_list(out.agreed.iter().map(|c| c.field)));
            self.push(
                kind,
                OpKind::Rebase { changes: out.agreed.clone(), target: out.merged.clone() },
                (b, i),
                "",
                reason,
                Vec::new(),
            );
        }
        for side in [Side::ItGlue, Side::Bms] {
            let blocked: Vec<String> =
                out.blocked.iter().filter(|x| x.to == side).map(|x| format!("{} ({})", x.field, x.reason)).collect();
            if !blocked.is_empty() {
                let reason = format!("not written to {side}: {}", blocked.join("; "));
                let extra = if side == Side::Bms { "blocked-bms" } else { "blocked-itglue" };
                self.push(kind, OpKind::Skipped, (b, i), extra, reason, Vec::new());
            }
        }
    }

    fn set_owners(&mut self, job: &MergeJob<'_>) {
        if let Some(op) = self.last_op() {
            op.account = job.account.clone();
            op.organization = job.organization.clone();
        }
    }

    /// Whether the precaution lets an unlinked IT Glue record go to BMS, and why.
    fn push_allowed(&self, entry: &ItgEntry) -> Result<&'static str, String> {
        let edited_since = match self.settings.two_way {
            TwoWay::On { since } => entry.updated_at.is_some_and(|u| u > since),
            TwoWay::Off => false,
        };
        match entry.origin {
            _ if entry.push_requested => Ok("pushed on request"),
            ItgOrigin::Microsoft if self.settings.microsoft_contacts_auto_push => Ok("a Microsoft contact, pushed automatically"),
            ItgOrigin::ActiveDirectory if self.settings.directory_contact_types.is_some() => {
                Ok("an Active Directory contact, pushed automatically")
            }
            _ if edited_since => Ok("new or edited in IT Glue since two-way sync was enabled"),
            _ => Err(NOT_YET_PUSHED.to_owned()),
        }
    }

    fn push_to_bms(&mut self, kind: EntityKind) {
        let entries: Vec<&'a ItgEntry> = self
            .itg
            .iter()
            .filter(|((k, id), _)| *k == kind && !self.itg_pairs.contains_key(&(kind, (*id).clone())))
            .map(|(_, e)| *e)
            .collect();
        for entry in parents_first(entries, |e| e.id.to_string(), |e| org_parent(&e.record)) {
            self.push_one(entry);
        }
    }

    fn push_one(&mut self, entry: &ItgEntry) {
        let kind = entry.kind();
        let (account, owner_op) = match self.itg_owner(entry) {
            _ if kind == EntityKind::Organization => (None, None),
            Owner::Linked(account) => (Some(account), None),
            Owner::Pending(op) => (None, Some(op)),
            // Records of organizations that are not synced stay in IT Glue only.
            Owner::NotSynced => return,
        };
        let itg = Some(&entry.id);
        let record = self.itg_view(&entry.record);
        let skip = |planner: &mut Self, reason: String| {
            planner.push(kind, OpKind::Skipped, (None, itg), "push", reason, Vec::new());
        };
        let why = match self.push_allowed(entry) {
            Ok(why) => why,
            Err(reason) => return skip(self, reason),
        };
        if !self.settings.in_scope(&record, true) {
            return skip(
                self,
                format!(
                    "not pushed to Kaseya BMS: its type or status is not selected in the sync settings, so the new {} would be orphaned at once",
                    kind.bms_noun()
                ),
            );
        }
        let gaps = contact_push_gaps(&record);
        if !gaps.is_empty() {
            return skip(self, format!("not pushed to Kaseya BMS: a contact needs {}", gaps.join(", ")));
        }
        if let Some(twin) = self.unpaired_bms_twin(&record, account.as_ref()) {
            return skip(
                self,
                format!(
                    "not pushed to Kaseya BMS: it matches {} #{twin}, which the sync settings leave out; pushing would duplicate it",
                    kind.bms_noun()
                ),
            );
        }
        let stand_in = BmsId::new("planned-account");
        if let Err(e) = bms_map::create(&record, Some(account.as_ref().unwrap_or(&stand_in)), &self.bms_ctx(entry.origin)) {
            return skip(self, format!("cannot create the {} in Kaseya BMS: {e}", kind.bms_noun()));
        }
        let unwritable = self.bms_unwritable(&record, Some(account.as_ref().unwrap_or(&stand_in)));
        let record = record.cleared(unwritable.keys().copied());
        let reason = format!(
            "{why}; will create the {} {:?} in Kaseya BMS{}",
            kind.bms_noun(),
            record.display_name(),
            dropped_note(&unwritable, Side::Bms)
        );
        let mut deps: Vec<OpId> = owner_op.into_iter().collect();
        deps.extend(self.ref_deps(&record));
        let id = self.push(kind, OpKind::CreateInBms { record, origin: entry.origin }, (None, itg), "", reason, deps);
        if let Some(op) = self.last_op() {
            op.account = account;
            op.organization = entry.organization.clone();
        }
        self.pair(kind, None, Some(entry.id.clone()), Some(id), true);
    }

    /// One record of the one-time push; whether it is created.
    fn push_one_time(&mut self, entry: &ItgEntry, record: Record) -> bool {
        let kind = entry.kind();
        let itg = Some(&entry.id);
        let owner_op = match self.itg_owner(entry) {
            _ if kind == EntityKind::Organization => None,
            Owner::Pending(op) => Some(op),
            Owner::Linked(_) | Owner::NotSynced => {
                let reason = format!(
                    "not pushed: its organization is not part of the push, so the {} would have no account",
                    kind.bms_noun()
                );
                self.push(kind, OpKind::Skipped, (None, itg), "push", reason, Vec::new());
                return false;
            }
        };
        let mut problems: Vec<String> = Vec::new();
        if !self.settings.in_scope(&record, true) {
            problems.push("its type or status is not selected in the sync settings".to_owned());
        }
        let gaps = contact_push_gaps(&record);
        if !gaps.is_empty() {
            problems.push(format!("a contact needs {}", gaps.join(", ")));
        }
        if let Err(e) = bms_map::create(&record, Some(&BmsId::new("planned-account")), &self.bms_ctx(entry.origin)) {
            problems.push(e.to_string());
        }
        // Accounts are all new in a one-time push, so a contact can only be from the same one if it is pushed too.
        let unwritable = self.bms_unwritable(&record, Some(&BmsId::new("planned-account")));
        let record = record.cleared(unwritable.keys().copied());
        if !problems.is_empty() {
            let reason = format!("not pushed: {}", problems.join("; "));
            self.push(kind, OpKind::Skipped, (None, itg), "push", reason, Vec::new());
            return false;
        }
        let parent_note = match &entry.record {
            Record::Organization(o) if o.parent.is_some() => {
                "; its parent organization is not carried over (set it in Kaseya BMS afterwards)"
            }
            _ => "",
        };
        let reason = format!(
            "one-time push: will create the {} {:?} in Kaseya BMS without looking for a match{parent_note}{}",
            kind.bms_noun(),
            record.display_name(),
            dropped_note(&unwritable, Side::Bms)
        );
        let mut deps: Vec<OpId> = owner_op.into_iter().collect();
        deps.extend(self.ref_deps(&record));
        let id = self.push(kind, OpKind::CreateInBms { record, origin: entry.origin }, (None, itg), "", reason, deps);
        if let Some(op) = self.last_op() {
            op.organization = entry.organization.clone();
        }
        self.pair(kind, None, Some(entry.id.clone()), Some(id), true);
        true
    }

    /// An unlinked BMS record the IT Glue record would duplicate (necessarily one outside the sync settings: the
    /// ones inside were matched or created already).
    fn unpaired_bms_twin(&self, record: &Record, account: Option<&BmsId>) -> Option<BmsId> {
        let kind = record.kind();
        let pool = self
            .bms
            .iter()
            .filter(|((k, id), e)| {
                *k == kind && !self.bms_pairs.contains_key(&(kind, (*id).clone())) && e.account.as_ref() == account
            })
            .map(|(_, e)| Matchable::<'_, BmsId, BmsId> { id: &e.id, scope: None, created: e.created_on, record: &e.record });
        best_match(record, pool).map(|m| m.id)
    }
}

fn conflict_reason(c: &Conflict) -> String {
    let lost = c.losing_value();
    match c.cause {
        ConflictCause::BothChanged => format!(
            "both sides changed {}: Kaseya BMS {}, IT Glue {}; {} wins, the other value is kept in this log ({lost})",
            c.field, c.bms_value, c.itg_value, c.winner
        ),
        ConflictCause::TwoWayOff => format!("two-way sync is off; IT Glue change to {} not pushed (IT Glue had {lost})", c.field),
        ConflictCause::FirstMatch => format!("matched: Kaseya BMS's {} replaces IT Glue's {lost}", c.field),
    }
}

fn itglue_update_reason(changes: &[FieldChange], conflicts: &[Conflict]) -> String {
    let mut changed = Vec::new();
    let mut clauses = Vec::new();
    for change in changes {
        match conflicts.iter().find(|c| c.field == change.field).map(|c| c.cause) {
            Some(ConflictCause::TwoWayOff) => {
                clauses.push(format!("two-way sync is off; IT Glue change to {} not pushed", change.field))
            }
            Some(ConflictCause::BothChanged) => clauses.push(format!("both sides changed {}; Kaseya BMS wins", change.field)),
            Some(ConflictCause::FirstMatch) | None => changed.push(change.field),
        }
    }
    if !changed.is_empty() {
        clauses.insert(0, format!("Kaseya BMS changed {}", field_list(changed)));
    }
    clauses.join("; ")
}

/// Plans one sync run.
pub fn plan(inputs: &PlanInputs<'_>) -> Plan {
    let mut planner =
        Planner::new(inputs.bms.records, inputs.itglue.records, inputs.links, inputs.settings, inputs.catalog, inputs.now);
    planner.run(inputs.links, inputs);
    Plan { ops: planner.ops }
}

/// The key under which a pushed record would look like an existing one: its name (and address, for a location),
/// plus its owner's name for children.
fn duplicate_key(record: &Record, owner_name: Option<&str>) -> String {
    let own = match record {
        Record::Location(l) => format!("{} {}", l.name, l.address1.as_deref().unwrap_or_default()),
        other => other.display_name(),
    };
    format!("{}|{}", owner_name.map(near_duplicate_key).unwrap_or_default(), near_duplicate_key(&own))
}

fn org_name<'e, I: Ord>(orgs: &BTreeMap<&I, &'e Record>, id: Option<&I>) -> Option<&'e str> {
    match id.and_then(|id| orgs.get(&id)) {
        Some(Record::Organization(o)) => Some(o.name.as_str()),
        _ => None,
    }
}

/// Plans the one-time push of IT Glue data to a new BMS (the spec's "Push All"): every eligible record is
/// created, with no matching (the feature has none), parent organizations are not carried over, and every create
/// that looks like an existing BMS record, or like another record of the same push, is flagged.
pub fn plan_one_time_push(itglue: &[ItgEntry], bms: &[BmsEntry], settings: &SyncSettings, catalog: &Catalog) -> Plan {
    let links = LinkTable::new();
    // Nothing is merged in a push, so no time is needed.
    let mut planner = Planner::new(&[], itglue, &links, settings, catalog, Timestamp::from_unix_millis(0));
    let itg_orgs: BTreeMap<&ItgId, &Record> =
        itglue.iter().filter(|e| e.kind() == EntityKind::Organization).map(|e| (&e.id, &e.record)).collect();
    let bms_orgs: BTreeMap<&BmsId, &Record> =
        bms.iter().filter(|e| e.kind() == EntityKind::Organization).map(|e| (&e.id, &e.record)).collect();
    let existing: Vec<(String, &BmsEntry)> =
        bms.iter().map(|e| (duplicate_key(&e.record, org_name(&bms_orgs, e.account.as_ref())), e)).collect();
    let mut pushed: Vec<(String, EntityKind, &ItgEntry)> = Vec::new();
    for kind in EntityKind::SYNC_ORDER {
        if !settings.kind_enabled(kind) {
            continue;
        }
        let mut entries: Vec<&ItgEntry> = itglue.iter().filter(|e| e.kind() == kind).collect();
        entries.sort_by(|a, b| id_order(a.id.as_str(), b.id.as_str()));
        for entry in entries {
            let mut record = entry.record.clone();
            if let Record::Organization(o) = &mut record {
                o.parent = None;
            }
            if !planner.push_one_time(entry, record) {
                continue;
            }
            let key = duplicate_key(&entry.record, org_name(&itg_orgs, entry.organization.as_ref()));
            let mut warnings: Vec<Warning> = existing
                .iter()
                .filter(|(k, e)| e.kind() == kind && *k == key)
                .map(|(_, e)| Warning::LikelyDuplicate { side: Side::Bms, id: e.id.to_string(), name: e.record.display_name() })
                .collect();
            warnings.extend(pushed.iter().filter(|(k, pk, _)| *pk == kind && *k == key).map(|(_, _, e)| {
                Warning::LikelyDuplicate { side: Side::ItGlue, id: e.id.to_string(), name: e.record.display_name() }
            }));
            if let Some(op) = planner.ops.last_mut() {
                op.warnings = warnings;
            }
            pushed.push((key, kind, entry));
        }
    }
    Plan { ops: planner.ops }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The ordering rule as first written, one full pass per step: what the indexed version must reproduce.
    fn parents_first_by_passes(entries: Vec<(String, Option<String>)>) -> Vec<(String, Option<String>)> {
        let mut waiting = entries;
        let mut out = Vec::new();
        while !waiting.is_empty() {
            let pending: BTreeSet<String> = waiting.iter().map(|e| e.0.clone()).collect();
            let ready =
                waiting.iter().position(|e| e.1.as_ref().is_none_or(|p| !pending.contains(p) || *p == e.0)).unwrap_or(0);
            out.push(waiting.remove(ready));
        }
        out
    }

    #[test]
    fn a_parent_comes_before_its_children_and_a_cycle_is_broken_at_its_first_member() {
        let e = |id: &str, parent: Option<&str>| (id.to_owned(), parent.map(str::to_owned));
        let entries = vec![e("c", Some("b")), e("b", Some("a")), e("x", Some("y")), e("y", Some("x")), e("a", None)];
        let ordered: Vec<String> =
            parents_first(entries, |e| e.0.clone(), |e| e.1.clone()).into_iter().map(|e| e.0).collect();
        assert_eq!(ordered, ["a", "b", "c", "x", "y"]);
    }

    proptest! {
        #[test]
        fn parents_first_keeps_the_order_of_one_pass_per_step(
            raw in prop::collection::vec((0u8..12, proptest::option::of(0u8..14)), 0..40)
        ) {
            let entries: Vec<(String, Option<String>)> =
                raw.into_iter().map(|(id, parent)| (id.to_string(), parent.map(|p| p.to_string()))).collect();
            prop_assert_eq!(
                parents_first(entries.clone(), |e| e.0.clone(), |e| e.1.clone()),
                parents_first_by_passes(entries)
            );
        }
    }
}
