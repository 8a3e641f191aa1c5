//! The built-in trust anchors per environment, checked with the real test environment's
//! server certificate of 2018 (`fixtures/dotnet/certs_PostenNorgeAs.pem.cer` of the official
//! .NET client: POSTEN NORGE AS, serialNumber=984661185, issued by Buypass Class 3 Test4 CA 3,
//! valid 2018-11-15 to 2022-01-07), and SEID 1 / SEID 2 organization numbers with certificates
//! made here.
//!
//! [`ServerTrust::verify_chain`] builds the very verifier the client installs in rustls, so
//! these verdicts are the handshake's.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use posten_adapter::{
    Environment, Error, POSTEN_ORGANIZATION_NUMBER, Seid, ServerTrust, TrustAnchors,
};
use signature_core::OrganizationNumber;
use time::OffsetDateTime;
use time::macros::datetime;

mod support;
use support::{ServerOrg, ca_params, server_pki};

const AT_2020: OffsetDateTime = datetime!(2020-01-01 00:00 UTC);

/// The 2018 certificate, or `None` after the testkit's skip notice (a failure under
/// `SIGNERING_REQUIRE_TOOLS=1`).
fn server_certificate_2018(test: &str) -> Option<Vec<u8>> {
    let reference = signering_testkit::reference_dir(test)?;
    let path = reference.join("fixtures/dotnet/certs_PostenNorgeAs.pem.cer");
    Some(std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

#[test]
fn the_2018_test_server_certificate_is_accepted_under_test_and_qa() {
    let Some(pem) = server_certificate_2018("the_2018_test_server_certificate_is_accepted") else {
        return;
    };
    for environment in [Environment::Test, Environment::Qa] {
        let server = ServerTrust::for_environment(&environment)
            .verify_pem_chain(&pem, AT_2020)
            .unwrap_or_else(|e| panic!("{environment:?}: {e}"));
        assert_eq!(
            server.organization_number.as_deref(),
            Some(POSTEN_ORGANIZATION_NUMBER)
        );
        assert_eq!(server.seid, Some(Seid::One));
        assert!(
            server.issuer.contains("Buypass Class 3 Test4 CA 3"),
            "{}",
            server.issuer
        );
    }
}

#[test]
fn the_2018_test_server_certificate_is_refused_under_production_naming_the_mix_up() {
    let Some(pem) = server_certificate_2018("the_2018_test_server_certificate_is_refused") else {
        return;
    };
    let error = ServerTrust::for_environment(&Environment::Production)
        .verify_pem_chain(&pem, AT_2020)
        .unwrap_err();
    assert!(
        matches!(
            &error,
            Error::ServerCertificateWrongEnvironment { issued_by: TrustAnchors::Test, configured_for }
                if configured_for == "Production"
        ),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "server certificate not trusted: issued by a test CA, but the client is configured for \
         Production"
    );
}

#[test]
fn the_2018_certificate_is_refused_once_expired_and_by_a_custom_url_without_anchors() {
    let Some(pem) = server_certificate_2018("the_2018_certificate_is_refused_once_expired") else {
        return;
    };
    let expired = ServerTrust::for_environment(&Environment::Test)
        .verify_pem_chain(&pem, datetime!(2023-01-01 00:00 UTC))
        .unwrap_err();
    assert!(
        matches!(&expired, Error::ServerCertificateUntrusted { reason } if reason.contains("expired")),
        "{expired:?}"
    );

    // A custom URL trusting only another CA: the verdict still says which environment the
    // certificate belongs to.
    let (other_ca, other_ca_key) = ca_params("Unrelated Root CA");
    let other_ca = other_ca.self_signed(&other_ca_key).unwrap().pem();
    let custom = Environment::custom("https://127.0.0.1:9/api").unwrap();
    let error = ServerTrust::for_environment(&custom)
        .add_roots_pem(other_ca.as_bytes())
        .verify_pem_chain(&pem, AT_2020)
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "server certificate not trusted: issued by a test CA, but the client is configured for \
         a custom URL"
    );

    // Choosing the built-in test anchors for the custom URL accepts it.
    ServerTrust::for_environment(&custom)
        .built_in(Some(TrustAnchors::Test))
        .verify_pem_chain(&pem, AT_2020)
        .unwrap();
    // Replacing the anchors drops the built-in ones.
    let replaced = ServerTrust::for_environment(&Environment::Test)
        .replace_roots_pem(other_ca.as_bytes())
        .verify_pem_chain(&pem, AT_2020)
        .unwrap_err();
    assert!(
        matches!(replaced, Error::ServerCertificateUntrusted { .. }),
        "{replaced:?}"
    );
}

#[test]
fn a_custom_url_without_anchors_is_a_configuration_error() {
    let custom = Environment::custom("https://127.0.0.1:9/api").unwrap();
    let (_, leaf) = leaf_for(ServerOrg::OrganizationIdentifier("984661185"));
    let error = ServerTrust::for_environment(&custom)
        .verify_chain(&[leaf], AT_2020)
        .unwrap_err();
    assert!(
        matches!(&error, Error::Configuration(m) if m.message().contains("no trust anchors")),
        "{error:?}"
    );
}

#[test]
fn seid_1_and_seid_2_certificates_of_posten_are_accepted_and_others_refused() {
    let custom = Environment::custom("https://127.0.0.1:9/api").unwrap();
    for (org, seid) in [
        (ServerOrg::SerialNumber("984661185"), Seid::One),
        (ServerOrg::OrganizationIdentifier("984661185"), Seid::Two),
    ] {
        let (ca_pem, leaf) = leaf_for(org);
        let trust = ServerTrust::for_environment(&custom).add_roots_pem(ca_pem.as_bytes());
        let server = trust
            .verify_chain(std::slice::from_ref(&leaf), OffsetDateTime::now_utc())
            .unwrap();
        assert_eq!(server.organization_number.as_deref(), Some("984661185"));
        assert_eq!(server.seid, Some(seid));

        // The same certificate when another organization is expected.
        let error = trust
            .organization_number(&OrganizationNumber::parse("123456785").unwrap())
            .verify_chain(&[leaf], OffsetDateTime::now_utc())
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "server certificate belongs to organization 984661185, expected 123456785"
        );
    }
    let (ca_pem, leaf) = leaf_for(ServerOrg::OrganizationIdentifier("123456785"));
    let error = ServerTrust::for_environment(&custom)
        .add_roots_pem(ca_pem.as_bytes())
        .verify_chain(&[leaf], OffsetDateTime::now_utc())
        .unwrap_err();
    assert!(
        matches!(&error, Error::ServerCertificateRejected { found_org: Some(o), .. } if o == "123456785"),
        "{error:?}"
    );
}

/// A CA (PEM) and the server leaf (DER) of the scripted test server, naming Posten's
/// organization as `org` says.
fn leaf_for(org: ServerOrg) -> (String, Vec<u8>) {
    let (ca_pem, chain, _) = server_pki(org);
    (ca_pem, chain[0].to_vec())
}
