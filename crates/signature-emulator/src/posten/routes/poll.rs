//! `GET /api/{sender}/{direct|portal}/signature-jobs?polling_queue=…`: the status-change
//! queue, with the permitted poll time and 429 on eager polling.

use std::sync::Arc;

use axum::Extension;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{parse_flow, render};
use crate::posten::faults::RequeueNow;
use crate::posten::state::AppState;
use crate::posten::store::{Flow, PollOutcome};
use crate::posten::tls::Broker;
use crate::posten::wire::{
    ApiError, NEXT_PERMITTED_POLL_TIME, codes, poll_time_header, too_many_requests, xml_response,
};

#[derive(Debug, Deserialize)]
pub(crate) struct PollQuery {
    polling_queue: Option<String>,
}

pub(crate) async fn poll(
    State(state): State<Arc<AppState>>,
    broker: Broker,
    Path((sender, flow)): Path<(String, String)>,
    query: Result<Query<PollQuery>, QueryRejection>,
    requeue: Option<Extension<RequeueNow>>,
) -> Result<Response, ApiError> {
    let flow = parse_flow(&flow)?;
    state.authorize(broker.0.as_deref(), &sender)?;
    let Query(query) = query
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, codes::BAD_REQUEST, e.body_text()))?;
    let queue = query.polling_queue.unwrap_or_default();
    let now = state.clock.now_ms();
    // Jobs whose activation or deadline has come change now, and their changes are queued.
    state.store.run(move |s| s.sweep(now)).await?;
    if requeue.is_some() {
        let (sender, queue) = (sender.clone(), queue.clone());
        state
            .store
            .run(move |s| s.requeue_delivered(&sender, flow, &queue, now))
            .await?;
    }
    let settings = state.settings.clone();
    let poll_sender = sender.clone();
    let outcome = state
        .store
        .run(move |s| {
            s.poll(
                &poll_sender,
                flow,
                &queue,
                now,
                settings.poll_interval_ms,
                settings.requeue_ms,
            )
        })
        .await?;
    let (mut response, next_ms) = match outcome {
        PollOutcome::TooEager { next_ms } => {
            (too_many_requests(state.clock.to_real_ms(next_ms)), next_ms)
        }
        PollOutcome::Empty { next_ms } => (StatusCode::NO_CONTENT.into_response(), next_ms),
        PollOutcome::Change { job_id, next_ms } => {
            let job = state
                .store
                .run(move |s| s.job(job_id))
                .await?
                .ok_or_else(|| ApiError::internal("queued job vanished"))?;
            let response = match flow {
                Flow::Direct => xml_response(StatusCode::OK, &render::direct_status(&state, &job)),
                Flow::Portal => xml_response(StatusCode::OK, &render::portal_status(&state, &job)),
            };
            (response, next_ms)
        }
    };
    // The permitted time in real time: a client waits for it with its own clock.
    response.headers_mut().insert(
        NEXT_PERMITTED_POLL_TIME,
        poll_time_header(state.clock.to_real_ms(next_ms)),
    );
    Ok(response)
}
