//! The enterprise certificate ("virksomhetssertifikat"): its RSA key and certificate chain.

use std::fmt;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeyPair as RsaKeyPair;
use aws_lc_rs::signature::{KeyPair, RSA_PKCS1_SHA256};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::error::Error;

/// An enterprise certificate chain (own certificate first) and its RSA private key, used to
/// sign Maskinporten grants and as the TLS client certificate.
///
/// The `asice` crate loads the same files, but keeps the key private to its XAdES signer,
/// while this crate must also hand the key to rustls; so this small loader is separate.
/// `Debug` shows only the chain length.
pub struct EnterpriseCertificate {
    chain: Vec<CertificateDer<'static>>,
    key_der: PrivateKeyDer<'static>,
    signer: RsaKeyPair,
}

impl fmt::Debug for EnterpriseCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnterpriseCertificate")
            .field("chain_len", &self.chain.len())
            .field("key", &"<redacted>")
            .finish()
    }
}

impl Clone for EnterpriseCertificate {
    fn clone(&self) -> Self {
        // Re-parsing cannot fail for a key that parsed before.
        match Self::assemble(self.key_der.clone_key(), self.chain.clone()) {
            Ok(copy) => copy,
            Err(_) => unreachable!("a loaded key parses again"),
        }
    }
}

impl EnterpriseCertificate {
    /// Loads an unencrypted PEM private key (`PRIVATE KEY` or `RSA PRIVATE KEY`) and a PEM
    /// certificate chain. The certificate matching the key is put first.
    ///
    /// # Errors
    ///
    /// [`Error::Certificate`] if either cannot be read, the key is not RSA, or no
    /// certificate matches the key.
    pub fn from_pem(key_pem: &[u8], chain_pem: &[u8]) -> Result<Self, Error> {
        let key = PrivateKeyDer::from_pem_slice(key_pem)
            .map_err(|e| Error::Certificate(format!("reading the PEM private key: {e}")))?;
        let chain = CertificateDer::pem_slice_iter(chain_pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| Error::Certificate(format!("reading the PEM certificates: {e}")))?;
        Self::assemble(key, chain)
    }

    /// Loads the first private key and its chain from a PKCS#12 (`.p12`/`.pfx`) file.
    ///
    /// # Errors
    ///
    /// [`Error::Certificate`] for a wrong password, a file without key or certificate, or a
    /// non-RSA key.
    pub fn from_pkcs12(data: &[u8], password: &str) -> Result<Self, Error> {
        let store = p12_keystore::KeyStore::from_pkcs12(
            data,
            password,
            p12_keystore::Pkcs12ImportPolicy::Relaxed,
        )
        .map_err(|e| match e {
            p12_keystore::error::Error::MacError(_) | p12_keystore::error::Error::UnpadError => {
                Error::Certificate("wrong PKCS#12 password".to_owned())
            }
            other => Error::Certificate(format!("reading the PKCS#12 file: {other}")),
        })?;
        let (_, entry) = store
            .private_key_chain()
            .ok_or_else(|| Error::Certificate("the PKCS#12 file has no private key".to_owned()))?;
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(entry.key().as_der().to_vec()));
        let chain = entry
            .certs()
            .iter()
            .map(|cert| CertificateDer::from(cert.as_der().to_vec()))
            .collect();
        Self::assemble(key, chain)
    }

    fn assemble(
        key_der: PrivateKeyDer<'static>,
        mut chain: Vec<CertificateDer<'static>>,
    ) -> Result<Self, Error> {
        let signer = match &key_der {
            PrivateKeyDer::Pkcs8(der) => RsaKeyPair::from_pkcs8(der.secret_pkcs8_der()),
            PrivateKeyDer::Pkcs1(der) => RsaKeyPair::from_der(der.secret_pkcs1_der()),
            _ => {
                return Err(Error::Certificate(
                    "the private key is not an RSA key".to_owned(),
                ));
            }
        }
        .map_err(|_| Error::Certificate("the private key is not a usable RSA key".to_owned()))?;
        // The RSAPublicKey DER appears verbatim in the matching certificate's
        // SubjectPublicKeyInfo, which finds the leaf without an X.509 parser.
        let public = signer.public_key().as_ref().to_vec();
        let leaf = chain
            .iter()
            .position(|cert| cert.as_ref().windows(public.len()).any(|w| w == public))
            .ok_or_else(|| {
                Error::Certificate("no certificate in the chain matches the private key".to_owned())
            })?;
        let leaf_cert = chain.remove(leaf);
        chain.insert(0, leaf_cert);
        Ok(Self {
            chain,
            key_der,
            signer,
        })
    }

    /// The DER certificates, own certificate first.
    pub fn chain(&self) -> &[CertificateDer<'static>] {
        &self.chain
    }

    pub(crate) fn key_der(&self) -> PrivateKeyDer<'static> {
        self.key_der.clone_key()
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 (JWS `RS256`).
    pub(crate) fn sign_rs256(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        let mut signature = vec![0; self.signer.public_modulus_len()];
        self.signer
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                message,
                &mut signature,
            )
            .map_err(|_| Error::Certificate("signing with the private key failed".to_owned()))?;
        Ok(signature)
    }
}
