//! What creating a job returns.

use std::fmt;

use crate::handle::{CancellationHandle, RedirectUrl, SignerUrl, StatusUrl};
use crate::signer::SignerIdentifier;

/// The provider's identifier for a job (a number at Posten, a message id at Altinn).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JobId(String);

impl JobId {
    /// Wraps the provider's identifier.
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    /// The identifier.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for JobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<i64> for JobId {
    fn from(id: i64) -> Self {
        Self(id.to_string())
    }
}

/// A created job: its id and the handles needed later.
///
/// Adapters construct it with [`JobRef::new`] and fill in the fields they have.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct JobRef {
    /// The provider's id.
    pub id: JobId,
    /// The sender's reference, echoed back.
    pub reference: Option<String>,
    /// Per-signer URLs (direct flow).
    pub signers: Vec<CreatedSigner>,
    /// Where to fetch the status with the exit URL's token (direct flow, wait-for-callback).
    pub status_url: Option<StatusUrl>,
    /// Cancels the job (portal flow).
    pub cancellation: Option<CancellationHandle>,
}

impl JobRef {
    /// A job reference with only the id set.
    pub fn new(id: JobId) -> Self {
        Self {
            id,
            reference: None,
            signers: Vec::new(),
            status_url: None,
            cancellation: None,
        }
    }

    /// The created signer with this identifier, if the provider returned it.
    pub fn signer(&self, identifier: &SignerIdentifier) -> Option<&CreatedSigner> {
        self.signers
            .iter()
            .find(|signer| signer.identifier.as_ref() == Some(identifier))
    }
}

/// A signer as the provider returned it after creation (direct flow).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreatedSigner {
    /// Which signer, when the provider says.
    pub identifier: Option<SignerIdentifier>,
    /// Identifies the signer at the provider; used to request a new redirect URL.
    pub signer_url: Option<SignerUrl>,
    /// Where to send the signer's browser (single use).
    pub redirect_url: Option<RedirectUrl>,
}

impl CreatedSigner {
    /// A created signer with only the identifier set.
    pub fn new(identifier: Option<SignerIdentifier>) -> Self {
        Self {
            identifier,
            signer_url: None,
            redirect_url: None,
        }
    }
}
