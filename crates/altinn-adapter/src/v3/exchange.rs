//! The platform's token exchange: an ID-porten or Maskinporten token for an Altinn token
//! (`GET {platform}/authentication/api/v1/exchange/{tokenProvider}[?test=true]`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::client::{Client, MAX_JSON};
use super::problem;
use crate::auth::{TokenSource, jwt_expiry, unix_now};
use crate::error::Error;
use crate::http;
use crate::response::read_capped;
use crate::secret::Secret;

/// Renew the Altinn token this long before it expires.
const EXPIRY_MARGIN: u64 = 60;

/// Which kind of token is exchanged for an Altinn token (`exchange/{provider}`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenProvider {
    /// A Maskinporten token (an organisation or a system user).
    Maskinporten,
    /// An ID-porten access token (a person).
    IdPorten,
    /// Another provider name, sent as given.
    Other(String),
}

impl TokenProvider {
    /// The path segment.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Maskinporten => "maskinporten",
            Self::IdPorten => "id-porten",
            Self::Other(name) => name,
        }
    }
}

/// Where the Altinn token comes from.
#[derive(Debug)]
pub(crate) enum Source {
    /// Exchanged at the platform for a token from `external`.
    Exchange {
        provider: TokenProvider,
        external: Arc<dyn TokenSource>,
        test: bool,
    },
    /// Given as is.
    Fixed(Secret),
}

impl Client {
    /// The Altinn token: the cached one while fresh, else a new exchange.
    ///
    /// # Errors
    ///
    /// [`Error::NotAuthenticated`] when the exchange refuses the external token (after
    /// one renewal of it, if its source can renew); other exchange failures.
    pub async fn altinn_token(&self) -> Result<Secret, Error> {
        self.inner.cache.get(|| self.fetch_token()).await
    }

    pub(crate) async fn renew_token(&self, rejected: &Secret) -> Result<Option<Secret>, Error> {
        if matches!(self.inner.source, Source::Fixed(_)) {
            return Ok(None);
        }
        let fresh = self
            .inner
            .cache
            .renew(rejected, || self.fetch_token())
            .await?;
        Ok(Some(fresh))
    }

    async fn fetch_token(&self) -> Result<(Secret, Option<Instant>), Error> {
        let (provider, external, test) = match &self.inner.source {
            Source::Fixed(token) => return Ok((token.clone(), None)),
            Source::Exchange {
                provider,
                external,
                test,
            } => (provider, external, *test),
        };
        let cx = self.token_context();
        let external_token = external.token(&cx).await?;
        // Refused: the external token is renewed once, if its source can, and exchanged again.
        let exchange = |token: Secret| async move { self.exchange(provider, test, &token).await };
        let renew = |token: Secret| async move { external.renew(&cx, &token).await };
        let token = http::renewing_once(external_token, exchange, renew).await?;
        let refresh_at = jwt_expiry(token.expose()).map(|exp| {
            let lifetime = exp.saturating_sub(unix_now()).saturating_sub(EXPIRY_MARGIN);
            Instant::now() + Duration::from_secs(lifetime)
        });
        tracing::debug!(
            provider = provider.as_str(),
            "exchanged a token for an Altinn token"
        );
        Ok((token, refresh_at))
    }

    /// One exchange (a GET, so retried on transient failures).
    async fn exchange(
        &self,
        provider: &TokenProvider,
        test: bool,
        external: &Secret,
    ) -> Result<Secret, Error> {
        let mut url =
            self.platform_url(&["authentication", "api", "v1", "exchange", provider.as_str()]);
        if test {
            url.query_pairs_mut().append_pair("test", "true");
        }
        self.with_retries(true, || async {
            let request = self
                .inner
                .http
                .get(url.clone())
                .bearer_auth(external.expose())
                .header("Accept", "text/plain, */*");
            let response = self.inner.http.send(request).await?;
            let mut response = match problem::check(response).await {
                Err(Error::NotAuthenticated { problem, .. }) => {
                    return Err(Error::NotAuthenticated {
                        detail: format!(
                            "the platform's token exchange refused the {} token",
                            provider.as_str()
                        ),
                        problem,
                    });
                }
                other => other?,
            };
            let body = read_capped(&mut response, MAX_JSON).await?;
            let text = String::from_utf8_lossy(&body);
            // ASP.NET JSON-encodes the bare string when content-negotiating.
            let token = text.trim().trim_matches('"').trim();
            if token.is_empty() || token.contains(char::is_whitespace) {
                return Err(Error::TokenRequest {
                    service: "the Altinn token exchange",
                    detail: "the answer holds no token".to_owned(),
                });
            }
            Ok(Secret::new(token))
        })
        .await
    }
}
