//! What the Altinn 3 tests against the emulator start from: a client of the emulator, an
//! instance at its signing task, the service's refusal picked out of a result; and for the
//! client tests (altinn3_client.rs, altinn3_conformance.rs) the emulator, the person's party,
//! a client logged in as them and the app, with the two calls nearly every test makes.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose
#![allow(dead_code)] // each test file uses some of these

use altinn_adapter::ApiProblem;
use altinn_adapter::Error;
use altinn_adapter::auth::BearerToken;
use altinn_adapter::v3::{
    ActionRequest, AppId, Client, ClientBuilder, Environment, Instance, InstanceId, InstanceOwner,
    NewData, NewInstance, ProcessNext, ProcessState, SigningState, TaskType, TokenProvider,
};
use signature_core::{FormPart, ServiceForm, SigningJob};
use signature_emulator::altinn3::{Altinn3Emulator, MODEL_DATA_TYPE};

/// An emulator serving `app` that records every exchange, for the tests that look at what
/// went over the wire.
pub async fn recording_emulator(app: &str) -> Altinn3Emulator {
    Altinn3Emulator::builder()
        .app(app)
        .record_exchanges()
        .start()
        .await
        .unwrap()
}

/// The smallest job the signature service takes for `app`: one form whose main part is the
/// app's data model.
pub fn model_form_job(app: &str) -> SigningJob {
    SigningJob::builder("Avtale")
        .form(ServiceForm::new(app, 1).part(FormPart::main(MODEL_DATA_TYPE, "1", "<Skjema/>")))
        .build()
        .unwrap()
}

/// A client builder for `emulator` that exchanges `token` (issued by `provider`) for an
/// Altinn token.
pub fn client_builder(
    emulator: &Altinn3Emulator,
    provider: TokenProvider,
    token: impl Into<String>,
) -> ClientBuilder {
    Client::builder(Environment::custom(emulator.base_url()).unwrap())
        .exchange(provider, BearerToken::new(token.into()))
}

/// [`client_builder`], built.
pub fn client(
    emulator: &Altinn3Emulator,
    provider: TokenProvider,
    token: impl Into<String>,
) -> Client {
    client_builder(emulator, provider, token).build().unwrap()
}

/// An instance of `owner` with a form, created by `client` and moved from the data task to
/// signing by `next`. (The emulator lets a party reach only its own instances.)
pub async fn at_signing_with(
    client: &Client,
    app: &AppId,
    owner: InstanceOwner,
    next: &ProcessNext,
) -> InstanceId {
    let new = NewInstance::new(owner).data(NewData::new(
        MODEL_DATA_TYPE,
        "application/xml",
        "<Skjema/>",
    ));
    let created = client.create_instance(app, &new).await.unwrap();
    let process = client.process_next(app, &created.id, next).await.unwrap();
    assert_eq!(process.task_type(), Some(&TaskType::Signing));
    created.id
}

/// Signs instance `id` for the organisation `org_number` (`onBehalfOf`) with `client` and
/// returns the signing state of the signing task (`Task_2`).
pub async fn sign_on_behalf_of(
    client: &Client,
    app: &AppId,
    id: &InstanceId,
    org_number: &str,
) -> SigningState {
    client
        .perform_action(app, id, &ActionRequest::sign().on_behalf_of(org_number))
        .await
        .unwrap();
    client.signing_state(app, id, Some("Task_2")).await.unwrap()
}

/// The service's refusal with `status` in `result`; any other outcome fails the test.
pub fn refusal<T: std::fmt::Debug>(result: Result<T, Error>, status: u16) -> ApiProblem {
    match result {
        Err(Error::Service(problem)) if problem.status == status => problem,
        other => panic!("expected a {status} from the service, got {other:?}"),
    }
}

pub struct Setup {
    pub emulator: Altinn3Emulator,
    pub party: u64,
    pub client: Client,
    pub app: AppId,
}

impl Setup {
    /// A new instance of the app, as `new` describes it.
    pub async fn create(&self, new: &NewInstance) -> Instance {
        self.client.create_instance(&self.app, new).await.unwrap()
    }

    /// The process of instance `id` moved on by `next`.
    pub async fn next(&self, id: &InstanceId, next: &ProcessNext) -> ProcessState {
        self.client.process_next(&self.app, id, next).await.unwrap()
    }
}
