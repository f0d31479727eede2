//! Reference data shared by both sides: device kinds, makers, models, operating systems,
//! countries and their regions. Each side's projection maps these onto its own ids.

/// A kind of device. IT Glue calls it a configuration type, BMS an asset category.
pub struct DeviceKind {
    pub name: &'static str,
    /// Host-name prefix, e.g. `WS` in `HFD-WS-014`.
    pub code: &'static str,
    pub itglue_type_id: i64,
    /// IT Glue's `configuration-type-kind`.
    pub itglue_type_kind: &'static str,
    pub bms_category_id: i64,
    /// Relative frequency in a client's fleet.
    pub weight: u32,
    pub has_os: bool,
}

pub const DEVICE_KINDS: &[DeviceKind] = &[
    kind("Workstation", "WS", 101, "workstation", 5101, 40, true),
    kind("Laptop", "LT", 102, "laptop", 5102, 25, true),
    kind("Managed Server", "SRV", 103, "server", 5103, 10, true),
    kind("Firewall", "FW", 104, "firewall", 5104, 5, false),
    kind("Switch", "SW", 105, "switch", 5105, 8, false),
    kind("Printer", "PRN", 106, "printer", 5106, 7, false),
    kind("Access Point", "AP", 107, "wireless", 5107, 5, false),
];

const fn kind(
    name: &'static str,
    code: &'static str,
    itglue_type_id: i64,
    itglue_type_kind: &'static str,
    bms_category_id: i64,
    weight: u32,
    has_os: bool,
) -> DeviceKind {
    DeviceKind {
        name,
        code,
        itglue_type_id,
        itglue_type_kind,
        bms_category_id,
        weight,
        has_os,
    }
}

/// Device status on both sides: IT Glue configuration status id, BMS asset status id.
pub struct DeviceStatus {
    pub name: &'static str,
    pub itglue_id: i64,
    pub bms_id: i64,
}

pub const DEVICE_STATUSES: &[DeviceStatus] = &[
    DeviceStatus {
        name: "Active",
        itglue_id: 201,
        bms_id: 5201,
    },
    DeviceStatus {
        name: "Inactive",
        itglue_id: 202,
        bms_id: 5202,
    },
    DeviceStatus {
        name: "Retired",
        itglue_id: 203,
        bms_id: 5203,
    },
];

/// Manufacturer ids are the same on both sides (a sandbox simplification).
pub const MANUFACTURERS: &[(i64, &str)] = &[
    (301, "Dell"),
    (302, "HP"),
    (303, "Lenovo"),
    (304, "Cisco"),
    (305, "Ubiquiti"),
    (306, "Fortinet"),
    (307, "Brother"),
    (308, "Apple"),
];

/// `(model id, manufacturer id, name, device kind code)`.
pub const MODELS: &[(i64, i64, &str, &str)] = &[
    (351, 301, "OptiPlex 7010", "WS"),
    (352, 302, "EliteDesk 800 G9", "WS"),
    (353, 303, "ThinkCentre M90q", "WS"),
    (354, 308, "iMac 24", "WS"),
    (355, 301, "Latitude 5440", "LT"),
    (356, 303, "ThinkPad T14 Gen 4", "LT"),
    (357, 308, "MacBook Pro 14", "LT"),
    (358, 302, "EliteBook 840 G10", "LT"),
    (359, 301, "PowerEdge R650", "SRV"),
    (360, 302, "ProLiant DL380 Gen11", "SRV"),
    (361, 306, "FortiGate 60F", "FW"),
    (362, 304, "Meraki MX68", "FW"),
    (363, 304, "Catalyst 9200L", "SW"),
    (364, 305, "UniFi Switch Pro 24", "SW"),
    (365, 307, "HL-L8360CDW", "PRN"),
    (366, 302, "LaserJet Pro M404", "PRN"),
    (367, 305, "UniFi U6 Pro", "AP"),
    (368, 304, "Meraki MR46", "AP"),
];

pub const PLATFORMS: &[(i64, &str)] = &[(401, "Windows"), (402, "macOS"), (403, "Linux")];

/// `(id, platform id, name, server edition)`.
pub const OPERATING_SYSTEMS: &[(i64, i64, &str, bool)] = &[
    (411, 401, "Windows 11 Pro", false),
    (412, 401, "Windows 10 Pro", false),
    (413, 401, "Windows Server 2022", true),
    (414, 401, "Windows Server 2019", true),
    (415, 402, "macOS 14 Sonoma", false),
    (416, 403, "Ubuntu 22.04 LTS", true),
];

/// A country with the regions (states, cantons) addresses use. Ids are shared by both
/// sides' country tables; region ids are IT Glue's.
pub struct Country {
    pub id: i64,
    pub name: &'static str,
    pub iso: &'static str,
    /// `(region id, code, name, a city there, its dialling prefix)`.
    pub regions: &'static [(i64, &'static str, &'static str, &'static str, &'static str)],
}

pub const COUNTRIES: &[Country] = &[
    Country {
        id: 1,
        name: "United States",
        iso: "US",
        regions: &[
            (1005, "CA", "California", "San Francisco", "415"),
            (1047, "WA", "Washington", "Seattle", "206"),
            (1021, "MA", "Massachusetts", "Boston", "617"),
            (1043, "TX", "Texas", "Austin", "512"),
            (1032, "NY", "New York", "Brooklyn", "718"),
            (1013, "IL", "Illinois", "Chicago", "312"),
            (1006, "CO", "Colorado", "Denver", "303"),
            (1037, "OR", "Oregon", "Portland", "503"),
        ],
    },
    Country {
        id: 2,
        name: "Canada",
        iso: "CA",
        regions: &[
            (2009, "ON", "Ontario", "Toronto", "416"),
            (2011, "QC", "Québec", "Montréal", "514"),
        ],
    },
    Country {
        id: 41,
        name: "Switzerland",
        iso: "CH",
        regions: &[(4126, "ZH", "Zürich", "Zürich", "+41 44")],
    },
    Country {
        id: 44,
        name: "United Kingdom",
        iso: "GB",
        regions: &[(4401, "ENG", "England", "London", "+44 20")],
    },
    Country {
        id: 49,
        name: "Germany",
        iso: "DE",
        regions: &[(4902, "BY", "Bayern", "München", "+49 89")],
    },
];

/// IT Glue contact types `(id, name)`.
pub const CONTACT_TYPES: &[(i64, &str)] = &[
    (24, "Approver"),
    (25, "Employee"),
    (26, "Primary Contact"),
    (27, "Billing"),
];
