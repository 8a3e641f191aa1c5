//! Posten signering, direct flow: the signer is redirected from your web site to Posten's
//! signing page and back to your exit URL, which carries a `status_query_token`. The steps
//! are in `signering_examples::flows::posten_direct::run` (examples/src/flows/posten_direct.rs).
//!
//! `cargo run -p signering-examples --example posten_direct`

use std::process::ExitCode;

use signering_examples::flows::{Print, posten_direct};
use signering_examples::{Result, exit_code};

#[tokio::main]
async fn main() -> ExitCode {
    exit_code(run().await)
}

async fn run() -> Result<()> {
    let emulator = signering_examples::start_posten_emulator().await?;
    let client = signering_examples::posten_client(&emulator)?;
    posten_direct::run(&emulator, &client, &mut Print).await?;
    emulator.shutdown().await;
    println!("direct flow done");
    Ok(())
}
