//! One function, two services: `collect_signatures` submits a job, waits until it has ended
//! and downloads every artifact, knowing only the provider-neutral [`SignatureService`]. It
//! runs here against the Posten signering emulator (a portal job, whose status comes from
//! the status queue) and against the Altinn 3 emulator (a form job, whose status is read by
//! job id), choosing by [`Capabilities`], not by provider.
//!
//! What differs per service is what a job is (documents for signers at Posten, a form for an
//! Altinn app) and who signs (a signer in Posten's portal, a user in the Altinn app); here
//! the emulators' control interfaces stand in for the signers.
//!
//! `cargo run -p signering-examples --example any_service`

use std::future::Future;
use std::process::ExitCode;
use std::time::Duration;

use altinn_adapter::auth::BearerToken;
use altinn_adapter::v3::{Action, AppId, Environment, InstanceOwner, ProcessNext, TokenProvider};
use signature_core::{
    Capabilities, Capability, FlowKind, FormPart, JobId, JobStatus, LookupNotifications,
    PollResult, ServiceForm, SignatureService, Signer, SigningJob, StatusChange, StatusQueue,
};
use signature_emulator::altinn3::{Altinn3Emulator, DOCUMENT_DATA_TYPE};
use signering_examples::{Result, SIGNER_A, artifact_kind, ensure, exit_code};

/// How long `collect_signatures` waits for a job to end before it gives up.
const DEADLINE: Duration = Duration::from_secs(30);
/// How long to wait between status reads when the provider names no time.
const PAUSE: Duration = Duration::from_millis(200);

#[tokio::main]
async fn main() -> ExitCode {
    exit_code(run().await)
}

async fn run() -> Result<()> {
    posten().await?;
    altinn3().await?;
    println!("the same function served both services");
    Ok(())
}

/// Submits `job`, lets `sign` stand for the signers, waits until the job has ended, checks
/// that it completed, and downloads every artifact of its final status (returned as kind
/// and size); confirms the status where the provider wants that. Only [`SignatureService`]
/// is used.
async fn collect_signatures<F>(
    service: &dyn SignatureService,
    job: &SigningJob,
    sign: impl FnOnce(JobId) -> F,
) -> Result<Vec<(&'static str, u64)>>
where
    F: Future<Output = Result<()>>,
{
    let capabilities = service.capabilities();
    let created = service.create_job(job).await?;
    println!("  created job {}", created.id);
    sign(created.id.clone()).await?;

    let change = tokio::time::timeout(
        DEADLINE,
        wait_until_ended(service, &capabilities, &created.id),
    )
    .await
    .map_err(|_| format!("job {} did not end within {DEADLINE:?}", created.id))??;
    println!("  job {} is {}", change.job_id, change.status);
    ensure(
        change.status == JobStatus::CompletedSuccessfully,
        format!(
            "job {} ended {}, not completed",
            change.job_id, change.status
        ),
    )?;

    let mut artifacts = Vec::new();
    for artifact in change.artifacts() {
        let mut bytes = Vec::new(); // a file in a real application
        let written = service.download(artifact, &mut bytes).await?;
        println!("  downloaded {}: {written} bytes", artifact_kind(artifact));
        artifacts.push((artifact_kind(artifact), written));
    }
    // Confirm only once everything is stored: an unconfirmed change comes again.
    if let Some(confirmation) = &change.confirmation {
        service.confirm(confirmation).await?;
        println!("  confirmed");
    }
    Ok(artifacts)
}

/// The job's final status, from the provider's status queue where it has one (Posten),
/// else by asking for the job by id (Altinn 3).
async fn wait_until_ended(
    service: &dyn SignatureService,
    capabilities: &Capabilities,
    job: &JobId,
) -> Result<StatusChange> {
    if capabilities.contains(Capability::PollStatusChanges) {
        // The queue is shared by all of the sender's jobs; a real poller handles and
        // confirms every change. Here only this job's changes are expected.
        let queue = StatusQueue::new(FlowKind::Portal);
        loop {
            match service.next_status_change(&queue).await? {
                PollResult::Change(change) if &change.job_id == job && change.status.is_final() => {
                    return Ok(*change);
                }
                PollResult::Change(change) => {
                    if let Some(confirmation) = &change.confirmation {
                        service.confirm(confirmation).await?;
                    }
                }
                PollResult::NoChanges {
                    next_permitted_poll_time,
                } => tokio::time::sleep(pause_until(next_permitted_poll_time)).await,
                // PollResult may grow; wait as for no change.
                _ => tokio::time::sleep(PAUSE).await,
            }
        }
    } else if capabilities.contains(Capability::StatusByJobId) {
        loop {
            let change = service.job_status(job).await?;
            if change.status.is_final() {
                return Ok(change);
            }
            tokio::time::sleep(PAUSE).await;
        }
    } else {
        Err("this provider tells a job's status neither by queue nor by id".into())
    }
}

fn pause_until(next: Option<time::OffsetDateTime>) -> Duration {
    next.map(|at| at - time::OffsetDateTime::now_utc())
        .and_then(|wait| Duration::try_from(wait).ok())
        .unwrap_or(PAUSE)
}

/// Posten signering: a portal job with one signer, signed in the portal.
async fn posten() -> Result<()> {
    println!("Posten signering:");
    let emulator = signering_examples::start_posten_emulator().await?;
    let client = signering_examples::posten_client(&emulator)?;
    let job = SigningJob::builder("Employment contract")
        .reference("any-service-1")
        .document(signering_examples::employment_contract())
        .signer(
            Signer::with_personal_identification_number(SIGNER_A)
                .notify_through_lookup(LookupNotifications::EmailOnly),
        )
        .build()?;
    let control = emulator.control();
    let artifacts = collect_signatures(&client, &job, |id| async move {
        let id: i64 = id.as_str().parse()?;
        control.sign(id, 1).await?;
        Ok(())
    })
    .await?;
    ensure(
        artifacts.iter().any(|(kind, _)| *kind == "XAdES")
            && artifacts.iter().any(|(kind, _)| *kind == "PAdES"),
        "expected a XAdES and a PAdES from Posten",
    )?;
    emulator.shutdown().await;
    Ok(())
}

/// Altinn 3: a form with a document for an app instance, signed by the instance owner.
async fn altinn3() -> Result<()> {
    const APP: &str = "ttd/signing-demo";
    println!("Altinn 3:");
    let emulator = Altinn3Emulator::builder().app(APP).start().await?;
    let party = emulator.add_person(SIGNER_A, "Kari Nordmann");
    let client = altinn_adapter::v3::Client::builder(Environment::custom(emulator.base_url())?)
        .exchange(
            TokenProvider::IdPorten,
            BearerToken::new(emulator.issue_idporten_token(SIGNER_A)),
        )
        .build()?;
    let service = altinn_adapter::v3::Service::new(client.clone(), InstanceOwner::PartyId(party));
    let job = SigningJob::builder("Employment contract")
        .form(
            ServiceForm::new(APP, 1)
                .part(FormPart::main(
                    "model",
                    "1",
                    "<Skjema><Navn>Example AS</Navn></Skjema>",
                ))
                .attachment_type(DOCUMENT_DATA_TYPE),
        )
        .document(signering_examples::employment_contract())
        .build()?;
    // The signer signs in the app, which then asks them to confirm.
    let signer = client.clone();
    let artifacts = collect_signatures(&service, &job, |id| async move {
        let (app, instance): (AppId, _) = altinn_adapter::v3::Service::parse_job_id(&id)?;
        signer
            .process_next(&app, &instance, &ProcessNext::sign())
            .await?;
        signer
            .process_next(&app, &instance, &ProcessNext::perform(Action::Confirm))
            .await?;
        Ok(())
    })
    .await?;
    ensure(
        !artifacts.is_empty(),
        "expected the signature record from Altinn 3",
    )?;
    Ok(())
}
