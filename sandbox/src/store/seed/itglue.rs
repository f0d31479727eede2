//! Projects the world into the IT Glue tables: catalogs, organizations, locations,
//! contacts, configurations with their interfaces, and the PSA links of linked records.

use rusqlite::{Connection, params};
use serde_json::{Value, json};

use super::{BMS_ADAPTER_TYPE_NAME, BMS_INTEGRATION_TYPE, ITGLUE_API_KEY, ITGLUE_EU_API_KEY};
use crate::config::ItGlueRegion;
use crate::phone::{digits, format_phone};
use crate::store::world::catalog::{
    CONTACT_TYPES, COUNTRIES, DEVICE_KINDS, DEVICE_STATUSES, MANUFACTURERS, MODELS,
    OPERATING_SYSTEMS, PLATFORMS,
};
use crate::store::world::{Client, Device, Person, PhoneLabel, Presence, Site, World, mac_colons};

const SEEDED_AT: &str = "2024-03-04T15:22:10.000Z";

pub fn load(connection: &Connection, world: &World) -> rusqlite::Result<()> {
    for (key, region) in [
        (ITGLUE_API_KEY, ItGlueRegion::Us),
        (ITGLUE_EU_API_KEY, ItGlueRegion::Eu),
    ] {
        connection.execute(
            "INSERT INTO itglue_api_keys (key, region, password_access, created_at) VALUES (?1, ?2, 1, ?3)",
            params![key, region.code(), SEEDED_AT],
        )?;
    }
    catalogs(connection)?;
    let mut interface_id = 500_001;
    for client in &world.clients {
        let Some(org_id) = client.at.itglue else {
            continue;
        };
        organization(connection, org_id, client)?;
        link(connection, "Organization", &client.at)?;
        for site in &client.sites {
            location(connection, org_id, site)?;
        }
        for person in &client.people {
            contact(connection, org_id, client, person)?;
        }
        for device in &client.devices {
            configuration(connection, org_id, client, device, &mut interface_id)?;
        }
    }
    Ok(())
}

fn stamp(time: &str) -> String {
    format!("{time}.000Z")
}

fn named(connection: &Connection, table: &str, rows: &[(i64, &str)]) -> rusqlite::Result<()> {
    let sql =
        format!("INSERT INTO {table} (id, name, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)");
    let mut insert = connection.prepare(&sql)?;
    for (id, name) in rows {
        insert.execute(params![id, name, SEEDED_AT])?;
    }
    Ok(())
}

fn catalogs(connection: &Connection) -> rusqlite::Result<()> {
    named(
        connection,
        "itglue_organization_types",
        &[
            (86, "Customer"),
            (87, "Vendor"),
            (88, "Internal"),
            (89, "Prospect"),
        ],
    )?;
    named(
        connection,
        "itglue_organization_statuses",
        &[(68, "Active"), (69, "Inactive")],
    )?;
    let statuses: Vec<(i64, &str)> = DEVICE_STATUSES
        .iter()
        .map(|s| (s.itglue_id, s.name))
        .collect();
    named(connection, "itglue_configuration_statuses", &statuses)?;
    named(connection, "itglue_manufacturers", MANUFACTURERS)?;
    named(connection, "itglue_platforms", PLATFORMS)?;
    named(connection, "itglue_contact_types", CONTACT_TYPES)?;
    for kind in DEVICE_KINDS {
        connection.execute(
            "INSERT INTO itglue_configuration_types (id, name, kind, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?4)",
            params![
                kind.itglue_type_id,
                kind.name,
                kind.itglue_type_kind,
                SEEDED_AT
            ],
        )?;
    }
    for (id, manufacturer_id, name, _) in MODELS {
        connection.execute(
            "INSERT INTO itglue_models (id, manufacturer_id, name, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?4)",
            params![id, manufacturer_id, name, SEEDED_AT],
        )?;
    }
    for (id, platform_id, name, _) in OPERATING_SYSTEMS {
        connection.execute(
            "INSERT INTO itglue_operating_systems (id, platform_id, name, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?4)",
            params![id, platform_id, name, SEEDED_AT],
        )?;
    }
    for country in COUNTRIES {
        connection.execute(
            "INSERT INTO itglue_countries (id, name, iso) VALUES (?1, ?2, ?3)",
            params![country.id, country.name, country.iso],
        )?;
        for (region_id, code, name, _, _) in country.regions {
            connection.execute(
                "INSERT INTO itglue_regions (id, country_id, name, iso) VALUES (?1, ?2, ?3, ?4)",
                params![region_id, country.id, name, code],
            )?;
        }
    }
    Ok(())
}

/// About one organization in seven shares documentation through a MyGlue account.
fn my_glue_account(org_id: i64) -> Option<i64> {
    (org_id % 7 == 3).then_some(4000 + org_id % 100)
}

/// `"enabled"` for records linked to BMS, null otherwise.
fn psa_integration(at: &Presence) -> Option<&'static str> {
    at.is_linked().then_some("enabled")
}

/// The `adapters_resources` row of a linked record, with the BMS id as `remote-id`.
fn link(connection: &Connection, resource_type: &str, at: &Presence) -> rusqlite::Result<()> {
    let (Some(adapter_id), Some(resource_id), Some(remote_id)) = (at.adapter, at.itglue, at.bms)
    else {
        return Ok(());
    };
    connection
        .prepare_cached(
            "INSERT INTO itglue_adapters_resources
               (id, resource_type, resource_id, integration_type, adapter_type_name, remote_id,
                sync, orphaned, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, 0, ?7, ?7)",
        )?
        .execute(params![
            adapter_id,
            resource_type,
            resource_id,
            BMS_INTEGRATION_TYPE,
            BMS_ADAPTER_TYPE_NAME,
            remote_id.to_string(),
            SEEDED_AT
        ])?;
    Ok(())
}

fn organization(connection: &Connection, id: i64, client: &Client) -> rusqlite::Result<()> {
    connection
        .prepare_cached(
            "INSERT INTO itglue_organizations
               (id, name, alert, description, organization_type_id, organization_status_id,
                is_primary, logo, quick_notes, short_name, parent_id, psa_integration,
                created_at, updated_at, my_glue_account_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, NULL, ?7, ?8, NULL, ?9, ?10, ?11, ?12)",
        )?
        .execute(params![
            id,
            client.itglue_name,
            client.alert,
            client.itglue_description,
            client.kind.itglue_type_id(),
            if client.active { 68 } else { 69 },
            client.quick_notes,
            client.code,
            psa_integration(&client.at),
            stamp(&client.itglue_created),
            stamp(&client.itglue_updated),
            my_glue_account(id)
        ])?;
    Ok(())
}

fn location(connection: &Connection, org_id: i64, site: &Site) -> rusqlite::Result<()> {
    let Some(id) = site.at.itglue else {
        return Ok(());
    };
    let (region_id, _, _, city, _) = site.region();
    connection
        .prepare_cached(
            "INSERT INTO itglue_locations
               (id, organization_id, name, is_primary, address_1, address_2, city, postal_code,
                region_id, country_id, phone, fax, notes, restricted, psa_integration,
                created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 0, ?14, ?15, ?16)",
        )?
        .execute(params![
            id,
            org_id,
            site.name,
            site.main,
            site.address1,
            site.address2,
            city,
            site.zip,
            region_id,
            site.country().id,
            site.phone.as_deref().map(digits),
            site.fax.as_deref().map(digits),
            site.notes,
            psa_integration(&site.at),
            stamp(&site.created),
            stamp(&site.modified)
        ])?;
    link(connection, "Location", &site.at)
}

/// The IT Glue location of a record's site, falling back to the client's main location.
fn location_id(client: &Client, site: usize) -> Option<i64> {
    client
        .sites
        .get(site)
        .and_then(|s| s.at.itglue)
        .or_else(|| client.sites.first().and_then(|s| s.at.itglue))
}

fn contact(
    connection: &Connection,
    org_id: i64,
    client: &Client,
    person: &Person,
) -> rusqlite::Result<()> {
    let Some(id) = person.at.itglue else {
        return Ok(());
    };
    connection
        .prepare_cached(
            "INSERT INTO itglue_contacts
               (id, organization_id, first_name, last_name, title, contact_type_id, location_id,
                important, notes, restricted, contact_emails, contact_phones, psa_integration,
                created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0, ?10, ?11, ?12, ?13, ?14)",
        )?
        .execute(params![
            id,
            org_id,
            person.itglue_first,
            person.itglue_last,
            person.title,
            if person.important == Some(true) {
                26
            } else {
                25
            },
            location_id(client, person.site),
            person.important,
            person.notes,
            emails_json(&person.emails).to_string(),
            phones_json(person).to_string(),
            psa_integration(&person.at),
            stamp(&person.created),
            stamp(&person.modified)
        ])?;
    link(connection, "Contact", &person.at)
}

fn emails_json(emails: &[String]) -> Value {
    Value::Array(
        emails
            .iter()
            .enumerate()
            .map(|(index, email)| {
                json!({"value": email, "primary": index == 0, "label-name": "Work"})
            })
            .collect(),
    )
}

fn phones_json(person: &Person) -> Value {
    Value::Array(
        person
            .phones
            .iter()
            .enumerate()
            .map(|(index, phone)| {
                let (label, label_type) = match phone.label {
                    PhoneLabel::Work => ("Work", "phone"),
                    PhoneLabel::Mobile => ("Mobile", "phone"),
                    PhoneLabel::Fax => ("Fax", "fax"),
                };
                let value = digits(&phone.number);
                json!({
                    "value": value,
                    "extension": phone.extension,
                    "primary": index == 0,
                    "label-name": label,
                    "label-type": label_type,
                    "formatted-value": format_phone(&value),
                })
            })
            .collect(),
    )
}

fn configuration(
    connection: &Connection,
    org_id: i64,
    client: &Client,
    device: &Device,
    interface_id: &mut i64,
) -> rusqlite::Result<()> {
    let Some(id) = device.at.itglue else {
        return Ok(());
    };
    let kind = &DEVICE_KINDS[device.kind];
    let (model_id, manufacturer_id, _, _) = MODELS[device.model];
    let contact_id = device
        .person
        .and_then(|p| client.people.get(p))
        .and_then(|p| p.at.itglue);
    connection
        .prepare_cached(
            "INSERT INTO itglue_configurations
               (id, organization_id, name, hostname, default_gateway, serial_number, asset_tag,
                position, installed_by, purchased_by, notes, operating_system_notes,
                warranty_expires_at, installed_at, purchased_at, mitp_device_expiration_date,
                mitp_end_of_life_date, configuration_type_id, configuration_status_id,
                manufacturer_id, model_id, operating_system_id, location_id, contact_id,
                restricted, archived, psa_integration, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, NULL, NULL, NULL, ?8, NULL, ?9, NULL, ?10, NULL,
                     NULL, ?11, ?12, ?13, ?14, ?15, ?16, ?17, 0, ?18, ?19, ?20, ?21)",
        )?
        .execute(params![
            id,
            org_id,
            device.itglue_name,
            device.itglue_name.replace('-', ""),
            device.gateway,
            device.serial,
            device.asset_tag,
            device.notes,
            device.warranty,
            device.purchased,
            kind.itglue_type_id,
            DEVICE_STATUSES[device.status].itglue_id,
            manufacturer_id,
            model_id,
            device.os.map(|os| OPERATING_SYSTEMS[os].0),
            location_id(client, device.site),
            contact_id,
            device.status == 2,
            psa_integration(&device.at),
            stamp(&device.created),
            stamp(&device.modified)
        ])?;
    interfaces(connection, id, device, interface_id)?;
    link(connection, "Configuration", &device.at)
}

/// One interface per MAC; the first is primary and carries the IP address.
fn interfaces(
    connection: &Connection,
    configuration_id: i64,
    device: &Device,
    next_id: &mut i64,
) -> rusqlite::Result<()> {
    let count = device.macs.len().max(usize::from(device.ip.is_some()));
    let mut insert = connection.prepare_cached(
        "INSERT INTO itglue_configuration_interfaces
           (id, configuration_id, name, ip_address, mac_address, is_primary, notes, created_at,
            updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL, ?7, ?7)",
    )?;
    for index in 0..count {
        let name = if index == 0 {
            "Ethernet".to_owned()
        } else {
            format!("Ethernet {}", index + 1)
        };
        insert.execute(params![
            *next_id,
            configuration_id,
            name,
            if index == 0 {
                device.ip.as_deref()
            } else {
                None
            },
            device.macs.get(index).map(mac_colons),
            index == 0,
            stamp(&device.created)
        ])?;
        *next_id += 1;
    }
    Ok(())
}
