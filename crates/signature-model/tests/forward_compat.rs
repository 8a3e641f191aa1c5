//! The service may add elements, attributes and status values at any time: reading must ignore
//! what it does not know and keep unknown statuses, never fail because of them.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use signature_model::custom::{JobStatus, SignerStatus};
use signature_model::{from_xml, posten};

#[test]
fn direct_status_with_extra_elements_attributes_and_new_statuses() {
    let xml = br#"<?xml version="1.0" encoding="UTF-8"?>
<direct-signature-job-status-response xmlns="http://signering.posten.no/schema/v1"
        xmlns:x="urn:example:future" x:trace="abc" new-attribute="1">
    <signature-job-id>42</signature-job-id>
    <signature-job-status>PARTIALLY_COMPLETED</signature-job-status>
    <added-in-v2 level="2"><nested><signature-job-id>99</signature-job-id></nested></added-in-v2>
    <status signer="abc" since="2017-01-23T12:51:43+01:00" risk-score="0.1">SIGNED_WITH_PASSKEY</status>
    <status signer="def" since="2017-01-23T12:51:44+01:00">SIGNED</status>
    <x:foreign>ignored</x:foreign>
    <confirmation-url>https://example.test/complete</confirmation-url>
    <xades-url signer="abc">https://example.test/xades/1</xades-url>
    <pades-url>https://example.test/pades</pades-url>
    <trailing-new-element/>
</direct-signature-job-status-response>"#;

    let status: posten::DirectSignatureJobStatusResponse =
        from_xml(xml).expect("must read despite unknown content");
    assert_eq!(status.signature_job_id, 42);
    assert_eq!(
        status.signature_job_status,
        JobStatus::Unknown("PARTIALLY_COMPLETED".into())
    );
    assert_eq!(status.status.len(), 2);
    assert_eq!(
        status.status[0].content,
        SignerStatus::Unknown("SIGNED_WITH_PASSKEY".into())
    );
    assert_eq!(status.status[0].signer.as_deref(), Some("abc"));
    assert_eq!(status.status[1].content, SignerStatus::Signed);
    assert_eq!(
        status.confirmation_url.as_deref(),
        Some("https://example.test/complete")
    );
    assert_eq!(
        status.pades_url.as_deref(),
        Some("https://example.test/pades")
    );
}

#[test]
fn single_signer_status_without_signer_attribute() {
    let xml =
        br#"<direct-signature-job-status-response xmlns="http://signering.posten.no/schema/v1">
    <signature-job-id>1</signature-job-id>
    <signature-job-status>COMPLETED_SUCCESSFULLY</signature-job-status>
    <status since="2017-01-23T12:51:43+01:00">SIGNED</status>
    <xades-url>https://example.test/xades/1</xades-url>
</direct-signature-job-status-response>"#;
    let status: posten::DirectSignatureJobStatusResponse = from_xml(xml).unwrap();
    assert_eq!(status.status[0].signer, None);
    assert_eq!(status.xades_url[0].signer, None);
    assert_eq!(status.xades_url[0].content, "https://example.test/xades/1");
    assert_eq!(
        status.signature_job_status,
        JobStatus::CompletedSuccessfully
    );
}

#[test]
fn portal_status_change_with_unknown_nested_content() {
    let xml = br#"<portal-signature-job-status-change-response xmlns="http://signering.posten.no/schema/v1">
    <signature-job-id>7</signature-job-id>
    <status>ARCHIVED</status>
    <confirmation-url>https://example.test/7/complete</confirmation-url>
    <signatures>
        <signature kind="new">
            <status since="2024-05-01T10:00:00Z" reason="x">DELEGATED</status>
            <identifier>
                <email address="a@example.test" verified="true"/>
                <sms number="12345678"/>
            </identifier>
            <signed-at>2024-05-01T10:00:00Z</signed-at>
            <xades-url>https://example.test/7/xades/1</xades-url>
        </signature>
        <summary><count>1</count></summary>
        <pades-url>https://example.test/7/pades</pades-url>
    </signatures>
    <archive-url>https://example.test/7/archive</archive-url>
</portal-signature-job-status-change-response>"#;
    let change: posten::PortalSignatureJobStatusChangeResponse = from_xml(xml).unwrap();
    assert_eq!(change.status, JobStatus::Unknown("ARCHIVED".into()));
    let signature = &change.signatures.signature[0];
    assert_eq!(
        signature.status.content,
        SignerStatus::Unknown("DELEGATED".into())
    );
    assert_eq!(
        signature.xades_url.as_deref(),
        Some("https://example.test/7/xades/1")
    );
    assert_eq!(
        change.signatures.pades_url.as_deref(),
        Some("https://example.test/7/pades")
    );
}

#[test]
fn element_of_a_known_name_in_a_foreign_namespace_is_ignored() {
    let xml = br#"<portal-signature-job-response xmlns="http://signering.posten.no/schema/v1" xmlns:f="urn:example:future">
    <signature-job-id>3</signature-job-id>
    <f:signature-job-id>4</f:signature-job-id>
    <cancellation-url>https://example.test/3/cancel</cancellation-url>
</portal-signature-job-response>"#;
    let response: posten::PortalSignatureJobResponse = from_xml(xml).unwrap();
    assert_eq!(response.signature_job_id, 3);
}

#[test]
fn prefixed_posten_namespace_is_read_like_the_default_one() {
    let xml = br#"<p:portal-signature-job-response xmlns:p="http://signering.posten.no/schema/v1">
    <p:signature-job-id>5</p:signature-job-id>
    <p:cancellation-url>https://example.test/5/cancel</p:cancellation-url>
</p:portal-signature-job-response>"#;
    let response: posten::PortalSignatureJobResponse = from_xml(xml).unwrap();
    assert_eq!(response.signature_job_id, 5);
}

#[test]
fn url_texts_are_trimmed_around_whitespace_and_comments() {
    let xml = br#"<direct-signer-response xmlns="http://signering.posten.no/schema/v1"
        href="https://example.test/signers/1">
    <personal-identification-number>01017000056</personal-identification-number>
    <redirect-url>
        <!-- a comment the service leaves in -->
        https://example.test#/redirect/abc
    </redirect-url>
</direct-signer-response>"#;
    let signer: posten::DirectSignerResponse = from_xml(xml).unwrap();
    assert_eq!(signer.redirect_url, "https://example.test#/redirect/abc");
}

#[test]
fn error_body_with_extra_fields() {
    let xml = br#"<error xmlns="http://signering.posten.no/schema/v1">
    <error-code>BROKER_NOT_AUTHORIZED</error-code>
    <error-message>Broker 123456789 is not authorized</error-message>
    <error-type>CLIENT</error-type>
    <correlation-id>f00</correlation-id>
</error>"#;
    let error: posten::Error = from_xml(xml).unwrap();
    assert_eq!(error.error_code, "BROKER_NOT_AUTHORIZED");
    assert_eq!(error.error_type, "CLIENT");
}
