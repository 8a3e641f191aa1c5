//! Files given to [`crate::build_to`] by content source: bytes, a path, or a reader, so that
//! documents stream from disk through hashing into the zip without being held in memory.

use std::fmt;
use std::io::Read;
use std::path::Path;

use crate::bundle::BundleFile;

/// Where a file's content comes from. Each source is read once, front to back.
#[non_exhaustive]
pub enum Content<'a> {
    /// Bytes already in memory.
    Bytes(&'a [u8]),
    /// A file, opened and read while the bundle is written.
    Path(&'a Path),
    /// Any reader, read to its end while the bundle is written.
    Reader(Box<dyn Read + 'a>),
}

impl fmt::Debug for Content<'_> {
    // Neither the bytes nor the path: both can be personal.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Bytes(bytes) => write!(f, "Bytes({} bytes)", bytes.len()),
            Self::Path(_) => f.write_str("Path(..)"),
            Self::Reader(_) => f.write_str("Reader(..)"),
        }
    }
}

/// One file to put in the bundle and sign, for [`crate::build_to`].
#[derive(Debug)]
pub struct SourceFile<'a> {
    /// Name inside the zip and reference URI; see [`crate::check_file_name`].
    pub name: &'a str,
    /// Where the content comes from.
    pub content: Content<'a>,
    /// Media type written to the file's DataObjectFormat, e.g. `application/pdf`.
    pub mime_type: &'a str,
}

impl<'a> SourceFile<'a> {
    /// Shorthand constructor.
    pub fn new(name: &'a str, content: Content<'a>, mime_type: &'a str) -> Self {
        Self {
            name,
            content,
            mime_type,
        }
    }

    /// A file whose content is the file at `path`.
    pub fn path(name: &'a str, path: &'a Path, mime_type: &'a str) -> Self {
        Self::new(name, Content::Path(path), mime_type)
    }

    /// A file whose content is in memory.
    pub fn bytes(name: &'a str, bytes: &'a [u8], mime_type: &'a str) -> Self {
        Self::new(name, Content::Bytes(bytes), mime_type)
    }
}

impl<'a> From<&BundleFile<'a>> for SourceFile<'a> {
    fn from(file: &BundleFile<'a>) -> Self {
        Self::bytes(file.name, file.bytes, file.mime_type)
    }
}
