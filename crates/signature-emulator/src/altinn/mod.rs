//! An emulator of Altinn 2's REST API for form tasks, with Maskinporten and the platform's
//! token exchange, for tests.
//!
//! It serves on 127.0.0.1 with an ephemeral port (or the address given to `bind`), plain HTTP or TLS (optionally asking for
//! client certificates), keeps everything in memory, and behaves as Altinn documents:
//! errors in the HTTP reason phrase, `ApiKey` checked first, a redirect to the login page
//! for requests without credentials, localised statuses, `Location` for created, signed and
//! archived items, and Maskinporten grants verified against the client's registered
//! certificate (`x5c`).
//!
//! ```no_run
//! use signature_emulator::altinn::{AltinnEmulator, FormTaskSeed};
//!
//! # async fn run() -> std::io::Result<()> {
//! let emulator = AltinnEmulator::builder().api_key("key").start().await?;
//! let id = emulator.add_form_task("my", FormTaskSeed::new("4711", 1).main_form("1", "2", "<a/>"));
//! let token = emulator.issue_token(4);
//! println!("{} {id} {token}", emulator.base_url());
//! # Ok(()) }
//! ```

// Handlers return an early `Response` as their error, the usual axum style; boxing it would
// only add noise.
#![allow(clippy::result_large_err)]

pub(crate) mod auth;
mod form_tasks;
pub(crate) mod jwt;
mod messages;
mod parts;
pub(crate) mod pdf;
mod query;
mod reason;
mod reportees;
mod server;
mod state;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::Server;

pub use state::{ReporteeSeed, Status, StoredAttachment, StoredForm, StoredMessage};

use state::{Identity, IssuedToken, MaskinportenClient, World};

/// The `aud` the emulated Maskinporten expects unless configured otherwise.
pub const DEFAULT_AUDIENCE: &str = "https://maskinporten.emulator/";

/// TLS for the emulator: its certificate chain and key, and the roots client certificates
/// must chain to (client certificates are optional, as Altinn asks for them only with
/// `ForceEIAuthentication`).
#[derive(Debug)]
pub struct TlsSetup {
    /// The server's certificate chain.
    pub chain: Vec<CertificateDer<'static>>,
    /// The server's key.
    pub key: PrivateKeyDer<'static>,
    /// Roots for client certificates; empty means none are asked for.
    pub client_roots: Vec<CertificateDer<'static>>,
}

#[derive(Debug)]
pub(crate) struct Config {
    api_key: String,
    person_users: HashMap<String, String>,
    enterprise_users: HashMap<String, String>,
    enterprise_certificates: Vec<Vec<u8>>,
    maskinporten_clients: HashMap<String, MaskinportenClient>,
    audience: String,
    resource: Option<String>,
    page_size: usize,
    database_limit: Option<usize>,
    html_for_anonymous: bool,
    token_lifetime: Duration,
}

#[derive(Debug, Default)]
pub(crate) struct Counters {
    grants: AtomicUsize,
    exchanges: AtomicUsize,
    logins: AtomicUsize,
}

#[derive(Debug)]
pub(crate) struct Shared {
    config: Config,
    world: Mutex<World>,
    base_url: String,
    counters: Counters,
}

impl Shared {
    pub(crate) fn world(&self) -> MutexGuard<'_, World> {
        // A panic while holding the lock leaves consistent-enough test data; keep serving.
        crate::locked(&self.world)
    }
}

/// Configures an [`AltinnEmulator`].
#[derive(Debug)]
#[must_use = "a builder does nothing until started"]
pub struct AltinnEmulatorBuilder {
    config: Config,
    tls: Option<TlsSetup>,
    bind: std::net::SocketAddr,
}

impl AltinnEmulatorBuilder {
    /// The address to listen on (default `127.0.0.1:0`, a free port); the base URL names
    /// the bound port, and 127.0.0.1 when all interfaces are bound.
    pub fn bind(mut self, address: std::net::SocketAddr) -> Self {
        self.bind = address;
        self
    }

    /// The API key every call must carry (default `emulator-api-key`).
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.config.api_key = key.into();
        self
    }

    /// A person who can log in with a password (security level 1).
    pub fn person_user(mut self, username: impl Into<String>, password: impl Into<String>) -> Self {
        self.config
            .person_users
            .insert(username.into(), password.into());
        self
    }

    /// An enterprise user, for the token exchange and the certificate login (level 3).
    pub fn enterprise_user(
        mut self,
        username: impl Into<String>,
        password: impl Into<String>,
    ) -> Self {
        self.config
            .enterprise_users
            .insert(username.into(), password.into());
        self
    }

    /// An enterprise certificate accepted for the certificate login (DER).
    pub fn enterprise_certificate(mut self, certificate: impl Into<Vec<u8>>) -> Self {
        self.config.enterprise_certificates.push(certificate.into());
        self
    }

    /// A Maskinporten client with its registered certificate (DER) and allowed scopes.
    pub fn maskinporten_client(
        mut self,
        client_id: impl Into<String>,
        certificate: impl Into<Vec<u8>>,
        scopes: &[&str],
    ) -> Self {
        self.config.maskinporten_clients.insert(
            client_id.into(),
            MaskinportenClient {
                certificate: certificate.into(),
                scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
            },
        );
        self
    }

    /// The `aud` grants must carry (default [`DEFAULT_AUDIENCE`]).
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.config.audience = audience.into();
        self
    }

    /// The `resource` grants must carry, if any.
    pub fn resource(mut self, resource: impl Into<String>) -> Self {
        self.config.resource = Some(resource.into());
        self
    }

    /// Items per list page (Altinn: 50).
    pub fn page_size(mut self, size: usize) -> Self {
        self.config.page_size = size.max(1);
        self
    }

    /// Emulates Altinn's database limit: more messages than this (before `$filter`) are cut
    /// and the answer carries `X-Warning-LimitReached`.
    pub fn database_limit(mut self, limit: usize) -> Self {
        self.config.database_limit = Some(limit);
        self
    }

    /// Answers anonymous requests with an HTML login page (200) instead of a redirect.
    pub fn html_for_anonymous(mut self, html: bool) -> Self {
        self.config.html_for_anonymous = html;
        self
    }

    /// How long issued tokens live (default 1 hour).
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.config.token_lifetime = lifetime;
        self
    }

    /// Serves over TLS.
    pub fn tls(mut self, tls: TlsSetup) -> Self {
        self.tls = Some(tls);
        self
    }

    /// Binds the address ([`bind`](Self::bind); 127.0.0.1 on a free port by default) and
    /// starts serving on the current tokio runtime.
    ///
    /// # Errors
    ///
    /// Binding, or an invalid TLS set-up.
    pub async fn start(self) -> std::io::Result<AltinnEmulator> {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        let bound = crate::serve::bind(self.bind, scheme)?;
        let shared = Arc::new(Shared {
            config: self.config,
            world: Mutex::new(World::default()),
            base_url: bound.base_url().to_owned(),
            counters: Counters::default(),
        });
        let server = server::serve(bound, shared.clone(), self.tls)?;
        Ok(AltinnEmulator { shared, server })
    }
}

/// A running emulator; it stops when dropped ([`AltinnEmulator::server`] to stop it
/// gracefully or wait for it).
#[derive(Debug)]
pub struct AltinnEmulator {
    shared: Arc<Shared>,
    server: Server,
}

/// A form task to put in a message box.
#[derive(Debug, Clone)]
#[must_use]
pub struct FormTaskSeed {
    message: StoredMessage,
}

impl FormTaskSeed {
    /// A form task for a service, at the signing step, requiring level 3 to sign.
    pub fn new(service_code: impl Into<String>, service_edition: i64) -> Self {
        Self {
            message: StoredMessage::form_task(service_code.into(), service_edition),
        }
    }

    /// The subject.
    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.message.subject = subject.into();
        self
    }

    /// The status (default [`Status::Signing`]).
    pub fn status(mut self, status: Status) -> Self {
        self.message.status = status;
        self
    }

    /// The authentication level signing requires (default 3).
    pub fn signing_level(mut self, level: u8) -> Self {
        self.message.signing_level = level;
        self
    }

    /// `LastChangedDateTime` (default `2024-01-15T12:00:00`), used by `dateFrom`/`dateTo`.
    pub fn last_changed(mut self, at: impl Into<String>) -> Self {
        self.message.last_changed = at.into();
        self
    }

    /// The main form, locked as signed.
    pub fn main_form(self, format: &str, version: &str, xml: &str) -> Self {
        self.form(true, format, version, xml, true, true)
    }

    /// A form with explicit signing flags.
    pub fn form(
        mut self,
        main: bool,
        format: &str,
        version: &str,
        xml: &str,
        signing_locked: bool,
        signed_by_default: bool,
    ) -> Self {
        self.message.forms.push(StoredForm {
            id: 0,
            main,
            data_format_id: format.to_owned(),
            data_format_version: version.to_owned(),
            xml: xml.to_owned(),
            signing_locked,
            signed_by_default,
        });
        self
    }

    /// An attachment with explicit signing flags.
    pub fn attachment(
        mut self,
        file_name: &str,
        attachment_type: &str,
        data: &[u8],
        signing_locked: bool,
        signed_by_default: bool,
    ) -> Self {
        self.message.attachments.push(StoredAttachment {
            id: 0,
            file_name: file_name.to_owned(),
            attachment_type: attachment_type.to_owned(),
            data: data.to_vec(),
            signing_locked,
            signed_by_default,
        });
        self
    }
}

impl AltinnEmulator {
    /// Starts configuring an emulator.
    pub fn builder() -> AltinnEmulatorBuilder {
        AltinnEmulatorBuilder {
            config: Config {
                api_key: "emulator-api-key".to_owned(),
                person_users: HashMap::new(),
                enterprise_users: HashMap::new(),
                enterprise_certificates: Vec::new(),
                maskinporten_clients: HashMap::new(),
                audience: DEFAULT_AUDIENCE.to_owned(),
                resource: None,
                page_size: 50,
                database_limit: None,
                html_for_anonymous: false,
                token_lifetime: Duration::from_secs(3600),
            },
            tls: None,
            bind: std::net::SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, 0)),
        }
    }

    /// The base URL (`http://127.0.0.1:PORT`): API, platform and Maskinporten alike.
    pub fn base_url(&self) -> &str {
        self.server.base_url()
    }

    /// The listener: its address, a graceful shutdown, a join.
    pub fn server(&self) -> &Server {
        &self.server
    }

    /// Maskinporten's token endpoint.
    pub fn maskinporten_token_url(&self) -> String {
        format!("{}/token", self.shared.base_url)
    }

    /// Issues an ID-porten-like access token for a person logged in at `level`.
    pub fn issue_token(&self, level: u8) -> String {
        let token = format!("idporten-{}", auth::random_hex());
        let expires_at = Instant::now() + self.shared.config.token_lifetime;
        self.shared.world().tokens.insert(
            token.clone(),
            IssuedToken {
                identity: Identity { level },
                expires_at,
            },
        );
        token
    }

    /// Makes every issued Altinn and ID-porten token expired.
    pub fn expire_tokens(&self) {
        let now = Instant::now();
        for token in self.shared.world().tokens.values_mut() {
            token.expires_at = now;
        }
    }

    /// Ends every `.ASPXAUTH` session.
    pub fn end_sessions(&self) {
        self.shared.world().sessions.clear();
    }

    /// Puts a form task into `who`'s box and returns its id.
    pub fn add_form_task(&self, who: &str, seed: FormTaskSeed) -> String {
        let mut world = self.shared.world();
        let mut message = seed.message;
        message.id = format!("a{}", world.next());
        for form in &mut message.forms {
            form.id = world.next();
        }
        for attachment in &mut message.attachments {
            attachment.id = world.next();
        }
        let id = message.id.clone();
        world.boxes.entry(who.to_owned()).or_default().push(message);
        id
    }

    /// Puts an unread correspondence into `who`'s box and returns its id.
    pub fn add_correspondence(
        &self,
        who: &str,
        subject: &str,
        requires_confirmation: bool,
    ) -> String {
        let mut seed = FormTaskSeed::new("4000", 1)
            .subject(subject)
            .status(Status::Unread);
        seed.message.form_task = false;
        seed.message.requires_confirmation = requires_confirmation;
        self.add_form_task(who, seed)
    }

    /// Adds a reportee to `/api/reportees`.
    pub fn add_reportee(&self, reportee: ReporteeSeed) {
        self.shared.world().reportees.push(reportee);
    }

    /// A message as stored (including deleted ones), for assertions.
    pub fn stored_message(&self, who: &str, id: &str) -> Option<StoredMessage> {
        self.shared
            .world()
            .boxes
            .get(who)?
            .iter()
            .find(|m| m.id == id)
            .cloned()
    }

    /// How many Maskinporten grants were accepted.
    pub fn grants_accepted(&self) -> usize {
        self.shared.counters.grants.load(Ordering::Relaxed)
    }

    /// How many token exchanges succeeded.
    pub fn exchanges(&self) -> usize {
        self.shared.counters.exchanges.load(Ordering::Relaxed)
    }

    /// How many password or certificate logins succeeded.
    pub fn logins(&self) -> usize {
        self.shared.counters.logins.load(Ordering::Relaxed)
    }
}
