//! Submitting a form set to signing, uploading attachments, and signing.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use reqwest::Method;
use serde_json::{Map, Value, json};
use signature_core::{FormPartKind, ServiceForm};
use tokio::io::AsyncRead;
use tokio_util::io::ReaderStream;

use super::client::{Call, Client, Payload, location};
use super::environment::Who;
use super::hal::last_segment;
use super::messages::Archived;
use super::model::{Attachment, Form, MessageId, SignatureSpec};
use crate::error::Error;

/// A form for a new form task.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NewForm {
    /// Whether it is the main form (exactly one per set) or a sub-form.
    pub main: bool,
    /// The data format id.
    pub data_format_id: String,
    /// The data format version.
    pub data_format_version: String,
    /// The form data (XML).
    pub xml: String,
}

impl NewForm {
    /// The main form.
    pub fn main(id: impl Into<String>, version: impl Into<String>, xml: impl Into<String>) -> Self {
        Self {
            main: true,
            data_format_id: id.into(),
            data_format_version: version.into(),
            xml: xml.into(),
        }
    }

    /// A sub-form.
    pub fn sub(id: impl Into<String>, version: impl Into<String>, xml: impl Into<String>) -> Self {
        Self {
            main: false,
            ..Self::main(id, version, xml)
        }
    }
}

impl fmt::Debug for NewForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewForm")
            .field("main", &self.main)
            .field("data_format_id", &self.data_format_id)
            .field("data_format_version", &self.data_format_version)
            .field("xml_len", &self.xml.len())
            .finish()
    }
}

/// An attachment for a new form task.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NewAttachment {
    /// The file name.
    pub file_name: String,
    /// The service's functional attachment type (from its attachment rules), not a MIME type.
    pub attachment_type: String,
    /// The content.
    pub data: Bytes,
}

impl NewAttachment {
    /// An attachment.
    pub fn new(
        file_name: impl Into<String>,
        attachment_type: impl Into<String>,
        data: impl Into<Bytes>,
    ) -> Self {
        Self {
            file_name: file_name.into(),
            attachment_type: attachment_type.into(),
            data: data.into(),
        }
    }
}

impl fmt::Debug for NewAttachment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewAttachment")
            .field("file_name", &self.file_name)
            .field("attachment_type", &self.attachment_type)
            .field("size", &self.data.len())
            .finish()
    }
}

/// A form task to create: service, forms and attachments.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FormTask {
    /// The service code.
    pub service_code: String,
    /// The service edition.
    pub service_edition: i64,
    /// The forms; exactly one main form.
    pub forms: Vec<NewForm>,
    /// The attachments.
    pub attachments: Vec<NewAttachment>,
}

impl FormTask {
    /// A form task for a service, without forms yet.
    pub fn new(service_code: impl Into<String>, service_edition: i64) -> Self {
        Self {
            service_code: service_code.into(),
            service_edition,
            forms: Vec::new(),
            attachments: Vec::new(),
        }
    }

    /// Adds a form.
    #[must_use]
    pub fn form(mut self, form: NewForm) -> Self {
        self.forms.push(form);
        self
    }

    /// Adds an attachment.
    #[must_use]
    pub fn attachment(mut self, attachment: NewAttachment) -> Self {
        self.attachments.push(attachment);
        self
    }

    fn body(&self, attachments: &[&NewAttachment]) -> Value {
        let forms: Vec<Value> = self
            .forms
            .iter()
            .map(|form| {
                json!({
                    "Type": if form.main { "MainForm" } else { "SubForm" },
                    "DataFormatId": form.data_format_id,
                    "DataFormatVersion": form.data_format_version,
                    "FormData": form.xml,
                })
            })
            .collect();
        let attachments: Vec<Value> = attachments
            .iter()
            .map(|a| {
                json!({
                    "FileName": a.file_name,
                    "AttachmentType": a.attachment_type,
                    "Data": STANDARD.encode(&a.data),
                })
            })
            .collect();
        let mut body = self.header();
        body.insert(
            "_embedded".to_owned(),
            json!({"forms": forms, "attachments": attachments}),
        );
        Value::Object(body)
    }

    fn header(&self) -> Map<String, Value> {
        task_header(&self.service_code, self.service_edition)
    }
}

/// The members every form task body starts with (creating, completing and signing).
fn task_header(service_code: &str, service_edition: i64) -> Map<String, Value> {
    let mut header = Map::new();
    header.insert("Type".to_owned(), json!("FormTask"));
    header.insert("ServiceCode".to_owned(), json!(service_code));
    header.insert("ServiceEdition".to_owned(), json!(service_edition));
    header
}

impl From<&ServiceForm> for FormTask {
    fn from(form: &ServiceForm) -> Self {
        Self {
            service_code: form.service_code().to_owned(),
            service_edition: i64::from(form.service_edition()),
            forms: form
                .parts()
                .iter()
                .map(|part| NewForm {
                    main: part.kind() == FormPartKind::Main,
                    data_format_id: part.data_format_id().to_owned(),
                    data_format_version: part.data_format_version().to_owned(),
                    xml: part.xml().to_owned(),
                })
                .collect(),
            attachments: Vec::new(),
        }
    }
}

/// A created form task.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Submitted {
    /// Its address, from `Location`.
    pub location: String,
    /// Its id.
    pub message_id: MessageId,
}

/// A form or an attachment in a signature selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureItem {
    /// A form, by `FormId`.
    Form(i64),
    /// An attachment, by id.
    Attachment(i64),
}

impl fmt::Display for SignatureItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Form(id) => write!(f, "form {id}"),
            Self::Attachment(id) => write!(f, "attachment {id}"),
        }
    }
}

/// What to sign.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureSelection {
    /// The whole form set with all attachments.
    Whole,
    /// Only these forms and attachments. Every item the service locks as signed must be
    /// included, and none it locks as unsigned; the client checks before sending.
    Partial(SignatureSpec),
}

/// The result of signing.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Signed {
    /// The archived item, when Altinn gave its address in `Location`. With several
    /// signers the item may stay at the signing step, and then there is none (or it still
    /// names an `a…` id).
    pub archived: Archived,
}

impl Signed {
    /// Whether the item was archived (its new id starts with `b`).
    pub fn is_archived(&self) -> bool {
        self.archived
            .message_id
            .as_ref()
            .is_some_and(MessageId::is_archived)
    }
}

/// Checks a partial selection against the message's forms and attachments: everything
/// locked and signed by default must be in, nothing locked and unsigned may be, and every
/// id must exist.
pub(crate) fn check_selection(
    spec: &SignatureSpec,
    forms: &[Form],
    attachments: &[Attachment],
) -> Result<(), Error> {
    let items = forms
        .iter()
        .map(|f| {
            (
                SignatureItem::Form(f.id),
                f.signing_locked,
                f.signed_by_default,
            )
        })
        .chain(attachments.iter().map(|a| {
            (
                SignatureItem::Attachment(a.id),
                a.signing_locked,
                a.signed_by_default,
            )
        }))
        .collect::<Vec<_>>();
    let chosen = spec
        .form_ids
        .iter()
        .map(|&id| SignatureItem::Form(id))
        .chain(
            spec.attachment_ids
                .iter()
                .map(|&id| SignatureItem::Attachment(id)),
        )
        .collect::<Vec<_>>();
    if let Some(unknown) = chosen
        .iter()
        .find(|item| !items.iter().any(|(known, _, _)| known == *item))
    {
        return Err(Error::UnknownItem(*unknown));
    }
    for (item, locked, by_default) in items {
        let included = chosen.contains(&item);
        match (locked, by_default, included) {
            (true, true, false) => return Err(Error::LockedItemOmitted(item)),
            (true, false, true) => return Err(Error::LockedItemIncluded(item)),
            _ => {}
        }
    }
    Ok(())
}

impl Client {
    /// `{who}/messages[/{id}]?language=…&complete=…&sign=…`: where form tasks are created,
    /// completed and signed.
    fn form_task_url(
        &self,
        who: &Who,
        id: Option<&MessageId>,
        complete: bool,
        sign: bool,
    ) -> url::Url {
        let mut segments = vec![who.as_segment(), "messages"];
        segments.extend(id.map(MessageId::as_str));
        let mut url = self.with_language(self.api_url(&segments));
        url.query_pairs_mut()
            .append_pair("complete", &complete.to_string())
            .append_pair("sign", &sign.to_string());
        url
    }

    /// Creates a form task and sends it to signing (`POST ?complete=true&sign=false`): the
    /// item appears in status `Signering` for whoever may sign it.
    ///
    /// Attachments above the client's streaming threshold are uploaded as streams: the
    /// task is then created unfinished, the large attachments are streamed to it, and a
    /// second call sends it to signing.
    ///
    /// # Errors
    ///
    /// [`Error::Service`] (400) when Altinn rejects the forms (wrong data format, validation),
    /// [`Error::UnexpectedResponse`] without a `Location`, or the request's failure.
    pub async fn submit_to_signing(&self, who: &Who, task: &FormTask) -> Result<Submitted, Error> {
        let threshold = self.streaming_threshold();
        let (large, small): (Vec<&NewAttachment>, Vec<&NewAttachment>) = task
            .attachments
            .iter()
            .partition(|a| a.data.len() > threshold);
        let complete = large.is_empty();
        let url = self.form_task_url(who, None, complete, false);
        let response = self
            .execute(&Call::new(
                Method::POST,
                url,
                Payload::Json(task.body(&small)),
            ))
            .await?;
        let submitted = submitted(location(&response))?;
        if complete {
            return Ok(submitted);
        }
        for attachment in large {
            let reader = std::io::Cursor::new(attachment.data.clone());
            self.upload_attachment(
                who,
                &submitted.message_id,
                &attachment.file_name,
                &attachment.attachment_type,
                reader,
            )
            .await?;
        }
        // No forms or attachments in this body: a PUT with them would replace the data.
        let url = self.form_task_url(who, Some(&submitted.message_id), true, false);
        let header = Value::Object(task.header());
        self.execute(&Call::new(Method::PUT, url, Payload::Json(header)))
            .await?;
        Ok(submitted)
    }

    /// Streams an attachment to a form task being filled in
    /// (`attachments/streamedattachment`); returns the new attachment's id if Altinn gave
    /// one in `Location`.
    ///
    /// # Errors
    ///
    /// The request's failure. A stream cannot be replayed, so it is not retried after a
    /// refused credential.
    pub async fn upload_attachment(
        &self,
        who: &Who,
        id: &MessageId,
        file_name: &str,
        attachment_type: &str,
        reader: impl AsyncRead + Send + Sync + 'static,
    ) -> Result<Option<i64>, Error> {
        let mut url = self.with_language(self.api_url(&[
            who.as_segment(),
            "messages",
            id.as_str(),
            "attachments",
            "streamedattachment",
        ]));
        url.query_pairs_mut()
            .append_pair("fileName", file_name)
            .append_pair("attachmentType", attachment_type);
        let body = reqwest::Body::wrap_stream(ReaderStream::new(reader));
        let response = self
            .execute_stream(Method::POST, url, "application/octet-stream", body)
            .await?;
        Ok(location(&response)
            .as_deref()
            .and_then(last_segment)
            .and_then(|s| s.parse().ok()))
    }

    /// Signs a message at the signing step (`PUT ?complete=true&sign=true`).
    ///
    /// For [`SignatureSelection::Partial`] the forms and attachments are fetched first and
    /// the selection is refused unless it keeps every item the service locks as signed.
    /// Show [`signing_text`](Self::signing_text) to the signer first.
    ///
    /// # Errors
    ///
    /// [`Error::LockedItemOmitted`], [`Error::LockedItemIncluded`] or
    /// [`Error::UnknownItem`] for a refused selection (nothing is sent);
    /// [`Error::Service`] (403) when the login's security level or rights do not allow signing;
    /// otherwise the request's failure.
    pub async fn sign(
        &self,
        who: &Who,
        id: &MessageId,
        selection: &SignatureSelection,
    ) -> Result<Signed, Error> {
        let message = self.message(who, id).await?;
        let service_code = message.service_code.ok_or_else(|| {
            Error::UnexpectedResponse("the message has no ServiceCode".to_owned())
        })?;
        let service_edition = message.service_edition.ok_or_else(|| {
            Error::UnexpectedResponse("the message has no ServiceEdition".to_owned())
        })?;
        let mut body = task_header(&service_code, service_edition);
        if let SignatureSelection::Partial(spec) = selection {
            let forms = self.forms(who, id).await?;
            let attachments = self.attachments(who, id).await?;
            check_selection(spec, &forms, &attachments)?;
            body.insert(
                "_embedded".to_owned(),
                json!({"SignatureSpec": {
                    "FormIds": spec.form_ids,
                    "AttachmentIds": spec.attachment_ids,
                }}),
            );
        }
        let url = self.form_task_url(who, Some(id), true, true);
        let response = self
            .execute(&Call::new(
                Method::PUT,
                url,
                Payload::Json(Value::Object(body)),
            ))
            .await?;
        Ok(Signed {
            archived: Archived::from_location(location(&response)),
        })
    }
}

fn submitted(location: Option<String>) -> Result<Submitted, Error> {
    let location = location.ok_or_else(|| {
        Error::UnexpectedResponse("the created form task has no Location".to_owned())
    })?;
    let id = last_segment(&location)
        .ok_or_else(|| Error::UnexpectedResponse("the Location names no message".to_owned()))?;
    Ok(Submitted {
        message_id: MessageId::new(id),
        location,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::v2::hal::{Obj, Resource};

    fn forms() -> Vec<Form> {
        let value = serde_json::json!({"_embedded": {"forms": [
            {"FormId": 1, "Type": "MainForm", "SigningLocked": true, "SignedByDefault": true},
            {"FormId": 2, "Type": "SubForm", "SigningLocked": false, "SignedByDefault": true},
        ]}});
        Form::list(&value)
    }

    fn attachments() -> Vec<Attachment> {
        let value = serde_json::json!([
            {"FileName": "a.pdf", "SigningLocked": true, "SignedByDefault": true,
             "_links": {"self": {"href": "https://x/api/my/messages/a1/attachments/10"}}},
            {"FileName": "b.pdf", "SigningLocked": true, "SignedByDefault": false,
             "_links": {"self": {"href": "https://x/api/my/messages/a1/attachments/11"}}},
            {"FileName": "c.pdf", "SigningLocked": false, "SignedByDefault": false,
             "_links": {"self": {"href": "https://x/api/my/messages/a1/attachments/12"}}},
        ]);
        Obj::embedded(&value, "attachments")
            .iter()
            .filter_map(Attachment::from_obj)
            .collect()
    }

    fn spec(forms: &[i64], attachments: &[i64]) -> SignatureSpec {
        SignatureSpec {
            form_ids: forms.to_vec(),
            attachment_ids: attachments.to_vec(),
        }
    }

    #[test]
    fn selection_must_keep_locked_items() {
        let (f, a) = (forms(), attachments());
        assert!(check_selection(&spec(&[1], &[10]), &f, &a).is_ok());
        assert!(check_selection(&spec(&[1, 2], &[10, 12]), &f, &a).is_ok());
        assert!(matches!(
            check_selection(&spec(&[2], &[10]), &f, &a),
            Err(Error::LockedItemOmitted(SignatureItem::Form(1)))
        ));
        assert!(matches!(
            check_selection(&spec(&[1], &[]), &f, &a),
            Err(Error::LockedItemOmitted(SignatureItem::Attachment(10)))
        ));
        assert!(matches!(
            check_selection(&spec(&[1], &[10, 11]), &f, &a),
            Err(Error::LockedItemIncluded(SignatureItem::Attachment(11)))
        ));
        assert!(matches!(
            check_selection(&spec(&[1, 9], &[10]), &f, &a),
            Err(Error::UnknownItem(SignatureItem::Form(9)))
        ));
    }

    #[test]
    fn form_task_body_shape() {
        let task = FormTask::new("4711", 3)
            .form(NewForm::main("5703", "34554", "<Skjema/>"))
            .form(NewForm::sub("5704", "1", "<Under/>"))
            .attachment(NewAttachment::new("v.pdf", "Vedlegg", &b"%PDF"[..]));
        let small: Vec<&NewAttachment> = task.attachments.iter().collect();
        let body = task.body(&small);
        assert_eq!(body["Type"], "FormTask");
        assert_eq!(body["ServiceCode"], "4711");
        assert_eq!(body["ServiceEdition"], 3);
        assert_eq!(body["_embedded"]["forms"][0]["Type"], "MainForm");
        assert_eq!(body["_embedded"]["forms"][1]["Type"], "SubForm");
        assert_eq!(body["_embedded"]["forms"][0]["DataFormatVersion"], "34554");
        assert_eq!(body["_embedded"]["attachments"][0]["Data"], "JVBERg==");
        assert_eq!(
            body["_embedded"]["attachments"][0]["AttachmentType"],
            "Vedlegg"
        );
        assert!(!format!("{task:?}").contains("Skjema"));
    }
}
