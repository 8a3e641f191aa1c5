//! Mutual TLS for the API listener: a rustls server configuration that requires a client
//! certificate from the emulator's CA, an acceptor that hands the client certificate's
//! organization number (the broker) to the handlers, the service's rate limit, and the
//! fault-injection hook that can drop a connection.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use axum_server::accept::Accept;
use axum_server::tls_rustls::{RustlsAcceptor, RustlsConfig};
use rustls::RootCertStore;
use rustls::server::{ServerConfig, WebPkiClientVerifier};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::TcpStream;
use tokio_rustls::server::TlsStream;
use tower::Service;

use super::error::Error;
use super::faults::{Fault, Faults, RequeueNow};
use super::pki::Pki;
use super::rate_limit::RateLimiter;
use super::wire::{codes, error_response, now_ms, rate_limit_blocked, too_many_requests};

/// The broker behind a connection: the organization number of its client certificate, when
/// the certificate names one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Broker(pub(crate) Option<String>);

/// The rustls configuration: the server chain, and a verifier that requires a client
/// certificate chaining to the emulator's CA or one of `client_cas` (DER).
pub(crate) fn server_config(pki: &Pki, client_cas: &[Vec<u8>]) -> Result<Arc<ServerConfig>, Error> {
    let tls = |e: &dyn std::fmt::Display| Error::Tls(e.to_string());
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut roots = RootCertStore::empty();
    roots
        .add(CertificateDer::from(pki.ca_der.clone()))
        .map_err(|e| tls(&e))?;
    for ca in client_cas {
        roots
            .add(CertificateDer::from(ca.clone()))
            .map_err(|e| tls(&e))?;
    }
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .map_err(|e| tls(&e))?;
    let chain = pki
        .server_chain_der
        .iter()
        .map(|der| CertificateDer::from(der.clone()))
        .collect();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pki.server_key_der.clone()));
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| tls(&e))?
        .with_client_cert_verifier(verifier)
        .with_single_cert(chain, key)
        .map_err(|e| tls(&e))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// TLS handshake (client certificate required), then [`ApiService`] around the router.
#[derive(Debug, Clone)]
pub(crate) struct ApiAcceptor {
    inner: RustlsAcceptor,
    faults: Arc<Faults>,
    limiter: Arc<RateLimiter>,
}

impl ApiAcceptor {
    pub(crate) fn new(
        config: Arc<ServerConfig>,
        faults: Arc<Faults>,
        limiter: Arc<RateLimiter>,
    ) -> Self {
        Self {
            inner: RustlsAcceptor::new(RustlsConfig::from_config(config))
                .handshake_timeout(Duration::from_secs(10)),
            faults,
            limiter,
        }
    }
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S> Accept<TcpStream, S> for ApiAcceptor
where
    S: Send + 'static,
{
    type Stream = TlsStream<TcpStream>;
    // axum-server 0.9 wraps the service to add `TlsInfo` to each request.
    type Service = ApiService<axum_server::tls::TlsService<S>>;
    type Future = BoxFuture<io::Result<(Self::Stream, Self::Service)>>;

    fn accept(&self, stream: TcpStream, service: S) -> Self::Future {
        // Without it a response written in several pieces (a streamed PAdES) waits for the
        // client's delayed ACK: 40 ms per download on Linux.
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!(error = %e, "TCP_NODELAY not set");
        }
        let handshake = self.inner.accept(stream, service);
        let faults = Arc::clone(&self.faults);
        let limiter = Arc::clone(&self.limiter);
        Box::pin(async move {
            let (stream, service) = handshake.await?;
            let broker = Broker(
                stream
                    .get_ref()
                    .1
                    .peer_certificates()
                    .and_then(|chain| chain.first())
                    .and_then(|leaf| asice::organization_number_of_certificate(leaf.as_ref())),
            );
            Ok((
                stream,
                ApiService {
                    inner: service,
                    broker,
                    faults,
                    limiter,
                },
            ))
        })
    }
}

/// Per connection: puts the [`Broker`] into each request, applies the rate limit and
/// injected faults.
#[derive(Debug, Clone)]
pub(crate) struct ApiService<S> {
    inner: S,
    broker: Broker,
    faults: Arc<Faults>,
    limiter: Arc<RateLimiter>,
}

impl<S, B> Service<Request<B>> for ApiService<S>
where
    S: Service<Request<B>, Response = Response<Body>, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send,
    B: Send + 'static,
{
    type Response = Response<Body>;
    type Error = io::Error;
    type Future = BoxFuture<Result<Response<Body>, io::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(|e| match e {})
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        request.extensions_mut().insert(self.broker.clone());
        let organization = self.broker.0.as_deref().unwrap_or_default();
        if !self.limiter.admit(organization, Instant::now()) {
            return Box::pin(async { Ok(rate_limit_blocked()) });
        }
        let fault = self
            .faults
            .take(request.method().as_str(), request.uri().path());
        // The clone is ready (axum routers always are); keep the polled one for the next call.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        Box::pin(async move {
            match fault {
                Some(Fault::DropConnection) => {
                    return Err(io::Error::new(
                        io::ErrorKind::ConnectionAborted,
                        "emulated fault: connection dropped",
                    ));
                }
                Some(Fault::Status { status }) => {
                    let status =
                        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                    return Ok(error_response(
                        status,
                        codes::EMULATED_FAULT,
                        "emulated fault injected by the test",
                    ));
                }
                Some(Fault::TooManyRequests {
                    next_poll_in_millis,
                }) => {
                    let next =
                        now_ms() + i64::try_from(next_poll_in_millis).unwrap_or(i64::MAX / 2);
                    return Ok(too_many_requests(next));
                }
                Some(Fault::Delay { millis }) => {
                    tokio::time::sleep(Duration::from_millis(millis)).await;
                }
                Some(Fault::DropAfterHandling) => {
                    // Handle completely (body included), then lose the answer.
                    let Ok(response) = inner.call(request).await;
                    let _ = axum::body::to_bytes(response.into_body(), usize::MAX).await;
                    return Err(io::Error::new(
                        io::ErrorKind::ConnectionAborted,
                        "emulated fault: connection dropped after handling",
                    ));
                }
                Some(Fault::DelayAfterHandling { millis }) => {
                    let Ok(response) = inner.call(request).await;
                    tokio::time::sleep(Duration::from_millis(millis)).await;
                    return Ok(response);
                }
                Some(Fault::Requeue) => {
                    request.extensions_mut().insert(RequeueNow);
                }
                None => {}
            }
            inner.call(request).await.map_err(|e| match e {})
        })
    }
}
