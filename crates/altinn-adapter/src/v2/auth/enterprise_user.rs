//! An Altinn 2 enterprise user through Maskinporten: retired with Altinn 2.

use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::{Credential, LoginContext};
use crate::auth::{Cache, Maskinporten, TokenSource, jwt_expiry, unix_now};
use crate::error::Error;
use crate::response::{read_capped, reason_phrase};
use crate::secret::{Secret, mask_identity_numbers};

/// Renew the Altinn token this long before it expires.
const EXPIRY_MARGIN: Duration = Duration::from_secs(60);
const SERVICE: &str = "the Altinn token exchange";

/// A Maskinporten token exchanged at the platform's
/// `/authentication/api/v1/exchange/maskinporten` for an Altinn token of an enterprise user
/// ("virksomhetsbruker"), whose name and password travel in
/// `X-Altinn-EnterpriseUser-Authentication`.
///
/// **Retired.** Enterprise users ended with Altinn 2, which was switched off on 2026-06-19;
/// since 2026-06-26 the platform answers this exchange with 410 Gone, which this login
/// reports as [`Error::EnterpriseUserRetired`]. It is kept because the Altinn 2 API is where
/// this project started and it still runs against the emulator. Use a system user
/// ([`Maskinporten`] with `system_user`) with Altinn 3 instead.
///
/// ```no_run
/// # fn grant_key() -> altinn_adapter::auth::GrantKey { unimplemented!() }
/// use altinn_adapter::auth::Maskinporten;
/// use altinn_adapter::v2::auth::MaskinportenEnterpriseUser;
/// let maskinporten = Maskinporten::builder("my-client-id", "altinn:enduser", grant_key())
///     .test_environment()
///     .resource("https://tt02.altinn.no/")
///     .build()?;
/// let login = MaskinportenEnterpriseUser::new(maskinporten, "ENTERPRISE_USER", "password");
/// # Ok::<(), altinn_adapter::Error>(())
/// ```
#[derive(Debug)]
pub struct MaskinportenEnterpriseUser {
    maskinporten: Maskinporten,
    username: String,
    password: Secret,
    cache: Cache<Credential>,
}

impl MaskinportenEnterpriseUser {
    /// The enterprise user `username` of the organisation `maskinporten` signs for.
    pub fn new(
        maskinporten: Maskinporten,
        username: impl Into<String>,
        password: impl Into<Secret>,
    ) -> Self {
        Self {
            maskinporten,
            username: username.into(),
            password: password.into(),
            cache: Cache::default(),
        }
    }

    /// A Maskinporten token, exchanged; when the exchange answers 401 the Maskinporten
    /// token is renewed once and exchanged again.
    async fn altinn_token(
        &self,
        cx: &LoginContext<'_>,
    ) -> Result<(Credential, Option<Instant>), Error> {
        let tokens = cx.token_context();
        let maskinporten = self.maskinporten.token(&tokens).await?;
        match self.exchange(cx, &maskinporten).await {
            Err(Refusal::Unauthorized(error)) => {
                match self.maskinporten.renew(&tokens, &maskinporten).await? {
                    Some(fresh) => self.exchange(cx, &fresh).await.map_err(Refusal::into_error),
                    None => Err(error),
                }
            }
            other => other.map_err(Refusal::into_error),
        }
    }

    async fn exchange(
        &self,
        cx: &LoginContext<'_>,
        maskinporten: &Secret,
    ) -> Result<(Credential, Option<Instant>), Refusal> {
        let url = cx
            .environment
            .platform_url()
            .join("authentication/api/v1/exchange/maskinporten")
            .map_err(|e| Error::config_from("exchange URL", e))
            .map_err(Refusal::Other)?;
        let pair = format!("{}:{}", self.username, self.password.expose());
        let request = cx
            .http
            .get(url)
            .bearer_auth(maskinporten.expose())
            .header("Accept", "application/json")
            .header(
                "X-Altinn-EnterpriseUser-Authentication",
                STANDARD.encode(pair),
            );
        let mut response = cx.http.send(request).await.map_err(Refusal::Other)?;
        let status = response.status();
        let reason = reason_phrase(&response).map(|r| mask_identity_numbers(&r));
        let body = read_capped(&mut response, 64 * 1024)
            .await
            .map_err(Refusal::Other)?;
        let text = String::from_utf8_lossy(&body);
        if status.as_u16() == 410 {
            let mut problem = crate::v3::problem::parse(410, &text);
            problem.reason = problem.reason.or(reason);
            return Err(Refusal::Other(Error::EnterpriseUserRetired { problem }));
        }
        if !status.is_success() {
            let error = Error::TokenRequest {
                service: SERVICE,
                detail: format!(
                    "HTTP {}{}",
                    status.as_u16(),
                    crate::auth::describe(reason.as_deref(), None)
                ),
            };
            return Err(if status.as_u16() == 401 {
                Refusal::Unauthorized(error)
            } else {
                Refusal::Other(error)
            });
        }
        // The answer is a JSON string; tolerate a bare token too.
        let token = match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(serde_json::Value::String(token)) => token,
            _ => text.trim().trim_matches('"').to_owned(),
        };
        if token.is_empty() || token.contains(char::is_whitespace) {
            return Err(Refusal::Other(Error::TokenRequest {
                service: SERVICE,
                detail: "the answer holds no token".to_owned(),
            }));
        }
        let refresh_at = jwt_expiry(&token).map(|exp| {
            Instant::now()
                + Duration::from_secs(exp.saturating_sub(unix_now())).saturating_sub(EXPIRY_MARGIN)
        });
        Ok((Credential::Bearer(Secret::new(token)), refresh_at))
    }
}

/// Why an exchange failed: a 401 is worth one more try with a fresh Maskinporten token.
enum Refusal {
    Unauthorized(Error),
    Other(Error),
}

impl Refusal {
    fn into_error(self) -> Error {
        match self {
            Self::Unauthorized(error) | Self::Other(error) => error,
        }
    }
}

cached_login!(MaskinportenEnterpriseUser, altinn_token);
