//! The signing job and its builder.

use std::collections::HashMap;
use std::time::Duration;

use time::OffsetDateTime;

use crate::capability::{Capabilities, Capability};
use crate::document::{Document, MediaType, check_length};
use crate::error::{FileNameProblem, TextField, ValidationError};
use crate::flow::{Flow, FlowKind, PollingQueue, StatusRetrievalMethod};
use crate::form::ServiceForm;
use crate::org_number::OrganizationNumber;
use crate::pin::contains_identity_number;
use crate::signer::{Notifications, OnBehalfOf, Signer, SignerBuilder, SignerIdentifier};

/// Shortest and longest job title, in characters.
pub const TITLE_LENGTH: (usize, usize) = (1, 80);
/// Shortest and longest non-sensitive title, in characters.
pub const NON_SENSITIVE_TITLE_LENGTH: (usize, usize) = (1, 80);
/// Longest description, in characters.
pub const MAX_DESCRIPTION_LENGTH: usize = 220;
/// Longest reference, in characters.
pub const MAX_REFERENCE_LENGTH: usize = 50;
/// Longest availability the service allows: 90 days.
pub const MAX_AVAILABLE_SECONDS: u64 = 90 * 24 * 60 * 60;

/// The authentication level a signer must log in with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum AuthenticationLevel {
    /// Level 3 ("substantial"), e.g. MinID.
    Three,
    /// Level 4 ("high"), e.g. BankID.
    Four,
}

/// How signers are identified inside the signed documents. Not every value is open to
/// every sender.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IdentifierInSignedDocuments {
    /// Personal identification number and name.
    PersonalIdentificationNumberAndName,
    /// Date of birth and name.
    DateOfBirthAndName,
    /// Name only.
    Name,
}

/// When a portal job becomes available and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Availability {
    /// The earliest time signers can sign; `None` (or a past time) means immediately.
    pub activation_time: Option<OffsetDateTime>,
    /// How long after activation the job can be signed, in whole seconds, at most
    /// [`MAX_AVAILABLE_SECONDS`]; `None` means the service default (30 days).
    pub available_for: Option<Duration>,
}

impl Availability {
    /// Whether neither setting is given.
    pub fn is_default(&self) -> bool {
        self.activation_time.is_none() && self.available_for.is_none()
    }
}

/// A validated signing job: documents, signers and settings, ready to hand to a
/// [`SignatureService`](crate::SignatureService).
///
/// Built with [`SigningJob::builder`]; every rule the services document is checked in
/// [`SigningJobBuilder::build`], so a `SigningJob` is known to be well-formed. Cloning is
/// cheap because document contents are shared.
///
/// A portal job (the default flow) and a direct job:
///
/// ```
/// use signature_core::{
///     DirectFlow, Document, ExitUrls, Flow, FlowKind, LookupNotifications, Signer, SigningJob,
/// };
///
/// let pdf = b"%PDF-1.7 ...".to_vec();
/// let portal = SigningJob::builder("Shareholder agreement")
///     .reference("agm-2024")
///     .document(Document::pdf("Shareholder agreement", "agreement.pdf", pdf.clone()))
///     .signer(Signer::with_personal_identification_number("24068110048")
///         .notify_through_lookup(LookupNotifications::EmailOnly)
///         .order(1))
///     .signer(Signer::with_email("board@example.com").order(2))
///     .build()?;
/// assert_eq!(portal.flow().kind(), FlowKind::Portal);
/// assert_eq!(portal.signers().len(), 2);
/// assert_eq!(portal.reference(), Some("agm-2024"));
///
/// let direct = SigningJob::builder("Rental agreement")
///     .flow(Flow::Direct(DirectFlow::new(ExitUrls::single("https://www.example.com/done"))))
///     .document(Document::pdf("Rental agreement", "rental.pdf", pdf))
///     .signer(Signer::with_personal_identification_number("24068110048"))
///     .build()?;
/// assert_eq!(direct.flow().kind(), FlowKind::Direct);
/// # Ok::<(), signature_core::ValidationError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningJob {
    title: String,
    description: Option<String>,
    non_sensitive_title: Option<String>,
    reference: Option<String>,
    documents: Vec<Document>,
    signers: Vec<Signer>,
    authentication_level: Option<AuthenticationLevel>,
    availability: Availability,
    identifier_in_signed_documents: Option<IdentifierInSignedDocuments>,
    sender: Option<OrganizationNumber>,
    flow: Flow,
    polling_queue: Option<PollingQueue>,
    form: Option<ServiceForm>,
}

impl SigningJob {
    /// Starts a job with the given title (1–80 characters), shown to the signers.
    pub fn builder(title: impl Into<String>) -> SigningJobBuilder {
        SigningJobBuilder::new(title.into())
    }

    /// The title.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The message to the signers, if any.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The title used in notifications instead of the real one, if any.
    pub fn non_sensitive_title(&self) -> Option<&str> {
        self.non_sensitive_title.as_deref()
    }

    /// The sender's own reference, if any.
    pub fn reference(&self) -> Option<&str> {
        self.reference.as_deref()
    }

    /// The documents, in order (1–20).
    pub fn documents(&self) -> &[Document] {
        &self.documents
    }

    /// The signers, in order (1–10).
    pub fn signers(&self) -> &[Signer] {
        &self.signers
    }

    /// The required authentication level, if set.
    pub fn authentication_level(&self) -> Option<AuthenticationLevel> {
        self.authentication_level
    }

    /// Activation time and available duration.
    pub fn availability(&self) -> &Availability {
        &self.availability
    }

    /// How signers appear in the signed documents, if set.
    pub fn identifier_in_signed_documents(&self) -> Option<IdentifierInSignedDocuments> {
        self.identifier_in_signed_documents
    }

    /// The organization the job is sent for, if not the client's default.
    pub fn sender(&self) -> Option<&OrganizationNumber> {
        self.sender.as_ref()
    }

    /// The signing flow.
    pub fn flow(&self) -> &Flow {
        &self.flow
    }

    /// The status-change queue, if not the default one.
    pub fn polling_queue(&self) -> Option<&PollingQueue> {
        self.polling_queue.as_ref()
    }

    /// The form set to be signed, for form jobs.
    pub fn form(&self) -> Option<&ServiceForm> {
        self.form.as_ref()
    }

    /// Total size of all documents in bytes.
    pub fn total_document_size(&self) -> u64 {
        self.documents.iter().map(Document::size).sum()
    }

    /// Everything a service must support to carry out this job as built.
    ///
    /// Adapters compare this with their [`Capabilities`] (see
    /// [`Capabilities::ensure_supports`]) and refuse a job they would otherwise have to
    /// carry out only partly.
    pub fn required_capabilities(&self) -> Capabilities {
        let mut required = Capabilities::none();
        match &self.flow {
            // A form is signed by whoever holds the signing right, so the form job needs
            // the form capability instead of a document-job one, and names its signers
            // explicitly if it has any.
            Flow::Portal if self.form.is_some() => {
                required.insert(Capability::SubmitForm);
                if !self.signers.is_empty() {
                    required.insert(Capability::AddressedSigners);
                }
            }
            Flow::Portal => required.insert(Capability::CreatePortalJob),
            Flow::Direct(direct) => {
                required.insert(Capability::CreateDirectJob);
                required.insert(match direct.status_retrieval {
                    StatusRetrievalMethod::Polling => Capability::PollStatusChanges,
                    StatusRetrievalMethod::WaitForCallback => Capability::StatusByToken,
                });
            }
        }
        let mut require_if = |condition: bool, capability| {
            if condition {
                required.insert(capability);
            }
        };
        require_if(self.polling_queue.is_some(), Capability::PollingQueues);
        require_if(self.sender.is_some(), Capability::SenderOverride);
        require_if(
            self.availability.activation_time.is_some(),
            Capability::ActivationTime,
        );
        require_if(
            self.availability.available_for.is_some(),
            Capability::AvailableDuration,
        );
        require_if(
            self.authentication_level.is_some(),
            Capability::AuthenticationLevel,
        );
        require_if(
            self.identifier_in_signed_documents.is_some(),
            Capability::IdentifierInSignedDocuments,
        );
        require_if(
            self.non_sensitive_title.is_some(),
            Capability::NonSensitiveTitle,
        );
        require_if(self.description.is_some(), Capability::Description);
        require_if(self.documents.len() > 1, Capability::MultipleDocuments);
        require_if(self.signers.len() > 1, Capability::MultipleSigners);
        require_if(
            self.documents
                .iter()
                .any(|d| d.media_type() == MediaType::PlainText),
            Capability::PlainTextDocuments,
        );
        for signer in &self.signers {
            require_if(signer.order().is_some(), Capability::SignerOrder);
            require_if(signer.signature_type().is_some(), Capability::SignatureType);
            require_if(
                signer.on_behalf_of() == Some(OnBehalfOf::Other),
                Capability::OnBehalfOfOther,
            );
            require_if(
                matches!(signer.notifications(), Some(Notifications::Explicit { .. })),
                Capability::ExplicitNotifications,
            );
            require_if(
                matches!(signer.notifications(), Some(Notifications::Lookup(_))),
                Capability::LookupNotifications,
            );
            require_if(
                matches!(signer.identifier(), SignerIdentifier::CustomIdentifier(_)),
                Capability::CustomIdentifierSigners,
            );
            require_if(
                matches!(signer.identifier(), SignerIdentifier::ContactInformation(_)),
                Capability::ContactInformationSigners,
            );
        }
        required
    }
}

/// Builds a [`SigningJob`]. Inputs that can be wrong are kept as given and checked together
/// in [`build`](Self::build), which reports the first broken rule.
///
/// ```
/// use signature_core::{Document, Signer, SigningJob, ValidationError, TextField};
///
/// let result = SigningJob::builder("")
///     .document(Document::pdf("Contract", "contract.pdf", b"%PDF".to_vec()))
///     .signer(Signer::with_personal_identification_number("24068110048").notify_by_email("kari@example.com"))
///     .build();
/// assert!(matches!(result, Err(ValidationError::TextLength { field: TextField::Title, .. })));
/// ```
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until it is built"]
pub struct SigningJobBuilder {
    title: String,
    description: Option<String>,
    non_sensitive_title: Option<String>,
    reference: Option<String>,
    documents: Vec<Document>,
    signers: Vec<SignerBuilder>,
    authentication_level: Option<AuthenticationLevel>,
    availability: Availability,
    identifier_in_signed_documents: Option<IdentifierInSignedDocuments>,
    sender: Option<Result<OrganizationNumber, ValidationError>>,
    flow: Flow,
    polling_queue: Option<Result<PollingQueue, ValidationError>>,
    form: Option<ServiceForm>,
}

impl SigningJobBuilder {
    fn new(title: String) -> Self {
        Self {
            title,
            description: None,
            non_sensitive_title: None,
            reference: None,
            documents: Vec::new(),
            signers: Vec::new(),
            authentication_level: None,
            availability: Availability::default(),
            identifier_in_signed_documents: None,
            sender: None,
            flow: Flow::default(),
            polling_queue: None,
            form: None,
        }
    }

    /// A message to the signers, at most 220 characters.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// A title for notifications, which may travel over less protected channels such as
    /// SMS (portal flow, 1–80 characters, no personal identification number).
    pub fn non_sensitive_title(mut self, title: impl Into<String>) -> Self {
        self.non_sensitive_title = Some(title.into());
        self
    }

    /// The sender's own reference, at most 50 characters. Posten includes it in e-mails,
    /// so it must not contain personal data; [`build`](Self::build) rejects one that
    /// contains a personal identification number.
    pub fn reference(mut self, reference: impl Into<String>) -> Self {
        self.reference = Some(reference.into());
        self
    }

    /// Adds a document.
    pub fn document(mut self, document: Document) -> Self {
        self.documents.push(document);
        self
    }

    /// Adds several documents.
    pub fn documents(mut self, documents: impl IntoIterator<Item = Document>) -> Self {
        self.documents.extend(documents);
        self
    }

    /// Adds a signer, built or not; an unbuilt one is validated by [`build`](Self::build).
    pub fn signer(mut self, signer: impl Into<SignerBuilder>) -> Self {
        self.signers.push(signer.into());
        self
    }

    /// Requires signers to log in at this level or higher.
    pub fn authentication_level(mut self, level: AuthenticationLevel) -> Self {
        self.authentication_level = Some(level);
        self
    }

    /// Makes the job available no earlier than `time` (portal flow).
    pub fn activation_time(mut self, time: OffsetDateTime) -> Self {
        self.availability.activation_time = Some(time);
        self
    }

    /// Keeps the job available for `duration` after activation, at most 90 days
    /// (portal flow). With signer order, each order group gets this long.
    pub fn available_for(mut self, duration: Duration) -> Self {
        self.availability.available_for = Some(duration);
        self
    }

    /// Chooses how signers are identified in the signed documents.
    pub fn identifier_in_signed_documents(
        mut self,
        identifier: IdentifierInSignedDocuments,
    ) -> Self {
        self.identifier_in_signed_documents = Some(identifier);
        self
    }

    /// Sends the job for another organization than the client's default (broker use).
    /// Accepts an [`OrganizationNumber`] or a string to be validated by [`build`](Self::build).
    pub fn sender<T>(mut self, organization_number: T) -> Self
    where
        T: TryInto<OrganizationNumber, Error: Into<ValidationError>>,
    {
        self.sender = Some(organization_number.try_into().map_err(Into::into));
        self
    }

    /// Chooses the flow; the default is [`Flow::Portal`].
    pub fn flow(mut self, flow: Flow) -> Self {
        self.flow = flow;
        self
    }

    /// Delivers status changes to this queue instead of the default one.
    /// Accepts a [`PollingQueue`] or a string to be validated by [`build`](Self::build).
    pub fn polling_queue<T>(mut self, queue: T) -> Self
    where
        T: TryInto<PollingQueue, Error: Into<ValidationError>>,
    {
        self.polling_queue = Some(queue.try_into().map_err(Into::into));
        self
    }

    /// Makes this a form job: the form set is what is signed, the documents travel as its
    /// attachments, and signers are optional because the provider lets whoever holds the
    /// signing right sign. Form jobs use the portal flow.
    pub fn form(mut self, form: ServiceForm) -> Self {
        self.form = Some(form);
        self
    }

    /// Checks every rule and returns the job.
    ///
    /// # Errors
    ///
    /// The first broken rule, checked in this order: texts, sender, polling queue, flow
    /// settings, documents (each document, file names), signers (each signer, flow
    /// restrictions, duplicates), availability. Problems with a single document or signer
    /// come wrapped in [`ValidationError::Document`] or [`ValidationError::Signer`] with its
    /// position. How many documents and signers a job may have and how large its documents
    /// may be are each service's limits ([`JobLimits`](crate::JobLimits)), which the adapter
    /// checks when it prepares the job ([`SigningJob::check_limits`]).
    pub fn build(self) -> Result<SigningJob, ValidationError> {
        check_length(TextField::Title, &self.title, TITLE_LENGTH)?;
        if let Some(title) = &self.non_sensitive_title {
            check_length(
                TextField::NonSensitiveTitle,
                title,
                NON_SENSITIVE_TITLE_LENGTH,
            )?;
        }
        if let Some(description) = &self.description {
            check_length(
                TextField::Description,
                description,
                (0, MAX_DESCRIPTION_LENGTH),
            )?;
        }
        if let Some(reference) = &self.reference {
            check_length(TextField::Reference, reference, (0, MAX_REFERENCE_LENGTH))?;
        }
        // Both travel in notifications over less protected channels (e-mail, SMS).
        for (field, text) in [
            (TextField::Reference, &self.reference),
            (TextField::NonSensitiveTitle, &self.non_sensitive_title),
        ] {
            if text.as_deref().is_some_and(contains_identity_number) {
                return Err(ValidationError::IdentityNumberInText { field });
            }
        }
        let sender = self.sender.transpose()?;
        let polling_queue = self.polling_queue.transpose()?;
        let flow_kind = self.flow.kind();
        if let Flow::Direct(direct) = &self.flow {
            direct.validate()?;
        }

        if let Some(form) = &self.form {
            if flow_kind != FlowKind::Portal {
                return Err(not_in_flow(Capability::SubmitForm, flow_kind));
            }
            form.validate(!self.documents.is_empty())?;
        }
        validate_documents(&self.documents)?;
        let signers = build_signers(self.signers, flow_kind)?;
        validate_availability(&self.availability, flow_kind)?;
        if flow_kind == FlowKind::Direct && self.non_sensitive_title.is_some() {
            return Err(not_in_flow(Capability::NonSensitiveTitle, flow_kind));
        }

        Ok(SigningJob {
            title: self.title,
            description: self.description,
            non_sensitive_title: self.non_sensitive_title,
            reference: self.reference,
            documents: self.documents,
            signers,
            authentication_level: self.authentication_level,
            availability: self.availability,
            identifier_in_signed_documents: self.identifier_in_signed_documents,
            sender,
            flow: self.flow,
            polling_queue,
            form: self.form,
        })
    }
}

fn not_in_flow(capability: Capability, flow: FlowKind) -> ValidationError {
    ValidationError::NotAvailableInFlow { capability, flow }
}

/// Each document, and file names unique in the bundle. How many documents and how large
/// they may be together are service limits ([`crate::JobLimits`]), checked by the adapter.
fn validate_documents(documents: &[Document]) -> Result<(), ValidationError> {
    // Zip tools on case-insensitive file systems would merge names that differ only in case.
    let mut first_index_by_name: HashMap<String, usize> = HashMap::new();
    for (index, document) in documents.iter().enumerate() {
        let wrap = |reason| ValidationError::Document {
            index,
            reason: Box::new(reason),
        };
        document.validate().map_err(wrap)?;
        let key = document.file_name().to_lowercase();
        if let Some(&first_index) = first_index_by_name.get(&key) {
            return Err(wrap(ValidationError::UnsafeFileName {
                problem: FileNameProblem::Duplicate { first_index },
            }));
        }
        first_index_by_name.insert(key, index);
    }
    Ok(())
}

/// Each signer, in the flow, and no signer twice. How many signers a job may have is a
/// service limit ([`crate::JobLimits`]), checked by the adapter.
fn build_signers(
    builders: Vec<SignerBuilder>,
    flow: FlowKind,
) -> Result<Vec<Signer>, ValidationError> {
    let mut signers: Vec<Signer> = Vec::with_capacity(builders.len());
    for (index, builder) in builders.into_iter().enumerate() {
        let wrap = |reason| ValidationError::Signer {
            index,
            reason: Box::new(reason),
        };
        let signer = builder.build().map_err(wrap)?;
        check_signer_fits_flow(&signer, flow).map_err(wrap)?;
        if let Some(first_index) = signers
            .iter()
            .position(|earlier| earlier.identifier() == signer.identifier())
        {
            return Err(ValidationError::DuplicateSigner { index, first_index });
        }
        signers.push(signer);
    }
    Ok(signers)
}

/// The direct flow identifies signers by who they are and redirects them, so it has no
/// notifications, order or contact-only signers; the portal flow has no custom identifiers
/// and must notify every signer.
fn check_signer_fits_flow(signer: &Signer, flow: FlowKind) -> Result<(), ValidationError> {
    match flow {
        FlowKind::Direct => {
            if matches!(signer.identifier(), SignerIdentifier::ContactInformation(_)) {
                return Err(not_in_flow(Capability::ContactInformationSigners, flow));
            }
            if signer.order().is_some() {
                return Err(not_in_flow(Capability::SignerOrder, flow));
            }
            match signer.notifications() {
                Some(Notifications::Lookup(_)) => {
                    return Err(not_in_flow(Capability::LookupNotifications, flow));
                }
                Some(_) => return Err(not_in_flow(Capability::ExplicitNotifications, flow)),
                None => {}
            }
        }
        FlowKind::Portal => {
            if matches!(signer.identifier(), SignerIdentifier::CustomIdentifier(_)) {
                return Err(not_in_flow(Capability::CustomIdentifierSigners, flow));
            }
            if signer.notifications().is_none() {
                return Err(ValidationError::MissingNotifications);
            }
        }
    }
    Ok(())
}

fn validate_availability(
    availability: &Availability,
    flow: FlowKind,
) -> Result<(), ValidationError> {
    if flow == FlowKind::Direct {
        if availability.activation_time.is_some() {
            return Err(not_in_flow(Capability::ActivationTime, flow));
        }
        if availability.available_for.is_some() {
            return Err(not_in_flow(Capability::AvailableDuration, flow));
        }
    }
    if let Some(duration) = availability.available_for {
        let seconds = duration.as_secs();
        if seconds > MAX_AVAILABLE_SECONDS {
            return Err(ValidationError::AvailabilityTooLong {
                seconds,
                max_seconds: MAX_AVAILABLE_SECONDS,
            });
        }
    }
    Ok(())
}
