//! The look-alike of BMS's own IT Glue integration on the ticket page: the side panel (grey
//! when the technician is connected to IT Glue, red when not), company notes (the synced
//! organization's quick notes) and contact notes. Notes show only for a connected
//! technician and a synced record, as the help pages describe.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

/// The integration type of BMS links in IT Glue's `adapters_resources`.
const INTEGRATION_TYPE: &str = "kaseya-bms";

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NativeView {
    pub connected: bool,
    pub organization: Option<Synced>,
    pub contact: Option<Synced>,
    pub configuration: Option<Synced>,
}

/// A synced IT Glue record. Ids are strings: some exceed what a JavaScript number holds.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Synced {
    pub id: String,
    pub name: String,
    pub url: String,
    /// Organization or contact notes; only for a connected technician.
    pub notes: Option<String>,
}

/// The BMS records of a ticket that the panel looks up.
pub struct Subjects {
    pub account_id: i64,
    pub contact_id: Option<i64>,
    pub hardware_asset_id: Option<i64>,
}

pub fn view(
    connection: &Connection,
    itglue_web: &str,
    user_id: i64,
    tenant_id: i64,
    subjects: &Subjects,
) -> rusqlite::Result<NativeView> {
    let connected = is_connected(connection, user_id, tenant_id)?;
    let organization = synced(connection, "Organization", subjects.account_id)?
        .map(|id| record(connection, itglue_web, Kind::Organization, id, connected))
        .transpose()?
        .flatten();
    let contact = match subjects.contact_id {
        Some(bms_id) => synced(connection, "Contact", bms_id)?
            .map(|id| record(connection, itglue_web, Kind::Contact, id, connected))
            .transpose()?
            .flatten(),
        None => None,
    };
    let configuration = match subjects.hardware_asset_id {
        Some(bms_id) => synced(connection, "Configuration", bms_id)?
            .map(|id| record(connection, itglue_web, Kind::Configuration, id, connected))
            .transpose()?
            .flatten(),
        None => None,
    };
    Ok(NativeView {
        connected,
        organization,
        contact,
        configuration,
    })
}

fn is_connected(connection: &Connection, user_id: i64, tenant_id: i64) -> rusqlite::Result<bool> {
    connection.query_row(
        "SELECT EXISTS (SELECT 1 FROM bms_itglue_integration WHERE tenant_id = ?2 AND is_enabled = 1)
            AND EXISTS (SELECT 1 FROM bms_itglue_user_connections WHERE user_id = ?1)",
        params![user_id, tenant_id],
        |row| row.get(0),
    )
}

fn synced(
    connection: &Connection,
    resource_type: &str,
    bms_id: i64,
) -> rusqlite::Result<Option<i64>> {
    connection
        .query_row(
            "SELECT resource_id FROM itglue_adapters_resources
             WHERE integration_type = ?1 AND resource_type = ?2 AND remote_id = ?3 AND orphaned = 0
             ORDER BY id LIMIT 1",
            params![INTEGRATION_TYPE, resource_type, bms_id.to_string()],
            |row| row.get(0),
        )
        .optional()
}

#[derive(Clone, Copy)]
enum Kind {
    Organization,
    Contact,
    Configuration,
}

/// The IT Glue record with its web URL; notes only when `connected`.
fn record(
    connection: &Connection,
    itglue_web: &str,
    kind: Kind,
    id: i64,
    connected: bool,
) -> rusqlite::Result<Option<Synced>> {
    let sql = match kind {
        Kind::Organization => "SELECT id, name, quick_notes, id FROM itglue_organizations WHERE id = ?1",
        Kind::Contact => {
            "SELECT organization_id, trim(coalesce(first_name, '') || ' ' || coalesce(last_name, '')),
                    notes, id FROM itglue_contacts WHERE id = ?1"
        }
        Kind::Configuration => "SELECT organization_id, name, NULL, id FROM itglue_configurations WHERE id = ?1",
    };
    connection
        .query_row(sql, [id], |row| {
            let organization_id: i64 = row.get(0)?;
            let url = match kind {
                Kind::Organization => format!("{itglue_web}/{organization_id}"),
                Kind::Contact => format!("{itglue_web}/{organization_id}/contacts/{id}"),
                Kind::Configuration => {
                    format!("{itglue_web}/{organization_id}/configurations/{id}")
                }
            };
            let notes: Option<String> = row.get(2)?;
            Ok(Synced {
                id: row.get::<_, i64>(3)?.to_string(),
                name: row.get(1)?,
                url,
                notes: if connected {
                    Some(notes.unwrap_or_default())
                } else {
                    None
                },
            })
        })
        .optional()
}
