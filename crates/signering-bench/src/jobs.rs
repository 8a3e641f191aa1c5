//! Jobs and payloads shared by the soak and the benchmarks.

use anyhow::Context as _;
use asice::{LoadOptions, SigningKey};
use signature_core::{Document, LookupNotifications, Signer, SigningJob};
use signering_testkit::pki::{LeafSpec, TestPki, make_pki};

/// Test personal identification numbers (valid check digits, not real people).
const SIGNERS: [&str; 2] = ["01017010170", "24068110048"];

/// `len` incompressible bytes behind a PDF header (the generator the `asice` criterion bench
/// uses too).
pub use signering_testkit::pdf_like;

/// A throwaway RSA-2048 signing key under a test CA with an intermediate, and the PKI it came
/// from (the raw key in it is the floor the bundle bench signs with).
pub(crate) fn test_key() -> anyhow::Result<(TestPki, SigningKey)> {
    let pki = make_pki(true, &LeafSpec::default());
    let key = SigningKey::from_pem(
        pki.key_pem.as_bytes(),
        pki.chain_pem.as_bytes(),
        None,
        &LoadOptions::default(),
    )?;
    Ok((pki, key))
}

/// A portal job with one document and `signers` (1 or 2) signers notified through lookup.
pub fn portal_job(
    reference: &str,
    signers: usize,
    document: Vec<u8>,
) -> anyhow::Result<SigningJob> {
    let mut builder = SigningJob::builder("Soak test agreement")
        .reference(reference)
        .document(Document::pdf("Agreement", "agreement.pdf", document));
    for pin in SIGNERS.iter().take(signers.clamp(1, SIGNERS.len())) {
        builder = builder.signer(
            Signer::with_personal_identification_number(pin)
                .notify_through_lookup(LookupNotifications::EmailOnly),
        );
    }
    builder.build().context("building the test job")
}
