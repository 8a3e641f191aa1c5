//! A test PKI (CA, server certificate for 127.0.0.1, RSA enterprise certificates) and
//! helpers to start the emulator and build clients against it.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use altinn_adapter::auth::{EnterpriseCertificate, LoadOptions, SigningKey};
use altinn_adapter::v2::auth::Login;
use altinn_adapter::v2::{Client, Environment};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose, PKCS_ECDSA_P256_SHA256, PKCS_RSA_SHA256,
};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use signature_emulator::altinn::{AltinnEmulator, AltinnEmulatorBuilder, TlsSetup};

pub const API_KEY: &str = "test-api-key";

pub struct Enterprise {
    pub cert_der: Vec<u8>,
    pub chain_pem: String,
    pub key_pem: String,
}

impl Enterprise {
    pub fn certificate(&self) -> EnterpriseCertificate {
        // Loaded as an application does: by asice, the workspace's one key loader.
        let key = SigningKey::from_pem(
            self.key_pem.as_bytes(),
            self.chain_pem.as_bytes(),
            None,
            &LoadOptions::default(),
        )
        .unwrap();
        EnterpriseCertificate::new(key).unwrap()
    }
}

pub struct Pki {
    pub ca: CertificateDer<'static>,
    pub server_chain: Vec<CertificateDer<'static>>,
    pub server_key_der: Vec<u8>,
    pub enterprise: Enterprise,
    /// Issued by the same CA, but not registered with the emulator.
    pub unregistered: Enterprise,
}

impl Pki {
    pub fn tls(&self) -> TlsSetup {
        TlsSetup {
            chain: self.server_chain.clone(),
            key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.server_key_der.clone())),
            client_roots: vec![self.ca.clone()],
        }
    }
}

fn enterprise(ca: &CertifiedIssuer<'_, KeyPair>, name: &str) -> Enterprise {
    let key = KeyPair::generate_for(&PKCS_RSA_SHA256).unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(DnType::CommonName, name);
    params
        .distinguished_name
        .push(DnType::OrganizationName, name);
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let cert = params.signed_by(&key, ca).unwrap();
    Enterprise {
        cert_der: cert.der().to_vec(),
        chain_pem: format!("{}{}", cert.pem(), ca.pem()),
        key_pem: key.serialize_pem(),
    }
}

pub fn pki() -> Pki {
    let ca_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "Emulator Test CA");
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca = CertifiedIssuer::self_signed(ca_params, ca_key).unwrap();
    let server_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
    let server_params =
        CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).unwrap();
    let server = server_params.signed_by(&server_key, &ca).unwrap();
    Pki {
        ca: ca.der().clone(),
        server_chain: vec![server.der().clone()],
        server_key_der: server_key.serialize_der(),
        enterprise: enterprise(&ca, "TESTBEDRIFT AS"),
        unregistered: enterprise(&ca, "UKJENT BEDRIFT AS"),
    }
}

/// Another enterprise, signed by a CA of its own.
pub fn other_enterprise() -> Enterprise {
    let ca_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, ca_key).unwrap();
    enterprise(&ca, "ANNEN BEDRIFT AS")
}

pub fn emulator() -> AltinnEmulatorBuilder {
    AltinnEmulator::builder().api_key(API_KEY)
}

/// An emulator where the person `username` logs in with `password`.
pub async fn person_emulator(username: &str, password: &str) -> AltinnEmulator {
    emulator()
        .person_user(username, password)
        .start()
        .await
        .unwrap()
}

pub fn client(emulator: &AltinnEmulator, auth: impl Login + 'static) -> Client {
    Client::builder(Environment::custom(emulator.base_url()).unwrap(), API_KEY)
        .auth(auth)
        .build()
        .unwrap()
}
