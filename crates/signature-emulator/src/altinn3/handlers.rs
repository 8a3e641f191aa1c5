//! Routes and handlers of the Altinn 3 emulator.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde_json::{Value, json};

use super::state::{Party, StoredData, StoredInstance};
use super::{DOCUMENT_DATA_TYPE, MODEL_DATA_TYPE, PROCESS, SIGNATURE_DATA_TYPE, Shared};
use crate::altinn::auth::{random_hex, unsigned_token};
use crate::altinn::pdf;

type Shr = State<Arc<Shared>>;

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/authentication/api/v1/exchange/{provider}", get(exchange))
        .route("/{org}/{app}/instances", post(create_instance))
        .route("/{org}/{app}/instances/{party}/{guid}", get(get_instance))
        .route(
            "/{org}/{app}/instances/{party}/{guid}/process",
            get(get_process),
        )
        .route(
            "/{org}/{app}/instances/{party}/{guid}/process/next",
            put(process_next),
        )
        .route(
            "/{org}/{app}/instances/{party}/{guid}/actions",
            post(actions),
        )
        .route(
            "/{org}/{app}/instances/{party}/{guid}/signing",
            get(signing),
        )
        .route(
            "/{org}/{app}/instances/{party}/{guid}/signing/data-elements",
            get(signing_data_elements),
        )
        .route(
            "/{org}/{app}/instances/{party}/{guid}/data/{data}",
            get(app_data),
        )
        .route("/storage/api/v1/instances", get(storage_query))
        .route(
            "/storage/api/v1/instances/{party}/{guid}",
            get(storage_instance),
        )
        .route(
            "/storage/api/v1/instances/{party}/{guid}/data/{data}",
            get(storage_data),
        )
        .route("/dialogporten/api/v1/enduser/dialogs", get(search_dialogs))
        .route("/dialogporten/api/v1/enduser/dialogs/{id}", get(get_dialog))
        .with_state(shared)
}

// ---- helpers

fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn guid() -> String {
    let h = random_hex();
    format!(
        "{}-{}-4{}-8{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

fn problem(status: StatusCode, title: &str, detail: Option<&str>) -> Response {
    let mut body = json!({
        "type": format!("https://tools.ietf.org/html/rfc9110#section-15.{}", if status.is_client_error() { "5" } else { "6" }),
        "title": title,
        "status": status.as_u16(),
    });
    if let Some(detail) = detail {
        body["detail"] = json!(detail);
    }
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
}

fn text(status: StatusCode, message: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        message.to_owned(),
    )
        .into_response()
}

/// A bare string as ASP.NET writes it under `[Produces("application/json")]` (Storage).
fn json_string(status: StatusCode, message: &str) -> Response {
    json_ok(status, &json!(message))
}

fn unauthorized() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, "Bearer")],
    )
        .into_response()
}

fn json_ok(status: StatusCode, value: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        value.to_string(),
    )
        .into_response()
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// The caller of an app or Storage call: an Altinn token from the exchange.
fn caller(shared: &Shared, headers: &HeaderMap) -> Result<Party, Response> {
    let world = shared.world();
    let party_id = bearer(headers)
        .and_then(|token| world.altinn_tokens.get(token))
        .filter(|(_, expires_at)| Instant::now() < *expires_at)
        .map(|(party, _)| *party)
        .ok_or_else(unauthorized)?;
    world.party(party_id).cloned().ok_or_else(unauthorized)
}

/// Dialogporten also accepts an ID-porten token directly.
fn dialog_caller(shared: &Shared, headers: &HeaderMap) -> Result<Party, Response> {
    caller(shared, headers).or_else(|refusal| {
        let world = shared.world();
        bearer(headers)
            .and_then(|token| world.external_tokens.get(token))
            .filter(|t| t.provider == "id-porten" && Instant::now() < t.expires_at)
            .and_then(|t| world.party(t.party_id).cloned())
            .ok_or(refusal)
    })
}

fn query_pairs(raw: Option<&str>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

/// The instance in the path, for its owner; 404 / 403 as the app answers.
fn with_instance<T>(
    shared: &Shared,
    headers: &HeaderMap,
    (org, app, party, guid): &(String, String, u64, String),
    action: impl FnOnce(&mut StoredInstance, &Party) -> Result<T, Response>,
) -> Result<T, Response> {
    let caller = caller(shared, headers)?;
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
    if instance.party_id != caller.party_id {
        return Err(StatusCode::FORBIDDEN.into_response());
    }
    action(instance, &caller)
}

fn app_base(shared: &Shared, instance: &StoredInstance) -> String {
    format!(
        "{}/{}/instances/{}/{}",
        shared.base_url, instance.app_id, instance.party_id, instance.guid
    )
}

fn storage_base(shared: &Shared, instance: &StoredInstance) -> String {
    format!(
        "{}/storage/api/v1/instances/{}/{}",
        shared.base_url, instance.party_id, instance.guid
    )
}

/// Which serialisation of an instance: the app's `InstanceResponse` (GET/POST instances),
/// the Storage model as the app writes it (System.Text.Json: nulls kept, `readStatus` an
/// integer; inside `UserActionResponse`), or as Storage writes it (Newtonsoft: nulls
/// left out, `readStatus` a string).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum View {
    AppResponse,
    AppModel,
    Storage,
}

fn data_json(shared: &Shared, instance: &StoredInstance, data: &StoredData, view: View) -> Value {
    let mut links =
        json!({"platform": format!("{}/data/{}", storage_base(shared, instance), data.id)});
    if view != View::Storage {
        // Storage answers carry only the platform link (audit L6).
        links["apps"] = json!(format!("{}/data/{}", app_base(shared, instance), data.id));
    }
    let value = json!({
        "id": data.id,
        "instanceGuid": instance.guid,
        "dataType": data.data_type,
        "filename": data.filename,
        "contentType": data.content_type,
        "size": data.content.len(),
        "locked": data.locked,
        "isRead": true,
        "created": data.created,
        "createdBy": instance.created_by,
        "lastChanged": data.created,
        "lastChangedBy": instance.created_by,
        "selfLinks": links,
    });
    finish(value, view)
}

/// Newtonsoft's `NullValueHandling.Ignore` for Storage answers.
fn finish(mut value: Value, view: View) -> Value {
    if view == View::Storage {
        strip_nulls(&mut value);
    }
    value
}

fn strip_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(strip_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}

/// The current task as Storage's `ProcessElementInfo` (what instances carry).
fn task_info(instance: &StoredInstance, index: usize) -> Value {
    let (element_id, kind) = PROCESS[index];
    json!({
        "flow": index + 2,
        "started": instance.task_started,
        "elementId": element_id,
        "name": element_id,
        "altinnTaskType": kind,
        "ended": null,
        "validated": null,
        "flowType": "CompleteCurrentMoveToNext",
    })
}

/// Storage's `ProcessState`: no `actions`, `userActions` or `processTasks` (audit M6).
fn storage_process_json(instance: &StoredInstance) -> Value {
    json!({
        "started": instance.started,
        "startEvent": "StartEvent_1",
        "currentTask": instance.task.map(|i| task_info(instance, i)),
        "ended": instance.ended,
        "endEvent": instance.ended.as_ref().map(|_| "EndEvent_1"),
    })
}

/// The app's `AppProcessState` (`GET …/process`, `PUT …/process/next`): the task with the
/// caller's authorised actions.
fn process_json(instance: &StoredInstance) -> Value {
    let tasks: Vec<Value> = PROCESS
        .iter()
        .map(|(id, kind)| json!({"elementId": id, "altinnTaskType": kind, "elementType": "Task"}))
        .collect();
    let mut state = storage_process_json(instance);
    state["processTasks"] = json!(tasks);
    if let Some(index) = instance.task {
        let kind = PROCESS[index].1;
        let actions = match kind {
            "data" => json!({"read": true, "write": true}),
            "signing" => json!({"read": true, "write": true, "sign": true, "reject": true}),
            _ => json!({"read": true, "write": true, "confirm": true}),
        };
        let user_actions: Vec<Value> = actions
            .as_object()
            .map(|m| {
                m.keys()
                    .map(|k| json!({"id": k, "authorized": true, "type": "ProcessAction"}))
                    .collect()
            })
            .unwrap_or_default();
        let task = &mut state["currentTask"];
        task["actions"] = actions;
        task["userActions"] = json!(user_actions);
        task["read"] = json!(true);
        task["write"] = json!(true);
        task["elementType"] = json!("Task");
    }
    state
}

/// The app's `PartyResponse` of the owner (partyTypeName 1 = person, 2 = organisation).
fn party_json(party: &Party) -> Value {
    json!({
        "partyId": party.party_id,
        "partyUuid": party.uuid(),
        "partyTypeName": if party.person_number.is_some() { 1 } else { 2 },
        "ssn": party.person_number,
        "orgNumber": party.organisation_number,
        "unitType": party.organisation_number.as_ref().map(|_| "AS"),
        "name": party.name,
        "isDeleted": false,
    })
}

fn instance_json(shared: &Shared, instance: &StoredInstance, view: View) -> Value {
    let owner_party = shared.world().party(instance.party_id).cloned();
    let mut owner = json!({
        "partyId": instance.party_id.to_string(),
        "personNumber": owner_party.as_ref().and_then(|p| p.person_number.clone()),
        "organisationNumber": owner_party.as_ref().and_then(|p| p.organisation_number.clone()),
        "username": null,
        "externalIdentifier": null,
    });
    if view == View::AppResponse {
        owner["party"] = owner_party.as_ref().map(party_json).unwrap_or(Value::Null);
    }
    let (org, _) = instance.app_id.split_once('/').unwrap_or_default();
    let archived = instance.task.is_none();
    let value = json!({
        "id": format!("{}/{}", instance.party_id, instance.guid),
        "instanceOwner": owner,
        "appId": instance.app_id,
        "org": org,
        "selfLinks": {
            "apps": if view == View::Storage { Value::Null } else { json!(app_base(shared, instance)) },
            "platform": storage_base(shared, instance),
        },
        "dueBefore": instance.due_before,
        "visibleAfter": null,
        "process": storage_process_json(instance),
        "status": {
            "isArchived": archived,
            "archived": instance.ended,
            "isSoftDeleted": false,
            "softDeleted": null,
            "isHardDeleted": false,
            "hardDeleted": null,
            // ReadStatus.Read: an integer from the app, a string from Storage (audit L5).
            "readStatus": if view == View::Storage { json!("Read") } else { json!(1) },
            "substatus": null,
        },
        "completeConfirmations": null,
        "data": instance.data.iter().map(|d| data_json(shared, instance, d, view)).collect::<Vec<_>>(),
        "presentationTexts": null,
        "dataValues": null,
        "created": instance.started,
        "createdBy": instance.created_by,
        "lastChanged": instance.last_changed,
        "lastChangedBy": instance.created_by,
    });
    finish(value, view)
}

fn data_answer(data: &StoredData) -> Response {
    let mut response = (StatusCode::OK, data.content.clone()).into_response();
    if let Ok(value) = HeaderValue::from_str(&data.content_type) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    if let Some(file) = &data.filename {
        let safe: String = file
            .chars()
            .filter(|c| c.is_ascii_graphic() && *c != '"')
            .collect();
        if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{safe}\"")) {
            response
                .headers_mut()
                .insert(header::CONTENT_DISPOSITION, value);
        }
    }
    response
}

// ---- token exchange

async fn exchange(
    State(shared): Shr,
    Path(provider): Path<String>,
    headers: HeaderMap,
) -> Response {
    let provider = provider.to_ascii_lowercase();
    if provider != "maskinporten" && provider != "id-porten" {
        return text(
            StatusCode::BAD_REQUEST,
            &format!(
                "Invalid token provider: {provider}. Trusted token providers are 'Maskinporten', 'Id-porten' and 'AltinnStudio'."
            ),
        );
    }
    let party_id = {
        let world = shared.world();
        let Some(token) = bearer(&headers).and_then(|t| world.external_tokens.get(t)) else {
            return unauthorized();
        };
        if token.provider != provider || Instant::now() >= token.expires_at {
            return unauthorized();
        }
        token.party_id
    };
    let lifetime = shared.token_lifetime;
    let token = unsigned_token(
        lifetime,
        json!({"urn:altinn:partyid": party_id, "urn:altinn:authlevel": 3,
               "urn:altinn:authenticatemethod": provider}),
    );
    shared
        .world()
        .altinn_tokens
        .insert(token.clone(), (party_id, Instant::now() + lifetime));
    shared.exchanges.fetch_add(1, Ordering::Relaxed);
    text(StatusCode::OK, &token)
}

// ---- app API

struct Part {
    name: String,
    filename: Option<String>,
    content_type: String,
    content: Vec<u8>,
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn parse_multipart(content_type: &str, body: &[u8]) -> Option<Vec<Part>> {
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

fn allowed_content_type(data_type: &str) -> Option<&'static str> {
    match data_type {
        MODEL_DATA_TYPE => Some("application/xml"),
        DOCUMENT_DATA_TYPE => Some("application/pdf"),
        _ => None,
    }
}

async fn create_instance(
    State(shared): Shr,
    Path((org, app)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let caller = match caller(&shared, &headers) {
        Ok(caller) => caller,
        Err(refusal) => return refusal,
    };
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
    if owner_party != caller.party_id {
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
        if allowed_content_type(&part.name) != Some(base_type) {
            return text(
                StatusCode::BAD_REQUEST,
                &format!(
                    "Error when comparing content to application metadata: data type {} does not allow {base_type}",
                    part.name
                ),
            );
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

type InstancePath = Path<(String, String, u64, String)>;

async fn get_instance(
    State(shared): Shr,
    Path(path): InstancePath,
    headers: HeaderMap,
) -> Response {
    let result = with_instance(&shared, &headers, &path, |i, _| Ok(i.clone()));
    match result {
        Ok(instance) => json_ok(
            StatusCode::OK,
            &instance_json(&shared, &instance, View::AppResponse),
        ),
        Err(refusal) => refusal,
    }
}

async fn get_process(State(shared): Shr, Path(path): InstancePath, headers: HeaderMap) -> Response {
    match with_instance(&shared, &headers, &path, |i, _| Ok(process_json(i))) {
        Ok(state) => json_ok(StatusCode::OK, &state),
        Err(refusal) => refusal,
    }
}

fn not_authorized(action: &str, task: &str) -> Response {
    problem(
        StatusCode::FORBIDDEN,
        "Unauthorized",
        Some(&format!(
            "User is not authorized to perform action {action} on task {task}"
        )),
    )
}

/// Records `party`'s signature over the documents, as Storage's sign call does.
fn record_signature(instance: &mut StoredInstance, party: &Party) {
    if instance.signed_by.iter().any(|(p, _)| *p == party.party_id) {
        return;
    }
    let signed_time = now();
    let signatures: Vec<Value> = instance
        .data
        .iter()
        .filter(|d| d.data_type == DOCUMENT_DATA_TYPE)
        .map(|d| {
            let hash = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &d.content);
            let hex: String = hash.as_ref().iter().map(|b| format!("{b:02x}")).collect();
            json!({"dataElementId": d.id, "sha256Hash": hex, "signed": true})
        })
        .collect();
    for data in instance
        .data
        .iter_mut()
        .filter(|d| d.data_type == DOCUMENT_DATA_TYPE)
    {
        data.locked = true;
    }
    let id = guid();
    let mut signee = json!({"userId": party.user_id.to_string()});
    if let Some(pid) = &party.person_number {
        signee["personNumber"] = json!(pid);
    }
    if let Some(org) = &party.organisation_number {
        signee["organisationNumber"] = json!(org);
    }
    let document = json!({
        "id": id,
        "instanceGuid": instance.guid,
        "signedTime": signed_time,
        "signeeInfo": signee,
        "dataElementSignatures": signatures,
    });
    instance.data.push(StoredData {
        id,
        data_type: SIGNATURE_DATA_TYPE.to_owned(),
        content_type: "application/json".to_owned(),
        filename: Some("signature.json".to_owned()),
        content: document.to_string().into_bytes(),
        created: signed_time.clone(),
        locked: true,
    });
    instance
        .signed_by
        .push((party.party_id, signed_time.clone()));
    instance.last_changed = signed_time;
}

fn advance(instance: &mut StoredInstance) {
    let stamp = now();
    instance.task = match instance.task {
        Some(index) if index + 1 < PROCESS.len() => Some(index + 1),
        _ => {
            instance.ended = Some(stamp.clone());
            None
        }
    };
    instance.task_started = stamp.clone();
    instance.last_changed = stamp.clone();
    if instance.task.map(|i| PROCESS[i].1) == Some("signing")
        && !instance
            .data
            .iter()
            .any(|d| d.data_type == DOCUMENT_DATA_TYPE)
    {
        let lines = vec![
            format!("Instance {}", instance.guid),
            format!("App {}", instance.app_id),
            "Rendered for signing by the Altinn 3 emulator".to_owned(),
        ];
        instance.data.push(StoredData {
            id: guid(),
            data_type: DOCUMENT_DATA_TYPE.to_owned(),
            content_type: "application/pdf".to_owned(),
            filename: Some("skjema.pdf".to_owned()),
            content: pdf::print(&lines),
            created: stamp,
            locked: false,
        });
    }
}

async fn process_next(
    State(shared): Shr,
    Path(path): InstancePath,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let action = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v.get("action").and_then(Value::as_str).map(str::to_owned));
    let result = with_instance(&shared, &headers, &path, |instance, caller| {
        let Some(index) = instance.task else {
            return Err(problem(StatusCode::CONFLICT, "Process is ended.", None));
        };
        let (task, kind) = PROCESS[index];
        let action = action.unwrap_or_else(|| {
            match kind {
                "signing" => "sign",
                "confirmation" => "confirm",
                _ => "write",
            }
            .to_owned()
        });
        match (kind, action.as_str()) {
            ("data", "write") | ("confirmation", "confirm") => advance(instance),
            ("signing", "sign") => {
                record_signature(instance, caller);
                instance.signed_by.clear();
                advance(instance);
            }
            ("signing", "reject") => {
                instance.task = Some(0);
                instance.task_started = now();
            }
            _ => return Err(not_authorized(&action, task)),
        }
        Ok(process_json(instance))
    });
    match result {
        Ok(state) => json_ok(StatusCode::OK, &state),
        Err(refusal) => refusal,
    }
}

async fn actions(
    State(shared): Shr,
    Path(path): InstancePath,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let action = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v.get("action").and_then(Value::as_str).map(str::to_owned))
        .filter(|a| !a.is_empty());
    let guid = path.3.clone();
    let result = with_instance(&shared, &headers, &path, |instance, caller| {
        let Some(action) = action else {
            let mut body = json!({"type": "https://tools.ietf.org/html/rfc9110#section-15.5.1",
                "title": "Action is missing", "detail": "Action is missing in the request",
                "status": 400, "instance": guid});
            body["status"] = json!(400);
            let mut response = json_ok(StatusCode::BAD_REQUEST, &body);
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/problem+json"),
            );
            return Err(response);
        };
        let Some(index) = instance.task else {
            return Err(json_string(StatusCode::CONFLICT, "Process is ended."));
        };
        if action != "sign" {
            return Err(json_ok(
                StatusCode::NOT_FOUND,
                &json!({"instance": null, "updatedDataModels": null, "updatedValidationIssues": null,
                        "clientActions": null, "redirectUrl": null,
                        "error": {"code": "ActionNotFound", "message": format!("Action handler with id {action} not found")}}),
            ));
        }
        if PROCESS[index].1 != "signing" {
            return Err(StatusCode::FORBIDDEN.into_response());
        }
        record_signature(instance, caller);
        Ok(instance.clone())
    });
    match result {
        Ok(instance) => json_ok(
            StatusCode::OK,
            &json!({"instance": instance_json(&shared, &instance, View::AppModel),
                    "updatedDataModels": {}, "updatedValidationIssues": {},
                    "clientActions": [], "error": null, "redirectUrl": null}),
        ),
        Err(refusal) => refusal,
    }
}

fn at_signing(instance: &StoredInstance) -> Result<(), Response> {
    if instance.task.map(|i| PROCESS[i].1) == Some("signing") {
        Ok(())
    } else {
        Err(problem(
            StatusCode::BAD_REQUEST,
            "Not a signing task",
            Some("This endpoint is only callable while the current task is a signing task."),
        ))
    }
}

async fn signing(State(shared): Shr, Path(path): InstancePath, headers: HeaderMap) -> Response {
    let result = with_instance(&shared, &headers, &path, |instance, _| {
        at_signing(instance)?;
        Ok(instance.signed_by.clone())
    });
    match result {
        Ok(signed_by) => {
            let world = shared.world();
            let states: Vec<Value> = signed_by
                .iter()
                .map(|(party_id, time)| {
                    let party = world.party(*party_id);
                    let person = party.and_then(|p| p.person_number.as_ref()).is_some();
                    json!({
                        "name": party.filter(|_| person).map(|p| p.name.clone()),
                        "organization": party.filter(|_| !person).map(|p| p.name.clone()),
                        "delegationSuccessful": true,
                        "notificationStatus": "NotSent",
                        "partyId": party_id,
                        "signedTime": time,
                    })
                })
                .collect();
            json_ok(StatusCode::OK, &json!({"signeeStates": states}))
        }
        Err(refusal) => refusal,
    }
}

async fn signing_data_elements(
    State(shared): Shr,
    Path(path): InstancePath,
    headers: HeaderMap,
) -> Response {
    let result = with_instance(&shared, &headers, &path, |instance, _| {
        at_signing(instance)?;
        Ok(instance.clone())
    });
    match result {
        Ok(instance) => {
            let elements: Vec<Value> = instance
                .data
                .iter()
                .filter(|d| d.data_type == DOCUMENT_DATA_TYPE)
                .map(|d| data_json(&shared, &instance, d, View::AppModel))
                .collect();
            json_ok(StatusCode::OK, &json!({"dataElements": elements}))
        }
        Err(refusal) => refusal,
    }
}

async fn app_data(
    State(shared): Shr,
    Path((org, app, party, guid, data)): Path<(String, String, u64, String, String)>,
    headers: HeaderMap,
) -> Response {
    let result = with_instance(
        &shared,
        &headers,
        &(org, app, party, guid),
        |instance, _| {
            instance
                .data
                .iter()
                .find(|d| d.id == data)
                .cloned()
                .ok_or_else(|| {
                    problem(
                        StatusCode::NOT_FOUND,
                        "Not Found",
                        Some("Did not find data element"),
                    )
                })
        },
    );
    match result {
        Ok(data) => data_answer(&data),
        Err(refusal) => refusal,
    }
}

// ---- Storage

async fn storage_query(
    State(shared): Shr,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    let caller = match caller(&shared, &headers) {
        Ok(caller) => caller,
        Err(refusal) => return refusal,
    };
    let pairs = query_pairs(raw.as_deref());
    let param = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let Some(party) = param("instanceOwner.partyId") else {
        return json_string(
            StatusCode::BAD_REQUEST,
            "Either InstanceOwnerPartyId or InstanceOwnerIdentifier need to be defined.",
        );
    };
    let Ok(party) = party.parse::<u64>() else {
        return json_string(
            StatusCode::BAD_REQUEST,
            "instanceOwner.partyId must be a number",
        );
    };
    if party != caller.party_id {
        return StatusCode::FORBIDDEN.into_response();
    }
    let size = param("size")
        .and_then(|s| s.parse::<usize>().ok())
        .unwrap_or(100)
        .max(1);
    let offset = match param("continuationToken") {
        Some(token) => match token.parse::<usize>() {
            Ok(offset) => offset,
            Err(_) => return json_string(StatusCode::BAD_REQUEST, "Invalid continuation token"),
        },
        None => 0,
    };
    let mut matching: Vec<StoredInstance> = shared
        .world()
        .instances
        .iter()
        .filter(|i| i.party_id == party)
        .filter(|i| param("appId").is_none_or(|a| a == i.app_id))
        .filter(|i| {
            param("process.currentTask")
                .is_none_or(|t| i.task.map(|x| PROCESS[x].0) == Some(t.as_str()))
        })
        .filter(|i| param("status.isArchived").is_none_or(|a| (a == "true") == i.task.is_none()))
        .cloned()
        .collect();
    matching.sort_by_key(|i| std::cmp::Reverse(i.sequence));
    let page: Vec<Value> = matching
        .iter()
        .skip(offset)
        .take(size)
        .map(|i| instance_json(&shared, i, View::Storage))
        .collect();
    let self_url = format!(
        "{}/storage/api/v1/instances?{}",
        shared.base_url,
        raw.as_deref().unwrap_or_default()
    );
    let mut body = json!({"count": page.len(), "self": self_url, "instances": page});
    if offset + size < matching.len() {
        let mut next: Vec<(String, String)> = pairs
            .iter()
            .filter(|(k, _)| k != "continuationToken")
            .cloned()
            .collect();
        next.push(("continuationToken".to_owned(), (offset + size).to_string()));
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(next)
            .finish();
        body["next"] = json!(format!(
            "{}/storage/api/v1/instances?{query}",
            shared.base_url
        ));
    }
    json_ok(StatusCode::OK, &body)
}

fn storage_lookup(
    shared: &Shared,
    headers: &HeaderMap,
    party: u64,
    guid: &str,
) -> Result<StoredInstance, Response> {
    let caller = caller(shared, headers)?;
    let instance = shared
        .world()
        .instances
        .iter()
        .find(|i| i.party_id == party && i.guid == guid)
        .cloned()
        .ok_or_else(|| {
            json_string(
                StatusCode::NOT_FOUND,
                &format!("Unable to find instance {guid}"),
            )
        })?;
    if instance.party_id != caller.party_id {
        return Err(StatusCode::FORBIDDEN.into_response());
    }
    Ok(instance)
}

async fn storage_instance(
    State(shared): Shr,
    Path((party, guid)): Path<(u64, String)>,
    headers: HeaderMap,
) -> Response {
    match storage_lookup(&shared, &headers, party, &guid) {
        Ok(instance) => json_ok(
            StatusCode::OK,
            &instance_json(&shared, &instance, View::Storage),
        ),
        Err(refusal) => refusal,
    }
}

async fn storage_data(
    State(shared): Shr,
    Path((party, guid, data)): Path<(u64, String, String)>,
    headers: HeaderMap,
) -> Response {
    match storage_lookup(&shared, &headers, party, &guid) {
        Ok(instance) => match instance.data.iter().find(|d| d.id == data) {
            Some(data) => data_answer(data),
            None => json_string(StatusCode::NOT_FOUND, "Unable to find data element"),
        },
        Err(refusal) => refusal,
    }
}

// ---- Dialogporten

fn dialog_status(instance: &StoredInstance) -> &'static str {
    match instance.task.map(|i| PROCESS[i].1) {
        None => "Completed",
        Some("data") => "Draft",
        Some(_) => "InProgress",
    }
}

fn dialog_json(shared: &Shared, instance: &StoredInstance, party: &Party, full: bool) -> Value {
    let (org, app) = instance.app_id.split_once('/').unwrap_or_default();
    let summary = match instance.task.map(|i| PROCESS[i].1) {
        Some("signing") => "Innsendingen må signeres for å gå til neste steg.",
        Some("confirmation") => "Innsendingen må bekreftes.",
        Some(_) => "Skjemaet er under utfylling.",
        None => "Innsendingen er fullført.",
    };
    let mut dialog = json!({
        "id": instance.dialog_id,
        "org": org,
        "serviceResource": format!("urn:altinn:resource:app_{org}_{app}"),
        "serviceResourceType": "AltinnApp",
        "party": party.urn(),
        "status": dialog_status(instance),
        "createdAt": instance.started,
        "updatedAt": instance.last_changed,
        "contentUpdatedAt": instance.last_changed,
        "isApiOnly": false,
        "hasUnopenedContent": true,
        "systemLabel": "Default",
        "content": {
            "title": {"mediaType": "text/plain", "value": [{"languageCode": "nb", "value": format!("{app} ({org})")}]},
            "summary": {"mediaType": "text/plain", "value": [{"languageCode": "nb", "value": summary}]},
        },
    });
    if full {
        let (action, attribute) = match instance.task {
            Some(i) if PROCESS[i].1 == "signing" => ("sign", PROCESS[i].0),
            Some(i) => ("write", PROCESS[i].0),
            None => ("read", "EndEvent_1"),
        };
        let goto = format!(
            "{}/{}?dontChooseReportee=true#/instance/{}/{}",
            shared.base_url, instance.app_id, instance.party_id, instance.guid
        );
        let encoded: String = url::form_urlencoded::byte_serialize(goto.as_bytes()).collect();
        let read_url = if instance.task.is_some() {
            app_base(shared, instance)
        } else {
            storage_base(shared, instance)
        };
        dialog["guiActions"] = json!([{
            "id": guid(), "action": action, "isAuthorized": true, "isDeleteDialogAction": false,
            "authorizationAttribute": format!("urn:altinn:task:{attribute}"),
            "priority": "Primary", "httpMethod": "GET",
            "url": format!("{}/authentication/api/v1/authentication?goto={encoded}", shared.base_url),
            "title": [{"languageCode": "nb", "value": if action == "sign" { "Gå til signering" } else { "Gå til skjema" }}],
        }]);
        dialog["apiActions"] = json!([{
            "id": guid(), "action": "read", "isAuthorized": true, "name": null,
            "endpoints": [{"id": guid(), "version": "1.0", "httpMethod": "GET", "url": read_url,
                           "deprecated": false}],
        }]);
        dialog["attachments"] = json!([]);
        dialog["transmissions"] = json!([]);
        dialog["activities"] = json!([]);
    }
    dialog
}

async fn search_dialogs(
    State(shared): Shr,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    let caller = match dialog_caller(&shared, &headers) {
        Ok(caller) => caller,
        Err(refusal) => return refusal,
    };
    let pairs = query_pairs(raw.as_deref());
    let all = |name: &str| -> Vec<String> {
        pairs
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
            .collect()
    };
    let (parties, resources, statuses) = (all("party"), all("serviceResource"), all("status"));
    if parties.is_empty() && resources.is_empty() {
        let body = json!({"type": "https://tools.ietf.org/html/rfc9110#section-15.5.1",
            "title": "One or more validation errors occurred.", "status": 400,
            "errors": {"": ["Either Party or ServiceResource must be specified if not ..."]}});
        let mut response = json_ok(StatusCode::BAD_REQUEST, &body);
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        return response;
    }
    let limit = all("limit")
        .first()
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(100)
        .clamp(1, 1000);
    let offset = match all("continuationToken").first() {
        Some(token) => match token.parse::<usize>() {
            Ok(offset) => offset,
            Err(_) => return problem(StatusCode::BAD_REQUEST, "Invalid continuation token", None),
        },
        None => 0,
    };
    let urn = caller.urn();
    let mut mine: Vec<StoredInstance> = shared
        .world()
        .instances
        .iter()
        // Only what the caller is authorised for: their own party's instances.
        .filter(|i| i.party_id == caller.party_id)
        .filter(|_| parties.is_empty() || parties.contains(&urn))
        .filter(|i| {
            let (org, app) = i.app_id.split_once('/').unwrap_or_default();
            resources.is_empty()
                || resources.contains(&format!("urn:altinn:resource:app_{org}_{app}"))
        })
        .filter(|i| {
            statuses.is_empty()
                || statuses
                    .iter()
                    .any(|s| s.eq_ignore_ascii_case(dialog_status(i)))
        })
        .cloned()
        .collect();
    mine.sort_by_key(|i| std::cmp::Reverse(i.sequence));
    let items: Vec<Value> = mine
        .iter()
        .skip(offset)
        .take(limit)
        .map(|i| dialog_json(&shared, i, &caller, false))
        .collect();
    let more = offset + limit < mine.len();
    json_ok(
        StatusCode::OK,
        &json!({"items": items, "hasNextPage": more,
                "continuationToken": if more { json!((offset + limit).to_string()) } else { Value::Null },
                "orderBy": "createdat_desc,id_desc"}),
    )
}

async fn get_dialog(State(shared): Shr, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let caller = match dialog_caller(&shared, &headers) {
        Ok(caller) => caller,
        Err(refusal) => return refusal,
    };
    let instance = shared
        .world()
        .instances
        .iter()
        .find(|i| i.dialog_id == id && i.party_id == caller.party_id)
        .cloned();
    match instance {
        Some(instance) => json_ok(
            StatusCode::OK,
            &dialog_json(&shared, &instance, &caller, true),
        ),
        None => problem(
            StatusCode::NOT_FOUND,
            "Not Found",
            Some(&format!(
                "Entity 'DialogEntity' with key '{id}' was not found."
            )),
        ),
    }
}
