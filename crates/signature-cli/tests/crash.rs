//! Crash safety, measured: `signering poll` and `signering job create --batch` are killed
//! with SIGKILL many times against the in-process Posten emulator, at chosen points (a
//! handler running, between a handled change and its confirmation, mid-download, a job
//! created at Posten but not yet journaled) and at random moments, then resumed.
//!
//! Checked for `poll --follow --confirm --download DIR --exec HOOK`: no status change is
//! lost (each is handled by the hook at least once and confirmed exactly once, the
//! emulator's per-change counters say so) and none is confirmed before a run of its handler
//! succeeded; no downloaded file under its final name is partial. Counted for the batch:
//! duplicate jobs (the at-least-once edge that Posten's API cannot close: it has no lookup
//! by reference), missing jobs (must be none), and that each duplicate was announced.
//!
//! `SIGNERING_CRASH_KILLS=N` sets the number of kills of each test (default 30, a few
//! seconds each); `cargo xtask crash --kills 200` runs both in release and prints the report.

#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::process::CommandExt as _;
use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use serde_json::Value;
use signature_emulator::posten::{Fault, FaultRule, PostenEmulator, QueueStats, RunningEmulator};
use support::{runtime, write_posten_folder};

const SENDER: &str = signature_emulator::posten::DEFAULT_CLIENT_ORGANIZATION_NUMBER;
const PINS: [&str; 2] = ["24068110048", "01017010170"];
const PASSWORD_VAR: &str = "SIGNERING_TEST_P12_PASSWORD";
const PASSWORD: &str = "krasj-test passord";
const PDF: &[u8] =
    b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
/// Extra bytes in every PAdES, so that a download takes long enough to be killed in.
const PADES_PADDING: u64 = 6 << 20;

/// The handler: logs `start LINE`, works for a while, logs `done LINE`, succeeds.
const HOOK: &str = "#!/bin/sh\n\
    change=$(cat)\n\
    printf 'start %s\\n' \"$change\" >> \"$CRASH_LOG\"\n\
    sleep 0.1\n\
    printf 'done %s\\n' \"$change\" >> \"$CRASH_LOG\"\n";

fn kills() -> usize {
    std::env::var("SIGNERING_CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30)
}

/// A uniform random duration in `[0, max)`.
fn random_up_to(max: Duration) -> Duration {
    use std::hash::{BuildHasher as _, Hasher as _};
    // Each RandomState has fresh random keys: enough randomness for kill times.
    let bits = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    max.mul_f64((bits >> 11) as f64 / (1u64 << 53) as f64)
}

/// The emulator and a folder with `signering.toml`, key store, CA and documents.
struct Setup {
    emulator: RunningEmulator,
    dir: tempfile::TempDir,
}

impl Setup {
    fn start() -> Self {
        let emulator = runtime()
            .block_on(
                PostenEmulator::builder()
                    .client(SENDER)
                    .without_rate_limit()
                    .poll_interval(Duration::from_millis(20))
                    // A change delivered but not confirmed (its poller killed) comes back soon.
                    .requeue_after(Duration::from_millis(300))
                    .pades_padding(PADES_PADDING)
                    .start(),
            )
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let password = (PASSWORD_VAR, PASSWORD);
        write_posten_folder(
            &emulator,
            dir.path(),
            SENDER,
            password,
            "rate_limit = 1000\n",
        );
        std::fs::write(dir.path().join("contract.pdf"), PDF).unwrap();
        std::fs::write(dir.path().join("hook.sh"), HOOK).unwrap();
        Self { emulator, dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `signering ARGS` started in its own process group, output into `NAME.out`/`.err`.
    fn spawn(&self, args: &[&str], name: &str) -> Child {
        let mut command = support::command();
        command
            .args(args)
            .current_dir(self.path())
            .stdout(std::fs::File::create(self.path().join(format!("{name}.out"))).unwrap())
            .stderr(std::fs::File::create(self.path().join(format!("{name}.err"))).unwrap())
            .process_group(0)
            .env(PASSWORD_VAR, PASSWORD)
            .env("CRASH_LOG", self.path().join("handled.log"));
        command.spawn().unwrap()
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path().join(name)).unwrap_or_default()
    }

    fn stats(&self) -> QueueStats {
        runtime().block_on(self.emulator.control().stats()).unwrap()
    }

    fn job(&self, id: i64) -> signature_emulator::posten::JobSnapshot {
        runtime().block_on(self.emulator.control().job(id)).unwrap()
    }
}

/// SIGKILL to the whole process group (the poller and its handler), then reaped.
fn kill_group(child: &mut Child) {
    let killed = Command::new("sh")
        .args(["-c", &format!("kill -9 -{} 2>/dev/null", child.id())])
        .status()
        .unwrap();
    // The group may have ended on its own (a batch that finished): then kill fails.
    let _ = killed;
    child.wait().unwrap();
}

/// `job:SIGNED-COUNT` for one logged JSON line: a change's identity, since each job has at
/// most one unconfirmed change at a time in these tests and statuses only move forward.
fn change_key(line: &Value) -> String {
    let signed = line["signers"]
        .as_array()
        .map_or(0, |s| s.iter().filter(|s| s["status"] == "SIGNED").count());
    format!("{}:{signed}", line["job_id"].as_str().unwrap_or("?"))
}

/// The hook's log: changes started and changes done (a torn last line is skipped).
fn handled(setup: &Setup) -> (Vec<String>, Vec<String>) {
    let (mut started, mut done) = (Vec::new(), Vec::new());
    for line in setup.read("handled.log").lines() {
        let (kind, json) = line.split_once(' ').unwrap_or(("", ""));
        let Ok(value) = serde_json::from_str::<Value>(json) else {
            continue;
        };
        match kind {
            "start" => started.push(change_key(&value)),
            "done" => done.push(change_key(&value)),
            _ => {}
        }
    }
    (started, done)
}

/// Creates `count` portal jobs with `signers` signers through a batch; returns their ids.
fn create_jobs(setup: &Setup, name: &str, count: usize, signers: usize) -> Vec<i64> {
    let lines: Vec<String> = (1..=count)
        .map(|n| {
            let pins: Vec<String> = PINS[..signers].iter().map(|p| format!("\"{p}\"")).collect();
            format!(
                r#"{{"title":"Krasj {n}","reference":"{name}-{n}","signers":[{}],"documents":["contract.pdf"]}}"#,
                pins.join(",")
            )
        })
        .collect();
    let input = format!("{name}.jsonl");
    std::fs::write(setup.path().join(&input), lines.join("\n") + "\n").unwrap();
    let mut child = setup.spawn(&["--json", "job", "create", "--batch", &input], name);
    assert!(
        child.wait().unwrap().success(),
        "{}",
        setup.read(&format!("{name}.err"))
    );
    let summary: Value = serde_json::from_str(&setup.read(&format!("{name}.out"))).unwrap();
    summary["created"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["job_id"].as_str().unwrap().parse().unwrap())
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Phase {
    HandlerRunning,
    BetweenHandleAndConfirm,
    MidDownload,
    Random,
}

/// The signer actions the test made, and what it knows of each job.
struct Jobs {
    /// Job id → signers signed so far (each signature queues one change).
    signed: BTreeMap<i64, usize>,
    /// Job id → its number of signers.
    signers: BTreeMap<i64, usize>,
}

impl Jobs {
    /// Every change queued so far, as `job:SIGNED-COUNT`.
    fn changes(&self) -> BTreeSet<String> {
        self.signed
            .iter()
            .flat_map(|(job, &n)| (1..=n).map(move |k| format!("{job}:{k}")))
            .collect()
    }

    /// Jobs with a queued change not confirmed yet.
    fn pending(&self, setup: &Setup) -> Vec<i64> {
        self.signed
            .iter()
            .filter(|&(_, &n)| n > 0)
            .map(|(&job, _)| job)
            .filter(|&job| {
                let snapshot = setup.job(job);
                snapshot.confirmed_changes < snapshot.status_changes
            })
            .collect()
    }

    /// Whether a pending change completes its job (it carries a PAdES to download).
    fn completion_pending(&self, setup: &Setup) -> bool {
        self.pending(setup)
            .iter()
            .any(|job| self.signed[job] == self.signers[job])
    }

    /// Signs the next signer of a job without an unconfirmed change; `completing` prefers a
    /// job whose last signer this is.
    fn act(&mut self, setup: &Setup, completing: bool) -> bool {
        let pending: BTreeSet<i64> = self.pending(setup).into_iter().collect();
        let candidates: Vec<i64> = self
            .signed
            .iter()
            .filter(|&(job, &n)| n < self.signers[job] && !pending.contains(job))
            .map(|(&job, _)| job)
            .collect();
        let pick = candidates
            .iter()
            .find(|&&job| !completing || self.signed[&job] + 1 == self.signers[&job])
            .or(candidates.first());
        let Some(&job) = pick else { return false };
        let signer = self.signed[&job] + 1;
        runtime()
            .block_on(setup.emulator.control().sign(job, signer as i64))
            .unwrap();
        self.signed.insert(job, signer);
        true
    }

    /// Changes confirmed at the emulator: per job the first `confirmed_changes` ones.
    fn confirmed(&self, setup: &Setup) -> BTreeSet<String> {
        self.signed
            .iter()
            .filter(|&(_, &n)| n > 0)
            .flat_map(|(&job, _)| {
                let c = setup.job(job).confirmed_changes;
                (1..=c).map(move |k| format!("{job}:{k}"))
            })
            .collect()
    }
}

/// Waits until `reached` or `limit`; whether it was reached.
fn wait_for(limit: Duration, mut reached: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if reached() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    false
}

fn part_file_growing(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .any(|entry| {
            entry
                .file_name()
                .to_string_lossy()
                .ends_with(".pades.pdf.part")
                && entry.metadata().is_ok_and(|m| m.len() > 0)
        })
}

#[test]
fn a_poller_killed_at_any_point_loses_no_change_and_confirms_none_early() {
    let setup = Setup::start();
    let kills = kills();
    let two = create_jobs(&setup, "poll-jobs-2", kills + 4, 2);
    let one = create_jobs(&setup, "poll-jobs-1", kills / 2 + 4, 1);
    let mut jobs = Jobs {
        signed: two.iter().chain(&one).map(|&id| (id, 0)).collect(),
        signers: (two.iter().map(|&id| (id, 2)))
            .chain(one.iter().map(|&id| (id, 1)))
            .collect(),
    };
    let download = setup.path().join("signed");
    let download_arg = download.display().to_string();
    let poll_args = |follow: bool| {
        let mut args = vec!["poll", "--confirm", "--download", &download_arg];
        args.extend(["--exec", "sh hook.sh"]);
        if follow {
            args.push("--follow");
        }
        args
    };
    let phases = [
        Phase::HandlerRunning,
        Phase::BetweenHandleAndConfirm,
        Phase::MidDownload,
        Phase::Random,
    ];
    let mut reached: BTreeMap<Phase, (usize, usize)> = BTreeMap::new();
    let mut confirm_not_applied = 0;
    let mut early: BTreeSet<String> = BTreeSet::new();
    let started = Instant::now();
    for round in 0..kills {
        let phase = phases[round % phases.len()];
        // Two changes waiting, a completing one among them when the PAdES is the target.
        while jobs.pending(&setup).len() < 2 && jobs.act(&setup, false) {}
        if phase == Phase::MidDownload && !jobs.completion_pending(&setup) {
            jobs.act(&setup, true);
        }
        if phase == Phase::BetweenHandleAndConfirm {
            // The confirmation is in flight for a while: the kill lands while it travels.
            setup.emulator.control().inject(
                FaultRule::new(Fault::Delay { millis: 250 })
                    .method("POST")
                    .path_contains("/complete")
                    .times(1),
            );
        }
        let (started_before, done_before) = handled(&setup);
        let confirmed_before = jobs.confirmed(&setup);
        let mut child = setup.spawn(&poll_args(true), &format!("poll-{round}"));
        let hit = match phase {
            Phase::HandlerRunning => {
                let hit = wait_for(Duration::from_secs(20), || {
                    handled(&setup).0.len() > started_before.len()
                });
                std::thread::sleep(random_up_to(Duration::from_millis(80)));
                hit
            }
            Phase::BetweenHandleAndConfirm => {
                let hit = wait_for(Duration::from_secs(20), || {
                    handled(&setup).1.len() > done_before.len()
                });
                std::thread::sleep(random_up_to(Duration::from_millis(150)));
                hit
            }
            Phase::MidDownload => {
                wait_for(Duration::from_secs(20), || part_file_growing(&download))
            }
            Phase::Random => {
                std::thread::sleep(random_up_to(Duration::from_millis(1500)));
                true
            }
        };
        kill_group(&mut child);
        setup.emulator.control().clear_faults();
        let entry = reached.entry(phase).or_default();
        entry.0 += 1;
        entry.1 += usize::from(hit);
        // No change confirmed unless a run of its handler had succeeded: the group is dead,
        // so the log is final for this round.
        let done: BTreeSet<String> = handled(&setup).1.into_iter().collect();
        let confirmed = jobs.confirmed(&setup);
        early.extend(confirmed.difference(&done).cloned());
        if phase == Phase::BetweenHandleAndConfirm && hit {
            let newly_done: BTreeSet<String> = handled(&setup).1[done_before.len()..]
                .iter()
                .cloned()
                .collect();
            confirm_not_applied += newly_done
                .iter()
                .filter(|c| !confirmed.contains(*c) && !confirmed_before.contains(*c))
                .count();
        }
    }
    let kill_time = started.elapsed();

    // Resume until the queue is empty: plain `poll` runs (they stop when it is).
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut drains = 0;
    loop {
        let mut child = setup.spawn(&poll_args(false), &format!("drain-{drains}"));
        assert!(child.wait().unwrap().success());
        drains += 1;
        if setup.stats().unconfirmed_changes == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "the queue did not drain");
        std::thread::sleep(Duration::from_millis(350));
    }

    let stats = setup.stats();
    let expected = jobs.changes();
    let (started_log, done_log) = handled(&setup);
    let done: BTreeSet<String> = done_log.iter().cloned().collect();
    let lost: Vec<&String> = expected.difference(&done).collect();
    let completed = jobs
        .signed
        .iter()
        .filter(|&(job, &n)| n == jobs.signers[job])
        .count();
    // Every PAdES under its final name is whole: the padding and the trailer at the end.
    let pades: Vec<(u64, bool)> = std::fs::read_dir(&download)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".pades.pdf"))
        .map(|e| {
            let bytes = std::fs::read(e.path()).unwrap();
            let end = &bytes[bytes.len().saturating_sub(16)..];
            let trailer = end.windows(5).any(|w| w == b"%%EOF");
            (bytes.len() as u64, trailer)
        })
        .collect();
    let parts = std::fs::read_dir(&download)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".part"))
        .count();
    eprintln!(
        "crash test, poll: {kills} kills in {:.1} s (phase: kills, of which the phase was \
         reached): {reached:?}; between handle and confirm, confirm not applied when killed: \
         {confirm_not_applied}; {drains} resume runs to drain",
        kill_time.as_secs_f64()
    );
    eprintln!(
        "  changes {} (expected {}), deliveries {}, changes delivered more than once {}, \
         handler runs started {} / succeeded {}, confirmations {}, confirmed more than once {}, \
         unconfirmed {}, never delivered {}; lost {}, confirmed before handled {}; PAdES files {} \
         for {completed} completed jobs, partial files left {parts}",
        stats.changes,
        expected.len(),
        stats.deliveries,
        stats.redelivered_changes,
        started_log.len(),
        done_log.len(),
        stats.confirmations,
        stats.changes_confirmed_more_than_once,
        stats.unconfirmed_changes,
        stats.never_delivered_changes,
        lost.len(),
        early.len(),
        pades.len()
    );
    assert!(
        early.is_empty(),
        "confirmed before a handler succeeded: {early:?}"
    );
    assert!(lost.is_empty(), "changes never handled: {lost:?}");
    assert_eq!(stats.changes as usize, expected.len());
    assert_eq!(stats.unconfirmed_changes, 0);
    assert_eq!(stats.never_delivered_changes, 0);
    assert_eq!(stats.changes_confirmed_more_than_once, 0);
    assert_eq!(
        stats.confirmations, stats.changes,
        "each change confirmed exactly once"
    );
    assert_eq!(parts, 0, "a partial download was left behind");
    assert_eq!(pades.len(), completed);
    assert!(
        pades
            .iter()
            .all(|&(n, trailer)| n > PADES_PADDING && trailer),
        "a PAdES under its final name is partial: {pades:?}"
    );
    // The chosen points were really hit most of the time (each phase is tried ≥ 7 times).
    for (phase, (tried, hit)) in &reached {
        assert!(
            *hit * 2 >= *tried,
            "{phase:?} reached in only {hit} of {tried} rounds"
        );
    }
}

/// Created lines (`created_at`) in the journal.
fn journaled(setup: &Setup, journal: &str) -> usize {
    setup
        .read(journal)
        .lines()
        .filter(|l| l.contains("\"created_at\""))
        .count()
}

/// How many keys the stderr warning says were sent again.
fn announced(stderr: &str) -> usize {
    stderr
        .split("stopped while sending ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// Runs of `job create --batch` killed until it completes; returns the jobs per reference
/// at the emulator, the jobs announced as sent again and the kills made.
fn kill_batch_until_done(setup: &Setup, name: &str, kills: usize, extra: &[&str]) -> Outcome {
    // Enough jobs that the batch is still running at the last kill: a random kill lets about
    // 250 ms of creates through, which a release build (`cargo xtask crash`) makes about four
    // times as fast as the debug build CI runs (200 kills of 25 jobs each ran out after 137).
    let per_kill = if cfg!(debug_assertions) { 25 } else { 100 };
    let count = kills * per_kill + 10;
    let lines: Vec<String> = (1..=count)
        .map(|n| {
            format!(
                r#"{{"title":"Batch {n}","reference":"{name}-{n}","signers":["{}"],"documents":["contract.pdf"]}}"#,
                PINS[0]
            )
        })
        .collect();
    let input = format!("{name}.jsonl");
    let journal = format!("{input}.journal");
    std::fs::write(setup.path().join(&input), lines.join("\n") + "\n").unwrap();
    let jobs_before = setup.stats().jobs;
    // Jobs at Posten that the journal does not know (each kill adds its orphans).
    let unknown = || (setup.stats().jobs - jobs_before) as usize - journaled(setup, &journal);
    let mut args = vec![
        "--json",
        "job",
        "create",
        "--batch",
        &input,
        "--concurrency",
        "4",
    ];
    args.extend(extra);
    let mut outcome = Outcome::default();
    let mut run = 0;
    loop {
        let unknown_before = unknown();
        let last = outcome.kills == kills;
        let aimed = !last && outcome.kills % 2 == 0;
        if aimed {
            // Creates answer 150 ms after the job exists: the window this kill aims at.
            setup.emulator.control().inject(
                FaultRule::new(Fault::DelayAfterHandling { millis: 150 })
                    .method("POST")
                    .path_contains("/portal/signature-jobs"),
            );
        }
        let mut child = setup.spawn(&args, &format!("{name}-{run}"));
        if !last {
            if aimed {
                // Kill as soon as Posten holds a job the journal does not.
                wait_for(Duration::from_secs(20), || {
                    unknown() > unknown_before || child.try_wait().ok().flatten().is_some()
                });
            } else {
                std::thread::sleep(random_up_to(Duration::from_millis(250)));
            }
            if child.try_wait().unwrap().is_none() {
                kill_group(&mut child);
                outcome.kills += 1;
                // A request that fully arrived may still be creating its job: wait until the
                // emulator's count stands still.
                let mut jobs = setup.stats().jobs;
                loop {
                    std::thread::sleep(Duration::from_millis(60));
                    let now = setup.stats().jobs;
                    if now == jobs {
                        break;
                    }
                    jobs = now;
                }
                let orphans = unknown() - unknown_before;
                if aimed {
                    outcome.aimed += 1;
                    outcome.orphans_aimed += orphans;
                } else {
                    outcome.orphans_random += orphans;
                }
            } else {
                child.wait().unwrap();
            }
        } else {
            child.wait().unwrap();
        }
        setup.emulator.control().clear_faults();
        let stderr = setup.read(&format!("{name}-{run}.err"));
        outcome.announced += announced(&stderr);
        let out = setup.read(&format!("{name}-{run}.out"));
        if last || out.contains("\"created\"") {
            outcome.final_summary = serde_json::from_str(&out).unwrap();
            break;
        }
        run += 1;
    }
    let total = (setup.stats().jobs - jobs_before) as usize;
    for id in jobs_before + 1..=jobs_before + total as i64 {
        let reference = setup.job(id).reference.unwrap_or_default();
        *outcome.per_reference.entry(reference).or_insert(0) += 1;
    }
    outcome.input = count;
    outcome.journaled = journaled(setup, &journal);
    outcome
}

#[derive(Debug, Default)]
struct Outcome {
    input: usize,
    kills: usize,
    aimed: usize,
    /// Jobs left at Posten unknown to the journal by the aimed kills, and by the random ones.
    orphans_aimed: usize,
    orphans_random: usize,
    announced: usize,
    journaled: usize,
    per_reference: BTreeMap<String, usize>,
    final_summary: Value,
}

impl Outcome {
    fn duplicates(&self) -> usize {
        self.per_reference.values().map(|n| n - 1).sum()
    }

    fn missing(&self) -> usize {
        self.input - self.per_reference.len()
    }
}

#[test]
fn a_batch_killed_at_any_point_and_resumed_creates_every_job_and_counts_duplicates() {
    let setup = Setup::start();
    let kills = kills();

    // Default, at-least-once: every job created; a duplicate only where a kill fell between
    // Posten creating the job and the journal line, and each such job announced on resume.
    let resent = kill_batch_until_done(&setup, "again", kills, &[]);
    eprintln!(
        "crash test, batch (default: send uncertain jobs again): {} jobs, {} kills ({} aimed \
         after create / before journal, leaving {} jobs unknown to the journal; {} random, \
         leaving {}), {} jobs at the emulator, duplicates {}, missing {}, announced as sent \
         again (summed over the runs) {}",
        resent.input,
        resent.kills,
        resent.aimed,
        resent.orphans_aimed,
        resent.kills - resent.aimed,
        resent.orphans_random,
        resent.per_reference.values().sum::<usize>(),
        resent.duplicates(),
        resent.missing(),
        resent.announced
    );
    assert_eq!(resent.final_summary["failed"], Value::Array(Vec::new()));
    assert_eq!(resent.missing(), 0, "{:?}", resent.per_reference);
    assert_eq!(resent.journaled, resent.input, "one created line per job");
    assert!(
        resent.duplicates() <= resent.announced,
        "every duplicate was announced: {resent:?}"
    );
    assert_eq!(
        resent.duplicates(),
        resent.orphans_aimed + resent.orphans_random,
        "each duplicate is a job a kill left unknown to the journal"
    );
    assert_eq!(resent.kills, kills);

    // --skip-uncertain, at-most-once: no duplicates; the jobs not journaled are exactly the
    // uncertain ones the last run lists, each either at Posten (unknown to the journal) or
    // missing.
    let skipped = kill_batch_until_done(&setup, "once", kills, &["--skip-uncertain"]);
    let uncertain = skipped.final_summary["uncertain"].as_array().unwrap().len();
    eprintln!(
        "crash test, batch (--skip-uncertain): {} jobs, {} kills ({} aimed, leaving {} jobs \
         unknown to the journal; random leaving {}), duplicates {}, missing {}, listed as \
         uncertain {uncertain}",
        skipped.input,
        skipped.kills,
        skipped.aimed,
        skipped.orphans_aimed,
        skipped.orphans_random,
        skipped.duplicates(),
        skipped.missing(),
    );
    assert_eq!(skipped.duplicates(), 0, "{:?}", skipped.per_reference);
    // An uncertain key is either a job at Posten the journal does not know, or missing.
    assert_eq!(
        skipped.orphans_aimed + skipped.orphans_random + skipped.missing(),
        uncertain,
        "{skipped:?}"
    );
    assert!(skipped.missing() <= uncertain, "{skipped:?}");
    assert_eq!(skipped.journaled + uncertain, skipped.input, "{skipped:?}");
}
