//! The signed document bundle Posten signering receives: the job's documents and
//! `manifest.xml` in an ASiC-E container signed with the sender's enterprise certificate.

use asice::{BuildOptions, BundleFile, Clock, SigningKey};
use signature_core::{OrganizationNumber, SigningJob};

use crate::Error;
use crate::wire::{SerializedJob, bundle_file_names};

/// What a create call sends: the job request XML and the signed bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedJob {
    /// The job request, sent as the `application/xml` part.
    pub request_xml: Vec<u8>,
    /// The `manifest.xml` inside the bundle (kept for logging and inspection).
    pub manifest_xml: Vec<u8>,
    /// The ASiC-E zip, sent as the `application/octet-stream` part.
    pub bundle: Vec<u8>,
}

impl PreparedJob {
    /// Serializes `job` and signs its bundle with `key` at the clock's time.
    ///
    /// ```no_run
    /// # fn job() -> signature_core::SigningJob { unimplemented!() }
    /// use asice::{SigningKey, LoadOptions, SystemClock};
    /// use posten_adapter::PreparedJob;
    /// use signature_core::OrganizationNumber;
    ///
    /// let key = SigningKey::from_pkcs12_file(std::path::Path::new("enterprise.p12"), "password", &LoadOptions::default())?;
    /// let sender = OrganizationNumber::parse("984661185")?;
    /// let prepared = PreparedJob::new(&job(), Some(&sender), &key, &SystemClock, &Default::default())?;
    /// std::fs::write("job.asice", &prepared.bundle)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(
        job: &SigningJob,
        default_sender: Option<&OrganizationNumber>,
        key: &SigningKey,
        clock: &dyn Clock,
        options: &BuildOptions,
    ) -> Result<Self, Error> {
        let SerializedJob {
            request_xml,
            manifest_xml,
        } = SerializedJob::new(job, default_sender)?;
        let names = bundle_file_names(job);
        let mut files: Vec<BundleFile<'_>> = job
            .documents()
            .iter()
            .zip(&names)
            .map(|(document, name)| {
                BundleFile::new(name, document.content(), document.media_type().as_str())
            })
            .collect();
        files.push(BundleFile::new(
            "manifest.xml",
            &manifest_xml,
            "application/xml",
        ));
        let bundle = asice::build(&files, key, clock, options)?;
        Ok(Self {
            request_xml,
            manifest_xml,
            bundle,
        })
    }
}
