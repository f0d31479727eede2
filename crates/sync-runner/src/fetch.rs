//! Reading both systems into the planner's inputs: what changed since the cursors (or everything, on a full
//! pass), the lookup catalogs, and the linked records known to be deleted.
//!
//! Deletions are worked out here rather than by the planner's `complete` flag: a linked record is deleted when a
//! whole, verified listing lacks it, and an asset only once BMS confirms it is gone, because the asset listing has
//! no total to check against. A listing that does not add up deletes nothing.

use std::collections::{BTreeMap, BTreeSet};

use bms_itglue_core::sync::mapping::bms as bms_map;
use bms_itglue_core::sync::mapping::itglue as itg_map;
use bms_itglue_core::sync::normalize::Timestamp;
use bms_itglue_core::sync::{
    BmsEntry, BmsId, Catalog, Cursor, EntityKind, ItgEntry, ItgId, LinkState, LinkTable, Record, Side, SyncSettings,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::api::ApiError;
use crate::bms_client::{BmsClient, summary_fingerprint};
use crate::itglue_client::ItGlueClient;
use crate::run::{LogEntry, LogLevel, Phase, Progress, ProgressSink};
use crate::scheduler::{Clock, Transport};

/// Listings start this much before the cursor: records saved while the last run was reading are read again
/// rather than missed.
const OVERLAP_MS: i64 = 60_000;
/// Linked assets whose full record is read again each run, oldest first: BMS shows no change of the fields
/// outside the asset listing's summary row, so they are refreshed in rotation.
pub const ASSET_REFRESH_PER_RUN: usize = 50;

/// Requests for both catalogs: IT Glue's nine lookup lists; BMS's sign-in, seven lookups and the user info.
pub const CATALOG_REQUESTS: u64 = 18;

/// What one asset summary row asks of this run.
enum AssetRow {
    /// Unreadable, not linked and not in scope, or a stand-in that only a full pass needs.
    Ignored,
    /// Its full record is read.
    Wanted(BmsId, String),
    /// Linked, in scope and unchanged: read again when next in the refresh rotation, else stood in for.
    Rotation(u64, BmsEntry, String),
    /// Linked and not read: a full pass weighs it by its link's base.
    StandIn(BmsEntry),
}

/// When an asset's summary row was last seen and its full record read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssetSeen {
    pub fingerprint: String,
    pub read_at_ms: u64,
}

pub type AssetIndex = BTreeMap<String, AssetSeen>;

/// What to read.
#[derive(Debug, Clone)]
pub struct FetchPlan<'a> {
    pub full: bool,
    pub only: Option<&'a (EntityKind, BmsId)>,
    pub cursors: &'a BTreeMap<EntityKind, Cursor>,
    pub now_ms: u64,
}

/// Both systems as this run sees them.
#[derive(Debug, Default)]
pub struct Fetched {
    pub bms: Vec<BmsEntry>,
    pub itg: Vec<ItgEntry>,
    pub bms_deleted: Vec<(EntityKind, BmsId)>,
    pub itg_deleted: Vec<(EntityKind, ItgId)>,
    pub catalog: Catalog,
    /// Full asset records read this run, which BMS replacements start from.
    pub assets: BTreeMap<BmsId, Value>,
    /// The (side, kind) pairs read whole and verified: their creates need no re-check.
    pub whole: BTreeSet<(Side, EntityKind)>,
    /// The cursors this run reaches.
    pub cursors: BTreeMap<EntityKind, Cursor>,
    pub asset_index: AssetIndex,
    /// Requests that read one asset's full record.
    pub asset_reads: u64,
    /// The fewest list pages the listings read could have taken (every page at the largest size).
    pub min_list_pages: u64,
}

impl Fetched {
    fn note_listing(&mut self, rows: usize) {
        self.min_list_pages += (rows as u64).div_ceil(u64::from(crate::api::PAGE_SIZES[0])).max(1);
    }
}

pub struct Fetcher<'a, 's, T, C, P: ProgressSink + ?Sized> {
    pub bms: &'a BmsClient<'s, T, C>,
    pub itg: &'a ItGlueClient<'s, T, C>,
    pub links: &'a LinkTable,
    pub settings: &'a SyncSettings,
    pub sink: &'a P,
}

fn since(cursor: Option<Timestamp>) -> Option<Timestamp> {
    cursor.map(|t| Timestamp::from_unix_millis(t.unix_millis() - OVERLAP_MS))
}

fn enabled_links(links: &LinkTable, kind: EntityKind) -> impl Iterator<Item = &bms_itglue_core::sync::Link> {
    links.iter().filter(move |l| l.kind == kind && l.state != LinkState::Disconnected)
}

impl<T: Transport, C: Clock, P: ProgressSink + ?Sized> Fetcher<'_, '_, T, C, P> {
    fn warn(&self, now_ms: u64, entity: Option<EntityKind>, message: String) {
        self.sink.log(LogEntry { at_ms: now_ms, level: LogLevel::Warning, entity, message });
    }

    fn listed(&self, entity: EntityKind, done: u64, total: u64) {
        self.sink.progress(&Progress { phase: Phase::Listing, entity: Some(entity), done, total });
    }

    pub async fn fetch(&self, plan: &FetchPlan<'_>, index: AssetIndex) -> Result<Fetched, ApiError> {
        let mut out = Fetched {
            catalog: Catalog { bms: self.bms.catalog().await?, itglue: self.itg.catalog().await? },
            cursors: plan.cursors.clone(),
            asset_index: index,
            ..Fetched::default()
        };
        match plan.only {
            Some((kind, id)) => self.fetch_one(*kind, id, plan.now_ms, &mut out).await?,
            None => {
                self.fetch_bms(plan, &mut out).await?;
                self.fetch_itglue(plan, &mut out).await?;
                self.fetch_partners(&mut out).await?;
                for kind in EntityKind::SYNC_ORDER {
                    let bms = out.bms.iter().filter(|e| e.kind() == kind);
                    let itg = out.itg.iter().filter(|e| e.kind() == kind);
                    let cursor = out.cursors.get(&kind).copied().unwrap_or_default();
                    out.cursors.insert(kind, cursor.advanced(bms, itg));
                }
            }
        }
        Ok(out)
    }

    fn cursor(plan: &FetchPlan<'_>, kind: EntityKind) -> Cursor {
        if plan.full { Cursor::default() } else { plan.cursors.get(&kind).copied().unwrap_or_default() }
    }

    async fn fetch_bms(&self, plan: &FetchPlan<'_>, out: &mut Fetched) -> Result<(), ApiError> {
        let catalog = &out.catalog;
        let accounts = self
            .bms
            .read_accounts(since(Self::cursor(plan, EntityKind::Organization).bms_modified_on), |row| {
                (row_id(&row), bms_map::account(&row, catalog), bms_map::account_locations(&row, catalog))
            })
            .await?;
        let whole = Self::cursor(plan, EntityKind::Organization).bms_modified_on.is_none() && accounts.verified;
        let rows = accounts.rows.len();
        let mut present_accounts = BTreeSet::new();
        let mut present_locations = BTreeSet::new();
        for (id, account, locations) in accounts.rows {
            // An account that cannot be read is still there: it must not count as deleted.
            present_accounts.extend(id);
            match account {
                Ok(entry) => out.bms.push(entry),
                Err(e) => {
                    self.warn(plan.now_ms, Some(EntityKind::Organization), format!("a BMS account is left out: {e}"))
                }
            }
            match locations {
                Ok(locations) => {
                    present_locations.extend(locations.iter().map(|l| l.id.clone()));
                    out.bms.extend(locations);
                }
                Err(e) => {
                    self.warn(plan.now_ms, Some(EntityKind::Location), format!("BMS locations are left out: {e}"))
                }
            }
        }
        self.listed(EntityKind::Organization, rows as u64, rows as u64);
        out.note_listing(rows);
        if whole {
            self.deleted_bms(EntityKind::Organization, &present_accounts, out);
            self.deleted_bms(EntityKind::Location, &present_locations, out);
            out.whole.insert((Side::Bms, EntityKind::Organization));
            out.whole.insert((Side::Bms, EntityKind::Location));
        }
        if self.settings.contacts {
            let contact_since = Self::cursor(plan, EntityKind::Contact).bms_modified_on;
            let catalog = &out.catalog;
            let contacts =
                self.bms.read_contacts(since(contact_since), |row| (row_id(&row), bms_map::contact(&row, catalog))).await?;
            let rows = contacts.rows.len();
            let mut present = BTreeSet::new();
            for (id, contact) in contacts.rows {
                present.extend(id);
                match contact {
                    Ok(entry) => out.bms.push(entry),
                    Err(e) => {
                        self.warn(plan.now_ms, Some(EntityKind::Contact), format!("a BMS contact is left out: {e}"))
                    }
                }
            }
            self.listed(EntityKind::Contact, rows as u64, rows as u64);
            out.note_listing(rows);
            if contact_since.is_none() && contacts.verified {
                self.deleted_bms(EntityKind::Contact, &present, out);
                out.whole.insert((Side::Bms, EntityKind::Contact));
            }
        }
        self.fetch_assets(plan, out).await
    }

    fn deleted_bms(&self, kind: EntityKind, present: &BTreeSet<BmsId>, out: &mut Fetched) {
        out.bms_deleted.extend(
            enabled_links(self.links, kind).filter(|l| !present.contains(&l.bms)).map(|l| (kind, l.bms.clone())),
        );
    }

    /// Whether an account's children are synced, as far as this run can tell before planning: its link is
    /// enabled, or it is listed and in scope (it is about to be linked).
    fn account_synced(&self, account: Option<&BmsId>, listed: &BTreeMap<BmsId, &BmsEntry>) -> bool {
        let Some(account) = account else { return false };
        if let Some(link) = self.links.get(EntityKind::Organization, account) {
            return link.state == LinkState::Enabled;
        }
        listed.get(account).is_some_and(|e| self.settings.in_scope(&e.record, true))
    }

    /// Assets: the summary of every one, then the full record of those that need it: in scope and not linked,
    /// linked with a changed summary, or next in the refresh rotation. On a full pass, linked assets not read are
    /// stood in for by their link's base.
    async fn fetch_assets(&self, plan: &FetchPlan<'_>, out: &mut Fetched) -> Result<(), ApiError> {
        let listed_accounts: BTreeMap<BmsId, &BmsEntry> =
            out.bms.iter().filter(|e| e.kind() == EntityKind::Organization).map(|e| (e.id.clone(), e)).collect();
        let (catalog, seen_before) = (&out.catalog, &out.asset_index);
        // Each row is weighed as its page arrives, so that only the few summaries this run needs are kept: the
        // large seed lists 100,000.
        let summaries = self
            .bms
            .read_asset_summaries(|row| {
                let present = row_id(&row);
                let Ok(summary) = bms_map::asset(&summary_as_asset(&row), catalog) else {
                    return (present, None, AssetRow::Ignored);
                };
                let fingerprint = summary_fingerprint(&row);
                let seen = seen_before.get(summary.id.as_str());
                let kept = seen.map(|s| (summary.id.to_string(), s.clone()));
                let in_scope = self.account_synced(summary.account.as_ref(), &listed_accounts)
                    && self.settings.in_scope(&summary.record, true);
                let changed = seen.is_none_or(|s| s.fingerprint != fingerprint);
                let use_of = match self.links.get(EntityKind::Configuration, &summary.id) {
                    None if in_scope => AssetRow::Wanted(summary.id, fingerprint),
                    None => AssetRow::Ignored,
                    Some(_) if changed => AssetRow::Wanted(summary.id, fingerprint),
                    Some(link) if in_scope && link.state == LinkState::Enabled => {
                        AssetRow::Rotation(seen.map_or(0, |s| s.read_at_ms), summary, fingerprint)
                    }
                    Some(link) if plan.full => AssetRow::StandIn(from_base(&summary, &link.base)),
                    Some(_) => AssetRow::Ignored,
                };
                (present, kept, use_of)
            })
            .await?;
        out.note_listing(summaries.rows.len());
        let mut present = BTreeSet::new();
        let mut wanted: Vec<(BmsId, String)> = Vec::new();
        let mut rotation: Vec<(u64, BmsEntry, String)> = Vec::new();
        let mut stand_ins = Vec::new();
        let mut index = AssetIndex::new();
        for (id, kept, use_of) in summaries.rows {
            present.extend(id);
            index.extend(kept);
            match use_of {
                AssetRow::Ignored => {}
                AssetRow::Wanted(id, fingerprint) => wanted.push((id, fingerprint)),
                AssetRow::Rotation(read_at, summary, fingerprint) => rotation.push((read_at, summary, fingerprint)),
                AssetRow::StandIn(entry) => stand_ins.push(entry),
            }
        }
        rotation.sort_by_key(|(read_at, entry, _)| (*read_at, entry.id.clone()));
        let split = rotation.len().min(ASSET_REFRESH_PER_RUN);
        for (position, (_, summary, fingerprint)) in rotation.into_iter().enumerate() {
            match (position < split, self.links.get(EntityKind::Configuration, &summary.id)) {
                (true, _) => wanted.push((summary.id.clone(), fingerprint)),
                (false, Some(link)) => stand_ins.push(from_base(&summary, &link.base)),
                (false, None) => {}
            }
        }
        if plan.full {
            out.bms.extend(stand_ins);
        }
        out.asset_index = index;
        self.read_assets(plan, wanted, out).await?;
        self.deleted_assets(&present, out).await
    }

    async fn read_assets(
        &self,
        plan: &FetchPlan<'_>,
        wanted: Vec<(BmsId, String)>,
        out: &mut Fetched,
    ) -> Result<(), ApiError> {
        let total = wanted.len() as u64;
        for (done, (id, fingerprint)) in wanted.into_iter().enumerate() {
            out.asset_reads += 1;
            if let Some(dto) = self.bms.asset(&id).await? {
                match bms_map::asset(&dto, &out.catalog) {
                    Ok(entry) => {
                        out.bms.push(entry);
                        out.assets.insert(id.clone(), dto);
                        out.asset_index.insert(id.to_string(), AssetSeen { fingerprint, read_at_ms: plan.now_ms });
                    }
                    Err(e) => self.warn(
                        plan.now_ms,
                        Some(EntityKind::Configuration),
                        format!("BMS asset #{id} is left out: {e}"),
                    ),
                }
            }
            if done % 100 == 99 {
                self.listed(EntityKind::Configuration, done as u64 + 1, total);
            }
        }
        self.listed(EntityKind::Configuration, total, total);
        Ok(())
    }

    /// Linked assets missing from the listing, once BMS confirms each is gone.
    async fn deleted_assets(&self, present: &BTreeSet<BmsId>, out: &mut Fetched) -> Result<(), ApiError> {
        let missing: Vec<BmsId> = enabled_links(self.links, EntityKind::Configuration)
            .filter(|l| !present.contains(&l.bms))
            .map(|l| l.bms.clone())
            .collect();
        for id in missing {
            out.asset_reads += 1;
            if self.bms.asset(&id).await?.is_none() {
                out.bms_deleted.push((EntityKind::Configuration, id));
            }
        }
        Ok(())
    }

    async fn fetch_itglue(&self, plan: &FetchPlan<'_>, out: &mut Fetched) -> Result<(), ApiError> {
        let now = Timestamp::from_unix_millis(plan.now_ms as i64);
        for kind in EntityKind::SYNC_ORDER {
            if !self.settings.kind_enabled(kind) {
                continue;
            }
            let cursor = since(Self::cursor(plan, kind).itg_updated_at);
            let (catalog, links) = (&out.catalog, self.links);
            let read = |resource: Value| {
                let id = resource.get("id").and_then(Value::as_str).map(ItgId::new);
                (id, itg_map::entry(&resource, &[], catalog, links))
            };
            let (resources, whole) = match (kind, cursor) {
                (_, None) => {
                    let listed = self.itg.read_kind(kind, read).await?;
                    (listed.resources, listed.verified)
                }
                (EntityKind::Organization, Some(since)) => {
                    (self.itg.organizations_changed_since(since, now).await?.into_iter().map(read).collect(), false)
                }
                (_, Some(since)) => (self.itg.list_changed_since(kind, since).await?.into_iter().map(read).collect(), false),
            };
            let rows = resources.len();
            let mut present = BTreeSet::new();
            for (id, entry) in resources {
                present.extend(id);
                match entry {
                    Ok(entry) => out.itg.push(entry),
                    Err(e) => self.warn(
                        plan.now_ms,
                        Some(kind),
                        format!("an IT Glue {} is left out: {e}", kind.itglue_noun()),
                    ),
                }
            }
            self.listed(kind, rows as u64, rows as u64);
            out.note_listing(rows);
            if whole {
                out.itg_deleted.extend(
                    enabled_links(self.links, kind)
                        .filter(|l| !present.contains(&l.itg))
                        .map(|l| (kind, l.itg.clone())),
                );
                out.whole.insert((Side::ItGlue, kind));
            }
        }
        Ok(())
    }

    /// The IT Glue partners of changed BMS records that IT Glue's own listing did not bring: whether IT Glue
    /// lets a field be written depends on the partner's PSA state, which only the partner tells.
    async fn fetch_partners(&self, out: &mut Fetched) -> Result<(), ApiError> {
        let missing: Vec<(EntityKind, Vec<ItgId>)> = {
            let listed: BTreeSet<(EntityKind, &ItgId)> = out.itg.iter().map(|e| (e.kind(), &e.id)).collect();
            EntityKind::SYNC_ORDER
                .into_iter()
                .map(|kind| {
                    let ids = out
                        .bms
                        .iter()
                        .filter(|e| e.kind() == kind)
                        .filter_map(|e| self.links.get(kind, &e.id))
                        .filter(|l| l.state != LinkState::Disconnected && !listed.contains(&(kind, &l.itg)))
                        .map(|l| l.itg.clone())
                        .collect();
                    (kind, ids)
                })
                .collect()
        };
        for (kind, missing) in missing {
            if missing.is_empty() {
                continue;
            }
            for resource in self.itg.list_by_ids(kind, &missing).await? {
                if let Ok(entry) = itg_map::entry(&resource, &[], &out.catalog, self.links) {
                    out.itg.push(entry);
                }
            }
            out.min_list_pages += (missing.len() as u64).div_ceil(100);
        }
        Ok(())
    }

    /// "Sync now" for one BMS record: it, and its IT Glue partner when linked.
    async fn fetch_one(&self, kind: EntityKind, id: &BmsId, now_ms: u64, out: &mut Fetched) -> Result<(), ApiError> {
        let dto = match kind {
            EntityKind::Organization => self.bms.account(id).await?,
            EntityKind::Contact => self.bms.contact(id).await?,
            EntityKind::Configuration => self.bms.asset(id).await?,
            EntityKind::Location => {
                return Err(ApiError::Unsupported("sync a location through its account".into()));
            }
        };
        match dto {
            Some(dto) => {
                let read = match kind {
                    EntityKind::Organization => {
                        let mut entries = vec![bms_map::account(&dto, &out.catalog)];
                        entries.extend(bms_map::account_locations(&dto, &out.catalog).into_iter().flatten().map(Ok));
                        entries
                    }
                    EntityKind::Contact => vec![bms_map::contact(&dto, &out.catalog)],
                    _ => {
                        out.assets.insert(id.clone(), dto.clone());
                        vec![bms_map::asset(&dto, &out.catalog)]
                    }
                };
                for entry in read {
                    match entry {
                        Ok(entry) => out.bms.push(entry),
                        Err(e) => {
                            self.warn(now_ms, Some(kind), format!("BMS {} #{id} cannot be read: {e}", kind.bms_noun()))
                        }
                    }
                }
            }
            None => out.bms_deleted.push((kind, id.clone())),
        }
        if let Some(link) = self.links.get(kind, id) {
            match self.itg.get_one(kind, &link.itg).await? {
                Some(resource) => match itg_map::entry(&resource, &[], &out.catalog, self.links) {
                    Ok(entry) => out.itg.push(entry),
                    Err(e) => self.warn(now_ms, Some(kind), format!("IT Glue #{} cannot be read: {e}", link.itg)),
                },
                None => out.itg_deleted.push((kind, link.itg.clone())),
            }
        }
        Ok(())
    }
}

fn row_id(row: &Value) -> Option<BmsId> {
    row.get("id").and_then(|v| v.as_i64().map(|n| BmsId::new(n.to_string())).or_else(|| v.as_str().map(BmsId::new)))
}

/// A `searchselect` row in the shape of the full asset record, with only the fields the row has.
pub fn summary_as_asset(row: &Value) -> Value {
    json!({
        "id": row.get("id"),
        "name": row.get("assetName"),
        "accountId": row.get("accountId"),
        "contactId": row.get("contactId"),
        "categoryId": row.get("categoryId"),
        "category": row.get("categoryName"),
        "serialNumber": row.get("serialNumber"),
        "ipAddress": row.get("ipAddress"),
        "isActive": row.get("isActive"),
    })
}

/// A linked asset not read this run, as the link's base with the owner from its summary row: enough for a full
/// pass to weigh its scope without reading every asset.
fn from_base(summary: &BmsEntry, base: &Record) -> BmsEntry {
    BmsEntry {
        id: summary.id.clone(),
        account: summary.account.clone(),
        created_on: None,
        modified_on: None,
        record: base.clone(),
    }
}
