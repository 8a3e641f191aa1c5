//! `signering download URL` (through the provider-neutral service) and `signering archive get
//! ID` (Posten's archive), and the file sink with a progress bar that `poll --download` uses
//! too.

use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::task::{Context, Poll};

use indicatif::ProgressBar;
use serde::Serialize;
use signature_core::{ArtifactRef, Capabilities, Capability, OrganizationNumber, SignatureService};
use tokio::io::{AsyncWrite, AsyncWriteExt as _};

use crate::cli::{ArchiveGetArgs, DownloadArgs};
use crate::config::Settings;
use crate::error::{CliError, Status};
use crate::mask::mask_identity_numbers;
use crate::output::emit_output;
use crate::service::Service;

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

/// A download in progress: `FILE.part` next to its final path, counting into a progress
/// bar, renamed when complete, so a file with the final name is always whole.
pub(crate) struct PartFile {
    part: PathBuf,
    path: PathBuf,
    sink: Counting,
}

impl PartFile {
    /// Creates `path.part`.
    pub(crate) async fn create(path: &Path, json: bool) -> Result<Self, CliError> {
        let part = part_path(path);
        let file = tokio::fs::File::create(&part)
            .await
            .map_err(|e| CliError::write(&part, e))?;
        let label = path
            .file_name()
            .map(|n| mask_identity_numbers(&n.to_string_lossy()))
            .unwrap_or_default();
        Ok(Self {
            part,
            path: path.to_owned(),
            sink: Counting {
                file,
                bar: crate::style::bytes(json, &label),
            },
        })
    }

    /// Where the download writes.
    pub(crate) fn sink(&mut self) -> &mut (dyn AsyncWrite + Unpin + Send) {
        &mut self.sink
    }

    /// After the download's `result`: on success the file is flushed to disk and renamed to
    /// its final name; on failure the partial file is removed (a partial file is worse than
    /// none). Returns the bytes written.
    pub(crate) async fn finish(mut self, result: Result<u64, CliError>) -> Result<u64, CliError> {
        self.sink.bar.finish_and_clear();
        let finished = match result {
            Ok(bytes) => match self
                .sink
                .file
                .flush()
                .await
                .and(self.sink.file.sync_all().await)
            {
                Ok(()) => Ok(bytes),
                Err(e) => Err(CliError::write(&self.part, e)),
            },
            Err(e) => Err(e),
        };
        let Self { part, path, sink } = self;
        drop(sink);
        match finished {
            Ok(bytes) => {
                tokio::fs::rename(&part, &path)
                    .await
                    .map_err(|e| CliError::write(&path, e))?;
                Ok(bytes)
            }
            Err(error) => {
                drop(tokio::fs::remove_file(&part).await);
                Err(error)
            }
        }
    }
}

/// Streams `artifact` from the service into `path` through `path.part`. Returns the bytes
/// written.
pub(crate) async fn to_file(
    service: &dyn SignatureService,
    artifact: &ArtifactRef,
    path: &Path,
    json: bool,
) -> Result<u64, CliError> {
    let mut file = PartFile::create(path, json).await?;
    let result = service.download(artifact, file.sink()).await;
    file.finish(result.map_err(CliError::from)).await
}

/// The artifact a URL names, by what the service downloads: a XAdES or PAdES where it
/// offers those (`/pades` is the PAdES, anything else a XAdES), else a signature record.
pub(crate) fn artifact_at(url: &str, capabilities: &Capabilities) -> ArtifactRef {
    let documents = [Capability::DownloadXades, Capability::DownloadPades];
    if !documents.iter().any(|c| capabilities.contains(*c))
        && capabilities.contains(Capability::DownloadSignatureRecord)
    {
        ArtifactRef::signature_record(url)
    } else {
        artifact_for(url)
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
    emit_output(json, &written, |w| {
        format!("Wrote {} ({} bytes)\n", w.file, w.bytes)
    })
}

/// `signering download URL --out FILE`.
pub(crate) fn download(
    args: &DownloadArgs,
    settings: &Settings,
    json: bool,
) -> Result<Status, CliError> {
    let service = Service::connect(args.provider.provider, settings, None)?;
    let artifact = artifact_at(&args.url, &service.capabilities);
    let runtime = crate::runtime()?;
    let bytes = runtime.block_on(to_file(
        service.service.as_ref(),
        &artifact,
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
    let bytes = runtime.block_on(async {
        let mut file = PartFile::create(&args.out, json).await?;
        let result = client
            .download_archived_pades(&owner, &args.id, file.sink())
            .await;
        file.finish(result.map_err(CliError::from)).await
    })?;
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

    #[test]
    fn a_url_names_what_the_service_downloads() {
        let posten = Capabilities::none()
            .with(Capability::DownloadXades)
            .with(Capability::DownloadPades);
        let url = "https://h/api/1/portal/signature-jobs/3/pades";
        assert!(matches!(
            artifact_at(url, &posten),
            ArtifactRef::Pades { .. }
        ));
        let altinn3 = Capabilities::none().with(Capability::DownloadSignatureRecord);
        let url = "https://h/ttd/app/instances/5/0b6c/data/9";
        assert!(matches!(
            artifact_at(url, &altinn3),
            ArtifactRef::SignatureRecord { url: u } if u == url
        ));
    }
}
