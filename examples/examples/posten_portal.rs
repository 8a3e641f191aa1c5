//! Posten signering, portal flow: signers are notified and sign in Posten's portal whenever
//! they like; you learn about it by polling a status queue.
//!
//! 1. create a portal job with two signers;
//! 2. both sign (here through the emulator's control API);
//! 3. a `Poller` hands each status change to a handler, which downloads the documents of a
//!    finished job; the poller confirms a change once the handler returns `Ok`;
//! 4. delete the job's documents at Posten, which the service allows 24 hours after completion.
//!
//! `cargo run -p signering-examples --example posten_portal`

use std::process::ExitCode;
use std::time::Duration;

use posten_adapter::Poller;
use signature_core::{
    Document, FlowKind, JobStatus, LookupNotifications, Signer, SigningJob, StatusChange,
    StatusQueue,
};
use signering_examples::{
    CONTRACT_PDF, Result, SIGNER_A, SIGNER_B, artifact_kind, ensure, exit_code,
};
use tokio::sync::mpsc;

#[tokio::main]
async fn main() -> ExitCode {
    exit_code(run().await)
}

async fn run() -> Result<()> {
    let emulator = signering_examples::start_posten_emulator().await?;
    let client = signering_examples::posten_client(&emulator)?;

    // 1. Create the job. Portal signers are found in the national contact register and
    //    notified by e-mail (or give their contact details with notify_by_email).
    let job = SigningJob::builder("Shareholder agreement")
        .reference("example-portal-1")
        .document(Document::pdf(
            "Shareholder agreement",
            "agreement.pdf",
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
        .build()?;
    let created = client.create_job(&job).await?;
    println!(
        "created portal job {} with {} signers",
        created.id,
        job.signers().len()
    );

    // 2. Both signers sign in the portal (simulated).
    let job_id: i64 = created.id.as_str().parse()?;
    for signer in 1..=2 {
        let outcome = emulator.control().sign(job_id, signer).await?;
        println!("signer {signer} signed; job is {}", outcome.job_status);
    }

    // 3. Poll. The handler runs for every change; a finished job's documents are fetched
    //    before the handler returns Ok, because the poller confirms right after.
    let (finished_tx, mut finished_rx) = mpsc::unbounded_channel::<StatusChange>();
    let poller = Poller::new(client.clone(), StatusQueue::new(FlowKind::Portal))
        .idle_wait(Duration::from_millis(200));
    let handler = |change: StatusChange| {
        let client = client.clone();
        let finished = finished_tx.clone();
        async move {
            println!("status change: job {} is {}", change.job_id, change.status);
            if change.status.is_final() {
                for artifact in change.artifacts() {
                    let mut bytes = Vec::new(); // a file in a real application
                    let written = client.download(artifact, &mut bytes).await?;
                    println!("  downloaded {}: {written} bytes", artifact_kind(artifact));
                }
                // Only a handler that returned Ok gets its change confirmed.
                let _ = finished.send(change);
            }
            Ok::<(), posten_adapter::Error>(())
        }
    };
    let (mut finished, mut stop) = (None, false);
    let poll = poller.run_until(handler, async {
        finished = finished_rx.recv().await;
        stop = true;
    });
    // A deadline, so a failing example ends instead of polling forever.
    tokio::time::timeout(Duration::from_secs(30), poll)
        .await
        .map_err(|_| "no final status within 30 s")??;
    ensure(stop, "the poller stopped early")?;
    let finished = finished.ok_or("no final status")?;
    ensure(
        finished.status == JobStatus::CompletedSuccessfully,
        format!("expected COMPLETED_SUCCESSFULLY, got {}", finished.status),
    )?;
    println!("job {} confirmed by the poller", finished.job_id);

    // 4. Delete the documents at Posten once you have stored them yourself. The service
    //    refuses this for 24 hours after completion (CANNOT_DELETE_DOCUMENTS), while signers
    //    may still download them; the emulator's clock stands in for that wait.
    emulator
        .control()
        .advance_clock(Duration::from_secs(24 * 60 * 60 + 60))
        .await?;
    let delete = finished
        .delete_documents
        .as_ref()
        .ok_or("no delete-documents link")?;
    client.delete_documents(delete).await?;
    println!("documents of job {} deleted", finished.job_id);
    ensure(
        emulator.control().job(job_id).await?.documents_deleted,
        "documents still there",
    )?;

    emulator.shutdown().await;
    println!("portal flow done");
    Ok(())
}
