//! The provider-neutral service trait.

use async_trait::async_trait;
use tokio::io::AsyncWrite;

use crate::artifact::ArtifactRef;
use crate::capability::{Capabilities, Capability};
use crate::error::Error;
use crate::handle::{
    CancellationHandle, ConfirmationHandle, DeleteDocumentsHandle, RedirectUrl, SignerUrl,
    StatusQueryToken, StatusUrl,
};
use crate::job::SigningJob;
use crate::job_ref::{JobId, JobRef};
use crate::status_change::{PollResult, StatusChange, StatusQueue};

/// A signing service: Posten signering, Altinn, or a test double.
///
/// Every provider can create jobs; everything else is optional. A provider lists what it
/// supports in [`capabilities`](Self::capabilities), and methods it does not support keep
/// the default bodies, which return [`Error::Unsupported`] with the matching
/// [`Capability`]. Callers can therefore hold a `Box<dyn SignatureService>` and ask before
/// they try.
///
/// A typical portal-flow loop: [`create_job`](Self::create_job), then repeatedly
/// [`next_status_change`](Self::next_status_change); for each change, download what is
/// needed with [`download`](Self::download), then [`confirm`](Self::confirm) it. A provider
/// without a status queue may answer [`job_status`](Self::job_status) instead; the example
/// `examples/examples/any_service.rs` runs one function against Posten signering and
/// Altinn 3 that way.
#[async_trait]
pub trait SignatureService: Send + Sync {
    /// What this provider supports.
    fn capabilities(&self) -> Capabilities;

    /// Submits a job. Implementations should first check
    /// [`SigningJob::required_capabilities`] against [`capabilities`](Self::capabilities) and
    /// return [`Error::Unsupported`] rather than drop a setting silently.
    ///
    /// # Errors
    ///
    /// [`Error::Unsupported`] for a setting the provider cannot carry; otherwise the
    /// provider's failure.
    async fn create_job(&self, job: &SigningJob) -> Result<JobRef, Error>;

    /// Fetches a direct job's status after the signer returned to an exit URL carrying `token`.
    ///
    /// # Errors
    ///
    /// [`Error::Unsupported`]`(`[`Capability::StatusByToken`]`)` by default;
    /// [`Error::InvalidStatusQueryToken`], [`Error::SigningNotCompleted`] or the provider's failure.
    async fn status(
        &self,
        status_url: &StatusUrl,
        token: &StatusQueryToken,
    ) -> Result<StatusChange, Error> {
        let _ = (status_url, token);
        Err(Error::Unsupported(Capability::StatusByToken))
    }

    /// Fetches a job's current status by its id, for providers that answer that question.
    ///
    /// Altinn 3 does (it reads the app instance's process). Posten signering does not: it
    /// tells a job's status through its status queue
    /// ([`next_status_change`](Self::next_status_change)) and, in the direct flow, through
    /// [`status`](Self::status) with the token from the exit URL.
    ///
    /// # Errors
    ///
    /// [`Error::Unsupported`]`(`[`Capability::StatusByJobId`]`)` by default; otherwise the
    /// provider's failure (an unknown job is [`Error::Service`] with the provider's status).
    async fn job_status(&self, job: &JobId) -> Result<StatusChange, Error> {
        let _ = job;
        Err(Error::Unsupported(Capability::StatusByJobId))
    }

    /// Takes the next status change from a queue. Each change is delivered to one poller
    /// only and comes again until confirmed.
    ///
    /// # Errors
    ///
    /// [`Error::Unsupported`]`(`[`Capability::PollStatusChanges`]`)` by default;
    /// [`Error::TooEagerPolling`] or the provider's failure.
    async fn next_status_change(&self, queue: &StatusQueue) -> Result<PollResult, Error> {
        let _ = queue;
        Err(Error::Unsupported(Capability::PollStatusChanges))
    }

    /// Confirms that a status change was processed.
    ///
    /// # Errors
    ///
    /// [`Error::Unsupported`]`(`[`Capability::ConfirmStatus`]`)` by default; otherwise the
    /// provider's failure.
    async fn confirm(&self, confirmation: &ConfirmationHandle) -> Result<(), Error> {
        let _ = confirmation;
        Err(Error::Unsupported(Capability::ConfirmStatus))
    }

    /// Cancels a job that has not ended.
    ///
    /// # Errors
    ///
    /// [`Error::Unsupported`]`(`[`Capability::Cancel`]`)` by default;
    /// [`Error::CannotBeCancelled`] or the provider's failure.
    async fn cancel(&self, cancellation: &CancellationHandle) -> Result<(), Error> {
        let _ = cancellation;
        Err(Error::Unsupported(Capability::Cancel))
    }

    /// Streams an artifact into `sink` and returns the number of bytes written. The sink is
    /// not flushed or shut down, so the caller decides what happens to it next.
    ///
    /// # Errors
    ///
    /// [`Error::Unsupported`] with [`ArtifactRef::capability`] by default;
    /// [`Error::Io`] when writing fails, or the provider's failure.
    async fn download(
        &self,
        artifact: &ArtifactRef,
        sink: &mut (dyn AsyncWrite + Unpin + Send),
    ) -> Result<u64, Error> {
        let _ = sink;
        Err(Error::Unsupported(artifact.capability()))
    }

    /// Deletes a finished job's documents from the provider.
    ///
    /// # Errors
    ///
    /// [`Error::Unsupported`]`(`[`Capability::DeleteDocuments`]`)` by default; otherwise the
    /// provider's failure.
    async fn delete_documents(&self, documents: &DeleteDocumentsHandle) -> Result<(), Error> {
        let _ = documents;
        Err(Error::Unsupported(Capability::DeleteDocuments))
    }

    /// Issues a new single-use redirect URL for a direct-flow signer, for example to retry
    /// after the signer left the signing page.
    ///
    /// # Errors
    ///
    /// [`Error::Unsupported`]`(`[`Capability::NewRedirectUrl`]`)` by default; otherwise the
    /// provider's failure.
    async fn request_new_redirect_url(&self, signer: &SignerUrl) -> Result<RedirectUrl, Error> {
        let _ = signer;
        Err(Error::Unsupported(Capability::NewRedirectUrl))
    }
}
