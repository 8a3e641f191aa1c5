//! The `signering` command line: build, inspect and verify the signed document bundles
//! (ASiC-E with a XAdES signature) that Posten signering receives.
//!
//! The binary is a thin shell around this library's [`run`]; the commands use
//! `signature-core` for the job rules, `posten-adapter` for the request XML, `manifest.xml`
//! and the signed bundle, and `asice` for keys, inspection and verification. See also
//! `docs/cli.md`.
//!
//! # Commands
//!
//! Build a portal job's bundle, signed with the enterprise certificate in a PKCS#12 key store
//! whose password is in an environment variable:
//!
//! ```sh
//! export P12_PASSWORD=...
//! signering bundle build --keystore virksomhet.p12 --password-env P12_PASSWORD \
//!     --sender 984661185 --title "Employment contract" \
//!     --signer 24068110048 --document contract.pdf --document appendix.txt \
//!     --out contract.asice --request-out request.xml
//! ```
//!
//! Signers of the portal flow are notified at the addresses in the national contact register,
//! by e-mail (`--notify email`, the default) or e-mail and SMS (`--notify email-and-sms`).
//! The direct flow needs exit URLs instead:
//!
//! ```sh
//! signering bundle build --key key.pem --cert chain.pem \
//!     --sender 984661185 --title "Lease" --signer 24068110048 --document lease.pdf \
//!     --flow direct --exit-url https://example.com/signing/done --out lease.asice
//! ```
//!
//! `--exit-url` uses one URL for completion, rejection and error; `--completion-url`,
//! `--rejection-url` and `--error-url` set them separately. Without `--password-env`, a
//! password is prompted for on the terminal without echo (never when standard input is not a
//! terminal); an unencrypted PEM key needs none.
//!
//! List a bundle without verifying it, then verify it against a trusted root:
//!
//! ```sh
//! signering bundle inspect contract.asice
//! signering --json bundle inspect contract.asice
//! signering bundle verify contract.asice --trust buypass-root.pem
//! ```
//!
//! `--json` (anywhere on the command line) prints the result of `build`, `inspect` and
//! `verify` as JSON on standard output; errors stay text on standard error.
//!
//! # Exit codes
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success; for `verify`, the bundle is valid |
//! | 1 | rejected: the bundle failed verification, or input was read but is not acceptable (job rules, document type, wrong password, unusable key, not a bundle) |
//! | 2 | usage or I/O error: bad arguments, a file that cannot be read or written, no password source |
//!
//! # Personal data
//!
//! Personal identification numbers are never printed in full: manifest identities show their
//! date digits only (`240681*****`), and every run of eleven or more digits in titles, file
//! names, certificate names and error messages is masked the same way, command-line usage
//! errors included.
#![deny(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod altinn_cmd;
mod batch;
mod build;
pub mod cli;
mod completions;
mod config;
mod connect;
mod demo;
mod download;
mod emulator;
mod error;
mod handles;
mod inspect;
mod job;
mod logging;
mod manifest;
mod mask;
mod output;
mod password;
mod poll;
mod style;
mod verify;

/// A multi-threaded tokio runtime for the commands that serve or call over the network.
fn runtime() -> Result<tokio::runtime::Runtime, error::CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| error::CliError::Emulator(format!("cannot start the async runtime: {e}")))
}

use std::ffi::OsString;
use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser as _;

pub use error::Status;

use cli::{AltinnCommand, ArchiveCommand, BundleCommand, Cli, Command, ConfigCommand, JobCommand};
use config::Settings;
use error::CliError;
use mask::mask_identity_numbers;

/// Parses `args` (program name first) and runs the command; returns the exit code.
///
/// Results go to standard output, errors to standard error as `signering: error: ...`.
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            // clap quotes the offending argument, which may be an identity number.
            let text = mask_identity_numbers(&error.render().to_string());
            let written = if error.use_stderr() {
                std::io::stderr().write_all(text.as_bytes())
            } else {
                std::io::stdout().write_all(text.as_bytes())
            };
            drop(written);
            return match error.exit_code() {
                0 => Status::Success.into(),
                _ => Status::UsageOrIo.into(),
            };
        }
    };
    let result = logging::init().and_then(|()| dispatch(&cli));
    match result {
        Ok(status) => status.into(),
        Err(error) => {
            let message = mask_identity_numbers(&error.to_string());
            // Nothing sensible is left to do when standard error is closed.
            drop(writeln!(std::io::stderr(), "signering: error: {message}"));
            error.status().into()
        }
    }
}

/// Runs the parsed command. Settings are merged only for the commands that use them, so a
/// broken `signering.toml` does not stop `bundle` or `completions`.
fn dispatch(cli: &Cli) -> Result<Status, CliError> {
    let json = cli.json;
    let config = cli.config.as_deref();
    let posten = |flags| Settings::load(config, Some(flags), None);
    match &cli.command {
        Command::Bundle(BundleCommand::Build(args)) => build::run(args, json),
        Command::Bundle(BundleCommand::Inspect(args)) => inspect::run(args, json),
        Command::Bundle(BundleCommand::Verify(args)) => verify::run(args, json),
        Command::Emulator(args) => emulator::run(args),
        Command::Demo(args) => demo::run(args),
        Command::Job(JobCommand::Create(args)) => {
            let settings = posten(&args.posten)?;
            match &args.batch {
                Some(input) => batch::run(args, input, &settings, json),
                None => job::create(args, &settings, json),
            }
        }
        Command::Job(JobCommand::Status(args)) => job::status(args, &posten(&args.posten)?, json),
        Command::Poll(args) => poll::run(args, &posten(&args.posten)?, json),
        Command::Download(args) => download::download(args, &posten(&args.posten)?, json),
        Command::Confirm(args) => {
            handles::run(handles::Action::Confirm, args, &posten(&args.posten)?, json)
        }
        Command::Cancel(args) => {
            handles::run(handles::Action::Cancel, args, &posten(&args.posten)?, json)
        }
        Command::Delete(args) => {
            handles::run(handles::Action::Delete, args, &posten(&args.posten)?, json)
        }
        Command::Archive(ArchiveCommand::Get(args)) => {
            download::archive_get(args, &posten(&args.posten)?, json)
        }
        Command::Altinn(AltinnCommand::Messages(command)) => {
            let target = match command {
                cli::MessagesCommand::List(a) => &a.target,
                cli::MessagesCommand::Show(a) | cli::MessagesCommand::SigningText(a) => &a.target,
                cli::MessagesCommand::Sign(a) => &a.message.target,
                cli::MessagesCommand::Submit(a) => &a.target,
            };
            let settings = Settings::load(config, None, Some(&target.altinn))?;
            altinn_cmd::run(command, &settings, json)
        }
        Command::Config(ConfigCommand::Show(args)) => config::show(
            &Settings::load(config, Some(&args.posten), Some(&args.altinn))?,
            json,
        ),
        Command::Completions(args) => completions::run(args),
    }
}
