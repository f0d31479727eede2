//! BMS record → IT Glue record, through the IT Glue `adapters_resources` rows of the BMS
//! integration, whose `remote_id` is the BMS id.

use rusqlite::{Connection, OptionalExtension};

/// The integration type IT Glue gives BMS links.
pub const INTEGRATION_TYPE: &str = "kaseya-bms";

/// IT Glue resource types of the synced BMS records.
pub const ORGANIZATION: &str = "Organization";
pub const CONTACT: &str = "Contact";
pub const LOCATION: &str = "Location";
pub const CONFIGURATION: &str = "Configuration";

/// The IT Glue id linked to a BMS record, if the link exists and is not orphaned.
pub fn itglue_id(
    connection: &Connection,
    resource_type: &str,
    bms_id: i64,
) -> rusqlite::Result<Option<i64>> {
    connection
        .query_row(
            "SELECT resource_id FROM itglue_adapters_resources
             WHERE integration_type = ?1 AND resource_type = ?2 AND remote_id = ?3 AND orphaned = 0
             ORDER BY id LIMIT 1",
            rusqlite::params![INTEGRATION_TYPE, resource_type, bms_id.to_string()],
            |row| row.get(0),
        )
        .optional()
}

/// The IT Glue organization synced with a BMS account.
pub fn organization_of_account(
    connection: &Connection,
    account_id: i64,
) -> rusqlite::Result<Option<i64>> {
    itglue_id(connection, ORGANIZATION, account_id)
}

/// The BMS account synced with an IT Glue organization.
pub fn account_of_organization(
    connection: &Connection,
    organization_id: i64,
) -> rusqlite::Result<Option<i64>> {
    let remote: Option<String> = connection
        .query_row(
            "SELECT remote_id FROM itglue_adapters_resources
             WHERE integration_type = ?1 AND resource_type = ?2 AND resource_id = ?3 AND
             orphaned = 0
             ORDER BY id LIMIT 1",
            rusqlite::params![INTEGRATION_TYPE, ORGANIZATION, organization_id],
            |row| row.get(0),
        )
        .optional()?;
    Ok(remote.and_then(|id| id.parse().ok()))
}
