//! `signering bundle build`: validate a job, sign its bundle, write it.

use std::io::{BufReader, BufWriter, Seek as _};
use std::path::{Path, PathBuf};

use asice::{BuildOptions, LoadOptions, SigningKey, SystemClock};
use posten_adapter::PreparedJob;
use serde::Serialize;
use signature_core::{
    DirectFlow, Document, Flow, LookupNotifications, MediaType, SigningJob, TextField,
    ValidationError,
};
use zeroize::Zeroizing;

use crate::cli::{BuildArgs, FlowArg, NotifyArg};
use crate::error::{CliError, Status, read_file};
use crate::job::{add_signers, exit_urls};
use crate::mask::mask_identity_numbers;
use crate::output::{Entry, certificate_name, emit_output, entry_lines, timestamp};
use crate::password;

/// The build summary, for both output forms.
#[derive(Debug, Serialize)]
struct Summary {
    out: String,
    bundle_bytes: u64,
    request_out: Option<String>,
    flow: &'static str,
    title: String,
    sender: String,
    signers: usize,
    documents: Vec<DocumentOut>,
    signing_time: Option<String>,
    signer_subject: String,
    entries: Vec<Entry>,
}

#[derive(Debug, Serialize)]
struct DocumentOut {
    file: String,
    title: String,
    media_type: &'static str,
    bytes: u64,
}

pub(crate) fn run(args: &BuildArgs, json: bool) -> Result<Status, CliError> {
    let flow = flow(args)?;
    let documents = read_documents(&args.documents)?;
    let job = build_job(args, flow, &documents)?;
    let key = load_key(args)?;

    // The documents stream from their files through hashing into a temporary file beside
    // the output, renamed over it only when complete: memory stays flat whatever the
    // documents' size, and a failed or interrupted build leaves no half-written bundle.
    let write_error = |e| CliError::write(&args.out, e);
    let directory = match args.out.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let partial = tempfile::Builder::new()
        .prefix(".signering-bundle")
        .tempfile_in(directory)
        .map_err(write_error)?;
    let out = BufWriter::with_capacity(64 * 1024, partial);
    let (serialized, out) = PreparedJob::write_bundle(
        &job,
        None,
        &key,
        &SystemClock,
        &BuildOptions::default(),
        out,
    )
    .map_err(CliError::Build)?;
    let mut partial = out.into_inner().map_err(|e| write_error(e.into_error()))?;
    let bundle_bytes = partial.as_file().metadata().map_err(write_error)?.len();
    // Describe what was written from the bytes themselves (the zip directory and the
    // signature; the documents are not read back).
    partial.rewind().map_err(write_error)?;
    let inspection =
        asice::inspect_reader(BufReader::new(partial.as_file()), &asice::Limits::default())
            .map_err(|e| CliError::Bundle {
                path: args.out.display().to_string(),
                error: e,
            })?;
    partial
        .persist(&args.out)
        .map_err(|e| write_error(e.error))?;
    if let Some(path) = &args.request_out {
        std::fs::write(path, &serialized.request_xml).map_err(|e| CliError::write(path, e))?;
    }

    let summary = Summary {
        out: mask_identity_numbers(&args.out.display().to_string()),
        bundle_bytes,
        request_out: args
            .request_out
            .as_ref()
            .map(|p| mask_identity_numbers(&p.display().to_string())),
        flow: match flow {
            FlowArg::Portal => "portal",
            FlowArg::Direct => "direct",
        },
        title: mask_identity_numbers(job.title()),
        sender: job.sender().map(|s| s.to_string()).unwrap_or_default(),
        signers: job.signers().len(),
        documents: job
            .documents()
            .iter()
            .zip(&args.documents)
            .map(|(document, path)| DocumentOut {
                file: mask_identity_numbers(&path.display().to_string()),
                title: mask_identity_numbers(document.title()),
                media_type: document.media_type().as_str(),
                bytes: document.size(),
            })
            .collect(),
        signing_time: inspection.signing_time.map(timestamp),
        signer_subject: certificate_name(&key.subject()),
        entries: inspection.entries.iter().map(Entry::from).collect(),
    };
    emit_output(json, &summary, human)
}

fn human(s: &Summary) -> String {
    let mut out = format!(
        "Wrote {} ({} bytes): {} job \"{}\" from {}, {} signer{}, {} document{}\n",
        s.out,
        s.bundle_bytes,
        s.flow,
        s.title,
        s.sender,
        s.signers,
        plural(s.signers),
        s.documents.len(),
        plural(s.documents.len()),
    );
    out.push_str(&format!(
        "  signed at {} by {}\n",
        s.signing_time.as_deref().unwrap_or("(unknown time)"),
        s.signer_subject
    ));
    out.push_str(&format!("  {} entries:\n", s.entries.len()));
    out.push_str(&entry_lines(&s.entries, "    "));
    if let Some(path) = &s.request_out {
        out.push_str(&format!("Wrote the job request XML to {path}\n"));
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Checks that the flow options fit together before anything is read.
fn flow(args: &BuildArgs) -> Result<FlowArg, CliError> {
    let separate = [&args.completion_url, &args.rejection_url, &args.error_url];
    let any_exit_url = args.exit_url.is_some() || separate.iter().any(|u| u.is_some());
    match args.flow {
        FlowArg::Portal if any_exit_url => Err(CliError::Usage(
            "exit URLs (--exit-url, --completion-url, --rejection-url, --error-url) belong to \
             the direct flow; add --flow direct or leave them out"
                .to_owned(),
        )),
        FlowArg::Direct if args.notify.is_some() => Err(CliError::Usage(
            "--notify belongs to the portal flow; direct-flow signers are redirected by your \
             web site, not notified"
                .to_owned(),
        )),
        FlowArg::Direct if args.exit_url.is_none() && !separate.iter().all(|u| u.is_some()) => {
            Err(CliError::Usage(
                "--flow direct needs --exit-url URL, or all three of --completion-url, \
                 --rejection-url and --error-url"
                    .to_owned(),
            ))
        }
        flow => Ok(flow),
    }
}

/// The documents, file-backed (read when the bundle is built), with the media type from the
/// extension and the title from the stem.
pub(crate) fn read_documents(paths: &[PathBuf]) -> Result<Vec<Document>, CliError> {
    let mut kinds = Vec::with_capacity(paths.len());
    for path in paths {
        kinds.push(document_kind(path)?);
    }
    // Do not read gigabytes only to be told the job is too large.
    let mut total: u64 = 0;
    for path in paths {
        let metadata = std::fs::metadata(path).map_err(|e| CliError::read(path, e))?;
        if !metadata.is_file() {
            return Err(CliError::read(
                path,
                std::io::Error::other("not a regular file"),
            ));
        }
        total = total.saturating_add(metadata.len());
    }
    let limit = posten_adapter::LIMITS.max_total_document_size;
    if total > limit {
        return Err(CliError::Job(
            ValidationError::DocumentsTooLarge {
                total_bytes: total,
                limit_bytes: limit,
            }
            .to_string(),
        ));
    }
    paths
        .iter()
        .zip(kinds)
        .map(|(path, kind)| {
            let title = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let file_name = path
                .file_name()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let media_type = match kind {
                DocumentKind::Pdf => MediaType::Pdf,
                DocumentKind::PlainText => MediaType::PlainText,
            };
            Document::from_file(title, file_name, media_type, path)
                .map_err(|e| CliError::read(path, e))
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DocumentKind {
    Pdf,
    PlainText,
}

fn document_kind(path: &Path) -> Result<DocumentKind, CliError> {
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    match extension.as_deref() {
        Some("pdf") => Ok(DocumentKind::Pdf),
        Some("txt") => Ok(DocumentKind::PlainText),
        other => Err(CliError::DocumentType {
            path: path.display().to_string(),
            found: other.map_or_else(|| "(no extension)".to_owned(), |e| format!(".{e}")),
        }),
    }
}

fn build_job(
    args: &BuildArgs,
    flow: FlowArg,
    documents: &[Document],
) -> Result<SigningJob, CliError> {
    let lookup = match args.notify {
        None | Some(NotifyArg::Email) => LookupNotifications::EmailOnly,
        Some(NotifyArg::EmailAndSms) => LookupNotifications::EmailAndSms,
    };
    let mut builder = SigningJob::builder(args.title.as_str())
        .sender(args.sender.as_str())
        .documents(documents.iter().cloned());
    let direct = flow == FlowArg::Direct;
    builder = add_signers(builder, &args.signers, direct, lookup);
    if direct {
        let urls = [
            &args.exit_url,
            &args.completion_url,
            &args.rejection_url,
            &args.error_url,
        ];
        // `flow()` has already refused anything else.
        let urls = exit_urls(urls)
            .ok_or_else(|| CliError::Usage("--flow direct needs exit URLs".to_owned()))?;
        builder = builder.flow(Flow::Direct(DirectFlow::new(urls)));
    }
    builder
        .build()
        .and_then(|job| job.check_limits(&posten_adapter::LIMITS).map(|()| job))
        .map_err(|error| CliError::Job(describe(&error, &args.documents)))
}

/// The validation error in command-line terms: which `--signer` or `--document`, counted
/// from 1. Core messages never contain an identity number, e-mail address or mobile number.
fn describe(error: &ValidationError, documents: &[PathBuf]) -> String {
    match error {
        ValidationError::InvalidOrganizationNumber { .. } => format!("--sender: {error}"),
        ValidationError::TextLength {
            field: TextField::Title,
            ..
        } => format!("--title: {error}"),
        other => crate::job::describe(other, documents, &crate::job::Labels::COMMAND_LINE),
    }
}

/// Reads the key files first (so a missing file is reported before any password prompt),
/// then obtains the password if one is needed, then loads the key.
fn load_key(args: &BuildArgs) -> Result<SigningKey, CliError> {
    let options = LoadOptions::default();
    if let Some(key) = args.pkcs11.load(args.cert.as_ref(), &options)? {
        return Ok(key);
    }
    match (&args.keystore, &args.key, &args.cert) {
        (Some(keystore), _, _) => {
            let data = Zeroizing::new(read_file(keystore)?);
            let password = password::obtain(
                args.password_env.as_deref(),
                &format!("the key store {}", keystore.display()),
            )?;
            SigningKey::from_pkcs12(&data, &password, &options).map_err(CliError::Key)
        }
        (None, Some(key), Some(cert)) => {
            let key_pem = Zeroizing::new(read_file(key)?);
            let chain_pem = read_file(cert)?;
            if contains(&key_pem, b"Proc-Type: 4,ENCRYPTED") {
                return Err(CliError::Key(asice::Error::Pem {
                    what: "private key",
                    detail: "legacy OpenSSL PEM encryption is not supported; convert the key \
                             with `openssl pkcs8 -topk8 -in OLD.pem -out NEW.pem`"
                        .to_owned(),
                }));
            }
            let password = if contains(&key_pem, b"-----BEGIN ENCRYPTED PRIVATE KEY-----") {
                Some(password::obtain(
                    args.password_env.as_deref(),
                    &format!("the encrypted key {}", key.display()),
                )?)
            } else {
                None
            };
            SigningKey::from_pem(
                &key_pem,
                &chain_pem,
                password.as_ref().map(|p| p.as_str()),
                &options,
            )
            .map_err(CliError::Key)
        }
        // clap requires --keystore, or --key together with --cert.
        _ => Err(CliError::Usage(
            "give --keystore FILE.p12, --key KEY.pem with --cert CHAIN.pem, or \
             --pkcs11-module PATH with --pkcs11-token LABEL"
                .to_owned(),
        )),
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_type_comes_from_the_extension_in_any_case() {
        assert_eq!(
            document_kind(Path::new("a/Kontrakt.PDF")).unwrap(),
            DocumentKind::Pdf
        );
        assert_eq!(
            document_kind(Path::new("vedlegg.txt")).unwrap(),
            DocumentKind::PlainText
        );
        let error = document_kind(Path::new("dir/brev.docx")).unwrap_err();
        assert_eq!(error.status(), Status::Rejected);
        let message = error.to_string();
        assert!(message.contains("dir/brev.docx"), "{message}");
        assert!(message.contains(".docx"), "{message}");
        let message = document_kind(Path::new("README")).unwrap_err().to_string();
        assert!(message.contains("(no extension)"), "{message}");
    }

    #[test]
    fn validation_errors_name_the_argument_counted_from_one() {
        let documents = [PathBuf::from("a.pdf"), PathBuf::from("b.pdf")];
        let error = ValidationError::Document {
            index: 1,
            reason: Box::new(ValidationError::EmptyDocument),
        };
        assert_eq!(
            describe(&error, &documents),
            "--document b.pdf: document is empty"
        );
        let error = ValidationError::DuplicateSigner {
            index: 1,
            first_index: 0,
        };
        assert_eq!(
            describe(&error, &documents),
            "--signer number 2 is the same person as --signer number 1"
        );
    }
}
