//! Accounts and contacts.

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

use super::assets::{self, AssetRow};
use super::tickets::{self, TicketRow};
use super::{LIST_LIMIT, Link, Listing, address_lines};
use crate::bms::accounts::{self, Address, Location};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountRow {
    pub id: i64,
    pub name: String,
    pub code: Option<String>,
    pub kind: Option<String>,
    pub city: Option<String>,
    pub active: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountPage {
    pub id: i64,
    pub name: String,
    pub code: Option<String>,
    pub kind: Option<String>,
    pub active: bool,
    pub website: Option<String>,
    pub manager: Option<String>,
    pub main_location: Option<LocationRow>,
    pub locations: Vec<LocationRow>,
    pub contacts: Vec<ContactRow>,
    pub assets: Vec<AssetRow>,
    pub tickets: Vec<TicketRow>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LocationRow {
    pub name: String,
    pub main: bool,
    pub address: Vec<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactRow {
    pub id: i64,
    pub name: String,
    pub title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactPage {
    pub id: i64,
    pub name: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub title: Option<String>,
    pub active: bool,
    pub point_of_contact: bool,
    pub account: Link,
    pub location: Option<String>,
    pub emails: Vec<Typed>,
    pub phones: Vec<Typed>,
    pub assets: Vec<AssetRow>,
    pub tickets: Vec<TicketRow>,
}

/// An e-mail address or phone number with its type.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Typed {
    pub value: String,
    pub kind: Option<String>,
    pub default: bool,
}

pub fn account_list(
    connection: &Connection,
    tenant_id: i64,
) -> rusqlite::Result<Listing<AccountRow>> {
    let mut statement = connection.prepare_cached(
        "SELECT a.id, a.account_name, a.account_code, t.name, a.is_active,
                (SELECT ad.city FROM bms_account_locations l
                   JOIN bms_account_addresses ad ON ad.location_id = l.id
                  WHERE l.account_id = a.id ORDER BY l.is_main DESC, ad.is_main DESC LIMIT 1)
         FROM bms_accounts a LEFT JOIN bms_account_types t ON t.id = a.account_type_id
         WHERE a.tenant_id = ?1 ORDER BY a.account_name, a.id LIMIT ?2",
    )?;
    let rows = statement
        .query_map(params![tenant_id, LIST_LIMIT], |row| {
            Ok(AccountRow {
                id: row.get(0)?,
                name: row.get(1)?,
                code: row.get(2)?,
                kind: row.get(3)?,
                active: row.get(4)?,
                city: row.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let total = connection.query_row(
        "SELECT COUNT(*) FROM bms_accounts WHERE tenant_id = ?1",
        [tenant_id],
        |row| row.get(0),
    )?;
    Ok(Listing { total, rows })
}

pub fn account_exists(connection: &Connection, tenant_id: i64, id: i64) -> rusqlite::Result<bool> {
    connection.query_row(
        "SELECT EXISTS (SELECT 1 FROM bms_accounts WHERE id = ?1 AND tenant_id = ?2)",
        params![id, tenant_id],
        |row| row.get(0),
    )
}

/// The account as the API's summary DTO has it, with its related records.
pub fn account_page(
    connection: &Connection,
    tenant_id: i64,
    id: i64,
) -> rusqlite::Result<Option<AccountPage>> {
    let Some(summary) = accounts::find(connection, tenant_id, id)? else {
        return Ok(None);
    };
    let main_location = summary
        .main_location()
        .map(|(location, address)| location_row(location, address));
    let locations = summary
        .locations
        .iter()
        .map(|location| location_row(location, location.addresses.iter().find(|a| a.is_main)))
        .collect();
    Ok(Some(AccountPage {
        id: summary.id,
        name: summary.account_name,
        code: summary.account_code,
        kind: summary.account_type,
        active: summary.is_active,
        website: summary.website,
        manager: summary.account_manager_full_name,
        main_location,
        locations,
        contacts: contacts_of_account(connection, id)?,
        assets: assets::of(connection, "account_id", id)?,
        tickets: tickets::of(connection, "account_id", id)?,
    }))
}

fn location_row(location: &Location, address: Option<&Address>) -> LocationRow {
    LocationRow {
        name: location.location_name.clone(),
        main: location.is_main,
        address: address.map_or_else(Vec::new, |a| {
            address_lines([
                a.address1.clone(),
                a.address2.clone(),
                a.city.clone(),
                a.state.clone(),
                a.zip_code.clone(),
                a.country.clone(),
            ])
        }),
        phone: address.and_then(|a| a.phone.clone()),
    }
}

const CONTACT_ROW: &str =
    "SELECT c.id, trim(coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, '')),
        c.job_title,
        (SELECT email_address FROM bms_contact_emails e WHERE e.contact_id = c.id
          ORDER BY e.is_default DESC, e.id LIMIT 1),
        (SELECT phone FROM bms_contact_phones p WHERE p.contact_id = c.id
          ORDER BY p.is_default DESC, p.id LIMIT 1)
 FROM bms_contacts c";

fn contact_row(row: &Row<'_>) -> rusqlite::Result<ContactRow> {
    Ok(ContactRow {
        id: row.get(0)?,
        name: row.get(1)?,
        title: row.get(2)?,
        email: row.get(3)?,
        phone: row.get(4)?,
    })
}

fn contacts_of_account(
    connection: &Connection,
    account_id: i64,
) -> rusqlite::Result<Vec<ContactRow>> {
    let sql = format!("{CONTACT_ROW} WHERE c.account_id = ?1 ORDER BY 2, c.id LIMIT {LIST_LIMIT}");
    let mut statement = connection.prepare_cached(&sql)?;
    statement.query_map([account_id], contact_row)?.collect()
}

/// A contact's name, phone and e-mail, for the ticket page.
pub fn contact_row_by_id(connection: &Connection, id: i64) -> rusqlite::Result<Option<ContactRow>> {
    let sql = format!("{CONTACT_ROW} WHERE c.id = ?1");
    connection.query_row(&sql, [id], contact_row).optional()
}

pub fn contact_exists(connection: &Connection, tenant_id: i64, id: i64) -> rusqlite::Result<bool> {
    connection.query_row(
        "SELECT EXISTS (SELECT 1 FROM bms_contacts c JOIN bms_accounts a ON a.id = c.account_id
                        WHERE c.id = ?1 AND a.tenant_id = ?2)",
        params![id, tenant_id],
        |row| row.get(0),
    )
}

pub fn contact_page(
    connection: &Connection,
    tenant_id: i64,
    id: i64,
) -> rusqlite::Result<Option<ContactPage>> {
    let found = connection
        .query_row(
            "SELECT c.id, c.first_name, c.last_name, c.job_title, c.is_active, c.is_poc,
                    a.id, a.account_name, l.location_name
             FROM bms_contacts c JOIN bms_accounts a ON a.id = c.account_id
             LEFT JOIN bms_account_locations l ON l.id = c.location_id
             WHERE c.id = ?1 AND a.tenant_id = ?2",
            params![id, tenant_id],
            |row| {
                let first_name: Option<String> = row.get(1)?;
                let last_name: Option<String> = row.get(2)?;
                let name = [first_name.as_deref(), last_name.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ");
                Ok(ContactPage {
                    id: row.get(0)?,
                    name,
                    first_name,
                    last_name,
                    title: row.get(3)?,
                    active: row.get(4)?,
                    point_of_contact: row.get(5)?,
                    account: Link {
                        id: row.get(6)?,
                        name: row.get(7)?,
                    },
                    location: row.get(8)?,
                    emails: Vec::new(),
                    phones: Vec::new(),
                    assets: Vec::new(),
                    tickets: Vec::new(),
                })
            },
        )
        .optional()?;
    let Some(mut page) = found else {
        return Ok(None);
    };
    page.emails = typed(
        connection,
        "SELECT e.email_address, t.name, e.is_default FROM bms_contact_emails e
         LEFT JOIN bms_lookups t ON t.table_name = 'EmailTypes' AND t.id = e.email_type_id
         WHERE e.contact_id = ?1 ORDER BY e.is_default DESC, e.id",
        id,
    )?;
    page.phones = typed(
        connection,
        "SELECT p.phone, t.name, p.is_default FROM bms_contact_phones p
         LEFT JOIN bms_lookups t ON t.table_name = 'PhoneTypes' AND t.id = p.phone_type_id
         WHERE p.contact_id = ?1 ORDER BY p.is_default DESC, p.id",
        id,
    )?;
    page.assets = assets::of(connection, "contact_id", id)?;
    page.tickets = tickets::of(connection, "contact_id", id)?;
    Ok(Some(page))
}

fn typed(connection: &Connection, sql: &str, id: i64) -> rusqlite::Result<Vec<Typed>> {
    let mut statement = connection.prepare_cached(sql)?;
    statement
        .query_map([id], |row| {
            Ok(Typed {
                value: row.get(0)?,
                kind: row.get(1)?,
                default: row.get(2)?,
            })
        })?
        .collect()
}
