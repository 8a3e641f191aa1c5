//! Structured forms, for services that sign a filled-in form rather than documents (Altinn).

use std::fmt;

use crate::error::{TextField, ValidationError};

/// Whether a form part is the form set's main form or one of its sub-forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FormPartKind {
    /// The one main form of the set.
    Main,
    /// An additional form.
    Sub,
}

/// One form of a form set: its data format and its data as XML.
#[derive(Clone, PartialEq, Eq)]
pub struct FormPart {
    kind: FormPartKind,
    data_format_id: String,
    data_format_version: String,
    xml: String,
}

impl FormPart {
    /// The main form, in the data format `data_format_id` version `data_format_version`.
    pub fn main(
        data_format_id: impl Into<String>,
        data_format_version: impl Into<String>,
        xml: impl Into<String>,
    ) -> Self {
        Self::new(FormPartKind::Main, data_format_id, data_format_version, xml)
    }

    /// A sub-form, in the data format `data_format_id` version `data_format_version`.
    pub fn sub(
        data_format_id: impl Into<String>,
        data_format_version: impl Into<String>,
        xml: impl Into<String>,
    ) -> Self {
        Self::new(FormPartKind::Sub, data_format_id, data_format_version, xml)
    }

    fn new(
        kind: FormPartKind,
        data_format_id: impl Into<String>,
        data_format_version: impl Into<String>,
        xml: impl Into<String>,
    ) -> Self {
        Self {
            kind,
            data_format_id: data_format_id.into(),
            data_format_version: data_format_version.into(),
            xml: xml.into(),
        }
    }

    /// Main form or sub-form.
    pub fn kind(&self) -> FormPartKind {
        self.kind
    }

    /// The data format's identifier.
    pub fn data_format_id(&self) -> &str {
        &self.data_format_id
    }

    /// The data format's version.
    pub fn data_format_version(&self) -> &str {
        &self.data_format_version
    }

    /// The form data (XML).
    pub fn xml(&self) -> &str {
        &self.xml
    }
}

impl fmt::Debug for FormPart {
    // Form data is usually personal, so only its size is shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FormPart")
            .field("kind", &self.kind)
            .field("data_format_id", &self.data_format_id)
            .field("data_format_version", &self.data_format_version)
            .field("xml_len", &self.xml.len())
            .finish()
    }
}

/// A filled-in form set for a service identified by code and edition, to be signed by
/// whoever holds the signing right at the provider.
///
/// A job carrying a form ([`SigningJobBuilder::form`](crate::SigningJobBuilder::form)) needs
/// [`Capability::SubmitForm`](crate::Capability::SubmitForm) instead of a job-creation
/// capability; its documents, if any, travel as attachments of type
/// [`attachment_type`](Self::attachment_type), and it may name no signers.
///
/// ```
/// use signature_core::{FormPart, ServiceForm};
///
/// let form = ServiceForm::new("4711", 1)
///     .part(FormPart::main("5703", "34554", "<Skjema/>"))
///     .attachment_type("Vedlegg");
/// assert_eq!(form.parts().len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceForm {
    service_code: String,
    service_edition: u32,
    parts: Vec<FormPart>,
    attachment_type: Option<String>,
}

impl ServiceForm {
    /// An empty form set for the service `service_code`, edition `service_edition`.
    pub fn new(service_code: impl Into<String>, service_edition: u32) -> Self {
        Self {
            service_code: service_code.into(),
            service_edition,
            parts: Vec::new(),
            attachment_type: None,
        }
    }

    /// Adds a form part; a set needs exactly one [`FormPartKind::Main`].
    #[must_use]
    pub fn part(mut self, part: FormPart) -> Self {
        self.parts.push(part);
        self
    }

    /// The service's functional attachment type given to the job's documents (needed when
    /// the job has documents).
    #[must_use]
    pub fn attachment_type(mut self, attachment_type: impl Into<String>) -> Self {
        self.attachment_type = Some(attachment_type.into());
        self
    }

    /// The service code.
    pub fn service_code(&self) -> &str {
        &self.service_code
    }

    /// The service edition.
    pub fn service_edition(&self) -> u32 {
        self.service_edition
    }

    /// The form parts, in order.
    pub fn parts(&self) -> &[FormPart] {
        &self.parts
    }

    /// The attachment type for the job's documents, if given.
    pub fn attachment_type_for_documents(&self) -> Option<&str> {
        self.attachment_type.as_deref()
    }

    pub(crate) fn validate(&self, has_documents: bool) -> Result<(), ValidationError> {
        let non_empty = |field, text: &str| {
            if text.trim().is_empty() {
                Err(ValidationError::EmptyText { field })
            } else {
                Ok(())
            }
        };
        non_empty(TextField::FormIdentifier, &self.service_code)?;
        for part in &self.parts {
            non_empty(TextField::FormIdentifier, &part.data_format_id)?;
            non_empty(TextField::FormIdentifier, &part.data_format_version)?;
        }
        let main_parts = self
            .parts
            .iter()
            .filter(|part| part.kind == FormPartKind::Main)
            .count();
        if main_parts != 1 {
            return Err(ValidationError::FormMainPartCount { count: main_parts });
        }
        if has_documents {
            non_empty(
                TextField::AttachmentType,
                self.attachment_type.as_deref().unwrap_or_default(),
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn a_form_set_needs_exactly_one_main_part() {
        for (case, form, expected) in [
            (
                "no part",
                ServiceForm::new("4711", 1),
                Err(ValidationError::FormMainPartCount { count: 0 }),
            ),
            (
                "two main parts",
                ServiceForm::new("4711", 1)
                    .part(FormPart::main("1", "2", "<a/>"))
                    .part(FormPart::main("1", "2", "<b/>")),
                Err(ValidationError::FormMainPartCount { count: 2 }),
            ),
            (
                "one main part and a sub part",
                ServiceForm::new("4711", 1)
                    .part(FormPart::main("1", "2", "<a/>"))
                    .part(FormPart::sub("3", "4", "<b/>")),
                Ok(()),
            ),
        ] {
            assert_eq!(form.validate(false), expected, "case {case}");
        }
    }

    #[test]
    fn identifiers_and_attachment_type_must_not_be_empty() {
        let no_code = ServiceForm::new(" ", 1).part(FormPart::main("1", "2", "<a/>"));
        assert_eq!(
            no_code.validate(false),
            Err(ValidationError::EmptyText {
                field: TextField::FormIdentifier
            })
        );
        let no_format = ServiceForm::new("4711", 1).part(FormPart::main("", "2", "<a/>"));
        assert!(no_format.validate(false).is_err());
        let form = ServiceForm::new("4711", 1).part(FormPart::main("1", "2", "<a/>"));
        assert_eq!(
            form.validate(true),
            Err(ValidationError::EmptyText {
                field: TextField::AttachmentType
            })
        );
        assert_eq!(form.attachment_type("Vedlegg").validate(true), Ok(()));
    }

    #[test]
    fn form_jobs_need_no_documents_or_signers_and_ask_for_submit_form() {
        use crate::{
            Capability, DirectFlow, Document, ExitUrls, Flow, FlowKind, Signer, SigningJob,
        };
        let form = || ServiceForm::new("4711", 1).part(FormPart::main("1", "2", "<a/>"));
        let job = SigningJob::builder("Skattemelding")
            .form(form())
            .build()
            .unwrap();
        assert_eq!(job.form().map(ServiceForm::service_code), Some("4711"));
        let required: Vec<Capability> = job.required_capabilities().into_iter().collect();
        assert_eq!(required, [Capability::SubmitForm]);

        let with_signer = SigningJob::builder("Skattemelding")
            .form(form().attachment_type("Vedlegg"))
            .document(Document::pdf("Vedlegg", "v.pdf", b"%PDF".to_vec()))
            .signer(
                Signer::with_personal_identification_number("24068110048")
                    .notify_by_email("a@b.no"),
            )
            .build()
            .unwrap();
        let required = with_signer.required_capabilities();
        assert!(required.contains(Capability::AddressedSigners));
        assert!(!required.contains(Capability::CreatePortalJob));

        let direct = SigningJob::builder("x")
            .form(form())
            .flow(Flow::Direct(DirectFlow::new(ExitUrls::single(
                "https://example.com",
            ))))
            .build();
        assert_eq!(
            direct,
            Err(ValidationError::NotAvailableInFlow {
                capability: Capability::SubmitForm,
                flow: FlowKind::Direct
            })
        );
        // Documents on a form job need an attachment type.
        let untyped = SigningJob::builder("x")
            .form(form())
            .document(Document::pdf("Vedlegg", "v.pdf", b"%PDF".to_vec()))
            .build();
        assert!(matches!(
            untyped,
            Err(ValidationError::EmptyText {
                field: TextField::AttachmentType
            })
        ));
        // Without a form, a document service's minimums (its `JobLimits`) refuse it.
        let document_limits = crate::JobLimits::new((1, 20), (1, 10), 10 * 1024 * 1024);
        assert!(
            SigningJob::builder("x")
                .build()
                .unwrap()
                .check_limits(&document_limits)
                .is_err()
        );
    }

    #[test]
    fn form_data_is_hidden_in_debug() {
        let part = FormPart::main("1", "2", "<Fnr>24068110048</Fnr>");
        let shown = format!("{part:?}");
        assert!(!shown.contains("24068110048"), "{shown}");
        assert!(shown.contains("xml_len"));
    }
}
