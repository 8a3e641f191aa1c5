//! The online check: handshake, the server's organization, and the service's "who am I".

use signature_core::OrganizationNumber;

use super::server_chain::advice;
use super::{Finding, Severity, has_problem};
use crate::config::ClientBuilder;
use crate::error::Error;
use crate::error_code::ErrorCode;
use crate::service_root::ServiceRoot;
use signature_core::RetryPolicy;

/// What [`check_connection`] found.
#[derive(Debug)]
#[non_exhaustive]
pub struct ConnectionReport {
    /// The URL called: `{root}/{organization}`.
    pub url: String,
    /// The outcome of `GET {root}/{organization}`.
    pub outcome: Result<ServiceRoot, Error>,
    /// The outcome in words, with what to do.
    pub findings: Vec<Finding>,
}

impl ConnectionReport {
    /// Whether the handshake passed and the service answered 2xx.
    pub fn is_ok(&self) -> bool {
        self.outcome.is_ok() && !has_problem(&self.findings)
    }
}

/// Connects as a client built from `builder` would, and calls the service's "who am I",
/// `GET {root}/{organization}` ([`Client::root_resource`](crate::Client::root_resource)),
/// once, without retries or rate limit. Reports the server certificate the handshake
/// accepted and what the service answered.
///
/// ```no_run
/// use asice::{LoadOptions, SigningKey};
/// use posten_adapter::{Client, Environment, doctor};
/// use signature_core::OrganizationNumber;
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let key = SigningKey::from_pkcs12_file("virksomhet.p12", "passord", &LoadOptions::default())?;
/// let report = doctor::check_connection(
///     Client::builder(Environment::Test, key),
///     &OrganizationNumber::parse("123456785")?,
/// )
/// .await;
/// println!("{}: ok = {}", report.url, report.is_ok());
/// # Ok(()) }
/// ```
pub async fn check_connection(
    builder: ClientBuilder,
    organization: &OrganizationNumber,
) -> ConnectionReport {
    let client = builder
        .record_server_certificate()
        .retry(RetryPolicy::none())
        .rate_limit(None)
        .build();
    let (url, outcome) = match client {
        Ok(client) => {
            let mut url = client.inner.root.clone();
            if let Ok(mut segments) = url.path_segments_mut() {
                segments.pop_if_empty().push(organization.as_str());
            }
            (url.to_string(), client.root_resource(organization).await)
        }
        Err(error) => (String::new(), Err(error)),
    };
    let findings = match &outcome {
        Ok(root) => success(root, organization),
        Err(error) => vec![failure(error, organization)],
    };
    ConnectionReport {
        url,
        outcome,
        findings,
    }
}

fn success(root: &ServiceRoot, organization: &OrganizationNumber) -> Vec<Finding> {
    let mut findings = Vec::new();
    if let Some(server) = &root.server_certificate {
        findings.push(Finding::new(
            Severity::Note,
            format!(
                "TLS handshake passed: the server presented a certificate of organization {}{} \
                 issued by {}",
                server.organization_number.as_deref().unwrap_or("<none>"),
                server.seid.map(|s| format!(" ({s})")).unwrap_or_default(),
                server.issuer
            ),
        ));
    }
    findings.push(Finding::new(
        Severity::Note,
        format!(
            "the service answered HTTP {} to GET /{}: the certificate may act for {}",
            root.http_status,
            organization.as_str(),
            organization.as_str()
        ),
    ));
    findings
}

fn failure(error: &Error, organization: &OrganizationNumber) -> Finding {
    let text = message_chain(error);
    let message = match error {
        Error::ServerCertificateWrongEnvironment { .. }
        | Error::ServerCertificateRejected { .. }
        | Error::ServerCertificateUntrusted { .. } => {
            format!(
                "TLS handshake: the server was refused: {error}{}",
                advice(error)
            )
        }
        Error::Connection(_) => connection_advice(&text),
        Error::Timeout(_) => format!("{text} — check the network, proxy and firewall"),
        Error::Service {
            code: ErrorCode::BrokerNotAuthorized,
            ..
        } => format!(
            "{error} — the certificate's organization is not {} and is not registered as its \
             broker",
            organization.as_str()
        ),
        Error::Service {
            code: ErrorCode::NotAuthorized,
            ..
        } => format!(
            "{error} — the certificate is valid, but Posten has not given its organization \
             access to the API; ask Posten for access"
        ),
        Error::Configuration(_)
        | Error::Key(_)
        | Error::ProxyRefused { .. }
        | Error::ProxyUnreachable { .. } => text,
        _ => format!("the service refused GET /{}: {text}", organization.as_str()),
    };
    Finding::new(Severity::Problem, message)
}

/// What a connection failure's causes point to (TLS alerts from the server, proxies).
fn connection_advice(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let hint = if lower.contains("unknownca") || lower.contains("unknown ca") {
        " — the server did not accept the client certificate (TLS alert UnknownCA): a test \
         certificate against production or the reverse, or a key store without the issuing CA"
    } else if lower.contains("certificateexpired") || lower.contains("certificate expired") {
        " — the server says the client certificate has expired"
    } else if lower.contains("badcertificate")
        || lower.contains("certificaterequired")
        || lower.contains("certificateunknown")
    {
        " — the server refused the client certificate"
    } else if lower.contains("tunnel") || lower.contains("proxy") {
        " — the proxy refused or failed the connection; check the proxy address and that it \
         allows CONNECT to port 443"
    } else if lower.contains("refused") || lower.contains("dns") || lower.contains("resolve") {
        " — nothing answers at that address: check the URL, DNS, proxy and firewall"
    } else {
        ""
    };
    format!("{text}{hint}")
}

/// The error and its causes on one line.
pub(crate) fn message_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
