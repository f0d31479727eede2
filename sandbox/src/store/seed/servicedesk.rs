//! Seeding of the BMS service desk, finance and IT Glue integration side. It reads the
//! accounts, locations, contacts and hardware assets already in the store and adds, for
//! the first tenant: the service desk lookups and templates, employees with security
//! scopes and queues, the integration settings, the services catalogue, a recurring
//! services contract per active customer account, and tickets per account with notes,
//! time logs, activities, a checklist, resolved, reopened and merged ones.
//!
//! Everything is derived from the ids read, so the same store gives the same data.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params};

/// The password of the employees added here (the core seed's own users keep theirs).
pub const EMPLOYEE_PASSWORD: &str = "Tech!Pass3";

const STATUS_NEW: i64 = 36707;
const STATUS_IN_PROGRESS: i64 = 36708;
const STATUS_WAITING: i64 = 36709;
const STATUS_SCHEDULED: i64 = 36711;
const STATUS_ESCALATED: i64 = 36712;
const STATUS_REOPENED: i64 = 36714;
const STATUS_RESOLVED: i64 = 37181;
const STATUS_CLOSED: i64 = 37182;

/// `(id, name, color, font color, order, type, completed)`.
type StatusRow = (
    i64,
    &'static str,
    &'static str,
    &'static str,
    i64,
    i64,
    bool,
);
const STATUSES: &[StatusRow] = &[
    (STATUS_NEW, "New", "#1E88E5", "#FFFFFF", 1, 1, false),
    (
        STATUS_IN_PROGRESS,
        "In Progress",
        "#43A047",
        "#FFFFFF",
        2,
        1,
        false,
    ),
    (
        STATUS_WAITING,
        "Waiting on Customer",
        "#FB8C00",
        "#FFFFFF",
        3,
        2,
        false,
    ),
    (
        36710,
        "Waiting on Vendor",
        "#F4511E",
        "#FFFFFF",
        4,
        2,
        false,
    ),
    (
        STATUS_SCHEDULED,
        "Scheduled",
        "#8E24AA",
        "#FFFFFF",
        5,
        1,
        false,
    ),
    (
        STATUS_ESCALATED,
        "Escalated",
        "#E53935",
        "#FFFFFF",
        6,
        1,
        false,
    ),
    (
        STATUS_REOPENED,
        "Re-Opened",
        "#3949AB",
        "#FFFFFF",
        7,
        1,
        false,
    ),
    (
        STATUS_RESOLVED,
        "Resolved",
        "#757575",
        "#FFFFFF",
        8,
        3,
        true,
    ),
    (STATUS_CLOSED, "Closed", "#424242", "#FFFFFF", 9, 3, true),
];

const PRIORITY_CRITICAL: i64 = 28788;
const PRIORITY_HIGH: i64 = 28789;
const PRIORITY_MEDIUM: i64 = 28790;
const PRIORITY_LOW: i64 = 28791;
const PRIORITIES: &[(i64, &str, &str, bool)] = &[
    (PRIORITY_CRITICAL, "Critical", "#B71C1C", false),
    (PRIORITY_HIGH, "High", "#E53935", false),
    (PRIORITY_MEDIUM, "Medium", "#FB8C00", true),
    (PRIORITY_LOW, "Low", "#43A047", false),
];

const QUEUE_HELP_DESK: i64 = 27976;
const QUEUE_ESCALATIONS: i64 = 27977;
const QUEUE_PROJECTS: i64 = 27978;
const QUEUE_MONITORING: i64 = 27979;
const QUEUES: &[(i64, &str)] = &[
    (QUEUE_HELP_DESK, "Help Desk"),
    (QUEUE_ESCALATIONS, "Escalations"),
    (QUEUE_PROJECTS, "Projects"),
    (QUEUE_MONITORING, "Monitoring Alerts"),
];

const ISSUE_HARDWARE: i64 = 10479;
const ISSUE_SOFTWARE: i64 = 10480;
const ISSUE_NETWORK: i64 = 11203;
const ISSUE_EMAIL: i64 = 11876;
const ISSUE_SECURITY: i64 = 12307;
/// `(issue type, name, [(sub-type id, name)])`.
type IssueTypeRow = (i64, &'static str, &'static [(i64, &'static str)]);
const ISSUE_TYPES: &[IssueTypeRow] = &[
    (
        ISSUE_HARDWARE,
        "Hardware",
        &[
            (20101, "Workstation"),
            (20102, "Printer"),
            (20103, "Server"),
        ],
    ),
    (
        ISSUE_SOFTWARE,
        "Software",
        &[(20201, "Line of Business App"), (20202, "Operating System")],
    ),
    (
        ISSUE_NETWORK,
        "Network",
        &[(20301, "Internet"), (20302, "Wi-Fi"), (20303, "VPN")],
    ),
    (
        ISSUE_EMAIL,
        "Email & Microsoft 365",
        &[(20401, "Mailbox"), (20402, "Licensing")],
    ),
    (
        ISSUE_SECURITY,
        "Security",
        &[(20501, "Phishing"), (20502, "Access Request")],
    ),
];

const SLA_STANDARD: i64 = 4101;
const SLA_PREMIUM: i64 = 4102;
const WORK_REMOTE: i64 = 19558;
const WORK_ONSITE: i64 = 19559;
const ROLE_TECHNICIAN: i64 = 15324;
const ROLE_ENGINEER: i64 = 15325;
const ROLE_MANAGER: i64 = 15326;

const TYPE_SERVICE_REQUEST: i64 = 28;
const TYPE_INCIDENT: i64 = 29;
const TYPE_PROBLEM: i64 = 30;
const TYPE_CHANGE: i64 = 31;
const TYPE_ALERT: i64 = 32;
const TICKET_TYPES: &[(i64, &str)] = &[
    (TYPE_SERVICE_REQUEST, "Service Request"),
    (TYPE_INCIDENT, "Incident"),
    (TYPE_PROBLEM, "Problem"),
    (TYPE_CHANGE, "Change Request"),
    (TYPE_ALERT, "Alert"),
];

/// The system ticket sources, the same ids in every tenant.
const SOURCES: &[(i64, &str)] = &[
    (0, "Client Portal"),
    (1, "Phone"),
    (2, "In Person"),
    (3, "On Site"),
    (4, "Email"),
    (5, "Monitoring System"),
    (6, "Voice Mail"),
    (7, "Verbal"),
    (8, "Other"),
    (9, "Recurring"),
];

const NOTE_GENERAL: i64 = 5301;
const NOTE_RESOLUTION: i64 = 5302;
const NOTE_TYPES: &[(i64, &str, bool)] = &[
    (NOTE_GENERAL, "General", true),
    (NOTE_RESOLUTION, "Resolution", false),
    (5303, "Customer Update", false),
    (5304, "Internal", false),
];

/// Employees added next to the core seed's users:
/// `(user name, first, last, job title, type, role, all accounts, queues)`.
struct Employee {
    username: &'static str,
    first: &'static str,
    last: &'static str,
    job_title: &'static str,
    user_type: &'static str,
    role: i64,
    all_accounts: bool,
    queues: &'static [i64],
}

const EMPLOYEES: &[Employee] = &[
    Employee {
        username: "mark.lee",
        first: "Mark",
        last: "Lee",
        job_title: "Senior Engineer",
        user_type: "Employee",
        role: ROLE_ENGINEER,
        all_accounts: true,
        queues: &[QUEUE_ESCALATIONS, QUEUE_PROJECTS],
    },
    Employee {
        username: "sam.rivera",
        first: "Sam",
        last: "Rivera",
        job_title: "Service Desk Technician",
        user_type: "Employee",
        role: ROLE_TECHNICIAN,
        all_accounts: false,
        queues: &[QUEUE_HELP_DESK],
    },
    Employee {
        username: "olivia.chen",
        first: "Olivia",
        last: "Chen",
        job_title: "Service Delivery Manager",
        user_type: "Employee",
        role: ROLE_MANAGER,
        all_accounts: true,
        queues: &[
            QUEUE_HELP_DESK,
            QUEUE_ESCALATIONS,
            QUEUE_PROJECTS,
            QUEUE_MONITORING,
        ],
    },
    Employee {
        username: "alex.contractor",
        first: "Alex",
        last: "Morgan",
        job_title: "Field Technician (contract)",
        user_type: "External Employee",
        role: ROLE_TECHNICIAN,
        all_accounts: false,
        queues: &[],
    },
];

const JANE: &str = "jane.tech";
const API_USER: &str = "itglue.api";
/// The IT Glue user Jane is connected as, created when the IT Glue seed has none.
const JANE_ITGLUE_PASSWORD: &str = "Tech!Pass2";

const SERVICE_M365: i64 = 8801;
const SERVICE_BACKUP: i64 = 8802;
const SERVICE_WORKSTATION: i64 = 8803;

/// Ticket title patterns; `{device}` becomes an asset name and `{person}` a contact.
const TITLES: &[(&str, i64, i64, i64)] = &[
    (
        "Outlook keeps asking for a password",
        ISSUE_EMAIL,
        20401,
        TYPE_INCIDENT,
    ),
    (
        "Printer offline in the front office",
        ISSUE_HARDWARE,
        20102,
        TYPE_INCIDENT,
    ),
    (
        "New employee onboarding",
        ISSUE_SECURITY,
        20502,
        TYPE_SERVICE_REQUEST,
    ),
    (
        "VPN disconnects every few minutes",
        ISSUE_NETWORK,
        20303,
        TYPE_INCIDENT,
    ),
    (
        "Backup job failed on {device}",
        ISSUE_HARDWARE,
        20103,
        TYPE_ALERT,
    ),
    (
        "Replace failing hard drive in {device}",
        ISSUE_HARDWARE,
        20101,
        TYPE_SERVICE_REQUEST,
    ),
    (
        "Wi-Fi is slow in the conference room",
        ISSUE_NETWORK,
        20302,
        TYPE_PROBLEM,
    ),
    (
        "Phishing email reported by {person}",
        ISSUE_SECURITY,
        20501,
        TYPE_INCIDENT,
    ),
    (
        "Password reset for {person}",
        ISSUE_SECURITY,
        20502,
        TYPE_SERVICE_REQUEST,
    ),
    (
        "Disk space low on {device}",
        ISSUE_HARDWARE,
        20103,
        TYPE_ALERT,
    ),
    (
        "Install line of business application update",
        ISSUE_SOFTWARE,
        20201,
        TYPE_CHANGE,
    ),
    (
        "Microsoft 365 license for a new hire",
        ISSUE_EMAIL,
        20402,
        TYPE_SERVICE_REQUEST,
    ),
    (
        "Monitor flickering on {device}",
        ISSUE_HARDWARE,
        20101,
        TYPE_INCIDENT,
    ),
    (
        "Windows updates failing on {device}",
        ISSUE_SOFTWARE,
        20202,
        TYPE_PROBLEM,
    ),
];

/// The status cycle of seeded tickets.
const STATUS_CYCLE: &[i64] = &[
    STATUS_NEW,
    STATUS_IN_PROGRESS,
    STATUS_RESOLVED,
    STATUS_WAITING,
    STATUS_CLOSED,
    STATUS_IN_PROGRESS,
    STATUS_SCHEDULED,
    STATUS_ESCALATED,
];

/// The first ticket id: tenants' ids are large, and these must not look like counters.
const FIRST_TICKET_ID: i64 = 118_201;
/// 2025-01-06T00:00:00 in Unix seconds: seeded tickets open in the weeks after it.
const EPOCH_2025_01_06: i64 = 1_736_121_600;

pub fn load(connection: &Connection) -> rusqlite::Result<()> {
    let Some(tenant) = connection.query_row("SELECT MIN(id) FROM bms_tenants", [], |row| {
        row.get::<_, Option<i64>>(0)
    })?
    else {
        return Ok(());
    };
    lookups(connection, tenant)?;
    templates(connection, tenant)?;
    let staff = employees(connection, tenant)?;
    integration(connection, tenant, &staff)?;
    finance(connection, tenant)?;
    project_tasks(connection, tenant)?;
    tickets(connection, tenant, &staff)
}

fn lookups(connection: &Connection, tenant: i64) -> rusqlite::Result<()> {
    for (id, name, color, font, order, type_id, completed) in STATUSES {
        connection.execute(
            "INSERT INTO bms_ticket_statuses
               (id, tenant_id, name, color, font_color, status_order, type_id, is_system_status,
                sla_event_id, is_active, is_completed)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL, 1, ?9)",
            params![
                id,
                tenant,
                name,
                color,
                font,
                order,
                type_id,
                i64::from(*id == STATUS_NEW || *completed),
                completed
            ],
        )?;
    }
    for (id, name, color, is_default) in PRIORITIES {
        connection.execute(
            "INSERT INTO bms_ticket_priorities (id, tenant_id, name, color, is_default) VALUES
                (?1, ?2, ?3, ?4, ?5)",
            params![id, tenant, name, color, is_default],
        )?;
    }
    for (id, name) in QUEUES {
        connection.execute(
            "INSERT INTO bms_queues (id, tenant_id, name, is_active) VALUES (?1, ?2, ?3, 1)",
            params![id, tenant, name],
        )?;
    }
    for (id, name, subs) in ISSUE_TYPES {
        connection.execute(
            "INSERT INTO bms_issue_types (id, tenant_id, name, is_active) VALUES (?1, ?2, ?3, 1)",
            params![id, tenant, name],
        )?;
        for (sub, sub_name) in *subs {
            connection.execute(
                "INSERT INTO bms_issue_sub_types (id, issue_type_id, name) VALUES (?1, ?2, ?3)",
                params![sub, id, sub_name],
            )?;
        }
    }
    for (id, name, is_default) in [
        (SLA_STANDARD, "Standard SLA", true),
        (SLA_PREMIUM, "Premium SLA", false),
    ] {
        connection.execute(
            "INSERT INTO bms_slas (id, tenant_id, name, is_default, is_active) VALUES (?1, ?2,
                ?3, ?4, 1)",
            params![id, tenant, name, is_default],
        )?;
    }
    for (id, name, is_default) in [
        (WORK_REMOTE, "Remote Support", true),
        (WORK_ONSITE, "Onsite Support", false),
        (19560, "After Hours", false),
    ] {
        connection.execute(
            "INSERT INTO bms_work_types (id, tenant_id, name, is_default, is_active) VALUES (?1,
                ?2, ?3, ?4, 1)",
            params![id, tenant, name, is_default],
        )?;
    }
    for (id, name, is_default) in [
        (ROLE_TECHNICIAN, "Technician", true),
        (ROLE_ENGINEER, "Senior Engineer", false),
        (ROLE_MANAGER, "Project Manager", false),
    ] {
        connection.execute(
            "INSERT INTO bms_roles (id, tenant_id, name, is_default) VALUES (?1, ?2, ?3, ?4)",
            params![id, tenant, name, is_default],
        )?;
    }
    for (id, name) in TICKET_TYPES {
        connection.execute(
            "INSERT INTO bms_ticket_types (id, tenant_id, name, is_active) VALUES (?1, ?2, ?3, 1)",
            params![id, tenant, name],
        )?;
    }
    for (id, name) in SOURCES {
        connection.execute(
            "INSERT INTO bms_ticket_sources (id, name) VALUES (?1, ?2)",
            params![id, name],
        )?;
    }
    for (id, name, is_default) in NOTE_TYPES {
        connection.execute(
            "INSERT INTO bms_note_types (id, tenant_id, name, is_default) VALUES (?1, ?2, ?3, ?4)",
            params![id, tenant, name, is_default],
        )?;
    }
    generic_lookups(connection)
}

/// Ticket types, sources and note types have no lookup route of their own; the generic
/// `/v2/system/lookup/{tableName}` of the core records serves them when its table exists.
fn generic_lookups(connection: &Connection) -> rusqlite::Result<()> {
    let exists: bool = connection.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'bms_lookups')",
        [],
        |row| row.get(0),
    )?;
    if !exists {
        return Ok(());
    }
    let mut insert = connection.prepare(
        "INSERT OR IGNORE INTO bms_lookups (table_name, id, name, is_default, is_active) VALUES
            (?1, ?2, ?3, ?4, 1)",
    )?;
    for (id, name) in TICKET_TYPES {
        insert.execute(params![
            "TicketTypes",
            id,
            name,
            *id == TYPE_SERVICE_REQUEST
        ])?;
    }
    for (id, name) in SOURCES {
        insert.execute(params!["TicketSources", id, name, *id == 4])?;
    }
    for (id, name, is_default) in NOTE_TYPES {
        insert.execute(params!["NoteTypes", id, name, is_default])?;
    }
    Ok(())
}

fn templates(connection: &Connection, tenant: i64) -> rusqlite::Result<()> {
    // (id, name, title, details, issue type, sub-type, queue, ticket type, hours)
    type TemplateRow = (
        i64,
        &'static str,
        &'static str,
        &'static str,
        i64,
        Option<i64>,
        i64,
        i64,
        f64,
    );
    let tickets: [TemplateRow; 3] = [
        (
            6601,
            "New user setup",
            "New user setup: [name]",
            "Create the account, license Microsoft 365, prepare the laptop and share drives.",
            ISSUE_SECURITY,
            Some(20502),
            QUEUE_HELP_DESK,
            TYPE_SERVICE_REQUEST,
            3.0,
        ),
        (
            6602,
            "Backup failure",
            "Backup failure on [device]",
            "Check the backup log, rerun the job and confirm the restore point.",
            ISSUE_HARDWARE,
            Some(20103),
            QUEUE_MONITORING,
            TYPE_ALERT,
            1.0,
        ),
        (
            6603,
            "Printer issue",
            "Printer issue",
            "Power cycle, check the queue, reinstall the driver if needed.",
            ISSUE_HARDWARE,
            Some(20102),
            QUEUE_HELP_DESK,
            TYPE_INCIDENT,
            0.5,
        ),
    ];
    for (id, name, title, details, issue, sub, queue, type_id, hours) in tickets {
        connection.execute(
            "INSERT INTO bms_ticket_templates
               (id, tenant_id, name, title, details, issue_type_id, sub_issue_type_id, priority_id,
                queue_id, ticket_type_id, work_type_id, expected_hours)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![
                id,
                tenant,
                name,
                title,
                details,
                issue,
                sub,
                PRIORITY_MEDIUM,
                queue,
                type_id,
                WORK_REMOTE,
                hours
            ],
        )?;
    }
    for (id, name, details, type_id, status, internal) in [
        (
            6701,
            "Waiting on customer",
            "We have sent instructions for [TicketTitle] ([TicketNumber]) and are waiting for your reply.",
            5303,
            Some(STATUS_WAITING),
            false,
        ),
        (
            6702,
            "Resolved",
            "Ticket [TicketNumber] for [AccountName] is resolved. Reply to reopen it.",
            NOTE_RESOLUTION,
            Some(STATUS_RESOLVED),
            false,
        ),
        (
            6703,
            "Internal handover",
            "Handing over [TicketNumber]; see the time log for what was done.",
            5304,
            None,
            true,
        ),
    ] {
        connection.execute(
            "INSERT INTO bms_note_templates (id, tenant_id, name, details, type_id, status_id,
                is_internal)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![id, tenant, name, details, type_id, status, internal],
        )?;
    }
    for (id, name, notes, status, hours) in [
        (
            6801,
            "Remote fix, 15 minutes",
            "Connected remotely and fixed [TicketTitle].",
            Some(STATUS_IN_PROGRESS),
            0.25,
        ),
        (
            6802,
            "Onsite visit, 1 hour",
            "Onsite at [AccountName] for [TicketNumber].",
            None,
            1.0,
        ),
    ] {
        connection.execute(
            "INSERT INTO bms_timelog_templates
               (id, tenant_id, name, notes, internal_notes, role_id, work_type_id, status_id,
               timespent)
             VALUES (?1, ?2, ?3, ?4, NULL, ?5, ?6, ?7, ?8)",
            params![
                id,
                tenant,
                name,
                notes,
                ROLE_TECHNICIAN,
                if hours >= 1.0 {
                    WORK_ONSITE
                } else {
                    WORK_REMOTE
                },
                status,
                hours
            ],
        )?;
    }
    Ok(())
}

/// Employee user ids by user name, for ticket assignment.
struct Staff {
    ids: HashMap<&'static str, i64>,
}

impl Staff {
    fn get(&self, username: &str) -> Option<i64> {
        self.ids.get(username).copied()
    }
}

fn user_id(connection: &Connection, tenant: i64, username: &str) -> rusqlite::Result<Option<i64>> {
    connection
        .query_row(
            "SELECT id FROM bms_users WHERE tenant_id = ?1 AND lower(username) = lower(?2)",
            params![tenant, username],
            |row| row.get(0),
        )
        .optional()
}

/// Adds the employees, profiles for every user, scopes and queue memberships.
fn employees(connection: &Connection, tenant: i64) -> rusqlite::Result<Staff> {
    let mut ids = HashMap::new();
    for employee in EMPLOYEES {
        if user_id(connection, tenant, employee.username)?.is_none() {
            connection.execute(
                "INSERT INTO bms_users
                   (tenant_id, username, password, first_name, last_name, email_address, user_type,
                    is_system_admin, time_zone_name, olson_time_zone, time_zone_offset, created_on)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0, '(UTC-08:00) Pacific Time (US & Canada)',
                         'America/Los_Angeles', -8.0, '2024-02-05T08:00:00')",
                params![
                    tenant,
                    employee.username,
                    EMPLOYEE_PASSWORD,
                    employee.first,
                    employee.last,
                    format!("{}@demo-msp.example.com", employee.username),
                    employee.user_type
                ],
            )?;
        }
        let Some(id) = user_id(connection, tenant, employee.username)? else {
            continue;
        };
        ids.insert(employee.username, id);
        connection.execute(
            "INSERT OR REPLACE INTO bms_employee_profiles (user_id, job_title, is_active,
                default_role_id)
             VALUES (?1, ?2, 1, ?3)",
            params![id, employee.job_title, employee.role],
        )?;
        for queue in employee.queues {
            connection.execute(
                "INSERT OR IGNORE INTO bms_queue_members (queue_id, user_id) VALUES (?1, ?2)",
                params![queue, id],
            )?;
        }
    }
    for (username, title, role, queues) in [
        (
            JANE,
            "Service Desk Technician",
            ROLE_TECHNICIAN,
            &[QUEUE_HELP_DESK, QUEUE_MONITORING][..],
        ),
        (API_USER, "Integration account", ROLE_TECHNICIAN, &[][..]),
    ] {
        let Some(id) = user_id(connection, tenant, username)? else {
            continue;
        };
        ids.insert(username, id);
        connection.execute(
            "INSERT OR REPLACE INTO bms_employee_profiles (user_id, job_title, is_active,
                default_role_id)
             VALUES (?1, ?2, 1, ?3)",
            params![id, title, role],
        )?;
        for queue in queues {
            connection.execute(
                "INSERT OR IGNORE INTO bms_queue_members (queue_id, user_id) VALUES (?1, ?2)",
                params![queue, id],
            )?;
        }
    }
    scopes(connection, tenant, &ids)?;
    Ok(Staff { ids })
}

/// Company-wide staff see every account; Sam the first two active accounts and the
/// contractor the first one. Jane's scope is the core seed's.
fn scopes(
    connection: &Connection,
    tenant: i64,
    ids: &HashMap<&'static str, i64>,
) -> rusqlite::Result<()> {
    let mut statement = connection.prepare(
        "SELECT id FROM bms_accounts WHERE tenant_id = ?1 AND is_active = 1 ORDER BY id LIMIT 2",
    )?;
    let first_accounts = statement
        .query_map([tenant], |row| row.get::<_, i64>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for employee in EMPLOYEES {
        let Some(id) = ids.get(employee.username) else {
            continue;
        };
        let accounts: Vec<Option<i64>> = if employee.all_accounts {
            vec![None]
        } else if employee.user_type == "External Employee" {
            first_accounts.iter().take(1).map(|id| Some(*id)).collect()
        } else {
            first_accounts.iter().map(|id| Some(*id)).collect()
        };
        for account in accounts {
            connection.execute(
                "INSERT INTO bms_security_scope (user_id, account_id) VALUES (?1, ?2)",
                params![id, account],
            )?;
        }
    }
    Ok(())
}

/// The integration is on, with ticket sync; Jane has connected her IT Glue user, the
/// integration employee has not (API employees cannot sign in to connect).
fn integration(connection: &Connection, tenant: i64, staff: &Staff) -> rusqlite::Result<()> {
    connection.execute(
        "INSERT INTO bms_itglue_integration
           (tenant_id, master_tenant_id, itglue_account_id, is_enabled, subdomain, region,
           is_ticket_sync_enabled)
         VALUES (?1, ?1, 310042, 1, 'demo-msp', 0, 1)",
        [tenant],
    )?;
    let Some(jane) = staff.get(JANE) else {
        return Ok(());
    };
    let email: String = connection.query_row(
        "SELECT email_address FROM bms_users WHERE id = ?1",
        [jane],
        |row| row.get(0),
    )?;
    // The IT Glue side may not have Jane yet; the same e-mail on both sides is the rule.
    connection.execute(
        "INSERT OR IGNORE INTO itglue_users
           (first_name, last_name, email, login_password, role_name, all_organizations,
           password_access,
            created_at, updated_at)
         VALUES ('Jane', 'Tech', ?1, ?2, 'Editor', 1, 1, '2023-04-03T08:00:00.000Z',
         '2023-04-03T08:00:00.000Z')",
        params![email, JANE_ITGLUE_PASSWORD],
    )?;
    connection.execute(
        "INSERT INTO bms_itglue_user_connections (user_id, itglue_email, access_token, expires_on)
         VALUES (?1, ?2, '', '2000-01-01T00:00:00')",
        params![jane, email],
    )?;
    Ok(())
}

fn finance(connection: &Connection, tenant: i64) -> rusqlite::Result<()> {
    for (id, name) in [(6101, "Managed Services"), (6102, "Professional Services")] {
        connection.execute(
            "INSERT INTO bms_service_categories (id, tenant_id, name) VALUES (?1, ?2, ?3)",
            params![id, tenant, name],
        )?;
    }
    for (id, category, name) in [
        (6201, 6101, "Cloud"),
        (6202, 6101, "Backup"),
        (6203, 6101, "Endpoint"),
        (6204, 6102, "Projects"),
    ] {
        connection.execute(
            "INSERT INTO bms_service_subcategories (id, category_id, name) VALUES (?1, ?2, ?3)",
            params![id, category, name],
        )?;
    }
    for (id, name) in [
        (6301, "User"),
        (6302, "Device"),
        (6303, "Each"),
        (6304, "Hour"),
    ] {
        connection.execute(
            "INSERT INTO bms_units_of_measure (id, tenant_id, name) VALUES (?1, ?2, ?3)",
            params![id, tenant, name],
        )?;
    }
    // (id, name, description, unit cost, unit price, category, sub-category, unit, taxable)
    type ServiceRow = (
        i64,
        &'static str,
        &'static str,
        f64,
        f64,
        i64,
        i64,
        i64,
        bool,
    );
    let services: [ServiceRow; 4] = [
        (
            SERVICE_M365,
            "Microsoft 365 Business Standard",
            "Microsoft 365 Business Standard, per licensed user, billed monthly.",
            12.5,
            15.0,
            6101,
            6201,
            6301,
            true,
        ),
        (
            SERVICE_BACKUP,
            "Managed Backup",
            "Image backup with offsite replication, per protected server.",
            35.0,
            60.0,
            6101,
            6202,
            6302,
            true,
        ),
        (
            SERVICE_WORKSTATION,
            "Managed Workstation",
            "Monitoring, patching and antivirus, per workstation or laptop.",
            25.0,
            45.0,
            6101,
            6203,
            6302,
            true,
        ),
        (
            8804,
            "Onsite Labor",
            "Onsite technician time, per hour.",
            0.0,
            150.0,
            6102,
            6204,
            6304,
            false,
        ),
    ];
    for (id, name, description, cost, price, category, sub, unit, taxable) in services {
        connection.execute(
            "INSERT INTO bms_services
               (id, tenant_id, name, description, unit_cost, unit_price, category_id,
               sub_category_id,
                unit_of_measure_id, income_account_id, expense_account_id, is_active,
                is_taxable, margin,
                margin_type, created_by, created_on, modified_by, modified_on)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 4000, 5000, 1, ?10, ?11, 1, NULL,
                     '2024-01-02T09:00:00', NULL, '2024-01-02T09:00:00')",
            params![
                id,
                tenant,
                name,
                description,
                cost,
                price,
                category,
                sub,
                unit,
                taxable,
                price - cost
            ],
        )?;
    }
    contracts(connection, tenant)
}

/// One recurring services contract per active customer account; units follow the
/// account's records: M365 users = contacts, backups = servers, workstations = the rest.
fn contracts(connection: &Connection, tenant: i64) -> rusqlite::Result<()> {
    let mut statement = connection.prepare(
        "SELECT a.id, COALESCE(a.account_code, CAST(a.id AS TEXT)) FROM bms_accounts a
         JOIN bms_account_types t ON t.id = a.account_type_id
         WHERE a.tenant_id = ?1 AND a.is_active = 1 AND t.name = 'Customer' ORDER BY a.id",
    )?;
    let accounts = statement
        .query_map([tenant], |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut line_id = 9_400_001_i64;
    for (contract_id, (account, code)) in (9_300_001_i64..).zip(accounts) {
        connection.execute(
            "INSERT INTO bms_contracts
               (id, tenant_id, account_id, contract_number, name, type_name, is_active,
               is_default, sla_id,
                reference_number, billing_cycle_id, start_date, end_date, issue_invoice_on,
                is_fiscal_billing,
                is_notification_enabled, notification_emails, created_by, created_on,
                modified_by, modified_on)
             VALUES (?1, ?2, ?3, ?4, ?5, 'Recurring Services', 1, 1, ?6, ?7, 1,
             '2024-01-01T00:00:00',
                     '2026-12-31T00:00:00', 1, 0, 0, '[]', NULL, '2024-01-02T09:00:00', NULL,
                     '2024-01-02T09:00:00')",
            params![
                contract_id,
                tenant,
                account,
                format!("RS-{contract_id}"),
                format!("Managed Services Agreement - {code}"),
                SLA_STANDARD,
                format!("MSA-{code}-2024")
            ],
        )?;
        let counts = unit_counts(connection, account)?;
        for (order, (service, units)) in [
            (SERVICE_M365, counts.0),
            (SERVICE_BACKUP, counts.1),
            (SERVICE_WORKSTATION, counts.2),
        ]
        .into_iter()
        .enumerate()
        {
            connection.execute(
                "INSERT INTO bms_contract_services
                   (id, contract_id, service_id, service_name, service_description, units,
                   unit_cost, unit_price,
                    original_unit_cost, original_unit_price, margin, effective_date, sort_order,
                    created_by,
                    created_on, modified_by, modified_on)
                 SELECT ?1, ?2, id, name, description, ?3, unit_cost, unit_price, unit_cost,
                 unit_price,
                        unit_price - unit_cost, '2024-01-01T00:00:00', ?4, NULL,
                        '2024-01-02T09:00:00', NULL,
                        '2024-01-02T09:00:00'
                 FROM bms_services WHERE id = ?5",
                params![line_id, contract_id, units, order as i64 + 1, service],
            )?;
            line_id += 1;
        }
    }
    Ok(())
}

/// (contacts, servers, other devices) of an account, at least 1 each.
fn unit_counts(connection: &Connection, account: i64) -> rusqlite::Result<(f64, f64, f64)> {
    let count = |sql: &str| -> rusqlite::Result<f64> {
        let exists: bool = connection.query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1)",
            [if sql.contains("bms_contacts") {
                "bms_contacts"
            } else {
                "bms_hardware_assets"
            }],
            |row| row.get(0),
        )?;
        if !exists {
            return Ok(1.0);
        }
        let value: i64 = connection.query_row(sql, [account], |row| row.get(0))?;
        Ok(value.max(1) as f64)
    };
    Ok((
        count("SELECT COUNT(*) FROM bms_contacts WHERE account_id = ?1 AND is_active = 1")?,
        count(
            "SELECT COUNT(*) FROM bms_hardware_assets WHERE account_id = ?1 AND category_id = 5103",
        )?,
        count(
            "SELECT COUNT(*) FROM bms_hardware_assets WHERE account_id = ?1 AND category_id IN
                (5101, 5102)",
        )?,
    ))
}

fn project_tasks(connection: &Connection, tenant: i64) -> rusqlite::Result<()> {
    let mut statement = connection.prepare(
        "SELECT id, account_name FROM bms_accounts WHERE tenant_id = ?1 AND
            is_active = 1 ORDER BY id LIMIT 3",
    )?;
    let accounts = statement
        .query_map([tenant], |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut id = 7_710_001_i64;
    for (account, name) in accounts {
        for (task, status) in [
            ("Inventory and assessment", "Completed"),
            ("Migrate file shares", "In Progress"),
            ("Decommission old server", "Not Started"),
        ] {
            connection.execute(
                "INSERT INTO bms_project_tasks (id, tenant_id, account_id, project_name,
                    task_name, task_status, start_date)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, '2025-02-03T00:00:00')",
                params![
                    id,
                    tenant,
                    account,
                    format!("{name} server refresh"),
                    task,
                    status
                ],
            )?;
            id += 1;
        }
    }
    Ok(())
}

/// What a seeded ticket needs from its account.
struct AccountRecords {
    id: i64,
    location: i64,
    contacts: Vec<(i64, String)>,
    devices: Vec<(i64, String)>,
}

fn account_records(connection: &Connection, tenant: i64) -> rusqlite::Result<Vec<AccountRecords>> {
    let mut statement = connection.prepare(
        "SELECT a.id, (SELECT l.id FROM bms_account_locations l WHERE l.account_id = a.id
                       ORDER BY l.is_main DESC, l.id LIMIT 1)
         FROM bms_accounts a WHERE a.tenant_id = ?1 ORDER BY a.id",
    )?;
    let accounts = statement
        .query_map([tenant], |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, Option<i64>>(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let has_contacts = table_exists(connection, "bms_contacts")?;
    let has_devices = table_exists(connection, "bms_hardware_assets")?;
    let mut records = Vec::new();
    for (id, location) in accounts {
        let Some(location) = location else {
            continue;
        };
        let contacts = if has_contacts {
            named_rows(
                connection,
                "SELECT id, trim(COALESCE(first_name, '') || ' ' || COALESCE(last_name, ''))
                    FROM bms_contacts WHERE account_id = ?1 ORDER BY id LIMIT 8",
                id,
            )?
        } else {
            Vec::new()
        };
        let devices = if has_devices {
            named_rows(
                connection,
                "SELECT id, name FROM bms_hardware_assets WHERE account_id = ?1 ORDER BY id
                    LIMIT 8",
                id,
            )?
        } else {
            Vec::new()
        };
        records.push(AccountRecords {
            id,
            location,
            contacts,
            devices,
        });
    }
    Ok(records)
}

fn table_exists(connection: &Connection, table: &str) -> rusqlite::Result<bool> {
    connection.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1)",
        [table],
        |row| row.get(0),
    )
}

fn named_rows(
    connection: &Connection,
    sql: &str,
    account: i64,
) -> rusqlite::Result<Vec<(i64, String)>> {
    let mut statement = connection.prepare_cached(sql)?;
    statement
        .query_map([account], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect()
}

/// `YYYY-MM-DDTHH:MM:SS` for Unix seconds (days after 1970 via the civil calendar).
fn at(seconds: i64) -> String {
    crate::clock::Timestamp::from_unix_seconds(seconds).to_bms()
}

/// One seeded ticket as planned before it is written.
struct Plan<'a> {
    id: i64,
    account: &'a AccountRecords,
    index: usize,
    title: String,
    issue: i64,
    sub_issue: i64,
    type_id: i64,
    status: i64,
    assignee: Option<i64>,
    contact: Option<&'a (i64, String)>,
    device: Option<&'a (i64, String)>,
    opened: i64,
}

fn tickets(connection: &Connection, tenant: i64, staff: &Staff) -> rusqlite::Result<()> {
    let jane = staff.get(JANE);
    let team: Vec<i64> = ["mark.lee", "sam.rivera", "olivia.chen"]
        .iter()
        .filter_map(|name| staff.get(name))
        .collect();
    let jane_accounts: Vec<i64> = match jane {
        Some(jane) => {
            let mut statement = connection.prepare(
                "SELECT account_id FROM bms_security_scope WHERE user_id = ?1 AND account_id IS
                    NOT NULL",
            )?;
            statement
                .query_map([jane], |row| row.get(0))?
                .collect::<rusqlite::Result<_>>()?
        }
        None => Vec::new(),
    };
    let mut next_id = FIRST_TICKET_ID;
    let mut numbers: HashMap<String, i64> = HashMap::new();
    for account in &account_records(connection, tenant)? {
        let count = 2 + usize::try_from(account.id.rem_euclid(4)).unwrap_or(0);
        let mut planned = Vec::new();
        for index in 0..count {
            let seed = account.id.unsigned_abs() as usize + index * 5;
            let (pattern, issue, sub_issue, type_id) = TITLES[seed % TITLES.len()];
            let contact = (!account.contacts.is_empty())
                .then(|| &account.contacts[seed % account.contacts.len()]);
            let device = (!account.devices.is_empty())
                .then(|| &account.devices[seed % account.devices.len()]);
            let title = pattern
                .replace(
                    "{device}",
                    device.map_or("the server", |(_, name)| name.as_str()),
                )
                .replace(
                    "{person}",
                    contact.map_or("a user", |(_, name)| name.as_str()),
                );
            let assignee = if jane_accounts.contains(&account.id) && index % 3 != 2 {
                jane
            } else if index % 4 == 3 {
                None
            } else {
                team.get(seed % team.len().max(1)).copied()
            };
            planned.push(Plan {
                id: next_id,
                account,
                index,
                title,
                issue,
                sub_issue,
                type_id,
                status: STATUS_CYCLE[seed % STATUS_CYCLE.len()],
                assignee,
                contact,
                device: if pattern.contains("{device}") {
                    device
                } else {
                    None
                },
                opened: EPOCH_2025_01_06
                    + ((account.id * 7 + index as i64 * 11).rem_euclid(120)) * 86_400
                    + (8 + (account.id + index as i64).rem_euclid(9)) * 3600,
            });
            next_id += 1;
        }
        for plan in &planned {
            write_ticket(connection, tenant, plan, &mut numbers)?;
        }
        decorate(connection, &planned, jane)?;
    }
    Ok(())
}

fn write_ticket(
    connection: &Connection,
    tenant: i64,
    plan: &Plan<'_>,
    numbers: &mut HashMap<String, i64>,
) -> rusqlite::Result<()> {
    let opened = at(plan.opened);
    let day = opened[..10].replace('-', "");
    let sequence = numbers.entry(day.clone()).or_insert(0);
    *sequence += 1;
    let completed = matches!(plan.status, STATUS_RESOLVED | STATUS_CLOSED);
    let worked = at(plan.opened + 3 * 3600 + plan.index as i64 * 1800);
    let priority = [
        PRIORITY_MEDIUM,
        PRIORITY_HIGH,
        PRIORITY_LOW,
        PRIORITY_MEDIUM,
        PRIORITY_CRITICAL,
    ][(plan.id as usize) % 5];
    let queue = if plan.type_id == TYPE_ALERT {
        QUEUE_MONITORING
    } else if plan.status == STATUS_ESCALATED {
        QUEUE_ESCALATIONS
    } else {
        QUEUE_HELP_DESK
    };
    let source = if plan.type_id == TYPE_ALERT {
        5
    } else {
        [4, 1, 0, 4, 6][plan.index % 5]
    };
    connection
        .prepare_cached(
            "INSERT INTO bms_tickets
               (id, tenant_id, ticket_number, title, details, account_id, location_id,
               contact_id, contact_name,
                hardware_asset_id, hardware_asset_name, status_id, priority_id, type_id,
                source_id, issue_type_id,
                sub_issue_type_id, queue_id, assignee_id, work_type_id, sla_id, open_date,
                due_date, completed_date,
                last_activity_update, last_status_update, is_scheduled, created_by, created_on,
                modified_by, modified_on)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
             ?18, ?19, ?20, ?21,
                     ?22, ?23, ?24, ?25, ?25, ?26, ?19, ?22, ?19, ?25)",
        )?
        .execute(params![
            plan.id,
            tenant,
            format!("T{day}.{sequence:04}"),
            plan.title,
            format!(
                "{}. Reported by {}.",
                plan.title,
                plan.contact
                    .map_or("the office manager", |(_, name)| name.as_str())
            ),
            plan.account.id,
            plan.account.location,
            plan.contact.map(|(id, _)| *id),
            plan.contact.map(|(_, name)| name.as_str()),
            plan.device.map(|(id, _)| *id),
            plan.device.map(|(_, name)| name.as_str()),
            plan.status,
            priority,
            plan.type_id,
            source,
            plan.issue,
            plan.sub_issue,
            queue,
            plan.assignee,
            WORK_REMOTE,
            SLA_STANDARD,
            opened,
            at(plan.opened + 3 * 86_400),
            completed.then(|| worked.clone()),
            worked,
            i64::from(plan.status == STATUS_SCHEDULED)
        ])?;
    connection
        .prepare_cached(
            "INSERT INTO bms_ticket_audit_logs (ticket_id, created_on, source, action, details)
                VALUES (?1, ?2, 'Email', 'Created', 'Ticket created.')",
        )?
        .execute(params![plan.id, opened])?;
    Ok(())
}

/// Notes, time logs and status changes on every ticket; then per account a checklist, a
/// reopened ticket and a merged pair where there are enough tickets.
fn decorate(
    connection: &Connection,
    planned: &[Plan<'_>],
    jane: Option<i64>,
) -> rusqlite::Result<()> {
    for plan in planned {
        let author = plan.assignee.or(jane);
        note(
            connection,
            plan.id,
            &format!("Customer reported: {}.", plan.title.to_lowercase()),
            false,
            NOTE_GENERAL,
            author,
            plan.opened + 600,
        )?;
        if plan.status != STATUS_NEW {
            note(
                connection,
                plan.id,
                "Checked the logs and the device; working on it.",
                true,
                NOTE_GENERAL,
                author,
                plan.opened + 3600,
            )?;
            time_log(
                connection,
                plan,
                author,
                0.5 + (plan.index % 3) as f64 * 0.25,
            )?;
            status_change(
                connection,
                plan.id,
                STATUS_NEW,
                STATUS_IN_PROGRESS,
                author,
                plan.opened + 3600,
            )?;
        }
        if matches!(plan.status, STATUS_RESOLVED | STATUS_CLOSED) {
            note(
                connection,
                plan.id,
                "Resolved: fixed and confirmed with the customer.",
                false,
                NOTE_RESOLUTION,
                author,
                plan.opened + 3 * 3600,
            )?;
            status_change(
                connection,
                plan.id,
                STATUS_IN_PROGRESS,
                plan.status,
                author,
                plan.opened + 3 * 3600,
            )?;
        }
    }
    if let Some(first) = planned.first() {
        checklist(connection, first, jane)?;
    }
    if let Some(resolved) = planned
        .iter()
        .find(|plan| plan.status == STATUS_RESOLVED && plan.index > 0)
    {
        reopen(connection, resolved)?;
    }
    if planned.len() >= 4 {
        merged_pair(connection, &planned[0], &planned[planned.len() - 1])?;
    }
    Ok(())
}

fn note(
    connection: &Connection,
    ticket: i64,
    text: &str,
    internal: bool,
    type_id: i64,
    author: Option<i64>,
    when: i64,
) -> rusqlite::Result<()> {
    let stamp = at(when);
    connection
        .prepare_cached(
            "INSERT INTO bms_ticket_notes (ticket_id, details, is_internal, type_id, note_date,
                created_by, created_on, modified_by, modified_on)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?5, ?6, ?5)",
        )?
        .execute(params![ticket, text, internal, type_id, stamp, author])?;
    let note = connection.last_insert_rowid();
    connection
        .prepare_cached(
            "INSERT INTO bms_ticket_activities (ticket_id, log_type, activity_type, note_id,
                user_id, created_by, created_on)
             VALUES (?1, 1, 'Note', ?2, ?3, ?3, ?4)",
        )?
        .execute(params![ticket, note, author, stamp])?;
    Ok(())
}

fn time_log(
    connection: &Connection,
    plan: &Plan<'_>,
    author: Option<i64>,
    hours: f64,
) -> rusqlite::Result<()> {
    let Some(author) = author else {
        return Ok(());
    };
    let start = plan.opened + 3600;
    let end = start + (hours * 3600.0) as i64;
    let (start_text, end_text) = (at(start), at(end));
    connection
        .prepare_cached(
            "INSERT INTO bms_time_logs
               (ticket_id, user_id, start_date, start_time, end_time, timespent, notes,
               internal_notes, work_type_id,
                role_id, is_billable, approved, billed, posted, created_by, created_on,
                modified_by, modified_on)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'Troubleshooting.', NULL, ?7, ?8, 1, ?9, 0, 0, ?2,
             ?10, ?2, ?10)",
        )?
        .execute(params![
            plan.id,
            author,
            format!("{}T00:00:00", &start_text[..10]),
            &start_text[11..],
            &end_text[11..],
            hours,
            WORK_REMOTE,
            ROLE_TECHNICIAN,
            matches!(plan.status, STATUS_CLOSED),
            end_text
        ])?;
    let entry = connection.last_insert_rowid();
    connection
        .prepare_cached(
            "INSERT INTO bms_ticket_activities (ticket_id, log_type, activity_type, time_log_id,
                user_id, created_by, created_on)
             VALUES (?1, 2, 'Time Logged', ?2, ?3, ?3, ?4)",
        )?
        .execute(params![plan.id, entry, author, end_text])?;
    Ok(())
}

fn status_change(
    connection: &Connection,
    ticket: i64,
    old: i64,
    new: i64,
    author: Option<i64>,
    when: i64,
) -> rusqlite::Result<()> {
    let stamp = at(when);
    connection
        .prepare_cached(
            "INSERT INTO bms_ticket_activities (ticket_id, log_type, activity_type,
                old_status_id, new_status_id, user_id, created_by, created_on)
             VALUES (?1, 3, 'Status Changed', ?2, ?3, ?4, ?4, ?5)",
        )?
        .execute(params![ticket, old, new, author, stamp])?;
    connection
        .prepare_cached(
            "INSERT INTO bms_ticket_audit_logs (ticket_id, created_on, source, action, details,
                field, new_value)
             VALUES (?1, ?2, 'Web', 'Updated', ?3, 'StatusId', ?4)",
        )?
        .execute(params![
            ticket,
            stamp,
            format!("StatusId changed from '{old}' to '{new}'."),
            new.to_string()
        ])?;
    Ok(())
}

/// An onboarding checklist, the first two items done.
fn checklist(connection: &Connection, plan: &Plan<'_>, jane: Option<i64>) -> rusqlite::Result<()> {
    let items = [
        (
            "Create the user account",
            "Active Directory and Microsoft 365",
        ),
        ("Assign licenses", "Microsoft 365 Business Standard"),
        ("Prepare the laptop", "Image, encrypt, enrol in RMM"),
        ("Map shared drives", ""),
        ("Send the welcome e-mail", ""),
    ];
    for (order, (name, description)) in items.iter().enumerate() {
        let done = order < 2;
        let stamp = at(plan.opened + 1800 * (order as i64 + 1));
        connection.execute(
            "INSERT INTO bms_ticket_checklist_items
               (ticket_id, name, description, item_order, is_completed, completed_by,
               completed_on, created_by,
                created_on, modified_by, modified_on)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?8, ?9)",
            params![
                plan.id,
                name,
                (!description.is_empty()).then_some(*description),
                order as i64 + 1,
                done,
                done.then_some(jane).flatten(),
                done.then(|| stamp.clone()),
                jane,
                at(plan.opened + 600)
            ],
        )?;
    }
    Ok(())
}

/// A resolved ticket that the customer reopened.
fn reopen(connection: &Connection, plan: &Plan<'_>) -> rusqlite::Result<()> {
    let when = plan.opened + 2 * 86_400;
    connection.execute(
        "UPDATE bms_tickets SET status_id = ?2, completed_date = NULL, reopened_date = ?3,
            last_status_update = ?3,
            last_activity_update = ?3, modified_on = ?3 WHERE id = ?1",
        params![plan.id, STATUS_REOPENED, at(when)],
    )?;
    note(
        connection,
        plan.id,
        "The customer reports the problem is back.",
        false,
        NOTE_GENERAL,
        plan.assignee,
        when,
    )?;
    status_change(
        connection,
        plan.id,
        STATUS_RESOLVED,
        STATUS_REOPENED,
        plan.assignee,
        when,
    )
}

/// A duplicate merged into the original: the original inherits its details, the
/// duplicate is closed, and both say so in a note.
fn merged_pair(
    connection: &Connection,
    original: &Plan<'_>,
    duplicate: &Plan<'_>,
) -> rusqlite::Result<()> {
    let when = duplicate.opened.max(original.opened) + 7200;
    let number = |id: i64| -> rusqlite::Result<String> {
        connection.query_row(
            "SELECT ticket_number FROM bms_tickets WHERE id = ?1",
            [id],
            |row| row.get(0),
        )
    };
    let (original_number, duplicate_number) = (number(original.id)?, number(duplicate.id)?);
    note(
        connection,
        original.id,
        &format!("Ticket {duplicate_number} was merged into this ticket."),
        true,
        NOTE_GENERAL,
        original.assignee,
        when,
    )?;
    note(
        connection,
        duplicate.id,
        &format!("This ticket was merged into ticket {original_number}."),
        true,
        NOTE_GENERAL,
        original.assignee,
        when,
    )?;
    if !matches!(duplicate.status, STATUS_RESOLVED | STATUS_CLOSED) {
        connection.execute(
            "UPDATE bms_tickets SET status_id = ?2, completed_date = ?3, last_status_update = ?3
                WHERE id = ?1",
            params![duplicate.id, STATUS_CLOSED, at(when)],
        )?;
        status_change(
            connection,
            duplicate.id,
            duplicate.status,
            STATUS_CLOSED,
            original.assignee,
            when,
        )?;
    }
    for (ticket, details) in [
        (
            original.id,
            format!("Inherited the details of ticket {duplicate_number}."),
        ),
        (
            duplicate.id,
            format!("Merged into ticket {original_number}."),
        ),
    ] {
        connection.execute(
            "INSERT INTO bms_ticket_audit_logs (ticket_id, created_on, source, action, details)
                VALUES (?1, ?2, 'Merge', 'Merged', ?3)",
            params![ticket, at(when), details],
        )?;
    }
    connection.execute(
        "INSERT INTO bms_related_tickets (ticket_id, related_ticket_id) VALUES (?1, ?2)",
        [original.id, duplicate.id],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::store::schema;
    use crate::store::seed;
    use crate::store::world::{World, WorldSpec};
    use rusqlite::Connection;

    fn count(connection: &Connection, sql: &str) -> rusqlite::Result<i64> {
        connection.query_row(sql, [], |row| row.get(0))
    }

    #[test]
    fn seeds_tickets_for_every_account_with_a_location() -> rusqlite::Result<()> {
        let connection = Connection::open_in_memory()?;
        connection.execute_batch("PRAGMA foreign_keys = ON;")?;
        schema::recreate(&connection)?;
        seed::load(&connection, &World::generate(WorldSpec::default()))?;
        let uncovered = count(
            &connection,
            "SELECT COUNT(*) FROM bms_accounts a
             WHERE EXISTS (SELECT 1 FROM bms_account_locations l WHERE l.account_id = a.id)
               AND NOT EXISTS (SELECT 1 FROM bms_tickets t WHERE t.account_id = a.id)",
        )?;
        assert_eq!(uncovered, 0);
        assert!(count(&connection, "SELECT COUNT(*) FROM bms_ticket_notes")? > 0);
        assert!(count(&connection, "SELECT COUNT(*) FROM bms_time_logs")? > 0);
        assert!(
            count(
                &connection,
                "SELECT COUNT(*) FROM bms_tickets WHERE reopened_date IS NOT NULL"
            )? > 0
        );
        assert!(
            count(
                &connection,
                "SELECT COUNT(*) FROM bms_tickets WHERE completed_date IS NOT NULL"
            )? > 0
        );
        assert!(
            count(
                &connection,
                "SELECT COUNT(*) FROM bms_ticket_audit_logs WHERE action = 'Merged'"
            )? > 0
        );
        assert_eq!(
            count(
                &connection,
                "SELECT COUNT(*) FROM bms_contract_services WHERE contract_id = (SELECT MIN(id)
                    FROM bms_contracts)"
            )?,
            3
        );
        // Running it against the same data gives the same tickets.
        let first: String = connection.query_row(
            "SELECT group_concat(ticket_number || title, '|') FROM bms_tickets ORDER BY id",
            [],
            |row| row.get(0),
        )?;
        let again = Connection::open_in_memory()?;
        schema::recreate(&again)?;
        seed::load(&again, &World::generate(WorldSpec::default()))?;
        let second: String = again.query_row(
            "SELECT group_concat(ticket_number || title, '|') FROM bms_tickets ORDER BY id",
            [],
            |row| row.get(0),
        )?;
        assert_eq!(first, second);
        Ok(())
    }
}
