//! Seeding hooks for records beyond the core synced ones (tickets, passwords, documents, …).
//!
//! Each hook runs after the world's organizations, accounts and their records are in the
//! database, inside the same transaction, and reads what it needs from there (for
//! example `SELECT id FROM itglue_organizations` or `SELECT id FROM bms_accounts`). Hooks
//! must be deterministic: derive any randomness from the ids they read.

use rusqlite::Connection;

/// A seeding step for one domain.
pub type Hook = fn(&Connection) -> rusqlite::Result<()>;

/// Add a domain's hook here; they run in this order.
const HOOKS: &[Hook] = &[super::docs::load, super::servicedesk::load];

pub fn load(connection: &Connection) -> rusqlite::Result<()> {
    HOOKS.iter().try_for_each(|hook| hook(connection))
}
