//! The benchmarks behind `cargo xtask bench`: each scenario runs in its own child process
//! (`bench --scenario NAME`), which prints one JSON line with its figure and its own peak
//! RSS (VmHWM); the parent prints one table. Scenarios that talk to the emulator start it
//! in yet another process, so the peak RSS is the client's alone.

use std::hint::black_box;
use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use asice::{BuildOptions, BundleFile, Clock, FixedClock, SigningKey};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeyPair as RsaKeyPair;
use aws_lc_rs::signature::RSA_PKCS1_SHA256;
use posten_adapter::{Client, Poller};
use serde::{Deserialize, Serialize};
use signature_core::{ArtifactRef, FlowKind, PollResult, StatusChange, StatusQueue};
use tokio::task::JoinSet;

use crate::emulator::{EmulatorOptions, EmulatorProcess};
use crate::jobs::{pdf_like, portal_job, test_key};
use crate::rss;
use crate::whole_process;

/// The scenarios, in table order.
pub const SCENARIOS: [&str; 10] = [
    "bundle-1x3MiB",
    "bundle-20x500KiB",
    crate::token::SCENARIO,
    "cli-bundle-1x3MiB",
    "cli-bundle-20x500KiB",
    "cli-rss",
    "emulator-start",
    "create-jobs",
    "poll-changes",
    "pades-download",
];

/// What one scenario measured.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScenarioResult {
    /// What was measured, for the table.
    pub label: String,
    /// The figure.
    pub value: f64,
    /// Its unit (`ms`, `jobs/s`, …).
    pub unit: String,
    /// The floor measured in the same run, same unit, when there is one.
    pub floor: Option<f64>,
    /// A peer doing the same job, measured in the same run, same unit, when there is one.
    #[serde(default)]
    pub peer: Option<f64>,
    /// How it was measured (iterations, sizes).
    pub detail: String,
    /// Peak RSS of the scenario's process (VmHWM), KiB.
    pub peak_rss_kib: u64,
}

/// Runs scenario `name` in this process.
///
/// # Errors
///
/// An unknown name, or the scenario's failure.
pub async fn run_scenario(name: &str, exe: &Path) -> anyhow::Result<ScenarioResult> {
    let mut result = match name {
        "bundle-1x3MiB" => bundle("bundle build+sign, 1 × 3 MiB", &[3 * 1024 * 1024])?,
        "bundle-20x500KiB" => bundle("bundle build+sign, 20 × 500 KiB", &[500 * 1024; 20])?,
        "cli-bundle-1x3MiB" => whole_process::cli_bundle(
            "`signering bundle build`, 1 × 3 MiB",
            &[3 * 1024 * 1024],
            exe,
        )?,
        "cli-bundle-20x500KiB" => whole_process::cli_bundle(
            "`signering bundle build`, 20 × 500 KiB",
            &[500 * 1024; 20],
            exe,
        )?,
        crate::token::SCENARIO => crate::token::run()?,
        "cli-rss" => whole_process::cli_rss(exe)?,
        "emulator-start" => crate::startup::emulator_start().await?,
        "create-jobs" => create_jobs(exe).await?,
        "poll-changes" => poll_changes(exe).await?,
        "pades-download" => pades_download(exe).await?,
        other => bail!(
            "unknown scenario {other:?}; known: {}",
            SCENARIOS.join(", ")
        ),
    };
    // Scenarios that measure another process report its peak; the others this process's.
    if result.peak_rss_kib == 0 {
        result.peak_rss_kib = rss::peak_kib().unwrap_or(0);
    }
    Ok(result)
}

/// Runs every scenario in a child process `exe --scenario NAME` and collects the results.
///
/// # Errors
///
/// A child that fails or prints no result.
pub fn run_all(exe: &Path) -> anyhow::Result<Vec<ScenarioResult>> {
    let mut results = Vec::new();
    for name in SCENARIOS {
        eprintln!("bench: {name} …");
        let mut command = std::process::Command::new(exe);
        // The token lives as long as its scenario's process.
        let mut _token = None;
        if name == crate::token::SCENARIO {
            match crate::token::prepare() {
                Ok(hsm) => {
                    crate::token::configure(&mut command, &hsm);
                    _token = Some(hsm);
                }
                Err(why) => {
                    eprintln!("bench: {name} skipped: {why}");
                    results.push(crate::token::skipped(&why));
                    continue;
                }
            }
        }
        let output = command
            .args(["--scenario", name])
            .stderr(Stdio::inherit())
            .output()
            .with_context(|| format!("running scenario {name}"))?;
        if !output.status.success() {
            bail!("scenario {name} failed ({})", output.status);
        }
        let stdout = String::from_utf8_lossy(&output.stdout);
        let line = stdout
            .lines()
            .rev()
            .find(|l| l.starts_with('{'))
            .with_context(|| format!("scenario {name} printed no result"))?;
        results.push(serde_json::from_str(line)?);
    }
    Ok(results)
}

/// The table (Markdown), with the machine and the time.
pub fn table(results: &[ScenarioResult], load_before: &str, load_after: &str) -> String {
    let mut out = String::new();
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let date = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    out.push_str(&format!(
        "machine: {cpu}, {cores} cores; {date}; load average before {load_before}, after {load_after}\n\n"
    ));
    out.push_str(
        "| scenario | result | floor (same run) | ratio | peer (same run) | peer ÷ ours | peak RSS | how |\n",
    );
    out.push_str("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
    let against = |reference: Option<f64>, unit: &str, ratio: &dyn Fn(f64) -> f64| match reference {
        Some(x) if x > 0.0 => (
            format!("{} {unit}", fmt_value(x)),
            format!("{:.2}×", ratio(x)),
        ),
        _ => ("–".to_owned(), "–".to_owned()),
    };
    for r in results {
        if r.value.is_nan() {
            // A skipped row: its reason in place of the figures.
            out.push_str(&format!(
                "| {} | – | – | – | – | – | – | {} |\n",
                r.label, r.detail
            ));
            continue;
        }
        let (floor, floor_ratio) = against(r.floor, &r.unit, &|f| r.value / f);
        let (peer, peer_ratio) = against(r.peer, &r.unit, &|p| p / r.value);
        out.push_str(&format!(
            "| {} | {} {} | {} | {} | {} | {} | {:.1} MiB | {} |\n",
            r.label,
            fmt_value(r.value),
            r.unit,
            floor,
            floor_ratio,
            peer,
            peer_ratio,
            r.peak_rss_kib as f64 / 1024.0,
            r.detail
        ));
    }
    out
}

fn fmt_value(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// The load average, from `/proc/loadavg`.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_owned())
}

/// Median time of `f` over at least 10 runs and about 3 s, after 3 warm-up runs.
pub(crate) fn median_time(mut f: impl FnMut()) -> (Duration, usize) {
    for _ in 0..3 {
        f();
    }
    let mut times = Vec::new();
    let started = Instant::now();
    while times.len() < 10 || (started.elapsed() < Duration::from_secs(3) && times.len() < 500) {
        let t = Instant::now();
        f();
        times.push(t.elapsed());
    }
    times.sort_unstable();
    (times[times.len() / 2], times.len())
}

/// Median time of building and signing `files` with `key`, as [`median_time`] runs it; fails
/// with the build's error if any run fails.
pub(crate) fn median_build(
    files: &[BundleFile<'_>],
    key: &SigningKey,
    clock: &dyn Clock,
) -> anyhow::Result<(Duration, usize)> {
    let mut error = None;
    let timed = median_time(
        || match asice::build(files, key, clock, &BuildOptions::default()) {
            Ok(zip) => {
                black_box(zip);
            }
            Err(e) => error = Some(e),
        },
    );
    if let Some(e) = error {
        bail!("asice::build: {e}");
    }
    Ok(timed)
}

/// Build + sign a bundle of PDF-like files of `sizes` (plus a small manifest) against the
/// floor: SHA-256 over the same bytes plus one RSA-2048 PKCS#1 v1.5 signature (aws-lc-rs).
fn bundle(label: &str, sizes: &[usize]) -> anyhow::Result<ScenarioResult> {
    let (pki, key) = test_key()?;
    let raw =
        RsaKeyPair::from_pkcs8(&pki.key_pkcs8_der).map_err(|e| anyhow::anyhow!("test key: {e}"))?;
    let clock = FixedClock(time::OffsetDateTime::now_utc());
    let manifest = b"<?xml version=\"1.0\"?><manifest/>".to_vec();
    let payloads: Vec<(String, Vec<u8>)> = sizes
        .iter()
        .enumerate()
        .map(|(i, len)| (format!("dokument_{i}.pdf"), pdf_like(i as u32, *len)))
        .collect();
    let files: Vec<BundleFile<'_>> = payloads
        .iter()
        .map(|(n, b)| BundleFile::new(n, b, "application/pdf"))
        .chain([BundleFile::new(
            "manifest.xml",
            &manifest,
            "application/xml",
        )])
        .collect();
    let rng = SystemRandom::new();
    let mut signature = vec![0; raw.public_modulus_len()];
    let mut floor_error = None;
    let (floor, _) = median_time(|| {
        for f in &files {
            black_box(aws_lc_rs::digest::digest(
                &aws_lc_rs::digest::SHA256,
                f.bytes,
            ));
        }
        if let Err(e) = raw.sign(&RSA_PKCS1_SHA256, &rng, b"signed info", &mut signature) {
            floor_error = Some(e);
        }
        black_box(&signature);
    });
    if let Some(e) = floor_error {
        bail!("RSA signature: {e}");
    }
    let (built, runs) = median_build(&files, &key, &clock)?;
    Ok(ScenarioResult {
        label: label.to_owned(),
        value: built.as_secs_f64() * 1000.0,
        unit: "ms".to_owned(),
        floor: Some(floor.as_secs_f64() * 1000.0),
        peer: None,
        detail: format!(
            "median of {runs} runs, Compression::Auto; floor = SHA-256 of the bytes + 1 RSA-2048 signature"
        ),
        peak_rss_kib: 0,
    })
}

/// A client for the emulator with the client-side rate limiter off.
fn unlimited_client(emulator: &EmulatorProcess) -> anyhow::Result<Client> {
    Ok(emulator.client_builder()?.rate_limit(None).build()?)
}

/// Creates `count` one-signer portal jobs with `concurrency` tasks; returns their numbers.
async fn create_many(
    client: &Client,
    count: usize,
    concurrency: usize,
    document_len: usize,
) -> anyhow::Result<Vec<i64>> {
    let next = Arc::new(AtomicU64::new(0));
    let document = Arc::new(pdf_like(3, document_len));
    let mut tasks = JoinSet::new();
    for _ in 0..concurrency {
        let (client, next, document) = (client.clone(), Arc::clone(&next), Arc::clone(&document));
        tasks.spawn(async move {
            let mut ids = Vec::new();
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= count as u64 {
                    return Ok::<_, anyhow::Error>(ids);
                }
                let job = portal_job(&format!("bench-{n}"), 1, document.as_ref().clone())?;
                let created = client.create_job(&job).await?;
                ids.push(created.id.as_str().parse::<i64>()?);
            }
        });
    }
    let mut ids = Vec::new();
    while let Some(done) = tasks.join_next().await {
        ids.extend(done??);
    }
    Ok(ids)
}

/// Jobs created per second over mutual TLS, rate limiter off.
async fn create_jobs(exe: &Path) -> anyhow::Result<ScenarioResult> {
    let emulator = EmulatorProcess::start(exe, &EmulatorOptions::default()).await?;
    let client = unlimited_client(&emulator)?;
    let (count, concurrency, doc) = (300, 4, 100 * 1024);
    create_many(&client, 10, 2, doc).await?; // warm-up: connections, TLS sessions
    let started = Instant::now();
    create_many(&client, count, concurrency, doc).await?;
    let elapsed = started.elapsed();
    emulator.stop().await;
    Ok(ScenarioResult {
        label: "jobs created per second (mTLS, limiter off)".to_owned(),
        value: count as f64 / elapsed.as_secs_f64(),
        unit: "jobs/s".to_owned(),
        floor: None,
        peer: None,
        detail: format!(
            "{count} portal jobs, 1 signer, 1 × 100 KiB PDF, {concurrency} concurrent; includes bundle signing (client) and XAdES verification (emulator) on the same 2 cores"
        ),
        peak_rss_kib: 0,
    })
}

/// Status changes processed per second by one poller (handler records, then confirm).
async fn poll_changes(exe: &Path) -> anyhow::Result<ScenarioResult> {
    let emulator = EmulatorProcess::start(exe, &EmulatorOptions::default()).await?;
    let client = unlimited_client(&emulator)?;
    let control = emulator.control()?;
    let count = 500usize;
    let ids = create_many(&client, count, 4, 4 * 1024).await?;
    // Sign them all (16 at a time), so `count` changes wait in the queue.
    let ids = Arc::new(ids);
    let next = Arc::new(AtomicU64::new(0));
    let mut tasks = JoinSet::new();
    for _ in 0..16 {
        let (control, ids, next) = (control.clone(), Arc::clone(&ids), Arc::clone(&next));
        tasks.spawn(async move {
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed) as usize;
                let Some(id) = ids.get(n) else {
                    return Ok::<_, anyhow::Error>(());
                };
                if !control.act(*id, 1, "sign").await? {
                    bail!("job {id} could not be signed");
                }
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    let stats = control.stats().await?;
    if stats.changes != count as i64 {
        bail!("{} changes queued, expected {count}", stats.changes);
    }
    let handled = Arc::new(AtomicU64::new(0));
    let (done_tx, mut done_rx) = tokio::sync::watch::channel(false);
    let poller = Poller::new(client.clone(), StatusQueue::new(FlowKind::Portal));
    let started = Instant::now();
    let counter = Arc::clone(&handled);
    poller
        .run_until(
            move |change: StatusChange| {
                let counter = Arc::clone(&counter);
                let done_tx = done_tx.clone();
                async move {
                    black_box(change);
                    if counter.fetch_add(1, Ordering::Relaxed) + 1 >= count as u64 {
                        let _ = done_tx.send(true);
                    }
                    Ok::<(), std::convert::Infallible>(())
                }
            },
            async move {
                let _ = done_rx.wait_for(|d| *d).await;
            },
        )
        .await?;
    let elapsed = started.elapsed();
    let stats = control.stats().await?;
    emulator.stop().await;
    if stats.unconfirmed_changes != 0 {
        bail!("{} changes left unconfirmed", stats.unconfirmed_changes);
    }
    Ok(ScenarioResult {
        label: "status changes processed per second (1 poller)".to_owned(),
        value: count as f64 / elapsed.as_secs_f64(),
        unit: "changes/s".to_owned(),
        floor: None,
        peer: None,
        detail: format!(
            "{count} queued changes, poll + handle + confirm each, limiter off, emulator poll throttle not reached (changes pending)"
        ),
        peak_rss_kib: 0,
    })
}

/// PAdES download throughput (streamed into a sink).
async fn pades_download(exe: &Path) -> anyhow::Result<ScenarioResult> {
    let padding = 64 * 1024 * 1024;
    let emulator = EmulatorProcess::start(
        exe,
        &EmulatorOptions {
            pades_padding: padding,
            ..EmulatorOptions::default()
        },
    )
    .await?;
    let client = unlimited_client(&emulator)?;
    let control = emulator.control()?;
    let ids = create_many(&client, 1, 1, 16 * 1024).await?;
    let id = *ids.first().context("no job created")?;
    if !control.act(id, 1, "sign").await? {
        bail!("job {id} could not be signed");
    }
    let started = Instant::now();
    let pades: ArtifactRef = loop {
        match client.poll(&StatusQueue::new(FlowKind::Portal)).await {
            Ok(PollResult::Change(change)) => {
                if let Some(confirmation) = &change.confirmation {
                    client.confirm(confirmation).await?;
                }
                if let Some(pades) = change.pades().cloned() {
                    break pades;
                }
            }
            Ok(_) | Err(posten_adapter::Error::TooEagerPolling { .. }) => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(other) => return Err(other.into()),
        }
        if started.elapsed() > Duration::from_secs(60) {
            bail!("no PAdES within a minute");
        }
    };
    let mut sink = tokio::io::sink();
    client.download(&pades, &mut sink).await?; // warm-up
    let rounds = 8;
    let started = Instant::now();
    let mut bytes = 0u64;
    for _ in 0..rounds {
        bytes += client.download(&pades, &mut sink).await?;
    }
    let elapsed = started.elapsed();
    emulator.stop().await;
    Ok(ScenarioResult {
        label: "PAdES download".to_owned(),
        value: bytes as f64 / (1024.0 * 1024.0) / elapsed.as_secs_f64(),
        unit: "MiB/s".to_owned(),
        floor: None,
        peer: None,
        detail: format!(
            "{rounds} downloads of {:.1} MiB over mTLS into a sink (streamed); the emulator generates the PDF on the same cores",
            bytes as f64 / rounds as f64 / (1024.0 * 1024.0)
        ),
        peak_rss_kib: 0,
    })
}
