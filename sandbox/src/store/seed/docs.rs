//! Seeds the IT Glue documentation side: users, groups and their access; password
//! categories, flexible asset types and checklist templates for the account; and for each
//! organization already in the store, passwords, folders, documents, a checklist,
//! flexible assets, related items and an attachment.
//!
//! Everything is derived from the organization ids read back, so the same organizations
//! always give the same rows. Tests depend on the account-wide values (users, types,
//! templates) and on the per-organization names.

use rusqlite::{Connection, OptionalExtension, params};

use crate::clock::Timestamp;

const SEEDED_AT: &str = "2024-06-03T09:00:00.000Z";
const UPDATED_AT: &str = "2025-01-15T14:30:00.000Z";

/// `(id, first, last, email, sign-in password, role, all organizations, password access,
/// vault passphrase, fixed two-factor code)`.
type UserRow = (
    i64,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    bool,
    bool,
    &'static str,
    Option<&'static str>,
);

const USERS: &[UserRow] = &[
    (
        3001,
        "Ada",
        "Admin",
        "ada.admin@demo-msp.example.com",
        "Admin!Pass1",
        "Administrator",
        true,
        true,
        "vault-ada",
        None,
    ),
    (
        3002,
        "Max",
        "Manager",
        "max.manager@demo-msp.example.com",
        "Manager!Pass2",
        "Manager",
        true,
        true,
        "vault-max",
        None,
    ),
    (
        3003,
        "Erin",
        "Editor",
        "erin.editor@demo-msp.example.com",
        "Editor!Pass3",
        "Editor",
        false,
        true,
        "vault-erin",
        Some("246810"),
    ),
    (
        3004,
        "Cody",
        "Creator",
        "cody.creator@demo-msp.example.com",
        "Creator!Pass4",
        "Creator",
        false,
        false,
        "vault-cody",
        None,
    ),
    (
        3005,
        "Lena",
        "Lite",
        "lena.lite@demo-msp.example.com",
        "Lite!Pass5",
        "Lite",
        false,
        false,
        "vault-lena",
        None,
    ),
];

const TIER2_GROUP: i64 = 601;
const FRONT_DESK_GROUP: i64 = 602;
/// `(group, organization)`: organizations missing from the store are skipped.
const GROUP_ORGANIZATIONS: &[(i64, i64)] = &[
    (TIER2_GROUP, 2001),
    (TIER2_GROUP, 2003),
    (FRONT_DESK_GROUP, 2001),
];
const GROUP_USERS: &[(i64, i64)] = &[(TIER2_GROUP, 3003), (FRONT_DESK_GROUP, 3005)];
/// Cody Creator sees one organization through a direct grant.
const USER_ORGANIZATIONS: &[(i64, i64)] = &[(3004, 2004)];

const CATEGORY_CLOUD: i64 = 11;
const CATEGORY_NETWORK: i64 = 12;
const CATEGORY_SERVER: i64 = 13;

const M365_TYPE: i64 = 41;
const BACKUP_TYPE: i64 = 42;

const M365_PLANS: &[&str] = &[
    "Business Basic",
    "Business Standard",
    "Business Premium",
    "E3",
    "E5",
];
const BACKUP_PRODUCTS: &[&str] = &["Datto BCDR", "Veeam", "Acronis"];

/// `(id, type, order, name, kind, decimals, default value, tag type, required,
/// use for title, expiration, show in list)`.
type FieldRow = (
    i64,
    i64,
    i64,
    &'static str,
    &'static str,
    Option<i64>,
    Option<&'static str>,
    Option<&'static str>,
    bool,
    bool,
    bool,
    bool,
);

const FIELDS: &[FieldRow] = &[
    (
        4101,
        M365_TYPE,
        1,
        "Tenant Name",
        "Text",
        None,
        None,
        None,
        true,
        true,
        false,
        true,
    ),
    (
        4102,
        M365_TYPE,
        2,
        "Plan",
        "Select",
        None,
        Some("Business Basic\nBusiness Standard\nBusiness Premium\nE3\nE5"),
        None,
        true,
        false,
        false,
        true,
    ),
    (
        4103,
        M365_TYPE,
        3,
        "Licensed Users",
        "Number",
        Some(0),
        None,
        None,
        true,
        false,
        false,
        true,
    ),
    (
        4104,
        M365_TYPE,
        4,
        "Admin Contacts",
        "Tag",
        None,
        None,
        Some("Contacts"),
        false,
        false,
        false,
        false,
    ),
    (
        4105,
        M365_TYPE,
        5,
        "Global Admin Password",
        "Tag",
        None,
        None,
        Some("Passwords"),
        false,
        false,
        false,
        false,
    ),
    (
        4106,
        M365_TYPE,
        6,
        "Renewal Date",
        "Date",
        None,
        None,
        None,
        false,
        false,
        true,
        false,
    ),
    (
        4107, M365_TYPE, 7, "Notes", "Textbox", None, None, None, false, false, false, false,
    ),
    (
        4201,
        BACKUP_TYPE,
        1,
        "Backup Name",
        "Text",
        None,
        None,
        None,
        true,
        true,
        false,
        true,
    ),
    (
        4202,
        BACKUP_TYPE,
        2,
        "Product",
        "Select",
        None,
        Some("Datto BCDR\nVeeam\nAcronis"),
        None,
        true,
        false,
        false,
        true,
    ),
    (
        4203,
        BACKUP_TYPE,
        3,
        "Protected Devices",
        "Number",
        Some(0),
        None,
        None,
        true,
        false,
        false,
        true,
    ),
    (
        4204,
        BACKUP_TYPE,
        4,
        "Storage (TB)",
        "Number",
        Some(2),
        None,
        None,
        false,
        false,
        false,
        false,
    ),
    (
        4205,
        BACKUP_TYPE,
        5,
        "Success Rate",
        "Percent",
        Some(0),
        None,
        None,
        false,
        false,
        false,
        false,
    ),
    (
        4206,
        BACKUP_TYPE,
        6,
        "Offsite Replication",
        "Checkbox",
        None,
        None,
        None,
        false,
        false,
        false,
        false,
    ),
    (
        4207,
        BACKUP_TYPE,
        7,
        "Protected Servers",
        "Tag",
        None,
        None,
        Some("Configurations"),
        false,
        false,
        false,
        false,
    ),
    (
        4208,
        BACKUP_TYPE,
        8,
        "Runbook",
        "Tag",
        None,
        None,
        Some("Documents"),
        false,
        false,
        false,
        false,
    ),
    (
        4209,
        BACKUP_TYPE,
        9,
        "Config Export",
        "Upload",
        None,
        None,
        None,
        false,
        false,
        false,
        false,
    ),
];

/// `(id, name, description, tasks)`; account-wide.
const TEMPLATES: &[(i64, &str, &str, &[&str])] = &[
    (
        51,
        "New user onboarding",
        "Accounts, licences and hardware for a new starter.",
        &[
            "Create the Microsoft 365 account",
            "Assign a licence",
            "Add to security groups",
            "Prepare the laptop",
            "Send the welcome e-mail",
        ],
    ),
    (
        52,
        "Server reboot",
        "Planned reboot of a production server.",
        &[
            "Announce the maintenance window",
            "Check the last backup",
            "Stop line-of-business services",
            "Reboot and verify services",
        ],
    ),
    (
        53,
        "Printer troubleshooting",
        "First-line checks for a printer fault.",
        &[
            "Check power and cabling",
            "Clear the print queue",
            "Reinstall the driver",
        ],
    ),
];

/// Markup a client must never render as is.
const HOSTILE_HTML: &str = concat!(
    r#"<p>Imported from the previous provider's wiki.</p>"#,
    r#"<script>window.__pwned = 'doc-script'</script>"#,
    r#"<img src="x" onerror="window.__pwned = 'doc-img'">"#,
    r#"<a href="javascript:window.__pwned = 'doc-link'">Open the old portal</a>"#,
    r#"<iframe src="https://evil.example.com/frame"></iframe>"#,
    r#"<p style="background:url(javascript:alert(1))" onclick="window.__pwned = 'doc-click'">Click for details</p>"#,
    r#"<svg><script>window.__pwned = 'doc-svg'</script></svg>"#,
);

/// Log ids are long, like the real ones (`"574989297464115201"`).
const LOG_ID_BASE: i64 = 574_989_297_464_300_000;

/// `(hours ago, action, resource type, resource name)` per organization.
const LOG_ENTRIES: &[(i64, &str, &str, &str)] = &[
    (1, "view", "Password", "Office 365 Global Admin"),
    (30, "update", "Document", "Backup runbook"),
    (100, "create", "Flexible Asset", "Microsoft 365"),
    (300, "update", "Password", "Core switch"),
    (600, "view", "Checklist", "Onboarding: new hire"),
    (1000, "delete", "Document", "Old printer notes"),
];

/// A 1×1 transparent PNG.
const PIXEL_PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x60, 0x00, 0x02, 0x00,
    0x00, 0x05, 0x00, 0x01, 0xe9, 0xfa, 0xdc, 0xd8, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44,
    0xae, 0x42, 0x60, 0x82,
];

/// The seeding hook: account-wide rows, then each organization's.
pub fn load(connection: &Connection) -> rusqlite::Result<()> {
    users_and_groups(connection)?;
    catalog(connection)?;
    for organization in organizations(connection)? {
        OrgSeed::new(connection, organization).run()?;
    }
    Ok(())
}

struct Organization {
    id: i64,
    name: String,
    short_name: String,
}

fn organizations(connection: &Connection) -> rusqlite::Result<Vec<Organization>> {
    let mut statement = connection.prepare(
        "SELECT id, name, COALESCE(short_name, '') FROM itglue_organizations ORDER BY id",
    )?;
    let rows = statement.query_map([], |row| {
        Ok(Organization {
            id: row.get(0)?,
            name: row.get(1)?,
            short_name: row.get(2)?,
        })
    })?;
    rows.collect()
}

fn organization_exists(connection: &Connection, id: i64) -> rusqlite::Result<bool> {
    connection.query_row(
        "SELECT EXISTS (SELECT 1 FROM itglue_organizations WHERE id = ?)",
        [id],
        |row| row.get(0),
    )
}

fn users_and_groups(connection: &Connection) -> rusqlite::Result<()> {
    for (id, first, last, email, password, role, all_orgs, password_access, vault, otp) in USERS {
        connection.execute(
            "INSERT INTO itglue_users
               (id, first_name, last_name, email, login_password, otp_code, role_name, all_organizations,
                password_access, vault_passphrase, reputation, invitation_sent_at, invitation_accepted_at,
                created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, ?12, ?13)",
            params![id, first, last, email, password, otp, role, all_orgs, password_access, vault, id % 100 * 7, SEEDED_AT, UPDATED_AT],
        )?;
    }
    for (id, name, description) in [
        (
            TIER2_GROUP,
            "Tier 2 Technicians",
            "Escalation engineers for the dental and legal clients.",
        ),
        (
            FRONT_DESK_GROUP,
            "Front Desk",
            "Read-only access for the service desk coordinators.",
        ),
    ] {
        connection.execute(
            "INSERT INTO itglue_groups (id, name, description, hide_from_my_glue, created_at, updated_at)
             VALUES (?1, ?2, ?3, 0, ?4, ?4)",
            params![id, name, description, SEEDED_AT],
        )?;
    }
    for (group, user) in GROUP_USERS {
        connection.execute(
            "INSERT INTO itglue_group_users (group_id, user_id) VALUES (?1, ?2)",
            params![group, user],
        )?;
    }
    for (group, organization) in GROUP_ORGANIZATIONS {
        if organization_exists(connection, *organization)? {
            connection.execute(
                "INSERT INTO itglue_group_organizations (group_id, organization_id) VALUES (?1, ?2)",
                params![group, organization],
            )?;
        }
    }
    for (user, organization) in USER_ORGANIZATIONS {
        if organization_exists(connection, *organization)? {
            connection.execute(
                "INSERT INTO itglue_user_organizations (user_id, organization_id) VALUES (?1, ?2)",
                params![user, organization],
            )?;
        }
    }
    Ok(())
}

/// Categories, flexible asset types with their fields, and checklist templates.
fn catalog(connection: &Connection) -> rusqlite::Result<()> {
    for (id, name) in [
        (CATEGORY_CLOUD, "Cloud"),
        (CATEGORY_NETWORK, "Network"),
        (CATEGORY_SERVER, "Server"),
    ] {
        connection.execute(
            "INSERT INTO itglue_password_categories (id, name, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)",
            params![id, name, SEEDED_AT],
        )?;
    }
    for (id, name, description, icon) in [
        (
            M365_TYPE,
            "Microsoft 365",
            "Tenant, plan and licence count; BMS bills by Licensed Users.",
            "cloud",
        ),
        (
            BACKUP_TYPE,
            "Backup",
            "Backup product, protected devices and storage.",
            "hdd",
        ),
    ] {
        connection.execute(
            "INSERT INTO itglue_flexible_asset_types (id, name, description, icon, enabled, show_in_menu, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, 1, 1, ?5, ?5)",
            params![id, name, description, icon, SEEDED_AT],
        )?;
    }
    for (
        id,
        type_id,
        order,
        name,
        kind,
        decimals,
        default_value,
        tag_type,
        required,
        title,
        expiration,
        in_list,
    ) in FIELDS
    {
        connection.execute(
            "INSERT INTO itglue_flexible_asset_fields
               (id, flexible_asset_type_id, sort_order, name, name_key, kind, hint, decimals, default_value,
                tag_type, required, use_for_title, expiration, show_in_list, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14)",
            params![id, type_id, order, name, name_key(name), kind, decimals, default_value, tag_type, required, title, expiration, in_list, SEEDED_AT],
        )?;
    }
    for (id, name, description, tasks) in TEMPLATES {
        connection.execute(
            "INSERT INTO itglue_checklist_templates (id, organization_id, name, description, created_at, updated_at)
             VALUES (?1, NULL, ?2, ?3, ?4, ?4)",
            params![id, name, description, SEEDED_AT],
        )?;
        for (order, task) in (1_i64..).zip(tasks.iter()) {
            connection.execute(
                "INSERT INTO itglue_checklist_template_tasks (checklist_template_id, name, description, sort_order)
                 VALUES (?1, ?2, NULL, ?3)",
                params![id, task, order],
            )?;
        }
    }
    Ok(())
}

/// `Storage (TB)` → `storage-tb`, as the API derives trait keys.
fn name_key(name: &str) -> String {
    let mut key = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            key.push(c);
        } else if !key.is_empty() && !key.ends_with('-') {
            key.push('-');
        }
    }
    key.trim_end_matches('-').to_owned()
}

/// One organization's documentation.
struct OrgSeed<'a> {
    connection: &'a Connection,
    organization: Organization,
    /// For host names and e-mail domains.
    slug: String,
    /// A small number that varies by organization, for counts and choices.
    spread: i64,
}

impl<'a> OrgSeed<'a> {
    fn new(connection: &'a Connection, organization: Organization) -> Self {
        let slug: String = organization
            .name
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .flat_map(|c| c.to_lowercase())
            .take(16)
            .collect();
        let spread = organization.id.rem_euclid(97);
        Self {
            connection,
            organization,
            slug,
            spread,
        }
    }

    fn run(&self) -> rusqlite::Result<()> {
        let passwords = self.passwords()?;
        let documents = self.documents()?;
        let checklist = self.checklist()?;
        let (m365, backup) = self.flexible_assets(passwords.global_admin, documents.runbook)?;
        self.relate(
            "Password",
            passwords.global_admin,
            "Flexible Asset",
            m365,
            "Global admin for this tenant",
        )?;
        self.relate(
            "Document",
            documents.runbook,
            "Flexible Asset",
            backup,
            "Runbook of this backup",
        )?;
        self.relate(
            "Checklist",
            checklist,
            "Document",
            documents.welcome,
            "Read before starting",
        )?;
        self.attach(
            "Document",
            documents.welcome,
            "office-network.png",
            PIXEL_PNG,
        )?;
        self.logs()
    }

    /// Activity over the last six weeks, relative to seeding time: the log endpoint only
    /// serves the last 30 days, so the oldest entries must drop out.
    fn logs(&self) -> rusqlite::Result<()> {
        // /logs shows only the last 30 days, so the entries must be recent; anchoring them to the start of the
        // current UTC day keeps two seedings of the same day identical.
        const DAY: i64 = 24 * 3600;
        let now = Timestamp::now().unix_seconds().div_euclid(DAY) * DAY;
        for (hours_ago, action, resource_type, resource_name) in LOG_ENTRIES {
            let at = Timestamp::from_unix_seconds(now - hours_ago * 3600 - self.spread * 60);
            self.connection.execute(
                "INSERT INTO itglue_logs
                   (id, created_at, level, user_id, organization_id, action, resource_type, resource_name,
                    ip_address, ip_city, ip_region, ip_country, user_agent)
                 VALUES ((SELECT COALESCE(MAX(id), ?1) + 1 FROM itglue_logs), ?2, 'info', 3003, ?3, ?4, ?5, ?6,
                         '203.0.113.24', 'San Francisco', 'California', 'United States',
                         'Mozilla/5.0 (X11; Linux x86_64) Chrome/124.0')",
                params![LOG_ID_BASE, at.to_itglue(), self.organization.id, action, resource_type, resource_name],
            )?;
        }
        Ok(())
    }

    fn short(&self) -> &str {
        if self.organization.short_name.is_empty() {
            &self.slug
        } else {
            &self.organization.short_name
        }
    }

    fn first_id(&self, table: &str) -> rusqlite::Result<Option<i64>> {
        let exists: bool = self.connection.query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?)",
            [table],
            |row| row.get(0),
        )?;
        if !exists {
            return Ok(None);
        }
        self.connection
            .query_row(
                &format!("SELECT id FROM {table} WHERE organization_id = ? ORDER BY id LIMIT 1"),
                [self.organization.id],
                |row| row.get(0),
            )
            .optional()
    }

    fn insert(&self, sql: &str, params: impl rusqlite::Params) -> rusqlite::Result<i64> {
        self.connection.execute(sql, params)?;
        Ok(self.connection.last_insert_rowid())
    }

    fn passwords(&self) -> rusqlite::Result<SeededPasswords> {
        let org = self.organization.id;
        let infrastructure = self.insert(
            "INSERT INTO itglue_password_folders (organization_id, parent_id, name, restricted, created_at, updated_at)
             VALUES (?1, NULL, 'Infrastructure', 0, ?2, ?2)",
            params![org, SEEDED_AT],
        )?;
        let wireless = self.insert(
            "INSERT INTO itglue_password_folders (organization_id, parent_id, name, restricted, created_at, updated_at)
             VALUES (?1, ?2, 'Wireless', 0, ?3, ?3)",
            params![org, infrastructure, SEEDED_AT],
        )?;
        let short = self.short().to_owned();
        let global_admin = self.password(PasswordSeed {
            name: "Office 365 Global Admin",
            username: Some(format!("admin@{}.onmicrosoft.com", self.slug)),
            value: format!("M365-{short}-Adm1n!"),
            url: Some("https://admin.microsoft.com"),
            category: CATEGORY_CLOUD,
            ..PasswordSeed::default()
        })?;
        self.connection.execute(
            "UPDATE itglue_passwords SET otp_secret = 'JBSWY3DPEHPK3PXP' WHERE id = ?",
            [global_admin],
        )?;
        self.connection.execute(
            "INSERT INTO itglue_password_versions (password_id, name, username, password, url, notes, updated_at, created_at)
             VALUES (?1, 'Office 365 Global Admin', ?2, ?3, 'https://admin.microsoft.com', NULL, ?4, ?5)",
            params![global_admin, format!("admin@{}.onmicrosoft.com", self.slug), format!("M365-{short}-OldPass"), SEEDED_AT, UPDATED_AT],
        )?;
        let switch = self.password(PasswordSeed {
            name: "Core switch",
            username: Some("netadmin".to_owned()),
            value: format!("Sw1tch-{short}-{}", self.spread),
            url: Some("https://10.0.0.2"),
            category: CATEGORY_NETWORK,
            ..PasswordSeed::default()
        })?;
        if let Some(configuration) = self.first_id("itglue_configurations")? {
            let name: Option<String> = self
                .connection
                .query_row(
                    "SELECT name FROM itglue_configurations WHERE id = ?",
                    [configuration],
                    |row| row.get(0),
                )
                .optional()?;
            self.connection.execute(
                "UPDATE itglue_passwords SET resource_type = 'Configuration', resource_id = ?2, cached_resource_name = ?3,
                   cached_resource_type_name = 'Configuration' WHERE id = ?1",
                params![switch, configuration, name],
            )?;
        }
        let domain_admin = self.password(PasswordSeed {
            name: "Domain Administrator",
            username: Some(format!("{}\\administrator", short.to_uppercase())),
            value: format!("Vault-{short}-D0main!"),
            category: CATEGORY_SERVER,
            folder: Some(infrastructure),
            ..PasswordSeed::default()
        })?;
        self.connection.execute(
            "UPDATE itglue_passwords SET vault_id = ?2 WHERE id = ?1",
            params![domain_admin, 9000 + self.spread],
        )?;
        let backup_console = self.password(PasswordSeed {
            name: "Backup console",
            username: Some("backupadmin".to_owned()),
            value: format!("Bkp-{short}-C0nsole"),
            url: Some("https://backup.example.com"),
            category: CATEGORY_SERVER,
            restricted: true,
            ..PasswordSeed::default()
        })?;
        self.connection.execute(
            "INSERT INTO itglue_resource_accesses (resource_type, resource_id, accessor_type, accessor_id)
             VALUES ('Password', ?1, 'Group', ?2)",
            params![backup_console, TIER2_GROUP],
        )?;
        self.password(PasswordSeed {
            name: "Guest Wi-Fi",
            value: format!("Welcome{}", 1000 + self.spread),
            category: CATEGORY_NETWORK,
            folder: Some(wireless),
            notes: Some("Rotated every quarter."),
            ..PasswordSeed::default()
        })?;
        Ok(SeededPasswords { global_admin })
    }

    fn password(&self, seed: PasswordSeed) -> rusqlite::Result<i64> {
        self.insert(
            "INSERT INTO itglue_passwords
               (organization_id, name, username, password, url, notes, password_category_id, password_folder_id,
                restricted, archived, personal, updated_by, updated_by_type, is_live, password_updated_at,
                created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0, 0, 3001, 'User', 1, ?10, ?10, ?11)",
            params![
                self.organization.id,
                seed.name,
                seed.username,
                seed.value,
                seed.url,
                seed.notes,
                seed.category,
                seed.folder,
                seed.restricted,
                SEEDED_AT,
                UPDATED_AT
            ],
        )
    }

    fn documents(&self) -> rusqlite::Result<SeededDocuments> {
        let org = self.organization.id;
        let runbooks = self.insert(
            "INSERT INTO itglue_document_folders (organization_id, parent_id, name, restricted, created_at, updated_at)
             VALUES (?1, NULL, 'Runbooks', 0, ?2, ?2)",
            params![org, SEEDED_AT],
        )?;
        let archive = self.insert(
            "INSERT INTO itglue_document_folders (organization_id, parent_id, name, restricted, created_at, updated_at)
             VALUES (?1, ?2, 'Archive', 0, ?3, ?3)",
            params![org, runbooks, SEEDED_AT],
        )?;
        let welcome = self.document(
            &format!("Welcome to {}", self.organization.name),
            None,
            DocumentFlags::PUBLISHED,
        )?;
        self.section(welcome, "Document::Heading", "Overview", Some(1), None)?;
        self.section(
            welcome,
            "Document::Text",
            // Organization names go into the HTML as text.
            &format!(
                "<p>{} is managed by Demo MSP. Call the service desk for anything urgent.</p>",
                crate::html::escape(&self.organization.name)
            ),
            None,
            None,
        )?;
        let runbook = self.document("Backup runbook", Some(runbooks), DocumentFlags::PUBLISHED)?;
        self.section(runbook, "Document::Heading", "Daily checks", Some(2), None)?;
        self.section(
            runbook,
            "Document::Step",
            "<p>Check last night's backup job.</p>",
            None,
            Some(5),
        )?;
        self.section(
            runbook,
            "Document::Step",
            "<p>Verify the offsite replication.</p>",
            None,
            Some(10),
        )?;
        let imported = self.document("Imported notes", None, DocumentFlags::PUBLISHED)?;
        self.section(imported, "Document::Text", HOSTILE_HTML, None, None)?;
        let old = self.document(
            "Old network diagram notes",
            Some(archive),
            DocumentFlags::ARCHIVED,
        )?;
        self.section(
            old,
            "Document::Text",
            "<p>Replaced by the 2024 diagram.</p>",
            None,
            None,
        )?;
        let restricted = self.document("HR credentials policy", None, DocumentFlags::RESTRICTED)?;
        self.section(
            restricted,
            "Document::Text",
            "<p>Only administrators may read this policy.</p>",
            None,
            None,
        )?;
        self.document("Draft: printer fleet", None, DocumentFlags::DRAFT)?;
        Ok(SeededDocuments { welcome, runbook })
    }

    fn document(
        &self,
        name: &str,
        folder: Option<i64>,
        flags: DocumentFlags,
    ) -> rusqlite::Result<i64> {
        self.insert(
            "INSERT INTO itglue_documents
               (organization_id, document_folder_id, name, published, restricted, archived, public, is_uploaded, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, 0, ?7, ?8)",
            params![self.organization.id, folder, name, flags.published, flags.restricted, flags.archived, SEEDED_AT, UPDATED_AT],
        )
    }

    fn section(
        &self,
        document: i64,
        kind: &str,
        content: &str,
        level: Option<i64>,
        duration: Option<i64>,
    ) -> rusqlite::Result<()> {
        let sort: i64 = self.connection.query_row(
            "SELECT COALESCE(MAX(sort), 0) + 1 FROM itglue_document_sections WHERE document_id = ?",
            [document],
            |row| row.get(0),
        )?;
        let id = self.insert(
            "INSERT INTO itglue_document_sections
               (document_id, resource_id, resource_type, content, level, duration, reset_count, sort, created_at, updated_at)
             VALUES (?1, 0, ?2, ?3, ?4, ?5, NULL, ?6, ?7, ?7)",
            params![document, kind, content, level, duration, sort, SEEDED_AT],
        )?;
        // Section resources have ids of their own in IT Glue; here they follow the section.
        self.connection.execute(
            "UPDATE itglue_document_sections SET resource_id = ?2 WHERE id = ?1",
            params![id, id + 700_000],
        )?;
        Ok(())
    }

    /// "New user onboarding" instantiated, with its first task done.
    fn checklist(&self) -> rusqlite::Result<i64> {
        let (template_id, _, description, tasks) = TEMPLATES[0];
        let id = self.insert(
            "INSERT INTO itglue_checklists
               (organization_id, checklist_template_id, name, description, due_date, restricted, archived, created_at, updated_at)
             VALUES (?1, ?2, 'Onboarding: new hire', ?3, '2025-02-03', 0, 0, ?4, ?5)",
            params![self.organization.id, template_id, description, SEEDED_AT, UPDATED_AT],
        )?;
        for (order, task) in (1_i64..).zip(tasks.iter()) {
            let done = order == 1;
            self.connection.execute(
                "INSERT INTO itglue_checklist_tasks (checklist_id, name, description, sort_order, completed, completed_at, completed_by)
                 VALUES (?1, ?2, NULL, ?3, ?4, ?5, ?6)",
                params![id, task, order, done, done.then_some(UPDATED_AT), done.then_some(3003)],
            )?;
        }
        Ok(id)
    }

    fn flexible_assets(&self, global_admin: i64, runbook: i64) -> rusqlite::Result<(i64, i64)> {
        let tenant = format!("{}.onmicrosoft.com", self.slug);
        let m365 = self.flexible_asset(M365_TYPE, &tenant)?;
        let contacts: Vec<i64> = self.first_id("itglue_contacts")?.into_iter().collect();
        self.traits(
            m365,
            &[
                (4101, serde_json::json!(tenant)),
                (4102, serde_json::json!(pick(M365_PLANS, self.spread))),
                (4103, serde_json::json!(5 + self.spread % 45)),
                (4104, serde_json::json!(contacts)),
                (4105, serde_json::json!([global_admin])),
                (4106, serde_json::json!("2025-09-30")),
            ],
        )?;
        let backup_name = format!("{} nightly backup", self.short());
        let backup = self.flexible_asset(BACKUP_TYPE, &backup_name)?;
        let servers: Vec<i64> = self
            .first_id("itglue_configurations")?
            .into_iter()
            .collect();
        let export = self.attach(
            "Flexible Asset Trait",
            backup,
            "backup-config.json",
            format!(
                r#"{{"organization":{},"schedule":"nightly"}}"#,
                self.organization.id
            )
            .as_bytes(),
        )?;
        self.traits(
            backup,
            &[
                (4201, serde_json::json!(backup_name)),
                (4202, serde_json::json!(pick(BACKUP_PRODUCTS, self.spread))),
                (4203, serde_json::json!(2 + self.spread % 7)),
                (4204, serde_json::json!(1.5)),
                (4205, serde_json::json!(98)),
                (4206, serde_json::json!(true)),
                (4207, serde_json::json!(servers)),
                (4208, serde_json::json!([runbook])),
                (4209, serde_json::json!({"attachment_id": export})),
            ],
        )?;
        Ok((m365, backup))
    }

    fn flexible_asset(&self, type_id: i64, name: &str) -> rusqlite::Result<i64> {
        self.insert(
            "INSERT INTO itglue_flexible_assets (organization_id, flexible_asset_type_id, name, restricted, archived, created_at, updated_at)
             VALUES (?1, ?2, ?3, 0, 0, ?4, ?5)",
            params![self.organization.id, type_id, name, SEEDED_AT, UPDATED_AT],
        )
    }

    fn traits(&self, asset: i64, values: &[(i64, serde_json::Value)]) -> rusqlite::Result<()> {
        for (field, value) in values {
            self.connection.execute(
                "INSERT INTO itglue_flexible_asset_traits (flexible_asset_id, field_id, value) VALUES (?1, ?2, ?3)",
                params![asset, field, value.to_string()],
            )?;
        }
        Ok(())
    }

    fn relate(
        &self,
        source_type: &str,
        source: i64,
        destination_type: &str,
        destination: i64,
        notes: &str,
    ) -> rusqlite::Result<()> {
        self.connection.execute(
            "INSERT INTO itglue_related_items
               (source_type, source_id, destination_type, destination_id, notes, archived, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?6)",
            params![source_type, source, destination_type, destination, notes, SEEDED_AT],
        )?;
        Ok(())
    }

    fn attach(
        &self,
        resource_type: &str,
        resource: i64,
        file_name: &str,
        bytes: &[u8],
    ) -> rusqlite::Result<i64> {
        let content_type = if file_name.ends_with(".png") {
            "image/png"
        } else {
            "application/json"
        };
        self.insert(
            "INSERT INTO itglue_attachments (resource_type, resource_id, name, file_name, content_type, content, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6, ?6)",
            params![resource_type, resource, file_name, content_type, bytes, SEEDED_AT],
        )
    }
}

struct SeededPasswords {
    global_admin: i64,
}

struct SeededDocuments {
    welcome: i64,
    runbook: i64,
}

#[derive(Default)]
struct PasswordSeed {
    name: &'static str,
    username: Option<String>,
    value: String,
    url: Option<&'static str>,
    notes: Option<&'static str>,
    category: i64,
    folder: Option<i64>,
    restricted: bool,
}

#[derive(Clone, Copy)]
struct DocumentFlags {
    published: bool,
    restricted: bool,
    archived: bool,
}

impl DocumentFlags {
    const PUBLISHED: Self = Self {
        published: true,
        restricted: false,
        archived: false,
    };
    const DRAFT: Self = Self {
        published: false,
        restricted: false,
        archived: false,
    };
    const ARCHIVED: Self = Self {
        published: true,
        restricted: false,
        archived: true,
    };
    const RESTRICTED: Self = Self {
        published: true,
        restricted: true,
        archived: false,
    };
}

/// A choice by a non-negative number, wrapping around.
fn pick(options: &[&'static str], by: i64) -> &'static str {
    let index = usize::try_from(by).unwrap_or_default() % options.len().max(1);
    options.get(index).copied().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_keys_are_kebab_slugs() {
        assert_eq!(name_key("Storage (TB)"), "storage-tb");
        assert_eq!(name_key("Licensed Users"), "licensed-users");
    }

    #[test]
    fn pixel_is_a_png() {
        assert_eq!(&PIXEL_PNG[1..4], b"PNG");
    }
}
