//! `bench`: runs every benchmark scenario in its own child process and prints one table
//! (see the `signering_bench::bench` module). `bench --scenario NAME` runs one scenario and
//! prints its result as a JSON line. Run it through `cargo xtask bench` (release build).

use std::process::ExitCode;

use anyhow::Context as _;
use signering_bench::{bench, emulator};

fn main() -> ExitCode {
    if let Some(code) = emulator::serve_if_asked() {
        return code;
    }
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("bench: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> anyhow::Result<()> {
    let exe = std::env::current_exe().context("locating this binary")?;
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [flag, name] if flag == "--scenario" => {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            let result = runtime.block_on(bench::run_scenario(name, &exe))?;
            println!("{}", serde_json::to_string(&result)?);
            Ok(())
        }
        [] => {
            if cfg!(debug_assertions) {
                eprintln!("bench: warning: debug build; use `cargo xtask bench` for figures");
            }
            let before = bench::load_average();
            let results = bench::run_all(&exe)?;
            let after = bench::load_average();
            print!("{}", bench::table(&results, &before, &after));
            Ok(())
        }
        _ => anyhow::bail!("usage: bench [--scenario NAME]"),
    }
}
