//! `adapters_resources`: the PSA and other integration links of a record, reachable with
//! `include=adapters_resources` on the resources that have them.

use rusqlite::Connection;
use serde::Serialize;

use super::jsonapi::{ApiError, Resource};
use crate::store::sql::placeholders;

pub const INCLUDE_NAME: &str = "adapters_resources";
pub const RELATIONSHIP: &str = "adapters-resources";
const KIND: &str = "adapters-resources";

#[derive(Debug)]
pub struct AdapterResource {
    id: i64,
    resource_id: i64,
    adapter_type_name: String,
    remote_id: String,
    sync: bool,
    orphaned: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Attributes<'a> {
    adapter_type_name: &'a str,
    sync: bool,
    orphaned: bool,
    remote_id: &'a str,
}

impl AdapterResource {
    fn to_resource(&self) -> Result<Resource, ApiError> {
        let attributes = Attributes {
            adapter_type_name: &self.adapter_type_name,
            sync: self.sync,
            orphaned: self.orphaned,
            remote_id: &self.remote_id,
        };
        Resource::new(self.id, KIND, &attributes)
    }
}

/// The adapter rows of the given records of one type (`Organization`, …).
pub fn for_resources(
    connection: &Connection,
    resource_type: &str,
    resource_ids: &[i64],
) -> rusqlite::Result<Vec<AdapterResource>> {
    let sql = format!(
        "SELECT id, resource_id, adapter_type_name, remote_id, sync, orphaned
         FROM itglue_adapters_resources
         WHERE resource_type = ? AND resource_id IN ({}) ORDER BY id",
        placeholders(resource_ids.len())
    );
    let mut params: Vec<rusqlite::types::Value> = vec![resource_type.to_owned().into()];
    params.extend(resource_ids.iter().map(|id| (*id).into()));
    let mut statement = connection.prepare(&sql)?;
    let rows = statement.query_map(rusqlite::params_from_iter(params), |row| {
        Ok(AdapterResource {
            id: row.get(0)?,
            resource_id: row.get(1)?,
            adapter_type_name: row.get(2)?,
            remote_id: row.get(3)?,
            sync: row.get(4)?,
            orphaned: row.get(5)?,
        })
    })?;
    rows.collect()
}

/// Removes the adapter rows of deleted records.
pub fn delete_for(
    connection: &Connection,
    resource_type: &str,
    resource_ids: &[i64],
) -> rusqlite::Result<()> {
    let sql = format!(
        "DELETE FROM itglue_adapters_resources WHERE resource_type = ? AND resource_id IN ({})",
        placeholders(resource_ids.len())
    );
    let mut params: Vec<rusqlite::types::Value> = vec![resource_type.to_owned().into()];
    params.extend(resource_ids.iter().map(|id| (*id).into()));
    connection.execute(&sql, rusqlite::params_from_iter(params))?;
    Ok(())
}

/// Writes the relationship on each `(record id, resource)` and returns the `included` list.
pub fn attach(
    resources: &mut [(i64, Resource)],
    adapters: &[AdapterResource],
) -> Result<Vec<Resource>, ApiError> {
    let included = adapters
        .iter()
        .map(|adapter| Ok((adapter.resource_id, adapter.to_resource()?)))
        .collect::<Result<Vec<_>, ApiError>>()?;
    for (record_id, resource) in resources.iter_mut() {
        let related: Vec<&Resource> = included
            .iter()
            .filter(|(owner, _)| owner == record_id)
            .map(|(_, adapter)| adapter)
            .collect();
        resource.relate_many(RELATIONSHIP, &related);
    }
    Ok(included.into_iter().map(|(_, resource)| resource).collect())
}
