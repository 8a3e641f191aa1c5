//! A prepared job carries a bundle that verifies, whose manifest names exactly the documents
//! inside it, and whose manifest validates against both XSD sets.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use asice::VerifyOptions;
use signature_core::{Document, LookupNotifications, Signer, SigningJob};
use signature_model::{from_xml, posten};
use signering_testkit::pki::{LeafSpec, make_pki};
use support::{pem_key, prepare};

#[test]
fn bundle_verifies_and_its_manifest_names_the_documents_inside() {
    let pki = make_pki(true, &LeafSpec::default());
    let key = pem_key(&pki);
    let job = SigningJob::builder("Leieavtale")
        .document(Document::pdf(
            "Avtale",
            "Avtale om lån.pdf",
            b"%PDF-1.7 avtale".to_vec(),
        ))
        .document(Document::plain_text(
            "Vedlegg",
            "vedlegg.txt",
            b"Husordensregler".to_vec(),
        ))
        .signer(
            Signer::with_personal_identification_number("01017010170")
                .notify_through_lookup(LookupNotifications::EmailOnly),
        )
        .build()
        .unwrap();

    let prepared = prepare(&job, &key).unwrap();

    let mut options = VerifyOptions::default();
    options
        .add_trust_roots_pem(pki.root_pem.as_bytes())
        .unwrap();
    asice::verify(&prepared.bundle, &options).expect("our own bundle verifies");

    let inspection = asice::inspect(&prepared.bundle, &asice::Limits::default()).unwrap();
    let entries: Vec<&str> = inspection.entries.iter().map(|e| e.name.as_str()).collect();
    let manifest: posten::PortalSignatureJobManifest = from_xml(&prepared.manifest_xml).unwrap();
    let posten::PortalSignatureJobManifestPortalManifestContentType::PortalJobTextsAndDocuments(
        content,
    ) = &manifest.portal_manifest_content
    else {
        panic!("expected the current manifest form")
    };
    let hrefs: Vec<&str> = content
        .documents
        .document
        .iter()
        .map(|d| d.href.as_str())
        .collect();
    assert_eq!(hrefs, ["avtale_om_laan.pdf", "vedlegg.txt"]);
    for href in &hrefs {
        assert!(
            entries.contains(href),
            "{href} missing from bundle entries {entries:?}"
        );
    }
    assert!(entries.contains(&"manifest.xml"));

    let rejections =
        signering_testkit::validate_against_both_schemas("prepared_job", &prepared.manifest_xml);
    assert!(rejections.is_empty(), "{}", rejections.join("\n"));
}
