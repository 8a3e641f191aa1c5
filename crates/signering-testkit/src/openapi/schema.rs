//! OpenAPI 3.0 schema objects as JSON Schema draft 4.

use serde_json::{Map, Value, json};

const GUID_PATTERN: &str =
    "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

/// Converts an OpenAPI 3.0 schema (or a map of them, with `map`) to JSON Schema draft 4.
pub fn to_json_schema(schema: &Value, nullable_refs: bool, map: bool) -> Value {
    if map {
        return match schema.as_object() {
            Some(schemas) => Value::Object(
                schemas
                    .iter()
                    .map(|(k, v)| {
                        let mut converted = to_json_schema(v, nullable_refs, false);
                        // Every `$ref` of a Swashbuckle document points at a component; an
                        // object component then also accepts `null` (see the module docs).
                        if nullable_refs && converted.get("type") == Some(&json!("object")) {
                            converted["type"] = json!(["object", "null"]);
                        }
                        (k.clone(), converted)
                    })
                    .collect(),
            ),
            None => schema.clone(),
        };
    }
    let Some(object) = schema.as_object() else {
        return schema.clone();
    };
    let mut out = Map::new();
    for (key, value) in object {
        let converted = match key.as_str() {
            "properties" => match value.as_object() {
                Some(properties) => Value::Object(
                    properties
                        .iter()
                        .map(|(name, property)| {
                            (name.clone(), to_json_schema(property, nullable_refs, false))
                        })
                        .collect(),
                ),
                None => value.clone(),
            },
            "items" | "additionalProperties" | "not" => to_json_schema(value, nullable_refs, false),
            "allOf" | "anyOf" | "oneOf" => match value.as_array() {
                Some(list) => Value::Array(
                    list.iter()
                        .map(|v| to_json_schema(v, nullable_refs, false))
                        .collect(),
                ),
                None => value.clone(),
            },
            // Annotations JSON Schema does not need; `example` may hold anything.
            "nullable" | "example" | "examples" | "discriminator" | "xml" | "externalDocs"
            | "deprecated" | "readOnly" | "writeOnly" => continue,
            _ => value.clone(),
        };
        out.insert(key.clone(), converted);
    }
    match out.get("format").and_then(Value::as_str) {
        Some("int32") => {
            out.insert("minimum".to_owned(), json!(i32::MIN));
            out.insert("maximum".to_owned(), json!(i32::MAX));
            out.remove("format");
        }
        Some("int64" | "double" | "float" | "byte" | "binary") => {
            out.remove("format");
        }
        Some("uuid" | "guid") => {
            out.insert("pattern".to_owned(), json!(GUID_PATTERN));
            out.remove("format");
        }
        _ => {}
    }
    let mut result = Value::Object(out);
    if object.get("nullable") == Some(&Value::Bool(true)) {
        result = match result.get("type").cloned() {
            Some(Value::String(kind)) => {
                result["type"] = json!([kind, "null"]);
                if let Some(values) = result.get_mut("enum").and_then(Value::as_array_mut) {
                    values.push(Value::Null);
                }
                result
            }
            _ => json!({"anyOf": [{"type": "null"}, result]}),
        };
    }
    result
}
