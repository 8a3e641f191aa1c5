//! Build the signed ASiC-E bundle Posten signering receives, inspect it and verify it, with
//! no network at all.
//!
//! Useful to check a job and your enterprise certificate before you send anything, or to
//! keep an exact copy of what you sent.
//!
//! `cargo run -p signering-examples --example bundle_offline`

use std::process::ExitCode;

use asice::{BuildOptions, Limits, LoadOptions, SigningKey, SystemClock, VerifyOptions};
use posten_adapter::PreparedJob;
use signature_core::{LookupNotifications, OrganizationNumber, Signer, SigningJob};
use signering_examples::{Result, SENDER, SIGNER_A, ensure, exit_code};
use signering_testkit::pki::{LeafSpec, make_pki};

fn main() -> ExitCode {
    exit_code(run())
}

fn run() -> Result<()> {
    // A throwaway certificate from the test PKI. With your own:
    // SigningKey::from_pkcs12_file("virksomhet.p12", &password, &LoadOptions::default())?
    let pki = make_pki(true, &LeafSpec::default());
    let key = SigningKey::from_pem(
        pki.key_pem.as_bytes(),
        pki.chain_pem.as_bytes(),
        None,
        &LoadOptions::default(),
    )?;
    println!("signing as {}", key.subject());

    let job = SigningJob::builder("Employment contract")
        .document(signering_examples::employment_contract())
        .signer(
            Signer::with_personal_identification_number(SIGNER_A)
                .notify_through_lookup(LookupNotifications::EmailOnly),
        )
        .build()?;
    let sender = OrganizationNumber::parse(SENDER)?;
    let prepared = PreparedJob::new(
        &job,
        Some(&sender),
        &key,
        &SystemClock,
        &BuildOptions::default(),
    )?;
    println!(
        "built bundle: {} bytes (request XML {} bytes)",
        prepared.bundle.len(),
        prepared.request_xml.len()
    );

    // Inspect: what is inside, without checking anything.
    let inspection = asice::inspect(&prepared.bundle, &Limits::default())?;
    for entry in &inspection.entries {
        println!("  {:<28} {:>6} bytes", entry.name, entry.size);
    }
    for certificate in &inspection.certificates {
        println!(
            "  certificate {} (until {})",
            certificate.subject, certificate.not_after
        );
    }
    ensure(
        inspection.manifest.is_some(),
        "no manifest.xml in the bundle",
    )?;

    // Verify: digests, signature, and the chain up to a root we trust.
    let mut options = VerifyOptions::default();
    options.add_trust_roots_pem(pki.root_pem.as_bytes())?;
    let verified = asice::verify(&prepared.bundle, &options)?;
    println!(
        "verified: {} file(s) signed by {} at {}, chain trusted: {}",
        verified.files.len(),
        verified.signer_subject,
        verified.signing_time,
        verified.chain_trusted
    );
    ensure(verified.chain_trusted, "the chain was not checked")?;

    // Against roots that did not issue the certificate, verification fails.
    let other_pki = make_pki(false, &LeafSpec::default());
    let mut other = VerifyOptions::default();
    other.add_trust_roots_pem(other_pki.root_pem.as_bytes())?;
    match asice::verify(&prepared.bundle, &other) {
        Err(error) => println!("with another trust root: {error}"),
        Ok(_) => return Err("verified against a root that did not issue the certificate".into()),
    }
    Ok(())
}
