//! Every document of the official clients' test suites and every real answer of the test
//! service in `fixtures/` (see its SOURCES.txt) reads, including answers without a signer
//! status's `since` (from before 2017) and the namespace-prefixed answers of 2018. The folder
//! is walked: a file added there later is covered without code, and fails here if it does not
//! read. The exclusions are listed, with reasons, in `signering_testkit::FIXTURE_EXCLUSIONS`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use signature_model::{Error, from_xml, posten};
use support::Rewritten;

#[test]
fn every_fixture_document_reads() {
    let test = "every_fixture_document_reads";
    let Some(reference) = support::reference_dir(test) else {
        return;
    };
    let files = support::posten_fixture_documents(&reference);
    let mut failures = Vec::new();
    let (mut same, mut refused) = (0, 0);
    for file in &files {
        let xml = std::fs::read(file).expect("read fixture");
        match support::read_and_rewrite(&xml) {
            Ok(Rewritten::Same(_)) => same += 1,
            Ok(Rewritten::Refused(error)) => {
                // Only what reading tolerates may be refused on writing.
                assert!(
                    matches!(
                        error,
                        Error::MissingRequired {
                            attribute: "since",
                            ..
                        }
                    ),
                    "{}: {error}",
                    file.display()
                );
                refused += 1;
            }
            Err(error) => failures.push(format!("{}: {error}", file.display())),
        }
    }
    assert!(
        failures.is_empty(),
        "{} fixture documents do not read:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // Three answers from before 2017 have no `since` (SOURCES.txt).
    assert!(
        refused >= 3,
        "expected the three answers without since, saw {refused}"
    );
    eprintln!(
        "{} fixture documents read ({same} written back, {refused} lack since)",
        files.len()
    );
}

#[test]
fn a_status_without_since_reads_with_none_and_is_not_written() {
    let xml =
        br#"<direct-signature-job-status-response xmlns="http://signering.posten.no/schema/v1">
    <signature-job-id>183</signature-job-id>
    <signature-job-status>COMPLETED_SUCCESSFULLY</signature-job-status>
    <status signer="12345678910">SIGNED</status>
</direct-signature-job-status-response>"#;
    let mut status: posten::DirectSignatureJobStatusResponse = from_xml(xml).unwrap();
    assert_eq!(status.status[0].since, None);

    let error = signature_model::to_xml(&status).unwrap_err();
    assert_eq!(
        error.to_string(),
        "could not write direct-signature-job-status-response: \
         direct-signature-job-status-response/status lacks the required attribute since"
    );

    status.status[0].since = Some("2017-01-23T12:51:43+01:00".parse().unwrap());
    let written = String::from_utf8(signature_model::to_xml(&status).unwrap()).unwrap();
    assert!(
        written.contains(r#"since="2017-01-23T12:51:43+01:00""#),
        "{written}"
    );
}

#[test]
fn a_portal_signature_without_since_reads_with_none_and_is_not_written() {
    let xml = br#"<portal-signature-job-status-change-response xmlns="http://signering.posten.no/schema/v1">
  <signature-job-id>155</signature-job-id>
  <status>COMPLETED_SUCCESSFULLY</status>
  <confirmation-url>https://example.test/155/complete</confirmation-url>
  <signatures>
    <signature><status>SIGNED</status><personal-identification-number>01013300001</personal-identification-number></signature>
  </signatures>
</portal-signature-job-status-change-response>"#;
    let status: posten::PortalSignatureJobStatusChangeResponse = from_xml(xml).unwrap();
    assert_eq!(status.signatures.signature[0].status.since, None);
    assert!(matches!(
        signature_model::to_xml(&status),
        Err(Error::MissingRequired {
            attribute: "since",
            ..
        })
    ));
}

#[test]
fn the_namespace_prefixed_answer_of_2018_reads() {
    let xml = br#"<ns4:direct-signature-job-status-response xmlns="http://uri.etsi.org/01903/v1.3.2#" xmlns:ns4="http://signering.posten.no/schema/v1"><ns4:signature-job-id>12087</ns4:signature-job-id><ns4:signature-job-status>COMPLETED_SUCCESSFULLY</ns4:signature-job-status><ns4:status signer="x" since="2018-08-06T06:40:50.713+02:00">SIGNED</ns4:status><ns4:pades-url>https://example.test/pades</ns4:pades-url></ns4:direct-signature-job-status-response>"#;
    let status: posten::DirectSignatureJobStatusResponse = from_xml(xml).unwrap();
    assert_eq!(status.signature_job_id, 12087);
    assert!(status.status[0].since.is_some());
    assert_eq!(
        status.pades_url.as_deref(),
        Some("https://example.test/pades")
    );
}
