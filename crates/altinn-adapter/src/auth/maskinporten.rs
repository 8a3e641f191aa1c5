//! Maskinporten: a JWT grant signed with the organisation's key, posted to the token endpoint
//! for an access token; optionally for a system user.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use serde_json::{Value, json};
use url::Url;

use super::cache::Cache;
use super::grant::GrantKey;
use super::jwt::{jwt_expiry, unix_now};
use super::{TokenContext, TokenSource};
use crate::error::Error;
use crate::response::{read_capped, reason_phrase};
use crate::secret::Secret;

/// How long a grant is valid; Maskinporten accepts at most 120 seconds (`exp - iat`).
const GRANT_LIFETIME: Duration = Duration::from_secs(120);
/// Renew this long before the token expires, so that no request is sent with a token that
/// expires in flight.
const EXPIRY_MARGIN: Duration = Duration::from_secs(30);
/// Token answers are small.
const MAX_ANSWER: u64 = 256 * 1024;
/// Altinn's Rich Authorization Request type for a system user token.
const SYSTEM_USER_TYPE: &str = "urn:altinn:systemuser";

/// Maskinporten tokens for an organisation or a system user.
///
/// Each token is obtained with a JWT grant (RFC 7523, as Maskinporten documents it at
/// <https://docs.digdir.no/docs/Maskinporten/maskinporten_protocol_jwtgrant>): header `alg`
/// `RS256` and `x5c` or `kid` (see [`GrantKey`]); claims `aud` (Maskinporten's issuer),
/// `iss` (the client id), `scope`, `iat`, `exp` (at most 120 s later), `jti`, and where set
/// `resource` and `authorization_details`. The grant is posted to the token endpoint
/// (`grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`); the token is cached until
/// shortly before it expires and renewed once when a service refuses it.
///
/// With [`system_user`](MaskinportenBuilder::system_user) the grant asks for a **system
/// user** token for the customer organisation: `authorization_details` =
/// `[{"type": "urn:altinn:systemuser", "systemuser_org": {"authority":
/// "iso6523-actorid-upis", "ID": "0192:{orgnr}"}}]`, as Altinn documents it
/// (<https://docs.altinn.studio/en/authorization/guides/system-vendor/system-user/usetoken/>).
/// Maskinporten issues it only if the customer has created a system user for the client's
/// system. Altinn 3 takes it through the token exchange
/// ([`v3::ClientBuilder::exchange`](crate::v3::ClientBuilder::exchange) with
/// [`TokenProvider::Maskinporten`](crate::v3::TokenProvider::Maskinporten)); only persons
/// and system users may sign in Altinn 3 apps, not the organisation itself. Ask for
/// `digdir:dialogporten` too when the token is to search Dialogporten: it refuses tokens
/// without it (403), exchanged ones included.
///
/// ```no_run
/// use altinn_adapter::auth::{GrantKey, Maskinporten};
/// # fn key() -> GrantKey { unimplemented!() }
/// let scope = "altinn:instances.read altinn:instances.write digdir:dialogporten";
/// let system_user = Maskinporten::builder("my-client-id", scope, key())
///     .test_environment()
///     .system_user("310000001")
///     .build()?;
/// # Ok::<(), altinn_adapter::Error>(())
/// ```
pub struct Maskinporten {
    config: Arc<Config>,
    cache: Cache<Secret>,
}

struct Config {
    client_id: String,
    scope: String,
    audience: String,
    token_endpoint: Url,
    resource: Option<String>,
    system_user_org: Option<String>,
    key: GrantKey,
}

impl fmt::Debug for Maskinporten {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Maskinporten")
            .field("client_id", &self.config.client_id)
            .field("scope", &self.config.scope)
            .field("audience", &self.config.audience)
            .field("token_endpoint", &self.config.token_endpoint.as_str())
            .field("system_user_org", &self.config.system_user_org)
            .field("key", &self.config.key)
            .finish_non_exhaustive()
    }
}

/// Configures [`Maskinporten`].
#[derive(Debug)]
#[must_use = "a builder does nothing until it is built"]
pub struct MaskinportenBuilder {
    client_id: String,
    scope: String,
    key: GrantKey,
    audience: Option<String>,
    token_endpoint: Option<String>,
    resource: Option<String>,
    system_user_org: Option<String>,
}

impl Maskinporten {
    /// Starts the configuration for the Maskinporten client `client_id` asking for `scope`
    /// (space-separated, e.g. `altinn:instances.read altinn:instances.write`), signing with
    /// `key` (an [`EnterpriseCertificate`](super::EnterpriseCertificate) converts into one).
    pub fn builder(
        client_id: impl Into<String>,
        scope: impl Into<String>,
        key: impl Into<GrantKey>,
    ) -> MaskinportenBuilder {
        MaskinportenBuilder {
            client_id: client_id.into(),
            scope: scope.into(),
            key: key.into(),
            audience: None,
            token_endpoint: None,
            resource: None,
            system_user_org: None,
        }
    }
}

impl MaskinportenBuilder {
    /// Production Maskinporten: `aud` `https://maskinporten.no/`, token endpoint
    /// `https://maskinporten.no/token`.
    pub fn production(self) -> Self {
        self.audience("https://maskinporten.no/")
            .token_endpoint("https://maskinporten.no/token")
    }

    /// The test Maskinporten paired with TT02: `aud` `https://test.maskinporten.no/`, token
    /// endpoint `https://test.maskinporten.no/token` (the issuer Altinn's guides and the
    /// Dialogporten OpenAPI use; the older `ver2.maskinporten.no` is set with
    /// [`audience`](Self::audience) and [`token_endpoint`](Self::token_endpoint)).
    pub fn test_environment(self) -> Self {
        self.audience("https://test.maskinporten.no/")
            .token_endpoint("https://test.maskinporten.no/token")
    }

    /// The grant's `aud` claim (Maskinporten's issuer identifier).
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = Some(audience.into());
        self
    }

    /// Where grants are posted.
    pub fn token_endpoint(mut self, url: impl Into<String>) -> Self {
        self.token_endpoint = Some(url.into());
        self
    }

    /// The grant's `resource` claim (an audience-restricted API; only some APIs use it, and
    /// Altinn 3's token exchange does not).
    pub fn resource(mut self, resource: impl Into<String>) -> Self {
        self.resource = Some(resource.into());
        self
    }

    /// Asks for a system user token for the customer organisation `organization_number`
    /// (nine digits), through `authorization_details` of type `urn:altinn:systemuser`.
    pub fn system_user(mut self, organization_number: impl Into<String>) -> Self {
        self.system_user_org = Some(organization_number.into());
        self
    }

    /// Checks the configuration.
    ///
    /// # Errors
    ///
    /// [`Error::Configuration`] without an audience or token endpoint, with a malformed
    /// token endpoint, or with a system user organisation number that is not nine digits.
    pub fn build(self) -> Result<Maskinporten, Error> {
        let missing = |what: &str| {
            Error::config(format!(
                "Maskinporten needs {what}; call production(), test_environment() or set it"
            ))
        };
        let audience = self.audience.ok_or_else(|| missing("an audience"))?;
        let endpoint = self
            .token_endpoint
            .ok_or_else(|| missing("a token endpoint"))?;
        let token_endpoint = Url::parse(&endpoint)
            .map_err(|e| Error::config_from(format!("invalid token endpoint {endpoint:?}"), e))?;
        if let Some(org) = &self.system_user_org
            && !(org.len() == 9 && org.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(Error::config(
                "a system user's organisation number has nine digits",
            ));
        }
        Ok(Maskinporten {
            config: Arc::new(Config {
                client_id: self.client_id,
                scope: self.scope,
                audience,
                token_endpoint,
                resource: self.resource,
                system_user_org: self.system_user_org,
                key: self.key,
            }),
            cache: Cache::default(),
        })
    }
}

impl Config {
    /// The claims of a new grant.
    fn claims(&self, now: u64, jti: &str) -> Value {
        let mut claims = json!({
            "aud": self.audience,
            "iss": self.client_id,
            "scope": self.scope,
            "iat": now,
            "exp": now + GRANT_LIFETIME.as_secs(),
            "jti": jti,
        });
        if let Some(map) = claims.as_object_mut() {
            if let Some(resource) = &self.resource {
                map.insert("resource".to_owned(), json!(resource));
            }
            if let Some(org) = &self.system_user_org {
                map.insert(
                    "authorization_details".to_owned(),
                    json!([{
                        "type": SYSTEM_USER_TYPE,
                        "systemuser_org": {
                            "authority": "iso6523-actorid-upis",
                            "ID": format!("0192:{org}"),
                        },
                    }]),
                );
            }
        }
        claims
    }

    fn grant(&self) -> Result<String, Error> {
        let mut jti = [0u8; 16];
        SystemRandom::new()
            .fill(&mut jti)
            .map_err(|_| Error::key("no randomness for the grant id"))?;
        let jti: String = jti.iter().map(|b| format!("{b:02x}")).collect();
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(self.key.header().to_string()),
            URL_SAFE_NO_PAD.encode(self.claims(unix_now(), &jti).to_string())
        );
        let signature = self.key.sign(signing_input.as_bytes())?;
        Ok(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature)
        ))
    }

    async fn token(&self, http: &crate::http::Http) -> Result<(Secret, Option<Instant>), Error> {
        const SERVICE: &str = "Maskinporten";
        #[derive(Deserialize)]
        struct TokenAnswer {
            access_token: String,
            #[serde(default)]
            expires_in: Option<u64>,
        }
        #[derive(Deserialize, Default)]
        struct ErrorAnswer {
            error: Option<String>,
            error_description: Option<String>,
        }
        let body = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer")
            .append_pair("assertion", &self.grant()?)
            .finish();
        let request = http
            .post(self.token_endpoint.clone())
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json")
            .body(body);
        let mut response = http.send(request).await?;
        let status = response.status();
        let reason = reason_phrase(&response);
        let text = read_capped(&mut response, MAX_ANSWER).await?;
        if !status.is_success() {
            let answer: ErrorAnswer = serde_json::from_slice(&text).unwrap_or_default();
            let error = [answer.error, answer.error_description]
                .into_iter()
                .flatten()
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
        let answer: TokenAnswer =
            serde_json::from_slice(&text).map_err(|_| Error::TokenRequest {
                service: SERVICE,
                detail: "the answer has no access_token".to_owned(),
            })?;
        if answer.access_token.is_empty() {
            return Err(Error::TokenRequest {
                service: SERVICE,
                detail: "the answer has an empty access_token".to_owned(),
            });
        }
        // The token's own `exp` wins; Maskinporten's tokens are JWTs but the docs call them
        // opaque, so `expires_in` is the fallback.
        let lifetime = jwt_expiry(&answer.access_token)
            .map(|exp| exp.saturating_sub(unix_now()))
            .or(answer.expires_in);
        let refresh_at = lifetime
            .map(|secs| Instant::now() + Duration::from_secs(secs).saturating_sub(EXPIRY_MARGIN));
        tracing::debug!(
            system_user = self.system_user_org.is_some(),
            "obtained a Maskinporten token"
        );
        Ok((Secret::new(answer.access_token), refresh_at))
    }
}

pub(crate) fn describe(reason: Option<&str>, detail: Option<&str>) -> String {
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

#[async_trait]
impl TokenSource for Maskinporten {
    async fn token(&self, cx: &TokenContext<'_>) -> Result<Secret, Error> {
        self.cache.get(|| self.config.token(cx.http)).await
    }

    async fn renew(
        &self,
        cx: &TokenContext<'_>,
        rejected: &Secret,
    ) -> Result<Option<Secret>, Error> {
        self.cache
            .renew(rejected, || self.config.token(cx.http))
            .await
            .map(Some)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn key() -> GrantKey {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).unwrap();
        GrantKey::registered_key("kid-1", key.serialize_pem().as_bytes()).unwrap()
    }

    #[test]
    fn system_user_grants_carry_altinns_authorization_details() {
        let m = Maskinporten::builder("client", "altinn:instances.read", key())
            .test_environment()
            .system_user("310000001")
            .build()
            .unwrap();
        let claims = m.config.claims(1_000, "j");
        assert_eq!(claims["aud"], "https://test.maskinporten.no/");
        assert_eq!(claims["exp"], 1_120);
        assert_eq!(
            claims["authorization_details"],
            json!([{"type": "urn:altinn:systemuser",
                    "systemuser_org": {"authority": "iso6523-actorid-upis", "ID": "0192:310000001"}}])
        );
        assert!(claims.get("resource").is_none());
        assert_eq!(
            m.config.key.header(),
            json!({"alg": "RS256", "kid": "kid-1"})
        );
        assert!(
            Maskinporten::builder("client", "s", key())
                .production()
                .system_user("31000000")
                .build()
                .is_err()
        );
        assert!(Maskinporten::builder("client", "s", key()).build().is_err());
    }

    #[test]
    fn registered_keys_must_be_rsa() {
        let ec = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        assert!(GrantKey::registered_key("k", ec.serialize_pem().as_bytes()).is_err());
        assert!(GrantKey::registered_key("k", b"not pem").is_err());
        assert!(!format!("{:?}", key()).contains("PRIVATE"));
    }
}
