//! Every rule `SigningJobBuilder::build` enforces, through the public API only.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use signature_core::{
    AuthenticationLevel, Capability, DirectFlow, Document, DocumentContent, ExitUrls,
    FileNameProblem, Flow, FlowKind, IdentifierInSignedDocuments, LookupNotifications, MediaType,
    OnBehalfOf, OrganizationNumber, OrganizationNumberProblem, PinProblem, PollingQueue,
    SignatureType, Signer, SignerBuilder, SignerIdentifier, SigningJob, SigningJobBuilder,
    StatusRetrievalMethod, TextField, ValidationError,
};
use time::macros::datetime;

const PIN: &str = "24068110048";
const OTHER_PIN: &str = "64068110031";

fn pdf(name: &str) -> Document {
    Document::pdf("Contract", name, b"%PDF-1.7 test".to_vec())
}

fn notified(pin: &str) -> SignerBuilder {
    Signer::with_personal_identification_number(pin).notify_by_email("kari@example.com")
}

fn portal_job() -> SigningJobBuilder {
    SigningJob::builder("Contract")
        .document(pdf("contract.pdf"))
        .signer(notified(PIN))
}

fn direct_job() -> SigningJobBuilder {
    SigningJob::builder("Contract")
        .document(pdf("contract.pdf"))
        .signer(Signer::with_personal_identification_number(PIN))
        .flow(Flow::Direct(DirectFlow::new(ExitUrls::single(
            "https://example.com/back",
        ))))
}

fn text_length(field: TextField, length: usize, min: usize, max: usize) -> ValidationError {
    ValidationError::TextLength {
        field,
        length,
        min,
        max,
    }
}

fn signer_error(index: usize, reason: ValidationError) -> ValidationError {
    ValidationError::Signer {
        index,
        reason: Box::new(reason),
    }
}

fn document_error(index: usize, reason: ValidationError) -> ValidationError {
    ValidationError::Document {
        index,
        reason: Box::new(reason),
    }
}

#[test]
fn full_portal_job_keeps_every_setting() {
    let activation = datetime!(2030-01-02 08:00 +01:00);
    let job = SigningJob::builder("Ansettelseskontrakt")
        .description("Vennligst signer")
        .non_sensitive_title("Kontrakt")
        .reference("ref-1")
        .documents([
            pdf("a.pdf"),
            Document::plain_text("Vilkår", "b.txt", "tekst"),
        ])
        .signer(
            notified(PIN)
                .order(1)
                .signature_type(SignatureType::AuthenticatedElectronicSignature),
        )
        .signer(
            Signer::with_personal_identification_number(OTHER_PIN)
                .order(2)
                .notify_through_lookup(LookupNotifications::EmailOnly),
        )
        .signer(Signer::with_mobile_number("+4799999999").on_behalf_of(OnBehalfOf::Other))
        .authentication_level(AuthenticationLevel::Three)
        .activation_time(activation)
        .available_for(Duration::from_secs(7_776_000))
        .identifier_in_signed_documents(IdentifierInSignedDocuments::DateOfBirthAndName)
        .sender("984661185")
        .polling_queue("division-a")
        .build()
        .unwrap();

    assert_eq!(job.title(), "Ansettelseskontrakt");
    assert_eq!(job.description(), Some("Vennligst signer"));
    assert_eq!(job.non_sensitive_title(), Some("Kontrakt"));
    assert_eq!(job.reference(), Some("ref-1"));
    assert_eq!(job.documents().len(), 2);
    assert_eq!(job.documents()[1].media_type(), MediaType::PlainText);
    assert_eq!(job.signers().len(), 3);
    assert_eq!(job.signers()[1].order(), Some(2));
    assert_eq!(job.authentication_level(), Some(AuthenticationLevel::Three));
    assert_eq!(job.availability().activation_time, Some(activation));
    assert_eq!(
        job.availability().available_for,
        Some(Duration::from_secs(7_776_000))
    );
    assert_eq!(
        job.identifier_in_signed_documents(),
        Some(IdentifierInSignedDocuments::DateOfBirthAndName)
    );
    assert_eq!(
        job.sender().map(OrganizationNumber::as_str),
        Some("984661185")
    );
    assert_eq!(
        job.polling_queue().map(PollingQueue::as_str),
        Some("division-a")
    );
    assert_eq!(job.flow().kind(), FlowKind::Portal);
    assert_eq!(job.total_document_size(), 13 + 5);

    let required = job.required_capabilities();
    for capability in [
        Capability::CreatePortalJob,
        Capability::PollingQueues,
        Capability::SenderOverride,
        Capability::ActivationTime,
        Capability::AvailableDuration,
        Capability::AuthenticationLevel,
        Capability::IdentifierInSignedDocuments,
        Capability::NonSensitiveTitle,
        Capability::Description,
        Capability::MultipleDocuments,
        Capability::MultipleSigners,
        Capability::PlainTextDocuments,
        Capability::SignerOrder,
        Capability::SignatureType,
        Capability::OnBehalfOfOther,
        Capability::ExplicitNotifications,
        Capability::LookupNotifications,
        Capability::ContactInformationSigners,
    ] {
        assert!(required.contains(capability), "{capability:?}");
    }
    assert!(!required.contains(Capability::CreateDirectJob));
    assert!(!required.contains(Capability::CustomIdentifierSigners));
}

#[test]
fn minimal_jobs_require_only_creation() {
    let portal = portal_job().build().unwrap();
    let required: Vec<Capability> = portal.required_capabilities().into_iter().collect();
    assert_eq!(
        required,
        [
            Capability::CreatePortalJob,
            Capability::ExplicitNotifications
        ]
    );

    let direct = direct_job().build().unwrap();
    let required: Vec<Capability> = direct.required_capabilities().into_iter().collect();
    assert_eq!(
        required,
        [Capability::CreateDirectJob, Capability::StatusByToken]
    );

    let polling = direct_job()
        .flow(Flow::Direct(
            DirectFlow::new(ExitUrls::single("https://example.com"))
                .status_retrieval(StatusRetrievalMethod::Polling),
        ))
        .signer(Signer::with_custom_identifier("customer-2"))
        .build()
        .unwrap();
    let required = polling.required_capabilities();
    assert!(required.contains(Capability::PollStatusChanges));
    assert!(required.contains(Capability::CustomIdentifierSigners));
    assert!(!required.contains(Capability::StatusByToken));
}

#[test]
fn text_limits_count_characters_not_bytes() {
    // (builder, field, longest accepted, (min, max))
    let at_limit = portal_job()
        .non_sensitive_title("ø".repeat(80))
        .description("æ".repeat(220))
        .reference("å".repeat(50));
    assert!(
        SigningJob::builder("ø".repeat(80))
            .document(pdf("a.pdf"))
            .signer(notified(PIN))
            .build()
            .is_ok()
    );
    assert!(at_limit.build().is_ok());

    let cases = [
        (
            SigningJob::builder("")
                .document(pdf("a.pdf"))
                .signer(notified(PIN)),
            text_length(TextField::Title, 0, 1, 80),
        ),
        (
            SigningJob::builder("ø".repeat(81))
                .document(pdf("a.pdf"))
                .signer(notified(PIN)),
            text_length(TextField::Title, 81, 1, 80),
        ),
        (
            portal_job().non_sensitive_title(""),
            text_length(TextField::NonSensitiveTitle, 0, 1, 80),
        ),
        (
            portal_job().non_sensitive_title("x".repeat(81)),
            text_length(TextField::NonSensitiveTitle, 81, 1, 80),
        ),
        (
            portal_job().description("æ".repeat(221)),
            text_length(TextField::Description, 221, 0, 220),
        ),
        (
            portal_job().reference("å".repeat(51)),
            text_length(TextField::Reference, 51, 0, 50),
        ),
    ];
    for (builder, expected) in cases {
        assert_eq!(builder.build(), Err(expected));
    }
}

#[test]
fn texts_sent_in_notifications_must_not_carry_identity_numbers() {
    assert_eq!(
        portal_job().reference(format!("case-{PIN}")).build(),
        Err(ValidationError::IdentityNumberInText {
            field: TextField::Reference
        })
    );
    assert_eq!(
        portal_job()
            .non_sensitive_title(format!("Kontrakt {OTHER_PIN}"))
            .build(),
        Err(ValidationError::IdentityNumberInText {
            field: TextField::NonSensitiveTitle
        })
    );
    // Eleven digits that are not a valid number are an ordinary reference.
    assert!(portal_job().reference("case-24068110049").build().is_ok());
    let error = portal_job().reference(PIN).build().unwrap_err();
    assert!(!format!("{error} {error:?}").contains(PIN));
}

#[test]
fn document_problems_carry_the_document_position() {
    let job = portal_job().document(pdf("../evil.pdf")).build();
    assert_eq!(
        job,
        Err(document_error(
            1,
            ValidationError::UnsafeFileName {
                problem: FileNameProblem::PathSeparator
            }
        ))
    );
    let job = portal_job()
        .document(Document::pdf("", "b.pdf", b"x".to_vec()))
        .build();
    assert_eq!(
        job,
        Err(document_error(
            1,
            text_length(TextField::DocumentTitle, 0, 1, 80)
        ))
    );
    let job = portal_job()
        .document(Document::pdf("Empty", "b.pdf", Vec::new()))
        .build();
    assert_eq!(job, Err(document_error(1, ValidationError::EmptyDocument)));
}

#[test]
fn duplicate_file_names_are_rejected_case_insensitively() {
    let job = portal_job()
        .document(pdf("other.pdf"))
        .document(pdf("CONTRACT.pdf"))
        .build();
    assert_eq!(
        job,
        Err(document_error(
            2,
            ValidationError::UnsafeFileName {
                problem: FileNameProblem::Duplicate { first_index: 0 }
            }
        ))
    );
}

#[test]
fn availability_is_at_most_ninety_days() {
    assert!(
        portal_job()
            .available_for(Duration::from_secs(7_776_000))
            .build()
            .is_ok()
    );
    assert!(portal_job().available_for(Duration::ZERO).build().is_ok());
    assert_eq!(
        portal_job()
            .available_for(Duration::from_secs(7_776_001))
            .build(),
        Err(ValidationError::AvailabilityTooLong {
            seconds: 7_776_001,
            max_seconds: 7_776_000
        })
    );
}

#[test]
fn sender_and_polling_queue_are_validated() {
    assert_eq!(
        portal_job().sender("984661186").build(),
        Err(ValidationError::InvalidOrganizationNumber {
            problem: OrganizationNumberProblem::WrongCheckDigit
        })
    );
    let typed = OrganizationNumber::parse("984661185").unwrap();
    assert!(portal_job().sender(typed).build().is_ok());
    assert_eq!(
        portal_job().polling_queue("").build(),
        Err(ValidationError::EmptyText {
            field: TextField::PollingQueue
        })
    );
    assert!(
        portal_job()
            .polling_queue(PollingQueue::new("q").unwrap())
            .build()
            .is_ok()
    );
}

#[test]
fn signer_problems_carry_the_signer_position() {
    let job = portal_job().signer(notified("24068110049")).build();
    assert_eq!(
        job,
        Err(signer_error(
            1,
            ValidationError::InvalidPersonalIdentificationNumber {
                problem: PinProblem::WrongCheckDigits
            }
        ))
    );
    let job = portal_job().signer(notified(OTHER_PIN).order(10)).build();
    assert_eq!(
        job,
        Err(signer_error(
            1,
            ValidationError::SignerOrderOutOfRange { order: 10, max: 9 }
        ))
    );
    let job = portal_job()
        .signer(
            Signer::with_personal_identification_number(OTHER_PIN)
                .on_behalf_of(OnBehalfOf::Other)
                .notify_through_lookup(LookupNotifications::EmailAndSms),
        )
        .build();
    assert_eq!(
        job,
        Err(signer_error(
            1,
            ValidationError::LookupNotificationsOnBehalfOfOther
        ))
    );
}

#[test]
fn duplicate_signers_are_rejected() {
    let job = portal_job()
        .signer(notified(OTHER_PIN))
        .signer(notified(PIN))
        .build();
    assert_eq!(
        job,
        Err(ValidationError::DuplicateSigner {
            index: 2,
            first_index: 0
        })
    );
    let job = portal_job()
        .signer(Signer::with_email("a@example.com"))
        .signer(Signer::with_email("a@example.com"))
        .build();
    assert_eq!(
        job,
        Err(ValidationError::DuplicateSigner {
            index: 2,
            first_index: 1
        })
    );
}

#[test]
fn portal_flow_rules() {
    let unnotified = SigningJob::builder("Contract")
        .document(pdf("a.pdf"))
        .signer(Signer::with_personal_identification_number(PIN))
        .build();
    assert_eq!(
        unnotified,
        Err(signer_error(0, ValidationError::MissingNotifications))
    );
    let custom = SigningJob::builder("Contract")
        .document(pdf("a.pdf"))
        .signer(Signer::with_custom_identifier("c-1").notify_by_email("a@example.com"))
        .build();
    assert_eq!(
        custom,
        Err(signer_error(
            0,
            ValidationError::NotAvailableInFlow {
                capability: Capability::CustomIdentifierSigners,
                flow: FlowKind::Portal
            }
        ))
    );
}

#[test]
fn direct_flow_rules() {
    let not_in_direct = |capability| ValidationError::NotAvailableInFlow {
        capability,
        flow: FlowKind::Direct,
    };
    let cases = [
        (
            direct_job().signer(Signer::with_email("a@example.com")),
            signer_error(1, not_in_direct(Capability::ContactInformationSigners)),
        ),
        (
            direct_job().signer(Signer::with_personal_identification_number(OTHER_PIN).order(1)),
            signer_error(1, not_in_direct(Capability::SignerOrder)),
        ),
        (
            direct_job().signer(notified(OTHER_PIN)),
            signer_error(1, not_in_direct(Capability::ExplicitNotifications)),
        ),
        (
            direct_job().signer(
                Signer::with_personal_identification_number(OTHER_PIN)
                    .notify_through_lookup(LookupNotifications::EmailOnly),
            ),
            signer_error(1, not_in_direct(Capability::LookupNotifications)),
        ),
        (
            direct_job().activation_time(datetime!(2030-01-01 0:00 UTC)),
            not_in_direct(Capability::ActivationTime),
        ),
        (
            direct_job().available_for(Duration::from_secs(60)),
            not_in_direct(Capability::AvailableDuration),
        ),
        (
            direct_job().non_sensitive_title("Contract"),
            not_in_direct(Capability::NonSensitiveTitle),
        ),
        (
            direct_job().flow(Flow::Direct(DirectFlow::new(ExitUrls::single(
                "x".repeat(501),
            )))),
            text_length(TextField::ExitUrl, 501, 1, 500),
        ),
    ];
    for (builder, expected) in cases {
        assert_eq!(builder.build(), Err(expected));
    }
    let custom = direct_job()
        .signer(Signer::with_custom_identifier("customer-42").on_behalf_of(OnBehalfOf::Other))
        .build()
        .unwrap();
    assert!(matches!(
        custom.signers()[1].identifier(),
        SignerIdentifier::CustomIdentifier(id) if id.as_str() == "customer-42"
    ));
}

#[test]
fn debug_of_jobs_and_builders_never_shows_identity_numbers() {
    let builder = portal_job().signer(notified(OTHER_PIN)).sender("984661185");
    let builder_debug = format!("{builder:?}");
    let job = builder.build().unwrap();
    for text in [builder_debug, format!("{job:?}"), format!("{job:#?}")] {
        assert!(!text.contains(PIN), "{text}");
        assert!(!text.contains(OTHER_PIN), "{text}");
        assert!(!text.contains("kari@"), "{text}");
        assert!(text.contains("240681*****"), "{text}");
        assert!(text.contains("640681*****"), "{text}");
    }
}

#[test]
fn cloning_a_job_shares_document_bytes() {
    let job = SigningJob::builder("Contract")
        .document(Document::pdf("A", "a.pdf", vec![7u8; 4096]))
        .signer(notified(PIN))
        .build()
        .unwrap();
    let copy = job.clone();
    let pointer = |job: &SigningJob| match job.documents()[0].content() {
        DocumentContent::Bytes(bytes) => bytes.as_ptr(),
        other => panic!("in memory: {other:?}"),
    };
    assert_eq!(pointer(&job), pointer(&copy));
}
