//! The enterprise certificate ("virksomhetssertifikat"), as the `asice` crate loads it.

use std::fmt;
use std::sync::Arc;

use asice::{SignatureScheme, SigningKey};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeyPair as RsaKeyPair;
use aws_lc_rs::signature::RSA_PKCS1_SHA256;
use rustls_pki_types::CertificateDer;

use crate::error::Error;

/// An enterprise certificate chain (own certificate first) and its RSA private key: signs
/// Maskinporten grants (its chain goes in `x5c`) and, for Altinn 2's enterprise user login,
/// serves as the TLS client certificate.
///
/// Keys are loaded by [`asice::SigningKey`] (PKCS#12 or PEM, encrypted or not, chain put in
/// order, validity dates checked; or a key that stays on a PKCS#11 token, or your own
/// [`asice::KeySigner`]), the same loader the Posten adapter uses. Every signature goes through
/// [`SigningKey::sign_digest`]: the key's value is never read. Cheap to clone; `Debug` shows
/// only the subject.
///
/// ```no_run
/// use altinn_adapter::auth::{EnterpriseCertificate, LoadOptions, SigningKey};
/// let key = SigningKey::from_pkcs12_file("virksomhet.p12", "passord", &LoadOptions::default())?;
/// let certificate = EnterpriseCertificate::new(key)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct EnterpriseCertificate {
    inner: Arc<Inner>,
}

struct Inner {
    key: SigningKey,
    chain: Vec<CertificateDer<'static>>,
}

impl fmt::Debug for EnterpriseCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnterpriseCertificate")
            .field("subject", &self.inner.key.subject())
            .field("chain_len", &self.inner.chain.len())
            .field("key", &"<redacted>")
            .finish()
    }
}

impl EnterpriseCertificate {
    /// Takes a key loaded by `asice`.
    ///
    /// # Errors
    ///
    /// None today; kept fallible for keys whose use needs checking when they are taken.
    pub fn new(key: SigningKey) -> Result<Self, Error> {
        let chain = key.certificate_chain_der();
        Ok(Self {
            inner: Arc::new(Inner { key, chain }),
        })
    }

    /// The key as `asice` loaded it (subject, issuer, warnings).
    pub fn signing_key(&self) -> &SigningKey {
        &self.inner.key
    }

    /// The DER certificates, own certificate first.
    pub fn chain(&self) -> &[CertificateDer<'static>] {
        &self.inner.chain
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 (JWS `RS256`) with the certificate's key.
    pub(crate) fn sign_rs256(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        let scheme = SignatureScheme::RsaPkcs1Sha256;
        self.inner
            .key
            .sign_digest(scheme, &scheme.digest(message))
            .map_err(|e| {
                Error::Key(signature_core::ErrorDetail::with_source(
                    "signing with the private key failed",
                    e,
                ))
            })
    }
}

/// RSASSA-PKCS1-v1_5 with SHA-256 (JWS `RS256`) with a bare key (a Maskinporten client key).
pub(crate) fn sign_rs256(signer: &RsaKeyPair, message: &[u8]) -> Result<Vec<u8>, Error> {
    let mut signature = vec![0; signer.public_modulus_len()];
    signer
        .sign(
            &RSA_PKCS1_SHA256,
            &SystemRandom::new(),
            message,
            &mut signature,
        )
        .map_err(|_| Error::key("signing with the private key failed"))?;
    Ok(signature)
}
