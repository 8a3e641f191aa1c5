//! What a signing service can do, so callers can ask before they try.

use std::collections::BTreeSet;
use std::fmt;

use crate::error::Error;

/// One thing a signing service may or may not support: an operation or a job setting.
///
/// Adapters list theirs in [`Capabilities`]; an operation that is not listed returns
/// [`Error::Unsupported`] with the matching value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Capability {
    // Operations.
    /// Create a job signed asynchronously by notified signers (portal flow).
    CreatePortalJob,
    /// Create a job signed synchronously from the sender's web site (direct flow).
    CreateDirectJob,
    /// Fetch a direct job's status with the token appended to the exit URL.
    StatusByToken,
    /// Fetch a job's current status by its id
    /// ([`SignatureService::job_status`](crate::SignatureService::job_status)).
    StatusByJobId,
    /// Poll a queue of status changes.
    PollStatusChanges,
    /// Use named polling queues instead of only the default one.
    PollingQueues,
    /// Confirm a received status change.
    ConfirmStatus,
    /// Cancel a job.
    Cancel,
    /// Download a signer's XAdES signature.
    DownloadXades,
    /// Download the job's PAdES document.
    DownloadPades,
    /// Delete the job's documents from the service.
    DeleteDocuments,
    /// Request a new single-use redirect URL for a direct-flow signer.
    NewRedirectUrl,
    /// Submit a structured form ([`ServiceForm`](crate::ServiceForm)) to be signed.
    SubmitForm,
    /// Download a PDF rendering of the signed item ([`ArtifactRef::Receipt`](crate::ArtifactRef::Receipt)).
    DownloadReceipt,
    /// Download a provider's record of a signature
    /// ([`ArtifactRef::SignatureRecord`](crate::ArtifactRef::SignatureRecord)).
    DownloadSignatureRecord,

    // Job settings.
    /// Send on behalf of another organization than the client's own (broker).
    SenderOverride,
    /// Delay the job's activation.
    ActivationTime,
    /// Limit how long the job is available.
    AvailableDuration,
    /// Sign in a given order.
    SignerOrder,
    /// Notify signers at explicitly given e-mail addresses or mobile numbers.
    ExplicitNotifications,
    /// Notify signers through a lookup in the national contact register.
    LookupNotifications,
    /// Identify signers by e-mail address or mobile number only.
    ContactInformationSigners,
    /// Identify signers by a sender-chosen identifier.
    CustomIdentifierSigners,
    /// Let a signer sign on behalf of another party.
    OnBehalfOfOther,
    /// Choose the signature type per signer.
    SignatureType,
    /// Require an authentication level.
    AuthenticationLevel,
    /// Choose how signers are identified in the signed documents.
    IdentifierInSignedDocuments,
    /// Give a non-sensitive title for notifications.
    NonSensitiveTitle,
    /// Attach a message to the signers.
    Description,
    /// More than one document in a job.
    MultipleDocuments,
    /// More than one signer in a job.
    MultipleSigners,
    /// Plain-text documents besides PDF.
    PlainTextDocuments,
    /// Name the signers who are asked to sign. Document jobs always do, so
    /// [`CreatePortalJob`](Self::CreatePortalJob) and [`CreateDirectJob`](Self::CreateDirectJob)
    /// imply it; a form job that names signers lists it explicitly, because a service that
    /// lets whoever holds the signing right sign (Altinn) cannot address anyone.
    AddressedSigners,
}

impl Capability {
    /// Every capability this version knows, in declaration order.
    pub const ALL: [Capability; 33] = [
        Self::CreatePortalJob,
        Self::CreateDirectJob,
        Self::StatusByToken,
        Self::StatusByJobId,
        Self::PollStatusChanges,
        Self::PollingQueues,
        Self::ConfirmStatus,
        Self::Cancel,
        Self::DownloadXades,
        Self::DownloadPades,
        Self::DeleteDocuments,
        Self::NewRedirectUrl,
        Self::SubmitForm,
        Self::DownloadReceipt,
        Self::DownloadSignatureRecord,
        Self::SenderOverride,
        Self::ActivationTime,
        Self::AvailableDuration,
        Self::SignerOrder,
        Self::ExplicitNotifications,
        Self::LookupNotifications,
        Self::ContactInformationSigners,
        Self::CustomIdentifierSigners,
        Self::OnBehalfOfOther,
        Self::SignatureType,
        Self::AuthenticationLevel,
        Self::IdentifierInSignedDocuments,
        Self::NonSensitiveTitle,
        Self::Description,
        Self::MultipleDocuments,
        Self::MultipleSigners,
        Self::PlainTextDocuments,
        Self::AddressedSigners,
    ];

    /// A short human description, as used in error messages.
    pub fn description(self) -> &'static str {
        match self {
            Self::CreatePortalJob => "creating portal jobs",
            Self::CreateDirectJob => "creating direct jobs",
            Self::StatusByToken => "fetching status by status query token",
            Self::StatusByJobId => "fetching a job's status by its id",
            Self::PollStatusChanges => "polling for status changes",
            Self::PollingQueues => "named polling queues",
            Self::ConfirmStatus => "confirming status changes",
            Self::Cancel => "cancelling jobs",
            Self::DownloadXades => "downloading XAdES signatures",
            Self::DownloadPades => "downloading PAdES documents",
            Self::DeleteDocuments => "deleting documents",
            Self::NewRedirectUrl => "requesting new redirect URLs",
            Self::SubmitForm => "submitting forms for signing",
            Self::DownloadReceipt => "downloading a PDF of the signed item",
            Self::DownloadSignatureRecord => "downloading the provider's signature records",
            Self::SenderOverride => "a per-job sender organization",
            Self::ActivationTime => "an activation time",
            Self::AvailableDuration => "an available duration",
            Self::SignerOrder => "signer order",
            Self::ExplicitNotifications => "notifications at given addresses",
            Self::LookupNotifications => "notifications through contact register lookup",
            Self::ContactInformationSigners => "signers identified by contact information",
            Self::CustomIdentifierSigners => "signers identified by a custom identifier",
            Self::OnBehalfOfOther => "signing on behalf of another party",
            Self::SignatureType => "choosing the signature type",
            Self::AuthenticationLevel => "a required authentication level",
            Self::IdentifierInSignedDocuments => "choosing the identifier in signed documents",
            Self::NonSensitiveTitle => "a non-sensitive title",
            Self::Description => "a description",
            Self::MultipleDocuments => "multiple documents",
            Self::MultipleSigners => "multiple signers",
            Self::PlainTextDocuments => "plain-text documents",
            Self::AddressedSigners => "addressing signers",
        }
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.description())
    }
}

/// A set of [`Capability`] values.
///
/// ```
/// use signature_core::{Capabilities, Capability};
///
/// let offered: Capabilities = [Capability::CreatePortalJob, Capability::Cancel].into_iter().collect();
/// let needed: Capabilities = [Capability::CreatePortalJob, Capability::SignerOrder].into_iter().collect();
/// assert!(offered.contains(Capability::Cancel));
/// assert_eq!(offered.first_missing(&needed), Some(Capability::SignerOrder));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Capabilities {
    set: BTreeSet<Capability>,
}

impl Capabilities {
    /// No capabilities.
    pub fn none() -> Self {
        Self::default()
    }

    /// Every capability this version knows.
    pub fn all() -> Self {
        Capability::ALL.into_iter().collect()
    }

    /// Adds a capability (builder style).
    #[must_use]
    pub fn with(mut self, capability: Capability) -> Self {
        self.set.insert(capability);
        self
    }

    /// Removes a capability (builder style).
    #[must_use]
    pub fn without(mut self, capability: Capability) -> Self {
        self.set.remove(&capability);
        self
    }

    /// Adds a capability.
    pub fn insert(&mut self, capability: Capability) {
        self.set.insert(capability);
    }

    /// Whether `capability` is in the set.
    pub fn contains(&self, capability: Capability) -> bool {
        self.set.contains(&capability)
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }

    /// The capabilities in order.
    pub fn iter(&self) -> impl Iterator<Item = Capability> + '_ {
        self.set.iter().copied()
    }

    /// The first capability (in declaration order) in `required` that is not in `self`, if any.
    pub fn first_missing(&self, required: &Capabilities) -> Option<Capability> {
        required
            .iter()
            .find(|capability| !self.contains(*capability))
    }

    /// `Ok` if `self` covers everything in `required`, otherwise
    /// [`Error::Unsupported`] with the first missing capability.
    ///
    /// # Errors
    ///
    /// [`Error::Unsupported`] as described.
    pub fn ensure_supports(&self, required: &Capabilities) -> Result<(), Error> {
        match self.first_missing(required) {
            Some(missing) => Err(Error::Unsupported(missing)),
            None => Ok(()),
        }
    }
}

impl FromIterator<Capability> for Capabilities {
    fn from_iter<I: IntoIterator<Item = Capability>>(iter: I) -> Self {
        Self {
            set: iter.into_iter().collect(),
        }
    }
}

impl Extend<Capability> for Capabilities {
    fn extend<I: IntoIterator<Item = Capability>>(&mut self, iter: I) {
        self.set.extend(iter);
    }
}

impl IntoIterator for Capabilities {
    type Item = Capability;
    type IntoIter = std::collections::btree_set::IntoIter<Capability>;

    fn into_iter(self) -> Self::IntoIter {
        self.set.into_iter()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn all_lists_every_capability_once() {
        let all = Capabilities::all();
        assert_eq!(all.iter().count(), Capability::ALL.len());
        for capability in Capability::ALL {
            assert!(all.contains(capability));
            assert!(!capability.to_string().is_empty());
        }
    }

    #[test]
    fn set_operations() {
        let mut caps = Capabilities::none().with(Capability::Cancel);
        assert!(caps.contains(Capability::Cancel));
        assert!(!caps.contains(Capability::SignerOrder));
        caps.insert(Capability::SignerOrder);
        caps.extend([Capability::DownloadPades]);
        assert_eq!(caps.iter().count(), 3);
        let caps = caps.without(Capability::Cancel);
        assert!(!caps.contains(Capability::Cancel));
        assert!(Capabilities::none().is_empty());
        assert_eq!(caps.clone().into_iter().count(), 2);
    }

    #[test]
    fn ensure_supports_names_the_first_missing_capability() {
        let offered = Capabilities::none().with(Capability::CreatePortalJob);
        let needed = Capabilities::none()
            .with(Capability::CreatePortalJob)
            .with(Capability::ActivationTime);
        match offered.ensure_supports(&needed) {
            Err(Error::Unsupported(Capability::ActivationTime)) => {}
            other => panic!("unexpected {other:?}"),
        }
        assert!(Capabilities::all().ensure_supports(&needed).is_ok());
        assert!(offered.ensure_supports(&Capabilities::none()).is_ok());
    }
}
