//! Tokens: the status query token a direct job's exit URL carries, and each direct
//! signer's single-use redirect token.

use rusqlite::{OptionalExtension, params};

use super::model::RedirectState;
use super::{Store, random_token};
use crate::posten::error::Error;

impl Store {
    /// Issues a status query token for a direct job.
    pub(crate) fn issue_status_token(&self, job_id: i64) -> Result<String, Error> {
        let token = random_token()?;
        self.conn().execute(
            "INSERT INTO status_tokens (token, job_id) VALUES (?1, ?2)",
            params![token, job_id],
        )?;
        Ok(token)
    }

    /// Whether any token was issued for the job, and whether `token` is one of them.
    pub(crate) fn check_status_token(
        &self,
        job_id: i64,
        token: &str,
    ) -> Result<(bool, bool), Error> {
        let conn = self.conn();
        let any: i64 = conn.query_row(
            "SELECT COUNT(*) FROM status_tokens WHERE job_id = ?1",
            [job_id],
            |r| r.get(0),
        )?;
        let matching: i64 = conn.query_row(
            "SELECT COUNT(*) FROM status_tokens WHERE job_id = ?1 AND token = ?2",
            params![job_id, token],
            |r| r.get(0),
        )?;
        Ok((any > 0, matching > 0))
    }

    /// The job and signer a redirect token belongs to, with the token's state.
    pub(crate) fn redirect(&self, token: &str) -> Result<Option<(i64, i64, RedirectState)>, Error> {
        Ok(self
            .conn()
            .query_row(
                "SELECT job_id, idx, redirect_state FROM signers WHERE redirect_token = ?1",
                [token],
                |r| {
                    let state: i64 = r.get(2)?;
                    let state = match state {
                        0 => RedirectState::Fresh,
                        1 => RedirectState::Opened,
                        _ => RedirectState::Used,
                    };
                    Ok((r.get(0)?, r.get(1)?, state))
                },
            )
            .optional()?)
    }

    /// Moves a redirect token from `from` to `to`; false when it was not in state `from`.
    pub(crate) fn advance_redirect(
        &self,
        token: &str,
        from: RedirectState,
        to: RedirectState,
    ) -> Result<bool, Error> {
        let n = self.conn().execute(
            "UPDATE signers SET redirect_state = ?1 WHERE redirect_token = ?2 AND redirect_state = ?3",
            params![to as i64, token, from as i64],
        )?;
        Ok(n > 0)
    }

    /// Gives a signer a new, fresh redirect token.
    pub(crate) fn renew_redirect(&self, job_id: i64, index: i64) -> Result<String, Error> {
        let token = random_token()?;
        let n = self.conn().execute(
            "UPDATE signers SET redirect_token = ?1, redirect_state = 0 WHERE job_id = ?2 AND idx = ?3",
            params![token, job_id, index],
        )?;
        if n == 0 {
            return Err(Error::NotFound(format!("signer {index} of job {job_id}")));
        }
        Ok(token)
    }
}
