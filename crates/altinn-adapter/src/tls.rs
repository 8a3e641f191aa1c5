//! The TLS configuration: HTTP/1.1 only, platform or given roots, optional client certificate.

use std::sync::Arc;

use rustls::{ClientConfig, RootCertStore};
use rustls_pki_types::CertificateDer;
use rustls_platform_verifier::BuilderVerifierExt;

use crate::auth::EnterpriseCertificate;
use crate::error::Error;

pub(crate) fn client_config(
    roots: &[CertificateDer<'static>],
    identity: Option<&EnterpriseCertificate>,
) -> Result<ClientConfig, Error> {
    let tls_error = |e: rustls::Error| Error::config_from("TLS", e);
    let builder = ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(tls_error)?;
    let builder = if roots.is_empty() {
        builder.with_platform_verifier().map_err(tls_error)?
    } else {
        let mut store = RootCertStore::empty();
        for root in roots {
            store.add(root.clone()).map_err(tls_error)?;
        }
        builder.with_root_certificates(store)
    };
    let mut config = match identity {
        Some(certificate) => builder.with_client_cert_resolver(Arc::new(
            asice::ClientCertResolver::new(certificate.signing_key()),
        )),
        None => builder.with_no_client_auth(),
    };
    // Only HTTP/1.1: Altinn's error text lives in the reason phrase, which HTTP/2 lacks.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}
