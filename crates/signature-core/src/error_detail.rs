//! A message with the error it came from: how the adapters keep the source of a
//! configuration, TLS or key failure without naming another crate's type in their API.

use std::error::Error as StdError;
use std::fmt;

/// What went wrong, in words, and the error it came from, if there was one.
///
/// `Display` is the whole message, the source's text included, because callers (the
/// `signering` CLI, most log lines) print only the top-level message; [`source`] gives the
/// original error, typed, for code that wants to inspect or downcast it.
///
/// [`source`]: std::error::Error::source
///
/// ```
/// use std::error::Error as _;
/// use signature_core::ErrorDetail;
///
/// let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
/// let detail = ErrorDetail::with_source("trust roots PEM", io);
/// assert_eq!(detail.to_string(), "trust roots PEM: no such file");
/// assert!(detail.source().unwrap().downcast_ref::<std::io::Error>().is_some());
/// assert!(ErrorDetail::new("no trust anchors").source().is_none());
/// ```
#[derive(Debug)]
pub struct ErrorDetail {
    message: String,
    source: Option<Box<dyn StdError + Send + Sync + 'static>>,
}

impl ErrorDetail {
    /// A message without a source error.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            source: None,
        }
    }

    /// `context: <source's message>`, keeping `source`.
    pub fn with_source(
        context: impl fmt::Display,
        source: impl Into<Box<dyn StdError + Send + Sync + 'static>>,
    ) -> Self {
        let source = source.into();
        Self {
            message: format!("{context}: {source}"),
            source: Some(source),
        }
    }

    /// The source's own message, keeping `source`.
    pub fn from_source(source: impl Into<Box<dyn StdError + Send + Sync + 'static>>) -> Self {
        let source = source.into();
        Self {
            message: source.to_string(),
            source: Some(source),
        }
    }

    /// The message (what `Display` writes).
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ErrorDetail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl StdError for ErrorDetail {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|source| source as &(dyn StdError + 'static))
    }
}
