//! Why will a connection fail? Checks behind `signering doctor`, each answering one question
//! before a user opens a support case:
//!
//! - [`check_client_certificate`]: is the enterprise certificate usable, and for which
//!   environment? Organization number and SEID version, issuer and whether it is a test or a
//!   production CA (by chaining to the built-in [`TrustAnchors`], else by the issuer's name),
//!   validity and days left, the `digitalSignature` key usage, whether the key store holds the
//!   chain up to a root.
//! - [`check_server_chain`]: would the client accept this captured server chain? Offline,
//!   with exactly the verifier the client installs ([`ServerTrust::verify_chain`]).
//! - [`check_connection`]: the real thing, online: the TLS handshake, the server's
//!   organization, and the service's "who am I" ([`Client::root_resource`]).
//!
//! Each returns a report with [`Finding`]s; a [`Severity::Problem`] means the connection
//! cannot work until it is fixed.
//!
//! The certificate check takes DER certificates, not a key store, so any key source works:
//! PKCS#12, PEM, or (later) a PKCS#11 token, whose certificate is read the same way.
//!
//! [`ServerTrust::verify_chain`]: crate::ServerTrust::verify_chain
//! [`Client::root_resource`]: crate::Client::root_resource
//! [`TrustAnchors`]: crate::TrustAnchors

mod client_certificate;
mod connection;
mod server_chain;

use std::fmt;

pub use client_certificate::{
    ClientCertificateReport, IssuerEvidence, check_client_certificate, check_signing_key,
};
pub use connection::{ConnectionReport, check_connection};
pub use server_chain::{ServerChainReport, check_server_chain};

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Severity {
    /// Worth knowing; nothing to do.
    Note,
    /// Works now, but may fail (expiry soon, a chain the server may not complete).
    Warning,
    /// The connection cannot work until this is fixed.
    Problem,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Note => "note",
            Self::Warning => "warning",
            Self::Problem => "problem",
        })
    }
}

/// One thing a check found, in words meant for the person fixing it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Finding {
    /// How bad it is.
    pub severity: Severity,
    /// What was found and what to do.
    pub message: String,
}

impl Finding {
    pub(crate) fn new(severity: Severity, message: impl Into<String>) -> Self {
        Self {
            severity,
            message: message.into(),
        }
    }
}

/// Whether any finding is a [`Severity::Problem`].
pub(crate) fn has_problem(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Problem)
}
