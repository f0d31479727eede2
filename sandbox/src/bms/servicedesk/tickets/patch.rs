//! JSON Patch (RFC 6902) over a typed document, with the leniency of
//! Microsoft.AspNetCore.JsonPatch on a model: property names match in any case, the
//! leading slash is optional (`assigneeId`, `/StatusId`), `remove` on a property resets
//! it to null, and a property the model does not have is an error.

use serde_json::Value;

use super::super::super::envelope::ApiError;
use super::super::super::json_input::Fields;

#[derive(Debug, Clone)]
pub struct Operation {
    op: String,
    path: String,
    from: Option<String>,
    value: Value,
}

/// Reads the body: an array of `{op, path, from?, value?}` in any key casing.
pub fn operations(body: Value) -> Result<Vec<Operation>, ApiError> {
    if !body.is_array() {
        return Err(ApiError::failure(
            400,
            "The request body must be a JSON Patch document (an array of operations).",
        ));
    }
    Fields::list_from_body(body)?
        .iter()
        .map(|fields| {
            let op = fields.text("op")?.unwrap_or_default().to_ascii_lowercase();
            let path = fields
                .text("path")?
                .ok_or_else(|| ApiError::failure(400, "A JSON Patch operation needs a path."))?;
            Ok(Operation {
                op,
                path,
                from: fields.text("from")?,
                value: fields.raw("value"),
            })
        })
        .collect()
}

pub fn apply(document: &mut Value, operations: &[Operation]) -> Result<(), ApiError> {
    for operation in operations {
        apply_one(document, operation)?;
    }
    Ok(())
}

fn apply_one(document: &mut Value, operation: &Operation) -> Result<(), ApiError> {
    let path = segments(&operation.path);
    match operation.op.as_str() {
        "add" => add(document, &path, operation.value.clone()),
        "replace" => {
            *locate(document, &path)? = operation.value.clone();
            Ok(())
        }
        "remove" => remove(document, &path),
        "test" => {
            let current = locate(document, &path)?;
            if *current == operation.value {
                Ok(())
            } else {
                Err(fail(format!(
                    "The current value at path '{}' is not equal to the test value.",
                    operation.path
                )))
            }
        }
        "copy" | "move" => {
            let from_text = operation
                .from
                .as_deref()
                .ok_or_else(|| fail(format!("The '{}' operation needs 'from'.", operation.op)))?;
            let from = segments(from_text);
            let value = locate(document, &from)?.clone();
            if operation.op == "move" {
                remove(document, &from)?;
            }
            add(document, &path, value)
        }
        other => Err(fail(format!("Invalid JsonPatch operation '{other}'."))),
    }
}

fn segments(path: &str) -> Vec<String> {
    path.trim_start_matches('/')
        .split('/')
        .map(|segment| segment.replace("~1", "/").replace("~0", "~"))
        .collect()
}

fn fail(message: String) -> ApiError {
    ApiError::failure(400, message)
}

fn not_found(segment: &str) -> ApiError {
    fail(format!(
        "The target location specified by path segment '{segment}' was not found."
    ))
}

/// The value at `path`; object members match without regard to case.
fn locate<'a>(document: &'a mut Value, path: &[String]) -> Result<&'a mut Value, ApiError> {
    let mut current = document;
    for segment in path {
        current = match current {
            Value::Object(map) => {
                let key = map
                    .keys()
                    .find(|key| key.eq_ignore_ascii_case(segment))
                    .cloned()
                    .ok_or_else(|| not_found(segment))?;
                map.get_mut(&key).ok_or_else(|| not_found(segment))?
            }
            Value::Array(items) => {
                let index: usize = segment.parse().map_err(|_| not_found(segment))?;
                items.get_mut(index).ok_or_else(|| not_found(segment))?
            }
            _ => return Err(not_found(segment)),
        };
    }
    Ok(current)
}

fn split_last(path: &[String]) -> Result<(&[String], &String), ApiError> {
    path.split_last()
        .map(|(last, parent)| (parent, last))
        .ok_or_else(|| not_found(""))
}

fn add(document: &mut Value, path: &[String], value: Value) -> Result<(), ApiError> {
    let (parent, last) = split_last(path)?;
    match locate(document, parent)? {
        Value::Array(items) => {
            if last == "-" {
                items.push(value);
                return Ok(());
            }
            let index: usize = last.parse().map_err(|_| not_found(last))?;
            if index > items.len() {
                return Err(not_found(last));
            }
            items.insert(index, value);
            Ok(())
        }
        // On a model, `add` to an existing property sets it; unknown ones do not exist.
        container @ Value::Object(_) => {
            *locate(container, std::slice::from_ref(last))? = value;
            Ok(())
        }
        _ => Err(not_found(last)),
    }
}

fn remove(document: &mut Value, path: &[String]) -> Result<(), ApiError> {
    let (parent, last) = split_last(path)?;
    match locate(document, parent)? {
        Value::Array(items) => {
            let index: usize = last.parse().map_err(|_| not_found(last))?;
            if index >= items.len() {
                return Err(not_found(last));
            }
            items.remove(index);
            Ok(())
        }
        container @ Value::Object(_) => {
            *locate(container, std::slice::from_ref(last))? = Value::Null;
            Ok(())
        }
        _ => Err(not_found(last)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(document: &mut Value, patch: Value) -> Result<(), ApiError> {
        apply(document, &operations(patch)?)
    }

    #[test]
    fn paths_ignore_case_and_slash() -> Result<(), ApiError> {
        let mut document = json!({"AssigneeId": 1, "StatusId": 2, "Tags": [1]});
        run(
            &mut document,
            json!([
                {"op": "replace", "path": "assigneeId", "value": 7},
                {"OP": "Replace", "Path": "/STATUSID", "Value": 9},
                {"op": "add", "path": "/tags/-", "value": 2},
                {"op": "remove", "path": "/tags/0"}
            ]),
        )?;
        assert_eq!(
            document,
            json!({"AssigneeId": 7, "StatusId": 9, "Tags": [2]})
        );
        Ok(())
    }

    #[test]
    fn unknown_properties_and_failed_tests_are_errors() {
        let mut document = json!({"StatusId": 2});
        assert!(
            run(
                &mut document,
                json!([{"op": "replace", "path": "/Nope", "value": 1}])
            )
            .is_err()
        );
        assert!(
            run(
                &mut document,
                json!([{"op": "test", "path": "/StatusId", "value": 3}])
            )
            .is_err()
        );
        assert!(run(&mut document, json!({"op": "replace"})).is_err());
    }

    #[test]
    fn remove_on_a_property_resets_it() -> Result<(), ApiError> {
        let mut document = json!({"QueueId": 5});
        run(&mut document, json!([{"op": "remove", "path": "/queueId"}]))?;
        assert_eq!(document, json!({"QueueId": null}));
        Ok(())
    }
}
