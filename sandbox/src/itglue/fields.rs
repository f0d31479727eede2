//! Writable attributes of the synced records: how each is validated and which column it
//! fills, and the INSERT and UPDATE built from them. `created_at`/`updated_at` are set on
//! every write.

use rusqlite::Connection;
use rusqlite::types::Value;
use serde_json::Value as Json;

use super::body::{Attributes, pointer};
use super::jsonapi::ApiError;
use super::listing::now;
use crate::clock::parse_filter_datetime;

#[derive(Debug, Clone, Copy)]
pub enum FieldKind {
    /// Free text, optionally limited in length.
    Text { max: Option<usize> },
    /// true/false/1/0; null means false.
    Flag,
    /// true/false or null (contacts' `important`).
    NullableFlag,
    /// A date, stored as `YYYY-MM-DD`; date-times are cut to their date.
    Date,
    /// The id of a row in `table`; `name` is the pointer of the "must exist" error.
    Reference {
        table: &'static str,
        name: &'static str,
    },
}

/// One writable attribute: its snake_case name, its column, and how to read it.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub column: &'static str,
    pub kind: FieldKind,
}

pub const fn text(name: &'static str) -> Field {
    Field {
        name,
        column: name,
        kind: FieldKind::Text { max: None },
    }
}

pub const fn flag(name: &'static str, column: &'static str) -> Field {
    Field {
        name,
        column,
        kind: FieldKind::Flag,
    }
}

pub const fn date(name: &'static str) -> Field {
    Field {
        name,
        column: name,
        kind: FieldKind::Date,
    }
}

pub const fn reference(name: &'static str, table: &'static str, error_name: &'static str) -> Field {
    Field {
        name,
        column: name,
        kind: FieldKind::Reference {
            table,
            name: error_name,
        },
    }
}

/// The 422 for a missing or unknown referenced record, in the shape seen in the field:
/// `{"source":{"pointer":"/data/attributes/configuration-type"},"detail":"must exist",…}`.
pub fn must_exist(name: &str) -> ApiError {
    ApiError::unprocessable("must exist", format!("/data/attributes/{name}"))
}

/// The `(column, value)` pairs of the attributes present in the request, validated.
pub fn collect(
    connection: &Connection,
    attributes: &Attributes,
    fields: &[Field],
) -> Result<Vec<(&'static str, Value)>, ApiError> {
    let mut values = Vec::new();
    for field in fields {
        if let Some(raw) = attributes.get(field.name) {
            values.push((field.column, read(connection, field, raw)?));
        }
    }
    Ok(values)
}

fn read(connection: &Connection, field: &Field, raw: &Json) -> Result<Value, ApiError> {
    let invalid = |detail: &str| ApiError::unprocessable(detail, pointer(field.name));
    match field.kind {
        FieldKind::Text { max } => match raw {
            Json::Null => Ok(Value::Null),
            Json::String(text) if max.is_some_and(|max| text.chars().count() > max) => {
                Err(invalid(&format!(
                    "is too long (maximum is {} characters)",
                    max.unwrap_or(0)
                )))
            }
            Json::String(text) => Ok(Value::Text(text.clone())),
            Json::Number(number) => Ok(Value::Text(number.to_string())),
            _ => Err(invalid("must be a string")),
        },
        FieldKind::Flag | FieldKind::NullableFlag => match (raw, field.kind) {
            (Json::Null, FieldKind::NullableFlag) => Ok(Value::Null),
            (Json::Null, _) => Ok(Value::Integer(0)),
            _ => boolean(raw)
                .map(|flag| Value::Integer(i64::from(flag)))
                .ok_or_else(|| invalid("must be true or false")),
        },
        FieldKind::Date => match raw {
            Json::Null => Ok(Value::Null),
            Json::String(text) => parse_filter_datetime(text)
                .map(|stamp| Value::Text(stamp.to_date()))
                .ok_or_else(|| invalid("is not a valid date")),
            _ => Err(invalid("is not a valid date")),
        },
        FieldKind::Reference { table, name } => match raw {
            Json::Null => Ok(Value::Null),
            other => {
                let id = super::body::integer_value(other).ok_or_else(|| must_exist(name))?;
                if exists(connection, table, id)? {
                    Ok(Value::Integer(id))
                } else {
                    Err(must_exist(name))
                }
            }
        },
    }
}

pub fn boolean(raw: &Json) -> Option<bool> {
    match raw {
        Json::Bool(flag) => Some(*flag),
        Json::Number(number) => match number.as_i64() {
            Some(0) => Some(false),
            Some(1) => Some(true),
            _ => None,
        },
        Json::String(text) => match text.as_str() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

pub fn exists(connection: &Connection, table: &str, id: i64) -> rusqlite::Result<bool> {
    connection.query_row(
        &format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE id = ?1)"),
        [id],
        |row| row.get(0),
    )
}

/// Inserts a row with the given columns plus both timestamps; returns the new id.
pub fn insert(
    connection: &Connection,
    table: &str,
    mut values: Vec<(&'static str, Value)>,
) -> rusqlite::Result<i64> {
    let stamp = now();
    values.push(("created_at", Value::Text(stamp.clone())));
    values.push(("updated_at", Value::Text(stamp)));
    let columns: Vec<&str> = values.iter().map(|(column, _)| *column).collect();
    let sql = format!(
        "INSERT INTO {table} ({}) VALUES ({})",
        columns.join(", "),
        crate::store::sql::placeholders(values.len())
    );
    connection.execute(
        &sql,
        rusqlite::params_from_iter(values.into_iter().map(|(_, value)| value)),
    )?;
    Ok(connection.last_insert_rowid())
}

/// Updates the given columns of one row and its `updated_at`.
pub fn update(
    connection: &Connection,
    table: &str,
    id: i64,
    mut values: Vec<(&'static str, Value)>,
) -> rusqlite::Result<()> {
    values.push(("updated_at", Value::Text(now())));
    let assignments: Vec<String> = values
        .iter()
        .map(|(column, _)| format!("{column} = ?"))
        .collect();
    let sql = format!("UPDATE {table} SET {} WHERE id = ?", assignments.join(", "));
    let mut params: Vec<Value> = values.into_iter().map(|(_, value)| value).collect();
    params.push(Value::Integer(id));
    connection.execute(&sql, rusqlite::params_from_iter(params))?;
    Ok(())
}
