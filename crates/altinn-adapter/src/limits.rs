//! The limits this adapter puts on a form job, checked when a job is prepared for Altinn.

use signature_core::JobLimits;

/// Limits on a form job sent to Altinn 2 or Altinn 3: at most 20 documents (attachments to the
/// form) and 10 signers, none required because whoever holds the signing right may sign, and
/// 10 MiB of documents together. Altinn documents no job-wide figures (an app sets its own per
/// data type); these are the figures this project applied to every job before limits became
/// each service's, kept so that a form job is refused here, before anything is uploaded,
/// rather than half-way through the instance.
pub const FORM_JOB_LIMITS: JobLimits = JobLimits::new((0, 20), (0, 10), 10 * 1024 * 1024);
