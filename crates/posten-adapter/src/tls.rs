//! Mutual TLS: the enterprise certificate as client certificate, and a server-certificate
//! check that trusts Posten's organization number rather than a host name.
//!
//! # Why no host-name verification
//!
//! Posten signering authenticates itself with an *enterprise certificate* (Norwegian
//! "virksomhetssertifikat", issued by Buypass or Commfides), whose subject names the
//! organization, not the API host. Both official clients therefore skip host-name
//! verification and instead require Posten's organization number (984661185) in the leaf
//! certificate's subject (docs: `posten-reference-clients.md` §4.1, the Java client's
//! `SignatureApiTrustStrategy` with `OrganizationNumberValidation`, and §4.2, the .NET
//! client's `CertificateValidator.ValidateCertificateAndChain`). This crate does the same, in
//! this order:
//!
//! 1. the chain is validated by rustls' [`WebPkiServerVerifier`] against the configured trust
//!    anchors (signatures, validity period, key usage, path to an anchor); only its "not valid
//!    for this name" verdict is disregarded;
//! 2. when the chain leads to no configured anchor but to the built-in anchors of the *other*
//!    kind of environment, the verdict says so ("issued by a test CA, but the client is
//!    configured for Production");
//! 3. the organization number is read from the leaf subject — `organizationIdentifier`
//!    (2.5.4.97, `NTRNO-` prefix, SEID 2 certificates), else `serialNumber` (2.5.4.5, SEID 1),
//!    else a 9-digit `CN` — and must equal the expected one.
//!
//! Any failure aborts the handshake, so not a single request byte reaches a server that
//! is not Posten's.

use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, OtherError, RootCertStore};

use crate::certificate::organization_number_of_certificate;
use crate::error::Error;
use crate::trust::TrustAnchors;

/// Posten Bring AS (until 2024 Posten Norge AS), the organization behind Posten signering's
/// server certificate.
pub const POSTEN_ORGANIZATION_NUMBER: &str = "984661185";

/// Parses every `CERTIFICATE` in a PEM bundle.
pub(crate) fn certificates_from_pem(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, Error> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Error::config_from("trust roots PEM", e))?;
    if certs.is_empty() {
        return Err(Error::config("trust roots PEM holds no CERTIFICATE block"));
    }
    Ok(certs)
}

/// The crypto provider of every TLS object of this crate: the workspace's one
/// ([`asice::tls_crypto_provider`]).
pub(crate) fn provider() -> Arc<CryptoProvider> {
    asice::tls_crypto_provider()
}

/// The rustls client configuration, on the workspace's one client set-up
/// ([`asice::tls_client_config`]): TLS 1.2/1.3 with aws-lc-rs, the enterprise certificate for
/// client authentication (signing through the key, wherever it lives: memory or a PKCS#11
/// token), and the [`PostenServerVerifier`].
pub(crate) fn client_config(
    verifier: PostenServerVerifier,
    key: &asice::SigningKey,
    alpn: Vec<Vec<u8>>,
) -> Result<ClientConfig, Error> {
    asice::tls_client_config(Arc::new(verifier), Some(key), alpn)
        .map_err(|e| Error::config_from("TLS", e))
}

/// A webpki verifier over `anchors` (DER), without any name check of its own.
pub(crate) fn webpki_verifier(
    anchors: &[CertificateDer<'static>],
    provider: &Arc<CryptoProvider>,
) -> Result<Arc<WebPkiServerVerifier>, Error> {
    let mut roots = RootCertStore::empty();
    for anchor in anchors {
        roots
            .add(anchor.clone())
            .map_err(|e| Error::config_from("trust anchor", e))?;
    }
    WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .map_err(|e| Error::config_from("trust anchors", e))
}

/// Validates the server's chain with webpki (without the host name) and then requires the
/// expected organization number in the leaf subject.
#[derive(Debug)]
pub(crate) struct PostenServerVerifier {
    pub(crate) inner: Arc<WebPkiServerVerifier>,
    pub(crate) provider: Arc<CryptoProvider>,
    pub(crate) expected_org: String,
    /// The built-in set in use and the environment's own set: a chain leading to either is
    /// not "another environment's" (the anchors may have been replaced on purpose).
    pub(crate) own_environment: [Option<TrustAnchors>; 2],
    /// What the client is configured for, for messages ("Production", "Test", …).
    pub(crate) configured_for: String,
}

impl PostenServerVerifier {
    /// The built-in set of the other kind of environment that `end_entity` chains to, if any.
    fn other_environment(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        now: UnixTime,
    ) -> Option<TrustAnchors> {
        TrustAnchors::ALL
            .into_iter()
            .filter(|set| !self.own_environment.contains(&Some(*set)))
            .find(|set| {
                let anchors: Vec<CertificateDer<'static>> = set
                    .certificates()
                    .into_iter()
                    .map(CertificateDer::from)
                    .collect();
                webpki_verifier(&anchors, &self.provider).is_ok_and(|other| {
                    chain_verdict(&other, end_entity, intermediates, server_name, now).is_ok()
                })
            })
    }
}

/// The chain part of the verdict: webpki's, with "not valid for this name" accepted.
fn chain_verdict(
    verifier: &WebPkiServerVerifier,
    end_entity: &CertificateDer<'_>,
    intermediates: &[CertificateDer<'_>],
    server_name: &ServerName<'_>,
    now: UnixTime,
) -> Result<(), rustls::Error> {
    // WebPkiServerVerifier checks the name only after the chain passed, so a name error
    // means "chain valid, name not ours", which is expected for an enterprise certificate.
    match verifier.verify_server_cert(end_entity, intermediates, server_name, &[], now) {
        Ok(_)
        | Err(rustls::Error::InvalidCertificate(
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
        )) => Ok(()),
        Err(other) => Err(other),
    }
}

impl ServerCertVerifier for PostenServerVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let _ = ocsp_response; // no revocation checking, as in the official clients
        match chain_verdict(&self.inner, end_entity, intermediates, server_name, now) {
            Ok(()) => {}
            Err(rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer)) => {
                return Err(
                    match self.other_environment(end_entity, intermediates, server_name, now) {
                        Some(issued_by) => {
                            tracing::warn!(
                                %issued_by,
                                configured_for = %self.configured_for,
                                "refusing a server certificate of another environment"
                            );
                            rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(
                                Arc::new(WrongEnvironment {
                                    issued_by,
                                    configured_for: self.configured_for.clone(),
                                }),
                            )))
                        }
                        None => rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer),
                    },
                );
            }
            Err(other) => return Err(other),
        }
        let found = organization_number_of_certificate(end_entity.as_ref());
        if found.as_deref() == Some(self.expected_org.as_str()) {
            Ok(ServerCertVerified::assertion())
        } else {
            tracing::warn!(
                expected = %self.expected_org,
                found = found.as_deref().unwrap_or("none"),
                "refusing server certificate of another organization"
            );
            Err(rustls::Error::InvalidCertificate(CertificateError::Other(
                OtherError(Arc::new(OrganizationMismatch {
                    expected: self.expected_org.clone(),
                    found,
                })),
            )))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// Carried inside the rustls error so the client can report which organization it met.
#[derive(Debug, Clone, thiserror::Error)]
#[error(
    "server certificate organization {} is not {expected}",
    found.as_deref().unwrap_or("<none>")
)]
pub(crate) struct OrganizationMismatch {
    pub(crate) expected: String,
    pub(crate) found: Option<String>,
}

/// Carried inside the rustls error: the chain leads to the other environment's anchors.
#[derive(Debug, Clone, thiserror::Error)]
#[error("issued by a {issued_by} CA, but the client is configured for {configured_for}")]
pub(crate) struct WrongEnvironment {
    pub(crate) issued_by: TrustAnchors,
    pub(crate) configured_for: String,
}

/// Finds an [`OrganizationMismatch`] or another certificate verdict inside a transport
/// error's source chain, so it can become a typed [`Error`].
pub(crate) fn certificate_error_in(error: &(dyn std::error::Error + 'static)) -> Option<Error> {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = current {
        if let Some(found) = from_rustls(e) {
            return Some(found);
        }
        // io::Error::source() skips the wrapped error itself, so look inside explicitly.
        if let Some(found) = e
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
            .and_then(|inner| certificate_error_in(inner))
        {
            return Some(found);
        }
        current = e.source();
    }
    None
}

fn from_rustls(e: &(dyn std::error::Error + 'static)) -> Option<Error> {
    match e.downcast_ref::<rustls::Error>()? {
        rustls::Error::InvalidCertificate(CertificateError::Other(other)) => {
            if let Some(m) = other.0.downcast_ref::<OrganizationMismatch>() {
                Some(Error::ServerCertificateRejected {
                    expected: m.expected.clone(),
                    found_org: m.found.clone(),
                })
            } else if let Some(w) = other.0.downcast_ref::<WrongEnvironment>() {
                Some(Error::ServerCertificateWrongEnvironment {
                    issued_by: w.issued_by,
                    configured_for: w.configured_for.clone(),
                })
            } else {
                Some(Error::ServerCertificateUntrusted {
                    reason: other.to_string(),
                })
            }
        }
        rustls::Error::InvalidCertificate(reason) => Some(Error::ServerCertificateUntrusted {
            reason: reason.to_string(),
        }),
        _ => None,
    }
}

/// The typed [`Error`] for a verdict of the verifier.
pub(crate) fn error_from_verdict(error: &rustls::Error) -> Error {
    from_rustls(error).unwrap_or_else(|| Error::ServerCertificateUntrusted {
        reason: error.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The verdicts carried inside rustls errors read the same as when written by hand.
    #[test]
    fn carried_verdicts_say_what_was_found() {
        let mismatch = |found: Option<&str>| OrganizationMismatch {
            expected: "984661185".to_owned(),
            found: found.map(str::to_owned),
        };
        assert_eq!(
            mismatch(Some("987654325")).to_string(),
            "server certificate organization 987654325 is not 984661185"
        );
        assert_eq!(
            mismatch(None).to_string(),
            "server certificate organization <none> is not 984661185"
        );
        let wrong = WrongEnvironment {
            issued_by: TrustAnchors::Test,
            configured_for: "Production".to_owned(),
        };
        assert_eq!(
            wrong.to_string(),
            "issued by a test CA, but the client is configured for Production"
        );
    }
}
