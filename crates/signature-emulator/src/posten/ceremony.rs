//! The signing ceremony at each redirect URL: a minimal HTML page with a sign and a reject
//! button (`#sign`, `#reject`) that sends the browser to the job's exit URL with
//! `status_query_token`. A redirect URL works once; a second visit shows an error page.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};

use super::actions::{SignerAction, act};
use super::state::AppState;
use super::store::{RedirectState, signer_status};

/// `/web/redirect/{token}` and its two form targets.
pub(crate) fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/web/redirect/{token}", get(page))
        .route("/web/redirect/{token}/{action}", post(submit))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The page text for a redirect URL visited again (it works once).
const ALREADY_USED: &str =
    "Denne lenken er allerede brukt (this redirect URL has already been used).";

fn error_page(status: StatusCode, message: &str) -> Response {
    let body = format!(
        "<!DOCTYPE html>\n<html lang=\"no\"><head><meta charset=\"utf-8\"><title>Signering - feil</title></head>\
         <body><h1 id=\"error\">Kan ikke signere</h1><p id=\"error-message\">{}</p></body></html>\n",
        escape(message)
    );
    (status, Html(body)).into_response()
}

fn internal(e: impl std::fmt::Display) -> Response {
    error_page(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string())
}

/// The job and signer of redirect `token`, and its state; a 404 page for an unknown token.
async fn find_redirect(
    state: &Arc<AppState>,
    token: &str,
) -> Result<(i64, i64, RedirectState), Response> {
    let lookup = token.to_owned();
    match state.store.run(move |s| s.redirect(&lookup)).await {
        Ok(Some(found)) => Ok(found),
        Ok(None) => Err(error_page(
            StatusCode::NOT_FOUND,
            "Ukjent lenke (unknown signing link).",
        )),
        Err(e) => Err(internal(e)),
    }
}

/// Moves redirect `token` from `from` to `to` in one store step, so that of two requests
/// racing for it only one goes on; the other gets a 410 page saying `gone`.
async fn claim_redirect(
    state: &Arc<AppState>,
    token: &str,
    from: RedirectState,
    to: RedirectState,
    gone: &str,
) -> Result<(), Response> {
    let claim = token.to_owned();
    match state
        .store
        .run(move |s| s.advance_redirect(&claim, from, to))
        .await
    {
        Ok(true) => Ok(()),
        Ok(false) => Err(error_page(StatusCode::GONE, gone)),
        Err(e) => Err(internal(e)),
    }
}

async fn page(State(state): State<Arc<AppState>>, Path(token): Path<String>) -> Response {
    let (job_id, index, redirect_state) = match find_redirect(&state, &token).await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    if redirect_state != RedirectState::Fresh {
        return error_page(StatusCode::GONE, ALREADY_USED);
    }
    if let Err(answer) = claim_redirect(
        &state,
        &token,
        RedirectState::Fresh,
        RedirectState::Opened,
        ALREADY_USED,
    )
    .await
    {
        return answer;
    }
    let now = state.clock.now_ms();
    let job = match state.store.run(move |s| s.job_at(job_id, now)).await {
        Ok(Some(job)) => job,
        Ok(None) => return error_page(StatusCode::NOT_FOUND, "Ukjent oppdrag (unknown job)."),
        Err(e) => return internal(e),
    };
    let waiting = job
        .signer(index)
        .is_some_and(|s| s.status == signer_status::WAITING);
    if job.is_finished() || !waiting {
        return error_page(
            StatusCode::CONFLICT,
            "Oppdraget er allerede avsluttet (the job is already finished).",
        );
    }
    let token = escape(&token);
    let body = format!(
        "<!DOCTYPE html>\n<html lang=\"no\"><head><meta charset=\"utf-8\"><title>Signering</title></head><body>\n\
         <h1 id=\"title\">{title}</h1>\n\
         <p id=\"job\">Signeringsoppdrag {job_id}, undertegner {index}</p>\n\
         <form id=\"sign-form\" method=\"post\" action=\"/web/redirect/{token}/sign\">\
         <button id=\"sign\" type=\"submit\">Signer</button></form>\n\
         <form id=\"reject-form\" method=\"post\" action=\"/web/redirect/{token}/reject\">\
         <button id=\"reject\" type=\"submit\">Avvis</button></form>\n\
         </body></html>\n",
        title = escape(&job.title),
    );
    let mut response = Html(body).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn submit(
    State(state): State<Arc<AppState>>,
    Path((token, action)): Path<(String, String)>,
) -> Response {
    let action = match action.as_str() {
        "sign" => SignerAction::Sign,
        "reject" => SignerAction::Reject,
        _ => return error_page(StatusCode::NOT_FOUND, "Ukjent handling (unknown action)."),
    };
    let (job_id, index, _) = match find_redirect(&state, &token).await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    if let Err(answer) = claim_redirect(
        &state,
        &token,
        RedirectState::Opened,
        RedirectState::Used,
        "Seremonien er ikke åpen (the signing ceremony is not open for this link).",
    )
    .await
    {
        return answer;
    }
    match act(&state, job_id, index, action).await {
        Ok(outcome) => match outcome.exit_url {
            Some(url) => match HeaderValue::from_str(&url) {
                Ok(location) => {
                    (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
                }
                Err(_) => error_page(StatusCode::INTERNAL_SERVER_ERROR, "invalid exit URL"),
            },
            None => Html("<!DOCTYPE html>\n<html><body><p id=\"done\">Ferdig.</p></body></html>\n")
                .into_response(),
        },
        Err(e) => error_page(StatusCode::CONFLICT, &e.to_string()),
    }
}
