//! The Altinn 3 emulator's in-memory world.

use std::collections::HashMap;
use std::time::Instant;

#[derive(Debug, Clone)]
pub(crate) struct Party {
    pub(crate) party_id: u64,
    pub(crate) user_id: u64,
    pub(crate) person_number: Option<String>,
    pub(crate) organisation_number: Option<String>,
    pub(crate) name: String,
}

impl Party {
    /// A stable party UUID derived from the party id.
    pub(crate) fn uuid(&self) -> String {
        format!("00000000-0000-4000-8000-{:012x}", self.party_id)
    }

    /// Dialogporten's party URN.
    pub(crate) fn urn(&self) -> String {
        match (&self.person_number, &self.organisation_number) {
            (Some(pid), _) => format!("urn:altinn:person:identifier-no:{pid}"),
            (None, Some(org)) => format!("urn:altinn:organization:identifier-no:{org}"),
            (None, None) => format!("urn:altinn:party:id:{}", self.party_id),
        }
    }
}

/// Who a token speaks for, as app-lib's `Authenticated` tells them apart: a user (from
/// ID-porten), an organisation (a Maskinporten token without `authorization_details`), or a
/// system user (with `authorization_details` of type `urn:altinn:systemuser`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Actor {
    Person,
    Organisation,
    /// The system user's id (a GUID).
    SystemUser(String),
}

impl Actor {
    /// Only users and system users perform actions and sign (ActionsController,
    /// SigningUserAction: `NoUserId` otherwise).
    pub(crate) fn can_sign(&self) -> bool {
        matches!(self, Self::Person | Self::SystemUser(_))
    }
}

/// A token the emulator issued (ID-porten, Maskinporten, or an exchanged Altinn token).
#[derive(Debug, Clone)]
pub(crate) struct IssuedToken {
    pub(crate) provider: &'static str,
    /// The party it acts for: the person, the organisation, or the system user's owner.
    pub(crate) party_id: u64,
    pub(crate) actor: Actor,
    /// Space-separated scopes (an exchanged token inherits the external token's).
    pub(crate) scope: String,
    pub(crate) expires_at: Instant,
}

impl IssuedToken {
    pub(crate) fn has_scope(&self, scope: &str) -> bool {
        self.scope.split(' ').any(|s| s == scope)
    }
}

/// A Maskinporten client registered with the emulator's Maskinporten.
#[derive(Debug, Clone)]
pub(crate) struct MaskinportenClient {
    /// The client's organisation (the token's `consumer`).
    pub(crate) organisation_number: String,
    /// `x5c` certificate (DER) or a `kid` with its RSA public key (PKCS#1 DER).
    pub(crate) certificate: Option<Vec<u8>>,
    pub(crate) kid: Option<(String, Vec<u8>)>,
    pub(crate) scopes: Vec<String>,
}

/// A system user: a customer organisation's user for a vendor's system (whose Maskinporten
/// client asks for its tokens), with the rights the customer gave it.
#[derive(Debug, Clone)]
pub(crate) struct SystemUser {
    pub(crate) id: String,
    pub(crate) system_id: String,
    pub(crate) client_id: String,
    pub(crate) owner_party: u64,
    /// `(app id, action)` pairs: what the system user may do in which app.
    pub(crate) rights: Vec<(String, String)>,
}

/// A data element as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredData {
    /// Its GUID.
    pub id: String,
    /// Its data type.
    pub data_type: String,
    /// Its content type.
    pub content_type: String,
    /// Its file name.
    pub filename: Option<String>,
    /// Its content.
    pub content: Vec<u8>,
    /// When it was created.
    pub created: String,
    /// Whether it is locked.
    pub locked: bool,
}

/// An instance as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredInstance {
    /// `"{org}/{app}"`.
    pub app_id: String,
    /// The owner's party id.
    pub party_id: u64,
    /// The GUID.
    pub guid: String,
    /// The index into [`PROCESS`](super::PROCESS) of the current task; `None` once ended.
    pub task: Option<usize>,
    /// When the process started.
    pub started: String,
    /// When the current task started.
    pub task_started: String,
    /// When the process ended.
    pub ended: Option<String>,
    /// When it was last changed.
    pub last_changed: String,
    /// The data elements.
    pub data: Vec<StoredData>,
    /// The parties who signed the current signing task, with the time (a system user's
    /// signature counts for its organisation).
    pub signed_by: Vec<(u64, String)>,
    /// Which of [`signed_by`](Self::signed_by) a system user signed for, with its id.
    pub signed_by_system_user: Vec<(u64, String)>,
    /// `dueBefore` from the instance template.
    pub due_before: Option<String>,
    /// The user id of whoever created it.
    pub created_by: String,
    /// The Dialogporten dialog id mirroring it.
    pub dialog_id: String,
    /// A creation sequence number (for ordering).
    pub sequence: u64,
}

#[derive(Debug, Default)]
pub(crate) struct World {
    pub(crate) parties: Vec<Party>,
    /// (person party, organisation party): who may sign on the organisation's behalf.
    pub(crate) key_roles: Vec<(u64, u64)>,
    pub(crate) external_tokens: HashMap<String, IssuedToken>,
    pub(crate) altinn_tokens: HashMap<String, IssuedToken>,
    pub(crate) maskinporten_clients: HashMap<String, MaskinportenClient>,
    pub(crate) system_users: Vec<SystemUser>,
    /// Grant ids Maskinporten has seen (a grant is used once).
    pub(crate) seen_jti: std::collections::HashSet<String>,
    pub(crate) instances: Vec<StoredInstance>,
    pub(crate) sequence: u64,
}

impl World {
    pub(crate) fn party(&self, party_id: u64) -> Option<&Party> {
        self.parties.iter().find(|p| p.party_id == party_id)
    }

    pub(crate) fn party_by_person(&self, pid: &str) -> Option<u64> {
        self.parties
            .iter()
            .find(|p| p.person_number.as_deref() == Some(pid))
            .map(|p| p.party_id)
    }

    pub(crate) fn party_by_org(&self, org: &str) -> Option<u64> {
        self.parties
            .iter()
            .find(|p| p.organisation_number.as_deref() == Some(org))
            .map(|p| p.party_id)
    }

    pub(crate) fn system_user(&self, id: &str) -> Option<&SystemUser> {
        self.system_users.iter().find(|s| s.id == id)
    }

    pub(crate) fn instance_mut(
        &mut self,
        app_id: &str,
        party_id: u64,
        guid: &str,
    ) -> Option<&mut StoredInstance> {
        self.instances
            .iter_mut()
            .find(|i| i.app_id == app_id && i.party_id == party_id && i.guid == guid)
    }
}
