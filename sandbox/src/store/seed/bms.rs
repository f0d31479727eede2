//! Projects the world into the BMS tables: tenant, employees and their security scopes,
//! lookups, accounts with locations and addresses, contacts, and hardware assets.

use rusqlite::{Connection, params};

use super::{BMS_API_PASSWORD, BMS_API_USERNAME, BMS_TECH_PASSWORD, BMS_TECH_USERNAME, BMS_TENANT};
use crate::store::world::catalog::{
    COUNTRIES, DEVICE_KINDS, DEVICE_STATUSES, MANUFACTURERS, MODELS, OPERATING_SYSTEMS, PLATFORMS,
};
use crate::store::world::{Client, Device, Person, PhoneLabel, Site, World};

pub const TENANT_ID: i64 = 1042;
pub const API_USER_ID: i64 = 7001;
pub const TECH_USER_ID: i64 = 7002;

/// The generic lookup tables served by `/v2/system/lookup/{tableName}` that have no table
/// of their own. `(table, id, name, is default)`.
const LOOKUPS: &[(&str, i64, &str, bool)] = &[
    ("EmailTypes", 1, "Work", true),
    ("EmailTypes", 2, "Personal", false),
    ("PhoneTypes", 1, "Work", true),
    ("PhoneTypes", 2, "Mobile", false),
    ("PhoneTypes", 3, "Home", false),
    ("PhoneTypes", 4, "Fax", false),
];

pub fn load(connection: &Connection, world: &World) -> rusqlite::Result<()> {
    tenant_and_users(connection)?;
    lookups(connection)?;
    let mut email_id = 1;
    let mut phone_id = 1;
    for client in &world.clients {
        let Some(account_id) = client.at.bms else {
            continue;
        };
        account(connection, account_id, client)?;
        if client.in_tech_scope {
            connection
                .prepare_cached(
                    "INSERT INTO bms_security_scope (user_id, account_id) VALUES (?1, ?2)",
                )?
                .execute(params![TECH_USER_ID, account_id])?;
        }
        for site in &client.sites {
            location(connection, account_id, site)?;
        }
        for person in &client.people {
            contact(
                connection,
                account_id,
                client,
                person,
                &mut email_id,
                &mut phone_id,
            )?;
        }
        for device in &client.devices {
            asset(connection, account_id, client, device)?;
        }
    }
    Ok(())
}

fn tenant_and_users(connection: &Connection) -> rusqlite::Result<()> {
    connection.execute(
        "INSERT INTO bms_tenants (id, name, currency_id, currency_code) VALUES (?1, ?2, 1, 'USD')",
        params![TENANT_ID, BMS_TENANT],
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
                TENANT_ID,
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
    // The integration employee sees every account; a null account means "all".
    connection.execute(
        "INSERT INTO bms_security_scope (user_id, account_id) VALUES (?1, NULL)",
        [API_USER_ID],
    )?;
    Ok(())
}

fn lookups(connection: &Connection) -> rusqlite::Result<()> {
    for (id, name) in [(4201, "Customer"), (4202, "Vendor"), (4203, "Prospect")] {
        connection.execute(
            "INSERT INTO bms_account_types (id, tenant_id, name) VALUES (?1, ?2, ?3)",
            params![id, TENANT_ID, name],
        )?;
    }
    for (id, name) in [
        (3101, "Managed Services"),
        (3102, "Supplier"),
        (3103, "Break/Fix"),
    ] {
        connection.execute(
            "INSERT INTO bms_business_types (id, tenant_id, name) VALUES (?1, ?2, ?3)",
            params![id, TENANT_ID, name],
        )?;
    }
    for country in COUNTRIES {
        connection.execute(
            "INSERT INTO bms_countries (id, name) VALUES (?1, ?2)",
            params![country.id, country.name],
        )?;
    }
    let mut insert = connection.prepare(
        "INSERT INTO bms_lookups (table_name, id, name, is_default, is_active) VALUES (?1, ?2, ?3, ?4, 1)",
    )?;
    for (table, id, name, is_default) in LOOKUPS {
        insert.execute(params![table, id, name, is_default])?;
    }
    for (index, kind) in DEVICE_KINDS.iter().enumerate() {
        insert.execute(params![
            "AssetCategories",
            kind.bms_category_id,
            kind.name,
            index == 0
        ])?;
    }
    for (index, status) in DEVICE_STATUSES.iter().enumerate() {
        insert.execute(params![
            "AssetStatuses",
            status.bms_id,
            status.name,
            index == 0
        ])?;
    }
    for (id, name) in MANUFACTURERS {
        insert.execute(params!["Manufacturers", id, name, false])?;
    }
    Ok(())
}

fn account(connection: &Connection, id: i64, client: &Client) -> rusqlite::Result<()> {
    connection
        .prepare_cached(
            "INSERT INTO bms_accounts
               (id, tenant_id, parent_id, account_code, account_name, account_type_id,
                business_type_id, account_manager_id, website, description, credit_limit,
                net_days, is_active, is_billing, acquired_date, created_by, created_on,
                modified_by, modified_on)
             VALUES (?1, ?2, NULL, ?3, ?4, ?5, ?6, ?7, ?8, ?9, NULL, 30, ?10, 1, ?11, ?7, ?12,
                     ?7, ?13)",
        )?
        .execute(params![
            id,
            TENANT_ID,
            client.code,
            client.bms_name,
            client.kind.bms_type_id(),
            client.business_type_id,
            TECH_USER_ID,
            client.website,
            client.bms_description,
            client.active,
            client.acquired,
            client.bms_created,
            client.bms_modified
        ])?;
    Ok(())
}

fn location(connection: &Connection, account_id: i64, site: &Site) -> rusqlite::Result<()> {
    let Some(id) = site.at.bms else {
        return Ok(());
    };
    connection
        .prepare_cached(
            "INSERT INTO bms_account_locations
               (id, account_id, location_name, is_main, is_active, created_by, created_on,
                modified_by, modified_on)
             VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6, ?5, ?7)",
        )?
        .execute(params![
            id,
            account_id,
            site.name,
            site.main,
            TECH_USER_ID,
            site.created,
            site.modified
        ])?;
    let (_, region_code, _, city, _) = site.region();
    connection
        .prepare_cached(
            "INSERT INTO bms_account_addresses
               (id, location_id, address1, address2, city, state, zip_code, country_id, phone,
                fax, email_address, is_main, is_billing, created_by, created_on, modified_by,
                modified_on)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, NULL, 1, ?11, ?12, ?13, ?12, ?13)",
        )?
        .execute(params![
            site.bms_address_id,
            id,
            site.address1,
            site.address2,
            city,
            region_code,
            site.zip,
            site.country().id,
            site.phone,
            site.fax,
            site.main,
            TECH_USER_ID,
            site.created
        ])?;
    Ok(())
}

/// The BMS location of a record's site, falling back to the account's main location.
fn location_id(client: &Client, site: usize) -> Option<i64> {
    client
        .sites
        .get(site)
        .and_then(|s| s.at.bms)
        .or_else(|| client.sites.first().and_then(|s| s.at.bms))
}

fn contact(
    connection: &Connection,
    account_id: i64,
    client: &Client,
    person: &Person,
    email_id: &mut i64,
    phone_id: &mut i64,
) -> rusqlite::Result<()> {
    let Some(id) = person.at.bms else {
        return Ok(());
    };
    connection
        .prepare_cached(
            "INSERT INTO bms_contacts
               (id, account_id, location_id, first_name, middle_name, last_name, job_title,
                is_poc, is_active, effective_date, is_billable, receive_invoices,
                bill_by_contact, has_client_portal_access, created_by, created_on, modified_by,
                modified_on)
             VALUES (?1, ?2, ?3, ?4, NULL, ?5, ?6, ?7, ?8, NULL, 0, 0, 0, 0, ?9, ?10, ?9, ?11)",
        )?
        .execute(params![
            id,
            account_id,
            location_id(client, person.site),
            person.bms_first,
            person.bms_last,
            person.title,
            person.important == Some(true),
            person.active,
            TECH_USER_ID,
            person.created,
            person.modified
        ])?;
    let mut email = connection.prepare_cached(
        "INSERT INTO bms_contact_emails
           (id, contact_id, email_address, email_type_id, is_default, created_by, created_on,
            modified_by, modified_on)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?6, ?7)",
    )?;
    for (index, address) in person.emails.iter().enumerate() {
        let type_id = if index == 0 { 1 } else { 2 };
        email.execute(params![
            *email_id,
            id,
            address,
            type_id,
            index == 0,
            TECH_USER_ID,
            person.created
        ])?;
        *email_id += 1;
    }
    let mut phone = connection.prepare_cached(
        "INSERT INTO bms_contact_phones
           (id, contact_id, phone, phone_type_id, is_default, created_by, created_on,
            modified_by, modified_on)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?6, ?7)",
    )?;
    for (index, number) in person.phones.iter().enumerate() {
        let type_id = match number.label {
            PhoneLabel::Work => 1,
            PhoneLabel::Mobile => 2,
            PhoneLabel::Fax => 4,
        };
        phone.execute(params![
            *phone_id,
            id,
            number.number,
            type_id,
            index == 0,
            TECH_USER_ID,
            person.created
        ])?;
        *phone_id += 1;
    }
    Ok(())
}

fn asset(
    connection: &Connection,
    account_id: i64,
    client: &Client,
    device: &Device,
) -> rusqlite::Result<()> {
    let Some(id) = device.at.bms else {
        return Ok(());
    };
    let kind = &DEVICE_KINDS[device.kind];
    let (_, manufacturer_id, model_name, _) = MODELS[device.model];
    let os = device.os.map(|os| OPERATING_SYSTEMS[os]);
    let platform = os.and_then(|(_, platform_id, _, _)| {
        PLATFORMS
            .iter()
            .find(|(id, _)| *id == platform_id)
            .map(|(_, name)| *name)
    });
    let contact_id = device
        .person
        .and_then(|p| client.people.get(p))
        .and_then(|p| p.at.bms);
    connection
        .prepare_cached(
            "INSERT INTO bms_hardware_assets
               (id, tenant_id, name, account_id, account_location_id, contact_id, category_id,
                state_id, manufacturer_id, serial_number, asset_tag, ip_address, mac_address,
                default_gateway, model_number, os_type, os_info, location_info, description,
                is_active, acquisition_date, warranty_expiration_date, details, created_by,
                created_on, modified_by, modified_on)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                     NULL, ?18, ?19, ?20, ?21, '{}', ?22, ?23, ?22, ?24)",
        )?
        .execute(params![
            id,
            TENANT_ID,
            device.bms_name,
            account_id,
            location_id(client, device.site),
            contact_id,
            kind.bms_category_id,
            DEVICE_STATUSES[device.status].bms_id,
            manufacturer_id,
            device.serial,
            device.asset_tag,
            device.ip,
            device.bms_mac_text,
            device.gateway,
            model_name,
            platform,
            os.map(|(_, _, name, _)| name),
            device.notes,
            device.status != 2,
            device.purchased.as_deref().map(|d| format!("{d}T00:00:00")),
            device.warranty.as_deref().map(|d| format!("{d}T00:00:00")),
            TECH_USER_ID,
            device.created,
            device.modified
        ])?;
    Ok(())
}
