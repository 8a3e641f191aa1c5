//! Client configuration: environment, key store, senders, timeouts, trust roots, limits.

use std::sync::Arc;
use std::time::Duration;

use signature_core::{OrganizationNumber, PollingQueue, ProxySetting};
use url::Url;

use crate::client::{Client, Inner};
use crate::error::Error;
use crate::rate_limit::{RateLimit, RateLimiter};
use crate::server_trust::ServerTrust;
use crate::tls;
use crate::trust::TrustAnchors;
use signature_core::RetryPolicy;

/// Where the service runs.
///
/// Each Posten environment comes with its built-in trust anchors ([`TrustAnchors`]): the CA
/// certificates the official clients trust for the API's server certificate, embedded in this
/// crate. Production trusts [`TrustAnchors::Production`], Test and QA trust
/// [`TrustAnchors::Test`]; no public root store is used, since none contains these CAs. A
/// custom URL starts with no anchors: give the server's CA with
/// [`ClientBuilder::trust_roots_pem`] (an emulator) or pick a built-in set with
/// [`ClientBuilder::built_in_trust`].
///
/// The URLs are those of the official clients (Java `ServiceEnvironment`, .NET
/// `Environment`; see `posten-reference-clients.md` §4).
///
/// ```
/// use posten_adapter::{Environment, TrustAnchors};
/// assert_eq!(Environment::Qa.root_url().as_str(), "https://api.difiqa.signering.posten.no/api");
/// assert_eq!(Environment::Test.trust_anchors(), Some(TrustAnchors::Test));
/// assert_eq!(Environment::custom("https://127.0.0.1:8443/api")?.trust_anchors(), None);
/// # Ok::<(), posten_adapter::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Environment {
    /// `https://api.signering.posten.no/api`.
    Production,
    /// `https://api.difitest.signering.posten.no/api`, for integration testing ("difitest").
    Test,
    /// `https://api.difiqa.signering.posten.no/api`, Digdir's QA environment ("difiqa"),
    /// which uses the test CAs.
    Qa,
    /// Any other root URL, for example an emulator on `https://127.0.0.1:8443/api`.
    Custom(Url),
}

impl Environment {
    /// The production root URL.
    pub const PRODUCTION_URL: &'static str = "https://api.signering.posten.no/api";
    /// The test root URL.
    pub const TEST_URL: &'static str = "https://api.difitest.signering.posten.no/api";
    /// The QA root URL.
    pub const QA_URL: &'static str = "https://api.difiqa.signering.posten.no/api";

    /// A custom root URL; it must be absolute `https`.
    ///
    /// ```
    /// use posten_adapter::Environment;
    /// let env = Environment::custom("https://127.0.0.1:8443/api/")?;
    /// assert_eq!(env.root_url().as_str(), "https://127.0.0.1:8443/api");
    /// assert!(Environment::custom("http://example.com/api").is_err());
    /// # Ok::<(), posten_adapter::Error>(())
    /// ```
    pub fn custom(url: &str) -> Result<Self, Error> {
        let url =
            Url::parse(url).map_err(|e| Error::config_from(format!("service URL {url:?}"), e))?;
        if url.scheme() != "https" {
            return Err(Error::config(
                "the service URL must use https (mutual TLS is the only authentication)",
            ));
        }
        Ok(Self::Custom(url))
    }

    /// The root URL every path is appended to, without a trailing slash.
    pub fn root_url(&self) -> Url {
        let mut url = match self {
            Self::Production => constant_url(Self::PRODUCTION_URL),
            Self::Test => constant_url(Self::TEST_URL),
            Self::Qa => constant_url(Self::QA_URL),
            Self::Custom(url) => url.clone(),
        };
        let path = url.path().trim_end_matches('/').to_owned();
        url.set_path(&path);
        url
    }

    /// The built-in trust anchors of this environment; `None` for a custom URL.
    pub fn trust_anchors(&self) -> Option<TrustAnchors> {
        match self {
            Self::Production => Some(TrustAnchors::Production),
            Self::Test | Self::Qa => Some(TrustAnchors::Test),
            Self::Custom(_) => None,
        }
    }

    /// A short name for messages: `Production`, `Test`, `QA`, or `a custom URL`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Production => "Production",
            Self::Test => "Test",
            Self::Qa => "QA",
            Self::Custom(_) => "a custom URL",
        }
    }
}

#[allow(clippy::expect_used)] // only called with the constant, known-good URLs above
fn constant_url(url: &str) -> Url {
    Url::parse(url).expect("constant URL parses")
}

/// Timeouts of one kind of call.
///
/// API calls and document downloads get separate values (and separate connection pools),
/// because a 50 MB PAdES legitimately takes longer than a status poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Establishing the TCP and TLS connection.
    pub connect: Duration,
    /// Longest silence while waiting for (more of) the answer.
    pub read: Duration,
    /// The whole call, answer body included; `None` for no limit (downloads).
    pub total: Option<Duration>,
}

impl Timeouts {
    /// API calls: connect 5 s, read 10 s, total 30 s.
    pub const API: Self = Self {
        connect: Duration::from_secs(5),
        read: Duration::from_secs(10),
        total: Some(Duration::from_secs(30)),
    };
    /// Downloads: connect 10 s, read 60 s, no total limit (the body streams as long as it
    /// keeps moving).
    pub const DOWNLOAD: Self = Self {
        connect: Duration::from_secs(10),
        read: Duration::from_secs(60),
        total: None,
    };
}

/// Builds a [`Client`]. Get one from [`Client::builder`].
///
/// ```no_run
/// use asice::{LoadOptions, SigningKey};
/// use posten_adapter::{Client, Environment, RateLimit};
/// use signature_core::OrganizationNumber;
///
/// let key = SigningKey::from_pkcs12_file("virksomhet.p12", "passord", &LoadOptions::default())?;
/// let client = Client::builder(Environment::Test, key) // trusts the built-in test CAs
///     .default_sender(OrganizationNumber::parse("123456785")?)
///     .user_agent_suffix("my-app/1.2")
///     .rate_limit(Some(RateLimit::per_second(5)))
///     .build()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
#[must_use]
pub struct ClientBuilder {
    environment: Environment,
    key: asice::SigningKey,
    default_sender: Option<OrganizationNumber>,
    default_polling_queue: Option<PollingQueue>,
    api_timeouts: Timeouts,
    download_timeouts: Timeouts,
    user_agent_suffix: Option<String>,
    proxy: ProxySetting,
    trust: ServerTrust,
    rate_limit: Option<RateLimit>,
    retry: RetryPolicy,
    http2: bool,
    tls_info: bool,
}

impl ClientBuilder {
    pub(crate) fn new(environment: Environment, key: asice::SigningKey) -> Self {
        Self {
            trust: ServerTrust::for_environment(&environment),
            environment,
            key,
            default_sender: None,
            default_polling_queue: None,
            api_timeouts: Timeouts::API,
            download_timeouts: Timeouts::DOWNLOAD,
            user_agent_suffix: None,
            proxy: ProxySetting::default(),
            rate_limit: Some(RateLimit::default()),
            retry: RetryPolicy::default(),
            http2: false,
            tls_info: false,
        }
    }

    /// The sender for jobs that name none, and the queue owner for polls that name none.
    /// Without it, every job must name its sender.
    pub fn default_sender(mut self, sender: OrganizationNumber) -> Self {
        self.default_sender = Some(sender);
        self
    }

    /// The polling queue for jobs and polls that name none. Jobs created by this client
    /// without a queue are put on it, so creating and polling agree.
    pub fn default_polling_queue(mut self, queue: PollingQueue) -> Self {
        self.default_polling_queue = Some(queue);
        self
    }

    /// Timeouts of API calls (default [`Timeouts::API`]).
    pub fn timeouts(mut self, timeouts: Timeouts) -> Self {
        self.api_timeouts = timeouts;
        self
    }

    /// Timeouts of XAdES/PAdES downloads (default [`Timeouts::DOWNLOAD`]).
    pub fn download_timeouts(mut self, timeouts: Timeouts) -> Self {
        self.download_timeouts = timeouts;
        self
    }

    /// Appended to the `User-Agent` header, which is `signering-rs/<version>`, as
    /// `signering-rs/<version> (<suffix>)`.
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }

    /// How to reach the service: by default through the proxy the environment names
    /// (`HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY`, read as curl reads them), or
    /// [`ProxySetting::Direct`], or an explicit [`Proxy`](signature_core::Proxy). HTTPS goes
    /// through a proxy as a `CONNECT` tunnel, so mutual TLS stays end to end.
    ///
    /// ```no_run
    /// # fn run(key: asice::SigningKey) -> Result<(), Box<dyn std::error::Error>> {
    /// use posten_adapter::{Client, Environment};
    /// use signature_core::Proxy;
    /// let client = Client::builder(Environment::Test, key)
    ///     .proxy(Proxy::new("http://proxy.example:3128")?.basic_auth("user", "password"))
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn proxy(mut self, proxy: impl Into<ProxySetting>) -> Self {
        self.proxy = proxy.into();
        self
    }

    /// Adds the CA certificates in a PEM bundle to the trust anchors: to the environment's
    /// built-in ones ([`Environment::trust_anchors`]), or, for a custom URL, to none (an
    /// emulator's CA, say). Read when the client is built.
    pub fn trust_roots_pem(mut self, pem: &[u8]) -> Self {
        self.trust = self.trust.add_roots_pem(pem);
        self
    }

    /// Trusts only the CA certificates in this PEM bundle, dropping the built-in anchors and
    /// any added before; later [`trust_roots_pem`](Self::trust_roots_pem) calls still add.
    /// For a server whose CAs are not Posten's (and not only added to them).
    pub fn replace_trust_roots_pem(mut self, pem: &[u8]) -> Self {
        self.trust = self.trust.replace_roots_pem(pem);
        self
    }

    /// Which built-in anchors to start from (default: the environment's); `None` for none.
    /// For a custom URL in front of a real environment.
    pub fn built_in_trust(mut self, anchors: Option<TrustAnchors>) -> Self {
        self.trust = self.trust.built_in(anchors);
        self
    }

    /// The organization number the server certificate must carry (default 984661185,
    /// Posten Bring AS). Change it only for an emulator or a future owner of the service.
    pub fn server_organization_number(mut self, organization: OrganizationNumber) -> Self {
        self.trust = self.trust.organization_number(&organization);
        self
    }

    /// Replaces the whole server-certificate policy: anchors and organization number.
    pub fn server_trust(mut self, trust: ServerTrust) -> Self {
        self.trust = trust;
        self
    }

    /// The client-side rate limit; `None` turns it off (default [`RateLimit::default`]).
    pub fn rate_limit(mut self, limit: Option<RateLimit>) -> Self {
        self.rate_limit = limit;
        self
    }

    /// Retries of idempotent GETs (default [`RetryPolicy::default`]).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Record the server certificate of each answer, for
    /// [`ServiceRoot::server_certificate`](crate::ServiceRoot::server_certificate).
    pub(crate) fn record_server_certificate(mut self) -> Self {
        self.tls_info = true;
        self
    }

    /// Offer HTTP/2 besides HTTP/1.1 in ALPN (needs the crate feature `http2`).
    #[cfg(feature = "http2")]
    pub fn http2(mut self, enabled: bool) -> Self {
        self.http2 = enabled;
        self
    }

    /// Builds the client: loads the trust anchors, prepares mutual TLS and the two
    /// connection pools.
    ///
    /// # Errors
    ///
    /// [`Error::Configuration`] for unusable or missing trust anchors or settings.
    pub fn build(self) -> Result<Client, Error> {
        let verifier = self.trust.verifier()?;
        let mut alpn = Vec::new();
        if self.http2 {
            alpn.push(b"h2".to_vec());
        }
        alpn.push(b"http/1.1".to_vec());
        let tls_config = tls::client_config(verifier, &self.key, alpn)?;
        let user_agent = match &self.user_agent_suffix {
            Some(suffix) => format!("signering-rs/{} ({suffix})", env!("CARGO_PKG_VERSION")),
            None => format!("signering-rs/{}", env!("CARGO_PKG_VERSION")),
        };
        let http = |timeouts: Timeouts| -> Result<reqwest::Client, Error> {
            let mut builder = reqwest::Client::builder()
                .tls_backend_preconfigured(tls_config.clone())
                .user_agent(user_agent.clone())
                .connect_timeout(timeouts.connect)
                .read_timeout(timeouts.read)
                .redirect(reqwest::redirect::Policy::none())
                .tls_info(self.tls_info);
            if let Some(total) = timeouts.total {
                builder = builder.timeout(total);
            }
            builder = crate::proxy::apply(builder, &self.proxy)?;
            if !self.http2 {
                builder = builder.http1_only();
            }
            builder
                .build()
                .map_err(|e| Error::config_from("HTTP client", e))
        };
        Ok(Client {
            inner: Arc::new(Inner {
                root: self.environment.root_url(),
                api: http(self.api_timeouts)?,
                downloads: http(self.download_timeouts)?,
                key: self.key,
                default_sender: self.default_sender,
                default_polling_queue: self.default_polling_queue,
                limiter: self.rate_limit.map(RateLimiter::new),
                retry: self.retry,
                proxy: self.proxy,
            }),
        })
    }
}
