//! Posten signering: cancel a job nobody has signed yet.
//!
//! The create answer carries a cancellation link for as long as the job can be cancelled;
//! cancelling twice (or after completion) fails with a conflict.
//!
//! `cargo run -p signering-examples --example posten_cancel`

use std::process::ExitCode;
use std::time::Duration;

use signature_core::{
    Document, FlowKind, JobStatus, LookupNotifications, PollResult, Signer, SignerStatus,
    SigningJob, StatusQueue,
};
use signering_examples::{CONTRACT_PDF, Result, SIGNER_A, ensure, exit_code};

#[tokio::main]
async fn main() -> ExitCode {
    exit_code(run().await)
}

async fn run() -> Result<()> {
    let emulator = signering_examples::start_posten_emulator().await?;
    let client = signering_examples::posten_client(&emulator)?;

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
        .build()?;
    let created = client.create_job(&job).await?;
    println!("created portal job {}", created.id);

    let cancellation = created
        .cancellation
        .as_ref()
        .ok_or("no cancellation link")?;
    client.cancel(cancellation).await?;
    println!("cancelled job {}", created.id);

    // The cancellation arrives on the status queue like any other change.
    let queue = StatusQueue::new(FlowKind::Portal);
    let change = loop {
        match client.poll(&queue).await? {
            PollResult::Change(change) => break change,
            _ => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    };
    let signer_status = change.signers.first().map(|s| s.status.to_string());
    println!(
        "status change: job {} is {}, signer {}",
        change.job_id,
        change.status,
        signer_status.as_deref().unwrap_or("?")
    );
    ensure(change.job_id == created.id, "a change of another job")?;
    ensure(
        change.status == JobStatus::Failed,
        "the job did not end as FAILED",
    )?;
    ensure(
        change
            .signers
            .iter()
            .all(|s| s.status == SignerStatus::Cancelled),
        "the signer is not CANCELLED",
    )?;
    if let Some(confirmation) = &change.confirmation {
        client.confirm(confirmation).await?;
    }

    // A second cancel is refused: the job is no longer in progress.
    match client.cancel(cancellation).await {
        Err(error) => println!("cancelling again fails as expected: {error}"),
        Ok(()) => return Err("a second cancel succeeded".into()),
    }

    emulator.shutdown().await;
    println!("cancel done");
    Ok(())
}
