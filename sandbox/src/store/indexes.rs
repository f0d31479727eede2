//! Indexes the read paths need at the large scale, beyond the ones the table definitions
//! declare. They are created on every open (`IF NOT EXISTS`), so a store seeded before one
//! was added gets it too, and a fresh store gets them after the bulk insert.
//!
//! Without the first two, `GET /v2/crm/accounts/summary?PageSize=1000` at the large scale
//! scans every location and address once per account (about 25 s per page).

use rusqlite::Connection;

const INDEXES: &str = "
CREATE INDEX IF NOT EXISTS bms_account_locations_by_account
    ON bms_account_locations (account_id, is_main);
CREATE INDEX IF NOT EXISTS bms_account_addresses_by_location
    ON bms_account_addresses (location_id);
CREATE INDEX IF NOT EXISTS bms_hardware_assets_by_contact ON bms_hardware_assets (contact_id);
CREATE INDEX IF NOT EXISTS bms_contacts_by_location ON bms_contacts (location_id);
CREATE INDEX IF NOT EXISTS bms_tickets_by_contact ON bms_tickets (contact_id);
CREATE INDEX IF NOT EXISTS bms_tickets_by_hardware_asset ON bms_tickets (hardware_asset_id);
CREATE INDEX IF NOT EXISTS bms_ticket_notes_by_ticket ON bms_ticket_notes (ticket_id);
CREATE INDEX IF NOT EXISTS itglue_configurations_by_contact ON itglue_configurations (contact_id);
CREATE INDEX IF NOT EXISTS itglue_configurations_by_location ON itglue_configurations (location_id);
";

pub fn ensure(connection: &Connection) -> rusqlite::Result<()> {
    connection.execute_batch(INDEXES)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::schema;

    #[test]
    fn indexes_apply_to_the_current_schema_and_are_idempotent() -> rusqlite::Result<()> {
        let connection = Connection::open_in_memory()?;
        schema::recreate(&connection)?;
        ensure(&connection)?;
        ensure(&connection)?;
        let plan: String = connection.query_row(
            "EXPLAIN QUERY PLAN SELECT id FROM bms_account_locations WHERE account_id = 1",
            [],
            |row| row.get(3),
        )?;
        assert!(plan.contains("bms_account_locations_by_account"), "{plan}");
        Ok(())
    }
}
