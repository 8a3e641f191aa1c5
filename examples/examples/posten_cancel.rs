//! Posten signering: cancel a job nobody has signed yet. The steps are in
//! `signering_examples::flows::posten_cancel::run` (examples/src/flows/posten_cancel.rs).
//!
//! `cargo run -p signering-examples --example posten_cancel`

use std::process::ExitCode;

use signering_examples::flows::{Print, posten_cancel};
use signering_examples::{exit_code, with_posten_emulator};

#[tokio::main]
async fn main() -> ExitCode {
    let outcome = with_posten_emulator("cancel done", async |_, client| {
        posten_cancel::run(client, &mut Print).await
    });
    exit_code(outcome.await)
}
