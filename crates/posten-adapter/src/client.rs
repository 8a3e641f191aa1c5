//! The client and its operations, one method per call of the Posten signering API.

use std::sync::Arc;

use asice::{BuildOptions, SystemClock};
use reqwest::StatusCode;
use signature_core::{
    ArtifactRef, CancellationHandle, Capabilities, ConfirmationHandle, DeleteDocumentsHandle, Flow,
    FlowKind, JobRef, OrganizationNumber, PollResult, PollingQueue, RedirectUrl, SignerUrl,
    SigningJob, StatusChange, StatusQueryToken, StatusQueue, StatusUrl,
};
use signature_model::posten;
use tokio::io::AsyncWrite;
use url::Url;

use crate::bundle::PreparedJob;
use crate::certificate::CertificateSummary;
use crate::config::{ClientBuilder, Environment};
use crate::error::Error;
use crate::multipart::MultipartMixed;
use crate::rate_limit::RateLimiter;
use crate::service_root::ServiceRoot;
use crate::transport::{Call, Operation, next_permitted_poll_time, read_bounded};
use crate::{convert, download, wire};
use signature_core::RetryPolicy;

/// A Posten signering client: mutual TLS with the enterprise certificate, all direct,
/// portal and archive operations.
///
/// Cheap to clone (an `Arc` inside); clones share connection pools and the rate limit.
/// Build one per enterprise certificate with [`Client::builder`].
///
/// The methods here speak Posten's own terms and return this crate's [`Error`]; the same
/// operations are available provider-neutrally through
/// [`SignatureService`](signature_core::SignatureService).
#[derive(Debug, Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) root: Url,
    pub(crate) api: reqwest::Client,
    pub(crate) downloads: reqwest::Client,
    pub(crate) key: asice::SigningKey,
    pub(crate) default_sender: Option<OrganizationNumber>,
    pub(crate) default_polling_queue: Option<PollingQueue>,
    pub(crate) limiter: Option<RateLimiter>,
    pub(crate) retry: RetryPolicy,
    /// For telling proxy failures apart in messages.
    pub(crate) proxy: signature_core::ProxySetting,
}

impl Client {
    /// Starts configuring a client for `environment` that authenticates with `key` (the
    /// enterprise certificate also used to sign document bundles).
    pub fn builder(environment: Environment, key: asice::SigningKey) -> ClientBuilder {
        ClientBuilder::new(environment, key)
    }

    /// What Posten signering supports.
    pub fn capabilities(&self) -> Capabilities {
        crate::service::POSTEN_CAPABILITIES
            .iter()
            .fold(Capabilities::none(), |all, c| all.with(*c))
    }

    /// Creates a direct or portal job (as the job's flow says): builds and signs the
    /// document bundle, then sends it with the job request as `multipart/mixed`.
    ///
    /// Never retried automatically: if the answer is lost, the job may exist anyway.
    ///
    /// # Errors
    ///
    /// [`Error::Unsupported`] for a setting Posten cannot carry, [`Error::SenderNotSpecified`],
    /// [`Error::Bundle`], [`Error::Key`] when the key cannot sign, or the service's answer
    /// ([`Error::Service`] with
    /// [`crate::ErrorCode::BrokerNotAuthorized`],
    /// [`crate::ErrorCode::SchemaValidationError`], …).
    pub async fn create_job(&self, job: &SigningJob) -> Result<JobRef, Error> {
        if let Some(missing) = self
            .capabilities()
            .first_missing(&job.required_capabilities())
        {
            return Err(Error::Unsupported(missing));
        }
        let sender = wire::resolve_sender(job, self.inner.default_sender.as_ref())?.clone();
        let mut prepared = PreparedJob::new(
            job,
            Some(&sender),
            &self.inner.key,
            &SystemClock,
            &BuildOptions::default(),
        )?;
        if let (None, Some(queue)) = (job.polling_queue(), &self.inner.default_polling_queue) {
            let queue = Some(queue.as_str().to_owned());
            prepared.request_xml = match job.flow() {
                Flow::Direct(flow) => {
                    let mut request = wire::direct_request(job, flow);
                    request.polling_queue = queue;
                    signature_model::to_xml(&request)?
                }
                _ => {
                    let mut request = wire::portal_request(job);
                    request.polling_queue = queue;
                    signature_model::to_xml(&request)?
                }
            };
        }
        self.create_prepared(&sender, job.flow().kind(), &prepared)
            .await
    }

    /// Sends an already prepared job for `sender` in `flow`. Useful to keep the exact bundle
    /// sent (for archiving or debugging) or to send one prepared elsewhere.
    ///
    /// # Errors
    ///
    /// As [`Client::create_job`].
    pub async fn create_prepared(
        &self,
        sender: &OrganizationNumber,
        flow: FlowKind,
        prepared: &PreparedJob,
    ) -> Result<JobRef, Error> {
        let body = MultipartMixed::job(&prepared.request_xml, &prepared.bundle);
        let (operation, segment) = match flow {
            FlowKind::Direct => (Operation::CreateDirectJob, "direct"),
            _ => (Operation::CreatePortalJob, "portal"),
        };
        let call = Call {
            operation,
            url: self.api_url(&[sender.as_str(), segment, "signature-jobs"])?,
            body: Some((body.content_type, body.body)),
        };
        Ok(match flow {
            FlowKind::Direct => {
                let (response, _) = self
                    .inner
                    .execute_xml::<posten::DirectSignatureJobResponse>(call)
                    .await?;
                convert::direct_job_ref(response)
            }
            _ => {
                let (response, _) = self
                    .inner
                    .execute_xml::<posten::PortalSignatureJobResponse>(call)
                    .await?;
                convert::portal_job_ref(response)
            }
        })
    }

    /// Asks for a new single-use redirect URL for a direct-flow signer (the signer's `href`
    /// from the create answer).
    ///
    /// # Errors
    ///
    /// [`Error::MalformedResponse`] for an unusable URL, or the service's answer.
    pub async fn request_new_redirect_url(&self, signer: &SignerUrl) -> Result<RedirectUrl, Error> {
        let body = signature_model::to_xml(&posten::DirectSignerUpdateRequest {
            redirect_url: posten::FlagType,
        })?;
        let call = Call {
            operation: Operation::NewRedirectUrl,
            url: service_url(signer.as_str())?,
            body: Some(("application/xml".to_owned(), body.into())),
        };
        let (response, _) = self
            .inner
            .execute_xml::<posten::DirectSignerResponse>(call)
            .await?;
        Ok(RedirectUrl::new(response.redirect_url))
    }

    /// Fetches a direct job's status with the token Posten appended to the exit URL. The
    /// token is added as the `status_query_token` query parameter (after `&` when the status
    /// URL already has a query) and never logged.
    ///
    /// # Errors
    ///
    /// [`Error::Service`] with [`crate::ErrorCode::InvalidStatusQueryToken`] or
    /// [`crate::ErrorCode::SigningCeremonyNotCompleted`], or another answer of the service.
    pub async fn direct_status(
        &self,
        status_url: &StatusUrl,
        token: &StatusQueryToken,
    ) -> Result<StatusChange, Error> {
        let mut url = service_url(status_url.as_str())?;
        url.query_pairs_mut()
            .append_pair("status_query_token", token.reveal());
        let call = Call::without_body(Operation::DirectStatus, url);
        let (response, _) = self
            .inner
            .execute_xml::<posten::DirectSignatureJobStatusResponse>(call)
            .await?;
        Ok(convert::direct_status(response, None))
    }

    /// Takes the next status change from a queue: `GET {root}/{sender}/{direct|portal}/
    /// signature-jobs[?polling_queue=…]`. 204 means no change. Either way the answer's
    /// `X-Next-permitted-poll-time` is returned; poll again no earlier (a [`Poller`]
    /// does all of this).
    ///
    /// [`Poller`]: crate::Poller
    ///
    /// # Errors
    ///
    /// [`Error::TooEagerPolling`] with the permitted time, [`Error::RateLimitBlocked`],
    /// [`Error::SenderNotSpecified`], or the service's answer.
    pub async fn poll(&self, queue: &StatusQueue) -> Result<PollResult, Error> {
        let sender = queue
            .sender
            .as_ref()
            .or(self.inner.default_sender.as_ref())
            .ok_or(Error::SenderNotSpecified)?;
        let (operation, segment) = match queue.flow {
            FlowKind::Direct => (Operation::PollDirect, "direct"),
            _ => (Operation::PollPortal, "portal"),
        };
        let mut url = self.api_url(&[sender.as_str(), segment, "signature-jobs"])?;
        if let Some(name) = queue
            .queue
            .as_ref()
            .or(self.inner.default_polling_queue.as_ref())
        {
            url.query_pairs_mut()
                .append_pair("polling_queue", name.as_str());
        }
        let response = self
            .inner
            .execute(Call::without_body(operation, url))
            .await?;
        let next = next_permitted_poll_time(response.headers());
        if response.status() == StatusCode::NO_CONTENT {
            return Ok(PollResult::NoChanges {
                next_permitted_poll_time: next,
            });
        }
        let body = read_bounded(response, 1024 * 1024).await?;
        let change = match queue.flow {
            FlowKind::Direct => convert::direct_status(signature_model::from_xml(&body)?, next),
            _ => convert::portal_status(signature_model::from_xml(&body)?, next),
        };
        Ok(PollResult::Change(Box::new(change)))
    }

    /// Confirms that a status change was handled (POST with an empty body). Unconfirmed
    /// changes are delivered again, so confirm only after the change is safely processed.
    ///
    /// # Errors
    ///
    /// The service's answer or a transport failure.
    pub async fn confirm(&self, confirmation: &ConfirmationHandle) -> Result<(), Error> {
        self.post_empty(Operation::Confirm, confirmation.as_str())
            .await
    }

    /// Cancels a portal job.
    ///
    /// # Errors
    ///
    /// [`Error::JobCannotBeCancelled`] (HTTP 409) when the job has ended, or the service's
    /// answer.
    pub async fn cancel(&self, cancellation: &CancellationHandle) -> Result<(), Error> {
        self.post_empty(Operation::Cancel, cancellation.as_str())
            .await
    }

    /// Deletes a finished job's documents at Posten.
    ///
    /// # Errors
    ///
    /// The service's answer or a transport failure.
    pub async fn delete_documents(&self, documents: &DeleteDocumentsHandle) -> Result<(), Error> {
        self.inner
            .execute(Call::without_body(
                Operation::DeleteDocuments,
                service_url(documents.as_str())?,
            ))
            .await
            .map(drop)
    }

    /// Streams a signer's XAdES or the job's PAdES into `sink`, returning the bytes written.
    /// Memory use does not grow with the document; the download timeouts apply.
    ///
    /// # Errors
    ///
    /// [`Error::Unsupported`] for an artifact Posten does not produce, [`Error::Io`] when the
    /// sink fails, or the service's answer.
    pub async fn download(
        &self,
        artifact: &ArtifactRef,
        sink: &mut (dyn AsyncWrite + Unpin + Send),
    ) -> Result<u64, Error> {
        let operation = match artifact {
            ArtifactRef::Xades { .. } => Operation::DownloadXades,
            ArtifactRef::Pades { .. } => Operation::DownloadPades,
            other => return Err(Error::Unsupported(other.capability())),
        };
        self.stream(operation, service_url(artifact.url())?, sink)
            .await
    }

    /// Streams an archived job's PAdES (long-term storage add-on) into `sink`:
    /// `GET {root}/{owner}/archive/documents/{document_id}/pades`.
    ///
    /// # Errors
    ///
    /// [`Error::Service`] with [`crate::ErrorCode::ArchivedDocumentNotFound`], [`Error::Io`], or
    /// another answer of the service.
    pub async fn download_archived_pades(
        &self,
        owner: &OrganizationNumber,
        document_id: &str,
        sink: &mut (dyn AsyncWrite + Unpin + Send),
    ) -> Result<u64, Error> {
        let url = self.api_url(&[owner.as_str(), "archive", "documents", document_id, "pades"])?;
        self.stream(Operation::ArchivedPades, url, sink).await
    }

    /// The service's own "who am I": `GET {root}/{organization}`. A 2xx answer means the
    /// mutual-TLS handshake passed and the certificate's organization may act for
    /// `organization`; see [`ServiceRoot`] for what is (not) known about the body.
    ///
    /// ```no_run
    /// # async fn run(client: posten_adapter::Client) -> Result<(), posten_adapter::Error> {
    /// let sender = signature_core::OrganizationNumber::parse("123456785").expect("valid");
    /// let root = client.root_resource(&sender).await?;
    /// println!("HTTP {}", root.http_status);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// The handshake's verdict ([`Error::ServerCertificateUntrusted`], …), a transport
    /// failure, or the service's answer ([`Error::Service`] with
    /// [`crate::ErrorCode::BrokerNotAuthorized`], …).
    pub async fn root_resource(
        &self,
        organization: &OrganizationNumber,
    ) -> Result<ServiceRoot, Error> {
        let response = self
            .inner
            .execute(Call::without_body(
                Operation::RootResource,
                self.api_url(&[organization.as_str()])?,
            ))
            .await?;
        let http_status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let server_certificate = response
            .extensions()
            .get::<reqwest::tls::TlsInfo>()
            .and_then(reqwest::tls::TlsInfo::peer_certificate)
            .and_then(|der| CertificateSummary::from_der(der).ok());
        let body = read_bounded(response, 1024 * 1024).await?;
        Ok(ServiceRoot {
            http_status,
            content_type,
            body_bytes: body.len(),
            server_certificate,
        })
    }

    /// The default sender, if configured.
    pub fn default_sender(&self) -> Option<&OrganizationNumber> {
        self.inner.default_sender.as_ref()
    }

    /// Streams the answer to a GET of `url` into `sink`, returning the bytes written.
    async fn stream(
        &self,
        operation: Operation,
        url: Url,
        sink: &mut (dyn AsyncWrite + Unpin + Send),
    ) -> Result<u64, Error> {
        let response = self
            .inner
            .execute(Call::without_body(operation, url))
            .await?;
        download::stream_into(response, sink).await
    }

    async fn post_empty(&self, operation: Operation, url: &str) -> Result<(), Error> {
        self.inner
            .execute(Call::without_body(operation, service_url(url)?))
            .await
            .map(drop)
    }

    /// `{root}/seg/seg/…`, each segment percent-encoded.
    fn api_url(&self, segments: &[&str]) -> Result<Url, Error> {
        let mut url = self.inner.root.clone();
        url.path_segments_mut()
            .map_err(|()| Error::config("the service URL cannot take a path"))?
            .pop_if_empty()
            .extend(segments);
        Ok(url)
    }
}

/// A URL the service handed out (status, confirmation, download…).
fn service_url(url: &str) -> Result<Url, Error> {
    Url::parse(url.trim()).map_err(|_| {
        Error::MalformedResponse("the service handed out a URL that does not parse".to_owned())
    })
}
