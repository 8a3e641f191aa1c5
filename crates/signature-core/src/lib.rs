//! Provider-neutral signing jobs for Norwegian electronic signature services.
//!
//! This crate holds what every provider adapter shares: the job a caller wants signed,
//! the rules such a job must follow, the statuses and artifacts that come back, and the
//! [`SignatureService`] trait the adapters (Posten signering, Altinn) implement. It knows
//! nothing about wire formats or HTTP, except what every adapter's transport does alike: the
//! [`ProxySetting`] its builder takes, the [`RetryPolicy`] of its idempotent calls, and the
//! capped reading of answers ([`read_capped`], [`copy_capped`]).
//!
//! # Building a job
//!
//! A [`SigningJob`] is made with a builder. Nothing is checked until
//! [`build`](SigningJobBuilder::build), which then checks everything the services document
//! (lengths, counts, sizes, identity numbers, notification rules) and returns a typed
//! [`ValidationError`] for the first rule broken:
//!
//! ```
//! use signature_core::{
//!     AuthenticationLevel, Document, LookupNotifications, Signer, SigningJob,
//! };
//!
//! # fn contract_pdf() -> Vec<u8> { b"%PDF-1.7 ...".to_vec() }
//! let job = SigningJob::builder("Employment contract")
//!     .description("Please sign your employment contract.")
//!     .reference("hr-2024-117")
//!     .document(Document::pdf("Employment contract", "contract.pdf", contract_pdf()))
//!     .signer(
//!         Signer::with_personal_identification_number("24068110048")
//!             .notify_through_lookup(LookupNotifications::EmailAndSms),
//!     )
//!     .authentication_level(AuthenticationLevel::Four)
//!     .build()?;
//!
//! assert_eq!(job.signers().len(), 1);
//! // Identity numbers never show in Debug output or logs.
//! assert!(!format!("{job:?}").contains("24068110048"));
//! # Ok::<(), signature_core::ValidationError>(())
//! ```
//!
//! Jobs use the portal flow by default: signers are notified and sign in the provider's
//! portal. For the direct flow, where the sender's web site redirects the signer, pass a
//! [`Flow::Direct`] with [`ExitUrls`] to [`SigningJobBuilder::flow`].
//!
//! # Personal data
//!
//! [`PersonalIdentificationNumber`] shows only the date digits (`240681*****`) in `Debug`
//! and `Display`; the full number is available through the deliberately named
//! [`reveal`](PersonalIdentificationNumber::reveal). E-mail addresses and mobile numbers
//! are masked in `Debug` too, document contents are shown only by size, and no error
//! message contains any of them.
//!
//! # Talking to a service
//!
//! [`SignatureService`] is implemented by the adapter crates. Ask
//! [`capabilities`](SignatureService::capabilities) what a provider can do; an operation it
//! cannot do returns [`Error::Unsupported`] naming the [`Capability`], never a panic.
//! [`SigningJob::required_capabilities`] says what a job needs:
//!
//! ```
//! use signature_core::{Capabilities, Capability, Document, Signer, SigningJob};
//!
//! let job = SigningJob::builder("Lease")
//!     .document(Document::pdf("Lease", "lease.pdf", b"%PDF".to_vec()))
//!     .signer(Signer::with_email("tenant@example.com").order(1))
//!     .build()?;
//!
//! let offered = Capabilities::none()
//!     .with(Capability::CreatePortalJob)
//!     .with(Capability::ExplicitNotifications)
//!     .with(Capability::ContactInformationSigners);
//! assert_eq!(offered.first_missing(&job.required_capabilities()), Some(Capability::SignerOrder));
//! # Ok::<(), signature_core::ValidationError>(())
//! ```
//!
//! Results come back as [`StatusChange`]s carrying [`JobStatus`], per-signer
//! [`SignerStatus`], [`ArtifactRef`]s to download and handles to confirm, cancel or delete.
//! Both status enums are open: values the service adds later arrive as `Unknown(String)`.
//! They are this crate's own types: each adapter maps its service's wire statuses and
//! artifacts onto them, so this crate depends on no provider's wire format.

#![deny(missing_docs)]
#![deny(missing_debug_implementations)]

mod artifact;
mod body;
mod capability;
mod document;
mod error;
mod error_detail;
mod flow;
mod form;
mod from_text;
mod handle;
#[cfg(feature = "reqwest")]
#[doc(hidden)]
pub mod http_runtime;
mod job;
mod job_ref;
mod limits;
mod open_enum;
mod org_number;
mod pin;
pub mod prelude;
mod proxy;
mod redact;
mod retry;
mod service;
mod signer;
mod status;
mod status_change;
mod transport_error;

pub use artifact::ArtifactRef;
pub use body::{BodyChunks, BodyError, copy_capped, read_capped, read_prefix};
pub use capability::{Capabilities, Capability};
pub use document::{DOCUMENT_TITLE_LENGTH, Document, DocumentContent, FILE_NAME_LENGTH, MediaType};
pub use error::{
    Error, ErrorSource, FileNameProblem, OrganizationNumberProblem, PinProblem, TextField,
    ValidationError,
};
pub use error_detail::ErrorDetail;
pub use flow::{
    DirectFlow, ExitUrls, Flow, FlowKind, MAX_EXIT_URL_LENGTH, PollingQueue, StatusRetrievalMethod,
};
pub use form::{FormPart, FormPartKind, ServiceForm};
pub use handle::{
    CancellationHandle, ConfirmationHandle, DeleteDocumentsHandle, RedirectUrl, SignerUrl,
    StatusQueryToken, StatusUrl,
};
pub use job::{
    AuthenticationLevel, Availability, IdentifierInSignedDocuments, MAX_AVAILABLE_SECONDS,
    MAX_DESCRIPTION_LENGTH, MAX_REFERENCE_LENGTH, NON_SENSITIVE_TITLE_LENGTH, SigningJob,
    SigningJobBuilder, TITLE_LENGTH,
};
pub use job_ref::{CreatedSigner, JobId, JobRef};
pub use limits::JobLimits;
#[doc(hidden)]
pub use open_enum::__private;
pub use org_number::OrganizationNumber;
pub use pin::{CheckDigitScheme, PersonalIdentificationNumber, PinKind};
pub use proxy::{Proxy, ProxyError, ProxySetting};
pub use redact::{mask_identity_numbers, shows_identity_number};
pub use retry::RetryPolicy;
pub use service::SignatureService;
pub use signer::{
    CUSTOM_IDENTIFIER_LENGTH, ContactInformation, CustomIdentifier, EmailAddress,
    LookupNotifications, MAX_SIGNER_ORDER, MobileNumber, Notifications, OnBehalfOf, SignatureType,
    Signer, SignerBuilder, SignerIdentifier,
};
pub use status::{JobStatus, SignerStatus};
pub use status_change::{PollResult, SignerState, StatusChange, StatusQueue};
pub use transport_error::TransportError;
