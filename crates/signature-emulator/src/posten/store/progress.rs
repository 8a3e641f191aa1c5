//! What signers, the sender and time do to a job, by the service's rules:
//!
//! - a job is available from its activation time; in the portal flow signers sign in
//!   groups of equal `order`, a group only once every earlier group has signed, and each
//!   group has the job's lifetime from the moment it is reached (portal.xsd, `order` and
//!   `availability`; signering-docs, "Chained signing");
//! - a terminating action (a signer rejects, the job expires, the sender cancels) ends the
//!   job for everyone: it becomes `FAILED` and the signers still waiting become
//!   `NOT_APPLICABLE` (`CANCELLED` on cancellation; the XSDs' signer status docs);
//! - documents may be deleted only for a job completed successfully, and at the earliest
//!   24 hours after it completed; every job's documents are purged 40 days after it ended
//!   (signering-docs, "Storage").

use rusqlite::{Connection, params};

use super::model::{JobRecord, job_status};
use super::{DAY_MS, Store, random_token, signer_status};
use crate::posten::error::Error;

/// How long after completion documents may first be deleted.
pub(crate) const DELETE_NOT_BEFORE_MS: i64 = DAY_MS;
/// How long after a job ended its documents are kept.
pub(crate) const DOCUMENTS_KEPT_MS: i64 = 40 * DAY_MS;

impl Store {
    /// The job with its signers, brought up to `now_ms` (activation, deadlines).
    pub(crate) fn job_at(&self, id: i64, now_ms: i64) -> Result<Option<JobRecord>, Error> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        Self::advance_job(&tx, id, now_ms)?;
        Self::purge_due(&tx, now_ms)?;
        let job = Self::job_in(&tx, id)?;
        tx.commit()?;
        Ok(job)
    }

    /// Brings every job whose next event is due up to `now_ms`, and purges documents kept
    /// long enough. Cheap: both go through an index.
    pub(crate) fn sweep(&self, now_ms: i64) -> Result<(), Error> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let due: Vec<i64> = tx
            .prepare(
                "SELECT id FROM jobs WHERE status = ?1 AND (deadline_ms IS NULL OR deadline_ms <= ?2)",
            )?
            .query_map(params![job_status::IN_PROGRESS, now_ms], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for id in due {
            Self::advance_job(&tx, id, now_ms)?;
        }
        Self::purge_due(&tx, now_ms)?;
        tx.commit()?;
        Ok(())
    }

    /// Moves an open signer of an in-progress job to `status` (with its XAdES when signed),
    /// settles the job and queues a status change for polling jobs.
    pub(crate) fn set_signer_status(
        &self,
        job_id: i64,
        index: i64,
        status: &str,
        xades: Option<Vec<u8>>,
        now_ms: i64,
    ) -> Result<JobRecord, Error> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        Self::advance_job(&tx, job_id, now_ms)?;
        let job =
            Self::job_in(&tx, job_id)?.ok_or_else(|| Error::NotFound(format!("job {job_id}")))?;
        let signer = job
            .signer(index)
            .ok_or_else(|| Error::NotFound(format!("signer {index} of job {job_id}")))?;
        if job.is_finished() {
            return Err(Error::Conflict(format!(
                "job {job_id} is already {}",
                job.status
            )));
        }
        if signer.status != signer_status::WAITING {
            return Err(Error::Conflict(format!(
                "signer {index} of job {job_id} is already {}",
                signer.status
            )));
        }
        if signer.opened_ms.is_none() {
            return Err(Error::Conflict(if now_ms < job.activation_ms {
                format!("job {job_id} is not activated yet")
            } else {
                format!(
                    "job {job_id} is not available to signer {index} yet: signers of a lower \
                     order must sign first"
                )
            }));
        }
        tx.execute(
            "UPDATE signers SET status = ?1, since_ms = ?2, xades = ?3
             WHERE job_id = ?4 AND idx = ?5",
            params![status, now_ms, xades, job_id, index],
        )?;
        Self::settle_job(&tx, &job, now_ms, now_ms)?;
        Self::advance_job(&tx, job_id, now_ms)?;
        let updated =
            Self::job_in(&tx, job_id)?.ok_or_else(|| Error::Store("job vanished".into()))?;
        tx.commit()?;
        Ok(updated)
    }

    /// Cancels an in-progress job: waiting signers become CANCELLED, the job FAILED.
    pub(crate) fn cancel(&self, job_id: i64, now_ms: i64) -> Result<JobRecord, Error> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        Self::advance_job(&tx, job_id, now_ms)?;
        let job =
            Self::job_in(&tx, job_id)?.ok_or_else(|| Error::NotFound(format!("job {job_id}")))?;
        if job.is_finished() {
            return Err(Error::Conflict(format!(
                "job {job_id} is already {}",
                job.status
            )));
        }
        tx.execute(
            "UPDATE signers SET status = ?1, since_ms = ?2 WHERE job_id = ?3 AND status = ?4",
            params![
                signer_status::CANCELLED,
                now_ms,
                job_id,
                signer_status::WAITING
            ],
        )?;
        Self::settle_job(&tx, &job, now_ms, now_ms)?;
        let updated =
            Self::job_in(&tx, job_id)?.ok_or_else(|| Error::Store("job vanished".into()))?;
        tx.commit()?;
        Ok(updated)
    }

    /// Deletes a job's documents (bundle, and with it XAdES/PAdES downloads), when the
    /// service allows it: completed successfully, at least 24 hours ago.
    pub(crate) fn delete_documents(&self, job_id: i64, now_ms: i64) -> Result<(), Error> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        Self::advance_job(&tx, job_id, now_ms)?;
        let job =
            Self::job_in(&tx, job_id)?.ok_or_else(|| Error::NotFound(format!("job {job_id}")))?;
        if job.status != job_status::COMPLETED {
            return Err(Error::Conflict(format!(
                "job {job_id} is {}: only the documents of a job signed by every signer can be \
                 deleted",
                job.status
            )));
        }
        let completed = job.finished_ms.unwrap_or(now_ms);
        if now_ms < completed + DELETE_NOT_BEFORE_MS {
            return Err(Error::Conflict(format!(
                "job {job_id} completed less than 24 hours ago: signers may download the \
                 documents for 24 hours"
            )));
        }
        tx.execute(
            "UPDATE jobs SET documents_deleted = 1, bundle = NULL WHERE id = ?1",
            [job_id],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Recomputes the job status from its signers after something happened at `at_ms`, and
    /// queues a change (due at `queue_ms`) for polling jobs. A non-success status of any
    /// signer ends the job: the others still waiting become NOT_APPLICABLE.
    fn settle_job(
        tx: &Connection,
        job: &JobRecord,
        at_ms: i64,
        queue_ms: i64,
    ) -> Result<(), Error> {
        let statuses: Vec<String> = tx
            .prepare("SELECT status FROM signers WHERE job_id = ?1")?
            .query_map([job.id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let failed = statuses
            .iter()
            .any(|s| s != signer_status::WAITING && s != signer_status::SIGNED);
        let new_status = if failed {
            tx.execute(
                "UPDATE signers SET status = ?1, since_ms = ?2 WHERE job_id = ?3 AND status = ?4",
                params![
                    signer_status::NOT_APPLICABLE,
                    at_ms,
                    job.id,
                    signer_status::WAITING
                ],
            )?;
            job_status::FAILED
        } else if statuses.iter().all(|s| s == signer_status::SIGNED) {
            job_status::COMPLETED
        } else {
            job_status::IN_PROGRESS
        };
        tx.execute(
            "UPDATE jobs SET status = ?1 WHERE id = ?2",
            params![new_status, job.id],
        )?;
        if new_status != job_status::IN_PROGRESS {
            tx.execute(
                "UPDATE jobs SET finished_ms = ?1, deadline_ms = NULL WHERE id = ?2",
                params![at_ms, job.id],
            )?;
        }
        if new_status == job_status::COMPLETED {
            tx.execute(
                "UPDATE jobs SET archive_id = ?1 WHERE id = ?2 AND archive_id IS NULL",
                params![random_token()?, job.id],
            )?;
        }
        if job.polling {
            tx.execute(
                "INSERT INTO changes (job_id, available_ms) VALUES (?1, ?2)",
                params![job.id, queue_ms],
            )?;
        }
        Ok(())
    }

    /// Brings an in-progress job up to `now_ms`: opens the group of signers whose turn it
    /// is (once the job is active), expires a group whose time ran out (which ends the
    /// job), and records the next instant this will matter.
    pub(super) fn advance_job(tx: &Connection, job_id: i64, now_ms: i64) -> Result<(), Error> {
        let Some(job) = Self::job_in(tx, job_id)? else {
            return Ok(());
        };
        if job.is_finished() {
            return Ok(());
        }
        if now_ms < job.activation_ms {
            return Self::set_deadline(tx, job_id, job.activation_ms);
        }
        let waiting = || {
            job.signers
                .iter()
                .filter(|s| s.status == signer_status::WAITING)
        };
        let Some(turn) = waiting().map(|s| s.order).min() else {
            return Self::set_deadline(tx, job_id, job.activation_ms);
        };
        // The group is reached when the job is active and every earlier signer has signed.
        let reached = job
            .signers
            .iter()
            .filter(|s| s.order < turn)
            .map(|s| s.since_ms)
            .fold(job.activation_ms, i64::max);
        let opened = waiting()
            .filter(|s| s.order == turn)
            .filter_map(|s| s.opened_ms)
            .min()
            .unwrap_or(reached);
        tx.execute(
            "UPDATE signers SET opened_ms = ?1
             WHERE job_id = ?2 AND status = ?3 AND signing_order = ?4 AND opened_ms IS NULL",
            params![opened, job_id, signer_status::WAITING, turn],
        )?;
        let deadline = opened.saturating_add(job.lifetime_ms);
        if now_ms < deadline {
            return Self::set_deadline(tx, job_id, deadline);
        }
        tx.execute(
            "UPDATE signers SET status = ?1, since_ms = ?2
             WHERE job_id = ?3 AND status = ?4 AND signing_order = ?5",
            params![
                signer_status::EXPIRED,
                deadline,
                job_id,
                signer_status::WAITING,
                turn
            ],
        )?;
        Self::settle_job(tx, &job, deadline, now_ms)
    }

    fn set_deadline(tx: &Connection, job_id: i64, deadline_ms: i64) -> Result<(), Error> {
        tx.execute(
            "UPDATE jobs SET deadline_ms = ?1 WHERE id = ?2",
            params![deadline_ms, job_id],
        )?;
        Ok(())
    }

    /// Deletes the documents of every job that ended 40 days ago or more.
    fn purge_due(tx: &Connection, now_ms: i64) -> Result<(), Error> {
        tx.execute(
            "UPDATE jobs SET documents_deleted = 1, bundle = NULL
             WHERE documents_deleted = 0 AND finished_ms IS NOT NULL AND finished_ms <= ?1",
            [now_ms.saturating_sub(DOCUMENTS_KEPT_MS)],
        )?;
        Ok(())
    }
}
