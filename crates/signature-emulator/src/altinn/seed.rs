//! Form tasks as a test puts them into a message box.

use super::state::{Status, StoredAttachment, StoredForm, StoredMessage};

/// A form task to put in a message box.
#[derive(Debug, Clone)]
#[must_use]
pub struct FormTaskSeed {
    pub(super) message: StoredMessage,
}

impl FormTaskSeed {
    /// A form task for a service, at the signing step, requiring level 3 to sign.
    pub fn new(service_code: impl Into<String>, service_edition: i64) -> Self {
        Self {
            message: StoredMessage::form_task(service_code.into(), service_edition),
        }
    }

    /// The subject.
    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.message.subject = subject.into();
        self
    }

    /// The status (default [`Status::Signing`]).
    pub fn status(mut self, status: Status) -> Self {
        self.message.status = status;
        self
    }

    /// The authentication level signing requires (default 3).
    pub fn signing_level(mut self, level: u8) -> Self {
        self.message.signing_level = level;
        self
    }

    /// `LastChangedDateTime` (default `2024-01-15T12:00:00`), used by `dateFrom`/`dateTo`.
    pub fn last_changed(mut self, at: impl Into<String>) -> Self {
        self.message.last_changed = at.into();
        self
    }

    /// The main form, locked as signed.
    pub fn main_form(self, format: &str, version: &str, xml: &str) -> Self {
        self.form(true, format, version, xml, true, true)
    }

    /// A form with explicit signing flags.
    pub fn form(
        mut self,
        main: bool,
        format: &str,
        version: &str,
        xml: &str,
        signing_locked: bool,
        signed_by_default: bool,
    ) -> Self {
        self.message.forms.push(StoredForm {
            id: 0,
            main,
            data_format_id: format.to_owned(),
            data_format_version: version.to_owned(),
            xml: xml.to_owned(),
            signing_locked,
            signed_by_default,
        });
        self
    }

    /// An attachment with explicit signing flags.
    pub fn attachment(
        mut self,
        file_name: &str,
        attachment_type: &str,
        data: &[u8],
        signing_locked: bool,
        signed_by_default: bool,
    ) -> Self {
        self.message.attachments.push(StoredAttachment {
            id: 0,
            file_name: file_name.to_owned(),
            attachment_type: attachment_type.to_owned(),
            data: data.to_vec(),
            signing_locked,
            signed_by_default,
        });
        self
    }
}
