//! Tables of the BMS service desk, finance and IT Glue integration side. They reference
//! the core tables (accounts, users) by id without foreign keys, so the core schema can be
//! dropped and rebuilt in any order; foreign keys are kept among these tables only.

use rusqlite::{Connection, OptionalExtension};

/// Bumped when these tables change; checked beside the core schema version.
const VERSION: &str = "1";
const VERSION_KEY: &str = "servicedesk_schema_version";

/// Children before parents, so dropping in this order respects foreign keys.
const TABLES: &[&str] = &[
    "bms_contract_service_unit_history",
    "bms_contract_services",
    "bms_contracts",
    "bms_services",
    "bms_service_subcategories",
    "bms_service_categories",
    "bms_units_of_measure",
    "bms_itglue_user_connections",
    "bms_itglue_integration",
    "bms_attachments",
    "bms_ticket_checklist_items",
    "bms_ticket_charges",
    "bms_ticket_expenses",
    "bms_ticket_todos",
    "bms_ticket_service_calls",
    "bms_ticket_tasks",
    "bms_project_tasks",
    "bms_related_tickets",
    "bms_job_logs",
    "bms_jobs",
    "bms_ticket_audit_logs",
    "bms_ticket_activities",
    "bms_time_logs",
    "bms_ticket_notes",
    "bms_ticket_secondary_assignees",
    "bms_tickets",
    "bms_timelog_templates",
    "bms_note_templates",
    "bms_ticket_templates",
    "bms_queue_members",
    "bms_employee_profiles",
    "bms_note_types",
    "bms_ticket_sources",
    "bms_ticket_types",
    "bms_roles",
    "bms_work_types",
    "bms_slas",
    "bms_issue_sub_types",
    "bms_issue_types",
    "bms_queues",
    "bms_ticket_priorities",
    "bms_ticket_statuses",
];

const DDL: &str = r"
CREATE TABLE bms_ticket_statuses (
    id               INTEGER PRIMARY KEY,
    tenant_id        INTEGER NOT NULL,
    name             TEXT NOT NULL,
    color            TEXT NOT NULL,
    font_color       TEXT NOT NULL,
    status_order     INTEGER NOT NULL,
    type_id          INTEGER NOT NULL,
    is_system_status INTEGER NOT NULL,
    sla_event_id     INTEGER,
    is_active        INTEGER NOT NULL,
    -- A status of a finished ticket: ExcludeCompleted hides it, entering it sets CompletedDate.
    is_completed     INTEGER NOT NULL
);

CREATE TABLE bms_ticket_priorities (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL,
    name       TEXT NOT NULL,
    color      TEXT NOT NULL,
    is_default INTEGER NOT NULL
);

CREATE TABLE bms_queues (
    id        INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL,
    name      TEXT NOT NULL,
    is_active INTEGER NOT NULL
);

CREATE TABLE bms_issue_types (
    id        INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL,
    name      TEXT NOT NULL,
    is_active INTEGER NOT NULL
);

CREATE TABLE bms_issue_sub_types (
    id            INTEGER PRIMARY KEY,
    issue_type_id INTEGER NOT NULL REFERENCES bms_issue_types (id),
    name          TEXT NOT NULL
);

CREATE TABLE bms_slas (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL,
    name       TEXT NOT NULL,
    is_default INTEGER NOT NULL,
    is_active  INTEGER NOT NULL
);

CREATE TABLE bms_work_types (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL,
    name       TEXT NOT NULL,
    is_default INTEGER NOT NULL,
    is_active  INTEGER NOT NULL
);

CREATE TABLE bms_roles (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL,
    name       TEXT NOT NULL,
    is_default INTEGER NOT NULL
);

CREATE TABLE bms_ticket_types (
    id        INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL,
    name      TEXT NOT NULL,
    is_active INTEGER NOT NULL
);

-- System-wide: the same ids in every tenant.
CREATE TABLE bms_ticket_sources (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE bms_note_types (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL,
    name       TEXT NOT NULL,
    is_default INTEGER NOT NULL
);

-- HR details the core user table does not carry. Security scopes are the core
-- `bms_security_scope` rows.
CREATE TABLE bms_employee_profiles (
    user_id         INTEGER PRIMARY KEY,
    job_title       TEXT,
    is_active       INTEGER NOT NULL,
    default_role_id INTEGER REFERENCES bms_roles (id)
);

CREATE TABLE bms_queue_members (
    queue_id INTEGER NOT NULL REFERENCES bms_queues (id),
    user_id  INTEGER NOT NULL,
    PRIMARY KEY (queue_id, user_id)
);

CREATE TABLE bms_ticket_templates (
    id               INTEGER PRIMARY KEY,
    tenant_id        INTEGER NOT NULL,
    name             TEXT NOT NULL,
    title            TEXT NOT NULL,
    details          TEXT NOT NULL,
    issue_type_id    INTEGER REFERENCES bms_issue_types (id),
    sub_issue_type_id INTEGER REFERENCES bms_issue_sub_types (id),
    priority_id      INTEGER REFERENCES bms_ticket_priorities (id),
    queue_id         INTEGER REFERENCES bms_queues (id),
    ticket_type_id   INTEGER REFERENCES bms_ticket_types (id),
    work_type_id     INTEGER REFERENCES bms_work_types (id),
    expected_hours   REAL
);

CREATE TABLE bms_note_templates (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL,
    name        TEXT NOT NULL,
    details     TEXT NOT NULL,
    type_id     INTEGER REFERENCES bms_note_types (id),
    status_id   INTEGER REFERENCES bms_ticket_statuses (id),
    is_internal INTEGER NOT NULL
);

CREATE TABLE bms_timelog_templates (
    id             INTEGER PRIMARY KEY,
    tenant_id      INTEGER NOT NULL,
    name           TEXT NOT NULL,
    notes          TEXT,
    internal_notes TEXT,
    role_id        INTEGER REFERENCES bms_roles (id),
    work_type_id   INTEGER REFERENCES bms_work_types (id),
    status_id      INTEGER REFERENCES bms_ticket_statuses (id),
    timespent      REAL
);

-- Contact and hardware asset names are kept on the ticket, so a ticket reads the same
-- whether or not the contact and asset tables are present.
CREATE TABLE bms_tickets (
    id                     INTEGER PRIMARY KEY,
    tenant_id              INTEGER NOT NULL,
    ticket_number          TEXT NOT NULL,
    title                  TEXT NOT NULL,
    details                TEXT NOT NULL,
    account_id             INTEGER NOT NULL,
    location_id            INTEGER NOT NULL,
    contact_id             INTEGER,
    contact_name           TEXT,
    contact_phone          TEXT,
    contact_email          TEXT,
    hardware_asset_id      INTEGER,
    hardware_asset_name    TEXT,
    software_asset_id      INTEGER,
    status_id              INTEGER NOT NULL REFERENCES bms_ticket_statuses (id),
    priority_id            INTEGER NOT NULL REFERENCES bms_ticket_priorities (id),
    type_id                INTEGER NOT NULL REFERENCES bms_ticket_types (id),
    source_id              INTEGER NOT NULL REFERENCES bms_ticket_sources (id),
    issue_type_id          INTEGER REFERENCES bms_issue_types (id),
    sub_issue_type_id      INTEGER REFERENCES bms_issue_sub_types (id),
    queue_id               INTEGER REFERENCES bms_queues (id),
    assignee_id            INTEGER,
    contract_id            INTEGER,
    work_type_id           INTEGER REFERENCES bms_work_types (id),
    sla_id                 INTEGER REFERENCES bms_slas (id),
    sla_status_event_id    INTEGER,
    open_date              TEXT NOT NULL,
    due_date               TEXT,
    completed_date         TEXT,
    reopened_date          TEXT,
    resolution_target_time TEXT,
    last_activity_update   TEXT NOT NULL,
    last_status_update     TEXT,
    last_priority_update   TEXT,
    last_queue_update      TEXT,
    is_scheduled           INTEGER NOT NULL DEFAULT 0,
    recurring_master_id    INTEGER,
    custom_fields          TEXT,
    created_by             INTEGER,
    created_on             TEXT NOT NULL,
    modified_by            INTEGER,
    modified_on            TEXT NOT NULL
);
CREATE INDEX bms_tickets_by_account ON bms_tickets (account_id);

CREATE TABLE bms_ticket_secondary_assignees (
    ticket_id INTEGER NOT NULL REFERENCES bms_tickets (id) ON DELETE CASCADE,
    user_id   INTEGER NOT NULL,
    PRIMARY KEY (ticket_id, user_id)
);

CREATE TABLE bms_ticket_notes (
    id          INTEGER PRIMARY KEY,
    ticket_id   INTEGER NOT NULL REFERENCES bms_tickets (id) ON DELETE CASCADE,
    details     TEXT NOT NULL,
    is_internal INTEGER NOT NULL,
    type_id     INTEGER REFERENCES bms_note_types (id),
    note_date   TEXT NOT NULL,
    created_by  INTEGER,
    created_on  TEXT NOT NULL,
    modified_by INTEGER,
    modified_on TEXT NOT NULL
);

CREATE TABLE bms_time_logs (
    id             INTEGER PRIMARY KEY,
    ticket_id      INTEGER REFERENCES bms_tickets (id) ON DELETE CASCADE,
    user_id        INTEGER NOT NULL,
    start_date     TEXT NOT NULL,
    start_time     TEXT NOT NULL,
    end_time       TEXT NOT NULL,
    timespent      REAL NOT NULL,
    notes          TEXT,
    internal_notes TEXT,
    work_type_id   INTEGER REFERENCES bms_work_types (id),
    role_id        INTEGER REFERENCES bms_roles (id),
    is_billable    INTEGER NOT NULL,
    approved       INTEGER NOT NULL,
    billed         INTEGER NOT NULL,
    posted         INTEGER NOT NULL,
    created_by     INTEGER,
    created_on     TEXT NOT NULL,
    modified_by    INTEGER,
    modified_on    TEXT NOT NULL
);

-- One row per activity; note and time entries are joined in so edits show through.
CREATE TABLE bms_ticket_activities (
    id            INTEGER PRIMARY KEY,
    ticket_id     INTEGER NOT NULL REFERENCES bms_tickets (id) ON DELETE CASCADE,
    log_type      INTEGER NOT NULL,
    activity_type TEXT NOT NULL,
    note_id       INTEGER REFERENCES bms_ticket_notes (id) ON DELETE CASCADE,
    time_log_id   INTEGER REFERENCES bms_time_logs (id) ON DELETE CASCADE,
    old_status_id INTEGER,
    new_status_id INTEGER,
    text          TEXT,
    is_merged     INTEGER NOT NULL DEFAULT 0,
    user_id       INTEGER,
    created_by    INTEGER,
    created_on    TEXT NOT NULL
);

-- `field`, `new_value` and `changed_on` back the FromDate/ToDate/Value/ActionType filter.
CREATE TABLE bms_ticket_audit_logs (
    id         INTEGER PRIMARY KEY,
    ticket_id  INTEGER NOT NULL,
    created_on TEXT NOT NULL,
    source     TEXT NOT NULL,
    action     TEXT NOT NULL,
    details    TEXT NOT NULL,
    field      TEXT,
    new_value  TEXT
);
CREATE INDEX bms_ticket_audit_logs_by_ticket ON bms_ticket_audit_logs (ticket_id);

CREATE TABLE bms_jobs (
    id         TEXT PRIMARY KEY,
    tenant_id  INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    payload    TEXT NOT NULL,
    user_id    INTEGER NOT NULL,
    due_on     TEXT NOT NULL,
    state      TEXT NOT NULL CHECK (state IN ('queued', 'done', 'failed')),
    created_on TEXT NOT NULL
);

CREATE TABLE bms_job_logs (
    id      TEXT PRIMARY KEY,
    job_id  TEXT NOT NULL REFERENCES bms_jobs (id) ON DELETE CASCADE,
    seq     INTEGER NOT NULL,
    type    INTEGER NOT NULL,
    action  TEXT NOT NULL,
    message TEXT NOT NULL,
    date    TEXT NOT NULL
);

CREATE TABLE bms_related_tickets (
    id                INTEGER PRIMARY KEY,
    ticket_id         INTEGER NOT NULL REFERENCES bms_tickets (id) ON DELETE CASCADE,
    related_ticket_id INTEGER NOT NULL REFERENCES bms_tickets (id) ON DELETE CASCADE,
    UNIQUE (ticket_id, related_ticket_id)
);

CREATE TABLE bms_project_tasks (
    id           INTEGER PRIMARY KEY,
    tenant_id    INTEGER NOT NULL,
    account_id   INTEGER,
    project_name TEXT NOT NULL,
    task_name    TEXT NOT NULL,
    task_status  TEXT NOT NULL,
    start_date   TEXT
);

CREATE TABLE bms_ticket_tasks (
    id        INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES bms_tickets (id) ON DELETE CASCADE,
    task_id   INTEGER NOT NULL REFERENCES bms_project_tasks (id),
    UNIQUE (ticket_id, task_id)
);

CREATE TABLE bms_ticket_service_calls (
    id          INTEGER PRIMARY KEY,
    ticket_id   INTEGER NOT NULL REFERENCES bms_tickets (id) ON DELETE CASCADE,
    description TEXT,
    complete    INTEGER NOT NULL,
    start_date  TEXT NOT NULL,
    end_date    TEXT NOT NULL,
    user_id     INTEGER NOT NULL,
    created_by  INTEGER,
    created_on  TEXT NOT NULL,
    modified_by INTEGER,
    modified_on TEXT NOT NULL
);

CREATE TABLE bms_ticket_todos (
    id          INTEGER PRIMARY KEY,
    ticket_id   INTEGER NOT NULL REFERENCES bms_tickets (id) ON DELETE CASCADE,
    description TEXT,
    complete    INTEGER NOT NULL,
    user_id     INTEGER,
    date        TEXT,
    created_by  INTEGER,
    created_on  TEXT NOT NULL,
    modified_by INTEGER,
    modified_on TEXT NOT NULL
);

CREATE TABLE bms_ticket_expenses (
    id              INTEGER PRIMARY KEY,
    ticket_id       INTEGER NOT NULL REFERENCES bms_tickets (id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL,
    date            TEXT NOT NULL,
    expense_type_id INTEGER,
    payment_type_id INTEGER,
    amount_spent    REAL NOT NULL,
    markup_amount   REAL NOT NULL,
    markup_type     INTEGER NOT NULL,
    notes           TEXT,
    internal_notes  TEXT,
    reimbursable    INTEGER NOT NULL,
    is_billable     INTEGER NOT NULL,
    unit_price      REAL,
    is_approved     INTEGER NOT NULL,
    is_billed       INTEGER NOT NULL,
    is_posted       INTEGER NOT NULL,
    created_by      INTEGER,
    created_on      TEXT NOT NULL,
    modified_by     INTEGER,
    modified_on     TEXT NOT NULL
);

CREATE TABLE bms_ticket_charges (
    id               INTEGER PRIMARY KEY,
    ticket_id        INTEGER NOT NULL REFERENCES bms_tickets (id) ON DELETE CASCADE,
    product_index_id INTEGER,
    charge_name      TEXT NOT NULL,
    description      TEXT,
    quantity         REAL,
    price            REAL,
    amount           REAL,
    cost             REAL,
    unit_cost        REAL,
    is_billable      INTEGER NOT NULL,
    is_billed        INTEGER NOT NULL,
    is_posted        INTEGER NOT NULL,
    date_purchased   TEXT,
    serial_number    TEXT,
    created_by       INTEGER,
    created_on       TEXT NOT NULL,
    modified_by      INTEGER,
    modified_on      TEXT NOT NULL
);

CREATE TABLE bms_ticket_checklist_items (
    id           INTEGER PRIMARY KEY,
    ticket_id    INTEGER NOT NULL REFERENCES bms_tickets (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    description  TEXT,
    item_order   INTEGER NOT NULL,
    is_completed INTEGER NOT NULL,
    completed_by INTEGER,
    completed_on TEXT,
    created_by   INTEGER,
    created_on   TEXT NOT NULL,
    modified_by  INTEGER,
    modified_on  TEXT NOT NULL
);

-- `object_id` is NULL for a temporary upload not yet attached to a record.
CREATE TABLE bms_attachments (
    id                 INTEGER PRIMARY KEY,
    tenant_id          INTEGER NOT NULL,
    module_id          INTEGER NOT NULL,
    object_id          INTEGER,
    note_id            INTEGER REFERENCES bms_ticket_notes (id) ON DELETE SET NULL,
    original_file_name TEXT NOT NULL,
    alias_name         TEXT NOT NULL,
    file_type          TEXT NOT NULL,
    content            BLOB NOT NULL,
    created_by         INTEGER,
    created_on         TEXT NOT NULL
);
CREATE INDEX bms_attachments_by_object ON bms_attachments (module_id, object_id);

CREATE TABLE bms_itglue_integration (
    tenant_id         INTEGER PRIMARY KEY,
    master_tenant_id  INTEGER,
    itglue_account_id INTEGER,
    is_enabled        INTEGER NOT NULL,
    subdomain         TEXT NOT NULL,
    region            INTEGER NOT NULL,
    is_ticket_sync_enabled INTEGER NOT NULL
);

-- A row means the BMS user has connected an IT Glue user (My Settings > Integrations).
CREATE TABLE bms_itglue_user_connections (
    user_id      INTEGER PRIMARY KEY,
    itglue_email TEXT NOT NULL,
    access_token TEXT NOT NULL,
    expires_on   TEXT NOT NULL
);

CREATE TABLE bms_units_of_measure (
    id        INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL,
    name      TEXT NOT NULL
);

CREATE TABLE bms_service_categories (
    id        INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL,
    name      TEXT NOT NULL
);

CREATE TABLE bms_service_subcategories (
    id          INTEGER PRIMARY KEY,
    category_id INTEGER NOT NULL REFERENCES bms_service_categories (id),
    name        TEXT NOT NULL
);

CREATE TABLE bms_services (
    id                 INTEGER PRIMARY KEY,
    tenant_id          INTEGER NOT NULL,
    name               TEXT NOT NULL,
    description        TEXT,
    unit_cost          REAL,
    unit_price         REAL,
    category_id        INTEGER REFERENCES bms_service_categories (id),
    sub_category_id    INTEGER REFERENCES bms_service_subcategories (id),
    unit_of_measure_id INTEGER REFERENCES bms_units_of_measure (id),
    income_account_id  INTEGER,
    expense_account_id INTEGER,
    is_active          INTEGER NOT NULL,
    is_taxable         INTEGER NOT NULL,
    margin             REAL,
    margin_type        INTEGER,
    created_by         INTEGER,
    created_on         TEXT NOT NULL,
    modified_by        INTEGER,
    modified_on        TEXT NOT NULL
);

CREATE TABLE bms_contracts (
    id                      INTEGER PRIMARY KEY,
    tenant_id               INTEGER NOT NULL,
    account_id              INTEGER NOT NULL,
    contract_number         TEXT NOT NULL,
    name                    TEXT NOT NULL,
    type_name               TEXT NOT NULL,
    is_active               INTEGER NOT NULL,
    is_default              INTEGER NOT NULL,
    sla_id                  INTEGER REFERENCES bms_slas (id),
    reference_number        TEXT,
    billing_cycle_id        INTEGER NOT NULL,
    start_date              TEXT NOT NULL,
    end_date                TEXT,
    issue_invoice_on        INTEGER,
    is_fiscal_billing       INTEGER NOT NULL,
    is_notification_enabled INTEGER NOT NULL,
    notification_emails     TEXT NOT NULL,
    created_by              INTEGER,
    created_on              TEXT NOT NULL,
    modified_by             INTEGER,
    modified_on             TEXT NOT NULL
);

CREATE TABLE bms_contract_services (
    id                  INTEGER PRIMARY KEY,
    contract_id         INTEGER NOT NULL REFERENCES bms_contracts (id) ON DELETE CASCADE,
    service_id          INTEGER NOT NULL REFERENCES bms_services (id),
    service_name        TEXT NOT NULL,
    service_description TEXT,
    units               REAL NOT NULL,
    unit_cost           REAL NOT NULL,
    unit_price          REAL NOT NULL,
    original_unit_cost  REAL NOT NULL,
    original_unit_price REAL NOT NULL,
    margin              REAL,
    effective_date      TEXT NOT NULL,
    sort_order          INTEGER NOT NULL,
    created_by          INTEGER,
    created_on          TEXT NOT NULL,
    modified_by         INTEGER,
    modified_on         TEXT NOT NULL
);

CREATE TABLE bms_contract_service_unit_history (
    id                  INTEGER PRIMARY KEY,
    contract_service_id INTEGER NOT NULL REFERENCES bms_contract_services (id) ON DELETE CASCADE,
    old_units           REAL NOT NULL,
    new_units           REAL NOT NULL,
    source              TEXT NOT NULL,
    changed_by          INTEGER,
    changed_on          TEXT NOT NULL
);
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

/// Drops and creates these tables, empty. Runs after the core schema (which creates
/// `sandbox_meta`).
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_created_table_is_dropped() -> rusqlite::Result<()> {
        let connection = Connection::open_in_memory()?;
        connection
            .execute_batch("CREATE TABLE sandbox_meta (key TEXT PRIMARY KEY, value TEXT);")?;
        recreate(&connection)?;
        let mut statement = connection
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'bms_%'")?;
        let created = statement
            .query_map([], |row| row.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        assert_eq!(created.len(), TABLES.len());
        assert!(created.iter().all(|name| TABLES.contains(&name.as_str())));
        assert!(is_current(&connection)?);
        // A second run drops and recreates without tripping over foreign keys.
        recreate(&connection)
    }
}
