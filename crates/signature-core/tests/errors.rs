//! Every error variant has a useful message, and none leaks personal data.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use signature_core::{
    Capability, Error, FileNameProblem, FlowKind, OrganizationNumberProblem,
    PersonalIdentificationNumber, PinProblem, Signer, SigningJob, TextField, ValidationError,
};
use time::macros::datetime;

const PIN: &str = "24068110048";

fn every_validation_error() -> Vec<(ValidationError, &'static str)> {
    let nested = || Box::new(ValidationError::EmptyDocument);
    vec![
        (
            ValidationError::InvalidPersonalIdentificationNumber {
                problem: PinProblem::WrongLength { length: 10 },
            },
            "invalid personal identification number: must be 11 digits, but has 10 characters",
        ),
        (
            ValidationError::InvalidPersonalIdentificationNumber {
                problem: PinProblem::NotOnlyDigits,
            },
            "invalid personal identification number: must contain only the digits 0–9",
        ),
        (
            ValidationError::InvalidPersonalIdentificationNumber {
                problem: PinProblem::ImpossibleDate,
            },
            "invalid personal identification number: the date part is not a valid date",
        ),
        (
            ValidationError::InvalidPersonalIdentificationNumber {
                problem: PinProblem::WrongCheckDigits,
            },
            "invalid personal identification number: the check digits do not match",
        ),
        (
            ValidationError::InvalidOrganizationNumber {
                problem: OrganizationNumberProblem::WrongLength { length: 8 },
            },
            "invalid organization number: must be 9 digits, but has 8 characters",
        ),
        (
            ValidationError::InvalidOrganizationNumber {
                problem: OrganizationNumberProblem::NotOnlyDigits,
            },
            "invalid organization number: must contain only the digits 0–9",
        ),
        (
            ValidationError::InvalidOrganizationNumber {
                problem: OrganizationNumberProblem::WrongCheckDigit,
            },
            "invalid organization number: the check digit does not match",
        ),
        (
            ValidationError::TextLength {
                field: TextField::Title,
                length: 81,
                min: 1,
                max: 80,
            },
            "the title must be 1–80 characters long, but is 81",
        ),
        (
            ValidationError::EmptyText {
                field: TextField::PollingQueue,
            },
            "the polling queue name must not be empty",
        ),
        (
            ValidationError::DocumentCount {
                count: 0,
                min: 1,
                max: 20,
            },
            "a job needs 1–20 documents, but has 0",
        ),
        (
            ValidationError::SignerCount {
                count: 11,
                min: 1,
                max: 10,
            },
            "a job needs 1–10 signers, but has 11",
        ),
        (
            ValidationError::SignerOrderOutOfRange { order: 12, max: 9 },
            "signer order must be 0–9, but is 12",
        ),
        (
            ValidationError::DuplicateSigner {
                index: 3,
                first_index: 1,
            },
            "signer 3 duplicates signer 1",
        ),
        (
            ValidationError::UnsafeFileName {
                problem: FileNameProblem::PathSeparator,
            },
            "unsafe document file name: contains a path separator (/ or \\)",
        ),
        (
            ValidationError::UnsafeFileName {
                problem: FileNameProblem::ParentDirectory,
            },
            "unsafe document file name: contains \"..\"",
        ),
        (
            ValidationError::UnsafeFileName {
                problem: FileNameProblem::ControlCharacter,
            },
            "unsafe document file name: contains a control character",
        ),
        (
            ValidationError::UnsafeFileName {
                problem: FileNameProblem::Reserved,
            },
            "unsafe document file name: is reserved by the document bundle format",
        ),
        (
            ValidationError::UnsafeFileName {
                problem: FileNameProblem::Duplicate { first_index: 0 },
            },
            "unsafe document file name: is already used by document 0",
        ),
        (
            ValidationError::UnsupportedMediaType {
                media_type: "image/png".to_owned(),
            },
            "unsupported media type \"image/png\"; use application/pdf or text/plain",
        ),
        (ValidationError::EmptyDocument, "document is empty"),
        (
            ValidationError::DocumentsTooLarge {
                total_bytes: 10_485_761,
                limit_bytes: 10_485_760,
            },
            "documents total 10485761 bytes, more than the limit of 10485760 bytes",
        ),
        (
            ValidationError::AvailabilityTooLong {
                seconds: 7_776_001,
                max_seconds: 7_776_000,
            },
            "a job can be available for at most 7776000 seconds, but 7776001 were asked",
        ),
        (
            ValidationError::NotificationsWithoutRecipient,
            "explicit notifications need an e-mail address, a mobile number or both",
        ),
        (
            ValidationError::LookupNotificationsOnBehalfOfOther,
            "a signer on behalf of another party cannot be notified through contact register lookup",
        ),
        (
            ValidationError::ContactSignerNeedsExplicitNotifications,
            "a signer identified by contact information needs explicit notifications",
        ),
        (
            ValidationError::MissingNotifications,
            "a portal signer needs notification settings",
        ),
        (
            ValidationError::InvalidEmailAddress,
            "invalid e-mail address",
        ),
        (
            ValidationError::InvalidMobileNumber,
            "invalid mobile number",
        ),
        (
            ValidationError::NotAvailableInFlow {
                capability: Capability::SignerOrder,
                flow: FlowKind::Direct,
            },
            "signer order is not available in the direct flow",
        ),
        (
            ValidationError::Signer {
                index: 2,
                reason: nested(),
            },
            "signer 2: document is empty",
        ),
        (
            ValidationError::Document {
                index: 4,
                reason: nested(),
            },
            "document 4: document is empty",
        ),
    ]
}

#[test]
fn validation_error_messages() {
    for (error, expected) in every_validation_error() {
        assert_eq!(error.to_string(), expected);
    }
}

#[test]
fn service_error_messages() {
    let io = std::io::Error::other("disk full");
    let cases: Vec<(Error, &str)> = vec![
        (
            Error::Unsupported(Capability::Cancel),
            "cancelling jobs is not supported by this signing service",
        ),
        (
            Error::Invalid(ValidationError::EmptyDocument),
            "document is empty",
        ),
        (
            Error::TooEagerPolling {
                retry_at: None,
                source: None,
            },
            "polled too eagerly",
        ),
        (
            Error::TooEagerPolling {
                retry_at: Some(datetime!(2030-01-01 12:00 UTC)),
                source: None,
            },
            "polled too eagerly; next poll permitted at 2030-01-01 12:00:00.0 +00:00:00",
        ),
        (
            Error::BrokerNotAuthorized { source: None },
            "the client's organization is not authorized to act for the sender organization",
        ),
        (
            Error::InvalidStatusQueryToken { source: None },
            "the status query token was not accepted",
        ),
        (
            Error::SigningNotCompleted { source: None },
            "the signing ceremony is not completed, so there is no status to fetch yet",
        ),
        (
            Error::CannotBeCancelled { source: None },
            "the job cannot be cancelled",
        ),
        (
            Error::Service {
                http_status: 400,
                code: Some("SCHEMA_VALIDATION_ERROR".into()),
                message: Some("bad".into()),
                transient: false,
                retry_at: None,
                source: None,
            },
            "the signing service answered HTTP 400 (SCHEMA_VALIDATION_ERROR): bad",
        ),
        (
            Error::Service {
                http_status: 503,
                code: None,
                message: None,
                transient: true,
                retry_at: None,
                source: None,
            },
            "the signing service answered HTTP 503",
        ),
        (
            Error::Io(io),
            "reading from the service or writing to the sink failed",
        ),
        (
            Error::transport("connection refused"),
            "the request to the signing service failed",
        ),
    ];
    for (error, expected) in cases {
        assert_eq!(error.to_string(), expected);
    }
}

#[test]
fn service_errors_keep_their_source() {
    use std::error::Error as _;
    let error = Error::transport("connection refused");
    assert_eq!(
        error.source().map(ToString::to_string).as_deref(),
        Some("connection refused")
    );
    let error = Error::from(std::io::Error::other("disk full"));
    assert_eq!(
        error.source().map(ToString::to_string).as_deref(),
        Some("disk full")
    );
    let error = Error::from(ValidationError::EmptyDocument);
    assert!(matches!(
        error,
        Error::Invalid(ValidationError::EmptyDocument)
    ));
}

#[test]
fn transience_and_retry_time_come_from_the_variant() {
    let at = datetime!(2030-01-01 12:00 UTC);
    let polled = Error::TooEagerPolling {
        retry_at: Some(at),
        source: None,
    };
    assert!(polled.is_transient());
    assert_eq!(polled.retry_at(), Some(at));
    let busy = Error::Service {
        http_status: 503,
        code: None,
        message: None,
        transient: true,
        retry_at: Some(at),
        source: Some("the adapter's own error".into()),
    };
    assert!(busy.is_transient());
    assert_eq!(busy.retry_at(), Some(at));
    assert_eq!(
        std::error::Error::source(&busy)
            .map(ToString::to_string)
            .as_deref(),
        Some("the adapter's own error")
    );
    let refused = Error::Service {
        http_status: 403,
        code: None,
        message: None,
        transient: false,
        retry_at: None,
        source: None,
    };
    assert!(!refused.is_transient());
    assert_eq!(refused.retry_at(), None);
    assert!(Error::transport_with("connection refused", true).is_transient());
    assert!(!Error::transport("bad URL").is_transient());
    assert!(!Error::Unsupported(Capability::Cancel).is_transient());
    assert!(!Error::from(std::io::Error::other("disk full")).is_transient());
    assert_eq!(Error::transport_with("timeout", true).retry_at(), None);
}

#[test]
fn pin_errors_from_every_path_never_contain_the_number() {
    let bad_numbers = [
        "24068110049",
        "32018110090",
        "2406811004x",
        "2406811004",
        "240681100481",
    ];
    for bad in bad_numbers {
        let direct = PersonalIdentificationNumber::parse(bad).unwrap_err();
        let via_signer = Signer::with_personal_identification_number(bad)
            .build()
            .unwrap_err();
        let via_job = SigningJob::builder("Contract")
            .document(signature_core::Document::pdf("A", "a.pdf", b"x".to_vec()))
            .signer(
                Signer::with_personal_identification_number(bad).notify_by_email("a@example.com"),
            )
            .build()
            .unwrap_err();
        let as_service_error = Error::from(via_job.clone());
        for text in [
            direct.to_string(),
            format!("{direct:?}"),
            via_signer.to_string(),
            via_job.to_string(),
            format!("{via_job:?}"),
            as_service_error.to_string(),
            format!("{as_service_error:?}"),
        ] {
            assert!(!text.contains(bad), "{text}");
            assert!(!text.contains(&bad[6..]), "{text}");
        }
    }
    // A valid number in a job that fails for another reason is not echoed either.
    let error = SigningJob::builder("")
        .document(signature_core::Document::pdf("A", "a.pdf", b"x".to_vec()))
        .signer(Signer::with_personal_identification_number(PIN).notify_by_email("a@example.com"))
        .build()
        .unwrap_err();
    assert!(!format!("{error} {error:?}").contains(PIN));
}

#[test]
fn no_message_contains_a_full_identity_number() {
    for (error, _) in every_validation_error() {
        let text = format!("{error} {error:?}");
        assert!(
            !text
                .chars()
                .collect::<Vec<_>>()
                .windows(11)
                .any(|w| w.iter().all(char::is_ascii_digit))
        );
    }
}
