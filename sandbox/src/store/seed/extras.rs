//! Seeding hooks for records beyond the core synced ones (tickets, passwords, documents, …).
//!
//! Each hook runs after the world's organizations, accounts and their records are in the
//! database, inside the same transaction, and reads what it needs from there (for
//! example `SELECT id FROM itglue_organizations` or `SELECT id FROM bms_accounts`). Hooks
//! must be deterministic: derive any randomness from the ids they read.

use rusqlite::Connection;

/// A seeding step for one domain.
pub type Hook = fn(&Connection) -> rusqlite::Result<()>;

/// Add a domain's hook here, with the name its seeding time is reported under; they run
/// in this order.
const HOOKS: &[(&str, Hook)] = &[
    ("documentation", super::docs::load),
    ("service desk", super::servicedesk::load),
];

pub fn load(connection: &Connection) -> rusqlite::Result<()> {
    HOOKS
        .iter()
        .try_for_each(|(name, hook)| super::timed(name, || hook(connection)))
}
