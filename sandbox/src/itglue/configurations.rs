//! `/configurations` and `/organizations/{id}/relationships/configurations`.
//!
//! `primary-ip` and `mac-address` are those of the primary interface: writing them
//! creates or updates that interface, and writing the interface changes them. A synced
//! configuration accepts only the documented allow-list, and no PATCH may carry
//! `relationships`.

use rusqlite::{Row, Transaction};
use serde::Serialize;
use serde_json::Value;

use super::body::Item;
use super::fields::{self, Field, date, flag, reference, text};
use super::interfaces;
use super::jsonapi::{ApiError, Resource};
use super::psa::{CONFIGURATION_LOCK, Lock};
use super::query::{Filters, QueryParams};
use super::synced::{Related, Synced};
use crate::state::AppState;
use crate::store::sql::{Conditions, placeholders};

const WRITABLE: &[Field] = &[
    text("name"),
    text("hostname"),
    text("default_gateway"),
    text("serial_number"),
    text("asset_tag"),
    text("position"),
    text("installed_by"),
    text("purchased_by"),
    text("notes"),
    text("operating_system_notes"),
    date("warranty_expires_at"),
    date("installed_at"),
    date("purchased_at"),
    date("mitp_device_expiration_date"),
    date("mitp_end_of_life_date"),
    reference(
        "configuration_type_id",
        "itglue_configuration_types",
        "configuration-type",
    ),
    reference(
        "configuration_status_id",
        "itglue_configuration_statuses",
        "configuration-status",
    ),
    reference("manufacturer_id", "itglue_manufacturers", "manufacturer"),
    reference("model_id", "itglue_models", "model"),
    reference(
        "operating_system_id",
        "itglue_operating_systems",
        "operating-system",
    ),
    reference("location_id", "itglue_locations", "location"),
    reference("contact_id", "itglue_contacts", "contact"),
    flag("restricted", "restricted"),
    flag("archived", "archived"),
    reference("organization_id", "itglue_organizations", "organization"),
];

pub struct Configuration {
    id: i64,
    organization_id: i64,
    organization_name: String,
    organization_short_name: Option<String>,
    text: [Option<String>; TEXT_FIELDS],
    type_id: i64,
    type_name: Option<String>,
    type_kind: Option<String>,
    status_id: Option<i64>,
    status_name: Option<String>,
    manufacturer_id: Option<i64>,
    manufacturer_name: Option<String>,
    model_id: Option<i64>,
    model_name: Option<String>,
    operating_system_id: Option<i64>,
    operating_system_name: Option<String>,
    location_id: Option<i64>,
    location_name: Option<String>,
    contact_id: Option<i64>,
    contact_name: Option<String>,
    restricted: bool,
    archived: bool,
    psa_integration: Option<String>,
    created_at: String,
    updated_at: String,
    primary_ip: Option<String>,
    mac_address: Option<String>,
}

/// The text columns come last in [`Synced::COLUMNS`], in this order.
const TEXT_FIELDS: usize = 15;

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Attributes<'a> {
    organization_id: i64,
    organization_name: &'a str,
    resource_url: String,
    name: &'a str,
    hostname: Option<&'a str>,
    primary_ip: Option<&'a str>,
    mac_address: Option<&'a str>,
    default_gateway: Option<&'a str>,
    serial_number: Option<&'a str>,
    asset_tag: Option<&'a str>,
    position: Option<&'a str>,
    installed_by: Option<&'a str>,
    purchased_by: Option<&'a str>,
    notes: Option<&'a str>,
    operating_system_notes: Option<&'a str>,
    warranty_expires_at: Option<&'a str>,
    installed_at: Option<&'a str>,
    purchased_at: Option<&'a str>,
    mitp_device_expiration_date: Option<&'a str>,
    mitp_end_of_life_date: Option<&'a str>,
    created_at: &'a str,
    updated_at: &'a str,
    organization_short_name: Option<&'a str>,
    configuration_type_id: i64,
    configuration_type_name: Option<&'a str>,
    configuration_type_kind: Option<&'a str>,
    configuration_status_id: Option<i64>,
    configuration_status_name: Option<&'a str>,
    manufacturer_id: Option<i64>,
    manufacturer_name: Option<&'a str>,
    model_id: Option<i64>,
    model_name: Option<&'a str>,
    operating_system_id: Option<i64>,
    operating_system_name: Option<&'a str>,
    location_id: Option<i64>,
    location_name: Option<&'a str>,
    contact_id: Option<i64>,
    contact_name: Option<&'a str>,
    restricted: bool,
    archived: bool,
    my_glue: bool,
    psa_integration: Option<&'a str>,
}

impl Configuration {
    fn text(&self, index: usize) -> Option<&str> {
        self.text.get(index).and_then(Option::as_deref)
    }
}

impl Synced for Configuration {
    const KIND: &'static str = "configurations";
    const SNAKE_KIND: &'static str = "configurations";
    const ADAPTER_TYPE: &'static str = "Configuration";
    const TABLE: &'static str = "itglue_configurations";
    const ID_COLUMN: &'static str = "c.id";
    const ORG_COLUMN: &'static str = "c.organization_id";
    const FROM: &'static str = "itglue_configurations c
        JOIN itglue_organizations o ON o.id = c.organization_id
        LEFT JOIN itglue_configuration_types ct ON ct.id = c.configuration_type_id
        LEFT JOIN itglue_configuration_statuses cs ON cs.id = c.configuration_status_id
        LEFT JOIN itglue_manufacturers mf ON mf.id = c.manufacturer_id
        LEFT JOIN itglue_models md ON md.id = c.model_id
        LEFT JOIN itglue_operating_systems os ON os.id = c.operating_system_id
        LEFT JOIN itglue_locations l ON l.id = c.location_id
        LEFT JOIN itglue_contacts k ON k.id = c.contact_id
        LEFT JOIN itglue_configuration_interfaces pi
               ON pi.configuration_id = c.id AND pi.is_primary = 1";
    const COLUMNS: &'static str = concat!(
        "c.id, c.organization_id, o.name, o.short_name, c.configuration_type_id, ct.name,
         ct.kind, c.configuration_status_id, cs.name, c.manufacturer_id, mf.name, c.model_id,
         md.name, c.operating_system_id, os.name, c.location_id, l.name, c.contact_id,
         trim(coalesce(k.first_name, '') || ' ' || coalesce(k.last_name, '')), c.restricted,
         c.archived, c.psa_integration, c.created_at, c.updated_at, pi.ip_address,
         pi.mac_address, ",
        "c.name, c.hostname, c.default_gateway, c.serial_number,
    c.asset_tag, c.position, c.installed_by, c.purchased_by, c.notes,
    c.operating_system_notes, c.warranty_expires_at, c.installed_at, c.purchased_at,
    c.mitp_device_expiration_date, c.mitp_end_of_life_date"
    );
    const SORTABLE: &'static [(&'static str, &'static str)] = &[
        ("name", "c.name"),
        ("id", "c.id"),
        ("created_at", "c.created_at"),
        ("updated_at", "c.updated_at"),
    ];
    const LOCK: Lock = CONFIGURATION_LOCK;
    const PATCH_TAKES_RELATIONSHIPS: bool = false;

    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        let mut text: [Option<String>; TEXT_FIELDS] = Default::default();
        for (index, slot) in text.iter_mut().enumerate() {
            *slot = row.get(26 + index)?;
        }
        Ok(Self {
            id: row.get(0)?,
            organization_id: row.get(1)?,
            organization_name: row.get(2)?,
            organization_short_name: row.get(3)?,
            type_id: row.get(4)?,
            type_name: row.get(5)?,
            type_kind: row.get(6)?,
            status_id: row.get(7)?,
            status_name: row.get(8)?,
            manufacturer_id: row.get(9)?,
            manufacturer_name: row.get(10)?,
            model_id: row.get(11)?,
            model_name: row.get(12)?,
            operating_system_id: row.get(13)?,
            operating_system_name: row.get(14)?,
            location_id: row.get(15)?,
            location_name: row.get(16)?,
            contact_id: row.get(17)?,
            contact_name: row
                .get::<_, Option<String>>(18)?
                .filter(|_| row.get::<_, Option<i64>>(17).ok().flatten().is_some()),
            restricted: row.get(19)?,
            archived: row.get(20)?,
            psa_integration: row.get(21)?,
            created_at: row.get(22)?,
            updated_at: row.get(23)?,
            primary_ip: row.get(24)?,
            mac_address: row.get(25)?,
            text,
        })
    }

    fn id(&self) -> i64 {
        self.id
    }

    fn psa_integration(&self) -> Option<&str> {
        self.psa_integration.as_deref()
    }

    fn resource(&self, state: &AppState) -> Result<Resource, ApiError> {
        let attributes = Attributes {
            organization_id: self.organization_id,
            organization_name: &self.organization_name,
            resource_url: format!(
                "{}/{}/configurations/{}",
                state.urls.itglue_web, self.organization_id, self.id
            ),
            name: self.text(0).unwrap_or_default(),
            hostname: self.text(1),
            primary_ip: self.primary_ip.as_deref(),
            mac_address: self.mac_address.as_deref(),
            default_gateway: self.text(2),
            serial_number: self.text(3),
            asset_tag: self.text(4),
            position: self.text(5),
            installed_by: self.text(6),
            purchased_by: self.text(7),
            notes: self.text(8),
            operating_system_notes: self.text(9),
            warranty_expires_at: self.text(10),
            installed_at: self.text(11),
            purchased_at: self.text(12),
            mitp_device_expiration_date: self.text(13),
            mitp_end_of_life_date: self.text(14),
            created_at: &self.created_at,
            updated_at: &self.updated_at,
            organization_short_name: self.organization_short_name.as_deref(),
            configuration_type_id: self.type_id,
            configuration_type_name: self.type_name.as_deref(),
            configuration_type_kind: self.type_kind.as_deref(),
            configuration_status_id: self.status_id,
            configuration_status_name: self.status_name.as_deref(),
            manufacturer_id: self.manufacturer_id,
            manufacturer_name: self.manufacturer_name.as_deref(),
            model_id: self.model_id,
            model_name: self.model_name.as_deref(),
            operating_system_id: self.operating_system_id,
            operating_system_name: self.operating_system_name.as_deref(),
            location_id: self.location_id,
            location_name: self.location_name.as_deref(),
            contact_id: self.contact_id,
            contact_name: self.contact_name.as_deref(),
            restricted: self.restricted,
            archived: self.archived,
            my_glue: false,
            psa_integration: self.psa_integration.as_deref(),
        };
        Resource::new(self.id, Self::KIND, &attributes)
    }

    fn filter(filters: &Filters, conditions: &mut Conditions) {
        for (name, column) in [
            ("name", "c.name"),
            ("configuration_type_id", "c.configuration_type_id"),
            ("configuration_status_id", "c.configuration_status_id"),
            ("contact_id", "c.contact_id"),
            ("serial_number", "c.serial_number"),
            ("asset_tag", "c.asset_tag"),
        ] {
            if let Some(values) = filters.get(name) {
                conditions.any_of(column, values);
            }
        }
        if let Some(values) = filters.get("mac_address") {
            // Any interface's MAC, in any letter case.
            let clause = format!(
                "EXISTS (SELECT 1 FROM itglue_configuration_interfaces i
                         WHERE i.configuration_id = c.id
                           AND i.mac_address COLLATE NOCASE IN ({}))",
                placeholders(values.len())
            );
            conditions.push(&clause, values);
        }
        if let Some(values) = filters.get("archived") {
            let flags: Vec<i64> = values
                .iter()
                .filter_map(|v| fields::boolean(&Value::String(v.clone())))
                .map(i64::from)
                .collect();
            conditions.any_of("c.archived", &flags);
        }
    }

    fn related(
        state: &AppState,
        records: &[Self],
        query: &QueryParams,
    ) -> Result<Vec<Related>, ApiError> {
        if !query.includes("configuration_interfaces") {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = records.iter().map(|c| c.id).collect();
        let found = state
            .store
            .read(|connection| interfaces::for_configurations(connection, &ids))?;
        found
            .iter()
            .map(|interface| {
                Ok(Related {
                    owner: interface.configuration_id(),
                    relationship: "configuration-interfaces",
                    kind: interfaces::KIND,
                    id: interface.id(),
                    resource: interface.resource()?,
                })
            })
            .collect()
    }

    fn relationships(query: &QueryParams) -> Vec<&'static str> {
        if query.includes("configuration_interfaces") {
            vec!["configuration-interfaces"]
        } else {
            Vec::new()
        }
    }

    fn insert(
        _: &AppState,
        transaction: &Transaction<'_>,
        organization_id: i64,
        item: &Item<'_>,
    ) -> Result<i64, ApiError> {
        if !item.attributes.contains("configuration_type_id") {
            return Err(fields::must_exist("configuration-type"));
        }
        item.attributes.required_text("name")?;
        let mut values = fields::collect(transaction, &item.attributes, WRITABLE)?;
        values.retain(|(column, _)| *column != "organization_id");
        values.push(("organization_id", organization_id.into()));
        let id = fields::insert(transaction, Self::TABLE, values)?;
        if let Some(data) = item.relationship_data("configuration_interfaces") {
            interfaces::insert_embedded(transaction, id, data)?;
        }
        interfaces::set_primary(transaction, id, &item.attributes)?;
        Ok(id)
    }

    fn update(
        _: &AppState,
        transaction: &Transaction<'_>,
        record: &Self,
        item: &Item<'_>,
    ) -> Result<(), ApiError> {
        if item.attributes.contains("name") {
            item.attributes.required_text("name")?;
        }
        let values = fields::collect(transaction, &item.attributes, WRITABLE)?;
        interfaces::set_primary(transaction, record.id, &item.attributes)?;
        Ok(fields::update(transaction, Self::TABLE, record.id, values)?)
    }
}
