//! `/contacts` and `/organizations/{id}/relationships/contacts`. E-mails and phones travel
//! inside `attributes` as `contact-emails`/`contact-phones` lists; phones are kept as digits
//! with a formatted copy; `important` may be null. A synced contact is fully locked, and a
//! switch treats its e-mails as synced even without a PSA link.

use rusqlite::{Row, Transaction};
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::body::{Attributes, Item, normalise};
use super::fields::{self, Field, FieldKind, flag, reference, text};
use super::jsonapi::{ApiError, Resource};
use super::locations::Location;
use super::psa::{self, Lock};
use super::query::{Filters, QueryParams};
use super::synced::{self, Related, Synced};
use crate::phone::{digits, format_phone};
use crate::state::AppState;
use crate::store::sql::Conditions;

const WRITABLE: &[Field] = &[
    text("first_name"),
    text("last_name"),
    text("title"),
    reference("contact_type_id", "itglue_contact_types", "contact-type"),
    reference("location_id", "itglue_locations", "location"),
    Field {
        name: "important",
        column: "important",
        kind: FieldKind::NullableFlag,
    },
    text("notes"),
    flag("restricted", "restricted"),
    reference("organization_id", "itglue_organizations", "organization"),
];

const EMAILS_POINTER: &str = "/data/attributes/contact-emails";
const PHONES_POINTER: &str = "/data/attributes/contact-phones";

pub struct Contact {
    id: i64,
    organization_id: i64,
    organization_name: String,
    first_name: Option<String>,
    last_name: Option<String>,
    title: Option<String>,
    contact_type_id: Option<i64>,
    contact_type_name: Option<String>,
    location_id: Option<i64>,
    location_name: Option<String>,
    important: Option<bool>,
    notes: Option<String>,
    restricted: bool,
    emails: String,
    phones: String,
    psa_integration: Option<String>,
    created_at: String,
    updated_at: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct ContactAttributes<'a> {
    organization_id: i64,
    organization_name: &'a str,
    resource_url: String,
    name: String,
    first_name: Option<&'a str>,
    last_name: Option<&'a str>,
    title: Option<&'a str>,
    contact_type_id: Option<i64>,
    contact_type_name: Option<&'a str>,
    location_id: Option<i64>,
    location_name: Option<&'a str>,
    important: Option<bool>,
    notes: Option<&'a str>,
    restricted: bool,
    psa_integration: Option<&'a str>,
    created_at: &'a str,
    updated_at: &'a str,
    contact_emails: Value,
    contact_phones: Value,
}

impl Synced for Contact {
    const KIND: &'static str = "contacts";
    const SNAKE_KIND: &'static str = "contacts";
    const ADAPTER_TYPE: &'static str = "Contact";
    const TABLE: &'static str = "itglue_contacts";
    const ID_COLUMN: &'static str = "k.id";
    const ORG_COLUMN: &'static str = "k.organization_id";
    const FROM: &'static str = "itglue_contacts k
        JOIN itglue_organizations o ON o.id = k.organization_id
        LEFT JOIN itglue_contact_types t ON t.id = k.contact_type_id
        LEFT JOIN itglue_locations l ON l.id = k.location_id";
    const COLUMNS: &'static str = "k.id, k.organization_id, o.name, k.first_name, k.last_name,
        k.title, k.contact_type_id, t.name, k.location_id, l.name, k.important, k.notes,
        k.restricted, k.contact_emails, k.contact_phones, k.psa_integration, k.created_at,
        k.updated_at";
    const SORTABLE: &'static [(&'static str, &'static str)] = &[
        ("first_name", "k.first_name"),
        ("last_name", "k.last_name"),
        ("id", "k.id"),
        ("created_at", "k.created_at"),
        ("updated_at", "k.updated_at"),
    ];
    const LOCK: Lock = Lock::All;
    const PATCH_TAKES_RELATIONSHIPS: bool = true;

    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            organization_id: row.get(1)?,
            organization_name: row.get(2)?,
            first_name: row.get(3)?,
            last_name: row.get(4)?,
            title: row.get(5)?,
            contact_type_id: row.get(6)?,
            contact_type_name: row.get(7)?,
            location_id: row.get(8)?,
            location_name: row.get(9)?,
            important: row.get(10)?,
            notes: row.get(11)?,
            restricted: row.get(12)?,
            emails: row.get(13)?,
            phones: row.get(14)?,
            psa_integration: row.get(15)?,
            created_at: row.get(16)?,
            updated_at: row.get(17)?,
        })
    }

    fn id(&self) -> i64 {
        self.id
    }

    fn psa_integration(&self) -> Option<&str> {
        self.psa_integration.as_deref()
    }

    fn resource(&self, state: &AppState) -> Result<Resource, ApiError> {
        let name = [self.first_name.as_deref(), self.last_name.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        let attributes = ContactAttributes {
            organization_id: self.organization_id,
            organization_name: &self.organization_name,
            resource_url: format!(
                "{}/{}/contacts/{}",
                state.urls.itglue_web, self.organization_id, self.id
            ),
            name,
            first_name: self.first_name.as_deref(),
            last_name: self.last_name.as_deref(),
            title: self.title.as_deref(),
            contact_type_id: self.contact_type_id,
            contact_type_name: self.contact_type_name.as_deref(),
            location_id: self.location_id,
            location_name: self.location_name.as_deref(),
            important: self.important,
            notes: self.notes.as_deref(),
            restricted: self.restricted,
            psa_integration: self.psa_integration.as_deref(),
            created_at: &self.created_at,
            updated_at: &self.updated_at,
            contact_emails: serde_json::from_str(&self.emails)?,
            contact_phones: serde_json::from_str(&self.phones)?,
        };
        Resource::new(self.id, Self::KIND, &attributes)
    }

    fn filter(filters: &Filters, conditions: &mut Conditions) {
        for (name, column) in [
            ("first_name", "k.first_name"),
            ("last_name", "k.last_name"),
            ("title", "k.title"),
            ("contact_type_id", "k.contact_type_id"),
        ] {
            if let Some(values) = filters.get(name) {
                conditions.any_of(column, values);
            }
        }
        if let Some(values) = filters.get("important") {
            let flags: Vec<i64> = values
                .iter()
                .filter_map(|v| fields::boolean(&Value::String(v.clone())))
                .map(i64::from)
                .collect();
            conditions.any_of("k.important", &flags);
        }
        if let Some(values) = filters.get("primary_email") {
            let clause = format!(
                "EXISTS (SELECT 1 FROM json_each(k.contact_emails) e
                         WHERE json_extract(e.value, '$.primary')
                           AND json_extract(e.value, '$.value') COLLATE NOCASE IN ({}))",
                crate::store::sql::placeholders(values.len())
            );
            conditions.push(&clause, values);
        }
    }

    fn related(
        state: &AppState,
        records: &[Self],
        query: &QueryParams,
    ) -> Result<Vec<Related>, ApiError> {
        if !query.includes("location") {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = records.iter().filter_map(|c| c.location_id).collect();
        let locations = synced::load::<Location>(state, &ids)?;
        let mut related = Vec::new();
        for contact in records {
            let Some(location) = locations
                .iter()
                .find(|l| Some(l.id()) == contact.location_id)
            else {
                continue;
            };
            related.push(Related {
                owner: contact.id,
                relationship: "location",
                kind: Location::KIND,
                id: location.id(),
                resource: location.resource(state)?,
            });
        }
        Ok(related)
    }

    fn relationships(query: &QueryParams) -> Vec<&'static str> {
        if query.includes("location") {
            vec!["location"]
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
        item.attributes.required_text("first_name")?;
        let mut values = fields::collect(transaction, &item.attributes, WRITABLE)?;
        values.retain(|(column, _)| *column != "organization_id");
        values.push(("organization_id", organization_id.into()));
        values.extend(lists(&item.attributes)?);
        Ok(fields::insert(transaction, Self::TABLE, values)?)
    }

    fn update(
        state: &AppState,
        transaction: &Transaction<'_>,
        record: &Self,
        item: &Item<'_>,
    ) -> Result<(), ApiError> {
        if state.settings.itglue_contact_emails_always_synced
            && item.attributes.contains("contact_emails")
            && psa::locks_apply(state, transaction)?
        {
            return Err(psa::locked(format!("{EMAILS_POINTER}.base")));
        }
        if item.attributes.contains("first_name") {
            item.attributes.required_text("first_name")?;
        }
        let mut values = fields::collect(transaction, &item.attributes, WRITABLE)?;
        values.extend(lists(&item.attributes)?);
        Ok(fields::update(transaction, Self::TABLE, record.id, values)?)
    }
}

/// `contact_emails` and `contact_phones` when present, validated and in the stored shape.
fn lists(attributes: &Attributes) -> Result<Vec<(&'static str, rusqlite::types::Value)>, ApiError> {
    let mut values = Vec::new();
    if let Some(raw) = attributes.get("contact_emails") {
        values.push(("contact_emails", emails(raw)?.to_string().into()));
    }
    if let Some(raw) = attributes.get("contact_phones") {
        values.push(("contact_phones", phones(raw)?.to_string().into()));
    }
    Ok(values)
}

/// The members of one list entry, keys normalised like attributes.
fn entries<'a>(raw: &'a Value, list_pointer: &str) -> Result<Vec<Map<String, Value>>, ApiError> {
    let items: &'a [Value] = match raw {
        Value::Null => &[],
        Value::Array(items) => items,
        _ => return Err(ApiError::unprocessable("must be an array", list_pointer)),
    };
    items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            item.as_object()
                .map(|members| {
                    members
                        .iter()
                        .map(|(key, value)| (normalise(key), value.clone()))
                        .collect()
                })
                .ok_or_else(|| {
                    ApiError::unprocessable("must be an object", format!("{list_pointer}/{index}"))
                })
        })
        .collect()
}

fn member_text(entry: &Map<String, Value>, name: &str) -> Option<String> {
    match entry.get(name)? {
        Value::String(text) => Some(text.trim().to_owned()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
    .filter(|text| !text.is_empty())
}

fn label(entry: &Map<String, Value>, pointer: &str) -> Result<String, ApiError> {
    member_text(entry, "label_name")
        .ok_or_else(|| ApiError::unprocessable("can't be blank", format!("{pointer}/label-name")))
}

/// The first entry is primary when none says so.
fn primaries(entries: &[Map<String, Value>]) -> Vec<bool> {
    let flags: Vec<bool> = entries
        .iter()
        .map(|e| e.get("primary").and_then(fields::boolean).unwrap_or(false))
        .collect();
    if flags.iter().any(|f| *f) {
        flags
    } else {
        (0..flags.len()).map(|index| index == 0).collect()
    }
}

fn emails(raw: &Value) -> Result<Value, ApiError> {
    let entries = entries(raw, EMAILS_POINTER)?;
    let primaries = primaries(&entries);
    let mut stored = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        let pointer = format!("{EMAILS_POINTER}/{index}");
        let value = member_text(entry, "value")
            .filter(|v| is_email(v))
            .ok_or_else(|| ApiError::unprocessable("is invalid", format!("{pointer}/value")))?;
        stored.push(json!({
            "value": value,
            "primary": primaries[index],
            "label-name": label(entry, &pointer)?,
        }));
    }
    Ok(Value::Array(stored))
}

fn is_email(text: &str) -> bool {
    text.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty() && domain.contains('.') && !text.contains(char::is_whitespace)
    })
}

fn phones(raw: &Value) -> Result<Value, ApiError> {
    let entries = entries(raw, PHONES_POINTER)?;
    let primaries = primaries(&entries);
    let mut stored = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        let pointer = format!("{PHONES_POINTER}/{index}");
        let value = member_text(entry, "value")
            .map(|v| digits(&v))
            .filter(|v| !v.is_empty())
            .ok_or_else(|| ApiError::unprocessable("can't be blank", format!("{pointer}/value")))?;
        let label_type = member_text(entry, "label_type").unwrap_or_else(|| "phone".to_owned());
        if label_type != "phone" && label_type != "fax" {
            return Err(ApiError::unprocessable(
                "must be phone or fax",
                format!("{pointer}/label-type"),
            ));
        }
        stored.push(json!({
            "value": value,
            "extension": member_text(entry, "extension"),
            "primary": primaries[index],
            "label-name": label(entry, &pointer)?,
            "label-type": label_type,
            "formatted-value": format_phone(&value),
        }));
    }
    Ok(Value::Array(stored))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_keep_digits_and_get_a_formatted_value() -> Result<(), ApiError> {
        let stored = phones(&json!([{"Value": "(415) 555-2156", "label-name": "Work"}]))?;
        assert_eq!(stored[0]["value"], "4155552156");
        assert_eq!(stored[0]["formatted-value"], "(415) 555-2156");
        assert_eq!(stored[0]["primary"], true);
        assert_eq!(stored[0]["label-type"], "phone");
        assert!(
            phones(&json!([{"value": "1", "label_name": "W", "label_type": "pager"}])).is_err()
        );
        Ok(())
    }

    #[test]
    fn emails_need_a_valid_address_and_a_label() {
        assert!(emails(&json!([{"value": "a@b.example", "label_name": "Work"}])).is_ok());
        assert!(emails(&json!([{"value": "nobody", "label_name": "Work"}])).is_err());
        assert!(emails(&json!([{"value": "a@b.example"}])).is_err());
    }
}
