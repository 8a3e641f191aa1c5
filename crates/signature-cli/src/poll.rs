//! `signering poll [--follow] [--download DIR] [--confirm]`: status changes as JSON Lines.
//!
//! Each change is one line of JSON on standard output, written and flushed before the
//! change is confirmed, so a consumer reading the lines sees every change at least once
//! (a change whose confirmation was lost is delivered, and printed, again). With
//! `--download`, a finished job's XAdES and PAdES are saved first and listed in the line's
//! `downloaded`; a failed download leaves the change unconfirmed.

use std::io::Write as _;
use std::path::Path;
use std::time::Duration;

use posten_adapter::Client;
use signature_core::{ArtifactRef, FlowKind, PollResult, StatusChange, StatusQueue};
use time::OffsetDateTime;

use crate::cli::{FlowArg, PollArgs};
use crate::config::Settings;
use crate::download::{Fetch, to_file};
use crate::error::{CliError, Status};
use crate::job::ChangeOut;
use crate::mask::mask_identity_numbers;

/// Longest wait between polls when following, whatever the service says.
const MAX_WAIT: Duration = Duration::from_secs(60);

fn note(text: &str) {
    drop(writeln!(
        std::io::stderr(),
        "signering: {}",
        mask_identity_numbers(text)
    ));
}

/// Writes one JSON line and flushes it.
fn line(change: &ChangeOut) -> Result<(), CliError> {
    let mut text = serde_json::to_string(change).map_err(|e| CliError::Write {
        path: "standard output".to_owned(),
        error: e.into(),
    })?;
    text.push('\n');
    crate::output::emit(&text)
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
        loop {
            if args.max_changes.is_some_and(|max| changes >= max) {
                return Ok(Status::Success);
            }
            let wait = match client.poll(&queue).await {
                Ok(PollResult::Change(change)) => {
                    failures = 0;
                    changes += 1;
                    let mut out = ChangeOut::new(&change);
                    if let Some(dir) = &args.download {
                        out.downloaded = save(&client, &change, dir, json).await?;
                    }
                    line(&out)?;
                    if let (true, Some(handle)) = (args.confirm, &change.confirmation) {
                        client.confirm(handle).await?;
                    }
                    // More changes may be queued: fetch the next as soon as permitted.
                    until(change.next_permitted_poll_time, Duration::ZERO)
                }
                Ok(PollResult::NoChanges {
                    next_permitted_poll_time,
                }) => {
                    failures = 0;
                    if !args.follow {
                        return Ok(Status::Success);
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
                _ = &mut stop => return Ok(Status::Success),
            }
        }
    })
}
