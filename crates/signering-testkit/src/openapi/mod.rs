//! Conformance of recorded HTTP exchanges to official OpenAPI 3.0 documents.
//!
//! A test records what a client sent and what a server answered ([`Exchange`]), then asks
//! a [`Conformance`] to judge each exchange: the operation is found by path template and
//! method in every loaded document ([`Spec`]), the path and query parameters are checked
//! against the operation's parameters (names, required, types), the request body against the
//! operation's `requestBody`, and the answer against `responses` for its status (declared
//! content type, and the JSON Schema of the body with `$ref`s into `components/schemas`
//! resolved). JSON is validated with the `jsonschema` crate (draft 4, the dialect OpenAPI
//! 3.0 schemas extend, with formats asserted).
//!
//! Services that publish no OpenAPI document are described by a [`FactRoute`] table, and
//! the few places where a document is known to disagree with the service's code by a
//! [`Departure`]; both carry the source they come from.
//!
//! OpenAPI 3.0 is not JSON Schema; the conversion ([`to_json_schema`]) maps `nullable` to a
//! `null` type, `format: int32` to its range and `uuid`/`guid` to a pattern. For documents
//! written by Swashbuckle (ASP.NET), whose OpenAPI 3.0 output cannot mark a `$ref` property
//! nullable although System.Text.Json writes `null` there, such properties also accept
//! `null` ([`Spec::nullable_refs`]).

use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::sync::{Arc, Mutex};

use serde_json::{Map, Value, json};

use body::{check_content, check_rule};
pub use schema::to_json_schema;

mod body;
mod schema;

/// One HTTP request and the answer to it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Exchange {
    /// `GET`, `PUT`, ...
    pub method: String,
    /// The path as sent (percent-encoded).
    pub path: String,
    /// The raw query string.
    pub query: Option<String>,
    /// The request's `Content-Type`.
    pub request_content_type: Option<String>,
    /// The request body.
    pub request_body: Vec<u8>,
    /// The answer's status.
    pub status: u16,
    /// The answer's `Content-Type`.
    pub response_content_type: Option<String>,
    /// The answer's body.
    pub response_body: Vec<u8>,
}

impl fmt::Display for Exchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.path)?;
        if let Some(query) = &self.query {
            write!(f, "?{query}")?;
        }
        write!(f, " -> {}", self.status)
    }
}

/// What a body must be, where a table (not an OpenAPI document) says so.
#[derive(Debug, Clone)]
pub enum BodyRule {
    /// No body.
    Empty,
    /// Any body (for example a downloaded file).
    Any,
    /// Non-empty plain text without surrounding whitespace (a bare string answer).
    Text,
    /// A JSON string (ASP.NET's answer for a bare string under `Accept: application/json`).
    JsonString,
    /// JSON valid against this schema (OpenAPI 3.0 dialect; `$ref`s into the
    /// `components/schemas` of the spec the table is checked with).
    Schema(Value),
    /// `multipart/form-data` whose part `first` comes first, with `content_type`, its JSON
    /// valid against `schema`; every other part has a name and a content type.
    Multipart {
        /// The name of the first part.
        first: &'static str,
        /// Its content type.
        content_type: &'static str,
        /// Its schema.
        schema: Value,
    },
}

/// A route of a service without an OpenAPI document, as its source code defines it.
#[derive(Debug, Clone)]
pub struct FactRoute {
    /// The method.
    pub method: &'static str,
    /// The full path template; `{name:int}` is an int32, `{name:guid}` a GUID, `{name}` any
    /// segment.
    pub template: &'static str,
    /// The query parameter names the route reads.
    pub query: &'static [&'static str],
    /// The request body.
    pub request: BodyRule,
    /// The statuses it answers, with their bodies.
    pub responses: Vec<(u16, BodyRule)>,
    /// Where these facts come from.
    pub source: &'static str,
}

/// A place where an OpenAPI document is known to differ from the service's code: the rule
/// replaces the document's declaration for that operation's request (`status: None`) or the
/// answer with that status.
#[derive(Debug, Clone)]
pub struct Departure {
    /// The method.
    pub method: &'static str,
    /// The operation's path template, as in the document.
    pub template: &'static str,
    /// The answer's status, or `None` for the request.
    pub status: Option<u16>,
    /// Only for documents whose file name contains this (`None`: all).
    pub spec: Option<&'static str>,
    /// What the service really sends or accepts.
    pub body: BodyRule,
    /// Where this comes from.
    pub source: &'static str,
}

/// One official OpenAPI 3.0 document.
pub struct Spec {
    name: String,
    mount: String,
    doc: Value,
    schemas: Value,
    nullable_refs: bool,
    validators: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

impl fmt::Debug for Spec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Spec")
            .field("name", &self.name)
            .field("mount", &self.mount)
            .finish_non_exhaustive()
    }
}

impl Spec {
    /// Reads a document (a UTF-8 BOM is skipped); its paths are served below `mount`
    /// (`""`, or for example `"/dialogporten"`).
    ///
    /// # Errors
    ///
    /// The file cannot be read or is not JSON.
    pub fn load(path: &Path, mount: &str) -> Result<Self, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let doc: Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(Self::from_value(&name, doc, mount))
    }

    /// A document already parsed.
    pub fn from_value(name: &str, doc: Value, mount: &str) -> Self {
        let mut spec = Self {
            name: name.to_owned(),
            mount: mount.trim_end_matches('/').to_owned(),
            doc,
            schemas: Value::Null,
            nullable_refs: false,
            validators: Mutex::new(HashMap::new()),
        };
        spec.rebuild();
        spec
    }

    /// The file name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Lets `$ref` properties be `null` (Swashbuckle's OpenAPI 3.0 output cannot say so).
    #[must_use]
    pub fn nullable_refs(mut self) -> Self {
        self.nullable_refs = true;
        self.rebuild();
        self
    }

    /// Replaces `components/schemas/{name}` (a documented correction of the document).
    #[must_use]
    pub fn patch_schema(mut self, name: &str, schema: Value) -> Self {
        if let Some(schemas) = self
            .doc
            .pointer_mut("/components/schemas")
            .and_then(Value::as_object_mut)
        {
            schemas.insert(name.to_owned(), schema);
        }
        self.rebuild();
        self
    }

    /// Rewrites a concrete path prefix to a template one (a per-app document names its own
    /// `/{org}/{app}`).
    #[must_use]
    pub fn generalise_prefix(mut self, concrete: &str, template: &str) -> Self {
        if let Some(paths) = self.doc.get_mut("paths").and_then(Value::as_object_mut) {
            let renamed: Map<String, Value> = std::mem::take(paths)
                .into_iter()
                .map(|(k, mut v)| match k.strip_prefix(concrete) {
                    Some(rest) => {
                        // The template's own segments become string path parameters.
                        let names = template
                            .split('/')
                            .filter_map(|p| p.strip_prefix('{')?.strip_suffix('}'));
                        let declared: Vec<Value> = names
                            .map(|name| {
                                json!({"name": name, "in": "path", "required": true,
                                       "schema": {"type": "string"}})
                            })
                            .collect();
                        if let Some(item) = v.as_object_mut() {
                            let params = item.entry("parameters").or_insert_with(|| json!([]));
                            if let Some(list) = params.as_array_mut() {
                                list.extend(declared);
                            }
                        }
                        (format!("{template}{rest}"), v)
                    }
                    None => (k, v),
                })
                .collect();
            *paths = renamed;
        }
        self
    }

    fn rebuild(&mut self) {
        let schemas = self
            .doc
            .pointer("/components/schemas")
            .cloned()
            .unwrap_or_else(|| json!({}));
        self.schemas =
            json!({"components": {"schemas": to_json_schema(&schemas, self.nullable_refs, true)}});
        if let Ok(mut cache) = self.validators.lock() {
            cache.clear();
        }
    }

    /// Follows a local `$ref` (`#/…`) in the raw document.
    fn deref<'a>(&'a self, value: &'a Value) -> &'a Value {
        let mut value = value;
        for _ in 0..8 {
            match value.get("$ref").and_then(Value::as_str) {
                Some(pointer) if pointer.starts_with("#/") => {
                    match self.doc.pointer(&pointer[1..]) {
                        Some(target) => value = target,
                        None => return value,
                    }
                }
                _ => return value,
            }
        }
        value
    }

    /// Validates `instance` against an OpenAPI schema fragment of this document.
    pub fn validate(&self, fragment: &Value, instance: &Value) -> Vec<String> {
        let key = fragment.to_string();
        let validator = {
            let mut cache = self
                .validators
                .lock()
                .unwrap_or_else(|poison| poison.into_inner());
            match cache.get(&key) {
                Some(validator) => validator.clone(),
                None => {
                    let mut root = self.schemas.clone();
                    root["allOf"] = json!([to_json_schema(fragment, self.nullable_refs, false)]);
                    match jsonschema::draft4::options()
                        .should_validate_formats(true)
                        .build(&root)
                    {
                        Ok(validator) => {
                            let validator = Arc::new(validator);
                            cache.insert(key, validator.clone());
                            validator
                        }
                        Err(error) => return vec![format!("unusable schema {fragment}: {error}")],
                    }
                }
            }
        };
        validator
            .iter_errors(instance)
            .map(|error| {
                let at = error.instance_path().to_string();
                format!("at `{}`: {error}", if at.is_empty() { "/" } else { &at })
            })
            .collect()
    }

    /// The operation for `method` and a request path, with the template it matched.
    fn operation(&self, method: &str, path: &str) -> Option<(String, Operation<'_>)> {
        let rest = path.strip_prefix(self.mount.as_str())?;
        let segments: Vec<&str> = rest.trim_start_matches('/').split('/').collect();
        let paths = self.doc.get("paths")?.as_object()?;
        let mut best: Option<(usize, &String, &Value)> = None;
        for (template, item) in paths {
            let parts: Vec<&str> = template.trim_start_matches('/').split('/').collect();
            if parts.len() != segments.len() {
                continue;
            }
            let mut literals = 0;
            let matches = parts.iter().zip(&segments).all(|(part, segment)| {
                if part.starts_with('{') && part.ends_with('}') {
                    !segment.is_empty()
                } else {
                    literals += 1;
                    part == segment
                }
            });
            let has_method = item.get(method.to_ascii_lowercase()).is_some();
            if matches && has_method && best.is_none_or(|(n, _, _)| literals > n) {
                best = Some((literals, template, item));
            }
        }
        let (_, template, item) = best?;
        let op = item.get(method.to_ascii_lowercase())?;
        let parts: Vec<&str> = template.trim_start_matches('/').split('/').collect();
        let path_values = parts
            .iter()
            .zip(&segments)
            .filter_map(|(part, segment)| {
                let name = part.strip_prefix('{')?.strip_suffix('}')?;
                Some((name.to_owned(), percent_decode(segment)))
            })
            .collect();
        let mut params: Vec<&Value> = Vec::new();
        for source in [op.get("parameters"), item.get("parameters")] {
            for param in source.and_then(Value::as_array).into_iter().flatten() {
                let param = self.deref(param);
                let key = (param.get("name"), param.get("in"));
                if !params.iter().any(|p| (p.get("name"), p.get("in")) == key) {
                    params.push(param);
                }
            }
        }
        Some((
            template.clone(),
            Operation {
                op,
                params,
                path_values,
            },
        ))
    }
}

struct Operation<'a> {
    op: &'a Value,
    params: Vec<&'a Value>,
    path_values: Vec<(String, String)>,
}

/// Judges exchanges against a set of documents, fact tables and known departures.
#[derive(Debug, Default)]
pub struct Conformance {
    specs: Vec<Spec>,
    fallbacks: Vec<Spec>,
    facts: Vec<FactRoute>,
    fact_schemas: Option<Spec>,
    departures: Vec<Departure>,
}

/// The verdict on one exchange.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verdict {
    /// Each operation it was judged by: `"{document}: {METHOD} {template}"`.
    pub operations: Vec<String>,
    /// What does not conform (empty when it all does).
    pub violations: Vec<String>,
}

impl Conformance {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a document.
    #[must_use]
    pub fn spec(mut self, spec: Spec) -> Self {
        self.specs.push(spec);
        self
    }

    /// Adds a document consulted only for operations no other document has (for example a
    /// hand-written per-app document that describes a few more routes, less exactly).
    #[must_use]
    pub fn fallback_spec(mut self, spec: Spec) -> Self {
        self.fallbacks.push(spec);
        self
    }

    /// The loaded documents.
    pub fn specs(&self) -> &[Spec] {
        &self.specs
    }

    /// Adds routes of services without a document; their schemas resolve in `schemas`.
    #[must_use]
    pub fn facts(mut self, schemas: Spec, routes: Vec<FactRoute>) -> Self {
        self.fact_schemas = Some(schemas);
        self.facts.extend(routes);
        self
    }

    /// Adds known departures of the documents from the services' code.
    #[must_use]
    pub fn departures(mut self, departures: Vec<Departure>) -> Self {
        self.departures.extend(departures);
        self
    }

    /// Judges one exchange.
    pub fn check(&self, exchange: &Exchange) -> Verdict {
        let mut verdict = Verdict::default();
        let primary: Vec<_> = self
            .specs
            .iter()
            .filter_map(|spec| Some((spec, spec.operation(&exchange.method, &exchange.path)?)))
            .collect();
        let matched = if primary.is_empty() {
            self.fallbacks
                .iter()
                .filter_map(|spec| Some((spec, spec.operation(&exchange.method, &exchange.path)?)))
                .collect()
        } else {
            primary
        };
        for (spec, (template, operation)) in matched {
            verdict
                .operations
                .push(format!("{}: {} {template}", spec.name, exchange.method));
            let departures: Vec<&Departure> = self
                .departures
                .iter()
                .filter(|d| d.method == exchange.method && d.template == template)
                .filter(|d| d.spec.is_none_or(|name| spec.name.contains(name)))
                .collect();
            for violation in check_operation(spec, &operation, &departures, exchange) {
                verdict.violations.push(format!(
                    "{exchange}: {} {} {template}: {violation}",
                    spec.name, exchange.method
                ));
            }
        }
        for route in self
            .facts
            .iter()
            .filter(|r| r.method == exchange.method && template_matches(r.template, &exchange.path))
        {
            verdict
                .operations
                .push(format!("facts: {} {}", route.method, route.template));
            for violation in self.check_fact(route, exchange) {
                verdict.violations.push(format!(
                    "{exchange}: {} {} ({}): {violation}",
                    route.method, route.template, route.source
                ));
            }
        }
        if verdict.operations.is_empty() {
            verdict.violations.push(format!(
                "{exchange}: no operation of any official document or fact table matches"
            ));
        }
        verdict
    }

    /// Judges every exchange; returns the operations seen and all violations.
    pub fn check_all<'a>(
        &self,
        exchanges: impl IntoIterator<Item = &'a Exchange>,
    ) -> (Vec<String>, Vec<String>) {
        let mut operations = Vec::new();
        let mut violations = Vec::new();
        for exchange in exchanges {
            let verdict = self.check(exchange);
            for op in verdict.operations {
                if !operations.contains(&op) {
                    operations.push(op);
                }
            }
            violations.extend(verdict.violations);
        }
        (operations, violations)
    }

    fn check_fact(&self, route: &FactRoute, exchange: &Exchange) -> Vec<String> {
        let mut out = Vec::new();
        for (name, _) in query_pairs(exchange.query.as_deref()) {
            if !route.query.contains(&name.as_str()) {
                out.push(format!("query parameter `{name}` is not read by the route"));
            }
        }
        let schemas = self.fact_schemas.as_ref();
        out.extend(
            check_rule(
                schemas,
                &route.request,
                exchange.request_content_type.as_deref(),
                &exchange.request_body,
            )
            .into_iter()
            .map(|v| format!("request: {v}")),
        );
        match route.responses.iter().find(|(s, _)| *s == exchange.status) {
            Some((_, rule)) => out.extend(
                check_rule(
                    schemas,
                    rule,
                    exchange.response_content_type.as_deref(),
                    &exchange.response_body,
                )
                .into_iter()
                .map(|v| format!("answer {}: {v}", exchange.status)),
            ),
            None => out.push(format!(
                "status {} is not one the route answers",
                exchange.status
            )),
        }
        out
    }
}

fn check_operation(
    spec: &Spec,
    operation: &Operation<'_>,
    departures: &[&Departure],
    exchange: &Exchange,
) -> Vec<String> {
    let mut out = Vec::new();
    // Path parameters.
    for (name, value) in &operation.path_values {
        match operation
            .params
            .iter()
            .find(|p| p["in"] == "path" && p["name"] == name.as_str())
        {
            Some(param) => {
                let schema = param.get("schema").cloned().unwrap_or(json!({}));
                for v in spec.validate(&schema, &coerce(spec, &schema, value)) {
                    out.push(format!("path parameter `{name}` = {value:?}: {v}"));
                }
            }
            None => out.push(format!("path parameter `{name}` is not declared")),
        }
    }
    // Query parameters.
    let pairs = query_pairs(exchange.query.as_deref());
    for param in operation.params.iter().filter(|p| p["in"] == "query") {
        let name = param["name"].as_str().unwrap_or_default();
        let values: Vec<&String> = pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v)
            .collect();
        let schema = param.get("schema").cloned().unwrap_or(json!({}));
        if values.is_empty() {
            if param["required"] == true {
                out.push(format!("required query parameter `{name}` is missing"));
            }
            continue;
        }
        let is_array = spec.deref(&schema).get("type") == Some(&json!("array"));
        let instance = if is_array {
            let items = schema.get("items").cloned().unwrap_or(json!({}));
            Value::Array(values.iter().map(|v| coerce(spec, &items, v)).collect())
        } else {
            if values.len() > 1 {
                out.push(format!(
                    "query parameter `{name}` is repeated but not an array"
                ));
            }
            coerce(spec, &schema, values[0])
        };
        for v in spec.validate(&schema, &instance) {
            out.push(format!("query parameter `{name}`: {v}"));
        }
    }
    for (name, _) in &pairs {
        if !operation
            .params
            .iter()
            .any(|p| p["in"] == "query" && p["name"] == name.as_str())
        {
            out.push(format!("query parameter `{name}` is not declared"));
        }
    }
    // The request body.
    if let Some(departure) = departures.iter().find(|d| d.status.is_none()) {
        out.extend(departed(
            spec,
            departure,
            "request",
            exchange.request_content_type.as_deref(),
            &exchange.request_body,
        ));
    } else {
        match operation.op.get("requestBody").map(|b| spec.deref(b)) {
            None if !exchange.request_body.is_empty() => {
                out.push("the operation takes no request body, but one was sent".to_owned());
            }
            None => {}
            Some(_) if exchange.request_body.is_empty() => {
                let required = operation.op["requestBody"]["required"] == true;
                if required {
                    out.push("the request body is required but missing".to_owned());
                }
            }
            Some(body) => out.extend(
                check_content(
                    spec,
                    body.get("content"),
                    exchange.request_content_type.as_deref(),
                    &exchange.request_body,
                )
                .into_iter()
                .map(|v| format!("request: {v}")),
            ),
        }
    }
    // The answer.
    let status = exchange.status.to_string();
    if let Some(departure) = departures
        .iter()
        .find(|d| d.status == Some(exchange.status))
    {
        out.extend(departed(
            spec,
            departure,
            &format!("answer {status}"),
            exchange.response_content_type.as_deref(),
            &exchange.response_body,
        ));
        return out;
    }
    let declared = operation
        .op
        .get("responses")
        .and_then(|r| r.get(&status).or_else(|| r.get("default")))
        .map(|r| spec.deref(r));
    match declared {
        // The authentication layer in front of every operation answers 401/403 without a
        // body (JwtBearer's challenge, `Forbid()`), declared or not.
        _ if matches!(exchange.status, 401 | 403) && exchange.response_body.is_empty() => {}
        None => out.push(format!("status {status} is not declared")),
        Some(response) => match response.get("content") {
            Some(content) if content.as_object().is_some_and(|c| !c.is_empty()) => out.extend(
                check_content(
                    spec,
                    Some(content),
                    exchange.response_content_type.as_deref(),
                    &exchange.response_body,
                )
                .into_iter()
                .map(|v| format!("answer {status}: {v}")),
            ),
            // Declared without content: the document says nothing about the body.
            _ => {}
        },
    }
    out
}

/// One side of an exchange judged by a known departure's rule instead of the document: its
/// violations, each after `side` (`request`, `answer 200`) and the departure's source.
fn departed(
    spec: &Spec,
    departure: &Departure,
    side: &str,
    content_type: Option<&str>,
    body: &[u8],
) -> Vec<String> {
    check_rule(Some(spec), &departure.body, content_type, body)
        .into_iter()
        .map(|v| format!("{side} ({}): {v}", departure.source))
        .collect()
}

fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

fn percent_decode(segment: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", segment.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| segment.to_owned())
}

/// A raw parameter value as the JSON the schema expects (numbers and booleans parsed).
fn coerce(spec: &Spec, schema: &Value, raw: &str) -> Value {
    let kind = spec
        .deref(schema)
        .get("type")
        .cloned()
        .unwrap_or(Value::Null);
    match kind.as_str() {
        Some("integer") => raw
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| Value::String(raw.to_owned())),
        Some("number") => raw
            .parse::<f64>()
            .ok()
            .and_then(|n| serde_json::Number::from_f64(n).map(Value::Number))
            .unwrap_or_else(|| Value::String(raw.to_owned())),
        Some("boolean") => match raw {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(raw.to_owned()),
        },
        _ => Value::String(raw.to_owned()),
    }
}

fn template_matches(template: &str, path: &str) -> bool {
    let parts: Vec<&str> = template.trim_start_matches('/').split('/').collect();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    parts.len() == segments.len()
        && parts.iter().zip(&segments).all(|(part, segment)| {
            match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                Some(name) if name.ends_with(":int") => segment
                    .parse::<i64>()
                    .is_ok_and(|n| i32::try_from(n).is_ok()),
                Some(name) if name.ends_with(":guid") => is_guid(segment),
                Some(_) => !segment.is_empty(),
                None => part == segment,
            }
        })
}

fn is_guid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups
            .iter()
            .all(|g| g.chars().all(|c| c.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests;
