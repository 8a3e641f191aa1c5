//! Posten signering: cancel a job nobody has signed yet. The steps are in
//! `signering_examples::flows::posten_cancel::run` (examples/src/flows/posten_cancel.rs).
//!
//! `cargo run -p signering-examples --example posten_cancel`

use std::process::ExitCode;

use signering_examples::flows::{Print, posten_cancel};
use signering_examples::{Result, exit_code};

#[tokio::main]
async fn main() -> ExitCode {
    exit_code(run().await)
}

async fn run() -> Result<()> {
    let emulator = signering_examples::start_posten_emulator().await?;
    let client = signering_examples::posten_client(&emulator)?;
    posten_cancel::run(&client, &mut Print).await?;
    emulator.shutdown().await;
    println!("cancel done");
    Ok(())
}
