//! The Altinn 3 client: configuration, the token exchange, and sending requests.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use reqwest::{Method, Response};
use rustls_pki_types::CertificateDer;
use serde_json::Value;
use tokio::io::{AsyncWrite, AsyncWriteExt};
use url::Url;

use super::environment::Altinn3Environment;
use super::problem;
use crate::auth::{AuthContext, AuthProvider, Credential, CredentialCache, jwt_expiry, unix_now};
use crate::environment::Environment;
use crate::error::Error;
use crate::response::{read_capped, too_large};
use crate::secret::Secret;
use crate::tls;

/// Downloads larger than this fail with [`Error::ResponseTooLarge`] unless configured otherwise.
pub const DEFAULT_MAX_DOWNLOAD: u64 = 256 * 1024 * 1024;
/// JSON answers larger than this are refused.
const MAX_JSON: u64 = 16 * 1024 * 1024;
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
enum Source {
    /// Exchanged at the platform for a token from `external`.
    Exchange {
        provider: TokenProvider,
        external: Arc<dyn AuthProvider>,
        test: bool,
    },
    /// Given as is.
    Fixed(Secret),
}

/// A client for Altinn 3: the apps' instance, process, signing and data APIs, the Storage
/// instance query and Dialogporten's end-user search. Cheap to clone.
///
/// Every call carries an Altinn token, obtained by exchanging the caller's ID-porten or
/// Maskinporten token at the platform (`GET /authentication/api/v1/exchange/{provider}`)
/// and cached until a minute before its `exp`. When a service answers 401 the token is
/// exchanged again once and the request repeated.
#[derive(Debug, Clone)]
pub struct Altinn3Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) environment: Altinn3Environment,
    /// An Altinn 2-style environment for the external provider's [`AuthContext`].
    auth_environment: Environment,
    no_api_key: Secret,
    source: Source,
    cache: CredentialCache,
    pub(crate) language: Option<String>,
    pub(crate) max_download: u64,
    pub(crate) exchanges: std::sync::atomic::AtomicUsize,
}

impl fmt::Debug for Inner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Altinn3Client")
            .field("environment", &self.environment)
            .field("source", &self.source)
            .field("language", &self.language)
            .field("max_download", &self.max_download)
            .finish_non_exhaustive()
    }
}

/// Configures an [`Altinn3Client`].
#[derive(Debug)]
#[must_use = "a builder does nothing until it is built"]
pub struct Altinn3ClientBuilder {
    environment: Altinn3Environment,
    source: Option<Source>,
    language: Option<String>,
    roots: Vec<CertificateDer<'static>>,
    timeout: Option<Duration>,
    max_download: u64,
}

impl Altinn3ClientBuilder {
    /// Exchanges the token `external` gives (for example an
    /// [`auth::BearerToken`](crate::auth::BearerToken) holding an ID-porten access token,
    /// with a refresh callback) for an Altinn token.
    pub fn exchange(
        mut self,
        provider: TokenProvider,
        external: impl AuthProvider + 'static,
    ) -> Self {
        self.source = Some(Source::Exchange {
            provider,
            external: Arc::new(external),
            test: false,
        });
        self
    }

    /// Adds `?test=true` to a Maskinporten exchange (Digdir's test organisation acts as
    /// `ttd`).
    pub fn exchange_test_flag(mut self) -> Self {
        if let Some(Source::Exchange { test, .. }) = &mut self.source {
            *test = true;
        }
        self
    }

    /// Uses an Altinn token obtained elsewhere, without exchanging.
    pub fn altinn_token(mut self, token: impl Into<Secret>) -> Self {
        self.source = Some(Source::Fixed(token.into()));
        self
    }

    /// Sends `language=` (`nb`, `nn`, `en`) to the app calls that take it.
    pub fn language(mut self, code: impl Into<String>) -> Self {
        self.language = Some(code.into());
        self
    }

    /// Trusts this root certificate; once any is given, only the given roots are trusted.
    pub fn add_root_certificate(mut self, root: CertificateDer<'static>) -> Self {
        self.roots.push(root);
        self
    }

    /// Limits each request, including reading its answer.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Downloads larger than this fail with [`Error::ResponseTooLarge`]
    /// ([`DEFAULT_MAX_DOWNLOAD`] by default).
    pub fn max_download_size(mut self, bytes: u64) -> Self {
        self.max_download = bytes;
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    ///
    /// [`Error::Configuration`] without a token source or for a TLS set-up failure.
    pub fn build(self) -> Result<Altinn3Client, Error> {
        let source = self.source.ok_or_else(|| {
            Error::Configuration(
                "a token source is required (exchange() or altinn_token())".to_owned(),
            )
        })?;
        let certificate = match &source {
            Source::Exchange { external, .. } => external.client_certificate(),
            Source::Fixed(_) => None,
        };
        let tls = tls::client_config(&self.roots, certificate)?;
        let mut http = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .http1_only()
            // Credentials must not follow a redirect to another host.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!(
                "signering-altinn-adapter/",
                env!("CARGO_PKG_VERSION")
            ));
        if let Some(timeout) = self.timeout {
            http = http.timeout(timeout);
        }
        let http = http
            .build()
            .map_err(|e| Error::Configuration(format!("HTTP client: {e}")))?;
        let auth_environment = Environment::custom(self.environment.platform_url().as_str())?;
        Ok(Altinn3Client {
            inner: Arc::new(Inner {
                http,
                environment: self.environment,
                auth_environment,
                no_api_key: Secret::new(""),
                source,
                cache: CredentialCache::default(),
                language: self.language,
                max_download: self.max_download,
                exchanges: std::sync::atomic::AtomicUsize::new(0),
            }),
        })
    }
}

/// What a request sends as its body.
#[derive(Debug, Clone)]
pub(crate) enum Body {
    None,
    Json(Value),
    Raw {
        content_type: String,
        bytes: bytes::Bytes,
    },
}

impl Altinn3Client {
    /// Starts configuring a client for `environment`.
    pub fn builder(environment: Altinn3Environment) -> Altinn3ClientBuilder {
        Altinn3ClientBuilder {
            environment,
            source: None,
            language: None,
            roots: Vec::new(),
            timeout: None,
            max_download: DEFAULT_MAX_DOWNLOAD,
        }
    }

    /// The environment.
    pub fn environment(&self) -> &Altinn3Environment {
        &self.inner.environment
    }

    /// How many token exchanges this client has made (to observe the cache).
    pub fn exchanges(&self) -> usize {
        self.inner
            .exchanges
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    fn context(&self) -> AuthContext<'_> {
        AuthContext {
            http: &self.inner.http,
            environment: &self.inner.auth_environment,
            api_key: &self.inner.no_api_key,
        }
    }

    /// The Altinn token: the cached one while fresh, else a new exchange.
    ///
    /// # Errors
    ///
    /// [`Error::NotAuthenticated`] when the exchange refuses the external token (after
    /// one renewal of it, if its provider can renew); other exchange failures.
    pub async fn altinn_token(&self) -> Result<Secret, Error> {
        let credential = self.inner.cache.get(|| self.fetch_token()).await?;
        Ok(bearer(credential))
    }

    async fn renew_token(&self, rejected: &Secret) -> Result<Option<Secret>, Error> {
        if matches!(self.inner.source, Source::Fixed(_)) {
            return Ok(None);
        }
        let rejected = Credential::Bearer(rejected.clone());
        let fresh = self
            .inner
            .cache
            .renew(&rejected, || self.fetch_token())
            .await?;
        Ok(Some(bearer(fresh)))
    }

    async fn fetch_token(&self) -> Result<(Credential, Option<Instant>), Error> {
        let (provider, external, test) = match &self.inner.source {
            Source::Fixed(token) => return Ok((Credential::Bearer(token.clone()), None)),
            Source::Exchange {
                provider,
                external,
                test,
            } => (provider, external, *test),
        };
        let cx = self.context();
        let mut credential = external.credential(&cx).await?;
        let mut renewed = false;
        let token = loop {
            match self.exchange_once(provider, test, &credential).await {
                Err(error @ Error::NotAuthenticated { .. }) if !renewed => {
                    match external.renew(&cx, &credential).await? {
                        Some(fresh) => {
                            credential = fresh;
                            renewed = true;
                        }
                        None => return Err(error),
                    }
                }
                other => break other?,
            }
        };
        self.inner
            .exchanges
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let refresh_at = jwt_expiry(token.expose()).map(|exp| {
            let lifetime = exp.saturating_sub(unix_now()).saturating_sub(EXPIRY_MARGIN);
            Instant::now() + Duration::from_secs(lifetime)
        });
        tracing::debug!(
            provider = provider.as_str(),
            "exchanged a token for an Altinn token"
        );
        Ok((Credential::Bearer(token), refresh_at))
    }

    async fn exchange_once(
        &self,
        provider: &TokenProvider,
        test: bool,
        credential: &Credential,
    ) -> Result<Secret, Error> {
        let Credential::Bearer(external) = credential else {
            return Err(Error::Configuration(
                "the token exchange needs a bearer token, not a cookie".to_owned(),
            ));
        };
        let mut url = self.inner.environment.platform_url().clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend([
                "authentication",
                "api",
                "v1",
                "exchange",
                provider.as_str(),
            ]);
        }
        if test {
            url.query_pairs_mut().append_pair("test", "true");
        }
        let response = self
            .inner
            .http
            .get(url)
            .bearer_auth(external.expose())
            .header("Accept", "text/plain, */*")
            .send()
            .await?;
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
        // ASP.NET may JSON-encode the bare string when content-negotiating.
        let token = text.trim().trim_matches('"').trim();
        if token.is_empty() || token.contains(char::is_whitespace) {
            return Err(Error::TokenRequest {
                service: "the Altinn token exchange",
                detail: "the answer holds no token".to_owned(),
            });
        }
        Ok(Secret::new(token))
    }

    /// Sends a request with the Altinn token; on 401 exchanges again once and repeats it.
    pub(crate) async fn send(
        &self,
        method: Method,
        url: Url,
        accept: &str,
        body: &Body,
    ) -> Result<Response, Error> {
        if !self.inner.environment.is_trusted(&url) {
            return Err(Error::ForeignLink);
        }
        let mut token = self.altinn_token().await?;
        let mut renewed = false;
        loop {
            let mut request = self
                .inner
                .http
                .request(method.clone(), url.clone())
                .bearer_auth(token.expose())
                .header("Accept", accept);
            request = match body {
                Body::None => request,
                Body::Json(value) => request
                    .header("Content-Type", "application/json")
                    .body(value.to_string()),
                Body::Raw {
                    content_type,
                    bytes,
                } => request
                    .header("Content-Type", content_type.as_str())
                    .body(bytes.clone()),
            };
            tracing::debug!(method = %method, path = url.path(), "Altinn 3 request");
            let response = request.send().await?;
            match problem::check(response).await {
                Err(error @ Error::NotAuthenticated { .. }) if !renewed => {
                    match self.renew_token(&token).await? {
                        Some(fresh) => {
                            tracing::debug!("exchanged again after a 401");
                            token = fresh;
                            renewed = true;
                        }
                        None => return Err(error),
                    }
                }
                other => return other,
            }
        }
    }

    /// Sends a request and reads a JSON answer.
    pub(crate) async fn json(&self, method: Method, url: Url, body: &Body) -> Result<Value, Error> {
        let mut response = self.send(method, url, "application/json", body).await?;
        let bytes = read_capped(&mut response, MAX_JSON).await?;
        serde_json::from_slice(&bytes)
            .map_err(|e| Error::UnexpectedResponse(format!("invalid JSON: {e}")))
    }

    /// Streams a GET answer into `sink`, refusing more than the configured maximum.
    pub(crate) async fn download_to(
        &self,
        url: Url,
        accept: &str,
        sink: &mut (dyn AsyncWrite + Unpin + Send),
    ) -> Result<u64, Error> {
        let limit = self.inner.max_download;
        let mut response = self.send(Method::GET, url, accept, &Body::None).await?;
        if response.content_length().is_some_and(|len| len > limit) {
            return Err(too_large(limit));
        }
        let mut written = 0u64;
        while let Some(chunk) = response.chunk().await? {
            written += chunk.len() as u64;
            if written > limit {
                return Err(too_large(limit));
            }
            sink.write_all(&chunk).await?;
        }
        Ok(written)
    }

    /// Downloads into memory, refusing more than `limit` bytes.
    pub(crate) async fn bytes(&self, url: Url, accept: &str, limit: u64) -> Result<Vec<u8>, Error> {
        let mut response = self.send(Method::GET, url, accept, &Body::None).await?;
        read_capped(&mut response, limit.min(self.inner.max_download)).await
    }

    /// `language=` for the calls that take it.
    pub(crate) fn with_language(&self, mut url: Url) -> Url {
        if let Some(language) = &self.inner.language {
            url.query_pairs_mut().append_pair("language", language);
        }
        url
    }
}

fn bearer(credential: Credential) -> Secret {
    match credential {
        Credential::Bearer(token) | Credential::Cookie(token) => token,
    }
}

/// A random multipart boundary.
pub(crate) fn boundary() -> String {
    let mut bytes = [0u8; 12];
    // The system RNG does not fail on supported platforms; a fixed boundary still works
    // because the parts are checked for it below.
    let _ = SystemRandom::new().fill(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("signering-{hex}")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_not_in_debug() {
        let client = Altinn3Client::builder(Altinn3Environment::tt02())
            .altinn_token("eyJ-secret-altinn-token")
            .build()
            .unwrap();
        let shown = format!("{client:?}");
        assert!(!shown.contains("secret"), "{shown}");
        let exchanging = Altinn3Client::builder(Altinn3Environment::production())
            .exchange(
                TokenProvider::IdPorten,
                crate::auth::BearerToken::new("idporten-secret-token"),
            )
            .build()
            .unwrap();
        let shown = format!("{exchanging:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("IdPorten"), "{shown}");
        assert!(
            Altinn3Client::builder(Altinn3Environment::tt02())
                .build()
                .is_err()
        );
        assert_eq!(TokenProvider::IdPorten.as_str(), "id-porten");
    }
}
