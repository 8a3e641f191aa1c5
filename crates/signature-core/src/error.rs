//! Errors: [`ValidationError`] from building jobs and parsing identifiers, [`Error`] from
//! talking to a signing service.
//!
//! No message contains a personal identification number, e-mail address, mobile number or
//! document contents: errors name the rule, the limit and the offending size or position.

use std::fmt;

use time::OffsetDateTime;

use crate::capability::Capability;
use crate::flow::FlowKind;

/// A job, signer, document or identifier broke one of the signing service's rules.
///
/// Returned by the `build()` methods and the identifier parsers before anything is sent,
/// so a rejected job never leaves the process.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValidationError {
    /// A personal identification number is malformed. The number itself is never included.
    #[error("invalid personal identification number: {problem}")]
    InvalidPersonalIdentificationNumber {
        /// What is wrong with it.
        problem: PinProblem,
    },

    /// An organization number is malformed.
    #[error("invalid organization number: {problem}")]
    InvalidOrganizationNumber {
        /// What is wrong with it.
        problem: OrganizationNumberProblem,
    },

    /// A text is shorter or longer than the service allows (counted in characters, not bytes).
    #[error("{field} must be {min}–{max} characters long, but is {length}")]
    TextLength {
        /// Which text.
        field: TextField,
        /// Its length in characters.
        length: usize,
        /// The fewest characters allowed.
        min: usize,
        /// The most characters allowed.
        max: usize,
    },

    /// A text that must not be empty is empty.
    #[error("{field} must not be empty")]
    EmptyText {
        /// Which text.
        field: TextField,
    },

    /// A text that the service shows in e-mails or SMS (reference, non-sensitive title)
    /// contains a valid personal identification number. The number is not included.
    #[error("{field} must not contain a personal identification number")]
    IdentityNumberInText {
        /// Which text.
        field: TextField,
    },

    /// The job has too few or too many documents.
    #[error("a job needs {min}–{max} documents, but has {count}")]
    DocumentCount {
        /// How many documents the job has.
        count: usize,
        /// The fewest allowed.
        min: usize,
        /// The most allowed.
        max: usize,
    },

    /// The job has too few or too many signers.
    #[error("a job needs {min}–{max} signers, but has {count}")]
    SignerCount {
        /// How many signers the job has.
        count: usize,
        /// The fewest allowed.
        min: usize,
        /// The most allowed.
        max: usize,
    },

    /// A signer's order is outside the allowed range.
    #[error("signer order must be 0–{max}, but is {order}")]
    SignerOrderOutOfRange {
        /// The order given.
        order: u8,
        /// The highest order allowed.
        max: u8,
    },

    /// The same signer appears twice in one job.
    #[error("signer {index} duplicates signer {first_index}")]
    DuplicateSigner {
        /// Position (from 0) of the repeated signer.
        index: usize,
        /// Position of its first occurrence.
        first_index: usize,
    },

    /// A document file name could break out of, or collide inside, the document bundle.
    #[error("unsafe document file name: {problem}")]
    UnsafeFileName {
        /// What is wrong with it.
        problem: FileNameProblem,
    },

    /// A media type other than the ones the service accepts.
    #[error("unsupported media type {media_type:?}; use application/pdf or text/plain")]
    UnsupportedMediaType {
        /// The media type given (a public MIME string, not personal data).
        media_type: String,
    },

    /// A document has no content.
    #[error("document is empty")]
    EmptyDocument,

    /// The documents together exceed the size limit.
    #[error("documents total {total_bytes} bytes, more than the limit of {limit_bytes} bytes")]
    DocumentsTooLarge {
        /// Sum of all document sizes.
        total_bytes: u64,
        /// The configured limit.
        limit_bytes: u64,
    },

    /// The job is to be available for longer than the service allows.
    #[error("a job can be available for at most {max_seconds} seconds, but {seconds} were asked")]
    AvailabilityTooLong {
        /// The requested duration in whole seconds.
        seconds: u64,
        /// The most allowed.
        max_seconds: u64,
    },

    /// Explicit notifications name neither an e-mail address nor a mobile number.
    #[error("explicit notifications need an e-mail address, a mobile number or both")]
    NotificationsWithoutRecipient,

    /// The signer signs on behalf of someone else but is to be notified through the
    /// contact register lookup, which the service does not allow.
    #[error(
        "a signer on behalf of another party cannot be notified through contact register lookup"
    )]
    LookupNotificationsOnBehalfOfOther,

    /// A signer identified only by contact information must be notified at explicit
    /// addresses, because there is no identity to look up.
    #[error("a signer identified by contact information needs explicit notifications")]
    ContactSignerNeedsExplicitNotifications,

    /// A signer in the portal flow has no notification settings, so it would never learn
    /// about the job.
    #[error("a portal signer needs notification settings")]
    MissingNotifications,

    /// An e-mail address is not of the form `local@domain`. The address is not included.
    #[error("invalid e-mail address")]
    InvalidEmailAddress,

    /// A mobile number is not an optional `+` followed by 3–15 digits. The number is not included.
    #[error("invalid mobile number")]
    InvalidMobileNumber,

    /// A setting that the chosen flow cannot carry (for example signer order in the direct flow).
    #[error("{capability} is not available in the {flow} flow")]
    NotAvailableInFlow {
        /// The setting.
        capability: Capability,
        /// The flow that cannot carry it.
        flow: FlowKind,
    },

    /// A signer is invalid.
    #[error("signer {index}: {reason}")]
    Signer {
        /// Position of the signer, from 0.
        index: usize,
        /// What is wrong with it.
        reason: Box<ValidationError>,
    },

    /// A form set has no main form or more than one.
    #[error("a form set needs exactly one main form, but has {count}")]
    FormMainPartCount {
        /// How many main forms the set has.
        count: usize,
    },

    /// A document is invalid.
    #[error("document {index}: {reason}")]
    Document {
        /// Position of the document, from 0.
        index: usize,
        /// What is wrong with it.
        reason: Box<ValidationError>,
    },
}

impl From<std::convert::Infallible> for ValidationError {
    // Lets builder methods accept both validated values and strings through `TryInto`.
    fn from(never: std::convert::Infallible) -> Self {
        match never {}
    }
}

/// Why a personal identification number was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum PinProblem {
    /// Not 11 characters long.
    #[error("must be 11 digits, but has {length} characters")]
    WrongLength {
        /// The length found, in characters.
        length: usize,
    },
    /// Contains something other than the ASCII digits 0–9.
    #[error("must contain only the digits 0–9")]
    NotOnlyDigits,
    /// The date part is not a calendar date, even after removing D-number and synthetic offsets.
    #[error("the date part is not a valid date")]
    ImpossibleDate,
    /// One or both mod-11 check digits do not match.
    #[error("the check digits do not match")]
    WrongCheckDigits,
}

/// Why an organization number was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum OrganizationNumberProblem {
    /// Not 9 characters long.
    #[error("must be 9 digits, but has {length} characters")]
    WrongLength {
        /// The length found, in characters.
        length: usize,
    },
    /// Contains something other than the ASCII digits 0–9.
    #[error("must contain only the digits 0–9")]
    NotOnlyDigits,
    /// The mod-11 check digit does not match.
    #[error("the check digit does not match")]
    WrongCheckDigit,
}

/// Why a document file name was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum FileNameProblem {
    /// Contains `/` or `\`, which would create a directory inside the bundle.
    #[error("contains a path separator (/ or \\)")]
    PathSeparator,
    /// Contains `..`, which archive tools may read as a parent directory.
    #[error("contains \"..\"")]
    ParentDirectory,
    /// Contains a control character.
    #[error("contains a control character")]
    ControlCharacter,
    /// Is the name of a file the service's bundle format reserves (`manifest.xml`, `mimetype`).
    #[error("is reserved by the document bundle format")]
    Reserved,
    /// Another document in the same job already has this name.
    #[error("is already used by document {first_index}")]
    Duplicate {
        /// Position of the document that has the name first.
        first_index: usize,
    },
}

/// The text fields whose length is limited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TextField {
    /// The job title.
    Title,
    /// The non-sensitive title shown in notifications.
    NonSensitiveTitle,
    /// The message to the signers.
    Description,
    /// The sender's own reference.
    Reference,
    /// A signer's custom identifier.
    CustomIdentifier,
    /// A document's title.
    DocumentTitle,
    /// A document's file name.
    DocumentFileName,
    /// A direct flow exit URL.
    ExitUrl,
    /// A polling queue name.
    PollingQueue,
    /// A form's service code or data format identifier or version.
    FormIdentifier,
    /// The attachment type for a form job's documents.
    AttachmentType,
}

impl fmt::Display for TextField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Title => "the title",
            Self::NonSensitiveTitle => "the non-sensitive title",
            Self::Description => "the description",
            Self::Reference => "the reference",
            Self::CustomIdentifier => "the custom identifier",
            Self::DocumentTitle => "the document title",
            Self::DocumentFileName => "the document file name",
            Self::ExitUrl => "an exit URL",
            Self::PollingQueue => "the polling queue name",
            Self::FormIdentifier => "a form identifier",
            Self::AttachmentType => "the attachment type",
        })
    }
}

/// An adapter's own error, kept as the [`source`](std::error::Error::source) of the neutral
/// [`Error`] it was mapped onto, so its details stay inspectable (and downcastable).
pub type ErrorSource = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A request to a signing service failed.
///
/// Adapters map their transport and protocol failures onto these variants, so callers can
/// handle any provider the same way, and keep their own error as the `source`. Whether
/// trying again may help is [`is_transient`](Self::is_transient), and when the service
/// permits it [`retry_at`](Self::retry_at). Messages never contain personal identification
/// numbers, tokens or key material.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The provider cannot do this. Check [`SignatureService::capabilities`] first to avoid it.
    ///
    /// [`SignatureService::capabilities`]: crate::SignatureService::capabilities
    #[error("{0} is not supported by this signing service")]
    Unsupported(Capability),

    /// The job broke a rule; nothing was sent.
    #[error(transparent)]
    Invalid(#[from] ValidationError),

    /// Polled (or, for a rate limit, called) before the service permitted; wait until
    /// `retry_at` (if known).
    #[error("polled too eagerly{}", retry_at.map(|at| format!("; next poll permitted at {at}")).unwrap_or_default())]
    TooEagerPolling {
        /// When polling is permitted again, if the service said.
        retry_at: Option<OffsetDateTime>,
        /// The adapter's error, if this came from one.
        #[source]
        source: Option<ErrorSource>,
    },

    /// The client's organization may not act for the job's sender organization.
    #[error("the client's organization is not authorized to act for the sender organization")]
    BrokerNotAuthorized {
        /// The adapter's error, if this came from one.
        #[source]
        source: Option<ErrorSource>,
    },

    /// The status query token from the exit URL was not accepted.
    #[error("the status query token was not accepted")]
    InvalidStatusQueryToken {
        /// The adapter's error, if this came from one.
        #[source]
        source: Option<ErrorSource>,
    },

    /// The status cannot be queried yet, because the signer has not finished.
    #[error("the signing ceremony is not completed, so there is no status to fetch yet")]
    SigningNotCompleted {
        /// The adapter's error, if this came from one.
        #[source]
        source: Option<ErrorSource>,
    },

    /// The job can no longer be cancelled (for example because it is completed).
    #[error("the job cannot be cancelled")]
    CannotBeCancelled {
        /// The adapter's error, if this came from one.
        #[source]
        source: Option<ErrorSource>,
    },

    /// The service answered with an error this crate has no dedicated variant for.
    #[error("the signing service answered HTTP {http_status}{}{}",
        code.as_deref().map(|code| format!(" ({code})")).unwrap_or_default(),
        message.as_deref().map(|message| format!(": {message}")).unwrap_or_default())]
    Service {
        /// The HTTP status code.
        http_status: u16,
        /// The service's machine-readable error code, if any.
        code: Option<String>,
        /// The service's human-readable message, if any.
        message: Option<String>,
        /// Whether the same call may succeed later, as the adapter judges the answer
        /// (typically 429 and 5xx).
        transient: bool,
        /// When the service permits the next call, if it said (`Retry-After`).
        retry_at: Option<OffsetDateTime>,
        /// The adapter's error, if this came from one.
        #[source]
        source: Option<ErrorSource>,
    },

    /// Reading from the service or writing to the caller's sink failed.
    #[error("reading from the service or writing to the sink failed")]
    Io(#[from] std::io::Error),

    /// Connecting, TLS, or another adapter-level failure; inspect the source for details.
    #[error("the request to the signing service failed")]
    Transport {
        /// The adapter's error.
        #[source]
        source: ErrorSource,
        /// Whether the same call may succeed later (a failed connection or a timeout, as
        /// opposed to a configuration or key problem).
        transient: bool,
    },
}

impl Error {
    /// Wraps any adapter-level failure as [`Error::Transport`] that trying again does not fix.
    pub fn transport(source: impl Into<ErrorSource>) -> Self {
        Self::Transport {
            source: source.into(),
            transient: false,
        }
    }

    /// Wraps an adapter-level failure as [`Error::Transport`], saying whether trying again
    /// later may succeed.
    pub fn transport_with(source: impl Into<ErrorSource>, transient: bool) -> Self {
        Self::Transport {
            source: source.into(),
            transient,
        }
    }

    /// Whether the same call may succeed later: [`TooEagerPolling`](Self::TooEagerPolling),
    /// and the [`Service`](Self::Service) answers and [`Transport`](Self::Transport) failures
    /// the adapter found transient (a busy or failing service, a failed connection, a
    /// timeout). Wait until [`retry_at`](Self::retry_at) where it gives a time.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::TooEagerPolling { .. } => true,
            Self::Service { transient, .. } | Self::Transport { transient, .. } => *transient,
            _ => false,
        }
    }

    /// When the service permits the next call, if it said: the permitted poll time of
    /// [`TooEagerPolling`](Self::TooEagerPolling), or a [`Service`](Self::Service) answer's
    /// `Retry-After`.
    pub fn retry_at(&self) -> Option<OffsetDateTime> {
        match self {
            Self::TooEagerPolling { retry_at, .. } | Self::Service { retry_at, .. } => *retry_at,
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reasons' texts, which end up in `ValidationError` messages, word for word.
    #[test]
    fn problems_read_as_before() {
        let texts: [(&dyn fmt::Display, &str); 12] = [
            (
                &PinProblem::WrongLength { length: 3 },
                "must be 11 digits, but has 3 characters",
            ),
            (
                &PinProblem::NotOnlyDigits,
                "must contain only the digits 0–9",
            ),
            (
                &PinProblem::ImpossibleDate,
                "the date part is not a valid date",
            ),
            (
                &PinProblem::WrongCheckDigits,
                "the check digits do not match",
            ),
            (
                &OrganizationNumberProblem::WrongLength { length: 10 },
                "must be 9 digits, but has 10 characters",
            ),
            (
                &OrganizationNumberProblem::NotOnlyDigits,
                "must contain only the digits 0–9",
            ),
            (
                &OrganizationNumberProblem::WrongCheckDigit,
                "the check digit does not match",
            ),
            (
                &FileNameProblem::PathSeparator,
                "contains a path separator (/ or \\)",
            ),
            (&FileNameProblem::ParentDirectory, "contains \"..\""),
            (
                &FileNameProblem::ControlCharacter,
                "contains a control character",
            ),
            (
                &FileNameProblem::Reserved,
                "is reserved by the document bundle format",
            ),
            (
                &FileNameProblem::Duplicate { first_index: 2 },
                "is already used by document 2",
            ),
        ];
        for (problem, text) in texts {
            assert_eq!(problem.to_string(), text);
        }
    }
}
