//! The Altinn 3 client: configuration, and sending requests with the Altinn token (renewed
//! once on 401, GETs retried on transient failures).

use std::sync::Arc;
use std::time::Duration;

use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use reqwest::{Method, Response};
use rustls_pki_types::CertificateDer;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio::io::AsyncWrite;
use url::Url;

use super::environment::{AppId, Environment};
use super::exchange::{Source, TokenProvider};
use super::model::InstanceId;
use super::problem;
use crate::auth::{Cache, TokenContext, TokenSource};
use crate::error::Error;
use crate::http;
use crate::response::{copy_capped, read_capped};
use crate::retry::{self, RetryPolicy};
use crate::secret::{Secret, mask_identity_numbers};

/// Downloads larger than this fail with [`Error::ResponseTooLarge`] unless configured otherwise.
pub const DEFAULT_MAX_DOWNLOAD: u64 = 256 * 1024 * 1024;
/// JSON answers larger than this are refused.
pub(crate) const MAX_JSON: u64 = 16 * 1024 * 1024;

/// A client for Altinn 3: the apps' instance, process, signing and data APIs, the Storage
/// instance query and Dialogporten's end-user API. Cheap to clone.
///
/// Every call carries an Altinn token, obtained by exchanging the caller's ID-porten or
/// Maskinporten token at the platform (`GET /authentication/api/v1/exchange/{provider}`)
/// and cached until a minute before its `exp`. When a service answers 401 the token is
/// exchanged again once and the request repeated. GETs are retried on connection failures,
/// 429 (after `Retry-After`), 502, 503 and 504 as the [`RetryPolicy`] says; nothing that
/// changes an instance is retried.
///
/// ```no_run
/// use altinn_adapter::auth::BearerToken;
/// use altinn_adapter::v3::{Client, Environment, TokenProvider};
/// # fn run(idporten_token: String) -> Result<(), altinn_adapter::Error> {
/// let client = Client::builder(Environment::tt02())
///     .exchange(TokenProvider::IdPorten, BearerToken::new(idporten_token))
///     .language("nb")
///     .build()?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

/// `Debug` shows no token: the cache is opaque and the token source's secrets are
/// [`Secret`]s.
#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) http: crate::http::Http,
    pub(crate) environment: Environment,
    pub(crate) source: Source,
    pub(crate) cache: Cache<Secret>,
    pub(crate) language: Option<String>,
    pub(crate) max_download: u64,
    pub(crate) retry: RetryPolicy,
}

/// Configures a [`Client`].
#[derive(Debug)]
#[must_use = "a builder does nothing until it is built"]
pub struct ClientBuilder {
    environment: Environment,
    source: Option<Source>,
    language: Option<String>,
    transport: http::Options,
    max_download: u64,
    retry: RetryPolicy,
}

impl ClientBuilder {
    /// Exchanges the token `external` gives for an Altinn token: an
    /// [`auth::BearerToken`](crate::auth::BearerToken) holding a person's ID-porten token
    /// ([`TokenProvider::IdPorten`]), or [`auth::Maskinporten`](crate::auth::Maskinporten)
    /// for an organisation or a system user ([`TokenProvider::Maskinporten`]).
    pub fn exchange(
        mut self,
        provider: TokenProvider,
        external: impl TokenSource + 'static,
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
        self.transport.roots.push(root);
        self
    }

    /// How to reach Altinn: by default through the proxy the environment names
    /// (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`, read as curl reads them), or
    /// [`ProxySetting::Direct`](signature_core::ProxySetting::Direct), or an explicit
    /// [`Proxy`](signature_core::Proxy).
    pub fn proxy(mut self, proxy: impl Into<signature_core::ProxySetting>) -> Self {
        self.transport.proxy = proxy.into();
        self
    }

    /// Limits each request, including reading its answer.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.transport.timeout = Some(timeout);
        self
    }

    /// Downloads larger than this fail with [`Error::ResponseTooLarge`]
    /// ([`DEFAULT_MAX_DOWNLOAD`] by default).
    pub fn max_download_size(mut self, bytes: u64) -> Self {
        self.max_download = bytes;
        self
    }

    /// How GETs are retried ([`RetryPolicy::default`] unless set; [`RetryPolicy::none`]
    /// turns it off).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    ///
    /// [`Error::Configuration`] without a token source or for a TLS set-up failure.
    pub fn build(self) -> Result<Client, Error> {
        let source = self.source.ok_or_else(|| {
            Error::config("a token source is required (exchange() or altinn_token())")
        })?;
        let http = http::client(&self.transport, None)?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                environment: self.environment,
                source,
                cache: Cache::default(),
                language: self.language,
                max_download: self.max_download,
                retry: self.retry,
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

/// Reads a JSON answer into `T`; a mismatch is [`Error::UnexpectedResponse`], with any
/// identity number in serde's message masked.
pub(crate) fn from_json<T: DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T, Error> {
    serde_json::from_slice(bytes).map_err(|e| {
        Error::UnexpectedResponse(format!("{what}: {}", mask_identity_numbers(&e.to_string())))
    })
}

impl Client {
    /// Starts configuring a client for `environment`.
    pub fn builder(environment: Environment) -> ClientBuilder {
        ClientBuilder {
            environment,
            source: None,
            language: None,
            transport: http::Options::default(),
            max_download: DEFAULT_MAX_DOWNLOAD,
            retry: RetryPolicy::default(),
        }
    }

    /// The environment.
    pub fn environment(&self) -> &Environment {
        &self.inner.environment
    }

    pub(crate) fn token_context(&self) -> TokenContext<'_> {
        TokenContext {
            http: &self.inner.http,
        }
    }

    /// Runs `attempt` and repeats it on transient failures as the retry policy says, when
    /// `idempotent`. A `Retry-After` longer than the policy's longest wait fails at once.
    pub(crate) async fn with_retries<T, F, Fut>(
        &self,
        idempotent: bool,
        attempt: F,
    ) -> Result<T, Error>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<T, Error>>,
    {
        let policy = if idempotent {
            self.inner.retry
        } else {
            RetryPolicy::none()
        };
        retry::with_retries(policy, "Altinn 3", attempt).await
    }

    /// Sends a request with the Altinn token; on 401 exchanges again once and repeats it.
    /// GETs are retried on transient failures.
    pub(crate) async fn send(
        &self,
        method: Method,
        url: Url,
        accept: &str,
        body: &Body,
    ) -> Result<Response, Error> {
        let idempotent = method == Method::GET;
        self.with_retries(idempotent, || {
            self.send_no_retry(&method, &url, accept, body)
        })
        .await
    }

    /// Sends a request once (renewing the token once on 401), only to the configured
    /// environment.
    async fn send_no_retry(
        &self,
        method: &Method,
        url: &Url,
        accept: &str,
        body: &Body,
    ) -> Result<Response, Error> {
        if !self.inner.environment.is_trusted(url) {
            return Err(Error::ForeignLink);
        }
        let send = |token: Secret| async move {
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
            let response = self.inner.http.send(request).await?;
            problem::check(response).await
        };
        let token = self.altinn_token().await?;
        // A 401: exchange again once (the token may have been revoked before it expired).
        let renew = |token: Secret| async move { self.renew_token(&token).await };
        http::renewing_once(token, send, renew).await
    }

    /// GETs a JSON answer into `T`.
    pub(crate) async fn get_json<T: DeserializeOwned>(
        &self,
        url: Url,
        what: &str,
    ) -> Result<T, Error> {
        self.json(Method::GET, url, &Body::None, what).await
    }

    /// Sends a request and reads a JSON answer into `T`.
    pub(crate) async fn json<T: DeserializeOwned>(
        &self,
        method: Method,
        url: Url,
        body: &Body,
        what: &str,
    ) -> Result<T, Error> {
        let bytes = self
            .read(method, &url, "application/json", body, MAX_JSON)
            .await?;
        from_json(&bytes, what)
    }

    /// Sends a request and reads its answer into memory, refusing more than `limit` bytes.
    /// The answer is read inside the retried attempt, so a connection lost mid-body is
    /// retried too (for GETs).
    async fn read(
        &self,
        method: Method,
        url: &Url,
        accept: &str,
        body: &Body,
        limit: u64,
    ) -> Result<Vec<u8>, Error> {
        let idempotent = method == Method::GET;
        self.with_retries(idempotent, || async {
            let mut response = self.send_no_retry(&method, url, accept, body).await?;
            read_capped(&mut response, limit).await
        })
        .await
    }

    /// Streams a GET answer into `sink`, refusing more than the configured maximum. Only the
    /// request is retried, not a download that already wrote to the sink.
    pub(crate) async fn download_to(
        &self,
        url: Url,
        accept: &str,
        sink: &mut (dyn AsyncWrite + Unpin + Send),
    ) -> Result<u64, Error> {
        let response = self.send(Method::GET, url, accept, &Body::None).await?;
        copy_capped(response, self.inner.max_download, sink).await
    }

    /// Downloads into memory, refusing more than `limit` bytes.
    pub(crate) async fn bytes(&self, url: Url, accept: &str, limit: u64) -> Result<Vec<u8>, Error> {
        let limit = limit.min(self.inner.max_download);
        self.read(Method::GET, &url, accept, &Body::None, limit)
            .await
    }

    pub(crate) fn app_url(&self, app: &AppId, segments: &[&str]) -> Url {
        http::with_path(self.inner.environment.app_url(app), segments)
    }

    pub(crate) fn instance_url(&self, app: &AppId, id: &InstanceId, rest: &[&str]) -> Url {
        let party = id.party_id().to_string();
        let mut segments = vec!["instances", party.as_str(), id.guid()];
        segments.extend_from_slice(rest);
        self.app_url(app, &segments)
    }

    pub(crate) fn platform_url(&self, segments: &[&str]) -> Url {
        http::with_path(self.inner.environment.platform_url().clone(), segments)
    }

    pub(crate) fn dialogporten_url(&self, segments: &[&str]) -> Url {
        http::with_path(self.inner.environment.dialogporten_url().clone(), segments)
    }

    /// A URL the service gave, followed only within the configured environment.
    pub(crate) fn resolve(&self, href: &str) -> Result<Url, Error> {
        let url = Url::parse(href.trim())
            .map_err(|e| Error::UnexpectedResponse(format!("invalid link: {e}")))?;
        if !self.inner.environment.is_trusted(&url) {
            return Err(Error::ForeignLink);
        }
        Ok(url)
    }

    /// `language=` for the calls that take it.
    pub(crate) fn with_language(&self, mut url: Url) -> Url {
        if let Some(language) = &self.inner.language {
            url.query_pairs_mut().append_pair("language", language);
        }
        url
    }
}

/// A random multipart boundary.
pub(crate) fn boundary() -> String {
    let mut bytes = [0u8; 12];
    // The system RNG does not fail on supported platforms; a fixed boundary still works
    // because the parts are checked for it.
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
        let client = Client::builder(Environment::tt02())
            .altinn_token("eyJ-secret-altinn-token")
            .build()
            .unwrap();
        let shown = format!("{client:?}");
        assert!(!shown.contains("secret"), "{shown}");
        let exchanging = Client::builder(Environment::production())
            .exchange(
                TokenProvider::IdPorten,
                crate::auth::BearerToken::new("idporten-secret-token"),
            )
            .build()
            .unwrap();
        let shown = format!("{exchanging:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("IdPorten"), "{shown}");
        assert!(Client::builder(Environment::tt02()).build().is_err());
        assert_eq!(TokenProvider::IdPorten.as_str(), "id-porten");
    }
}
