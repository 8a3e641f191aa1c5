//! The enterprise certificate as a rustls TLS client certificate, signing through
//! [`SigningKey::sign_digest`] so that a key on a token authenticates TLS without leaving it,
//! and the one rustls client set-up both adapters use ([`tls_client_config`]). Enabled by the
//! `rustls` feature.
//!
//! TLS 1.3 accepts only RSA-PSS for an RSA client certificate's CertificateVerify (RFC 8446
//! §4.4.3); TLS 1.2 also accepts PKCS#1 v1.5. The key offers what its token offers
//! ([`SigningKey::schemes`]); PSS is preferred when the server accepts it.

use std::fmt;
use std::sync::Arc;

use rustls::client::ResolvesClientCert;
use rustls::client::danger::ServerCertVerifier;
use rustls::crypto::CryptoProvider;
use rustls::sign::CertifiedKey;
use rustls::{ClientConfig, SignatureAlgorithm, SignatureScheme as TlsScheme};

use crate::keys::SigningKey;
use crate::signer::SignatureScheme;

/// Our schemes and rustls', in order of preference.
const SCHEMES: [(SignatureScheme, TlsScheme); 6] = [
    (SignatureScheme::RsaPssSha256, TlsScheme::RSA_PSS_SHA256),
    (SignatureScheme::RsaPssSha384, TlsScheme::RSA_PSS_SHA384),
    (SignatureScheme::RsaPssSha512, TlsScheme::RSA_PSS_SHA512),
    (SignatureScheme::RsaPkcs1Sha256, TlsScheme::RSA_PKCS1_SHA256),
    (SignatureScheme::RsaPkcs1Sha384, TlsScheme::RSA_PKCS1_SHA384),
    (SignatureScheme::RsaPkcs1Sha512, TlsScheme::RSA_PKCS1_SHA512),
];

/// The crypto provider of the workspace's TLS clients: aws-lc-rs, which this crate already
/// signs and reads keys with.
pub fn tls_crypto_provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// The rustls client set-up of both adapters: TLS 1.2 and 1.3 over [`tls_crypto_provider`],
/// `verifier` for the server's certificate, `key`'s certificate chain when the server asks for
/// a client certificate (through [`ClientCertResolver`]; none without a key), and `alpn`.
///
/// # Errors
///
/// What rustls says when the provider offers no safe protocol version.
pub fn tls_client_config(
    verifier: Arc<dyn ServerCertVerifier>,
    key: Option<&SigningKey>,
    alpn: Vec<Vec<u8>>,
) -> Result<ClientConfig, rustls::Error> {
    let builder = ClientConfig::builder_with_provider(tls_crypto_provider())
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let mut config = match key {
        Some(key) => builder.with_client_cert_resolver(Arc::new(ClientCertResolver::new(key))),
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = alpn;
    Ok(config)
}

/// Always offers the enterprise certificate when the server asks for a client certificate;
/// give it to rustls' `ConfigBuilder::with_client_cert_resolver`.
///
/// ```no_run
/// use std::sync::Arc;
/// use asice::{ClientCertResolver, LoadOptions, SigningKey};
/// let key = SigningKey::from_pkcs12_file("virksomhet.p12", "passord", &LoadOptions::default())?;
/// let config = rustls::ClientConfig::builder()
///     .with_root_certificates(rustls::RootCertStore::empty())
///     .with_client_cert_resolver(Arc::new(ClientCertResolver::new(&key)));
/// # Ok::<(), asice::Error>(())
/// ```
pub struct ClientCertResolver {
    certified: Arc<CertifiedKey>,
}

impl fmt::Debug for ClientCertResolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCertResolver")
            .field("chain_len", &self.certified.cert.len())
            .finish_non_exhaustive()
    }
}

impl ClientCertResolver {
    /// The chain of `key` (signing certificate first) with a rustls key that signs through it.
    pub fn new(key: &SigningKey) -> Self {
        let chain = key.certificate_chain_der();
        let tls_key = Arc::new(TlsKey { key: key.clone() });
        Self {
            certified: Arc::new(CertifiedKey::new(chain, tls_key)),
        }
    }
}

impl ResolvesClientCert for ClientCertResolver {
    fn resolve(
        &self,
        _root_hint_subjects: &[&[u8]],
        _sigschemes: &[TlsScheme],
    ) -> Option<Arc<CertifiedKey>> {
        Some(self.certified.clone())
    }

    fn has_certs(&self) -> bool {
        true
    }
}

#[derive(Debug)]
struct TlsKey {
    key: SigningKey,
}

impl rustls::sign::SigningKey for TlsKey {
    fn choose_scheme(&self, offered: &[TlsScheme]) -> Option<Box<dyn rustls::sign::Signer>> {
        let ours = self.key.schemes();
        SCHEMES
            .iter()
            .find(|(scheme, tls)| offered.contains(tls) && ours.contains(scheme))
            .map(|&(scheme, tls)| {
                Box::new(TlsSigner {
                    key: self.key.clone(),
                    scheme,
                    tls,
                }) as Box<dyn rustls::sign::Signer>
            })
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        SignatureAlgorithm::RSA
    }
}

#[derive(Debug)]
struct TlsSigner {
    key: SigningKey,
    scheme: SignatureScheme,
    tls: TlsScheme,
}

impl rustls::sign::Signer for TlsSigner {
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, rustls::Error> {
        self.key
            .sign_digest(self.scheme, &self.scheme.digest(message))
            .map_err(|e| rustls::Error::General(format!("client certificate key: {e}")))
    }

    fn scheme(&self) -> TlsScheme {
        self.tls
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::sign::SigningKey as _;

    /// A key and chain from the shared test PKI, loaded as the adapters load theirs.
    fn test_key() -> SigningKey {
        let pki = crate::testpki::make_pki(false, &Default::default());
        crate::testpki::signing_key(&pki)
    }

    #[test]
    fn prefers_pss_and_signs_what_verifies() {
        let key = test_key();
        let tls = TlsKey { key: key.clone() };
        let signer = tls
            .choose_scheme(&[TlsScheme::RSA_PKCS1_SHA256, TlsScheme::RSA_PSS_SHA256])
            .unwrap();
        assert_eq!(signer.scheme(), TlsScheme::RSA_PSS_SHA256);
        let signature = signer.sign(b"transcript").unwrap();
        assert!(crate::signer::verifies(
            SignatureScheme::RsaPssSha256,
            key.leaf().public_key_bits(),
            b"transcript",
            &signature
        ));
        let signer = tls.choose_scheme(&[TlsScheme::RSA_PKCS1_SHA384]).unwrap();
        assert_eq!(signer.scheme(), TlsScheme::RSA_PKCS1_SHA384);
        assert!(
            tls.choose_scheme(&[TlsScheme::ECDSA_NISTP256_SHA256])
                .is_none()
        );
        let resolver = ClientCertResolver::new(&key);
        assert!(resolver.has_certs());
        let chain_len = key.certificate_chain().count();
        assert_eq!(resolver.resolve(&[], &[]).unwrap().cert.len(), chain_len);
    }

    #[test]
    fn client_config_offers_the_key_only_when_given() {
        let key = test_key();
        let mut roots = rustls::RootCertStore::empty();
        for der in key.certificate_chain_der() {
            roots.add(der).unwrap();
        }
        let verifier = rustls::client::WebPkiServerVerifier::builder_with_provider(
            Arc::new(roots),
            tls_crypto_provider(),
        )
        .build()
        .unwrap();
        let alpn = vec![b"http/1.1".to_vec()];
        let mutual = tls_client_config(verifier.clone(), Some(&key), alpn.clone()).unwrap();
        assert_eq!(mutual.alpn_protocols, alpn);
        assert!(mutual.client_auth_cert_resolver.has_certs());
        let anonymous = tls_client_config(verifier, None, Vec::new()).unwrap();
        assert!(anonymous.alpn_protocols.is_empty());
        assert!(!anonymous.client_auth_cert_resolver.has_certs());
    }
}
