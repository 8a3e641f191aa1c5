//! Posten signering (the Digipost signature API) for the signering workspace.
//!
//! A map of the crate:
//!
//! - The neutral job types ([`SigningJob`], [`Document`], [`Signer`], [`JobRef`],
//!   [`StatusChange`], [`JobStatus`], …, from `signature_core`) and the enterprise key loader
//!   ([`SigningKey`], [`LoadOptions`], from `asice`) are re-exported here, so this crate is the
//!   one dependency a Posten user needs.
//! - [`PreparedJob`]: a job as the service's XML (job request and `manifest.xml`) and the
//!   signed ASiC-E bundle. The generated wire types themselves (`wire`) are behind the `wire`
//!   feature, off by default, because they are not a stable API.
//! - [`Client`] (configured with a [`ClientBuilder`]): mutual TLS with the enterprise
//!   certificate and every API call — create direct and portal jobs, new redirect URLs,
//!   status by token, polling, confirm, cancel, delete documents, XAdES/PAdES and archive
//!   downloads streamed into an `AsyncWrite`. It also implements
//!   [`signature_core::SignatureService`].
//! - [`Poller`]: the polling loop done right (poll times, backoff, confirm after success).
//! - [`RateLimit`] and [`RetryPolicy`]: staying under the service's ~10 calls/s, and retrying
//!   idempotent GETs only (the schedule is `signature_core`'s, shared with the Altinn adapter).
//! - [`Error`]: one enum; the service's error answers are [`Error::Service`] with an open
//!   [`ErrorCode`] (every documented code, unknown ones kept as text) and the service's message;
//!   key loading fails with [`Error::Key`]; [`Error::is_transient`] says whether to retry.
//! - [`TrustAnchors`] and [`ServerTrust`]: the built-in CA certificates per environment and
//!   the server-certificate policy; [`doctor`]: why a connection will fail (the library
//!   behind `signering doctor`).
//!
//! # Security choices
//!
//! The server is identified by its enterprise certificate's organization number (Posten
//! Bring AS, 984661185), not by host name, as in the official Java and .NET clients; the
//! chain is still validated against the environment's built-in trust anchors
//! ([`TrustAnchors`]: the CA certificates the official clients ship, embedded here), never a
//! public root store. See [`ServerTrust`], [`ClientBuilder::server_organization_number`] and
//! [`Environment`]. A server of another organization is refused during the handshake, before
//! a request byte is sent ([`Error::ServerCertificateRejected`]); a server certificate of the
//! other kind of environment (a test CA while configured for production, or the reverse) is
//! refused with [`Error::ServerCertificateWrongEnvironment`].
//!
//! Nothing the crate logs or puts in an error contains a personal identification number,
//! a status query token or key material: spans carry path templates, not URLs.
//!
//! # Example
//!
//! ```no_run
//! use posten_adapter::{
//!     Client, Document, Environment, FlowKind, LoadOptions, LookupNotifications,
//!     OrganizationNumber, PollResult, Signer, SigningJob, SigningKey, StatusQueue,
//! };
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let key = SigningKey::from_pkcs12_file("virksomhet.p12", "passord", &LoadOptions::default())?;
//! let client = Client::builder(Environment::Production, key)
//!     .default_sender(OrganizationNumber::parse("123456785")?)
//!     .build()?;
//!
//! let job = SigningJob::builder("Employment contract")
//!     .document(Document::pdf("Contract", "contract.pdf", std::fs::read("contract.pdf")?))
//!     .signer(Signer::with_personal_identification_number("24068110048")
//!         .notify_through_lookup(LookupNotifications::EmailOnly))
//!     .build()?;
//! let created = client.create_job(&job).await?;
//! println!("created job {}", created.id);
//!
//! if let PollResult::Change(change) = client.poll(&StatusQueue::new(FlowKind::Portal)).await? {
//!     if let Some(pades) = change.pades() {
//!         let mut pdf = Vec::new(); // any tokio AsyncWrite: a file, an upload stream…
//!         client.download(pades, &mut pdf).await?;
//!     }
//!     if let Some(confirmation) = &change.confirmation {
//!         client.confirm(confirmation).await?;
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! Serializing a job without a client (with the `wire` feature):
//!
//! ```
//! use posten_adapter::wire::SerializedJob;
//! use posten_adapter::{Document, LookupNotifications, OrganizationNumber, Signer, SigningJob};
//!
//! let job = SigningJob::builder("Employment contract")
//!     .document(Document::pdf("Contract", "contract.pdf", b"%PDF-1.7".to_vec()))
//!     .signer(Signer::with_personal_identification_number("24068110048")
//!         .notify_through_lookup(LookupNotifications::EmailOnly))
//!     .build()?;
//! let sender = OrganizationNumber::parse("984661185")?;
//! let wire = SerializedJob::new(&job, Some(&sender))?;
//! let manifest = String::from_utf8(wire.manifest_xml).unwrap();
//! assert!(manifest.contains("<portal-signature-job-manifest"));
//! assert!(manifest.contains("<organization-number>984661185</organization-number>"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

mod bundle;
mod certificate;
mod client;
mod config;
mod convert;
pub mod doctor;
mod download;
mod error;
mod error_code;
mod limits;
mod multipart;
mod poller;
mod proxy;
mod rate_limit;
mod server_trust;
mod service;
mod service_root;
mod tls;
mod transport;
mod trust;
#[cfg(feature = "wire")]
pub mod wire;
#[cfg(not(feature = "wire"))]
mod wire;

pub use bundle::PreparedJob;
pub use certificate::{CertificateSummary, Seid, organization_number_of_certificate};
pub use client::Client;
pub use config::{ClientBuilder, Environment, Timeouts};
pub use error::{DOS_FILTER_BLOCKING_PERIOD, Error, MAX_EXCERPT_CHARS};
pub use error_code::{ErrorCode, ErrorType};
pub use limits::LIMITS;
pub use poller::Poller;
pub use rate_limit::RateLimit;
pub use server_trust::ServerTrust;
pub use service_root::ServiceRoot;
pub use tls::POSTEN_ORGANIZATION_NUMBER;
pub use trust::{EmbeddedCertificate, TrustAnchors};

/// Re-exported for [`ClientBuilder::proxy`].
pub use signature_core::{Proxy, ProxySetting};

/// Retries of idempotent calls: only GETs (status queries, polls, downloads before their body
/// started) are retried, on connection errors, timeouts and 5xx answers. Creating a job is
/// never retried: a lost answer may hide a job the service did create, and a blind retry
/// would make a second one. The schedule is `signature_core`'s, shared with the Altinn adapter.
pub use signature_core::RetryPolicy;

#[doc(no_inline)]
pub use signature_core::prelude::*;

/// The enterprise key loader (PKCS#12 or PEM files, PKCS#11 tokens, your own signer), so that
/// `SigningKey::from_pkcs12_file(..)?` needs no other crate; a failure converts into
/// [`Error::Key`].
#[doc(no_inline)]
pub use asice::{
    KeySigner, LoadOptions, Pin, Pkcs11Key, Pkcs11Options, SignatureScheme, SigningKey,
};

/// The error of the `asice` crate: the payload of [`Error::Bundle`], and the source of
/// [`Error::Key`] for key-loading failures.
pub use asice::Error as AsiceError;

/// The neutral domain crate, for what the root does not re-export (its `Error`, constants).
#[doc(no_inline)]
pub use signature_core;

/// The payload of [`Error::Xml`]: reading or writing the service's XML failed. Re-exported
/// so that the error is nameable without depending on `signature-model`.
pub use signature_model::Error as XmlError;

/// Deliberately re-exported: the URL type of [`Environment::root_url`].
#[doc(no_inline)]
pub use url::Url;
