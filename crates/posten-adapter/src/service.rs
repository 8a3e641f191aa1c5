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
    /// Posten's specific errors onto the neutral ones, keeping the Posten error as the
    /// `source` (everything without a neutral counterpart is [`signature_core::Error::Transport`]),
    /// and what it says about trying again ([`Error::is_transient`], [`Error::retry_at`]).
    fn from(error: Error) -> Self {
        use signature_core::Error as Core;
        let error = match error {
            Error::Unsupported(capability) => return Core::Unsupported(capability),
            Error::Invalid(error) => return Core::Invalid(error),
            Error::Io(io) => return Core::Io(io),
            other => other,
        };
        let transient = error.is_transient();
        let retry_at = error.retry_at();
        let (http_status, code, message) = match &error {
            // A DoSFilter block is acted on the same way: wait until the given time.
            Error::TooEagerPolling { .. } | Error::RateLimitBlocked { .. } => {
                return Core::TooEagerPolling {
                    retry_at,
                    source: Some(Box::new(error)),
                };
            }
            Error::JobCannotBeCancelled { .. } => {
                return Core::CannotBeCancelled {
                    source: Some(Box::new(error)),
                };
            }
            Error::Service { code, .. } if *code == ErrorCode::BrokerNotAuthorized => {
                return Core::BrokerNotAuthorized {
                    source: Some(Box::new(error)),
                };
            }
            Error::Service { code, .. } if *code == ErrorCode::InvalidStatusQueryToken => {
                return Core::InvalidStatusQueryToken {
                    source: Some(Box::new(error)),
                };
            }
            Error::Service { code, .. } if *code == ErrorCode::SigningCeremonyNotCompleted => {
                return Core::SigningNotCompleted {
                    source: Some(Box::new(error)),
                };
            }
            Error::Service {
                http_status,
                code,
                message,
                ..
            } => (
                *http_status,
                Some(code.as_str().to_owned()),
                Some(message.clone()),
            ),
            Error::UnexpectedResponse { http_status, .. } => {
                (*http_status, None, Some(error.to_string()))
            }
            _ => return Core::transport_with(error, transient),
        };
        Core::Service {
            http_status,
            code,
            message,
            transient,
            retry_at,
            source: Some(Box::new(error)),
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

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use signature_core::{Error as Core, TransportError};
    use time::OffsetDateTime;

    use super::*;
    use crate::error_code::ErrorType;

    fn service(http_status: u16, code: ErrorCode) -> Error {
        Error::Service {
            http_status,
            code,
            message: "the service's words".to_owned(),
            error_type: ErrorType::Client,
        }
    }

    /// The Posten error behind a neutral one.
    fn posten_source(core: &Core) -> Option<&Error> {
        core.source().and_then(|s| s.downcast_ref::<Error>())
    }

    #[test]
    fn retry_times_and_transience_carry_over() {
        let at = OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_000);
        let polled = Core::from(Error::TooEagerPolling { retry_at: Some(at) });
        assert!(matches!(polled, Core::TooEagerPolling { retry_at: Some(t), .. } if t == at));
        assert!(polled.is_transient());
        assert_eq!(polled.retry_at(), Some(at));
        assert!(matches!(
            posten_source(&polled),
            Some(Error::TooEagerPolling { .. })
        ));

        let blocked = Core::from(Error::RateLimitBlocked { retry_at: at });
        assert!(blocked.is_transient());
        assert_eq!(blocked.retry_at(), Some(at));
        assert!(matches!(
            posten_source(&blocked),
            Some(Error::RateLimitBlocked { .. })
        ));

        let failing = Core::from(service(503, ErrorCode::parse("SERVER_BUSY")));
        assert!(
            matches!(
                &failing,
                Core::Service {
                    http_status: 503,
                    transient: true,
                    ..
                }
            ),
            "{failing:?}"
        );
        assert!(failing.is_transient());
        assert_eq!(failing.retry_at(), None);
        assert_eq!(
            posten_source(&failing).map(ToString::to_string),
            Some(service(503, ErrorCode::parse("SERVER_BUSY")).to_string())
        );

        let refused = Core::from(service(403, ErrorCode::NotAuthorized));
        assert!(
            matches!(&refused, Core::Service { http_status: 403, code: Some(c), .. } if c == "NOT_AUTHORIZED")
        );
        assert!(!refused.is_transient());

        let unreachable = Core::from(Error::Connection(TransportError::new(
            std::io::Error::other("connection refused"),
            true,
        )));
        assert!(matches!(
            unreachable,
            Core::Transport {
                transient: true,
                ..
            }
        ));
        assert!(unreachable.is_transient());
        assert!(matches!(
            posten_source(&unreachable),
            Some(Error::Connection(_))
        ));
        let misconfigured = Core::from(Error::SenderNotSpecified);
        assert!(!misconfigured.is_transient());
        assert!(matches!(
            posten_source(&misconfigured),
            Some(Error::SenderNotSpecified)
        ));
    }

    #[test]
    fn specific_answers_become_neutral_variants_with_their_source() {
        let cases = [
            (ErrorCode::BrokerNotAuthorized, "BrokerNotAuthorized"),
            (
                ErrorCode::InvalidStatusQueryToken,
                "InvalidStatusQueryToken",
            ),
            (
                ErrorCode::SigningCeremonyNotCompleted,
                "SigningNotCompleted",
            ),
        ];
        for (code, variant) in cases {
            let core = Core::from(service(403, code.clone()));
            assert!(format!("{core:?}").starts_with(variant), "{core:?}");
            assert!(!core.is_transient());
            assert!(
                matches!(posten_source(&core), Some(Error::Service { code: c, .. }) if *c == code),
                "{core:?}"
            );
        }
        let ended = Core::from(Error::JobCannotBeCancelled {
            http_status: 409,
            code: None,
            message: None,
        });
        assert!(matches!(ended, Core::CannotBeCancelled { source: Some(_) }));
        let io = Core::from(Error::Io(std::io::Error::other("disk full")));
        assert!(matches!(io, Core::Io(_)));
        assert!(!io.is_transient());
    }
}
