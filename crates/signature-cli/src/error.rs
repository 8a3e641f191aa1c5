//! What can stop a command, and which exit code each failure maps to.

use std::path::Path;
use std::process::ExitCode;

/// The command's exit status. The numbers are stable and documented in `--help`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// 0: success; for `verify`, the bundle is valid.
    Success,
    /// 1: the bundle failed verification, or the input was read but is not acceptable.
    Rejected,
    /// 2: bad arguments, or a file that cannot be read or written, or no password source.
    UsageOrIo,
    /// 3: the service answered with an error (refused, not found, not authorized, 5xx).
    Service,
    /// 4: the service could not be reached: connection, timeout, or a TLS/certificate failure.
    Unreachable,
    /// 5: a batch finished, but some of its jobs failed (the summary lists them).
    Partial,
}

impl Status {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Self::Success => 0,
            Self::Rejected => 1,
            Self::UsageOrIo => 2,
            Self::Service => 3,
            Self::Unreachable => 4,
            Self::Partial => 5,
        }
    }
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> Self {
        ExitCode::from(status.code())
    }
}

/// A failure that ends a command. Messages never contain a password or key material; personal
/// identification numbers are masked when the message is printed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CliError {
    /// Arguments that do not fit together, or a password that cannot be obtained.
    #[error("{0}")]
    Usage(String),
    /// A file could not be read.
    #[error("cannot read {path}: {error}")]
    Read { path: String, error: std::io::Error },
    /// A file could not be written.
    #[error("cannot write {path}: {error}")]
    Write { path: String, error: std::io::Error },
    /// Reading the password from the terminal failed.
    #[error("cannot read the password from the terminal: {0}")]
    Prompt(std::io::Error),
    /// The job breaks a rule of the signing service (already described for the command line).
    #[error("invalid signing job: {0}")]
    Job(String),
    /// A document's file type is not one the service accepts.
    #[error(
        "document {path}: unsupported file type {found}; use .pdf (application/pdf) or .txt (text/plain)"
    )]
    DocumentType { path: String, found: String },
    /// The key store or key and certificate files were read but cannot be used.
    #[error("cannot use the signing key: {0}")]
    Key(asice::Error),
    /// Serializing or signing the job failed.
    #[error("cannot build the bundle: {0}")]
    Build(posten_adapter::Error),
    /// The file is not a bundle that can be read at all.
    #[error("{path} is not a readable document bundle: {error}")]
    Bundle { path: String, error: asice::Error },
    /// A `--trust` file holds no usable certificate.
    #[error("--trust {path}: {error}")]
    Trust { path: String, error: asice::Error },
    /// The async runtime for the network commands could not be started.
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
    /// The emulator could not be started (address in use, unreadable state).
    #[cfg(feature = "emulator")]
    #[error("cannot run the emulator: {0}")]
    Emulator(String),
    /// A step of the demo failed.
    #[cfg(feature = "emulator")]
    #[error("demo step \"{step}\" failed: {message}")]
    Demo { step: String, message: String },
    /// The configuration file, an environment variable or a flag holds a bad value.
    #[error("configuration: {0}")]
    Config(String),
    /// A Posten signering call failed.
    #[error("Posten signering: {0}")]
    Posten(#[from] posten_adapter::Error),
    /// An Altinn call failed.
    #[error("Altinn: {0}")]
    Altinn(#[from] altinn_adapter::Error),
    /// A call through the provider-neutral service failed; shown and classified as the
    /// adapter error it came from.
    #[error("{}", crate::service::message(.0))]
    Service(#[from] signature_core::Error),
}

impl CliError {
    /// Which exit status this failure ends with.
    pub(crate) fn status(&self) -> Status {
        match self {
            Self::Usage(_)
            | Self::Read { .. }
            | Self::Write { .. }
            | Self::Prompt(_)
            | Self::Trust { .. }
            | Self::Runtime(_) => Status::UsageOrIo,
            #[cfg(feature = "emulator")]
            Self::Emulator(_) => Status::UsageOrIo,
            #[cfg(feature = "emulator")]
            Self::Demo { .. } => Status::Rejected,
            Self::Job(_)
            | Self::DocumentType { .. }
            | Self::Key(_)
            | Self::Build(_)
            | Self::Bundle { .. } => Status::Rejected,
            Self::Config(_) => Status::UsageOrIo,
            Self::Posten(error) => posten_status(error),
            Self::Altinn(error) => altinn_status(error),
            Self::Service(error) => service_status(error),
        }
    }

    pub(crate) fn read(path: &Path, error: std::io::Error) -> Self {
        Self::Read {
            path: path.display().to_string(),
            error,
        }
    }

    pub(crate) fn write(path: &Path, error: std::io::Error) -> Self {
        Self::Write {
            path: path.display().to_string(),
            error,
        }
    }
}

/// Which exit status a Posten failure ends with.
pub(crate) fn posten_status(error: &posten_adapter::Error) -> Status {
    use posten_adapter::Error as E;
    match error {
        E::Timeout(_)
        | E::Connection(_)
        | E::ServerCertificateRejected { .. }
        | E::ServerCertificateWrongEnvironment { .. }
        | E::ServerCertificateUntrusted { .. }
        | E::ProxyRefused { .. }
        | E::ProxyUnreachable { .. } => Status::Unreachable,
        E::Configuration(_) | E::Key(_) | E::SenderNotSpecified | E::Io(_) => Status::UsageOrIo,
        E::Unsupported(_) | E::Bundle(_) | E::Xml(_) => Status::Rejected,
        // Every answer of the service, and whatever a newer adapter adds.
        _ => Status::Service,
    }
}

/// Which exit status an Altinn failure ends with.
fn altinn_status(error: &altinn_adapter::Error) -> Status {
    use altinn_adapter::Error as E;
    match error {
        E::LockedItemOmitted(_) | E::LockedItemIncluded(_) | E::UnknownItem(_) => Status::Rejected,
        E::Configuration(_) | E::Key(_) | E::Io(_) => Status::UsageOrIo,
        E::Transport(_) | E::ProxyRefused { .. } | E::ProxyUnreachable { .. } => {
            Status::Unreachable
        }
        _ => Status::Service,
    }
}

/// Which exit status a failure of the provider-neutral service ends with: that of the
/// adapter error it came from, else by its kind.
fn service_status(error: &signature_core::Error) -> Status {
    use crate::service::adapter_error;
    use signature_core::Error as E;
    if let Some(error) = adapter_error::<posten_adapter::Error>(error) {
        return posten_status(error);
    }
    if let Some(error) = adapter_error::<altinn_adapter::Error>(error) {
        return altinn_status(error);
    }
    match error {
        E::Unsupported(_) | E::Invalid(_) => Status::Rejected,
        E::Io(_) => Status::UsageOrIo,
        E::Transport { .. } => Status::Unreachable,
        _ => Status::Service,
    }
}

/// Reads a whole file, mapping failure to an I/O error naming the file.
pub(crate) fn read_file(path: &Path) -> Result<Vec<u8>, CliError> {
    std::fs::read(path).map_err(|error| CliError::read(path, error))
}
