//! The signing flows of the signering workspace as library functions ([`flows`]), and the
//! shared set-up of the runnable examples (`cargo run -p signering-examples --example NAME`)
//! and of `signering demo`, which call those flows.
//!
//! Everything here stands in for what a real deployment already has: the Posten emulator
//! replaces `api.signering.posten.no`, and its generated PKCS#12 key store replaces the
//! enterprise certificate (virksomhetssertifikat) you get from Buypass or Commfides. The
//! client itself is configured exactly as against the real service; see
//! `docs/getting-started.md` for the production settings.

#![deny(missing_docs)]

use std::process::ExitCode;
use std::time::Duration;

use asice::{LoadOptions, SigningKey};
use posten_adapter::{Client, ClientBuilder, Environment};
use signature_core::{ArtifactRef, Document, OrganizationNumber};
use signature_emulator::posten::{PostenEmulator, RunningEmulator};

pub mod browser;
pub mod flows;

/// What the examples' `main` returns: any error ends the program with exit status 1.
pub type Result<T, E = flows::BoxError> = std::result::Result<T, E>;

/// The sender's organization number (the emulator issues it a client certificate).
pub const SENDER: &str = signature_emulator::posten::DEFAULT_CLIENT_ORGANIZATION_NUMBER;

/// Synthetic personal identification numbers (valid check digits, nobody's).
pub const SIGNER_A: &str = "24068110048";
/// A second synthetic signer.
pub const SIGNER_B: &str = "01017010170";

/// A minimal PDF to sign.
pub const CONTRACT_PDF: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\
2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// The examples' document to sign: [`CONTRACT_PDF`] as `contract.pdf`, titled
/// "Employment contract".
pub fn employment_contract() -> Document {
    Document::pdf("Employment contract", "contract.pdf", CONTRACT_PDF.to_vec())
}

/// Starts the Posten signering emulator on 127.0.0.1 (mutual TLS API + plain-HTTP signing
/// pages), with a 200 ms poll interval so the examples need not wait 30 s between polls.
pub async fn start_posten_emulator() -> Result<RunningEmulator> {
    let emulator = PostenEmulator::builder()
        .client(SENDER)
        .poll_interval(Duration::from_millis(200))
        .start()
        .await?;
    println!("Posten emulator: API {}", emulator.base_url);
    Ok(emulator)
}

/// A Posten client for the emulator, configured as for the real service except for the URL
/// and the trusted root.
pub fn posten_client(emulator: &RunningEmulator) -> Result<Client> {
    let key = sender_key(emulator)?;
    println!("client certificate: {}", key.subject());
    let client = posten_client_builder(emulator, key)?.build()?;
    Ok(client)
}

/// The builder behind [`posten_client`], with the sender's `key` (from [`sender_key`]), for
/// callers that change more settings (the demo turns the client's rate limit off).
pub fn posten_client_builder(emulator: &RunningEmulator, key: SigningKey) -> Result<ClientBuilder> {
    let builder = Client::builder(Environment::custom(&emulator.base_url)?, key)
        // The emulator's CA. Environment::Test, Qa and Production need nothing here: their
        // CA certificates are built in.
        .trust_roots_pem(emulator.ca_pem.as_bytes())
        .default_sender(OrganizationNumber::parse(SENDER)?)
        // The emulator runs in this process: not through a proxy from HTTPS_PROXY.
        .proxy(posten_adapter::ProxySetting::Direct);
    Ok(builder)
}

/// Runs `flow` against a fresh Posten emulator ([`start_posten_emulator`]) with a client for
/// it ([`posten_client`]), shuts the emulator down and prints `done`: the whole `main` of the
/// Posten examples, which differ only in the flow they run.
pub async fn with_posten_emulator<E>(
    done: &str,
    flow: impl AsyncFnOnce(&RunningEmulator, &Client) -> Result<(), E>,
) -> Result<()>
where
    flows::BoxError: From<E>,
{
    let emulator = start_posten_emulator().await?;
    let client = posten_client(&emulator)?;
    flow(&emulator, &client).await?;
    emulator.shutdown().await;
    println!("{done}");
    Ok(())
}

/// The sender's enterprise certificate and key, which the client uses for mutual TLS and
/// the direct flow to sign its bundle.
pub fn sender_key(emulator: &RunningEmulator) -> Result<SigningKey> {
    // Your enterprise certificate arrives as a PKCS#12 key store (.p12) with a password;
    // the emulator makes one for the sender. In production:
    // SigningKey::from_pkcs12_file("virksomhet.p12", &password, &LoadOptions::default())?
    let password = "example-password";
    let key_store = emulator.client(SENDER)?.to_pkcs12(password)?;
    Ok(SigningKey::from_pkcs12(
        &key_store,
        password,
        &LoadOptions::default(),
    )?)
}

/// Prints the error (its `Display`, with its causes) and turns the outcome into an exit
/// status: 0 on success, 1 on failure.
pub fn exit_code(outcome: Result<()>) -> ExitCode {
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            let mut source = error.source();
            while let Some(cause) = source {
                eprintln!("  caused by: {cause}");
                source = cause.source();
            }
            ExitCode::FAILURE
        }
    }
}

/// A short name for a downloadable artifact.
pub fn artifact_kind(artifact: &ArtifactRef) -> &'static str {
    match artifact {
        ArtifactRef::Xades { .. } => "XAdES",
        ArtifactRef::Pades { .. } => "PAdES",
        ArtifactRef::Receipt { .. } => "receipt",
        ArtifactRef::SignatureRecord { .. } => "signature record",
        _ => "artifact",
    }
}

/// Fails with `message` unless `condition` holds.
pub fn ensure(condition: bool, message: impl Into<String>) -> Result<()> {
    if condition {
        Ok(())
    } else {
        Err(message.into().into())
    }
}
