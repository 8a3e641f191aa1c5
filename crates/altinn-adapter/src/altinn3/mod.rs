//! Altinn 3: forms are apps with their own APIs, instance metadata lives in Storage, and
//! the message box is Dialogporten. See `docs/altinn3.md` for the API facts and sources.
//!
//! - [`Altinn3Environment`]: production, TT02 or one custom host (an emulator).
//! - [`Altinn3Client`]: the token exchange (an ID-porten or Maskinporten token for an
//!   Altinn token, cached until shortly before it expires), app instances (create with
//!   data, get), the Storage instance query with paging, the process (`GET …/process`,
//!   `PUT …/process/next`), user actions (`POST …/actions`), the signing state, data
//!   elements (streamed, size-limited) and Dialogporten's end-user search.
//! - [`Altinn3Service`]: the client behind `signature_core`'s
//!   [`SignatureService`](signature_core::SignatureService).

mod calls;
mod client;
mod environment;
// `pub(crate)` so the hidden `fuzzing` module can feed the parsers directly.
pub(crate) mod model;
pub(crate) mod problem;
mod service;

pub use calls::{
    AwaitingSignature, DialogQuery, InstanceOwner, InstanceQuery, NewData, NewInstance,
};
pub use client::{Altinn3Client, Altinn3ClientBuilder, DEFAULT_MAX_DOWNLOAD, TokenProvider};
pub use environment::{Altinn3Environment, AppId};
pub use model::{
    Action, ActionResult, ApiAction, ApiEndpoint, DataElement, DataElementSignature, Dialog,
    DialogPage, DialogStatus, GuiAction, Instance, InstanceId, InstancePage, InstanceRef,
    NotificationStatus, ProcessState, ProcessTask, SignDocument, Signee, SigneeState, SigningState,
    TaskType,
};
pub use service::{Altinn3Service, DEFAULT_SIGNATURE_DATA_TYPE};
