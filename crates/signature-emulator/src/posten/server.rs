//! Building, starting and stopping the emulator: two listeners (the mutual-TLS API and the
//! plain-HTTP web side with the signing ceremony and the control API) over one shared state.

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum_server::accept::DefaultAcceptor;

use super::clock::Clock;
use super::control::Control;
use super::error::Error;
use super::faults::Faults;
use super::pki::{ClientIdentity, OrgNumberIn, Pki, write_demo_files};
use super::rate_limit::{RateLimit, RateLimiter};
use super::state::{AppState, Settings};
use super::store::Store;
use super::tls::{ApiAcceptor, server_config};
use super::{ceremony, control, routes};
use crate::serve::{self, DEFAULT_GRACE, Server};

/// The client identity issued when the builder names none.
pub const DEFAULT_CLIENT_ORGANIZATION_NUMBER: &str = "123456785";

const META_CA_KEY: &str = "ca_key_der";
const META_CA_PEM: &str = "ca_pem";

/// Entry point: `PostenEmulator::builder()…start().await`.
///
/// The emulator issues the client certificate; a `posten_adapter::Client` talks to it over
/// mutual TLS exactly as to the real service:
///
/// ```
/// use asice::{LoadOptions, SigningKey};
/// use posten_adapter::{Client, Environment};
/// use signature_core::{FlowKind, OrganizationNumber, PollResult, StatusQueue};
/// use signature_emulator::posten::PostenEmulator;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let emulator = PostenEmulator::builder().client("123456785").start().await?;
/// let identity = emulator.client("123456785")?;
/// let key_store = identity.to_pkcs12("password")?; // as an enterprise certificate arrives
/// let key = SigningKey::from_pkcs12(&key_store, "password", &LoadOptions::default())?;
/// let client = Client::builder(Environment::custom(&emulator.base_url)?, key)
///     .trust_roots_pem(emulator.ca_pem.as_bytes())
///     .default_sender(OrganizationNumber::parse("123456785")?)
///     .build()?;
/// let answer = client.poll(&StatusQueue::new(FlowKind::Portal)).await?;
/// assert!(matches!(answer, PollResult::NoChanges { .. }));
/// emulator.shutdown().await;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct PostenEmulator;

impl PostenEmulator {
    /// A builder with the defaults: both listeners on 127.0.0.1 with ephemeral ports, an
    /// in-memory database, requeue after 10 minutes, 30 s between empty polls, one client
    /// identity for [`DEFAULT_CLIENT_ORGANIZATION_NUMBER`], brokers act only for themselves.
    pub fn builder() -> PostenEmulatorBuilder {
        PostenEmulatorBuilder::default()
    }
}

/// Options of the emulator.
#[derive(Debug, Clone)]
pub struct PostenEmulatorBuilder {
    api_addr: SocketAddr,
    web_addr: SocketAddr,
    database: Option<PathBuf>,
    requeue_after: Duration,
    poll_interval: Duration,
    brokers: Vec<(String, String)>,
    without_api_access: Vec<String>,
    rate_limit: Option<RateLimit>,
    clients: Vec<(String, OrgNumberIn)>,
    pades_padding: u64,
    max_request_bytes: usize,
    client_cas: Vec<Vec<u8>>,
}

impl Default for PostenEmulatorBuilder {
    fn default() -> Self {
        let any_port = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        Self {
            api_addr: any_port,
            web_addr: any_port,
            database: None,
            requeue_after: Duration::from_secs(600),
            poll_interval: Duration::from_secs(30),
            brokers: Vec::new(),
            without_api_access: Vec::new(),
            rate_limit: Some(RateLimit::default()),
            clients: Vec::new(),
            pades_padding: 0,
            max_request_bytes: 64 * 1024 * 1024,
            client_cas: Vec::new(),
        }
    }
}

impl PostenEmulatorBuilder {
    /// Address of the mutual-TLS API listener (default 127.0.0.1:0).
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.api_addr = addr;
        self
    }

    /// Address of the plain-HTTP web listener: signing pages and `/control` (default
    /// 127.0.0.1:0).
    pub fn web_bind(mut self, addr: SocketAddr) -> Self {
        self.web_addr = addr;
        self
    }

    /// Keep jobs in this SQLite file (created when missing) instead of in memory; a restarted
    /// emulator on the same file keeps its jobs and its CA.
    pub fn database(mut self, path: impl Into<PathBuf>) -> Self {
        self.database = Some(path.into());
        self
    }

    /// How long a polled but unconfirmed status change waits before it is delivered again
    /// (default 10 minutes).
    pub fn requeue_after(mut self, delay: Duration) -> Self {
        self.requeue_after = delay;
        self
    }

    /// The permitted poll time after an empty poll (default 30 s).
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval;
        self
    }

    /// Lets `broker` (organization number of a client certificate) act for `sender`.
    pub fn allow_broker(mut self, broker: impl Into<String>, sender: impl Into<String>) -> Self {
        self.brokers.push((broker.into(), sender.into()));
        self
    }

    /// The rate limit per organization (default: the service's, [`RateLimit::default`]).
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.rate_limit = Some(limit);
        self
    }

    /// No rate limit: for benchmarks, soak runs and tests that need more than the service's
    /// 10 calls per second. Users' tests should keep the limit, as production has it.
    pub fn without_rate_limit(mut self) -> Self {
        self.rate_limit = None;
        self
    }

    /// Treats `organization_number` as an organization whose certificate is valid but which
    /// Posten has not given access to the API: every call answers `NOT_AUTHORIZED`, as the
    /// service does (its troubleshooting guide, "Debugging").
    pub fn without_api_access(mut self, organization_number: impl Into<String>) -> Self {
        self.without_api_access.push(organization_number.into());
        self
    }

    /// Issues a client identity for `organization_number` at start (SEID 2 style).
    pub fn client(self, organization_number: impl Into<String>) -> Self {
        self.client_with(organization_number, OrgNumberIn::OrganizationIdentifier)
    }

    /// Issues a client identity with the organization number in the given subject attribute.
    pub fn client_with(
        mut self,
        organization_number: impl Into<String>,
        placement: OrgNumberIn,
    ) -> Self {
        self.clients.push((organization_number.into(), placement));
        self
    }

    /// Extra bytes in every PAdES (a filler stream object), for large-download tests.
    pub fn pades_padding(mut self, bytes: u64) -> Self {
        self.pades_padding = bytes;
        self
    }

    /// Also accepts client certificates issued by these CA certificates (PEM), beside the
    /// emulator's own CA: your own enterprise certificate (from a file or a PKCS#11 token)
    /// then works against the emulator. The broker is the organization number in the client
    /// certificate's subject, as with the emulator's own identities.
    ///
    /// # Errors
    ///
    /// [`Error::Tls`] if the PEM holds no certificate.
    pub fn trust_client_ca_pem(mut self, pem: impl AsRef<[u8]>) -> Result<Self, Error> {
        use rustls_pki_types::pem::PemObject as _;
        let certs = rustls_pki_types::CertificateDer::pem_slice_iter(pem.as_ref())
            .map(|c| c.map(|c| c.as_ref().to_vec()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| Error::Tls(format!("client CA PEM: {e}")))?;
        if certs.is_empty() {
            return Err(Error::Tls("client CA PEM holds no certificate".to_owned()));
        }
        self.client_cas.extend(certs);
        Ok(self)
    }

    /// Largest accepted request body (default 64 MiB).
    pub fn max_request_bytes(mut self, bytes: usize) -> Self {
        self.max_request_bytes = bytes;
        self
    }

    /// Opens the database, makes (or reloads) the CA, binds both listeners and serves.
    pub async fn start(self) -> Result<RunningEmulator, Error> {
        let database = self.database.clone();
        let store = tokio::task::spawn_blocking(move || Store::open(database.as_deref()))
            .await
            .map_err(|e| Error::Store(e.to_string()))??;
        let store = Arc::new(store);

        let clients = self.clients.clone();
        let pki_store = Arc::clone(&store);
        let (pki, identities) = tokio::task::spawn_blocking(move || {
            let stored = match (
                pki_store.meta_get(META_CA_KEY)?,
                pki_store.meta_get(META_CA_PEM)?,
            ) {
                (Some(key), Some(pem)) => Some((
                    key,
                    String::from_utf8(pem).map_err(|e| Error::Store(e.to_string()))?,
                )),
                _ => None,
            };
            let pki = Pki::new(stored)?;
            let (key, pem) = pki.ca_to_store();
            pki_store.meta_put(META_CA_KEY, &key)?;
            pki_store.meta_put(META_CA_PEM, pem.as_bytes())?;
            let wanted = if clients.is_empty() {
                vec![(
                    DEFAULT_CLIENT_ORGANIZATION_NUMBER.to_owned(),
                    OrgNumberIn::default(),
                )]
            } else {
                clients
            };
            let identities = wanted
                .iter()
                .map(|(org, placement)| pki.issue_client(org, *placement))
                .collect::<Result<Vec<_>, Error>>()?;
            Ok::<_, Error>((pki, identities))
        })
        .await
        .map_err(|e| Error::Pki(e.to_string()))??;
        let pki = Arc::new(pki);

        let seal = Arc::new(
            asice::SigningKey::from_pem(
                pki.seal_key_pem.as_bytes(),
                pki.seal_chain_pem.as_bytes(),
                None,
                &asice::LoadOptions::default(),
            )
            .map_err(|e| Error::Pki(format!("seal: {e}")))?,
        );
        let tls = server_config(&pki, &self.client_cas)?;

        let bind = |addr: SocketAddr, scheme: &str| {
            serve::bind(addr, scheme).map_err(|e| Error::Io(e.to_string()))
        };
        let api = bind(self.api_addr, "https")?;
        let web = bind(self.web_addr, "http")?;

        let mut brokers: HashMap<String, std::collections::HashSet<String>> = HashMap::new();
        for (broker, sender) in &self.brokers {
            brokers
                .entry(broker.clone())
                .or_default()
                .insert(sender.clone());
        }
        let to_ms = |d: Duration| i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 4);
        let faults = Arc::new(Faults::default());
        let limiter = Arc::new(RateLimiter::new(self.rate_limit));
        let state = Arc::new(AppState {
            store,
            pki: Arc::clone(&pki),
            seal,
            settings: Settings {
                requeue_ms: to_ms(self.requeue_after),
                poll_interval_ms: to_ms(self.poll_interval),
                brokers,
                without_api_access: self.without_api_access.iter().cloned().collect(),
                pades_padding: self.pades_padding,
                max_request_bytes: self.max_request_bytes,
                client_cas: self.client_cas.clone(),
            },
            api_base: format!("{}/api", api.base_url()),
            web_base: web.base_url().to_owned(),
            faults: Arc::clone(&faults),
            limiter: Arc::clone(&limiter),
            clock: Clock::default(),
        });

        let io = |e: std::io::Error| Error::Io(e.to_string());
        let api = api
            .serve(
                routes::api_router(Arc::clone(&state)),
                ApiAcceptor::new(tls, faults, limiter),
                "Posten emulator API",
            )
            .map_err(io)?;
        let web_router: Router = ceremony::router()
            .merge(control::router())
            .with_state(Arc::clone(&state));
        let web = web
            .serve(web_router, DefaultAcceptor, "Posten emulator web")
            .map_err(io)?;

        tracing::info!(addr = %api.address(), web_addr = %web.address(), "Posten emulator started");
        Ok(RunningEmulator {
            addr: api.address(),
            base_url: state.api_base.clone(),
            web_addr: web.address(),
            web_base_url: state.web_base.clone(),
            ca_pem: pki.ca_pem.clone(),
            clients: Mutex::new(identities),
            control: Control::new(Arc::clone(&state)),
            pki,
            api,
            web,
        })
    }
}

/// A started emulator: two [`Server`]s, the API and the web listener. Dropping it stops
/// both at once; [`RunningEmulator::shutdown`] first lets open requests finish.
#[derive(Debug)]
pub struct RunningEmulator {
    /// Address of the mutual-TLS API listener.
    pub addr: SocketAddr,
    /// `https://127.0.0.1:PORT/api`, the root the clients' URLs start with.
    pub base_url: String,
    /// Address of the plain-HTTP web listener (signing pages, `/control`).
    pub web_addr: SocketAddr,
    /// `http://127.0.0.1:PORT`.
    pub web_base_url: String,
    /// The emulator's CA certificate (PEM): trust it for the server, it issued the clients.
    pub ca_pem: String,
    clients: Mutex<Vec<ClientIdentity>>,
    control: Control,
    pki: Arc<Pki>,
    api: Server,
    web: Server,
}

impl RunningEmulator {
    /// The client identities issued so far.
    pub fn clients(&self) -> Vec<ClientIdentity> {
        // The list only grows by whole identities: a panic elsewhere leaves it usable.
        crate::locked(&self.clients).clone()
    }

    /// The identity for `organization_number`, issuing one (SEID 2 style) when there is none.
    pub fn client(&self, organization_number: &str) -> Result<ClientIdentity, Error> {
        let mut clients = crate::locked(&self.clients);
        if let Some(found) = clients
            .iter()
            .find(|c| c.organization_number() == organization_number)
        {
            return Ok(found.clone());
        }
        let issued = self
            .pki
            .issue_client(organization_number, OrgNumberIn::default())?;
        clients.push(issued.clone());
        Ok(issued)
    }

    /// Issues a new identity with the organization number in the given subject attribute.
    pub fn issue_client(
        &self,
        organization_number: &str,
        placement: OrgNumberIn,
    ) -> Result<ClientIdentity, Error> {
        self.pki.issue_client(organization_number, placement)
    }

    /// The control handle (act as signers, inject faults).
    pub fn control(&self) -> &Control {
        &self.control
    }

    /// Writes `ca.pem` and `<org>.p12` (protected by `password`) into `dir`; returns both paths.
    pub fn write_demo_files(
        &self,
        dir: &Path,
        organization_number: &str,
        password: &str,
    ) -> Result<(PathBuf, PathBuf), Error> {
        let identity = self.client(organization_number)?;
        write_demo_files(dir, &self.pki.ca_pem, &identity, password)
    }

    /// The mutual-TLS API listener (its address is the `addr` field; its base URL is
    /// `base_url` without `/api`).
    pub fn api_server(&self) -> &Server {
        &self.api
    }

    /// The plain-HTTP web listener (signing pages, `/control`).
    pub fn web_server(&self) -> &Server {
        &self.web
    }

    /// Stops accepting connections, lets open requests finish (up to `grace`), and waits for
    /// both listeners to end.
    pub async fn shutdown_with(self, grace: Duration) {
        tokio::join!(self.api.shutdown_with(grace), self.web.shutdown_with(grace));
    }

    /// [`RunningEmulator::shutdown_with`] a grace period of 5 s ([`DEFAULT_GRACE`]).
    pub async fn shutdown(self) {
        self.shutdown_with(DEFAULT_GRACE).await;
    }
}
