//! Signing for an organisation with the Altinn 3 client (altinn-adapter) against the emulator:
//! whom the person may sign for, the signature made with `onBehalfOf` and with
//! `actionOnBehalfOf`, the signing state and the signature record naming the organisation,
//! the same through the `SignatureService`, and an organisation's own token refused (401).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use altinn_adapter::Error;
use altinn_adapter::v3::{
    ActionRequest, AppId, Client, InstanceId, InstanceOwner, ProcessNext, Service, TaskType,
    TokenProvider,
};
use signature_core::{SignatureService, SignerIdentifier, SignerStatus};
use signature_emulator::altinn3::{Altinn3Emulator, SIGNATURE_DATA_TYPE};

#[path = "common/altinn3.rs"]
mod shared;
use shared::{at_signing_with, client, sign_on_behalf_of};

const PERSON: &str = "24068110048";
const ORG: &str = "310000001";
const ORG_NAME: &str = "Eksempel AS";
const APP: &str = "ttd/signing-demo";

struct Setup {
    emulator: Altinn3Emulator,
    client: Client,
    person: u64,
    org_party: u64,
    app: AppId,
}

async fn setup() -> Setup {
    let emulator = Altinn3Emulator::builder().app(APP).start().await.unwrap();
    let person = emulator.add_person(PERSON, "Kari Nordmann");
    let org_party = emulator.add_organisation(ORG, ORG_NAME);
    assert!(emulator.add_key_role(PERSON, ORG));
    let client = client(
        &emulator,
        TokenProvider::IdPorten,
        emulator.issue_idporten_token(PERSON),
    );
    Setup {
        emulator,
        client,
        person,
        org_party,
        app: AppId::parse(APP).unwrap(),
    }
}

/// An instance of `owner`, created and moved to its signing task by `client` (the key role
/// decides whom the person may sign for).
async fn at_signing_by(client: &Client, app: &AppId, owner: InstanceOwner) -> InstanceId {
    at_signing_with(client, app, owner, &ProcessNext::new()).await
}

async fn at_signing(s: &Setup) -> InstanceId {
    at_signing_by(&s.client, &s.app, InstanceOwner::PartyId(s.person)).await
}

#[tokio::test]
async fn a_person_signs_for_an_organisation_with_on_behalf_of() {
    let s = setup().await;
    let id = at_signing(&s).await;
    let organizations = s
        .client
        .signing_organizations(&s.app, &id, None)
        .await
        .unwrap();
    let org = organizations
        .iter()
        .find(|o| o.org_number == ORG)
        .expect("the key role lets the person sign for the organisation");
    assert_eq!(org.org_name, ORG_NAME);
    assert_eq!(org.party_id, s.org_party);

    let state = sign_on_behalf_of(&s.client, &s.app, &id, &org.org_number).await;
    let signee = state.signees.iter().find(|e| e.has_signed()).unwrap();
    assert_eq!(signee.organization.as_deref(), Some(ORG_NAME));

    let instance = s.client.instance(&s.app, &id).await.unwrap();
    let record = instance.data_of_type(SIGNATURE_DATA_TYPE).next().unwrap();
    let document = s
        .client
        .sign_document(&s.app, &id, &record.id)
        .await
        .unwrap();
    assert_eq!(document.signee.organisation_number.as_deref(), Some(ORG));
    assert_eq!(document.signee.person_number.as_deref(), Some(PERSON));

    // The last signee signs and moves on in one step, also for the organisation.
    let moved = s
        .client
        .process_next(&s.app, &id, &ProcessNext::sign().on_behalf_of(ORG))
        .await
        .unwrap();
    assert_eq!(moved.task_type(), Some(&TaskType::Confirmation));
    // The state of the signing task the process left is still read, with taskId.
    let after = s
        .client
        .signing_state(&s.app, &id, Some("Task_2"))
        .await
        .unwrap();
    assert!(
        after
            .signees
            .iter()
            .any(|e| e.organization.as_deref() == Some(ORG_NAME))
    );
}

#[tokio::test]
async fn signing_for_an_organisation_without_the_right_is_refused() {
    let s = setup().await;
    let id = at_signing(&s).await;
    s.emulator.add_organisation("311111110", "Annen AS");
    match s
        .client
        .perform_action(
            &s.app,
            &id,
            &ActionRequest::sign().on_behalf_of("311111110"),
        )
        .await
    {
        Err(Error::Service(problem)) if problem.status == 403 => {}
        Err(Error::NotAuthenticated { .. }) => {}
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn an_organisations_own_token_cannot_sign() {
    let s = setup().await;
    let org = client(
        &s.emulator,
        TokenProvider::Maskinporten,
        s.emulator.issue_maskinporten_token(ORG),
    );
    // It may create and move its own instance, but only persons and system users sign: 401.
    let id = at_signing_by(&org, &s.app, InstanceOwner::PartyId(s.org_party)).await;
    assert_eq!(id.party_id(), s.org_party);
    match org
        .perform_action(&s.app, &id, &ActionRequest::sign())
        .await
    {
        Err(Error::NotAuthenticated { problem, .. }) => {
            assert_eq!(problem.unwrap().status, 401)
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn the_signature_service_signs_for_an_organisation() {
    let s = setup().await;
    let service = Service::new(s.client.clone(), InstanceOwner::PartyId(s.person));
    let job = shared::model_form_job(APP);
    let created = service.create_job(&job).await.unwrap();
    let result = service.sign(&created.id, Some(ORG)).await.unwrap();
    assert!(result.instance.is_some());
    let status = service.job_status(&created.id).await.unwrap();
    let signer = status
        .signers
        .iter()
        .find(|s| s.status == SignerStatus::Signed)
        .unwrap();
    let Some(SignerIdentifier::CustomIdentifier(name)) = &signer.signer else {
        panic!("the signee is named: {signer:?}")
    };
    assert!(name.as_str().contains(ORG_NAME), "{name}");
    assert!(signer.since.is_some());
}
