//! A throwaway PKI made at test time: root CA → optional intermediate → enterprise-style leaf
//! (organization number as subject serialNumber, digitalSignature key usage), RSA-2048 keys
//! from aws-lc-rs.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair as RsaKeyPair, KeySize};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    PKCS_RSA_SHA256, SerialNumber,
};
use rustls_pki_types::PrivatePkcs8KeyDer;
use time::{Duration, OffsetDateTime};

/// What the leaf looks like.
#[derive(Clone, Debug)]
pub struct LeafSpec {
    /// Key usages of the leaf certificate.
    pub key_usages: Vec<KeyUsagePurpose>,
    /// Start of the leaf's validity.
    pub not_before: OffsetDateTime,
    /// End of the leaf's validity.
    pub not_after: OffsetDateTime,
}

impl Default for LeafSpec {
    fn default() -> Self {
        let now = OffsetDateTime::now_utc();
        Self {
            key_usages: vec![
                KeyUsagePurpose::DigitalSignature,
                KeyUsagePurpose::KeyEncipherment,
            ],
            not_before: now - Duration::days(1),
            not_after: now + Duration::days(365),
        }
    }
}

/// PEM and DER forms of the generated PKI.
#[derive(Debug)]
pub struct TestPki {
    /// The root CA certificate, PEM.
    pub root_pem: String,
    /// The root CA certificate, DER.
    pub root_der: Vec<u8>,
    /// Leaf, the optional intermediate, and root — what goes into KeyInfo.
    pub chain_pem: String,
    /// Leaf only.
    pub leaf_pem: String,
    /// Everything above the leaf, for `openssl pkcs12 -certfile`.
    pub ca_pem: String,
    /// PKCS#8 PEM of the leaf key.
    pub key_pem: String,
    /// PKCS#8 DER of the leaf key.
    pub key_pkcs8_der: Vec<u8>,
}

/// A fresh RSA-2048 key as an rcgen key pair and its PKCS#8 DER.
pub fn rsa_key() -> (KeyPair, Vec<u8>) {
    let rsa = RsaKeyPair::generate(KeySize::Rsa2048).expect("RSA key generation");
    let der = rsa.as_der().expect("PKCS#8").as_ref().to_vec();
    let kp = KeyPair::from_pkcs8_der_and_sign_algo(
        &PrivatePkcs8KeyDer::from(der.clone()),
        &PKCS_RSA_SHA256,
    )
    .expect("rcgen key pair");
    (kp, der)
}

fn ca_params(cn: &str, org: &str, serial: u64) -> CertificateParams {
    let mut p = CertificateParams::new(Vec::<String>::new()).expect("params");
    p.distinguished_name.push(DnType::CountryName, "NO");
    p.distinguished_name.push(DnType::OrganizationName, org);
    p.distinguished_name.push(DnType::CommonName, cn);
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let now = OffsetDateTime::now_utc();
    p.not_before = now - Duration::days(30);
    p.not_after = now + Duration::days(3650);
    p.serial_number = Some(SerialNumber::from_slice(&serial.to_be_bytes()));
    p
}

/// Builds the PKI; `intermediate` adds a CA between root and leaf.
pub fn make_pki(intermediate: bool, leaf: &LeafSpec) -> TestPki {
    let (root_key, _) = rsa_key();
    let root_params = ca_params("Test Rot-CA Ærlig", "Tillit & Sikkerhet AS", 1);
    let root_cert = root_params.self_signed(&root_key).expect("root");
    let root_issuer = Issuer::new(root_params, root_key);

    let mut ca_pem = String::new();
    let (leaf_cert, key_pem, key_der) = {
        let mut lp = CertificateParams::new(Vec::<String>::new()).expect("params");
        lp.distinguished_name.push(DnType::CountryName, "NO");
        lp.distinguished_name
            .push(DnType::OrganizationName, "Testvirksomhet AS");
        lp.distinguished_name
            .push(DnType::CommonName, "Testvirksomhet AS");
        lp.distinguished_name
            .push(DnType::CustomDnType(vec![2, 5, 4, 5]), "123456785");
        lp.key_usages = leaf.key_usages.clone();
        lp.not_before = leaf.not_before;
        lp.not_after = leaf.not_after;
        // 20-byte serial to exercise big decimal serials.
        lp.serial_number = Some(SerialNumber::from_slice(&[
            0x4a, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd,
            0xee, 0xff, 0x01, 0x02, 0x03, 0x04,
        ]));
        let (leaf_key, leaf_der) = rsa_key();
        let cert = if intermediate {
            let (int_key, _) = rsa_key();
            let int_params = ca_params("Test Mellomledd-CA", "Tillit & Sikkerhet AS", 2);
            let int_cert = int_params
                .signed_by(&int_key, &root_issuer)
                .expect("intermediate");
            let int_issuer = Issuer::new(int_params, int_key);
            ca_pem.push_str(&int_cert.pem());
            lp.signed_by(&leaf_key, &int_issuer).expect("leaf")
        } else {
            lp.signed_by(&leaf_key, &root_issuer).expect("leaf")
        };
        (cert, leaf_key.serialize_pem(), leaf_der)
    };
    ca_pem.push_str(&root_cert.pem());
    let leaf_pem = leaf_cert.pem();
    // Chain of 1 = the leaf only; with an intermediate, the full chain up to the root.
    let chain_pem = if intermediate {
        format!("{leaf_pem}{ca_pem}")
    } else {
        leaf_pem.clone()
    };
    TestPki {
        root_pem: root_cert.pem(),
        root_der: root_cert.der().as_ref().to_vec(),
        chain_pem,
        leaf_pem,
        ca_pem,
        key_pem,
        key_pkcs8_der: key_der,
    }
}
