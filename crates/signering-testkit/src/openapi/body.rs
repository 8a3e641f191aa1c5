//! Bodies: declared content types, JSON, bare strings, multipart.

use serde_json::{Value, json};

use super::{BodyRule, Spec};

/// The media type without parameters, lower-cased.
pub(super) fn base_type(content_type: Option<&str>) -> String {
    content_type
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

fn is_json(media: &str) -> bool {
    media == "application/json" || media == "text/json" || media.ends_with("+json")
}

pub(super) fn check_content(
    spec: &Spec,
    content: Option<&Value>,
    content_type: Option<&str>,
    body: &[u8],
) -> Vec<String> {
    let Some(content) = content.and_then(Value::as_object) else {
        return Vec::new();
    };
    let media = base_type(content_type);
    let declared = content.get(&media).or_else(|| {
        // ASP.NET sends ProblemDetails as application/problem+json where Swashbuckle
        // declares application/json; `application/*+json` covers any JSON suffix.
        content
            .iter()
            .find(|(k, _)| {
                (media == "application/problem+json" && k.as_str() == "application/json")
                    || (k.as_str() == "application/*+json" && media.ends_with("+json"))
            })
            .map(|(_, v)| v)
    });
    let Some(declared) = declared else {
        let names: Vec<&String> = content.keys().collect();
        return vec![format!(
            "content type {media:?} is not declared (declared: {names:?})"
        )];
    };
    let schema = declared.get("schema").cloned().unwrap_or(json!({}));
    if is_json(&media) {
        match serde_json::from_slice::<Value>(body) {
            Ok(value) => spec.validate(&schema, &value),
            Err(e) => vec![format!("the body is not JSON: {e}")],
        }
    } else if media == "text/plain" {
        match std::str::from_utf8(body) {
            Ok(_) => Vec::new(),
            Err(_) => vec!["the text body is not UTF-8".to_owned()],
        }
    } else {
        Vec::new()
    }
}

pub(super) fn check_rule(
    spec: Option<&Spec>,
    rule: &BodyRule,
    content_type: Option<&str>,
    body: &[u8],
) -> Vec<String> {
    let media = base_type(content_type);
    match rule {
        BodyRule::Any => Vec::new(),
        BodyRule::Empty if body.is_empty() => Vec::new(),
        BodyRule::Empty => vec![format!("expected no body, got {} bytes", body.len())],
        BodyRule::Text => match std::str::from_utf8(body) {
            Ok(text) if !text.is_empty() && text.trim() == text && media.starts_with("text/") => {
                Vec::new()
            }
            _ => vec![format!(
                "expected a bare text body, got {media:?} {:?}",
                String::from_utf8_lossy(body)
            )],
        },
        BodyRule::JsonString => match serde_json::from_slice::<Value>(body) {
            Ok(Value::String(_)) if is_json(&media) => Vec::new(),
            _ => vec![format!(
                "expected a JSON string, got {media:?} {:?}",
                String::from_utf8_lossy(body)
            )],
        },
        BodyRule::Schema(schema) => {
            if !is_json(&media) {
                return vec![format!("expected JSON, got content type {media:?}")];
            }
            match (serde_json::from_slice::<Value>(body), spec) {
                (Ok(value), Some(spec)) => spec.validate(schema, &value),
                (Ok(_), None) => vec!["no document to resolve the schema in".to_owned()],
                (Err(e), _) => vec![format!("the body is not JSON: {e}")],
            }
        }
        BodyRule::Multipart {
            first,
            content_type: first_type,
            schema,
        } => check_multipart(
            spec,
            content_type.unwrap_or_default(),
            body,
            first,
            first_type,
            schema,
        ),
    }
}

fn check_multipart(
    spec: Option<&Spec>,
    content_type: &str,
    body: &[u8],
    first: &str,
    first_type: &str,
    schema: &Value,
) -> Vec<String> {
    if base_type(Some(content_type)) != "multipart/form-data" {
        return vec![format!(
            "expected multipart/form-data, got {content_type:?}"
        )];
    }
    let Some(parts) = multipart_parts(content_type, body) else {
        return vec!["the multipart body does not parse".to_owned()];
    };
    let mut out = Vec::new();
    match parts.first() {
        Some(part) if part.name == first => {
            if base_type(part.content_type.as_deref()) != first_type {
                out.push(format!(
                    "part `{first}` has content type {:?}",
                    part.content_type
                ));
            }
            match (serde_json::from_slice::<Value>(&part.body), spec) {
                (Ok(value), Some(spec)) => out.extend(
                    spec.validate(schema, &value)
                        .into_iter()
                        .map(|v| format!("part `{first}`: {v}")),
                ),
                (Ok(_), None) => out.push("no document to resolve the schema in".to_owned()),
                (Err(e), _) => out.push(format!("part `{first}` is not JSON: {e}")),
            }
        }
        _ => out.push(format!("the first part is not `{first}`")),
    }
    for part in parts.iter().skip(1) {
        if part.name.is_empty() || part.content_type.is_none() {
            out.push(format!(
                "part {:?} lacks a name or a content type",
                part.name
            ));
        }
        if part.body.is_empty() {
            out.push(format!("part `{}` is empty", part.name));
        }
    }
    out
}

struct Part {
    name: String,
    content_type: Option<String>,
    body: Vec<u8>,
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn multipart_parts(content_type: &str, body: &[u8]) -> Option<Vec<Part>> {
    let boundary = content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))?
        .trim_matches('"');
    let delimiter = format!("\r\n--{boundary}");
    let mut rest = body.strip_prefix(format!("--{boundary}").as_bytes())?;
    let mut parts = Vec::new();
    loop {
        if rest.starts_with(b"--") {
            return Some(parts);
        }
        rest = rest.strip_prefix(b"\r\n")?;
        let head_end = find(rest, b"\r\n\r\n")?;
        let head = String::from_utf8_lossy(&rest[..head_end]).into_owned();
        rest = &rest[head_end + 4..];
        let end = find(rest, delimiter.as_bytes())?;
        let mut part = Part {
            name: String::new(),
            content_type: None,
            body: rest[..end].to_vec(),
        };
        rest = &rest[end + delimiter.len()..];
        for line in head.split("\r\n") {
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            if key.eq_ignore_ascii_case("content-type") {
                part.content_type = Some(value.trim().to_owned());
            } else if key.eq_ignore_ascii_case("content-disposition") {
                for item in value.split(';').map(str::trim) {
                    if let Some(name) = item.strip_prefix("name=") {
                        part.name = name.trim_matches('"').to_owned();
                    }
                }
            }
        }
        parts.push(part);
    }
}
