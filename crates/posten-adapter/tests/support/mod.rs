//! A minimal scripted Posten signering server for the client's tests: axum over rustls,
//! requiring a client certificate, recording every request that reaches the handler.
//!
//! The full emulator lives in `signature-emulator`; this one only answers what each test
//! scripts.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // shared by several test files

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use asice::{BuildOptions, FixedClock, LoadOptions, SigningKey};
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use axum_server::tls_rustls::RustlsConfig;
use posten_adapter::{Client, ClientBuilder, Environment, PreparedJob, RateLimit, RetryPolicy};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::RootCertStore;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::WebPkiClientVerifier;
use signature_core::{Document, LookupNotifications, OrganizationNumber, Signer, SigningJob};
use signering_testkit::pki::{LeafSpec, TestPki, make_pki};
use time::macros::datetime;

/// How the server certificate names its organization.
#[derive(Clone, Copy, Debug)]
pub enum ServerOrg {
    /// `serialNumber=<org>` (SEID 1).
    SerialNumber(&'static str),
    /// `organizationIdentifier=NTRNO-<org>` (SEID 2).
    OrganizationIdentifier(&'static str),
}

/// One request as the handler saw it.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: Method,
    /// Path and query, as sent.
    pub uri: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// An answer: status, headers, body.
pub struct Scripted {
    pub status: StatusCode,
    pub headers: Vec<(&'static str, String)>,
    pub body: Body,
}

impl Scripted {
    pub fn new(status: u16) -> Self {
        Self {
            status: StatusCode::from_u16(status).unwrap(),
            headers: Vec::new(),
            body: Body::empty(),
        }
    }

    pub fn xml(status: u16, xml: impl Into<String>) -> Self {
        let mut s = Self::new(status);
        s.headers.push(("content-type", "application/xml".into()));
        s.body = Body::from(xml.into());
        s
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub fn body(mut self, body: Body) -> Self {
        self.body = body;
        self
    }
}

type Script = Box<dyn Fn(&Recorded) -> Scripted + Send + Sync>;

#[derive(Clone)]
struct AppState {
    requests: Arc<Mutex<Vec<Recorded>>>,
    script: Arc<Script>,
}

/// A running test server.
pub struct TestServer {
    pub base: String,
    pub requests: Arc<Mutex<Vec<Recorded>>>,
    pub server_ca_pem: String,
    pub client_pki: TestPki,
    handle: axum_server::Handle<std::net::SocketAddr>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.handle.shutdown();
    }
}

impl TestServer {
    /// Starts a server whose certificate names `org`, answering with `script`.
    pub async fn start(
        org: ServerOrg,
        script: impl Fn(&Recorded) -> Scripted + Send + Sync + 'static,
    ) -> Self {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let client_pki = make_pki(true, &LeafSpec::default());
        let (server_ca_pem, server_chain, server_key) = server_pki(org);

        let mut client_roots = RootCertStore::empty();
        client_roots
            .add(CertificateDer::from(client_pki.root_der.clone()))
            .unwrap();
        let verifier =
            WebPkiClientVerifier::builder_with_provider(Arc::new(client_roots), provider.clone())
                .build()
                .unwrap();
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_client_cert_verifier(verifier)
            .with_single_cert(server_chain, server_key)
            .unwrap();

        let state = AppState {
            requests: Arc::new(Mutex::new(Vec::new())),
            script: Arc::new(Box::new(script)),
        };
        let app = axum::Router::new()
            .fallback(handle_request)
            .with_state(state.clone());
        let (addr, handle) = serve_tls(config, app);
        Self {
            base: format!("https://{addr}/api"),
            requests: state.requests,
            server_ca_pem,
            client_pki,
            handle,
        }
    }

    /// A client configured for this server: its CA trusted, fast retries, no rate limit.
    pub fn client_builder(&self) -> ClientBuilder {
        let key = pem_key(&self.client_pki);
        Client::builder(Environment::custom(&self.base).unwrap(), key)
            .trust_roots_pem(self.server_ca_pem.as_bytes())
            .default_sender(OrganizationNumber::parse("123456785").unwrap())
            .retry(RetryPolicy::new(
                2,
                std::time::Duration::from_millis(10),
                std::time::Duration::from_millis(50),
            ))
            .rate_limit(None::<RateLimit>)
    }

    pub fn client(&self) -> Client {
        self.client_builder().build().unwrap()
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }

    /// `https://127.0.0.1:port` (no `/api`), for URLs the server hands out.
    pub fn origin(&self) -> String {
        self.base.trim_end_matches("/api").to_owned()
    }
}

async fn handle_request(State(state): State<AppState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 64 * 1024 * 1024).await.unwrap();
    let recorded = Recorded {
        method: parts.method,
        uri: parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_default(),
        headers: parts.headers,
        body,
    };
    state.requests.lock().unwrap().push(recorded.clone());
    let scripted = (state.script)(&recorded);
    let mut response = Response::builder().status(scripted.status);
    for (name, value) in scripted.headers {
        response = response.header(name, value);
    }
    response.body(scripted.body).unwrap()
}

/// Serves `app` over TLS with `config` on a free local port (from within a Tokio runtime):
/// the address and the handle that shuts it down.
pub fn serve_tls(
    mut config: rustls::ServerConfig,
    app: axum::Router,
) -> (
    std::net::SocketAddr,
    axum_server::Handle<std::net::SocketAddr>,
) {
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    let handle = axum_server::Handle::new();
    let server =
        axum_server::from_tcp_rustls(listener, RustlsConfig::from_config(Arc::new(config)))
            .unwrap()
            .handle(handle.clone());
    tokio::spawn(async move {
        let _ = server.serve(app.into_make_service()).await;
    });
    (addr, handle)
}

/// A CA named `name` (signing certificates and CRLs): its parameters and key.
pub fn ca_params(name: &str) -> (CertificateParams, KeyPair) {
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.distinguished_name.push(DnType::CommonName, name);
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    (ca, KeyPair::generate().unwrap())
}

/// A Posten server leaf: a SAN that is *not* 127.0.0.1 (the client must not verify host
/// names), `C=NO, O=POSTEN BRING AS`, for server authentication. Its parameters and key.
pub fn posten_leaf_params() -> (CertificateParams, KeyPair) {
    let mut leaf = CertificateParams::new(vec!["api.signering.posten.invalid".to_owned()]).unwrap();
    leaf.distinguished_name.push(DnType::CountryName, "NO");
    leaf.distinguished_name
        .push(DnType::OrganizationName, "POSTEN BRING AS");
    leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    (leaf, KeyPair::generate().unwrap())
}

/// A server CA (PEM) and a leaf whose subject names `org`, with a SAN that is *not*
/// 127.0.0.1 (the client must not verify host names): the CA, the chain (leaf first) and the
/// leaf's key.
pub fn server_pki(
    org: ServerOrg,
) -> (String, Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) {
    let (ca, ca_key) = ca_params("Test Class 3 CA");
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);

    let (mut leaf, leaf_key) = posten_leaf_params();
    leaf.distinguished_name
        .push(DnType::CommonName, "Posten signering test");
    match org {
        ServerOrg::SerialNumber(number) => leaf
            .distinguished_name
            .push(DnType::CustomDnType(vec![2, 5, 4, 5]), number),
        ServerOrg::OrganizationIdentifier(number) => leaf.distinguished_name.push(
            DnType::CustomDnType(vec![2, 5, 4, 97]),
            format!("NTRNO-{number}"),
        ),
    }
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer).unwrap();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    let chain = vec![leaf_cert.der().clone(), ca_cert.der().clone()];
    (ca_cert.pem(), chain, key)
}

/// A response body of `total` bytes produced on the fly in `chunk`-sized frames, never
/// held in memory at once. Byte i is `i % 251`.
pub struct GeneratedBody {
    pub total: u64,
    pub sent: u64,
    pub chunk: usize,
}

impl http_body::Body for GeneratedBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        if self.sent >= self.total {
            return Poll::Ready(None);
        }
        let n = (self.total - self.sent).min(self.chunk as u64);
        let start = self.sent;
        let data: Vec<u8> = (start..start + n).map(|i| (i % 251) as u8).collect();
        self.sent += n;
        Poll::Ready(Some(Ok(http_body::Frame::data(Bytes::from(data)))))
    }
}

/// The test PKI's key with its certificate chain, loaded from PEM.
pub fn pem_key(pki: &TestPki) -> SigningKey {
    let options = LoadOptions::default();
    SigningKey::from_pem(
        pki.key_pem.as_bytes(),
        pki.chain_pem.as_bytes(),
        None,
        &options,
    )
    .expect("PEM key")
}

/// Prepares `job` for the sender 984661185, signed with `key` at a fixed time
/// (2026-11-22 12:00 +01:00), with the default build options.
pub fn prepare(job: &SigningJob, key: &SigningKey) -> Result<PreparedJob, posten_adapter::Error> {
    let sender = OrganizationNumber::parse("984661185").unwrap();
    let clock = FixedClock(datetime!(2026-11-22 12:00 +01:00));
    PreparedJob::new(job, Some(&sender), key, &clock, &BuildOptions::default())
}

/// Answers from a queue, then `fallback` forever.
pub fn sequence(
    answers: Vec<Scripted>,
    fallback: impl Fn() -> Scripted + Send + Sync + 'static,
) -> impl Fn(&Recorded) -> Scripted + Send + Sync + 'static {
    let queue = Mutex::new(VecDeque::from(answers));
    move |_| queue.lock().unwrap().pop_front().unwrap_or_else(&fallback)
}

/// Posten's organization number, as in the test service's certificates.
pub const POSTEN: &str = "984661185";

/// A valid portal job with one signer.
pub fn portal_job() -> SigningJob {
    SigningJob::builder("Arbeidsavtale")
        .reference("ref-1")
        .document(Document::pdf(
            "Avtale",
            "avtale.pdf",
            b"%PDF-1.7 avtale".to_vec(),
        ))
        .signer(
            Signer::with_personal_identification_number("01017010170")
                .notify_through_lookup(LookupNotifications::EmailOnly),
        )
        .build()
        .unwrap()
}
