//! Security properties of the client, each against a real TLS server: server certificates
//! that are expired, not yet valid or chained to an unknown issuer are refused with
//! [`Error::ServerCertificateUntrusted`] before any request reaches the handler (another
//! organization's certificate and an untrusted CA are covered in `client.rs`), and answer
//! bodies beyond the client's limits are refused with a typed error without being buffered
//! whole (the server streams an endless body).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use posten_adapter::{Client, Environment, Error, RateLimit, RetryPolicy};
use rcgen::{DnType, Issuer, KeyUsagePurpose};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use signature_core::{FlowKind, OrganizationNumber, PollResult, StatusQueue};
use signering_testkit::pki::{LeafSpec, make_pki};
use support::{
    GeneratedBody, Scripted, ServerOrg, TestServer, ca_params, pem_key, posten_leaf_params,
    serve_tls,
};
use time::OffsetDateTime;

const POSTEN: &str = "984661185";
/// Bound for each call: a client that buffered the endless bodies would never return.
const CALL_TIMEOUT: Duration = Duration::from_secs(60);

/// How the server's certificate is made.
enum ServerCert {
    Validity {
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
    },
    /// The leaf is signed by an intermediate the server does not send and the client does
    /// not know: the chain cannot be built to the trusted root.
    MissingIntermediate,
}

/// A TLS server (no client authentication needed: the handshake fails first) that counts
/// the requests reaching its handler. Returns its base URL, the CA PEM to trust, and the
/// counter.
async fn tls_server(
    cert: ServerCert,
) -> (
    String,
    String,
    Arc<AtomicUsize>,
    axum_server::Handle<std::net::SocketAddr>,
) {
    let (mut ca, ca_key) = ca_params("Test Server Root CA");
    let now = OffsetDateTime::now_utc();
    ca.not_before = now - time::Duration::days(3650);
    ca.not_after = now + time::Duration::days(3650);
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let root_issuer = Issuer::new(ca, ca_key);

    let (mut leaf, leaf_key) = posten_leaf_params();
    leaf.distinguished_name
        .push(DnType::CustomDnType(vec![2, 5, 4, 5]), POSTEN);
    let chain = match cert {
        ServerCert::Validity {
            not_before,
            not_after,
        } => {
            leaf.not_before = not_before;
            leaf.not_after = not_after;
            let leaf_cert = leaf.signed_by(&leaf_key, &root_issuer).unwrap();
            vec![leaf_cert.der().clone(), ca_cert.der().clone()]
        }
        ServerCert::MissingIntermediate => {
            let (mut int, int_key) = ca_params("Test Server Intermediate CA");
            int.key_usages = vec![KeyUsagePurpose::KeyCertSign];
            let _int_cert = int.signed_by(&int_key, &root_issuer).unwrap();
            let int_issuer = Issuer::new(int, int_key);
            let leaf_cert = leaf.signed_by(&leaf_key, &int_issuer).unwrap();
            vec![leaf_cert.der().clone()]
        }
    };
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));

    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let app = axum::Router::new().fallback(move || {
        counter.fetch_add(1, Ordering::SeqCst);
        async { axum::http::StatusCode::NO_CONTENT }
    });
    let (addr, handle) = serve_tls(config, app);
    (format!("https://{addr}/api"), ca_cert.pem(), hits, handle)
}

fn client_for(base: &str, trusted_ca_pem: &str) -> Client {
    let pki = make_pki(false, &LeafSpec::default());
    let key = pem_key(&pki);
    Client::builder(Environment::custom(base).unwrap(), key)
        .trust_roots_pem(trusted_ca_pem.as_bytes())
        .default_sender(OrganizationNumber::parse("123456785").unwrap())
        .retry(RetryPolicy::none())
        .rate_limit(None::<RateLimit>)
        .build()
        .unwrap()
}

/// Polls the portal queue once, failing if the call does not finish within [`CALL_TIMEOUT`]
/// (`what` says why it should).
async fn poll_once(client: &Client, what: &str) -> Result<PollResult, Error> {
    tokio::time::timeout(
        CALL_TIMEOUT,
        client.poll(&StatusQueue::new(FlowKind::Portal)),
    )
    .await
    .expect(what)
}

/// Polls once and returns the certificate error's reason, failing on anything else.
async fn untrusted_reason(cert: ServerCert) -> String {
    let (base, ca_pem, hits, handle) = tls_server(cert).await;
    let client = client_for(&base, &ca_pem);
    let error = poll_once(&client, "the call finishes").await.unwrap_err();
    handle.shutdown();
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "no request may reach the handler"
    );
    match error {
        Error::ServerCertificateUntrusted { reason } => reason,
        other => panic!("expected ServerCertificateUntrusted, got {other:?}"),
    }
}

#[tokio::test]
async fn control_a_valid_certificate_from_the_same_setup_is_accepted() {
    // Guards the tests below: the same server with a valid certificate is accepted, so the
    // refusals are about validity and chains, not the test setup.
    let now = OffsetDateTime::now_utc();
    let (base, ca_pem, hits, handle) = tls_server(ServerCert::Validity {
        not_before: now - time::Duration::days(1),
        not_after: now + time::Duration::days(30),
    })
    .await;
    let client = client_for(&base, &ca_pem);
    let result = poll_once(&client, "the call finishes").await;
    handle.shutdown();
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn expired_server_certificate_is_refused() {
    let now = OffsetDateTime::now_utc();
    let reason = untrusted_reason(ServerCert::Validity {
        not_before: now - time::Duration::days(60),
        not_after: now - time::Duration::days(1),
    })
    .await;
    assert!(reason.contains("certificate expired"), "{reason}");
}

#[tokio::test]
async fn not_yet_valid_server_certificate_is_refused() {
    let now = OffsetDateTime::now_utc();
    let reason = untrusted_reason(ServerCert::Validity {
        not_before: now + time::Duration::days(1),
        not_after: now + time::Duration::days(60),
    })
    .await;
    assert!(reason.contains("certificate not valid yet"), "{reason}");
}

#[tokio::test]
async fn chain_that_does_not_reach_a_trusted_root_is_refused() {
    let reason = untrusted_reason(ServerCert::MissingIntermediate).await;
    assert!(reason.contains("UnknownIssuer"), "{reason}");
}

/// An endless body, produced on the fly in 64 KiB frames.
fn endless() -> axum::body::Body {
    axum::body::Body::new(GeneratedBody {
        total: u64::MAX,
        sent: 0,
        chunk: 64 * 1024,
    })
}

#[tokio::test]
async fn endless_xml_answer_is_refused_at_the_limit() {
    let server = TestServer::start(ServerOrg::SerialNumber(POSTEN), |_| {
        Scripted::new(200)
            .header("content-type", "application/xml")
            .body(endless())
    })
    .await;
    let client = server.client();
    let error = poll_once(&client, "the client stops reading at its limit")
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::ResponseTooLarge { limit } if limit == 1024 * 1024),
        "{error:?}"
    );
    let job = signature_core::SigningJob::builder("Contract")
        .document(signature_core::Document::pdf(
            "Contract",
            "c.pdf",
            b"%PDF-1.7".to_vec(),
        ))
        .signer(
            signature_core::Signer::with_personal_identification_number("24068110048")
                .notify_by_email("kari@example.com"),
        )
        .build()
        .unwrap();
    let error = tokio::time::timeout(CALL_TIMEOUT, client.create_job(&job))
        .await
        .expect("the client stops reading at its limit")
        .unwrap_err();
    assert!(
        matches!(error, Error::ResponseTooLarge { limit } if limit == 1024 * 1024),
        "{error:?}"
    );
}

#[tokio::test]
async fn endless_error_body_is_cut_and_still_gives_the_status_and_its_beginning() {
    let server = TestServer::start(ServerOrg::SerialNumber(POSTEN), |_| {
        Scripted::new(503)
            .header("content-type", "text/html")
            .body(endless())
    })
    .await;
    let client = server
        .client_builder()
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let error = poll_once(
        &client,
        "the client stops reading the error body at its limit",
    )
    .await
    .unwrap_err();
    match error {
        Error::UnexpectedResponse {
            http_status,
            excerpt,
            ..
        } => {
            assert_eq!(http_status, 503);
            // The first 64 KiB are read, and the excerpt is their beginning (byte i is
            // i % 251).
            assert_eq!(excerpt.chars().count(), posten_adapter::MAX_EXCERPT_CHARS);
            assert!(excerpt.starts_with("\u{0}\u{1}\u{2}"), "{excerpt:?}");
        }
        other => panic!("expected UnexpectedResponse, got {other:?}"),
    }
}
