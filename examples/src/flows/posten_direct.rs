//! Posten signering, direct flow: the signer is redirected from your web site to Posten's
//! signing page and back to your exit URL, which carries a `status_query_token`.

use asice::{BuildOptions, SystemClock};
use posten_adapter::{Client, PreparedJob};
use signature_core::{
    DirectFlow, Document, ExitUrls, Flow, FlowKind, JobStatus, OrganizationNumber, Signer,
    SigningJob,
};
use signature_emulator::posten::RunningEmulator;

use super::posten_steps::{confirm, describe, download_documents, keep_documents};
use super::{At, FlowError, Progress, call, check};
use crate::{CONTRACT_PDF, SENDER, SIGNER_A, browser, sender_key};

/// Where Posten sends the signer back to; your page there reads the `status_query_token`.
pub const EXIT_URL: &str = "https://www.example.com/signing/done";

/// Runs one direct job with one signer against `emulator` through `client` (a client for the
/// emulator's sender, e.g. [`crate::posten_client`]):
///
/// 1. build and sign the job's bundle (ASiC-E) here with the sender's key, so the exact
///    bytes sent can be kept (`direct-ID.asice`), and create the job with it
///    (`Client::create_job` does both in one call when the bytes need not be kept);
/// 2. the signer signs: a browser follows the redirect URL to the signing page
///    ([`browser::sign_on_page`] plays the browser) and lands on the exit URL;
/// 3. your exit page takes the token from the query string and fetches the status with it;
/// 4. download the signer's XAdES and the PAdES (`direct-ID-signer-1.xades.xml`,
///    `direct-ID.pades.pdf`), then confirm.
///
/// # Errors
///
/// The first step that fails, or a job that did not complete successfully.
pub async fn run(
    emulator: &RunningEmulator,
    client: &Client,
    progress: &mut dyn Progress,
) -> Result<(), FlowError> {
    // 1. Create the job from a bundle prepared here.
    let step = "direct: create job";
    let sender = OrganizationNumber::parse(SENDER).at(step)?;
    let job = SigningJob::builder("Rental agreement")
        .reference("example-direct-1")
        .sender(SENDER)
        .flow(Flow::Direct(DirectFlow::new(ExitUrls::single(EXIT_URL))))
        .document(Document::pdf(
            "Rental agreement",
            "rental.pdf",
            CONTRACT_PDF.to_vec(),
        ))
        .signer(Signer::with_personal_identification_number(SIGNER_A))
        .build()
        .at(step)?;
    // The bundle is signed with the enterprise certificate the client also uses for TLS
    // (a second copy of the key: keys are not Clone).
    let key = sender_key(emulator).at(step)?;
    let prepared = PreparedJob::new(
        &job,
        Some(&sender),
        &key,
        &SystemClock,
        &BuildOptions::default(),
    )
    .at(step)?;
    let created = call(
        step,
        client.create_prepared(&sender, FlowKind::Direct, &prepared),
    )
    .await?;
    let id = created.id.to_string();
    let kept = progress
        .artifact(&format!("direct-{id}.asice"), &prepared.bundle)
        .at(step)?;
    progress.step(
        step,
        &format!(
            "job {id}, 1 signer, bundle {} bytes -> {kept}",
            prepared.bundle.len()
        ),
    );

    // 2. The signer signs in a browser and returns to the exit URL.
    let step = "direct: sign on the signing page";
    let redirect = created
        .signers
        .first()
        .and_then(|signer| signer.redirect_url.as_ref())
        .ok_or("the create answer has no redirect URL")
        .at(step)?;
    let token = browser::sign_on_page(&emulator.web_base_url, redirect.as_str(), EXIT_URL)
        .await
        .at(step)?;
    progress.step(step, "signed; status_query_token from the exit URL");

    // 3. Your exit page: the status, asked for with the token.
    let step = "direct: status by token";
    let status_url = created
        .status_url
        .as_ref()
        .ok_or("the create answer has no status URL")
        .at(step)?;
    let change = call(step, client.direct_status(status_url, &token)).await?;
    progress.step(step, &describe(&change));
    check(
        change.status == JobStatus::CompletedSuccessfully,
        step,
        format!("expected COMPLETED_SUCCESSFULLY, got {}", change.status),
    )?;

    // 4. Download every document, keep them, then confirm.
    let documents = download_documents(client, &change, &format!("direct-{id}"), "direct").await?;
    keep_documents(progress, &documents)?;
    confirm(client, &change, "direct: confirm", progress).await
}
