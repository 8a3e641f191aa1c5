//! The TLS configuration: HTTP/1.1 only, platform or given roots, optional client certificate,
//! on the workspace's one rustls client set-up ([`asice::tls_client_config`]).

use std::sync::Arc;

use rustls::ClientConfig;
use rustls::RootCertStore;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::ServerCertVerifier;
use rustls::crypto::CryptoProvider;
use rustls_pki_types::CertificateDer;

use crate::auth::EnterpriseCertificate;
use crate::error::Error;

pub(crate) fn client_config(
    roots: &[CertificateDer<'static>],
    identity: Option<&EnterpriseCertificate>,
) -> Result<ClientConfig, Error> {
    let tls_error = |e: rustls::Error| Error::config_from("TLS", e);
    let verifier = server_verifier(roots, asice::tls_crypto_provider())?;
    // Only HTTP/1.1: Altinn's error text lives in the reason phrase, which HTTP/2 lacks.
    let alpn = vec![b"http/1.1".to_vec()];
    asice::tls_client_config(verifier, identity.map(|c| c.signing_key()), alpn).map_err(tls_error)
}

/// The platform's verifier (its roots, its revocation checks), or webpki over the given roots.
fn server_verifier(
    roots: &[CertificateDer<'static>],
    provider: Arc<CryptoProvider>,
) -> Result<Arc<dyn ServerCertVerifier>, Error> {
    let tls_error = |e: rustls::Error| Error::config_from("TLS", e);
    if roots.is_empty() {
        let verifier = rustls_platform_verifier::Verifier::new(provider).map_err(tls_error)?;
        return Ok(Arc::new(verifier));
    }
    let mut store = RootCertStore::empty();
    for root in roots {
        store.add(root.clone()).map_err(tls_error)?;
    }
    WebPkiServerVerifier::builder_with_provider(Arc::new(store), provider)
        .build()
        .map(|verifier| verifier as Arc<dyn ServerCertVerifier>)
        .map_err(|e| Error::config_from("TLS", e))
}
