//! Printing `signering doctor`'s findings: text for people, JSON for scripts.

use posten_adapter::doctor::{
    ClientCertificateReport, ConnectionReport, Finding, IssuerEvidence, ServerChainReport, Severity,
};
use posten_adapter::{CertificateSummary, Environment, Seid, TrustAnchors};
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::error::CliError;
use crate::mask::mask_identity_numbers;
use crate::output::{emit, emit_json, timestamp};
use crate::style::status_word;

/// Everything `doctor` found.
pub(crate) struct Report<'a> {
    pub at: OffsetDateTime,
    pub environment: Option<&'a Environment>,
    /// What was read (the file) and the certificate check.
    pub certificate: Option<(&'a str, &'a ClientCertificateReport)>,
    /// The captured chain's file and its check.
    pub server_chain: Option<(&'a str, &'a ServerChainReport)>,
    pub connection: Option<&'a ConnectionReport>,
    /// Why the online check did not run, if it did not.
    pub skipped_online: Option<&'static str>,
}

pub(crate) fn print(report: &Report<'_>, json: bool) -> Result<(), CliError> {
    if json {
        emit_json(&to_json(report))
    } else {
        emit(&mask_identity_numbers(&to_text(report)))
    }
}

fn seid(seid: Option<Seid>) -> &'static str {
    match seid {
        Some(Seid::One) => "SEID 1, in serialNumber",
        Some(Seid::Two) => "SEID 2, in organizationIdentifier",
        _ => "in the common name",
    }
}

fn kind(anchors: Option<TrustAnchors>) -> &'static str {
    match anchors {
        Some(TrustAnchors::Production) => "production",
        Some(TrustAnchors::Test) => "test",
        _ => "unknown",
    }
}

fn fits(report: &ClientCertificateReport) -> String {
    match report.issued_by {
        Some(TrustAnchors::Production) => "Production: a production certificate".to_owned(),
        Some(TrustAnchors::Test) => "Test and QA: a test certificate".to_owned(),
        _ => "no Posten environment (fine for an emulator)".to_owned(),
    }
}

fn date(t: OffsetDateTime) -> String {
    timestamp(t).chars().take(10).collect()
}

fn validity(c: &CertificateSummary, at: OffsetDateTime) -> String {
    let days = c.days_left(at);
    let state = if at > c.not_after {
        format!("{}, {} days ago", status_word("EXPIRED"), -days)
    } else if at < c.not_before {
        status_word("NOT YET VALID")
    } else {
        format!("{days} days left")
    };
    format!("{} to {} ({state})", date(c.not_before), date(c.not_after))
}

fn yes_no(value: Option<bool>, absent: &str) -> String {
    match value {
        Some(true) => "yes".to_owned(),
        Some(false) => status_word("no"),
        None => absent.to_owned(),
    }
}

fn findings_text(out: &mut String, findings: &[Finding]) {
    for finding in findings {
        let mark = match finding.severity {
            Severity::Problem => status_word("problem"),
            Severity::Warning => "warning".to_owned(),
            _ => "note".to_owned(),
        };
        out.push_str(&format!("  {mark}: {}\n", finding.message));
    }
}

/// Whose certificate it is: subject, organization (and SEID version), issuer.
fn identity_text(out: &mut String, cert: &CertificateSummary) {
    out.push_str(&format!("  subject        {}\n", cert.subject));
    out.push_str(&format!(
        "  organization   {} ({})\n",
        cert.organization_number.as_deref().unwrap_or("none"),
        seid(cert.seid)
    ));
    out.push_str(&format!("  issuer         {}\n", cert.issuer));
}

fn to_text(report: &Report<'_>) -> String {
    let mut out = String::new();
    if let Some((what, c)) = report.certificate {
        let cert = &c.certificate;
        out.push_str(&format!("Enterprise certificate ({what})\n"));
        identity_text(&mut out, cert);
        let evidence = match c.evidence {
            Some(IssuerEvidence::Chain) => " (chains to the built-in anchors)",
            Some(IssuerEvidence::IssuerName) => " (by the issuer's name only)",
            _ => "",
        };
        out.push_str(&format!(
            "  CA             {} CA{evidence}\n",
            kind(c.issued_by)
        ));
        out.push_str(&format!(
            "  valid          {}\n",
            validity(cert, c.checked_at)
        ));
        out.push_str(&format!(
            "  key usage      digitalSignature: {}\n",
            yes_no(cert.digital_signature, "any (no key usage extension)")
        ));
        let chain = match c.chain_complete {
            Some(true) => "complete: the key store holds the way up to a root",
            Some(false) => "incomplete: the issuing CA certificate is missing",
            None => "not checked, the CA is unknown",
        };
        out.push_str(&format!(
            "  chain          {chain} ({} certificates)\n",
            c.chain_length
        ));
        out.push_str(&format!("  fits           {}\n", fits(c)));
        findings_text(&mut out, &c.findings);
        out.push('\n');
    }
    if let Some((what, s)) = report.server_chain {
        out.push_str(&format!(
            "Server chain ({what}) for {} at {}\n",
            report.environment.map_or("?", Environment::name),
            timestamp(s.checked_at)
        ));
        if let Some(cert) = &s.certificate {
            identity_text(&mut out, cert);
            out.push_str(&format!(
                "  valid          {}\n",
                validity(cert, s.checked_at)
            ));
        }
        findings_text(&mut out, &s.findings);
        out.push('\n');
    }
    if let Some(c) = report.connection {
        out.push_str(&format!("Connection ({})\n", c.url));
        findings_text(&mut out, &c.findings);
        out.push('\n');
    } else if let Some(why) = report.skipped_online {
        out.push_str(&format!("Connection: not checked ({why})\n\n"));
    }
    let ok = report.certificate.is_none_or(|(_, c)| c.is_usable())
        && report.server_chain.is_none_or(|(_, s)| s.is_accepted())
        && report.connection.is_none_or(ConnectionReport::is_ok);
    out.push_str(&format!(
        "Result: {}\n",
        if ok {
            status_word("ok")
        } else {
            status_word("failed")
        }
    ));
    out
}

fn findings_json(findings: &[Finding]) -> Value {
    findings
        .iter()
        .map(|f| json!({ "severity": f.severity.to_string(), "message": mask_identity_numbers(&f.message) }))
        .collect()
}

fn certificate_json(c: &CertificateSummary, at: OffsetDateTime) -> Value {
    json!({
        "subject": mask_identity_numbers(&c.subject),
        "issuer": c.issuer,
        "organization_number": c.organization_number,
        "seid": c.seid.map(|s| match s { Seid::One => 1, _ => 2 }),
        "not_before": timestamp(c.not_before),
        "not_after": timestamp(c.not_after),
        "days_left": c.days_left(at),
        "expired": at > c.not_after,
        "digital_signature": c.digital_signature,
        "client_auth": c.client_auth,
    })
}

fn to_json(report: &Report<'_>) -> Value {
    let certificate = report.certificate.map(|(what, c)| {
        let mut value = certificate_json(&c.certificate, c.checked_at);
        value["file"] = json!(what);
        value["ca"] = json!(kind(c.issued_by));
        value["ca_evidence"] = json!(c.evidence.map(|e| match e {
            IssuerEvidence::Chain => "chain",
            _ => "issuer_name",
        }));
        value["chain_length"] = json!(c.chain_length);
        value["chain_complete"] = json!(c.chain_complete);
        value["fits"] = json!(c.fits().iter().map(Environment::name).collect::<Vec<_>>());
        value["usable"] = json!(c.is_usable());
        value["findings"] = findings_json(&c.findings);
        value
    });
    let server_chain = report.server_chain.map(|(what, s)| {
        json!({
            "file": what,
            "environment": report.environment.map(Environment::name),
            "checked_at": timestamp(s.checked_at),
            "chain_length": s.chain_length,
            "certificate": s.certificate.as_ref().map(|c| certificate_json(c, s.checked_at)),
            "accepted": s.is_accepted(),
            "findings": findings_json(&s.findings),
        })
    });
    let connection = report.connection.map(|c| {
        let (status, server) = match &c.outcome {
            Ok(root) => (
                Some(root.http_status),
                root.server_certificate
                    .as_ref()
                    .map(|s| certificate_json(s, report.at)),
            ),
            Err(_) => (None, None),
        };
        json!({
            "url": c.url,
            "ok": c.is_ok(),
            "http_status": status,
            "server_certificate": server,
            "findings": findings_json(&c.findings),
        })
    });
    json!({
        "checked_at": timestamp(report.at),
        "certificate": certificate,
        "server_chain": server_chain,
        "connection": connection,
        "connection_skipped": report.skipped_online,
    })
}
