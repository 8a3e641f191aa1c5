//! Is the enterprise certificate usable, and for which environment?

use std::sync::Arc;
use std::time::Duration;

use rustls::RootCertStore;
use rustls::pki_types::{CertificateDer, UnixTime};
use rustls::server::WebPkiClientVerifier;
use time::OffsetDateTime;
use time::macros::format_description;

use super::{Finding, Severity, has_problem};
use crate::certificate::CertificateSummary;
use crate::config::Environment;
use crate::error::Error;
use crate::tls;
use crate::trust::TrustAnchors;

/// Certificates expiring within this many days get a warning.
const EXPIRY_WARNING_DAYS: i64 = 30;

/// How the issuing CA's environment was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IssuerEvidence {
    /// The certificate chains to the built-in anchors of that environment (with the
    /// certificates of the key store as intermediates) — as the server will check it.
    Chain,
    /// Only the issuer's name says so (Buypass and Commfides name their test CAs "Test"); the
    /// chain does not lead to the built-in anchors.
    IssuerName,
}

/// What [`check_client_certificate`] found.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ClientCertificateReport {
    /// The certificate itself (the first of the chain).
    pub certificate: CertificateSummary,
    /// The time the checks were made for.
    pub checked_at: OffsetDateTime,
    /// How many certificates the key store holds (the certificate and its CAs).
    pub chain_length: usize,
    /// Whether a test or a production CA issued it, if known.
    pub issued_by: Option<TrustAnchors>,
    /// How [`issued_by`](Self::issued_by) was decided.
    pub evidence: Option<IssuerEvidence>,
    /// Whether the key store's certificates alone lead to a root of the built-in anchors
    /// (`None` when the issuer is unknown). Without its intermediate CA the server may not be
    /// able to verify the certificate.
    pub chain_complete: Option<bool>,
    /// Everything worth saying, worst first.
    pub findings: Vec<Finding>,
}

impl ClientCertificateReport {
    /// Whether no finding is a [`Severity::Problem`].
    pub fn is_usable(&self) -> bool {
        !has_problem(&self.findings)
    }

    /// Whole days of validity left at [`checked_at`](Self::checked_at); negative once expired.
    pub fn days_left(&self) -> i64 {
        self.certificate.days_left(self.checked_at)
    }

    /// The environments the certificate is meant for: Production, or Test and QA.
    pub fn fits(&self) -> Vec<Environment> {
        match self.issued_by {
            Some(TrustAnchors::Production) => vec![Environment::Production],
            Some(TrustAnchors::Test) => vec![Environment::Test, Environment::Qa],
            None => Vec::new(),
        }
    }
}

/// [`check_client_certificate`] for a loaded key (its chain, signing certificate first).
///
/// Load the key with `LoadOptions { allow_invalid_dates: true, .. }` so that an expired
/// certificate is reported rather than refused.
///
/// # Errors
///
/// As [`check_client_certificate`].
pub fn check_signing_key(
    key: &asice::SigningKey,
    at: OffsetDateTime,
    environment: Option<&Environment>,
) -> Result<ClientCertificateReport, Error> {
    let chain: Vec<&[u8]> = key.certificate_chain().collect();
    check_client_certificate(&chain, at, environment)
}

/// Checks an enterprise certificate chain (the certificate first, then its CAs, DER) at time
/// `at`, and, when `environment` is given, whether it fits that environment.
///
/// ```
/// use posten_adapter::doctor::check_client_certificate;
/// # let der = rcgen::generate_simple_self_signed(vec!["x".into()]).unwrap().cert.der().to_vec();
/// let report = check_client_certificate(&[der], time::OffsetDateTime::now_utc(), None)?;
/// // A self-signed certificate names no organization and no known CA issued it.
/// assert!(!report.is_usable());
/// assert_eq!(report.issued_by, None);
/// # Ok::<(), posten_adapter::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::Configuration`] for an empty chain or one that is not X.509.
pub fn check_client_certificate<C: AsRef<[u8]>>(
    chain: &[C],
    at: OffsetDateTime,
    environment: Option<&Environment>,
) -> Result<ClientCertificateReport, Error> {
    let Some((leaf, rest)) = chain.split_first() else {
        return Err(Error::config("the key store holds no certificate"));
    };
    let certificate = CertificateSummary::from_der(leaf.as_ref())?;
    let intermediates: Vec<&[u8]> = rest.iter().map(AsRef::as_ref).collect();
    // Who issued it is a question about the chain, not about today: ask it at a time the
    // certificate was valid, so an expired one is still placed.
    let placed_at = if certificate.not_before <= certificate.not_after {
        at.clamp(certificate.not_before, certificate.not_after)
    } else {
        at
    };

    let mut findings = Vec::new();
    let mut issued_by = None;
    let mut evidence = None;
    let mut chain_complete = None;
    let mut chain_trouble = None;
    for set in TrustAnchors::ALL {
        match verdict(
            &set.certificates(),
            leaf.as_ref(),
            &intermediates,
            placed_at,
        ) {
            Ok(()) => {
                issued_by = Some(set);
                evidence = Some(IssuerEvidence::Chain);
                chain_complete =
                    Some(verdict(&set.roots(), leaf.as_ref(), &intermediates, placed_at).is_ok());
                break;
            }
            Err(rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer)) => {}
            Err(other) => chain_trouble = Some(other.to_string()),
        }
    }
    if issued_by.is_none() {
        issued_by = TrustAnchors::suggested_by_issuer_name(&certificate.issuer);
        evidence = issued_by.map(|_| IssuerEvidence::IssuerName);
    }

    validity_findings(&certificate, at, &mut findings);
    usage_findings(&certificate, &mut findings);
    issuer_findings(
        &certificate,
        issued_by,
        evidence,
        chain_trouble,
        environment,
        &mut findings,
    );
    if chain_complete == Some(false) {
        findings.push(Finding::new(
            Severity::Warning,
            format!(
                "the key store lacks the certificate of the issuing CA ({}): the server may not \
                 complete the chain and refuse the handshake (TLS alert UnknownCA); put the \
                 whole chain into the key store",
                certificate.issuer
            ),
        ));
    }
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    Ok(ClientCertificateReport {
        certificate,
        checked_at: at,
        chain_length: chain.len(),
        issued_by,
        evidence,
        chain_complete,
        findings,
    })
}

fn validity_findings(c: &CertificateSummary, at: OffsetDateTime, findings: &mut Vec<Finding>) {
    let days = c.days_left(at);
    if at > c.not_after {
        findings.push(Finding::new(
            Severity::Problem,
            format!(
                "the certificate expired on {} ({} days ago): the server refuses it during the \
                 handshake; order a new one from the issuer",
                date(c.not_after),
                -days
            ),
        ));
    } else if at < c.not_before {
        findings.push(Finding::new(
            Severity::Problem,
            format!("the certificate is not valid before {}", date(c.not_before)),
        ));
    } else if days < EXPIRY_WARNING_DAYS {
        findings.push(Finding::new(
            Severity::Warning,
            format!(
                "the certificate expires on {} (in {days} days): order its successor now",
                date(c.not_after)
            ),
        ));
    }
}

fn usage_findings(c: &CertificateSummary, findings: &mut Vec<Finding>) {
    if c.digital_signature == Some(false) {
        findings.push(Finding::new(
            Severity::Problem,
            "the certificate lacks the digitalSignature key usage: it is the encryption \
             certificate of the set; use the one for authentication and signing",
        ));
    }
    if c.client_auth == Some(false) {
        findings.push(Finding::new(
            Severity::Problem,
            "the certificate's extended key usage does not allow TLS client authentication",
        ));
    }
    match (&c.organization_number, c.seid) {
        (None, _) => findings.push(Finding::new(
            Severity::Problem,
            "the subject names no organization number (organizationIdentifier NTRNO-… or \
             serialNumber): this is not an enterprise certificate",
        )),
        (Some(_), None) => findings.push(Finding::new(
            Severity::Note,
            "the organization number stands in the common name only (neither SEID 1 nor SEID 2)",
        )),
        (Some(_), Some(_)) => {}
    }
}

fn issuer_findings(
    c: &CertificateSummary,
    issued_by: Option<TrustAnchors>,
    evidence: Option<IssuerEvidence>,
    chain_trouble: Option<String>,
    environment: Option<&Environment>,
    findings: &mut Vec<Finding>,
) {
    let wanted = environment.and_then(Environment::trust_anchors);
    match (issued_by, evidence) {
        (None, _) => {
            let mut message = format!(
                "issued by {}, a CA neither Posten environment trusts",
                c.issuer
            );
            if let Some(trouble) = chain_trouble {
                message.push_str(&format!(" (chain check: {trouble})"));
            }
            // Fine for an emulator or a custom URL; fatal for a real environment.
            let severity = if wanted.is_some() {
                Severity::Problem
            } else {
                Severity::Note
            };
            findings.push(Finding::new(severity, message));
        }
        (Some(set), Some(IssuerEvidence::IssuerName)) => findings.push(Finding::new(
            if wanted.is_some() {
                Severity::Problem
            } else {
                Severity::Warning
            },
            format!(
                "the issuer's name ({}) suggests a {set} CA, but the certificate does not chain \
                 to the built-in {set} anchors{}",
                c.issuer,
                chain_trouble.map(|t| format!(" ({t})")).unwrap_or_default()
            ),
        )),
        _ => {}
    }
    if let (Some(set), Some(wanted), Some(environment)) = (issued_by, wanted, environment)
        && set != wanted
    {
        let fits = match set {
            TrustAnchors::Production => "Production",
            _ => "Test or QA",
        };
        findings.push(Finding::new(
            Severity::Problem,
            format!(
                "this is a {set} certificate, but {} trusts only {wanted} CAs: the server \
                 refuses it (TLS alert UnknownCA); use a {wanted} certificate, or this one \
                 with {fits}",
                environment.name()
            ),
        ));
    }
}

/// webpki's verdict on a client certificate against `anchors`, as a server checks it.
fn verdict(
    anchors: &[Vec<u8>],
    leaf: &[u8],
    intermediates: &[&[u8]],
    at: OffsetDateTime,
) -> Result<(), rustls::Error> {
    let mut roots = RootCertStore::empty();
    roots.add_parsable_certificates(anchors.iter().map(|a| CertificateDer::from(a.as_slice())));
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), tls::provider())
        .build()
        .map_err(|e| rustls::Error::General(e.to_string()))?;
    let intermediates: Vec<CertificateDer<'_>> = intermediates
        .iter()
        .map(|c| CertificateDer::from(*c))
        .collect();
    let seconds = u64::try_from(at.unix_timestamp()).unwrap_or(0);
    verifier
        .verify_client_cert(
            &CertificateDer::from(leaf),
            &intermediates,
            UnixTime::since_unix_epoch(Duration::from_secs(seconds)),
        )
        .map(drop)
}

/// `2018-11-11`.
pub(crate) fn date(t: OffsetDateTime) -> String {
    t.format(format_description!("[year]-[month]-[day]"))
        .unwrap_or_else(|_| t.to_string())
}
