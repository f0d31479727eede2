//! Hardware assets.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::tickets::{self, TicketRow};
use super::{LIST_LIMIT, Link};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetRow {
    pub id: i64,
    pub name: String,
    pub category: Option<String>,
    pub serial_number: Option<String>,
    pub contact_name: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetPage {
    pub id: i64,
    pub name: String,
    pub account: Link,
    pub location: Option<String>,
    pub contact: Option<Link>,
    pub category: Option<String>,
    pub status: Option<String>,
    pub manufacturer: Option<String>,
    pub serial_number: Option<String>,
    pub asset_tag: Option<String>,
    pub ip_address: Option<String>,
    pub mac_address: Option<String>,
    pub default_gateway: Option<String>,
    pub model_number: Option<String>,
    pub os_type: Option<String>,
    pub os_info: Option<String>,
    pub location_info: Option<String>,
    pub description: Option<String>,
    pub active: bool,
    pub acquisition_date: Option<String>,
    pub warranty_expiration_date: Option<String>,
    pub tickets: Vec<TicketRow>,
}

/// The assets whose `column` (`account_id` or `contact_id`) is `id`.
pub fn of(
    connection: &Connection,
    column: &'static str,
    id: i64,
) -> rusqlite::Result<Vec<AssetRow>> {
    let sql = format!(
        "SELECT h.id, h.name, cat.name, h.serial_number,
                trim(coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, ''))
         FROM bms_hardware_assets h
         LEFT JOIN bms_lookups cat ON cat.table_name = 'AssetCategories' AND cat.id = h.category_id
         LEFT JOIN bms_contacts c ON c.id = h.contact_id
         WHERE h.{column} = ?1 ORDER BY h.name, h.id LIMIT {LIST_LIMIT}"
    );
    let mut statement = connection.prepare_cached(&sql)?;
    statement
        .query_map([id], |row| {
            Ok(AssetRow {
                id: row.get(0)?,
                name: row.get(1)?,
                category: row.get(2)?,
                serial_number: row.get(3)?,
                contact_name: row
                    .get::<_, Option<String>>(4)?
                    .filter(|name| !name.is_empty()),
            })
        })?
        .collect()
}

pub fn exists(connection: &Connection, tenant_id: i64, id: i64) -> rusqlite::Result<bool> {
    connection.query_row(
        "SELECT EXISTS (SELECT 1 FROM bms_hardware_assets WHERE id = ?1 AND tenant_id = ?2)",
        params![id, tenant_id],
        |row| row.get(0),
    )
}

pub fn page(
    connection: &Connection,
    tenant_id: i64,
    id: i64,
) -> rusqlite::Result<Option<AssetPage>> {
    let found = connection
        .query_row(
            "SELECT h.id, h.name, a.id, a.account_name, l.location_name, c.id,
                    trim(coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, '')),
                    cat.name, st.name, mf.name, h.serial_number, h.asset_tag, h.ip_address,
                    h.mac_address, h.default_gateway, h.model_number, h.os_type, h.os_info,
                    h.location_info, h.description, h.is_active, h.acquisition_date,
                    h.warranty_expiration_date
             FROM bms_hardware_assets h
             JOIN bms_accounts a ON a.id = h.account_id
             LEFT JOIN bms_account_locations l ON l.id = h.account_location_id
             LEFT JOIN bms_contacts c ON c.id = h.contact_id
             LEFT JOIN bms_lookups cat ON cat.table_name = 'AssetCategories' AND cat.id = h.category_id
             LEFT JOIN bms_lookups st ON st.table_name = 'AssetStatuses' AND st.id = h.state_id
             LEFT JOIN bms_lookups mf ON mf.table_name = 'Manufacturers' AND mf.id = h.manufacturer_id
             WHERE h.id = ?1 AND h.tenant_id = ?2",
            params![id, tenant_id],
            |row| {
                let contact = match row.get::<_, Option<i64>>(5)? {
                    Some(id) => Some(Link {
                        id,
                        name: row.get(6)?,
                    }),
                    None => None,
                };
                Ok(AssetPage {
                    id: row.get(0)?,
                    name: row.get(1)?,
                    account: Link {
                        id: row.get(2)?,
                        name: row.get(3)?,
                    },
                    location: row.get(4)?,
                    contact,
                    category: row.get(7)?,
                    status: row.get(8)?,
                    manufacturer: row.get(9)?,
                    serial_number: row.get(10)?,
                    asset_tag: row.get(11)?,
                    ip_address: row.get(12)?,
                    mac_address: row.get(13)?,
                    default_gateway: row.get(14)?,
                    model_number: row.get(15)?,
                    os_type: row.get(16)?,
                    os_info: row.get(17)?,
                    location_info: row.get(18)?,
                    description: row.get(19)?,
                    active: row.get(20)?,
                    acquisition_date: row.get(21)?,
                    warranty_expiration_date: row.get(22)?,
                    tickets: Vec::new(),
                })
            },
        )
        .optional()?;
    let Some(mut page) = found else {
        return Ok(None);
    };
    page.tickets = tickets::of(connection, "hardware_asset_id", id)?;
    Ok(Some(page))
}
