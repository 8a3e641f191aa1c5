//! A message's parts: the signing text, the printed PDF, its forms and their data, and its
//! attachments (listed, fetched and uploaded). Split from `messages.rs`, which keeps the
//! message routes themselves.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::Shared;
use super::auth::Authenticated;
use super::messages::{MessageRoute, message_url, with_message};
use super::pdf;
use super::query::{Params, language, param};
use super::reason::{hal, ok_as, with_location, with_reason};
use super::state::{Status, StoredAttachment, StoredForm, StoredMessage};

/// `GET /api/{who}/messages/{id}/signingtext`.
pub(crate) async fn signing_text(
    State(shared): State<Arc<Shared>>,
    MessageRoute { who, id, .. }: MessageRoute,
    Query(query): Params,
) -> Response {
    let language = language(&query);
    with_message(&shared, &who, &id, |message| {
        if message.status != Status::Signing {
            return with_reason(
                StatusCode::NOT_FOUND,
                "The message is not at a signing step",
            );
        }
        let text = if language == "1033" {
            "I confirm that the information given is correct."
        } else {
            "Jeg bekrefter at opplysningene er riktige."
        };
        hal(Value::String(text.to_owned()))
    })
}

/// `GET /api/{who}/messages/{id}/print`.
pub(crate) async fn print(
    State(shared): State<Arc<Shared>>,
    MessageRoute { who, id, .. }: MessageRoute,
) -> Response {
    with_message(&shared, &who, &id, |message| {
        let mut lines = vec![message.subject.clone(), format!("Melding {}", message.id)];
        if let Some(reference) = &message.archive_reference {
            lines.push(format!("Arkivreferanse {reference}"));
        }
        ok_as("application/pdf", pdf::print(&lines))
    })
}

fn form_json(url: &str, form: &StoredForm) -> Value {
    json!({
        "FormId": form.id,
        "Type": if form.main { "MainForm" } else { "SubForm" },
        "DataFormatId": form.data_format_id,
        "DataFormatVersion": form.data_format_version.parse::<i64>().map_or_else(|_| json!(form.data_format_version), |v| json!(v)),
        "ValidationStatus": "NotValidated",
        "Name": form.data_format_id,
        "SigningLocked": form.signing_locked,
        "SignedByDefault": form.signed_by_default,
        "_links": {
            "self": {"href": format!("{url}/forms/{}", form.id)},
            "formdata": {"href": format!("{url}/forms/{}/formdata", form.id), "mime-type": "application/xml"},
        },
    })
}

/// The HAL list `name` (`forms`, `attachments`) of the message `who`/`id`, at
/// `{message URL}/{name}`: the message's `items`, each as `item` writes it from the message
/// URL; 404 when the message is missing.
fn hal_list<T>(
    shared: &Shared,
    who: &str,
    id: &str,
    name: &str,
    items: impl FnOnce(&StoredMessage) -> &[T],
    item: impl Fn(&str, &T) -> Value,
) -> Response {
    let url = message_url(shared, who, id);
    with_message(shared, who, id, |message| {
        let items: Vec<Value> = items(message).iter().map(|i| item(&url, i)).collect();
        hal(
            json!({"_links": {"self": {"href": format!("{url}/{name}")}}, "_embedded": {name: items}}),
        )
    })
}

/// `GET /api/{who}/messages/{id}/forms`.
pub(crate) async fn forms(
    State(shared): State<Arc<Shared>>,
    MessageRoute { who, id, .. }: MessageRoute,
) -> Response {
    hal_list(&shared, &who, &id, "forms", |m| &m.forms, form_json)
}

/// Hands the form `form` of the message `who`/`id` to `answer`; 404 when either is missing.
fn with_form(
    shared: &Shared,
    who: &str,
    id: &str,
    form: i64,
    answer: impl FnOnce(&StoredForm) -> Response,
) -> Response {
    with_message(shared, who, id, |message| {
        match message.forms.iter().find(|f| f.id == form) {
            Some(found) => answer(found),
            None => with_reason(StatusCode::NOT_FOUND, "The form was not found"),
        }
    })
}

/// `GET /api/{who}/messages/{id}/forms/{form}`.
pub(crate) async fn form(
    State(shared): State<Arc<Shared>>,
    Path((who, id, form)): Path<(String, String, i64)>,
    _: Authenticated,
) -> Response {
    let url = message_url(&shared, &who, &id);
    with_form(&shared, &who, &id, form, |found| {
        let mut value = form_json(&url, found);
        value["FormData"] = json!(found.xml);
        hal(value)
    })
}

/// `GET /api/{who}/messages/{id}/forms/{form}/formdata`.
pub(crate) async fn form_data(
    State(shared): State<Arc<Shared>>,
    Path((who, id, form)): Path<(String, String, i64)>,
    _: Authenticated,
) -> Response {
    with_form(&shared, &who, &id, form, |found| {
        ok_as("application/xml", found.xml.clone())
    })
}

/// `GET /api/{who}/messages/{id}/attachments`.
pub(crate) async fn attachments(
    State(shared): State<Arc<Shared>>,
    MessageRoute { who, id, .. }: MessageRoute,
) -> Response {
    hal_list(
        &shared,
        &who,
        &id,
        "attachments",
        |m| &m.attachments,
        attachment_json,
    )
}

fn attachment_json(url: &str, attachment: &StoredAttachment) -> Value {
    json!({
        "FileName": attachment.file_name,
        "Name": attachment.file_name,
        "AttachmentType": attachment.attachment_type,
        "AttachmentTypeLocalized": attachment.attachment_type,
        "Encrypted": false,
        "SigningLocked": attachment.signing_locked,
        "SignedByDefault": attachment.signed_by_default,
        "FileSize": attachment.data.len(),
        "_links": {"self": {"href": format!("{url}/attachments/{}", attachment.id)}},
    })
}

/// `GET /api/{who}/messages/{id}/attachments/{attachment}`: the bytes.
pub(crate) async fn attachment(
    State(shared): State<Arc<Shared>>,
    Path((who, id, attachment)): Path<(String, String, i64)>,
    _: Authenticated,
) -> Response {
    with_message(&shared, &who, &id, |message| {
        message
            .attachments
            .iter()
            .find(|a| a.id == attachment)
            .map_or_else(
                || with_reason(StatusCode::NOT_FOUND, "The attachment was not found"),
                |found| ok_as("application/octet-stream", found.data.clone()),
            )
    })
}

/// `POST /api/{who}/messages/{id}/attachments/streamedattachment?fileName=&attachmentType=`.
pub(crate) async fn upload_attachment(
    State(shared): State<Arc<Shared>>,
    MessageRoute { who, id, .. }: MessageRoute,
    Query(query): Params,
    body: Bytes,
) -> Response {
    let Some(file_name) = param(&query, "fileName").map(str::to_owned) else {
        return with_reason(StatusCode::BAD_REQUEST, "fileName is required");
    };
    let attachment_type = param(&query, "attachmentType")
        .unwrap_or_default()
        .to_owned();
    let number = shared.world().next();
    let url = message_url(&shared, &who, &id);
    with_message(&shared, &who, &id, |message| {
        if message.status != Status::Filling {
            return with_reason(
                StatusCode::BAD_REQUEST,
                "Attachments can only be added while the form is being filled in",
            );
        }
        message.attachments.push(StoredAttachment {
            id: number,
            file_name,
            attachment_type,
            data: body.to_vec(),
            signing_locked: false,
            signed_by_default: true,
        });
        with_location(
            StatusCode::CREATED.into_response(),
            &format!("{url}/attachments/{number}"),
        )
    })
}
