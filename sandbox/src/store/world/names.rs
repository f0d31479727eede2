//! Word lists and the small text transformations that make the world look like real,
//! messy MSP data: near-duplicate names across the two products, unicode, stray spaces.

use fastrand::Rng;

const PREFIXES: &[&str] = &[
    "Blue",
    "Summit",
    "Pioneer",
    "Redwood",
    "Harbor",
    "Granite",
    "Silver",
    "Maple",
    "Evergreen",
    "Golden",
    "Riverside",
    "Lakeshore",
    "Bright",
    "Coastal",
    "Iron",
    "Cedar",
    "Falcon",
    "Orchid",
    "Prairie",
    "Sterling",
    "Trinity",
    "Vista",
    "Willow",
    "Zenith",
    "Crescent",
    "Aurora",
    "Beacon",
    "Copper",
    "Sunrise",
    "Oakridge",
    "Müller",
    "Ålesund",
    "São Paulo",
    "Łódź",
    "Øresund",
    "Crème",
    "Señor",
    "Köln",
    "Ñandú",
    "東京",
];

const TRADES: &[&str] = &[
    "Dental",
    "Legal",
    "Logistics",
    "Traders",
    "Bakery",
    "Clinic",
    "Construction",
    "Consulting",
    "Accounting",
    "Engineering",
    "Realty",
    "Veterinary",
    "Pharmacy",
    "Architects",
    "Foods",
    "Motors",
    "Insurance",
    "Hotels",
    "Media",
    "Labs",
    "Outfitters",
    "Brewing",
    "Family Practice",
    "Orthodontics",
    "Landscaping",
    "Plumbing & Heating",
    "Electric",
    "Analytics",
    "Robotics",
    "Studios",
];

const SUFFIXES: &[&str] = &[
    "", "", "", "Inc.", "Inc.", "LLC", "LLP", "Ltd", "GmbH", "Co.", "& Sons", "Group", "Partners",
    "AG", "S.A.",
];

const FIRST_NAMES: &[&str] = &[
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Carlos",
    "María",
    "José",
    "Zoë",
    "Søren",
    "Łukasz",
    "François",
    "Anaïs",
    "Björn",
    "Chloé",
    "Dmitri",
    "Aiko",
    "Wei",
    "Priya",
    "Oluwaseun",
    "Siobhán",
    "Renée",
    "Mateo",
    "Fatima",
    "Noah",
    "Emma",
    "Liam",
];

const LAST_NAMES: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernández",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Pérez",
    "Thompson",
    "White",
    "Harris",
    "Sánchez",
    "Clark",
    "Ramírez",
    "Lewis",
    "Robinson",
    "Müller",
    "Schröder",
    "Østergaard",
    "Nakamura",
    "O'Brien",
    "van der Berg",
    "Kowalski",
    "Dubois",
    "Nguyen",
    "Patel",
    "Zhang",
];

const TITLES: &[&str] = &[
    "Office Manager",
    "IT Coordinator",
    "Owner",
    "CFO",
    "Operations Director",
    "Receptionist",
    "Practice Manager",
    "Controller",
    "Managing Partner",
    "Facilities Lead",
];

const STREETS: &[&str] = &[
    "Main Street",
    "Market Street",
    "Oak Avenue",
    "Pine Street",
    "Harbor Drive",
    "Industrial Way",
    "Bahnhofstrasse",
    "Rue Sainte-Catherine",
    "King Street West",
    "Leopoldstraße",
];

const SITE_NAMES: &[&str] = &[
    "Branch Office",
    "Warehouse",
    "Clinic North",
    "Downtown",
    "Annex",
    "Data Center",
    "Satellite Office",
    "Werkstatt Süd",
];

pub fn pick<'a>(rng: &mut Rng, items: &[&'a str]) -> &'a str {
    items[rng.usize(..items.len())]
}

/// A company name such as "Harbor Dental LLC"; a few are fully non-Latin.
pub fn company(rng: &mut Rng) -> String {
    let base = format!("{} {}", pick(rng, PREFIXES), pick(rng, TRADES));
    match pick(rng, SUFFIXES) {
        "" => base,
        suffix if suffix.starts_with('&') => format!("{base} {suffix}"),
        suffix => format!("{base}, {suffix}"),
    }
}

/// A short code from the initials (`Harbor Dental LLC` → `HDL`), ASCII upper case.
pub fn code(name: &str) -> String {
    let initials: String = name
        .split_whitespace()
        .filter_map(|word| ascii_fold(word).chars().find(char::is_ascii_alphabetic))
        .map(|c| c.to_ascii_uppercase())
        .take(4)
        .collect();
    if initials.is_empty() {
        "CLT".to_owned()
    } else {
        initials
    }
}

pub fn first_name(rng: &mut Rng) -> &'static str {
    pick(rng, FIRST_NAMES)
}

pub fn last_name(rng: &mut Rng) -> &'static str {
    pick(rng, LAST_NAMES)
}

pub fn title(rng: &mut Rng) -> Option<String> {
    (rng.u8(..10) < 8).then(|| pick(rng, TITLES).to_owned())
}

pub fn street(rng: &mut Rng) -> String {
    format!("{} {}", rng.u16(1..2000), pick(rng, STREETS))
}

pub fn site_name(rng: &mut Rng) -> &'static str {
    pick(rng, SITE_NAMES)
}

/// The same company as the other product spells it: a different case, punctuation, a
/// trailing space, "Inc." without its dot, "&" as "and", or accents dropped.
pub fn near_duplicate(rng: &mut Rng, name: &str) -> String {
    let variant = match rng.u8(..7) {
        0 => name.to_lowercase(),
        1 => format!("{name} "),
        2 => name.replace(['.', ','], ""),
        3 if name.contains("Inc.") => name.replace("Inc.", "Inc"),
        4 if name.contains('&') => name.replace('&', "and"),
        5 => ascii_fold(name),
        _ => name.to_uppercase(),
    };
    if variant == name {
        format!("{name} ")
    } else {
        variant
    }
}

/// Drops diacritics the way address books and e-mail addresses do; other non-ASCII
/// characters are removed.
pub fn ascii_fold(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            'á' | 'à' | 'â' | 'ä' | 'å' | 'ã' => Some('a'),
            'Á' | 'À' | 'Â' | 'Ä' | 'Å' | 'Ã' => Some('A'),
            'é' | 'è' | 'ê' | 'ë' => Some('e'),
            'É' | 'È' | 'Ê' => Some('E'),
            'í' | 'ì' | 'î' | 'ï' => Some('i'),
            'ó' | 'ò' | 'ô' | 'ö' | 'ø' | 'õ' => Some('o'),
            'Ó' | 'Ö' | 'Ø' => Some('O'),
            'ú' | 'ù' | 'û' | 'ü' => Some('u'),
            'Ü' => Some('U'),
            'ñ' => Some('n'),
            'Ñ' => Some('N'),
            'ç' => Some('c'),
            'ł' => Some('l'),
            'Ł' => Some('L'),
            'ß' => Some('s'),
            'æ' => Some('a'),
            'Æ' => Some('A'),
            c if c.is_ascii() => Some(c),
            _ => None,
        })
        .collect()
}

/// `first.last`, folded to ASCII letters, digits, dots and hyphens.
pub fn mailbox(first: &str, last: &str) -> String {
    let part = |text: &str| -> String {
        ascii_fold(text)
            .to_ascii_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect()
    };
    format!("{}.{}", part(first), part(last))
}

/// A mail domain under `.example.com` from the company name.
pub fn domain(company: &str) -> String {
    let label: String = ascii_fold(company)
        .to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .take(2)
        .collect::<Vec<_>>()
        .join("");
    if label.is_empty() {
        "client.example.com".to_owned()
    } else {
        format!("{label}.example.com")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_mail_names_are_ascii() {
        assert_eq!(code("Harbor Dental, LLC"), "HDL");
        assert_eq!(code("東京"), "CLT");
        assert_eq!(mailbox("Zoë", "O'Brien"), "zoe.obrien");
        assert_eq!(domain("Café Zürich GmbH"), "cafezurich.example.com");
    }

    #[test]
    fn near_duplicates_differ_from_the_original() {
        let mut rng = Rng::with_seed(7);
        for _ in 0..50 {
            let name = company(&mut rng);
            assert_ne!(near_duplicate(&mut rng, &name), name);
        }
    }
}
