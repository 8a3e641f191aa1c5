//! The crate's error type.

use std::fmt;
use std::time::Duration;

use signature_core::http_runtime::proxy::{self, ProxyFailure};
use signature_core::{ErrorDetail, ProxySetting, TransportError};

pub use crate::error_code::ErrorCode;

#[cfg(feature = "altinn2")]
use crate::v2::SignatureItem;

/// What the Altinn API said when it refused a request: the HTTP status, the code if the
/// answer had one, and the service's message (Altinn 3: the ProblemDetails `detail`, else its
/// `title`; Altinn 2: the `ErrorMessage` of newer endpoints, else the reason phrase, where
/// Altinn 2 usually puts it). Identity numbers in server texts are masked.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiProblem {
    /// The HTTP status code.
    pub status: u16,
    /// The server's own reason phrase, when it differs from the standard one for the status.
    pub reason: Option<String>,
    /// The answer's code, if it had one: an app's `UserActionResponse` `error.code`
    /// (Altinn 3), or the body's numeric `ErrorCode` as text (Altinn 2).
    pub code: Option<ErrorCode>,
    /// `ErrorMessage` from the body, if any (for Altinn 3: the ProblemDetails `detail`, else
    /// its `title`, else a plain-text body).
    pub error_message: Option<String>,
    /// The RFC 7807 ProblemDetails body Altinn 3's APIs answer with, when there was one.
    pub details: Option<Box<ProblemDetails>>,
    /// How long the service asked the client to wait (`Retry-After` on a 429 or 503).
    pub retry_after: Option<Duration>,
}

/// An RFC 7807 ProblemDetails body (`application/problem+json`), as Altinn 3's apps and
/// Dialogporten answer errors with; also filled from an app's `UserActionResponse.error`
/// (`{code, message}`). Identity numbers in its texts are masked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProblemDetails {
    /// `type`: a URI naming the kind of problem.
    pub problem_type: Option<String>,
    /// `title`: a short summary (`"Process is ended."`, `"Not a signing task"`).
    pub title: Option<String>,
    /// `status`, as the body gives it.
    pub status: Option<u16>,
    /// `detail`: this occurrence's explanation.
    pub detail: Option<String>,
    /// `instance`.
    pub instance: Option<String>,
    /// Every other member (for example `validationIssues`, `errors`).
    pub extensions: serde_json::Map<String, serde_json::Value>,
}

impl ApiProblem {
    /// A problem with only the status set.
    pub(crate) fn status(status: u16) -> Self {
        Self {
            status,
            reason: None,
            code: None,
            error_message: None,
            details: None,
            retry_after: None,
        }
    }

    /// The error for a refused request: [`Error::NotAuthenticated`] on 401 (`credential`
    /// names what Altinn refused), else [`Error::Service`].
    pub(crate) fn into_error(self, credential: &str) -> Error {
        if self.status != 401 {
            return Error::Service(self);
        }
        Error::NotAuthenticated {
            detail: format!("Altinn refused the {credential} ({self})"),
            problem: Some(Box::new(self)),
        }
    }

    /// The most specific text the server gave: the body's message, else the reason phrase.
    pub fn message(&self) -> Option<&str> {
        self.error_message.as_deref().or(self.reason.as_deref())
    }
}

impl fmt::Display for ApiProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}", self.status)?;
        if let Some(code) = &self.code {
            write!(f, " (error code {code})")?;
        }
        match (&self.reason, &self.error_message) {
            (Some(reason), Some(message)) if reason != message => {
                write!(f, ": {message} ({reason})")
            }
            (_, Some(message)) => write!(f, ": {message}"),
            (Some(reason), None) => write!(f, ": {reason}"),
            (None, None) => Ok(()),
        }
    }
}

/// A failure talking to Altinn, or a request refused before it was sent.
///
/// No message contains a password, token, API key, cookie or identity number.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request carried no valid token or cookie, or it has expired: Altinn answered
    /// 401, or redirected to (or answered with) a login page, as it does for requests it
    /// takes to come from a browser. Log in again or check the authentication provider.
    #[error("not authenticated at Altinn: {detail}")]
    NotAuthenticated {
        /// What showed it.
        detail: String,
        /// The refusal, when Altinn answered 401.
        problem: Option<Box<ApiProblem>>,
    },

    /// Altinn answered with an error status (other than 401, and 410 from the token
    /// exchange). The [`ApiProblem`]'s `status` says which: 400 for a malformed or invalid request
    /// (a missing API key, data that failed validation, "Not a signing task"), 403 when the
    /// caller's rights or authentication level do not allow it, 404 for an item that does not
    /// exist or is not at the step the operation needs, 409 when its state conflicts (already
    /// signed, "Process is ended."), 429 or 5xx when the service is busy or failing;
    /// its `code` and [`ApiProblem::message`] say what the service said.
    ///
    /// ```
    /// use altinn_adapter::{Error, ErrorCode};
    ///
    /// fn explain(error: &Error) -> &'static str {
    ///     match error {
    ///         Error::Service(problem) if problem.code == Some(ErrorCode::ActionNotFound) => {
    ///             "the app has no such action"
    ///         }
    ///         Error::Service(problem) if problem.status == 404 => "no such item",
    ///         error if error.is_transient() => "try again later",
    ///         _ => "see the message",
    ///     }
    /// }
    /// # let _ = explain;
    /// ```
    #[error("{}: {}", service_summary(.0.status), .0)]
    Service(ApiProblem),

    /// The token exchange refused an Altinn 2 enterprise user ("virksomhetsbruker") with
    /// 410 Gone: enterprise users ended with Altinn 2, which was switched off on 2026-06-19;
    /// the platform's exchange answers 410 to `X-Altinn-EnterpriseUser-Authentication` since
    /// 2026-06-26. Use a system user ([`Maskinporten`](crate::auth::Maskinporten) with
    /// `system_user`) or a person's ID-porten token with Altinn 3 instead.
    #[error(
        "Altinn retired enterprise users (virksomhetsbrukere) with Altinn 2 (switched off \
         2026-06-19); the token exchange answered 410 Gone. Use a system user or ID-porten \
         with Altinn 3 instead ({problem})"
    )]
    EnterpriseUserRetired {
        /// The exchange's answer.
        problem: ApiProblem,
    },

    #[cfg(feature = "altinn2")]
    /// A partial signature would leave out an item that the service requires to be signed,
    /// or include one the signer may not choose. Nothing was sent.
    #[error("the signature selection must include {0}, which the service locks as signed")]
    LockedItemOmitted(SignatureItem),

    #[cfg(feature = "altinn2")]
    /// A partial signature names an item the service locks as not signed. Nothing was sent.
    #[error("the signature selection may not include {0}, which the service locks as unsigned")]
    LockedItemIncluded(SignatureItem),

    #[cfg(feature = "altinn2")]
    /// A partial signature names an item the message does not have. Nothing was sent.
    #[error("the message has no {0}")]
    UnknownItem(SignatureItem),

    /// Altinn answered 2xx, but not in the shape this client expects.
    #[error("unexpected answer from Altinn: {0}")]
    UnexpectedResponse(String),

    /// An answer body was larger than the client reads (Altinn 2: `v2::MAX_ANSWER_BYTES`;
    /// Altinn 3: the download limit or 16 MiB of JSON); reading stopped at the limit.
    #[error("the answer from Altinn is larger than {limit} bytes")]
    ResponseTooLarge {
        /// The limit in bytes.
        limit: usize,
    },

    /// A link or `Location` from the server points outside the configured Altinn host, so
    /// it is not followed with the credentials.
    #[error("refusing to follow a link to another host than the configured Altinn environment")]
    ForeignLink,

    /// Maskinporten, the token exchange or a login refused to issue a token or cookie.
    #[error("getting a token from {service} failed: {detail}")]
    TokenRequest {
        /// Which service refused.
        service: &'static str,
        /// What it said (never the token or the credentials).
        detail: String,
    },

    /// The caller's token refresh callback failed.
    #[error("refreshing the bearer token failed")]
    Refresh(#[source] Box<dyn std::error::Error + Send + Sync + 'static>),

    /// The enterprise certificate's key, or a Maskinporten client key, could not be loaded or
    /// used: a wrong key-store password, a file without a private key, not an RSA key, a
    /// token that failed to sign. `source()` is the loader's or signer's error.
    #[error("enterprise key store or key: {0}")]
    Key(#[source] ErrorDetail),

    /// The client configuration is invalid (for example a malformed base URL, a TLS set-up
    /// the provider refuses). `source()` is the underlying error, where there is one.
    #[error("invalid configuration: {0}")]
    Configuration(#[source] ErrorDetail),

    /// Connecting, TLS, or reading the response failed. The source is the HTTP library's
    /// error, kept opaque.
    #[error("the request to Altinn failed")]
    Transport(#[source] TransportError),

    /// The proxy refused the `CONNECT` tunnel to Altinn (or to Maskinporten or the token
    /// exchange): its rules (for example the hosts or ports it allows) or a login it wants.
    /// Nothing reached the service.
    #[error(
        "the proxy {proxy} refused the tunnel to Altinn ({detail}); check its rules and credentials, or bypass it with NO_PROXY"
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

    /// Writing to the caller's sink or reading the caller's source failed.
    #[error("reading or writing the local stream failed")]
    Io(#[from] std::io::Error),
}

impl Error {
    /// What Altinn said, for errors that come from an error answer.
    pub fn problem(&self) -> Option<&ApiProblem> {
        match self {
            Self::Service(problem) => Some(problem),
            Self::NotAuthenticated { problem, .. } => problem.as_deref(),
            Self::EnterpriseUserRetired { problem } => Some(problem),
            _ => None,
        }
    }

    /// Whether repeating the same request later may succeed: the connection failed or timed
    /// out, or the service answered 429, 502, 503 or 504. The clients retry idempotent calls
    /// (GETs) on these by themselves; see [`RetryPolicy`](crate::RetryPolicy).
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Transport(error) | Self::ProxyUnreachable { source: error, .. } => {
                error.is_transient()
            }
            Self::Service(problem) => matches!(problem.status, 429 | 502 | 503 | 504),
            _ => false,
        }
    }

    /// How long the service asked to wait before trying again (`Retry-After`), if it did.
    pub fn retry_after(&self) -> Option<Duration> {
        self.problem().and_then(|p| p.retry_after)
    }
}

impl Error {
    /// A reqwest failure, opaque: transient when connecting or sending failed or timed out.
    /// Not a `From` impl, so that reqwest stays out of the public API.
    ///
    /// The request URL is dropped from the error: reqwest shows it in `Display` and `Debug`,
    /// and a URL can carry an identity number (a Dialogporten search by
    /// `urn:altinn:person:identifier-no:…`). The Posten adapter drops it for the same reason.
    pub(crate) fn transport(error: reqwest::Error) -> Self {
        let transient = error.is_connect() || error.is_timeout() || error.is_request();
        Self::Transport(TransportError::new(error.without_url(), transient))
    }

    /// A failed send through `setting`'s proxy: [`Error::ProxyRefused`] or [`Error::ProxyUnreachable`]
    /// when the proxy failed, else [`Error::transport`].
    pub(crate) fn sending(error: reqwest::Error, setting: &ProxySetting) -> Self {
        match proxy::classify(error, setting) {
            Ok(ProxyFailure::Unreachable { proxy, source }) => {
                Self::ProxyUnreachable { proxy, source }
            }
            Ok(ProxyFailure::Refused {
                proxy,
                detail,
                source,
            }) => Self::ProxyRefused {
                proxy,
                detail,
                source,
            },
            Err(error) => Self::transport(error),
        }
    }
}

/// What an error status means, before the service's own words.
fn service_summary(status: u16) -> &'static str {
    match status {
        400 => "Altinn rejected the request",
        403 => "Altinn refused access",
        404 => "not found at Altinn",
        409 => "conflict at Altinn",
        _ => "Altinn answered with an error",
    }
}

/// A key that `asice` could not load or use is a key error, whatever the step.
impl From<asice::Error> for Error {
    fn from(error: asice::Error) -> Self {
        Self::Key(ErrorDetail::from_source(error))
    }
}

impl Error {
    /// A configuration error without a source.
    pub(crate) fn config(message: impl Into<String>) -> Self {
        Self::Configuration(ErrorDetail::new(message))
    }

    /// A configuration error: `context` and the error that caused it.
    pub(crate) fn config_from(
        context: impl fmt::Display,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Self {
        Self::Configuration(ErrorDetail::with_source(context, source))
    }

    /// A key error without a source.
    pub(crate) fn key(message: impl Into<String>) -> Self {
        Self::Key(ErrorDetail::new(message))
    }

    /// The HTTP status of an error answer, if the error is one.
    pub fn http_status(&self) -> Option<u16> {
        self.problem().map(|problem| problem.status)
    }
}

/// An error answer becomes [`signature_core::Error::Service`], anything else
/// [`signature_core::Error::Transport`] (I/O stays I/O); the Altinn error is kept as the
/// `source`, with [`Error::is_transient`] and the `Retry-After` (as the time it ends, counted
/// from the conversion).
impl From<Error> for signature_core::Error {
    fn from(error: Error) -> Self {
        if let Error::Io(io) = error {
            return Self::Io(io);
        }
        let transient = error.is_transient();
        let Some(problem) = error.problem() else {
            return Self::transport_with(error, transient);
        };
        let http_status = problem.status;
        let code = problem.code.as_ref().map(|code| code.as_str().to_owned());
        let message = problem.message().map(str::to_owned);
        // A `Retry-After` too large for a date is no time at all rather than a panic.
        let retry_at = error
            .retry_after()
            .and_then(|wait| time::Duration::try_from(wait).ok())
            .and_then(|wait| time::OffsetDateTime::now_utc().checked_add(wait));
        Self::Service {
            http_status,
            code,
            message,
            transient,
            retry_at,
            source: Some(Box::new(error)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_transport_error_does_not_show_the_url_or_its_identity_number() {
        // Nothing listens on port 1: the connection is refused at once.
        let url = "http://127.0.0.1:1/dialogporten/api/v1/enduser/dialogs\
                   ?party=urn:altinn:person:identifier-no:24068110048";
        let client = reqwest::Client::builder().no_proxy().build().unwrap();
        let refused = client.get(url).send().await.unwrap_err();
        assert!(signature_core::shows_identity_number(&refused.to_string()));

        let error = Error::transport(refused);
        let shown: String =
            std::iter::successors(Some(&error as &dyn std::error::Error), |e| e.source())
                .map(|e| format!("{e} {e:?} "))
                .collect();
        assert!(!signature_core::shows_identity_number(&shown), "{shown}");
        assert!(!shown.contains("dialogporten"), "{shown}");
        assert!(error.is_transient());
    }

    fn service(status: u16) -> Error {
        Error::Service(ApiProblem::status(status))
    }

    #[test]
    fn transient_errors_are_the_ones_a_retry_can_fix() {
        for status in [429, 502, 503, 504] {
            assert!(service(status).is_transient(), "{status}");
        }
        for status in [400, 403, 404, 409, 500] {
            assert!(!service(status).is_transient(), "{status}");
        }
        assert!(!Error::config("bad URL").is_transient());
        assert!(!Error::from(asice::Error::WrongPassword("PKCS#12 file")).is_transient());
    }

    #[test]
    fn one_service_variant_says_the_status_in_words() {
        assert_eq!(service(404).http_status(), Some(404));
        assert!(
            service(404)
                .to_string()
                .starts_with("not found at Altinn: HTTP 404")
        );
        assert!(service(409).to_string().starts_with("conflict at Altinn"));
        let mut problem = ApiProblem::status(404);
        problem.code = Some(ErrorCode::ActionNotFound);
        assert_eq!(
            Error::Service(problem).to_string(),
            "not found at Altinn: HTTP 404 (error code ActionNotFound)"
        );
    }

    #[test]
    fn a_refused_request_is_not_authenticated_only_on_401() {
        let error = ApiProblem::status(401).into_error("token");
        assert_eq!(
            error.to_string(),
            "not authenticated at Altinn: Altinn refused the token (HTTP 401)"
        );
        assert_eq!(error.http_status(), Some(401));
        assert!(matches!(
            ApiProblem::status(403).into_error("credential"),
            Error::Service(problem) if problem.status == 403
        ));
    }

    #[test]
    fn key_problems_are_key_errors_with_their_source() {
        let error = Error::from(asice::Error::WrongPassword("PKCS#12 file"));
        assert!(matches!(error, Error::Key(_)), "{error:?}");
        assert!(error.to_string().contains("password"));
        let source = std::error::Error::source(&error)
            .and_then(|e| e.source())
            .and_then(|e| e.downcast_ref::<asice::Error>());
        assert!(matches!(source, Some(asice::Error::WrongPassword(_))));
    }
}
