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
//! Routes of the API listener (`{flow}` = `direct` or `portal`):
//!
//! | Method | Path under `/api` | Answer |
//! |---|---|---|
//! | GET | `/{sender}` | 200 (TLS and broker check) |
//! | POST | `/{sender}/{flow}/signature-jobs` | 200 job response |
//! | GET | `/{sender}/{flow}/signature-jobs?polling_queue=…` | 200 status / 204 / 429, `X-Next-permitted-poll-time` |
//! | GET | `/{sender}/direct/signature-jobs/{id}/status?status_query_token=…` | 200 / 403 / 404 |
//! | POST | `/{sender}/direct/signature-jobs/{id}/signers/{n}` | 200 `direct-signer-response` |
//! | POST | `/{sender}/{flow}/signature-jobs/{id}/complete` | 204 |
//! | POST | `/{sender}/portal/signature-jobs/{id}/cancel` | 204 / 409 |
//! | DELETE | `/{sender}/{flow}/signature-jobs/{id}/documents` | 204 / 409 |
//! | GET | `/{sender}/{flow}/signature-jobs/{id}/xades/{n}` | 200 XML |
//! | GET | `/{sender}/{flow}/signature-jobs/{id}/pades` | 200 PDF with a PAdES B-B signature by the seal (streamed) |
//! | GET | `/{owner}/archive/documents/{id}/pades` | 200 PDF / 404 |
//!
//! Error codes: the service's `NOT_AUTHORIZED` (403, an organization set up
//! [`without_api_access`](PostenEmulatorBuilder::without_api_access)), `BROKER_NOT_AUTHORIZED`
//! (403), `SCHEMA_VALIDATION_ERROR` (400), `ASICE_VALIDATION_FAILED` (400),
//! `INVALID_STATUS_QUERY_TOKEN` (403), `SIGNING_CEREMONY_NOT_COMPLETED` (404),
//! `ARCHIVED_DOCUMENT_NOT_FOUND` (404); and the emulator's own names where the service's code is
//! not documented: `CANNOT_CANCEL` (409), `CANNOT_DELETE_DOCUMENTS` (409), `SIGNER_NOT_WAITING`
//! (409), `INVALID_MULTIPART_REQUEST` (400), `BAD_REQUEST` (400), `NOT_FOUND` (404),
//! `DOCUMENTS_DELETED` (404), `EMULATED_FAULT` (injected), `INTERNAL_ERROR` (500). A 429 has an
//! empty body and the `X-Next-permitted-poll-time` header, as in the official .NET client's
//! fixture.
//!
//! What the emulator enforces (signing order, activation and expiry on a clock the control API
//! moves, the service's rate limit, deletion rules, every signer status), the sources of
//! those rules, and each departure from the real service are listed in
//! `docs/posten-emulator.md`.
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
mod cades;
mod ceremony;
mod clock;
mod control;
mod error;
mod faults;
mod key_cache;
mod multipart;
mod pades;
mod pki;
mod rate_limit;
mod routes;
mod server;
mod state;
mod store;
mod tls;
mod validate;
mod wire;
mod xades;

pub use actions::{SignerAction, SignerOutcome};
pub use control::{ClockSnapshot, Control, JobSnapshot, SignerSnapshot};
pub use error::Error;
pub use faults::{Fault, FaultRule};
pub use pki::{ClientIdentity, OrgNumberIn, SERVER_ORGANIZATION_NUMBER};
pub use rate_limit::RateLimit;
pub use server::{
    DEFAULT_CLIENT_ORGANIZATION_NUMBER, PostenEmulator, PostenEmulatorBuilder, RunningEmulator,
};
pub use store::{Flow, QueueStats};
