//! Posten signering, direct flow: the signer is redirected from your web site to Posten's
//! signing page and back to your exit URL, which carries a `status_query_token`. The steps
//! are in `signering_examples::flows::posten_direct::run` (examples/src/flows/posten_direct.rs).
//!
//! `cargo run -p signering-examples --example posten_direct`

use std::process::ExitCode;

use signering_examples::flows::{Print, posten_direct};
use signering_examples::{exit_code, with_posten_emulator};

#[tokio::main]
async fn main() -> ExitCode {
    let outcome = with_posten_emulator("direct flow done", async |emulator, client| {
        posten_direct::run(emulator, client, &mut Print).await
    });
    exit_code(outcome.await)
}
