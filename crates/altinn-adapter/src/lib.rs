//! Clients for Altinn: [`v3`], the live platform (app instances, the process, signing for
//! oneself or on behalf of an organisation, as a person or a system user, Storage and
//! Dialogporten), and `v2`, Altinn 2's REST API for form tasks (**retired**: switched off
//! on 2026-06-19; kept because it is where this project started, and it runs against the
//! emulator; behind the default-on `altinn2` feature).
//!
//! # A tour
//!
//! - [`auth`]: where bearer tokens come from, shared by both APIs: an ID-porten
//!   [`auth::BearerToken`] the caller obtained, or [`auth::Maskinporten`] for an
//!   organisation or a system user (its grant signed with an [`auth::GrantKey`]: the
//!   enterprise certificate loaded by [`asice`], or a key registered with the client, by
//!   `kid`).
//! - [`v3::Client`] exchanges such a token for an Altinn token and calls the apps, Storage
//!   and Dialogporten; [`v3::Client::awaiting_signature`] finds what waits for the user's
//!   signature; [`v3::Service`] is its
//!   [`SignatureService`].
//! - `v2::Client` and `v2::Service` do the same for Altinn 2's message box.
//! - [`Error`] is shared: every error answer is [`Error::Service`] with Altinn's answer in
//!   [`ApiProblem`] (HTTP status, an open [`ErrorCode`] where the answer has one, the
//!   service's message, RFC 7807 [`ProblemDetails`] for Altinn 3); key loading fails with
//!   [`Error::Key`]; [`Error::is_transient`] and [`Error::retry_after`] say whether and when
//!   to retry; GETs are retried by the clients as the [`RetryPolicy`] says.
//! - The neutral job types ([`SigningJob`], [`JobRef`], [`StatusChange`], [`JobStatus`], …,
//!   from `signature_core`) and the key loader ([`SigningKey`], [`LoadOptions`], from
//!   `asice`) are re-exported at the root, so this crate is the one dependency a user needs.
//!
//! ```no_run
//! use altinn_adapter::auth::{EnterpriseCertificate, LoadOptions, Maskinporten, SigningKey};
//! use altinn_adapter::v3::{AppId, Client, Environment, InstanceQuery, TokenProvider};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! // A system user of the customer 310000001, for the vendor's Maskinporten client; the
//! // token serves apps and Storage, and Dialogporten (which needs `digdir:dialogporten`).
//! let key = SigningKey::from_pkcs12_file("virksomhet.p12", "passord", &LoadOptions::default())?;
//! let maskinporten = Maskinporten::builder(
//!     "my-client-id",
//!     "altinn:instances.read altinn:instances.write digdir:dialogporten",
//!     EnterpriseCertificate::new(key)?,
//! )
//! .test_environment()
//! .system_user("310000001")
//! .build()?;
//! let client = Client::builder(Environment::tt02())
//!     .exchange(TokenProvider::Maskinporten, maskinporten)
//!     .build()?;
//! let app = AppId::parse("ttd/signing-demo")?;
//! let page = client.instances(&InstanceQuery::for_party(50001234).app(&app)).await?;
//! println!("{} instances", page.instances.len());
//! # Ok(()) }
//! ```
//!
//! # Secrets
//!
//! Passwords, tokens, API keys, cookies and identity numbers are held in [`Secret`] or
//! masked, and never appear in `Debug`, logs or error messages.

#![deny(missing_docs)]
#![deny(missing_debug_implementations)]

pub mod auth;
mod error;
mod error_code;
#[doc(hidden)]
pub mod fuzzing;
mod http;
mod limits;
mod response;
mod retry;
mod secret;
mod tls;
#[cfg(feature = "altinn2")]
pub mod v2;
pub mod v3;

pub use error::{ApiProblem, Error, ErrorCode, ProblemDetails};
pub use limits::FORM_JOB_LIMITS;
pub use retry::RetryPolicy;
pub use secret::Secret;

#[doc(no_inline)]
pub use signature_core::prelude::*;

/// The enterprise key loader (PKCS#12 or PEM files, PKCS#11 tokens, your own signer), as
/// in [`auth`], so that `SigningKey::from_pkcs12_file(..)?` needs no other crate; a failure
/// converts into [`Error::Key`].
#[doc(no_inline)]
pub use asice::{
    KeySigner, LoadOptions, Pin, Pkcs11Key, Pkcs11Options, SignatureScheme, SigningKey,
};

/// The neutral domain crate, for what the root does not re-export (its `Error`, constants).
#[doc(no_inline)]
pub use signature_core;

/// Deliberately re-exported third-party types of this crate's API: URLs of the environments,
/// DER certificates (extra trust roots, the enterprise certificate's chain), and the JSON of
/// [`ProblemDetails::extensions`].
#[doc(no_inline)]
pub use rustls_pki_types::CertificateDer;
#[doc(no_inline)]
pub use serde_json;
#[doc(no_inline)]
pub use url::Url;
