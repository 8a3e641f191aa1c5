//! Acting as a signer: sign (with a XAdES from the service seal), reject or expire; for
//! direct jobs also the status query token and the exit URL the browser is sent to.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::error::Error;
use super::state::AppState;
use super::store::{Flow, signer_status};
use super::wire::now_ms;
use super::xades;

/// What a signer does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignerAction {
    /// The signer signs all documents.
    Sign,
    /// The signer rejects the job.
    Reject,
    /// The signer's time runs out.
    Expire,
}

impl SignerAction {
    fn status(self) -> &'static str {
        match self {
            Self::Sign => signer_status::SIGNED,
            Self::Reject => signer_status::REJECTED,
            Self::Expire => signer_status::EXPIRED,
        }
    }
}

/// The result of a signer's action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SignerOutcome {
    /// The job status afterwards.
    pub job_status: String,
    /// The signer's status afterwards.
    pub signer_status: String,
    /// Direct jobs: the token the exit URL carries.
    pub status_query_token: Option<String>,
    /// Direct jobs: where the signer's browser goes (completion, rejection or error URL with
    /// `status_query_token`).
    pub exit_url: Option<String>,
}

/// `url` with `status_query_token` appended (with `&` when it already has a query).
pub(crate) fn with_token(url: &str, token: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}status_query_token={token}")
}

/// Performs `action` for signer `index` (1-based) of job `job_id`.
pub(crate) async fn act(
    state: &Arc<AppState>,
    job_id: i64,
    index: i64,
    action: SignerAction,
) -> Result<SignerOutcome, Error> {
    let seal = Arc::clone(&state.seal);
    state
        .store
        .run(move |store| {
            let job = store
                .job(job_id)?
                .ok_or_else(|| Error::NotFound(format!("job {job_id}")))?;
            if job.signer(index).is_none() {
                return Err(Error::NotFound(format!("signer {index} of job {job_id}")));
            }
            let xades = match action {
                SignerAction::Sign => {
                    let bundle = store.bundle(job_id)?.ok_or_else(|| {
                        Error::Conflict(format!("the documents of job {job_id} are deleted"))
                    })?;
                    Some(xades::sign(&bundle, &seal)?)
                }
                SignerAction::Reject | SignerAction::Expire => None,
            };
            let updated =
                store.set_signer_status(job_id, index, action.status(), xades, now_ms())?;
            let (status_query_token, exit_url) = match (job.flow, &job.exit_urls) {
                (Flow::Direct, Some([completion, rejection, error])) => {
                    let token = store.issue_status_token(job_id)?;
                    let exit = match action {
                        SignerAction::Sign => completion,
                        SignerAction::Reject => rejection,
                        SignerAction::Expire => error,
                    };
                    let url = with_token(exit, &token);
                    (Some(token), Some(url))
                }
                _ => (None, None),
            };
            Ok(SignerOutcome {
                job_status: updated.status.clone(),
                signer_status: action.status().to_owned(),
                status_query_token,
                exit_url,
            })
        })
        .await
}

#[cfg(test)]
mod tests {
    #[test]
    fn token_is_appended_as_a_query_parameter() {
        assert_eq!(
            super::with_token("https://a.example/done", "t"),
            "https://a.example/done?status_query_token=t"
        );
        assert_eq!(
            super::with_token("https://a.example/done?x=1", "t"),
            "https://a.example/done?x=1&status_query_token=t"
        );
    }
}
