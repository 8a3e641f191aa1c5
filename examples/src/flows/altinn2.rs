//! Altinn 2 (retired: the platform was switched off on 2026-06-19; this runs against the
//! emulator, where the project started): submit a form set to signing, read the signing
//! text, sign it, and fetch the archived result as a PDF receipt.

use altinn_adapter::auth::BearerToken;
use altinn_adapter::v2::{
    Client, Environment, FormTask, MessageQuery, NewForm, PrintOptions, SignatureSelection, Who,
};
use signature_core::ProxySetting;
use signature_emulator::altinn::AltinnEmulator;

use super::{At, FlowError, Progress, call, check};

/// The API key the emulator is started with ([`AltinnEmulator::builder`]`.api_key(API_KEY)`);
/// Altinn issues a real one per application.
pub const API_KEY: &str = "example-api-key";

/// Signs a form set in Altinn 2 against `emulator` (started with [`API_KEY`]), logged in as
/// a user with an ID-porten token (`BearerToken`; enterprise-user and password logins are
/// other `v2::auth` logins, see docs/altinn-adapter.md):
///
/// 1. submit a form set (service code 4711, edition 1) to the signing step; it is then in
///    the user's message box, waiting for a signature;
/// 2. show the signing text to the user before they sign;
/// 3. sign the whole form set; with one signer Altinn archives it at once;
/// 4. fetch the archived item and its PDF receipt (`altinn-ID.receipt.pdf`).
///
/// # Errors
///
/// The first step that fails, or an answer other than the ones described.
pub async fn run(emulator: &AltinnEmulator, progress: &mut dyn Progress) -> Result<(), FlowError> {
    let step = "altinn: build client";
    // The emulator stands in for Altinn (use Environment::tt02() or Environment::production()).
    let id_porten_token = emulator.issue_token(4); // from your ID-porten login, level 4
    let client = Client::builder(Environment::custom(emulator.base_url()).at(step)?, API_KEY)
        .auth(BearerToken::new(id_porten_token))
        // The emulator runs in this process: not through a proxy from HTTPS_PROXY.
        .proxy(ProxySetting::Direct)
        .build()
        .at(step)?;

    // 1. Submit to signing; the form waits in the message box.
    let step = "altinn: submit form to signing";
    let task = FormTask::new("4711", 1).form(NewForm::main(
        "5703",
        "34554",
        "<Skjema><Navn>Example AS</Navn><Belop>12000</Belop></Skjema>",
    ));
    let submitted = call(step, client.submit_to_signing(&Who::My, &task)).await?;
    let inbox = call(step, client.messages(&Who::My, &MessageQuery::new())).await?;
    check(
        inbox.messages.iter().any(|m| m.id == submitted.message_id),
        step,
        "the submitted form is not in the message box",
    )?;
    progress.step(
        step,
        &format!(
            "message {}, one of {} in the message box",
            submitted.message_id,
            inbox.messages.len()
        ),
    );

    // 2. The signing text.
    let step = "altinn: read signing text";
    let text = call(step, client.signing_text(&Who::My, &submitted.message_id)).await?;
    progress.step(step, &format!("\"{}\"", text.text));

    // 3. Sign.
    let step = "altinn: sign";
    let signed = call(
        step,
        client.sign(&Who::My, &submitted.message_id, &SignatureSelection::Whole),
    )
    .await?;
    let archived = signed
        .archived
        .message_id
        .clone()
        .filter(|_| signed.is_archived())
        .ok_or("the signed message was not archived")
        .at(step)?;
    progress.step(step, &format!("archived as {archived}"));

    // 4. The archived item and its receipt.
    let step = "altinn: fetch archived receipt";
    let item = call(step, client.message(&Who::My, &archived)).await?;
    let mut pdf = Vec::new(); // any tokio AsyncWrite
    call(
        step,
        client.print(&Who::My, &archived, &PrintOptions::default(), &mut pdf),
    )
    .await?;
    check(pdf.starts_with(b"%PDF"), step, "the receipt is not a PDF")?;
    super::keep(
        progress,
        step,
        &format!("altinn-{archived}.receipt.pdf"),
        &pdf,
        &format!(" of {:?} item {}", item.status, item.id),
    )
}
