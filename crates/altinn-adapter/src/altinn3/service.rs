//! Altinn 3 behind the provider-neutral [`SignatureService`].

use async_trait::async_trait;
use signature_core::{
    ArtifactRef, Capabilities, Capability, Error as CoreError, JobId, JobRef, JobStatus,
    SignatureService, SignerState, SignerStatus, SigningJob, StatusChange,
};
use tokio::io::AsyncWrite;

use super::calls::{InstanceOwner, NewData, NewInstance};
use super::client::Altinn3Client;
use super::environment::AppId;
use super::model::{InstanceId, TaskType};
use crate::error::Error;

/// The data type Altinn 3 signing apps commonly store signatures under.
pub const DEFAULT_SIGNATURE_DATA_TYPE: &str = "signatures";

/// Altinn 3 as a [`SignatureService`]: a job becomes an app instance owned by one party.
///
/// The job's [`ServiceForm`](signature_core::ServiceForm) names the app in its service
/// code (`"{org}/{app}"`; the edition is ignored); each form part is stored as a data
/// element whose data type is the part's data format id (its XML as `application/xml`),
/// and the job's documents as data elements of the form's attachment type. The instance is
/// then moved from its data task to the next task (the app's signing task).
///
/// Altinn lets whoever holds the `sign` right sign, so signers cannot be addressed,
/// notified or ordered; the capability set leaves those out and `create_job` refuses such
/// jobs. Status is read with [`job_status`](Self::job_status); the signatures are offered
/// as [`ArtifactRef::SignatureRecord`]s (the signature data elements).
#[derive(Debug, Clone)]
pub struct Altinn3Service {
    client: Altinn3Client,
    owner: InstanceOwner,
    signature_data_type: String,
}

impl Altinn3Service {
    /// Instances are created for `owner`.
    pub fn new(client: Altinn3Client, owner: InstanceOwner) -> Self {
        Self {
            client,
            owner,
            signature_data_type: DEFAULT_SIGNATURE_DATA_TYPE.to_owned(),
        }
    }

    /// The data type the apps store signatures under ([`DEFAULT_SIGNATURE_DATA_TYPE`]).
    #[must_use]
    pub fn signature_data_type(mut self, data_type: impl Into<String>) -> Self {
        self.signature_data_type = data_type.into();
        self
    }

    /// The client.
    pub fn client(&self) -> &Altinn3Client {
        &self.client
    }

    /// A job id is `"{org}/{app}/{partyId}/{instanceGuid}"`.
    ///
    /// # Errors
    ///
    /// [`Error::UnexpectedResponse`] for any other shape.
    pub fn parse_job_id(job: &JobId) -> Result<(AppId, InstanceId), Error> {
        let mut parts = job.as_str().splitn(3, '/');
        match (parts.next(), parts.next(), parts.next()) {
            (Some(org), Some(app), Some(instance)) => {
                Ok((AppId::new(org, app)?, InstanceId::parse(instance)?))
            }
            _ => Err(Error::UnexpectedResponse(format!(
                "{:?} is not an Altinn 3 job id",
                job.as_str()
            ))),
        }
    }

    /// A job's status: `InProgress` until the process has ended, then
    /// `CompletedSuccessfully`. At a signing task the signees who signed are listed as
    /// signed signers (the service does not name them in provider-neutral terms).
    ///
    /// # Errors
    ///
    /// [`CoreError::Service`] with 404 for an unknown instance, and the others.
    pub async fn job_status(&self, job: &JobId) -> Result<StatusChange, CoreError> {
        let (app, id) = Self::parse_job_id(job)?;
        let process = self.client.process(&app, &id).await?;
        let status = if process.is_ended() {
            JobStatus::CompletedSuccessfully
        } else {
            JobStatus::InProgress
        };
        let mut change = StatusChange::new(job.clone(), status);
        if process.task_type() == Some(&TaskType::Signing) {
            let state = self.client.signing_state(&app, &id).await?;
            for signee in state.signees.iter().filter(|s| s.has_signed()) {
                let mut signer = SignerState::new(None, SignerStatus::Signed);
                signer.since = signee.signed_time.as_deref().and_then(|t| {
                    time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
                        .ok()
                });
                change.signers.push(signer);
            }
        }
        Ok(change)
    }

    /// The signature data elements of a job, as downloadable records.
    ///
    /// # Errors
    ///
    /// As for [`job_status`](Self::job_status).
    pub async fn signature_records(&self, job: &JobId) -> Result<Vec<ArtifactRef>, CoreError> {
        let (app, id) = Self::parse_job_id(job)?;
        let instance = self.client.instance(&app, &id).await?;
        Ok(instance
            .data_of_type(&self.signature_data_type)
            .filter_map(|d| d.app_url.clone().or_else(|| d.platform_url.clone()))
            .map(ArtifactRef::signature_record)
            .collect())
    }
}

#[async_trait]
impl SignatureService for Altinn3Service {
    fn capabilities(&self) -> Capabilities {
        Capabilities::none()
            .with(Capability::SubmitForm)
            .with(Capability::MultipleDocuments)
            .with(Capability::PlainTextDocuments)
            .with(Capability::DownloadSignatureRecord)
    }

    async fn create_job(&self, job: &SigningJob) -> Result<JobRef, CoreError> {
        self.capabilities()
            .ensure_supports(&job.required_capabilities())?;
        let form = job
            .form()
            .ok_or(CoreError::Unsupported(Capability::CreatePortalJob))?;
        let app = AppId::parse(form.service_code())?;
        let mut new = NewInstance::new(self.owner.clone());
        for part in form.parts() {
            new = new.data(NewData::new(
                part.data_format_id(),
                "application/xml",
                part.xml().as_bytes().to_vec(),
            ));
        }
        if let Some(data_type) = form.attachment_type_for_documents() {
            for document in job.documents() {
                new = new.data(
                    NewData::new(
                        data_type,
                        document.media_type().as_str(),
                        document.content().clone(),
                    )
                    .filename(document.file_name()),
                );
            }
        }
        let instance = self.client.create_instance(&app, &new).await?;
        // From the data task to the signing task.
        self.client.process_next(&app, &instance.id, None).await?;
        Ok(JobRef::new(JobId::new(format!("{app}/{}", instance.id))))
    }

    async fn download(
        &self,
        artifact: &ArtifactRef,
        sink: &mut (dyn AsyncWrite + Unpin + Send),
    ) -> Result<u64, CoreError> {
        match artifact {
            ArtifactRef::SignatureRecord { url } => Ok(self.client.download_url(url, sink).await?),
            other => Err(CoreError::Unsupported(other.capability())),
        }
    }
}
