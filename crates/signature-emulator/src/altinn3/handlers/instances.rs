//! The app's instances: create (multipart), get, and the per-instance access check.

use super::prelude::*;

/// The instance in the path, for its owner (a system user: with the `read` right on the
/// app); 404 / 403 as the app answers. `action` runs under the world's lock.
pub(crate) fn with_instance<T>(
    shared: &Shared,
    caller: &Caller,
    (org, app, party, guid): &(String, String, u64, String),
    action: impl FnOnce(&mut StoredInstance, &Caller) -> Result<T, Response>,
) -> Result<T, Response> {
    let app_id = format!("{org}/{app}");
    if !shared.apps.contains(&app_id) {
        return Err(problem(StatusCode::NOT_FOUND, "App not found", None));
    }
    let mut world = shared.world();
    let instance = world.instance_mut(&app_id, *party, guid).ok_or_else(|| {
        problem(
            StatusCode::NOT_FOUND,
            "Not Found",
            Some(&format!("Unable to find instance {guid}")),
        )
    })?;
    if instance.party_id != caller.0.party_id || !caller.1.may(&instance.app_id, "read") {
        return Err(StatusCode::FORBIDDEN.into_response());
    }
    action(instance, caller)
}

pub(crate) struct Part {
    name: String,
    filename: Option<String>,
    content_type: String,
    content: Vec<u8>,
}

pub(crate) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

pub(crate) fn parse_multipart(content_type: &str, body: &[u8]) -> Option<Vec<Part>> {
    let boundary = content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))?
        .trim_matches('"');
    let delimiter = format!("--{boundary}");
    let mut parts = Vec::new();
    let mut rest = &body[find(body, delimiter.as_bytes())? + delimiter.len()..];
    loop {
        if rest.starts_with(b"--") {
            return Some(parts);
        }
        rest = rest.strip_prefix(b"\r\n")?;
        let head_end = find(rest, b"\r\n\r\n")?;
        let head = String::from_utf8_lossy(&rest[..head_end]).into_owned();
        rest = &rest[head_end + 4..];
        let end = find(rest, format!("\r\n{delimiter}").as_bytes())?;
        let content = rest[..end].to_vec();
        rest = &rest[end + 2 + delimiter.len()..];
        let mut part = Part {
            name: String::new(),
            filename: None,
            content_type: "application/octet-stream".to_owned(),
            content,
        };
        for line in head.split("\r\n") {
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            if key.eq_ignore_ascii_case("content-type") {
                part.content_type = value.trim().to_owned();
            } else if key.eq_ignore_ascii_case("content-disposition") {
                for item in value.split(';').map(str::trim) {
                    if let Some(name) = item.strip_prefix("name=") {
                        part.name = name.trim_matches('"').to_owned();
                    } else if let Some(file) = item.strip_prefix("filename=") {
                        part.filename = Some(file.trim_matches('"').to_owned());
                    }
                }
            }
        }
        parts.push(part);
    }
}

/// Whether the app's data type `data_type` takes `content_type` (a base type).
pub(crate) fn allows_content_type(data_type: &str, content_type: &str) -> bool {
    app_metadata::data_type(data_type).is_some_and(|t| t.content_types.contains(&content_type))
}

pub(crate) async fn create_instance(
    State(shared): Shr,
    Caller(caller, access): Caller,
    Path((org, app)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let app_id = format!("{org}/{app}");
    if !shared.apps.contains(&app_id) {
        return problem(StatusCode::NOT_FOUND, "App not found", None);
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let Some(parts) = content_type
        .starts_with("multipart/form-data")
        .then(|| parse_multipart(content_type, &body))
        .flatten()
    else {
        return text(
            StatusCode::BAD_REQUEST,
            "The request is not a valid multipart/form-data request",
        );
    };
    let Some(template) = parts
        .iter()
        .find(|p| p.name == "instance")
        .and_then(|p| serde_json::from_slice::<Value>(&p.content).ok())
    else {
        return text(
            StatusCode::BAD_REQUEST,
            "Cannot instantiate without an instance template",
        );
    };
    let owner = &template["instanceOwner"];
    let owner_party = {
        let world = shared.world();
        if let Some(id) = owner["partyId"].as_str().and_then(|s| s.parse().ok()) {
            world.party(id).map(|p| p.party_id)
        } else if let Some(org) = owner["organisationNumber"].as_str() {
            world.party_by_org(org)
        } else if let Some(pid) = owner["personNumber"].as_str() {
            world.party_by_person(pid)
        } else {
            return text(
                StatusCode::BAD_REQUEST,
                "Cannot instantiate without an instance owner",
            );
        }
    };
    let Some(owner_party) = owner_party else {
        return problem(StatusCode::NOT_FOUND, "Cannot lookup party", None);
    };
    if owner_party != caller.party_id || !access.may(&app_id, "instantiate") {
        return problem(
            StatusCode::FORBIDDEN,
            "Forbidden",
            Some("The user is not authorized to instantiate for this party"),
        );
    }
    let created = now();
    let mut data = Vec::new();
    for part in parts.iter().filter(|p| p.name != "instance") {
        let base_type = part
            .content_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim();
        if !allows_content_type(&part.name, base_type) {
            return text(
                StatusCode::BAD_REQUEST,
                &format!(
                    "Error when comparing content to application metadata: data type {} does not allow {base_type}",
                    part.name
                ),
            );
        }
        // InstancesController.StoreParts runs the access checker's create check on each
        // part after the instance is made, and deletes the instance on a problem.
        if let Some(refusal) =
            app_metadata::data_type(&part.name).and_then(|t| write_problem(t, None))
        {
            return refusal;
        }
        data.push(StoredData {
            id: guid(),
            data_type: part.name.clone(),
            content_type: base_type.to_owned(),
            filename: part.filename.clone(),
            content: part.content.clone(),
            created: created.clone(),
            locked: false,
        });
    }
    let instance = {
        let mut world = shared.world();
        world.sequence += 1;
        let instance = StoredInstance {
            app_id,
            party_id: owner_party,
            guid: guid(),
            task: Some(0),
            started: created.clone(),
            task_started: created.clone(),
            ended: None,
            last_changed: created,
            data,
            signed_by: Vec::new(),
            signed_by_system_user: Vec::new(),
            due_before: template["dueBefore"].as_str().map(str::to_owned),
            created_by: caller.user_id.to_string(),
            dialog_id: guid(),
            sequence: world.sequence,
        };
        world.instances.push(instance.clone());
        instance
    };
    let body = instance_json(&shared, &instance, View::AppResponse);
    let mut response = json_ok(StatusCode::CREATED, &body);
    if let Ok(location) = HeaderValue::from_str(&app_base(&shared, &instance)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

pub(crate) type InstancePath = Path<(String, String, u64, String)>;

pub(crate) async fn get_instance(
    State(shared): Shr,
    Path(path): InstancePath,
    caller: Caller,
) -> Result<Response, Response> {
    let instance = with_instance(&shared, &caller, &path, |i, _| Ok(i.clone()))?;
    Ok(json_ok(
        StatusCode::OK,
        &instance_json(&shared, &instance, View::AppResponse),
    ))
}
