//! The message box routes: lists, one message, forms, attachments, print, signing text,
//! creating, updating and signing form tasks, archive, confirm, delete, reportees. A
//! message's parts (signing text, print, forms, attachments) are in `parts.rs`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};

use super::Shared;
use super::auth::Authenticated;
use super::reason::{with_error_body, with_reason};
use super::state::{Identity, Status, StoredAttachment, StoredForm, StoredMessage, World};

pub(super) type Params = Query<HashMap<String, String>>;

pub(super) fn param<'a>(query: &'a HashMap<String, String>, name: &str) -> Option<&'a str> {
    query
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn flag(query: &HashMap<String, String>, name: &str, default: bool) -> bool {
    param(query, name).map_or(default, |v| v.eq_ignore_ascii_case("true"))
}

pub(super) fn language(query: &HashMap<String, String>) -> String {
    param(query, "language").unwrap_or("1044").to_owned()
}

/// A 200 answer carrying `body` as `content_type`.
pub(super) fn ok_as(content_type: &'static str, body: impl IntoResponse) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
        body,
    )
        .into_response()
}

pub(super) fn hal(value: Value) -> Response {
    ok_as("application/hal+json; charset=utf-8", value.to_string())
}

pub(super) fn with_location(mut response: Response, location: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

pub(super) fn not_found() -> Response {
    with_reason(StatusCode::NOT_FOUND, "The message was not found")
}

pub(super) fn message_url(shared: &Shared, who: &str, id: &str) -> String {
    format!("{}/api/{who}/messages/{id}", shared.base_url)
}

fn message_json(shared: &Shared, who: &str, message: &StoredMessage, language: &str) -> Value {
    let url = message_url(shared, who, &message.id);
    let mut links = Map::new();
    links.insert("self".into(), json!({"href": url}));
    links.insert(
        "portalview".into(),
        json!({"href": format!("{}/ui/{}", shared.base_url, message.id)}),
    );
    if message.form_task {
        links.insert(
            "print".into(),
            json!({"href": format!("{url}/print"), "mime-type": "application/pdf"}),
        );
        let forms: Vec<Value> = message
            .forms
            .iter()
            .map(|f| json!({"href": format!("{url}/forms/{}", f.id), "name": f.data_format_id}))
            .collect();
        links.insert("form".into(), Value::Array(forms));
    }
    let attachments: Vec<Value> = message
        .attachments
        .iter()
        .map(|a| {
            json!({
                "href": format!("{url}/attachments/{}", a.id),
                "name": a.file_name,
                "fileName": a.file_name,
                "encrypted": false,
                "signinglocked": a.signing_locked,
                "signedbydefault": a.signed_by_default,
                "filesize": a.data.len(),
            })
        })
        .collect();
    links.insert("attachment".into(), Value::Array(attachments));
    let mut body = json!({
        "MessageId": message.id,
        "Subject": message.subject,
        "Status": message.status.localized(language),
        "MarkedUnread": false,
        "LastChangedDateTime": message.last_changed,
        "CreatedDate": message.last_changed,
        "ServiceOwner": "Emulatoretaten",
        "Type": if message.form_task { "FormTask" } else { "Correspondence" },
        "ServiceCode": message.service_code,
        "ServiceEdition": message.service_edition,
        "AvailableAction": 0,
        "_links": Value::Object(links),
    });
    if let Some(map) = body.as_object_mut() {
        if let Some(original) = &message.original_id {
            map.insert("OriginalId".into(), json!(original));
        }
        if let Some(reference) = &message.archive_reference {
            map.insert("ArchiveReference".into(), json!(reference));
        }
    }
    body
}

/// A route under `/api/{who}/messages/{id}` with an authenticated caller: the path, then
/// [`Authenticated`] (two path segments always extract, so its refusal is the one seen).
#[derive(Debug)]
pub(super) struct MessageRoute {
    pub(super) who: String,
    pub(super) id: String,
    pub(super) identity: Identity,
}

impl FromRequestParts<Arc<Shared>> for MessageRoute {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, shared: &Arc<Shared>) -> Result<Self, Response> {
        let Path((who, id)) = Path::<(String, String)>::from_request_parts(parts, shared)
            .await
            .map_err(IntoResponse::into_response)?;
        let Authenticated(identity) = Authenticated::from_request_parts(parts, shared).await?;
        Ok(Self { who, id, identity })
    }
}

/// Hands the message `who`/`id` to `f` under the world's lock; 404 when there is none.
pub(super) fn with_message(
    shared: &Shared,
    who: &str,
    id: &str,
    f: impl FnOnce(&mut StoredMessage) -> Response,
) -> Response {
    match shared.world().message_mut(who, id) {
        Some(message) => f(message),
        None => not_found(),
    }
}

/// One `Field op 'value'` clause of the small `$filter` subset the emulator understands.
fn matches_filter(message: &StoredMessage, filter: &str, language: &str) -> Result<bool, ()> {
    for clause in filter.split(" and ") {
        let mut words = clause.trim().splitn(3, ' ');
        let (Some(field), Some(op), Some(value)) = (words.next(), words.next(), words.next())
        else {
            return Err(());
        };
        let value = value.trim().trim_matches('\'');
        let actual = match field {
            f if f.eq_ignore_ascii_case("Status") => message.status.localized(language).to_owned(),
            f if f.eq_ignore_ascii_case("ServiceCode") => message.service_code.clone(),
            f if f.eq_ignore_ascii_case("Type") => if message.form_task {
                "FormTask"
            } else {
                "Correspondence"
            }
            .to_owned(),
            _ => return Err(()),
        };
        let holds = match op {
            "eq" => actual == value,
            "ne" => actual != value,
            _ => return Err(()),
        };
        if !holds {
            return Ok(false);
        }
    }
    Ok(true)
}

/// `GET /api/{who}/messages`.
pub(crate) async fn list(
    State(shared): State<Arc<Shared>>,
    Path(who): Path<String>,
    Query(query): Params,
    _: Authenticated,
) -> Response {
    let language = language(&query);
    let world = shared.world();
    let date = |at: &str| at.get(..10).unwrap_or(at).to_owned();
    // dateFrom/dateTo and the database limit apply before OData, as in Altinn.
    let mut items: Vec<&StoredMessage> = world
        .boxes
        .get(&who)
        .map(|b| b.iter().filter(|m| m.status != Status::Deleted).collect())
        .unwrap_or_default();
    if let Some(from) = param(&query, "dateFrom") {
        items.retain(|m| date(&m.last_changed) >= date(from));
    }
    if let Some(to) = param(&query, "dateTo") {
        items.retain(|m| date(&m.last_changed) <= date(to));
    }
    let mut limit_reached = false;
    if let Some(limit) = shared.config.database_limit
        && items.len() > limit
    {
        items.truncate(limit);
        limit_reached = true;
    }
    if let Some(filter) = param(&query, "$filter") {
        let mut kept = Vec::new();
        for message in items {
            match matches_filter(message, filter, &language) {
                Ok(true) => kept.push(message),
                Ok(false) => {}
                Err(()) => {
                    return with_reason(StatusCode::BAD_REQUEST, "The $filter is not supported");
                }
            }
        }
        items = kept;
    }
    let skip = param(&query, "$skip")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let top = param(&query, "$top")
        .and_then(|s| s.parse().ok())
        .unwrap_or(usize::MAX)
        .min(shared.config.page_size);
    let page: Vec<Value> = items
        .into_iter()
        .skip(skip)
        .take(top)
        .map(|m| message_json(&shared, &who, m, &language))
        .collect();
    let url = format!("{}/api/{who}/messages", shared.base_url);
    let mut response = hal(json!({
        "_links": {"self": {"href": url}, "find": {"href": format!("{url}/{{MessageId}}"), "isTemplated": true}},
        "_embedded": {"messages": page},
    }));
    if limit_reached {
        response
            .headers_mut()
            .insert("X-Warning-LimitReached", HeaderValue::from_static("true"));
    }
    response
}

/// `GET /api/{who}/messages/{id}`.
pub(crate) async fn one(
    State(shared): State<Arc<Shared>>,
    MessageRoute { who, id, .. }: MessageRoute,
    Query(query): Params,
) -> Response {
    let language = language(&query);
    let mark = flag(&query, "markAsRead", true);
    let shared2 = shared.clone();
    with_message(&shared, &who, &id, |message| {
        if mark && message.status == Status::Unread {
            message.status = Status::Read;
        }
        hal(message_json(&shared2, &who, message, &language))
    })
}

/// Service code, edition, and the forms and attachments if the body has them.
type ParsedFormTask = (
    String,
    i64,
    Option<Vec<StoredForm>>,
    Option<Vec<StoredAttachment>>,
);

/// The JSON body of a form task (`POST` or `PUT`) and what it says.
fn parse_form_task(body: &[u8]) -> Result<(Value, ParsedFormTask), Response> {
    let bad = |reason: &str| with_reason(StatusCode::BAD_REQUEST, reason);
    let body = serde_json::from_slice::<Value>(body)
        .map_err(|_| bad("The request body is not valid JSON"))?;
    let get = |obj: &Value, name: &str| -> Option<Value> {
        obj.as_object()?
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let text = |obj: &Value, name: &str| -> Option<String> {
        match get(obj, name)? {
            Value::String(s) => Some(s),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    if text(&body, "Type").as_deref() != Some("FormTask") {
        return Err(bad("Type must be FormTask"));
    }
    let code = text(&body, "ServiceCode").ok_or_else(|| bad("ServiceCode is required"))?;
    let edition = text(&body, "ServiceEdition")
        .and_then(|e| e.parse().ok())
        .ok_or_else(|| bad("ServiceEdition is required"))?;
    let embedded = get(&body, "_embedded").unwrap_or(Value::Null);
    let forms = match get(&embedded, "forms") {
        Some(Value::Array(items)) => {
            let mut forms = Vec::new();
            for item in &items {
                let kind = text(item, "Type").unwrap_or_default();
                forms.push(StoredForm {
                    id: 0,
                    main: kind == "MainForm",
                    data_format_id: text(item, "DataFormatId")
                        .ok_or_else(|| bad("DataFormatId is required"))?,
                    data_format_version: text(item, "DataFormatVersion")
                        .ok_or_else(|| bad("DataFormatVersion is required"))?,
                    xml: text(item, "FormData").unwrap_or_default(),
                    signing_locked: kind == "MainForm",
                    signed_by_default: true,
                });
            }
            if forms.iter().filter(|f| f.main).count() != 1 {
                return Err(with_error_body(
                    StatusCode::BAD_REQUEST,
                    40010,
                    "Form validation failed: exactly one MainForm is required",
                ));
            }
            Some(forms)
        }
        _ => None,
    };
    let attachments = match get(&embedded, "attachments") {
        Some(Value::Array(items)) => {
            let mut attachments = Vec::new();
            for item in &items {
                let data = text(item, "Data")
                    .and_then(|d| STANDARD.decode(d).ok())
                    .ok_or_else(|| bad("Attachment Data must be base64"))?;
                attachments.push(StoredAttachment {
                    id: 0,
                    file_name: text(item, "FileName").ok_or_else(|| bad("FileName is required"))?,
                    attachment_type: text(item, "AttachmentType").unwrap_or_default(),
                    data,
                    signing_locked: false,
                    signed_by_default: true,
                });
            }
            Some(attachments)
        }
        _ => None,
    };
    Ok((body, (code, edition, forms, attachments)))
}

fn number_items(world: &mut World, forms: &mut [StoredForm], attachments: &mut [StoredAttachment]) {
    for form in forms {
        form.id = world.next();
    }
    for attachment in attachments {
        attachment.id = world.next();
    }
}

/// Moves a message to the archive under a new `b…` id; returns the new id.
fn archive_in_place(world_next: i64, message: &mut StoredMessage, status: Status) -> String {
    let archived = format!("b{world_next}");
    message.original_id = Some(message.id.clone());
    message.id = archived.clone();
    message.status = status;
    message.archive_reference = Some(format!("AR{world_next}"));
    archived
}

/// `POST /api/{who}/messages?complete=&sign=`.
pub(crate) async fn create(
    State(shared): State<Arc<Shared>>,
    Path(who): Path<String>,
    Query(query): Params,
    Authenticated(identity): Authenticated,
    body: Bytes,
) -> Response {
    let (_, (code, edition, forms, attachments)) = match parse_form_task(&body) {
        Ok(parsed) => parsed,
        Err(refusal) => return refusal,
    };
    let Some(mut forms) = forms else {
        return with_reason(StatusCode::BAD_REQUEST, "A new form task needs its forms");
    };
    let mut attachments = attachments.unwrap_or_default();
    let (complete, sign) = (flag(&query, "complete", true), flag(&query, "sign", true));
    let mut world = shared.world();
    number_items(&mut world, &mut forms, &mut attachments);
    let number = world.next();
    let mut message = StoredMessage {
        id: format!("a{number}"),
        status: if complete {
            Status::Signing
        } else {
            Status::Filling
        },
        subject: format!("Skjema {code}"),
        forms,
        attachments,
        ..StoredMessage::form_task(code, edition)
    };
    if complete && sign {
        if identity.level < message.signing_level {
            return with_reason(
                StatusCode::FORBIDDEN,
                "The authentication level is too low to sign",
            );
        }
        let next = world.next();
        archive_in_place(next, &mut message, Status::SentAndArchived);
    }
    let location = message_url(&shared, &who, &message.id);
    world.boxes.entry(who).or_default().push(message);
    with_location(StatusCode::CREATED.into_response(), &location)
}

fn spec_ids(body: &Value) -> Option<(Vec<i64>, Vec<i64>)> {
    let embedded = body.get("_embedded")?;
    let spec = embedded
        .get("SignatureSpec")
        .or_else(|| embedded.get("signatureSpec"))?;
    let ids = |name: &str| -> Vec<i64> {
        spec.get(name)
            .and_then(Value::as_array)
            .map(|items| items.iter().filter_map(Value::as_i64).collect())
            .unwrap_or_default()
    };
    Some((ids("FormIds"), ids("AttachmentIds")))
}

/// `PUT /api/{who}/messages/{id}?complete=&sign=`: update, send to signing, or sign.
pub(crate) async fn update(
    State(shared): State<Arc<Shared>>,
    MessageRoute { who, id, identity }: MessageRoute,
    Query(query): Params,
    body: Bytes,
) -> Response {
    let (body, (code, edition, forms, attachments)) = match parse_form_task(&body) {
        Ok(parsed) => parsed,
        Err(refusal) => return refusal,
    };
    let (complete, sign) = (flag(&query, "complete", true), flag(&query, "sign", true));
    let spec = spec_ids(&body);
    let mut world = shared.world();
    let archive_number = world.next();
    let (mut new_forms, mut new_attachments) = (forms, attachments);
    number_items(
        &mut world,
        new_forms.as_deref_mut().unwrap_or_default(),
        new_attachments.as_deref_mut().unwrap_or_default(),
    );
    let Some(message) = world.message_mut(&who, &id) else {
        return not_found();
    };
    if !message.form_task {
        return with_reason(StatusCode::BAD_REQUEST, "Only form tasks can be updated");
    }
    if message.status == Status::SentAndArchived {
        return with_reason(
            StatusCode::CONFLICT,
            "The message is already signed and archived",
        );
    }
    if message.service_code != code || message.service_edition != edition {
        return with_reason(
            StatusCode::BAD_REQUEST,
            "ServiceCode and ServiceEdition do not match the message",
        );
    }
    // A PUT with forms or attachments replaces what the message had.
    if let Some(forms) = new_forms {
        message.forms = forms;
    }
    if let Some(attachments) = new_attachments {
        message.attachments = attachments;
    }
    if !complete {
        message.status = Status::Filling;
        return StatusCode::OK.into_response();
    }
    if !sign {
        message.status = Status::Signing;
        let location = message_url(&shared, &who, &message.id);
        return with_location(StatusCode::OK.into_response(), &location);
    }
    if identity.level < message.signing_level {
        return with_reason(
            StatusCode::FORBIDDEN,
            "The authentication level is too low to sign this message",
        );
    }
    let all = (
        message.forms.iter().map(|f| f.id).collect::<Vec<_>>(),
        message.attachments.iter().map(|a| a.id).collect::<Vec<_>>(),
    );
    let signed = match spec {
        None => all,
        Some((form_ids, attachment_ids)) => {
            let required_forms = message
                .forms
                .iter()
                .filter(|f| f.signing_locked && f.signed_by_default);
            let required_attachments = message
                .attachments
                .iter()
                .filter(|a| a.signing_locked && a.signed_by_default);
            let unknown = form_ids.iter().any(|id| !all.0.contains(id))
                || attachment_ids.iter().any(|id| !all.1.contains(id));
            let missing = required_forms
                .map(|f| f.id)
                .any(|id| !form_ids.contains(&id))
                || required_attachments
                    .map(|a| a.id)
                    .any(|id| !attachment_ids.contains(&id));
            if unknown || missing {
                return with_reason(
                    StatusCode::BAD_REQUEST,
                    "The SignatureSpec must name existing items and include every item that must be signed",
                );
            }
            (form_ids, attachment_ids)
        }
    };
    message.signed_items = Some(signed);
    let archived = archive_in_place(archive_number, message, Status::SentAndArchived);
    let location = message_url(&shared, &who, &archived);
    with_location(StatusCode::OK.into_response(), &location)
}

/// `DELETE /api/{who}/messages/{id}`: to the trash bin.
pub(crate) async fn delete(
    State(shared): State<Arc<Shared>>,
    MessageRoute { who, id, .. }: MessageRoute,
) -> Response {
    with_message(&shared, &who, &id, |message| {
        message.status = Status::Deleted;
        StatusCode::NO_CONTENT.into_response()
    })
}

/// `PUT /api/{who}/messages/{id}/archive`: correspondence only.
pub(crate) async fn archive(
    State(shared): State<Arc<Shared>>,
    MessageRoute { who, id, .. }: MessageRoute,
) -> Response {
    let number = shared.world().next();
    let shared2 = shared.clone();
    with_message(&shared, &who, &id, |message| {
        if message.form_task {
            return with_reason(
                StatusCode::BAD_REQUEST,
                "Only correspondence can be archived this way",
            );
        }
        if message.requires_confirmation && !message.confirmed {
            return with_reason(
                StatusCode::BAD_REQUEST,
                "The message must be confirmed before it can be archived",
            );
        }
        let archived = archive_in_place(number, message, Status::Archived);
        let response = with_reason(StatusCode::NO_CONTENT, "Message has been archived");
        with_location(response, &message_url(&shared2, &who, &archived))
    })
}

/// `PUT /api/{who}/messages/{id}/confirm`.
pub(crate) async fn confirm(
    State(shared): State<Arc<Shared>>,
    MessageRoute { who, id, .. }: MessageRoute,
) -> Response {
    with_message(&shared, &who, &id, |message| {
        if !message.requires_confirmation {
            return with_reason(
                StatusCode::BAD_REQUEST,
                "The message does not require confirmation",
            );
        }
        message.confirmed = true;
        with_reason(StatusCode::NO_CONTENT, "Message has been confirmed")
    })
}

/// `GET /api/reportees`.
pub(crate) async fn reportees(
    State(shared): State<Arc<Shared>>,
    Query(query): Params,
    _: Authenticated,
) -> Response {
    let skip = param(&query, "$skip")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let world = shared.world();
    let page: Vec<Value> = world
        .reportees
        .iter()
        .skip(skip)
        .take(shared.config.page_size)
        .map(|r| {
            let mut value = json!({
                "ReporteeId": r.id,
                "Name": r.name,
                "Type": r.kind,
                "_links": {"messages": {"href": format!("{}/api/{}/messages", shared.base_url, r.id)}},
            });
            if let Some(number) = &r.organization_number {
                value["OrganizationNumber"] = json!(number);
                value["Status"] = json!("Active");
            }
            if let Some(ssn) = &r.social_security_number {
                value["SocialSecurityNumber"] = json!(ssn);
            }
            value
        })
        .collect();
    hal(json!({"_embedded": {"reportees": page}}))
}
