//! [`SignatureService`] for [`Client`]: the provider-neutral face of the Posten client.

use async_trait::async_trait;
use signature_core::{
    ArtifactRef, CancellationHandle, Capabilities, Capability, ConfirmationHandle,
    DeleteDocumentsHandle, JobRef, PollResult, RedirectUrl, SignatureService, SignerUrl,
    SigningJob, StatusChange, StatusQueryToken, StatusQueue, StatusUrl,
};
use tokio::io::AsyncWrite;

use crate::client::Client;
use crate::error::Error;
use crate::error_code::ErrorCode;

/// Everything Posten signering does. Not listed: forms ([`Capability::SubmitForm`]) and
/// provider receipts ([`Capability::DownloadReceipt`]), which are Altinn's.
pub(crate) const POSTEN_CAPABILITIES: &[Capability] = &[
    Capability::CreatePortalJob,
    Capability::CreateDirectJob,
    Capability::StatusByToken,
    Capability::PollStatusChanges,
    Capability::PollingQueues,
    Capability::ConfirmStatus,
    Capability::Cancel,
    Capability::DownloadXades,
    Capability::DownloadPades,
    Capability::DeleteDocuments,
    Capability::NewRedirectUrl,
    Capability::SenderOverride,
    Capability::ActivationTime,
    Capability::AvailableDuration,
    Capability::SignerOrder,
    Capability::ExplicitNotifications,
    Capability::LookupNotifications,
    Capability::ContactInformationSigners,
    Capability::CustomIdentifierSigners,
    Capability::OnBehalfOfOther,
    Capability::SignatureType,
    Capability::AuthenticationLevel,
    Capability::IdentifierInSignedDocuments,
    Capability::NonSensitiveTitle,
    Capability::Description,
    Capability::MultipleDocuments,
    Capability::MultipleSigners,
    Capability::PlainTextDocuments,
    Capability::AddressedSigners,
];

impl From<Error> for signature_core::Error {
    /// Posten's specific errors onto the neutral ones; everything without a neutral
    /// counterpart stays inspectable as the source of [`signature_core::Error::Transport`].
    fn from(error: Error) -> Self {
        use signature_core::Error as Core;
        match error {
            Error::Unsupported(capability) => Core::Unsupported(capability),
            Error::Invalid(error) => Core::Invalid(error),
            Error::TooEagerPolling { retry_at } => Core::TooEagerPolling { retry_at },
            // A DoSFilter block is acted on the same way: wait until the given time.
            Error::RateLimitBlocked { retry_at } => Core::TooEagerPolling {
                retry_at: Some(retry_at),
            },
            Error::JobCannotBeCancelled { .. } => Core::CannotBeCancelled,
            Error::Service {
                code: ErrorCode::BrokerNotAuthorized,
                ..
            } => Core::BrokerNotAuthorized,
            Error::Service {
                code: ErrorCode::InvalidStatusQueryToken,
                ..
            } => Core::InvalidStatusQueryToken,
            Error::Service {
                code: ErrorCode::SigningCeremonyNotCompleted,
                ..
            } => Core::SigningNotCompleted,
            Error::Service {
                http_status,
                code,
                message,
                ..
            } => Core::Service {
                http_status,
                code: Some(code.as_str().to_owned()),
                message: Some(message),
            },
            Error::UnexpectedResponse { http_status, .. } => Core::Service {
                http_status,
                code: None,
                message: Some(error.to_string()),
            },
            Error::Io(io) => Core::Io(io),
            other => Core::transport(other),
        }
    }
}

#[async_trait]
impl SignatureService for Client {
    fn capabilities(&self) -> Capabilities {
        Client::capabilities(self)
    }

    async fn create_job(&self, job: &SigningJob) -> Result<JobRef, signature_core::Error> {
        Ok(Client::create_job(self, job).await?)
    }

    async fn status(
        &self,
        status_url: &StatusUrl,
        token: &StatusQueryToken,
    ) -> Result<StatusChange, signature_core::Error> {
        Ok(self.direct_status(status_url, token).await?)
    }

    async fn next_status_change(
        &self,
        queue: &StatusQueue,
    ) -> Result<PollResult, signature_core::Error> {
        Ok(self.poll(queue).await?)
    }

    async fn confirm(
        &self,
        confirmation: &ConfirmationHandle,
    ) -> Result<(), signature_core::Error> {
        Ok(Client::confirm(self, confirmation).await?)
    }

    async fn cancel(&self, cancellation: &CancellationHandle) -> Result<(), signature_core::Error> {
        Ok(Client::cancel(self, cancellation).await?)
    }

    async fn download(
        &self,
        artifact: &ArtifactRef,
        sink: &mut (dyn AsyncWrite + Unpin + Send),
    ) -> Result<u64, signature_core::Error> {
        Ok(Client::download(self, artifact, sink).await?)
    }

    async fn delete_documents(
        &self,
        documents: &DeleteDocumentsHandle,
    ) -> Result<(), signature_core::Error> {
        Ok(Client::delete_documents(self, documents).await?)
    }

    async fn request_new_redirect_url(
        &self,
        signer: &SignerUrl,
    ) -> Result<RedirectUrl, signature_core::Error> {
        Ok(Client::request_new_redirect_url(self, signer).await?)
    }
}
