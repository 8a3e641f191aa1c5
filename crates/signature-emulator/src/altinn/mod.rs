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
mod builder;
mod form_tasks;
pub(crate) mod jwt;
mod messages;
mod parts;
pub(crate) mod pdf;
mod query;
mod reason;
mod reportees;
mod seed;
mod server;
mod state;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::Server;

pub use builder::AltinnEmulatorBuilder;
pub use seed::FormTaskSeed;
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

/// A running emulator; it stops when dropped ([`AltinnEmulator::server`] to stop it
/// gracefully or wait for it).
#[derive(Debug)]
pub struct AltinnEmulator {
    shared: Arc<Shared>,
    server: Server,
}

impl AltinnEmulator {
    /// Starts configuring an emulator.
    pub fn builder() -> AltinnEmulatorBuilder {
        AltinnEmulatorBuilder::new()
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
