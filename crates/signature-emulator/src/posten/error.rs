//! Why starting or controlling the Posten emulator failed.

/// Errors of the Posten emulator's Rust API (request errors are HTTP responses, not this).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Making keys or certificates failed.
    #[error("emulator PKI: {0}")]
    Pki(String),
    /// The TLS configuration could not be built.
    #[error("emulator TLS: {0}")]
    Tls(String),
    /// The database failed.
    #[error("emulator database: {0}")]
    Store(String),
    /// Binding or serving failed, or a file could not be written.
    #[error("emulator I/O: {0}")]
    Io(String),
    /// A builder option is invalid.
    #[error("emulator configuration: {0}")]
    Config(String),
    /// No such job or signer.
    #[error("no such job or signer: {0}")]
    NotFound(String),
    /// The action does not exist for this flow or signer (e.g. `BLOCKED` for a signer
    /// identified by a personal identification number).
    #[error("not applicable: {0}")]
    NotApplicable(String),
    /// The operation does not fit the job's or signer's state (e.g. signing twice).
    #[error("not possible in the current state: {0}")]
    Conflict(String),
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Self::Store(e.to_string())
    }
}
