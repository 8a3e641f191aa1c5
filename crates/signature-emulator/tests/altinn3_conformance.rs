//! OpenAPI conformance of the Altinn 3 client and emulator: each test drives the real
//! `altinn_adapter` client against the emulator with recording on, then judges every
//! recorded request and answer against the official documents in
//! `../shared/reference/altinn3/` (every `*.json` there; see its SOURCES.txt) with
//! `signering_testkit::openapi`. Storage and the token exchange, which publish no document,
//! are judged by the table in [`facts`], written from `ROUTES-without-openapi.md`.
//!
//! The last test lists the client's calls from its source and fails when one has no
//! conformance test here.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use altinn_adapter::Error;
use altinn_adapter::v3::{
    Action, ActionRequest, AppId, Client, DialogQuery, DialogStatus, InstanceId, InstanceOwner,
    InstanceQuery, NewData, NewInstance, ProcessNext, Service, TokenProvider,
};
use signature_core::SignatureService;
use signature_emulator::altinn3::{
    Altinn3Emulator, DOCUMENT_DATA_TYPE, GENERATED_PDF_DATA_TYPE, MODEL_DATA_TYPE,
    RecordedExchange, SIGNATURE_DATA_TYPE,
};
use signering_testkit::openapi::{Conformance, Exchange};

const PERSON: &str = "24068110048";
const ORG: &str = "310000001";
const APP: &str = "ttd/signing-demo";
const ROUTES: &str = "ROUTES-without-openapi.md";

#[path = "common/altinn3.rs"]
mod shared;
#[path = "altinn3_conformance/tables.rs"]
mod tables;

use shared::{Setup, recording_emulator, refusal};
use tables::{INSTANCE_PATH, departures, documents, facts};

fn conformance(test: &str) -> Option<Conformance> {
    let dir = signering_testkit::altinn3_reference_dir(test)?;
    assert!(dir.join(ROUTES).is_file());
    let mut conformance = Conformance::new().departures(departures());
    for (spec, fallback) in documents(&dir) {
        conformance = if fallback {
            conformance.fallback_spec(spec)
        } else {
            conformance.spec(spec)
        };
    }
    let (schemas, routes) = facts(&dir);
    Some(conformance.facts(schemas, routes))
}

fn exchange(recorded: &RecordedExchange) -> Exchange {
    Exchange {
        method: recorded.method.clone(),
        path: recorded.path.clone(),
        query: recorded.query.clone(),
        request_content_type: recorded.request_content_type.clone(),
        request_body: recorded.request_body.to_vec(),
        status: recorded.status,
        response_content_type: recorded.response_content_type.clone(),
        response_body: recorded.response_body.to_vec(),
    }
}

/// Judges everything `emulator` recorded; fails on any violation and when one of `expected`
/// (`"METHOD template"`) was not exercised. Returns the operations seen.
fn assert_conforms(test: &str, emulator: &Altinn3Emulator, expected: &[&str]) -> Vec<String> {
    let Some(conformance) = conformance(test) else {
        return Vec::new();
    };
    let recorded: Vec<Exchange> = emulator.recorded().iter().map(exchange).collect();
    assert!(!recorded.is_empty(), "{test}: nothing was recorded");
    let (operations, violations) = conformance.check_all(&recorded);
    assert!(
        violations.is_empty(),
        "{test}: {} violation(s) of the official API descriptions:\n{}",
        violations.len(),
        violations.join("\n")
    );
    for want in expected {
        assert!(
            operations.iter().any(|op| op.ends_with(want)),
            "{test}: `{want}` was not exercised; saw {operations:#?}"
        );
    }
    operations
}

/// When a test fails before judging (a call the emulator refused), prints the verdict on
/// what was recorded, so a malformed request shows as the violation it is.
impl Drop for Setup {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            return;
        }
        let Some(conformance) = conformance("(failed test)") else {
            return;
        };
        let recorded: Vec<Exchange> = self.emulator.recorded().iter().map(exchange).collect();
        let (_, violations) = conformance.check_all(&recorded);
        eprintln!(
            "violations of the official API descriptions before the failure:\n{}",
            violations.join("\n")
        );
    }
}

async fn setup() -> Setup {
    let emulator = recording_emulator(APP).await;
    let party = emulator.add_person(PERSON, "Kari Nordmann");
    emulator.add_organisation(ORG, "Eksempel AS");
    let client = client(
        &emulator,
        TokenProvider::IdPorten,
        &emulator.issue_idporten_token(PERSON),
    );
    Setup {
        party,
        client,
        app: AppId::parse(APP).unwrap(),
        emulator,
    }
}

/// [`shared::client`] that asks for texts in bokmål.
fn client(emulator: &Altinn3Emulator, provider: TokenProvider, token: &str) -> Client {
    shared::client_builder(emulator, provider, token)
        .language("nb")
        .build()
        .unwrap()
}

fn new_instance(party: u64) -> NewInstance {
    NewInstance::new(InstanceOwner::PartyId(party))
        .due_before("2031-01-01T00:00:00Z")
        .data(NewData::new(
            MODEL_DATA_TYPE,
            "application/xml",
            "<Skjema><Navn>Eksempel</Navn></Skjema>",
        ))
}

/// An instance moved on to the signing task.
async fn at_signing(s: &Setup) -> InstanceId {
    let created = s.create(&new_instance(s.party)).await;
    s.next(&created.id, &ProcessNext::perform(Action::Write))
        .await;
    created.id
}

fn op(method: &str, rest: &str) -> String {
    format!("{method} {INSTANCE_PATH}{rest}")
}

#[tokio::test]
async fn openapi_conformance_token_exchange() {
    let s = setup().await;
    s.client.altinn_token().await.unwrap();
    let org = client(
        &s.emulator,
        TokenProvider::Maskinporten,
        &s.emulator.issue_maskinporten_token(ORG),
    );
    org.altinn_token().await.unwrap();
    let stranger = client(&s.emulator, TokenProvider::IdPorten, "id-porten-not-issued");
    assert!(matches!(
        stranger.altinn_token().await,
        Err(Error::NotAuthenticated { .. })
    ));
    assert_conforms(
        "openapi_conformance_token_exchange",
        &s.emulator,
        &["GET /authentication/api/v1/exchange/{tokenProvider}"],
    );
}

#[tokio::test]
async fn openapi_conformance_create_and_get_instance() {
    let s = setup().await;
    let created = s.create(&new_instance(s.party)).await;
    let by_org_number = NewInstance::new(InstanceOwner::PersonNumber(PERSON.to_owned()));
    s.client
        .create_instance(&s.app, &by_org_number)
        .await
        .unwrap();
    s.client.instance(&s.app, &created.id).await.unwrap();
    assert_eq!(
        s.client
            .data_elements(&s.app, &created.id)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_conforms(
        "openapi_conformance_create_and_get_instance",
        &s.emulator,
        &["POST /{org}/{app}/instances", &op("GET", "")],
    );
}

#[tokio::test]
async fn openapi_conformance_storage_query_and_paging() {
    let s = setup().await;
    for _ in 0..3 {
        at_signing(&s).await;
    }
    let query = InstanceQuery::for_party(s.party)
        .app(&s.app)
        .current_task("Task_2")
        .archived(false)
        .size(2);
    let first = s.client.instances(&query).await.unwrap();
    assert!(first.next.is_some());
    s.client.next_instances(&first).await.unwrap().unwrap();
    assert_eq!(s.client.all_instances(&query).await.unwrap().len(), 3);
    refusal(s.client.instances(&InstanceQuery::default()).await, 400);
    assert_conforms(
        "openapi_conformance_storage_query_and_paging",
        &s.emulator,
        &["GET /storage/api/v1/instances"],
    );
}

#[tokio::test]
async fn openapi_conformance_process_and_process_next() {
    let s = setup().await;
    let id = at_signing(&s).await;
    s.client.process(&s.app, &id).await.unwrap();
    // The wrong action for the task: 403.
    refusal(
        s.client
            .process_next(&s.app, &id, &ProcessNext::perform(Action::Confirm))
            .await,
        403,
    );
    s.next(&id, &ProcessNext::sign()).await;
    s.next(&id, &ProcessNext::perform(Action::Confirm)).await;
    // After the end: 409.
    refusal(
        s.client
            .process_next(&s.app, &id, &ProcessNext::new())
            .await,
        409,
    );
    s.client.process(&s.app, &id).await.unwrap();
    assert_conforms(
        "openapi_conformance_process_and_process_next",
        &s.emulator,
        &[&op("GET", "/process"), &op("PUT", "/process/next")],
    );
}

#[tokio::test]
async fn openapi_conformance_user_actions() {
    let s = setup().await;
    let id = at_signing(&s).await;
    let result = s
        .client
        .perform_action(&s.app, &id, &ActionRequest::sign())
        .await
        .unwrap();
    assert!(result.instance.is_some());
    assert!(matches!(
        s.client
            .perform_action(
                &s.app,
                &id,
                &ActionRequest::new(Action::Unknown("lock".to_owned()))
            )
            .await,
        Err(Error::Service(problem)) if matches!(problem.status, 404 | 403)
    ));
    assert_conforms(
        "openapi_conformance_user_actions",
        &s.emulator,
        &[&op("POST", "/actions")],
    );
}

#[tokio::test]
async fn openapi_conformance_signing_state_and_documents() {
    let s = setup().await;
    let id = at_signing(&s).await;
    assert!(
        s.client
            .signing_state(&s.app, &id, None)
            .await
            .unwrap()
            .signees
            .is_empty()
    );
    assert_eq!(
        s.client
            .signing_data_elements(&s.app, &id, None)
            .await
            .unwrap()
            .len(),
        1
    );
    s.client
        .perform_action(&s.app, &id, &ActionRequest::sign())
        .await
        .unwrap();
    assert_eq!(
        s.client
            .signing_state(&s.app, &id, None)
            .await
            .unwrap()
            .signees
            .len(),
        1
    );
    // Outside a signing task: 400 ProblemDetails.
    let draft = s.create(&new_instance(s.party)).await;
    refusal(s.client.signing_state(&s.app, &draft.id, None).await, 400);
    assert_conforms(
        "openapi_conformance_signing_state_and_documents",
        &s.emulator,
        &[&op("GET", "/signing"), &op("GET", "/signing/data-elements")],
    );
}

#[tokio::test]
async fn openapi_conformance_data_downloads() {
    let s = setup().await;
    let created = s.create(&new_instance(s.party)).await;
    let id = created.id.clone();
    s.next(&id, &ProcessNext::perform(Action::Write)).await;
    s.client
        .perform_action(&s.app, &id, &ActionRequest::sign())
        .await
        .unwrap();
    let instance = s.client.instance(&s.app, &id).await.unwrap();
    let signature = instance.data_of_type(SIGNATURE_DATA_TYPE).next().unwrap();
    s.client
        .sign_document(&s.app, &id, &signature.id)
        .await
        .unwrap();
    let mut sink = Vec::new();
    s.client
        .download_data(&s.app, &id, &signature.id, &mut sink)
        .await
        .unwrap();
    let model = instance.data_of_type(MODEL_DATA_TYPE).next().unwrap();
    let mut xml = Vec::new();
    s.client
        .download_url(model.platform_url().unwrap(), &mut xml)
        .await
        .unwrap();
    assert!(xml.starts_with(b"<Skjema>"));
    assert_conforms(
        "openapi_conformance_data_downloads",
        &s.emulator,
        &[
            &op("GET", "/data/{dataGuid}"),
            "GET /storage/api/v1/instances/{partyId:int}/{guid:guid}/data/{dataGuid:guid}",
        ],
    );
}

#[tokio::test]
async fn openapi_conformance_dialog_search() {
    let s = setup().await;
    at_signing(&s).await;
    at_signing(&s).await;
    let urn = format!("urn:altinn:person:identifier-no:{PERSON}");
    let query = DialogQuery::new()
        .party(&urn)
        .service_resource(s.app.service_resource())
        .org("ttd")
        .status(DialogStatus::InProgress)
        .status(DialogStatus::Draft)
        .search("signing")
        .limit(1);
    let page = s.client.dialogs(&query).await.unwrap();
    assert!(page.has_next_page);
    s.client
        .dialogs(&query.continuation_token(page.continuation_token.unwrap()))
        .await
        .unwrap();
    assert_conforms(
        "openapi_conformance_dialog_search",
        &s.emulator,
        &["GET /api/v1/enduser/dialogs"],
    );
}

#[tokio::test]
async fn openapi_conformance_dialog_details_and_discovery() {
    let s = setup().await;
    at_signing(&s).await;
    let query = DialogQuery::new().service_resource(s.app.service_resource());
    let page = s.client.dialogs(&query).await.unwrap();
    s.client.dialog(&page.items[0].id).await.unwrap();
    s.client.awaiting_signature(&query).await.unwrap();
    refusal(
        s.client
            .dialog("01936b2e-0000-7000-8000-000000000001")
            .await,
        404,
    );
    assert_conforms(
        "openapi_conformance_dialog_details_and_discovery",
        &s.emulator,
        &["GET /api/v1/enduser/dialogs/{dialogId}"],
    );
}

#[tokio::test]
async fn openapi_conformance_signature_service() {
    let s = setup().await;
    let service = Service::new(s.client.clone(), InstanceOwner::PartyId(s.party));
    let job = shared::model_form_job(APP);
    let created = service.create_job(&job).await.unwrap();
    service.sign(&created.id, None).await.unwrap();
    service.job_status(&created.id).await.unwrap();
    let records = service.signature_records(&created.id).await.unwrap();
    let mut sink = Vec::new();
    service.download(&records[0], &mut sink).await.unwrap();
    assert_conforms(
        "openapi_conformance_signature_service",
        &s.emulator,
        &[
            "POST /{org}/{app}/instances",
            &op("PUT", "/process/next"),
            &op("GET", "/process"),
            &op("POST", "/actions"),
            &op("GET", "/signing"),
        ],
    );
}

#[tokio::test]
async fn openapi_conformance_signing_organizations() {
    let s = setup().await;
    assert!(s.emulator.add_key_role(PERSON, ORG));
    let id = at_signing(&s).await;
    let organizations = s
        .client
        .signing_organizations(&s.app, &id, Some("Task_2"))
        .await
        .unwrap();
    let org = organizations
        .iter()
        .find(|o| o.org_number == ORG)
        .expect("the person may sign for the organisation");
    let state = shared::sign_on_behalf_of(&s.client, &s.app, &id, &org.org_number).await;
    assert!(state.signees.iter().any(|signee| signee.has_signed()));
    assert_conforms(
        "openapi_conformance_signing_organizations",
        &s.emulator,
        &[
            &op("GET", "/signing/organizations"),
            &op("POST", "/actions"),
            &op("GET", "/signing"),
        ],
    );
}

#[tokio::test]
async fn openapi_conformance_dialog_lookup() {
    let s = setup().await;
    let id = at_signing(&s).await;
    let instance = altinn_adapter::v3::InstanceRef {
        app: s.app.clone(),
        id,
    };
    let lookup = s.client.dialog_lookup(&instance).await.unwrap();
    assert_eq!(
        lookup.instance_ref.as_deref(),
        Some(instance.id.urn().as_str())
    );
    s.client.dialog(&lookup.dialog_id).await.unwrap();
    assert_conforms(
        "openapi_conformance_dialog_lookup",
        &s.emulator,
        &["GET /api/v1/enduser/dialoglookup"],
    );
}

/// Writing data elements (the emulator's answers; the client uploads at instantiation):
/// an upload to the user type, refusals of app-owned types (at instantiation and through the
/// data route), and the app metadata declaring them. Not a client call, so not in
/// [`COVERAGE`].
#[tokio::test]
async fn openapi_conformance_data_upload_and_app_owned_refusal() {
    let s = setup().await;
    let owned =
        new_instance(s.party).data(NewData::new(SIGNATURE_DATA_TYPE, "application/json", "{}"));
    refusal(s.client.create_instance(&s.app, &owned).await, 403);
    let created = s.create(&new_instance(s.party)).await;
    let token = s.client.altinn_token().await.unwrap();
    let http = reqwest::Client::new();
    let base = format!("{}/{APP}/instances/{}", s.emulator.base_url(), created.id);
    for (data_type, content_type, status) in [
        (DOCUMENT_DATA_TYPE, "application/pdf", 200),
        (SIGNATURE_DATA_TYPE, "application/json", 403),
        (GENERATED_PDF_DATA_TYPE, "application/pdf", 403),
    ] {
        let response = http
            .post(format!("{base}/data/type/{data_type}"))
            .bearer_auth(token.expose())
            .header("content-type", content_type)
            .header("content-disposition", "attachment; filename=\"a.pdf\"")
            .body("%PDF-1.7")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), status, "{data_type}");
    }
    let metadata = http
        .get(format!(
            "{}/{APP}/api/v1/applicationmetadata",
            s.emulator.base_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(metadata.status().as_u16(), 200);
    assert_conforms(
        "openapi_conformance_data_upload_and_app_owned_refusal",
        &s.emulator,
        &[
            "POST /{org}/{app}/instances",
            &op("POST", "/data/type/{dataType}"),
            "GET /{org}/{app}/api/v1/applicationmetadata",
        ],
    );
}

/// Each call of the Altinn 3 client and service, and the conformance test exercising it.
const COVERAGE: &[(&str, &str)] = &[
    ("altinn_token", "openapi_conformance_token_exchange"),
    (
        "create_instance",
        "openapi_conformance_create_and_get_instance",
    ),
    ("instance", "openapi_conformance_create_and_get_instance"),
    (
        "data_elements",
        "openapi_conformance_create_and_get_instance",
    ),
    ("instances", "openapi_conformance_storage_query_and_paging"),
    (
        "next_instances",
        "openapi_conformance_storage_query_and_paging",
    ),
    (
        "all_instances",
        "openapi_conformance_storage_query_and_paging",
    ),
    ("process", "openapi_conformance_process_and_process_next"),
    (
        "process_next",
        "openapi_conformance_process_and_process_next",
    ),
    ("perform_action", "openapi_conformance_user_actions"),
    (
        "signing_state",
        "openapi_conformance_signing_state_and_documents",
    ),
    (
        "signing_data_elements",
        "openapi_conformance_signing_state_and_documents",
    ),
    ("download_data", "openapi_conformance_data_downloads"),
    ("download_url", "openapi_conformance_data_downloads"),
    ("sign_document", "openapi_conformance_data_downloads"),
    ("dialogs", "openapi_conformance_dialog_search"),
    ("dialog", "openapi_conformance_dialog_details_and_discovery"),
    (
        "awaiting_signature",
        "openapi_conformance_dialog_details_and_discovery",
    ),
    (
        "signing_organizations",
        "openapi_conformance_signing_organizations",
    ),
    ("dialog_lookup", "openapi_conformance_dialog_lookup"),
    ("sign", "openapi_conformance_signature_service"),
    ("job_status", "openapi_conformance_signature_service"),
    ("signature_records", "openapi_conformance_signature_service"),
    ("create_job", "openapi_conformance_signature_service"),
    ("download", "openapi_conformance_signature_service"),
];

/// The client's calls: every `pub async fn` under the adapter's Altinn 3 module folder
/// (`src/altinn3` or `src/v3`, walked, so new files count), and the `SignatureService`
/// methods its service implements.
fn client_calls() -> Vec<String> {
    let src = signering_testkit::workspace_root().join("crates/altinn-adapter/src");
    let mut files = Vec::new();
    let mut dirs: Vec<_> = ["altinn3", "v3"]
        .iter()
        .map(|d| src.join(d))
        .filter(|d| d.is_dir())
        .collect();
    assert!(!dirs.is_empty(), "no Altinn 3 module under {src:?}");
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let mut calls = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let mut in_service_impl = false;
        for line in text.lines() {
            if line.starts_with("impl SignatureService for") {
                in_service_impl = true;
            } else if line.starts_with('}') {
                in_service_impl = false;
            }
            let trimmed = line.trim_start();
            let name = trimmed.strip_prefix("pub async fn ").or_else(|| {
                in_service_impl
                    .then(|| trimmed.strip_prefix("async fn "))
                    .flatten()
            });
            if let Some(name) = name {
                let name: String = name
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !calls.contains(&name) {
                    calls.push(name);
                }
            }
        }
    }
    calls.sort();
    calls
}

#[test]
fn openapi_conformance_covers_every_client_call() {
    let calls = client_calls();
    assert!(calls.len() >= 20, "found only {calls:?}");
    let missing: Vec<&String> = calls
        .iter()
        .filter(|c| !COVERAGE.iter().any(|(name, _)| name == c))
        .collect();
    assert!(
        missing.is_empty(),
        "client calls without a conformance test: {missing:?} (add a test and a COVERAGE row)"
    );
    let this = std::fs::read_to_string(signering_testkit::workspace_root().join(file!())).unwrap();
    for (call, test) in COVERAGE {
        assert!(
            this.contains(&format!("async fn {test}()")),
            "{call}: no test named {test}"
        );
    }
    eprintln!("client calls and their conformance tests:");
    for (call, test) in COVERAGE {
        eprintln!("  {call:<24} {test}");
    }
}
