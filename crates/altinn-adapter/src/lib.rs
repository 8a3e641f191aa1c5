//! A client for Altinn 2's REST API for form tasks: read the message box, send a form set
//! to signing, sign it (whole or in part), and fetch the archived result; and, in
//! [`altinn3`], a client for Altinn 3's apps, Storage and Dialogporten.
//!
//! # A tour
//!
//! - [`AltinnClient`] (built with [`AltinnClient::builder`]) holds the [`Environment`]
//!   (production, TT02 or any URL), the API key, the [`Language`] and an
//!   [`auth::AuthProvider`]. Every call sends `ApiKey`, `Accept: application/hal+json`
//!   and the user's credential.
//! - [`auth`] offers the ways to log in: an ID-porten [`auth::BearerToken`],
//!   [`auth::Maskinporten`] with an enterprise user, an [`auth::EnterpriseUserLogin`]
//!   over mTLS, or a level-1 [`auth::PasswordLogin`].
//! - Messages ([`AltinnClient::messages`], [`AltinnClient::message`], forms, attachments,
//!   print, archive, confirm, delete, reportees) and signing
//!   ([`AltinnClient::submit_to_signing`], [`AltinnClient::signing_text`],
//!   [`AltinnClient::sign`]).
//! - [`AltinnService`] puts it behind `signature_core`'s provider-neutral
//!   [`SignatureService`](signature_core::SignatureService).
//! - [`altinn3`] is the client for Altinn 3, where forms are apps with their own APIs and
//!   the message box is Dialogporten (Altinn 2 is switched off by June 2026):
//!   [`altinn3::Altinn3Client`] exchanges an ID-porten or Maskinporten token for an
//!   Altinn token, creates and reads app instances, walks the process, signs, reads the
//!   signing state, downloads data elements and searches Dialogporten;
//!   [`altinn3::Altinn3Service`] is its [`SignatureService`](signature_core::SignatureService).
//!   It shares this crate's [`Secret`], [`Error`] (with Altinn 3's ProblemDetails in
//!   [`ApiProblem::details`]) and the [`auth`] providers for the token to exchange.
//!
//! ```no_run
//! use altinn_adapter::{AltinnClient, Environment, MessageQuery, SignatureSelection, Who};
//! use altinn_adapter::auth::BearerToken;
//!
//! # async fn run(idporten_token: String) -> Result<(), altinn_adapter::Error> {
//! let client = AltinnClient::builder(Environment::tt02(), "api-key")
//!     .auth(BearerToken::new(idporten_token))
//!     .build()?;
//! let waiting = client
//!     .messages(&Who::My, &MessageQuery::new().filter("Status eq 'Signering'"))
//!     .await?;
//! if let Some(message) = waiting.messages.first() {
//!     let text = client.signing_text(&Who::My, &message.id).await?;
//!     println!("By signing you confirm: {}", text.text);
//!     let signed = client.sign(&Who::My, &message.id, &SignatureSelection::Whole).await?;
//!     println!("archived as {:?}", signed.archived.message_id);
//! }
//! # Ok(()) }
//! ```
//!
//! The Altinn 3 flow: find what waits for the user's signature, sign it, keep the signature.
//!
//! ```no_run
//! use altinn_adapter::altinn3::{
//!     Action, Altinn3Client, Altinn3Environment, AppId, DialogQuery, DialogStatus, TokenProvider,
//! };
//! use altinn_adapter::auth::BearerToken;
//!
//! # async fn run(idporten_token: String) -> Result<(), altinn_adapter::Error> {
//! let client = Altinn3Client::builder(Altinn3Environment::tt02())
//!     .exchange(TokenProvider::IdPorten, BearerToken::new(idporten_token))
//!     .build()?;
//! let app = AppId::parse("ttd/signing-demo")?;
//! let query = DialogQuery::new()
//!     .service_resource(app.service_resource())
//!     .status(DialogStatus::InProgress);
//! for waiting in client.awaiting_signature(&query).await? {
//!     let (app, id) = (&waiting.instance.app, &waiting.instance.id);
//!     for document in client.signing_data_elements(app, id).await? {
//!         let mut pdf = Vec::new();
//!         client.download_data(app, id, &document.id, &mut pdf).await?;
//!     }
//!     client.process_next(app, id, Some(&Action::Sign)).await?;
//!     let instance = client.instance(app, id).await?;
//!     for signature in instance.data_of_type("signatures") {
//!         let record = client.sign_document(app, id, &signature.id).await?;
//!         println!("signed at {:?}", record.signed_time);
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! # Errors
//!
//! Altinn often states an error only in the HTTP reason phrase. The client speaks
//! HTTP/1.1, reads the server's phrase (hyper keeps it in a response extension that
//! reqwest passes through) and returns it in [`ApiProblem`] together with any
//! `{ErrorCode, ErrorMessage}` body. An answer that redirects to a login page or is an
//! HTML page means the request was not authenticated and becomes
//! [`Error::NotAuthenticated`].
//!
//! # Secrets
//!
//! Passwords, tokens, API keys, cookies and identity numbers are held in [`Secret`] and
//! never appear in `Debug`, logs or error messages.

#![deny(missing_docs)]
#![deny(missing_debug_implementations)]

pub mod altinn3;
pub mod auth;
mod client;
mod environment;
mod error;
#[doc(hidden)]
pub mod fuzzing;
mod hal;
mod messages;
mod model;
mod response;
mod secret;
mod service;
mod signing;
mod status;
mod tls;

pub use client::{
    AltinnClient, AltinnClientBuilder, DEFAULT_STREAMING_THRESHOLD, MAX_ANSWER_BYTES,
};
pub use environment::{Environment, Language, Who};
pub use error::{ApiProblem, Error, ProblemDetails};
pub use hal::Link;
pub use messages::{Archived, MAX_PAGE_SIZE, MessageList, MessagePage, MessageQuery, PrintOptions};
pub use model::{
    Attachment, Form, FormKind, Message, MessageId, MessageKind, Reportee, SignatureSpec,
    SigningText,
};
pub use secret::Secret;
pub use service::AltinnService;
pub use signing::{
    FormTask, NewAttachment, NewForm, SignatureItem, SignatureSelection, Signed, Submitted,
};
pub use status::MessageStatus;
