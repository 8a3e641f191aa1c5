//! Altinn behind the provider-neutral [`SignatureService`].

use async_trait::async_trait;
use signature_core::{
    ArtifactRef, Capabilities, Capability, DeleteDocumentsHandle, Error as CoreError, JobId,
    JobRef, SignatureService, SigningJob, StatusChange,
};
use tokio::io::AsyncWrite;

use super::client::Client;
use super::environment::Who;
use super::messages::MessageQuery;
use super::model::{Message, MessageId};
use super::signing::{FormTask, NewAttachment};
use crate::error::Error;

/// Altinn as a [`SignatureService`] for one message box (`who`).
///
/// A [`SigningJob`] carrying a [`ServiceForm`](signature_core::ServiceForm) becomes a form
/// task sent to signing; its documents become attachments. Altinn lets whoever holds the
/// signing right for `who` sign in the message box, so it cannot address signers, notify
/// them, order them, or take settings such as an authentication level or a description;
/// [`capabilities`](SignatureService::capabilities) leaves those out and `create_job`
/// refuses such jobs instead of dropping the settings. There is no status queue: ask
/// [`job_status`](Self::job_status). The signed artifact is the archived item's print PDF,
/// offered as [`ArtifactRef::Receipt`].
#[derive(Debug, Clone)]
pub struct Service {
    client: Client,
    who: Who,
}

impl Service {
    /// Jobs go to `who`'s message box.
    pub fn new(client: Client, who: Who) -> Self {
        Self { client, who }
    }

    /// The client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// A job's current status. Once signed and archived, the item has a new id; it is
    /// found in the archive by its `OriginalId`, and the change carries the print PDF as
    /// [`StatusChange::pades`] (a [`ArtifactRef::Receipt`]) and the archived item's
    /// address as its delete handle.
    ///
    /// # Errors
    ///
    /// [`CoreError::Service`] with 404 if the job is neither active nor archived.
    pub async fn job_status(&self, job: &JobId) -> Result<StatusChange, CoreError> {
        let id = MessageId::new(job.as_str());
        let message = match self.client.message(&self.who, &id).await {
            Ok(message) => message,
            Err(Error::Service(problem)) if problem.status == 404 => self
                .find_archived(&id)
                .await?
                .ok_or(Error::Service(problem))?,
            Err(other) => return Err(other.into()),
        };
        let mut change = StatusChange::new(job.clone(), message.status.job_status());
        if message.status.is_archived() || message.id.is_archived() {
            change.status = signature_core::JobStatus::CompletedSuccessfully;
            let print = match &message.print_link {
                Some(link) => link.href.clone(),
                None => self
                    .client
                    .api_url(&[
                        self.who.as_segment(),
                        "messages",
                        message.id.as_str(),
                        "print",
                    ])
                    .to_string(),
            };
            change.job_artifacts.push(ArtifactRef::receipt(print));
        }
        let address = match &message.self_link {
            Some(link) => link.href.clone(),
            None => self
                .client
                .api_url(&[self.who.as_segment(), "messages", message.id.as_str()])
                .to_string(),
        };
        change.delete_documents = Some(DeleteDocumentsHandle::new(address));
        Ok(change)
    }

    async fn find_archived(&self, original: &MessageId) -> Result<Option<Message>, Error> {
        let list = self
            .client
            .messages(&self.who, &MessageQuery::new())
            .await?;
        Ok(list
            .messages
            .into_iter()
            .find(|m| m.original_id.as_ref() == Some(original)))
    }
}

#[async_trait]
impl SignatureService for Service {
    fn capabilities(&self) -> Capabilities {
        Capabilities::none()
            .with(Capability::SubmitForm)
            .with(Capability::MultipleDocuments)
            .with(Capability::PlainTextDocuments)
            .with(Capability::DownloadReceipt)
            .with(Capability::DeleteDocuments)
    }

    async fn create_job(&self, job: &SigningJob) -> Result<JobRef, CoreError> {
        self.capabilities()
            .ensure_supports(&job.required_capabilities())?;
        job.check_limits(&crate::FORM_JOB_LIMITS)?;
        let form = job
            .form()
            .ok_or(CoreError::Unsupported(Capability::CreatePortalJob))?;
        let mut task = FormTask::from(form);
        if let Some(attachment_type) = form.attachment_type_for_documents() {
            for document in job.documents() {
                task.attachments.push(NewAttachment::new(
                    document.file_name(),
                    attachment_type,
                    document.read()?,
                ));
            }
        }
        let submitted = self.client.submit_to_signing(&self.who, &task).await?;
        Ok(JobRef::new(JobId::new(submitted.message_id.as_str())))
    }

    async fn download(
        &self,
        artifact: &ArtifactRef,
        sink: &mut (dyn AsyncWrite + Unpin + Send),
    ) -> Result<u64, CoreError> {
        match artifact {
            ArtifactRef::Receipt { url } => Ok(self.client.download_link(url, sink).await?),
            other => Err(CoreError::Unsupported(other.capability())),
        }
    }

    async fn delete_documents(&self, documents: &DeleteDocumentsHandle) -> Result<(), CoreError> {
        Ok(self.client.delete_at(documents.as_str()).await?)
    }
}
