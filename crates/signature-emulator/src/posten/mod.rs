//! Emulator of Posten signering (the Digipost signature API) for tests and demos.
//!
//! Two listeners share one state:
//!
//! * the **API** (`https://127.0.0.1:PORT/api`), mutual TLS only: the client certificate must
//!   come from the emulator's CA, and its organization number (organizationIdentifier
//!   `NTRNO-…`, else serialNumber, else a nine-digit CN) is the broker. Routes follow the real
//!   service under `/api/{sender}/…`: create direct and portal jobs (`multipart/mixed`: job
//!   request XML + ASiC-E), status-change queues with `X-Next-permitted-poll-time` and 429,
//!   direct status by `status_query_token`, new redirect URLs, confirm, cancel, delete
//!   documents, XAdES/PAdES downloads and the archive.
//! * the **web** side (`http://127.0.0.1:PORT`): the single-use signing ceremony at each
//!   redirect URL and the JSON control API under `/control`.
//!
//! Jobs live in SQLite ([`PostenEmulatorBuilder::database`] for a file that survives
//! restarts). Requests are validated like the service does: multipart shape, the job request
//! and manifest against the schema rules, the bundle's XAdES (trusting the emulator CA), and
//! that the broker may act for the sender; refusals are the service's `error` documents.
//!
//! ```no_run
//! # async fn demo() -> Result<(), signature_emulator::posten::Error> {
//! use signature_emulator::posten::PostenEmulator;
//! let emulator = PostenEmulator::builder().client("123456785").start().await?;
//! let client = emulator.client("123456785")?; // PEM identity for reqwest, or .to_pkcs12(..)
//! println!("{} trusts {} bytes of CA PEM", emulator.base_url, emulator.ca_pem.len());
//! # let _ = client;
//! emulator.shutdown().await;
//! # Ok(()) }
//! ```

mod actions;
mod ceremony;
mod control;
mod error;
mod faults;
mod multipart;
mod pades;
mod pki;
mod routes;
mod server;
mod state;
mod store;
mod tls;
mod validate;
mod wire;
mod xades;

pub use actions::{SignerAction, SignerOutcome};
pub use control::{Control, JobSnapshot, SignerSnapshot};
pub use error::Error;
pub use faults::{Fault, FaultRule};
pub use pki::{ClientIdentity, OrgNumberIn, SERVER_ORGANIZATION_NUMBER};
pub use server::{
    DEFAULT_CLIENT_ORGANIZATION_NUMBER, PostenEmulator, PostenEmulatorBuilder, RunningEmulator,
};
pub use store::Flow;
