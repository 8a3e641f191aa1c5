//! Submitting to signing and signing, whole and partial, against the emulator; and the
//! provider-neutral service.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use altinn_adapter::auth::BearerToken;
use altinn_adapter::v2::auth::PasswordLogin;
use altinn_adapter::v2::{
    Client, Environment, FormTask, MessageId, MessageStatus, NewAttachment, NewForm, Service,
    SignatureItem, SignatureSelection, SignatureSpec, Who,
};
use altinn_adapter::{Error, ErrorCode};
use signature_core::{
    ArtifactRef, Capability, Document, FormPart, JobStatus, ServiceForm, SignatureService, Signer,
    SigningJob,
};
use signature_emulator::altinn::{FormTaskSeed, Status};
use support::{API_KEY, client, emulator};

fn task() -> FormTask {
    FormTask::new("4711", 2)
        .form(NewForm::main("5703", "34554", "<Skjema/>"))
        .form(NewForm::sub("5704", "1", "<Under/>"))
        .attachment(NewAttachment::new("notat.txt", "Vedlegg", &b"hei"[..]))
}

#[tokio::test]
async fn submit_to_signing_then_sign_the_whole_set() {
    let emulator = emulator().start().await.unwrap();
    let client = client(&emulator, BearerToken::new(emulator.issue_token(4)));

    let submitted = client.submit_to_signing(&Who::My, &task()).await.unwrap();
    assert!(
        submitted
            .location
            .ends_with(&format!("/api/my/messages/{}", submitted.message_id))
    );
    let stored = emulator
        .stored_message("my", submitted.message_id.as_str())
        .unwrap();
    assert_eq!(stored.status, Status::Signing);
    assert_eq!(stored.forms.len(), 2);
    assert_eq!(stored.attachments[0].data, b"hei");

    let message = client
        .message(&Who::My, &submitted.message_id)
        .await
        .unwrap();
    assert_eq!(message.status, MessageStatus::Signing);
    let signed = client
        .sign(&Who::My, &submitted.message_id, &SignatureSelection::Whole)
        .await
        .unwrap();
    assert!(signed.is_archived());
    let location = signed.archived.location.unwrap();
    let archived = client.message_at(&location).await.unwrap();
    assert_eq!(archived.status, MessageStatus::SentAndArchived);
    assert_eq!(archived.original_id, Some(submitted.message_id.clone()));
    assert!(archived.archive_reference.unwrap().starts_with("AR"));
    // The active id is gone once archived.
    assert!(matches!(
        client.message(&Who::My, &submitted.message_id).await,
        Err(Error::Service(problem)) if problem.status == 404
    ));
    // Signing again is a conflict on the archived item.
    let archived_id = archived.id;
    match client
        .sign(&Who::My, &archived_id, &SignatureSelection::Whole)
        .await
    {
        Err(Error::Service(problem)) if problem.status == 409 => assert_eq!(
            problem.reason.as_deref(),
            Some("The message is already signed and archived")
        ),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn large_attachments_are_streamed_before_sending_to_signing() {
    let emulator = emulator().start().await.unwrap();
    let client = Client::builder(Environment::custom(emulator.base_url()).unwrap(), API_KEY)
        .auth(BearerToken::new(emulator.issue_token(4)))
        .streaming_threshold(16)
        .build()
        .unwrap();
    let big: Vec<u8> = (0..200_000u32).map(|n| (n % 251) as u8).collect();
    let task = task().attachment(NewAttachment::new("stor.bin", "Vedlegg", big.clone()));
    let submitted = client.submit_to_signing(&Who::My, &task).await.unwrap();
    let stored = emulator
        .stored_message("my", submitted.message_id.as_str())
        .unwrap();
    assert_eq!(
        stored.status,
        Status::Signing,
        "sent to signing after the upload"
    );
    assert_eq!(stored.attachments.len(), 2);
    assert_eq!(stored.attachments[0].data, b"hei", "small one inline");
    assert_eq!(stored.attachments[1].file_name, "stor.bin");
    assert_eq!(stored.attachments[1].data, big, "large one streamed");
}

#[tokio::test]
async fn invalid_form_sets_are_rejected_with_the_error_body() {
    let emulator = emulator().start().await.unwrap();
    let client = client(&emulator, BearerToken::new(emulator.issue_token(4)));
    let no_main = FormTask::new("4711", 2).form(NewForm::sub("5704", "1", "<Under/>"));
    match client.submit_to_signing(&Who::My, &no_main).await {
        Err(Error::Service(problem)) if problem.status == 400 => {
            assert_eq!(problem.code, Some(ErrorCode::Unknown("40010".into())));
            assert_eq!(
                problem.error_message.as_deref(),
                Some("Form validation failed: exactly one MainForm is required")
            );
        }
        other => panic!("{other:?}"),
    }
}

fn locked_seed() -> FormTaskSeed {
    FormTaskSeed::new("4711", 2)
        .main_form("5703", "34554", "<Skjema/>")
        .form(false, "5704", "1", "<Under/>", false, true)
        .attachment("krav.pdf", "Vedlegg", b"%PDF", true, true)
        .attachment("valgfri.pdf", "Vedlegg", b"%PDF", false, true)
}

#[tokio::test]
async fn partial_signature_keeps_locked_items_or_is_refused_before_sending() {
    let emulator = emulator().start().await.unwrap();
    let id = MessageId::new(emulator.add_form_task("my", locked_seed()));
    let client = client(&emulator, BearerToken::new(emulator.issue_token(4)));
    let forms = client.forms(&Who::My, &id).await.unwrap();
    let attachments = client.attachments(&Who::My, &id).await.unwrap();
    let (main, sub) = (forms[0].id, forms[1].id);
    let (required, optional) = (attachments[0].id, attachments[1].id);

    let omits = SignatureSelection::Partial(SignatureSpec {
        form_ids: vec![main, sub],
        attachment_ids: vec![optional],
    });
    match client.sign(&Who::My, &id, &omits).await {
        Err(Error::LockedItemOmitted(SignatureItem::Attachment(item))) => {
            assert_eq!(item, required)
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        emulator.stored_message("my", id.as_str()).unwrap().status,
        Status::Signing
    );

    let unknown = SignatureSelection::Partial(SignatureSpec {
        form_ids: vec![main, 424_242],
        attachment_ids: vec![required],
    });
    assert!(matches!(
        client.sign(&Who::My, &id, &unknown).await,
        Err(Error::UnknownItem(SignatureItem::Form(424_242)))
    ));

    let partial = SignatureSelection::Partial(SignatureSpec {
        form_ids: vec![main],
        attachment_ids: vec![required],
    });
    let signed = client.sign(&Who::My, &id, &partial).await.unwrap();
    let archived_id = signed.archived.message_id.unwrap();
    let stored = emulator.stored_message("my", archived_id.as_str()).unwrap();
    assert_eq!(stored.signed_items, Some((vec![main], vec![required])));
}

#[tokio::test]
async fn a_level_one_login_cannot_sign_a_level_three_service() {
    let emulator = support::person_emulator("kari", "passord").await;
    let id = MessageId::new(emulator.add_form_task("my", locked_seed()));
    let client = client(&emulator, PasswordLogin::new("kari", "passord"));
    match client.sign(&Who::My, &id, &SignatureSelection::Whole).await {
        Err(Error::Service(problem)) if problem.status == 403 => assert_eq!(
            problem.reason.as_deref(),
            Some("The authentication level is too low to sign this message")
        ),
        other => panic!("{other:?}"),
    }
}

fn form() -> ServiceForm {
    ServiceForm::new("4711", 2)
        .part(FormPart::main("5703", "34554", "<Skjema/>"))
        .attachment_type("Vedlegg")
}

#[tokio::test]
async fn the_neutral_service_submits_form_jobs_and_reports_the_receipt() {
    let emulator = emulator().start().await.unwrap();
    let client = client(&emulator, BearerToken::new(emulator.issue_token(4)));
    let service = Service::new(client.clone(), Who::My);
    let capabilities = service.capabilities();
    assert!(capabilities.contains(Capability::SubmitForm));
    for missing in [
        Capability::CreatePortalJob,
        Capability::AddressedSigners,
        Capability::ExplicitNotifications,
        Capability::LookupNotifications,
        Capability::AuthenticationLevel,
        Capability::PollStatusChanges,
    ] {
        assert!(!capabilities.contains(missing), "{missing:?}");
    }

    let job = SigningJob::builder("Søknad")
        .form(form())
        .document(Document::pdf(
            "Budsjett",
            "budsjett.pdf",
            b"%PDF-1.4".to_vec(),
        ))
        .build()
        .unwrap();
    let created = service.create_job(&job).await.unwrap();
    let stored = emulator.stored_message("my", created.id.as_str()).unwrap();
    assert_eq!(stored.attachments[0].file_name, "budsjett.pdf");
    assert_eq!(stored.attachments[0].attachment_type, "Vedlegg");

    let waiting = service.job_status(&created.id).await.unwrap();
    assert_eq!(waiting.status, JobStatus::InProgress);
    assert!(waiting.receipt().is_none());

    client
        .sign(
            &Who::My,
            &MessageId::new(created.id.as_str()),
            &SignatureSelection::Whole,
        )
        .await
        .unwrap();
    let done = service.job_status(&created.id).await.unwrap();
    assert_eq!(done.status, JobStatus::CompletedSuccessfully);
    let receipt = done.receipt().cloned().unwrap();
    assert!(matches!(receipt, ArtifactRef::Receipt { .. }));
    let mut pdf = Vec::new();
    service.download(&receipt, &mut pdf).await.unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let unsupported = service
        .download(&ArtifactRef::pades(receipt.url()), &mut pdf)
        .await;
    assert!(matches!(
        unsupported,
        Err(signature_core::Error::Unsupported(
            Capability::DownloadPades
        ))
    ));

    service
        .delete_documents(done.delete_documents.as_ref().unwrap())
        .await
        .unwrap();
    assert!(service.job_status(&created.id).await.is_err());
}

#[tokio::test]
async fn the_neutral_service_refuses_what_altinn_cannot_do() {
    let emulator = emulator().start().await.unwrap();
    let service = Service::new(
        client(&emulator, BearerToken::new(emulator.issue_token(4))),
        Who::My,
    );
    let with_signer = SigningJob::builder("Søknad")
        .form(form())
        .signer(
            Signer::with_personal_identification_number("24068110048")
                .notify_by_email("kari@example.com"),
        )
        .build()
        .unwrap();
    assert!(
        with_signer
            .required_capabilities()
            .contains(Capability::AddressedSigners)
    );
    // The first missing capability in declaration order is named: here the notification.
    assert!(matches!(
        service.create_job(&with_signer).await,
        Err(signature_core::Error::Unsupported(
            Capability::ExplicitNotifications | Capability::AddressedSigners
        ))
    ));
    let documents_only = SigningJob::builder("Kontrakt")
        .document(Document::pdf("Kontrakt", "kontrakt.pdf", b"%PDF".to_vec()))
        .signer(
            Signer::with_personal_identification_number("24068110048")
                .notify_by_email("kari@example.com"),
        )
        .build()
        .unwrap();
    assert!(matches!(
        service.create_job(&documents_only).await,
        Err(signature_core::Error::Unsupported(
            Capability::CreatePortalJob
        ))
    ));
    let described = SigningJob::builder("Søknad")
        .form(form())
        .description("Vennligst signer")
        .build()
        .unwrap();
    assert!(matches!(
        service.create_job(&described).await,
        Err(signature_core::Error::Unsupported(Capability::Description))
    ));
    assert!(
        emulator.stored_message("my", "a1").is_none(),
        "nothing was sent"
    );
}
