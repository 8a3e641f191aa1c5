//! Altinn 2 (retired: the platform was switched off on 2026-06-19; this runs against the
//! emulator, where the project started): submit a form set to signing, read the signing
//! text, sign it, and fetch the archived result as a PDF receipt.
//!
//! The user here is logged in with an ID-porten token (`BearerToken`); enterprise-user and
//! password logins are other `v2::auth` logins (docs/altinn-adapter.md).
//!
//! `cargo run -p signering-examples --example altinn_sign`

use std::process::ExitCode;

use altinn_adapter::auth::BearerToken;
use altinn_adapter::v2::{
    Client, Environment, FormTask, MessageQuery, NewForm, PrintOptions, SignatureSelection, Who,
};
use signature_emulator::altinn::AltinnEmulator;
use signering_examples::{Result, ensure, exit_code};

const API_KEY: &str = "example-api-key";

#[tokio::main]
async fn main() -> ExitCode {
    exit_code(run().await)
}

async fn run() -> Result<()> {
    // The emulator stands in for Altinn (use Environment::tt02() or Environment::production()).
    let emulator = AltinnEmulator::builder().api_key(API_KEY).start().await?;
    println!("Altinn emulator: {}", emulator.base_url());
    let id_porten_token = emulator.issue_token(4); // from your ID-porten login, level 4

    let client = Client::builder(Environment::custom(emulator.base_url())?, API_KEY)
        .auth(BearerToken::new(id_porten_token))
        .build()?;

    // Submit a form set (service code 4711, edition 1) to the signing step.
    let task = FormTask::new("4711", 1).form(NewForm::main(
        "5703",
        "34554",
        "<Skjema><Navn>Example AS</Navn><Belop>12000</Belop></Skjema>",
    ));
    let submitted = client.submit_to_signing(&Who::My, &task).await?;
    println!("submitted to signing as message {}", submitted.message_id);

    // It is now in the message box, waiting for a signature.
    let inbox = client.messages(&Who::My, &MessageQuery::new()).await?;
    println!("message box holds {} message(s)", inbox.messages.len());
    ensure(
        inbox.messages.iter().any(|m| m.id == submitted.message_id),
        "the submitted form is not in the message box",
    )?;

    // Show the signing text to the user before they sign.
    let text = client.signing_text(&Who::My, &submitted.message_id).await?;
    println!("signing text: {}", text.text);

    // Sign the whole form set; with one signer Altinn archives it at once.
    let signed = client
        .sign(&Who::My, &submitted.message_id, &SignatureSelection::Whole)
        .await?;
    ensure(signed.is_archived(), "the signed form was not archived")?;
    let archived = signed.archived.message_id.ok_or("no archive id")?;
    println!("signed and archived as {archived}");

    // Fetch the archived item and its PDF receipt.
    let item = client.message(&Who::My, &archived).await?;
    println!("archived item {}: {:?}", item.id, item.status);
    let mut pdf = Vec::new(); // any tokio AsyncWrite
    let written = client
        .print(&Who::My, &archived, &PrintOptions::default(), &mut pdf)
        .await?;
    ensure(pdf.starts_with(b"%PDF"), "the receipt is not a PDF")?;
    println!("receipt: {written} bytes of PDF");

    println!("Altinn signing done");
    Ok(())
}
