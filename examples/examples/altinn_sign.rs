//! Altinn 2 (retired: the platform was switched off on 2026-06-19; this runs against the
//! emulator, where the project started): submit a form set to signing, read the signing
//! text, sign it, and fetch the archived result as a PDF receipt. The steps are in
//! `signering_examples::flows::altinn2::run` (examples/src/flows/altinn2.rs).
//!
//! `cargo run -p signering-examples --example altinn_sign`

use std::process::ExitCode;

use signature_emulator::altinn::AltinnEmulator;
use signering_examples::flows::{Print, altinn2};
use signering_examples::{Result, exit_code};

#[tokio::main]
async fn main() -> ExitCode {
    exit_code(run().await)
}

async fn run() -> Result<()> {
    // The emulator stands in for Altinn (use Environment::tt02() or Environment::production()).
    let emulator = AltinnEmulator::builder()
        .api_key(altinn2::API_KEY)
        .start()
        .await?;
    println!("Altinn emulator: {}", emulator.base_url());
    altinn2::run(&emulator, &mut Print).await?;
    println!("Altinn signing done");
    Ok(())
}
