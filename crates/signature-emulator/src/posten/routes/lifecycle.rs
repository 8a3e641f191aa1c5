//! Confirm a status change, cancel a portal job, delete a finished job's documents.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::{FlowJob, load_job};
use crate::posten::error::Error;
use crate::posten::state::AppState;
use crate::posten::store::Flow;
use crate::posten::tls::Broker;
use crate::posten::wire::{ApiError, codes};

/// `POST …/signature-jobs/{id}/complete`: the delivered status changes of the job are done.
pub(crate) async fn confirm(
    State(state): State<Arc<AppState>>,
    FlowJob(job): FlowJob,
) -> Result<StatusCode, ApiError> {
    let job_id = job.id;
    state.store.run(move |s| s.confirm(job_id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/{sender}/portal/signature-jobs/{id}/cancel`: 204, or 409 when finished.
pub(crate) async fn cancel(
    State(state): State<Arc<AppState>>,
    broker: Broker,
    Path((sender, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let job = load_job(&state, &broker, &sender, Flow::Portal, &id).await?;
    let job_id = job.id;
    let now = state.clock.now_ms();
    let cancelled = state.store.run(move |s| s.cancel(job_id, now)).await;
    done_or_conflict(cancelled, codes::CANNOT_CANCEL)
}

/// `DELETE …/signature-jobs/{id}/documents`: 204, or 409 unless the job completed
/// successfully at least 24 hours ago (signering-docs, "Storage", Limitations).
pub(crate) async fn delete_documents(
    State(state): State<Arc<AppState>>,
    FlowJob(job): FlowJob,
) -> Result<StatusCode, ApiError> {
    let job_id = job.id;
    let now = state.clock.now_ms();
    let deleted = state
        .store
        .run(move |s| s.delete_documents(job_id, now))
        .await;
    done_or_conflict(deleted, codes::CANNOT_DELETE_DOCUMENTS)
}

/// 204 when the store did it; its conflict (the job is not in a state for it) as a 409 with
/// `code`.
fn done_or_conflict<T>(
    result: Result<T, Error>,
    code: &'static str,
) -> Result<StatusCode, ApiError> {
    match result {
        Ok(_) => Ok(StatusCode::NO_CONTENT),
        Err(Error::Conflict(message)) => Err(ApiError::new(StatusCode::CONFLICT, code, message)),
        Err(other) => Err(other.into()),
    }
}
