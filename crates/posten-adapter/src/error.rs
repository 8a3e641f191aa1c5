//! The crate's one error type, and how error answers from the service become it.

use std::time::Duration;

use signature_core::{Capability, ErrorDetail, TransportError};
use time::OffsetDateTime;

use crate::error_code::{ErrorCode, ErrorType};

/// How long the service's rate limiter (Jetty's DoSFilter) blocks an organization that sent
/// too many requests, when the answer does not say.
pub const DOS_FILTER_BLOCKING_PERIOD: Duration = Duration::from_secs(30);

/// Longest excerpt of an unexpected (non-XML) error body kept in [`Error::UnexpectedResponse`].
pub const MAX_EXCERPT_CHARS: usize = 512;

/// What can go wrong in the Posten signering adapter.
///
/// Variants are named for what the caller can do about them. Messages never contain personal
/// identification numbers, status query tokens or key material: URLs are left out of
/// transport errors, and 11-digit numbers in the service's own messages are masked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The job names no sender and the client has no default sender.
    #[error("no sender: set one on the job (broker use) or a default sender on the client")]
    SenderNotSpecified,
    /// The job uses something Posten signering cannot express.
    #[error("Posten signering does not support {0:?}")]
    Unsupported(Capability),
    /// The job is outside Posten signering's limits ([`crate::LIMITS`]).
    #[error("the job does not fit Posten signering: {0}")]
    Invalid(#[from] signature_core::ValidationError),
    /// Reading or writing the service's XML failed.
    #[error(transparent)]
    Xml(#[from] signature_model::Error),
    /// Building the document bundle failed (a file name, a file's content, the zip). Key
    /// problems while signing it are [`Error::Key`].
    #[error("document bundle: {0}")]
    Bundle(asice::Error),
    /// The enterprise key store or key could not be loaded or used: a wrong password, a file
    /// that is not a key store, no private key, not an RSA key, an expired certificate, a
    /// token that failed. `source()` leads to the loader's [`AsiceError`](crate::AsiceError).
    #[error("enterprise key store: {0}")]
    Key(#[source] ErrorDetail),

    /// The client configuration cannot work (bad URL, no trust roots, unreadable PEM, a
    /// TLS set-up the provider refuses). `source()` is the underlying error, where there is one.
    #[error("invalid client configuration: {0}")]
    Configuration(#[source] ErrorDetail),
    /// The server's certificate is valid but does not belong to the expected organization
    /// (Posten: 984661185). The connection was closed before any request was sent.
    #[error("server certificate belongs to organization {}, expected {expected}",
        found_org.as_deref().unwrap_or("<none found in the subject>"))]
    ServerCertificateRejected {
        /// The organization number the client requires.
        expected: String,
        /// The organization number found in the certificate subject, if any.
        found_org: Option<String>,
    },
    /// The server's certificate chain leads to the built-in anchors of the other kind of
    /// environment: a test CA while the client is configured for production, or the
    /// reverse. The environment (or URL) and the certificate do not belong together.
    #[error(
        "server certificate not trusted: issued by a {issued_by} CA, but the client is configured for {configured_for}"
    )]
    ServerCertificateWrongEnvironment {
        /// Whose anchors the chain leads to.
        issued_by: crate::TrustAnchors,
        /// What the client is configured for (`Production`, `Test`, `QA`, `a custom URL`).
        configured_for: String,
    },
    /// The server's certificate chain did not validate against the configured trust roots
    /// (unknown issuer, expired, wrong usage…). Check the environment's CA bundle.
    #[error("server certificate not trusted: {reason}")]
    ServerCertificateUntrusted {
        /// What rustls reported.
        reason: String,
    },
    /// The call or download did not finish within its configured timeout.
    #[error("the request to Posten signering timed out")]
    Timeout(#[source] TransportError),
    /// Connecting or talking to the service failed (DNS, refused, reset, TLS handshake…).
    #[error("could not reach Posten signering")]
    Connection(#[source] TransportError),
    /// The proxy refused the `CONNECT` tunnel to the service: its rules (for example the
    /// ports it allows, or hosts it blocks) or a login it wants. Nothing reached the service.
    #[error(
        "the proxy {proxy} refused the tunnel to Posten signering ({detail}); check its rules and credentials, or bypass it with NO_PROXY"
    )]
    ProxyRefused {
        /// The proxy's address (without credentials) and where it was configured.
        proxy: String,
        /// What the proxy answered, as far as known.
        detail: String,
        /// The transport error.
        #[source]
        source: TransportError,
    },
    /// The proxy itself could not be reached (nothing listens there, DNS, a firewall).
    #[error("the proxy {proxy} could not be reached; check its address (HTTPS_PROXY, --proxy)")]
    ProxyUnreachable {
        /// The proxy's address (without credentials) and where it was configured.
        proxy: String,
        /// The transport error.
        #[source]
        source: TransportError,
    },

    /// Polled a queue before the time the service permitted; wait until `retry_at`.
    #[error("polled too eagerly{}", retry_at.map(|t| format!("; next poll permitted at {t}")).unwrap_or_default())]
    TooEagerPolling {
        /// When the service permits the next poll (`X-Next-permitted-poll-time`), if it said.
        retry_at: Option<OffsetDateTime>,
    },
    /// The service's rate limiter blocked this organization (about 10 calls per second are
    /// allowed; offenders are blocked for 30 seconds). Send nothing before `retry_at`.
    #[error("rate limit exceeded; the service blocks calls until {retry_at}")]
    RateLimitBlocked {
        /// When calls are accepted again.
        retry_at: OffsetDateTime,
    },
    /// HTTP 409 on cancel: the job has ended (or is ending) and cannot be cancelled.
    #[error("the job cannot be cancelled (HTTP {http_status}{}){}",
        code.as_ref().map(|c| format!(", {c}")).unwrap_or_default(),
        message.as_deref().map(|m| format!(": {m}")).unwrap_or_default())]
    JobCannotBeCancelled {
        /// The HTTP status (409).
        http_status: u16,
        /// The service's error code, if it sent one.
        code: Option<ErrorCode>,
        /// The service's message, if it sent one.
        message: Option<String>,
    },
    /// The service answered with its `error` document. `code` says what went wrong
    /// ([`ErrorCode::BrokerNotAuthorized`], [`ErrorCode::SchemaValidationError`], …, or
    /// [`ErrorCode::Unknown`] for a code this version does not know); `message` is the
    /// service's own text.
    ///
    /// ```
    /// use posten_adapter::{Error, ErrorCode};
    ///
    /// fn explain(error: &Error) -> &'static str {
    ///     match error {
    ///         Error::Service { code: ErrorCode::BrokerNotAuthorized, .. } => {
    ///             "use the sender's own certificate, or ask Posten for a broker agreement"
    ///         }
    ///         Error::Service { code: ErrorCode::NotAuthorized, .. } => "ask Posten for API access",
    ///         error if error.is_transient() => "try again later",
    ///         _ => "see the message",
    ///     }
    /// }
    /// # let _ = explain;
    /// ```
    #[error("{} (HTTP {http_status}{}): {message}",
        code.meaning(),
        if matches!(code, ErrorCode::Unknown(_)) { format!(", {code}") } else { String::new() })]
    Service {
        /// The HTTP status.
        http_status: u16,
        /// The service's `error-code`.
        code: ErrorCode,
        /// The service's `error-message` (identity numbers masked).
        message: String,
        /// The service's `error-type`.
        error_type: ErrorType,
    },
    /// An error answer whose body is not the service's XML error (a proxy page, an empty
    /// body…): its content type and the start of the body are kept.
    #[error("Posten signering answered HTTP {http_status} with {} {excerpt:?}",
        content_type.as_deref().unwrap_or("no content type"))]
    UnexpectedResponse {
        /// The HTTP status.
        http_status: u16,
        /// The `Content-Type` header, if any.
        content_type: Option<String>,
        /// The first [`MAX_EXCERPT_CHARS`] characters of the body (identity numbers masked).
        excerpt: String,
    },
    /// A successful answer lacked something the protocol requires.
    #[error("malformed answer from Posten signering: {0}")]
    MalformedResponse(String),
    /// An XML answer was larger than the client reads (1 MiB; the service's answers are a
    /// few KiB). Reading stopped at the limit, so the rest was never buffered.
    #[error("the answer from Posten signering is larger than {limit} bytes")]
    ResponseTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// Writing a download into the caller's sink failed.
    #[error("writing the download failed")]
    Io(#[from] std::io::Error),
}

impl Error {
    /// Whether trying the same call again later can succeed: a timeout, a failed connection,
    /// an unreachable proxy, the rate limits ([`Error::retry_at`] says when), or a server
    /// error (5xx, with the service's error document or without, such as a gateway's page).
    /// False for configuration, key, certificate and authorization problems and for the
    /// service's refusals (4xx), which need a person or a different request.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Timeout(_)
            | Self::Connection(_)
            | Self::ProxyUnreachable { .. }
            | Self::TooEagerPolling { .. }
            | Self::RateLimitBlocked { .. } => true,
            Self::Service { http_status, .. } | Self::UnexpectedResponse { http_status, .. } => {
                *http_status >= 500
            }
            _ => false,
        }
    }

    /// When the service allows the next call, for the rate-limit errors.
    pub fn retry_at(&self) -> Option<OffsetDateTime> {
        match self {
            Self::TooEagerPolling { retry_at } => *retry_at,
            Self::RateLimitBlocked { retry_at } => Some(*retry_at),
            _ => None,
        }
    }
}

/// Key problems become [`Error::Key`], everything else [`Error::Bundle`]: a wrong key-store
/// password must not read as a bundle problem.
impl From<asice::Error> for Error {
    fn from(error: asice::Error) -> Self {
        if error.is_key_error() {
            Self::Key(ErrorDetail::from_source(error))
        } else {
            Self::Bundle(error)
        }
    }
}

impl Error {
    /// A configuration error without a source.
    pub(crate) fn config(message: impl Into<String>) -> Self {
        Self::Configuration(ErrorDetail::new(message))
    }

    /// A configuration error: `context` and the error that caused it.
    pub(crate) fn config_from(
        context: impl std::fmt::Display,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Self {
        Self::Configuration(ErrorDetail::with_source(context, source))
    }
}

pub(crate) use signature_core::mask_identity_numbers;

#[cfg(test)]
mod tests {
    use super::*;

    fn service(http_status: u16) -> Error {
        Error::Service {
            http_status,
            code: ErrorCode::parse("SOMETHING"),
            message: "text".into(),
            error_type: ErrorType::Server,
        }
    }

    fn unexpected(http_status: u16) -> Error {
        Error::UnexpectedResponse {
            http_status,
            content_type: Some("text/html".into()),
            excerpt: "<html>".into(),
        }
    }

    #[test]
    fn transient_errors_are_the_ones_a_retry_can_fix() {
        assert!(service(500).is_transient());
        assert!(service(503).is_transient());
        assert!(unexpected(502).is_transient());
        assert!(Error::TooEagerPolling { retry_at: None }.is_transient());
        assert!(
            Error::RateLimitBlocked {
                retry_at: OffsetDateTime::UNIX_EPOCH
            }
            .is_transient()
        );
        assert!(!service(400).is_transient());
        assert!(!service(403).is_transient());
        assert!(!unexpected(404).is_transient());
        assert!(!Error::config("bad URL").is_transient());
        assert!(!Error::from(asice::Error::WrongPassword("PKCS#12 file")).is_transient());
        assert!(!Error::SenderNotSpecified.is_transient());
    }

    #[test]
    fn key_problems_are_key_errors_not_bundle_errors() {
        let wrong_password = Error::from(asice::Error::WrongPassword("PKCS#12 file"));
        assert!(
            matches!(wrong_password, Error::Key(_)),
            "{wrong_password:?}"
        );
        let text = wrong_password.to_string();
        assert!(
            text.contains("key store") && text.contains("password"),
            "{text}"
        );
        assert!(!text.contains("bundle"), "{text}");
        let source = std::error::Error::source(&wrong_password)
            .and_then(|e| e.source())
            .and_then(|e| e.downcast_ref::<asice::Error>());
        assert!(matches!(source, Some(asice::Error::WrongPassword(_))));
        assert!(matches!(
            Error::from(asice::Error::NoFiles),
            Error::Bundle(asice::Error::NoFiles)
        ));
    }

    #[test]
    fn configuration_errors_keep_their_source() {
        let io = std::io::Error::other("unreadable");
        let error = Error::config_from("trust roots PEM", io);
        assert_eq!(
            error.to_string(),
            "invalid client configuration: trust roots PEM: unreadable"
        );
        let source = std::error::Error::source(&error)
            .and_then(|e| e.source())
            .and_then(|e| e.downcast_ref::<std::io::Error>());
        assert!(source.is_some());
    }

    #[test]
    fn rejected_certificate_message_names_both_organizations() {
        let e = Error::ServerCertificateRejected {
            expected: "984661185".into(),
            found_org: Some("123456785".into()),
        };
        assert_eq!(
            e.to_string(),
            "server certificate belongs to organization 123456785, expected 984661185"
        );
    }
}
