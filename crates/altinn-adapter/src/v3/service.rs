//! Altinn 3 behind the provider-neutral [`SignatureService`].

use async_trait::async_trait;
use signature_core::{
    ArtifactRef, Capabilities, Capability, CustomIdentifier, Error as CoreError, JobId, JobRef,
    JobStatus, SignatureService, SignerIdentifier, SignerState, SignerStatus, SigningJob,
    StatusChange,
};
use tokio::io::AsyncWrite;

use super::client::Client;
use super::environment::AppId;
use super::instances::{InstanceOwner, NewData, NewInstance};
use super::model::{ActionResult, InstanceId, InstanceRef, ProcessState, SigneeState, TaskType};
use super::process::{ActionRequest, ProcessNext};
use crate::error::Error;

/// The data type Altinn 3 signing apps commonly store signatures under.
pub const DEFAULT_SIGNATURE_DATA_TYPE: &str = "signatures";

/// Altinn 3 as a [`SignatureService`]: a job becomes an app instance owned by one party.
///
/// The job's [`ServiceForm`](signature_core::ServiceForm) names the app in its service
/// code (`"{org}/{app}"`; the edition is ignored); each form part is stored as a data
/// element whose data type is the part's data format id (its XML as `application/xml`),
/// and the job's documents as data elements of the form's attachment type. If the app's
/// process starts with a data task, the instance is moved on from it (to the app's signing
/// task); an app whose first task is signing is left there, so no signature is skipped.
///
/// Altinn lets whoever holds the `sign` right sign, so signers cannot be addressed,
/// notified or ordered; the capability set leaves those out and `create_job` refuses such
/// jobs. Status is read with [`job_status`](Self::job_status) (signees as the platform
/// reports them, also after the signing task); [`sign`](Self::sign) signs a job as the
/// client's user, for themselves or for an organisation; the signatures are offered as
/// [`ArtifactRef::SignatureRecord`]s (the signature data elements).
///
/// A service made [`without_owner`](Self::without_owner) reads and downloads existing jobs
/// but creates none: its capabilities leave out [`Capability::SubmitForm`].
#[derive(Debug, Clone)]
pub struct Service {
    client: Client,
    owner: Option<InstanceOwner>,
    signature_data_type: String,
}

impl Service {
    /// Instances are created for `owner`.
    pub fn new(client: Client, owner: InstanceOwner) -> Self {
        Self {
            owner: Some(owner),
            ..Self::without_owner(client)
        }
    }

    /// A service for jobs that exist already (their ids name their owners): status, signing
    /// and downloads; `create_job` answers [`CoreError::Unsupported`] with
    /// [`Capability::SubmitForm`].
    pub fn without_owner(client: Client) -> Self {
        Self {
            client,
            owner: None,
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
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// A job id is `"{org}/{app}/{partyId}/{instanceGuid}"`.
    ///
    /// # Errors
    ///
    /// [`Error::Configuration`] or [`Error::UnexpectedResponse`] for any other shape.
    pub fn parse_job_id(job: &JobId) -> Result<(AppId, InstanceId), Error> {
        let found = InstanceRef::parse(job.as_str())?;
        Ok((found.app, found.id))
    }

    /// A job's status: `InProgress` until the process has ended, then
    /// `CompletedSuccessfully`. The signees of every signing task the process has reached
    /// are listed (read with `taskId`, so also after the process left the task), named
    /// `party:{partyId}` with their organisation where they signed for one. Once the process
    /// has ended, [`StatusChange::job_artifacts`] lists the signature records
    /// ([`signature_records`](Self::signature_records)). The same answer comes from
    /// [`SignatureService::job_status`].
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
        for task in signing_tasks_reached(&process) {
            let state = match self.client.signing_state(&app, &id, Some(&task)).await {
                Ok(state) => state,
                // An app older than app-lib 8.9 reads no past task ("Not a signing task").
                Err(Error::Service(problem))
                    if problem.status == 400 && !is_current(&process, &task) =>
                {
                    continue;
                }
                Err(error) => return Err(error.into()),
            };
            change
                .signers
                .extend(state.signees.iter().map(signer_state));
        }
        if process.is_ended() {
            change.job_artifacts = self.signature_records(job).await?;
        }
        Ok(change)
    }

    /// Signs the job as the client's user (a person or a system user) with
    /// `POST …/actions {"action":"sign"}`, for the organisation `on_behalf_of` if given
    /// (one of [`Client::signing_organizations`]); the process stays at the signing task
    /// for other signees.
    ///
    /// # Errors
    ///
    /// [`CoreError::Service`] with 401 for an organisation's own token (only persons and
    /// system users sign), 403 without the `sign` right, and the others.
    pub async fn sign(
        &self,
        job: &JobId,
        on_behalf_of: Option<&str>,
    ) -> Result<ActionResult, CoreError> {
        let (app, id) = Self::parse_job_id(job)?;
        let mut request = ActionRequest::sign();
        if let Some(org) = on_behalf_of {
            request = request.on_behalf_of(org);
        }
        Ok(self.client.perform_action(&app, &id, &request).await?)
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
            .filter_map(|d| d.app_url().or(d.platform_url()))
            .map(|url| ArtifactRef::signature_record(url.to_owned()))
            .collect())
    }

    /// Moves a new instance on from its data task, and no further: never past a signing
    /// task, whose signature `process/next` without an action would not make.
    async fn leave_data_task(&self, app: &AppId, id: &InstanceId) -> Result<(), Error> {
        let process = self.client.process(app, id).await?;
        if process.task_type() == Some(&TaskType::Data) {
            self.client
                .process_next(app, id, &ProcessNext::new())
                .await?;
        }
        Ok(())
    }
}

/// The signing tasks the process has reached, in process order: those before the current
/// task, and the current one (all of them once it ended).
fn signing_tasks_reached(process: &ProcessState) -> Vec<String> {
    let current = process.current_task.as_ref().map(|t| t.element_id.as_str());
    let mut reached = Vec::new();
    for task in &process.process_tasks {
        if task.task_type == Some(TaskType::Signing) {
            reached.push(task.element_id.clone());
        }
        if Some(task.element_id.as_str()) == current {
            return reached;
        }
    }
    if process.is_ended() {
        return reached;
    }
    // No task list (an older app): only the current task, if it is signing.
    match &process.current_task {
        Some(task) if task.task_type == Some(TaskType::Signing) => vec![task.element_id.clone()],
        _ => Vec::new(),
    }
}

fn is_current(process: &ProcessState, task: &str) -> bool {
    process
        .current_task
        .as_ref()
        .is_some_and(|t| t.element_id == task)
}

fn signer_state(signee: &SigneeState) -> SignerState {
    let status = if signee.has_signed() {
        SignerStatus::Signed
    } else if !signee.delegation_successful {
        // The app could not give the signee the right to sign.
        SignerStatus::Failed
    } else {
        SignerStatus::Waiting
    };
    let name = match &signee.organization {
        Some(org) => format!("party:{} ({org})", signee.party_id),
        None => format!("party:{}", signee.party_id),
    };
    let identifier = CustomIdentifier::parse(name.chars().take(80).collect::<String>())
        .ok()
        .map(SignerIdentifier::CustomIdentifier);
    let mut state = SignerState::new(identifier, status);
    state.since = signee.signed_time;
    state
}

#[async_trait]
impl SignatureService for Service {
    fn capabilities(&self) -> Capabilities {
        let capabilities = Capabilities::none()
            .with(Capability::MultipleDocuments)
            .with(Capability::PlainTextDocuments)
            .with(Capability::DownloadSignatureRecord)
            .with(Capability::StatusByJobId);
        match self.owner {
            Some(_) => capabilities.with(Capability::SubmitForm),
            None => capabilities,
        }
    }

    async fn job_status(&self, job: &JobId) -> Result<StatusChange, CoreError> {
        Service::job_status(self, job).await
    }

    async fn create_job(&self, job: &SigningJob) -> Result<JobRef, CoreError> {
        self.capabilities()
            .ensure_supports(&job.required_capabilities())?;
        job.check_limits(&crate::FORM_JOB_LIMITS)?;
        let (Some(form), Some(owner)) = (job.form(), &self.owner) else {
            return Err(CoreError::Unsupported(Capability::SubmitForm));
        };
        let app = AppId::parse(form.service_code())?;
        let mut new = NewInstance::new(owner.clone());
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
                    NewData::new(data_type, document.media_type().as_str(), document.read()?)
                        .filename(document.file_name()),
                );
            }
        }
        let instance = self.client.create_instance(&app, &new).await?;
        self.leave_data_task(&app, &instance.id).await?;
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn signing_tasks_reached_so_far() {
        let tasks = json!([{"elementId": "Task_1", "altinnTaskType": "data"},
                           {"elementId": "Task_2", "altinnTaskType": "signing"},
                           {"elementId": "Task_3", "altinnTaskType": "confirmation"},
                           {"elementId": "Task_4", "altinnTaskType": "signing"}]);
        let at = |task: &str, kind: &str| -> ProcessState {
            serde_json::from_value(json!({"currentTask": {"elementId": task, "altinnTaskType": kind}, "processTasks": tasks}))
                .unwrap()
        };
        assert!(signing_tasks_reached(&at("Task_1", "data")).is_empty());
        assert_eq!(signing_tasks_reached(&at("Task_2", "signing")), ["Task_2"]);
        assert_eq!(
            signing_tasks_reached(&at("Task_3", "confirmation")),
            ["Task_2"]
        );
        let ended: ProcessState =
            serde_json::from_value(json!({"ended": "2026-01-01T00:00:00Z", "processTasks": tasks}))
                .unwrap();
        assert_eq!(signing_tasks_reached(&ended), ["Task_2", "Task_4"]);
        let old: ProcessState = serde_json::from_value(
            json!({"currentTask": {"elementId": "Sign", "altinnTaskType": "signing"}}),
        )
        .unwrap();
        assert_eq!(signing_tasks_reached(&old), ["Sign"]);
    }

    /// The Altinn error behind a neutral one.
    fn altinn_source(core: &CoreError) -> Option<&Error> {
        std::error::Error::source(core).and_then(|s| s.downcast_ref::<Error>())
    }

    #[test]
    fn errors_carry_transience_retry_time_and_source_over() {
        use crate::error::ApiProblem;
        use signature_core::TransportError;

        let mut busy = ApiProblem::status(429);
        busy.retry_after = Some(std::time::Duration::from_secs(30));
        let before = time::OffsetDateTime::now_utc();
        let core = CoreError::from(Error::Service(busy));
        assert!(
            matches!(
                &core,
                CoreError::Service {
                    http_status: 429,
                    transient: true,
                    ..
                }
            ),
            "{core:?}"
        );
        assert!(core.is_transient());
        let retry_at = core.retry_at().unwrap();
        assert!(
            retry_at >= before + time::Duration::seconds(30),
            "{retry_at}"
        );
        assert!(retry_at <= time::OffsetDateTime::now_utc() + time::Duration::seconds(30));
        assert!(matches!(altinn_source(&core), Some(Error::Service(p)) if p.status == 429));

        let refused = CoreError::from(Error::Service(ApiProblem::status(403)));
        assert!(!refused.is_transient());
        assert_eq!(refused.retry_at(), None);
        assert!(matches!(altinn_source(&refused), Some(Error::Service(p)) if p.status == 403));

        // A Retry-After no date can hold is dropped, not a panic.
        let mut forever = ApiProblem::status(503);
        forever.retry_after = Some(std::time::Duration::MAX);
        let core = CoreError::from(Error::Service(forever));
        assert!(core.is_transient());
        assert_eq!(core.retry_at(), None);

        let unauthenticated = CoreError::from(Error::NotAuthenticated {
            detail: "expired".to_owned(),
            problem: Some(Box::new(ApiProblem::status(401))),
        });
        assert!(matches!(
            unauthenticated,
            CoreError::Service {
                http_status: 401,
                transient: false,
                ..
            }
        ));

        let unreachable = CoreError::from(Error::Transport(TransportError::new(
            std::io::Error::other("connection refused"),
            true,
        )));
        assert!(matches!(
            unreachable,
            CoreError::Transport {
                transient: true,
                ..
            }
        ));
        assert!(matches!(
            altinn_source(&unreachable),
            Some(Error::Transport(_))
        ));
        let misconfigured = CoreError::from(Error::config("bad URL"));
        assert!(!misconfigured.is_transient());
        assert!(matches!(
            altinn_source(&misconfigured),
            Some(Error::Configuration(_))
        ));
        let io = CoreError::from(Error::Io(std::io::Error::other("disk full")));
        assert!(matches!(io, CoreError::Io(_)));
    }

    #[test]
    fn signees_become_signer_states() {
        let signee: SigneeState = serde_json::from_value(json!({"name": "Kari", "organization": "Eksempel AS",
            "delegationSuccessful": true, "notificationStatus": "Sent", "partyId": 5, "signedTime": "2026-01-01T00:00:00Z"}))
        .unwrap();
        let state = signer_state(&signee);
        assert_eq!(state.status, SignerStatus::Signed);
        assert!(state.since.is_some());
        let Some(SignerIdentifier::CustomIdentifier(name)) = &state.signer else {
            panic!("named")
        };
        assert_eq!(name.as_str(), "party:5 (Eksempel AS)");
        let failed: SigneeState = serde_json::from_value(
            json!({"delegationSuccessful": false, "partyId": 6, "signedTime": null}),
        )
        .unwrap();
        assert_eq!(signer_state(&failed).status, SignerStatus::Failed);
    }
}
