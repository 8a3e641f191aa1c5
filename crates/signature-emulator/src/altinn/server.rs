//! The accept loop: plain or TLS, HTTP/1.1 (Altinn's reason phrases need it), with the
//! client certificate made available to handlers.

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post, put};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use rustls::RootCertStore;
use rustls::server::WebPkiClientVerifier;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use super::{Shared, TlsSetup, auth, messages, parts};

/// The client certificate (DER) of a TLS connection, as a request extension.
#[derive(Debug, Clone)]
pub(crate) struct PeerCertificate(pub(crate) Vec<u8>);

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
        .route("/api/reportees", get(messages::reportees))
        .route(
            "/api/{who}/messages",
            get(messages::list).post(messages::create),
        )
        .route(
            "/api/{who}/messages/{id}",
            get(messages::one)
                .put(messages::update)
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

fn acceptor(tls: TlsSetup) -> std::io::Result<TlsAcceptor> {
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
    Ok(TlsAcceptor::from(Arc::new(config)))
}

pub(crate) fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    tls: Option<TlsSetup>,
) -> std::io::Result<tokio::task::JoinHandle<()>> {
    let acceptor = tls.map(acceptor).transpose()?;
    let app = router(shared);
    Ok(tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let app = app.clone();
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                match acceptor {
                    Some(acceptor) => {
                        let Ok(stream) = acceptor.accept(stream).await else {
                            return;
                        };
                        let peer = stream
                            .get_ref()
                            .1
                            .peer_certificates()
                            .and_then(|chain| chain.first())
                            .map(|cert| PeerCertificate(cert.as_ref().to_vec()));
                        serve_connection(TokioIo::new(stream), app, peer).await;
                    }
                    None => serve_connection(TokioIo::new(stream), app, None).await,
                }
            });
        }
    }))
}

async fn serve_connection<I>(io: I, app: Router, peer: Option<PeerCertificate>)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let service = app.map_request(move |mut request: hyper::Request<Incoming>| {
        if let Some(peer) = &peer {
            request.extensions_mut().insert(peer.clone());
        }
        request
    });
    let result = hyper::server::conn::http1::Builder::new()
        .serve_connection(io, TowerToHyperService::new(service))
        .await;
    if let Err(error) = result {
        tracing::debug!(%error, "emulator connection ended with an error");
    }
}
