//! Project automation: `cargo xtask <command>`.
//!
//! - `codegen [--check]`: regenerate `crates/signature-model/src/generated/` from `schema/`.
//! - `fuzz-smoke [--seconds N]`: run every cargo-fuzz target briefly (see `docs/fuzzing.md`).
//! - `soak [--seconds N]`: fault soak of the Posten client against the emulator.
//! - `bench`: the benchmark table of `docs/performance.md`.
//! - `crash [--kills N]`: the crash tests (SIGKILL of `poll` and `job create --batch`).

mod bench;
mod codegen;
mod fuzz;
mod outline;

use std::path::PathBuf;
use std::process::{Command, ExitCode};

use anyhow::{Context, bail};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("codegen") => {
            let check = args.iter().skip(1).any(|a| a == "--check");
            codegen::run(&workspace_root(), check)
        }
        Some("fuzz-smoke") => fuzz::smoke(&workspace_root(), &args[1..]),
        Some("soak") => bench::soak(&workspace_root(), &args[1..]),
        Some("bench") => bench::bench(&workspace_root(), &args[1..]),
        Some("crash") => bench::crash(&workspace_root(), &args[1..]),
        _ => {
            eprintln!("usage: cargo xtask codegen [--check] | fuzz-smoke [--seconds N]");
            eprintln!("       cargo xtask soak [--seconds N] | bench | crash [--kills N]");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("xtask: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root, derived from this crate's manifest directory so the task works from any
/// current directory.
fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

/// Runs `command` to its end: an error says it could not start (`running …`) or that
/// `what` failed, with the exit status.
fn run(mut command: Command, running: &str, what: &str) -> anyhow::Result<()> {
    let status = command
        .status()
        .with_context(|| format!("running {running}"))?;
    if !status.success() {
        bail!("{what} failed ({status})");
    }
    Ok(())
}
