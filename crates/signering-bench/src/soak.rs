//! The fault soak: a job creator and four pollers (one `posten_adapter::Client` over mutual
//! TLS) against the Posten emulator in another process, with faults injected, while the
//! jobs are signed or rejected through the control API. Afterwards the queue is drained and
//! the invariants are checked:
//!
//! - every job the creator created exists at the emulator and no other (no ghost jobs);
//! - every status change the emulator queued was delivered at least once and confirmed
//!   exactly once (a per-change counter at the emulator, not a flag), and the queue is
//!   empty;
//! - every job's final status (completed or failed, as the driver decided) reached the
//!   pollers' records. Statuses of a job only move forward and a poll shows the job's state
//!   at delivery, so seeing the final state covers every earlier change of the job;
//! - the client process's resident memory is flat: the median of the last quarter of the
//!   samples taken while jobs were created is at most the first quarter's median plus a
//!   bound.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use posten_adapter::{Error as PostenError, Poller, RateLimit};
use signature_core::{FlowKind, JobStatus, SigningJob, StatusChange, StatusQueue};
use signature_emulator::posten::{Fault, FaultRule, QueueStats};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::emulator::{ControlClient, EmulatorOptions, EmulatorProcess};
use crate::jobs::{pdf_like, portal_job};
use crate::rss;

/// Settings of a soak run.
#[derive(Debug, Clone)]
pub struct SoakConfig {
    /// How long jobs are created (the drain comes on top).
    pub duration: Duration,
    /// The binary that serves the emulator with `--serve-emulator`.
    pub emulator_exe: PathBuf,
    /// Target rate of the job creator.
    pub jobs_per_second: f64,
    /// Pollers of the one queue.
    pub pollers: usize,
    /// Allowed growth of the client's RSS: last-quarter median minus first-quarter median.
    pub rss_growth_bound_kib: u64,
    /// Longest wait for the queue to empty after the load phase.
    pub drain_timeout: Duration,
    /// Time between RSS samples.
    pub sample_every: Duration,
    /// Print a progress line this often (`None`: quiet).
    pub progress_every: Option<Duration>,
}

impl SoakConfig {
    /// Defaults for a run of `duration` with the emulator served by `emulator_exe`.
    pub fn new(duration: Duration, emulator_exe: PathBuf) -> Self {
        Self {
            duration,
            emulator_exe,
            jobs_per_second: 10.0,
            pollers: 4,
            rss_growth_bound_kib: 8 * 1024,
            drain_timeout: Duration::from_secs(120),
            sample_every: Duration::from_millis(250),
            progress_every: None,
        }
    }
}

/// The figures of a run and the invariants it broke (none, when it passed).
#[derive(Debug, Clone)]
pub struct SoakReport {
    /// Length of the load phase.
    pub load: Duration,
    /// Length of the drain after it.
    pub drain: Duration,
    /// Jobs the creator got a job id for.
    pub jobs_created: u64,
    /// Create calls that failed (before the service created anything) and were retried.
    pub create_retries: u64,
    /// Signer actions (sign/reject) performed through the control API.
    pub signer_actions: u64,
    /// Handler invocations in the pollers (every delivery the client received).
    pub handled: u64,
    /// Distinct (job, state) pairs among them.
    pub distinct_states: u64,
    /// Jobs whose final status reached the pollers' records.
    pub jobs_final_seen: u64,
    /// The emulator's totals after the drain.
    pub emulator: QueueStats,
    /// RSS samples (KiB) of the client process during the load phase.
    pub rss_samples: Vec<u64>,
    /// Peak RSS (VmHWM, KiB) of the client process at the end.
    pub rss_peak_kib: u64,
    /// The allowed growth.
    pub rss_growth_bound_kib: u64,
    /// Broken invariants.
    pub violations: Vec<String>,
}

impl SoakReport {
    fn quarter_medians(&self) -> (u64, u64) {
        let n = self.rss_samples.len();
        let q = (n / 4).max(1).min(n);
        (
            rss::median(&self.rss_samples[..q]),
            rss::median(&self.rss_samples[n - q..]),
        )
    }

    /// Whether every invariant held.
    pub fn passed(&self) -> bool {
        self.violations.is_empty()
    }
}

impl fmt::Display for SoakReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = &self.emulator;
        let mib = |kib: u64| kib as f64 / 1024.0;
        writeln!(
            f,
            "soak: load {:.1} s, drain {:.1} s",
            self.load.as_secs_f64(),
            self.drain.as_secs_f64()
        )?;
        writeln!(
            f,
            "  jobs created            {:>8}  (emulator: {}, still in progress: {}; create retries after faults: {})",
            self.jobs_created, e.jobs, e.jobs_in_progress, self.create_retries
        )?;
        writeln!(f, "  signer actions          {:>8}", self.signer_actions)?;
        writeln!(
            f,
            "  status changes          {:>8}  (queued at the emulator; unconfirmed now: {}, never delivered: {})",
            e.changes, e.unconfirmed_changes, e.never_delivered_changes
        )?;
        writeln!(
            f,
            "  deliveries              {:>8}  (duplicates delivered: {}, changes delivered more than once: {})",
            e.deliveries,
            e.deliveries - e.changes,
            e.redelivered_changes
        )?;
        writeln!(
            f,
            "  handled by pollers      {:>8}  (distinct job states: {}, repeats handled: {})",
            self.handled,
            self.distinct_states,
            self.handled - self.distinct_states,
        )?;
        writeln!(
            f,
            "  confirmations           {:>8}  (changes confirmed more than once: {}; confirm requests: {}, of which confirmed something: {})",
            e.confirmations,
            e.changes_confirmed_more_than_once,
            e.confirm_requests,
            e.effective_confirm_requests
        )?;
        writeln!(
            f,
            "  final status seen       {:>8}  of {} jobs",
            self.jobs_final_seen, self.jobs_created
        )?;
        let faults: Vec<String> = e
            .faults_injected
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        writeln!(f, "  faults injected         {}", faults.join(", "))?;
        let (first, last) = self.quarter_medians();
        writeln!(
            f,
            "  client RSS (MiB)        start {:.1}, end {:.1}, min {:.1}, max {:.1}, peak (VmHWM) {:.1}; {} samples",
            mib(self.rss_samples.first().copied().unwrap_or(0)),
            mib(self.rss_samples.last().copied().unwrap_or(0)),
            mib(self.rss_samples.iter().copied().min().unwrap_or(0)),
            mib(self.rss_samples.iter().copied().max().unwrap_or(0)),
            mib(self.rss_peak_kib),
            self.rss_samples.len()
        )?;
        writeln!(
            f,
            "  RSS medians (MiB)       first quarter {:.1}, last quarter {:.1}, growth {:+.1} (bound {:.1})",
            mib(first),
            mib(last),
            (last as f64 - first as f64) / 1024.0,
            mib(self.rss_growth_bound_kib)
        )?;
        if self.violations.is_empty() {
            writeln!(f, "  PASSED: every invariant held")
        } else {
            writeln!(f, "  FAILED:")?;
            for v in &self.violations {
                writeln!(f, "  - {v}")?;
            }
            Ok(())
        }
    }
}

/// What the driver decided for a job.
#[derive(Debug, Clone)]
struct Plan {
    signers: usize,
    actions: Vec<&'static str>,
    final_status: JobStatus,
}

impl Plan {
    /// 70 % one signer, 30 % two; 15 % of jobs end with a rejection.
    fn random() -> Self {
        let two = fastrand::u8(..100) < 30;
        let reject = fastrand::u8(..100) < 15;
        let signers = if two { 2 } else { 1 };
        let actions = match (two, reject) {
            (false, false) => vec!["sign"],
            (false, true) => vec!["reject"],
            (true, false) => vec!["sign", "sign"],
            (true, true) if fastrand::bool() => vec!["sign", "reject"],
            (true, true) => vec!["reject"],
        };
        let final_status = if reject {
            JobStatus::Failed
        } else {
            JobStatus::CompletedSuccessfully
        };
        Self {
            signers,
            actions,
            final_status,
        }
    }
}

/// What the pollers saw of one job.
#[derive(Debug, Default)]
struct Seen {
    states: HashSet<String>,
    last_final: Option<JobStatus>,
}

#[derive(Debug, Default)]
struct Records {
    jobs: HashMap<String, Seen>,
    handled: u64,
}

/// The fault rules of the soak, first match wins. Dropping the connection *after* the
/// request was handled is applied to polls and confirms only: on a create it would make a
/// job the creator cannot know about, which the client deliberately never retries.
fn fault_rules() -> Vec<FaultRule> {
    let polls = || {
        FaultRule::new(Fault::Requeue)
            .method("GET")
            .path_contains("/signature-jobs")
    };
    vec![
        FaultRule::new(Fault::DropAfterHandling)
            .method("POST")
            .path_contains("/complete")
            .probability(0.04),
        FaultRule {
            fault: Fault::DropAfterHandling,
            ..polls()
        }
        .probability(0.03),
        polls().probability(0.03),
        FaultRule::new(Fault::DropConnection).probability(0.02),
        FaultRule::new(Fault::Status { status: 500 }).probability(0.03),
        FaultRule::new(Fault::Status { status: 503 }).probability(0.01),
        FaultRule::new(Fault::Delay { millis: 700 }).probability(0.02),
        // Longer than the requeue delay: the change comes back while its confirm is slow.
        FaultRule::new(Fault::Delay { millis: 2500 }).probability(0.005),
    ]
}

/// A burst of 429 for the next requests, whatever they are.
fn burst() -> FaultRule {
    FaultRule::new(Fault::TooManyRequests {
        next_poll_in_millis: 300,
    })
    .times(12)
}

/// Runs the soak and checks the invariants (the report lists the broken ones).
///
/// # Errors
///
/// Set-up failures (emulator process, client) and unexpected errors of the driver itself.
pub async fn run(config: &SoakConfig) -> anyhow::Result<SoakReport> {
    let emulator = EmulatorProcess::start(
        &config.emulator_exe,
        &EmulatorOptions {
            poll_interval: Duration::from_millis(100),
            requeue_after: Duration::from_millis(1500),
            pades_padding: 0,
        },
    )
    .await?;
    let result = soak(config, &emulator).await;
    emulator.stop().await;
    result
}

async fn soak(config: &SoakConfig, emulator: &EmulatorProcess) -> anyhow::Result<SoakReport> {
    // One client for creator and pollers, as an application would have. The rate limit is
    // raised so the limiter's code path runs without being the bottleneck (the emulator
    // has no DoS filter).
    let client = emulator
        .client_builder()?
        .rate_limit(Some(RateLimit::per_second(500)))
        .build()?;
    let control = emulator.control()?;
    for rule in fault_rules() {
        control.inject(&rule).await?;
    }

    let (stop_tx, stop_rx) = watch::channel(false);
    let records = Arc::new(Mutex::new(Records::default()));
    let mut pollers = JoinSet::new();
    for _ in 0..config.pollers {
        let poller = Poller::new(client.clone(), StatusQueue::new(FlowKind::Portal))
            .idle_wait(Duration::from_millis(100))
            .error_backoff(Duration::from_millis(50), Duration::from_secs(1));
        let records = Arc::clone(&records);
        let mut stop = stop_rx.clone();
        pollers.spawn(async move {
            let handler = move |change: StatusChange| {
                let records = Arc::clone(&records);
                async move {
                    record(&records, &change);
                    Ok::<(), std::convert::Infallible>(())
                }
            };
            poller
                .run_until(handler, async move {
                    let _ = stop.wait_for(|stopped| *stopped).await;
                })
                .await
        });
    }

    // RSS sampler (load phase only).
    let samples = Arc::new(Mutex::new(Vec::<u64>::new()));
    let (load_done_tx, load_done_rx) = watch::channel(false);
    let sampler = {
        let samples = Arc::clone(&samples);
        let every = config.sample_every;
        let mut done = load_done_rx.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            loop {
                tokio::select! {
                    _ = tick.tick() => {
                        if let Some(kib) = rss::current_kib() {
                            lock(&samples).push(kib);
                        }
                    }
                    _ = done.changed() => return,
                }
            }
        })
    };
    // 429 bursts every few seconds.
    let bursts = {
        let control = control.clone();
        let mut done = load_done_rx.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(4));
            loop {
                tokio::select! {
                    _ = tick.tick() => { let _ = control.inject(&burst()).await; }
                    _ = done.changed() => return,
                }
            }
        })
    };

    // The creator, with a signing task per job.
    let started = Instant::now();
    let document = pdf_like(7, 16 * 1024);
    let mut expected: HashMap<String, JobStatus> = HashMap::new();
    let mut signing = JoinSet::new();
    let actions = Arc::new(AtomicU64::new(0));
    let mut create_retries = 0u64;
    let mut created = 0u64;
    let mut last_progress = Instant::now();
    while started.elapsed() < config.duration {
        let due = started + Duration::from_secs_f64(created as f64 / config.jobs_per_second);
        tokio::time::sleep_until(due.into()).await;
        let plan = Plan::random();
        let job = portal_job(&format!("soak-{created}"), plan.signers, document.clone())?;
        let id = create(&client, &job, &mut create_retries).await?;
        let number: i64 = id
            .parse()
            .with_context(|| format!("job id {id:?} is not a number"))?;
        expected.insert(id, plan.final_status.clone());
        created += 1;
        let (control, actions) = (control.clone(), Arc::clone(&actions));
        signing.spawn(async move { sign(&control, number, &plan, &actions).await });
        while let Some(done) = signing.try_join_next() {
            done??;
        }
        if let Some(every) = config.progress_every
            && last_progress.elapsed() >= every
        {
            last_progress = Instant::now();
            let r = lock(&records);
            eprintln!(
                "soak: {:>4.0} s, {created} jobs created, {} deliveries handled, RSS {} KiB",
                started.elapsed().as_secs_f64(),
                r.handled,
                rss::current_kib().unwrap_or(0)
            );
        }
    }
    let load = started.elapsed();
    let _ = load_done_tx.send(true);
    let _ = sampler.await;
    let _ = bursts.await;

    // Drain: the remaining signer actions, then no more faults, then wait for the queue.
    while let Some(done) = signing.join_next().await {
        done??;
    }
    let signer_actions = actions.load(Ordering::Relaxed);
    control.clear_faults().await?;
    let drain_started = Instant::now();
    loop {
        let stats = control.stats().await?;
        let finals = final_seen(&records, &expected);
        if stats.unconfirmed_changes == 0
            && stats.jobs_in_progress == 0
            && finals == expected.len() as u64
        {
            break;
        }
        if drain_started.elapsed() > config.drain_timeout {
            break; // the checks below report what is missing
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let drain = drain_started.elapsed();
    let _ = stop_tx.send(true);
    while let Some(ended) = pollers.join_next().await {
        if let Err(error) = ended? {
            bail!("a poller stopped with an error no wait can fix: {error}");
        }
    }
    let emulator_stats = control.stats().await?;

    let rss_samples = lock(&samples).clone();
    let records = lock(&records);
    let mut report = SoakReport {
        load,
        drain,
        jobs_created: created,
        create_retries,
        signer_actions,
        handled: records.handled,
        distinct_states: records.jobs.values().map(|s| s.states.len() as u64).sum(),
        jobs_final_seen: 0,
        emulator: emulator_stats,
        // VmRSS and VmHWM are updated lazily by the kernel; take the larger.
        rss_peak_kib: rss::peak_kib()
            .unwrap_or(0)
            .max(rss_samples.iter().copied().max().unwrap_or(0)),
        rss_samples,
        rss_growth_bound_kib: config.rss_growth_bound_kib,
        violations: Vec::new(),
    };
    let mut missing = Vec::new();
    for (id, status) in &expected {
        match records.jobs.get(id).and_then(|s| s.last_final.as_ref()) {
            Some(seen) if seen == status => report.jobs_final_seen += 1,
            Some(seen) => report.violations.push(format!(
                "job {id}: pollers saw final {seen}, expected {status}"
            )),
            None => missing.push(id.clone()),
        }
    }
    drop(records);
    check(&mut report, &missing);
    Ok(report)
}

fn check(report: &mut SoakReport, missing: &[String]) {
    let e = report.emulator.clone();
    let (first, last) = report.quarter_medians();
    let (samples, bound) = (report.rss_samples.len(), report.rss_growth_bound_kib);
    let v = &mut report.violations;
    if !missing.is_empty() {
        v.push(format!(
            "{} jobs never reached their final status in the pollers' records (e.g. {:?})",
            missing.len(),
            &missing[..missing.len().min(10)]
        ));
    }
    if e.jobs != report.jobs_created as i64 {
        v.push(format!(
            "the emulator has {} jobs, the creator created {}",
            e.jobs, report.jobs_created
        ));
    }
    if e.jobs_in_progress != 0 {
        v.push(format!("{} jobs still in progress", e.jobs_in_progress));
    }
    if e.changes != report.signer_actions as i64 {
        v.push(format!(
            "{} status changes queued for {} signer actions",
            e.changes, report.signer_actions
        ));
    }
    if e.unconfirmed_changes != 0 {
        v.push(format!(
            "the queue is not empty: {} unconfirmed changes",
            e.unconfirmed_changes
        ));
    }
    if e.never_delivered_changes != 0 {
        v.push(format!(
            "{} changes never delivered",
            e.never_delivered_changes
        ));
    }
    if e.changes_confirmed_more_than_once != 0 || e.confirmations != e.changes {
        v.push(format!(
            "confirmations: {} for {} changes, {} changes confirmed more than once",
            e.confirmations, e.changes, e.changes_confirmed_more_than_once
        ));
    }
    if !e.irregular_jobs.is_empty() {
        v.push(format!(
            "jobs with a change not delivered or not confirmed exactly once: {:?}",
            e.irregular_jobs
        ));
    }
    for kind in [
        "drop_connection",
        "drop_after_handling",
        "status",
        "delay",
        "too_many_requests",
        "requeue",
    ] {
        if e.faults_injected.get(kind).copied().unwrap_or(0) == 0 {
            v.push(format!("no fault of kind {kind} was injected"));
        }
    }
    if samples < 8 {
        v.push(format!("only {samples} RSS samples: run longer"));
    } else if last > first + bound {
        v.push(format!(
            "client memory grew: last-quarter median {last} KiB > first-quarter median {first} KiB + {bound} KiB"
        ));
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The handler: remembers the state and the final status per job.
fn record(records: &Mutex<Records>, change: &StatusChange) {
    let signers: Vec<String> = change
        .signers
        .iter()
        .map(|s| s.status.to_string())
        .collect();
    let state = format!("{} {}", change.status, signers.join(","));
    let mut records = lock(records);
    records.handled += 1;
    let seen = records
        .jobs
        .entry(change.job_id.as_str().to_owned())
        .or_default();
    seen.states.insert(state);
    if change.status.is_final() {
        seen.last_final = Some(change.status.clone());
    }
}

fn final_seen(records: &Mutex<Records>, expected: &HashMap<String, JobStatus>) -> u64 {
    let records = lock(records);
    expected
        .iter()
        .filter(|(id, status)| {
            records
                .jobs
                .get(*id)
                .and_then(|s| s.last_final.as_ref())
                .is_some_and(|seen| seen == *status)
        })
        .count() as u64
}

/// Creates the job, retrying failures that mean "not created" (the faults on creates all
/// strike before the emulator handles the request).
async fn create(
    client: &posten_adapter::Client,
    job: &SigningJob,
    retries: &mut u64,
) -> anyhow::Result<String> {
    let mut attempt = 0u32;
    loop {
        match client.create_job(job).await {
            Ok(created) => return Ok(created.id.as_str().to_owned()),
            Err(error) if error.is_transient() && !matches!(error, PostenError::Timeout(_)) => {
                attempt += 1;
                *retries += 1;
                if attempt > 50 {
                    bail!("creating a job failed 50 times in a row: {error}");
                }
                let wait = error
                    .retry_at()
                    .map(|at| {
                        Duration::try_from(at - time::OffsetDateTime::now_utc()).unwrap_or_default()
                    })
                    .unwrap_or(Duration::from_millis(50))
                    .min(Duration::from_secs(2));
                tokio::time::sleep(wait).await;
            }
            Err(error) => return Err(error).context("creating a job"),
        }
    }
}

/// The signers act after short random delays.
async fn sign(
    control: &ControlClient,
    job: i64,
    plan: &Plan,
    performed: &AtomicU64,
) -> anyhow::Result<()> {
    for (i, action) in plan.actions.iter().enumerate() {
        tokio::time::sleep(Duration::from_millis(fastrand::u64(..800))).await;
        let signer = i + 1;
        if !control.act(job, signer, action).await? {
            bail!("the emulator refused {action} by signer {signer} of job {job}");
        }
        performed.fetch_add(1, Ordering::Relaxed);
    }
    Ok(())
}
