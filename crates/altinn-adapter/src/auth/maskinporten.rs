//! Maskinporten: a JWT grant signed with the enterprise certificate, exchanged for an
//! Altinn token for an enterprise user.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};
use url::Url;

use super::cache::CredentialCache;
use super::{AuthContext, AuthProvider, Credential, EnterpriseCertificate};
use crate::error::Error;
use crate::response::reason_phrase;
use crate::secret::Secret;

/// How long a grant is valid; Maskinporten accepts at most 120 seconds.
const GRANT_LIFETIME: Duration = Duration::from_secs(120);
/// Renew this long before the token expires, so that no request is sent with a token that
/// expires in flight.
const EXPIRY_MARGIN: Duration = Duration::from_secs(60);

/// Maskinporten authentication for an enterprise user.
///
/// 1. Builds a JWT grant (`RS256`, the certificate chain in `x5c`; claims `aud`, `iss` = the
///    client id, `scope`, `resource`, `iat`, `exp`, `jti`), signs it with the enterprise
///    certificate's key and posts it to Maskinporten's token endpoint.
/// 2. Exchanges the Maskinporten token at the platform's
///    `/authentication/api/v1/exchange/maskinporten`, with the enterprise user in
///    `X-Altinn-EnterpriseUser-Authentication`, for an Altinn token, because the message
///    box does not accept a raw Maskinporten token.
/// 3. Caches the Altinn token until shortly before it expires, and gets a new one once if
///    Altinn answers 401.
///
/// ```no_run
/// # fn cert() -> altinn_adapter::auth::EnterpriseCertificate { unimplemented!() }
/// use altinn_adapter::auth::Maskinporten;
/// let auth = Maskinporten::builder("my-client-id", "altinn:enduser", cert())
///     .test_environment()
///     .enterprise_user("ENTERPRISE_USER", "password")
///     .build()?;
/// # Ok::<(), altinn_adapter::Error>(())
/// ```
pub struct Maskinporten {
    config: Arc<Config>,
    cache: CredentialCache,
}

struct Config {
    client_id: String,
    scope: String,
    audience: String,
    token_endpoint: Url,
    resource: Option<String>,
    enterprise_user: Option<(String, Secret)>,
    certificate: EnterpriseCertificate,
}

impl fmt::Debug for Maskinporten {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Maskinporten")
            .field("client_id", &self.config.client_id)
            .field("scope", &self.config.scope)
            .field("audience", &self.config.audience)
            .field("token_endpoint", &self.config.token_endpoint.as_str())
            .field(
                "enterprise_user",
                &self.config.enterprise_user.as_ref().map(|(user, _)| user),
            )
            .finish_non_exhaustive()
    }
}

/// Configures [`Maskinporten`].
#[derive(Debug)]
#[must_use = "a builder does nothing until it is built"]
pub struct MaskinportenBuilder {
    client_id: String,
    scope: String,
    certificate: EnterpriseCertificate,
    audience: Option<String>,
    token_endpoint: Option<String>,
    resource: Option<String>,
    enterprise_user: Option<(String, Secret)>,
}

impl Maskinporten {
    /// Starts the configuration for the Maskinporten client `client_id` asking for `scope`
    /// (e.g. `altinn:enduser`), signing with `certificate`.
    pub fn builder(
        client_id: impl Into<String>,
        scope: impl Into<String>,
        certificate: EnterpriseCertificate,
    ) -> MaskinportenBuilder {
        MaskinportenBuilder {
            client_id: client_id.into(),
            scope: scope.into(),
            certificate,
            audience: None,
            token_endpoint: None,
            resource: None,
            enterprise_user: None,
        }
    }
}

impl MaskinportenBuilder {
    /// Production Maskinporten (`aud` `https://maskinporten.no/`), resource
    /// `https://www.altinn.no/`.
    pub fn production(self) -> Self {
        self.audience("https://maskinporten.no/")
            .token_endpoint("https://maskinporten.no/token")
            .resource("https://www.altinn.no/")
    }

    /// The test Maskinporten paired with TT02 as Altinn documents it
    /// (`https://ver2.maskinporten.no/`), resource `https://tt02.altinn.no/`.
    pub fn test_environment(self) -> Self {
        self.audience("https://ver2.maskinporten.no/")
            .token_endpoint("https://ver2.maskinporten.no/token")
            .resource("https://tt02.altinn.no/")
    }

    /// The grant's `aud` claim (Maskinporten's issuer).
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = Some(audience.into());
        self
    }

    /// Where grants are posted.
    pub fn token_endpoint(mut self, url: impl Into<String>) -> Self {
        self.token_endpoint = Some(url.into());
        self
    }

    /// The grant's `resource` claim (the Altinn environment the token is for).
    pub fn resource(mut self, resource: impl Into<String>) -> Self {
        self.resource = Some(resource.into());
        self
    }

    /// The enterprise user ("virksomhetsbruker") the Altinn token is for. The message box
    /// needs one; without it the exchange yields an organization-only token.
    pub fn enterprise_user(
        mut self,
        username: impl Into<String>,
        password: impl Into<Secret>,
    ) -> Self {
        self.enterprise_user = Some((username.into(), password.into()));
        self
    }

    /// Checks the configuration.
    ///
    /// # Errors
    ///
    /// [`Error::Configuration`] without an audience or token endpoint, or with a malformed
    /// token endpoint.
    pub fn build(self) -> Result<Maskinporten, Error> {
        let missing = |what: &str| {
            Error::Configuration(format!(
                "Maskinporten needs {what}; call production(), test_environment() or set it"
            ))
        };
        let audience = self.audience.ok_or_else(|| missing("an audience"))?;
        let endpoint = self
            .token_endpoint
            .ok_or_else(|| missing("a token endpoint"))?;
        let token_endpoint = Url::parse(&endpoint).map_err(|e| {
            Error::Configuration(format!("invalid token endpoint {endpoint:?}: {e}"))
        })?;
        Ok(Maskinporten {
            config: Arc::new(Config {
                client_id: self.client_id,
                scope: self.scope,
                audience,
                token_endpoint,
                resource: self.resource,
                enterprise_user: self.enterprise_user,
                certificate: self.certificate,
            }),
            cache: CredentialCache::default(),
        })
    }
}

impl Config {
    fn grant(&self) -> Result<String, Error> {
        let now = unix_now();
        let mut jti = [0u8; 16];
        SystemRandom::new()
            .fill(&mut jti)
            .map_err(|_| Error::Certificate("no randomness for the grant id".to_owned()))?;
        let x5c: Vec<String> = self
            .certificate
            .chain()
            .iter()
            .map(|cert| STANDARD.encode(cert.as_ref()))
            .collect();
        let header = json!({"alg": "RS256", "x5c": x5c});
        let mut claims = json!({
            "aud": self.audience,
            "iss": self.client_id,
            "scope": self.scope,
            "iat": now,
            "exp": now + GRANT_LIFETIME.as_secs(),
            "jti": jti.iter().map(|b| format!("{b:02x}")).collect::<String>(),
        });
        if let (Some(resource), Some(map)) = (&self.resource, claims.as_object_mut()) {
            map.insert("resource".to_owned(), json!(resource));
        }
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature = self.certificate.sign_rs256(signing_input.as_bytes())?;
        Ok(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature)
        ))
    }

    async fn maskinporten_token(&self, http: &reqwest::Client) -> Result<(Secret, u64), Error> {
        const SERVICE: &str = "Maskinporten";
        let body = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer")
            .append_pair("assertion", &self.grant()?)
            .finish();
        let response = http
            .post(self.token_endpoint.clone())
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json")
            .body(body)
            .send()
            .await?;
        let status = response.status();
        let reason = reason_phrase(&response);
        let text = response.text().await?;
        let value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if !status.is_success() {
            let error = [value.get("error"), value.get("error_description")]
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(": ");
            return Err(Error::TokenRequest {
                service: SERVICE,
                detail: format!(
                    "HTTP {}{}",
                    status.as_u16(),
                    describe(reason.as_deref(), Some(error.as_str()))
                ),
            });
        }
        let token = value
            .get("access_token")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::TokenRequest {
                service: SERVICE,
                detail: "the answer has no access_token".to_owned(),
            })?;
        let expires_in = value.get("expires_in").and_then(Value::as_u64).unwrap_or(0);
        Ok((Secret::new(token), expires_in))
    }

    async fn altinn_token(
        &self,
        cx: &AuthContext<'_>,
    ) -> Result<(Credential, Option<Instant>), Error> {
        const SERVICE: &str = "the Altinn token exchange";
        let (maskinporten, expires_in) = self.maskinporten_token(cx.http).await?;
        let url = cx
            .environment
            .platform_url()
            .join("authentication/api/v1/exchange/maskinporten")
            .map_err(|e| Error::Configuration(format!("exchange URL: {e}")))?;
        let mut request = cx
            .http
            .get(url)
            .bearer_auth(maskinporten.expose())
            .header("Accept", "application/json");
        if let Some((user, password)) = &self.enterprise_user {
            let pair = format!("{user}:{}", password.expose());
            request = request.header(
                "X-Altinn-EnterpriseUser-Authentication",
                STANDARD.encode(pair),
            );
        }
        let response = request.send().await?;
        let status = response.status();
        let reason = reason_phrase(&response);
        let text = response.text().await?;
        if !status.is_success() {
            return Err(Error::TokenRequest {
                service: SERVICE,
                detail: format!(
                    "HTTP {}{}",
                    status.as_u16(),
                    describe(reason.as_deref(), None)
                ),
            });
        }
        // The answer is a JSON string; tolerate a bare token too.
        let token = match serde_json::from_str::<Value>(&text) {
            Ok(Value::String(token)) => token,
            _ => text.trim().trim_matches('"').to_owned(),
        };
        if token.is_empty() {
            return Err(Error::TokenRequest {
                service: SERVICE,
                detail: "the answer holds no token".to_owned(),
            });
        }
        let lifetime = jwt_expiry(&token)
            .map(|exp| exp.saturating_sub(unix_now()))
            .unwrap_or(expires_in);
        let refresh_at =
            Instant::now() + Duration::from_secs(lifetime).saturating_sub(EXPIRY_MARGIN);
        Ok((Credential::Bearer(Secret::new(token)), Some(refresh_at)))
    }
}

fn describe(reason: Option<&str>, detail: Option<&str>) -> String {
    let parts: Vec<&str> = [reason, detail]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!(": {}", parts.join("; "))
    }
}

pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// The `exp` claim of a JWT, read without verifying it: only to know when to renew.
pub(crate) fn jwt_expiry(token: &str) -> Option<u64> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    serde_json::from_slice::<Value>(&bytes)
        .ok()?
        .get("exp")?
        .as_u64()
}

#[async_trait]
impl AuthProvider for Maskinporten {
    async fn credential(&self, cx: &AuthContext<'_>) -> Result<Credential, Error> {
        self.cache.get(|| self.config.altinn_token(cx)).await
    }

    async fn renew(
        &self,
        cx: &AuthContext<'_>,
        rejected: &Credential,
    ) -> Result<Option<Credential>, Error> {
        self.cache
            .renew(rejected, || self.config.altinn_token(cx))
            .await
            .map(Some)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn jwt_expiry_reads_exp_without_verifying() {
        let payload = URL_SAFE_NO_PAD.encode(r#"{"exp":1700000000}"#);
        assert_eq!(
            jwt_expiry(&format!("e30.{payload}.sig")),
            Some(1_700_000_000)
        );
        assert_eq!(jwt_expiry("opaque-token"), None);
    }
}
