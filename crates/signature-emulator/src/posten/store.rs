//! Jobs, signers, status-change queues and tokens in SQLite (a file, or `:memory:`).
//!
//! One connection behind a mutex; callers on the async side go through
//! [`Store::run`], which moves the work to the blocking pool.

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::error::Error;

/// The two flows of Posten signering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Flow {
    /// Synchronous: the signer is redirected from the sender's site.
    Direct,
    /// Asynchronous: signers sign in the portal, the sender polls.
    Portal,
}

impl Flow {
    /// The URL segment, `direct` or `portal`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Direct => "direct",
            Self::Portal => "portal",
        }
    }

    /// Parses the URL segment.
    pub fn parse(segment: &str) -> Option<Self> {
        match segment {
            "direct" => Some(Self::Direct),
            "portal" => Some(Self::Portal),
            _ => None,
        }
    }
}

/// How a signer is identified (values are personal data: never log them).
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum SignerIdentity {
    Pin(String),
    Custom(String),
    Contact {
        email: Option<String>,
        mobile: Option<String>,
    },
}

impl std::fmt::Debug for SignerIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Pin(_) => "Pin(***)",
            Self::Custom(_) => "Custom(..)",
            Self::Contact { .. } => "Contact(..)",
        })
    }
}

/// Signer statuses the emulator sets.
pub(crate) mod signer_status {
    pub(crate) const WAITING: &str = "WAITING";
    pub(crate) const SIGNED: &str = "SIGNED";
    pub(crate) const REJECTED: &str = "REJECTED";
    pub(crate) const EXPIRED: &str = "EXPIRED";
    pub(crate) const CANCELLED: &str = "CANCELLED";
}

/// Job statuses.
pub(crate) mod job_status {
    pub(crate) const IN_PROGRESS: &str = "IN_PROGRESS";
    pub(crate) const COMPLETED: &str = "COMPLETED_SUCCESSFULLY";
    pub(crate) const FAILED: &str = "FAILED";
}

/// A job to insert.
#[derive(Debug, Clone)]
pub(crate) struct NewJob {
    pub(crate) sender: String,
    pub(crate) flow: Flow,
    pub(crate) reference: Option<String>,
    pub(crate) polling_queue: String,
    pub(crate) polling: bool,
    pub(crate) exit_urls: Option<[String; 3]>,
    pub(crate) title: String,
    pub(crate) signers: Vec<SignerIdentity>,
    pub(crate) bundle: Vec<u8>,
}

/// A stored signer.
#[derive(Debug, Clone)]
pub(crate) struct SignerRecord {
    /// 1-based position in the manifest; the signer's id in URLs.
    pub(crate) index: i64,
    pub(crate) identity: SignerIdentity,
    pub(crate) status: String,
    pub(crate) since_ms: i64,
    pub(crate) redirect_token: Option<String>,
    pub(crate) has_xades: bool,
}

/// A stored job with its signers.
#[derive(Debug, Clone)]
pub(crate) struct JobRecord {
    pub(crate) id: i64,
    pub(crate) sender: String,
    pub(crate) flow: Flow,
    pub(crate) reference: Option<String>,
    pub(crate) polling_queue: String,
    pub(crate) polling: bool,
    pub(crate) exit_urls: Option<[String; 3]>,
    pub(crate) title: String,
    pub(crate) status: String,
    pub(crate) documents_deleted: bool,
    pub(crate) archive_id: Option<String>,
    pub(crate) signers: Vec<SignerRecord>,
}

impl JobRecord {
    pub(crate) fn is_finished(&self) -> bool {
        self.status != job_status::IN_PROGRESS
    }

    pub(crate) fn signer(&self, index: i64) -> Option<&SignerRecord> {
        self.signers.iter().find(|s| s.index == index)
    }
}

/// What a poll of a status-change queue found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PollOutcome {
    /// Polled before the permitted time, which is given.
    TooEager { next_ms: i64 },
    /// A change of this job; polling again is permitted at `next_ms`.
    Change { job_id: i64, next_ms: i64 },
    /// Nothing queued.
    Empty { next_ms: i64 },
}

/// Totals over all jobs and status changes (see [`Control::stats`]).
///
/// [`Control::stats`]: super::Control::stats
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct QueueStats {
    /// Jobs created.
    pub jobs: i64,
    /// Of those, still `IN_PROGRESS`.
    pub jobs_in_progress: i64,
    /// Status changes queued for polling.
    pub changes: i64,
    /// Of those, not confirmed yet (still in the queue).
    pub unconfirmed_changes: i64,
    /// Times a change was handed out by a poll, redeliveries included.
    pub deliveries: i64,
    /// Changes handed out more than once.
    pub redelivered_changes: i64,
    /// Times a change went from delivered to confirmed (a counter per change, summed).
    pub confirmations: i64,
    /// Changes never handed out.
    pub never_delivered_changes: i64,
    /// Changes whose confirmation counter exceeds one (should stay 0).
    pub changes_confirmed_more_than_once: i64,
    /// Confirm requests received, repeated ones included.
    pub confirm_requests: i64,
    /// Of those, how many confirmed at least one change.
    pub effective_confirm_requests: i64,
    /// Up to 20 jobs with a change that is unconfirmed, never delivered or not confirmed
    /// exactly once.
    pub irregular_jobs: Vec<i64>,
    /// Faults injected so far, by [`Fault::kind`](super::Fault::kind).
    pub faults_injected: std::collections::BTreeMap<String, u64>,
}

/// The redirect state of a signer's current redirect URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RedirectState {
    Fresh = 0,
    Opened = 1,
    Used = 2,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sender TEXT NOT NULL,
    flow TEXT NOT NULL,
    reference TEXT,
    polling_queue TEXT NOT NULL,
    polling INTEGER NOT NULL,
    completion_url TEXT, rejection_url TEXT, error_url TEXT,
    title TEXT NOT NULL,
    status TEXT NOT NULL,
    bundle BLOB,
    documents_deleted INTEGER NOT NULL DEFAULT 0,
    archive_id TEXT UNIQUE,
    created_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS signers (
    job_id INTEGER NOT NULL REFERENCES jobs(id),
    idx INTEGER NOT NULL,
    id_kind TEXT NOT NULL,
    id_value TEXT,
    id_value2 TEXT,
    status TEXT NOT NULL,
    since_ms INTEGER NOT NULL,
    redirect_token TEXT UNIQUE,
    redirect_state INTEGER NOT NULL DEFAULT 0,
    xades BLOB,
    PRIMARY KEY (job_id, idx)
);
CREATE TABLE IF NOT EXISTS changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id INTEGER NOT NULL REFERENCES jobs(id),
    available_ms INTEGER NOT NULL,
    delivered INTEGER NOT NULL DEFAULT 0,
    confirmed INTEGER NOT NULL DEFAULT 0,
    deliveries INTEGER NOT NULL DEFAULT 0,
    confirmations INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS changes_pending ON changes (confirmed, available_ms);
CREATE TABLE IF NOT EXISTS status_tokens (token TEXT PRIMARY KEY, job_id INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS confirm_requests (job_id INTEGER NOT NULL, confirmed INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS pollers (
    sender TEXT NOT NULL, flow TEXT NOT NULL, queue TEXT NOT NULL, next_ms INTEGER NOT NULL,
    PRIMARY KEY (sender, flow, queue)
);
";

/// The emulator's database.
#[derive(Debug)]
pub(crate) struct Store {
    conn: Mutex<Connection>,
}

/// A random token of 32 bytes in hex.
pub(crate) fn random_token() -> Result<String, Error> {
    let mut bytes = [0u8; 32];
    aws_lc_rs::rand::fill(&mut bytes).map_err(|_| Error::Store("random".into()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn identity_columns(identity: &SignerIdentity) -> (&'static str, Option<&str>, Option<&str>) {
    match identity {
        SignerIdentity::Pin(v) => ("pin", Some(v), None),
        SignerIdentity::Custom(v) => ("custom", Some(v), None),
        SignerIdentity::Contact { email, mobile } => {
            ("contact", email.as_deref(), mobile.as_deref())
        }
    }
}

fn signer_from_row(row: &Row<'_>) -> rusqlite::Result<SignerRecord> {
    let kind: String = row.get("id_kind")?;
    let v1: Option<String> = row.get("id_value")?;
    let v2: Option<String> = row.get("id_value2")?;
    let identity = match kind.as_str() {
        "pin" => SignerIdentity::Pin(v1.unwrap_or_default()),
        "custom" => SignerIdentity::Custom(v1.unwrap_or_default()),
        _ => SignerIdentity::Contact {
            email: v1,
            mobile: v2,
        },
    };
    Ok(SignerRecord {
        index: row.get("idx")?,
        identity,
        status: row.get("status")?,
        since_ms: row.get("since_ms")?,
        redirect_token: row.get("redirect_token")?,
        has_xades: row.get::<_, Option<i64>>("has_xades")?.unwrap_or(0) != 0,
    })
}

impl Store {
    /// Opens (creating when needed) the database at `path`, or an in-memory one.
    pub(crate) fn open(path: Option<&Path>) -> Result<Self, Error> {
        let conn = match path {
            Some(p) => Connection::open(p)?,
            None => Connection::open_in_memory()?,
        };
        conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;")?;
        conn.execute_batch(SCHEMA)?;
        // Databases written before the delivery and confirmation counters existed.
        let columns: Vec<String> = conn
            .prepare("SELECT name FROM pragma_table_info('changes')")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for column in ["deliveries", "confirmations"] {
            if !columns.iter().any(|c| c == column) {
                conn.execute_batch(&format!(
                    "ALTER TABLE changes ADD COLUMN {column} INTEGER NOT NULL DEFAULT 0"
                ))?;
            }
        }
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves SQLite consistent (every change is one
        // transaction), so a poisoned lock is safe to reuse.
        self.conn
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Runs `work` on the blocking pool.
    pub(crate) async fn run<T, F>(self: &Arc<Self>, work: F) -> Result<T, Error>
    where
        F: FnOnce(&Store) -> Result<T, Error> + Send + 'static,
        T: Send + 'static,
    {
        let store = Arc::clone(self);
        tokio::task::spawn_blocking(move || work(&store))
            .await
            .map_err(|e| Error::Store(format!("database task failed: {e}")))?
    }

    pub(crate) fn meta_get(&self, key: &str) -> Result<Option<Vec<u8>>, Error> {
        Ok(self
            .conn()
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    pub(crate) fn meta_put(&self, key: &str, value: &[u8]) -> Result<(), Error> {
        self.conn().execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// Inserts a job; direct signers get a fresh redirect token each.
    pub(crate) fn create_job(&self, job: &NewJob, now_ms: i64) -> Result<JobRecord, Error> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let [completion, rejection, error] = match &job.exit_urls {
            Some([c, r, e]) => [Some(c.as_str()), Some(r.as_str()), Some(e.as_str())],
            None => [None, None, None],
        };
        tx.execute(
            "INSERT INTO jobs (sender, flow, reference, polling_queue, polling, completion_url,
                rejection_url, error_url, title, status, bundle, created_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![
                job.sender,
                job.flow.as_str(),
                job.reference,
                job.polling_queue,
                job.polling,
                completion,
                rejection,
                error,
                job.title,
                job_status::IN_PROGRESS,
                job.bundle,
                now_ms
            ],
        )?;
        let id = tx.last_insert_rowid();
        for (i, signer) in job.signers.iter().enumerate() {
            let (kind, v1, v2) = identity_columns(signer);
            let token = match job.flow {
                Flow::Direct => Some(random_token()?),
                Flow::Portal => None,
            };
            tx.execute(
                "INSERT INTO signers (job_id, idx, id_kind, id_value, id_value2, status, since_ms,
                    redirect_token)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    id,
                    i as i64 + 1,
                    kind,
                    v1,
                    v2,
                    signer_status::WAITING,
                    now_ms,
                    token
                ],
            )?;
        }
        tx.commit()?;
        drop(conn);
        self.job(id)?
            .ok_or_else(|| Error::Store("job vanished after insert".into()))
    }

    /// The job with its signers.
    pub(crate) fn job(&self, id: i64) -> Result<Option<JobRecord>, Error> {
        let conn = self.conn();
        Self::job_in(&conn, id)
    }

    fn job_in(conn: &Connection, id: i64) -> Result<Option<JobRecord>, Error> {
        let job = conn
            .query_row(
                "SELECT id, sender, flow, reference, polling_queue, polling, completion_url,
                    rejection_url, error_url, title, status, documents_deleted, archive_id
                 FROM jobs WHERE id = ?1",
                [id],
                |r| {
                    let flow: String = r.get("flow")?;
                    let exit: [Option<String>; 3] = [
                        r.get("completion_url")?,
                        r.get("rejection_url")?,
                        r.get("error_url")?,
                    ];
                    let exit_urls = match exit {
                        [Some(c), Some(rj), Some(e)] => Some([c, rj, e]),
                        _ => None,
                    };
                    Ok(JobRecord {
                        id: r.get("id")?,
                        sender: r.get("sender")?,
                        flow: Flow::parse(&flow).unwrap_or(Flow::Portal),
                        reference: r.get("reference")?,
                        polling_queue: r.get("polling_queue")?,
                        polling: r.get("polling")?,
                        exit_urls,
                        title: r.get("title")?,
                        status: r.get("status")?,
                        documents_deleted: r.get("documents_deleted")?,
                        archive_id: r.get("archive_id")?,
                        signers: Vec::new(),
                    })
                },
            )
            .optional()?;
        let Some(mut job) = job else {
            return Ok(None);
        };
        let mut statement = conn.prepare(
            "SELECT idx, id_kind, id_value, id_value2, status, since_ms, redirect_token,
                xades IS NOT NULL AS has_xades
             FROM signers WHERE job_id = ?1 ORDER BY idx",
        )?;
        job.signers = statement
            .query_map([id], signer_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Some(job))
    }

    /// The job's bundle, unless its documents were deleted.
    pub(crate) fn bundle(&self, id: i64) -> Result<Option<Vec<u8>>, Error> {
        Ok(self
            .conn()
            .query_row("SELECT bundle FROM jobs WHERE id = ?1", [id], |r| {
                r.get::<_, Option<Vec<u8>>>(0)
            })
            .optional()?
            .flatten())
    }

    /// Moves a waiting signer of an in-progress job to `status` (with its XAdES when signed),
    /// recomputes the job status and queues a status change for polling jobs.
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
        tx.execute(
            "UPDATE signers SET status = ?1, since_ms = ?2, xades = ?3
             WHERE job_id = ?4 AND idx = ?5",
            params![status, now_ms, xades, job_id, index],
        )?;
        Self::settle_job(&tx, &job, now_ms)?;
        let updated =
            Self::job_in(&tx, job_id)?.ok_or_else(|| Error::Store("job vanished".into()))?;
        tx.commit()?;
        Ok(updated)
    }

    /// Recomputes the job status from its signers and queues a change.
    fn settle_job(tx: &Connection, job: &JobRecord, now_ms: i64) -> Result<(), Error> {
        let statuses: Vec<String> = tx
            .prepare("SELECT status FROM signers WHERE job_id = ?1")?
            .query_map([job.id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let failed = statuses.iter().any(|s| {
            [
                signer_status::REJECTED,
                signer_status::EXPIRED,
                signer_status::CANCELLED,
            ]
            .contains(&s.as_str())
        });
        let new_status = if failed {
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
        if new_status == job_status::COMPLETED {
            tx.execute(
                "UPDATE jobs SET archive_id = ?1 WHERE id = ?2 AND archive_id IS NULL",
                params![random_token()?, job.id],
            )?;
        }
        if job.polling {
            tx.execute(
                "INSERT INTO changes (job_id, available_ms) VALUES (?1, ?2)",
                params![job.id, now_ms],
            )?;
        }
        Ok(())
    }

    /// Cancels an in-progress job: waiting signers become CANCELLED, the job FAILED.
    pub(crate) fn cancel(&self, job_id: i64, now_ms: i64) -> Result<JobRecord, Error> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
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
        Self::settle_job(&tx, &job, now_ms)?;
        let updated =
            Self::job_in(&tx, job_id)?.ok_or_else(|| Error::Store("job vanished".into()))?;
        tx.commit()?;
        Ok(updated)
    }

    /// Deletes a finished job's documents (bundle, and with it XAdES/PAdES downloads).
    pub(crate) fn delete_documents(&self, job_id: i64) -> Result<(), Error> {
        let conn = self.conn();
        let job =
            Self::job_in(&conn, job_id)?.ok_or_else(|| Error::NotFound(format!("job {job_id}")))?;
        if !job.is_finished() {
            return Err(Error::Conflict(format!(
                "job {job_id} is still in progress"
            )));
        }
        conn.execute(
            "UPDATE jobs SET documents_deleted = 1, bundle = NULL WHERE id = ?1",
            [job_id],
        )?;
        Ok(())
    }

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

    /// A signer's XAdES, unless the job's documents were deleted.
    pub(crate) fn xades(&self, job_id: i64, index: i64) -> Result<Option<Vec<u8>>, Error> {
        Ok(self
            .conn()
            .query_row(
                "SELECT s.xades FROM signers s WHERE s.job_id = ?1 AND s.idx = ?2",
                params![job_id, index],
                |r| r.get::<_, Option<Vec<u8>>>(0),
            )
            .optional()?
            .flatten())
    }

    /// Every XAdES of the job in signer order.
    pub(crate) fn all_xades(&self, job_id: i64) -> Result<Vec<(i64, Vec<u8>)>, Error> {
        let conn = self.conn();
        let mut statement = conn.prepare(
            "SELECT idx, xades FROM signers WHERE job_id = ?1 AND xades IS NOT NULL ORDER BY idx",
        )?;
        Ok(statement
            .query_map([job_id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?)
    }

    /// The job archived under `archive_id` for `owner`.
    pub(crate) fn archived_job(&self, owner: &str, archive_id: &str) -> Result<Option<i64>, Error> {
        Ok(self
            .conn()
            .query_row(
                "SELECT id FROM jobs WHERE archive_id = ?1 AND sender = ?2",
                params![archive_id, owner],
                |r| r.get(0),
            )
            .optional()?)
    }
}
