//! What both Posten flows do with a finished job: describe its status change, download its
//! signed documents and hand them over, confirm the change.

use posten_adapter::Client;
use signature_core::{ArtifactRef, SignerIdentifier, StatusChange};

use super::{FlowError, Progress, call, keep};

/// Status and signers of a change. Identity numbers appear through their `Display`, which
/// shows only the birth date.
pub(super) fn describe(change: &StatusChange) -> String {
    let signers: Vec<String> = change
        .signers
        .iter()
        .map(|s| match &s.signer {
            Some(SignerIdentifier::PersonalIdentificationNumber(pin)) => {
                format!("{pin} {}", s.status)
            }
            _ => s.status.to_string(),
        })
        .collect();
    format!(
        "job {}: {} [{}]",
        change.job_id,
        change.status,
        signers.join(", ")
    )
}

/// A downloaded document: its step name, file name and bytes.
pub(super) struct Download {
    step: String,
    name: String,
    bytes: Vec<u8>,
}

/// Downloads every signer's XAdES (`PREFIX-signer-N.xades.xml`) and the PAdES
/// (`PREFIX.pades.pdf`) of a finished job into memory. `flow` starts the step names.
pub(super) async fn download_documents(
    client: &Client,
    change: &StatusChange,
    prefix: &str,
    flow: &str,
) -> Result<Vec<Download>, FlowError> {
    let mut downloads = Vec::new();
    let mut xades = 0;
    for artifact in change.artifacts() {
        let (name, step) = match artifact {
            ArtifactRef::Xades { .. } => {
                xades += 1;
                (
                    format!("{prefix}-signer-{xades}.xades.xml"),
                    format!("{flow}: download XAdES {xades}"),
                )
            }
            ArtifactRef::Pades { .. } => (
                format!("{prefix}.pades.pdf"),
                format!("{flow}: download PAdES"),
            ),
            _ => continue,
        };
        let mut bytes = Vec::new(); // any tokio AsyncWrite, e.g. a tokio::fs::File
        call(&step, client.download(artifact, &mut bytes)).await?;
        downloads.push(Download { step, name, bytes });
    }
    if xades == 0 || change.pades().is_none() {
        return Err(FlowError::new(
            &format!("{flow}: downloads"),
            format!(
                "expected XAdES and PAdES links, got {xades} XAdES and {} PAdES",
                usize::from(change.pades().is_some())
            ),
        ));
    }
    Ok(downloads)
}

/// Hands the downloaded documents to `progress`, one step each.
pub(super) fn keep_documents(
    progress: &mut dyn Progress,
    downloads: &[Download],
) -> Result<(), FlowError> {
    for download in downloads {
        keep(
            progress,
            &download.step,
            &download.name,
            &download.bytes,
            "",
        )?;
    }
    Ok(())
}

/// Confirms `change` (if it asks for that), so the service stops offering it.
pub(super) async fn confirm(
    client: &Client,
    change: &StatusChange,
    step: &str,
    progress: &mut dyn Progress,
) -> Result<(), FlowError> {
    match &change.confirmation {
        Some(handle) => {
            call(step, client.confirm(handle)).await?;
            progress.step(step, &format!("job {} confirmed", change.job_id));
        }
        None => progress.step(step, "nothing to confirm"),
    }
    Ok(())
}
