//! `/locations` and `/organizations/{id}/relationships/locations`. Phones are stored as
//! digits and also sent formatted; a synced location is fully locked.

use rusqlite::{Row, Transaction};
use serde::Serialize;

use super::body::Item;
use super::fields::{self, Field, flag, reference, text};
use super::jsonapi::{ApiError, Resource};
use super::psa::Lock;
use super::query::{Filters, QueryParams};
use super::synced::{Related, Synced};
use crate::phone::{digits, format_phone};
use crate::state::AppState;
use crate::store::sql::Conditions;

const WRITABLE: &[Field] = &[
    text("name"),
    flag("primary", "is_primary"),
    text("address_1"),
    text("address_2"),
    text("city"),
    text("postal_code"),
    reference("region_id", "itglue_regions", "region"),
    reference("country_id", "itglue_countries", "country"),
    text("notes"),
    flag("restricted", "restricted"),
    reference("organization_id", "itglue_organizations", "organization"),
];

/// Written through [`store_phone`], which keeps digits only.
const PHONES: &[&str] = &["phone", "fax"];

pub struct Location {
    id: i64,
    organization_id: i64,
    organization_name: String,
    name: String,
    primary: bool,
    address_1: Option<String>,
    address_2: Option<String>,
    city: Option<String>,
    postal_code: Option<String>,
    region_id: Option<i64>,
    region_name: Option<String>,
    country_id: Option<i64>,
    country_name: Option<String>,
    phone: Option<String>,
    fax: Option<String>,
    notes: Option<String>,
    restricted: bool,
    psa_integration: Option<String>,
    created_at: String,
    updated_at: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Attributes<'a> {
    organization_id: i64,
    organization_name: &'a str,
    resource_url: String,
    name: &'a str,
    primary: bool,
    #[serde(rename = "address-1")]
    address_1: Option<&'a str>,
    #[serde(rename = "address-2")]
    address_2: Option<&'a str>,
    city: Option<&'a str>,
    postal_code: Option<&'a str>,
    region_id: Option<i64>,
    region_name: Option<&'a str>,
    country_id: Option<i64>,
    country_name: Option<&'a str>,
    phone: Option<&'a str>,
    fax: Option<&'a str>,
    notes: Option<&'a str>,
    restricted: bool,
    psa_integration: Option<&'a str>,
    created_at: &'a str,
    updated_at: &'a str,
    formatted_phone: Option<String>,
    formatted_fax: Option<String>,
}

impl Synced for Location {
    const KIND: &'static str = "locations";
    const SNAKE_KIND: &'static str = "locations";
    const ADAPTER_TYPE: &'static str = "Location";
    const TABLE: &'static str = "itglue_locations";
    const ID_COLUMN: &'static str = "l.id";
    const ORG_COLUMN: &'static str = "l.organization_id";
    const FROM: &'static str = "itglue_locations l
        JOIN itglue_organizations o ON o.id = l.organization_id
        LEFT JOIN itglue_regions r ON r.id = l.region_id
        LEFT JOIN itglue_countries c ON c.id = l.country_id";
    const COLUMNS: &'static str = "l.id, l.organization_id, o.name, l.name, l.is_primary,
        l.address_1, l.address_2, l.city, l.postal_code, l.region_id, r.name, l.country_id,
        c.name, l.phone, l.fax, l.notes, l.restricted, l.psa_integration, l.created_at,
        l.updated_at";
    const SORTABLE: &'static [(&'static str, &'static str)] = &[
        ("name", "l.name"),
        ("id", "l.id"),
        ("primary", "l.is_primary"),
        ("created_at", "l.created_at"),
        ("updated_at", "l.updated_at"),
    ];
    const LOCK: Lock = Lock::All;
    const PATCH_TAKES_RELATIONSHIPS: bool = true;

    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            organization_id: row.get(1)?,
            organization_name: row.get(2)?,
            name: row.get(3)?,
            primary: row.get(4)?,
            address_1: row.get(5)?,
            address_2: row.get(6)?,
            city: row.get(7)?,
            postal_code: row.get(8)?,
            region_id: row.get(9)?,
            region_name: row.get(10)?,
            country_id: row.get(11)?,
            country_name: row.get(12)?,
            phone: row.get(13)?,
            fax: row.get(14)?,
            notes: row.get(15)?,
            restricted: row.get(16)?,
            psa_integration: row.get(17)?,
            created_at: row.get(18)?,
            updated_at: row.get(19)?,
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
                "{}/{}/locations/{}",
                state.urls.itglue_web, self.organization_id, self.id
            ),
            name: &self.name,
            primary: self.primary,
            address_1: self.address_1.as_deref(),
            address_2: self.address_2.as_deref(),
            city: self.city.as_deref(),
            postal_code: self.postal_code.as_deref(),
            region_id: self.region_id,
            region_name: self.region_name.as_deref(),
            country_id: self.country_id,
            country_name: self.country_name.as_deref(),
            phone: self.phone.as_deref(),
            fax: self.fax.as_deref(),
            notes: self.notes.as_deref(),
            restricted: self.restricted,
            psa_integration: self.psa_integration.as_deref(),
            created_at: &self.created_at,
            updated_at: &self.updated_at,
            formatted_phone: self.phone.as_deref().map(format_phone),
            formatted_fax: self.fax.as_deref().map(format_phone),
        };
        Resource::new(self.id, Self::KIND, &attributes)
    }

    fn filter(filters: &Filters, conditions: &mut Conditions) {
        for (name, column) in [
            ("name", "l.name"),
            ("city", "l.city"),
            ("region_id", "l.region_id"),
            ("country_id", "l.country_id"),
        ] {
            if let Some(values) = filters.get(name) {
                conditions.any_of(column, values);
            }
        }
    }

    fn related(_: &AppState, _: &[Self], _: &QueryParams) -> Result<Vec<Related>, ApiError> {
        Ok(Vec::new())
    }

    fn relationships(_: &QueryParams) -> Vec<&'static str> {
        Vec::new()
    }

    fn insert(
        _: &AppState,
        transaction: &Transaction<'_>,
        organization_id: i64,
        item: &Item<'_>,
    ) -> Result<i64, ApiError> {
        item.attributes.required_text("name")?;
        let mut values = fields::collect(transaction, &item.attributes, WRITABLE)?;
        values.retain(|(column, _)| *column != "organization_id");
        values.push(("organization_id", organization_id.into()));
        values.extend(phones(&item.attributes)?);
        Ok(fields::insert(transaction, Self::TABLE, values)?)
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
        let mut values = fields::collect(transaction, &item.attributes, WRITABLE)?;
        values.extend(phones(&item.attributes)?);
        Ok(fields::update(transaction, Self::TABLE, record.id, values)?)
    }
}

/// `phone` and `fax`, stripped to digits as IT Glue stores them.
fn phones(
    attributes: &super::body::Attributes,
) -> Result<Vec<(&'static str, rusqlite::types::Value)>, ApiError> {
    let mut values = Vec::new();
    for name in PHONES {
        if let Some(value) = attributes.text(name)? {
            let stored = value.as_deref().map(digits).filter(|d| !d.is_empty());
            values.push((*name, stored.into()));
        }
    }
    Ok(values)
}
