//! A message's parts: the signing text, the printed PDF, its forms and their data, and its
//! attachments (listed, fetched and uploaded). Split from `messages.rs`, which keeps the
//! message routes themselves.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::Shared;
use super::messages::{
    Params, hal, language, message_url, ok_as, param, with_location, with_message,
};
use super::pdf;
use super::reason::with_reason;
use super::state::{Status, StoredAttachment, StoredForm};

/// `GET /api/{who}/messages/{id}/signingtext`.
pub(crate) async fn signing_text(
    State(shared): State<Arc<Shared>>,
    Path((who, id)): Path<(String, String)>,
    Query(query): Params,
    headers: HeaderMap,
) -> Response {
    let language = language(&query);
    with_message(&shared, &headers, &who, &id, |message, _| {
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
    Path((who, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    with_message(&shared, &headers, &who, &id, |message, _| {
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

/// `GET /api/{who}/messages/{id}/forms`.
pub(crate) async fn forms(
    State(shared): State<Arc<Shared>>,
    Path((who, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let url = message_url(&shared, &who, &id);
    with_message(&shared, &headers, &who, &id, |message, _| {
        let forms: Vec<Value> = message.forms.iter().map(|f| form_json(&url, f)).collect();
        hal(
            json!({"_links": {"self": {"href": format!("{url}/forms")}}, "_embedded": {"forms": forms}}),
        )
    })
}

/// `GET /api/{who}/messages/{id}/forms/{form}`.
pub(crate) async fn form(
    State(shared): State<Arc<Shared>>,
    Path((who, id, form)): Path<(String, String, i64)>,
    headers: HeaderMap,
) -> Response {
    let url = message_url(&shared, &who, &id);
    with_message(&shared, &headers, &who, &id, |message, _| {
        match message.forms.iter().find(|f| f.id == form) {
            Some(found) => {
                let mut value = form_json(&url, found);
                value["FormData"] = json!(found.xml);
                hal(value)
            }
            None => with_reason(StatusCode::NOT_FOUND, "The form was not found"),
        }
    })
}

/// `GET /api/{who}/messages/{id}/forms/{form}/formdata`.
pub(crate) async fn form_data(
    State(shared): State<Arc<Shared>>,
    Path((who, id, form)): Path<(String, String, i64)>,
    headers: HeaderMap,
) -> Response {
    with_message(&shared, &headers, &who, &id, |message, _| {
        match message.forms.iter().find(|f| f.id == form) {
            Some(found) => ok_as("application/xml", found.xml.clone()),
            None => with_reason(StatusCode::NOT_FOUND, "The form was not found"),
        }
    })
}

/// `GET /api/{who}/messages/{id}/attachments`.
pub(crate) async fn attachments(
    State(shared): State<Arc<Shared>>,
    Path((who, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let url = message_url(&shared, &who, &id);
    with_message(&shared, &headers, &who, &id, |message, _| {
        let items: Vec<Value> = message
            .attachments
            .iter()
            .map(|a| {
                json!({
                    "FileName": a.file_name,
                    "Name": a.file_name,
                    "AttachmentType": a.attachment_type,
                    "AttachmentTypeLocalized": a.attachment_type,
                    "Encrypted": false,
                    "SigningLocked": a.signing_locked,
                    "SignedByDefault": a.signed_by_default,
                    "FileSize": a.data.len(),
                    "_links": {"self": {"href": format!("{url}/attachments/{}", a.id)}},
                })
            })
            .collect();
        hal(
            json!({"_links": {"self": {"href": format!("{url}/attachments")}}, "_embedded": {"attachments": items}}),
        )
    })
}

/// `GET /api/{who}/messages/{id}/attachments/{attachment}`: the bytes.
pub(crate) async fn attachment(
    State(shared): State<Arc<Shared>>,
    Path((who, id, attachment)): Path<(String, String, i64)>,
    headers: HeaderMap,
) -> Response {
    with_message(&shared, &headers, &who, &id, |message, _| {
        match message.attachments.iter().find(|a| a.id == attachment) {
            Some(found) => ok_as("application/octet-stream", found.data.clone()),
            None => with_reason(StatusCode::NOT_FOUND, "The attachment was not found"),
        }
    })
}

/// `POST /api/{who}/messages/{id}/attachments/streamedattachment?fileName=&attachmentType=`.
pub(crate) async fn upload_attachment(
    State(shared): State<Arc<Shared>>,
    Path((who, id)): Path<(String, String)>,
    Query(query): Params,
    headers: HeaderMap,
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
    with_message(&shared, &headers, &who, &id, |message, _| {
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
