//! How an Altinn 2 request proves who the user is: a bearer token or an `.ASPXAUTH` cookie.
//!
//! Altinn 2's message box needs a *user* identity on top of the API key. Four ways are
//! offered, all behind [`Login`]:
//!
//! | Login | Credential | Level |
//! |---|---|---|
//! | [`BearerToken`] | an ID-porten access token from the caller, refreshed through a callback | the ID-porten login's |
//! | [`MaskinportenEnterpriseUser`] | a Maskinporten token exchanged for an Altinn token for an enterprise user (**retired**: the exchange answers 410 Gone since 2026-06-26) | the enterprise user's |
//! | [`EnterpriseUserLogin`] | the enterprise certificate over mTLS plus an enterprise user, giving an `.ASPXAUTH` cookie | 3 (older docs) |
//! | [`PasswordLogin`] | an Altinn username and password, giving an `.ASPXAUTH` cookie | **1 only**: cannot sign services that require more |
//!
//! Logins cache what they obtain. When Altinn refuses a credential, the client asks the
//! login once to [`renew`](Login::renew) it and repeats the request.

use std::fmt;

use async_trait::async_trait;

pub use enterprise_user::MaskinportenEnterpriseUser;
pub use password::{EnterpriseUserLogin, PasswordLogin};

use super::environment::Environment;
use crate::auth::{BearerToken, EnterpriseCertificate, TokenContext};
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

/// What a login may use: the client's HTTP connection pool (with the enterprise certificate
/// when the login asked for one), the environment and the API key.
#[derive(Debug)]
pub struct LoginContext<'a> {
    pub(crate) http: &'a crate::http::Http,
    pub(crate) environment: &'a Environment,
    pub(crate) api_key: &'a Secret,
}

impl LoginContext<'_> {
    /// The environment.
    pub fn environment(&self) -> &Environment {
        self.environment
    }

    /// The API key, for login calls that need it.
    pub fn api_key(&self) -> &Secret {
        self.api_key
    }

    pub(crate) fn token_context(&self) -> TokenContext<'_> {
        TokenContext { http: self.http }
    }
}

/// A way to authenticate the Altinn 2 user.
///
/// Implementations cache their credential and must be cheap to call for every request.
#[async_trait]
pub trait Login: Send + Sync + fmt::Debug {
    /// The credential to send now.
    ///
    /// # Errors
    ///
    /// [`Error::TokenRequest`] and friends when one cannot be obtained.
    async fn credential(&self, cx: &LoginContext<'_>) -> Result<Credential, Error>;

    /// Altinn refused `rejected`; return a fresh credential, or `None` if this login cannot
    /// get one (the refusal then goes to the caller).
    ///
    /// # Errors
    ///
    /// As for [`credential`](Self::credential).
    async fn renew(
        &self,
        cx: &LoginContext<'_>,
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

/// Implements [`Login`] for a login that keeps its credential in a `cache` field
/// (`Cache<Credential>`) and obtains one with its `$fetch` method: the cache answers until the
/// credential is due, and a refused credential is fetched again once. A macro, because the
/// three logins differ only in that method (and the enterprise user's client certificate,
/// passed as further trait items), and a blanket impl would put a private trait in `Login`'s
/// documentation.
macro_rules! cached_login {
    ($login:ty, $fetch:ident $(, $($items:tt)+)?) => {
        #[async_trait::async_trait]
        impl $crate::v2::auth::Login for $login {
            async fn credential(
                &self,
                cx: &$crate::v2::auth::LoginContext<'_>,
            ) -> Result<$crate::v2::auth::Credential, $crate::error::Error> {
                self.cache.get(|| self.$fetch(cx)).await
            }

            async fn renew(
                &self,
                cx: &$crate::v2::auth::LoginContext<'_>,
                rejected: &$crate::v2::auth::Credential,
            ) -> Result<Option<$crate::v2::auth::Credential>, $crate::error::Error> {
                self.cache
                    .renew(rejected, || self.$fetch(cx))
                    .await
                    .map(Some)
            }

            $($($items)+)?
        }
    };
}

// Defined before the modules that use it: a `macro_rules!` is in scope below its definition.
mod enterprise_user;
mod password;

/// Altinn 2 accepts an ID-porten token as it is.
#[async_trait]
impl Login for BearerToken {
    async fn credential(&self, _cx: &LoginContext<'_>) -> Result<Credential, Error> {
        Ok(Credential::Bearer(self.current().await?))
    }

    async fn renew(
        &self,
        _cx: &LoginContext<'_>,
        rejected: &Credential,
    ) -> Result<Option<Credential>, Error> {
        let Credential::Bearer(rejected) = rejected else {
            return Ok(None);
        };
        Ok(self.refreshed(rejected).await?.map(Credential::Bearer))
    }
}
