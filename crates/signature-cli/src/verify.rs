//! `signering bundle verify`: signature, digests, chain (with `--trust`) and manifest.

use serde::Serialize;

use crate::cli::VerifyArgs;
use crate::error::{CliError, Status, read_file};
use crate::inspect::manifest_lines;
use crate::manifest::{ManifestSummary, content_files, cross_check, summarize};
use crate::mask::mask_identity_numbers;
use crate::output::{certificate_name, emit, emit_json, timestamp};

#[derive(Debug, Serialize)]
struct Report {
    file: String,
    valid: bool,
    /// Why the bundle is not valid; empty when it is.
    reasons: Vec<String>,
    /// Set when the signature verified.
    signature: Option<SignatureOut>,
    /// Whether the chain was checked against `--trust` roots (and found trusted).
    chain_trusted: bool,
    manifest: Option<ManifestSummary>,
}

#[derive(Debug, Serialize)]
struct SignatureOut {
    signed_files: Vec<String>,
    signing_time: String,
    signer_subject: String,
}

pub(crate) fn run(args: &VerifyArgs, json: bool) -> Result<Status, CliError> {
    let zip = read_file(&args.file)?;
    let mut options = asice::VerifyOptions::default();
    for path in &args.trust {
        let pem = read_file(path)?;
        options
            .add_trust_roots_pem(&pem)
            .map_err(|error| CliError::Trust {
                path: path.display().to_string(),
                error,
            })?;
    }

    let mut reasons = Vec::new();
    let (signature, chain_trusted) = match asice::verify(&zip, &options) {
        Ok(verified) => (
            Some(SignatureOut {
                signed_files: verified
                    .files
                    .iter()
                    .map(|f| mask_identity_numbers(f))
                    .collect(),
                signing_time: timestamp(verified.signing_time),
                signer_subject: certificate_name(&verified.signer_subject),
            }),
            verified.chain_trusted,
        ),
        Err(error) => {
            reasons.push(mask_identity_numbers(&error.to_string()));
            (None, false)
        }
    };

    // The manifest must describe exactly the documents in the bundle. When the signature
    // verified, every file (the manifest too) is covered by it.
    let manifest = match asice::inspect(&zip, &options.limits) {
        Err(_) => None, // unreadable zip: the signature check already said why
        Ok(inspection) => match &inspection.manifest {
            None => {
                reasons.push("the bundle has no manifest.xml".to_owned());
                None
            }
            Some(xml) => match summarize(xml) {
                Ok(summary) => {
                    let files = content_files(inspection.entries.iter().map(|e| e.name.as_str()));
                    reasons.extend(cross_check(&summary, &files));
                    Some(summary)
                }
                Err(error) => {
                    reasons.push(format!(
                        "manifest.xml is not a Posten signering manifest: {error}"
                    ));
                    None
                }
            },
        },
    };

    let report = Report {
        file: mask_identity_numbers(&args.file.display().to_string()),
        valid: reasons.is_empty(),
        reasons,
        signature,
        chain_trusted,
        manifest,
    };
    if json {
        emit_json(&report)?;
    } else {
        emit(&human(&report, !args.trust.is_empty()))?;
    }
    Ok(if report.valid {
        Status::Success
    } else {
        Status::Rejected
    })
}

fn human(r: &Report, trust_given: bool) -> String {
    let mut out = if r.valid {
        format!("VALID: {}\n", r.file)
    } else {
        let mut out = format!("INVALID: {}\n", r.file);
        for reason in &r.reasons {
            out.push_str(&format!("  - {reason}\n"));
        }
        out
    };
    if let Some(s) = &r.signature {
        out.push_str(&format!(
            "Signature: valid, signed by {} at {} (claimed signing time)\n",
            s.signer_subject, s.signing_time
        ));
        out.push_str(&format!(
            "Signed files, each digest checked: {}\n",
            s.signed_files.join(", ")
        ));
        out.push_str(if r.chain_trusted {
            "Certificate chain: leads to a --trust root and is valid now\n"
        } else if trust_given {
            "Certificate chain: not trusted\n"
        } else {
            "Certificate chain: NOT checked (no --trust ROOT.pem given)\n"
        });
    }
    if let Some(m) = &r.manifest {
        out.push_str(&manifest_lines(m));
    }
    out
}
