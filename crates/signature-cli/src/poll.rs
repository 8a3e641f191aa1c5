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

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use clap::Args;
use tokio::io::AsyncWriteExt as _;

use posten_adapter::Client;
use signature_core::{ArtifactRef, FlowKind, PollResult, StatusChange, StatusQueue};
use time::OffsetDateTime;

use crate::cli::{FlowArg, PostenFlags};
use crate::config::Settings;
use crate::download::{Fetch, to_file};
use crate::error::{CliError, Status};
use crate::job::ChangeOut;
use crate::mask::mask_identity_numbers;

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

    /// Connection settings.
    #[command(flatten)]
    pub posten: PostenFlags,
}

/// Longest wait between polls when following, whatever the service says.
const MAX_WAIT: Duration = Duration::from_secs(60);

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

/// Saves every artifact of a finished change into `dir`: `JOB-signer-N.xades.xml` and
/// `JOB.pades.pdf`.
async fn save(
    client: &Client,
    change: &StatusChange,
    dir: &Path,
    json: bool,
) -> Result<Vec<String>, CliError> {
    let mut written = Vec::new();
    if !change.status.is_final() {
        return Ok(written);
    }
    let job = change.job_id.as_str();
    let mut xades = 0;
    for artifact in change.artifacts() {
        let name = match artifact {
            ArtifactRef::Xades { .. } => {
                xades += 1;
                format!("{job}-signer-{xades}.xades.xml")
            }
            ArtifactRef::Pades { .. } => format!("{job}.pades.pdf"),
            _ => continue,
        };
        let path = dir.join(name);
        to_file(client, Fetch::Artifact(artifact), &path, json).await?;
        written.push(mask_identity_numbers(&path.display().to_string()));
    }
    Ok(written)
}

pub(crate) fn run(args: &PollArgs, settings: &Settings, json: bool) -> Result<Status, CliError> {
    if let Some(dir) = &args.download {
        std::fs::create_dir_all(dir).map_err(|e| CliError::write(dir, e))?;
    }
    let client = crate::connect::posten(settings)?;
    let queue = StatusQueue::new(match args.flow {
        FlowArg::Portal => FlowKind::Portal,
        FlowArg::Direct => FlowKind::Direct,
    });
    let runtime = crate::runtime()?;
    runtime.block_on(async {
        let stop = tokio::signal::ctrl_c();
        tokio::pin!(stop);
        let mut changes = 0u64;
        let mut failures = 0u32;
        let mut failed_handlers = 0u64;
        loop {
            if args.max_changes.is_some_and(|max| changes >= max) {
                return Ok(outcome(failed_handlers));
            }
            let wait = match client.poll(&queue).await {
                Ok(PollResult::Change(change)) => {
                    failures = 0;
                    changes += 1;
                    let mut out = ChangeOut::new(&change);
                    if let Some(dir) = &args.download {
                        out.downloaded = save(&client, &change, dir, json).await?;
                    }
                    let text = line(&out)?;
                    let handled = match &args.exec {
                        Some(command) => handle(command, &out, &text).await,
                        None => Ok(()),
                    };
                    match handled {
                        Ok(()) => {
                            crate::output::emit(&text)?;
                            if let (true, Some(handle)) = (args.confirm, &change.confirmation) {
                                client.confirm(handle).await?;
                            }
                        }
                        Err(why) => {
                            failed_handlers += 1;
                            note(&format!(
                                "job {}: {why}; the change is left unconfirmed and Posten \
                                 delivers it again later",
                                out.job_id
                            ));
                        }
                    }
                    // More changes may be queued: fetch the next as soon as permitted.
                    until(change.next_permitted_poll_time, Duration::ZERO)
                }
                Ok(PollResult::NoChanges {
                    next_permitted_poll_time,
                }) => {
                    failures = 0;
                    if !args.follow {
                        return Ok(outcome(failed_handlers));
                    }
                    until(next_permitted_poll_time, Duration::from_secs(10))
                }
                Ok(_) => Duration::from_secs(10),
                Err(posten_adapter::Error::TooEagerPolling { retry_at }) => {
                    until(retry_at, Duration::from_secs(10))
                }
                Err(error) if args.follow && error.is_transient() => {
                    failures = failures.saturating_add(1);
                    let wait = error.retry_at().map_or_else(
                        || Duration::from_secs(1 << failures.min(6)),
                        |at| until(Some(at), MAX_WAIT),
                    );
                    note(&format!(
                        "poll failed ({error}); trying again in {} s",
                        wait.as_secs()
                    ));
                    wait
                }
                Err(error) => return Err(error.into()),
            };
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                _ = &mut stop => return Ok(outcome(failed_handlers)),
            }
        }
    })
}
