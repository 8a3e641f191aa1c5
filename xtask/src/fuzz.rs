//! `cargo xtask fuzz-smoke [--seconds N]`: builds every cargo-fuzz target in `fuzz/` and runs
//! each for N seconds (default 30) from its committed seed corpus, then prints one table.
//!
//! New inputs go to a scratch directory, so a smoke run never changes the committed corpora.
//! It fails when cargo-fuzz or a nightly toolchain is missing, when a target crashes, leaks
//! or runs out of memory, or when a target did not run at all.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

/// libFuzzer's memory bounds for every run. The parsers' own limits (1 MiB XML documents,
/// 64 MiB zip entries, 256 MiB per bundle) sit well below them, so hitting one is a finding.
pub(crate) const RSS_LIMIT_MB: u32 = 2048;
/// Largest single allocation libFuzzer allows before it reports the input.
pub(crate) const MALLOC_LIMIT_MB: u32 = 512;

/// Flags for `cargo fuzz build` and `cargo fuzz run`: no sanitizer (the workspace forbids
/// unsafe code; without ASan the shared 2-core machine runs several times more inputs) and
/// debug assertions on, so arithmetic overflow panics.
const BUILD_FLAGS: &[&str] = &["--sanitizer", "none", "--debug-assertions"];

/// One target's figures.
#[derive(Debug, Default)]
struct Outcome {
    target: String,
    runs: Option<u64>,
    execs_per_sec: Option<u64>,
    coverage: Option<String>,
    corpus: usize,
    peak_rss_mb: Option<u64>,
    result: String,
    ok: bool,
}

pub(crate) fn smoke(root: &Path, args: &[String]) -> Result<()> {
    let seconds = parse_seconds(args)?;
    check_tools()?;
    let fuzz_dir = root.join("fuzz");
    let targets = list_targets(root)?;
    if targets.is_empty() {
        bail!("cargo fuzz list found no targets in {}", fuzz_dir.display());
    }
    eprintln!("fuzz-smoke: building {} targets…", targets.len());
    let mut build = cargo_fuzz(root);
    build.arg("build").args(BUILD_FLAGS);
    crate::run(build, "cargo fuzz build", "cargo fuzz build")?;
    let scratch = std::env::temp_dir().join(format!("signering-fuzz-smoke-{}", std::process::id()));
    let mut outcomes = Vec::new();
    for target in &targets {
        eprintln!("fuzz-smoke: {target} for {seconds} s…");
        outcomes.push(run_target(root, &scratch, target, seconds)?);
    }
    let _ = std::fs::remove_dir_all(&scratch);
    print_table(&outcomes);
    let failed: Vec<&str> = outcomes
        .iter()
        .filter(|o| !o.ok)
        .map(|o| o.target.as_str())
        .collect();
    if failed.is_empty() {
        Ok(())
    } else {
        bail!("fuzz targets failed: {}", failed.join(", "))
    }
}

fn parse_seconds(args: &[String]) -> Result<u64> {
    let mut seconds = 30;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--seconds" => {
                let value = iter.next().context("--seconds needs a number")?;
                seconds = value
                    .parse()
                    .with_context(|| format!("--seconds {value:?} is not a whole number"))?;
            }
            other => {
                bail!("unknown argument {other:?}; usage: cargo xtask fuzz-smoke [--seconds N]")
            }
        }
    }
    if seconds == 0 {
        bail!("--seconds must be at least 1");
    }
    Ok(seconds)
}

/// `cargo +nightly fuzz …`, run from the workspace root (cargo-fuzz looks for `fuzz/` there).
fn cargo_fuzz(root: &Path) -> Command {
    let mut command = Command::new("cargo");
    command.args(["+nightly", "fuzz"]).current_dir(root);
    command
}

fn check_tools() -> Result<()> {
    let nightly = Command::new("cargo")
        .args(["+nightly", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !nightly.is_ok_and(|s| s.success()) {
        bail!(
            "fuzz-smoke needs a nightly toolchain (libFuzzer's coverage flags are nightly-only): \
             rustup toolchain install nightly"
        );
    }
    let fuzz = Command::new("cargo")
        .args(["+nightly", "fuzz", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !fuzz.is_ok_and(|s| s.success()) {
        bail!("fuzz-smoke needs cargo-fuzz: cargo install cargo-fuzz");
    }
    Ok(())
}

fn list_targets(root: &Path) -> Result<Vec<String>> {
    let output = cargo_fuzz(root)
        .arg("list")
        .output()
        .context("running cargo fuzz list")?;
    if !output.status.success() {
        bail!(
            "cargo fuzz list failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect())
}

fn run_target(root: &Path, scratch: &Path, target: &str, seconds: u64) -> Result<Outcome> {
    let new_inputs = scratch.join(target);
    let artifacts = scratch.join(format!("{target}-artifacts"));
    std::fs::create_dir_all(&new_inputs)?;
    std::fs::create_dir_all(&artifacts)?;
    let seeds: PathBuf = root.join("fuzz").join("corpus").join(target);
    let mut command = cargo_fuzz(root);
    command
        .args(["run"])
        .args(BUILD_FLAGS)
        .arg(target)
        .arg(&new_inputs);
    if seeds.is_dir() {
        command.arg(&seeds);
    }
    let output = command
        .arg("--")
        .arg(format!("-max_total_time={seconds}"))
        .arg(format!("-rss_limit_mb={RSS_LIMIT_MB}"))
        .arg(format!("-malloc_limit_mb={MALLOC_LIMIT_MB}"))
        .arg(format!("-artifact_prefix={}/", artifacts.display()))
        .arg("-print_final_stats=1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .with_context(|| format!("running cargo fuzz run {target}"))?;
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let mut outcome = parse_log(target, &log);
    outcome.corpus = count_files(&new_inputs) + count_files(&seeds);
    if output.status.success() && outcome.runs.unwrap_or(0) > 0 {
        outcome.ok = true;
        outcome.result = "ok".to_owned();
    } else {
        let kept = scratch
            .parent()
            .unwrap_or(scratch)
            .join(format!("fuzz-smoke-{target}.log"));
        let _ = std::fs::write(&kept, &log);
        outcome.result = format!("FAILED: {} (log {})", failure_kind(&log), kept.display());
        if let Some(artifact) = log
            .lines()
            .find_map(|l| l.split("Test unit written to ").nth(1))
        {
            // Keep the input where the table can point at it after the scratch dir is gone.
            let name = Path::new(artifact.trim())
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "crash".to_owned());
            let kept_input = root.join("fuzz").join("artifacts").join(target).join(name);
            if let Some(parent) = kept_input.parent() {
                let _ = std::fs::create_dir_all(parent);
            }
            if std::fs::copy(artifact.trim(), &kept_input).is_ok() {
                outcome
                    .result
                    .push_str(&format!(", input {}", kept_input.display()));
            }
        }
    }
    Ok(outcome)
}

fn failure_kind(log: &str) -> &'static str {
    if log.contains("out-of-memory") {
        "out of memory"
    } else if log.contains("malloc limit") || log.contains("malloc(") {
        "allocation over the malloc limit"
    } else if log.contains("deadly signal") || log.contains("panicked") {
        "crash"
    } else if log.contains("timeout") {
        "timeout"
    } else if log.contains("leak") {
        "leak"
    } else {
        "did not run (see log)"
    }
}

fn parse_log(target: &str, log: &str) -> Outcome {
    let stat = |name: &str| {
        log.lines()
            .find_map(|l| l.trim().strip_prefix(name))
            .and_then(|rest| rest.trim_start_matches(':').trim().parse::<u64>().ok())
    };
    // The last status line: "#12345 DONE cov: 1234 ft: 5678 corp: 90/12Kb …".
    let coverage = log
        .lines()
        .rev()
        .find(|l| l.starts_with('#') && l.contains("cov:"))
        .map(|l| {
            let field = |key: &str| {
                l.split_whitespace()
                    .skip_while(|w| *w != key)
                    .nth(1)
                    .unwrap_or("?")
                    .to_owned()
            };
            format!("{}/{}", field("cov:"), field("ft:"))
        });
    Outcome {
        target: target.to_owned(),
        runs: stat("stat::number_of_executed_units"),
        execs_per_sec: stat("stat::average_exec_per_sec"),
        peak_rss_mb: stat("stat::peak_rss_mb"),
        coverage,
        ..Outcome::default()
    }
}

fn count_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.path().is_file())
                .count()
        })
        .unwrap_or(0)
}

fn print_table(outcomes: &[Outcome]) {
    let show = |v: Option<u64>| v.map_or_else(|| "-".to_owned(), |v| v.to_string());
    println!(
        "{:<14} {:>10} {:>9} {:>13} {:>7} {:>8}  result",
        "target", "runs", "execs/s", "cov/features", "corpus", "rss MB"
    );
    for o in outcomes {
        println!(
            "{:<14} {:>10} {:>9} {:>13} {:>7} {:>8}  {}",
            o.target,
            show(o.runs),
            show(o.execs_per_sec),
            o.coverage.as_deref().unwrap_or("-"),
            o.corpus,
            show(o.peak_rss_mb),
            o.result
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_libfuzzer_final_stats() {
        let log = "#4096\tpulse  cov: 10 ft: 12 corp: 3/30b exec/s: 100 rss: 40Mb\n\
                   #9000\tDONE   cov: 321 ft: 654 corp: 7/1Kb lim: 4 exec/s: 300 rss: 45Mb\n\
                   Done 9000 runs in 30 second(s)\n\
                   stat::number_of_executed_units: 9000\n\
                   stat::average_exec_per_sec:     300\n\
                   stat::new_units_added:          4\n\
                   stat::slowest_unit_time_sec:    0\n\
                   stat::peak_rss_mb:              45\n";
        let o = parse_log("t", log);
        assert_eq!(o.runs, Some(9000));
        assert_eq!(o.execs_per_sec, Some(300));
        assert_eq!(o.peak_rss_mb, Some(45));
        assert_eq!(o.coverage.as_deref(), Some("321/654"));
    }

    #[test]
    fn seconds_argument() {
        assert_eq!(parse_seconds(&[]).unwrap(), 30);
        assert_eq!(parse_seconds(&["--seconds".into(), "5".into()]).unwrap(), 5);
        assert!(parse_seconds(&["--seconds".into()]).is_err());
        assert!(parse_seconds(&["--seconds".into(), "0".into()]).is_err());
        assert!(parse_seconds(&["--bogus".into()]).is_err());
    }
}
