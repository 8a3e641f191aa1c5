//! `soak [--seconds N] [--jobs-per-second R] [--rss-bound-mib M]`: the fault soak (see the
//! `signering_bench::soak` module). Exits 1 when an invariant broke. Run it through
//! `cargo xtask soak`, which builds it in release mode.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, bail};
use signering_bench::{emulator, soak};

fn main() -> ExitCode {
    if let Some(code) = emulator::serve_if_asked() {
        return code;
    }
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("soak: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn run() -> anyhow::Result<bool> {
    let mut seconds = 300u64;
    let exe = std::env::current_exe().context("locating this binary")?;
    let mut config = soak::SoakConfig::new(Duration::ZERO, exe);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().with_context(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--seconds" => seconds = value()?.parse().context("--seconds")?,
            "--jobs-per-second" => {
                config.jobs_per_second = value()?.parse().context("--jobs-per-second")?;
            }
            "--rss-bound-mib" => {
                config.rss_growth_bound_kib =
                    value()?.parse::<u64>().context("--rss-bound-mib")? * 1024;
            }
            other => bail!(
                "unknown argument {other:?}; usage: soak [--seconds N] [--jobs-per-second R] [--rss-bound-mib M]"
            ),
        }
    }
    config.duration = Duration::from_secs(seconds);
    config.progress_every = Some(Duration::from_secs(30));
    eprintln!(
        "soak: {seconds} s of load, {} jobs/s, {} pollers, faults injected; emulator in a separate process",
        config.jobs_per_second, config.pollers
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let report = runtime.block_on(soak::run(&config))?;
    print!("{report}");
    Ok(report.passed())
}
