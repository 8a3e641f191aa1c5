//! `signering download URL` and `signering archive get ID`, and the file sink with a
//! progress bar that `poll --download` uses too.

use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::task::{Context, Poll};

use indicatif::ProgressBar;
use posten_adapter::Client;
use serde::Serialize;
use signature_core::{ArtifactRef, OrganizationNumber};
use tokio::io::{AsyncWrite, AsyncWriteExt as _};

use crate::cli::{ArchiveGetArgs, DownloadArgs};
use crate::config::Settings;
use crate::error::{CliError, Status};
use crate::mask::mask_identity_numbers;
use crate::output::{emit, emit_json};

/// A file that counts the bytes written into a progress bar.
struct Counting {
    file: tokio::fs::File,
    bar: ProgressBar,
}

impl AsyncWrite for Counting {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.file).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = &result {
            this.bar.inc(*n as u64);
        }
        result
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().file).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().file).poll_shutdown(cx)
    }
}

/// `FILE.part` next to `path`.
fn part_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_owned();
    name.push(".part");
    path.with_file_name(name)
}

/// What a download returned: bytes written into the file.
pub(crate) enum Fetch<'a> {
    /// A XAdES or PAdES by URL.
    Artifact(&'a ArtifactRef),
    /// An archived PAdES.
    Archived {
        owner: &'a OrganizationNumber,
        id: &'a str,
    },
}

/// Streams a download into `path` through `path.part`, renamed when complete, so a file
/// with the final name is always whole. Returns the bytes written.
pub(crate) async fn to_file(
    client: &Client,
    what: Fetch<'_>,
    path: &Path,
    json: bool,
) -> Result<u64, CliError> {
    let part = part_path(path);
    let file = tokio::fs::File::create(&part)
        .await
        .map_err(|e| CliError::write(&part, e))?;
    let label = path
        .file_name()
        .map(|n| mask_identity_numbers(&n.to_string_lossy()))
        .unwrap_or_default();
    let mut sink = Counting {
        file,
        bar: crate::style::bytes(json, &label),
    };
    let result = match what {
        Fetch::Artifact(artifact) => client.download(artifact, &mut sink).await,
        Fetch::Archived { owner, id } => client.download_archived_pades(owner, id, &mut sink).await,
    };
    sink.bar.finish_and_clear();
    let finished = match result {
        Ok(bytes) => match sink.file.flush().await.and(sink.file.sync_all().await) {
            Ok(()) => Ok(bytes),
            Err(e) => Err(CliError::write(&part, e)),
        },
        Err(e) => Err(CliError::from(e)),
    };
    drop(sink);
    match finished {
        Ok(bytes) => {
            tokio::fs::rename(&part, path)
                .await
                .map_err(|e| CliError::write(path, e))?;
            Ok(bytes)
        }
        Err(error) => {
            // A partial file is worse than none.
            drop(tokio::fs::remove_file(&part).await);
            Err(error)
        }
    }
}

/// The artifact a URL names: `/pades` is the PAdES, anything else a XAdES.
pub(crate) fn artifact_for(url: &str) -> ArtifactRef {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    if path.trim_end_matches('/').ends_with("/pades") {
        ArtifactRef::pades(url)
    } else {
        ArtifactRef::xades(None, url)
    }
}

#[derive(Debug, Serialize)]
struct Written {
    file: String,
    bytes: u64,
}

fn report(path: &Path, bytes: u64, json: bool) -> Result<Status, CliError> {
    let written = Written {
        file: mask_identity_numbers(&path.display().to_string()),
        bytes,
    };
    if json {
        emit_json(&written)?;
    } else {
        emit(&format!(
            "Wrote {} ({} bytes)\n",
            written.file, written.bytes
        ))?;
    }
    Ok(Status::Success)
}

/// `signering download URL --out FILE`.
pub(crate) fn download(
    args: &DownloadArgs,
    settings: &Settings,
    json: bool,
) -> Result<Status, CliError> {
    let client = crate::connect::posten(settings)?;
    let artifact = artifact_for(&args.url);
    let runtime = crate::runtime()?;
    let bytes = runtime.block_on(to_file(
        &client,
        Fetch::Artifact(&artifact),
        &args.out,
        json,
    ))?;
    report(&args.out, bytes, json)
}

/// `signering archive get ID --out FILE`.
pub(crate) fn archive_get(
    args: &ArchiveGetArgs,
    settings: &Settings,
    json: bool,
) -> Result<Status, CliError> {
    let owner = match &args.owner {
        Some(owner) => OrganizationNumber::parse(owner.trim())
            .map_err(|e| CliError::Usage(format!("--owner: {e}")))?,
        None => crate::connect::sender(settings)?.ok_or_else(|| {
            CliError::Usage(
                "whose archive? give --owner ORGNR or configure the sender (--sender, \
                 SIGNERING_SENDER, posten.sender)"
                    .to_owned(),
            )
        })?,
    };
    let client = crate::connect::posten(settings)?;
    let runtime = crate::runtime()?;
    let bytes = runtime.block_on(to_file(
        &client,
        Fetch::Archived {
            owner: &owner,
            id: &args.id,
        },
        &args.out,
        json,
    ))?;
    report(&args.out, bytes, json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pades_urls_are_recognised() {
        assert!(matches!(
            artifact_for("https://h/api/1/portal/signature-jobs/3/pades"),
            ArtifactRef::Pades { .. }
        ));
        assert!(matches!(
            artifact_for("https://h/api/1/portal/signature-jobs/3/xades/1"),
            ArtifactRef::Xades { .. }
        ));
        assert_eq!(
            part_path(Path::new("d/x.pdf")),
            PathBuf::from("d/x.pdf.part")
        );
    }
}
