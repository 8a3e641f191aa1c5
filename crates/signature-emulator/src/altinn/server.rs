//! The routes, and serving them plain or over TLS (client certificates asked for, not
//! required).

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post, put};
use axum_server::accept::DefaultAcceptor;
use axum_server::tls_rustls::{RustlsAcceptor, RustlsConfig};
use rustls::RootCertStore;
use rustls::server::WebPkiClientVerifier;

use super::{Shared, TlsSetup, auth, form_tasks, messages, parts, reportees};
use crate::serve::{Bound, Server};

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/token", post(auth::maskinporten_token))
        .route(
            "/authentication/api/v1/exchange/maskinporten",
            get(auth::exchange),
        )
        .route(
            "/api/authentication/authenticatewithpassword",
            post(auth::login),
        )
        .route("/api/reportees", get(reportees::reportees))
        .route(
            "/api/{who}/messages",
            get(messages::list).post(form_tasks::create),
        )
        .route(
            "/api/{who}/messages/{id}",
            get(messages::one)
                .put(form_tasks::update)
                .delete(messages::delete),
        )
        .route("/api/{who}/messages/{id}/print", get(parts::print))
        .route("/api/{who}/messages/{id}/archive", put(messages::archive))
        .route("/api/{who}/messages/{id}/confirm", put(messages::confirm))
        .route(
            "/api/{who}/messages/{id}/signingtext",
            get(parts::signing_text),
        )
        .route("/api/{who}/messages/{id}/forms", get(parts::forms))
        .route("/api/{who}/messages/{id}/forms/{form}", get(parts::form))
        .route(
            "/api/{who}/messages/{id}/forms/{form}/formdata",
            get(parts::form_data),
        )
        .route(
            "/api/{who}/messages/{id}/attachments",
            get(parts::attachments),
        )
        .route(
            "/api/{who}/messages/{id}/attachments/streamedattachment",
            post(parts::upload_attachment),
        )
        .route(
            "/api/{who}/messages/{id}/attachments/{attachment}",
            get(parts::attachment),
        )
        .with_state(shared)
}

/// The rustls configuration: the server's chain, client certificates asked for (not
/// required) when roots are given, `http/1.1` only.
fn tls_config(tls: TlsSetup) -> std::io::Result<Arc<rustls::ServerConfig>> {
    let invalid = |e: rustls::Error| std::io::Error::new(std::io::ErrorKind::InvalidInput, e);
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(invalid)?;
    let builder = if tls.client_roots.is_empty() {
        builder.with_no_client_auth()
    } else {
        let mut roots = RootCertStore::empty();
        for root in tls.client_roots {
            roots.add(root).map_err(invalid)?;
        }
        let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
            .allow_unauthenticated()
            .build()
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        builder.with_client_cert_verifier(verifier)
    };
    let mut config = builder
        .with_single_cert(tls.chain, tls.key)
        .map_err(invalid)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Serves the routes on `bound`, over TLS when `tls` is given (the client certificate then
/// reaches the handlers as axum-server's `TlsInfo`).
pub(crate) fn serve(
    bound: Bound,
    shared: Arc<Shared>,
    tls: Option<TlsSetup>,
) -> std::io::Result<Server> {
    let app = router(shared);
    match tls {
        Some(tls) => {
            let config = RustlsConfig::from_config(tls_config(tls)?);
            bound.serve(app, RustlsAcceptor::new(config), "Altinn 2 emulator")
        }
        None => bound.serve(app, DefaultAcceptor, "Altinn 2 emulator"),
    }
}
