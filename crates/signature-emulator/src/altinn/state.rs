//! The emulator's in-memory world: message boxes, reportees, users, tokens and sessions.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

/// A message's status, localised on the way out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// `Utfylling`.
    Filling,
    /// `Signering`.
    Signing,
    /// `Sendt og arkivert`.
    SentAndArchived,
    /// `Ulest`.
    Unread,
    /// `Lest`.
    Read,
    /// `Arkivert`.
    Archived,
    /// `Slettet`.
    Deleted,
}

impl Status {
    pub(crate) fn localized(self, language: &str) -> &'static str {
        let english = language == "1033";
        match (self, english) {
            (Self::Filling, false) => "Utfylling",
            (Self::Filling, true) => "Completion",
            (Self::Signing, false) => "Signering",
            (Self::Signing, true) => "Signing",
            (Self::SentAndArchived, false) => "Sendt og arkivert",
            (Self::SentAndArchived, true) => "Sent and archived",
            (Self::Unread, false) => "Ulest",
            (Self::Unread, true) => "Unread",
            (Self::Read, false) => "Lest",
            (Self::Read, true) => "Read",
            (Self::Archived, false) => "Arkivert",
            (Self::Archived, true) => "Archived",
            (Self::Deleted, false) => "Slettet",
            (Self::Deleted, true) => "Deleted",
        }
    }
}

/// One form of a stored form set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredForm {
    /// `FormId`.
    pub id: i64,
    /// Main form (true) or sub-form.
    pub main: bool,
    /// `DataFormatId`.
    pub data_format_id: String,
    /// `DataFormatVersion`.
    pub data_format_version: String,
    /// The XML.
    pub xml: String,
    /// `SigningLocked`.
    pub signing_locked: bool,
    /// `SignedByDefault`.
    pub signed_by_default: bool,
}

/// One stored attachment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAttachment {
    /// The id.
    pub id: i64,
    /// `FileName`.
    pub file_name: String,
    /// `AttachmentType`.
    pub attachment_type: String,
    /// The content.
    pub data: Vec<u8>,
    /// `SigningLocked`.
    pub signing_locked: bool,
    /// `SignedByDefault`.
    pub signed_by_default: bool,
}

/// A stored message, as tests can inspect it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMessage {
    /// `MessageId`.
    pub id: String,
    /// `OriginalId`, once archived.
    pub original_id: Option<String>,
    /// A form task (true) or correspondence.
    pub form_task: bool,
    /// The status.
    pub status: Status,
    /// `Subject`.
    pub subject: String,
    /// `ServiceCode`.
    pub service_code: String,
    /// `ServiceEdition`.
    pub service_edition: i64,
    /// The forms.
    pub forms: Vec<StoredForm>,
    /// The attachments.
    pub attachments: Vec<StoredAttachment>,
    /// The authentication level the signing step requires.
    pub signing_level: u8,
    /// Correspondence that must be confirmed before it is archived.
    pub requires_confirmation: bool,
    /// Whether it was confirmed.
    pub confirmed: bool,
    /// `ArchiveReference`, once archived.
    pub archive_reference: Option<String>,
    /// `LastChangedDateTime`.
    pub last_changed: String,
    /// The forms and attachments signed, once signed.
    pub signed_items: Option<(Vec<i64>, Vec<i64>)>,
}

impl StoredMessage {
    /// A new form task at the signing step without forms or attachments, signed at level 3,
    /// as seeded tasks and created ones start.
    pub(crate) fn form_task(service_code: String, service_edition: i64) -> Self {
        Self {
            id: String::new(),
            original_id: None,
            form_task: true,
            status: Status::Signing,
            subject: "Skjema til signering".to_owned(),
            service_code,
            service_edition,
            forms: Vec::new(),
            attachments: Vec::new(),
            signing_level: 3,
            requires_confirmation: false,
            confirmed: false,
            archive_reference: None,
            last_changed: "2024-01-15T12:00:00".to_owned(),
            signed_items: None,
        }
    }
}

/// Who a request acts as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Identity {
    pub(crate) level: u8,
}

#[derive(Debug)]
pub(crate) struct IssuedToken {
    pub(crate) identity: Identity,
    pub(crate) expires_at: Instant,
}

#[derive(Debug)]
pub(crate) struct MaskinportenClient {
    pub(crate) certificate: Vec<u8>,
    pub(crate) scopes: Vec<String>,
}

/// A reportee to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReporteeSeed {
    /// `ReporteeId` with its `r` prefix.
    pub id: String,
    /// `Name`.
    pub name: String,
    /// `Type`.
    pub kind: String,
    /// `OrganizationNumber`.
    pub organization_number: Option<String>,
    /// `SocialSecurityNumber`.
    pub social_security_number: Option<String>,
}

#[derive(Debug, Default)]
pub(crate) struct World {
    pub(crate) boxes: HashMap<String, Vec<StoredMessage>>,
    pub(crate) reportees: Vec<ReporteeSeed>,
    pub(crate) tokens: HashMap<String, IssuedToken>,
    pub(crate) maskinporten_tokens: HashMap<String, (String, Instant)>,
    pub(crate) sessions: HashMap<String, Identity>,
    pub(crate) seen_jti: HashSet<String>,
    pub(crate) next_id: i64,
}

impl World {
    pub(crate) fn next(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }

    pub(crate) fn message_mut(&mut self, who: &str, id: &str) -> Option<&mut StoredMessage> {
        self.boxes
            .get_mut(who)?
            .iter_mut()
            .find(|m| m.id == id && m.status != Status::Deleted)
    }
}
