//! Snapshots of the XML we send for representative jobs, each validated against our XSDs and
//! (with SIGNERING_REFERENCE_DIR) the upstream XSDs.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::time::Duration;

use posten_adapter::wire::SerializedJob;
use signature_core::{
    AuthenticationLevel, DirectFlow, Document, ExitUrls, Flow, IdentifierInSignedDocuments,
    LookupNotifications, OnBehalfOf, OrganizationNumber, SignatureType, Signer, SigningJob,
    StatusRetrievalMethod,
};
use time::macros::datetime;

fn sender() -> OrganizationNumber {
    OrganizationNumber::parse("984661185").unwrap()
}

fn assert_valid(test: &str, xml: &[u8]) {
    let rejections = signering_testkit::validate_against_both_schemas(test, xml);
    assert!(
        rejections.is_empty(),
        "{}\n{}",
        String::from_utf8_lossy(xml),
        rejections.join("\n")
    );
}

fn direct_job_with_one_signer() -> SigningJob {
    SigningJob::builder("Employment contract")
        .description("Please read and sign your contract.")
        .reference("hr-2026-117")
        .document(Document::pdf(
            "Contract",
            "contract.pdf",
            b"%PDF-1.7 test".to_vec(),
        ))
        .signer(Signer::with_personal_identification_number("01017010170"))
        .flow(Flow::Direct(
            DirectFlow::new(ExitUrls::new(
                "https://sender.example/completed",
                "https://sender.example/rejected",
                "https://sender.example/failed",
            ))
            .status_retrieval(StatusRetrievalMethod::Polling),
        ))
        .polling_queue("hr-queue")
        .build()
        .unwrap()
}

fn portal_job_with_three_signers() -> SigningJob {
    SigningJob::builder("Lease agreement")
        .non_sensitive_title("Agreement")
        .description("The lease for Storgata 1.")
        .reference("lease-42")
        .document(Document::pdf(
            "Lease",
            "lease.pdf",
            b"%PDF-1.7 lease".to_vec(),
        ))
        .document(Document::plain_text(
            "House rules",
            "house-rules.txt",
            b"No pets.".to_vec(),
        ))
        .signer(
            Signer::with_personal_identification_number("01017010170")
                .order(1)
                .notify_by_email("tenant@example.com")
                .notify_by_sms("+4799999999")
                .signature_type(SignatureType::AdvancedElectronicSignature),
        )
        .signer(
            Signer::with_personal_identification_number("15038510190")
                .order(2)
                .notify_through_lookup(LookupNotifications::EmailAndSms)
                .on_behalf_of(OnBehalfOf::Own),
        )
        .signer(
            Signer::with_personal_identification_number("31129910065")
                .order(2)
                .notify_by_sms("+4798888888")
                .on_behalf_of(OnBehalfOf::Other),
        )
        .authentication_level(AuthenticationLevel::Four)
        .identifier_in_signed_documents(IdentifierInSignedDocuments::DateOfBirthAndName)
        .activation_time(datetime!(2026-12-01 09:00 +01:00))
        .available_for(Duration::from_secs(10 * 24 * 3600))
        .sender(sender())
        .build()
        .unwrap()
}

/// Validates both documents of `wire` and snapshots them as `{flow}_request` and
/// `{flow}_manifest` (the names, and the expressions the snapshots record, as they were).
fn assert_wire(test: &str, flow: &str, wire: SerializedJob) {
    assert_valid(test, &wire.request_xml);
    assert_valid(test, &wire.manifest_xml);
    insta::assert_snapshot!(
        format!("{flow}_request"),
        String::from_utf8(wire.request_xml).unwrap()
    );
    insta::assert_snapshot!(
        format!("{flow}_manifest"),
        String::from_utf8(wire.manifest_xml).unwrap()
    );
}

#[test]
fn direct_job_with_one_signer_xml() {
    let wire = SerializedJob::new(&direct_job_with_one_signer(), Some(&sender())).unwrap();
    assert_wire("direct_job_with_one_signer_xml", "direct", wire);
}

#[test]
fn portal_job_with_three_ordered_signers_xml() {
    let wire = SerializedJob::new(&portal_job_with_three_signers(), None).unwrap();
    assert_wire("portal_job_with_three_ordered_signers_xml", "portal", wire);
}

#[test]
fn the_jobs_own_sender_wins_over_the_default() {
    let other = OrganizationNumber::parse("123456785").unwrap();
    let wire = SerializedJob::new(&portal_job_with_three_signers(), Some(&other)).unwrap();
    let manifest = String::from_utf8(wire.manifest_xml).unwrap();
    assert!(manifest.contains("<organization-number>984661185</organization-number>"));
}

#[test]
fn a_job_without_any_sender_is_refused() {
    let error = SerializedJob::new(&direct_job_with_one_signer(), None).unwrap_err();
    assert!(
        matches!(error, posten_adapter::Error::SenderNotSpecified),
        "{error:?}"
    );
}
