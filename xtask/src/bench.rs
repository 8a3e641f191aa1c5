//! `soak` and `bench`: both run binaries of the `signering-bench` crate in release mode, so
//! xtask itself stays light.

use std::path::Path;
use std::process::Command;

use anyhow::bail;

use crate::run;

/// A `cargo` command in the workspace root: the cargo running xtask, else the one on PATH.
fn cargo(root: &Path) -> Command {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(cargo);
    command.current_dir(root);
    command
}

/// `cargo run --release -p signering-bench --bin <bin> -- <args>` in the workspace root.
fn run_release(root: &Path, bin: &str, args: &[String]) -> anyhow::Result<()> {
    let mut command = cargo(root);
    command
        .args([
            "run",
            "--release",
            "-p",
            "signering-bench",
            "--bin",
            bin,
            "--",
        ])
        .args(args);
    run(command, &format!("cargo run --bin {bin}"), bin)
}

/// The fault soak; `args` are passed on (`--seconds N`, `--jobs-per-second R`,
/// `--rss-bound-mib M`).
pub fn soak(root: &Path, args: &[String]) -> anyhow::Result<()> {
    run_release(root, "soak", args)
}

/// The benchmark table. The whole-process rows run the release `signering` binary, built
/// here next to `bench`.
pub fn bench(root: &Path, args: &[String]) -> anyhow::Result<()> {
    let mut command = cargo(root);
    command.args([
        "build",
        "--release",
        "-p",
        "signering",
        "--bin",
        "signering",
    ]);
    run(command, "cargo build -p signering", "building signering")?;
    run_release(root, "bench", args)
}

/// The crash tests (`crates/signature-cli/tests/crash.rs`) in release with `--kills N` kills
/// each (default 200), their report printed.
pub fn crash(root: &Path, args: &[String]) -> anyhow::Result<()> {
    let kills = match args {
        [] => "200".to_owned(),
        [flag, n] if flag == "--kills" && n.parse::<u32>().is_ok() => n.clone(),
        _ => bail!("usage: cargo xtask crash [--kills N]"),
    };
    let mut command = cargo(root);
    command.env("SIGNERING_CRASH_KILLS", &kills).args([
        "test",
        "--release",
        "-p",
        "signering",
        "--test",
        "crash",
        "--",
        "--nocapture",
        "--test-threads",
        "1",
    ]);
    run(command, "cargo test --test crash", "the crash tests")
}
