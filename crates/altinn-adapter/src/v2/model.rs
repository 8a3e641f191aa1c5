//! The resources the message API returns, read from HAL+JSON.

use std::fmt;

use serde_json::Value;

use super::hal::{Link, Obj, Resource};
use super::status::MessageStatus;
use crate::secret::Secret;

/// A message id. The first letter tells the kind: `a` active, `b` archived, `c` Altinn 1.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MessageId(String);

impl MessageId {
    /// Wraps an id as Altinn gives it.
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the id names an archived item (`b…`).
    pub fn is_archived(&self) -> bool {
        self.0.starts_with(['b', 'B'])
    }
}

impl fmt::Display for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

signature_core::open_enum! {
    #![open_enum(ignore_case)]
    /// A message's type.
    pub enum MessageKind {
        /// A form task (fill in, sign, submit).
        FormTask => "FormTask",
        /// Correspondence from an agency.
        Correspondence => "Correspondence",
    }
}

/// The form and attachment ids of a partial signature (`SignatureSpec`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SignatureSpec {
    /// Forms to sign.
    pub form_ids: Vec<i64>,
    /// Attachments to sign.
    pub attachment_ids: Vec<i64>,
}

/// A message in a message box or the archive.
///
/// Timestamps are kept as Altinn sends them, since it sends them without an offset.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Message {
    /// The id (`a…` active, `b…` archived).
    pub id: MessageId,
    /// For an archived item, the id it had before.
    pub original_id: Option<MessageId>,
    /// The subject.
    pub subject: Option<String>,
    /// The status.
    pub status: MessageStatus,
    /// Form task or correspondence.
    pub kind: MessageKind,
    /// The agency, e.g. `Skatteetaten`.
    pub service_owner: Option<String>,
    /// The service code (needed to sign).
    pub service_code: Option<String>,
    /// The service edition (needed to sign).
    pub service_edition: Option<i64>,
    /// When it was created.
    pub created_date: Option<String>,
    /// When it last changed.
    pub last_changed: Option<String>,
    /// The deadline, if any.
    pub due_date: Option<String>,
    /// The archive reference (`AR…`) of an archived item.
    pub archive_reference: Option<String>,
    /// The signature selection, when Altinn states it.
    pub signature_spec: Option<SignatureSpec>,
    /// `_links.self`.
    pub self_link: Option<Link>,
    /// `_links.print`: the PDF of the form set.
    pub print_link: Option<Link>,
    /// `_links.form`.
    pub form_links: Vec<Link>,
    /// `_links.attachment`, with signing flags.
    pub attachment_links: Vec<Link>,
}

impl Resource for Message {
    const EMBEDDED: &'static str = "messages";

    fn from_obj(obj: &Obj<'_>) -> Option<Self> {
        let id = obj.string("MessageId")?;
        let spec = obj.obj("SignatureSpec");
        Some(Self {
            id: MessageId::new(id),
            original_id: obj.string("OriginalId").map(MessageId::new),
            subject: obj.string("Subject"),
            status: MessageStatus::parse(&obj.string("Status").unwrap_or_default()),
            kind: MessageKind::parse(&obj.string("Type").unwrap_or_default()),
            service_owner: obj.string("ServiceOwner"),
            service_code: obj.string("ServiceCode"),
            service_edition: obj.int("ServiceEdition"),
            created_date: obj.string("CreatedDate"),
            last_changed: obj.string("LastChangedDateTime"),
            due_date: obj.string("DueDate"),
            archive_reference: obj.string("ArchiveReference"),
            signature_spec: spec.is_object().then(|| SignatureSpec {
                form_ids: spec.ints("FormIds"),
                attachment_ids: spec.ints("AttachmentIds"),
            }),
            self_link: obj.link("self"),
            print_link: obj.link("print"),
            form_links: obj.links("form"),
            attachment_links: obj.links("attachment"),
        })
    }
}

signature_core::open_enum! {
    #![open_enum(ignore_case)]
    /// Main form or sub-form.
    pub enum FormKind {
        /// The main form.
        MainForm => "MainForm",
        /// A sub-form.
        SubForm => "SubForm",
    }
}

/// One form of a message's form set.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Form {
    /// The form id (used in a partial signature).
    pub id: i64,
    /// Main form or sub-form.
    pub kind: FormKind,
    /// The data format id.
    pub data_format_id: Option<String>,
    /// The data format version.
    pub data_format_version: Option<String>,
    /// The form's name.
    pub name: Option<String>,
    /// Whether the signing selection of this form is locked.
    pub signing_locked: bool,
    /// Whether the service owner wants it signed.
    pub signed_by_default: bool,
    /// `ValidationStatus`, e.g. `NotValidated`.
    pub validation_status: Option<String>,
    /// The form data, when the answer includes it.
    pub form_data: Option<String>,
}

impl fmt::Debug for Form {
    // Form data is usually personal.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Form")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("data_format_id", &self.data_format_id)
            .field("data_format_version", &self.data_format_version)
            .field("name", &self.name)
            .field("signing_locked", &self.signing_locked)
            .field("signed_by_default", &self.signed_by_default)
            .field("form_data_len", &self.form_data.as_ref().map(String::len))
            .finish()
    }
}

impl Resource for Form {
    const EMBEDDED: &'static str = "forms";

    fn from_obj(obj: &Obj<'_>) -> Option<Self> {
        let id = obj
            .int("FormId")
            .or_else(|| obj.link("self")?.last_segment()?.parse().ok())?;
        let kind = FormKind::parse(&obj.string("Type").unwrap_or_default());
        Some(Self {
            id,
            kind,
            data_format_id: obj.string("DataFormatId"),
            data_format_version: obj.string("DataFormatVersion"),
            name: obj.string("Name"),
            signing_locked: obj.bool("SigningLocked").unwrap_or(false),
            signed_by_default: obj.bool("SignedByDefault").unwrap_or(false),
            validation_status: obj.string("ValidationStatus"),
            form_data: obj.string("FormData"),
        })
    }
}

/// An attachment's metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Attachment {
    /// The attachment id (used in a partial signature and to download).
    pub id: i64,
    /// The file name.
    pub file_name: Option<String>,
    /// The display name.
    pub name: Option<String>,
    /// The functional attachment type.
    pub attachment_type: Option<String>,
    /// Whether the download is encrypted.
    pub encrypted: bool,
    /// Whether the signing selection of this attachment is locked.
    pub signing_locked: bool,
    /// Whether the service owner wants it signed.
    pub signed_by_default: bool,
    /// The size in bytes, when known.
    pub file_size: Option<u64>,
    /// Where to download it.
    pub href: Option<String>,
}

impl Resource for Attachment {
    const EMBEDDED: &'static str = "attachments";

    fn from_obj(obj: &Obj<'_>) -> Option<Self> {
        let self_link = obj.link("self");
        let id = obj.int("AttachmentId").or_else(|| {
            self_link
                .as_ref()?
                .last_segment()?
                .parse()
                .ok()
                .or_else(|| {
                    obj.string("AttachmentLink")?
                        .rsplit('/')
                        .next()?
                        .parse()
                        .ok()
                })
        })?;
        Some(Self {
            id,
            file_name: obj.string("FileName"),
            name: obj.string("Name"),
            attachment_type: obj.string("AttachmentType"),
            encrypted: obj.bool("Encrypted").unwrap_or(false),
            signing_locked: obj.bool("SigningLocked").unwrap_or(false),
            signed_by_default: obj.bool("SignedByDefault").unwrap_or(false),
            file_size: obj.int("FileSize").and_then(|s| u64::try_from(s).ok()),
            href: self_link
                .map(|link| link.href)
                .or_else(|| obj.string("AttachmentLink")),
        })
    }
}

/// Someone the user can act for.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Reportee {
    /// The reportee id with its `r` prefix; usable as [`Who::Reportee`](super::Who::Reportee).
    pub id: String,
    /// The name.
    pub name: Option<String>,
    /// `Type` as Altinn localises it (e.g. `Person`, `Foretak`).
    pub kind: Option<String>,
    /// The organization number, for organizations.
    pub organization_number: Option<String>,
    /// The identity number, for persons (hidden in `Debug`).
    pub social_security_number: Option<Secret>,
    /// `Status`, for organizations (e.g. `Active`).
    pub status: Option<String>,
}

impl Resource for Reportee {
    const EMBEDDED: &'static str = "reportees";

    fn from_obj(obj: &Obj<'_>) -> Option<Self> {
        Some(Self {
            id: obj.string("ReporteeId")?,
            name: obj.string("Name"),
            kind: obj.string("Type"),
            organization_number: obj.string("OrganizationNumber"),
            social_security_number: obj.string("SocialSecurityNumber").map(Secret::new),
            status: obj.string("Status"),
        })
    }
}

/// The text a signer confirms, and the raw answer for audit.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SigningText {
    /// The text (it may contain HTML).
    pub text: String,
    /// The answer body as received.
    pub raw: String,
}

impl SigningText {
    /// Altinn does not document the shape: a JSON string, an object holding the text, or
    /// plain text are all read.
    pub(crate) fn parse(raw: String) -> Self {
        let text = match serde_json::from_str::<Value>(&raw) {
            Ok(Value::String(text)) => text,
            Ok(value @ Value::Object(_)) => {
                let obj = Obj::new(&value);
                obj.any(&["SigningText", "Text", "Body"])
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .or_else(|| {
                        value.as_object().and_then(|map| {
                            map.values().find_map(|v| v.as_str().map(str::to_owned))
                        })
                    })
                    .unwrap_or_else(|| raw.clone())
            }
            _ => raw.clone(),
        };
        Self { text, raw }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    //! Fixtures written from the documented field names and shapes, not copied answers.

    use super::*;
    use serde_json::json;

    fn form_task_in_signing() -> Value {
        json!({
            "MessageId": "a4711001",
            "MessageLink": "https://tt02.altinn.no/Pages/ServiceEngine/Dispatcher/Dispatcher.aspx?ReporteeElementID=4711001",
            "Subject": "Søknad om tilskudd",
            "Status": "Signering",
            "MarkedUnread": false,
            "LastChangedDateTime": "2024-03-01T10:15:30.5",
            "CreatedDate": "2024-03-01T09:00:00",
            "LastChangedBy": "Kari Nordmann",
            "ServiceOwner": "Testetaten",
            "Type": "FormTask",
            "ServiceCode": "4711",
            "ServiceEdition": 2,
            "DueDate": "2024-04-01T00:00:00",
            "AvailableAction": 0,
            "SignatureSpec": {"FormIds": [101], "AttachmentIds": [201, 202]},
            "ReplyOptions": [],
            "SomeFutureField": {"nested": true},
            "_links": {
                "self": {"href": "https://tt02.altinn.no/api/my/messages/a4711001"},
                "metadata": {"href": "https://tt02.altinn.no/api/metadata/formtask/4711/2"},
                "portalview": {"href": "https://tt02.altinn.no/Pages/x"},
                "print": {"href": "https://tt02.altinn.no/api/my/messages/a4711001/print", "mime-type": "application/pdf"},
                "form": [
                    {"href": "https://tt02.altinn.no/api/my/messages/a4711001/forms/101", "name": "Hovedskjema"}
                ],
                "attachment": [
                    {"href": "https://tt02.altinn.no/api/my/messages/a4711001/attachments/201", "name": "Budsjett",
                     "fileName": "budsjett.pdf", "encrypted": false, "signinglocked": true,
                     "signedbydefault": true, "filesize": 1234},
                    {"href": "https://tt02.altinn.no/api/my/messages/a4711001/attachments/202", "name": "Notat",
                     "fileName": "notat.txt", "encrypted": false, "signinglocked": false,
                     "signedbydefault": false, "filesize": -1}
                ]
            }
        })
    }

    #[test]
    fn a_form_task_message() {
        let value = form_task_in_signing();
        let message = Message::from_obj(&Obj::new(&value)).unwrap();
        assert_eq!(message.id.as_str(), "a4711001");
        assert!(!message.id.is_archived());
        assert_eq!(message.status, MessageStatus::Signing);
        assert_eq!(message.kind, MessageKind::FormTask);
        assert_eq!(message.service_code.as_deref(), Some("4711"));
        assert_eq!(message.service_edition, Some(2));
        assert_eq!(message.subject.as_deref(), Some("Søknad om tilskudd"));
        assert_eq!(
            message.signature_spec,
            Some(SignatureSpec {
                form_ids: vec![101],
                attachment_ids: vec![201, 202]
            })
        );
        let print = message.print_link.unwrap();
        assert_eq!(print.mime_type.as_deref(), Some("application/pdf"));
        assert_eq!(message.form_links.len(), 1);
        assert_eq!(message.form_links[0].last_segment(), Some("101"));
        assert_eq!(message.attachment_links.len(), 2);
        assert_eq!(message.attachment_links[0].signing_locked, Some(true));
        assert_eq!(message.attachment_links[0].file_size, Some(1234));
        assert_eq!(message.attachment_links[1].file_size, None);
    }

    #[test]
    fn an_archived_item_and_a_list_envelope() {
        let value = json!({
            "_links": {
                "self": {"href": "https://www.altinn.no/api/my/messages"},
                "find": {"href": "https://www.altinn.no/api/my/messages/{MessageId}", "isTemplated": true}
            },
            "_embedded": {"messages": [
                form_task_in_signing(),
                {"messageid": "b3513210", "originalid": "a3513210", "status": "Sendt og arkivert",
                 "type": "FormTask", "archivereference": "AR3513210", "serviceedition": "2"},
                {"Subject": "no id, skipped"},
                {"MessageId": "a9", "Status": "Ulest", "Type": "Correspondence", "Body": "<p>Hei</p>"}
            ]}
        });
        let messages = Message::list(&value);
        assert_eq!(messages.len(), 3);
        let archived = &messages[1];
        assert!(archived.id.is_archived());
        assert_eq!(
            archived.original_id.as_ref().map(MessageId::as_str),
            Some("a3513210")
        );
        assert_eq!(archived.status, MessageStatus::SentAndArchived);
        assert_eq!(archived.archive_reference.as_deref(), Some("AR3513210"));
        assert_eq!(archived.service_edition, Some(2));
        assert_eq!(messages[2].kind, MessageKind::Correspondence);
        assert_eq!(messages[2].status, MessageStatus::Unread);
        let find = Obj::new(&value).link("find").unwrap();
        assert!(find.templated);
    }

    #[test]
    fn forms_and_attachments() {
        let forms = json!({
            "_links": {"self": {"href": "https://x/api/my/messages/a1/forms"}},
            "_embedded": {"forms": [
                {"FormId": 101, "Type": "MainForm", "DataFormatId": "5703", "DataFormatVersion": 34554,
                 "ValidationStatus": "NotValidated", "Name": "Hovedskjema", "SigningLocked": true,
                 "SignedByDefault": true, "FormData": "<Skjema/>",
                 "_links": {"self": {"href": "https://x/api/my/messages/a1/forms/101"},
                            "formdata": {"href": "https://x/api/my/messages/a1/forms/101/formdata", "mime-type": "application/xml"}}},
                {"Type": "SubForm", "DataFormatId": "5704", "DataFormatVersion": "1",
                 "_links": {"self": {"href": "https://x/api/my/messages/a1/forms/102"}}}
            ]}
        });
        let forms = Form::list(&forms);
        assert_eq!(forms.len(), 2);
        assert_eq!(forms[0].id, 101);
        assert_eq!(forms[0].kind, FormKind::MainForm);
        assert_eq!(forms[0].data_format_version.as_deref(), Some("34554"));
        assert!(forms[0].signing_locked && forms[0].signed_by_default);
        assert_eq!(forms[1].id, 102, "id from the self link");
        assert_eq!(forms[1].kind, FormKind::SubForm);
        assert!(!format!("{:?}", forms[0]).contains("Skjema"));

        let attachments = json!({"_embedded": {"attachments": [
            {"FileName": "budsjett.pdf", "Name": "Budsjett", "AttachmentType": "Vedlegg",
             "AttachmentTypeLocalized": "Vedlegg", "Encrypted": false, "SigningLocked": true,
             "SignedByDefault": true, "FileSize": -1,
             "_links": {"self": {"href": "https://x/api/my/messages/a1/attachments/201"}}}
        ]}});
        let attachments = Attachment::list(&attachments);
        assert_eq!(attachments.len(), 1);
        assert_eq!(attachments[0].id, 201);
        assert_eq!(attachments[0].file_size, None);
        assert_eq!(attachments[0].attachment_type.as_deref(), Some("Vedlegg"));
        assert!(attachments[0].signing_locked);
    }

    #[test]
    fn reportees_hide_identity_numbers() {
        let value = json!({"_embedded": {"reportees": [
            {"ReporteeId": "r50170460", "Name": "KARI NORDMANN", "Type": "Person",
             "SocialSecurityNumber": "24068110048",
             "_links": {"messages": {"href": "https://x/api/r50170460/messages"}}},
            {"ReporteeId": "r50005000", "Name": "TESTBEDRIFT AS", "Type": "Foretak",
             "OrganizationNumber": "984661185", "OrganizationForm": "AS", "Status": "Active"}
        ]}});
        let reportees = Reportee::list(&value);
        assert_eq!(reportees.len(), 2);
        assert_eq!(
            reportees[1].organization_number.as_deref(),
            Some("984661185")
        );
        assert_eq!(
            reportees[0]
                .social_security_number
                .as_ref()
                .map(Secret::expose),
            Some("24068110048")
        );
        assert!(!format!("{reportees:?}").contains("24068110048"));
    }

    #[test]
    fn signing_text_shapes() {
        let string =
            SigningText::parse(r#""Jeg bekrefter at opplysningene er riktige.""#.to_owned());
        assert_eq!(string.text, "Jeg bekrefter at opplysningene er riktige.");
        let object =
            SigningText::parse(r#"{"Language": "1044", "SigningText": "Tekst"}"#.to_owned());
        assert_eq!(object.text, "Tekst");
        let other = SigningText::parse(r#"{"Whatever": "Annen tekst"}"#.to_owned());
        assert_eq!(other.text, "Annen tekst");
        let plain = SigningText::parse("Ren tekst".to_owned());
        assert_eq!(plain.text, "Ren tekst");
        assert_eq!(plain.raw, "Ren tekst");
    }
}
