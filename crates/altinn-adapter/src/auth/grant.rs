//! The key a Maskinporten JWT grant is signed with, and how the grant names it.
//!
//! Maskinporten's grant header carries `alg` and either `x5c` (the enterprise certificate's
//! chain) or `kid` (a certificate or asymmetric key registered with the client beforehand);
//! "`kid` can and must be used by clients having a pre-registered certificate / asymmetric
//! key" (<https://docs.digdir.no/docs/Maskinporten/maskinporten_protocol_jwtgrant>).

use std::fmt;
use std::sync::Arc;

use aws_lc_rs::rsa::KeyPair as RsaKeyPair;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rustls_pki_types::PrivateKeyDer;
use rustls_pki_types::pem::PemObject;
use serde_json::{Value, json};

use super::certificate::{EnterpriseCertificate, sign_rs256};
use crate::error::Error;

/// How a Maskinporten grant is signed and how the key is named in its header.
///
/// ```no_run
/// use altinn_adapter::auth::{EnterpriseCertificate, GrantKey};
/// # fn certificate() -> EnterpriseCertificate { unimplemented!() }
/// // The enterprise certificate's chain in `x5c`:
/// let by_certificate = GrantKey::certificate(certificate());
/// // A key registered with the Maskinporten client (for example in Samarbeidsportalen), by `kid`:
/// let pem = std::fs::read("client-key.pem")?;
/// let registered = GrantKey::registered_key("my-client-key-2026", &pem)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct GrantKey {
    signer: Signer,
    header: Header,
}

#[derive(Clone)]
enum Signer {
    Certificate(EnterpriseCertificate),
    Key(Arc<RsaKeyPair>),
}

#[derive(Clone)]
enum Header {
    X5c,
    Kid(String),
}

impl fmt::Debug for GrantKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("GrantKey");
        match &self.header {
            Header::X5c => s.field("header", &"x5c"),
            Header::Kid(kid) => s.field("kid", kid),
        };
        match &self.signer {
            Signer::Certificate(certificate) => s.field("certificate", certificate),
            Signer::Key(_) => s.field("key", &"<redacted>"),
        };
        s.finish()
    }
}

impl From<EnterpriseCertificate> for GrantKey {
    fn from(certificate: EnterpriseCertificate) -> Self {
        Self::certificate(certificate)
    }
}

impl GrantKey {
    /// Signs with the enterprise certificate's key and sends its chain in `x5c`.
    pub fn certificate(certificate: EnterpriseCertificate) -> Self {
        Self {
            signer: Signer::Certificate(certificate),
            header: Header::X5c,
        }
    }

    /// Signs with an enterprise certificate that is registered with the Maskinporten client
    /// under `kid`, and names it by `kid` instead of sending the chain.
    pub fn registered_certificate(
        certificate: EnterpriseCertificate,
        kid: impl Into<String>,
    ) -> Self {
        Self {
            signer: Signer::Certificate(certificate),
            header: Header::Kid(kid.into()),
        }
    }

    /// Signs with an RSA key registered with the Maskinporten client under `kid` (a JWK
    /// uploaded to the client; no certificate). `pem` is the private key as PEM: `PRIVATE
    /// KEY` (PKCS#8) or `RSA PRIVATE KEY` (PKCS#1), unencrypted. A key held as a JWK can be
    /// converted to PEM with common tools.
    ///
    /// # Errors
    ///
    /// [`Error::Key`] if `pem` holds no private key or not an RSA key.
    pub fn registered_key(kid: impl Into<String>, pem: &[u8]) -> Result<Self, Error> {
        let key = PrivateKeyDer::from_pem_slice(pem).map_err(|e| {
            Error::Key(signature_core::ErrorDetail::with_source(
                "reading the PEM private key",
                e,
            ))
        })?;
        let signer = match &key {
            PrivateKeyDer::Pkcs8(der) => RsaKeyPair::from_pkcs8(der.secret_pkcs8_der()),
            PrivateKeyDer::Pkcs1(der) => RsaKeyPair::from_der(der.secret_pkcs1_der()),
            _ => {
                return Err(Error::key(
                    "the private key is not an RSA key (Maskinporten grants here are RS256)",
                ));
            }
        }
        .map_err(|_| Error::key("the private key is not a usable RSA key"))?;
        Ok(Self {
            signer: Signer::Key(Arc::new(signer)),
            header: Header::Kid(kid.into()),
        })
    }

    /// The JWS header: `alg` and `x5c` or `kid`.
    pub(crate) fn header(&self) -> Value {
        match (&self.header, &self.signer) {
            (Header::Kid(kid), _) => json!({"alg": "RS256", "kid": kid}),
            (Header::X5c, Signer::Certificate(certificate)) => {
                let x5c: Vec<String> = certificate
                    .chain()
                    .iter()
                    .map(|cert| STANDARD.encode(cert.as_ref()))
                    .collect();
                json!({"alg": "RS256", "x5c": x5c})
            }
            // `Signer::Key` is only built with a `kid`.
            (Header::X5c, Signer::Key(_)) => json!({"alg": "RS256"}),
        }
    }

    pub(crate) fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        match &self.signer {
            Signer::Certificate(certificate) => certificate.sign_rs256(message),
            Signer::Key(key) => sign_rs256(key, message),
        }
    }
}
