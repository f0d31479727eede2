//! The link table: which BMS record is paired with which IT Glue record, the state of each pair, and the values
//! both sides held after the last sync (the merge base).
//!
//! States follow the spec's Manage Data page: enabled (syncing), orphaned (deleted in BMS or moved out of the
//! synced types/statuses; the IT Glue record is kept) and disconnected (sync disabled by hand). An orphan's IT
//! Glue record is deleted only through [`LinkTable::delete_orphan`], which takes a confirmation that only
//! [`LinkTable::confirm_orphan_deletion`] makes, for that exact orphan.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::mapping::IdResolver;
use super::normalize::Timestamp;
use super::plan::{OpKind, PlannedOp};
use super::records::{BmsId, EntityKind, Field, ItgId, KindMismatch, Record};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OrphanReason {
    DeletedInBms,
    /// The BMS record's type or status (or its account's) is no longer selected in the sync settings.
    OutOfScope,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum LinkState {
    Enabled,
    Orphaned { reason: OrphanReason },
    Disconnected,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    pub kind: EntityKind,
    pub bms: BmsId,
    pub itg: ItgId,
    pub state: LinkState,
    /// The values both sides held after the last sync.
    pub base: Record,
    pub linked_at: Timestamp,
    pub synced_at: Timestamp,
    /// When `state` last changed; a deletion confirmation is only good for the orphaning it saw.
    pub state_since: Timestamp,
}

#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum LinkError {
    #[error("{kind} BMS #{bms} / IT Glue #{itg}: one of them is already linked")]
    AlreadyLinked { kind: EntityKind, bms: BmsId, itg: ItgId },
    #[error("no linked {kind} for {id}")]
    NotLinked { kind: EntityKind, id: String },
    #[error("{kind} IT Glue #{itg} is not an orphan")]
    NotOrphaned { kind: EntityKind, itg: ItgId },
    #[error("{kind} BMS #{bms} is not disconnected")]
    NotDisconnected { kind: EntityKind, bms: BmsId },
    #[error("the deletion was confirmed for an earlier state of {kind} IT Glue #{itg}; confirm again")]
    StaleConfirmation { kind: EntityKind, itg: ItgId },
    #[error("the operation carries no {0} id")]
    MissingId(&'static str),
    #[error(transparent)]
    KindMismatch(#[from] KindMismatch),
}

/// The ids a completed operation produced (the record it created).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpResult {
    pub bms: Option<BmsId>,
    pub itg: Option<ItgId>,
}

/// Proof that a person confirmed deleting this orphan's IT Glue record. Made only by
/// [`LinkTable::confirm_orphan_deletion`]; checked again on use, so it is worthless once the link changes state.
/// It serializes so the confirmation can travel to the page that asks and back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrphanDeletion {
    kind: EntityKind,
    bms: BmsId,
    itg: ItgId,
    orphaned_since: Timestamp,
}

impl OrphanDeletion {
    pub fn kind(&self) -> EntityKind {
        self.kind
    }
    pub fn itg(&self) -> &ItgId {
        &self.itg
    }
}

/// The deletion to carry out in IT Glue, once the link is gone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteOrphan {
    pub kind: EntityKind,
    pub bms: BmsId,
    pub itg: ItgId,
}

/// All links, indexed both ways. Stored as a plain list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "Vec<Link>", into = "Vec<Link>")]
pub struct LinkTable {
    by_bms: BTreeMap<(EntityKind, BmsId), Link>,
    by_itg: BTreeMap<(EntityKind, ItgId), BmsId>,
}

impl From<Vec<Link>> for LinkTable {
    fn from(links: Vec<Link>) -> Self {
        let mut table = Self::default();
        for link in links {
            // A stored table with a duplicate keeps the first link, so one record never ends up linked twice.
            if table.by_bms.contains_key(&(link.kind, link.bms.clone()))
                || table.by_itg.contains_key(&(link.kind, link.itg.clone()))
            {
                continue;
            }
            table.by_itg.insert((link.kind, link.itg.clone()), link.bms.clone());
            table.by_bms.insert((link.kind, link.bms.clone()), link);
        }
        table
    }
}

impl From<LinkTable> for Vec<Link> {
    fn from(table: LinkTable) -> Self {
        table.by_bms.into_values().collect()
    }
}

impl LinkTable {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.by_bms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_bms.is_empty()
    }

    pub fn get(&self, kind: EntityKind, bms: &BmsId) -> Option<&Link> {
        self.by_bms.get(&(kind, bms.clone()))
    }

    pub fn by_itg(&self, kind: EntityKind, itg: &ItgId) -> Option<&Link> {
        self.by_itg.get(&(kind, itg.clone())).and_then(|bms| self.get(kind, bms))
    }

    /// Every link, in kind then BMS id order.
    pub fn iter(&self) -> impl Iterator<Item = &Link> {
        self.by_bms.values()
    }

    fn get_mut(&mut self, kind: EntityKind, bms: &BmsId) -> Result<&mut Link, LinkError> {
        self.by_bms.get_mut(&(kind, bms.clone())).ok_or_else(|| LinkError::NotLinked { kind, id: format!("BMS #{bms}") })
    }

    /// Links a pair. Refused when either record is already linked: a record is never linked twice.
    pub fn link(&mut self, kind: EntityKind, bms: BmsId, itg: ItgId, base: Record, now: Timestamp) -> Result<(), LinkError> {
        if base.kind() != kind {
            return Err(KindMismatch { expected: kind, found: base.kind() }.into());
        }
        if self.by_bms.contains_key(&(kind, bms.clone())) || self.by_itg.contains_key(&(kind, itg.clone())) {
            return Err(LinkError::AlreadyLinked { kind, bms, itg });
        }
        self.by_itg.insert((kind, itg.clone()), bms.clone());
        let link = Link {
            kind,
            bms: bms.clone(),
            itg,
            state: LinkState::Enabled,
            base,
            linked_at: now,
            synced_at: now,
            state_since: now,
        };
        self.by_bms.insert((kind, bms), link);
        Ok(())
    }

    fn set_state(&mut self, kind: EntityKind, bms: &BmsId, state: LinkState, now: Timestamp) -> Result<(), LinkError> {
        let link = self.get_mut(kind, bms)?;
        if link.state != state {
            link.state = state;
            link.state_since = now;
        }
        Ok(())
    }

    /// The BMS record was deleted or left the sync settings; the IT Glue record is kept.
    pub fn orphan(&mut self, kind: EntityKind, bms: &BmsId, reason: OrphanReason, now: Timestamp) -> Result<(), LinkError> {
        self.set_state(kind, bms, LinkState::Orphaned { reason }, now)
    }

    /// An orphan whose BMS record is back in the sync settings syncs again.
    pub fn reenable(&mut self, kind: EntityKind, bms: &BmsId, now: Timestamp) -> Result<(), LinkError> {
        self.set_state(kind, bms, LinkState::Enabled, now)
    }

    /// Stops syncing the pair (the spec's "Disable sync"); both records stay as they are.
    pub fn disconnect(&mut self, kind: EntityKind, bms: &BmsId, now: Timestamp) -> Result<(), LinkError> {
        self.set_state(kind, bms, LinkState::Disconnected, now)
    }

    /// Resumes syncing a disconnected pair; the next plan orphans it again if its BMS record is out of scope.
    pub fn reconnect(&mut self, kind: EntityKind, bms: &BmsId, now: Timestamp) -> Result<(), LinkError> {
        match self.get(kind, bms).map(|l| l.state) {
            Some(LinkState::Disconnected) => self.set_state(kind, bms, LinkState::Enabled, now),
            Some(_) => Err(LinkError::NotDisconnected { kind, bms: bms.clone() }),
            None => Err(LinkError::NotLinked { kind, id: format!("BMS #{bms}") }),
        }
    }

    /// Removes a link (its IT Glue record is gone); returns it.
    pub fn unlink(&mut self, kind: EntityKind, bms: &BmsId) -> Result<Link, LinkError> {
        let link =
            self.by_bms.remove(&(kind, bms.clone())).ok_or_else(|| LinkError::NotLinked { kind, id: format!("BMS #{bms}") })?;
        self.by_itg.remove(&(kind, link.itg.clone()));
        Ok(link)
    }

    /// Moves the base of a pair to `target`'s values for `fields`.
    pub fn advance_base(
        &mut self,
        kind: EntityKind,
        bms: &BmsId,
        target: &Record,
        fields: &[Field],
        now: Timestamp,
    ) -> Result<(), LinkError> {
        let link = self.get_mut(kind, bms)?;
        for &field in fields {
            link.base.copy_field(target, field)?;
        }
        link.synced_at = now;
        Ok(())
    }

    /// Step one of deleting an orphan: the confirmation for this orphan as it is now.
    pub fn confirm_orphan_deletion(&self, kind: EntityKind, itg: &ItgId) -> Result<OrphanDeletion, LinkError> {
        let link = self.by_itg(kind, itg).ok_or_else(|| LinkError::NotLinked { kind, id: format!("IT Glue #{itg}") })?;
        match link.state {
            LinkState::Orphaned { .. } => {
                Ok(OrphanDeletion { kind, bms: link.bms.clone(), itg: itg.clone(), orphaned_since: link.state_since })
            }
            _ => Err(LinkError::NotOrphaned { kind, itg: itg.clone() }),
        }
    }

    /// Step two: forgets the orphan's link and returns the IT Glue deletion to carry out. Refused unless the
    /// confirmation was made for this orphan in its current state.
    pub fn delete_orphan(&mut self, confirmation: OrphanDeletion) -> Result<DeleteOrphan, LinkError> {
        let OrphanDeletion { kind, bms, itg, orphaned_since } = confirmation;
        let link = self.by_itg(kind, &itg).ok_or_else(|| LinkError::NotLinked { kind, id: format!("IT Glue #{itg}") })?;
        if !matches!(link.state, LinkState::Orphaned { .. }) {
            return Err(LinkError::NotOrphaned { kind, itg });
        }
        if link.bms != bms || link.state_since != orphaned_since {
            return Err(LinkError::StaleConfirmation { kind, itg });
        }
        self.unlink(kind, &bms)?;
        Ok(DeleteOrphan { kind, bms, itg })
    }

    fn ids(op: &PlannedOp, result: &OpResult) -> Result<(BmsId, ItgId), LinkError> {
        let bms = op.bms.clone().or_else(|| result.bms.clone()).ok_or(LinkError::MissingId("BMS"))?;
        let itg = op.itg.clone().or_else(|| result.itg.clone()).ok_or(LinkError::MissingId("IT Glue"))?;
        Ok((bms, itg))
    }

    /// Records what a completed operation did to the pairing: links made, bases moved, states changed.
    pub fn apply(&mut self, op: &PlannedOp, result: &OpResult, now: Timestamp) -> Result<(), LinkError> {
        let kind = op.entity;
        match &op.op {
            OpKind::Link { base } => {
                let (bms, itg) = Self::ids(op, result)?;
                self.link(kind, bms, itg, base.clone(), now)
            }
            OpKind::CreateInItGlue { record } | OpKind::CreateInBms { record, .. } | OpKind::RecheckThenCreate { record, .. } => {
                let (bms, itg) = Self::ids(op, result)?;
                self.link(kind, bms, itg, record.clone(), now)
            }
            OpKind::UpdateItGlue { changes, target }
            | OpKind::UpdateBms { changes, target }
            | OpKind::Rebase { changes, target } => {
                let (bms, _) = Self::ids(op, result)?;
                let fields: Vec<Field> = changes.iter().map(|c| c.field).collect();
                self.advance_base(kind, &bms, target, &fields, now)
            }
            OpKind::Orphan { reason } => self.orphan(kind, &Self::ids(op, result)?.0, *reason, now),
            OpKind::Reenable => self.reenable(kind, &Self::ids(op, result)?.0, now),
            OpKind::Unlink => self.unlink(kind, &Self::ids(op, result)?.0).map(|_| ()),
            OpKind::LogConflict { .. } | OpKind::Skipped => Ok(()),
        }
    }
}

impl IdResolver for LinkTable {
    fn itg_for(&self, kind: EntityKind, bms: &BmsId) -> Option<ItgId> {
        self.get(kind, bms).map(|l| l.itg.clone())
    }

    fn bms_for(&self, kind: EntityKind, itg: &ItgId) -> Option<BmsId> {
        self.by_itg.get(&(kind, itg.clone())).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::records::Organization;
    use serde_json::Value;

    fn at(ms: i64) -> Timestamp {
        Timestamp::from_unix_millis(ms)
    }

    fn org(name: &str) -> Record {
        Record::Organization(Organization { name: name.into(), ..Organization::default() })
    }

    fn table() -> LinkTable {
        let mut t = LinkTable::new();
        t.link(EntityKind::Organization, BmsId::new("1"), ItgId::new("10"), org("Acme"), at(1)).unwrap();
        t
    }

    #[test]
    fn a_record_is_never_linked_twice() {
        let mut t = table();
        let again = t.link(EntityKind::Organization, BmsId::new("2"), ItgId::new("10"), org("Acme"), at(2));
        assert!(matches!(again, Err(LinkError::AlreadyLinked { .. })));
        let again = t.link(EntityKind::Organization, BmsId::new("1"), ItgId::new("11"), org("Acme"), at(2));
        assert!(matches!(again, Err(LinkError::AlreadyLinked { .. })));
        // The same ids in another kind are other records.
        t.link(EntityKind::Contact, BmsId::new("1"), ItgId::new("10"), Record::empty(EntityKind::Contact), at(2)).unwrap();
        assert_eq!(t.len(), 2);
    }

    #[test]
    fn orphans_keep_their_it_glue_record_and_can_come_back() {
        let mut t = table();
        let kind = EntityKind::Organization;
        t.orphan(kind, &BmsId::new("1"), OrphanReason::OutOfScope, at(5)).unwrap();
        assert_eq!(t.get(kind, &BmsId::new("1")).unwrap().state, LinkState::Orphaned { reason: OrphanReason::OutOfScope });
        assert_eq!(t.itg_for(kind, &BmsId::new("1")), Some(ItgId::new("10")));
        t.reenable(kind, &BmsId::new("1"), at(6)).unwrap();
        assert_eq!(t.get(kind, &BmsId::new("1")).unwrap().state, LinkState::Enabled);
    }

    #[test]
    fn disconnect_and_reconnect() {
        let mut t = table();
        let kind = EntityKind::Organization;
        assert!(matches!(t.reconnect(kind, &BmsId::new("1"), at(2)), Err(LinkError::NotDisconnected { .. })));
        t.disconnect(kind, &BmsId::new("1"), at(3)).unwrap();
        assert_eq!(t.get(kind, &BmsId::new("1")).unwrap().state, LinkState::Disconnected);
        t.reconnect(kind, &BmsId::new("1"), at(4)).unwrap();
        assert_eq!(t.get(kind, &BmsId::new("1")).unwrap().state, LinkState::Enabled);
        assert!(matches!(t.disconnect(kind, &BmsId::new("9"), at(5)), Err(LinkError::NotLinked { .. })));
    }

    #[test]
    fn deleting_an_orphan_needs_a_confirmation_for_that_orphan() {
        let mut t = table();
        let kind = EntityKind::Organization;
        let itg = ItgId::new("10");
        // Not an orphan: no confirmation can be made.
        assert!(matches!(t.confirm_orphan_deletion(kind, &itg), Err(LinkError::NotOrphaned { .. })));
        t.orphan(kind, &BmsId::new("1"), OrphanReason::DeletedInBms, at(5)).unwrap();
        let confirmation = t.confirm_orphan_deletion(kind, &itg).unwrap();
        // Re-enabled and orphaned again since: the old confirmation no longer holds.
        t.reenable(kind, &BmsId::new("1"), at(6)).unwrap();
        assert!(matches!(t.delete_orphan(confirmation.clone()), Err(LinkError::NotOrphaned { .. })));
        t.orphan(kind, &BmsId::new("1"), OrphanReason::DeletedInBms, at(7)).unwrap();
        assert!(matches!(t.delete_orphan(confirmation), Err(LinkError::StaleConfirmation { .. })));
        let fresh = t.confirm_orphan_deletion(kind, &itg).unwrap();
        assert_eq!(fresh.itg(), &itg);
        let deletion = t.delete_orphan(fresh).unwrap();
        assert_eq!(deletion, DeleteOrphan { kind, bms: BmsId::new("1"), itg });
        assert!(t.is_empty());
    }

    #[test]
    fn stores_as_a_list_and_drops_duplicates_on_load() {
        let t = table();
        let json = serde_json::to_value(&t).unwrap();
        assert!(json.is_array());
        assert_eq!(serde_json::from_value::<LinkTable>(json.clone()).unwrap(), t);
        let mut twice = json.as_array().unwrap().clone();
        let mut dup = twice[0].clone();
        dup["bms"] = "2".into();
        twice.push(dup);
        let loaded: LinkTable = serde_json::from_value(Value::Array(twice)).unwrap();
        assert_eq!(loaded.len(), 1);
    }
}
