//! The deterministic demo data. Tests depend on these exact values.

use rusqlite::{Connection, params};

pub const ITGLUE_API_KEY: &str = "ITG.sandbox.9f1c2e7a4b6d8e0f1a3c5e7b9d1f3a5c";
pub const BMS_TENANT: &str = "Demo MSP";
pub const BMS_API_USERNAME: &str = "itglue.api";
pub const BMS_API_PASSWORD: &str = "Sandbox!Pass1";
pub const BMS_TECH_USERNAME: &str = "jane.tech";
pub const BMS_TECH_PASSWORD: &str = "Tech!Pass2";

const BMS_TENANT_ID: i64 = 1042;
/// The adapter name IT Glue uses for BMS links is unpublished; this is the expected one.
const BMS_ADAPTER_TYPE_NAME: &str = "Kaseya BMS";
const BMS_INTEGRATION_TYPE: &str = "kaseya-bms";

const ITGLUE_SEEDED_AT: &str = "2024-03-04T15:22:10.000Z";

const HFD_QUICK_NOTES: &str = concat!(
    r#"<p>After-hours alarm code is in the <b>Front Door</b> password.</p>"#,
    r#"<p>Call <a href="https://example.com/oncall">on-call</a> before rebooting the server.</p>"#,
    r#"<script>window.__pwned = 1</script><img src="x" onerror="window.__pwned = 2">"#,
    "<p>Two operatories share the imaging PC in room 3; the Dentrix server lives in the back ",
    "office closet. Nightly backups run to the NAS at 11 PM and replicate offsite at 2 AM. ",
    "Dr. Patel prefers maintenance windows on Thursday evenings.</p>",
);

/// Inserts every demo row into an empty schema.
pub fn load(connection: &Connection) -> rusqlite::Result<()> {
    itglue(connection)?;
    bms(connection)
}

fn itglue(connection: &Connection) -> rusqlite::Result<()> {
    connection.execute(
        "INSERT INTO itglue_api_keys (key, region, password_access, created_at) VALUES (?1, 'US', 1, ?2)",
        params![ITGLUE_API_KEY, ITGLUE_SEEDED_AT],
    )?;
    for (id, name) in [
        (86, "Customer"),
        (87, "Vendor"),
        (88, "Internal"),
        (89, "Prospect"),
    ] {
        connection.execute(
            "INSERT INTO itglue_organization_types (id, name, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)",
            params![id, name, ITGLUE_SEEDED_AT],
        )?;
    }
    for (id, name) in [(68, "Active"), (69, "Inactive")] {
        connection.execute(
            "INSERT INTO itglue_organization_statuses (id, name, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)",
            params![id, name, ITGLUE_SEEDED_AT],
        )?;
    }
    for org in ORGANIZATIONS {
        insert_organization(connection, org)?;
    }
    for (id, organization_id, account_id) in [
        (9101_i64, 2001_i64, "101"),
        (9102, 574_989_297_464_115_201, "102"),
        (9103, 2003, "103"),
        (9104, 2004, "104"),
    ] {
        connection.execute(
            "INSERT INTO itglue_adapters_resources
               (id, resource_type, resource_id, integration_type, adapter_type_name, remote_id,
                sync, orphaned, created_at, updated_at)
             VALUES (?1, 'Organization', ?2, ?3, ?4, ?5, 1, 0, ?6, ?6)",
            params![
                id,
                organization_id,
                BMS_INTEGRATION_TYPE,
                BMS_ADAPTER_TYPE_NAME,
                account_id,
                ITGLUE_SEEDED_AT
            ],
        )?;
    }
    Ok(())
}

struct Organization {
    id: i64,
    name: &'static str,
    type_id: i64,
    status_id: i64,
    short_name: &'static str,
    description: Option<&'static str>,
    alert: Option<&'static str>,
    quick_notes: Option<&'static str>,
    psa_integration: Option<&'static str>,
    created_at: &'static str,
    updated_at: &'static str,
}

const ORGANIZATIONS: &[Organization] = &[
    Organization {
        id: 2001,
        name: "Happy Frog Dental",
        type_id: 86,
        status_id: 68,
        short_name: "HFD",
        description: Some("Family dental practice with two clinics in San Francisco."),
        alert: Some("Server room access needs the office manager present."),
        quick_notes: Some(HFD_QUICK_NOTES),
        psa_integration: Some("enabled"),
        created_at: "2023-05-10T09:15:00.000Z",
        updated_at: "2025-01-10T16:42:05.000Z",
    },
    Organization {
        id: 2003,
        name: "Contoso Legal LLP",
        type_id: 86,
        status_id: 69,
        short_name: "CLL",
        description: None,
        alert: None,
        quick_notes: None,
        psa_integration: Some("enabled"),
        created_at: "2023-06-01T13:00:00.000Z",
        updated_at: "2024-11-02T10:05:41.000Z",
    },
    Organization {
        id: 2004,
        name: "Café Zürich GmbH",
        type_id: 87,
        status_id: 68,
        short_name: "CZG",
        description: Some("Espresso machine supplier and service partner."),
        alert: None,
        quick_notes: Some("<p>Supplier of the espresso machines 😀</p>"),
        psa_integration: Some("enabled"),
        created_at: "2023-08-22T07:30:00.000Z",
        updated_at: "2025-03-01T08:12:00.000Z",
    },
    Organization {
        id: 2006,
        name: "Fabrikam Logistics",
        type_id: 89,
        status_id: 68,
        short_name: "FAB",
        description: Some("Regional freight forwarder evaluating managed services."),
        alert: None,
        quick_notes: Some("<p>Prospect. Network assessment scheduled for Q2.</p>"),
        psa_integration: None,
        created_at: "2024-09-18T11:45:00.000Z",
        updated_at: "2025-02-20T14:00:00.000Z",
    },
    Organization {
        // An id beyond 2^53 on purpose: it must survive as an exact string.
        id: 574_989_297_464_115_201,
        name: "Northwind Traders, Inc.",
        type_id: 86,
        status_id: 68,
        short_name: "NWT",
        description: Some("Specialty food importer, head office in Seattle."),
        alert: None,
        quick_notes: Some("<p>VIP client. Escalate all P1 tickets to <i>Dana</i>.</p>"),
        psa_integration: Some("enabled"),
        created_at: "2023-05-12T10:00:00.000Z",
        updated_at: "2025-02-14T09:30:00.000Z",
    },
];

fn insert_organization(connection: &Connection, org: &Organization) -> rusqlite::Result<()> {
    connection.execute(
        "INSERT INTO itglue_organizations
           (id, name, alert, description, organization_type_id, organization_status_id,
            is_primary, logo, quick_notes, short_name, parent_id, psa_integration,
            created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, NULL, ?7, ?8, NULL, ?9, ?10, ?11)",
        params![
            org.id,
            org.name,
            org.alert,
            org.description,
            org.type_id,
            org.status_id,
            org.quick_notes,
            org.short_name,
            org.psa_integration,
            org.created_at,
            org.updated_at
        ],
    )?;
    Ok(())
}

const API_USER_ID: i64 = 7001;
const TECH_USER_ID: i64 = 7002;

fn bms(connection: &Connection) -> rusqlite::Result<()> {
    connection.execute(
        "INSERT INTO bms_tenants (id, name, currency_id, currency_code) VALUES (?1, ?2, 1, 'USD')",
        params![BMS_TENANT_ID, BMS_TENANT],
    )?;
    let users = [
        (
            API_USER_ID,
            BMS_API_USERNAME,
            BMS_API_PASSWORD,
            "IT Glue",
            "Integration",
            "API Employee",
            0,
        ),
        (
            TECH_USER_ID,
            BMS_TECH_USERNAME,
            BMS_TECH_PASSWORD,
            "Jane",
            "Tech",
            "Employee",
            1,
        ),
    ];
    for (id, username, password, first, last, user_type, admin) in users {
        connection.execute(
            "INSERT INTO bms_users
               (id, tenant_id, username, password, first_name, last_name, email_address,
                user_type, is_system_admin, time_zone_name, olson_time_zone, time_zone_offset,
                created_on)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,
                     '(UTC-08:00) Pacific Time (US & Canada)', 'America/Los_Angeles', -8.0,
                     '2023-04-03T08:00:00')",
            params![
                id,
                BMS_TENANT_ID,
                username,
                password,
                first,
                last,
                format!("{username}@demo-msp.example.com"),
                user_type,
                admin
            ],
        )?;
    }
    for (id, name) in [(4201, "Customer"), (4202, "Vendor"), (4203, "Prospect")] {
        connection.execute(
            "INSERT INTO bms_account_types (id, tenant_id, name) VALUES (?1, ?2, ?3)",
            params![id, BMS_TENANT_ID, name],
        )?;
    }
    for (id, name) in [
        (3101, "Managed Services"),
        (3102, "Supplier"),
        (3103, "Break/Fix"),
    ] {
        connection.execute(
            "INSERT INTO bms_business_types (id, tenant_id, name) VALUES (?1, ?2, ?3)",
            params![id, BMS_TENANT_ID, name],
        )?;
    }
    for (id, name) in [(1, "United States"), (41, "Switzerland")] {
        connection.execute(
            "INSERT INTO bms_countries (id, name) VALUES (?1, ?2)",
            params![id, name],
        )?;
    }
    for account in ACCOUNTS {
        insert_account(connection, account)?;
    }
    Ok(())
}

struct Account {
    id: i64,
    code: &'static str,
    name: &'static str,
    type_id: i64,
    business_type_id: i64,
    website: Option<&'static str>,
    description: Option<&'static str>,
    is_active: bool,
    acquired: Option<&'static str>,
    created_on: &'static str,
    modified_on: &'static str,
    location: &'static str,
    address: Address,
}

struct Address {
    line1: &'static str,
    line2: Option<&'static str>,
    city: &'static str,
    state: &'static str,
    zip: &'static str,
    country_id: i64,
    phone: &'static str,
    fax: Option<&'static str>,
}

const ACCOUNTS: &[Account] = &[
    Account {
        id: 101,
        code: "HFD",
        name: "Happy Frog Dental",
        type_id: 4201,
        business_type_id: 3101,
        website: Some("https://happyfrogdental.example.com"),
        description: Some("Family dental practice, fully managed since 2023."),
        is_active: true,
        acquired: Some("2023-05-01T00:00:00"),
        created_on: "2023-05-10T09:10:00",
        modified_on: "2025-01-10T16:40:12",
        location: "Main Office",
        address: Address {
            line1: "2450 Mission Street",
            line2: Some("Suite 200"),
            city: "San Francisco",
            state: "CA",
            zip: "94110",
            country_id: 1,
            phone: "(415) 555-0142",
            fax: Some("(415) 555-0143"),
        },
    },
    Account {
        id: 102,
        code: "NWT",
        name: "Northwind Traders, Inc.",
        type_id: 4201,
        business_type_id: 3101,
        website: Some("https://northwindtraders.example.com"),
        description: Some("Specialty food importer."),
        is_active: true,
        acquired: Some("2023-05-01T00:00:00"),
        created_on: "2023-05-12T09:55:00",
        modified_on: "2025-02-14T09:28:44",
        location: "Headquarters",
        address: Address {
            line1: "1200 Western Avenue",
            line2: Some("Floor 5"),
            city: "Seattle",
            state: "WA",
            zip: "98101",
            country_id: 1,
            phone: "(206) 555-0177",
            fax: None,
        },
    },
    Account {
        id: 103,
        code: "CLL",
        name: "Contoso Legal LLP",
        type_id: 4201,
        business_type_id: 3103,
        website: Some("https://contosolegal.example.com"),
        description: None,
        is_active: false,
        acquired: None,
        created_on: "2023-06-01T12:58:00",
        modified_on: "2024-11-02T10:04:30",
        location: "Main Office",
        address: Address {
            line1: "88 State Street",
            line2: Some("14th Floor"),
            city: "Boston",
            state: "MA",
            zip: "02109",
            country_id: 1,
            phone: "(617) 555-0190",
            fax: Some("(617) 555-0191"),
        },
    },
    Account {
        id: 104,
        code: "CZG",
        name: "Café Zürich GmbH",
        type_id: 4202,
        business_type_id: 3102,
        website: Some("https://cafe-zuerich.example.com"),
        description: Some("Espresso machine supplier."),
        is_active: true,
        acquired: None,
        created_on: "2023-08-22T07:25:00",
        modified_on: "2025-03-01T08:10:09",
        location: "Zürich Roastery",
        address: Address {
            line1: "Bahnhofstrasse 42",
            line2: None,
            city: "Zürich",
            state: "ZH",
            zip: "8001",
            country_id: 41,
            phone: "+41 44 555 01 23",
            fax: None,
        },
    },
    Account {
        id: 105,
        code: "TST",
        name: "Tailspin Toys",
        type_id: 4203,
        business_type_id: 3103,
        website: Some("https://tailspintoys.example.com"),
        description: Some("Toy distributor; quote sent for managed backup."),
        is_active: true,
        acquired: None,
        created_on: "2024-10-07T15:20:00",
        modified_on: "2025-03-20T11:02:55",
        location: "Main Warehouse",
        address: Address {
            line1: "500 Industrial Way",
            line2: None,
            city: "Austin",
            state: "TX",
            zip: "78744",
            country_id: 1,
            phone: "(512) 555-0161",
            fax: None,
        },
    },
];

/// Location and address ids follow the account id (101 → location 201, address 301).
fn insert_account(connection: &Connection, account: &Account) -> rusqlite::Result<()> {
    connection.execute(
        "INSERT INTO bms_accounts
           (id, tenant_id, parent_id, account_code, account_name, account_type_id,
            business_type_id, account_manager_id, website, description, credit_limit, net_days,
            is_active, is_billing, acquired_date, created_by, created_on, modified_by, modified_on)
         VALUES (?1, ?2, NULL, ?3, ?4, ?5, ?6, ?7, ?8, ?9, NULL, 30, ?10, 1, ?11, ?7, ?12, ?7, ?13)",
        params![
            account.id,
            BMS_TENANT_ID,
            account.code,
            account.name,
            account.type_id,
            account.business_type_id,
            TECH_USER_ID,
            account.website,
            account.description,
            account.is_active,
            account.acquired,
            account.created_on,
            account.modified_on
        ],
    )?;
    let location_id = account.id + 100;
    connection.execute(
        "INSERT INTO bms_account_locations
           (id, account_id, location_name, is_main, is_active, created_by, created_on,
            modified_by, modified_on)
         VALUES (?1, ?2, ?3, 1, 1, ?4, ?5, ?4, ?5)",
        params![
            location_id,
            account.id,
            account.location,
            TECH_USER_ID,
            account.created_on
        ],
    )?;
    let address = &account.address;
    connection.execute(
        "INSERT INTO bms_account_addresses
           (id, location_id, address1, address2, city, state, zip_code, country_id, phone, fax,
            email_address, is_main, is_billing, created_by, created_on, modified_by, modified_on)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, NULL, 1, 1, ?11, ?12, ?11, ?12)",
        params![
            account.id + 200,
            location_id,
            address.line1,
            address.line2,
            address.city,
            address.state,
            address.zip,
            address.country_id,
            address.phone,
            address.fax,
            TECH_USER_ID,
            account.created_on
        ],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn happy_frog_quick_notes_exceed_the_index_limit() {
        assert!(HFD_QUICK_NOTES.chars().count() > 250);
    }

    #[test]
    fn seed_loads_into_a_fresh_schema() -> rusqlite::Result<()> {
        let connection = Connection::open_in_memory()?;
        super::super::schema::recreate(&connection)?;
        load(&connection)?;
        let orgs: i64 =
            connection.query_row("SELECT COUNT(*) FROM itglue_organizations", [], |r| {
                r.get(0)
            })?;
        let accounts: i64 =
            connection.query_row("SELECT COUNT(*) FROM bms_accounts", [], |r| r.get(0))?;
        assert_eq!((orgs, accounts), (5, 5));
        Ok(())
    }
}
