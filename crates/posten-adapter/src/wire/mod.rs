//! Conversion between provider-neutral jobs and the Posten signering wire types.
//!
//! Outgoing: a [`SigningJob`] becomes the job request (first part
//! of the create call) and `manifest.xml` (inside the signed bundle), for the direct or the
//! portal flow as the job says. Unset options are left out, so the service applies its own
//! defaults.

mod file_names;
mod manifest;
mod request;

pub use file_names::bundle_file_names;
pub use manifest::{direct_manifest, portal_manifest};
pub use request::{direct_request, portal_request};

use signature_core::{Flow, OrganizationNumber, SigningJob};

use crate::Error;

/// The two XML documents a create call carries, serialized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SerializedJob {
    /// The `direct-`/`portal-signature-job-request`, sent as the `application/xml` part.
    pub request_xml: Vec<u8>,
    /// The `direct-`/`portal-signature-job-manifest`, packed as `manifest.xml` in the bundle.
    pub manifest_xml: Vec<u8>,
}

impl SerializedJob {
    /// Serializes `job`; the job's own sender wins over `default_sender`.
    pub fn new(
        job: &SigningJob,
        default_sender: Option<&OrganizationNumber>,
    ) -> Result<Self, Error> {
        let sender = resolve_sender(job, default_sender)?;
        Ok(match job.flow() {
            Flow::Direct(flow) => Self {
                request_xml: signature_model::to_xml(&direct_request(job, flow))?,
                manifest_xml: signature_model::to_xml(&direct_manifest(job, sender)?)?,
            },
            _ => Self {
                request_xml: signature_model::to_xml(&portal_request(job))?,
                manifest_xml: signature_model::to_xml(&portal_manifest(job, sender)?)?,
            },
        })
    }
}

/// The sender whose organization number goes into the URL and the manifest: the job's own
/// (a broker acting for it), else the client's default.
pub fn resolve_sender<'a>(
    job: &'a SigningJob,
    default_sender: Option<&'a OrganizationNumber>,
) -> Result<&'a OrganizationNumber, Error> {
    job.sender()
        .or(default_sender)
        .ok_or(Error::SenderNotSpecified)
}
