//! Seeding: the demo credentials, then the generated [`World`] projected into each side's
//! tables, then the extra hooks of other domains.

mod bms;
mod docs;
pub mod extras;
mod itglue;
mod servicedesk;

use std::time::Instant;

use rusqlite::Connection;

use super::world::World;

pub const ITGLUE_API_KEY: &str = "ITG.sandbox.9f1c2e7a4b6d8e0f1a3c5e7b9d1f3a5c";
/// A key issued in the EU region: the US listener answers it with 403.
pub const ITGLUE_EU_API_KEY: &str = "ITG.sandbox.eu.4b7e1d9a2c5f8e3b6a0d4c7f1e9b2a5d";
pub const BMS_TENANT: &str = "Demo MSP";
pub const BMS_API_USERNAME: &str = "itglue.api";
pub const BMS_API_PASSWORD: &str = "Sandbox!Pass1";
pub const BMS_TECH_USERNAME: &str = "jane.tech";
pub const BMS_TECH_PASSWORD: &str = "Tech!Pass2";

/// The adapter name IT Glue uses for BMS links is unpublished; this is the expected one.
pub const BMS_ADAPTER_TYPE_NAME: &str = "Kaseya BMS";
pub const BMS_INTEGRATION_TYPE: &str = "kaseya-bms";

/// Inserts the world into an empty schema: IT Glue, then BMS, then the extra hooks. Each
/// step's duration goes to stderr, since large seeds must stay fast.
pub fn load(connection: &Connection, world: &World) -> rusqlite::Result<()> {
    timed("IT Glue records", || itglue::load(connection, world))?;
    timed("BMS records", || bms::load(connection, world))?;
    extras::load(connection)
}

/// Runs one seeding step and reports how long it took.
pub fn timed<T>(step: &str, work: impl FnOnce() -> rusqlite::Result<T>) -> rusqlite::Result<T> {
    let started = Instant::now();
    let value = work()?;
    eprintln!(
        "sandbox: seeded {step} in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::schema;
    use crate::store::world::{Scale, WorldSpec, hand};

    fn seeded(spec: WorldSpec) -> rusqlite::Result<Connection> {
        let connection = Connection::open_in_memory()?;
        schema::recreate(&connection)?;
        load(&connection, &World::generate(spec))?;
        Ok(connection)
    }

    fn count(connection: &Connection, table: &str) -> rusqlite::Result<i64> {
        connection.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
    }

    #[test]
    fn happy_frog_quick_notes_exceed_the_index_limit() {
        assert!(hand::HFD_QUICK_NOTES.chars().count() > 250);
    }

    #[test]
    fn demo_keeps_the_hand_records() -> rusqlite::Result<()> {
        let connection = seeded(WorldSpec::default())?;
        let name: String = connection.query_row(
            "SELECT name FROM itglue_organizations WHERE id = 574989297464115201",
            [],
            |r| r.get(0),
        )?;
        assert_eq!(name, "Northwind Traders, Inc.");
        let linked: i64 = connection.query_row(
            "SELECT COUNT(*) FROM itglue_adapters_resources
             WHERE resource_type = 'Organization' AND id BETWEEN 9101 AND 9104",
            [],
            |r| r.get(0),
        )?;
        assert_eq!(linked, 4);
        assert!(count(&connection, "itglue_configurations")? > 0);
        assert!(count(&connection, "bms_hardware_assets")? > 0);
        Ok(())
    }

    #[test]
    fn small_scale_counts() -> rusqlite::Result<()> {
        let connection = seeded(WorldSpec {
            seed: 9,
            scale: Scale::Small,
        })?;
        assert_eq!(count(&connection, "bms_accounts")?, 100);
        assert_eq!(count(&connection, "bms_hardware_assets")?, 1000);
        assert_eq!(count(&connection, "bms_contacts")?, 500);
        Ok(())
    }
}
