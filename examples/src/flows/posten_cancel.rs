//! Posten signering: cancel a job nobody has signed yet.

use std::time::Duration;

use posten_adapter::Client;
use signature_core::{
    Document, FlowKind, JobStatus, LookupNotifications, PollResult, Signer, SignerStatus,
    SigningJob, StatusQueue,
};

use super::posten_steps::{confirm, describe};
use super::{At, FlowError, Progress, STEP_TIMEOUT, call, check};
use crate::{CONTRACT_PDF, SIGNER_A};

/// Creates a portal job and cancels it before anyone signs. The create answer carries a
/// cancellation link for as long as the job can be cancelled; the cancellation arrives on
/// the status queue like any other change (the job FAILED, its signer CANCELLED), and
/// cancelling twice (or after completion) fails with a conflict.
///
/// # Errors
///
/// The first step that fails, or an answer other than the ones described.
pub async fn run(client: &Client, progress: &mut dyn Progress) -> Result<(), FlowError> {
    let step = "cancel: create job";
    let job = SigningJob::builder("Offer letter")
        .document(Document::pdf(
            "Offer letter",
            "offer.pdf",
            CONTRACT_PDF.to_vec(),
        ))
        .signer(
            Signer::with_personal_identification_number(SIGNER_A)
                .notify_through_lookup(LookupNotifications::EmailOnly),
        )
        .build()
        .at(step)?;
    let created = call(step, client.create_job(&job)).await?;
    progress.step(step, &format!("portal job {}", created.id));

    let step = "cancel: cancel job";
    let cancellation = created
        .cancellation
        .as_ref()
        .ok_or("no cancellation link")
        .at(step)?;
    call(step, client.cancel(cancellation)).await?;
    progress.step(step, &format!("job {} cancelled", created.id));

    // The cancellation arrives on the status queue like any other change.
    let step = "cancel: poll status changes";
    let queue = StatusQueue::new(FlowKind::Portal);
    let change = tokio::time::timeout(STEP_TIMEOUT, async {
        loop {
            match client.poll(&queue).await {
                Ok(PollResult::Change(change)) => break Ok(change),
                Ok(_) => tokio::time::sleep(Duration::from_millis(200)).await,
                Err(error) => break Err(error),
            }
        }
    })
    .await
    .map_err(|_| format!("no change within {} s", STEP_TIMEOUT.as_secs()))
    .at(step)?
    .at(step)?;
    progress.step(step, &describe(&change));
    check(change.job_id == created.id, step, "a change of another job")?;
    check(
        change.status == JobStatus::Failed,
        step,
        "the job did not end as FAILED",
    )?;
    check(
        change
            .signers
            .iter()
            .all(|s| s.status == SignerStatus::Cancelled),
        step,
        "the signer is not CANCELLED",
    )?;
    confirm(client, &change, "cancel: confirm", progress).await?;

    // A second cancel is refused: the job is no longer in progress.
    let step = "cancel: cancel again";
    match tokio::time::timeout(STEP_TIMEOUT, client.cancel(cancellation)).await {
        Ok(Err(error)) => progress.step(step, &format!("refused as expected: {error}")),
        Ok(Ok(())) => return Err(FlowError::new(step, "a second cancel succeeded")),
        Err(_) => return Err(FlowError::new(step, "no answer within the step timeout")),
    }
    Ok(())
}
