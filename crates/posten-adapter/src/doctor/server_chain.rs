//! Would the client accept this server chain? Offline, with the client's own verifier.

use time::OffsetDateTime;

use super::{Finding, Severity};
use crate::certificate::CertificateSummary;
use crate::error::Error;
use crate::server_trust::ServerTrust;
use crate::tls;

/// What [`check_server_chain`] found.
#[derive(Debug)]
#[non_exhaustive]
pub struct ServerChainReport {
    /// The leaf certificate of the chain, if it could be read.
    pub certificate: Option<CertificateSummary>,
    /// How many certificates the chain holds.
    pub chain_length: usize,
    /// The time the chain was checked for.
    pub checked_at: OffsetDateTime,
    /// The client's verdict: `Ok` when a handshake would pass the server-certificate check.
    pub verdict: Result<(), Error>,
    /// The verdict in words, with what to do.
    pub findings: Vec<Finding>,
}

impl ServerChainReport {
    /// Whether the client would accept the chain.
    pub fn is_accepted(&self) -> bool {
        self.verdict.is_ok()
    }
}

/// Checks a captured server chain (PEM, leaf first, as `openssl s_client -showcerts` prints
/// it) at time `at` with exactly the verifier a client configured with `trust` installs.
///
/// ```no_run
/// use posten_adapter::{Environment, ServerTrust, doctor};
/// let pem = std::fs::read("chain.pem")?;
/// let report = doctor::check_server_chain(
///     &ServerTrust::for_environment(&Environment::Production),
///     &pem,
///     time::OffsetDateTime::now_utc(),
/// );
/// for finding in &report.findings {
///     println!("{}: {}", finding.severity, finding.message);
/// }
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn check_server_chain(
    trust: &ServerTrust,
    pem: &[u8],
    at: OffsetDateTime,
) -> ServerChainReport {
    let chain = match tls::certificates_from_pem(pem) {
        Ok(chain) => chain,
        Err(error) => {
            let findings = vec![Finding::new(Severity::Problem, error.to_string())];
            return ServerChainReport {
                certificate: None,
                chain_length: 0,
                checked_at: at,
                verdict: Err(error),
                findings,
            };
        }
    };
    let certificate = chain
        .first()
        .and_then(|leaf| CertificateSummary::from_der(leaf.as_ref()).ok());
    let verdict = trust.verify_chain(&chain, at).map(drop);
    let findings = match &verdict {
        Ok(()) => vec![Finding::new(
            Severity::Note,
            format!(
                "accepted: the chain leads to a trust anchor and the certificate belongs to \
                 organization {}",
                trust.expected_organization_number()
            ),
        )],
        Err(error) => vec![Finding::new(
            Severity::Problem,
            format!("refused: {error}{}", advice(error)),
        )],
    };
    ServerChainReport {
        certificate,
        chain_length: chain.len(),
        checked_at: at,
        verdict,
        findings,
    }
}

/// What to do about a server-certificate verdict.
pub(crate) fn advice(error: &Error) -> &'static str {
    match error {
        Error::ServerCertificateWrongEnvironment { .. } => {
            " — the environment and the server do not belong together: choose the environment \
             whose server this is"
        }
        Error::ServerCertificateRejected { .. } => {
            " — this server is not Posten's: check the URL, proxies, and any \
             server_organization_number setting"
        }
        Error::ServerCertificateUntrusted { .. } => {
            " — the chain leads to none of the client's trust anchors (or is outside its \
             validity): check the URL and any replaced trust anchors; an intercepting proxy \
             cannot work with mutual TLS"
        }
        _ => "",
    }
}
