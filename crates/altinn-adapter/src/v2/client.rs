//! The client: configuration, and sending requests with the API key and credentials.

use std::sync::Arc;
use std::time::Duration;

use reqwest::{Method, RequestBuilder, Response};
use rustls_pki_types::CertificateDer;
use serde_json::Value;
use tokio::io::AsyncWrite;
use url::Url;

use super::auth::{Credential, Login, LoginContext};
use super::environment::{Environment, Language};
use crate::error::Error;
use crate::http;
use crate::response;
use crate::retry::{self, RetryPolicy};
use crate::secret::Secret;

/// The content type Altinn documents for requests and answers.
pub(crate) const HAL_JSON: &str = "application/hal+json";

/// Attachments larger than this are uploaded as a stream by default.
pub const DEFAULT_STREAMING_THRESHOLD: usize = 1024 * 1024;

/// Largest JSON or text answer the client reads into memory (message lists, forms, signing
/// texts); a larger one is refused with [`Error::ResponseTooLarge`] as soon as the limit is
/// passed. Downloads stream into the caller's writer and are not bounded by it.
pub const MAX_ANSWER_BYTES: usize = 8 * 1024 * 1024;

/// A client for Altinn's message API. Cheap to clone: clones share one connection pool and
/// one authentication provider.
///
/// ```no_run
/// use altinn_adapter::v2::{Client, Environment, Who, MessageQuery};
/// use altinn_adapter::auth::BearerToken;
///
/// # async fn run() -> Result<(), altinn_adapter::Error> {
/// let client = Client::builder(Environment::tt02(), "my-api-key")
///     .auth(BearerToken::new("eyJ…"))
///     .build()?;
/// let waiting = client
///     .messages(&Who::My, &MessageQuery::new().filter("Status eq 'Signering'"))
///     .await?;
/// for message in waiting.messages {
///     println!("{} {:?}", message.id, message.subject);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    http: crate::http::Http,
    environment: Environment,
    api_key: Secret,
    language: Language,
    auth: Arc<dyn Login>,
    streaming_threshold: usize,
    retry: RetryPolicy,
}

/// Configures an [`Client`].
#[derive(Debug)]
#[must_use = "a builder does nothing until it is built"]
pub struct ClientBuilder {
    environment: Environment,
    api_key: Secret,
    auth: Option<Arc<dyn Login>>,
    language: Language,
    transport: http::Options,
    streaming_threshold: usize,
    retry: RetryPolicy,
}

impl ClientBuilder {
    /// How the user authenticates (required): a [`Login`] such as an ID-porten
    /// [`BearerToken`](crate::auth::BearerToken).
    pub fn auth(mut self, login: impl Login + 'static) -> Self {
        self.auth = Some(Arc::new(login));
        self
    }

    /// Like [`auth`](Self::auth), for a login that is already shared.
    pub fn auth_shared(mut self, login: Arc<dyn Login>) -> Self {
        self.auth = Some(login);
        self
    }

    /// How GETs are retried on connection failures, 429, 502, 503 and 504
    /// ([`RetryPolicy::default`] unless set; [`RetryPolicy::none`] turns it off).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The language for statuses and texts; bokmål by default.
    pub fn language(mut self, language: Language) -> Self {
        self.language = language;
        self
    }

    /// Trusts this root certificate. Once any is given, only the given roots are trusted
    /// (as for a test server); otherwise the platform's roots are.
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

    /// Attachments larger than this many bytes are uploaded as a stream when a form is
    /// submitted ([`DEFAULT_STREAMING_THRESHOLD`] by default).
    pub fn streaming_threshold(mut self, bytes: usize) -> Self {
        self.streaming_threshold = bytes;
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    ///
    /// [`Error::Configuration`] without an authentication provider or for a TLS set-up
    /// failure; [`Error::Key`] if the provider's client certificate is unusable.
    pub fn build(self) -> Result<Client, Error> {
        let auth = self
            .auth
            .ok_or_else(|| Error::config("an authentication provider is required (auth())"))?;
        let http = http::client(&self.transport, auth.client_certificate())?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                environment: self.environment,
                api_key: self.api_key,
                language: self.language,
                auth,
                streaming_threshold: self.streaming_threshold,
                retry: self.retry,
            }),
        })
    }
}

/// What a request sends as its body.
#[derive(Debug)]
pub(crate) enum Payload {
    None,
    Json(Value),
}

/// One request, which can be sent again after renewing the credential.
#[derive(Debug)]
pub(crate) struct Call {
    pub(crate) method: Method,
    pub(crate) url: Url,
    pub(crate) accept: &'static str,
    pub(crate) payload: Payload,
}

impl Call {
    pub(crate) fn get(url: Url) -> Self {
        Self {
            method: Method::GET,
            url,
            accept: HAL_JSON,
            payload: Payload::None,
        }
    }

    pub(crate) fn new(method: Method, url: Url, payload: Payload) -> Self {
        Self {
            method,
            url,
            accept: HAL_JSON,
            payload,
        }
    }

    pub(crate) fn accept(mut self, accept: &'static str) -> Self {
        self.accept = accept;
        self
    }
}

impl Client {
    /// Starts configuring a client for `environment` with the API key issued for it.
    pub fn builder(environment: Environment, api_key: impl Into<Secret>) -> ClientBuilder {
        ClientBuilder {
            environment,
            api_key: api_key.into(),
            auth: None,
            language: Language::default(),
            transport: http::Options::default(),
            streaming_threshold: DEFAULT_STREAMING_THRESHOLD,
            retry: RetryPolicy::default(),
        }
    }

    /// The environment.
    pub fn environment(&self) -> &Environment {
        &self.inner.environment
    }

    /// The language sent with calls that take one.
    pub fn language(&self) -> Language {
        self.inner.language
    }

    pub(crate) fn streaming_threshold(&self) -> usize {
        self.inner.streaming_threshold
    }

    /// `{api}/api/{segments…}`, each segment percent-encoded.
    pub(crate) fn api_url(&self, segments: &[&str]) -> Url {
        let segments = std::iter::once(&"api").chain(segments);
        http::with_path(self.inner.environment.api_url().clone(), segments)
    }

    /// `url` with `language=` added.
    pub(crate) fn with_language(&self, mut url: Url) -> Url {
        url.query_pairs_mut()
            .append_pair("language", &self.inner.language.code().to_string());
        url
    }

    /// A link or `Location` from the server, which must stay on the configured API host so
    /// that credentials are not sent elsewhere.
    pub(crate) fn resolve(&self, href: &str) -> Result<Url, Error> {
        let base = self.inner.environment.api_url();
        let url = base
            .join(href.trim())
            .map_err(|e| Error::UnexpectedResponse(format!("invalid link: {e}")))?;
        if !http::same_origin(&url, base) {
            return Err(Error::ForeignLink);
        }
        Ok(url)
    }

    fn context(&self) -> LoginContext<'_> {
        LoginContext {
            http: &self.inner.http,
            environment: &self.inner.environment,
            api_key: &self.inner.api_key,
        }
    }

    fn request(
        &self,
        method: Method,
        url: Url,
        accept: &str,
        credential: &Credential,
    ) -> RequestBuilder {
        let request = self
            .inner
            .http
            .request(method, url)
            .header("ApiKey", self.inner.api_key.expose())
            .header("Accept", accept);
        match credential {
            Credential::Bearer(token) => request.bearer_auth(token.expose()),
            Credential::Cookie(cookie) => request.header("Cookie", cookie.expose()),
        }
    }

    /// Sends `call` with the current credential; if Altinn says the user is not
    /// authenticated, renews the credential once and sends it again. GETs are retried on
    /// transient failures as the [`RetryPolicy`] says.
    pub(crate) async fn execute(&self, call: &Call) -> Result<Response, Error> {
        let policy = if call.method == Method::GET {
            self.inner.retry
        } else {
            RetryPolicy::none()
        };
        retry::with_retries(policy, "Altinn 2", || self.execute_once(call)).await
    }

    async fn execute_once(&self, call: &Call) -> Result<Response, Error> {
        let send = |credential: Credential| async move {
            let mut request = self.request(
                call.method.clone(),
                call.url.clone(),
                call.accept,
                &credential,
            );
            if let Payload::Json(body) = &call.payload {
                request = request
                    .header("Content-Type", HAL_JSON)
                    .body(body.to_string());
            }
            tracing::debug!(method = %call.method, path = call.url.path(), "Altinn request");
            let response = self.inner.http.send(request).await?;
            response::check(response).await
        };
        let cx = self.context();
        let credential = self.inner.auth.credential(&cx).await?;
        let renew =
            |credential: Credential| async move { self.inner.auth.renew(&cx, &credential).await };
        http::renewing_once(credential, send, renew).await
    }

    /// Sends a streamed body once (a stream cannot be replayed); the credential is fetched
    /// (or renewed) before sending.
    pub(crate) async fn execute_stream(
        &self,
        method: Method,
        url: Url,
        content_type: &str,
        body: reqwest::Body,
    ) -> Result<Response, Error> {
        let cx = self.context();
        let credential = self.inner.auth.credential(&cx).await?;
        let request = self
            .request(method, url, HAL_JSON, &credential)
            .header("Content-Type", content_type)
            .body(body);
        let response = self.inner.http.send(request).await?;
        response::check(response).await
    }

    pub(crate) async fn json(&self, call: &Call) -> Result<(Value, Response), Error> {
        let mut response = self.execute(call).await?;
        let body = response::read_capped(&mut response, MAX_ANSWER_BYTES as u64).await?;
        let value = serde_json::from_slice(&body)
            .map_err(|e| Error::UnexpectedResponse(format!("invalid JSON: {e}")))?;
        Ok((value, response))
    }

    pub(crate) async fn text(&self, call: &Call) -> Result<String, Error> {
        let mut response = self.execute(call).await?;
        let body = response::read_capped(&mut response, MAX_ANSWER_BYTES as u64).await?;
        Ok(String::from_utf8_lossy(&body).into_owned())
    }

    /// Streams an answer's body into `sink`; returns the bytes written.
    pub(crate) async fn download(
        &self,
        call: &Call,
        sink: &mut (dyn AsyncWrite + Unpin + Send),
    ) -> Result<u64, Error> {
        let response = self.execute(call).await?;
        response::copy_capped(response, u64::MAX, sink).await
    }
}

/// The `Location` header of an answer, if present.
pub(crate) fn location(response: &Response) -> Option<String> {
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}
