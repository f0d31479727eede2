//! The generator behind [`World::generate`]: hand clients first, then generated ones, then
//! each client's sites, people and devices, all from one seeded random stream.

use std::collections::HashSet;

use fastrand::Rng;

use super::catalog::{COUNTRIES, DEVICE_KINDS, MODELS, OPERATING_SYSTEMS};
use super::{
    Client, ClientKind, Device, Person, Phone, PhoneLabel, Presence, Site, World, WorldSpec, hand,
    names,
};
use crate::clock::Timestamp;

pub fn run(spec: WorldSpec) -> World {
    Generator::new(spec).run()
}

/// Where generated clients sit: which side(s), and whether linked. Cycled in this order so
/// even a dozen clients cover every case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Placement {
    Linked,
    Unlinked,
    BmsOnly,
    ItGlueOnly,
}

const CLIENT_PLACEMENTS: [Placement; 10] = [
    Placement::Linked,
    Placement::Unlinked,
    Placement::BmsOnly,
    Placement::ItGlueOnly,
    Placement::Linked,
    Placement::Linked,
    Placement::Unlinked,
    Placement::Linked,
    Placement::BmsOnly,
    Placement::Linked,
];

const DEMO_CLIENTS: usize = 12;
/// Ids of generated records start above every hand id.
const FIRST_ORG: i64 = 3001;
const FIRST_ACCOUNT: i64 = 1001;
const FIRST_BMS_LOCATION: i64 = 1001;
const FIRST_ITGLUE_LOCATION: i64 = 5001;
const FIRST_ITGLUE_CONTACT: i64 = 10_001;
const FIRST_BMS_CONTACT: i64 = 20_001;
const FIRST_CONFIGURATION: i64 = 100_001;
const FIRST_ASSET: i64 = 30_001;
const FIRST_ADAPTER: i64 = 200_001;
/// A few IT Glue records get ids beyond 2^53, like real EU tenants' ids.
const FIRST_BIG_ID: i64 = 9_007_199_254_741_001;
/// Generated records are created in 2023 and last changed before 2025, so the hand
/// records stay the most recently changed ones.
const EPOCH_2023: i64 = 1_672_531_200;
const YEAR_SECONDS: i64 = 365 * 86_400;

#[derive(Debug, Default)]
struct Counters {
    org: i64,
    account: i64,
    bms_location: i64,
    itglue_location: i64,
    itglue_contact: i64,
    bms_contact: i64,
    configuration: i64,
    asset: i64,
    adapter: i64,
    big: i64,
}

impl Counters {
    fn new() -> Self {
        Self {
            org: FIRST_ORG,
            account: FIRST_ACCOUNT,
            bms_location: FIRST_BMS_LOCATION,
            itglue_location: FIRST_ITGLUE_LOCATION,
            itglue_contact: FIRST_ITGLUE_CONTACT,
            bms_contact: FIRST_BMS_CONTACT,
            configuration: FIRST_CONFIGURATION,
            asset: FIRST_ASSET,
            adapter: FIRST_ADAPTER,
            big: FIRST_BIG_ID,
        }
    }
}

fn next(counter: &mut i64) -> i64 {
    let id = *counter;
    *counter += 1;
    id
}

struct Generator {
    spec: WorldSpec,
    rng: Rng,
    ids: Counters,
    used_names: HashSet<String>,
}

/// What a client's placement means for one of its records.
#[derive(Debug, Clone, Copy)]
struct Sides {
    itglue: bool,
    bms: bool,
    linked: bool,
}

impl Generator {
    fn new(spec: WorldSpec) -> Self {
        Self {
            spec,
            rng: Rng::with_seed(spec.seed),
            ids: Counters::new(),
            used_names: HashSet::new(),
        }
    }

    fn run(mut self) -> World {
        let mut clients = hand::clients(|| next(&mut self.ids.itglue_location));
        for client in &mut clients {
            self.used_names.insert(client.bms_name.to_lowercase());
            // A linked client's main site is linked too.
            if let Some(main) = client.sites.first_mut().filter(|_| client.at.is_linked()) {
                main.at.adapter = Some(next(&mut self.ids.adapter));
            }
        }
        self.add_generated_clients(&mut clients);
        let budgets = self.budgets(&clients);
        for (client, budget) in clients.iter_mut().zip(budgets) {
            self.populate(client, budget);
        }
        World { clients }
    }

    fn add_generated_clients(&mut self, clients: &mut Vec<Client>) {
        let mut index = 0;
        loop {
            let done = match self.spec.scale.targets() {
                None => index == DEMO_CLIENTS,
                Some(targets) => bms_accounts(clients) >= targets.accounts,
            };
            if done {
                break;
            }
            let placement = CLIENT_PLACEMENTS[index % CLIENT_PLACEMENTS.len()];
            let client = self.client(placement, index);
            clients.push(client);
            index += 1;
        }
    }

    /// `(BMS contacts, BMS assets)` per client at a scale with exact totals.
    fn budgets(&mut self, clients: &[Client]) -> Vec<Option<(usize, usize)>> {
        let Some(targets) = self.spec.scale.targets() else {
            return vec![None; clients.len()];
        };
        let in_bms: Vec<usize> = (0..clients.len())
            .filter(|i| clients[*i].at.bms.is_some())
            .collect();
        let contacts = self.spread(targets.contacts, in_bms.len());
        let assets = self.spread(targets.assets, in_bms.len());
        let mut budgets = vec![None; clients.len()];
        for (slot, client) in in_bms.into_iter().enumerate() {
            budgets[client] = Some((contacts[slot], assets[slot]));
        }
        budgets
    }

    /// Splits `total` over `parts` unevenly but exactly: even shares, then random moves.
    fn spread(&mut self, total: usize, parts: usize) -> Vec<usize> {
        if parts == 0 {
            return Vec::new();
        }
        let mut shares: Vec<usize> = (0..parts)
            .map(|i| total / parts + usize::from(i < total % parts))
            .collect();
        for _ in 0..parts * 2 {
            let from = self.rng.usize(..parts);
            let to = self.rng.usize(..parts);
            let amount = self.rng.usize(0..=shares[from] / 2);
            shares[from] -= amount;
            shares[to] += amount;
        }
        shares
    }

    fn client(&mut self, placement: Placement, index: usize) -> Client {
        let sides = self.client_sides(placement);
        let name = self.unique_company();
        let itglue_name = if placement == Placement::Unlinked {
            names::near_duplicate(&mut self.rng, &name)
        } else {
            name.clone()
        };
        let at = self.presence(sides, |ids| &mut ids.org, |ids| &mut ids.account);
        let (created, modified) = self.times();
        let kind = match self.rng.u8(..20) {
            0..=14 => ClientKind::Customer,
            15..=16 => ClientKind::Vendor,
            17..=18 => ClientKind::Prospect,
            _ => ClientKind::Internal,
        };
        let notes = self.html_notes(&name);
        Client {
            at,
            code: names::code(&name),
            itglue_name,
            bms_name: name,
            kind,
            business_type_id: [3101, 3102, 3103][self.rng.usize(..3)],
            active: self.rng.u8(..10) > 0,
            itglue_description: self.maybe(70, |_| "Managed client.".to_owned()),
            bms_description: self.maybe(50, |_| "Imported from the previous PSA.".to_owned()),
            alert: self.maybe(10, |_| "Call before arriving on site.".to_owned()),
            quick_notes: notes,
            website: self.maybe(60, |_| format!("https://www.client{index}.example.com")),
            acquired: self.maybe(40, |_| format!("{}T00:00:00", &created[..10])),
            itglue_created: created.clone(),
            itglue_updated: modified.clone(),
            bms_created: created,
            bms_modified: modified,
            in_tech_scope: index.is_multiple_of(2),
            sites: Vec::new(),
            people: Vec::new(),
            devices: Vec::new(),
        }
    }

    fn client_sides(&self, placement: Placement) -> Sides {
        match placement {
            Placement::Linked => Sides {
                itglue: true,
                bms: true,
                linked: true,
            },
            Placement::Unlinked => Sides {
                itglue: true,
                bms: true,
                linked: false,
            },
            Placement::BmsOnly => Sides {
                itglue: false,
                bms: true,
                linked: false,
            },
            Placement::ItGlueOnly => Sides {
                itglue: true,
                bms: false,
                linked: false,
            },
        }
    }

    /// Ids for a record on the given sides; about one IT Glue id in fifty is beyond 2^53.
    fn presence(
        &mut self,
        sides: Sides,
        itglue: impl Fn(&mut Counters) -> &mut i64,
        bms: impl Fn(&mut Counters) -> &mut i64,
    ) -> Presence {
        let big = self.rng.u8(..50) == 0;
        let itglue_id = sides.itglue.then(|| {
            if big {
                let id = next(&mut self.ids.big);
                self.ids.big += i64::from(self.rng.u16(..1000));
                id
            } else {
                next(itglue(&mut self.ids))
            }
        });
        let bms_id = sides.bms.then(|| next(bms(&mut self.ids)));
        let adapter =
            (sides.linked && sides.itglue && sides.bms).then(|| next(&mut self.ids.adapter));
        Presence {
            itglue: itglue_id,
            bms: bms_id,
            adapter,
        }
    }

    /// A record's sides, given its client's: mostly the client's, sometimes one side only,
    /// sometimes on both sides but not linked.
    fn record_sides(&mut self, client: &Presence) -> Sides {
        let on_itglue = client.itglue.is_some();
        let on_bms = client.bms.is_some();
        if !(on_itglue && on_bms) {
            return Sides {
                itglue: on_itglue,
                bms: on_bms,
                linked: false,
            };
        }
        match self.rng.u8(..20) {
            0..=1 => Sides {
                itglue: false,
                bms: true,
                linked: false,
            },
            2 => Sides {
                itglue: true,
                bms: false,
                linked: false,
            },
            3..=4 => Sides {
                itglue: true,
                bms: true,
                linked: false,
            },
            _ => Sides {
                itglue: true,
                bms: true,
                linked: client.adapter.is_some(),
            },
        }
    }

    fn unique_company(&mut self) -> String {
        for _ in 0..20 {
            let name = names::company(&mut self.rng);
            if self.used_names.insert(name.to_lowercase()) {
                return name;
            }
        }
        let name = format!(
            "{} {}",
            names::company(&mut self.rng),
            self.used_names.len()
        );
        self.used_names.insert(name.to_lowercase());
        name
    }

    /// `(created, modified)` with modified on or after created.
    fn times(&mut self) -> (String, String) {
        let created = EPOCH_2023 + self.rng.i64(0..YEAR_SECONDS);
        let modified = created + self.rng.i64(0..YEAR_SECONDS);
        (
            Timestamp::from_unix_seconds(created).to_bms(),
            Timestamp::from_unix_seconds(modified).to_bms(),
        )
    }

    fn date(&mut self, from_year: i64, years: i64) -> String {
        let start = EPOCH_2023 + (from_year - 2023) * YEAR_SECONDS;
        let offset = self.rng.i64(0..years * YEAR_SECONDS);
        Timestamp::from_unix_seconds(start + offset).to_date()
    }

    fn maybe<T>(&mut self, percent: u8, make: impl FnOnce(&mut Self) -> T) -> Option<T> {
        (self.rng.u8(..100) < percent).then(|| make(self))
    }

    /// Notes in HTML, one in ten carrying script or an event handler that no page may run.
    fn html_notes(&mut self, subject: &str) -> Option<String> {
        match self.rng.u8(..10) {
            0..=3 => None,
            4 => Some(format!(
                "<p>{subject}</p><script>window.__pwned = 'notes'</script>"
            )),
            5 => Some(format!(
                r#"<p onmouseover="window.__pwned = 'hover'">{subject}</p><img src="x" onerror="window.__pwned = 'img'">"#
            )),
            _ => Some(format!("<p>Notes for <b>{subject}</b>.</p>")),
        }
    }

    fn populate(&mut self, client: &mut Client, budget: Option<(usize, usize)>) {
        let extra_sites = self.rng.usize(0..=2);
        if client.sites.is_empty() {
            let site = self.site(client, true);
            client.sites.push(site);
        }
        for _ in 0..extra_sites {
            let site = self.site(client, false);
            client.sites.push(site);
        }
        let (contacts, assets) =
            budget.unwrap_or_else(|| (self.rng.usize(3..=8), self.rng.usize(5..=15)));
        self.add_people(client, contacts);
        self.add_devices(client, assets);
    }

    fn site(&mut self, client: &Client, main: bool) -> Site {
        let sides = if main {
            Sides {
                itglue: client.at.itglue.is_some(),
                bms: client.at.bms.is_some(),
                linked: client.at.is_linked(),
            }
        } else {
            self.record_sides(&client.at)
        };
        let at = self.presence(
            sides,
            |ids| &mut ids.itglue_location,
            |ids| &mut ids.bms_location,
        );
        let country = if self.rng.u8(..10) < 8 {
            0
        } else {
            self.rng.usize(..COUNTRIES.len())
        };
        let region = self.rng.usize(..COUNTRIES[country].regions.len());
        let prefix = COUNTRIES[country].regions[region].4;
        let (created, modified) = self.times();
        Site {
            bms_address_id: at.bms.unwrap_or(0),
            at,
            name: if main {
                "Main Office".to_owned()
            } else {
                names::site_name(&mut self.rng).to_owned()
            },
            main,
            address1: names::street(&mut self.rng),
            address2: self.maybe(30, |_| "Suite 100".to_owned()),
            country,
            region,
            zip: format!("{:05}", self.rng.u32(1000..99_999)),
            phone: self.maybe(90, |g| phone_number(prefix, g.rng.u16(100..10_000))),
            fax: self.maybe(20, |g| phone_number(prefix, g.rng.u16(100..10_000))),
            notes: self.maybe(15, |_| "<p>Alarm panel by the back door.</p>".to_owned()),
            created,
            modified,
        }
    }

    /// Adds people until `bms_count` of them are in BMS (or, for a client only in IT Glue,
    /// until there are that many).
    fn add_people(&mut self, client: &mut Client, bms_count: usize) {
        let in_bms = client.at.bms.is_some();
        let mut counted = 0;
        while counted < bms_count {
            let person = self.person(client);
            if !in_bms || person.at.bms.is_some() {
                counted += 1;
            }
            client.people.push(person);
        }
    }

    fn person(&mut self, client: &Client) -> Person {
        let sides = self.record_sides(&client.at);
        let at = self.presence(
            sides,
            |ids| &mut ids.itglue_contact,
            |ids| &mut ids.bms_contact,
        );
        let first = names::first_name(&mut self.rng).to_owned();
        let last = names::last_name(&mut self.rng).to_owned();
        let (itglue_first, itglue_last) = if sides.itglue && sides.bms && !sides.linked {
            (first.clone(), names::near_duplicate(&mut self.rng, &last))
        } else {
            (first.clone(), last.clone())
        };
        let site = self.rng.usize(..client.sites.len());
        let prefix = client.sites[site].region().4;
        let domain = names::domain(&client.bms_name);
        let mut emails = Vec::new();
        if self.rng.u8(..10) > 0 {
            emails.push(format!("{}@{domain}", names::mailbox(&first, &last)));
            if self.rng.u8(..10) == 0 {
                emails.push(format!(
                    "{}@personal.example.net",
                    names::mailbox(&last, &first)
                ));
            }
        }
        let mut phones = Vec::new();
        if self.rng.u8(..10) > 1 {
            phones.push(Phone {
                number: phone_number(prefix, self.rng.u16(100..10_000)),
                label: PhoneLabel::Work,
                extension: self.maybe(20, |g| g.rng.u16(100..999).to_string()),
            });
        }
        if self.rng.u8(..10) < 3 {
            phones.push(Phone {
                number: phone_number(prefix, self.rng.u16(100..10_000)),
                label: PhoneLabel::Mobile,
                extension: None,
            });
        }
        if self.rng.u8(..20) == 0 {
            phones.push(Phone {
                number: phone_number(prefix, self.rng.u16(100..10_000)),
                label: PhoneLabel::Fax,
                extension: None,
            });
        }
        let (created, modified) = self.times();
        Person {
            at,
            itglue_first,
            itglue_last,
            bms_first: first,
            bms_last: last,
            title: names::title(&mut self.rng),
            important: match self.rng.u8(..10) {
                0..=1 => None,
                2..=3 => Some(true),
                _ => Some(false),
            },
            emails,
            phones,
            site,
            notes: self.html_notes("Prefers e-mail."),
            active: self.rng.u8(..20) > 0,
            created,
            modified,
        }
    }

    fn add_devices(&mut self, client: &mut Client, bms_count: usize) {
        let in_bms = client.at.bms.is_some();
        let mut counted = 0;
        while counted < bms_count {
            let device = self.device(client, client.devices.len() + 1);
            if !in_bms || device.at.bms.is_some() {
                counted += 1;
            }
            client.devices.push(device);
        }
    }

    fn device(&mut self, client: &Client, number: usize) -> Device {
        let sides = self.record_sides(&client.at);
        let at = self.presence(sides, |ids| &mut ids.configuration, |ids| &mut ids.asset);
        let kind = self.weighted_kind();
        let kind_code = DEVICE_KINDS[kind].code;
        let models: Vec<usize> = (0..MODELS.len())
            .filter(|m| MODELS[*m].3 == kind_code)
            .collect();
        let model = models[self.rng.usize(..models.len())];
        let name = format!("{}-{kind_code}-{number:03}", client.code);
        let bms_name = if sides.itglue && sides.bms && !sides.linked {
            names::near_duplicate(&mut self.rng, &name)
        } else {
            name.clone()
        };
        let macs = self.macs();
        let bms_mac_text = self.bms_mac_text(&macs);
        let (created, modified) = self.times();
        Device {
            at,
            itglue_name: name,
            bms_name,
            kind,
            status: match self.rng.u8(..20) {
                0 => 2,
                1..=2 => 1,
                _ => 0,
            },
            model,
            os: DEVICE_KINDS[kind]
                .has_os
                .then(|| self.operating_system(kind_code)),
            serial: self.maybe(85, |g| g.serial()),
            asset_tag: self.maybe(50, |g| format!("AT-{:05}", g.rng.u32(..100_000))),
            macs,
            bms_mac_text,
            ip: self.maybe(80, |g| {
                format!(
                    "10.{}.{}.{}",
                    g.rng.u8(..255),
                    g.rng.u8(..255),
                    g.rng.u8(1..255)
                )
            }),
            gateway: self.maybe(40, |_| "10.0.0.1".to_owned()),
            site: self.rng.usize(..client.sites.len()),
            person: (!client.people.is_empty() && self.rng.bool())
                .then(|| self.rng.usize(..client.people.len())),
            notes: self.html_notes("Asset label on the underside."),
            purchased: self.maybe(60, |g| g.date(2021, 3)),
            warranty: self.maybe(50, |g| g.date(2024, 4)),
            created,
            modified,
        }
    }

    fn weighted_kind(&mut self) -> usize {
        let total: u32 = DEVICE_KINDS.iter().map(|k| k.weight).sum();
        let mut roll = self.rng.u32(..total);
        for (index, kind) in DEVICE_KINDS.iter().enumerate() {
            if roll < kind.weight {
                return index;
            }
            roll -= kind.weight;
        }
        0
    }

    fn operating_system(&mut self, kind_code: &str) -> usize {
        let server = kind_code == "SRV";
        let choices: Vec<usize> = (0..OPERATING_SYSTEMS.len())
            .filter(|o| OPERATING_SYSTEMS[*o].3 == server)
            .collect();
        choices[self.rng.usize(..choices.len())]
    }

    fn serial(&mut self) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
        (0..self.rng.usize(8..=12))
            .map(|_| char::from(ALPHABET[self.rng.usize(..ALPHABET.len())]))
            .collect()
    }

    /// None (one in ten), one, or two or three interfaces.
    fn macs(&mut self) -> Vec<[u8; 6]> {
        let count = match self.rng.u8(..10) {
            0 => 0,
            1..=6 => 1,
            _ => self.rng.usize(2..=3),
        };
        (0..count)
            .map(|_| {
                let mut mac = [0u8; 6];
                for byte in &mut mac {
                    *byte = self.rng.u8(..);
                }
                // Locally administered unicast, so no real vendor prefix is claimed.
                mac[0] = (mac[0] & 0xFC) | 0x02;
                mac
            })
            .collect()
    }

    /// How a technician typed the MACs into BMS: any separator and case, sometimes every
    /// interface in one field ("AA-BB-…; 11:22:…"), sometimes left empty.
    fn bms_mac_text(&mut self, macs: &[[u8; 6]]) -> Option<String> {
        if macs.is_empty() || self.rng.u8(..10) == 0 {
            return None;
        }
        let shown = if self.rng.u8(..3) == 0 { macs.len() } else { 1 };
        let rendered: Vec<String> = macs[..shown]
            .iter()
            .map(|mac| {
                let hex: Vec<String> = mac.iter().map(|b| format!("{b:02X}")).collect();
                match self.rng.u8(..4) {
                    0 => hex.join("-"),
                    1 => hex.join(":").to_lowercase(),
                    2 => hex.concat(),
                    _ => hex.join(":"),
                }
            })
            .collect();
        Some(rendered.join("; "))
    }
}

fn bms_accounts(clients: &[Client]) -> usize {
    clients.iter().filter(|c| c.at.bms.is_some()).count()
}

/// `(415) 555-0142` for North American prefixes, `+41 44 555 01 23` style otherwise.
fn phone_number(prefix: &str, line: u16) -> String {
    if prefix.starts_with('+') {
        format!("{prefix} 555 {:02} {:02}", line / 100 % 100, line % 100)
    } else {
        format!("({prefix}) 555-{line:04}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::world::Scale;

    fn totals(world: &World) -> (usize, usize, usize) {
        let accounts = bms_accounts(&world.clients);
        let contacts = world
            .clients
            .iter()
            .flat_map(|c| &c.people)
            .filter(|p| p.at.bms.is_some())
            .count();
        let assets = world
            .clients
            .iter()
            .flat_map(|c| &c.devices)
            .filter(|d| d.at.bms.is_some())
            .count();
        (accounts, assets, contacts)
    }

    #[test]
    fn small_scale_hits_its_totals_exactly() {
        let world = World::generate(WorldSpec {
            seed: 3,
            scale: Scale::Small,
        });
        assert_eq!(totals(&world), (100, 1000, 500));
    }

    #[test]
    fn demo_keeps_the_hand_clients_and_adds_a_dozen() {
        let world = World::generate(WorldSpec::default());
        assert_eq!(world.clients.len(), 6 + DEMO_CLIENTS);
        assert_eq!(world.clients[0].bms_name, "Happy Frog Dental");
        assert_eq!(world.clients[0].sites[0].at.bms, Some(201));
        let placements: HashSet<(bool, bool, bool)> = world
            .clients
            .iter()
            .map(|c| (c.at.itglue.is_some(), c.at.bms.is_some(), c.at.is_linked()))
            .collect();
        assert_eq!(placements.len(), 4, "every placement occurs");
    }

    #[test]
    fn the_same_seed_gives_the_same_world() {
        let spec = WorldSpec {
            seed: 42,
            scale: Scale::Demo,
        };
        let first = format!("{:?}", World::generate(spec).clients);
        assert_eq!(first, format!("{:?}", World::generate(spec).clients));
        let other = WorldSpec { seed: 43, ..spec };
        assert_ne!(first, format!("{:?}", World::generate(other).clients));
    }

    #[test]
    fn formats_phones() {
        assert_eq!(phone_number("415", 142), "(415) 555-0142");
        assert_eq!(phone_number("+41 44", 123), "+41 44 555 01 23");
    }
}
