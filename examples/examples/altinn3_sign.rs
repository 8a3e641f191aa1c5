//! Altinn 3: a form is an app instance that moves through the app's process, here data →
//! signing → confirmation. The steps are in `signering_examples::flows::altinn3::run`
//! (examples/src/flows/altinn3.rs).
//!
//! `cargo run -p signering-examples --example altinn3_sign`

use std::process::ExitCode;

use signature_emulator::altinn3::Altinn3Emulator;
use signering_examples::flows::{Print, altinn3};
use signering_examples::{Result, exit_code};

#[tokio::main]
async fn main() -> ExitCode {
    exit_code(run().await)
}

async fn run() -> Result<()> {
    // The emulator stands in for Altinn 3 (Environment::tt02() or ::production()).
    let emulator = Altinn3Emulator::builder().app(altinn3::APP).start().await?;
    println!("Altinn 3 emulator: {}", emulator.base_url());
    altinn3::run(&emulator, &mut Print).await?;
    println!("Altinn 3 signing done");
    Ok(())
}
