//! What the IT Glue pages show, read from the store with plain SQL. Ids are strings: some
//! exceed what a JavaScript number holds.

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;
use serde_json::Value;

/// How many rows a list page shows: enough to look real, bounded at every scale.
const LIST_LIMIT: i64 = 200;

#[derive(Debug, Serialize)]
pub struct Link {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Serialize)]
pub struct Listing<T: Serialize> {
    pub total: i64,
    pub rows: Vec<T>,
}

/// An organization-scoped list: the organization for the sidebar, then the rows.
#[derive(Debug, Serialize)]
pub struct Scoped<T: Serialize> {
    pub organization: Link,
    #[serde(flatten)]
    pub listing: Listing<T>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationRow {
    pub id: String,
    pub name: String,
    pub kind: Option<String>,
    pub status: Option<String>,
    pub psa_integration: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationPage {
    #[serde(flatten)]
    pub row: OrganizationRow,
    pub short_name: Option<String>,
    pub description: Option<String>,
    pub alert: Option<String>,
    /// Shown as text: the page never renders stored HTML.
    pub quick_notes: Option<String>,
    pub configurations: i64,
    pub contacts: i64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigurationRow {
    pub id: String,
    pub name: String,
    pub kind: Option<String>,
    pub status: Option<String>,
    pub hostname: Option<String>,
    pub primary_ip: Option<String>,
    pub serial_number: Option<String>,
    pub psa_integration: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigurationPage {
    pub organization: Link,
    #[serde(flatten)]
    pub row: ConfigurationRow,
    pub mac_address: Option<String>,
    pub default_gateway: Option<String>,
    pub asset_tag: Option<String>,
    pub manufacturer: Option<String>,
    pub model: Option<String>,
    pub operating_system: Option<String>,
    pub location: Option<String>,
    pub contact: Option<Link>,
    pub notes: Option<String>,
    pub purchased_at: Option<String>,
    pub warranty_expires_at: Option<String>,
    pub archived: bool,
    pub interfaces: Vec<Interface>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Interface {
    pub name: Option<String>,
    pub ip_address: Option<String>,
    pub mac_address: Option<String>,
    pub primary: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactRow {
    pub id: String,
    pub name: String,
    pub title: Option<String>,
    pub kind: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub important: Option<bool>,
    pub psa_integration: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactPage {
    pub organization: Link,
    #[serde(flatten)]
    pub row: ContactRow,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub location: Option<String>,
    pub notes: Option<String>,
    pub emails: Vec<Labelled>,
    pub phones: Vec<Labelled>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Labelled {
    pub label: Option<String>,
    pub value: String,
    pub primary: bool,
}

/// The organization's tickets view: BMS tickets shown inside IT Glue by the integration.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TicketsPage {
    pub organization: Link,
    /// The BMS account the organization is synced with, if any.
    pub psa_account_id: Option<String>,
    pub psa_integration_type: &'static str,
}

const ORGANIZATION_COLUMNS: &str = "o.id, o.name, t.name, s.name, o.psa_integration";
const ORGANIZATION_FROM: &str = "FROM itglue_organizations o
 LEFT JOIN itglue_organization_types t ON t.id = o.organization_type_id
 LEFT JOIN itglue_organization_statuses s ON s.id = o.organization_status_id";

fn organization_row(row: &Row<'_>) -> rusqlite::Result<OrganizationRow> {
    Ok(OrganizationRow {
        id: row.get::<_, i64>(0)?.to_string(),
        name: row.get(1)?,
        kind: row.get(2)?,
        status: row.get(3)?,
        psa_integration: row.get(4)?,
    })
}

pub fn organizations(connection: &Connection) -> rusqlite::Result<Listing<OrganizationRow>> {
    let sql = format!(
        "SELECT {ORGANIZATION_COLUMNS} {ORGANIZATION_FROM} ORDER BY o.name, o.id LIMIT {LIST_LIMIT}"
    );
    let rows = connection
        .prepare_cached(&sql)?
        .query_map([], organization_row)?
        .collect::<rusqlite::Result<_>>()?;
    let total = connection.query_row("SELECT COUNT(*) FROM itglue_organizations", [], |row| {
        row.get(0)
    })?;
    Ok(Listing { total, rows })
}

/// The organization's id and name, for the sidebar of every page under it.
pub fn organization_link(connection: &Connection, id: i64) -> rusqlite::Result<Option<Link>> {
    connection
        .query_row(
            "SELECT id, name FROM itglue_organizations WHERE id = ?1",
            [id],
            |row| {
                Ok(Link {
                    id: row.get::<_, i64>(0)?.to_string(),
                    name: row.get(1)?,
                })
            },
        )
        .optional()
}

pub fn organization(
    connection: &Connection,
    id: i64,
) -> rusqlite::Result<Option<OrganizationPage>> {
    let sql = format!(
        "SELECT {ORGANIZATION_COLUMNS}, o.short_name, o.description, o.alert, o.quick_notes,
                (SELECT COUNT(*) FROM itglue_configurations c WHERE c.organization_id = o.id),
                (SELECT COUNT(*) FROM itglue_contacts c WHERE c.organization_id = o.id)
         {ORGANIZATION_FROM} WHERE o.id = ?1"
    );
    connection
        .query_row(&sql, [id], |row| {
            Ok(OrganizationPage {
                row: organization_row(row)?,
                short_name: row.get(5)?,
                description: row.get(6)?,
                alert: row.get(7)?,
                quick_notes: row.get(8)?,
                configurations: row.get(9)?,
                contacts: row.get(10)?,
            })
        })
        .optional()
}

const CONFIGURATION_COLUMNS: &str = "c.id, c.name, t.name, s.name, c.hostname,
        (SELECT i.ip_address FROM itglue_configuration_interfaces i
          WHERE i.configuration_id = c.id AND i.is_primary = 1 LIMIT 1),
        c.serial_number, c.psa_integration";
const CONFIGURATION_FROM: &str = "FROM itglue_configurations c
 LEFT JOIN itglue_configuration_types t ON t.id = c.configuration_type_id
 LEFT JOIN itglue_configuration_statuses s ON s.id = c.configuration_status_id";

fn configuration_row(row: &Row<'_>) -> rusqlite::Result<ConfigurationRow> {
    Ok(ConfigurationRow {
        id: row.get::<_, i64>(0)?.to_string(),
        name: row.get(1)?,
        kind: row.get(2)?,
        status: row.get(3)?,
        hostname: row.get(4)?,
        primary_ip: row.get(5)?,
        serial_number: row.get(6)?,
        psa_integration: row.get(7)?,
    })
}

pub fn configurations(
    connection: &Connection,
    organization_id: i64,
) -> rusqlite::Result<Option<Scoped<ConfigurationRow>>> {
    let Some(organization) = organization_link(connection, organization_id)? else {
        return Ok(None);
    };
    let sql = format!(
        "SELECT {CONFIGURATION_COLUMNS} {CONFIGURATION_FROM}
         WHERE c.organization_id = ?1 ORDER BY c.name, c.id LIMIT {LIST_LIMIT}"
    );
    let rows = connection
        .prepare_cached(&sql)?
        .query_map([organization_id], configuration_row)?
        .collect::<rusqlite::Result<_>>()?;
    let total = connection.query_row(
        "SELECT COUNT(*) FROM itglue_configurations WHERE organization_id = ?1",
        [organization_id],
        |row| row.get(0),
    )?;
    Ok(Some(Scoped {
        organization,
        listing: Listing { total, rows },
    }))
}

pub fn configuration(
    connection: &Connection,
    organization_id: i64,
    id: i64,
) -> rusqlite::Result<Option<ConfigurationPage>> {
    let Some(organization) = organization_link(connection, organization_id)? else {
        return Ok(None);
    };
    let sql = format!(
        "SELECT {CONFIGURATION_COLUMNS},
                (SELECT i.mac_address FROM itglue_configuration_interfaces i
                  WHERE i.configuration_id = c.id AND i.is_primary = 1 LIMIT 1),
                c.default_gateway, c.asset_tag, m.name, md.name, os.name, l.name, ct.id,
                trim(coalesce(ct.first_name, '') || ' ' || coalesce(ct.last_name, '')), c.notes,
                c.purchased_at, c.warranty_expires_at, c.archived
         {CONFIGURATION_FROM}
         LEFT JOIN itglue_manufacturers m ON m.id = c.manufacturer_id
         LEFT JOIN itglue_models md ON md.id = c.model_id
         LEFT JOIN itglue_operating_systems os ON os.id = c.operating_system_id
         LEFT JOIN itglue_locations l ON l.id = c.location_id
         LEFT JOIN itglue_contacts ct ON ct.id = c.contact_id
         WHERE c.id = ?1 AND c.organization_id = ?2"
    );
    let found = connection
        .query_row(&sql, params![id, organization_id], |row| {
            let contact = match row.get::<_, Option<i64>>(15)? {
                Some(contact_id) => Some(Link {
                    id: contact_id.to_string(),
                    name: row.get(16)?,
                }),
                None => None,
            };
            Ok(ConfigurationPage {
                organization: Link {
                    id: organization.id.clone(),
                    name: organization.name.clone(),
                },
                row: configuration_row(row)?,
                mac_address: row.get(8)?,
                default_gateway: row.get(9)?,
                asset_tag: row.get(10)?,
                manufacturer: row.get(11)?,
                model: row.get(12)?,
                operating_system: row.get(13)?,
                location: row.get(14)?,
                contact,
                notes: row.get(17)?,
                purchased_at: row.get(18)?,
                warranty_expires_at: row.get(19)?,
                archived: row.get(20)?,
                interfaces: Vec::new(),
            })
        })
        .optional()?;
    let Some(mut page) = found else {
        return Ok(None);
    };
    page.interfaces = connection
        .prepare_cached(
            "SELECT name, ip_address, mac_address, is_primary FROM itglue_configuration_interfaces
             WHERE configuration_id = ?1 ORDER BY is_primary DESC, id",
        )?
        .query_map([id], |row| {
            Ok(Interface {
                name: row.get(0)?,
                ip_address: row.get(1)?,
                mac_address: row.get(2)?,
                primary: row.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(page))
}

const CONTACT_COLUMNS: &str =
    "c.id, trim(coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, '')),
        c.title, t.name, c.contact_emails, c.contact_phones, c.important, c.psa_integration";
const CONTACT_FROM: &str = "FROM itglue_contacts c
 LEFT JOIN itglue_contact_types t ON t.id = c.contact_type_id";

fn contact_row(row: &Row<'_>) -> rusqlite::Result<ContactRow> {
    let emails = labelled(&row.get::<_, String>(4)?, "value");
    let phones = labelled(&row.get::<_, String>(5)?, "formatted-value");
    // The primary one, else the first.
    let primary = |items: Vec<Labelled>| {
        let index = items.iter().position(|item| item.primary).unwrap_or(0);
        items.into_iter().nth(index).map(|item| item.value)
    };
    Ok(ContactRow {
        id: row.get::<_, i64>(0)?.to_string(),
        name: row.get(1)?,
        title: row.get(2)?,
        kind: row.get(3)?,
        email: primary(emails),
        phone: primary(phones),
        important: row.get(6)?,
        psa_integration: row.get(7)?,
    })
}

/// Contact e-mails and phones are stored in their API shape, as JSON arrays.
fn labelled(json: &str, value_key: &str) -> Vec<Labelled> {
    let items: Vec<Value> = serde_json::from_str(json).unwrap_or_default();
    items
        .iter()
        .filter_map(|item| {
            let value = item
                .get(value_key)
                .or_else(|| item.get("value"))
                .and_then(Value::as_str)?;
            Some(Labelled {
                label: item
                    .get("label-name")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                value: value.to_owned(),
                primary: item
                    .get("primary")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            })
        })
        .collect()
}

pub fn contacts(
    connection: &Connection,
    organization_id: i64,
) -> rusqlite::Result<Option<Scoped<ContactRow>>> {
    let Some(organization) = organization_link(connection, organization_id)? else {
        return Ok(None);
    };
    let sql = format!(
        "SELECT {CONTACT_COLUMNS} {CONTACT_FROM}
         WHERE c.organization_id = ?1 ORDER BY c.last_name, c.first_name, c.id LIMIT {LIST_LIMIT}"
    );
    let rows = connection
        .prepare_cached(&sql)?
        .query_map([organization_id], contact_row)?
        .collect::<rusqlite::Result<_>>()?;
    let total = connection.query_row(
        "SELECT COUNT(*) FROM itglue_contacts WHERE organization_id = ?1",
        [organization_id],
        |row| row.get(0),
    )?;
    Ok(Some(Scoped {
        organization,
        listing: Listing { total, rows },
    }))
}

pub fn contact(
    connection: &Connection,
    organization_id: i64,
    id: i64,
) -> rusqlite::Result<Option<ContactPage>> {
    let Some(organization) = organization_link(connection, organization_id)? else {
        return Ok(None);
    };
    let sql = format!(
        "SELECT {CONTACT_COLUMNS}, c.first_name, c.last_name, l.name, c.notes {CONTACT_FROM}
         LEFT JOIN itglue_locations l ON l.id = c.location_id
         WHERE c.id = ?1 AND c.organization_id = ?2"
    );
    connection
        .query_row(&sql, params![id, organization_id], |row| {
            Ok(ContactPage {
                organization: Link {
                    id: organization.id.clone(),
                    name: organization.name.clone(),
                },
                row: contact_row(row)?,
                first_name: row.get(8)?,
                last_name: row.get(9)?,
                location: row.get(10)?,
                notes: row.get(11)?,
                emails: labelled(&row.get::<_, String>(4)?, "value"),
                phones: labelled(&row.get::<_, String>(5)?, "formatted-value"),
            })
        })
        .optional()
}

pub fn tickets(
    connection: &Connection,
    organization_id: i64,
) -> rusqlite::Result<Option<TicketsPage>> {
    let Some(organization) = organization_link(connection, organization_id)? else {
        return Ok(None);
    };
    let psa_account_id = connection
        .query_row(
            "SELECT remote_id FROM itglue_adapters_resources
             WHERE resource_type = 'Organization' AND resource_id = ?1
               AND integration_type = ?2 AND orphaned = 0
             ORDER BY id LIMIT 1",
            params![organization_id, PSA_INTEGRATION_TYPE],
            |row| row.get(0),
        )
        .optional()?;
    Ok(Some(TicketsPage {
        organization,
        psa_account_id,
        psa_integration_type: PSA_INTEGRATION_TYPE,
    }))
}

const PSA_INTEGRATION_TYPE: &str = "kaseya-bms";
