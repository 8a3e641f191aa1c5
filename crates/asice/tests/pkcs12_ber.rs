//! PKCS#12 key stores in BER: the official Java client's test key store (chunked OCTET
//! STRINGs, legacy RC2/3DES encryption, SHA-1 MAC), and a DER key store rewritten in BER here
//! (indefinite lengths, the authenticated safe cut into chunks).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use asice::{Error, LoadOptions, SigningKey};
use signering_testkit::JAVA_TEST_KEY_STORE_PASSWORD as JAVA_PASSWORD;
use signering_testkit::pki::{LeafSpec, make_pki};

#[test]
fn the_java_clients_ber_key_store_loads() {
    let Some(data) = signering_testkit::java_test_key_store("java_ber_key_store") else {
        return;
    };
    let options = LoadOptions {
        allow_invalid_dates: true,
        ..LoadOptions::default()
    };
    let key = SigningKey::from_pkcs12(&data, JAVA_PASSWORD, &options).unwrap();
    assert!(
        key.subject().contains("Digipost Testintegrasjon"),
        "{}",
        key.subject()
    );
    assert_eq!(
        key.issuer(),
        "CN=Buypass Class 3 Test4 CA 3,O=Buypass AS-983163327,C=NO"
    );
    assert_eq!(key.certificate_chain().count(), 3);
    assert_eq!(key.warnings().len(), 1, "expired 2018-11-11");

    assert!(matches!(
        SigningKey::from_pkcs12(&data, "wrong", &options),
        Err(Error::WrongPassword(_))
    ));
    assert!(matches!(
        SigningKey::from_pkcs12(&data, JAVA_PASSWORD, &LoadOptions::default()),
        Err(Error::CertificateExpired { .. })
    ));
}

#[test]
fn a_der_key_store_rewritten_in_ber_loads_the_same() {
    let pki = make_pki(true, &LeafSpec::default());
    let der = p12_via_keystore(&pki);
    let ber = to_ber(&der);
    assert_ne!(der, ber);
    let a = SigningKey::from_pkcs12(&der, "pw", &LoadOptions::default()).unwrap();
    let b = SigningKey::from_pkcs12(&ber, "pw", &LoadOptions::default()).unwrap();
    assert_eq!(a.subject(), b.subject());
    assert_eq!(
        a.certificate_chain().collect::<Vec<_>>(),
        b.certificate_chain().collect::<Vec<_>>()
    );
    assert!(matches!(
        SigningKey::from_pkcs12(&ber, "other", &LoadOptions::default()),
        Err(Error::WrongPassword(_))
    ));
    // A damaged BER file is refused with the parser's own complaint.
    let mut broken = ber.clone();
    broken.truncate(ber.len() / 2);
    assert!(matches!(
        SigningKey::from_pkcs12(&broken, "pw", &LoadOptions::default()),
        Err(Error::Pkcs12(_))
    ));
}

fn p12_via_keystore(pki: &signering_testkit::pki::TestPki) -> Vec<u8> {
    let key = p12_keystore::PrivateKey::from_der(&pki.key_pkcs8_der).unwrap();
    let certs: Vec<_> = rustls_pki_types::CertificateDer::pem_slice_iter(pki.chain_pem.as_bytes())
        .map(|c| p12_keystore::Certificate::from_der(c.unwrap().as_ref()).unwrap())
        .collect();
    let chain = p12_keystore::PrivateKeyChain::new(vec![1; 20], key, certs);
    let mut store = p12_keystore::KeyStore::new();
    store.add_entry("key", p12_keystore::KeyStoreEntry::PrivateKeyChain(chain));
    store.writer("pw").write().unwrap()
}

use rustls_pki_types::pem::PemObject as _;

/// PFX → the same PFX with indefinite lengths and the authenticated safe's OCTET STRING cut
/// into 100-byte chunks. The MAC covers the octets, not their encoding, so it stays valid.
fn to_ber(der: &[u8]) -> Vec<u8> {
    let (pfx, _) = tlv(der);
    let (version, rest) = tlv(pfx);
    let (auth_safe, mac) = split_tlv(rest);
    let (auth_safe_content, _) = tlv(auth_safe);
    let (oid, explicit) = split_tlv(auth_safe_content);
    let (octet_string, _) = tlv(tlv(explicit).0);
    let mut chunks = vec![0x24, 0x80];
    for chunk in octet_string.chunks(100) {
        chunks.push(0x04);
        chunks.push(chunk.len() as u8);
        chunks.extend_from_slice(chunk);
    }
    chunks.extend([0, 0]);
    let mut out = vec![0x30, 0x80];
    out.extend(rebuild(0x02, version));
    out.extend([0x30, 0x80]);
    out.extend(oid);
    out.extend([0xa0, 0x80]);
    out.extend(chunks);
    out.extend([0, 0, 0, 0]);
    out.extend(mac);
    out.extend([0, 0]);
    out
}

fn rebuild(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag, content.len() as u8];
    out.extend(content);
    out
}

/// (content, rest) of the element at the start of `input`.
fn tlv(input: &[u8]) -> (&[u8], &[u8]) {
    let first = input[1];
    let (length, header) = if first & 0x80 == 0 {
        (usize::from(first), 2)
    } else {
        let n = usize::from(first & 0x7f);
        let length = input[2..2 + n]
            .iter()
            .fold(0usize, |l, b| (l << 8) | usize::from(*b));
        (length, 2 + n)
    };
    (&input[header..header + length], &input[header + length..])
}

/// (whole element, rest).
fn split_tlv(input: &[u8]) -> (&[u8], &[u8]) {
    let (_, rest) = tlv(input);
    (&input[..input.len() - rest.len()], rest)
}
