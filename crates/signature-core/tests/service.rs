//! The service trait's default bodies and a minimal adapter written against it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Mutex;

use async_trait::async_trait;
use signature_core::{
    ArtifactRef, CancellationHandle, Capabilities, Capability, ConfirmationHandle,
    DeleteDocumentsHandle, Document, Error, FlowKind, JobId, JobRef, JobStatus, PollResult,
    SignatureService, Signer, SignerUrl, SigningJob, StatusChange, StatusQueryToken, StatusQueue,
    StatusUrl,
};
use tokio::io::{AsyncWrite, AsyncWriteExt};

/// Supports only portal jobs and PAdES downloads, like a minimal provider would.
struct MinimalProvider {
    confirmed: Mutex<Vec<String>>,
}

#[async_trait]
impl SignatureService for MinimalProvider {
    fn capabilities(&self) -> Capabilities {
        Capabilities::none()
            .with(Capability::CreatePortalJob)
            .with(Capability::ExplicitNotifications)
            .with(Capability::ContactInformationSigners)
            .with(Capability::DownloadPades)
            .with(Capability::ConfirmStatus)
    }

    async fn create_job(&self, job: &SigningJob) -> Result<JobRef, Error> {
        self.capabilities()
            .ensure_supports(&job.required_capabilities())?;
        let mut created = JobRef::new(JobId::from(1));
        created.reference = job.reference().map(str::to_owned);
        Ok(created)
    }

    async fn confirm(&self, confirmation: &ConfirmationHandle) -> Result<(), Error> {
        self.confirmed
            .lock()
            .map_err(|_| Error::transport("poisoned"))?
            .push(confirmation.as_str().to_owned());
        Ok(())
    }

    async fn download(
        &self,
        artifact: &ArtifactRef,
        sink: &mut (dyn AsyncWrite + Unpin + Send),
    ) -> Result<u64, Error> {
        match artifact {
            ArtifactRef::Pades { .. } => {
                let body = b"%PDF-1.7 signed";
                sink.write_all(body).await?;
                Ok(body.len() as u64)
            }
            other => Err(Error::Unsupported(other.capability())),
        }
    }
}

fn provider() -> Box<dyn SignatureService> {
    Box::new(MinimalProvider {
        confirmed: Mutex::new(Vec::new()),
    })
}

fn job() -> signature_core::SigningJobBuilder {
    SigningJob::builder("Contract")
        .reference("ref-7")
        .document(Document::pdf("Contract", "contract.pdf", b"%PDF".to_vec()))
        .signer(Signer::with_email("kari@example.com"))
}

#[tokio::test]
async fn supported_operations_work_through_a_trait_object() {
    let service = provider();
    let created = service.create_job(&job().build().unwrap()).await.unwrap();
    assert_eq!(created.id.as_str(), "1");
    assert_eq!(created.reference.as_deref(), Some("ref-7"));

    let mut sink = Vec::new();
    let written = service
        .download(&ArtifactRef::pades("https://example.com/pades"), &mut sink)
        .await
        .unwrap();
    assert_eq!(written, 15);
    assert_eq!(sink, b"%PDF-1.7 signed");

    service
        .confirm(&ConfirmationHandle::new("https://example.com/confirm"))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_job_needing_more_than_offered_is_refused_with_the_capability() {
    let service = provider();
    let ordered = job()
        .signer(Signer::with_email("per@example.com").order(1))
        .build()
        .unwrap();
    match service.create_job(&ordered).await {
        // Both signer order and multiple signers are missing; the first in declaration order is named.
        Err(Error::Unsupported(capability)) => assert_eq!(capability, Capability::SignerOrder),
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn default_bodies_report_the_matching_capability() {
    let service = provider();
    let unsupported = |result: Result<(), Error>| match result {
        Err(Error::Unsupported(capability)) => capability,
        other => panic!("expected Unsupported, got {other:?}"),
    };
    let status = service
        .status(
            &StatusUrl::new("https://x/status"),
            &StatusQueryToken::new("t"),
        )
        .await
        .map(|_: StatusChange| ());
    assert_eq!(unsupported(status), Capability::StatusByToken);

    let by_id = service
        .job_status(&JobId::from(1))
        .await
        .map(|_: StatusChange| ());
    assert_eq!(unsupported(by_id), Capability::StatusByJobId);

    let poll = service
        .next_status_change(&StatusQueue::new(FlowKind::Portal))
        .await
        .map(|_: PollResult| ());
    assert_eq!(unsupported(poll), Capability::PollStatusChanges);

    let cancel = service
        .cancel(&CancellationHandle::new("https://x/cancel"))
        .await;
    assert_eq!(unsupported(cancel), Capability::Cancel);

    let delete = service
        .delete_documents(&DeleteDocumentsHandle::new("https://x/delete"))
        .await;
    assert_eq!(unsupported(delete), Capability::DeleteDocuments);

    let redirect = service
        .request_new_redirect_url(&SignerUrl::new("https://x/signer"))
        .await
        .map(|_| ());
    assert_eq!(unsupported(redirect), Capability::NewRedirectUrl);

    let mut sink = Vec::new();
    let xades = service
        .download(&ArtifactRef::xades(None, "https://x/xades"), &mut sink)
        .await
        .map(|_| ());
    assert_eq!(unsupported(xades), Capability::DownloadXades);
    assert!(sink.is_empty());
}

/// A provider that implements nothing optional still gets the default for confirm and download.
struct CreateOnly;

#[async_trait]
impl SignatureService for CreateOnly {
    fn capabilities(&self) -> Capabilities {
        Capabilities::none().with(Capability::CreatePortalJob)
    }

    async fn create_job(&self, _job: &SigningJob) -> Result<JobRef, Error> {
        Ok(JobRef::new(JobId::new("a123")))
    }
}

#[tokio::test]
async fn create_only_provider_defaults() {
    let service = CreateOnly;
    assert!(matches!(
        service.confirm(&ConfirmationHandle::new("x")).await,
        Err(Error::Unsupported(Capability::ConfirmStatus))
    ));
    let mut sink = Vec::new();
    assert!(matches!(
        service.download(&ArtifactRef::pades("x"), &mut sink).await,
        Err(Error::Unsupported(Capability::DownloadPades))
    ));
    let change = StatusChange::new(JobId::new("a123"), JobStatus::InProgress);
    assert_eq!(change.artifacts().count(), 0);
}
