//! JSON request bodies of the BMS API. Member names match in any case (`accountId`,
//! `AccountId`, `ACCOUNTID`), as ASP.NET model binding does, and a value of the wrong type
//! is reported the way the real serializer words it.

use std::collections::HashMap;

use axum::body::to_bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use serde_json::{Map, Value};

use super::envelope::ApiError;
use crate::clock::{Timestamp, parse_filter_datetime};

/// Bodies are small records; attachments travel as multipart, not JSON.
const MAX_BODY: usize = 4 * 1024 * 1024;

/// A JSON body. A bodiless request reads as `null`, so validation reports what is missing.
#[derive(Debug)]
pub struct JsonBody(pub Value);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let content_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let body = to_bytes(request.into_body(), MAX_BODY)
            .await
            .map_err(|error| ApiError::BadBody(error.to_string()))?;
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self(Value::Null));
        }
        if !is_json_media_type(&content_type) {
            return Err(ApiError::UnsupportedMediaType(content_type));
        }
        serde_json::from_slice(&body)
            .map(Self)
            .map_err(|error| ApiError::BadBody(error.to_string()))
    }
}

/// The request types the spec lists: `application/json-patch+json`, `application/json`,
/// `text/json` and `application/*+json`.
fn is_json_media_type(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || essence == "text/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// One JSON object with case-insensitive member names.
#[derive(Debug, Default, Clone)]
pub struct Fields {
    members: HashMap<String, Value>,
    /// Where this object sits in the body, for error messages (`$`, `$.filter`).
    path: String,
}

impl Fields {
    /// The body's object; `null` reads as an empty object.
    pub fn from_body(value: Value) -> Result<Self, ApiError> {
        Self::at(value, "$".to_owned())
    }

    fn at(value: Value, path: String) -> Result<Self, ApiError> {
        match value {
            Value::Null => Ok(Self {
                members: HashMap::new(),
                path,
            }),
            Value::Object(map) => Ok(Self::from_map(map, path)),
            _ => Err(ApiError::failure(
                400,
                format!("The JSON value could not be converted to an object. Path: {path}"),
            )),
        }
    }

    fn from_map(map: Map<String, Value>, path: String) -> Self {
        Self {
            members: map
                .into_iter()
                .map(|(key, value)| (key.to_ascii_lowercase(), value))
                .collect(),
            path,
        }
    }

    /// The objects of a top-level array body.
    pub fn list_from_body(value: Value) -> Result<Vec<Self>, ApiError> {
        match value {
            Value::Null => Ok(Vec::new()),
            Value::Array(items) => items
                .into_iter()
                .enumerate()
                .map(|(index, item)| Self::at(item, format!("$[{index}]")))
                .collect(),
            _ => Err(ApiError::failure(
                400,
                "The JSON value could not be converted to a list. Path: $",
            )),
        }
    }

    fn value(&self, name: &str) -> Option<&Value> {
        self.members
            .get(&name.to_ascii_lowercase())
            .filter(|value| !value.is_null())
    }

    /// The member as sent, `null` when absent (JSON Patch values are untyped).
    pub fn raw(&self, name: &str) -> Value {
        self.value(name).cloned().unwrap_or(Value::Null)
    }

    fn mismatch(&self, name: &str, type_name: &str) -> ApiError {
        ApiError::failure(
            400,
            format!(
                "The JSON value could not be converted to {type_name}. Path: {}.{}",
                self.path,
                camel(name)
            ),
        )
    }

    pub fn text(&self, name: &str) -> Result<Option<String>, ApiError> {
        match self.value(name) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.clone())),
            Some(Value::Number(number)) => Ok(Some(number.to_string())),
            Some(_) => Err(self.mismatch(name, "System.String")),
        }
    }

    pub fn int(&self, name: &str) -> Result<Option<i64>, ApiError> {
        match self.value(name) {
            None => Ok(None),
            Some(value) => as_int(value)
                .map(Some)
                .ok_or_else(|| self.mismatch(name, "System.Int32")),
        }
    }

    pub fn float(&self, name: &str) -> Result<Option<f64>, ApiError> {
        match self.value(name) {
            None => Ok(None),
            Some(Value::Number(number)) => Ok(number.as_f64()),
            Some(Value::String(text)) => text
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| self.mismatch(name, "System.Double")),
            Some(_) => Err(self.mismatch(name, "System.Double")),
        }
    }

    /// `true`/`false`, or the integers 0 and 1 that BMS int-booleans carry.
    pub fn boolean(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.value(name) {
            None => Ok(None),
            Some(Value::Bool(flag)) => Ok(Some(*flag)),
            Some(value) => match as_int(value) {
                Some(0) => Ok(Some(false)),
                Some(1) => Ok(Some(true)),
                _ => Err(self.mismatch(name, "System.Boolean")),
            },
        }
    }

    pub fn datetime(&self, name: &str) -> Result<Option<Timestamp>, ApiError> {
        match self.text(name)? {
            None => Ok(None),
            Some(text) => parse_filter_datetime(&text)
                .map(Some)
                .ok_or_else(|| self.mismatch(name, "System.DateTime")),
        }
    }

    /// An array of integers; a comma-separated string is accepted too, as some `Ids`
    /// members are declared as csv strings.
    pub fn ints(&self, name: &str) -> Result<Option<Vec<i64>>, ApiError> {
        match self.value(name) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| as_int(item).ok_or_else(|| self.mismatch(name, "System.Int32[]")))
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(Value::String(text)) => csv_ints(text)
                .map(Some)
                .ok_or_else(|| self.mismatch(name, "System.Int32[]")),
            Some(value) => as_int(value)
                .map(|single| Some(vec![single]))
                .ok_or_else(|| self.mismatch(name, "System.Int32[]")),
        }
    }

    /// An array of strings (a single string reads as a one-item list).
    pub fn texts(&self, name: &str) -> Result<Vec<String>, ApiError> {
        match self.value(name) {
            None => Ok(Vec::new()),
            Some(Value::String(text)) => Ok(vec![text.clone()]),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| match item {
                    Value::String(text) => Ok(text.clone()),
                    _ => Err(self.mismatch(name, "System.String[]")),
                })
                .collect(),
            Some(_) => Err(self.mismatch(name, "System.String[]")),
        }
    }

    pub fn object(&self, name: &str) -> Result<Option<Fields>, ApiError> {
        self.value(name)
            .map(|value| Self::at(value.clone(), format!("{}.{}", self.path, camel(name))))
            .transpose()
    }

    pub fn objects(&self, name: &str) -> Result<Vec<Fields>, ApiError> {
        match self.value(name) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(index, item)| {
                    Self::at(
                        item.clone(),
                        format!("{}.{}[{index}]", self.path, camel(name)),
                    )
                })
                .collect(),
            Some(_) => Err(self.mismatch(name, "a list")),
        }
    }

    /// Every member as `(lower-case name, value)`, for bodies that are passed on as filters.
    pub fn members(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.members
            .iter()
            .map(|(name, value)| (name.as_str(), value))
    }
}

fn as_int(value: &Value) -> Option<i64> {
    match value {
        Value::Number(number) => number.as_i64().or_else(|| {
            number
                .as_f64()
                .filter(|f| f.fract() == 0.0)
                .map(|f| f as i64)
        }),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// `1,2, 3` as integers; blank items are skipped.
pub fn csv_ints(text: &str) -> Option<Vec<i64>> {
    text.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| item.parse().ok())
        .collect()
}

/// The camelCase name the wire uses, for messages.
fn camel(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|first| first.to_ascii_lowercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// Fails naming every missing member, in the order given, when any is absent or blank.
pub fn require(fields: &Fields, names: &[&str]) -> Result<(), ApiError> {
    let missing: Vec<String> = names
        .iter()
        .filter(|name| match fields.value(name) {
            None => true,
            Some(Value::String(text)) => text.trim().is_empty(),
            Some(_) => false,
        })
        .map(|name| format!("The {name} field is required."))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(ApiError::failure(400, missing.join(" ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields(value: Value) -> Fields {
        Fields::from_body(value).unwrap_or_default()
    }

    #[test]
    fn member_names_ignore_case() -> Result<(), ApiError> {
        let body = fields(json!({"accountId": 101, "Title": "x", "ISINTERNAL": true}));
        assert_eq!(body.int("AccountId")?, Some(101));
        assert_eq!(body.text("title")?.as_deref(), Some("x"));
        assert_eq!(body.boolean("IsInternal")?, Some(true));
        Ok(())
    }

    #[test]
    fn wrong_types_name_the_path() {
        let body = fields(json!({"accountId": "many", "filter": {"ids": [1, "x"]}}));
        let message = body.int("AccountId").err().map(|error| error.to_string());
        assert_eq!(
            message.as_deref(),
            Some("The JSON value could not be converted to System.Int32. Path: $.accountId (400)")
        );
        let nested = body.object("Filter").ok().flatten().unwrap_or_default();
        assert!(nested.ints("Ids").is_err());
    }

    #[test]
    fn ints_take_arrays_and_csv() -> Result<(), ApiError> {
        let body = fields(json!({"a": [1, 2], "b": "3, 4", "c": 5}));
        assert_eq!(body.ints("A")?, Some(vec![1, 2]));
        assert_eq!(body.ints("B")?, Some(vec![3, 4]));
        assert_eq!(body.ints("C")?, Some(vec![5]));
        Ok(())
    }

    #[test]
    fn require_lists_every_missing_member() {
        let body = fields(json!({"Title": " ", "Details": "d"}));
        let message = require(&body, &["Title", "Details", "AccountId"])
            .err()
            .map(|error| error.to_string());
        assert_eq!(
            message.as_deref(),
            Some("The Title field is required. The AccountId field is required. (400)")
        );
    }

    #[test]
    fn json_media_types() {
        for accepted in [
            "application/json",
            "application/json; charset=utf-8",
            "application/json-patch+json",
            "text/json",
            "application/problem+json",
        ] {
            assert!(is_json_media_type(accepted), "{accepted}");
        }
        assert!(!is_json_media_type("text/plain"));
        assert!(!is_json_media_type(""));
    }
}
