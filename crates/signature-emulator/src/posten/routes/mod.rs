//! The API listener's routes (`/api/{sender}/…`, as the real service lays them out).

mod create;
mod downloads;
mod lifecycle;
mod poll;
pub(crate) mod render;
mod signer;
mod status;

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
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

/// The job of a `/{sender}/{flow}/signature-jobs/{id}/…` route, loaded for the connection's
/// broker by [`load_job`] (after the flow segment is checked, as before): refusals answer
/// before the handler runs.
#[derive(Debug)]
pub(crate) struct FlowJob(pub(crate) JobRecord);

impl FromRequestParts<Arc<AppState>> for FlowJob {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Response> {
        let Path(segments) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let Ok(broker) = Broker::from_request_parts(parts, state).await;
        let segment = |name: &str| segments.get(name).map_or("", String::as_str);
        let flow = parse_flow(segment("flow")).map_err(IntoResponse::into_response)?;
        load_job(state, &broker, segment("sender"), flow, segment("id"))
            .await
            .map(FlowJob)
            .map_err(IntoResponse::into_response)
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
    Path(sender): Path<String>,
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

/// A signer's index in a job's URLs.
pub(crate) fn parse_signer(segment: &str) -> Result<i64, ApiError> {
    segment
        .parse()
        .map_err(|_| ApiError::not_found("no such signer"))
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
