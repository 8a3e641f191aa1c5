//! Whole-process figures: `signering bundle build` as a user runs it (process start, key
//! loading, reading the documents, signing, writing the bundle, the summary) against a peer
//! that makes the same bundle with standard tools (`peer/xmlsec1-zip.sh`: openssl, xmlsec1,
//! zip), both measured in the same run, alternately; and the command's peak RSS as the
//! documents grow.
//!
//! Wall time is taken around each child process (spawn to exit), the output file removed
//! before every run. Peak RSS comes from GNU time (`/usr/bin/time -f %M`, the child's and
//! its descendants' maximum resident set size from `wait4`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

use crate::bench::ScenarioResult;
use crate::jobs::pdf_like;

const SENDER: &str = "984661185";
const SIGNER: &str = "24068110048";
/// GNU time, for peak RSS.
const GNU_TIME: &str = "/usr/bin/time";

/// Documents and the key in a temporary directory.
struct Fixture {
    dir: tempfile::TempDir,
    documents: Vec<PathBuf>,
}

impl Fixture {
    fn new(sizes: &[usize]) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let pki =
            signering_testkit::pki::make_pki(false, &signering_testkit::pki::LeafSpec::default());
        std::fs::write(dir.path().join("key.pem"), &pki.key_pem)?;
        std::fs::write(dir.path().join("cert.pem"), &pki.leaf_pem)?;
        let mut documents = Vec::new();
        for (i, len) in sizes.iter().enumerate() {
            let path = dir.path().join(format!("dokument_{i:02}.pdf"));
            std::fs::write(&path, pdf_like(i as u32, *len))?;
            documents.push(path);
        }
        Ok(Self { dir, documents })
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `signering bundle build` of all documents into `ours.asice`.
    fn ours(&self, signering: &Path) -> Command {
        let mut command = Command::new(signering);
        command
            .args([
                "bundle",
                "build",
                "--sender",
                SENDER,
                "--title",
                "Benchmark",
            ])
            .args(["--signer", SIGNER, "--key"])
            .arg(self.path("key.pem"))
            .arg("--cert")
            .arg(self.path("cert.pem"))
            .arg("--out")
            .arg(self.path("ours.asice"));
        for document in &self.documents {
            command.arg("--document").arg(document);
        }
        quiet(&mut command);
        command
    }

    /// The peer script, same documents, into `peer.asice`.
    fn peer(&self) -> Command {
        let mut command = Command::new("bash");
        command
            .arg(peer_script())
            .arg(self.path("key.pem"))
            .arg(self.path("cert.pem"))
            .arg(self.path("peer.asice"))
            .args(&self.documents)
            // Its working directory (mktemp) on the same file system as ours.
            .env("TMPDIR", self.dir.path());
        quiet(&mut command);
        command
    }
}

fn quiet(command: &mut Command) {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .env("NO_COLOR", "1")
        .env_remove("SIGNERING_LOG");
}

fn peer_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("peer/xmlsec1-zip.sh")
}

/// The `signering` binary next to this one (`cargo xtask bench` builds both).
fn signering_binary(exe: &Path) -> anyhow::Result<PathBuf> {
    let path = exe.with_file_name(format!("signering{}", std::env::consts::EXE_SUFFIX));
    if !path.is_file() {
        bail!(
            "{} not found: build it first (cargo build --release -p signering; cargo xtask bench does)",
            path.display()
        );
    }
    Ok(path)
}

/// What the peer needs, or why it cannot run.
fn peer_missing() -> Option<String> {
    let missing: Vec<&str> = ["xmlsec1", "zip", "openssl", "bc", "base64", "mktemp"]
        .into_iter()
        .filter(|tool| {
            Command::new("sh")
                .args(["-c", &format!("command -v {tool}")])
                .stdout(Stdio::null())
                .status()
                .map_or(true, |s| !s.success())
        })
        .collect();
    (!missing.is_empty()).then(|| format!("peer not run: {} missing", missing.join(", ")))
}

/// Runs `command` once after removing `output`; its wall time.
fn timed_run(mut command: Command, output: &Path) -> anyhow::Result<Duration> {
    let _ = std::fs::remove_file(output);
    let started = Instant::now();
    let result = command.output().context("starting the command")?;
    let elapsed = started.elapsed();
    if !result.status.success() {
        bail!(
            "{:?} failed ({}): {}",
            command.get_program(),
            result.status,
            String::from_utf8_lossy(&result.stderr)
        );
    }
    if !output.is_file() {
        bail!("{:?} wrote no {}", command.get_program(), output.display());
    }
    Ok(elapsed)
}

/// Peak RSS (KiB) of `command` under GNU time, or `None` without GNU time.
fn peak_rss_kib(command: &Command, report: &Path) -> anyhow::Result<Option<u64>> {
    if !Path::new(GNU_TIME).is_file() {
        return Ok(None);
    }
    let mut wrapped = Command::new(GNU_TIME);
    wrapped
        .args(["-f", "%M", "-o"])
        .arg(report)
        .arg(command.get_program())
        .args(command.get_args());
    for (name, value) in command.get_envs() {
        match value {
            Some(value) => wrapped.env(name, value),
            None => wrapped.env_remove(name),
        };
    }
    quiet(&mut wrapped);
    let result = wrapped.output()?;
    if !result.status.success() {
        bail!(
            "measuring RSS failed ({}): {}",
            result.status,
            String::from_utf8_lossy(&result.stderr)
        );
    }
    let text = std::fs::read_to_string(report)?;
    Ok(text
        .trim()
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok()))
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort_unstable();
    times.get(times.len() / 2).copied().unwrap_or_default()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// `signering bundle build` of `sizes` against the peer, alternately, in this run.
///
/// # Errors
///
/// The binary is missing, or a run fails.
pub fn cli_bundle(label: &str, sizes: &[usize], exe: &Path) -> anyhow::Result<ScenarioResult> {
    let signering = signering_binary(exe)?;
    let fixture = Fixture::new(sizes)?;
    let peer_missing = peer_missing();
    let (ours_out, peer_out) = (fixture.path("ours.asice"), fixture.path("peer.asice"));
    // As many peer runs as ours, one after each: the peer (a shell script starting openssl,
    // xmlsec1 and zip) varies more from run to run than ours, and with fewer samples its median
    // moved the ratio by more than a unit between otherwise equal runs.
    let runs = 41;
    for _ in 0..3 {
        timed_run(fixture.ours(&signering), &ours_out)?;
        if peer_missing.is_none() {
            timed_run(fixture.peer(), &peer_out)?;
        }
    }
    let (mut ours, mut peer) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        ours.push(timed_run(fixture.ours(&signering), &ours_out)?);
        if peer_missing.is_none() {
            peer.push(timed_run(fixture.peer(), &peer_out)?);
        }
    }
    let (ours, peer_runs) = (median(ours), peer.len());
    let peer = (peer_runs > 0).then(|| median(peer));
    let rss = peak_rss_kib(&fixture.ours(&signering), &fixture.path("rss.txt"))?;
    let total: usize = sizes.iter().sum();
    Ok(ScenarioResult {
        label: label.to_owned(),
        value: ms(ours),
        unit: "ms".to_owned(),
        floor: None,
        peer: peer.map(ms),
        detail: format!(
            "whole process, median of {runs} runs (peer: {}), output removed before each; {:.1} MiB of PDF-like documents{}",
            match (&peer_missing, peer_runs) {
                (Some(why), _) => why.clone(),
                (None, n) => format!("median of {n} runs, interleaved"),
            },
            total as f64 / (1024.0 * 1024.0),
            if rss.is_none() {
                "; peak RSS not measured (no GNU time)"
            } else {
                ""
            }
        ),
        peak_rss_kib: rss.unwrap_or(0),
    })
}

/// Peak RSS of `signering bundle build` for 1, 5 and 9 documents of 1 MiB, and the peer's
/// for 9.
///
/// # Errors
///
/// The binary or GNU time is missing, or a run fails.
pub fn cli_rss(exe: &Path) -> anyhow::Result<ScenarioResult> {
    let signering = signering_binary(exe)?;
    if !Path::new(GNU_TIME).is_file() {
        bail!("{GNU_TIME} (GNU time, Debian package `time`) is needed to measure peak RSS");
    }
    let mib = 1024 * 1024;
    let mut series = Vec::new();
    let mut last = None;
    for count in [1, 5, 9] {
        let fixture = Fixture::new(&vec![mib; count])?;
        let kib = peak_rss_kib(&fixture.ours(&signering), &fixture.path("rss.txt"))?
            .context("no RSS figure")?;
        series.push(format!("{count} MiB: {:.1} MiB", kib as f64 / 1024.0));
        last = Some((fixture, kib));
    }
    let (fixture, nine) = last.context("no runs")?;
    let peer = match peer_missing() {
        Some(why) => why,
        None => {
            let kib = peak_rss_kib(&fixture.peer(), &fixture.path("rss-peer.txt"))?
                .context("no RSS figure")?;
            format!(
                "peer (largest process of the pipeline): {:.1} MiB",
                kib as f64 / 1024.0
            )
        }
    };
    Ok(ScenarioResult {
        label: "`signering bundle build` peak RSS, 9 × 1 MiB".to_owned(),
        value: nine as f64 / 1024.0,
        unit: "MiB".to_owned(),
        floor: None,
        peer: None,
        detail: format!(
            "GNU time %M; as documents grow: {}; bound input + 10 MiB = 19 MiB; {peer}",
            series.join(", ")
        ),
        peak_rss_kib: nine,
    })
}
