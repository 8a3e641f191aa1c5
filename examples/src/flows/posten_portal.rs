//! Posten signering, portal flow: signers are notified and sign in Posten's portal whenever
//! they like; you learn about it by polling a status queue.

use std::cell::RefCell;
use std::time::Duration;

use posten_adapter::{Client, Poller};
use signature_core::{
    Document, FlowKind, JobStatus, LookupNotifications, Signer, SigningJob, StatusChange,
    StatusQueue,
};
use signature_emulator::posten::RunningEmulator;
use tokio::sync::mpsc;

use super::posten_steps::{describe, download_documents, keep_documents};
use super::{At, FlowError, Progress, STEP_TIMEOUT, call, check};
use crate::{CONTRACT_PDF, SIGNER_A, SIGNER_B};

/// The step that polls; each status change is reported under it.
const POLL: &str = "portal: poll status changes";

/// Runs one portal job with two signers against `emulator` through `client`:
///
/// 1. create the job; portal signers are found in the national contact register and
///    notified by e-mail (or give their contact details with `notify_by_email`);
/// 2. both sign in the portal (here the emulator's control API stands in for them);
/// 3. a [`Poller`] hands each status change to a handler, which downloads the documents of
///    the finished job (`portal-ID-signer-N.xades.xml`, `portal-ID.pades.pdf`) and hands
///    them over; the poller confirms a change only once the handler returned `Ok`, so
///    nothing is confirmed before it is stored;
/// 4. delete the job's documents at Posten, which the service allows 24 hours after
///    completion (the emulator's clock is moved on instead of waiting).
///
/// # Errors
///
/// The first step that fails, or a job that did not complete successfully.
pub async fn run(
    emulator: &RunningEmulator,
    client: &Client,
    progress: &mut dyn Progress,
) -> Result<(), FlowError> {
    // 1. Create the job.
    let step = "portal: create job";
    let job = SigningJob::builder("Shareholder agreement")
        .reference("example-portal-1")
        .document(Document::pdf(
            "Shareholder agreement",
            "shareholders.pdf",
            CONTRACT_PDF.to_vec(),
        ))
        .signer(
            Signer::with_personal_identification_number(SIGNER_A)
                .notify_through_lookup(LookupNotifications::EmailOnly),
        )
        .signer(
            Signer::with_personal_identification_number(SIGNER_B)
                .notify_through_lookup(LookupNotifications::EmailOnly),
        )
        .build()
        .at(step)?;
    let created = call(step, client.create_job(&job)).await?;
    let id = created.id.to_string();
    progress.step(step, &format!("job {id}, {} signers", job.signers().len()));

    // 2. Both signers sign in the portal (simulated).
    let job_id: i64 = id
        .parse()
        .map_err(|_| format!("unexpected job id {id:?}"))
        .at(step)?;
    for signer in 1..=2 {
        let step = format!("portal: signer {signer} signs");
        let outcome = call(&step, emulator.control().sign(job_id, signer)).await?;
        progress.step(
            &step,
            &format!(
                "signer {}, job {}",
                outcome.signer_status, outcome.job_status
            ),
        );
    }

    // 3. Poll. The handler runs for every change; the finished job's documents are stored
    //    before the handler returns Ok, because the poller confirms right after. The handler
    //    sends the finished change (or its failure) to stop the poller.
    let finished = {
        let progress = RefCell::new(&mut *progress);
        let (done_tx, mut done_rx) = mpsc::unbounded_channel::<Result<StatusChange, FlowError>>();
        let poller = Poller::new(client.clone(), StatusQueue::new(FlowKind::Portal))
            .idle_wait(Duration::from_millis(200));
        let handler = |change: StatusChange| {
            let (client, done, progress, id) = (client.clone(), done_tx.clone(), &progress, &id);
            async move {
                progress.borrow_mut().step(POLL, &describe(&change));
                if change.job_id.as_str() != id || !change.status.is_final() {
                    return Ok(()); // nothing to store: the poller confirms it
                }
                let stored =
                    download_documents(&client, &change, &format!("portal-{id}"), "portal")
                        .await
                        .and_then(|documents| {
                            keep_documents(&mut **progress.borrow_mut(), &documents)
                        });
                // A closed channel means the flow has ended already: nothing left to tell.
                match stored {
                    Ok(()) => {
                        let _ = done.send(Ok(change));
                        Ok(())
                    }
                    Err(error) => {
                        let _ = done.send(Err(error));
                        // Left unconfirmed: the service offers the change again.
                        Err("the documents were not stored")
                    }
                }
            }
        };
        let mut outcome = None;
        let poll = poller.run_until(handler, async {
            outcome = done_rx.recv().await;
        });
        // A deadline, so a failing flow ends instead of polling forever.
        tokio::time::timeout(STEP_TIMEOUT, poll)
            .await
            .map_err(|_| format!("no final status within {} s", STEP_TIMEOUT.as_secs()))
            .at(POLL)?
            .at(POLL)?;
        outcome.ok_or("the poller stopped early").at(POLL)??
    };
    check(
        finished.status == JobStatus::CompletedSuccessfully,
        POLL,
        format!("expected COMPLETED_SUCCESSFULLY, got {}", finished.status),
    )?;
    progress.step(
        "portal: confirm",
        &format!("job {} confirmed by the poller", finished.job_id),
    );

    // 4. Delete the documents at Posten once you have stored them yourself. The service
    //    refuses this for 24 hours after completion (CANNOT_DELETE_DOCUMENTS), while signers
    //    may still download them; the emulator's clock stands in for that wait.
    let step = "portal: delete documents";
    call(
        step,
        emulator
            .control()
            .advance_clock(Duration::from_secs(24 * 60 * 60 + 60)),
    )
    .await?;
    let delete = finished
        .delete_documents
        .as_ref()
        .ok_or("no delete-documents link")
        .at(step)?;
    call(step, client.delete_documents(delete)).await?;
    let state = call(step, emulator.control().job(job_id)).await?;
    check(state.documents_deleted, step, "documents still there")?;
    progress.step(step, &format!("documents of job {id} deleted (24 h later)"));
    Ok(())
}
