//! Altinn 3, the live platform: forms are apps with their own APIs, instance metadata lives
//! in Storage, and the message box is Dialogporten. See `docs/altinn3.md` for the API facts
//! and their official sources (`../shared/reference/altinn3/`).
//!
//! - [`Environment`]: production, TT02 or one custom host (an emulator).
//! - [`Client`]: the token exchange (an ID-porten or Maskinporten token, of a person, an
//!   organisation or a system user, for an Altinn token, cached until shortly before it
//!   expires), app instances (create with data, get), the Storage instance query with
//!   paging, the process (`GET …/process`, `PUT …/process/next`), user actions
//!   (`POST …/actions`), signing for oneself or on behalf of an organisation, the signing
//!   state and the organisations one may sign for (with `taskId`), data elements (streamed,
//!   size-limited), and Dialogporten (search, one dialog, `dialoglookup`).
//! - [`Client::awaiting_signature`]: what waits for the user's signature, decided by each
//!   instance's process, as the live platform requires.
//! - [`Service`]: the client behind `signature_core`'s
//!   [`SignatureService`](signature_core::SignatureService).
//!
//! The flow: find what waits for the user's signature, sign it, keep the signature.
//!
//! ```no_run
//! use altinn_adapter::auth::BearerToken;
//! use altinn_adapter::v3::{
//!     ActionRequest, AppId, Client, DialogQuery, DialogStatus, Environment, TokenProvider,
//! };
//!
//! # async fn run(idporten_token: String) -> Result<(), altinn_adapter::Error> {
//! let client = Client::builder(Environment::tt02())
//!     .exchange(TokenProvider::IdPorten, BearerToken::new(idporten_token))
//!     .build()?;
//! let app = AppId::parse("ttd/signing-demo")?;
//! let query = DialogQuery::new()
//!     .service_resource(app.service_resource())
//!     .status(DialogStatus::InProgress);
//! for waiting in client.awaiting_signature(&query).await?.awaiting {
//!     let (app, id) = (&waiting.instance.app, &waiting.instance.id);
//!     for document in client.signing_data_elements(app, id, None).await? {
//!         let mut pdf = Vec::new();
//!         client.download_data(app, id, &document.id, &mut pdf).await?;
//!     }
//!     // For an organisation: ActionRequest::sign().on_behalf_of("310000001"), one of
//!     // client.signing_organizations(app, id, None).
//!     client.perform_action(app, id, &ActionRequest::sign()).await?;
//!     let instance = client.instance(app, id).await?;
//!     for signature in instance.data_of_type("signatures") {
//!         let record = client.sign_document(app, id, &signature.id).await?;
//!         println!("signed at {:?}", record.signed_time);
//!     }
//! }
//! # Ok(()) }
//! ```

pub(crate) mod client;
mod data;
mod dialogporten;
mod discovery;
mod environment;
mod exchange;
mod instances;
pub(crate) mod model;
pub(crate) mod problem;
mod process;
mod service;
mod signing;
mod storage;

pub use client::{Client, ClientBuilder, DEFAULT_MAX_DOWNLOAD};
pub use dialogporten::{DialogQuery, MAX_LIMIT};
pub use discovery::{AwaitingSignature, Discovery, SkippedDialog};
pub use environment::{AppId, Environment};
pub use exchange::TokenProvider;
pub use instances::{InstanceOwner, NewData, NewInstance};
pub use model::{
    Action, ActionError, ActionResult, ApiAction, ApiEndpoint, AuthorizedOrganization, DataElement,
    DataElementSignature, Dialog, DialogContent, DialogLookup, DialogPage, DialogStatus, GuiAction,
    Instance, InstanceId, InstanceOwnerInfo, InstancePage, InstanceRef, InstanceStatus,
    Localization, LocalizedText, LookupAuthorization, LookupServiceOwner, LookupServiceResource,
    NotificationStatus, ProcessState, ProcessTask, ProcessTaskInfo, ResourceLinks, SignDocument,
    Signee, SigneeState, SigningState, TaskType, UserAction, UserActionType,
};
pub use process::{ActionRequest, ProcessNext};
pub use service::{DEFAULT_SIGNATURE_DATA_TYPE, Service};
pub use storage::InstanceQuery;
