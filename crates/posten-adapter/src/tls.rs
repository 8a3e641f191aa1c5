//! Mutual TLS: the enterprise certificate as client certificate, and a server-certificate
//! check that trusts Posten's organization number rather than a host name.
//!
//! # Why no host-name verification
//!
//! Posten signering authenticates itself with an *enterprise certificate* (Norwegian
//! "virksomhetssertifikat", issued by Buypass or Commfides), whose subject names the
//! organization, not the API host. Both official clients therefore skip host-name
//! verification and instead require Posten's organization number (984661185) in the leaf
//! certificate's subject. This crate does the same, in this order:
//!
//! 1. the chain is validated by rustls' [`WebPkiServerVerifier`] against the configured trust
//!    roots (signatures, validity period, key usage, path to a root); only its "not valid for
//!    this name" verdict is disregarded;
//! 2. the organization number is read from the leaf subject — `organizationIdentifier`
//!    (2.5.4.97, `NTRNO-` prefix, SEID 2 certificates), else `serialNumber` (2.5.4.5, SEID 1),
//!    else a 9-digit `CN` — and must equal the expected one.
//!
//! Either failure aborts the handshake, so not a single request byte reaches a server that
//! is not Posten's.

use std::fmt;
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, OtherError, RootCertStore};
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::error::Error;

/// Posten Bring AS, the organization behind Posten signering's server certificate.
pub const POSTEN_ORGANIZATION_NUMBER: &str = "984661185";

/// Parses every `CERTIFICATE` in a PEM bundle.
pub(crate) fn certificates_from_pem(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, Error> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Error::Configuration(format!("trust roots PEM: {e}")))?;
    if certs.is_empty() {
        return Err(Error::Configuration(
            "trust roots PEM holds no CERTIFICATE block".to_owned(),
        ));
    }
    Ok(certs)
}

/// The rustls client configuration: TLS 1.2/1.3 with aws-lc-rs, the enterprise certificate
/// for client authentication, and [`PostenServerVerifier`].
pub(crate) fn client_config(
    roots: RootCertStore,
    key: &asice::SigningKey,
    expected_org: &str,
    alpn: Vec<Vec<u8>>,
) -> Result<ClientConfig, Error> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let inner = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .map_err(|e| Error::Configuration(format!("trust roots: {e}")))?;
    let verifier = PostenServerVerifier {
        inner,
        expected_org: expected_org.to_owned(),
    };
    let chain: Vec<CertificateDer<'static>> = key
        .certificate_chain()
        .map(|der| CertificateDer::from(der.to_vec()))
        .collect();
    let pkcs8 = key
        .private_key_pkcs8_der()
        .map_err(|e| Error::ClientCertificate(e.to_string()))?;
    let private_key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pkcs8.to_vec()));
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Configuration(format!("TLS: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_client_auth_cert(chain, private_key)
        .map_err(|e| Error::ClientCertificate(e.to_string()))?;
    config.alpn_protocols = alpn;
    Ok(config)
}

/// Validates the server's chain with webpki (without the host name) and then requires the
/// expected organization number in the leaf subject.
#[derive(Debug)]
pub(crate) struct PostenServerVerifier {
    inner: Arc<WebPkiServerVerifier>,
    expected_org: String,
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
        // WebPkiServerVerifier checks the name only after the chain passed, so a name error
        // means "chain valid, name not ours", which is expected for an enterprise certificate.
        match self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Ok(_)
            | Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => {}
            Err(other) => return Err(other),
        }
        let found = organization_number(end_entity.as_ref());
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
#[derive(Debug, Clone)]
pub(crate) struct OrganizationMismatch {
    pub(crate) expected: String,
    pub(crate) found: Option<String>,
}

impl fmt::Display for OrganizationMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "server certificate organization {} is not {}",
            self.found.as_deref().unwrap_or("<none>"),
            self.expected
        )
    }
}

impl std::error::Error for OrganizationMismatch {}

const OID_ORGANIZATION_IDENTIFIER: &str = "2.5.4.97";
const OID_SERIAL_NUMBER: &str = "2.5.4.5";
const OID_COMMON_NAME: &str = "2.5.4.3";

/// The organization number in a DER certificate's subject: `organizationIdentifier`
/// (`NTRNO-` prefix optional), else `serialNumber`, else a `CN` of exactly 9 digits.
///
/// ```
/// # use posten_adapter::organization_number_of_certificate as org;
/// assert_eq!(org(b"not a certificate"), None);
/// ```
pub fn organization_number_of_certificate(der: &[u8]) -> Option<String> {
    organization_number(der)
}

fn organization_number(der: &[u8]) -> Option<String> {
    let (_, cert) = X509Certificate::from_der(der).ok()?;
    let subject = cert.subject();
    let values = |oid: &str| -> Vec<String> {
        subject
            .iter_attributes()
            .filter(|a| a.attr_type().to_id_string() == oid)
            .filter_map(|a| a.as_str().ok().map(|s| s.trim().to_owned()))
            .collect()
    };
    let nine_digits = |s: &str| s.len() == 9 && s.bytes().all(|b| b.is_ascii_digit());
    values(OID_ORGANIZATION_IDENTIFIER)
        .into_iter()
        .map(|v| v.strip_prefix("NTRNO-").map(str::to_owned).unwrap_or(v))
        .find(|v| nine_digits(v))
        .or_else(|| {
            values(OID_SERIAL_NUMBER)
                .into_iter()
                .find(|v| nine_digits(v))
        })
        .or_else(|| values(OID_COMMON_NAME).into_iter().find(|v| nine_digits(v)))
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
            match other.0.downcast_ref::<OrganizationMismatch>() {
                Some(m) => Some(Error::ServerCertificateRejected {
                    expected: m.expected.clone(),
                    found_org: m.found.clone(),
                }),
                None => Some(Error::ServerCertificateUntrusted {
                    reason: other.to_string(),
                }),
            }
        }
        rustls::Error::InvalidCertificate(reason) => Some(Error::ServerCertificateUntrusted {
            reason: format!("{reason:?}"),
        }),
        _ => None,
    }
}

/// Mozilla's root programme, as shipped by the `webpki-roots` crate.
pub(crate) fn webpki_roots() -> RootCertStore {
    RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    }
}
