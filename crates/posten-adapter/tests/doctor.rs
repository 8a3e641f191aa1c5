//! The checks behind `signering doctor`: the official Java client's expired test key store,
//! certificates made here (unknown CA, no digitalSignature), the real 2018 test-environment
//! server chain, and the online check against a scripted mutual-TLS server.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use asice::{LoadOptions, SigningKey};
use posten_adapter::doctor::{
    IssuerEvidence, Severity, check_client_certificate, check_connection, check_server_chain,
    check_signing_key,
};
use posten_adapter::{Environment, Seid, ServerTrust, TrustAnchors};
use rcgen::KeyUsagePurpose;
use rustls::pki_types::pem::PemObject as _;
use signature_core::OrganizationNumber;
use signering_testkit::JAVA_TEST_KEY_STORE_PASSWORD as JAVA_KEYSTORE_PASSWORD;
use signering_testkit::pki::{LeafSpec, make_pki};
use support::{Scripted, ServerOrg, TestServer, pem_key};
use time::OffsetDateTime;
use time::macros::datetime;

/// Fails unless the first of `findings` says `text`.
fn assert_first_says(findings: &[posten_adapter::doctor::Finding], text: &str) {
    assert!(findings[0].message.contains(text), "{findings:?}");
}

fn problems(findings: &[posten_adapter::doctor::Finding]) -> Vec<&str> {
    findings
        .iter()
        .filter(|f| f.severity == Severity::Problem)
        .map(|f| f.message.as_str())
        .collect()
}

#[test]
fn the_java_clients_expired_test_key_store_is_placed_and_refused() {
    let Some(data) = signering_testkit::java_test_key_store("java_expired_key_store") else {
        return;
    };
    let options = LoadOptions {
        allow_invalid_dates: true,
        ..LoadOptions::default()
    };
    let key = SigningKey::from_pkcs12(&data, JAVA_KEYSTORE_PASSWORD, &options).unwrap();
    let now = OffsetDateTime::now_utc();

    let report = check_signing_key(&key, now, None).unwrap();
    assert_eq!(
        report.certificate.organization_number.as_deref(),
        Some("988015814")
    );
    assert_eq!(report.certificate.seid, Some(Seid::One));
    assert_eq!(report.issued_by, Some(TrustAnchors::Test));
    assert_eq!(report.evidence, Some(IssuerEvidence::Chain));
    assert_eq!(report.chain_complete, Some(true));
    assert_eq!(report.chain_length, 3);
    assert_eq!(report.certificate.digital_signature, Some(true));
    assert_eq!(report.fits(), vec![Environment::Test, Environment::Qa]);
    assert!(report.days_left() < -2000, "{}", report.days_left());
    assert!(!report.is_usable());
    let found = problems(&report.findings);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("the certificate expired on 2018-11-11"),
        "{}",
        found[0]
    );

    // While it was valid, under Test: usable. Under Production: the mix-up is named.
    let in_2017 = datetime!(2017-06-01 00:00 UTC);
    assert!(
        check_signing_key(&key, in_2017, Some(&Environment::Test))
            .unwrap()
            .is_usable()
    );
    let production = check_signing_key(&key, in_2017, Some(&Environment::Production)).unwrap();
    assert_eq!(
        problems(&production.findings),
        vec![
            "this is a test certificate, but Production trusts only production CAs: the server \
             refuses it (TLS alert UnknownCA); use a production certificate, or this one with \
             Test or QA"
        ]
    );
}

#[test]
fn a_certificate_of_an_unknown_ca_is_a_note_for_an_emulator_and_a_problem_for_test() {
    let pki = make_pki(true, &LeafSpec::default());
    let key = pem_key(&pki);
    let now = OffsetDateTime::now_utc();
    let report = check_signing_key(&key, now, None).unwrap();
    assert!(report.is_usable(), "{:?}", report.findings);
    assert_eq!(report.issued_by, None);
    assert_eq!(report.chain_complete, None);
    assert_eq!(
        report.certificate.organization_number.as_deref(),
        Some("123456785")
    );

    let report = check_signing_key(&key, now, Some(&Environment::Test)).unwrap();
    let found = problems(&report.findings);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("a CA neither Posten environment trusts"));
}

#[test]
fn an_encryption_certificate_and_one_about_to_expire_are_reported() {
    let now = OffsetDateTime::now_utc();
    let pki = make_pki(
        false,
        &LeafSpec {
            key_usages: vec![KeyUsagePurpose::KeyEncipherment],
            not_before: now - time::Duration::days(100),
            not_after: now + time::Duration::days(10),
        },
    );
    let leaf = rustls::pki_types::CertificateDer::from_pem_slice(pki.leaf_pem.as_bytes())
        .unwrap()
        .to_vec();
    let report = check_client_certificate(&[leaf], now, None).unwrap();
    assert_eq!(report.certificate.digital_signature, Some(false));
    assert!(!report.is_usable());
    assert!(
        problems(&report.findings)[0].contains("lacks the digitalSignature key usage"),
        "{:?}",
        report.findings
    );
    assert!(
        report
            .findings
            .iter()
            .any(
                |f| f.severity == Severity::Warning && f.message.contains("in 9 days")
                    || f.message.contains("in 10 days")
            ),
        "{:?}",
        report.findings
    );
}

#[test]
fn a_captured_server_chain_is_checked_with_the_clients_verifier() {
    let Some(reference) = signering_testkit::reference_dir("captured_server_chain") else {
        return;
    };
    let pem = std::fs::read(reference.join("fixtures/dotnet/certs_PostenNorgeAs.pem.cer")).unwrap();
    let at = datetime!(2020-01-01 00:00 UTC);
    let accepted = check_server_chain(&ServerTrust::for_environment(&Environment::Test), &pem, at);
    assert!(accepted.is_accepted(), "{:?}", accepted.findings);
    let refused = check_server_chain(
        &ServerTrust::for_environment(&Environment::Production),
        &pem,
        at,
    );
    assert!(!refused.is_accepted());
    assert_first_says(
        &refused.findings,
        "issued by a test CA, but the client is configured for Production",
    );
    let garbage = check_server_chain(
        &ServerTrust::for_environment(&Environment::Test),
        b"no PEM here",
        at,
    );
    assert!(!garbage.is_accepted());
}

#[tokio::test]
async fn the_online_check_reports_the_servers_organization_and_the_who_am_i_answer() {
    let server = TestServer::start(ServerOrg::OrganizationIdentifier("984661185"), |request| {
        if request.uri == "/api/123456785" {
            Scripted::new(200)
        } else {
            Scripted::xml(
                403,
                "<error xmlns=\"http://signering.posten.no/schema/v1\"><error-code>\
                 BROKER_NOT_AUTHORIZED</error-code><error-message>not yours</error-message>\
                 <error-type>CLIENT</error-type></error>",
            )
        }
    })
    .await;
    let report = check_connection(
        server.client_builder(),
        &OrganizationNumber::parse("123456785").unwrap(),
    )
    .await;
    assert!(report.is_ok(), "{:?}", report.findings);
    assert!(report.url.ends_with("/api/123456785"), "{}", report.url);
    let root = report.outcome.as_ref().unwrap();
    assert_eq!(root.http_status, 200);
    let presented = root.server_certificate.as_ref().unwrap();
    assert_eq!(presented.organization_number.as_deref(), Some("984661185"));
    assert_eq!(presented.seid, Some(Seid::Two));
    assert_first_says(&report.findings, "organization 984661185 (SEID 2)");

    let refused = check_connection(
        server.client_builder(),
        &OrganizationNumber::parse("984661185").unwrap(),
    )
    .await;
    assert!(!refused.is_ok());
    assert_first_says(&refused.findings, "not registered as its broker");
    assert_eq!(server.requests().len(), 2, "one call each, no retries");
}
