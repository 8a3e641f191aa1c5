//! Documents to be signed.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use bytes::Bytes;

use crate::error::{FileNameProblem, TextField, ValidationError};

/// Shortest and longest document title, in characters (`title` in the service's manifest schema).
pub const DOCUMENT_TITLE_LENGTH: (usize, usize) = (1, 80);
/// Shortest and longest document file name, in characters (`href` in the manifest schema).
pub const FILE_NAME_LENGTH: (usize, usize) = (4, 100);

/// Names the document bundle uses for itself, so a document must not take them.
const RESERVED_FILE_NAMES: [&str; 2] = ["manifest.xml", "mimetype"];

/// The kinds of document the signing services accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MediaType {
    /// `application/pdf`. The service accepts PDF 1.1–1.7 and PDF/A without password protection.
    Pdf,
    /// `text/plain`.
    PlainText,
}

impl MediaType {
    /// The MIME type string.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::PlainText => "text/plain",
        }
    }

    /// Parses a MIME type, ignoring ASCII case and parameters such as `; charset=utf-8`.
    ///
    /// # Errors
    ///
    /// [`ValidationError::UnsupportedMediaType`] for anything but PDF and plain text.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let essence = input.split(';').next().unwrap_or_default().trim();
        if essence.eq_ignore_ascii_case(Self::Pdf.as_str()) {
            Ok(Self::Pdf)
        } else if essence.eq_ignore_ascii_case(Self::PlainText.as_str()) {
            Ok(Self::PlainText)
        } else {
            Err(ValidationError::UnsupportedMediaType {
                media_type: input.to_owned(),
            })
        }
    }
}

impl FromStr for MediaType {
    type Err = ValidationError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        Self::parse(input)
    }
}

impl fmt::Display for MediaType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A document to be signed: a title shown to the signer, a file name inside the bundle, a
/// media type and the content.
///
/// The content is either in memory, held as [`Bytes`] so cloning a document or a job does not
/// copy it, or a file on disk ([`Document::from_file`]) that is read only when the bundle is
/// built, so a job's memory does not grow with its documents. Validation happens when the job
/// is built.
///
/// ```
/// use signature_core::{Document, MediaType};
///
/// let document = Document::pdf("Employment contract", "contract.pdf", b"%PDF-1.7 ...".to_vec());
/// assert_eq!(document.media_type(), MediaType::Pdf);
/// assert_eq!(document.size(), 12);
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Document {
    title: String,
    file_name: String,
    media_type: MediaType,
    content: DocumentContent,
}

/// Where a [`Document`]'s bytes are.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DocumentContent {
    /// In memory (cheap to clone).
    Bytes(Bytes),
    /// A file, read when the document is sent or bundled.
    File {
        /// The file.
        path: PathBuf,
        /// Its size when the document was made; reading it later checks that it still is.
        size: u64,
    },
}

impl Document {
    /// A document of any supported media type.
    pub fn new(
        title: impl Into<String>,
        file_name: impl Into<String>,
        media_type: MediaType,
        content: impl Into<Bytes>,
    ) -> Self {
        Self {
            title: title.into(),
            file_name: file_name.into(),
            media_type,
            content: DocumentContent::Bytes(content.into()),
        }
    }

    /// A document whose content stays in the file at `path` until it is bundled or sent.
    /// Only the file's size is read now.
    ///
    /// ```no_run
    /// use signature_core::{Document, MediaType};
    ///
    /// let document = Document::from_file("Contract", "contract.pdf", MediaType::Pdf, "contract.pdf")?;
    /// println!("{} bytes", document.size());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The file's metadata cannot be read, or it is not a regular file.
    pub fn from_file(
        title: impl Into<String>,
        file_name: impl Into<String>,
        media_type: MediaType,
        path: impl Into<PathBuf>,
    ) -> io::Result<Self> {
        let path = path.into();
        let metadata = std::fs::metadata(&path)?;
        if !metadata.is_file() {
            return Err(io::Error::other("not a regular file"));
        }
        Ok(Self {
            title: title.into(),
            file_name: file_name.into(),
            media_type,
            content: DocumentContent::File {
                path,
                size: metadata.len(),
            },
        })
    }

    /// A PDF document.
    pub fn pdf(
        title: impl Into<String>,
        file_name: impl Into<String>,
        content: impl Into<Bytes>,
    ) -> Self {
        Self::new(title, file_name, MediaType::Pdf, content)
    }

    /// A plain-text document.
    pub fn plain_text(
        title: impl Into<String>,
        file_name: impl Into<String>,
        content: impl Into<Bytes>,
    ) -> Self {
        Self::new(title, file_name, MediaType::PlainText, content)
    }

    /// The title shown to the signer.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The file name inside the document bundle.
    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    /// The media type.
    pub fn media_type(&self) -> MediaType {
        self.media_type
    }

    /// Where the content is: in memory, or a file.
    pub fn content(&self) -> &DocumentContent {
        &self.content
    }

    /// The content in memory: shared for an in-memory document, read from disk for a
    /// file-backed one.
    ///
    /// # Errors
    ///
    /// The file cannot be read, or its size changed since the document was made.
    pub fn read(&self) -> io::Result<Bytes> {
        match &self.content {
            DocumentContent::Bytes(bytes) => Ok(bytes.clone()),
            DocumentContent::File { path, size } => {
                let bytes = std::fs::read(path)?;
                check_unchanged(path, *size, bytes.len() as u64)?;
                Ok(Bytes::from(bytes))
            }
        }
    }

    /// A reader over the content, for streaming it (into a bundle, a request body) without
    /// holding it in memory. For a file-backed document the reader fails with
    /// [`io::ErrorKind::InvalidData`] if the file turns out longer or shorter than when the
    /// document was made.
    ///
    /// # Errors
    ///
    /// The file cannot be opened.
    pub fn open(&self) -> io::Result<Box<dyn io::Read + Send + '_>> {
        match &self.content {
            DocumentContent::Bytes(bytes) => Ok(Box::new(&bytes[..])),
            DocumentContent::File { path, size } => Ok(Box::new(FileReader {
                file: std::fs::File::open(path)?,
                path,
                expected: *size,
                read: 0,
            })),
        }
    }

    /// The content's size in bytes.
    pub fn size(&self) -> u64 {
        match &self.content {
            // usize always fits in u64 on supported targets.
            DocumentContent::Bytes(bytes) => bytes.len() as u64,
            DocumentContent::File { size, .. } => *size,
        }
    }

    pub(crate) fn validate(&self) -> Result<(), ValidationError> {
        check_length(TextField::DocumentTitle, &self.title, DOCUMENT_TITLE_LENGTH)?;
        validate_file_name(&self.file_name)?;
        if self.size() == 0 {
            return Err(ValidationError::EmptyDocument);
        }
        Ok(())
    }
}

impl fmt::Debug for Document {
    // The content may be large and is often personal, so only its size is shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Document")
            .field("title", &self.title)
            .field("file_name", &self.file_name)
            .field("media_type", &self.media_type)
            .field("size", &self.size())
            .field(
                "in_file",
                &matches!(self.content, DocumentContent::File { .. }),
            )
            .finish()
    }
}

impl fmt::Debug for DocumentContent {
    // Neither the bytes nor the path (paths often carry names or identity numbers).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Bytes(bytes) => write!(f, "Bytes({} bytes)", bytes.len()),
            Self::File { size, .. } => write!(f, "File({size} bytes)"),
        }
    }
}

/// Reads a document file and checks at the end that it had the expected size.
struct FileReader<'a> {
    file: std::fs::File,
    path: &'a Path,
    expected: u64,
    read: u64,
}

impl io::Read for FileReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.file.read(buf)?;
        self.read += n as u64;
        if (n == 0 && !buf.is_empty()) || self.read > self.expected {
            check_unchanged(self.path, self.expected, self.read)?;
        }
        Ok(n)
    }
}

/// The error for a document file whose size is not what it was when the document was made:
/// the job was validated against the old size, so the new content is not sent.
fn check_unchanged(path: &Path, expected: u64, found: u64) -> io::Result<()> {
    if expected == found {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{} changed after the job was made: {expected} bytes then, {found} now",
                path.display()
            ),
        ))
    }
}

/// Checks that `file_name` is usable as a single entry in a zip archive on any platform.
fn validate_file_name(file_name: &str) -> Result<(), ValidationError> {
    check_length(TextField::DocumentFileName, file_name, FILE_NAME_LENGTH)?;
    let unsafe_name = |problem| ValidationError::UnsafeFileName { problem };
    if file_name.contains(['/', '\\']) {
        return Err(unsafe_name(FileNameProblem::PathSeparator));
    }
    if file_name.contains("..") {
        return Err(unsafe_name(FileNameProblem::ParentDirectory));
    }
    if file_name.chars().any(char::is_control) {
        return Err(unsafe_name(FileNameProblem::ControlCharacter));
    }
    if RESERVED_FILE_NAMES
        .iter()
        .any(|reserved| reserved.eq_ignore_ascii_case(file_name))
    {
        return Err(unsafe_name(FileNameProblem::Reserved));
    }
    Ok(())
}

/// Checks a text's length in characters (not bytes, so `æøå` count once each).
pub(crate) fn check_length(
    field: TextField,
    text: &str,
    (min, max): (usize, usize),
) -> Result<(), ValidationError> {
    let length = text.chars().count();
    if (min..=max).contains(&length) {
        Ok(())
    } else {
        Err(ValidationError::TextLength {
            field,
            length,
            min,
            max,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn file_name_result(name: &str) -> Result<(), ValidationError> {
        Document::pdf("Title", name, &b"%PDF"[..]).validate()
    }

    #[test]
    fn media_type_round_trips() {
        for media_type in [MediaType::Pdf, MediaType::PlainText] {
            assert_eq!(media_type.to_string().parse::<MediaType>(), Ok(media_type));
        }
        assert_eq!(MediaType::parse("Application/PDF"), Ok(MediaType::Pdf));
        assert_eq!(
            MediaType::parse("text/plain; charset=utf-8"),
            Ok(MediaType::PlainText)
        );
        for unsupported in ["application/msword", "text/html", "", "pdf"] {
            assert_eq!(
                MediaType::parse(unsupported),
                Err(ValidationError::UnsupportedMediaType {
                    media_type: unsupported.to_owned()
                })
            );
        }
    }

    #[test]
    fn file_name_rules() {
        use FileNameProblem::*;
        let accepted = [
            "a.pdf",
            "kontrakt æøå.pdf",
            "0000_contract.txt",
            "x.yz",
            &"n".repeat(100),
        ];
        for name in accepted {
            assert_eq!(file_name_result(name), Ok(()), "{name:?}");
        }
        let too_short = ValidationError::TextLength {
            field: TextField::DocumentFileName,
            length: 3,
            min: 4,
            max: 100,
        };
        assert_eq!(file_name_result("a.b"), Err(too_short));
        // 100 multi-byte characters are fine; 101 are not.
        assert_eq!(file_name_result(&"ø".repeat(100)), Ok(()));
        assert!(matches!(
            file_name_result(&"ø".repeat(101)),
            Err(ValidationError::TextLength { length: 101, .. })
        ));
        let rejected = [
            ("dir/a.pdf", PathSeparator),
            ("dir\\a.pdf", PathSeparator),
            ("/etc/passwd", PathSeparator),
            ("..a.pdf", ParentDirectory),
            ("a..pdf", ParentDirectory),
            ("a\u{0}b.pdf", ControlCharacter),
            ("a\nb.pdf", ControlCharacter),
            ("a\u{7f}b.pdf", ControlCharacter),
            ("manifest.xml", Reserved),
            ("MANIFEST.XML", Reserved),
            ("mimetype", Reserved),
        ];
        for (name, problem) in rejected {
            assert_eq!(
                file_name_result(name),
                Err(ValidationError::UnsafeFileName { problem }),
                "{name:?}"
            );
        }
    }

    #[test]
    fn title_and_content_rules() {
        let title_of = |title: &str| Document::pdf(title, "a.pdf", &b"x"[..]).validate();
        assert_eq!(title_of(&"å".repeat(80)), Ok(()));
        assert!(matches!(
            title_of(""),
            Err(ValidationError::TextLength {
                field: TextField::DocumentTitle,
                length: 0,
                min: 1,
                max: 80
            })
        ));
        assert!(matches!(
            title_of(&"å".repeat(81)),
            Err(ValidationError::TextLength {
                field: TextField::DocumentTitle,
                length: 81,
                ..
            })
        ));
        assert_eq!(
            Document::pdf("Title", "a.pdf", Bytes::new()).validate(),
            Err(ValidationError::EmptyDocument)
        );
    }

    #[test]
    fn debug_shows_size_not_content() {
        let document = Document::plain_text("Title", "a.txt", &b"secret content"[..]);
        let debug = format!("{document:?}");
        assert!(debug.contains("size: 14"));
        assert!(!debug.contains("secret"));
    }

    #[test]
    fn cloning_shares_the_content() {
        let document = Document::pdf("Title", "a.pdf", vec![1u8; 1024]);
        let copy = document.clone();
        let (DocumentContent::Bytes(a), DocumentContent::Bytes(b)) =
            (document.content(), copy.content())
        else {
            panic!("in-memory documents");
        };
        assert_eq!(a.as_ptr(), b.as_ptr());
    }

    #[test]
    fn file_backed_documents_read_their_file_and_notice_changes() {
        let dir = std::env::temp_dir().join(format!("signature-core-doc-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("a.pdf");
        std::fs::write(&path, b"%PDF-1.7 abc").unwrap();
        let document = Document::from_file("Title", "a.pdf", MediaType::Pdf, &path).unwrap();
        assert_eq!(document.size(), 12);
        assert_eq!(document.validate(), Ok(()));
        assert_eq!(&document.read().unwrap()[..], b"%PDF-1.7 abc");
        let mut streamed = Vec::new();
        io::Read::read_to_end(&mut document.open().unwrap(), &mut streamed).unwrap();
        assert_eq!(streamed, b"%PDF-1.7 abc");
        let debug = format!("{document:?}");
        assert!(debug.contains("in_file: true"), "{debug}");
        assert!(!debug.contains("signature-core-doc"), "no path in {debug}");
        std::fs::write(&path, b"%PDF-1.7 abcdef").unwrap();
        let error = document.read().unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
        assert!(
            error.to_string().contains("12 bytes then, 15 now"),
            "{error}"
        );
        let mut streamed = Vec::new();
        let error =
            io::Read::read_to_end(&mut document.open().unwrap(), &mut streamed).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
        std::fs::write(&path, b"%PDF").unwrap();
        let error =
            io::Read::read_to_end(&mut document.open().unwrap(), &mut Vec::new()).unwrap_err();
        assert!(
            error.to_string().contains("12 bytes then, 4 now"),
            "{error}"
        );
        std::fs::write(&path, b"").unwrap();
        let empty = Document::from_file("Title", "a.pdf", MediaType::Pdf, &path).unwrap();
        assert_eq!(empty.validate(), Err(ValidationError::EmptyDocument));
        assert!(Document::from_file("Title", "a.pdf", MediaType::Pdf, &dir).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
