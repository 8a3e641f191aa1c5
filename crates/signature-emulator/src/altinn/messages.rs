//! The message box routes: the list, one message, delete, archive and confirm. Creating,
//! updating and signing form tasks are in `form_tasks.rs`, a message's parts (signing text,
//! print, forms, attachments) in `parts.rs`.

use std::sync::Arc;

use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::Shared;
use super::auth::Authenticated;
use super::query::{Params, flag, language, param};
use super::reason::{hal, with_location, with_reason};
use super::state::{Identity, Status, StoredMessage};

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

/// Moves a message to the archive under a new `b…` id; returns the new id.
pub(super) fn archive_in_place(
    world_next: i64,
    message: &mut StoredMessage,
    status: Status,
) -> String {
    let archived = format!("b{world_next}");
    message.original_id = Some(message.id.clone());
    message.id = archived.clone();
    message.status = status;
    message.archive_reference = Some(format!("AR{world_next}"));
    archived
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
