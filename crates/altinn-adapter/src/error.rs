//! The crate's error type.

use std::fmt;
use std::time::Duration;

#[cfg(feature = "altinn2")]
use crate::v2::SignatureItem;

/// What the Altinn API said when it refused a request: the HTTP status, the reason phrase
/// (where Altinn usually puts the message) and the `{ErrorCode, ErrorMessage}` body of newer
/// endpoints. Identity numbers in server texts are masked.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiProblem {
    /// The HTTP status code.
    pub status: u16,
    /// The server's own reason phrase, when it differs from the standard one for the status.
    pub reason: Option<String>,
    /// `ErrorCode` from the body, if any.
    pub error_code: Option<i64>,
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
    /// An error code from a `UserActionResponse` (`"ActionNotFound"`, `"NoUserId"`), if any.
    pub code: Option<String>,
    /// Every other member (for example `validationIssues`, `errors`).
    pub extensions: serde_json::Map<String, serde_json::Value>,
}

impl ApiProblem {
    /// A problem with only the status set.
    pub(crate) fn status(status: u16) -> Self {
        Self {
            status,
            reason: None,
            error_code: None,
            error_message: None,
            details: None,
            retry_after: None,
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
        if let Some(code) = self.error_code {
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
        problem: Option<ApiProblem>,
    },

    /// Altinn refused the request as malformed (400), for example a missing API key, form
    /// data that failed validation, or a message in the wrong state.
    #[error("Altinn rejected the request: {0}")]
    BadRequest(ApiProblem),

    /// The API key, the user's rights or the authentication level do not allow this (403).
    #[error("Altinn refused access: {0}")]
    Forbidden(ApiProblem),

    /// The message, form, attachment or reportee does not exist, or is not at the step the
    /// operation needs (for the signing text: not at a signing step) (404).
    #[error("not found at Altinn: {0}")]
    NotFound(ApiProblem),

    /// The item's state conflicts with the request, for example it was already signed (409).
    #[error("conflict at Altinn: {0}")]
    Conflict(ApiProblem),

    /// Any other error status.
    #[error("Altinn answered with an error: {0}")]
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

    /// The enterprise certificate or its key could not be loaded or used.
    #[error("enterprise certificate: {0}")]
    Certificate(String),

    /// The client configuration is invalid (for example a malformed base URL).
    #[error("invalid configuration: {0}")]
    Configuration(String),

    /// Connecting, TLS, or reading the response failed.
    #[error("the request to Altinn failed")]
    Transport(#[from] reqwest::Error),

    /// Writing to the caller's sink or reading the caller's source failed.
    #[error("reading or writing the local stream failed")]
    Io(#[from] std::io::Error),
}

impl Error {
    /// What Altinn said, for errors that come from an error answer.
    pub fn problem(&self) -> Option<&ApiProblem> {
        match self {
            Self::BadRequest(problem)
            | Self::Forbidden(problem)
            | Self::NotFound(problem)
            | Self::Conflict(problem)
            | Self::Service(problem) => Some(problem),
            Self::NotAuthenticated { problem, .. } => problem.as_ref(),
            Self::EnterpriseUserRetired { problem } => Some(problem),
            _ => None,
        }
    }

    /// Whether repeating the same request later may succeed: the connection failed or timed
    /// out, or the service answered 429, 502, 503 or 504. The clients retry idempotent calls
    /// (GETs) on these by themselves; see [`RetryPolicy`](crate::RetryPolicy).
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Transport(error) => {
                error.is_connect() || error.is_timeout() || error.is_request()
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

impl From<Error> for signature_core::Error {
    fn from(error: Error) -> Self {
        match error {
            Error::Io(io) => Self::Io(io),
            other => match other.problem().cloned() {
                Some(problem) => Self::Service {
                    http_status: problem.status,
                    code: problem.error_code.map(|code| code.to_string()),
                    message: problem.message().map(str::to_owned),
                },
                None => Self::transport(other),
            },
        }
    }
}
