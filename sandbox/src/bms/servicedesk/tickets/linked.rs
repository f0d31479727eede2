//! Names of records owned by other domains (contacts, hardware assets), copied onto the
//! ticket when it is written. Those tables may be absent or shaped differently in an older
//! store, so each read first checks that the columns it needs exist.

use rusqlite::{Connection, OptionalExtension};

/// Contact columns a ticket shows.
#[derive(Debug, Default)]
pub struct ContactInfo {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

pub fn contact(connection: &Connection, id: i64) -> rusqlite::Result<Option<ContactInfo>> {
    if !has_columns(
        connection,
        "bms_contacts",
        &["id", "first_name", "last_name"],
    )? {
        return Ok(None);
    }
    let name: Option<String> = connection
        .query_row(
            "SELECT trim(COALESCE(first_name, '') || ' ' || COALESCE(last_name, ''))
             FROM bms_contacts WHERE id = ?1",
            [id],
            |row| row.get(0),
        )
        .optional()?;
    let Some(name) = name else {
        return Ok(None);
    };
    Ok(Some(ContactInfo {
        name: Some(name),
        phone: default_value(connection, "bms_contact_phones", "phone", id)?,
        email: default_value(connection, "bms_contact_emails", "email_address", id)?,
    }))
}

/// The default (else the first) phone or e-mail of a contact.
fn default_value(
    connection: &Connection,
    table: &str,
    column: &str,
    contact_id: i64,
) -> rusqlite::Result<Option<String>> {
    if !has_columns(connection, table, &["contact_id", column, "is_default"])? {
        return Ok(None);
    }
    connection
        .query_row(
            &format!(
                "SELECT {column} FROM {table} WHERE contact_id = ?1
                 ORDER BY is_default DESC, rowid LIMIT 1"
            ),
            [contact_id],
            |row| row.get(0),
        )
        .optional()
}

pub fn hardware_asset_name(connection: &Connection, id: i64) -> rusqlite::Result<Option<String>> {
    if !has_columns(connection, "bms_hardware_assets", &["id", "name"])? {
        return Ok(None);
    }
    connection
        .query_row(
            "SELECT name FROM bms_hardware_assets WHERE id = ?1",
            [id],
            |row| row.get(0),
        )
        .optional()
}

/// Whether a contact or asset row belongs to the account; true when the table is absent,
/// as there is then nothing to check against.
pub fn belongs_to_account(
    connection: &Connection,
    table: &str,
    id: i64,
    account_id: i64,
) -> rusqlite::Result<bool> {
    if !has_columns(connection, table, &["id", "account_id"])? {
        return Ok(true);
    }
    connection.query_row(
        &format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE id = ?1 AND account_id = ?2)"),
        [id, account_id],
        |row| row.get(0),
    )
}

/// True when `table` exists with every one of `columns`.
pub fn has_columns(
    connection: &Connection,
    table: &str,
    columns: &[&str],
) -> rusqlite::Result<bool> {
    let mut statement = connection.prepare("SELECT name FROM pragma_table_info(?1)")?;
    let present = statement
        .query_map([table], |row| row.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(columns
        .iter()
        .all(|column| present.iter().any(|name| name == column)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_tables_read_as_nothing() -> rusqlite::Result<()> {
        let connection = Connection::open_in_memory()?;
        assert!(contact(&connection, 1)?.is_none());
        assert!(hardware_asset_name(&connection, 1)?.is_none());
        connection.execute_batch(
            "CREATE TABLE bms_hardware_assets (id INTEGER PRIMARY KEY, name TEXT);
             INSERT INTO bms_hardware_assets VALUES (7, 'HFD-WS-007');",
        )?;
        assert_eq!(
            hardware_asset_name(&connection, 7)?.as_deref(),
            Some("HFD-WS-007")
        );
        Ok(())
    }
}
