//! Where bearer tokens come from: a token the caller obtained (ID-porten), or Maskinporten
//! (an organisation, or a system user acting for one).
//!
//! Both Altinn APIs take these tokens: Altinn 3 exchanges them at the platform for an Altinn
//! token ([`v3::ClientBuilder::exchange`](crate::v3::ClientBuilder::exchange)), Altinn 2
//! accepts an ID-porten token as it is. The Altinn 2-only cookie logins and the enterprise
//! user exchange live in `v2::auth`.
//!
//! | Source | Who | Token |
//! |---|---|---|
//! | [`BearerToken`] | a person, logged in with ID-porten by the caller | the caller's, refreshed through a callback |
//! | [`Maskinporten`] | an organisation ([`GrantKey`] from its enterprise certificate or a registered key) | a JWT grant posted to Maskinporten |
//! | [`Maskinporten`] with [`system_user`](MaskinportenBuilder::system_user) | a system user of a customer organisation | the same grant with Altinn's `authorization_details` |
//!
//! Sources cache what they obtain. When a service refuses a token, the client asks the
//! source once to [`renew`](TokenSource::renew) it and repeats the request.

mod bearer;
mod cache;
mod certificate;
mod grant;
mod jwt;
mod maskinporten;

use std::fmt;

use async_trait::async_trait;

pub(crate) use cache::Cache;
pub(crate) use jwt::{jwt_expiry, unix_now};
#[cfg(feature = "altinn2")]
pub(crate) use maskinporten::describe;

pub use bearer::BearerToken;
pub use certificate::EnterpriseCertificate;
pub use grant::GrantKey;
pub use maskinporten::{Maskinporten, MaskinportenBuilder};

/// The enterprise key store loader the adapter takes its keys from.
pub use asice::{LoadOptions, SigningKey};

use crate::error::Error;
use crate::secret::Secret;

/// What a token source may use to obtain a token: the adapter's HTTP client (so its TLS
/// roots, proxy and timeouts apply). Sources written outside this crate bring their own.
#[derive(Debug, Clone, Copy)]
pub struct TokenContext<'a> {
    pub(crate) http: &'a crate::http::Http,
}

/// A source of bearer tokens.
///
/// Implementations cache their token and must be cheap to call for every request.
#[async_trait]
pub trait TokenSource: Send + Sync + fmt::Debug {
    /// The token to send now.
    ///
    /// # Errors
    ///
    /// [`Error::TokenRequest`] and friends when one cannot be obtained.
    async fn token(&self, cx: &TokenContext<'_>) -> Result<Secret, Error>;

    /// A service refused `rejected`; return a fresh token, or `None` if this source cannot
    /// get one (the refusal then goes to the caller).
    ///
    /// # Errors
    ///
    /// As for [`token`](Self::token).
    async fn renew(
        &self,
        cx: &TokenContext<'_>,
        rejected: &Secret,
    ) -> Result<Option<Secret>, Error> {
        let _ = (cx, rejected);
        Ok(None)
    }
}
