//! Listing a bundle's contents without verifying anything.

use std::io::{Cursor, Read, Seek};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use time::OffsetDateTime;

use crate::bundle::SIGNATURES_PATH;
use crate::cert::ParsedCert;
use crate::error::Result;
use crate::verify::parse_time;
use crate::xades::{NS_DS, NS_XADES};
use crate::xmltree::{Element, locate, parse};
use crate::ziparchive::{Limits, read_entries_from};

/// One zip entry.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct EntrySummary {
    /// Name inside the zip.
    pub name: String,
    /// Uncompressed size (as the zip declares it, except for `manifest.xml` and
    /// `META-INF/signatures.xml`, which are read).
    pub size: u64,
    /// Compressed size.
    pub compressed_size: u64,
    /// Stored rather than deflated.
    pub stored: bool,
}

/// One certificate from the signature's KeyInfo.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CertificateSummary {
    /// RFC 2253 subject.
    pub subject: String,
    /// RFC 2253 issuer.
    pub issuer: String,
    /// Serial number in decimal.
    pub serial: String,
    /// Start of validity.
    pub not_before: OffsetDateTime,
    /// End of validity.
    pub not_after: OffsetDateTime,
}

/// What [`inspect`] found. Nothing in it has been verified.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Inspection {
    /// File entries in zip order.
    pub entries: Vec<EntrySummary>,
    /// Content of the top-level `manifest.xml`, if any.
    pub manifest: Option<Vec<u8>>,
    /// The claimed SigningTime, if a signature with one is present.
    pub signing_time: Option<OffsetDateTime>,
    /// KeyInfo certificates, signing certificate first.
    pub certificates: Vec<CertificateSummary>,
}

/// Lists a bundle's entries, its manifest, the claimed signing time and the certificates,
/// without checking any digest or signature (use [`crate::verify`] for that).
///
/// ```no_run
/// let zip = std::fs::read("bundle.asice").expect("bundle");
/// let info = asice::inspect(&zip, &asice::Limits::default())?;
/// for e in &info.entries {
///     println!("{} {} bytes", e.name, e.size);
/// }
/// # Ok::<(), asice::Error>(())
/// ```
pub fn inspect(zip: &[u8], limits: &Limits) -> Result<Inspection> {
    inspect_reader(Cursor::new(zip), limits)
}

/// [`inspect`] on a seekable reader, e.g. a bundle file: only the zip directory, the manifest
/// and the signature are read, so the documents are neither read nor held in memory.
///
/// ```no_run
/// let file = std::fs::File::open("bundle.asice").expect("bundle");
/// let info = asice::inspect_reader(std::io::BufReader::new(file), &asice::Limits::default())?;
/// println!("{} entries", info.entries.len());
/// # Ok::<(), asice::Error>(())
/// ```
pub fn inspect_reader<R: Read + Seek>(reader: R, limits: &Limits) -> Result<Inspection> {
    let entries = read_entries_from(reader, limits, &|name| {
        name == "manifest.xml" || name == SIGNATURES_PATH
    })?;
    let mut out = Inspection {
        entries: entries
            .iter()
            .map(|e| EntrySummary {
                name: e.name.clone(),
                size: e.size,
                compressed_size: e.compressed_size,
                stored: e.stored,
            })
            .collect(),
        manifest: entries
            .iter()
            .find(|e| e.name == "manifest.xml")
            .map(|e| e.bytes.clone()),
        signing_time: None,
        certificates: Vec::new(),
    };
    if let Some(sig) = entries.iter().find(|e| e.name == SIGNATURES_PATH) {
        let root = parse(&sig.bytes)?;
        if let Some(t) = locate(&root, &|e: &Element| e.is(NS_XADES, "SigningTime")) {
            out.signing_time = Some(parse_time(&t.element.text())?);
        }
        if let Some(data) = locate(&root, &|e: &Element| e.is(NS_DS, "X509Data")) {
            for c in data
                .element
                .elements()
                .filter(|e| e.is(NS_DS, "X509Certificate"))
            {
                let text: String = c.text().chars().filter(|c| !c.is_whitespace()).collect();
                let der = B64
                    .decode(text)
                    .map_err(|e| crate::Error::Certificate(e.to_string()))?;
                let cert = ParsedCert::from_der(&der)?;
                out.certificates.push(CertificateSummary {
                    subject: cert.subject(),
                    issuer: cert.issuer(),
                    serial: cert.serial_decimal(),
                    not_before: cert.not_before(),
                    not_after: cert.not_after(),
                });
            }
        }
    }
    Ok(out)
}
