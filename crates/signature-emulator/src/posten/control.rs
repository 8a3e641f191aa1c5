//! The test-control side: act as signers, look at jobs, inject faults. As a Rust handle
//! ([`Control`]) and as JSON over HTTP under `/control/…` on the web listener (no client
//! certificate):
//!
//! * `GET /control/jobs/{id}` → [`JobSnapshot`]
//! * `POST /control/jobs/{id}/signers/{n}/{sign|reject|expire}` → [`SignerOutcome`]
//! * `POST /control/faults` with a [`FaultRule`] → 204; `DELETE /control/faults` → 204
//! * `GET /control/stats` → [`QueueStats`]: totals over every job and status change
//!   (deliveries, confirmations, what is still queued) and the faults injected per kind

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Serialize;

use super::actions::{SignerAction, SignerOutcome, act};
use super::error::Error;
use super::faults::FaultRule;
use super::state::AppState;
use super::store::{Flow, QueueStats, SignerIdentity};

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
    /// Current status, e.g. `WAITING` or `SIGNED`.
    pub status: String,
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

    /// The job's current state.
    pub async fn job(&self, job_id: i64) -> Result<JobSnapshot, Error> {
        let job = self
            .state
            .store
            .run(move |s| s.job(job_id))
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
                    status: s.status.clone(),
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

/// The `/control` routes.
pub(crate) fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/control/jobs/{id}", get(job))
        .route("/control/jobs/{id}/signers/{signer}/{action}", post(signer))
        .route("/control/faults", post(add_fault).delete(clear_faults))
        .route("/control/stats", get(stats))
}

async fn stats(State(state): State<Arc<AppState>>) -> Response {
    match Control::new(state).stats().await {
        Ok(stats) => Json(stats).into_response(),
        Err(e) => error_json(&e),
    }
}

fn error_json(e: &Error) -> Response {
    let status = match e {
        Error::NotFound(_) => StatusCode::NOT_FOUND,
        Error::Conflict(_) => StatusCode::CONFLICT,
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
    let action = match action.as_str() {
        "sign" => SignerAction::Sign,
        "reject" => SignerAction::Reject,
        "expire" => SignerAction::Expire,
        other => return bad_request(format!("unknown action {other:?}")),
    };
    match act(&state, id, signer, action).await {
        Ok(outcome) => Json(outcome).into_response(),
        Err(e) => error_json(&e),
    }
}

async fn add_fault(
    State(state): State<Arc<AppState>>,
    rule: Result<Json<FaultRule>, JsonRejection>,
) -> Response {
    match rule {
        Ok(Json(rule)) => {
            state.faults.add(rule);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => bad_request(e.body_text()),
    }
}

async fn clear_faults(State(state): State<Arc<AppState>>) -> StatusCode {
    state.faults.clear();
    StatusCode::NO_CONTENT
}
