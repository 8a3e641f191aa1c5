//! Posten signering (the Digipost signature API) for the signering workspace.
//!
//! Scope of the crate: everything specific to Posten signering. Today that is the mapping
//! between provider-neutral [`signature_core::SigningJob`]s and the service's wire format
//! ([`wire`]): the job request sent as the first part of the create call and the
//! `manifest.xml` that travels inside the signed document bundle; and the signed bundle itself
//! ([`PreparedJob`], built with the `asice` crate). The HTTP client (mutual TLS,
//! direct/portal/archive operations, polling) builds on this.
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
mod error;
pub mod wire;

pub use bundle::PreparedJob;
pub use error::Error;
