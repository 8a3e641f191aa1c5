//! The limits a service puts on the size of a job.
//!
//! They differ between services, so they are not rules of [`SigningJob`] itself: each adapter
//! holds its service's limits and checks a job against them when it prepares the job for that
//! service (`posten_adapter::LIMITS`, for instance). A job built here can therefore be sent to
//! any service whose limits it fits.

use crate::error::ValidationError;
use crate::job::SigningJob;

/// How many documents and signers a service accepts in one job, and how large the documents
/// may be together.
///
/// ```
/// use signature_core::{Document, JobLimits, Signer, SigningJob, ValidationError};
///
/// let limits = JobLimits::new((1, 20), (1, 10), 10 * 1024 * 1024);
/// let job = SigningJob::builder("Lease")
///     .document(Document::pdf("Lease", "lease.pdf", b"%PDF".to_vec()))
///     .signer(Signer::with_email("tenant@example.com"))
///     .build()?;
/// assert_eq!(job.check_limits(&limits), Ok(()));
/// assert_eq!(
///     job.check_limits(&limits.with_max_total_document_size(2)),
///     Err(ValidationError::DocumentsTooLarge { total_bytes: 4, limit_bytes: 2 })
/// );
/// # Ok::<(), ValidationError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct JobLimits {
    /// Fewest and most documents.
    pub documents: (usize, usize),
    /// Fewest and most signers.
    pub signers: (usize, usize),
    /// Most bytes all documents may have together.
    pub max_total_document_size: u64,
}

impl JobLimits {
    /// Limits of `documents` and `signers` (fewest, most) and of the documents' total size.
    pub const fn new(
        documents: (usize, usize),
        signers: (usize, usize),
        max_total_document_size: u64,
    ) -> Self {
        Self {
            documents,
            signers,
            max_total_document_size,
        }
    }

    /// The same limits with another total document size, for agreements with a provider
    /// that differ from its documented default.
    #[must_use]
    pub const fn with_max_total_document_size(mut self, bytes: u64) -> Self {
        self.max_total_document_size = bytes;
        self
    }
}

impl SigningJob {
    /// Checks the job against a service's limits: the number of documents, the number of
    /// signers, then the documents' total size.
    ///
    /// # Errors
    ///
    /// [`ValidationError::DocumentCount`], [`ValidationError::SignerCount`] or
    /// [`ValidationError::DocumentsTooLarge`], for the first limit exceeded.
    pub fn check_limits(&self, limits: &JobLimits) -> Result<(), ValidationError> {
        let (min, max) = limits.documents;
        let count = self.documents().len();
        if !(min..=max).contains(&count) {
            return Err(ValidationError::DocumentCount { count, min, max });
        }
        let (min, max) = limits.signers;
        let count = self.signers().len();
        if !(min..=max).contains(&count) {
            return Err(ValidationError::SignerCount { count, min, max });
        }
        let total_bytes = self.total_document_size();
        if total_bytes > limits.max_total_document_size {
            return Err(ValidationError::DocumentsTooLarge {
                total_bytes,
                limit_bytes: limits.max_total_document_size,
            });
        }
        Ok(())
    }
}
