//! The API listener's routes (`/api/{sender}/…`, as the real service lays them out).

mod create;
mod downloads;
mod lifecycle;
mod poll;
pub(crate) mod render;
mod signer;
mod status;

use std::convert::Infallible;
use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::routing::{delete, get, post};

use super::state::AppState;
use super::store::{Flow, JobRecord};
use super::tls::Broker;
use super::wire::{ApiError, codes};

impl<S: Send + Sync> FromRequestParts<S> for Broker {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(parts
            .extensions
            .get::<Broker>()
            .cloned()
            .unwrap_or(Broker(None)))
    }
}

/// The router of the API listener.
pub(crate) fn api_router(state: Arc<AppState>) -> Router {
    let limit = state.settings.max_request_bytes;
    Router::new()
        .route("/api/{sender}", get(root))
        .route(
            "/api/{sender}/{flow}/signature-jobs",
            post(create::create).get(poll::poll),
        )
        .route(
            "/api/{sender}/direct/signature-jobs/{id}/status",
            get(status::direct_status),
        )
        .route(
            "/api/{sender}/direct/signature-jobs/{id}/signers/{signer}",
            post(signer::new_redirect_url),
        )
        .route(
            "/api/{sender}/{flow}/signature-jobs/{id}/complete",
            post(lifecycle::confirm),
        )
        .route(
            "/api/{sender}/portal/signature-jobs/{id}/cancel",
            post(lifecycle::cancel),
        )
        .route(
            "/api/{sender}/{flow}/signature-jobs/{id}/documents",
            delete(lifecycle::delete_documents),
        )
        .route(
            "/api/{sender}/{flow}/signature-jobs/{id}/xades/{signer}",
            get(downloads::xades),
        )
        .route(
            "/api/{sender}/{flow}/signature-jobs/{id}/pades",
            get(downloads::pades),
        )
        .route(
            "/api/{sender}/archive/documents/{id}/pades",
            get(downloads::archive),
        )
        .fallback(fallback)
        .layer(DefaultBodyLimit::max(limit))
        .with_state(state)
}

async fn fallback() -> ApiError {
    ApiError::not_found("no such resource")
}

/// `GET /api/{sender}`: the root resource, handy as a TLS and authorization check.
async fn root(
    State(state): State<Arc<AppState>>,
    broker: Broker,
    axum::extract::Path(sender): axum::extract::Path<String>,
) -> Result<StatusCode, ApiError> {
    state.authorize(broker.0.as_deref(), &sender)?;
    Ok(StatusCode::OK)
}

pub(crate) fn parse_flow(segment: &str) -> Result<Flow, ApiError> {
    Flow::parse(segment).ok_or_else(|| ApiError::not_found("no such resource"))
}

pub(crate) fn parse_id(segment: &str) -> Result<i64, ApiError> {
    segment
        .parse()
        .map_err(|_| ApiError::not_found("no such signature job"))
}

/// Authorizes the broker for `sender` and loads job `id` of that sender and flow, brought up
/// to the emulator's clock.
pub(crate) async fn load_job(
    state: &Arc<AppState>,
    broker: &Broker,
    sender: &str,
    flow: Flow,
    id: &str,
) -> Result<JobRecord, ApiError> {
    state.authorize(broker.0.as_deref(), sender)?;
    let id = parse_id(id)?;
    let now = state.clock.now_ms();
    let job = state.store.run(move |s| s.job_at(id, now)).await?;
    match job {
        Some(job) if job.sender == sender && job.flow == flow => Ok(job),
        _ => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            codes::NOT_FOUND,
            "no such signature job",
        )),
    }
}
