//! The enterprise certificate ("virksomhetssertifikat"), as the `asice` crate loads it.

use std::fmt;
use std::sync::Arc;

use asice::SigningKey;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeyPair as RsaKeyPair;
use aws_lc_rs::signature::RSA_PKCS1_SHA256;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use zeroize::Zeroizing;

use crate::error::Error;

/// An enterprise certificate chain (own certificate first) and its RSA private key: signs
/// Maskinporten grants (its chain goes in `x5c`) and, for Altinn 2's enterprise user login,
/// serves as the TLS client certificate.
///
/// Keys are loaded by [`asice::SigningKey`] (PKCS#12 or PEM, encrypted or not, chain put in
/// order, validity dates checked), the same loader the Posten adapter uses. Cheap to clone;
/// `Debug` shows only the subject.
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
    pkcs8: Zeroizing<Vec<u8>>,
    signer: RsaKeyPair,
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
    /// [`Error::Certificate`] if the key cannot be re-encoded for signing (not expected for
    /// a key `asice` loaded).
    pub fn new(key: SigningKey) -> Result<Self, Error> {
        let pkcs8 = key
            .private_key_pkcs8_der()
            .map_err(|e| Error::Certificate(format!("the private key: {e}")))?;
        let signer = RsaKeyPair::from_pkcs8(&pkcs8)
            .map_err(|_| Error::Certificate("the private key is not a usable RSA key".into()))?;
        let chain = key
            .certificate_chain()
            .map(|der| CertificateDer::from(der.to_vec()))
            .collect();
        Ok(Self {
            inner: Arc::new(Inner {
                key,
                chain,
                pkcs8,
                signer,
            }),
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

    pub(crate) fn key_der(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.inner.pkcs8.to_vec()))
    }

    pub(crate) fn signer(&self) -> &RsaKeyPair {
        &self.inner.signer
    }
}

/// RSASSA-PKCS1-v1_5 with SHA-256 (JWS `RS256`).
pub(crate) fn sign_rs256(signer: &RsaKeyPair, message: &[u8]) -> Result<Vec<u8>, Error> {
    let mut signature = vec![0; signer.public_modulus_len()];
    signer
        .sign(
            &RSA_PKCS1_SHA256,
            &SystemRandom::new(),
            message,
            &mut signature,
        )
        .map_err(|_| Error::Certificate("signing with the private key failed".to_owned()))?;
    Ok(signature)
}
