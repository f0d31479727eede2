//! JSON:API request bodies as the real API reads them: `data` as one object or an array,
//! attribute keys in snake_case or kebab-case (any letter case), `type` in either spelling.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use serde_json::{Map, Value};

use super::jsonapi::ApiError;

/// A request body parsed as JSON; anything else is a 400.
#[derive(Debug)]
pub struct JsonBody(pub Value);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| ApiError::BadRequest {
                detail: rejection.body_text(),
                parameter: None,
            })?;
        serde_json::from_slice(&bytes)
            .map(Self)
            .map_err(|error| ApiError::BadRequest {
                detail: format!("The request body is not valid JSON: {error}"),
                parameter: None,
            })
    }
}

/// A body that may be empty (bulk DELETE by filter has none).
pub fn optional_json(bytes: &[u8]) -> Result<Option<Value>, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    serde_json::from_slice(bytes)
        .map(Some)
        .map_err(|error| ApiError::BadRequest {
            detail: format!("The request body is not valid JSON: {error}"),
            parameter: None,
        })
}

/// One element of `data`.
#[derive(Debug)]
pub struct Item<'a> {
    object: &'a Map<String, Value>,
    pub attributes: Attributes,
}

impl<'a> Item<'a> {
    /// `relationships`, when the caller sent any.
    pub fn relationships(&self) -> Option<&'a Map<String, Value>> {
        self.object
            .get("relationships")
            .and_then(Value::as_object)
            .filter(|members| !members.is_empty())
    }

    /// The `data` of a named relationship (`flexible_asset_fields` or its kebab form).
    pub fn relationship_data(&self, snake_name: &str) -> Option<&'a Value> {
        self.relationships()?
            .iter()
            .find(|(key, _)| normalise(key) == snake_name)
            .and_then(|(_, value)| value.get("data"))
    }

    /// Whether `type` is absent or names `expected` (snake form) in either spelling.
    pub fn has_type(&self, expected: &str) -> bool {
        self.object
            .get("type")
            .and_then(Value::as_str)
            .is_none_or(|kind| normalise(kind) == expected)
    }
}

/// `data` of a body, and whether it was an array (a bulk request).
pub fn items(body: &Value) -> Result<(Vec<Item<'_>>, bool), ApiError> {
    let missing = || ApiError::unprocessable("data is required", "/data");
    match body.get("data").ok_or_else(missing)? {
        Value::Array(elements) => {
            let items = elements
                .iter()
                .enumerate()
                .map(|(index, element)| item(element, &format!("/data/{index}")))
                .collect::<Result<Vec<_>, _>>()?;
            Ok((items, true))
        }
        element @ Value::Object(_) => Ok((vec![item(element, "/data")?], false)),
        _ => Err(missing()),
    }
}

/// The single `data` object of a body; an array is a 422.
pub fn single(body: &Value) -> Result<Item<'_>, ApiError> {
    match items(body)? {
        (mut items, false) => items
            .pop()
            .ok_or_else(|| ApiError::unprocessable("data is required", "/data")),
        (_, true) => Err(ApiError::unprocessable(
            "data must be an object on this route",
            "/data",
        )),
    }
}

/// Checks each element's `type` against the resource's snake plural.
pub fn expect_type(items: &[Item<'_>], expected: &str) -> Result<(), ApiError> {
    match items.iter().position(|item| !item.has_type(expected)) {
        Some(index) => Err(ApiError::unprocessable(
            format!("type must be {expected}"),
            format!("/data/{index}/type"),
        )),
        None => Ok(()),
    }
}

fn item<'a>(element: &'a Value, pointer: &str) -> Result<Item<'a>, ApiError> {
    let object = element
        .as_object()
        .ok_or_else(|| ApiError::unprocessable("must be an object", pointer))?;
    let attributes = match object.get("attributes") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(members)) => members.clone(),
        Some(_) => {
            return Err(ApiError::unprocessable(
                "attributes must be an object",
                format!("{pointer}/attributes"),
            ));
        }
    };
    Ok(Item {
        object,
        attributes: Attributes::new(attributes),
    })
}

/// `Organization-Type_ID` → `organization_type_id`.
pub fn normalise(key: &str) -> String {
    key.replace('-', "_").to_ascii_lowercase()
}

/// Attribute values by normalised key. `get` tells an absent key (None) from an explicit
/// null (Some(Null)), since a null clears a value where an absent key keeps it.
#[derive(Debug, Default)]
pub struct Attributes(Map<String, Value>);

impl Attributes {
    pub fn new(raw: Map<String, Value>) -> Self {
        Self(
            raw.into_iter()
                .map(|(key, value)| (normalise(&key), value))
                .collect(),
        )
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }

    /// The first present key among spellings the docs and clients disagree on
    /// (`otp_secret` and `otpSecret`).
    pub fn get_any(&self, names: &[&str]) -> Option<&Value> {
        names.iter().find_map(|name| self.get(&normalise(name)))
    }

    pub fn contains(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    /// The normalised names of every attribute sent.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// A string attribute: absent → None, null → Some(None).
    pub fn text(&self, name: &str) -> Result<Option<Option<String>>, ApiError> {
        self.get(name)
            .map(|value| text_value(value, name))
            .transpose()
    }

    /// A required, non-blank string.
    pub fn required_text(&self, name: &str) -> Result<String, ApiError> {
        self.text(name)?
            .flatten()
            .filter(|value| !value.trim().is_empty())
            .ok_or_else(|| ApiError::unprocessable("can't be blank", pointer(name)))
    }

    /// A boolean; also accepts 0/1 and "true"/"false", as Rails does.
    pub fn flag(&self, name: &str) -> Result<Option<bool>, ApiError> {
        let Some(value) = self.get(name) else {
            return Ok(None);
        };
        let flag = match value {
            Value::Bool(flag) => Some(*flag),
            Value::Number(n) => n.as_i64().and_then(|n| match n {
                0 => Some(false),
                1 => Some(true),
                _ => None,
            }),
            Value::String(text) => match text.as_str() {
                "true" | "1" => Some(true),
                "false" | "0" => Some(false),
                _ => None,
            },
            _ => None,
        };
        flag.map(Some)
            .ok_or_else(|| ApiError::unprocessable("must be true or false", pointer(name)))
    }

    /// An integer id or number, also as a numeric string: absent → None, null → Some(None).
    pub fn integer(&self, name: &str) -> Result<Option<Option<i64>>, ApiError> {
        self.get(name)
            .map(|value| match value {
                Value::Null => Ok(None),
                other => integer_value(other)
                    .map(Some)
                    .ok_or_else(|| ApiError::unprocessable("must be an integer", pointer(name))),
            })
            .transpose()
    }
}

fn text_value(value: &Value, name: &str) -> Result<Option<String>, ApiError> {
    match value {
        Value::Null => Ok(None),
        Value::String(text) => Ok(Some(text.clone())),
        Value::Number(number) => Ok(Some(number.to_string())),
        _ => Err(ApiError::unprocessable("must be a string", pointer(name))),
    }
}

/// An integer from a JSON number or a numeric string (ids travel as strings).
pub fn integer_value(value: &Value) -> Option<i64> {
    match value {
        Value::Number(number) => number.as_i64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// The JSON pointer of an attribute, in the kebab spelling responses use.
pub fn pointer(name: &str) -> String {
    format!("/data/attributes/{}", name.replace('_', "-"))
}

/// Ids from a bulk body `data:[{type, attributes:{id}}]` (an `id` beside `attributes` is
/// also taken).
pub fn bulk_ids(items: &[Item<'_>]) -> Result<Vec<i64>, ApiError> {
    items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            item_id(item).ok_or_else(|| {
                ApiError::unprocessable("id is required", format!("/data/{index}/attributes/id"))
            })
        })
        .collect()
}

/// The record id of a bulk element.
pub fn item_id(item: &Item<'_>) -> Option<i64> {
    item.attributes
        .get("id")
        .or_else(|| item.object.get("id"))
        .and_then(integer_value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_match_in_either_spelling() -> Result<(), ApiError> {
        let body = json!({"data": {"type": "flexible-asset-types", "attributes": {
            "Organization-Type-Id": "86", "otpSecret": "S", "restricted": 1, "notes": null
        }}});
        let item = single(&body)?;
        assert!(item.has_type("flexible_asset_types"));
        assert_eq!(
            item.attributes.integer("organization_type_id")?,
            Some(Some(86))
        );
        assert_eq!(
            item.attributes.get_any(&["otp_secret", "otpSecret"]),
            Some(&json!("S"))
        );
        assert_eq!(item.attributes.flag("restricted")?, Some(true));
        assert_eq!(item.attributes.text("notes")?, Some(None));
        assert_eq!(item.attributes.text("absent")?, None);
        Ok(())
    }

    #[test]
    fn arrays_are_bulk_and_ids_are_collected() -> Result<(), ApiError> {
        let body = json!({"data": [
            {"type": "passwords", "attributes": {"id": "7"}},
            {"type": "passwords", "id": 9}
        ]});
        let (items, bulk) = items(&body)?;
        assert!(bulk);
        assert_eq!(bulk_ids(&items)?, [7, 9]);
        assert!(single(&body).is_err());
        Ok(())
    }

    #[test]
    fn bad_shapes_are_unprocessable() {
        assert!(items(&json!({})).is_err());
        assert!(items(&json!({"data": 3})).is_err());
        assert!(items(&json!({"data": {"attributes": []}})).is_err());
        let body = json!({"data": {"attributes": {"flag": "maybe"}}});
        assert!(single(&body).is_ok_and(|item| item.attributes.flag("flag").is_err()));
    }
}
