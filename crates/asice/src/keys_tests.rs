//! Key loading failures and options.

use super::*;
use time::Duration;

use crate::testpki as pki;

/// Loads a key and a chain given apart, with the default options (for the mismatches).
fn from_pem(key_pem: &[u8], chain_pem: &[u8]) -> Result<SigningKey> {
    SigningKey::from_pem(key_pem, chain_pem, None, &LoadOptions::default())
}

/// A leaf certificate valid from `not_before` to `not_after`.
fn valid_between(not_before: OffsetDateTime, not_after: OffsetDateTime) -> pki::TestPki {
    pki::make_pki(
        false,
        &pki::LeafSpec {
            not_before,
            not_after,
            ..Default::default()
        },
    )
}

#[test]
fn chain_is_ordered_from_leaf_and_debug_hides_the_key() {
    let pki = pki::make_pki(true, &pki::LeafSpec::default());
    // Root first, leaf last: loading must still put the signing certificate first.
    let mut parts: Vec<&str> = pki
        .chain_pem
        .split_inclusive("-----END CERTIFICATE-----\n")
        .collect();
    parts.reverse();
    let reversed = parts.concat();
    let key = SigningKey::from_pem(
        pki.key_pem.as_bytes(),
        reversed.as_bytes(),
        None,
        &LoadOptions::default(),
    )
    .unwrap();
    assert!(
        key.subject().contains("CN=Testvirksomhet AS"),
        "{}",
        key.subject()
    );
    assert_eq!(
        key.issuer(),
        "O=Tillit & Sikkerhet AS,C=NO,CN=Test Mellomledd-CA"
    );
    assert_eq!(key.certificate_chain().count(), 3);
    // serialNumber is not an RFC 2253 keyword: the JDK prints it as OID=#hex (UTF8String here).
    assert!(
        key.subject()
            .starts_with("2.5.4.5=#0c09313233343536373835,O=Testvirksomhet AS"),
        "{}",
        key.subject()
    );
    let debug = format!("{key:?}");
    assert!(
        debug.contains("redacted") && !debug.contains("MII"),
        "{debug}"
    );
    assert!(key.warnings().is_empty());
}

#[test]
fn missing_digital_signature_usage() {
    let spec = pki::LeafSpec {
        key_usages: vec![rcgen::KeyUsagePurpose::KeyEncipherment],
        ..Default::default()
    };
    let pki = pki::make_pki(false, &spec);
    assert!(matches!(
        pki::load_key(&pki, &LoadOptions::default()),
        Err(Error::NoDigitalSignatureUsage(_))
    ));
}

#[test]
fn expired_and_not_yet_valid() {
    let now = OffsetDateTime::now_utc();
    let expired = valid_between(now - Duration::days(400), now - Duration::days(10));
    assert!(matches!(
        pki::load_key(&expired, &LoadOptions::default()),
        Err(Error::CertificateExpired { .. })
    ));
    let lenient = LoadOptions {
        allow_invalid_dates: true,
        at: None,
    };
    let key = pki::load_key(&expired, &lenient).unwrap();
    assert!(matches!(key.warnings(), [Error::CertificateExpired { .. }]));

    let future = valid_between(now + Duration::days(10), now + Duration::days(400));
    assert!(matches!(
        pki::load_key(&future, &LoadOptions::default()),
        Err(Error::CertificateNotYetValid { .. })
    ));
    // Checked at an explicit instant inside the validity, it loads.
    let at = LoadOptions {
        allow_invalid_dates: false,
        at: Some(now + Duration::days(20)),
    };
    pki::load_key(&future, &at).unwrap();
}

#[test]
fn key_not_matching_certificate() {
    let a = pki::make_pki(false, &pki::LeafSpec::default());
    let b = pki::make_pki(false, &pki::LeafSpec::default());
    assert!(matches!(
        from_pem(a.key_pem.as_bytes(), b.chain_pem.as_bytes()),
        Err(Error::KeyCertificateMismatch(_))
    ));
}

#[test]
fn empty_inputs() {
    let a = pki::make_pki(false, &pki::LeafSpec::default());
    assert!(matches!(
        from_pem(a.key_pem.as_bytes(), b""),
        Err(Error::NoCertificate(_))
    ));
    assert!(matches!(
        from_pem(a.chain_pem.as_bytes(), a.chain_pem.as_bytes()),
        Err(Error::NoPrivateKey(_))
    ));
    assert!(matches!(
        SigningKey::from_pkcs12(b"garbage", "x", &LoadOptions::default()),
        Err(Error::Pkcs12(_))
    ));
    assert!(matches!(
        SigningKey::from_pkcs12_file("/nonexistent/x.p12", "x", &LoadOptions::default()),
        Err(Error::ReadFile { .. })
    ));
}

#[test]
fn pkcs8_export_round_trips_to_the_same_key() {
    let pki = pki::make_pki(false, &pki::LeafSpec::default());
    let key = pki::load_key(&pki, &LoadOptions::default()).unwrap();
    let pkcs8 = key.private_key_pkcs8_der().unwrap();
    let again = RsaKeyPair::from_pkcs8(&pkcs8).unwrap();
    assert_eq!(
        again.public_key().as_ref(),
        key.leaf().public_key_bits(),
        "exported key must be the loaded key"
    );
}
