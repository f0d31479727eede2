//! Table definitions. A stored `schema_version` that differs from [`SCHEMA_VERSION`] means
//! the file predates the current layout, so it is rebuilt and re-seeded.

use rusqlite::{Connection, OptionalExtension};

// 2: the EU API key joined the seed.
const SCHEMA_VERSION: &str = "2";

/// Children before parents, so dropping in this order respects foreign keys.
const TABLES: &[&str] = &[
    "bms_tokens",
    "bms_account_addresses",
    "bms_account_locations",
    "bms_accounts",
    "bms_countries",
    "bms_business_types",
    "bms_account_types",
    "bms_users",
    "bms_tenants",
    "itglue_adapters_resources",
    "itglue_organizations",
    "itglue_organization_statuses",
    "itglue_organization_types",
    "itglue_api_keys",
    "sandbox_meta",
];

const DDL: &str = r"
CREATE TABLE IF NOT EXISTS sandbox_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS itglue_api_keys (
    key             TEXT PRIMARY KEY,
    region          TEXT NOT NULL CHECK (region IN ('US', 'EU', 'AU')),
    password_access INTEGER NOT NULL,
    created_at      TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS itglue_organization_types (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS itglue_organization_statuses (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS itglue_organizations (
    id                     INTEGER PRIMARY KEY,
    name                   TEXT NOT NULL,
    alert                  TEXT,
    description            TEXT,
    organization_type_id   INTEGER REFERENCES itglue_organization_types (id),
    organization_status_id INTEGER REFERENCES itglue_organization_statuses (id),
    is_primary             INTEGER NOT NULL DEFAULT 0,
    logo                   TEXT,
    quick_notes            TEXT,
    short_name             TEXT,
    parent_id              INTEGER REFERENCES itglue_organizations (id),
    psa_integration        TEXT CHECK (psa_integration IN ('enabled', 'orphaned')),
    created_at             TEXT NOT NULL,
    updated_at             TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS itglue_adapters_resources (
    id                INTEGER PRIMARY KEY,
    resource_type     TEXT NOT NULL,
    resource_id       INTEGER NOT NULL,
    integration_type  TEXT NOT NULL,
    adapter_type_name TEXT NOT NULL,
    remote_id         TEXT NOT NULL,
    sync              INTEGER NOT NULL,
    orphaned          INTEGER NOT NULL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS itglue_adapters_resources_by_resource
    ON itglue_adapters_resources (resource_type, resource_id);
CREATE INDEX IF NOT EXISTS itglue_adapters_resources_by_remote
    ON itglue_adapters_resources (integration_type, remote_id);

CREATE TABLE IF NOT EXISTS bms_tenants (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    currency_id   INTEGER NOT NULL,
    currency_code TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS bms_users (
    id                 INTEGER PRIMARY KEY,
    tenant_id          INTEGER NOT NULL REFERENCES bms_tenants (id),
    username           TEXT NOT NULL,
    password           TEXT NOT NULL,
    first_name         TEXT NOT NULL,
    last_name          TEXT NOT NULL,
    email_address      TEXT NOT NULL,
    user_type          TEXT NOT NULL CHECK (user_type IN ('Employee', 'API Employee', 'External Employee')),
    is_system_admin    INTEGER NOT NULL,
    time_zone_name     TEXT NOT NULL,
    olson_time_zone    TEXT NOT NULL,
    time_zone_offset   REAL NOT NULL,
    created_on         TEXT NOT NULL,
    UNIQUE (tenant_id, username)
);

CREATE TABLE IF NOT EXISTS bms_tokens (
    access_token       TEXT PRIMARY KEY,
    refresh_token      TEXT NOT NULL UNIQUE,
    user_id            INTEGER NOT NULL REFERENCES bms_users (id),
    issued_on          TEXT NOT NULL,
    access_expires_on  TEXT NOT NULL,
    refresh_expires_on TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS bms_account_types (
    id        INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES bms_tenants (id),
    name      TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS bms_business_types (
    id        INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES bms_tenants (id),
    name      TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS bms_countries (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS bms_accounts (
    id                 INTEGER PRIMARY KEY,
    tenant_id          INTEGER NOT NULL REFERENCES bms_tenants (id),
    parent_id          INTEGER REFERENCES bms_accounts (id),
    account_code       TEXT,
    account_name       TEXT NOT NULL,
    account_type_id    INTEGER REFERENCES bms_account_types (id),
    business_type_id   INTEGER REFERENCES bms_business_types (id),
    account_manager_id INTEGER REFERENCES bms_users (id),
    website            TEXT,
    description        TEXT,
    credit_limit       REAL,
    net_days           REAL,
    is_active          INTEGER NOT NULL,
    is_billing         INTEGER NOT NULL,
    acquired_date      TEXT,
    created_by         INTEGER,
    created_on         TEXT NOT NULL,
    modified_by        INTEGER,
    modified_on        TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS bms_account_locations (
    id            INTEGER PRIMARY KEY,
    account_id    INTEGER NOT NULL REFERENCES bms_accounts (id),
    location_name TEXT NOT NULL,
    is_main       INTEGER NOT NULL,
    is_active     INTEGER NOT NULL,
    created_by    INTEGER,
    created_on    TEXT NOT NULL,
    modified_by   INTEGER,
    modified_on   TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS bms_account_addresses (
    id            INTEGER PRIMARY KEY,
    location_id   INTEGER NOT NULL REFERENCES bms_account_locations (id),
    address1      TEXT,
    address2      TEXT,
    city          TEXT,
    state         TEXT,
    zip_code      TEXT,
    country_id    INTEGER REFERENCES bms_countries (id),
    phone         TEXT,
    fax           TEXT,
    email_address TEXT,
    is_main       INTEGER NOT NULL,
    is_billing    INTEGER NOT NULL,
    created_by    INTEGER,
    created_on    TEXT NOT NULL,
    modified_by   INTEGER,
    modified_on   TEXT NOT NULL
);
";

/// True when the schema exists at the current version.
pub fn is_current(connection: &Connection) -> rusqlite::Result<bool> {
    let has_meta: bool = connection.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sandbox_meta')",
        [],
        |row| row.get(0),
    )?;
    if !has_meta {
        return Ok(false);
    }
    let version: Option<String> = connection
        .query_row(
            "SELECT value FROM sandbox_meta WHERE key = 'schema_version'",
            [],
            |row| row.get(0),
        )
        .optional()?;
    Ok(version.as_deref() == Some(SCHEMA_VERSION)
        && super::schema_records::is_current(connection)?
        && super::schema_docs::is_current(connection)?
        && super::schema_servicedesk::is_current(connection)?)
}

/// Drops every sandbox table and creates the current schema, empty.
pub fn recreate(connection: &Connection) -> rusqlite::Result<()> {
    super::schema_records::drop_all(connection)?;
    for table in TABLES {
        connection.execute_batch(&format!("DROP TABLE IF EXISTS {table};"))?;
    }
    connection.execute_batch(DDL)?;
    connection.execute(
        "INSERT INTO sandbox_meta (key, value) VALUES ('schema_version', ?1)",
        [SCHEMA_VERSION],
    )?;
    super::schema_records::create(connection)?;
    super::schema_docs::recreate(connection)?;
    super::schema_servicedesk::recreate(connection)?;
    Ok(())
}
