//! `POST` on a direct signer's `href` with `direct-signer-update-request`: a new single-use
//! redirect URL.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use signature_model::posten;

use super::{load_job, parse_signer, render};
use crate::posten::state::AppState;
use crate::posten::store::{Flow, signer_status};
use crate::posten::tls::Broker;
use crate::posten::validate::parse_strict;
use crate::posten::wire::{ApiError, codes, xml_response};

pub(crate) async fn new_redirect_url(
    State(state): State<Arc<AppState>>,
    broker: Broker,
    Path((sender, id, signer)): Path<(String, String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let job = load_job(&state, &broker, &sender, Flow::Direct, &id).await?;
    let _request: posten::DirectSignerUpdateRequest =
        parse_strict(&body, "direct-signer-update-request").map_err(ApiError::schema)?;
    let index = parse_signer(&signer)?;
    let record = job
        .signer(index)
        .ok_or_else(|| ApiError::not_found("no such signer"))?;
    if job.is_finished() || record.status != signer_status::WAITING {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            codes::SIGNER_NOT_WAITING,
            "the signer has already finished",
        ));
    }
    let job_id = job.id;
    state
        .store
        .run(move |s| s.renew_redirect(job_id, index))
        .await?;
    let job = state
        .store
        .run(move |s| s.job(job_id))
        .await?
        .ok_or_else(|| ApiError::not_found("no such signature job"))?;
    let record = job
        .signer(index)
        .ok_or_else(|| ApiError::not_found("no such signer"))?;
    let response: posten::DirectSignerResponse = render::direct_signer(&state, &job, record);
    Ok(xml_response(StatusCode::OK, &response))
}
