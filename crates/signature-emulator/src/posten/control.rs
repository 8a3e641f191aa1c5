//! The test-control side: act as signers, look at jobs, inject faults. As a Rust handle
//! ([`Control`]) and as JSON over HTTP under `/control/…` on the web listener (no client
//! certificate):
//!
//! * `GET /control/jobs/{id}` → [`JobSnapshot`]
//! * `POST /control/jobs/{id}/signers/{n}/{action}` → [`SignerOutcome`], where `action` is
//!   one of [`SignerAction::as_str`]: `sign`, `reject`, `expire`, `fail`, `block`, `reserve`,
//!   `contact_information_missing`, `signers_name_not_available` (400 where the service
//!   cannot produce that status, 409 when the signer cannot act now)
//! * `GET /control/clock` → [`ClockSnapshot`]; `POST /control/clock` with
//!   `{"advance_seconds": N}` moves the emulator's clock forward and applies what time does
//!   (activation, deadlines, the 24 hours before deletion, the 40 days of storage)
//! * `PUT /control/rate-limit` with `{"calls_per_second": N, "block_seconds": M}` sets the
//!   rate limit; `DELETE /control/rate-limit` turns it off
//! * `POST /control/faults` with a [`FaultRule`] → 204; `DELETE /control/faults` → 204
//! * `GET /control/stats` → [`QueueStats`]: totals over every job and status change
//!   (deliveries, confirmations, what is still queued) and the faults injected per kind

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::actions::{SignerAction, SignerOutcome, act};
use super::error::Error;
use super::faults::FaultRule;
use super::rate_limit::RateLimit;
use super::state::AppState;
use super::store::{Flow, QueueStats, SignerIdentity};
use super::wire::datetime;

/// A job as the control API shows it (no personal identification numbers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct JobSnapshot {
    /// The signature job id.
    pub id: i64,
    /// Sender organization number.
    pub sender: String,
    /// Direct or portal.
    pub flow: Flow,
    /// `IN_PROGRESS`, `COMPLETED_SUCCESSFULLY` or `FAILED`.
    pub status: String,
    /// The sender's reference.
    pub reference: Option<String>,
    /// The polling queue (empty = default queue).
    pub polling_queue: String,
    /// Whether status changes go to the polling queue.
    pub polling: bool,
    /// Document id for `/api/{sender}/archive/documents/{id}/pades`, once completed.
    pub archive_id: Option<String>,
    /// Whether the documents were deleted.
    pub documents_deleted: bool,
    /// When the job is (or was) made available to its first signers (RFC 3339, on the
    /// emulator's clock).
    pub activation_time: String,
    /// When the job ended, if it has.
    pub finished_time: Option<String>,
    /// The signers in manifest order.
    pub signers: Vec<SignerSnapshot>,
    /// Status changes queued for polling so far.
    pub status_changes: i64,
    /// Of those, how many are confirmed.
    pub confirmed_changes: i64,
    /// Confirm requests received for the job, including repeated ones.
    pub confirm_requests: i64,
    /// Of those, how many confirmed a delivered change (the others found nothing to confirm).
    pub effective_confirm_requests: i64,
}

/// A signer as the control API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SignerSnapshot {
    /// 1-based index, the signer's id in URLs.
    pub index: i64,
    /// `pin`, `custom` or `contact` (the value itself is not shown).
    pub identified_by: String,
    /// The manifest's `order` (0 when absent).
    pub order: i64,
    /// Current status, e.g. `WAITING` or `SIGNED`.
    pub status: String,
    /// Whether the signer can act now: waiting, the job active and every signer of a lower
    /// order signed.
    pub available: bool,
    /// Direct jobs: the current redirect URL (single use).
    pub redirect_url: Option<String>,
}

/// Handle for tests: act as signers and inject faults.
#[derive(Debug, Clone)]
pub struct Control {
    state: Arc<AppState>,
}

impl Control {
    pub(crate) fn new(state: Arc<AppState>) -> Self {
        Self { state }
    }

    /// The job's current state (on the emulator's clock).
    pub async fn job(&self, job_id: i64) -> Result<JobSnapshot, Error> {
        let now = self.state.clock.now_ms();
        let job = self
            .state
            .store
            .run(move |s| s.job_at(job_id, now))
            .await?
            .ok_or_else(|| Error::NotFound(format!("job {job_id}")))?;
        let [
            status_changes,
            confirmed_changes,
            confirm_requests,
            effective_confirm_requests,
        ] = self
            .state
            .store
            .run(move |s| s.confirmation_counts(job_id))
            .await?;
        Ok(JobSnapshot {
            status_changes,
            confirmed_changes,
            confirm_requests,
            effective_confirm_requests,
            id: job.id,
            sender: job.sender.clone(),
            flow: job.flow,
            status: job.status.clone(),
            reference: job.reference.clone(),
            polling_queue: job.polling_queue.clone(),
            polling: job.polling,
            archive_id: job.archive_id.clone(),
            documents_deleted: job.documents_deleted,
            activation_time: rfc3339(job.activation_ms),
            finished_time: job.finished_ms.map(rfc3339),
            signers: job
                .signers
                .iter()
                .map(|s| SignerSnapshot {
                    index: s.index,
                    identified_by: match s.identity {
                        SignerIdentity::Pin(_) => "pin",
                        SignerIdentity::Custom(_) => "custom",
                        SignerIdentity::Contact { .. } => "contact",
                    }
                    .to_owned(),
                    order: s.order,
                    status: s.status.clone(),
                    available: s.is_open() && !job.is_finished(),
                    redirect_url: s
                        .redirect_token
                        .as_deref()
                        .map(|t| self.state.redirect_url(t)),
                })
                .collect(),
        })
    }

    /// Signer `signer` (1-based) of job `job_id` signs.
    pub async fn sign(&self, job_id: i64, signer: i64) -> Result<SignerOutcome, Error> {
        act(&self.state, job_id, signer, SignerAction::Sign).await
    }

    /// Signer `signer` rejects.
    pub async fn reject(&self, job_id: i64, signer: i64) -> Result<SignerOutcome, Error> {
        act(&self.state, job_id, signer, SignerAction::Reject).await
    }

    /// Signer `signer`'s time runs out.
    pub async fn expire(&self, job_id: i64, signer: i64) -> Result<SignerOutcome, Error> {
        act(&self.state, job_id, signer, SignerAction::Expire).await
    }

    /// Any of the signer actions (every status the service documents).
    pub async fn act(
        &self,
        job_id: i64,
        signer: i64,
        action: SignerAction,
    ) -> Result<SignerOutcome, Error> {
        act(&self.state, job_id, signer, action).await
    }

    /// The emulator's clock now.
    pub fn now(&self) -> OffsetDateTime {
        datetime(self.state.clock.now_ms())
    }

    /// Moves the emulator's clock forward by `by` and applies what time does to every job:
    /// activation, signers' deadlines (`EXPIRED`, the job `FAILED`, a status change queued),
    /// the 24 hours before documents may be deleted, the 40 days they are kept. Returns the
    /// new time.
    pub async fn advance_clock(&self, by: std::time::Duration) -> Result<OffsetDateTime, Error> {
        let now = self.state.clock.advance(by);
        self.state.store.run(move |s| s.sweep(now)).await?;
        Ok(datetime(now))
    }

    /// Replaces the rate limit (`None`: no limit); blocks in force are lifted.
    pub fn set_rate_limit(&self, limit: Option<RateLimit>) {
        self.state.limiter.set(limit);
    }

    /// Adds a fault rule (first matching rule wins).
    pub fn inject(&self, rule: FaultRule) {
        self.state.faults.add(rule);
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        self.state.faults.clear();
    }

    /// Faults injected so far, by [`Fault::kind`](super::Fault::kind).
    pub fn fault_counts(&self) -> std::collections::BTreeMap<String, u64> {
        self.state.faults.counts()
    }

    /// Totals over every job and status change, with the faults injected so far.
    pub async fn stats(&self) -> Result<QueueStats, Error> {
        let mut stats = self.state.store.run(|s| s.queue_stats()).await?;
        stats.faults_injected = self.state.faults.counts();
        Ok(stats)
    }
}

/// The emulator's clock, as `GET /control/clock` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ClockSnapshot {
    /// The emulator's time (RFC 3339).
    pub now: String,
    /// How far it is ahead of real time, in seconds.
    pub offset_seconds: u64,
}

fn rfc3339(ms: i64) -> String {
    datetime(ms).format(&Rfc3339).unwrap_or_default()
}

/// The `/control` routes.
pub(crate) fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/control/jobs/{id}", get(job))
        .route("/control/jobs/{id}/signers/{signer}/{action}", post(signer))
        .route("/control/clock", get(clock).post(advance_clock))
        .route(
            "/control/rate-limit",
            put(set_rate_limit).delete(remove_rate_limit),
        )
        .route("/control/faults", post(add_fault).delete(clear_faults))
        .route("/control/stats", get(stats))
}

async fn stats(State(state): State<Arc<AppState>>) -> Response {
    match Control::new(state).stats().await {
        Ok(stats) => Json(stats).into_response(),
        Err(e) => error_json(&e),
    }
}

fn clock_snapshot(state: &AppState) -> ClockSnapshot {
    ClockSnapshot {
        now: rfc3339(state.clock.now_ms()),
        offset_seconds: state.clock.offset().as_secs(),
    }
}

async fn clock(State(state): State<Arc<AppState>>) -> Json<ClockSnapshot> {
    Json(clock_snapshot(&state))
}

#[derive(Debug, Deserialize)]
struct Advance {
    advance_seconds: u64,
}

/// The JSON body of a control call; one that does not read answers 400 with axum's text
/// of the rejection before the handler runs.
#[derive(Debug)]
struct ControlBody<T>(T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequest<S> for ControlBody<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        Json::<T>::from_request(request, state)
            .await
            .map(|Json(body)| Self(body))
            .map_err(|e| bad_request(e.body_text()))
    }
}

async fn advance_clock(
    State(state): State<Arc<AppState>>,
    ControlBody(advance): ControlBody<Advance>,
) -> Response {
    let control = Control::new(Arc::clone(&state));
    match control
        .advance_clock(std::time::Duration::from_secs(advance.advance_seconds))
        .await
    {
        Ok(_) => Json(clock_snapshot(&state)).into_response(),
        Err(e) => error_json(&e),
    }
}

#[derive(Debug, Deserialize)]
struct RateLimitBody {
    calls_per_second: u32,
    block_seconds: u64,
}

async fn set_rate_limit(
    State(state): State<Arc<AppState>>,
    ControlBody(limit): ControlBody<RateLimitBody>,
) -> StatusCode {
    state.limiter.set(Some(RateLimit::new(
        limit.calls_per_second,
        std::time::Duration::from_secs(limit.block_seconds),
    )));
    StatusCode::NO_CONTENT
}

async fn remove_rate_limit(State(state): State<Arc<AppState>>) -> StatusCode {
    state.limiter.set(None);
    StatusCode::NO_CONTENT
}

fn error_json(e: &Error) -> Response {
    let status = match e {
        Error::NotFound(_) => StatusCode::NOT_FOUND,
        Error::Conflict(_) => StatusCode::CONFLICT,
        Error::NotApplicable(_) => StatusCode::BAD_REQUEST,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    (status, Json(serde_json::json!({ "error": e.to_string() }))).into_response()
}

fn bad_request(message: String) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(serde_json::json!({ "error": message })),
    )
        .into_response()
}

async fn job(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse() else {
        return bad_request("job id must be a number".into());
    };
    match Control::new(state).job(id).await {
        Ok(snapshot) => Json(snapshot).into_response(),
        Err(e) => error_json(&e),
    }
}

async fn signer(
    State(state): State<Arc<AppState>>,
    Path((id, signer, action)): Path<(String, String, String)>,
) -> Response {
    let (Ok(id), Ok(signer)) = (id.parse(), signer.parse()) else {
        return bad_request("job id and signer must be numbers".into());
    };
    let Some(action) = SignerAction::parse(&action) else {
        return bad_request(format!("unknown action {action:?}"));
    };
    match act(&state, id, signer, action).await {
        Ok(outcome) => Json(outcome).into_response(),
        Err(e) => error_json(&e),
    }
}

async fn add_fault(
    State(state): State<Arc<AppState>>,
    ControlBody(rule): ControlBody<FaultRule>,
) -> StatusCode {
    state.faults.add(rule);
    StatusCode::NO_CONTENT
}

async fn clear_faults(State(state): State<Arc<AppState>>) -> StatusCode {
    state.faults.clear();
    StatusCode::NO_CONTENT
}
