//! `GET /api/{sender}/direct/signature-jobs/{id}/status?status_query_token=…`.

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::{load_job, render};
use crate::posten::state::AppState;
use crate::posten::store::Flow;
use crate::posten::tls::Broker;
use crate::posten::wire::{ApiError, codes, xml_response};

#[derive(Debug, Deserialize)]
pub(crate) struct TokenQuery {
    status_query_token: Option<String>,
}

pub(crate) async fn direct_status(
    State(state): State<Arc<AppState>>,
    broker: Broker,
    Path((sender, id)): Path<(String, String)>,
    query: Result<Query<TokenQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let job = load_job(&state, &broker, &sender, Flow::Direct, &id).await?;
    let token = query
        .ok()
        .and_then(|Query(q)| q.status_query_token)
        .unwrap_or_default();
    let job_id = job.id;
    let (any, matching) = state
        .store
        .run(move |s| s.check_status_token(job_id, &token))
        .await?;
    if !any {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            codes::SIGNING_CEREMONY_NOT_COMPLETED,
            "no signer has completed the signing ceremony of this job yet",
        ));
    }
    if !matching {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            codes::INVALID_STATUS_QUERY_TOKEN,
            "the status query token is not valid for this job",
        ));
    }
    Ok(xml_response(
        StatusCode::OK,
        &render::direct_status(&state, &job),
    ))
}
