//! Altinn 2's REST API for form tasks: read the message box, send a form set to signing, sign
//! it (whole or in part), and fetch the archived result.
//!
//! **Retired platform.** Altinn 2 was switched off on 2026-06-19 (altinn-studio-docs PR
//! #2380; Altinn/altinn-authentication 810f0076: "Altinn 2 / SBL Bridge is shut down"), and
//! the enterprise user token exchange answers 410 Gone since 2026-06-26. This module is kept
//! because its API is where this project started, and it still runs against the emulator
//! (`signature_emulator::altinn`). It sits behind the default-on `altinn2` cargo feature, so
//! switching it off is a deletion. New integrations use [`v3`](crate::v3).
//!
//! - [`Client`] (built with [`Client::builder`]) holds the [`Environment`] (production,
//!   TT02 or any URL), the API key, the [`Language`] and a [`Login`](auth::Login). Every
//!   call sends `ApiKey`, `Accept: application/hal+json` and the user's credential.
//! - [`auth`] has the ways to log in: an ID-porten
//!   [`BearerToken`](crate::auth::BearerToken), [`auth::MaskinportenEnterpriseUser`], an
//!   [`auth::EnterpriseUserLogin`] over mTLS, or a level-1 [`auth::PasswordLogin`].
//! - Messages ([`Client::messages`], [`Client::message`], forms, attachments, print,
//!   archive, confirm, delete, reportees) and signing ([`Client::submit_to_signing`],
//!   [`Client::signing_text`], [`Client::sign`]).
//! - [`Service`] puts it behind `signature_core`'s provider-neutral
//!   [`SignatureService`](signature_core::SignatureService).
//!
//! ```no_run
//! use altinn_adapter::v2::{Client, Environment, MessageQuery, SignatureSelection, Who};
//! use altinn_adapter::auth::BearerToken;
//!
//! # async fn run(idporten_token: String) -> Result<(), altinn_adapter::Error> {
//! let client = Client::builder(Environment::tt02(), "api-key")
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
//! # Errors
//!
//! Altinn 2 often states an error only in the HTTP reason phrase. The client speaks
//! HTTP/1.1, reads the server's phrase (hyper keeps it in a response extension that reqwest
//! passes through) and returns it in [`ApiProblem`](crate::ApiProblem) together with any
//! `{ErrorCode, ErrorMessage}` body. An answer that redirects to a login page or is an HTML
//! page means the request was not authenticated and becomes
//! [`Error::NotAuthenticated`](crate::Error::NotAuthenticated).

pub mod auth;
mod client;
mod environment;
pub(crate) mod hal;
pub(crate) mod messages;
pub(crate) mod model;
mod service;
mod signing;
mod status;

pub use client::{Client, ClientBuilder, DEFAULT_STREAMING_THRESHOLD, MAX_ANSWER_BYTES};
pub use environment::{Environment, Language, Who};
pub use hal::Link;
pub use messages::{Archived, MAX_PAGE_SIZE, MessageList, MessagePage, MessageQuery, PrintOptions};
pub use model::{
    Attachment, Form, FormKind, Message, MessageId, MessageKind, Reportee, SignatureSpec,
    SigningText,
};
pub use service::Service;
pub use signing::{
    FormTask, NewAttachment, NewForm, SignatureItem, SignatureSelection, Signed, Submitted,
};
pub use status::MessageStatus;
