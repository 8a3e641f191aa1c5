//! `signering job create --batch JOBS.jsonl`: many jobs, concurrently, resumable.
//!
//! Each line of the input is a JSON job (the fields of a JSON job file). Its key is its
//! `reference`, or `line-N` without one. Before a job is sent, a `sending` line with its key
//! is appended to the journal and flushed to disk (`fsync`); every created job is appended
//! as one JSON line and flushed before the job counts as created; a create the service
//! refused (an HTTP 4xx answer, a rate-limit block) appends a `refused` line. A run skips
//! every key the journal holds as created, so an interrupted run can simply be started again.
//!
//! Ctrl-C stops starting new jobs; the jobs in flight finish and are journaled, the summary
//! lists the lines not started, and the exit code is 5. A second Ctrl-C ends at once.
//!
//! The one gap: if the process dies (or the connection fails) after Posten created a job but
//! before its journal line was written, Posten holds a job the journal does not know.
//! Posten's API has no way to find a job by the sender's reference (no list, no lookup, no
//! idempotency key: the create answer is the only place the job id appears), so the next run
//! cannot check. It knows which keys are affected (a `sending` line with no outcome) and lists
//! them: by default they are sent again (`sent_again`: at-least-once, a possible duplicate
//! that carries the same reference in status changes and can be cancelled), or, with
//! `--skip-uncertain`, left alone (`uncertain`: at-most-once, a possibly missing job).
//! `tests/crash.rs` kills runs at random points and counts the duplicates.

use std::collections::{HashMap, HashSet};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;

use crate::cli::CreateArgs;
use crate::config::Settings;
use crate::error::{CliError, Status};
use crate::job::{CreatedJob, JobSpec, now};
use crate::mask::mask_identity_numbers;
use crate::output::{emit, emit_json};
use crate::style::{bar, status_word};

/// Jobs in flight at once unless `--concurrency` says otherwise.
const DEFAULT_CONCURRENCY: usize = 4;

/// One journal line.
#[derive(Debug, Serialize, Deserialize)]
struct JournalEntry {
    key: String,
    line: usize,
    created_at: String,
    #[serde(flatten)]
    job: CreatedJob,
}

/// The journal line written (and flushed) before a job is sent.
#[derive(Debug, Serialize, Deserialize)]
struct Sending {
    key: String,
    line: usize,
    sending_at: String,
}

/// The journal line written when the service refused a create: nothing was created.
#[derive(Debug, Serialize, Deserialize)]
struct Refused {
    key: String,
    line: usize,
    refused_at: String,
}

/// What the journal holds.
#[derive(Debug, Default)]
struct Journal {
    /// Key → job id of every created job.
    created: HashMap<String, String>,
    /// Keys sent by an earlier run whose outcome is unknown: Posten may hold the job.
    uncertain: HashSet<String>,
}

/// One line of the input, parsed or not.
struct Item {
    line: usize,
    key: String,
    spec: Result<JobSpec, String>,
}

/// The end of a run.
#[derive(Debug, Default, Serialize)]
struct Summary {
    input: String,
    journal: String,
    created: Vec<Done>,
    skipped: Vec<Done>,
    failed: Vec<Failed>,
    /// Lines not started because the run was interrupted (Ctrl-C); a rerun creates them.
    not_started: Vec<NotStarted>,
    /// Lines an earlier run was sending when it stopped, sent again now: if Posten had
    /// received the earlier request, it holds two jobs with this key's reference.
    sent_again: Vec<NotStarted>,
    /// With `--skip-uncertain`: lines an earlier run was sending when it stopped, not sent
    /// again (Posten may or may not hold the job).
    uncertain: Vec<NotStarted>,
    interrupted: bool,
}

#[derive(Debug, Serialize)]
struct NotStarted {
    key: String,
    line: usize,
}

#[derive(Debug, Serialize)]
struct Done {
    key: String,
    line: usize,
    job_id: String,
}

#[derive(Debug, Serialize)]
struct Failed {
    key: String,
    line: usize,
    reason: String,
    exit_code: u8,
}

/// The default journal: the input's name with `.journal` appended, in the same folder.
pub(crate) fn default_journal(input: &Path) -> PathBuf {
    let mut name = input.file_name().unwrap_or_default().to_owned();
    name.push(".journal");
    input.with_file_name(name)
}

fn read_items(input: &Path) -> Result<Vec<Item>, CliError> {
    let text = std::fs::read_to_string(input).map_err(|e| CliError::read(input, e))?;
    let mut items = Vec::new();
    let mut seen = HashSet::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let raw = raw.trim();
        if raw.is_empty() || raw.starts_with("//") {
            continue;
        }
        let spec = serde_json::from_str::<JobSpec>(raw)
            .map_err(|e| format!("not a job: {}", mask_identity_numbers(&e.to_string())));
        let key = match &spec {
            Ok(JobSpec {
                reference: Some(reference),
                ..
            }) => reference.clone(),
            _ => format!("line-{line}"),
        };
        let spec = if seen.insert(key.clone()) {
            spec
        } else {
            Err(format!(
                "duplicate key {key:?} (an earlier line has the same reference)"
            ))
        };
        items.push(Item { line, key, spec });
    }
    Ok(items)
}

/// The created jobs and the uncertain keys the journal holds. A line that does not parse (a
/// run killed in the middle of writing it) is reported and ignored.
fn read_journal(path: &Path) -> Result<Journal, CliError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Journal::default()),
        Err(e) => return Err(CliError::read(path, e)),
    };
    let mut journal = Journal::default();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        // In order: a key is uncertain from its `sending` line until an outcome follows.
        if let Ok(entry) = serde_json::from_str::<JournalEntry>(line) {
            journal.uncertain.remove(&entry.key);
            journal.created.insert(entry.key, entry.job.job_id);
        } else if let Ok(sending) = serde_json::from_str::<Sending>(line) {
            journal.uncertain.insert(sending.key);
        } else if let Ok(refused) = serde_json::from_str::<Refused>(line) {
            journal.uncertain.remove(&refused.key);
        } else {
            drop(writeln!(
                std::io::stderr(),
                "signering: warning: {} line {} is not a journal entry (an interrupted \
                 write?); ignored",
                path.display(),
                index + 1
            ));
        }
    }
    journal
        .uncertain
        .retain(|key| !journal.created.contains_key(key));
    Ok(journal)
}

/// Whether a failed create certainly created nothing: the service answered with a refusal,
/// or the request never left (certificates, proxy). Timeouts, broken connections and 5xx
/// answers are uncertain.
fn certainly_not_created(error: &CliError) -> bool {
    use posten_adapter::Error as E;
    let CliError::Service(error) = error else {
        return false;
    };
    let Some(posten) = crate::service::adapter_error::<E>(error) else {
        // Refused before sending, or an answer of the service other than a server error.
        return match error {
            signature_core::Error::Unsupported(_) | signature_core::Error::Invalid(_) => true,
            signature_core::Error::Service { http_status, .. } => *http_status < 500,
            _ => false,
        };
    };
    match posten {
        E::Service { http_status, .. } => *http_status < 500,
        E::RateLimitBlocked { .. }
        | E::ServerCertificateRejected { .. }
        | E::ServerCertificateUntrusted { .. }
        | E::ServerCertificateWrongEnvironment { .. }
        | E::Key(_)
        | E::ProxyRefused { .. }
        | E::Configuration(_)
        | E::SenderNotSpecified
        | E::Unsupported(_)
        | E::Bundle(_) => true,
        _ => false,
    }
}

/// Appends `entry` as one line and waits until it is on disk.
fn append(
    journal: &Mutex<std::fs::File>,
    path: &Path,
    entry: &impl Serialize,
) -> Result<(), CliError> {
    let mut line = serde_json::to_string(entry).map_err(|e| CliError::write(path, e.into()))?;
    line.push('\n');
    let mut file = journal
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    file.write_all(line.as_bytes())
        .and_then(|()| file.sync_data())
        .map_err(|e| CliError::write(path, e))
}

pub(crate) fn run(
    args: &CreateArgs,
    input: &Path,
    settings: &Settings,
    json: bool,
) -> Result<Status, CliError> {
    let journal_path = args
        .journal
        .clone()
        .unwrap_or_else(|| default_journal(input));
    let items = read_items(input)?;
    let journal = read_journal(&journal_path)?;
    let done = &journal.created;
    let mut summary = Summary {
        input: mask_identity_numbers(&input.display().to_string()),
        journal: mask_identity_numbers(&journal_path.display().to_string()),
        ..Summary::default()
    };
    let mut pending = Vec::new();
    for item in items {
        match (done.get(&item.key), item.spec) {
            (Some(job_id), _) => summary.skipped.push(Done {
                key: mask_identity_numbers(&item.key),
                line: item.line,
                job_id: job_id.clone(),
            }),
            (None, Err(reason)) => summary.failed.push(Failed {
                key: mask_identity_numbers(&item.key),
                line: item.line,
                reason,
                exit_code: Status::Rejected.code(),
            }),
            (None, Ok(spec)) => {
                let uncertain = NotStarted {
                    key: mask_identity_numbers(&item.key),
                    line: item.line,
                };
                if !journal.uncertain.contains(&item.key) {
                    pending.push((item.line, item.key, spec));
                } else if args.skip_uncertain {
                    summary.uncertain.push(uncertain);
                } else {
                    summary.sent_again.push(uncertain);
                    pending.push((item.line, item.key, spec));
                }
            }
        }
    }
    if !summary.sent_again.is_empty() {
        drop(writeln!(
            std::io::stderr(),
            "signering: warning: an earlier run stopped while sending {} job(s) ({}); they \
             are sent again, and if Posten had received them it now holds them twice (same \
             reference; Posten offers no lookup). --skip-uncertain leaves them alone.",
            summary.sent_again.len(),
            keys(&summary.sent_again)
        ));
    }
    if !pending.is_empty() {
        let provider = args.provider.provider;
        let connection = crate::service::Connection::open(provider, settings)?;
        let concurrency = args
            .concurrency
            .unwrap_or(DEFAULT_CONCURRENCY)
            .clamp(1, crate::connect::rate_limit(settings).max(1) as usize * 4);
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&journal_path)
            .map_err(|e| CliError::write(&journal_path, e))?;
        // A torn last line (a run killed mid-write) must not swallow the next entry.
        if std::fs::read(&journal_path)
            .map_err(|e| CliError::read(&journal_path, e))?
            .last()
            .is_some_and(|&b| b != b'\n')
        {
            file.write_all(b"\n")
                .and_then(|()| file.sync_data())
                .map_err(|e| CliError::write(&journal_path, e))?;
        }
        let journal = Arc::new(Mutex::new(file));
        let base = input.parent().unwrap_or(Path::new("")).to_owned();
        let progress = bar(pending.len() as u64, json, "creating jobs");
        let runtime = crate::runtime()?;
        let stopping = Arc::new(AtomicBool::new(false));
        let results = runtime.block_on(async {
            // Ctrl-C: start nothing new, let the jobs in flight finish and reach the journal.
            // A second Ctrl-C ends the process at once.
            let watcher = {
                let stopping = stopping.clone();
                tokio::spawn(async move {
                    if tokio::signal::ctrl_c().await.is_ok() {
                        stopping.store(true, Ordering::SeqCst);
                        drop(writeln!(
                            std::io::stderr(),
                            "signering: interrupted; finishing the jobs in flight (Ctrl-C again \
                             to stop at once)"
                        ));
                        if tokio::signal::ctrl_c().await.is_ok() {
                            std::process::exit(130);
                        }
                    }
                })
            };
            let permits = Arc::new(Semaphore::new(concurrency));
            let mut tasks = tokio::task::JoinSet::new();
            for (line, key, spec) in pending {
                let (connection, permits, journal, journal_path, base, stopping) = (
                    connection.clone(),
                    permits.clone(),
                    journal.clone(),
                    journal_path.clone(),
                    base.clone(),
                    stopping.clone(),
                );
                tasks.spawn(async move {
                    let outcome = async {
                        let _permit = permits
                            .acquire_owned()
                            .await
                            .map_err(|_| CliError::Usage("batch stopped".to_owned()))?;
                        if stopping.load(Ordering::SeqCst) {
                            return Ok(None);
                        }
                        let job = tokio::task::block_in_place(|| spec.to_job(&base, provider))?;
                        let service = connection.service(spec.altinn3_owner()?);
                        // On disk before the request leaves: a run that dies now knows, on
                        // resume, that this key's job may exist at Posten.
                        let sending = Sending {
                            key: key.clone(),
                            line,
                            sending_at: now(),
                        };
                        tokio::task::block_in_place(|| append(&journal, &journal_path, &sending))?;
                        let created = match service.service.create_job(&job).await {
                            Ok(created) => created,
                            Err(error) => {
                                let error = CliError::from(error);
                                if certainly_not_created(&error) {
                                    let refused = Refused {
                                        key: key.clone(),
                                        line,
                                        refused_at: now(),
                                    };
                                    tokio::task::block_in_place(|| {
                                        append(&journal, &journal_path, &refused)
                                    })?;
                                }
                                return Err(error);
                            }
                        };
                        let entry = JournalEntry {
                            key: key.clone(),
                            line,
                            created_at: now(),
                            job: CreatedJob::new(&created, spec.flow),
                        };
                        // On disk before it counts (and before anything is printed).
                        tokio::task::block_in_place(|| append(&journal, &journal_path, &entry))?;
                        Ok::<Option<String>, CliError>(Some(entry.job.job_id))
                    }
                    .await;
                    (line, key, outcome)
                });
            }
            let mut results = Vec::new();
            while let Some(joined) = tasks.join_next().await {
                if let Ok(result) = joined {
                    progress.inc(1);
                    progress.set_message(match &result.2 {
                        Ok(Some(id)) => format!("job {id}"),
                        Ok(None) => "interrupted".to_owned(),
                        Err(_) => format!("{} failed", mask_identity_numbers(&result.1)),
                    });
                    results.push(result);
                }
            }
            watcher.abort();
            results
        });
        progress.finish_and_clear();
        for (line, key, outcome) in results {
            let key = mask_identity_numbers(&key);
            match outcome {
                Ok(Some(job_id)) => summary.created.push(Done { key, line, job_id }),
                Ok(None) => summary.not_started.push(NotStarted { key, line }),
                Err(error) => summary.failed.push(Failed {
                    key,
                    line,
                    reason: mask_identity_numbers(&error.to_string()),
                    exit_code: error.status().code(),
                }),
            }
        }
    }
    summary.created.sort_by_key(|d| d.line);
    summary.skipped.sort_by_key(|d| d.line);
    summary.failed.sort_by_key(|d| d.line);
    summary.not_started.sort_by_key(|d| d.line);
    summary.sent_again.sort_by_key(|d| d.line);
    summary.uncertain.sort_by_key(|d| d.line);
    summary.interrupted = !summary.not_started.is_empty();
    if json {
        emit_json(&summary)?;
    } else {
        emit(&human(&summary))?;
    }
    Ok(
        if summary.failed.is_empty()
            && summary.not_started.is_empty()
            && summary.uncertain.is_empty()
        {
            Status::Success
        } else {
            Status::Partial
        },
    )
}

/// `a, b, c` (at most 10, then `…`).
fn keys(lines: &[NotStarted]) -> String {
    let mut text: Vec<&str> = lines.iter().take(10).map(|l| l.key.as_str()).collect();
    if lines.len() > 10 {
        text.push("…");
    }
    text.join(", ")
}

fn human(s: &Summary) -> String {
    let mut out = format!(
        "Batch {}: {} {}, {} skipped (already in the journal {}), {} {}\n",
        s.input,
        s.created.len(),
        status_word("created"),
        s.skipped.len(),
        s.journal,
        s.failed.len(),
        if s.failed.is_empty() {
            "failed".to_owned()
        } else {
            status_word("failed")
        },
    );
    for (word, done) in [("created", &s.created), ("skipped", &s.skipped)] {
        for d in done {
            out.push_str(&format!(
                "  {word}  line {:>4}  {}  job {}\n",
                d.line, d.key, d.job_id
            ));
        }
    }
    for f in &s.failed {
        out.push_str(&format!(
            "  failed   line {:>4}  {}  {}\n",
            f.line, f.key, f.reason
        ));
    }
    for d in &s.sent_again {
        out.push_str(&format!(
            "  again    line {:>4}  {}  (an earlier run was sending it: possibly twice at Posten)\n",
            d.line, d.key
        ));
    }
    for d in &s.uncertain {
        out.push_str(&format!(
            "  unsure   line {:>4}  {}  (an earlier run was sending it; not sent again)\n",
            d.line, d.key
        ));
    }
    if s.interrupted {
        out.push_str(&format!(
            "Interrupted: {} line(s) not started; run the same command again to create them.\n",
            s.not_started.len()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The journal read back from a file holding `text`.
    fn journal_of(text: &str) -> Journal {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        std::fs::write(&path, text).unwrap();
        read_journal(&path).unwrap()
    }

    #[test]
    fn a_key_sent_without_an_outcome_is_uncertain() {
        let journal = journal_of(
            "{\"key\":\"a\",\"line\":1,\"sending_at\":\"x\"}\n\
             {\"key\":\"b\",\"line\":2,\"sending_at\":\"x\"}\n\
             {\"key\":\"c\",\"line\":3,\"sending_at\":\"x\"}\n\
             {\"key\":\"a\",\"line\":1,\"created_at\":\"x\",\"job_id\":\"7\",\"reference\":null,\
             \"flow\":\"portal\",\"status_url\":null,\"cancellation_url\":null,\"signers\":[]}\n\
             {\"key\":\"c\",\"line\":3,\"refused_at\":\"x\"}\n",
        );
        assert_eq!(journal.created.len(), 1);
        assert_eq!(journal.uncertain, HashSet::from(["b".to_owned()]));
    }

    #[test]
    fn default_journal_sits_next_to_the_input() {
        assert_eq!(
            default_journal(Path::new("dir/jobs.jsonl")),
            PathBuf::from("dir/jobs.jsonl.journal")
        );
    }

    #[test]
    fn keys_are_references_or_line_numbers_and_duplicates_fail() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("jobs.jsonl");
        let job = |reference: &str| {
            format!(r#"{{"title":"T",{reference}"signers":["24068110048"],"documents":["a.pdf"]}}"#)
        };
        std::fs::write(
            &input,
            [
                job(r#""reference":"a","#),
                String::new(),
                job(""),
                job(r#""reference":"a","#),
                "{not json".to_owned(),
            ]
            .join("\n"),
        )
        .unwrap();
        let items = read_items(&input).unwrap();
        let keys: Vec<&str> = items.iter().map(|i| i.key.as_str()).collect();
        assert_eq!(keys, ["a", "line-3", "a", "line-5"]);
        assert!(items[0].spec.is_ok() && items[1].spec.is_ok());
        assert!(
            items[2]
                .spec
                .as_ref()
                .unwrap_err()
                .contains("duplicate key")
        );
        assert!(items[3].spec.as_ref().unwrap_err().starts_with("not a job"));
    }

    #[test]
    fn a_torn_journal_line_is_ignored() {
        let journal = journal_of(
            "{\"key\":\"a\",\"line\":1,\"created_at\":\"x\",\"job_id\":\"7\",\"reference\":null,\
             \"flow\":\"portal\",\"status_url\":null,\"cancellation_url\":null,\"signers\":[]}\n\
             {\"key\":\"b\",\"li",
        );
        assert_eq!(journal.created.len(), 1);
        assert_eq!(journal.created["a"], "7");
        assert!(journal.uncertain.is_empty());
    }
}
