//! The Altinn 3 client (altinn-adapter) against the Altinn 3 emulator: every call, and the
//! refusals the real services give (bad token, wrong action for the task, not found).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod common;

use common::altinn3::{Setup, refusal};
use common::sha256_hex;

use altinn_adapter::auth::BearerToken;
use altinn_adapter::v3::{
    Action, ActionRequest, AppId, Client, ClientBuilder, DialogQuery, DialogStatus, Environment,
    InstanceId, InstanceOwner, InstanceQuery, NewData, NewInstance, ProcessNext, Service, TaskType,
    TokenProvider,
};
use altinn_adapter::{Error, ErrorCode};
use signature_core::{
    ArtifactRef, Capability, FormPart, JobStatus, ServiceForm, SignatureService, SignerStatus,
    SigningJob,
};
use signature_emulator::altinn3::{Altinn3Emulator, DOCUMENT_DATA_TYPE, SIGNATURE_DATA_TYPE};

const PERSON: &str = "24068110048";
const OTHER: &str = "01017010170";
const APP: &str = "ttd/signing-demo";
const PDF: &[u8] = b"%PDF-1.7\n% a document to sign\n%%EOF\n";

async fn setup() -> Setup {
    let emulator = Altinn3Emulator::builder().app(APP).start().await.unwrap();
    let party = emulator.add_person(PERSON, "Kari Nordmann");
    emulator.add_person(OTHER, "Ola Nordmann");
    let client = client_for(&emulator, &emulator.issue_idporten_token(PERSON));
    Setup {
        party,
        client,
        app: AppId::parse(APP).unwrap(),
        emulator,
    }
}

/// A client builder for `emulator` that exchanges `token` as a `provider` token.
fn exchanging(
    emulator: &Altinn3Emulator,
    provider: TokenProvider,
    token: BearerToken,
) -> ClientBuilder {
    Client::builder(Environment::custom(emulator.base_url()).unwrap()).exchange(provider, token)
}

fn client_for(emulator: &Altinn3Emulator, idporten: &str) -> Client {
    exchanging(
        emulator,
        TokenProvider::IdPorten,
        BearerToken::new(idporten.to_owned()),
    )
    .language("nb")
    .build()
    .unwrap()
}

fn new_instance(party: u64) -> NewInstance {
    NewInstance::new(InstanceOwner::PartyId(party))
        .data(NewData::new(
            "model",
            "application/xml",
            "<Skjema><Navn>Eksempel</Navn></Skjema>",
        ))
        .data(NewData::new(DOCUMENT_DATA_TYPE, "application/pdf", PDF).filename("avtale.pdf"))
}

#[tokio::test]
async fn token_exchange_is_cached_and_refused_for_bad_tokens() {
    let s = setup().await;
    let first = s.client.altinn_token().await.unwrap();
    let second = s.client.altinn_token().await.unwrap();
    assert_eq!(first.expose(), second.expose());
    assert_eq!(s.emulator.exchanges(), 1);
    assert_eq!(format!("{first:?}"), "***");

    // A token the emulator never issued.
    let stranger = client_for(&s.emulator, "id-porten-not-issued");
    match stranger.altinn_token().await {
        Err(Error::NotAuthenticated { detail, .. }) => assert!(detail.contains("id-porten")),
        other => panic!("unexpected {other:?}"),
    }
    // An ID-porten token presented as a Maskinporten token.
    let wrong = exchanging(
        &s.emulator,
        TokenProvider::Maskinporten,
        BearerToken::new(s.emulator.issue_idporten_token(PERSON)),
    )
    .build()
    .unwrap();
    assert!(matches!(
        wrong.altinn_token().await,
        Err(Error::NotAuthenticated { .. })
    ));
    // An unknown provider: 400 with a plain-text message.
    let unknown = exchanging(
        &s.emulator,
        TokenProvider::Other("facebook".to_owned()),
        BearerToken::new("x"),
    )
    .build()
    .unwrap();
    let problem = refusal(unknown.altinn_token().await, 400);
    assert!(
        problem
            .message()
            .unwrap()
            .contains("Trusted token providers")
    );
    // A Maskinporten token for an organisation.
    s.emulator.add_organisation("310000001", "Eksempel AS");
    let org = exchanging(
        &s.emulator,
        TokenProvider::Maskinporten,
        BearerToken::new(s.emulator.issue_maskinporten_token("310000001")),
    )
    .build()
    .unwrap();
    org.altinn_token().await.unwrap();
}

#[tokio::test]
async fn an_expired_altinn_token_is_exchanged_again_once() {
    let s = setup().await;
    s.client
        .instances(&InstanceQuery::for_party(s.party))
        .await
        .unwrap();
    assert_eq!(s.emulator.exchanges(), 1);
    // The service refuses the cached Altinn token (401): one new exchange, and the request
    // is repeated.
    s.emulator.expire_altinn_tokens();
    s.client
        .instances(&InstanceQuery::for_party(s.party))
        .await
        .unwrap();
    assert_eq!(s.emulator.exchanges(), 2);

    // The ID-porten token expired as well: the exchange refuses it, the refresh callback's
    // token is exchanged instead.
    let expired = s.emulator.issue_idporten_token(PERSON);
    s.emulator.expire_tokens();
    let fresh = s.emulator.issue_idporten_token(PERSON);
    let refreshing = exchanging(
        &s.emulator,
        TokenProvider::IdPorten,
        BearerToken::new(expired).with_refresh(move || {
            let token = fresh.clone();
            async move { Ok::<_, std::io::Error>(token) }
        }),
    )
    .build()
    .unwrap();
    refreshing
        .instances(&InstanceQuery::for_party(s.party))
        .await
        .unwrap();
    assert_eq!(
        s.emulator.exchanges(),
        3,
        "one exchange, of the refreshed token"
    );
    // Without a way to renew, the refusal reaches the caller.
    s.emulator.expire_tokens();
    assert!(matches!(
        s.client.instances(&InstanceQuery::for_party(s.party)).await,
        Err(Error::NotAuthenticated { .. })
    ));
}

#[tokio::test]
async fn the_cached_token_is_renewed_a_minute_before_its_exp() {
    // Tokens living 30 s are inside the renewal margin, so every call exchanges anew.
    let emulator = Altinn3Emulator::builder()
        .app(APP)
        .token_lifetime(std::time::Duration::from_secs(30))
        .start()
        .await
        .unwrap();
    emulator.add_person(PERSON, "Kari Nordmann");
    let client = client_for(&emulator, &emulator.issue_idporten_token(PERSON));
    client.altinn_token().await.unwrap();
    client.altinn_token().await.unwrap();
    assert_eq!(emulator.exchanges(), 2);
}

#[tokio::test]
async fn create_get_and_walk_the_process_to_the_end() {
    let s = setup().await;
    let created = s.create(&new_instance(s.party)).await;
    assert_eq!(created.id.party_id(), s.party);
    assert_eq!(created.app_id, APP);
    assert_eq!(created.data.len(), 2);
    // An instance carries Storage's ProcessState: the task, but no actions or task list
    // (audit M6); those come from GET …/process.
    let process = created.process.clone().unwrap();
    assert_eq!(process.task_type(), Some(&TaskType::Data));
    assert!(process.process_tasks.is_empty());
    let full = s.client.process(&s.app, &created.id).await.unwrap();
    assert_eq!(full.process_tasks.len(), 3);

    let got = s.client.instance(&s.app, &created.id).await.unwrap();
    assert_eq!(got.id, created.id);
    let elements = s.client.data_elements(&s.app, &created.id).await.unwrap();
    let document = elements
        .iter()
        .find(|d| d.data_type == DOCUMENT_DATA_TYPE)
        .unwrap();
    assert_eq!(document.filename.as_deref(), Some("avtale.pdf"));
    assert_eq!(document.size, Some(PDF.len() as u64));

    // Wrong action for the data task: 403 ProblemDetails.
    let problem = refusal(
        s.client
            .process_next(&s.app, &created.id, &ProcessNext::sign())
            .await,
        403,
    );
    assert_eq!(
        problem.details.as_ref().unwrap().title.as_deref(),
        Some("Forbidden")
    );
    assert!(
        problem
            .message()
            .unwrap()
            .contains("Task ID: Task_1. Task type: data. Action: sign.")
    );
    // The signing state outside a signing task: 400 "Not a signing task".
    let problem = refusal(s.client.signing_state(&s.app, &created.id, None).await, 400);
    assert_eq!(problem.reason.as_deref(), Some("Not a signing task"));
    refusal(
        s.client
            .signing_data_elements(&s.app, &created.id, None)
            .await,
        400,
    );
    // Signing through /actions outside a signing task: 403.
    refusal(
        s.client
            .perform_action(&s.app, &created.id, &ActionRequest::sign())
            .await,
        403,
    );

    let signing = s.next(&created.id, &ProcessNext::new()).await;
    assert!(signing.awaits_signature());
    assert_eq!(signing.current_task.as_ref().unwrap().element_id, "Task_2");
    let process = s.client.process(&s.app, &created.id).await.unwrap();
    assert_eq!(process, signing);
    let to_sign = s
        .client
        .signing_data_elements(&s.app, &created.id, None)
        .await
        .unwrap();
    assert_eq!(to_sign.len(), 1);
    assert!(
        s.client
            .signing_state(&s.app, &created.id, None)
            .await
            .unwrap()
            .signees
            .is_empty()
    );
    // Confirming in the signing task is the wrong action.
    refusal(
        s.client
            .process_next(&s.app, &created.id, &ProcessNext::perform(Action::Confirm))
            .await,
        403,
    );

    let confirmation = s.next(&created.id, &ProcessNext::sign()).await;
    assert_eq!(confirmation.task_type(), Some(&TaskType::Confirmation));
    let signed = s.client.instance(&s.app, &created.id).await.unwrap();
    let signature = signed.data_of_type(SIGNATURE_DATA_TYPE).next().unwrap();
    let record = s
        .client
        .sign_document(&s.app, &created.id, &signature.id)
        .await
        .unwrap();
    assert_eq!(record.signee.person_number.as_deref(), Some(PERSON));
    assert!(!format!("{record:?}").contains(PERSON));
    let document = signed.data_of_type(DOCUMENT_DATA_TYPE).next().unwrap();
    assert!(document.locked);
    let signed_element = &record.data_element_signatures[0];
    assert_eq!(signed_element.data_element_id, document.id);
    let expected = sha256_hex(PDF);
    assert_eq!(
        signed_element.sha256_hash.as_deref(),
        Some(expected.as_str())
    );

    let ended = s
        .next(&created.id, &ProcessNext::perform(Action::Confirm))
        .await;
    assert!(ended.is_ended());
    // After the end: 409 ProblemDetails from process/next, plain 409 from actions.
    let next = s
        .client
        .process_next(&s.app, &created.id, &ProcessNext::new())
        .await;
    let sign = s
        .client
        .perform_action(&s.app, &created.id, &ActionRequest::sign())
        .await;
    // The platform puts the reason in `detail` (title null): audit L1.
    assert_eq!(refusal(next, 409).message(), Some("Process is ended."));
    assert_eq!(refusal(sign, 409).message(), Some("Process is ended."));
    assert!(
        s.client
            .instance(&s.app, &created.id)
            .await
            .unwrap()
            .is_archived()
    );
}

#[tokio::test]
async fn parallel_signing_through_actions_and_downloads() {
    let s = setup().await;
    let created = s.create(&new_instance(s.party)).await;
    s.next(&created.id, &ProcessNext::new()).await;
    let result = s
        .client
        .perform_action(&s.app, &created.id, &ActionRequest::sign())
        .await
        .unwrap();
    let instance = result.instance.unwrap();
    // Still at the signing task, with a signature recorded.
    // Still at the signing task: the instance's (Storage) process says which task, the
    // app's process says whether the caller may sign there.
    assert_eq!(
        instance.process.unwrap().task_type(),
        Some(&TaskType::Signing)
    );
    assert!(
        s.client
            .process(&s.app, &created.id)
            .await
            .unwrap()
            .awaits_signature()
    );
    let state = s
        .client
        .signing_state(&s.app, &created.id, None)
        .await
        .unwrap();
    assert_eq!(state.signees.len(), 1);
    assert_eq!(state.signees[0].name.as_deref(), Some("Kari Nordmann"));
    assert_eq!(state.signees[0].party_id, s.party);
    assert!(state.signees[0].has_signed());
    // An action the app has no handler for: 404 with a UserActionResponse error.
    // An action not authorised on the task is a 403 first (audit L2); `reject` is
    // authorised but has no handler.
    let problem = refusal(
        s.client
            .perform_action(&s.app, &created.id, &ActionRequest::new(Action::Reject))
            .await,
        404,
    );
    assert_eq!(
        problem.code.as_ref().map(ErrorCode::as_str),
        Some("ActionNotFound")
    );

    let signature = instance
        .data
        .iter()
        .find(|d| d.data_type == SIGNATURE_DATA_TYPE)
        .unwrap();
    let mut sink = Vec::new();
    let written = s
        .client
        .download_data(&s.app, &created.id, &signature.id, &mut sink)
        .await
        .unwrap();
    assert_eq!(written, sink.len() as u64);
    assert!(String::from_utf8(sink).unwrap().contains("signeeInfo"));
    // The document through its Storage self link.
    let document = instance
        .data
        .iter()
        .find(|d| d.data_type == DOCUMENT_DATA_TYPE)
        .unwrap();
    let mut pdf = Vec::new();
    s.client
        .download_url(document.platform_url().unwrap(), &mut pdf)
        .await
        .unwrap();
    assert_eq!(pdf, PDF);
    // A link to another host is not followed with the token.
    assert!(matches!(
        s.client
            .download_url("https://evil.example/x", &mut Vec::new())
            .await,
        Err(Error::ForeignLink)
    ));
    // Unknown data element: 404.
    refusal(
        s.client
            .download_data(
                &s.app,
                &created.id,
                "00000000-0000-4000-8000-000000000000",
                &mut Vec::new(),
            )
            .await,
        404,
    );
    // The download limit.
    let small = exchanging(
        &s.emulator,
        TokenProvider::IdPorten,
        BearerToken::new(s.emulator.issue_idporten_token(PERSON)),
    )
    .max_download_size(10)
    .build()
    .unwrap();
    assert!(matches!(
        small
            .download_data(&s.app, &created.id, &document.id, &mut Vec::new())
            .await,
        Err(Error::ResponseTooLarge { limit: 10 })
    ));
}

#[tokio::test]
async fn not_found_forbidden_and_bad_data() {
    let s = setup().await;
    let missing =
        InstanceId::parse(&format!("{}/00000000-0000-4000-8000-000000000000", s.party)).unwrap();
    refusal(s.client.instance(&s.app, &missing).await, 404);
    refusal(s.client.process(&s.app, &missing).await, 404);
    let unknown_app = AppId::parse("ttd/no-such-app").unwrap();
    refusal(
        s.client
            .create_instance(&unknown_app, &new_instance(s.party))
            .await,
        404,
    );
    // Data the app's data types do not allow: 400 plain text.
    let bad = NewInstance::new(InstanceOwner::PartyId(s.party)).data(NewData::new(
        DOCUMENT_DATA_TYPE,
        "text/plain",
        "not a pdf",
    ));
    let problem = refusal(s.client.create_instance(&s.app, &bad).await, 400);
    assert!(problem.message().unwrap().contains("application metadata"));
    // Another person's instance: 403 on the app, on Storage and not in their dialogs.
    let created = s.create(&new_instance(s.party)).await;
    let other = client_for(&s.emulator, &s.emulator.issue_idporten_token(OTHER));
    refusal(other.instance(&s.app, &created.id).await, 403);
    refusal(
        other.instances(&InstanceQuery::for_party(s.party)).await,
        403,
    );
    refusal(
        other.create_instance(&s.app, &new_instance(s.party)).await,
        403,
    );
    let theirs = other
        .dialogs(&DialogQuery::new().service_resource(s.app.service_resource()))
        .await
        .unwrap();
    assert!(theirs.items.is_empty());
    let mine = s
        .client
        .dialogs(&DialogQuery::new().service_resource(s.app.service_resource()))
        .await
        .unwrap();
    refusal(other.dialog(&mine.items[0].id).await, 404);
    // Storage without a party: 400 with Storage's plain-text message.
    let problem = refusal(s.client.instances(&InstanceQuery::default()).await, 400);
    assert!(problem.message().unwrap().contains("InstanceOwnerPartyId"));
    // A dialog search without party or resource is refused before sending.
    assert!(matches!(
        s.client.dialogs(&DialogQuery::new()).await,
        Err(Error::Configuration(_))
    ));
}

#[tokio::test]
async fn storage_query_pages_with_continuation() {
    let s = setup().await;
    let mut ids = Vec::new();
    for _ in 0..5 {
        ids.push(s.create(&new_instance(s.party)).await.id);
    }
    s.next(&ids[0], &ProcessNext::new()).await;
    let query = InstanceQuery::for_party(s.party).app(&s.app).size(2);
    let first = s.client.instances(&query).await.unwrap();
    assert_eq!(first.instances.len(), 2);
    assert!(first.next.is_some());
    let second = s.client.next_instances(&first).await.unwrap().unwrap();
    assert_eq!(second.instances.len(), 2);
    let all = s.client.all_instances(&query).await.unwrap();
    assert_eq!(all.len(), 5);
    let mut seen: Vec<_> = all.iter().map(|i| i.id.clone()).collect();
    seen.sort();
    let mut expected = ids.clone();
    expected.sort();
    assert_eq!(seen, expected);
    assert!(
        all[0]
            .platform_url()
            .unwrap()
            .contains("/storage/api/v1/instances/")
    );
    let at_signing = s
        .client
        .all_instances(
            &InstanceQuery::for_party(s.party)
                .current_task("Task_2")
                .archived(false),
        )
        .await
        .unwrap();
    assert_eq!(at_signing.len(), 1);
    assert_eq!(at_signing[0].id, ids[0]);
}

#[tokio::test]
async fn dialogporten_finds_instances_waiting_for_signature() {
    let s = setup().await;
    let waiting = s.create(&new_instance(s.party)).await;
    let draft = s.create(&new_instance(s.party)).await;
    s.next(&waiting.id, &ProcessNext::new()).await;
    let urn = format!("urn:altinn:person:identifier-no:{PERSON}");
    // The app's dialogs of the person, one per page.
    let first_page = DialogQuery::new()
        .party(&urn)
        .service_resource(s.app.service_resource())
        .limit(1);
    let page = s.client.dialogs(&first_page).await.unwrap();
    assert_eq!(page.items.len(), 1);
    assert!(page.has_next_page);
    let page2 = s
        .client
        .dialogs(
            &DialogQuery::new()
                .party(&urn)
                .limit(1)
                .continuation_token(page.continuation_token.clone().unwrap()),
        )
        .await
        .unwrap();
    assert_eq!(page2.items.len(), 1);
    assert!(!page2.has_next_page);
    let in_progress = s
        .client
        .dialogs(
            &DialogQuery::new()
                .party(&urn)
                .status(DialogStatus::InProgress),
        )
        .await
        .unwrap();
    assert_eq!(in_progress.items.len(), 1);
    assert_eq!(in_progress.items[0].status, Some(DialogStatus::InProgress));
    assert!(
        in_progress.items[0].gui_actions.is_empty(),
        "search items carry no actions"
    );
    let dialog = s.client.dialog(&in_progress.items[0].id).await.unwrap();
    // The dialog's GUI action says nothing about signing (live it is always `read`); the
    // dialog maps to its instance, whose process decides.
    assert_eq!(dialog.instance().unwrap().id, waiting.id);

    let found = s.client.awaiting_signature(&first_page).await.unwrap();
    assert_eq!(found.dialogs_seen, 2, "the draft's dialog is searched too");
    assert!(found.skipped.is_empty(), "{:?}", found.skipped);
    let found = found.awaiting;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].instance.id, waiting.id);
    assert_eq!(found[0].instance.app, s.app);
    assert!(found[0].process.awaits_signature());
    assert_ne!(found[0].instance.id, draft.id);
    refusal(
        s.client
            .dialog("01936b2e-0000-7000-8000-000000000001")
            .await,
        404,
    );
}

#[tokio::test]
async fn the_signature_service() {
    let s = setup().await;
    let service = Service::new(s.client.clone(), InstanceOwner::PartyId(s.party));
    assert!(
        service
            .capabilities()
            .contains(Capability::DownloadSignatureRecord)
    );
    assert!(!service.capabilities().contains(Capability::CreatePortalJob));
    let job = SigningJob::builder("Avtale")
        .form(
            ServiceForm::new(APP, 1)
                .part(FormPart::main("model", "1", "<Skjema/>"))
                .attachment_type(DOCUMENT_DATA_TYPE),
        )
        .document(signature_core::Document::pdf(
            "Avtale",
            "avtale.pdf",
            PDF.to_vec(),
        ))
        .build()
        .unwrap();
    let created = service.create_job(&job).await.unwrap();
    let status = service.job_status(&created.id).await.unwrap();
    assert_eq!(status.status, JobStatus::InProgress);
    assert!(status.signers.is_empty());
    assert!(status.job_artifacts.is_empty());
    let (app, id) = Service::parse_job_id(&created.id).unwrap();
    s.client
        .perform_action(&app, &id, &ActionRequest::sign())
        .await
        .unwrap();
    let status = service.job_status(&created.id).await.unwrap();
    assert_eq!(status.signers.len(), 1);
    assert_eq!(status.signers[0].status, SignerStatus::Signed);
    assert!(status.signers[0].since.is_some());
    let records = service.signature_records(&created.id).await.unwrap();
    assert_eq!(records.len(), 1);
    let mut sink = Vec::new();
    service.download(&records[0], &mut sink).await.unwrap();
    assert!(
        String::from_utf8(sink)
            .unwrap()
            .contains("dataElementSignatures")
    );
    assert!(matches!(
        service
            .download(&ArtifactRef::pades("http://x/"), &mut Vec::new())
            .await,
        Err(signature_core::Error::Unsupported(
            Capability::DownloadPades
        ))
    ));
    s.client
        .process_next(&app, &id, &ProcessNext::sign())
        .await
        .unwrap();
    s.client
        .process_next(&app, &id, &ProcessNext::perform(Action::Confirm))
        .await
        .unwrap();
    assert_eq!(
        service.job_status(&created.id).await.unwrap().status,
        JobStatus::CompletedSuccessfully
    );
    // The neutral trait answers the same, and an ended job lists its signature records.
    assert!(service.capabilities().contains(Capability::StatusByJobId));
    let neutral = SignatureService::job_status(&service, &created.id)
        .await
        .unwrap();
    assert_eq!(neutral.status, JobStatus::CompletedSuccessfully);
    assert_eq!(
        neutral.job_artifacts,
        service.signature_records(&created.id).await.unwrap()
    );
    assert!(!neutral.job_artifacts.is_empty());
    // Unsupported operations are reported as such.
    assert!(matches!(
        service
            .cancel(&signature_core::CancellationHandle::new("x"))
            .await,
        Err(signature_core::Error::Unsupported(Capability::Cancel))
    ));
    // A job with an addressed signer is refused instead of dropping the signer.
    let addressed = SigningJob::builder("Avtale")
        .form(ServiceForm::new(APP, 1).part(FormPart::main("model", "1", "<Skjema/>")))
        .signer(
            signature_core::Signer::with_personal_identification_number(PERSON)
                .notify_by_email("a@b.no"),
        )
        .build()
        .unwrap();
    assert!(matches!(
        service.create_job(&addressed).await,
        Err(signature_core::Error::Unsupported(_))
    ));
    // An unknown job: 404 through the core error.
    let missing = signature_core::JobId::new(format!(
        "{APP}/{}/00000000-0000-4000-8000-000000000000",
        s.party
    ));
    assert!(matches!(
        service.job_status(&missing).await,
        Err(signature_core::Error::Service {
            http_status: 404,
            ..
        })
    ));
}
