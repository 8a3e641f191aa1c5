//! `signering bundle inspect`: list a bundle without verifying it.

use serde::Serialize;

use crate::cli::InspectArgs;
use crate::error::{CliError, Status, read_file};
use crate::manifest::{ManifestSummary, summarize};
use crate::mask::mask_identity_numbers;
use crate::output::{Certificate, Entry, emit_output, entry_lines, timestamp};

#[derive(Debug, Serialize)]
struct Report {
    file: String,
    bytes: u64,
    entries: Vec<Entry>,
    /// `null` when there is no readable manifest; `manifest_error` says why.
    manifest: Option<ManifestSummary>,
    manifest_error: Option<String>,
    /// Claimed, not verified.
    signing_time: Option<String>,
    /// Signing certificate first.
    certificates: Vec<Certificate>,
    verified: bool,
}

pub(crate) fn run(args: &InspectArgs, json: bool) -> Result<Status, CliError> {
    let zip = read_file(&args.file)?;
    let inspection =
        asice::inspect(&zip, &asice::Limits::default()).map_err(|error| CliError::Bundle {
            path: args.file.display().to_string(),
            error,
        })?;
    let (manifest, manifest_error) = match &inspection.manifest {
        None => (None, Some("the bundle has no manifest.xml".to_owned())),
        Some(xml) => match summarize(xml) {
            Ok(summary) => (Some(summary), None),
            Err(error) => (
                None,
                Some(format!(
                    "manifest.xml is not a Posten signering manifest: {error}"
                )),
            ),
        },
    };
    let report = Report {
        file: mask_identity_numbers(&args.file.display().to_string()),
        bytes: zip.len() as u64,
        entries: inspection.entries.iter().map(Entry::from).collect(),
        manifest,
        manifest_error,
        signing_time: inspection.signing_time.map(timestamp),
        certificates: inspection
            .certificates
            .iter()
            .map(Certificate::from)
            .collect(),
        verified: false,
    };
    emit_output(json, &report, human)
}

fn human(r: &Report) -> String {
    let mut out = format!(
        "{} ({} bytes, {} entries)\n",
        r.file,
        r.bytes,
        r.entries.len()
    );
    out.push_str(&entry_lines(&r.entries, "  "));
    match (&r.manifest, &r.manifest_error) {
        (Some(m), _) => out.push_str(&manifest_lines(m)),
        (None, Some(error)) => out.push_str(&format!("Manifest: {error}\n")),
        (None, None) => {}
    }
    out.push_str(&format!(
        "Signing time (claimed): {}\n",
        r.signing_time.as_deref().unwrap_or("none")
    ));
    if r.certificates.is_empty() {
        out.push_str("Certificates: none\n");
    }
    for (index, cert) in r.certificates.iter().enumerate() {
        let role = if index == 0 {
            "signing certificate"
        } else {
            "chain"
        };
        out.push_str(&format!(
            "Certificate {} ({role}):\n  subject: {}\n  issuer:  {}\n  serial:  {}\n  valid:   {} to {}\n",
            index + 1,
            cert.subject,
            cert.issuer,
            cert.serial,
            cert.not_before,
            cert.not_after
        ));
    }
    out.push_str(
        "Nothing above is verified; run `signering bundle verify` to check the signature.\n",
    );
    out
}

/// The manifest part of the text output, shared with `verify`.
pub(crate) fn manifest_lines(m: &ManifestSummary) -> String {
    let mut out = format!(
        "Manifest: {} job \"{}\" from {}\n  {} signer{}:\n",
        m.flow,
        m.title,
        m.sender,
        m.signers.len(),
        if m.signers.len() == 1 { "" } else { "s" }
    );
    for s in &m.signers {
        match s.notification {
            Some(how) => out.push_str(&format!("    {} (notified by {how})\n", s.identity)),
            None => out.push_str(&format!("    {}\n", s.identity)),
        }
    }
    out.push_str(&format!(
        "  {} document{}:\n",
        m.documents.len(),
        if m.documents.len() == 1 { "" } else { "s" }
    ));
    for d in &m.documents {
        out.push_str(&format!(
            "    \"{}\" {} ({})\n",
            d.title, d.href, d.media_type
        ));
    }
    out
}
