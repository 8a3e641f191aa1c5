//! Every fixture document (the official clients' test answers and the real answers of the
//! test service, `fixtures/` in the reference material) maps onto the core types without
//! losing what it carries. The folder is walked, so a file added there is covered.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use signature_core::{JobRef, JobStatus, SignerStatus, StatusChange};
use signature_model::{Error as XmlError, from_xml, posten};

use super::*;

/// What a fixture became.
#[derive(Debug)]
enum Mapped {
    Job(JobRef),
    Signer(signature_core::CreatedSigner),
    Status(StatusChange),
    Request,
    ServiceError(posten::Error),
}

/// Reads `xml` as whichever answer its root names and maps it as the client does.
fn map(xml: &[u8]) -> Result<Mapped, XmlError> {
    fn attempt<T: signature_model::WireDocument>(xml: &[u8]) -> Option<Result<T, XmlError>> {
        match from_xml::<T>(xml) {
            Err(XmlError::UnexpectedRoot { .. }) => None,
            other => Some(other),
        }
    }
    if let Some(r) = attempt::<posten::DirectSignatureJobResponse>(xml) {
        return r.map(|r| Mapped::Job(direct_job_ref(r)));
    }
    if let Some(r) = attempt::<posten::PortalSignatureJobResponse>(xml) {
        return r.map(|r| Mapped::Job(portal_job_ref(r)));
    }
    if let Some(r) = attempt::<posten::DirectSignerResponse>(xml) {
        return r.map(|r| Mapped::Signer(created_signer(r)));
    }
    if let Some(r) = attempt::<posten::DirectSignatureJobStatusResponse>(xml) {
        return r.map(|r| Mapped::Status(direct_status(r, None)));
    }
    if let Some(r) = attempt::<posten::PortalSignatureJobStatusChangeResponse>(xml) {
        return r.map(|r| Mapped::Status(portal_status(r, None)));
    }
    if let Some(r) = attempt::<posten::Error>(xml) {
        return r.map(Mapped::ServiceError);
    }
    if let Some(r) = attempt::<posten::DirectSignatureJobRequest>(xml) {
        return r.map(|_| Mapped::Request);
    }
    panic!("a fixture of a kind this test does not map; add it here")
}

#[test]
fn every_fixture_document_maps_onto_the_core_types() {
    let test = "every_fixture_document_maps_onto_the_core_types";
    let Some(reference) = signering_testkit::reference_dir(test) else {
        return;
    };
    let mut mapped = 0;
    for file in signering_testkit::posten_fixture_documents(&reference) {
        let name = file.display().to_string();
        let xml = std::fs::read(&file).expect("read fixture");
        match map(&xml).unwrap_or_else(|e| panic!("{name}: {e}")) {
            Mapped::Job(job) => {
                assert!(job.id.to_string().parse::<i64>().is_ok(), "{name}");
                if job.cancellation.is_none() {
                    // A direct job: every signer has somewhere to go.
                    assert!(!job.signers.is_empty(), "{name}: no signers");
                    for signer in &job.signers {
                        assert!(signer.redirect_url.is_some(), "{name}: no redirect URL");
                    }
                }
            }
            Mapped::Signer(signer) => {
                assert!(
                    signer.redirect_url.is_some() && signer.signer_url.is_some(),
                    "{name}"
                )
            }
            Mapped::Status(change) => {
                assert!(!matches!(change.status, JobStatus::Unknown(_)), "{name}");
                assert!(!change.signers.is_empty(), "{name}: no signers");
                for signer in &change.signers {
                    assert!(!matches!(signer.status, SignerStatus::Unknown(_)), "{name}");
                    if signer.status == SignerStatus::Signed {
                        assert!(signer.xades.is_some(), "{name}: signed without XAdES");
                    }
                }
                assert!(change.pades().is_some(), "{name}: no PAdES");
                assert!(change.confirmation.is_some(), "{name}: no confirmation");
            }
            Mapped::ServiceError(error) => {
                // Every code the real answers and the official fixtures use is typed.
                let code = crate::ErrorCode::parse(&error.error_code);
                assert!(
                    !matches!(code, crate::ErrorCode::Unknown(_)),
                    "{name}: {code}"
                );
                assert_eq!(
                    crate::ErrorType::parse(&error.error_type),
                    crate::ErrorType::Client
                );
                assert!(!error.error_message.trim().is_empty(), "{name}");
            }
            Mapped::Request => {}
        }
        mapped += 1;
    }
    eprintln!("{mapped} fixture documents mapped onto the core types");
}

#[test]
fn the_create_answer_of_2018_keeps_its_redirect_url() {
    let xml = br#"<ns4:direct-signature-job-response xmlns="http://uri.etsi.org/01903/v1.3.2#" xmlns:ns4="http://signering.posten.no/schema/v1"><ns4:reference>job</ns4:reference><ns4:signature-job-id>12058</ns4:signature-job-id><ns4:redirect-url signer="01013300002">https://example.test/signere/#/-/abc</ns4:redirect-url><ns4:status-url>https://example.test/api/991825827/direct/signature-jobs/12058/status</ns4:status-url></ns4:direct-signature-job-response>"#;
    let Mapped::Job(job) = map(xml).unwrap() else {
        panic!("not a job")
    };
    assert_eq!(job.signers.len(), 1);
    assert_eq!(
        job.signers[0].redirect_url.as_ref().map(|u| u.as_str()),
        Some("https://example.test/signere/#/-/abc")
    );
    assert!(job.status_url.is_some());
}

#[test]
fn a_status_without_since_maps_to_none() {
    let xml =
        br#"<direct-signature-job-status-response xmlns="http://signering.posten.no/schema/v1">
  <signature-job-id>1</signature-job-id>
  <signature-job-status>COMPLETED_SUCCESSFULLY</signature-job-status>
  <status signer="12345678910">SIGNED</status>
  <xades-url signer="12345678910">https://example.test/xades/1</xades-url>
</direct-signature-job-status-response>"#;
    let Mapped::Status(change) = map(xml).unwrap() else {
        panic!("not a status")
    };
    assert_eq!(change.signers[0].since, None);
    assert!(change.signers[0].xades.is_some());
}
