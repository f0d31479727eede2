//! Tables of the IT Glue documentation resources (flexible assets, passwords, documents,
//! checklists, related items, attachments) and of IT Glue users, groups and their access.
//!
//! They reference organizations and other synced records by plain ids, without foreign
//! keys, so this set can be dropped and rebuilt independently of the core tables. Their
//! own version sits in `sandbox_meta` under [`VERSION_KEY`].

use rusqlite::{Connection, OptionalExtension};

const VERSION_KEY: &str = "docs_schema_version";
const VERSION: &str = "2";

/// Children before parents, so dropping in this order respects foreign keys.
const TABLES: &[&str] = &[
    "itglue_logs",
    "itglue_attachments",
    "itglue_related_items",
    "itglue_checklist_tasks",
    "itglue_checklists",
    "itglue_checklist_template_tasks",
    "itglue_checklist_templates",
    "itglue_document_sections",
    "itglue_documents",
    "itglue_document_folders",
    "itglue_password_versions",
    "itglue_passwords",
    "itglue_password_folders",
    "itglue_password_categories",
    "itglue_flexible_asset_traits",
    "itglue_flexible_assets",
    "itglue_flexible_asset_fields",
    "itglue_flexible_asset_types",
    "itglue_resource_accesses",
    "itglue_jwt_tokens",
    "itglue_group_organizations",
    "itglue_group_users",
    "itglue_groups",
    "itglue_user_organizations",
    "itglue_users",
];

const DDL: &str = r"
CREATE TABLE itglue_users (
    id                     INTEGER PRIMARY KEY,
    first_name             TEXT NOT NULL,
    last_name              TEXT NOT NULL,
    email                  TEXT NOT NULL UNIQUE COLLATE NOCASE,
    login_password         TEXT NOT NULL,
    -- A fixed code stands in for the user's TOTP; NULL means no two-factor sign-in.
    otp_code               TEXT,
    role_name              TEXT NOT NULL
        CHECK (role_name IN ('Administrator', 'Manager', 'Editor', 'Creator', 'Lite')),
    all_organizations      INTEGER NOT NULL,
    password_access        INTEGER NOT NULL,
    vault_passphrase       TEXT,
    avatar                 TEXT,
    reputation             INTEGER NOT NULL DEFAULT 0,
    invitation_sent_at     TEXT,
    invitation_accepted_at TEXT,
    current_sign_in_at     TEXT,
    current_sign_in_ip     TEXT,
    last_sign_in_at        TEXT,
    last_sign_in_ip        TEXT,
    created_at             TEXT NOT NULL,
    updated_at             TEXT NOT NULL
);

CREATE TABLE itglue_user_organizations (
    user_id         INTEGER NOT NULL REFERENCES itglue_users (id) ON DELETE CASCADE,
    organization_id INTEGER NOT NULL,
    PRIMARY KEY (user_id, organization_id)
);

CREATE TABLE itglue_groups (
    id                INTEGER PRIMARY KEY,
    name              TEXT NOT NULL,
    description       TEXT,
    hide_from_my_glue INTEGER NOT NULL DEFAULT 0,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);

CREATE TABLE itglue_group_users (
    group_id INTEGER NOT NULL REFERENCES itglue_groups (id) ON DELETE CASCADE,
    user_id  INTEGER NOT NULL REFERENCES itglue_users (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, user_id)
);

CREATE TABLE itglue_group_organizations (
    group_id        INTEGER NOT NULL REFERENCES itglue_groups (id) ON DELETE CASCADE,
    organization_id INTEGER NOT NULL,
    PRIMARY KEY (group_id, organization_id)
);

CREATE TABLE itglue_jwt_tokens (
    token      TEXT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('refresh', 'access')),
    user_id    INTEGER NOT NULL REFERENCES itglue_users (id) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL
);

-- Who may see a restricted record besides Administrators.
CREATE TABLE itglue_resource_accesses (
    resource_type TEXT NOT NULL,
    resource_id   INTEGER NOT NULL,
    accessor_type TEXT NOT NULL CHECK (accessor_type IN ('User', 'Group')),
    accessor_id   INTEGER NOT NULL,
    PRIMARY KEY (resource_type, resource_id, accessor_type, accessor_id)
);

CREATE TABLE itglue_flexible_asset_types (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    description  TEXT,
    icon         TEXT,
    enabled      INTEGER NOT NULL DEFAULT 1,
    show_in_menu INTEGER NOT NULL DEFAULT 1,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);

-- Uniqueness of name and order is checked in code over the final state of a request, so
-- that a bulk update may swap two orders.
CREATE TABLE itglue_flexible_asset_fields (
    id                     INTEGER PRIMARY KEY,
    flexible_asset_type_id INTEGER NOT NULL REFERENCES itglue_flexible_asset_types (id),
    sort_order             INTEGER NOT NULL,
    name                   TEXT NOT NULL,
    name_key               TEXT NOT NULL,
    kind                   TEXT NOT NULL,
    hint                   TEXT,
    decimals               INTEGER,
    default_value          TEXT,
    tag_type               TEXT,
    required               INTEGER NOT NULL,
    use_for_title          INTEGER NOT NULL,
    expiration             INTEGER NOT NULL,
    show_in_list           INTEGER NOT NULL,
    created_at             TEXT NOT NULL,
    updated_at             TEXT NOT NULL
);

CREATE TABLE itglue_flexible_assets (
    id                     INTEGER PRIMARY KEY,
    organization_id        INTEGER NOT NULL,
    flexible_asset_type_id INTEGER NOT NULL REFERENCES itglue_flexible_asset_types (id),
    -- Computed from the use-for-title traits on every write, so it can be filtered and sorted.
    name                   TEXT,
    restricted             INTEGER NOT NULL DEFAULT 0,
    archived               INTEGER NOT NULL DEFAULT 0,
    created_at             TEXT NOT NULL,
    updated_at             TEXT NOT NULL
);
CREATE INDEX itglue_flexible_assets_by_type ON itglue_flexible_assets (flexible_asset_type_id);

-- One stored value per trait, as JSON: a string, number or boolean; an array of ids for
-- tag fields; an attachment id for upload fields.
CREATE TABLE itglue_flexible_asset_traits (
    flexible_asset_id INTEGER NOT NULL REFERENCES itglue_flexible_assets (id) ON DELETE CASCADE,
    field_id          INTEGER NOT NULL REFERENCES itglue_flexible_asset_fields (id) ON DELETE CASCADE,
    value             TEXT NOT NULL,
    PRIMARY KEY (flexible_asset_id, field_id)
);

CREATE TABLE itglue_password_categories (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE itglue_password_folders (
    id              INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL,
    parent_id       INTEGER REFERENCES itglue_password_folders (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    restricted      INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

CREATE TABLE itglue_passwords (
    id                   INTEGER PRIMARY KEY,
    organization_id      INTEGER NOT NULL,
    name                 TEXT NOT NULL,
    username             TEXT,
    password             TEXT NOT NULL,
    otp_secret           TEXT,
    url                  TEXT,
    notes                TEXT,
    autofill_selectors   TEXT,
    password_category_id INTEGER REFERENCES itglue_password_categories (id) ON DELETE SET NULL,
    password_folder_id   INTEGER REFERENCES itglue_password_folders (id) ON DELETE SET NULL,
    resource_id          INTEGER,
    resource_type        TEXT,
    -- Copied from the parent record on write, as the API's `cached-*` names say.
    cached_resource_name      TEXT,
    cached_resource_type_name TEXT,
    restricted           INTEGER NOT NULL DEFAULT 0,
    archived             INTEGER NOT NULL DEFAULT 0,
    vault_id             INTEGER,
    personal             INTEGER NOT NULL DEFAULT 0,
    owner_user_id        INTEGER,
    updated_by           INTEGER,
    updated_by_type      TEXT,
    is_live              INTEGER NOT NULL DEFAULT 1,
    password_updated_at  TEXT,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);
CREATE INDEX itglue_passwords_by_organization ON itglue_passwords (organization_id);

-- Earlier revisions, one row per write, for `version_id` on show.
CREATE TABLE itglue_password_versions (
    id           INTEGER PRIMARY KEY,
    password_id  INTEGER NOT NULL REFERENCES itglue_passwords (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    username     TEXT,
    password     TEXT NOT NULL,
    url          TEXT,
    notes        TEXT,
    -- When this revision was current.
    updated_at   TEXT NOT NULL,
    created_at   TEXT NOT NULL
);

CREATE TABLE itglue_document_folders (
    id              INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL,
    parent_id       INTEGER REFERENCES itglue_document_folders (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    restricted      INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

CREATE TABLE itglue_documents (
    id                 INTEGER PRIMARY KEY,
    organization_id    INTEGER NOT NULL,
    document_folder_id INTEGER REFERENCES itglue_document_folders (id) ON DELETE SET NULL,
    name               TEXT NOT NULL,
    published          INTEGER NOT NULL DEFAULT 0,
    restricted         INTEGER NOT NULL DEFAULT 0,
    archived           INTEGER NOT NULL DEFAULT 0,
    public             INTEGER NOT NULL DEFAULT 0,
    is_uploaded        INTEGER NOT NULL DEFAULT 0,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
CREATE INDEX itglue_documents_by_organization ON itglue_documents (organization_id);

CREATE TABLE itglue_document_sections (
    id            INTEGER PRIMARY KEY,
    document_id   INTEGER NOT NULL REFERENCES itglue_documents (id) ON DELETE CASCADE,
    resource_id   INTEGER NOT NULL,
    resource_type TEXT NOT NULL CHECK (resource_type IN
        ('Document::Text', 'Document::Heading', 'Document::Gallery', 'Document::Step')),
    content       TEXT,
    level         INTEGER,
    duration      INTEGER,
    reset_count   INTEGER,
    sort          INTEGER NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

-- NULL organization: an account-wide (global) template.
CREATE TABLE itglue_checklist_templates (
    id              INTEGER PRIMARY KEY,
    organization_id INTEGER,
    name            TEXT NOT NULL,
    description     TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

CREATE TABLE itglue_checklist_template_tasks (
    id                    INTEGER PRIMARY KEY,
    checklist_template_id INTEGER NOT NULL REFERENCES itglue_checklist_templates (id) ON DELETE CASCADE,
    name                  TEXT NOT NULL,
    description           TEXT,
    sort_order            INTEGER NOT NULL
);

CREATE TABLE itglue_checklists (
    id                    INTEGER PRIMARY KEY,
    organization_id       INTEGER NOT NULL,
    checklist_template_id INTEGER,
    name                  TEXT NOT NULL,
    description           TEXT,
    due_date              TEXT,
    restricted            INTEGER NOT NULL DEFAULT 0,
    archived              INTEGER NOT NULL DEFAULT 0,
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL
);

CREATE TABLE itglue_checklist_tasks (
    id           INTEGER PRIMARY KEY,
    checklist_id INTEGER NOT NULL REFERENCES itglue_checklists (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    description  TEXT,
    sort_order   INTEGER NOT NULL,
    completed    INTEGER NOT NULL DEFAULT 0,
    completed_at TEXT,
    completed_by INTEGER
);

-- Directional: from the source record to the destination record.
CREATE TABLE itglue_related_items (
    id               INTEGER PRIMARY KEY,
    source_type      TEXT NOT NULL,
    source_id        INTEGER NOT NULL,
    destination_type TEXT NOT NULL,
    destination_id   INTEGER NOT NULL,
    notes            TEXT,
    archived         INTEGER NOT NULL DEFAULT 0,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX itglue_related_items_by_source ON itglue_related_items (source_type, source_id);

CREATE TABLE itglue_attachments (
    id            INTEGER PRIMARY KEY,
    resource_type TEXT NOT NULL,
    resource_id   INTEGER NOT NULL,
    name          TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    content       BLOB NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX itglue_attachments_by_resource ON itglue_attachments (resource_type, resource_id);

CREATE TABLE itglue_logs (
    id              INTEGER PRIMARY KEY,
    created_at      TEXT NOT NULL,
    level           TEXT NOT NULL,
    user_id         INTEGER,
    organization_id INTEGER,
    action          TEXT NOT NULL,
    resource_type   TEXT NOT NULL,
    resource_name   TEXT,
    ip_address      TEXT,
    ip_city         TEXT,
    ip_region       TEXT,
    ip_country      TEXT,
    user_agent      TEXT
);
CREATE INDEX itglue_logs_by_time ON itglue_logs (created_at);

-- Children by parent: without these, every nested read and every seeded child scans its whole table.
CREATE INDEX itglue_document_sections_by_document ON itglue_document_sections (document_id, sort);
CREATE INDEX itglue_checklists_by_organization ON itglue_checklists (organization_id);
CREATE INDEX itglue_checklist_tasks_by_checklist ON itglue_checklist_tasks (checklist_id);
CREATE INDEX itglue_checklist_template_tasks_by_template ON itglue_checklist_template_tasks (checklist_template_id);
CREATE INDEX itglue_flexible_asset_traits_by_field ON itglue_flexible_asset_traits (field_id);
";

/// True when these tables exist at the current version.
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

/// Drops these tables and creates them empty. Needs `sandbox_meta` to exist.
pub fn recreate(connection: &Connection) -> rusqlite::Result<()> {
    for table in TABLES {
        connection.execute_batch(&format!("DROP TABLE IF EXISTS {table};"))?;
    }
    connection.execute_batch(DDL)?;
    connection.execute(
        "INSERT OR REPLACE INTO sandbox_meta (key, value) VALUES (?1, ?2)",
        [VERSION_KEY, VERSION],
    )?;
    Ok(())
}
