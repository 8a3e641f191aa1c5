//! An emulator of Altinn 3 for tests: the platform's token exchange, an app's API
//! (instances, process, actions, signing, data elements), Storage's instance query and
//! Dialogporten's end-user search and lookup, all on one 127.0.0.1 host.
//!
//! Every app it knows has the same process: `Task_1` (data) → `Task_2` (signing the
//! `document` and `ref-data-as-pdf` data elements; signatures stored as `signatures` data
//! elements holding a `SignDocument` with the signee) → `Task_3` (confirmation) →
//! `EndEvent_1`. Moving from the data task to signing renders a `ref-data-as-pdf` of the
//! form when no `document` was uploaded.
//!
//! # Data types
//!
//! Every app declares the same data types (`GET {org}/{app}/api/v1/applicationmetadata`):
//! [`MODEL_DATA_TYPE`] (`application/xml`, the form) and [`DOCUMENT_DATA_TYPE`]
//! (`application/pdf`, the documents to sign), which callers upload, at instantiation or
//! with `POST …/data/type/{dataType}` (200 `DataPostResponse`) or `POST …/data?dataType=`
//! (201 `DataElement`), replace (`PUT …/data/{dataGuid}`, 201) and delete (`DELETE`, 200);
//! and the app's own [`GENERATED_PDF_DATA_TYPE`] (declared as real apps do, refused by its
//! id) and [`SIGNATURE_DATA_TYPE`] (`allowedContributors: ["app:owned"]`), which no caller
//! of the API may create, replace or delete, not even the service owner, as app-lib's
//! `DataElementAccessChecker` refuses them: 403 ProblemDetails
//! `{"title":"Forbidden","detail":"Data element of type ref-data-as-pdf cannot be modified"}`
//! or `"User is not a valid contributor to the data type"` (also for a part of such a type
//! at instantiation, which then creates no instance). A data element of an instance whose
//! process has ended answers 409 "Instance Not Active". Sources in `app_metadata.rs`.
//!
//! It answers and refuses as the real services do (see
//! `../shared/docs/altinn3-audit.md` and `tests/altinn3_conformance.rs`, which judges every
//! exchange against the official OpenAPI documents): ProblemDetails from the app and
//! Dialogporten, JSON strings from Storage, plain text from the token exchange, empty
//! 401/403s; only persons and system users sign (an organisation's token gets 401), on
//! behalf of an organisation only a person with a key role
//! ([`Altinn3Emulator::add_key_role`]); `process/next` without an action makes no
//! signature.
//!
//! # Persons, organisations and system users
//!
//! Tokens say who calls, as app-lib tells them apart: an ID-porten token is a person; a
//! Maskinporten token is the client's organisation, or with `authorization_details` of
//! type `urn:altinn:systemuser` a **system user** of the customer organisation. The
//! emulator serves Maskinporten's token endpoint at
//! [`maskinporten_issuer`](Altinn3Emulator::maskinporten_issuer)`token`: register the
//! vendor's client with its key ([`add_maskinporten_client`](Altinn3Emulator::add_maskinporten_client),
//! by `x5c` certificate or `kid`), create the customer's system user
//! ([`add_system_user`](Altinn3Emulator::add_system_user)) and give it rights in an app
//! ([`grant_system_user`](Altinn3Emulator::grant_system_user): `read`, `write`,
//! `instantiate`, `sign`, `confirm`). The grant is verified as Maskinporten verifies it; a
//! customer without a system user for the client gets `invalid_altinn_customer_configuration`
//! (MP-303). The token carries `consumer`, `scope` and `authorization_details`
//! (`systemuser_id`, `system_id`, `systemuser_org`), which the exchange keeps. A system user
//! acts for its organisation's party and only with its rights (403 without them; the
//! process state's `actions` say which); it cannot sign on behalf of another organisation
//! nor ask `signing/organizations` (401). Its signature's `signeeInfo` carries
//! `systemUserId` only, and the signing state lists it as `name` "System" with its
//! organisation (SigningUserAction, SigningController). Tokens carry scopes: the exchange
//! refuses an ID-porten token without an `altinn:` scope (403), Dialogporten any token
//! without `digdir:dialogporten` (403); the test helpers issue [`DEFAULT_SCOPE`].
//!
//! # Departures from the real platform
//!
//! - Tokens are unsigned JWT-shaped strings, and the Altinn token carries the party id
//!   rather than the real exchange's claims (audit L7): the emulator has no keys to trust.
//! - One fixed process and data model for every app; validation knows only "a signing task
//!   needs a signature" (the real app runs the app's validators).
//! - Data uploads check the content type, the app-owned types, `maxCount` and an ended
//!   process; not `maxSize`, file analysers or validators, data processors, the
//!   `actionRequiredToWrite`/`taskId` rules, nor form data against a model (form data is
//!   stored as sent). Locked (signed) elements may still be replaced.
//! - Maskinporten is on the emulator's host (`/maskinporten/`), issues unsigned JWT-shaped
//!   tokens, grants every registered client [`DEFAULT_SCOPE`], and answers every refusal
//!   with 400 `invalid_grant` (or MP-303) rather than its exact codes and descriptions.
//! - System users' rights are per app and action, set by the test (the platform grants
//!   access packages or resource rights through Altinn Authorization); a system user's
//!   `system_id` is `{vendor}_signering`.
//! - app-lib 8.12 writes no organisation number in a system user's SignDocument, and its
//!   signing state cannot then map the signature to a signee; the emulator shows it as the
//!   SigningController's SystemSignee case ("System", the system user's organisation).
//! - App and Storage calls do not check the `altinn:instances.*` scopes (only the exchange
//!   and Dialogporten check scopes).
//! - Injected faults ([`Altinn3Emulator::fail_next`]) answer before routing, without the
//!   platform's exact bodies (a 503 during maintenance is plain text, as Dialogporten's).
//! - Storage pages with a numeric continuation token; Dialogporten orders by creation.
//! - Key roles are set by the test, not looked up in the Register.
//!
//! ```no_run
//! use signature_emulator::altinn3::Altinn3Emulator;
//!
//! # async fn run() -> std::io::Result<()> {
//! let emulator = Altinn3Emulator::builder().app("ttd/signing-demo").start().await?;
//! let party = emulator.add_person("24068110048", "Kari Nordmann");
//! let idporten = emulator.issue_idporten_token("24068110048");
//! println!("{} {party} {}", emulator.base_url(), idporten.len());
//! # Ok(()) }
//! ```

// Handlers return an early `Response` as their error, the usual axum style.
#![allow(clippy::result_large_err)]

pub(crate) mod app_metadata;
mod faults;
mod handlers;
mod recorder;
mod state;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum_server::accept::DefaultAcceptor;

use crate::Server;
use state::{Actor, IssuedToken, MaskinportenClient, Party, SystemUser, World};

pub use faults::Fault;
pub use recorder::RecordedExchange;
pub use state::{StoredData, StoredInstance};

/// The emulated app process: element id and task type, in order.
pub const PROCESS: [(&str, &str); 3] = [
    ("Task_1", "data"),
    ("Task_2", "signing"),
    ("Task_3", "confirmation"),
];
/// The data type of the documents to sign: uploaded by the user (no `allowedContributors`),
/// `application/pdf`, signed in the signing task.
pub const DOCUMENT_DATA_TYPE: &str = "document";
/// The PDF the app renders of the form when moving to signing (app-lib's
/// `PdfService.PdfElementType`); signed too; no caller may upload, replace or delete it.
pub const GENERATED_PDF_DATA_TYPE: &str = "ref-data-as-pdf";
/// The data type of the form model.
pub const MODEL_DATA_TYPE: &str = "model";
/// The data type signatures are stored under (app-owned: `allowedContributors:
/// ["app:owned"]`).
pub const SIGNATURE_DATA_TYPE: &str = "signatures";
/// The scopes of the tokens the emulator issues for tests and of registered Maskinporten
/// clients: the app and Storage scopes and Dialogporten's.
pub const DEFAULT_SCOPE: &str = "altinn:instances.read altinn:instances.write digdir:dialogporten";

/// How a Maskinporten client's grants name their key
/// (<https://docs.digdir.no/docs/Maskinporten/maskinporten_protocol_jwtgrant>).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ClientKey {
    /// The enterprise certificate (DER), sent in `x5c`.
    Certificate(Vec<u8>),
    /// A key registered under `kid`: its RSA public key as `SubjectPublicKeyInfo` DER (a
    /// PEM `PUBLIC KEY`'s content).
    Kid {
        /// The key id the grant's header names.
        kid: String,
        /// The public key (SPKI DER).
        public_key: Vec<u8>,
    },
}

impl ClientKey {
    /// A new RSA key registered under `kid`: the key to register, and the private key as
    /// PKCS#8 PEM for the client (`GrantKey::registered_key`, `signering altinn3 --key`).
    ///
    /// # Errors
    ///
    /// Key generation fails.
    pub fn generate(kid: impl Into<String>) -> std::io::Result<(Self, String)> {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256)
            .map_err(|e| std::io::Error::other(format!("generating an RSA key: {e}")))?;
        let public_key = rcgen::PublicKeyData::subject_public_key_info(&key);
        Ok((
            Self::Kid {
                kid: kid.into(),
                public_key,
            },
            key.serialize_pem(),
        ))
    }
}

#[derive(Debug)]
pub(crate) struct Shared {
    apps: Vec<String>,
    token_lifetime: Duration,
    world: Mutex<World>,
    base_url: String,
    exchanges: AtomicUsize,
}

impl Shared {
    pub(crate) fn world(&self) -> MutexGuard<'_, World> {
        // A panic while holding the lock leaves consistent-enough test data; keep serving.
        crate::locked(&self.world)
    }
}

/// Configures an [`Altinn3Emulator`].
#[derive(Debug)]
#[must_use = "a builder does nothing until started"]
pub struct Altinn3EmulatorBuilder {
    apps: Vec<String>,
    token_lifetime: Duration,
    record: bool,
    bind: std::net::SocketAddr,
}

impl Altinn3EmulatorBuilder {
    /// The address to listen on (default `127.0.0.1:0`, a free port); the base URL names
    /// the bound port, and 127.0.0.1 when all interfaces are bound.
    pub fn bind(mut self, address: std::net::SocketAddr) -> Self {
        self.bind = address;
        self
    }

    /// Serves the app `"{org}/{app}"` (none by default).
    pub fn app(mut self, app_id: impl Into<String>) -> Self {
        self.apps.push(app_id.into());
        self
    }

    /// How long issued tokens live (default 1 hour).
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.token_lifetime = lifetime;
        self
    }

    /// Records every request and its answer (see [`Altinn3Emulator::recorded`]); off by
    /// default, since it keeps every body in memory.
    pub fn record_exchanges(mut self) -> Self {
        self.record = true;
        self
    }

    /// Binds the address ([`bind`](Self::bind); 127.0.0.1 on a free port by default) and
    /// serves plain HTTP on the current runtime.
    ///
    /// # Errors
    ///
    /// Binding fails.
    pub async fn start(self) -> std::io::Result<Altinn3Emulator> {
        let bound = crate::serve::bind(self.bind, "http")?;
        let shared = Arc::new(Shared {
            apps: self.apps,
            token_lifetime: self.token_lifetime,
            world: Mutex::new(World::default()),
            base_url: bound.base_url().to_owned(),
            exchanges: AtomicUsize::new(0),
        });
        let recorder = self.record.then(|| Arc::new(recorder::Recorder::default()));
        let faults = Arc::new(faults::Faults::default());
        let mut app = handlers::router(shared.clone()).layer(axum::middleware::from_fn_with_state(
            faults.clone(),
            faults::inject,
        ));
        if let Some(recorder) = &recorder {
            app = app.layer(axum::middleware::from_fn_with_state(
                recorder.clone(),
                recorder::record,
            ));
        }
        let server = bound.serve(app, DefaultAcceptor, "Altinn 3 emulator")?;
        Ok(Altinn3Emulator {
            shared,
            recorder,
            faults,
            server,
        })
    }
}

/// A running Altinn 3 emulator; it stops when dropped ([`Altinn3Emulator::server`] to stop
/// it gracefully or wait for it).
#[derive(Debug)]
pub struct Altinn3Emulator {
    shared: Arc<Shared>,
    recorder: Option<Arc<recorder::Recorder>>,
    faults: Arc<faults::Faults>,
    server: Server,
}

impl Altinn3Emulator {
    /// Starts configuring an emulator.
    pub fn builder() -> Altinn3EmulatorBuilder {
        Altinn3EmulatorBuilder {
            apps: Vec::new(),
            token_lifetime: Duration::from_secs(3600),
            record: false,
            bind: std::net::SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, 0)),
        }
    }

    /// The base URL (`http://127.0.0.1:PORT`) of apps, platform and Dialogporten alike.
    pub fn base_url(&self) -> &str {
        self.server.base_url()
    }

    /// The listener: its address, a graceful shutdown, a join.
    pub fn server(&self) -> &Server {
        &self.server
    }

    /// Registers a person (by identity number) and returns their party id.
    pub fn add_person(&self, person_number: &str, name: &str) -> u64 {
        self.add_party(Some(person_number), None, name)
    }

    /// Gives a registered person a key role in a registered organisation, so they may sign
    /// on its behalf (`GET …/signing/organizations`, `onBehalfOf`); `false` if either is
    /// unknown.
    pub fn add_key_role(&self, person_number: &str, organisation_number: &str) -> bool {
        let mut world = self.shared.world();
        match (
            world.party_by_person(person_number),
            world.party_by_org(organisation_number),
        ) {
            (Some(person), Some(org)) => {
                world.key_roles.push((person, org));
                true
            }
            _ => false,
        }
    }

    /// Registers an organisation and returns its party id.
    pub fn add_organisation(&self, organisation_number: &str, name: &str) -> u64 {
        self.add_party(None, Some(organisation_number), name)
    }

    fn add_party(&self, person: Option<&str>, org: Option<&str>, name: &str) -> u64 {
        let mut world = self.shared.world();
        let count = world.parties.len() as u64 + 1;
        let party_id = 50_000_000 + count;
        world.parties.push(Party {
            party_id,
            user_id: 1_000 + count,
            person_number: person.map(str::to_owned),
            organisation_number: org.map(str::to_owned),
            name: name.to_owned(),
        });
        party_id
    }

    fn issue(
        &self,
        provider: &'static str,
        party: Option<u64>,
        actor: Actor,
        scope: &str,
    ) -> String {
        let token = format!("{provider}-{}", crate::altinn::auth::random_hex());
        if let Some(party_id) = party {
            self.shared.world().external_tokens.insert(
                token.clone(),
                IssuedToken {
                    provider,
                    party_id,
                    actor,
                    scope: scope.to_owned(),
                    expires_at: Instant::now() + self.shared.token_lifetime,
                },
            );
        }
        token
    }

    /// Issues an ID-porten access token for a registered person with [`DEFAULT_SCOPE`] (an
    /// unknown person gets a token the exchange refuses).
    pub fn issue_idporten_token(&self, person_number: &str) -> String {
        self.issue_idporten_token_with_scope(person_number, DEFAULT_SCOPE)
    }

    /// Issues an ID-porten access token with the given scopes (space-separated): the
    /// exchange refuses one without an `altinn:` scope (403) and Dialogporten one without
    /// `digdir:dialogporten` (403).
    pub fn issue_idporten_token_with_scope(&self, person_number: &str, scope: &str) -> String {
        let party = self.shared.world().party_by_person(person_number);
        self.issue("id-porten", party, Actor::Person, scope)
    }

    /// Issues a Maskinporten token for a registered organisation itself (not a system
    /// user) with [`DEFAULT_SCOPE`], as if its client had sent a grant.
    pub fn issue_maskinporten_token(&self, organisation_number: &str) -> String {
        let party = self.shared.world().party_by_org(organisation_number);
        self.issue("maskinporten", party, Actor::Organisation, DEFAULT_SCOPE)
    }

    /// Maskinporten's issuer on this emulator, `{base_url}/maskinporten/`: the `aud` of
    /// grants; the token endpoint is this plus `token`.
    pub fn maskinporten_issuer(&self) -> String {
        format!("{}{}", self.shared.base_url, handlers::MASKINPORTEN_PATH)
    }

    /// Registers a Maskinporten client of a registered organisation (the vendor of a
    /// system, for system users), with the key its grants are signed with; it may ask for
    /// [`DEFAULT_SCOPE`]'s scopes. `false` if the organisation is unknown or the key is
    /// not an RSA key.
    pub fn add_maskinporten_client(
        &self,
        client_id: &str,
        organisation_number: &str,
        key: ClientKey,
    ) -> bool {
        let (certificate, kid) = match key {
            ClientKey::Certificate(der) => {
                if crate::altinn::jwt::certificate_key(&der).is_err() {
                    return false;
                }
                (Some(der), None)
            }
            ClientKey::Kid { kid, public_key } => match crate::altinn::jwt::spki_key(&public_key) {
                Ok(key) => (None, Some((kid, key))),
                Err(_) => return false,
            },
        };
        let mut world = self.shared.world();
        if world.party_by_org(organisation_number).is_none() {
            return false;
        }
        world.maskinporten_clients.insert(
            client_id.to_owned(),
            MaskinportenClient {
                organisation_number: organisation_number.to_owned(),
                certificate,
                kid,
                scopes: DEFAULT_SCOPE.split(' ').map(str::to_owned).collect(),
            },
        );
        true
    }

    /// Creates a system user for the registered organisation `owner_organisation_number`
    /// and the system whose Maskinporten client is `client_id` (as a customer accepts a
    /// vendor's system user request), without rights yet; returns its id (a GUID), or
    /// `None` if the organisation or the client is unknown.
    pub fn add_system_user(
        &self,
        owner_organisation_number: &str,
        client_id: &str,
    ) -> Option<String> {
        let mut world = self.shared.world();
        let owner_party = world.party_by_org(owner_organisation_number)?;
        let vendor = world
            .maskinporten_clients
            .get(client_id)?
            .organisation_number
            .clone();
        let id = handlers::guid();
        world.system_users.push(SystemUser {
            id: id.clone(),
            system_id: format!("{vendor}_signering"),
            client_id: client_id.to_owned(),
            owner_party,
            rights: Vec::new(),
        });
        Some(id)
    }

    /// Gives a system user rights in an app: `actions` such as `read`, `write`,
    /// `instantiate`, `sign`, `confirm` (Altinn's resource rights for the app's
    /// `app_{org}_{app}` resource). `false` if the system user is unknown.
    pub fn grant_system_user(&self, system_user_id: &str, app_id: &str, actions: &[&str]) -> bool {
        let mut world = self.shared.world();
        let Some(user) = world
            .system_users
            .iter_mut()
            .find(|u| u.id == system_user_id)
        else {
            return false;
        };
        for action in actions {
            let right = (app_id.to_owned(), (*action).to_owned());
            if !user.rights.contains(&right) {
                user.rights.push(right);
            }
        }
        true
    }

    /// Makes every issued token (external and Altinn) expired.
    pub fn expire_tokens(&self) {
        let now = Instant::now();
        let mut world = self.shared.world();
        let world = &mut *world;
        for token in world
            .external_tokens
            .values_mut()
            .chain(world.altinn_tokens.values_mut())
        {
            token.expires_at = now;
        }
    }

    /// Makes only the exchanged Altinn tokens expired (the ID-porten and Maskinporten
    /// tokens stay valid, so a client can exchange again).
    pub fn expire_altinn_tokens(&self) {
        let now = Instant::now();
        for token in self.shared.world().altinn_tokens.values_mut() {
            token.expires_at = now;
        }
    }

    /// How many token exchanges succeeded.
    pub fn exchanges(&self) -> usize {
        self.shared.exchanges.load(Ordering::Relaxed)
    }

    /// Makes the next `times` requests (of any route) fail with `fault` before they are
    /// routed, for testing retries; recorded like any other answer.
    pub fn fail_next(&self, fault: Fault, times: usize) {
        self.faults.push(fault, times);
    }

    /// The exchanges recorded so far, oldest first (empty unless built with
    /// [`record_exchanges`](Altinn3EmulatorBuilder::record_exchanges)).
    pub fn recorded(&self) -> Vec<RecordedExchange> {
        self.recorder
            .as_ref()
            .map(|r| r.snapshot())
            .unwrap_or_default()
    }

    /// Returns the exchanges recorded so far and forgets them.
    pub fn take_recorded(&self) -> Vec<RecordedExchange> {
        self.recorder.as_ref().map(|r| r.take()).unwrap_or_default()
    }

    /// An instance as stored, by GUID.
    pub fn stored_instance(&self, guid: &str) -> Option<StoredInstance> {
        self.shared
            .world()
            .instances
            .iter()
            .find(|i| i.guid == guid)
            .cloned()
    }
}
