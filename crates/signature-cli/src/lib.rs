//! The `signering` command line: every operation of the Posten signering and Altinn adapters,
//! resumable batch creation, signed document bundles (ASiC-E with a XAdES signature), the
//! Posten emulator and the demo.
//!
//! The emulators and the demo are the default-on `emulator` feature; `cargo install signering
//! --no-default-features` gives a leaner client without them (no SQLite, no certificate
//! generation, no HTTP server), every other command unchanged.
//!
//! The binary is a thin shell around this library's [`run`]; one module per command group
//! (`job`, `batch`, `poll`, `download`, `handles`, `altinn_cmd`, `altinn3_cmd`, `config`, `completions`,
//! `build`/`inspect`/`verify`, and with the `emulator` feature `emulator` and `demo`), with the argument definitions in [`cli`].
//! The commands use `signature-core` for the job rules, `posten-adapter` and `altinn-adapter`
//! for the services, and `asice` for keys and bundles. `job create|status`, `poll` and
//! `download` know only `signature_core::SignatureService` (the `service` module builds it
//! for `--provider posten|altinn3`) and choose what to do by its capabilities.
//! `docs/cli.md` is the user's guide.
//!
//! # Commands
//!
//! ```sh
//! signering job create --title "Employment contract" --signer 24068110048 --document contract.pdf
//! signering job create --file job.toml
//! signering job create --batch jobs.jsonl            # resumable: a journal records created jobs
//! signering job status --status-url "$URL" --token-env STATUS_TOKEN
//! signering poll --follow --download signed/ --confirm   # one JSON line per status change
//! signering --json job create --provider altinn3 --file job.toml  # [altinn3] in job.toml
//! signering poll --provider altinn3 --job ttd/app/50001/GUID --follow --download signed/
//! signering download "$PADES_URL" --out signed.pdf
//! signering confirm|cancel|delete "$URL"
//! signering archive get DOCUMENT_ID --out archived.pdf
//! signering altinn3 instances create|show, awaiting, sign [--on-behalf-of ORG], signing-state,
//!                  download, complete ...
//! signering altinn messages list|show|signing-text|sign|submit ...   # Altinn 2 (retired)
//! signering bundle build|inspect|verify ...
//! signering emulator --listen 127.0.0.1:8443 ; signering demo
//! signering doctor --keystore virksomhet.p12 --password-env P12_PASSWORD --environment test
//! signering config show ; signering completions bash
//! ```
//!
//! # Configuration and secrets
//!
//! Settings come from `signering.toml` (current directory, `--config FILE` or
//! `SIGNERING_CONFIG`), then `SIGNERING_…` environment variables, then flags, each layer
//! overriding the one before; `signering config show` prints the result with the source of
//! every value. Secrets — the key store password, the Altinn API key and token, a status query
//! token — come only from environment variables or files, never from a flag value or the
//! configuration file, and are never printed. Without a password source, a password is
//! prompted for on a terminal without echo (never when standard input is not a terminal).
//!
//! # Output
//!
//! Text for people by default; `--json` (anywhere on the command line) prints JSON on
//! standard output; `poll` writes JSON Lines. Errors stay text on standard error. Colours only
//! on a terminal without `NO_COLOR`; progress bars only when standard error is a terminal.
//! `SIGNERING_LOG` (EnvFilter syntax, e.g. `debug`) turns on the libraries' tracing output on
//! standard error, for every command including `demo`.
//!
//! # Exit codes
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success; for `verify`, the bundle is valid |
//! | 1 | rejected: the bundle failed verification, or input was read but is not acceptable (job rules, document type, wrong password, unusable key, not a bundle) |
//! | 2 | usage or I/O error: bad arguments, a file that cannot be read or written, no password source, bad configuration |
//! | 3 | the service answered with an error (refused, not found, not authorized, 5xx) |
//! | 4 | the service could not be reached (connection, timeout, TLS or certificate failure) |
//! | 5 | a batch finished but some of its jobs failed, or it was interrupted with Ctrl-C |
//!
//! # Personal data
//!
//! Personal identification numbers are never printed in full: identities show their date
//! digits only (`240681*****`), and every run of eleven or more digits in titles, file
//! names, certificate names and error messages is masked the same way, command-line usage
//! errors included.
#![deny(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod altinn3_cmd;
mod altinn3_job;
mod altinn3_settings;
mod altinn_cmd;
mod batch;
mod build;
pub mod cli;
pub mod cli_altinn3;
#[cfg(feature = "emulator")]
pub mod cli_emulator;
mod completions;
mod config;
mod connect;
#[cfg(feature = "emulator")]
mod demo;
mod doctor;
mod doctor_report;
mod download;
#[cfg(feature = "emulator")]
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
pub mod pkcs11_key;
mod poll;
mod service;
mod style;
mod verify;

/// A multi-threaded tokio runtime for the commands that serve or call over the network.
fn runtime() -> Result<tokio::runtime::Runtime, error::CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(error::CliError::Runtime)
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
    let proxy = cli.proxy.as_deref();
    let posten = |flags| Settings::load(config, Some(flags), None, proxy);
    match &cli.command {
        Command::Bundle(BundleCommand::Build(args)) => build::run(args, json),
        Command::Bundle(BundleCommand::Inspect(args)) => inspect::run(args, json),
        Command::Bundle(BundleCommand::Verify(args)) => verify::run(args, json),
        #[cfg(feature = "emulator")]
        Command::Emulator(args) => emulator::run(args),
        #[cfg(feature = "emulator")]
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
            let settings = Settings::load(config, None, Some(&target.altinn), proxy)?;
            altinn_cmd::run(command, &settings, json)
        }
        Command::Altinn3(command) => altinn3_cmd::run(command, config, proxy, json),
        Command::Config(ConfigCommand::Show(args)) => config::show(
            &Settings::load(config, Some(&args.posten), Some(&args.altinn), proxy)?,
            json,
        ),
        Command::Doctor(args) => doctor::run(args, &posten(&args.posten)?, json),
        Command::Completions(args) => completions::run(args),
    }
}
