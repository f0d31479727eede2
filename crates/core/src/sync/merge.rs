//! Field-level three-way merge of a linked pair against the values both sides held after the last sync.
//!
//! - Changed on one side: the change flows to the other side.
//! - Changed on both sides to equivalent values: nothing to write; the base moves on.
//! - Changed on both sides to different values: the entity's [`ConflictPolicy`] picks the winner, and the losing
//!   value goes into a [`Conflict`] entry. Nothing is lost silently.
//! - Two-way sync off: IT Glue changes are never written to BMS. BMS overwrites them, and the overwritten value is
//!   logged all the same (as a [`ConflictCause::TwoWayOff`] entry).
//!
//! A field one side cannot hold right now (an unknown lookup name, a reference to a record not linked yet, a
//! field the API does not let us write) is never written there; the change stays pending and the base does not
//! move, so it is written once it can be. When that side shows the field empty, the emptiness is taken to mean
//! "could not be written", not "was cleared", so it never flows back and wipes the other side.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::normalize::Timestamp;
use super::records::{BmsId, EntityKind, Field, FieldValue, ItgId, KindMismatch, Record, Side};
use super::settings::ConflictPolicy;

/// One field to write: the value it replaces and the value it gets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: Field,
    pub before: FieldValue,
    pub after: FieldValue,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConflictCause {
    /// Both sides changed the field to different values since the last sync.
    BothChanged,
    /// IT Glue changed it, two-way sync is off, so BMS overwrote it.
    TwoWayOff,
    /// The pair was just matched and IT Glue held a different, non-empty value: the PSA wins.
    FirstMatch,
}

/// A logged disagreement: the losing value is kept here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    pub kind: EntityKind,
    pub bms: BmsId,
    pub itg: ItgId,
    pub field: Field,
    /// The last synced value; `None` on a first match.
    pub base: Option<FieldValue>,
    pub bms_value: FieldValue,
    pub itg_value: FieldValue,
    pub winner: Side,
    pub cause: ConflictCause,
    pub at: Timestamp,
}

impl Conflict {
    pub fn losing_value(&self) -> &FieldValue {
        match self.winner {
            Side::Bms => &self.itg_value,
            Side::ItGlue => &self.bms_value,
        }
    }
}

/// A change that could not be written to `to`; it stays pending (the base does not move), and is retried.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Blocked {
    pub field: Field,
    pub to: Side,
    pub reason: String,
}

/// What the merge needs besides the three records.
#[derive(Debug, Clone, Copy)]
pub struct MergeContext<'a> {
    pub bms: &'a BmsId,
    pub itg: &'a ItgId,
    pub two_way: bool,
    pub policy: ConflictPolicy,
    /// BMS modified-on, for [`ConflictPolicy::NewestWins`].
    pub bms_modified: Option<Timestamp>,
    /// IT Glue updated-at, for [`ConflictPolicy::NewestWins`].
    pub itg_updated: Option<Timestamp>,
    pub at: Timestamp,
    /// The pair was matched in this run: the base is IT Glue's current record and BMS wins every difference.
    pub first_match: bool,
    /// Fields IT Glue cannot take for this record, with the reason.
    pub itg_unwritable: &'a BTreeMap<Field, String>,
    /// Fields BMS cannot take for this record, with the reason.
    pub bms_unwritable: &'a BTreeMap<Field, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeOutcome {
    /// The values the pair holds once the writes are done (pending fields keep the base).
    pub merged: Record,
    pub to_itglue: Vec<FieldChange>,
    pub to_bms: Vec<FieldChange>,
    /// Both sides already agree on a new value: only the base moves.
    pub agreed: Vec<FieldChange>,
    pub conflicts: Vec<Conflict>,
    pub blocked: Vec<Blocked>,
}

impl MergeOutcome {
    pub fn writes_nothing(&self) -> bool {
        self.to_itglue.is_empty() && self.to_bms.is_empty()
    }
}

fn newest_side(ctx: &MergeContext<'_>) -> Side {
    match (ctx.bms_modified, ctx.itg_updated) {
        (Some(b), Some(i)) if i > b => Side::ItGlue,
        _ => Side::Bms,
    }
}

fn winner(ctx: &MergeContext<'_>) -> Side {
    if !ctx.two_way {
        return Side::Bms;
    }
    match ctx.policy {
        ConflictPolicy::BmsWins => Side::Bms,
        ConflictPolicy::ItGlueWins => Side::ItGlue,
        ConflictPolicy::NewestWins => newest_side(ctx),
    }
}

/// The per-field merge, filling `out`.
struct FieldMerge<'a, 'c> {
    ctx: &'a MergeContext<'c>,
    kind: EntityKind,
    out: MergeOutcome,
}

impl FieldMerge<'_, '_> {
    fn conflict(&mut self, field: Field, base: &FieldValue, b: &FieldValue, i: &FieldValue, winner: Side, cause: ConflictCause) {
        self.out.conflicts.push(Conflict {
            kind: self.kind,
            bms: self.ctx.bms.clone(),
            itg: self.ctx.itg.clone(),
            field,
            base: (cause != ConflictCause::FirstMatch).then(|| base.clone()),
            bms_value: b.clone(),
            itg_value: i.clone(),
            winner,
            cause,
            at: self.ctx.at,
        });
    }

    fn block(&mut self, field: Field, to: Side) {
        let reasons = match to {
            Side::Bms => self.ctx.bms_unwritable,
            Side::ItGlue => self.ctx.itg_unwritable,
        };
        let reason = reasons.get(&field).cloned().unwrap_or_default();
        self.out.blocked.push(Blocked { field, to, reason });
    }

    /// Writes `b` over IT Glue's `i`, when IT Glue can take it; reports whether it was written.
    fn send_to_itglue(&mut self, field: Field, b: &FieldValue, i: &FieldValue, bms: &Record) -> Result<bool, KindMismatch> {
        if self.ctx.itg_unwritable.contains_key(&field) {
            self.block(field, Side::ItGlue);
            return Ok(false);
        }
        self.out.to_itglue.push(FieldChange { field, before: i.clone(), after: b.clone() });
        self.out.merged.copy_field(bms, field)?;
        Ok(true)
    }

    /// Writes `i` over BMS's `b`, when BMS can take it (callers check that two-way sync is on).
    fn send_to_bms(&mut self, field: Field, b: &FieldValue, i: &FieldValue, itg: &Record) -> Result<bool, KindMismatch> {
        if self.ctx.bms_unwritable.contains_key(&field) {
            self.block(field, Side::Bms);
            return Ok(false);
        }
        self.out.to_bms.push(FieldChange { field, before: b.clone(), after: i.clone() });
        self.out.merged.copy_field(itg, field)?;
        Ok(true)
    }

    fn field(&mut self, field: Field, base: &Record, bms: &Record, itg: &Record) -> Result<(), KindMismatch> {
        let (Some(o), Some(mut b), Some(mut i)) = (base.get(field), bms.get(field), itg.get(field)) else {
            return Ok(());
        };
        // An empty value where the side cannot hold the field means "not written", not "cleared".
        if i.is_empty() && self.ctx.itg_unwritable.contains_key(&field) {
            i = o.clone();
        }
        if b.is_empty() && self.ctx.bms_unwritable.contains_key(&field) {
            b = o.clone();
        }
        let bms_changed = !b.equivalent(&o);
        let itg_changed = !i.equivalent(&o);
        match (bms_changed, itg_changed) {
            (false, false) => {}
            (true, false) => {
                self.send_to_itglue(field, &b, &i, bms)?;
                if self.ctx.first_match && !i.is_empty() && !self.ctx.itg_unwritable.contains_key(&field) {
                    self.conflict(field, &o, &b, &i, Side::Bms, ConflictCause::FirstMatch);
                }
            }
            (false, true) if self.ctx.two_way => {
                // When BMS cannot take the value yet, the change stays pending rather than being undone.
                self.send_to_bms(field, &b, &i, itg)?;
            }
            (false, true) => {
                // One-way sync: BMS's value stands and overwrites IT Glue's, which is logged.
                if self.send_to_itglue(field, &b, &i, bms)? {
                    self.conflict(field, &o, &b, &i, Side::Bms, ConflictCause::TwoWayOff);
                }
            }
            (true, true) if b.equivalent(&i) => {
                self.out.agreed.push(FieldChange { field, before: o.clone(), after: b.clone() });
                self.out.merged.copy_field(bms, field)?;
            }
            (true, true) => {
                // A winner the other side cannot take yields to the other value (when that one can be written), so
                // the conflict is settled now instead of lingering until timestamps, which our own writes move, flip.
                // Under "BMS wins" BMS's value never yields: it waits, blocked, without flipping.
                let preferred = winner(self.ctx);
                let can_write = |side: Side| match side {
                    Side::Bms => !self.ctx.itg_unwritable.contains_key(&field),
                    Side::ItGlue => self.ctx.two_way && !self.ctx.bms_unwritable.contains_key(&field),
                };
                let other = match preferred {
                    Side::Bms => Side::ItGlue,
                    Side::ItGlue => Side::Bms,
                };
                let yields = preferred == Side::ItGlue || self.ctx.policy == ConflictPolicy::NewestWins;
                let win = if !can_write(preferred) && yields && can_write(other) { other } else { preferred };
                let written = match win {
                    Side::Bms => self.send_to_itglue(field, &b, &i, bms)?,
                    Side::ItGlue => self.send_to_bms(field, &b, &i, itg)?,
                };
                if written {
                    self.conflict(field, &o, &b, &i, win, ConflictCause::BothChanged);
                }
            }
        }
        Ok(())
    }
}

/// Merges one linked pair. All three records must be of the same kind.
pub fn merge(base: &Record, bms: &Record, itg: &Record, ctx: &MergeContext<'_>) -> Result<MergeOutcome, KindMismatch> {
    for other in [bms, itg] {
        if other.kind() != base.kind() {
            return Err(KindMismatch { expected: base.kind(), found: other.kind() });
        }
    }
    let mut run = FieldMerge {
        ctx,
        kind: base.kind(),
        out: MergeOutcome {
            merged: base.clone(),
            to_itglue: Vec::new(),
            to_bms: Vec::new(),
            agreed: Vec::new(),
            conflicts: Vec::new(),
            blocked: Vec::new(),
        },
    };
    for &field in base.fields() {
        run.field(field, base, bms, itg)?;
    }
    Ok(run.out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::normalize::{MacAddress, SyncDate};
    use crate::sync::records::{Configuration, Contact, Email, Phone, RecordRef, same_value};
    use proptest::prelude::*;

    /// The ids and the (empty) unwritable sets a test merge borrows.
    struct Fixture {
        bms: BmsId,
        itg: ItgId,
        none: BTreeMap<Field, String>,
    }

    fn fixture() -> Fixture {
        Fixture { bms: BmsId::new("1"), itg: ItgId::new("2"), none: BTreeMap::new() }
    }

    fn ctx(f: &Fixture, two_way: bool, policy: ConflictPolicy) -> MergeContext<'_> {
        MergeContext {
            bms: &f.bms,
            itg: &f.itg,
            two_way,
            policy,
            bms_modified: Some(Timestamp::from_unix_millis(10)),
            itg_updated: Some(Timestamp::from_unix_millis(20)),
            at: Timestamp::from_unix_millis(99),
            first_match: false,
            itg_unwritable: &f.none,
            bms_unwritable: &f.none,
        }
    }

    fn contact(title: &str) -> Record {
        Record::Contact(Contact { first_name: Some("Ann".into()), title: Some(title.into()), ..Contact::default() })
    }

    #[test]
    fn a_bms_change_flows_to_it_glue() {
        let f = fixture();
        let out = merge(&contact("A"), &contact("B"), &contact("A"), &ctx(&f, true, ConflictPolicy::BmsWins)).unwrap();
        assert_eq!(
            out.to_itglue,
            vec![FieldChange {
                field: Field::Title,
                before: FieldValue::Text(Some("A".into())),
                after: FieldValue::Text(Some("B".into()))
            }]
        );
        assert!(out.to_bms.is_empty() && out.conflicts.is_empty());
        assert_eq!(out.merged, contact("B"));
    }

    #[test]
    fn with_two_way_off_it_glue_changes_are_overwritten_and_logged() {
        let f = fixture();
        let out = merge(&contact("A"), &contact("A"), &contact("C"), &ctx(&f, false, ConflictPolicy::ItGlueWins)).unwrap();
        assert!(out.to_bms.is_empty());
        assert_eq!(out.to_itglue.len(), 1);
        assert_eq!(out.to_itglue[0].after, FieldValue::Text(Some("A".into())));
        assert_eq!(out.conflicts.len(), 1);
        assert_eq!(out.conflicts[0].cause, ConflictCause::TwoWayOff);
        assert_eq!(out.conflicts[0].losing_value(), &FieldValue::Text(Some("C".into())));
    }

    #[test]
    fn policies_pick_the_winner() {
        let f = fixture();
        let (base, b, i) = (contact("A"), contact("B"), contact("C"));
        let bms_wins = merge(&base, &b, &i, &ctx(&f, true, ConflictPolicy::BmsWins)).unwrap();
        assert_eq!(bms_wins.merged, b);
        let itg_wins = merge(&base, &b, &i, &ctx(&f, true, ConflictPolicy::ItGlueWins)).unwrap();
        assert_eq!(itg_wins.merged, i);
        assert_eq!(itg_wins.to_bms.len(), 1);
        let newest = merge(&base, &b, &i, &ctx(&f, true, ConflictPolicy::NewestWins)).unwrap();
        assert_eq!(newest.conflicts[0].winner, Side::ItGlue, "IT Glue was updated after BMS");
    }

    #[test]
    fn a_field_it_glue_cannot_hold_neither_flows_nor_wipes() {
        let mut locked = BTreeMap::new();
        locked.insert(Field::Location, "not in IT Glue yet".to_owned());
        let f = fixture();
        let with_loc =
            |id: &str| Record::Contact(Contact { location: Some(RecordRef::Bms(BmsId::new(id))), ..Contact::default() });
        let c = MergeContext { itg_unwritable: &locked, ..ctx(&f, true, ConflictPolicy::BmsWins) };
        // IT Glue shows no location because it could not be written: that is not a change to push to BMS.
        let out = merge(&with_loc("5"), &with_loc("5"), &Record::Contact(Contact::default()), &c).unwrap();
        assert!(out.writes_nothing() && out.conflicts.is_empty());
        // A new BMS location waits until IT Glue can take it.
        let out = merge(&with_loc("5"), &with_loc("6"), &with_loc("5"), &c).unwrap();
        assert!(out.writes_nothing());
        assert_eq!(out.blocked, vec![Blocked { field: Field::Location, to: Side::ItGlue, reason: "not in IT Glue yet".into() }]);
        assert_eq!(out.merged, with_loc("5"), "the base does not move while the change is pending");
    }

    #[test]
    fn a_first_match_logs_the_it_glue_values_it_replaces() {
        let f = fixture();
        let c = MergeContext { first_match: true, ..ctx(&f, true, ConflictPolicy::ItGlueWins) };
        let itg = Record::Contact(Contact { first_name: Some("Ann".into()), title: Some("Boss".into()), ..Contact::default() });
        let out = merge(&itg, &contact("CEO"), &itg, &c).unwrap();
        assert_eq!(out.to_itglue.len(), 1);
        assert_eq!(out.conflicts[0].cause, ConflictCause::FirstMatch);
        assert_eq!(out.conflicts[0].base, None);
        assert_eq!(out.conflicts[0].losing_value(), &FieldValue::Text(Some("Boss".into())));
    }

    #[test]
    fn records_of_different_kinds_are_refused() {
        let f = fixture();
        let cfg = Record::Configuration(Box::default());
        assert!(merge(&contact("A"), &cfg, &contact("A"), &ctx(&f, true, ConflictPolicy::BmsWins)).is_err());
    }

    fn text() -> impl Strategy<Value = Option<String>> {
        proptest::option::of(prop::sample::select(vec!["a", "b", "B", "c d", "Acme"]).prop_map(str::to_owned))
    }

    fn configuration() -> impl Strategy<Value = Record> {
        (
            prop::sample::select(vec!["PC-1", "PC-2", "srv"]),
            (text(), text(), text(), text(), text(), text()),
            proptest::option::of(prop::sample::select(vec!["02:00:00:00:00:01", "02:00:00:00:00:02"])),
            proptest::option::of((2000i32..2003, 1u32..3, 1u32..3)),
            proptest::option::of(prop::sample::select(vec!["7", "8"])),
        )
            .prop_map(|(name, (tag, ip, notes, os, serial, status), mac, date, loc)| {
                Record::Configuration(Box::new(Configuration {
                    name: name.into(),
                    asset_tag: tag,
                    primary_ip: ip,
                    notes,
                    operating_system: os,
                    serial_number: serial,
                    status,
                    primary_mac: mac.and_then(MacAddress::parse),
                    purchased_at: date.and_then(|(y, m, d)| SyncDate::new(y, m, d)),
                    location: loc.map(|l| RecordRef::Bms(BmsId::new(l))),
                    ..Configuration::default()
                }))
            })
    }

    fn contact_lists() -> impl Strategy<Value = Record> {
        let email = (prop::sample::select(vec!["a@x.com", "A@X.com", "b@x.com"]), any::<bool>()).prop_map(|(a, p)| Email {
            address: a.into(),
            primary: p,
            label: None,
        });
        let phone = (prop::sample::select(vec!["4155552156", "(415) 555-2156", "8134890123"]), any::<bool>())
            .prop_map(|(n, p)| Phone { number: n.into(), extension: None, primary: p, label: None });
        (text(), prop::collection::vec(email, 0..3), prop::collection::vec(phone, 0..3), any::<bool>()).prop_map(
            |(title, emails, phones, important)| {
                Record::Contact(Contact {
                    first_name: Some("Ann".into()),
                    title,
                    emails,
                    phones,
                    important,
                    ..Contact::default()
                })
            },
        )
    }

    /// A base and two sides, each field of each side either the base's or an independent value.
    fn triple(records: impl Strategy<Value = Record> + Clone) -> impl Strategy<Value = (Record, Record, Record)> {
        (records.clone(), records.clone(), records, prop::collection::vec(any::<(bool, bool)>(), 20)).prop_map(
            |(base, x, y, picks)| {
                let mut bms = base.clone();
                let mut itg = base.clone();
                for (&f, &(take_x, take_y)) in base.fields().iter().zip(picks.iter()) {
                    if take_x {
                        let _same_kind = bms.copy_field(&x, f);
                    }
                    if take_y {
                        let _same_kind = itg.copy_field(&y, f);
                    }
                }
                (base, bms, itg)
            },
        )
    }

    fn any_record() -> impl Strategy<Value = Record> + Clone {
        prop_oneof![configuration(), contact_lists()]
    }

    fn policy() -> impl Strategy<Value = ConflictPolicy> {
        prop::sample::select(vec![ConflictPolicy::BmsWins, ConflictPolicy::ItGlueWins, ConflictPolicy::NewestWins])
    }

    fn same_fields(a: &Record, b: &Record) -> bool {
        a.fields().iter().all(|&f| same_value(a.get(f), b.get(f)))
    }

    proptest! {
        #[test]
        fn one_sided_changes_win_and_untouched_pairs_write_nothing((base, x, _) in triple(any_record()), policy in policy(), from_bms in any::<bool>()) {
            let f = fixture();
            let c = ctx(&f, true, policy);
            let (bms, itg) = if from_bms { (x.clone(), base.clone()) } else { (base.clone(), x.clone()) };
            let out = merge(&base, &bms, &itg, &c).unwrap();
            prop_assert!(same_fields(&out.merged, &x), "the merge must equal the side that changed");
            prop_assert!(out.conflicts.is_empty());
            if from_bms { prop_assert!(out.to_bms.is_empty()) } else { prop_assert!(out.to_itglue.is_empty()) }
            let idle = merge(&base, &base, &base, &c).unwrap();
            prop_assert!(idle.writes_nothing() && idle.conflicts.is_empty() && idle.agreed.is_empty());
            prop_assert_eq!(idle.merged, base);
        }

        #[test]
        fn equal_changes_on_both_sides_are_no_conflict((base, x, _) in triple(any_record()), policy in policy(), two_way in any::<bool>()) {
            let f = fixture();
            let out = merge(&base, &x, &x, &ctx(&f, two_way, policy)).unwrap();
            prop_assert!(same_fields(&out.merged, &x));
            prop_assert!(out.writes_nothing());
            prop_assert!(out.conflicts.is_empty());
        }

        #[test]
        fn every_real_conflict_is_logged_once_with_the_losing_value((base, bms, itg) in triple(any_record()), policy in policy(), two_way in any::<bool>()) {
            let f = fixture();
            let out = merge(&base, &bms, &itg, &ctx(&f, two_way, policy)).unwrap();
            for &f in base.fields() {
                let (o, b, i) = (base.get(f).unwrap(), bms.get(f).unwrap(), itg.get(f).unwrap());
                let logged: Vec<&Conflict> = out.conflicts.iter().filter(|c| c.field == f).collect();
                let both = !b.equivalent(&o) && !i.equivalent(&o) && !b.equivalent(&i);
                let overwritten = !two_way && b.equivalent(&o) && !i.equivalent(&o);
                if both || overwritten {
                    prop_assert_eq!(logged.len(), 1, "field {}", f);
                    let loser = if logged[0].winner == Side::Bms { &i } else { &b };
                    prop_assert_eq!(logged[0].losing_value(), loser);
                    let winning = if logged[0].winner == Side::Bms { &b } else { &i };
                    prop_assert!(same_value(out.merged.get(f), Some(winning.clone())));
                } else {
                    prop_assert!(logged.is_empty(), "field {} logged without a conflict", f);
                }
            }
            if !two_way {
                prop_assert!(out.to_bms.is_empty(), "nothing reaches BMS with two-way sync off");
            }
        }
    }
}
