//! Posten signering, portal flow: signers are notified and sign in Posten's portal whenever
//! they like; you learn about it by polling a status queue. The steps are in
//! `signering_examples::flows::posten_portal::run` (examples/src/flows/posten_portal.rs).
//!
//! `cargo run -p signering-examples --example posten_portal`

use std::process::ExitCode;

use signering_examples::flows::{Print, posten_portal};
use signering_examples::{exit_code, with_posten_emulator};

#[tokio::main]
async fn main() -> ExitCode {
    let outcome = with_posten_emulator("portal flow done", async |emulator, client| {
        posten_portal::run(emulator, client, &mut Print).await
    });
    exit_code(outcome.await)
}
