//! Acting as a signer: every signer status the service documents can be reached (direct.xsd
//! `direct-signer-status-value`, portal.xsd `portal-signature-status-value`), each only where
//! the service can produce it. A signature carries a XAdES from the service seal; for direct
//! jobs the action also yields the status query token and the exit URL the browser is sent to.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::error::Error;
use super::state::AppState;
use super::store::{Flow, SignerIdentity, SignerRecord, signer_status};
use super::xades;

/// What happens to a signer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SignerAction {
    /// `SIGNED`: the signer signs all documents.
    Sign,
    /// `REJECTED`: the signer rejects the job.
    Reject,
    /// `EXPIRED`: the signer's time runs out (moving the clock past the deadline does the
    /// same for the whole group).
    Expire,
    /// `FAILED` (direct flow): an error in the signing ceremony.
    Fail,
    /// `BLOCKED` (portal flow, signers identified by contact information): the wrong
    /// security code too many times.
    Block,
    /// `RESERVED` (portal flow, signers notified through the lookup): the signer is reserved
    /// against digital communication.
    Reserve,
    /// `CONTACT_INFORMATION_MISSING` (portal flow, signers notified through the lookup): the
    /// lookup found no contact information.
    ContactInformationMissing,
    /// `SIGNERS_NAME_NOT_AVAILABLE` (signers identified by a personal identification
    /// number): the signer's name could not be looked up.
    SignersNameNotAvailable,
}

impl SignerAction {
    /// Every action, for the control API's documentation and tests.
    pub const ALL: &'static [SignerAction] = &[
        Self::Sign,
        Self::Reject,
        Self::Expire,
        Self::Fail,
        Self::Block,
        Self::Reserve,
        Self::ContactInformationMissing,
        Self::SignersNameNotAvailable,
    ];

    /// The signer status the action leads to.
    pub fn status(self) -> &'static str {
        match self {
            Self::Sign => signer_status::SIGNED,
            Self::Reject => signer_status::REJECTED,
            Self::Expire => signer_status::EXPIRED,
            Self::Fail => signer_status::FAILED,
            Self::Block => signer_status::BLOCKED,
            Self::Reserve => signer_status::RESERVED,
            Self::ContactInformationMissing => signer_status::CONTACT_INFORMATION_MISSING,
            Self::SignersNameNotAvailable => signer_status::SIGNERS_NAME_NOT_AVAILABLE,
        }
    }

    /// The action's name in the control API's path (`sign`, `contact_information_missing`…).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sign => "sign",
            Self::Reject => "reject",
            Self::Expire => "expire",
            Self::Fail => "fail",
            Self::Block => "block",
            Self::Reserve => "reserve",
            Self::ContactInformationMissing => "contact_information_missing",
            Self::SignersNameNotAvailable => "signers_name_not_available",
        }
    }

    /// The action named `name` (see [`SignerAction::as_str`]).
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|a| a.as_str() == name)
    }

    /// Whether the service can produce this status for `signer` of a `flow` job.
    fn check(self, flow: Flow, signer: &SignerRecord) -> Result<(), Error> {
        let pin = matches!(signer.identity, SignerIdentity::Pin(_));
        let contact = matches!(signer.identity, SignerIdentity::Contact { .. });
        let (allowed, rule) = match self {
            Self::Sign | Self::Reject | Self::Expire => (true, ""),
            Self::Fail => (flow == Flow::Direct, "FAILED is a direct-flow status"),
            Self::Block => (
                flow == Flow::Portal && contact,
                "BLOCKED applies to portal signers identified by contact information",
            ),
            Self::Reserve | Self::ContactInformationMissing => (
                flow == Flow::Portal && pin && signer.lookup,
                "RESERVED and CONTACT_INFORMATION_MISSING come from the contact register lookup \
                 of portal signers notified through it",
            ),
            Self::SignersNameNotAvailable => (
                pin,
                "SIGNERS_NAME_NOT_AVAILABLE applies to signers identified by a personal \
                 identification number",
            ),
        };
        if allowed {
            Ok(())
        } else {
            Err(Error::NotApplicable(rule.to_owned()))
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
    let now = state.clock.now_ms();
    state
        .store
        .run(move |store| {
            let job = store
                .job_at(job_id, now)?
                .ok_or_else(|| Error::NotFound(format!("job {job_id}")))?;
            let signer = job
                .signer(index)
                .ok_or_else(|| Error::NotFound(format!("signer {index} of job {job_id}")))?;
            action.check(job.flow, signer)?;
            let xades = match action {
                SignerAction::Sign => {
                    let bundle = store.bundle(job_id)?.ok_or_else(|| {
                        Error::Conflict(format!("the documents of job {job_id} are deleted"))
                    })?;
                    Some(xades::sign(&bundle, &seal)?)
                }
                _ => None,
            };
            let updated = store.set_signer_status(job_id, index, action.status(), xades, now)?;
            let (status_query_token, exit_url) = match (job.flow, &job.exit_urls) {
                (Flow::Direct, Some([completion, rejection, error])) => {
                    let token = store.issue_status_token(job_id)?;
                    let exit = match action {
                        SignerAction::Sign => completion,
                        SignerAction::Reject => rejection,
                        _ => error,
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
    use super::SignerAction;

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

    #[test]
    fn action_names_round_trip_and_every_status_is_covered() {
        for action in SignerAction::ALL {
            assert_eq!(SignerAction::parse(action.as_str()), Some(*action));
        }
        let statuses: Vec<&str> = SignerAction::ALL.iter().map(|a| a.status()).collect();
        // With WAITING (the start), NOT_APPLICABLE and CANCELLED (what ends the others),
        // every status the XSDs document.
        assert_eq!(statuses.len(), 8);
    }
}
