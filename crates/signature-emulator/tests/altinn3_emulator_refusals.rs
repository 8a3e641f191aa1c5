//! The Altinn 3 emulator refuses what the platform refuses, with the platform's codes and
//! shapes (`../shared/docs/altinn3-audit.md` §2–§3, which cites app-lib's controllers).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use altinn_adapter::v3::{
    Action, ActionRequest, AppId, Client as Altinn3Client, InstanceId, InstanceOwner,
    NotificationStatus, ProcessNext, TokenProvider,
};
use altinn_adapter::{Error, ErrorCode};
use signature_emulator::altinn3::{Altinn3Emulator, Fault, SIGNATURE_DATA_TYPE};

#[path = "common/altinn3.rs"]
mod shared;
use shared::{at_signing_with, client, recording_emulator, refusal};

const PERSON: &str = "24068110048";
const ORG: &str = "310000001";
const APP: &str = "ttd/signing-demo";

async fn at_signing(client: &Altinn3Client, app: &AppId, owner: InstanceOwner) -> InstanceId {
    at_signing_with(client, app, owner, &ProcessNext::perform(Action::Write)).await
}

/// The emulator serving the one app these tests use.
async fn started() -> Altinn3Emulator {
    Altinn3Emulator::builder().app(APP).start().await.unwrap()
}

/// Kari Nordmann registered in `emulator` (her party id), and a client logged in as her
/// (ID-porten).
fn kari(emulator: &Altinn3Emulator) -> (u64, Altinn3Client) {
    let party = emulator.add_person(PERSON, "Kari Nordmann");
    let person = client(
        emulator,
        TokenProvider::IdPorten,
        emulator.issue_idporten_token(PERSON),
    );
    (party, person)
}

/// Kari Nordmann registered in `emulator`, a client logged in as her (ID-porten), the app,
/// and her instance at its signing task.
async fn person_at_signing(emulator: &Altinn3Emulator) -> (Altinn3Client, AppId, InstanceId) {
    let (party, person) = kari(emulator);
    let app = AppId::parse(APP).unwrap();
    let id = at_signing(&person, &app, InstanceOwner::PartyId(party)).await;
    (person, app, id)
}

#[tokio::test]
async fn an_organisation_token_cannot_sign() {
    let emulator = started().await;
    emulator.add_organisation(ORG, "Eksempel AS");
    let org = client(
        &emulator,
        TokenProvider::Maskinporten,
        emulator.issue_maskinporten_token(ORG),
    );
    let app = AppId::parse(APP).unwrap();
    let id = at_signing(
        &org,
        &app,
        InstanceOwner::OrganisationNumber(ORG.to_owned()),
    )
    .await;
    // ActionsController: 401 unless the caller is a user or a system user.
    assert!(matches!(
        org.perform_action(&app, &id, &ActionRequest::sign()).await,
        Err(Error::NotAuthenticated { .. })
    ));
    assert!(matches!(
        org.process_next(&app, &id, &ProcessNext::sign()).await,
        Err(Error::NotAuthenticated { .. })
    ));
    let instance = org.instance(&app, &id).await.unwrap();
    assert_eq!(instance.data_of_type(SIGNATURE_DATA_TYPE).count(), 0);
}

#[tokio::test]
async fn process_next_without_an_action_makes_no_signature() {
    let emulator = started().await;
    let (person, app, id) = person_at_signing(&emulator).await;
    // No signature is made, and the signing task does not validate without one: 409.
    let problem = refusal(
        person.process_next(&app, &id, &ProcessNext::new()).await,
        409,
    );
    let details = problem.details.as_ref().unwrap();
    assert_eq!(details.title, None);
    assert!(details.extensions.contains_key("validationIssues"));
    let instance = person.instance(&app, &id).await.unwrap();
    assert_eq!(instance.data_of_type(SIGNATURE_DATA_TYPE).count(), 0);
    // Signing twice keeps one SignDocument (Storage replaces it), named after its type.
    for _ in 0..2 {
        person
            .perform_action(&app, &id, &ActionRequest::sign())
            .await
            .unwrap();
    }
    let instance = person.instance(&app, &id).await.unwrap();
    let signatures: Vec<_> = instance.data_of_type(SIGNATURE_DATA_TYPE).collect();
    assert_eq!(signatures.len(), 1);
    assert_eq!(signatures[0].filename.as_deref(), Some("signatures.json"));
    let state = person.signing_state(&app, &id, None).await.unwrap();
    assert_eq!(state.signees.len(), 1);
    assert_eq!(
        state.signees[0].notification_status,
        Some(NotificationStatus::Sent)
    );
    // With a signature the task moves on without an action.
    person
        .process_next(&app, &id, &ProcessNext::new())
        .await
        .unwrap();
}

#[tokio::test]
async fn actions_are_authorised_before_their_handler_is_looked_up() {
    let emulator = started().await;
    let (person, app, id) = person_at_signing(&emulator).await;
    // Not authorised on the task: 403 before 404 (audit L2).
    let lock = ActionRequest::new(Action::Unknown("lock".to_owned()));
    refusal(person.perform_action(&app, &id, &lock).await, 403);
    // Authorised but without a handler: 404 ActionNotFound.
    let reject = ActionRequest::new(Action::Reject);
    let problem = refusal(person.perform_action(&app, &id, &reject).await, 404);
    assert_eq!(
        problem.code.as_ref().map(ErrorCode::as_str),
        Some("ActionNotFound")
    );
    // The 403 of process/next names task, type and action (audit L1).
    let confirm = ProcessNext::perform(Action::Confirm);
    let problem = refusal(person.process_next(&app, &id, &confirm).await, 403);
    assert_eq!(
        problem.message(),
        Some(
            "User is not authorized to perform process next. Task ID: Task_2. Task type: signing. Action: confirm."
        )
    );
}

#[tokio::test]
async fn dialog_search_limit_is_one_to_a_thousand() {
    let emulator = started().await;
    let (_, person) = kari(&emulator);
    // The client caps `limit` itself, so ask the emulator directly.
    let token = person.altinn_token().await.unwrap();
    let http = reqwest::Client::new();
    let url = format!(
        "{}/dialogporten/api/v1/enduser/dialogs",
        emulator.base_url()
    );
    for (limit, status) in [("1000", 200), ("0", 400), ("1001", 400), ("x", 400)] {
        let answer = http
            .get(format!(
                "{url}?serviceResource=urn%3Aaltinn%3Aresource%3Aapp_ttd_signing-demo&limit={limit}"
            ))
            .bearer_auth(token.expose())
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status().as_u16(), status, "limit {limit}");
        if status == 400 {
            let body: serde_json::Value =
                serde_json::from_slice(&answer.bytes().await.unwrap()).unwrap();
            assert_eq!(body["title"], "One or more validation errors occurred.");
            assert!(body["errors"]["Limit"].is_array(), "{body}");
            assert!(body["traceId"].is_string());
        }
    }
}

#[tokio::test]
async fn signing_for_an_organisation_needs_a_key_role() {
    let emulator = started().await;
    emulator.add_organisation(ORG, "Eksempel AS");
    let (person, app, id) = person_at_signing(&emulator).await;
    assert!(
        person
            .signing_organizations(&app, &id, None)
            .await
            .unwrap()
            .is_empty()
    );
    // Without a key role: UnauthorizedOnBehalfOf.
    let for_org = ActionRequest::sign().on_behalf_of(ORG);
    refusal(person.perform_action(&app, &id, &for_org).await, 403);
    assert!(emulator.add_key_role(PERSON, ORG));
    let organizations = person.signing_organizations(&app, &id, None).await.unwrap();
    assert_eq!(organizations.len(), 1);
    assert_eq!(organizations[0].org_number, ORG);
    person
        .perform_action(&app, &id, &ActionRequest::sign().on_behalf_of(ORG))
        .await
        .unwrap();
    // The organisation is the signee; the state keeps it after the task with ?taskId=.
    person
        .process_next(&app, &id, &ProcessNext::new())
        .await
        .unwrap();
    let state = person
        .signing_state(&app, &id, Some("Task_2"))
        .await
        .unwrap();
    assert_eq!(state.signees.len(), 1);
    assert_eq!(
        state.signees[0].organization.as_deref(),
        Some("Eksempel AS")
    );
    refusal(person.signing_state(&app, &id, None).await, 400);
}

#[tokio::test]
async fn injected_faults_are_retried_for_reads_only() {
    let emulator = recording_emulator(APP).await;
    let (person, app, id) = person_at_signing(&emulator).await;
    emulator.take_recorded();
    // A GET is retried through transient failures and a 429 with Retry-After.
    emulator.fail_next(Fault::BadGateway, 1);
    emulator.fail_next(Fault::TooManyRequests(1), 1);
    person.process(&app, &id).await.unwrap();
    let statuses: Vec<u16> = emulator.take_recorded().iter().map(|e| e.status).collect();
    assert_eq!(statuses, [502, 429, 200]);
    // PUT process/next is not idempotent: one try, the failure reaches the caller.
    emulator.fail_next(Fault::Unavailable, 1);
    assert!(
        person
            .process_next(&app, &id, &ProcessNext::new())
            .await
            .is_err()
    );
    assert_eq!(emulator.take_recorded().len(), 1);
}

/// Tokens carry scopes: the exchange refuses an ID-porten token without an `altinn:` scope
/// (403, AuthenticateIdPortenToken) and Dialogporten one without `digdir:dialogporten`
/// (403 without a body, as its OpenAPI declares), whichever token carries it.
#[tokio::test]
async fn scopes_are_checked_by_the_exchange_and_dialogporten() {
    let emulator = started().await;
    emulator.add_person(PERSON, "Kari Nordmann");
    let http = reqwest::Client::new();
    let dialogs = format!(
        "{}/dialogporten/api/v1/enduser/dialogs?serviceResource=urn:altinn:resource:app_ttd_signing-demo",
        emulator.base_url()
    );
    let exchange = format!(
        "{}/authentication/api/v1/exchange/id-porten",
        emulator.base_url()
    );
    let get = |url: String, token: String| {
        let http = http.clone();
        async move { http.get(url).bearer_auth(token).send().await.unwrap() }
    };

    let no_dialogporten = emulator.issue_idporten_token_with_scope(PERSON, "altinn:instances.read");
    let answer = get(dialogs.clone(), no_dialogporten.clone()).await;
    assert_eq!(answer.status(), 403);
    assert!(answer.bytes().await.unwrap().is_empty());
    // The exchanged Altinn token inherits the scopes, so it is refused too.
    let altinn = get(exchange.clone(), no_dialogporten).await;
    assert_eq!(altinn.status(), 200);
    let altinn = altinn.text().await.unwrap();
    assert_eq!(get(dialogs.clone(), altinn).await.status(), 403);

    let only_dialogporten = emulator.issue_idporten_token_with_scope(PERSON, "digdir:dialogporten");
    assert_eq!(
        get(dialogs.clone(), only_dialogporten.clone())
            .await
            .status(),
        200
    );
    assert_eq!(get(exchange, only_dialogporten).await.status(), 403);
    let full = emulator.issue_idporten_token(PERSON);
    assert_eq!(get(dialogs, full).await.status(), 200);
}
