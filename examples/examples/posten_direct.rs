//! Posten signering, direct flow: the signer is redirected from your web site to Posten's
//! signing page and back to your exit URL, which carries a `status_query_token`.
//!
//! 1. create a direct job with one signer and an exit URL;
//! 2. the signer signs (here the emulator's control API acts as the signer's browser);
//! 3. your exit URL page reads the token and fetches the status with it;
//! 4. download the signer's XAdES and the PAdES, then confirm.
//!
//! `cargo run -p signering-examples --example posten_direct`

use std::process::ExitCode;

use posten_adapter::Client;
use signature_core::{
    DirectFlow, Document, ExitUrls, Flow, JobStatus, Signer, SigningJob, StatusQueryToken,
};
use signering_examples::{CONTRACT_PDF, Result, SIGNER_A, artifact_kind, ensure, exit_code};

const EXIT_URL: &str = "https://www.example.com/signing/done";

#[tokio::main]
async fn main() -> ExitCode {
    exit_code(run().await)
}

async fn run() -> Result<()> {
    let emulator = signering_examples::start_posten_emulator().await?;
    let client: Client = signering_examples::posten_client(&emulator)?;

    // 1. Create the job.
    let job = SigningJob::builder("Rental agreement")
        .reference("example-direct-1")
        .flow(Flow::Direct(DirectFlow::new(ExitUrls::single(EXIT_URL))))
        .document(Document::pdf(
            "Rental agreement",
            "rental.pdf",
            CONTRACT_PDF.to_vec(),
        ))
        .signer(Signer::with_personal_identification_number(SIGNER_A))
        .build()?;
    let created = client.create_job(&job).await?;
    let redirect = created
        .signers
        .first()
        .and_then(|signer| signer.redirect_url.as_ref())
        .ok_or("the job has no redirect URL")?;
    println!(
        "created direct job {}; send the signer to {}",
        created.id,
        redirect.as_str()
    );

    // 2. The signer signs. A browser would follow the redirect URL; the emulator's control
    //    API does the same and tells where the browser lands.
    let outcome = emulator
        .control()
        .sign(created.id.as_str().parse()?, 1)
        .await?;
    let landed_on = outcome
        .exit_url
        .ok_or("the signer was not sent to an exit URL")?;
    println!("signer signed; browser returns to {EXIT_URL}?status_query_token=…");

    // 3. Your exit page: take the token from the query string and ask for the status.
    let landed_on = url::Url::parse(&landed_on)?;
    let token = landed_on
        .query_pairs()
        .find(|(name, _)| name == "status_query_token")
        .map(|(_, value)| StatusQueryToken::new(value.into_owned()))
        .ok_or("no status_query_token in the exit URL")?;
    let status_url = created
        .status_url
        .as_ref()
        .ok_or("the job has no status URL")?;
    let status = client.direct_status(status_url, &token).await?;
    println!("job {} is {}", status.job_id, status.status);
    ensure(
        status.status == JobStatus::CompletedSuccessfully,
        format!("expected COMPLETED_SUCCESSFULLY, got {}", status.status),
    )?;

    // 4. Download every artifact (XAdES per signer, then the PAdES) and confirm.
    for artifact in status.artifacts() {
        let mut bytes = Vec::new(); // any tokio AsyncWrite, e.g. a tokio::fs::File
        let written = client.download(artifact, &mut bytes).await?;
        println!("downloaded {}: {written} bytes", artifact_kind(artifact));
    }
    ensure(status.pades().is_some(), "no PAdES link in the status")?;
    if let Some(confirmation) = &status.confirmation {
        client.confirm(confirmation).await?;
        println!("confirmed job {}", status.job_id);
    }

    emulator.shutdown().await;
    println!("direct flow done");
    Ok(())
}
