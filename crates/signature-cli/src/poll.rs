//! `signering poll [--follow] [--download DIR] [--exec COMMAND] [--confirm]`: status changes
//! as JSON Lines.
//!
//! Each change is one line of JSON on standard output, written and flushed before the
//! change is confirmed, so a consumer reading the lines sees every change at least once
//! (a change whose confirmation was lost is delivered, and printed, again). With
//! `--download`, a finished job's XAdES and PAdES are saved first and listed in the line's
//! `downloaded`; a failed download leaves the change unconfirmed. With `--exec`, a handler
//! command gets the line on its standard input after the downloads, and the line is printed
//! and the change confirmed only when it exits with 0: whatever the process is killed in
//! the middle of, a change is confirmed only after its handler succeeded
//! (`tests/crash.rs` kills it at random points to show it).
//!
//! The changes come from the service's status queue where it has one (Posten signering).
//! A service without a queue that reads a job's status by its id (Altinn 3) is asked for
//! the `--job`s given instead: a line when a job's status is new to this run, until every
//! job has ended (with `--follow`) or once.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use clap::Args;
use tokio::io::AsyncWriteExt as _;

use signature_core::{
    ArtifactRef, Capability, FlowKind, JobId, PollResult, SignatureService, StatusChange,
    StatusQueue,
};
use time::OffsetDateTime;

use crate::cli::{FlowArg, PostenFlags, ProviderFlag};
use crate::config::Settings;
use crate::download::to_file;
use crate::error::{CliError, Status};
use crate::job::ChangeOut;
use crate::mask::mask_identity_numbers;
use crate::service::Service;

/// Arguments of `signering poll`.
#[derive(Debug, Args)]
pub struct PollArgs {
    /// Which queue: the `portal` (default) or `direct` jobs'.
    #[arg(long, value_enum, default_value_t = FlowArg::Portal)]
    pub flow: FlowArg,

    /// Keep polling after the queue is empty, at the permitted poll times, until Ctrl-C
    /// (or --max-changes). Without it, poll until the queue is empty.
    #[arg(long)]
    pub follow: bool,

    /// Download every signer's XAdES and the PAdES of finished jobs into this folder.
    #[arg(long, value_name = "DIR")]
    pub download: Option<PathBuf>,

    /// Confirm each change after its line is written (and its downloads and --exec succeeded).
    #[arg(long)]
    pub confirm: bool,

    /// Handle each change with this shell command (`sh -c`; `cmd /C` on Windows), after its
    /// downloads: the JSON line on its standard input; SIGNERING_JOB_ID, SIGNERING_JOB_STATUS
    /// and SIGNERING_JOB_REFERENCE set; its output goes to standard error. Exit status 0:
    /// the line is printed and the change confirmed (--confirm). Otherwise the change is left
    /// unconfirmed (Posten delivers it again later), polling goes on and the exit code is 5.
    #[arg(long, value_name = "COMMAND")]
    pub exec: Option<String>,

    /// Stop after this many changes.
    #[arg(long, value_name = "N")]
    pub max_changes: Option<u64>,

    /// A job whose status to follow, for a service without a status queue (Altinn 3:
    /// `ORG/APP/PARTYID/GUID`); repeatable.
    #[arg(long = "job", value_name = "ID")]
    pub jobs: Vec<String>,

    /// The signing service.
    #[command(flatten)]
    pub provider: ProviderFlag,

    /// Connection settings.
    #[command(flatten)]
    pub posten: PostenFlags,
}

/// Longest wait between polls when following, whatever the service says.
const MAX_WAIT: Duration = Duration::from_secs(60);
/// How often `--follow` asks for the `--job`s' status.
const JOB_INTERVAL: Duration = Duration::from_secs(5);

fn note(text: &str) {
    drop(writeln!(
        std::io::stderr(),
        "signering: {}",
        mask_identity_numbers(text)
    ));
}

/// One JSON line, newline included.
fn line(change: &ChangeOut) -> Result<String, CliError> {
    let mut text = serde_json::to_string(change).map_err(|e| CliError::Write {
        path: "standard output".to_owned(),
        error: e.into(),
    })?;
    text.push('\n');
    Ok(text)
}

/// Runs the `--exec` handler for one change. `Err` says why it did not succeed.
async fn handle(command: &str, change: &ChangeOut, line: &str) -> Result<(), String> {
    let mut shell = if cfg!(windows) {
        let mut shell = tokio::process::Command::new("cmd");
        shell.arg("/C");
        shell
    } else {
        let mut shell = tokio::process::Command::new("sh");
        shell.arg("-c");
        shell
    };
    shell
        .arg(command)
        .env("SIGNERING_JOB_ID", &change.job_id)
        .env("SIGNERING_JOB_STATUS", &change.status)
        .env(
            "SIGNERING_JOB_REFERENCE",
            change.reference.as_deref().unwrap_or_default(),
        )
        .stdin(Stdio::piped())
        // Standard output carries our JSON Lines; the handler's output must not mix in.
        .stdout(std::io::stderr())
        .kill_on_drop(true);
    let mut child = shell
        .spawn()
        .map_err(|e| format!("could not start the handler: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        // A handler that does not read its input is fine: ignore a broken pipe.
        drop(stdin.write_all(line.as_bytes()).await);
    }
    let status = child
        .wait()
        .await
        .map_err(|e| format!("waiting for the handler: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("the handler ended with {status}"))
    }
}

/// Success, or Partial when a handler failed.
fn outcome(failed_handlers: u64) -> Status {
    if failed_handlers == 0 {
        Status::Success
    } else {
        Status::Partial
    }
}

fn until(at: Option<OffsetDateTime>, otherwise: Duration) -> Duration {
    at.map(|at| Duration::try_from(at - OffsetDateTime::now_utc()).unwrap_or(Duration::ZERO))
        .unwrap_or(otherwise)
        .min(MAX_WAIT)
}

/// Saves every artifact of a finished change into `dir`: `JOB-signer-N.xades.xml`,
/// `JOB.pades.pdf` and `JOB-signature-N.json` (a signature record; the `/` of a job id become
/// `_`).
async fn save(
    service: &dyn SignatureService,
    change: &StatusChange,
    dir: &Path,
    json: bool,
) -> Result<Vec<String>, CliError> {
    let mut written = Vec::new();
    if !change.status.is_final() {
        return Ok(written);
    }
    let job = change.job_id.as_str().replace(['/', '\\'], "_");
    let (mut xades, mut records) = (0, 0);
    for artifact in change.artifacts() {
        let name = match artifact {
            ArtifactRef::Xades { .. } => {
                xades += 1;
                format!("{job}-signer-{xades}.xades.xml")
            }
            ArtifactRef::Pades { .. } => format!("{job}.pades.pdf"),
            ArtifactRef::SignatureRecord { .. } => {
                records += 1;
                format!("{job}-signature-{records}.json")
            }
            _ => continue,
        };
        let path = dir.join(&name);
        to_file(service, artifact, &path, json).await?;
        written.push(shown_path(dir, &name));
    }
    Ok(written)
}

/// How a saved file is reported: the directory the user named is masked (it may hold an
/// identity number); the file name is not. It is made of the job id and a fixed suffix, holds
/// no personal data, and must name the real file: the last group of an Altinn 3 instance id is
/// twelve hex digits, all of them decimal in about one id of 280, which the masker would
/// otherwise hide.
fn shown_path(dir: &Path, name: &str) -> String {
    Path::new(&mask_identity_numbers(&dir.display().to_string()))
        .join(name)
        .display()
        .to_string()
}

/// What the run did so far.
#[derive(Default)]
struct Progress {
    changes: u64,
    failed_handlers: u64,
}

impl Progress {
    fn done(&self, args: &PollArgs) -> bool {
        args.max_changes.is_some_and(|max| self.changes >= max)
    }

    /// Success, or Partial when a handler failed.
    fn outcome(&self) -> Status {
        outcome(self.failed_handlers)
    }
}

/// Saves (`--download`), hands to the handler (`--exec`) and prints one change; `Ok(false)`
/// when the handler failed (the change is then left for later, `again` says how).
async fn deliver(
    service: &dyn SignatureService,
    change: &StatusChange,
    args: &PollArgs,
    json: bool,
    progress: &mut Progress,
    again: &str,
) -> Result<bool, CliError> {
    progress.changes += 1;
    let mut out = ChangeOut::new(change);
    if let Some(dir) = &args.download {
        out.downloaded = save(service, change, dir, json).await?;
    }
    let text = line(&out)?;
    let handled = match &args.exec {
        Some(command) => handle(command, &out, &text).await,
        None => Ok(()),
    };
    match handled {
        Ok(()) => {
            crate::output::emit(&text)?;
            Ok(true)
        }
        Err(why) => {
            progress.failed_handlers += 1;
            note(&format!("job {}: {why}; {again}", out.job_id));
            Ok(false)
        }
    }
}

pub(crate) fn run(args: &PollArgs, settings: &Settings, json: bool) -> Result<Status, CliError> {
    if let Some(dir) = &args.download {
        std::fs::create_dir_all(dir).map_err(|e| CliError::write(dir, e))?;
    }
    let service = Service::connect(args.provider.provider, settings, None)?;
    let by_queue = service.capabilities.contains(Capability::PollStatusChanges);
    if !by_queue {
        service.ensure(Capability::StatusByJobId)?;
        if args.jobs.is_empty() {
            return Err(CliError::Usage(
                "this service has no status queue: name the jobs to follow with --job ID"
                    .to_owned(),
            ));
        }
    } else if !args.jobs.is_empty() {
        return Err(CliError::Usage(
            "--job is for services without a status queue; this one delivers every job's \
             changes through its queue"
                .to_owned(),
        ));
    }
    let runtime = crate::runtime()?;
    runtime.block_on(async {
        if by_queue {
            from_queue(service.service.as_ref(), args, json).await
        } else {
            by_job_id(service.service.as_ref(), args, json).await
        }
    })
}

/// Takes changes from the service's queue: until it is empty, or with `--follow` at the
/// permitted poll times until Ctrl-C.
async fn from_queue(
    service: &dyn SignatureService,
    args: &PollArgs,
    json: bool,
) -> Result<Status, CliError> {
    let queue = StatusQueue::new(match args.flow {
        FlowArg::Portal => FlowKind::Portal,
        FlowArg::Direct => FlowKind::Direct,
    });
    let stop = tokio::signal::ctrl_c();
    tokio::pin!(stop);
    let mut progress = Progress::default();
    let mut failures = 0u32;
    loop {
        if progress.done(args) {
            return Ok(progress.outcome());
        }
        let wait = match service.next_status_change(&queue).await {
            Ok(PollResult::Change(change)) => {
                failures = 0;
                let again = "the change is left unconfirmed and Posten delivers it again later";
                if deliver(service, &change, args, json, &mut progress, again).await?
                    && let (true, Some(handle)) = (args.confirm, &change.confirmation)
                {
                    service.confirm(handle).await?;
                }
                // More changes may be queued: fetch the next as soon as permitted.
                until(change.next_permitted_poll_time, Duration::ZERO)
            }
            Ok(PollResult::NoChanges {
                next_permitted_poll_time,
            }) => {
                failures = 0;
                if !args.follow {
                    return Ok(progress.outcome());
                }
                until(next_permitted_poll_time, Duration::from_secs(10))
            }
            Ok(_) => Duration::from_secs(10),
            Err(error @ signature_core::Error::TooEagerPolling { .. }) => {
                until(error.retry_at(), Duration::from_secs(10))
            }
            Err(error) if args.follow && error.is_transient() => {
                failures = failures.saturating_add(1);
                let wait = error.retry_at().map_or_else(
                    || Duration::from_secs(1 << failures.min(6)),
                    |at| until(Some(at), MAX_WAIT),
                );
                note(&format!(
                    "poll failed ({}); trying again in {} s",
                    crate::service::detail(&error),
                    wait.as_secs()
                ));
                wait
            }
            Err(error) => return Err(error.into()),
        };
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            _ = &mut stop => return Ok(progress.outcome()),
        }
    }
}

/// Asks for each `--job`'s status: a line when it is new to this run; once, or with
/// `--follow` until every job has ended (and its line was handled) or Ctrl-C.
async fn by_job_id(
    service: &dyn SignatureService,
    args: &PollArgs,
    json: bool,
) -> Result<Status, CliError> {
    let stop = tokio::signal::ctrl_c();
    tokio::pin!(stop);
    let mut progress = Progress::default();
    // Each open job and the status last delivered for it.
    let mut open: Vec<(JobId, Option<String>)> = args
        .jobs
        .iter()
        .map(|job| (JobId::new(job.trim()), None))
        .collect();
    loop {
        let mut still_open = Vec::new();
        for (job, last) in open {
            if progress.done(args) {
                return Ok(progress.outcome());
            }
            let change = match service.job_status(&job).await {
                Ok(change) => change,
                Err(error) if args.follow && error.is_transient() => {
                    note(&format!(
                        "reading job {job} failed ({}); trying again",
                        crate::service::detail(&error)
                    ));
                    still_open.push((job, last));
                    continue;
                }
                Err(error) => return Err(error.into()),
            };
            let status = change.status.to_string();
            let mut delivered = last.as_deref() == Some(status.as_str());
            if !delivered {
                let again = "it is handled again at the next poll";
                delivered = deliver(service, &change, args, json, &mut progress, again).await?;
            }
            if !(delivered && change.status.is_final()) {
                still_open.push((job, delivered.then_some(status).or(last)));
            }
        }
        open = still_open;
        if open.is_empty() || !args.follow {
            return Ok(progress.outcome());
        }
        tokio::select! {
            () = tokio::time::sleep(JOB_INTERVAL) => {}
            _ = &mut stop => return Ok(progress.outcome()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_file_keeps_its_name_and_the_directory_is_masked() {
        let name = "50001234_0b1c2d3e-4f50-4a6b-9c7d-123456789012-signature-1.json";
        assert_eq!(
            shown_path(Path::new("out/24068110048"), name),
            format!("out/240681*****/{name}")
        );
        assert_eq!(
            shown_path(Path::new("signed"), name),
            format!("signed/{name}")
        );
    }
}
