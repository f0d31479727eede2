//! Matching a record to an existing one on the other side, by the spec's exact keys and nothing fuzzier:
//!
//! | kind | matched on |
//! |---|---|
//! | organization | account name |
//! | contact | (account) AND (first name AND last name) |
//! | configuration | (account) AND (asset type AND asset name), narrowed by serial number, then MAC address |
//! | location | (location name) AND (address 1, address 2, city, state/province, country), within the account |
//!
//! "When one or more identical matches are found, the record that was created first is matched on"; ties in
//! creation time go to the lowest id, so the result never depends on input order. Comparison ignores case and
//! spacing only: "Acme Inc." and "Acme Inc" do not match, as in the real integration (see
//! [`super::normalize::likely_duplicate`] for the warning the UI shows instead).

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::normalize::{Timestamp, fold};
use super::records::{Record, id_order};

/// One record taking part in matching: a probe looking for a partner, or a candidate.
#[derive(Debug)]
pub struct Matchable<'a, I, S> {
    pub id: &'a I,
    /// The account the record belongs to, in the candidates' id space; matching happens only within one scope.
    /// `None` for organizations.
    pub scope: Option<&'a S>,
    pub created: Option<Timestamp>,
    pub record: &'a Record,
}

impl<I, S> Clone for Matchable<'_, I, S> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<I, S> Copy for Matchable<'_, I, S> {}

/// What narrowed several identical configurations down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Narrowing {
    SerialNumber,
    MacAddress,
}

/// Which rule made the match, for the plan's "why".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "kebab-case")]
pub enum MatchRule {
    AccountName,
    ContactName,
    Configuration { narrowed_by: Vec<Narrowing> },
    LocationAddress,
}

/// A match, with how many identical records competed for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matched<I> {
    pub id: I,
    pub rule: MatchRule,
    pub identical: usize,
}

impl<I> Matched<I> {
    /// "matched on account name", "…; the earliest created of 3 identical records".
    pub fn reason(&self) -> String {
        let base = match &self.rule {
            MatchRule::AccountName => "matched on account name".to_owned(),
            MatchRule::ContactName => "matched on first and last name within the account".to_owned(),
            MatchRule::LocationAddress => "matched on location name and address within the account".to_owned(),
            MatchRule::Configuration { narrowed_by } if narrowed_by.is_empty() => {
                "matched on asset type and name within the account".to_owned()
            }
            MatchRule::Configuration { narrowed_by } => {
                let by: Vec<&str> = narrowed_by
                    .iter()
                    .map(|n| match n {
                        Narrowing::SerialNumber => "serial number",
                        Narrowing::MacAddress => "MAC address",
                    })
                    .collect();
                format!("matched on asset type and name within the account, narrowed by {}", by.join(" and "))
            }
        };
        if self.identical > 1 { format!("{base}; the earliest created of {} identical records", self.identical) } else { base }
    }
}

fn key(value: Option<&str>) -> String {
    value.map(fold).unwrap_or_default()
}

/// The spec's keys of a record, folded: two records are the same thing when these are equal and the first one
/// is [`identifiable`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Identity {
    Organization(String),
    Contact { first: String, last: String },
    Configuration { name: String, kind: String },
    Location { name: String, address: [String; 5] },
}

fn identity(record: &Record) -> Identity {
    match record {
        Record::Organization(o) => Identity::Organization(key(Some(&o.name))),
        Record::Contact(c) => Identity::Contact { first: key(c.first_name.as_deref()), last: key(c.last_name.as_deref()) },
        Record::Configuration(c) => {
            Identity::Configuration { name: key(Some(&c.name)), kind: key(c.configuration_type.as_deref()) }
        }
        Record::Location(l) => Identity::Location {
            name: key(Some(&l.name)),
            address: [&l.address1, &l.address2, &l.city, &l.state, &l.country].map(|v| key(v.as_deref())),
        },
    }
}

/// Whether the record has the keys to match anything at all.
fn identifiable(record: &Record) -> bool {
    match record {
        // A contact with no name at all would match every other nameless contact.
        Record::Contact(c) => c.first_name.is_some() || c.last_name.is_some(),
        Record::Organization(o) => !key(Some(&o.name)).is_empty(),
        Record::Configuration(c) => !key(Some(&c.name)).is_empty(),
        Record::Location(l) => !key(Some(&l.name)).is_empty(),
    }
}

/// Whether two records are the same thing by the spec's keys (scope aside).
pub fn same_identity(a: &Record, b: &Record) -> bool {
    identifiable(a) && identity(a) == identity(b)
}

/// Earliest created first (unknown creation times last), then lowest id.
fn creation_order<I: AsRef<str>, S>(a: &Matchable<'_, I, S>, b: &Matchable<'_, I, S>) -> Ordering {
    match (a.created, b.created) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
    .then_with(|| id_order(a.id.as_ref(), b.id.as_ref()))
}

/// Keeps the candidates that agree with the probe on one identifier, unless none does or the probe has none.
fn narrow<'a, I, S>(
    pool: Vec<Matchable<'a, I, S>>,
    probe_value: Option<String>,
    value: impl Fn(&Record) -> Option<String>,
) -> (Vec<Matchable<'a, I, S>>, bool) {
    let Some(wanted) = probe_value.filter(|v| !v.is_empty()) else { return (pool, false) };
    let (same, other): (Vec<_>, Vec<_>) = pool.into_iter().partition(|c| value(c.record).as_deref() == Some(wanted.as_str()));
    if same.is_empty() { (other, false) } else { (same, true) }
}

fn serial(r: &Record) -> Option<String> {
    match r {
        Record::Configuration(c) => c.serial_number.as_deref().map(fold),
        _ => None,
    }
}

fn mac(r: &Record) -> Option<String> {
    match r {
        Record::Configuration(c) => c.primary_mac.as_ref().map(|m| m.as_str().to_owned()),
        _ => None,
    }
}

/// The record `probe` matches among `candidates` (already limited to its scope and to unlinked records).
pub fn best_match<'a, I: AsRef<str> + Clone + 'a, S: 'a>(
    probe: &Record,
    candidates: impl IntoIterator<Item = Matchable<'a, I, S>>,
) -> Option<Matched<I>> {
    let wanted = identifiable(probe).then(|| identity(probe));
    let mut pool: Vec<Matchable<'a, I, S>> =
        candidates.into_iter().filter(|c| wanted.as_ref() == Some(&identity(c.record))).collect();
    let identical = pool.len();
    let rule = match probe {
        Record::Organization(_) => MatchRule::AccountName,
        Record::Contact(_) => MatchRule::ContactName,
        Record::Location(_) => MatchRule::LocationAddress,
        Record::Configuration(_) => {
            let mut narrowed_by = Vec::new();
            if pool.len() > 1 {
                let (kept, used) = narrow(pool, serial(probe), serial);
                pool = kept;
                if used {
                    narrowed_by.push(Narrowing::SerialNumber);
                }
            }
            if pool.len() > 1 {
                let (kept, used) = narrow(pool, mac(probe), mac);
                pool = kept;
                if used {
                    narrowed_by.push(Narrowing::MacAddress);
                }
            }
            MatchRule::Configuration { narrowed_by }
        }
    };
    let winner = pool.into_iter().min_by(creation_order)?;
    Some(Matched { id: winner.id.clone(), rule, identical })
}

/// A probe paired with the candidate it matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pairing<P, C> {
    pub probe: P,
    pub matched: Matched<C>,
}

/// Candidates that share a scope and the spec's keys.
type Group<'a, C, S> = Vec<Matchable<'a, C, S>>;

/// Matches every probe, earliest created first, never giving one candidate to two probes. Probes without a
/// match are left out (they become creates).
pub fn match_all<'a, P, C, S>(probes: &[Matchable<'a, P, S>], candidates: &[Matchable<'a, C, S>]) -> Vec<Pairing<P, C>>
where
    P: AsRef<str> + Clone + 'a,
    C: AsRef<str> + Clone + Ord + 'a,
    S: Ord + 'a,
{
    // Candidates grouped by scope and keys: a probe weighs only the ones it could match, not all of them. Scopes
    // no probe looks in are left out of the groups.
    let scopes: BTreeSet<Option<&S>> = probes.iter().filter(|p| identifiable(p.record)).map(|p| p.scope).collect();
    let mut groups: BTreeMap<(Option<&S>, Identity), Group<'a, C, S>> = BTreeMap::new();
    for c in candidates.iter().filter(|c| scopes.contains(&c.scope)) {
        groups.entry((c.scope, identity(c.record))).or_default().push(*c);
    }
    let mut order: Vec<Matchable<'a, P, S>> = probes.to_vec();
    order.sort_by(creation_order);
    let mut taken: BTreeSet<C> = BTreeSet::new();
    let mut out = Vec::new();
    for probe in order {
        if !identifiable(probe.record) {
            continue;
        }
        let Some(group) = groups.get(&(probe.scope, identity(probe.record))) else { continue };
        let open = group.iter().copied().filter(|c| !taken.contains(c.id));
        if let Some(m) = best_match(probe.record, open) {
            taken.insert(m.id.clone());
            out.push(Pairing { probe: probe.id.clone(), matched: m });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::normalize::{MacAddress, likely_duplicate};
    use crate::sync::records::{BmsId, Configuration, Contact, ItgId, Location, Organization};
    use proptest::prelude::*;

    fn org(name: &str) -> Record {
        Record::Organization(Organization { name: name.into(), ..Organization::default() })
    }

    fn person(first: &str, last: &str) -> Record {
        Record::Contact(Contact { first_name: Some(first.into()), last_name: Some(last.into()), ..Contact::default() })
    }

    fn device(kind: &str, name: &str, serial: Option<&str>, mac: Option<&str>) -> Record {
        Record::Configuration(Box::new(Configuration {
            name: name.into(),
            configuration_type: Some(kind.into()),
            serial_number: serial.map(Into::into),
            primary_mac: mac.and_then(MacAddress::parse),
            ..Configuration::default()
        }))
    }

    fn site(name: &str, a1: &str, a2: Option<&str>, city: &str) -> Record {
        Record::Location(Location {
            name: name.into(),
            address1: Some(a1.into()),
            address2: a2.map(Into::into),
            city: Some(city.into()),
            state: Some("CA".into()),
            country: Some("United States".into()),
            ..Location::default()
        })
    }

    fn t(ms: i64) -> Option<Timestamp> {
        Some(Timestamp::from_unix_millis(ms))
    }

    struct Itg {
        id: ItgId,
        org: Option<ItgId>,
        created: Option<Timestamp>,
        record: Record,
    }

    fn itg(id: &str, org: Option<&str>, created: Option<Timestamp>, record: Record) -> Itg {
        Itg { id: ItgId::new(id), org: org.map(ItgId::new), created, record }
    }

    fn find(probe: &Record, scope: Option<&str>, pool: &[Itg]) -> Option<String> {
        let scope = scope.map(ItgId::new);
        let cands = pool.iter().filter(|c| c.org == scope).map(|c| Matchable {
            id: &c.id,
            scope: c.org.as_ref(),
            created: c.created,
            record: &c.record,
        });
        best_match(probe, cands).map(|m| m.id.to_string())
    }

    /// One example: what it shows, the probe, its scope, the candidates, and the id it must match (or none).
    type Example = (&'static str, Record, Option<&'static str>, Vec<Itg>, Option<&'static str>);

    /// The spec's matching rules and its examples, one row each: (case, probe, scope, candidates, expected id).
    #[test]
    fn the_specs_matching_examples() {
        let table: Vec<Example> = vec![
            (
                "an organization with the same name already exists: matched",
                org("Happy Frog"),
                None,
                vec![itg("2", None, t(5), org("Happy Frog"))],
                Some("2"),
            ),
            (
                "no organization with the same name: created",
                org("Happy Frog"),
                None,
                vec![itg("2", None, t(5), org("Happy Toad"))],
                None,
            ),
            (
                "names compare without case or spacing",
                org("HAPPY  frog "),
                None,
                vec![itg("2", None, t(5), org("Happy Frog"))],
                Some("2"),
            ),
            ("exact only: punctuation is significant", org("Acme Inc."), None, vec![itg("3", None, t(5), org("Acme Inc"))], None),
            (
                "identical organizations: the one created first",
                org("Acme"),
                None,
                vec![itg("9", None, t(20), org("Acme")), itg("7", None, t(10), org("Acme")), itg("8", None, None, org("Acme"))],
                Some("7"),
            ),
            (
                "identical creation times: the lowest id",
                org("Acme"),
                None,
                vec![itg("10", None, t(10), org("Acme")), itg("9", None, t(10), org("Acme"))],
                Some("9"),
            ),
            (
                "a contact with the same first and last name in the matched organization",
                person("Robert", "Storts"),
                Some("2"),
                vec![itg("72", Some("2"), t(1), person("Robert", "Storts"))],
                Some("72"),
            ),
            (
                "the same name in another organization does not match",
                person("Robert", "Storts"),
                Some("2"),
                vec![itg("72", Some("3"), t(1), person("Robert", "Storts"))],
                None,
            ),
            (
                "first name alone is not enough",
                person("Robert", "Storts"),
                Some("2"),
                vec![itg("72", Some("2"), t(1), person("Robert", "Stort"))],
                None,
            ),
            (
                "a configuration by asset type and name",
                device("Workstation", "PC-1", None, None),
                Some("2"),
                vec![itg("5", Some("2"), t(1), device("Workstation", "PC-1", Some("X"), None))],
                Some("5"),
            ),
            (
                "the same name with another type does not match",
                device("Workstation", "PC-1", None, None),
                Some("2"),
                vec![itg("5", Some("2"), t(1), device("Server", "PC-1", None, None))],
                None,
            ),
            (
                "several identical configurations are narrowed by serial number",
                device("Workstation", "PC-1", Some("SN2"), None),
                Some("2"),
                vec![
                    itg("5", Some("2"), t(1), device("Workstation", "PC-1", Some("SN1"), None)),
                    itg("6", Some("2"), t(2), device("Workstation", "PC-1", Some("sn2"), None)),
                ],
                Some("6"),
            ),
            (
                "then by MAC address",
                device("Workstation", "PC-1", Some("SN2"), Some("02:00:00:00:00:02")),
                Some("2"),
                vec![
                    itg("5", Some("2"), t(1), device("Workstation", "PC-1", Some("SN2"), Some("02-00-00-00-00-01"))),
                    itg("6", Some("2"), t(2), device("Workstation", "PC-1", Some("SN2"), Some("0200.0000.0002"))),
                ],
                Some("6"),
            ),
            (
                "then by the date created",
                device("Workstation", "PC-1", Some("SN9"), None),
                Some("2"),
                vec![
                    itg("6", Some("2"), t(2), device("Workstation", "PC-1", Some("SN1"), None)),
                    itg("5", Some("2"), t(1), device("Workstation", "PC-1", Some("SN2"), None)),
                ],
                Some("5"),
            ),
            (
                "a location by name and full address",
                site("HQ", "1 Main St", None, "Springfield"),
                Some("2"),
                vec![itg("40", Some("2"), t(1), site("HQ", "1 main st", None, "Springfield"))],
                Some("40"),
            ),
            (
                "a different address 2 is another location",
                site("HQ", "1 Main St", Some("Suite 5"), "Springfield"),
                Some("2"),
                vec![itg("40", Some("2"), t(1), site("HQ", "1 Main St", None, "Springfield"))],
                None,
            ),
        ];
        for (case, probe, scope, pool, want) in table {
            assert_eq!(find(&probe, scope, &pool).as_deref(), want, "{case}");
        }
    }

    #[test]
    fn near_duplicates_are_flagged_not_matched() {
        assert!(likely_duplicate("Acme Inc.", "Acme Inc"));
        assert_eq!(find(&org("Acme Inc."), None, &[itg("3", None, t(5), org("Acme Inc"))]), None);
    }

    #[test]
    fn reasons_say_which_rule_decided() {
        let pool = [
            itg("5", Some("2"), t(1), device("W", "PC", Some("A"), None)),
            itg("6", Some("2"), t(2), device("W", "PC", Some("B"), None)),
        ];
        let cands = pool.iter().map(|c| Matchable { id: &c.id, scope: c.org.as_ref(), created: c.created, record: &c.record });
        let m = best_match(&device("W", "PC", Some("B"), None), cands).unwrap();
        assert_eq!(
            m.reason(),
            "matched on asset type and name within the account, narrowed by serial number; the earliest created of 2 identical records"
        );
    }

    #[test]
    fn a_candidate_goes_to_the_earliest_probe_only() {
        let bms = [(BmsId::new("2"), t(20), org("Acme")), (BmsId::new("1"), t(10), org("Acme"))];
        let pool = [itg("9", None, t(1), org("Acme"))];
        let probes: Vec<Matchable<'_, BmsId, ItgId>> =
            bms.iter().map(|(id, c, r)| Matchable { id, scope: None, created: *c, record: r }).collect();
        let cands: Vec<Matchable<'_, ItgId, ItgId>> =
            pool.iter().map(|c| Matchable { id: &c.id, scope: None, created: c.created, record: &c.record }).collect();
        let pairs = match_all(&probes, &cands);
        assert_eq!(pairs.len(), 1);
        assert_eq!(pairs[0].probe, BmsId::new("1"));
    }

    fn small_org() -> impl Strategy<Value = (Option<i64>, Record)> {
        (proptest::option::of(0i64..4), prop::sample::select(vec!["Acme", "acme", "Beta", "Gamma Inc"]))
            .prop_map(|(c, n)| (c, org(n)))
    }

    type Side3<I> = Vec<(I, Option<Timestamp>, Record)>;

    fn world() -> impl Strategy<Value = (Side3<BmsId>, Side3<BmsId>, Side3<ItgId>)> {
        (prop::collection::vec(small_org(), 0..8), prop::collection::vec(small_org(), 0..8)).prop_flat_map(|(probes, cands)| {
            let bms: Side3<BmsId> = probes
                .into_iter()
                .enumerate()
                .map(|(i, (c, r))| (BmsId::new(i.to_string()), c.map(Timestamp::from_unix_millis), r))
                .collect();
            let itg: Side3<ItgId> = cands
                .into_iter()
                .enumerate()
                .map(|(i, (c, r))| (ItgId::new((100 + i).to_string()), c.map(Timestamp::from_unix_millis), r))
                .collect();
            (Just(bms.clone()), Just(bms).prop_shuffle(), Just(itg))
        })
    }

    fn run(bms: &Side3<BmsId>, itg: &Side3<ItgId>) -> Vec<(BmsId, ItgId)> {
        let p: Vec<Matchable<'_, BmsId, ItgId>> =
            bms.iter().map(|(id, c, r)| Matchable { id, scope: None, created: *c, record: r }).collect();
        let c: Vec<Matchable<'_, ItgId, ItgId>> =
            itg.iter().map(|(id, c, r)| Matchable { id, scope: None, created: *c, record: r }).collect();
        let mut pairs: Vec<(BmsId, ItgId)> = match_all(&p, &c).into_iter().map(|x| (x.probe, x.matched.id)).collect();
        pairs.sort();
        pairs
    }

    proptest! {
        #[test]
        fn matching_is_deterministic_and_never_links_twice((bms, shuffled, itg) in world()) {
            let pairs = run(&bms, &itg);
            prop_assert_eq!(&pairs, &run(&shuffled, &itg), "the result depends on input order");
            let linked: BTreeSet<&ItgId> = pairs.iter().map(|(_, i)| i).collect();
            prop_assert_eq!(linked.len(), pairs.len(), "an IT Glue record was linked twice");
            let probes_used: BTreeSet<&BmsId> = pairs.iter().map(|(b, _)| b).collect();
            prop_assert_eq!(probes_used.len(), pairs.len());
            for (b, i) in &pairs {
                let br = bms.iter().find(|x| &x.0 == b).map(|x| &x.2);
                let ir = itg.iter().find(|x| &x.0 == i).map(|x| &x.2);
                prop_assert!(matches!((br, ir), (Some(br), Some(ir)) if same_identity(br, ir)));
            }
            // Every unmatched probe really had no free identical candidate left.
            let taken: BTreeSet<&ItgId> = linked;
            for (b, _, r) in &bms {
                if !pairs.iter().any(|(x, _)| x == b) {
                    prop_assert!(itg.iter().all(|(i, _, ir)| taken.contains(i) || !same_identity(r, ir)));
                }
            }
        }
    }
}
