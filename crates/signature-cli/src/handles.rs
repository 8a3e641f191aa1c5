//! `signering confirm`, `cancel` and `delete`: POST/DELETE on a URL the service handed out.

use serde::Serialize;
use signature_core::{CancellationHandle, ConfirmationHandle, DeleteDocumentsHandle};

use crate::cli::HandleArgs;
use crate::config::Settings;
use crate::error::{CliError, Status};
use crate::output::emit_output;

/// Which call.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Action {
    Confirm,
    Cancel,
    Delete,
}

#[derive(Debug, Serialize)]
struct Done<'a> {
    action: &'a str,
    url: &'a str,
    ok: bool,
}

pub(crate) fn run(
    action: Action,
    args: &HandleArgs,
    settings: &Settings,
    json: bool,
) -> Result<Status, CliError> {
    let client = crate::connect::posten(settings)?;
    let runtime = crate::runtime()?;
    let url = args.url.trim();
    runtime.block_on(async {
        match action {
            Action::Confirm => client.confirm(&ConfirmationHandle::new(url)).await,
            Action::Cancel => client.cancel(&CancellationHandle::new(url)).await,
            Action::Delete => {
                client
                    .delete_documents(&DeleteDocumentsHandle::new(url))
                    .await
            }
        }
    })?;
    let (name, text) = match action {
        Action::Confirm => ("confirm", "Confirmed the status change."),
        Action::Cancel => ("cancel", "Cancelled the job."),
        Action::Delete => ("delete", "Deleted the job's documents at Posten."),
    };
    let done = Done {
        action: name,
        url,
        ok: true,
    };
    emit_output(json, &done, |_| format!("{text}\n"))
}
