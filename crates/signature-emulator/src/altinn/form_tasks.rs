//! Form tasks from the API: `POST /api/{who}/messages` creates one (and may send it to
//! signing and sign it), `PUT /api/{who}/messages/{id}` updates, sends to signing or signs.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

use super::Shared;
use super::auth::Authenticated;
use super::messages::{MessageRoute, archive_in_place, message_url, not_found};
use super::query::{Params, flag};
use super::reason::{with_error_body, with_location, with_reason};
use super::state::{Status, StoredAttachment, StoredForm, StoredMessage, World};

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
