//! The neutral types a user of an adapter builds jobs with and reads results from. Each
//! adapter re-exports them at its root (`pub use signature_core::prelude::*`), so a user
//! needs only the adapter as a dependency, and the types stay the same ones as here.

pub use crate::{
    ArtifactRef, AuthenticationLevel, Availability, CancellationHandle, Capabilities, Capability,
    ConfirmationHandle, ContactInformation, CreatedSigner, CustomIdentifier, DeleteDocumentsHandle,
    DirectFlow, Document, DocumentContent, EmailAddress, ErrorDetail, ExitUrls, Flow, FlowKind,
    FormPart, FormPartKind, IdentifierInSignedDocuments, JobId, JobRef, JobStatus,
    LookupNotifications, MediaType, MobileNumber, Notifications, OnBehalfOf, OrganizationNumber,
    PersonalIdentificationNumber, PollResult, PollingQueue, RedirectUrl, ServiceForm,
    SignatureService, SignatureType, Signer, SignerBuilder, SignerIdentifier, SignerState,
    SignerStatus, SignerUrl, SigningJob, SigningJobBuilder, StatusChange, StatusQueryToken,
    StatusQueue, StatusRetrievalMethod, StatusUrl, TransportError, ValidationError,
};
