//! Logins that give an `.ASPXAUTH` cookie: Altinn username/password, or an enterprise user
//! over mTLS with the enterprise certificate.

use std::time::Instant;

use serde_json::json;

use super::{Credential, LoginContext};
use crate::auth::{Cache, EnterpriseCertificate};
use crate::error::Error;
use crate::response::reason_phrase;
use crate::secret::{Secret, mask_identity_numbers};

const COOKIE_NAME: &str = ".ASPXAUTH";

/// Logs in with an Altinn username (or identity number) and password and sends the
/// `.ASPXAUTH` cookie.
///
/// **Security level 1.** Altinn ranks password logins lowest, so services whose signing
/// step requires level 3 or 4 (most) refuse to be signed with it. Prefer [`BearerToken`]
/// with ID-porten. Password login ended with Altinn 2 (switched off 2026-06-19).
///
/// [`BearerToken`]: crate::auth::BearerToken
#[derive(Debug)]
pub struct PasswordLogin {
    username: Secret,
    password: Secret,
    cache: Cache<Credential>,
}

impl PasswordLogin {
    /// Logs in as `username` (which may be an identity number, so it is kept secret too).
    pub fn new(username: impl Into<Secret>, password: impl Into<Secret>) -> Self {
        Self {
            username: username.into(),
            password: password.into(),
            cache: Cache::default(),
        }
    }

    async fn login(&self, cx: &LoginContext<'_>) -> Result<(Credential, Option<Instant>), Error> {
        login(cx, &self.username, &self.password, false).await
    }
}

cached_login!(PasswordLogin, login);

/// Logs an enterprise user ("virksomhetsbruker") in over mTLS with the enterprise
/// certificate (`?ForceEIAuthentication`) and sends the `.ASPXAUTH` cookie afterwards.
///
/// The client presents the certificate on every connection, as the login needs it; later
/// calls need only the cookie.
#[derive(Debug)]
pub struct EnterpriseUserLogin {
    certificate: EnterpriseCertificate,
    username: String,
    password: Secret,
    cache: Cache<Credential>,
}

impl EnterpriseUserLogin {
    /// Logs in as enterprise user `username` with the organization's `certificate`.
    pub fn new(
        certificate: EnterpriseCertificate,
        username: impl Into<String>,
        password: impl Into<Secret>,
    ) -> Self {
        Self {
            certificate,
            username: username.into(),
            password: password.into(),
            cache: Cache::default(),
        }
    }

    async fn login(&self, cx: &LoginContext<'_>) -> Result<(Credential, Option<Instant>), Error> {
        login(
            cx,
            &Secret::new(self.username.clone()),
            &self.password,
            true,
        )
        .await
    }
}

cached_login!(
    EnterpriseUserLogin,
    login,
    fn client_certificate(&self) -> Option<&EnterpriseCertificate> {
        Some(&self.certificate)
    }
);

async fn login(
    cx: &LoginContext<'_>,
    username: &Secret,
    password: &Secret,
    enterprise: bool,
) -> Result<(Credential, Option<Instant>), Error> {
    let service = if enterprise {
        "the Altinn enterprise user login"
    } else {
        "the Altinn password login"
    };
    let mut url = cx
        .environment
        .api_url()
        .join("api/authentication/authenticatewithpassword")
        .map_err(|e| Error::config_from("login URL", e))?;
    if enterprise {
        url.set_query(Some("ForceEIAuthentication"));
    }
    let body = json!({"UserName": username.expose(), "UserPassword": password.expose()});
    let request = cx
        .http
        .post(url)
        .header("ApiKey", cx.api_key.expose())
        .header("Accept", "application/hal+json")
        .header("Content-Type", "application/hal+json")
        .body(body.to_string());
    let response = cx.http.send(request).await?;
    let status = response.status();
    if !status.is_success() {
        let reason = reason_phrase(&response)
            .map(|r| format!(": {}", mask_identity_numbers(&r)))
            .unwrap_or_default();
        return Err(Error::TokenRequest {
            service,
            detail: format!("HTTP {}{reason}", status.as_u16()),
        });
    }
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .filter_map(|value| value.split(';').next())
        .map(str::trim)
        .find(|pair| {
            pair.split_once('=')
                .is_some_and(|(name, value)| name == COOKIE_NAME && !value.is_empty())
        })
        .ok_or_else(|| Error::TokenRequest {
            service,
            detail: format!("the answer sets no {COOKIE_NAME} cookie"),
        })?;
    Ok((Credential::Cookie(Secret::new(cookie)), None))
}
