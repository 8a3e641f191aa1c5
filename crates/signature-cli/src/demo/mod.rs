//! `signering demo`: the whole signing story against in-process emulators, with the real
//! clients over real (mutual) TLS on 127.0.0.1.
//!
//! The flows are the examples' own (`signering_examples::flows`), so the demo shows exactly
//! what `cargo run -p signering-examples --example NAME` teaches; this module starts the
//! emulators, draws the timeline and writes the flows' files into the output directory.
//!
//! Posten: a direct job (one signer, signed on the emulator's signing page like a browser
//! would, status fetched with the token from the exit URL) and a portal job (two signers,
//! signed through the control API, status changes polled, documents deleted afterwards);
//! XAdES per signer and PAdES are downloaded into the output directory and the changes
//! confirmed. Altinn 2 (retired on 2026-06-19; its emulator is where this project started):
//! a form set is submitted to signing, its signing text read, signed, and the archived
//! receipt printed to PDF. Altinn 3: an app instance is created with a document, moved to
//! its signing task, found through a Dialogporten search, signed, its signing state read and
//! its signature data element downloaded.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use signature_emulator::altinn::AltinnEmulator;
use signature_emulator::altinn3::Altinn3Emulator;
use signature_emulator::posten::{PostenEmulator, RunningEmulator};
use signering_examples::SENDER;
use signering_examples::flows::{self, BoxError, FlowError, Progress};

use crate::cli::DemoArgs;
use crate::error::{CliError, Status};
use crate::mask::mask_identity_numbers;

pub(crate) fn run(args: &DemoArgs) -> Result<Status, CliError> {
    std::fs::create_dir_all(&args.out).map_err(|e| CliError::write(&args.out, e))?;
    let runtime = crate::runtime()?;
    runtime.block_on(async {
        let mut demo = Demo::new(&args.out);
        demo.say(&format!(
            "signering demo: emulators on 127.0.0.1, files in {}",
            args.out.display()
        ));
        let result = demo.run().await;
        match &result {
            Ok(()) => demo.say(&format!(
                "Done in {} ms: {} files written to {}",
                demo.started.elapsed().as_millis(),
                demo.files.len(),
                args.out.display()
            )),
            Err(_) => demo.say("Demo stopped at the failed step."),
        }
        result.map(|()| Status::Success)
    })
}

/// The timeline and the output directory: what the flows report to.
struct Demo {
    out: PathBuf,
    started: Instant,
    files: Vec<PathBuf>,
}

/// A failed step of the demo's own (starting an emulator, building a client).
fn failed<E: std::fmt::Display>(step: &str) -> impl FnOnce(E) -> CliError + '_ {
    move |error| CliError::Demo {
        step: step.to_owned(),
        message: error.to_string(),
    }
}

/// A failed step of a flow.
fn flow_failed(error: FlowError) -> CliError {
    CliError::Demo {
        step: error.step().to_owned(),
        message: error.message(),
    }
}

impl Progress for Demo {
    /// One timeline entry: elapsed milliseconds, step, result.
    fn step(&mut self, step: &str, result: &str) {
        self.say(&format!(
            "{:>7} ms  {:<34} {}",
            self.started.elapsed().as_millis(),
            step,
            result
        ));
    }

    /// Writes the file into the output directory.
    fn artifact(&mut self, name: &str, bytes: &[u8]) -> Result<String, BoxError> {
        let path = self.out.join(name);
        std::fs::write(&path, bytes)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        let shown = path.display().to_string();
        self.files.push(path);
        Ok(shown)
    }
}

impl Demo {
    fn new(out: &Path) -> Self {
        Self {
            out: out.to_owned(),
            started: Instant::now(),
            files: Vec::new(),
        }
    }

    /// Prints a line, identity numbers masked.
    fn say(&self, text: &str) {
        let text = mask_identity_numbers(text);
        // A closed standard output must not fail the demo itself.
        drop(writeln!(std::io::stdout(), "{text}"));
    }

    async fn run(&mut self) -> Result<(), CliError> {
        // ---- Posten
        let step = "start Posten emulator";
        // Both rate limits off: the demo makes a dozen calls in a few milliseconds, which the
        // service's 10 calls/s (and the client's limiter, kept on by default below it) would
        // stretch to over a second of waiting. Users' tests keep them on.
        let emulator = PostenEmulator::builder()
            .client(SENDER)
            .poll_interval(Duration::from_millis(200))
            .without_rate_limit()
            .start()
            .await
            .map_err(failed(step))?;
        self.step(
            step,
            &format!(
                "API {} , web {} (rate limits off for the demo)",
                emulator.base_url, emulator.web_base_url
            ),
        );
        let outcome = self.posten(&emulator).await;
        emulator.shutdown_with(Duration::from_secs(2)).await;
        outcome?;

        // ---- Altinn 2
        let step = "start Altinn emulator";
        let emulator = AltinnEmulator::builder()
            .api_key(flows::altinn2::API_KEY)
            .start()
            .await
            .map_err(failed(step))?;
        self.step(step, emulator.base_url());
        flows::altinn2::run(&emulator, self)
            .await
            .map_err(flow_failed)?;

        // ---- Altinn 3
        let step = "start Altinn 3 emulator";
        let emulator = Altinn3Emulator::builder()
            .app(flows::altinn3::APP)
            .start()
            .await
            .map_err(failed(step))?;
        self.step(step, emulator.base_url());
        flows::altinn3::run(&emulator, self)
            .await
            .map_err(flow_failed)
    }

    async fn posten(&mut self, emulator: &RunningEmulator) -> Result<(), CliError> {
        let step = "load client certificate";
        let key = signering_examples::sender_key(emulator).map_err(failed(step))?;
        let builder =
            signering_examples::posten_client_builder(emulator, key).map_err(failed(step))?;
        let ca = self
            .artifact("emulator-ca.pem", emulator.ca_pem.as_bytes())
            .map_err(failed(step))?;
        self.step(step, &format!("organization {SENDER}, CA written to {ca}"));
        let step = "build Posten client";
        let client = builder.rate_limit(None).build().map_err(failed(step))?;

        flows::posten_direct::run(emulator, &client, self)
            .await
            .map_err(flow_failed)?;
        flows::posten_portal::run(emulator, &client, self)
            .await
            .map_err(flow_failed)
    }
}
