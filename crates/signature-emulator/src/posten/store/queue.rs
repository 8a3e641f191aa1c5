//! Status-change queues: polling with the permitted poll time, confirmation, early
//! requeueing, and the statistics soak tests read.

use rusqlite::{OptionalExtension, params};

use super::Store;
use super::model::{Flow, PollOutcome, QueueStats, job_status};
use crate::posten::error::Error;

impl Store {
    /// Checks the poll rate and hands out the oldest due change of the queue. A handed-out
    /// change comes back after `requeue_ms` unless it is confirmed.
    pub(crate) fn poll(
        &self,
        sender: &str,
        flow: Flow,
        queue: &str,
        now_ms: i64,
        empty_interval_ms: i64,
        requeue_ms: i64,
    ) -> Result<PollOutcome, Error> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let next: Option<i64> = tx
            .query_row(
                "SELECT next_ms FROM pollers WHERE sender = ?1 AND flow = ?2 AND queue = ?3",
                params![sender, flow.as_str(), queue],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(next_ms) = next
            && now_ms < next_ms
        {
            return Ok(PollOutcome::TooEager { next_ms });
        }
        let change: Option<(i64, i64)> = tx
            .query_row(
                "SELECT c.id, c.job_id FROM changes c JOIN jobs j ON j.id = c.job_id
                 WHERE c.confirmed = 0 AND c.available_ms <= ?1
                   AND j.sender = ?2 AND j.flow = ?3 AND j.polling_queue = ?4
                 ORDER BY c.available_ms, c.id LIMIT 1",
                params![now_ms, sender, flow.as_str(), queue],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let outcome = match change {
            Some((change_id, job_id)) => {
                tx.execute(
                    "UPDATE changes SET delivered = 1, deliveries = deliveries + 1,
                        available_ms = ?1 WHERE id = ?2",
                    params![now_ms + requeue_ms, change_id],
                )?;
                PollOutcome::Change {
                    job_id,
                    next_ms: now_ms,
                }
            }
            None => PollOutcome::Empty {
                next_ms: now_ms + empty_interval_ms,
            },
        };
        let next_ms = match outcome {
            PollOutcome::Change { next_ms, .. }
            | PollOutcome::Empty { next_ms }
            | PollOutcome::TooEager { next_ms } => next_ms,
        };
        tx.execute(
            "INSERT INTO pollers (sender, flow, queue, next_ms) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(sender, flow, queue) DO UPDATE SET next_ms = excluded.next_ms",
            params![sender, flow.as_str(), queue, next_ms],
        )?;
        tx.commit()?;
        Ok(outcome)
    }

    /// Confirms the delivered changes of a job; false when there was nothing to confirm.
    /// Every request is counted (see [`Store::confirmation_counts`]).
    pub(crate) fn confirm(&self, job_id: i64) -> Result<bool, Error> {
        let conn = self.conn();
        let n = conn.execute(
            "UPDATE changes SET confirmed = 1, confirmations = confirmations + 1
             WHERE job_id = ?1 AND delivered = 1 AND confirmed = 0",
            [job_id],
        )?;
        conn.execute(
            "INSERT INTO confirm_requests (job_id, confirmed) VALUES (?1, ?2)",
            params![job_id, n],
        )?;
        Ok(n > 0)
    }

    /// Makes every delivered, unconfirmed change of the queue due now (an early requeue);
    /// returns how many.
    pub(crate) fn requeue_delivered(
        &self,
        sender: &str,
        flow: Flow,
        queue: &str,
        now_ms: i64,
    ) -> Result<usize, Error> {
        Ok(self.conn().execute(
            "UPDATE changes SET available_ms = ?1
             WHERE delivered = 1 AND confirmed = 0 AND available_ms > ?1
               AND job_id IN (SELECT id FROM jobs WHERE sender = ?2 AND flow = ?3
                              AND polling_queue = ?4)",
            params![now_ms, sender, flow.as_str(), queue],
        )?)
    }

    /// Totals over every job and status change, for soak tests.
    pub(crate) fn queue_stats(&self) -> Result<QueueStats, Error> {
        let conn = self.conn();
        let (jobs, jobs_in_progress): (i64, i64) = conn.query_row(
            "SELECT COUNT(*), COALESCE(SUM(status = ?1), 0) FROM jobs",
            [job_status::IN_PROGRESS],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let row = conn.query_row(
            "SELECT COUNT(*), COALESCE(SUM(confirmed = 0), 0), COALESCE(SUM(deliveries), 0),
                COALESCE(SUM(deliveries > 1), 0), COALESCE(SUM(confirmations), 0),
                COALESCE(SUM(deliveries = 0), 0), COALESCE(SUM(confirmations > 1), 0)
             FROM changes",
            [],
            |r| {
                Ok([
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                ])
            },
        )?;
        let [
            changes,
            unconfirmed,
            deliveries,
            redelivered,
            confirmations,
            never_delivered,
            confirmed_twice,
        ]: [i64; 7] = row;
        let (confirm_requests, effective): (i64, i64) = conn.query_row(
            "SELECT COUNT(*), COALESCE(SUM(confirmed > 0), 0) FROM confirm_requests",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let mut statement = conn.prepare(
            "SELECT DISTINCT job_id FROM changes
             WHERE confirmed = 0 OR confirmations <> 1 OR deliveries = 0
             ORDER BY job_id LIMIT 20",
        )?;
        let irregular_jobs = statement
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(QueueStats {
            jobs,
            jobs_in_progress,
            changes,
            unconfirmed_changes: unconfirmed,
            deliveries,
            redelivered_changes: redelivered,
            confirmations,
            never_delivered_changes: never_delivered,
            changes_confirmed_more_than_once: confirmed_twice,
            confirm_requests,
            effective_confirm_requests: effective,
            irregular_jobs,
            faults_injected: std::collections::BTreeMap::new(),
        })
    }

    /// For a job: status changes queued, of those confirmed, confirm requests received, and
    /// of those the ones that confirmed something.
    pub(crate) fn confirmation_counts(&self, job_id: i64) -> Result<[i64; 4], Error> {
        let conn = self.conn();
        let (changes, confirmed): (i64, i64) = conn.query_row(
            "SELECT COUNT(*), COALESCE(SUM(confirmed), 0) FROM changes WHERE job_id = ?1",
            [job_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let (requests, effective): (i64, i64) = conn.query_row(
            "SELECT COUNT(*), COALESCE(SUM(confirmed > 0), 0) FROM confirm_requests WHERE job_id = ?1",
            [job_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok([changes, confirmed, requests, effective])
    }
}
