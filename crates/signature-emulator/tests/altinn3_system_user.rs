//! A system user signs with the Altinn 3 client (altinn-adapter) against the emulator: the
//! vendor's Maskinporten client sends a JWT grant (`kid` or `x5c`) with
//! `authorization_details` of type `urn:altinn:systemuser` to the emulator's Maskinporten,
//! exchanges the token and signs; the signature record carries `systemUserId` and the
//! signing state names "System". Refused as the platform refuses: a customer without a
//! system user for the client (Maskinporten MP-303), a system user without the `sign` right
//! (403), a system user signing on behalf of an organisation, and an organisation's own
//! token (401).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use altinn_adapter::Error;
use altinn_adapter::auth::{GrantKey, Maskinporten};
use altinn_adapter::v3::{
    ActionRequest, AppId, Client, DialogQuery, Environment, InstanceId, InstanceOwner, NewData,
    NewInstance, ProcessNext, TaskType, TokenProvider,
};
use signature_emulator::altinn3::{
    Altinn3Emulator, ClientKey, DEFAULT_SCOPE, MODEL_DATA_TYPE, SIGNATURE_DATA_TYPE,
};

const VENDOR: &str = "991825827";
const CUSTOMER: &str = "310000001";
const CUSTOMER_NAME: &str = "Eksempel AS";
const CLIENT_ID: &str = "vendor-client";
const KID: &str = "vendor-key-1";
const APP: &str = "ttd/signing-demo";

struct Setup {
    emulator: Altinn3Emulator,
    key_pem: String,
    system_user: String,
    customer_party: u64,
    app: AppId,
}

/// An emulator with the vendor's client (a key registered by `kid`) and a system user of
/// the customer with `rights` in the app.
async fn setup(rights: &[&str]) -> Setup {
    let emulator = Altinn3Emulator::builder().app(APP).start().await.unwrap();
    emulator.add_organisation(VENDOR, "Leverandør AS");
    let customer_party = emulator.add_organisation(CUSTOMER, CUSTOMER_NAME);
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).unwrap();
    assert!(emulator.add_maskinporten_client(
        CLIENT_ID,
        VENDOR,
        ClientKey::Kid {
            kid: KID.to_owned(),
            public_key: rcgen::PublicKeyData::subject_public_key_info(&key),
        },
    ));
    let system_user = emulator.add_system_user(CUSTOMER, CLIENT_ID).unwrap();
    assert!(emulator.grant_system_user(&system_user, APP, rights));
    Setup {
        emulator,
        key_pem: key.serialize_pem(),
        system_user,
        customer_party,
        app: AppId::parse(APP).unwrap(),
    }
}

fn maskinporten(s: &Setup, customer: Option<&str>) -> Maskinporten {
    let issuer = s.emulator.maskinporten_issuer();
    let key = GrantKey::registered_key(KID, s.key_pem.as_bytes()).unwrap();
    let mut builder = Maskinporten::builder(CLIENT_ID, DEFAULT_SCOPE, key)
        .audience(issuer.clone())
        .token_endpoint(format!("{issuer}token"));
    if let Some(customer) = customer {
        builder = builder.system_user(customer);
    }
    builder.build().unwrap()
}

fn client(s: &Setup, customer: Option<&str>) -> Client {
    Client::builder(Environment::custom(s.emulator.base_url()).unwrap())
        .exchange(TokenProvider::Maskinporten, maskinporten(s, customer))
        .build()
        .unwrap()
}

async fn at_signing(client: &Client, s: &Setup) -> InstanceId {
    let new = NewInstance::new(InstanceOwner::OrganisationNumber(CUSTOMER.to_owned())).data(
        NewData::new(MODEL_DATA_TYPE, "application/xml", "<Skjema/>"),
    );
    let created = client.create_instance(&s.app, &new).await.unwrap();
    assert_eq!(created.id.party_id(), s.customer_party);
    let process = client
        .process_next(&s.app, &created.id, &ProcessNext::new())
        .await
        .unwrap();
    assert_eq!(process.task_type(), Some(&TaskType::Signing));
    created.id
}

#[tokio::test]
async fn a_system_user_signs_with_a_maskinporten_grant() {
    let s = setup(&["read", "write", "instantiate", "sign"]).await;
    let client = client(&s, Some(CUSTOMER));
    let id = at_signing(&client, &s).await;
    let process = client.process(&s.app, &id).await.unwrap();
    assert!(process.current_task.as_ref().unwrap().actions["sign"]);

    let answer = client
        .perform_action(&s.app, &id, &ActionRequest::sign())
        .await
        .unwrap();
    assert!(answer.instance.is_some());

    // The signing state shows the system user as "System" for its organisation.
    let state = client.signing_state(&s.app, &id, None).await.unwrap();
    let signee = state.signees.iter().find(|s| s.has_signed()).unwrap();
    assert_eq!(signee.name.as_deref(), Some("System"));
    assert_eq!(signee.organization.as_deref(), Some(CUSTOMER_NAME));
    assert_eq!(signee.party_id, s.customer_party);

    // The SignDocument names the system user, not a person.
    let instance = client.instance(&s.app, &id).await.unwrap();
    let record = instance.data_of_type(SIGNATURE_DATA_TYPE).next().unwrap();
    let document = client.sign_document(&s.app, &id, &record.id).await.unwrap();
    assert_eq!(
        document.signee.system_user_id.as_deref(),
        Some(s.system_user.as_str())
    );
    assert_eq!(document.signee.user_id, None);
    assert_eq!(document.signee.person_number, None);

    // The signature lets the task be completed.
    let process = client
        .process_next(&s.app, &id, &ProcessNext::new())
        .await
        .unwrap();
    assert_eq!(process.task_type(), Some(&TaskType::Confirmation));
}

#[tokio::test]
async fn a_system_user_finds_its_work_in_dialogporten_and_signs_with_process_next() {
    let s = setup(&["read", "write", "instantiate", "sign"]).await;
    let client = client(&s, Some(CUSTOMER));
    let id = at_signing(&client, &s).await;
    let found = client
        .awaiting_signature(
            &DialogQuery::new()
                .party(format!("urn:altinn:organization:identifier-no:{CUSTOMER}"))
                .service_resource(s.app.service_resource()),
        )
        .await
        .unwrap();
    assert!(found.skipped.is_empty(), "{:?}", found.skipped);
    assert_eq!(found.awaiting.len(), 1);
    assert_eq!(found.awaiting[0].instance.id, id);
    client
        .process_next(&s.app, &id, &ProcessNext::sign())
        .await
        .unwrap();
    let state = client
        .signing_state(&s.app, &id, Some("Task_2"))
        .await
        .unwrap();
    assert_eq!(state.signees[0].name.as_deref(), Some("System"));
}

#[tokio::test]
async fn a_customer_without_a_system_user_gets_no_token() {
    let s = setup(&["read"]).await;
    s.emulator.add_organisation("311111110", "Annen AS");
    let client = client(&s, Some("311111110"));
    let id = InstanceId::parse(&format!(
        "{}/00000000-0000-4000-8000-000000000000",
        s.customer_party
    ))
    .unwrap();
    match client.instance(&s.app, &id).await {
        Err(Error::TokenRequest { detail, .. }) => {
            assert!(
                detail.contains("invalid_altinn_customer_configuration"),
                "{detail}"
            );
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn a_system_user_without_the_sign_right_is_refused() {
    let s = setup(&["read", "write", "instantiate"]).await;
    let client = client(&s, Some(CUSTOMER));
    let id = at_signing(&client, &s).await;
    let process = client.process(&s.app, &id).await.unwrap();
    assert!(!process.current_task.as_ref().unwrap().actions["sign"]);
    match client
        .perform_action(&s.app, &id, &ActionRequest::sign())
        .await
    {
        Err(Error::Service(problem)) if problem.status == 403 => assert_eq!(problem.status, 403),
        other => panic!("unexpected {other:?}"),
    }
    match client.process_next(&s.app, &id, &ProcessNext::sign()).await {
        Err(Error::Service(problem)) if problem.status == 403 => assert_eq!(problem.status, 403),
        other => panic!("unexpected {other:?}"),
    }
    // Without `read` on the app it sees nothing.
    let blind = setup(&["sign"]).await;
    let other = self::client(&blind, Some(CUSTOMER));
    let new = NewInstance::new(InstanceOwner::OrganisationNumber(CUSTOMER.to_owned()));
    assert!(matches!(
        other.create_instance(&blind.app, &new).await,
        Err(Error::Service(problem)) if problem.status == 403
    ));
}

#[tokio::test]
async fn a_system_user_cannot_sign_on_behalf_of_an_organisation() {
    let s = setup(&["read", "write", "instantiate", "sign"]).await;
    let client = client(&s, Some(CUSTOMER));
    let id = at_signing(&client, &s).await;
    assert!(
        client
            .perform_action(&s.app, &id, &ActionRequest::sign().on_behalf_of(CUSTOMER))
            .await
            .is_err()
    );
    // Whom it may sign for is a user's question: 401.
    assert!(matches!(
        client.signing_organizations(&s.app, &id, None).await,
        Err(Error::NotAuthenticated { .. })
    ));
}

#[tokio::test]
async fn the_vendors_own_maskinporten_token_cannot_sign() {
    let s = setup(&["read", "write", "instantiate", "sign"]).await;
    // The same client without authorization_details: the vendor organisation itself.
    let vendor = client(&s, None);
    let new = NewInstance::new(InstanceOwner::OrganisationNumber(VENDOR.to_owned())).data(
        NewData::new(MODEL_DATA_TYPE, "application/xml", "<Skjema/>"),
    );
    let created = vendor.create_instance(&s.app, &new).await.unwrap();
    vendor
        .process_next(&s.app, &created.id, &ProcessNext::new())
        .await
        .unwrap();
    match vendor
        .perform_action(&s.app, &created.id, &ActionRequest::sign())
        .await
    {
        Err(Error::NotAuthenticated { problem, .. }) => {
            assert_eq!(problem.unwrap().status, 401)
        }
        other => panic!("unexpected {other:?}"),
    }
    match vendor
        .process_next(&s.app, &created.id, &ProcessNext::sign())
        .await
    {
        Err(Error::NotAuthenticated { .. }) => {}
        other => panic!("unexpected {other:?}"),
    }
}
