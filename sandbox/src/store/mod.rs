//! The embedded SQLite store: one connection behind a mutex, which is plenty for a
//! single-user emulator and keeps writes trivially serialised.

mod indexes;
mod schema;
mod schema_docs;
mod schema_records;
mod schema_servicedesk;
pub mod seed;
pub mod sql;
pub mod world;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use std::time::Instant;

use rusqlite::{Connection, OptionalExtension};

use world::{World, WorldSpec};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the directory {path}: {source}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("the store lock was poisoned by a panicking request")]
    Poisoned,
}

#[derive(Clone)]
pub struct Store {
    connection: Arc<Mutex<Connection>>,
}

impl Store {
    /// Opens the database at `path`, creating parent directories. A new, outdated or
    /// `reset` store, or one seeded from another world, gets a fresh schema and the world's
    /// data; otherwise the data is kept.
    pub fn open(path: &Path, reset: bool, world: WorldSpec) -> Result<Self, StoreError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::CreateDir {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        let mut connection = Connection::open(path)?;
        connection.execute_batch("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;")?;
        if reset || !schema::is_current(&connection)? || seeded_world(&connection)? != Some(world) {
            seed_world(&mut connection, path, world)?;
        }
        indexes::ensure(&connection)?;
        Ok(Self {
            connection: Arc::new(Mutex::new(connection)),
        })
    }

    /// Runs `work` with the connection held.
    pub fn read<T>(
        &self,
        work: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        let connection = self.connection.lock().map_err(|_| StoreError::Poisoned)?;
        Ok(work(&connection)?)
    }

    /// Runs `work` inside a transaction that commits when it returns `Ok`.
    pub fn write<T>(
        &self,
        work: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        let mut connection = self.connection.lock().map_err(|_| StoreError::Poisoned)?;
        let transaction = connection.transaction()?;
        let value = work(&transaction)?;
        transaction.commit()?;
        Ok(value)
    }

    /// Like [`Store::write`] for work that can also fail for reasons of its own (a
    /// validation error halfway through a bulk request): any error rolls everything back.
    pub fn try_write<T, E: From<StoreError>>(
        &self,
        work: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut connection = self
            .connection
            .lock()
            .map_err(|_| E::from(StoreError::Poisoned))?;
        let transaction = connection
            .transaction()
            .map_err(|error| E::from(StoreError::Sqlite(error)))?;
        let value = work(&transaction)?;
        transaction
            .commit()
            .map_err(|error| E::from(StoreError::Sqlite(error)))?;
        Ok(value)
    }
}

/// Rebuilds the schema and loads the world in one transaction, timing it on stderr.
fn seed_world(connection: &mut Connection, path: &Path, world: WorldSpec) -> Result<(), StoreError> {
    eprintln!(
        "sandbox: seeding scale {} (seed {}) into {}",
        world.scale,
        world.seed,
        path.display()
    );
    let started = Instant::now();
    let transaction = connection.transaction()?;
    schema::recreate(&transaction)?;
    seed::load(&transaction, &World::generate(world))?;
    transaction.execute(
        "INSERT INTO sandbox_meta (key, value) VALUES ('world_seed', ?1), ('world_scale', ?2)",
        [world.seed.to_string(), world.scale.to_string()],
    )?;
    transaction.commit()?;
    eprintln!(
        "sandbox: seeded in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The world a store was seeded from, when it records one.
fn seeded_world(connection: &Connection) -> rusqlite::Result<Option<WorldSpec>> {
    let value = |key: &str| {
        connection
            .query_row("SELECT value FROM sandbox_meta WHERE key = ?1", [key], |row| {
                row.get::<_, String>(0)
            })
            .optional()
    };
    let (Some(seed), Some(scale)) = (value("world_seed")?, value("world_scale")?) else {
        return Ok(None);
    };
    Ok(seed
        .parse()
        .ok()
        .zip(scale.parse().ok())
        .map(|(seed, scale)| WorldSpec { seed, scale }))
}
