//! Posten signering's limits on a job, checked when a job is prepared for the service.

use signature_core::JobLimits;

/// Posten signering's limits: 1–20 documents and 1–10 signers (`maxOccurs` of `document` and
/// `signer` in the service's `direct.xsd` and `portal.xsd`), and the documented 10 MiB for all
/// documents together. [`PreparedJob`](crate::PreparedJob) and
/// [`Client::create_job`](crate::Client::create_job) refuse a job outside them with
/// [`Error::Invalid`](crate::Error::Invalid) before anything is signed or sent.
///
/// ```
/// use signature_core::{Document, Signer, SigningJob, ValidationError};
///
/// let job = SigningJob::builder("Contract")
///     .documents((0..21).map(|i| Document::pdf("Part", format!("part{i}.pdf"), b"%PDF".to_vec())))
///     .signer(Signer::with_email("kari@example.com"))
///     .build()?;
/// assert_eq!(
///     job.check_limits(&posten_adapter::LIMITS),
///     Err(ValidationError::DocumentCount { count: 21, min: 1, max: 20 })
/// );
/// # Ok::<(), ValidationError>(())
/// ```
pub const LIMITS: JobLimits = JobLimits::new((1, 20), (1, 10), 10 * 1024 * 1024);
