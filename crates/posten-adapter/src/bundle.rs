//! The signed document bundle Posten signering receives: the job's documents and
//! `manifest.xml` in an ASiC-E container signed with the sender's enterprise certificate.

use std::io::{Cursor, Seek, Write};

use asice::{BuildOptions, Clock, Content, SigningKey, SourceFile};
use signature_core::{DocumentContent, OrganizationNumber, SigningJob};

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
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] for a job outside Posten's [`LIMITS`](crate::LIMITS),
    /// [`Error::SenderNotSpecified`], [`Error::Xml`], [`Error::Bundle`] when the bundle cannot be
    /// built, or [`Error::Key`] when the key cannot sign.
    pub fn new(
        job: &SigningJob,
        default_sender: Option<&OrganizationNumber>,
        key: &SigningKey,
        clock: &dyn Clock,
        options: &BuildOptions,
    ) -> Result<Self, Error> {
        let capacity = job.documents().iter().map(|d| d.size()).sum::<u64>() + 16 * 1024;
        let out = Cursor::new(Vec::with_capacity(usize::try_from(capacity).unwrap_or(0)));
        let (serialized, out) = Self::write_bundle(job, default_sender, key, clock, options, out)?;
        Ok(Self {
            request_xml: serialized.request_xml,
            manifest_xml: serialized.manifest_xml,
            bundle: out.into_inner(),
        })
    }

    /// Serializes `job` and writes its signed bundle into `out` (a file, for instance),
    /// streaming file-backed documents ([`signature_core::Document::from_file`]) through
    /// hashing into the zip: memory use does not grow with the documents. Returns the two XML
    /// documents and `out`. Same bundle bytes as [`PreparedJob::new`].
    ///
    /// ```no_run
    /// # fn job() -> signature_core::SigningJob { unimplemented!() }
    /// use std::io::BufWriter;
    /// use asice::{SigningKey, LoadOptions, SystemClock};
    /// use posten_adapter::PreparedJob;
    ///
    /// let key = SigningKey::from_pkcs12_file("enterprise.p12", "password", &LoadOptions::default())?;
    /// let out = BufWriter::new(std::fs::File::create("job.asice")?);
    /// let (xml, out) = PreparedJob::write_bundle(&job(), None, &key, &SystemClock, &Default::default(), out)?;
    /// out.into_inner()?.sync_all()?;
    /// std::fs::write("job-request.xml", &xml.request_xml)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`PreparedJob::new`]; also [`Error::Bundle`] with [`asice::Error::ReadContent`] when
    /// a document file cannot be read or has changed size since the job was made.
    pub fn write_bundle<W: Write + Seek>(
        job: &SigningJob,
        default_sender: Option<&OrganizationNumber>,
        key: &SigningKey,
        clock: &dyn Clock,
        options: &BuildOptions,
        out: W,
    ) -> Result<(SerializedJob, W), Error> {
        job.check_limits(&crate::LIMITS)?;
        let serialized = SerializedJob::new(job, default_sender)?;
        let names = bundle_file_names(job);
        let mut files = Vec::with_capacity(names.len() + 1);
        for (document, name) in job.documents().iter().zip(&names) {
            let content = match document.content() {
                DocumentContent::Bytes(bytes) => Content::Bytes(bytes),
                // Not `Content::Path`: the document's reader also checks that the file
                // still has the size the job was validated with.
                _ => Content::Reader(document.open().map_err(|source| {
                    asice::Error::ReadContent {
                        name: name.clone(),
                        source,
                    }
                })?),
            };
            files.push(SourceFile::new(
                name,
                content,
                document.media_type().as_str(),
            ));
        }
        files.push(SourceFile::bytes(
            "manifest.xml",
            &serialized.manifest_xml,
            "application/xml",
        ));
        let out = asice::build_to(files, key, clock, options, out)?;
        Ok((serialized, out))
    }
}
