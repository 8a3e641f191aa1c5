//! Shared by the integration tests: the test PKI, its key as a signing key, and the
//! independent verifiers.

#![allow(dead_code, clippy::expect_used)] // each test file uses a part; tests fail loudly

pub use signering_testkit::pki;
pub mod tools;

/// The test PKI's key with its certificate chain, loaded from PEM.
pub fn pem_key(pki: &pki::TestPki) -> asice::SigningKey {
    let options = asice::LoadOptions::default();
    asice::SigningKey::from_pem(
        pki.key_pem.as_bytes(),
        pki.chain_pem.as_bytes(),
        None,
        &options,
    )
    .expect("PEM key")
}
