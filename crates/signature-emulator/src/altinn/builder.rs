//! Configuring and starting the Altinn 2 emulator.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::state::{MaskinportenClient, World};
use super::{AltinnEmulator, Config, Counters, DEFAULT_AUDIENCE, Shared, TlsSetup, server};

/// Configures an [`AltinnEmulator`].
#[derive(Debug)]
#[must_use = "a builder does nothing until started"]
pub struct AltinnEmulatorBuilder {
    config: Config,
    tls: Option<TlsSetup>,
    bind: std::net::SocketAddr,
}

impl AltinnEmulatorBuilder {
    /// The defaults [`AltinnEmulator::builder`] starts from.
    pub(super) fn new() -> Self {
        Self {
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
