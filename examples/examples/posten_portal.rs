//! Posten signering, portal flow: signers are notified and sign in Posten's portal whenever
//! they like; you learn about it by polling a status queue. The steps are in
//! `signering_examples::flows::posten_portal::run` (examples/src/flows/posten_portal.rs).
//!
//! `cargo run -p signering-examples --example posten_portal`

use std::process::ExitCode;

use signering_examples::flows::{Print, posten_portal};
use signering_examples::{Result, exit_code};

#[tokio::main]
async fn main() -> ExitCode {
    exit_code(run().await)
}

async fn run() -> Result<()> {
    let emulator = signering_examples::start_posten_emulator().await?;
    let client = signering_examples::posten_client(&emulator)?;
    posten_portal::run(&emulator, &client, &mut Print).await?;
    emulator.shutdown().await;
    println!("portal flow done");
    Ok(())
}
