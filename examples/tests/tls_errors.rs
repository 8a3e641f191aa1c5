//! Reproduces every certificate and TLS failure described in `docs/troubleshooting-tls.md`
//! and checks the message our client gives for it. Run with `--nocapture` to see them:
//!
//! `cargo test -p signering-examples --test tls_errors -- --nocapture --test-threads=1`

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use asice::{LoadOptions, SigningKey};
use posten_adapter::{Client, ClientBuilder, Environment, Error, ErrorCode};
use rcgen::KeyUsagePurpose;
use signature_core::{FlowKind, OrganizationNumber, StatusQueue};
use signature_emulator::posten::{PostenEmulator, RunningEmulator};
use signering_examples::SENDER;
use signering_testkit::pki::{LeafSpec, TestPki, make_pki};
use time::OffsetDateTime;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The error's message followed by its causes, as `signering_examples::exit_code` prints it.
fn message_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(&format!("\n  caused by: {cause}"));
        source = cause.source();
    }
    text
}

fn show(case: &str, error: &(dyn std::error::Error + 'static)) -> String {
    let text = message_chain(error);
    println!("--- {case}\n{text}\n");
    text
}

/// The key of PEM `key_pem` with the certificates of `chain_pem`, or why it is refused.
fn pem_key(key_pem: &str, chain_pem: &str) -> Result<SigningKey, asice::Error> {
    SigningKey::from_pem(
        key_pem.as_bytes(),
        chain_pem.as_bytes(),
        None,
        &LoadOptions::default(),
    )
}

fn key_from(pki: &TestPki, chain_pem: &str) -> Result<SigningKey, asice::Error> {
    pem_key(&pki.key_pem, chain_pem)
}

fn emulator_key(emulator: &RunningEmulator, org: &str) -> SigningKey {
    let identity = emulator.client(org).unwrap();
    pem_key(identity.private_key_pem(), &identity.chain_pem()).unwrap()
}

/// A client builder for the service at `base_url` with `key`, trusting the CA certificates in
/// `roots_pem` and sending for [`SENDER`]: the settings every test here starts from.
fn client_builder(base_url: &str, key: SigningKey, roots_pem: &str) -> ClientBuilder {
    Client::builder(Environment::custom(base_url).unwrap(), key)
        .trust_roots_pem(roots_pem.as_bytes())
        .default_sender(OrganizationNumber::parse(SENDER).unwrap())
}

async fn emulator() -> RunningEmulator {
    PostenEmulator::builder()
        .client(SENDER)
        .start()
        .await
        .unwrap()
}

async fn poll(client: &Client) -> Result<(), Error> {
    let queue = StatusQueue::new(FlowKind::Portal);
    tokio::time::timeout(Duration::from_secs(20), client.poll(&queue))
        .await
        .expect("the poll ended")
        .map(|_| ())
}

#[test]
fn expired_certificate() {
    let now = OffsetDateTime::now_utc();
    let pki = make_pki(
        false,
        &LeafSpec {
            not_before: now - time::Duration::days(400),
            not_after: now - time::Duration::days(2),
            ..LeafSpec::default()
        },
    );
    let error = key_from(&pki, &pki.chain_pem).unwrap_err();
    let text = show("expired certificate", &error);
    assert!(matches!(error, asice::Error::CertificateExpired { .. }));
    assert!(text.starts_with("certificate ") && text.contains(" expired at "));
}

#[test]
fn wrong_key_usage() {
    let pki = make_pki(
        false,
        &LeafSpec {
            key_usages: vec![KeyUsagePurpose::KeyEncipherment],
            ..LeafSpec::default()
        },
    );
    let error = key_from(&pki, &pki.chain_pem).unwrap_err();
    let text = show("wrong key usage", &error);
    assert!(matches!(error, asice::Error::NoDigitalSignatureUsage(_)));
    assert!(text.ends_with("lacks the digitalSignature key usage"));
}

#[test]
fn custom_url_without_trust_anchors() {
    let pki = make_pki(false, &LeafSpec::default());
    let key = key_from(&pki, &pki.chain_pem).unwrap();
    // Environment::Test and Production have built-in anchors; a custom URL has none.
    Client::builder(Environment::Test, key_from(&pki, &pki.chain_pem).unwrap())
        .build()
        .unwrap();
    let custom = Environment::custom("https://127.0.0.1:8443/api").unwrap();
    let error = Client::builder(custom, key).build().unwrap_err();
    let text = show("custom URL without trust anchors", &error);
    assert!(matches!(error, Error::Configuration(_)));
    assert!(text.starts_with("invalid client configuration: no trust anchors"));
}

#[tokio::test]
async fn untrusted_server() {
    let emulator = emulator().await;
    // Trusting some other CA (for example the test CAs while talking to production).
    let other = make_pki(false, &LeafSpec::default());
    let client = client_builder(
        &emulator.base_url,
        emulator_key(&emulator, SENDER),
        &other.root_pem,
    )
    .build()
    .unwrap();
    let error = poll(&client).await.unwrap_err();
    let text = show("untrusted server", &error);
    assert!(matches!(error, Error::ServerCertificateUntrusted { .. }));
    assert_eq!(text, "server certificate not trusted: UnknownIssuer");
    emulator.shutdown().await;
}

#[tokio::test]
async fn server_of_another_organization() {
    let emulator = emulator().await;
    let client = client_builder(
        &emulator.base_url,
        emulator_key(&emulator, SENDER),
        &emulator.ca_pem,
    )
    .server_organization_number(OrganizationNumber::parse("987654325").unwrap())
    .build()
    .unwrap();
    let error = poll(&client).await.unwrap_err();
    let text = show("server of another organization", &error);
    assert!(matches!(error, Error::ServerCertificateRejected { .. }));
    assert_eq!(
        text,
        "server certificate belongs to organization 984661185, expected 987654325"
    );
    emulator.shutdown().await;
}

#[tokio::test]
async fn certificate_of_another_organization_than_the_sender() {
    let emulator = emulator().await;
    // The certificate is 987654325's, the jobs are sent for SENDER.
    let client = client_builder(
        &emulator.base_url,
        emulator_key(&emulator, "987654325"),
        &emulator.ca_pem,
    )
    .build()
    .unwrap();
    let error = poll(&client).await.unwrap_err();
    let text = show("wrong organization number", &error);
    assert!(matches!(
        error,
        Error::Service {
            code: ErrorCode::BrokerNotAuthorized,
            ..
        }
    ));
    assert!(text.starts_with(
        "the client's organization is not authorized to act for the sender (HTTP 403)"
    ));
    emulator.shutdown().await;
}

#[tokio::test]
async fn client_certificate_from_a_ca_the_server_does_not_trust() {
    let emulator = emulator().await;
    // A certificate from another CA, as a test certificate is for production.
    let pki = make_pki(false, &LeafSpec::default());
    let client = client_builder(
        &emulator.base_url,
        key_from(&pki, &pki.chain_pem).unwrap(),
        &emulator.ca_pem,
    )
    .build()
    .unwrap();
    let error = poll(&client).await.unwrap_err();
    let text = show("client certificate from an untrusted CA", &error);
    assert!(matches!(error, Error::Connection(_)), "{error:?}");
    assert!(text.starts_with("could not reach Posten signering"));
    assert!(text.contains("UnknownCA"), "{text}");
    emulator.shutdown().await;
}

/// A minimal mutual-TLS server that trusts `client_root`, presents `server`'s certificate,
/// and answers every request with 204 (Posten's "no changes" to a poll).
async fn mtls_server(server: &TestPki, client_root: &TestPki) -> std::net::SocketAddr {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from(client_root.root_der.clone()))
        .unwrap();
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots),
        provider.clone(),
    )
    .build()
    .unwrap();
    let chain = CertificateDer::pem_slice_iter(server.chain_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_slice(server.key_pem.as_bytes()).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(chain, key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                if let Ok(mut tls) = acceptor.accept(tcp).await {
                    let mut buf = [0u8; 4096];
                    let _ = tls.read(&mut buf).await;
                    let _ = tls
                        .write_all(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
                        .await;
                    let _ = tls.shutdown().await;
                }
            });
        }
    });
    addr
}

#[tokio::test]
async fn missing_intermediate_certificate() {
    // The client's CA is root -> intermediate -> leaf; the server trusts only the root.
    let client_pki = make_pki(true, &LeafSpec::default());
    let server_pki = make_pki(false, &LeafSpec::default());
    let addr = mtls_server(&server_pki, &client_pki).await;
    let client_with = |chain_pem: &str| {
        client_builder(
            &format!("https://{addr}/api"),
            key_from(&client_pki, chain_pem).unwrap(),
            &server_pki.root_pem,
        )
        // The test server's certificate names this organization, not Posten's.
        .server_organization_number(OrganizationNumber::parse("123456785").unwrap())
        .build()
        .unwrap()
    };

    // The key store holds only the leaf: the server cannot build a path to its root.
    let error = poll(&client_with(&client_pki.leaf_pem)).await.unwrap_err();
    let text = show("missing intermediate certificate", &error);
    assert!(matches!(error, Error::Connection(_)), "{error:?}");
    assert!(text.starts_with("could not reach Posten signering"));
    assert!(text.contains("UnknownCA"), "{text}");

    // With the intermediate in the key store the same call goes through.
    poll(&client_with(&client_pki.chain_pem)).await.unwrap();
    println!("--- with the full chain: the poll succeeds\n");
}
