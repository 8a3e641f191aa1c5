//! Status changes: what a poll or status query returns.

use time::OffsetDateTime;

use crate::artifact::ArtifactRef;
use crate::flow::{FlowKind, PollingQueue};
use crate::handle::{CancellationHandle, ConfirmationHandle, DeleteDocumentsHandle};
use crate::job_ref::JobId;
use crate::org_number::OrganizationNumber;
use crate::signer::SignerIdentifier;
use crate::status::{JobStatus, SignerStatus};

/// A job's status at a point in time, with the handles to act on it.
///
/// After processing a change that has a [`confirmation`](Self::confirmation), confirm it
/// with [`SignatureService::confirm`](crate::SignatureService::confirm); unconfirmed changes
/// are delivered again.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StatusChange {
    /// The job.
    pub job_id: JobId,
    /// The sender's reference, if the provider returns it.
    pub reference: Option<String>,
    /// The job's status.
    pub status: JobStatus,
    /// Each signer's status.
    pub signers: Vec<SignerState>,
    /// The job's own artifacts, once available: Posten's PAdES document, Altinn's receipt
    /// or signature records. Each signer's XAdES is in [`signers`](Self::signers).
    pub job_artifacts: Vec<ArtifactRef>,
    /// Confirms this change.
    pub confirmation: Option<ConfirmationHandle>,
    /// Cancels the job, while it can be cancelled.
    pub cancellation: Option<CancellationHandle>,
    /// Deletes the job's documents, once finished.
    pub delete_documents: Option<DeleteDocumentsHandle>,
    /// The earliest time the provider allows the next poll, if it said.
    pub next_permitted_poll_time: Option<OffsetDateTime>,
}

impl StatusChange {
    /// A status change with no signers and no handles.
    pub fn new(job_id: JobId, status: JobStatus) -> Self {
        Self {
            job_id,
            reference: None,
            status,
            signers: Vec::new(),
            job_artifacts: Vec::new(),
            confirmation: None,
            cancellation: None,
            delete_documents: None,
            next_permitted_poll_time: None,
        }
    }

    /// All downloadable artifacts: every signer's XAdES, then the job's own artifacts.
    pub fn artifacts(&self) -> impl Iterator<Item = &ArtifactRef> {
        self.signers
            .iter()
            .filter_map(|signer| signer.xades.as_ref())
            .chain(&self.job_artifacts)
    }

    /// The job's PAdES document, if the provider made one.
    pub fn pades(&self) -> Option<&ArtifactRef> {
        self.job_artifacts
            .iter()
            .find(|artifact| matches!(artifact, ArtifactRef::Pades { .. }))
    }

    /// The provider's receipt for the signed item, if it made one.
    pub fn receipt(&self) -> Option<&ArtifactRef> {
        self.job_artifacts
            .iter()
            .find(|artifact| matches!(artifact, ArtifactRef::Receipt { .. }))
    }

    /// The state of the signer with this identifier.
    pub fn signer(&self, identifier: &SignerIdentifier) -> Option<&SignerState> {
        self.signers
            .iter()
            .find(|signer| signer.signer.as_ref() == Some(identifier))
    }
}

/// One signer's status within a [`StatusChange`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignerState {
    /// Which signer, when the provider says.
    pub signer: Option<SignerIdentifier>,
    /// The status.
    pub status: SignerStatus,
    /// Since when the status has held, if the provider says.
    pub since: Option<OffsetDateTime>,
    /// The signer's XAdES signature, once signed.
    pub xades: Option<ArtifactRef>,
}

impl SignerState {
    /// A signer state with only the status set.
    pub fn new(signer: Option<SignerIdentifier>, status: SignerStatus) -> Self {
        Self {
            signer,
            status,
            since: None,
            xades: None,
        }
    }
}

/// Which status-change queue to poll.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StatusQueue {
    /// Direct and portal jobs are queued separately.
    pub flow: FlowKind,
    /// The sender whose jobs to poll, if not the client's default.
    pub sender: Option<OrganizationNumber>,
    /// The named queue, or `None` for the default one.
    pub queue: Option<PollingQueue>,
}

impl StatusQueue {
    /// The default queue of the client's default sender for `flow`.
    pub fn new(flow: FlowKind) -> Self {
        Self {
            flow,
            sender: None,
            queue: None,
        }
    }

    /// Polls for this sender instead of the default.
    #[must_use]
    pub fn sender(mut self, sender: OrganizationNumber) -> Self {
        self.sender = Some(sender);
        self
    }

    /// Polls this named queue.
    #[must_use]
    pub fn queue(mut self, queue: PollingQueue) -> Self {
        self.queue = Some(queue);
        self
    }
}

/// What one poll returned.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PollResult {
    /// A job changed; process it, confirm it, and poll again at once.
    Change(Box<StatusChange>),
    /// Nothing changed; wait until `next_permitted_poll_time` (if given) before polling again.
    NoChanges {
        /// The earliest time the provider allows the next poll.
        next_permitted_poll_time: Option<OffsetDateTime>,
    },
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::pin::PersonalIdentificationNumber;

    #[test]
    fn artifacts_lists_xades_then_pades() {
        let pin = SignerIdentifier::PersonalIdentificationNumber(
            PersonalIdentificationNumber::parse("24068110048").unwrap(),
        );
        let mut change = StatusChange::new(JobId::from(42), JobStatus::CompletedSuccessfully);
        let mut signed = SignerState::new(Some(pin.clone()), SignerStatus::Signed);
        signed.xades = Some(ArtifactRef::xades(Some(pin.clone()), "https://x/1"));
        change.signers.push(signed);
        change
            .signers
            .push(SignerState::new(None, SignerStatus::NotApplicable));
        change.job_artifacts.push(ArtifactRef::pades("https://x/p"));
        let urls: Vec<&str> = change.artifacts().map(ArtifactRef::url).collect();
        assert_eq!(urls, ["https://x/1", "https://x/p"]);
        assert_eq!(change.pades().map(ArtifactRef::url), Some("https://x/p"));
        assert_eq!(change.receipt(), None);
        assert_eq!(
            change.signer(&pin).map(|s| &s.status),
            Some(&SignerStatus::Signed)
        );
        assert_eq!(change.job_id.as_str(), "42");
        assert!(!format!("{change:?}").contains("24068110048"));
    }

    #[test]
    fn status_queue_builder() {
        let queue = StatusQueue::new(FlowKind::Portal)
            .sender(OrganizationNumber::parse("984661185").unwrap())
            .queue(PollingQueue::new("a").unwrap());
        assert_eq!(queue.flow, FlowKind::Portal);
        assert_eq!(
            queue.sender.as_ref().map(OrganizationNumber::as_str),
            Some("984661185")
        );
        assert_eq!(queue.queue.as_ref().map(PollingQueue::as_str), Some("a"));
    }
}
