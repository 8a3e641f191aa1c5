//! What the store holds: flows, signer identities and statuses, jobs and signers as read
//! back, and what a poll finds.

/// The two flows of Posten signering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Flow {
    /// Synchronous: the signer is redirected from the sender's site.
    Direct,
    /// Asynchronous: signers sign in the portal, the sender polls.
    Portal,
}

impl Flow {
    /// The URL segment, `direct` or `portal`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Direct => "direct",
            Self::Portal => "portal",
        }
    }

    /// Parses the URL segment.
    pub fn parse(segment: &str) -> Option<Self> {
        match segment {
            "direct" => Some(Self::Direct),
            "portal" => Some(Self::Portal),
            _ => None,
        }
    }
}

/// How a signer is identified (values are personal data: never log them).
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum SignerIdentity {
    Pin(String),
    Custom(String),
    Contact {
        email: Option<String>,
        mobile: Option<String>,
    },
}

impl std::fmt::Debug for SignerIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Pin(_) => "Pin(***)",
            Self::Custom(_) => "Custom(..)",
            Self::Contact { .. } => "Contact(..)",
        })
    }
}

/// Signer statuses, as the service's XSDs document them (`direct-signer-status-value`,
/// `portal-signature-status-value`).
pub(crate) mod signer_status {
    pub(crate) const WAITING: &str = "WAITING";
    pub(crate) const SIGNED: &str = "SIGNED";
    pub(crate) const REJECTED: &str = "REJECTED";
    pub(crate) const EXPIRED: &str = "EXPIRED";
    pub(crate) const CANCELLED: &str = "CANCELLED";
    /// Direct flow only: an error in the signing ceremony.
    pub(crate) const FAILED: &str = "FAILED";
    /// Portal flow only: a signer addressed by contact information entered the wrong
    /// security code too many times.
    pub(crate) const BLOCKED: &str = "BLOCKED";
    /// Portal flow only: reserved against digital communication (government senders).
    pub(crate) const RESERVED: &str = "RESERVED";
    /// Portal flow only: no contact information given or found.
    pub(crate) const CONTACT_INFORMATION_MISSING: &str = "CONTACT_INFORMATION_MISSING";
    /// The signer's name could not be looked up for a job that puts names in the documents.
    pub(crate) const SIGNERS_NAME_NOT_AVAILABLE: &str = "SIGNERS_NAME_NOT_AVAILABLE";
    /// Left WAITING when the job ended for another signer's action.
    pub(crate) const NOT_APPLICABLE: &str = "NOT_APPLICABLE";
}

/// Job statuses.
pub(crate) mod job_status {
    pub(crate) const IN_PROGRESS: &str = "IN_PROGRESS";
    pub(crate) const COMPLETED: &str = "COMPLETED_SUCCESSFULLY";
    pub(crate) const FAILED: &str = "FAILED";
}

/// A signer to insert.
#[derive(Debug, Clone)]
pub(crate) struct NewSigner {
    pub(crate) identity: SignerIdentity,
    /// The manifest's `order` (portal; 0 when absent and in the direct flow).
    pub(crate) order: i64,
    /// Portal: notified through the contact register lookup (`notifications-using-lookup`).
    pub(crate) lookup: bool,
}

/// A job to insert.
#[derive(Debug, Clone)]
pub(crate) struct NewJob {
    pub(crate) sender: String,
    pub(crate) flow: Flow,
    pub(crate) reference: Option<String>,
    pub(crate) polling_queue: String,
    pub(crate) polling: bool,
    pub(crate) exit_urls: Option<[String; 3]>,
    pub(crate) title: String,
    pub(crate) signers: Vec<NewSigner>,
    pub(crate) bundle: Vec<u8>,
    /// When the documents become available to the first signers (`None`: at creation).
    pub(crate) activation_ms: Option<i64>,
    /// How long each group of signers has from the moment the job reaches it.
    pub(crate) lifetime_ms: i64,
}

/// A stored signer.
#[derive(Debug, Clone)]
pub(crate) struct SignerRecord {
    /// 1-based position in the manifest; the signer's id in URLs.
    pub(crate) index: i64,
    pub(crate) identity: SignerIdentity,
    pub(crate) order: i64,
    pub(crate) lookup: bool,
    pub(crate) status: String,
    pub(crate) since_ms: i64,
    /// When the job was made available to this signer (`None`: not yet).
    pub(crate) opened_ms: Option<i64>,
    pub(crate) redirect_token: Option<String>,
    pub(crate) has_xades: bool,
}

impl SignerRecord {
    /// Whether the signer can act now: waiting, and the job has reached them.
    pub(crate) fn is_open(&self) -> bool {
        self.status == signer_status::WAITING && self.opened_ms.is_some()
    }
}

/// A stored job with its signers.
#[derive(Debug, Clone)]
pub(crate) struct JobRecord {
    pub(crate) id: i64,
    pub(crate) sender: String,
    pub(crate) flow: Flow,
    pub(crate) reference: Option<String>,
    pub(crate) polling_queue: String,
    pub(crate) polling: bool,
    pub(crate) exit_urls: Option<[String; 3]>,
    pub(crate) title: String,
    pub(crate) status: String,
    pub(crate) documents_deleted: bool,
    pub(crate) archive_id: Option<String>,
    pub(crate) activation_ms: i64,
    pub(crate) lifetime_ms: i64,
    pub(crate) finished_ms: Option<i64>,
    pub(crate) signers: Vec<SignerRecord>,
}

impl JobRecord {
    pub(crate) fn is_finished(&self) -> bool {
        self.status != job_status::IN_PROGRESS
    }

    pub(crate) fn signer(&self, index: i64) -> Option<&SignerRecord> {
        self.signers.iter().find(|s| s.index == index)
    }
}

/// What a poll of a status-change queue found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PollOutcome {
    /// Polled before the permitted time, which is given.
    TooEager { next_ms: i64 },
    /// A change of this job; polling again is permitted at `next_ms`.
    Change { job_id: i64, next_ms: i64 },
    /// Nothing queued.
    Empty { next_ms: i64 },
}

/// Totals over all jobs and status changes (see [`Control::stats`]).
///
/// [`Control::stats`]: super::super::Control::stats
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct QueueStats {
    /// Jobs created.
    pub jobs: i64,
    /// Of those, still `IN_PROGRESS`.
    pub jobs_in_progress: i64,
    /// Status changes queued for polling.
    pub changes: i64,
    /// Of those, not confirmed yet (still in the queue).
    pub unconfirmed_changes: i64,
    /// Times a change was handed out by a poll, redeliveries included.
    pub deliveries: i64,
    /// Changes handed out more than once.
    pub redelivered_changes: i64,
    /// Times a change went from delivered to confirmed (a counter per change, summed).
    pub confirmations: i64,
    /// Changes never handed out.
    pub never_delivered_changes: i64,
    /// Changes whose confirmation counter exceeds one (should stay 0).
    pub changes_confirmed_more_than_once: i64,
    /// Confirm requests received, repeated ones included.
    pub confirm_requests: i64,
    /// Of those, how many confirmed at least one change.
    pub effective_confirm_requests: i64,
    /// Up to 20 jobs with a change that is unconfirmed, never delivered or not confirmed
    /// exactly once.
    pub irregular_jobs: Vec<i64>,
    /// Faults injected so far, by [`Fault::kind`](super::super::Fault::kind).
    pub faults_injected: std::collections::BTreeMap<String, u64>,
}

/// The redirect state of a signer's current redirect URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RedirectState {
    Fresh = 0,
    Opened = 1,
    Used = 2,
}
