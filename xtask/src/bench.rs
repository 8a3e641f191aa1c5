//! `soak` and `bench`: both run binaries of the `signering-bench` crate in release mode, so
//! xtask itself stays light.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};

/// `cargo run --release -p signering-bench --bin <bin> -- <args>` in the workspace root.
fn run_release(root: &Path, bin: &str, args: &[String]) -> anyhow::Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(cargo)
        .current_dir(root)
        .args([
            "run",
            "--release",
            "-p",
            "signering-bench",
            "--bin",
            bin,
            "--",
        ])
        .args(args)
        .status()
        .with_context(|| format!("running cargo run --bin {bin}"))?;
    if !status.success() {
        bail!("{bin} failed ({status})");
    }
    Ok(())
}

/// The fault soak; `args` are passed on (`--seconds N`, `--jobs-per-second R`,
/// `--rss-bound-mib M`).
pub fn soak(root: &Path, args: &[String]) -> anyhow::Result<()> {
    run_release(root, "soak", args)
}

/// The benchmark table. The whole-process rows run the release `signering` binary, built
/// here next to `bench`.
pub fn bench(root: &Path, args: &[String]) -> anyhow::Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(cargo)
        .current_dir(root)
        .args([
            "build",
            "--release",
            "-p",
            "signering",
            "--bin",
            "signering",
        ])
        .status()
        .context("running cargo build -p signering")?;
    if !status.success() {
        bail!("building signering failed ({status})");
    }
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
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(cargo)
        .current_dir(root)
        .env("SIGNERING_CRASH_KILLS", &kills)
        .args([
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
        ])
        .status()
        .context("running cargo test --test crash")?;
    if !status.success() {
        bail!("the crash tests failed ({status})");
    }
    Ok(())
}
