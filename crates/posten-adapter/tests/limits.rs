//! Posten signering's limits on a job (documents, signers, total size), which live with this
//! adapter and are checked when a job is prepared for the service; moved here from
//! `signature-core`, whose jobs no longer carry any one service's limits.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use posten_adapter::{Error, LIMITS};
use signature_core::{
    Document, Signer, SignerBuilder, SigningJob, SigningJobBuilder, ValidationError,
};
use signering_testkit::pki::{LeafSpec, make_pki};
use support::{pem_key, prepare};

const PIN: &str = "24068110048";

fn pdf(name: &str) -> Document {
    Document::pdf("Contract", name, b"%PDF-1.7 test".to_vec())
}

fn notified(pin: &str) -> SignerBuilder {
    Signer::with_personal_identification_number(pin).notify_by_email("kari@example.com")
}

/// A job with `count` PDF documents (`doc0.pdf`, …) and one notified signer.
fn with_documents(count: usize) -> SigningJobBuilder {
    SigningJob::builder("Contract")
        .documents((0..count).map(|i| pdf(&format!("doc{i}.pdf"))))
        .signer(notified(PIN))
}

/// Builds the job and checks it against Posten's limits, as preparing it does.
trait BuildForPosten {
    fn build_for_posten(self) -> Result<SigningJob, ValidationError>;
}

impl BuildForPosten for SigningJobBuilder {
    fn build_for_posten(self) -> Result<SigningJob, ValidationError> {
        let job = self.build()?;
        job.check_limits(&LIMITS)?;
        Ok(job)
    }
}

/// A job with one document and `count` signers known by e-mail address.
fn with_signers(count: usize) -> SigningJobBuilder {
    (0..count).fold(
        SigningJob::builder("Contract").document(pdf("a.pdf")),
        |job, i| job.signer(Signer::with_email(&format!("signer{i}@example.com"))),
    )
}

/// `job(max)` passes Posten's limits; `job(0)` and `job(max + 1)` fail with `wrong(count)`.
fn assert_one_to(
    max: usize,
    job: impl Fn(usize) -> SigningJobBuilder,
    wrong: impl Fn(usize) -> ValidationError,
) {
    for (count, expected) in [
        (0, Err(wrong(0))),
        (max, Ok(())),
        (max + 1, Err(wrong(max + 1))),
    ] {
        assert_eq!(job(count).build_for_posten().map(drop), expected, "{count}");
    }
}

#[test]
fn document_count_is_one_to_twenty() {
    assert_one_to(20, with_documents, |count| ValidationError::DocumentCount {
        count,
        min: 1,
        max: 20,
    });
}

#[test]
fn signer_count_is_one_to_ten() {
    assert_one_to(10, with_signers, |count| ValidationError::SignerCount {
        count,
        min: 1,
        max: 10,
    });
}

#[test]
fn total_document_size_limit_defaults_to_ten_mebibytes_and_is_configurable() {
    let half = vec![0u8; 5 * 1024 * 1024];
    let exactly_limit = SigningJob::builder("Contract")
        .document(Document::pdf("A", "a.pdf", half.clone()))
        .document(Document::pdf("B", "b.pdf", half.clone()))
        .signer(notified(PIN));
    assert!(exactly_limit.clone().build_for_posten().is_ok());
    let over = exactly_limit
        .clone()
        .document(Document::plain_text("C", "c.txt", "x"));
    assert_eq!(
        over.build_for_posten(),
        Err(ValidationError::DocumentsTooLarge {
            total_bytes: 10_485_761,
            limit_bytes: 10_485_760
        })
    );
    assert_eq!(
        exactly_limit
            .build()
            .unwrap()
            .check_limits(&LIMITS.with_max_total_document_size(1_000)),
        Err(ValidationError::DocumentsTooLarge {
            total_bytes: 10_485_760,
            limit_bytes: 1_000
        })
    );
}

#[test]
fn preparing_a_job_checks_the_limits_before_signing() {
    let pki = make_pki(true, &LeafSpec::default());
    let key = pem_key(&pki);
    let job = with_documents(21).build().unwrap();
    let error = prepare(&job, &key).unwrap_err();
    assert!(
        matches!(
            error,
            Error::Invalid(ValidationError::DocumentCount {
                count: 21,
                min: 1,
                max: 20
            })
        ),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "the job does not fit Posten signering: a job needs 1–20 documents, but has 21"
    );
    assert!(matches!(
        signature_core::Error::from(error),
        signature_core::Error::Invalid(ValidationError::DocumentCount { count: 21, .. })
    ));
}
