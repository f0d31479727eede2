//! Tables of the core synced records beyond organizations and accounts: IT Glue locations,
//! contacts, configurations with interfaces and their catalogs; BMS contacts with e-mails and
//! phones, hardware assets, generic lookups and the employees' security scopes.
//!
//! They reference the core tables with foreign keys, so they are dropped before the core
//! tables and created after them. Their own version sits in `sandbox_meta` under
//! [`VERSION_KEY`].

use rusqlite::{Connection, OptionalExtension};

const VERSION_KEY: &str = "records_schema_version";
const VERSION: &str = "1";

/// Children before parents, so dropping in this order respects foreign keys.
const TABLES: &[&str] = &[
    "itglue_organization_deletions",
    "itglue_configuration_interfaces",
    "itglue_configurations",
    "itglue_contacts",
    "itglue_locations",
    "itglue_operating_systems",
    "itglue_platforms",
    "itglue_models",
    "itglue_manufacturers",
    "itglue_configuration_statuses",
    "itglue_configuration_types",
    "itglue_contact_types",
    "itglue_regions",
    "itglue_countries",
    "bms_hardware_assets",
    "bms_contact_phones",
    "bms_contact_emails",
    "bms_contacts",
    "bms_lookups",
    "bms_security_scope",
];

const DDL: &str = r"
-- Implied by the organization filters; the core table predates it.
ALTER TABLE itglue_organizations ADD COLUMN my_glue_account_id INTEGER;

CREATE TABLE itglue_countries (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    iso  TEXT NOT NULL
);

CREATE TABLE itglue_regions (
    id         INTEGER PRIMARY KEY,
    country_id INTEGER NOT NULL REFERENCES itglue_countries (id),
    name       TEXT NOT NULL,
    iso        TEXT NOT NULL
);

CREATE TABLE itglue_contact_types (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE TABLE itglue_configuration_types (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, kind TEXT,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE TABLE itglue_configuration_statuses (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE TABLE itglue_manufacturers (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE TABLE itglue_models (
    id INTEGER PRIMARY KEY, manufacturer_id INTEGER REFERENCES itglue_manufacturers (id),
    name TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE TABLE itglue_platforms (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE TABLE itglue_operating_systems (
    id INTEGER PRIMARY KEY, platform_id INTEGER REFERENCES itglue_platforms (id),
    name TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);

CREATE TABLE itglue_locations (
    id              INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES itglue_organizations (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    is_primary      INTEGER NOT NULL DEFAULT 0,
    address_1       TEXT,
    address_2       TEXT,
    city            TEXT,
    postal_code     TEXT,
    region_id       INTEGER REFERENCES itglue_regions (id),
    country_id      INTEGER REFERENCES itglue_countries (id),
    phone           TEXT,
    fax             TEXT,
    notes           TEXT,
    restricted      INTEGER NOT NULL DEFAULT 0,
    psa_integration TEXT CHECK (psa_integration IN ('enabled', 'orphaned')),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX itglue_locations_by_org ON itglue_locations (organization_id);
CREATE INDEX itglue_locations_by_updated ON itglue_locations (updated_at);

-- Emails and phones are kept in their response shape, as JSON arrays.
CREATE TABLE itglue_contacts (
    id              INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES itglue_organizations (id) ON DELETE CASCADE,
    first_name      TEXT,
    last_name       TEXT,
    title           TEXT,
    contact_type_id INTEGER REFERENCES itglue_contact_types (id),
    location_id     INTEGER REFERENCES itglue_locations (id) ON DELETE SET NULL,
    important       INTEGER,
    notes           TEXT,
    restricted      INTEGER NOT NULL DEFAULT 0,
    contact_emails  TEXT NOT NULL DEFAULT '[]',
    contact_phones  TEXT NOT NULL DEFAULT '[]',
    psa_integration TEXT CHECK (psa_integration IN ('enabled', 'orphaned')),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX itglue_contacts_by_org ON itglue_contacts (organization_id);
CREATE INDEX itglue_contacts_by_updated ON itglue_contacts (updated_at);

-- The primary IP and MAC live on the primary interface only, so the two cannot disagree.
CREATE TABLE itglue_configurations (
    id                          INTEGER PRIMARY KEY,
    organization_id             INTEGER NOT NULL REFERENCES itglue_organizations (id) ON DELETE CASCADE,
    name                        TEXT NOT NULL,
    hostname                    TEXT,
    default_gateway             TEXT,
    serial_number               TEXT,
    asset_tag                   TEXT,
    position                    TEXT,
    installed_by                TEXT,
    purchased_by                TEXT,
    notes                       TEXT,
    operating_system_notes      TEXT,
    warranty_expires_at         TEXT,
    installed_at                TEXT,
    purchased_at                TEXT,
    mitp_device_expiration_date TEXT,
    mitp_end_of_life_date       TEXT,
    configuration_type_id       INTEGER NOT NULL REFERENCES itglue_configuration_types (id),
    configuration_status_id     INTEGER REFERENCES itglue_configuration_statuses (id),
    manufacturer_id             INTEGER REFERENCES itglue_manufacturers (id),
    model_id                    INTEGER REFERENCES itglue_models (id),
    operating_system_id         INTEGER REFERENCES itglue_operating_systems (id),
    location_id                 INTEGER REFERENCES itglue_locations (id) ON DELETE SET NULL,
    contact_id                  INTEGER REFERENCES itglue_contacts (id) ON DELETE SET NULL,
    restricted                  INTEGER NOT NULL DEFAULT 0,
    archived                    INTEGER NOT NULL DEFAULT 0,
    psa_integration             TEXT CHECK (psa_integration IN ('enabled', 'orphaned')),
    created_at                  TEXT NOT NULL,
    updated_at                  TEXT NOT NULL
);
CREATE INDEX itglue_configurations_by_org ON itglue_configurations (organization_id);
CREATE INDEX itglue_configurations_by_updated ON itglue_configurations (updated_at);
CREATE INDEX itglue_configurations_by_serial ON itglue_configurations (serial_number);

CREATE TABLE itglue_configuration_interfaces (
    id               INTEGER PRIMARY KEY,
    configuration_id INTEGER NOT NULL REFERENCES itglue_configurations (id) ON DELETE CASCADE,
    name             TEXT,
    ip_address       TEXT,
    mac_address      TEXT,
    is_primary       INTEGER NOT NULL DEFAULT 0,
    notes            TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX itglue_interfaces_by_configuration
    ON itglue_configuration_interfaces (configuration_id, is_primary);
CREATE INDEX itglue_interfaces_by_mac ON itglue_configuration_interfaces (mac_address);

-- Organizations marked by a bulk DELETE; they disappear once due.
CREATE TABLE itglue_organization_deletions (
    organization_id INTEGER PRIMARY KEY,
    due_at          TEXT NOT NULL
);

-- A row with a null account gives the employee every account.
CREATE TABLE bms_security_scope (
    user_id    INTEGER NOT NULL REFERENCES bms_users (id),
    account_id INTEGER REFERENCES bms_accounts (id) ON DELETE CASCADE
);
CREATE INDEX bms_security_scope_by_user ON bms_security_scope (user_id, account_id);

CREATE TABLE bms_lookups (
    table_name TEXT NOT NULL,
    id         INTEGER NOT NULL,
    name       TEXT NOT NULL,
    is_default INTEGER NOT NULL,
    is_active  INTEGER NOT NULL,
    PRIMARY KEY (table_name, id)
);

CREATE TABLE bms_contacts (
    id                       INTEGER PRIMARY KEY,
    account_id               INTEGER NOT NULL REFERENCES bms_accounts (id),
    location_id              INTEGER REFERENCES bms_account_locations (id),
    first_name               TEXT,
    middle_name              TEXT,
    last_name                TEXT,
    job_title                TEXT,
    is_poc                   INTEGER NOT NULL DEFAULT 0,
    is_active                INTEGER NOT NULL DEFAULT 1,
    effective_date           TEXT,
    is_billable              INTEGER NOT NULL DEFAULT 0,
    receive_invoices         INTEGER NOT NULL DEFAULT 0,
    bill_by_contact          INTEGER NOT NULL DEFAULT 0,
    has_client_portal_access INTEGER NOT NULL DEFAULT 0,
    created_by               INTEGER,
    created_on               TEXT NOT NULL,
    modified_by              INTEGER,
    modified_on              TEXT NOT NULL
);
CREATE INDEX bms_contacts_by_account ON bms_contacts (account_id);

CREATE TABLE bms_contact_emails (
    id            INTEGER PRIMARY KEY,
    contact_id    INTEGER NOT NULL REFERENCES bms_contacts (id) ON DELETE CASCADE,
    email_address TEXT NOT NULL,
    email_type_id INTEGER,
    is_default    INTEGER NOT NULL,
    created_by    INTEGER,
    created_on    TEXT NOT NULL,
    modified_by   INTEGER,
    modified_on   TEXT NOT NULL
);
CREATE INDEX bms_contact_emails_by_contact ON bms_contact_emails (contact_id);

CREATE TABLE bms_contact_phones (
    id            INTEGER PRIMARY KEY,
    contact_id    INTEGER NOT NULL REFERENCES bms_contacts (id) ON DELETE CASCADE,
    phone         TEXT NOT NULL,
    phone_type_id INTEGER,
    is_default    INTEGER NOT NULL,
    created_by    INTEGER,
    created_on    TEXT NOT NULL,
    modified_by   INTEGER,
    modified_on   TEXT NOT NULL
);
CREATE INDEX bms_contact_phones_by_contact ON bms_contact_phones (contact_id);

-- Fields the sandbox filters or joins on are columns; every other input field is kept in
-- `details` under its output name.
CREATE TABLE bms_hardware_assets (
    id                       INTEGER PRIMARY KEY,
    tenant_id                INTEGER NOT NULL REFERENCES bms_tenants (id),
    name                     TEXT NOT NULL,
    account_id               INTEGER NOT NULL REFERENCES bms_accounts (id),
    account_location_id      INTEGER REFERENCES bms_account_locations (id),
    contact_id               INTEGER REFERENCES bms_contacts (id) ON DELETE SET NULL,
    category_id              INTEGER NOT NULL,
    state_id                 INTEGER,
    manufacturer_id          INTEGER,
    serial_number            TEXT,
    asset_tag                TEXT,
    ip_address               TEXT,
    mac_address              TEXT,
    default_gateway          TEXT,
    model_number             TEXT,
    os_type                  TEXT,
    os_info                  TEXT,
    location_info            TEXT,
    description              TEXT,
    is_active                INTEGER NOT NULL DEFAULT 1,
    acquisition_date         TEXT,
    warranty_expiration_date TEXT,
    details                  TEXT NOT NULL DEFAULT '{}',
    created_by               INTEGER,
    created_on               TEXT NOT NULL,
    modified_by              INTEGER,
    modified_on              TEXT NOT NULL
);
CREATE INDEX bms_hardware_assets_by_account ON bms_hardware_assets (account_id);
";

pub fn is_current(connection: &Connection) -> rusqlite::Result<bool> {
    let version: Option<String> = connection
        .query_row(
            "SELECT value FROM sandbox_meta WHERE key = ?1",
            [VERSION_KEY],
            |row| row.get(0),
        )
        .optional()?;
    Ok(version.as_deref() == Some(VERSION))
}

/// Drops this set's tables; run before the core tables are dropped.
pub fn drop_all(connection: &Connection) -> rusqlite::Result<()> {
    for table in TABLES {
        connection.execute_batch(&format!("DROP TABLE IF EXISTS {table};"))?;
    }
    Ok(())
}

/// Creates this set's tables, empty; run after the core tables exist.
pub fn create(connection: &Connection) -> rusqlite::Result<()> {
    connection.execute_batch(DDL)?;
    connection.execute(
        "INSERT INTO sandbox_meta (key, value) VALUES (?1, ?2)",
        [VERSION_KEY, VERSION],
    )?;
    Ok(())
}
