//! Authentication providers: how a request proves who the user is.
//!
//! Altinn's message box needs a *user* identity on top of the API key. Four ways are
//! offered, all behind [`AuthProvider`]:
//!
//! | Provider | Credential | Level |
//! |---|---|---|
//! | [`BearerToken`] | an ID-porten access token from the caller, refreshed through a callback | the ID-porten login's |
//! | [`Maskinporten`] | a Maskinporten token (JWT grant signed with the enterprise certificate) exchanged for an Altinn token, for an enterprise user | the enterprise user's |
//! | [`EnterpriseUserLogin`] | the enterprise certificate over mTLS plus an enterprise user, giving an `.ASPXAUTH` cookie | 3 (older docs) |
//! | [`PasswordLogin`] | an Altinn username and password, giving an `.ASPXAUTH` cookie | **1 only**: cannot sign services that require more |
//!
//! Providers cache what they obtain. When Altinn refuses a credential, the client asks the
//! provider once to [`renew`](AuthProvider::renew) it and repeats the request.

mod bearer;
mod cache;
mod certificate;
mod maskinporten;
mod password;

use std::fmt;

use async_trait::async_trait;

pub(crate) use cache::CredentialCache;
pub(crate) use maskinporten::{jwt_expiry, unix_now};

pub use bearer::BearerToken;
pub use certificate::EnterpriseCertificate;
pub use maskinporten::{Maskinporten, MaskinportenBuilder};
pub use password::{EnterpriseUserLogin, PasswordLogin};

use crate::environment::Environment;
use crate::error::Error;
use crate::secret::Secret;

/// What a request carries to prove the user's identity.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Credential {
    /// `Authorization: Bearer <token>`.
    Bearer(Secret),
    /// `Cookie: <name>=<value>` (Altinn's `.ASPXAUTH`).
    Cookie(Secret),
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Bearer(_) => "Credential::Bearer(***)",
            Self::Cookie(_) => "Credential::Cookie(***)",
        })
    }
}

/// What a provider may use to obtain a credential: the HTTP client (with the enterprise
/// certificate when the provider asked for one), the environment and the API key.
#[derive(Debug)]
pub struct AuthContext<'a> {
    pub(crate) http: &'a reqwest::Client,
    pub(crate) environment: &'a Environment,
    pub(crate) api_key: &'a Secret,
}

impl AuthContext<'_> {
    /// The HTTP client.
    pub fn http(&self) -> &reqwest::Client {
        self.http
    }

    /// The environment.
    pub fn environment(&self) -> &Environment {
        self.environment
    }

    /// The API key, for login calls that need it.
    pub fn api_key(&self) -> &Secret {
        self.api_key
    }
}

/// A way to authenticate the user.
///
/// Implementations cache their credential and must be cheap to call for every request.
#[async_trait]
pub trait AuthProvider: Send + Sync + fmt::Debug {
    /// The credential to send now.
    ///
    /// # Errors
    ///
    /// [`Error::TokenRequest`] and friends when one cannot be obtained.
    async fn credential(&self, cx: &AuthContext<'_>) -> Result<Credential, Error>;

    /// Altinn refused `rejected`; return a fresh credential, or `None` if this provider
    /// cannot get one (the refusal then goes to the caller).
    ///
    /// # Errors
    ///
    /// As for [`credential`](Self::credential).
    async fn renew(
        &self,
        cx: &AuthContext<'_>,
        rejected: &Credential,
    ) -> Result<Option<Credential>, Error> {
        let _ = (cx, rejected);
        Ok(None)
    }

    /// The client certificate the HTTP client must present, if any.
    fn client_certificate(&self) -> Option<&EnterpriseCertificate> {
        None
    }
}
