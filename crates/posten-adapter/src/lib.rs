//! Posten signering (the Digipost signature API) for the signering workspace.
//!
//! A map of the crate:
//!
//! - [`wire`]: provider-neutral [`signature_core::SigningJob`]s ↔ the service's XML (job
//!   request and `manifest.xml`); [`PreparedJob`] adds the signed ASiC-E bundle.
//! - [`Client`] (configured with a [`ClientBuilder`]): mutual TLS with the enterprise
//!   certificate and every API call — create direct and portal jobs, new redirect URLs,
//!   status by token, polling, confirm, cancel, delete documents, XAdES/PAdES and archive
//!   downloads streamed into an `AsyncWrite`. It also implements
//!   [`signature_core::SignatureService`].
//! - [`Poller`]: the polling loop done right (poll times, backoff, confirm after success).
//! - [`RateLimit`] and [`RetryPolicy`]: staying under the service's ~10 calls/s, and retrying
//!   idempotent GETs only.
//! - [`Error`]: one enum; the service's error answers are [`Error::Service`] with an open
//!   [`ErrorCode`] (every documented code, unknown ones kept as text) and the service's message.
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
//! use asice::{LoadOptions, SigningKey};
//! use posten_adapter::{Client, Environment};
//! use signature_core::{
//!     Document, FlowKind, LookupNotifications, OrganizationNumber, PollResult, Signer,
//!     SigningJob, StatusQueue,
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
//! Serializing a job without a client:
//!
//! ```
//! use posten_adapter::wire::SerializedJob;
//! use signature_core::{Document, LookupNotifications, OrganizationNumber, Signer, SigningJob};
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
mod retry;
mod server_trust;
mod service;
mod service_root;
mod tls;
mod transport;
mod trust;
pub mod wire;

pub use bundle::PreparedJob;
pub use certificate::{CertificateSummary, Seid, organization_number_of_certificate};
pub use client::Client;
pub use config::{ClientBuilder, Environment, Timeouts};
pub use error::{DOS_FILTER_BLOCKING_PERIOD, Error, MAX_EXCERPT_CHARS};
pub use error_code::{ErrorCode, ErrorType};
pub use limits::LIMITS;
pub use poller::Poller;
pub use rate_limit::RateLimit;
pub use retry::RetryPolicy;
pub use server_trust::ServerTrust;
pub use service_root::ServiceRoot;
pub use tls::POSTEN_ORGANIZATION_NUMBER;
pub use trust::{EmbeddedCertificate, TrustAnchors};

/// Re-exported for [`ClientBuilder::proxy`].
pub use signature_core::{Proxy, ProxySetting};
