//! Assembling the ASiC-E zip: files, optional `mimetype`, and the signature.

use std::collections::HashSet;
use std::io::{Cursor, Seek, Write};

use zip::CompressionMethod;
use zip::write::SimpleFileOptions;

use crate::clock::{Clock, format_signing_time};
use crate::copy::Copier;
use crate::error::{Error, Result};
use crate::filename::check_file_name;
use crate::keys::SigningKey;
use crate::source::{Content, SourceFile};
use crate::xades::{SignedFile, signatures_xml};

/// The ASiC-E media type, content of the `mimetype` entry.
pub const ASICE_MIME_TYPE: &str = "application/vnd.etsi.asic-e+zip";
/// Path of the signature inside the container.
pub const SIGNATURES_PATH: &str = "META-INF/signatures.xml";

/// One file to put in the bundle and sign. The bytes are borrowed, so building does not copy
/// the documents.
#[derive(Debug, Clone, Copy)]
pub struct BundleFile<'a> {
    /// Name inside the zip and reference URI; see [`crate::check_file_name`].
    pub name: &'a str,
    /// File content.
    pub bytes: &'a [u8],
    /// Media type written to the file's DataObjectFormat, e.g. `application/pdf`.
    pub mime_type: &'a str,
}

impl<'a> BundleFile<'a> {
    /// Shorthand constructor.
    pub fn new(name: &'a str, bytes: &'a [u8], mime_type: &'a str) -> Self {
        Self {
            name,
            bytes,
            mime_type,
        }
    }
}

/// How file entries are compressed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Compression {
    /// Store media types that are already compressed (PDF, images, zip formats), deflate the
    /// rest. See the crate documentation for the measurement behind it.
    #[default]
    Auto,
    /// Deflate every file.
    Deflate,
    /// Store every file.
    Store,
}

/// Options for [`build`].
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Write the stored `mimetype` entry first (default `true`).
    pub mimetype_entry: bool,
    /// File compression policy.
    pub compression: Compression,
}

impl Default for BuildOptions {
    fn default() -> Self {
        Self {
            mimetype_entry: true,
            compression: Compression::Auto,
        }
    }
}

/// Builds and signs an ASiC-E bundle and returns the zip bytes.
///
/// Files keep the given order; `META-INF/signatures.xml` comes last. The caller supplies the
/// job manifest (e.g. `manifest.xml`) as one of the files. Output depends only on the inputs
/// and `clock`: zip timestamps are the signing time. [`build_to`] does the same from files
/// on disk or readers into any seekable writer, without holding the documents in memory;
/// both write the same bytes.
///
/// ```no_run
/// use asice::{BuildOptions, BundleFile, LoadOptions, SigningKey, SystemClock};
/// let key = SigningKey::from_pkcs12_file("virksomhet.p12", "passord", &LoadOptions::default())?;
/// let pdf = std::fs::read("kontrakt.pdf").expect("document");
/// let manifest = b"<manifest/>";
/// let zip = asice::build(
///     &[
///         BundleFile::new("kontrakt.pdf", &pdf, "application/pdf"),
///         BundleFile::new("manifest.xml", manifest, "application/xml"),
///     ],
///     &key,
///     &SystemClock,
///     &BuildOptions::default(),
/// )?;
/// # Ok::<(), asice::Error>(())
/// ```
pub fn build(
    files: &[BundleFile<'_>],
    key: &SigningKey,
    clock: &dyn Clock,
    options: &BuildOptions,
) -> Result<Vec<u8>> {
    let input: usize = files.iter().map(|f| f.bytes.len()).sum();
    // Room for the zip headers and the signature (references, certificates in base64), so
    // that the buffer is allocated once.
    let chain: usize = key.chain().iter().map(|c| c.der.len()).sum();
    let capacity = input + files.len() * (2 * 100 + 600) + chain * 2 + 8192;
    let out = Cursor::new(Vec::with_capacity(capacity));
    let sources = files.iter().map(SourceFile::from).collect();
    Ok(build_to(sources, key, clock, options, out)?.into_inner())
}

/// Builds and signs an ASiC-E bundle into `out` (a file, a buffer), streaming each file's
/// content through SHA-256 into the zip: memory use does not depend on the documents' size.
/// Returns `out`, positioned at the end of the zip.
///
/// The signature covers the files' digests, and it is the last entry, so every source is read
/// exactly once. Wrap a [`std::fs::File`] in a [`std::io::BufWriter`]; on an error, what was
/// written so far is not a valid bundle (write to a temporary file and rename it).
///
/// ```no_run
/// use std::io::BufWriter;
/// use std::path::Path;
/// use asice::{BuildOptions, LoadOptions, SigningKey, SourceFile, SystemClock};
///
/// let key = SigningKey::from_pkcs12_file("virksomhet.p12", "passord", &LoadOptions::default())?;
/// let out = BufWriter::new(std::fs::File::create("bundle.asice").expect("output"));
/// asice::build_to(
///     vec![
///         SourceFile::path("kontrakt.pdf", Path::new("kontrakt.pdf"), "application/pdf"),
///         SourceFile::bytes("manifest.xml", b"<manifest/>", "application/xml"),
///     ],
///     &key,
///     &SystemClock,
///     &BuildOptions::default(),
///     out,
/// )?;
/// # Ok::<(), asice::Error>(())
/// ```
///
/// # Errors
///
/// Bad names or media types ([`Error::UnsafeFileName`], [`Error::InvalidMimeType`],
/// [`Error::DuplicateFileName`], [`Error::NoFiles`]) before anything is read or written;
/// [`Error::ReadFile`] / [`Error::ReadContent`] when a source fails; [`Error::ZipWrite`] when
/// `out` does; [`Error::Signing`].
pub fn build_to<W: Write + Seek>(
    files: Vec<SourceFile<'_>>,
    key: &SigningKey,
    clock: &dyn Clock,
    options: &BuildOptions,
    out: W,
) -> Result<W> {
    if files.is_empty() {
        return Err(Error::NoFiles);
    }
    let mut seen = HashSet::new();
    for f in &files {
        check_file_name(f.name)?;
        check_mime_type(f.mime_type)?;
        if !seen.insert(f.name.to_ascii_lowercase()) {
            return Err(Error::DuplicateFileName(f.name.to_owned()));
        }
    }
    // Millisecond precision: that is what SigningTime can show, and zip times are coarser.
    let now = clock.now();
    let now = now
        .replace_nanosecond(now.millisecond() as u32 * 1_000_000)
        .unwrap_or(now);

    let mut zip = zip::ZipWriter::new(out);
    let base = SimpleFileOptions::default()
        .last_modified_time(zip_time(now))
        .unix_permissions(0o644);
    if options.mimetype_entry {
        zip.start_file(
            "mimetype",
            base.compression_method(CompressionMethod::Stored),
        )
        .map_err(zip_error)?;
        zip.write_all(ASICE_MIME_TYPE.as_bytes())
            .map_err(zip_error)?;
    }
    let signed = std::thread::scope(|scope| {
        let mut copier = Copier::new(scope);
        let mut names = Vec::with_capacity(files.len());
        for f in files {
            let method = if store(options.compression, f.mime_type) {
                CompressionMethod::Stored
            } else {
                CompressionMethod::Deflated
            };
            zip.start_file(f.name, base.compression_method(method))
                .map_err(zip_error)?;
            match f.content {
                Content::Bytes(bytes) => copier.copy_bytes(bytes, &mut zip)?,
                Content::Path(path) => {
                    let read_error = |source| Error::ReadFile {
                        path: path.to_path_buf(),
                        source,
                    };
                    let file = std::fs::File::open(path).map_err(read_error)?;
                    copier.copy_reader(file, &mut zip, read_error)?;
                }
                Content::Reader(reader) => {
                    copier.copy_reader(reader, &mut zip, |source| Error::ReadContent {
                        name: f.name.to_owned(),
                        source,
                    })?;
                }
            }
            names.push((f.name, f.mime_type));
        }
        let digests = copier.digests()?;
        Ok::<_, Error>(
            names
                .into_iter()
                .zip(digests)
                .map(|((uri, mime), sha256)| SignedFile { uri, mime, sha256 })
                .collect::<Vec<_>>(),
        )
    })?;
    let signature = signatures_xml(&signed, &format_signing_time(now), key)?;
    zip.start_file(
        SIGNATURES_PATH,
        base.compression_method(CompressionMethod::Deflated),
    )
    .map_err(zip_error)?;
    zip.write_all(&signature).map_err(zip_error)?;
    zip.finish().map_err(zip_error)
}

pub(crate) fn zip_error(e: impl std::fmt::Display) -> Error {
    Error::ZipWrite(e.to_string())
}

fn store(policy: Compression, mime: &str) -> bool {
    match policy {
        Compression::Store => true,
        Compression::Deflate => false,
        Compression::Auto => {
            let mime = mime.to_ascii_lowercase();
            mime == "application/pdf"
                || mime.starts_with("image/")
                || mime.starts_with("video/")
                || mime.starts_with("audio/")
                || mime.ends_with("+zip")
                || matches!(
                    mime.as_str(),
                    "application/zip" | "application/gzip" | "application/x-7z-compressed"
                )
        }
    }
}

fn zip_time(t: time::OffsetDateTime) -> zip::DateTime {
    let fallback = zip::DateTime::default();
    let (Ok(year), month, day) = (u16::try_from(t.year()), u8::from(t.month()), t.day()) else {
        return fallback;
    };
    zip::DateTime::from_date_and_time(year, month, day, t.hour(), t.minute(), t.second() & !1)
        .unwrap_or(fallback)
}

/// `type/subtype` made of RFC 6838 restricted-name characters, no parameters.
fn check_mime_type(mime: &str) -> Result<()> {
    let token = |s: &str| {
        !s.is_empty()
            && s.len() <= 127
            && s.bytes().all(|b| {
                b.is_ascii_alphanumeric()
                    || matches!(
                        b,
                        b'!' | b'#' | b'$' | b'&' | b'-' | b'^' | b'_' | b'.' | b'+'
                    )
            })
    };
    match mime.split_once('/') {
        Some((t, s)) if token(t) && token(s) => Ok(()),
        _ => Err(Error::InvalidMimeType(mime.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mime_types() {
        check_mime_type("application/pdf").unwrap();
        check_mime_type("application/vnd.etsi.asic-e+zip").unwrap();
        for bad in [
            "pdf",
            "text/plain; charset=utf-8",
            "a/b/c",
            "/x",
            "text/<x>",
        ] {
            assert!(check_mime_type(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn compression_policy() {
        assert!(store(Compression::Auto, "application/pdf"));
        assert!(!store(Compression::Auto, "text/plain"));
        assert!(!store(Compression::Auto, "application/xml"));
        assert!(store(Compression::Store, "text/plain"));
        assert!(!store(Compression::Deflate, "application/pdf"));
    }
}
