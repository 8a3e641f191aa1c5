//! Creating jobs and reading them back, with their documents and signatures.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::model::{Flow, JobRecord, NewJob, SignerIdentity, SignerRecord, job_status};
use super::{DEFAULT_LIFETIME_MS, Store, random_token, signer_status};
use crate::posten::error::Error;

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
        order: row.get("signing_order")?,
        lookup: row.get("notifications_by_lookup")?,
        status: row.get("status")?,
        since_ms: row.get("since_ms")?,
        opened_ms: row.get("opened_ms")?,
        redirect_token: row.get("redirect_token")?,
        has_xades: row.get::<_, Option<i64>>("has_xades")?.unwrap_or(0) != 0,
    })
}

fn job_from_row(r: &Row<'_>) -> rusqlite::Result<JobRecord> {
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
    let created_ms: i64 = r.get("created_ms")?;
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
        activation_ms: r
            .get::<_, Option<i64>>("activation_ms")?
            .unwrap_or(created_ms),
        lifetime_ms: r
            .get::<_, Option<i64>>("lifetime_ms")?
            .unwrap_or(DEFAULT_LIFETIME_MS),
        finished_ms: r.get("finished_ms")?,
        signers: Vec::new(),
    })
}

impl Store {
    /// Inserts a job; direct signers get a fresh redirect token each. The job is then
    /// brought up to `now_ms` (its first signers opened, when it is active).
    pub(crate) fn create_job(&self, job: &NewJob, now_ms: i64) -> Result<JobRecord, Error> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let [completion, rejection, error] = match &job.exit_urls {
            Some([c, r, e]) => [Some(c.as_str()), Some(r.as_str()), Some(e.as_str())],
            None => [None, None, None],
        };
        tx.execute(
            "INSERT INTO jobs (sender, flow, reference, polling_queue, polling, completion_url,
                rejection_url, error_url, title, status, bundle, created_ms, activation_ms,
                lifetime_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
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
                now_ms,
                // An activation time in the past means "now" (portal.xsd, `activation-time`).
                job.activation_ms.map_or(now_ms, |at| at.max(now_ms)),
                job.lifetime_ms,
            ],
        )?;
        let id = tx.last_insert_rowid();
        for (i, signer) in job.signers.iter().enumerate() {
            let (kind, v1, v2) = identity_columns(&signer.identity);
            let token = match job.flow {
                Flow::Direct => Some(random_token()?),
                Flow::Portal => None,
            };
            tx.execute(
                "INSERT INTO signers (job_id, idx, id_kind, id_value, id_value2, status, since_ms,
                    redirect_token, signing_order, notifications_by_lookup)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    id,
                    i as i64 + 1,
                    kind,
                    v1,
                    v2,
                    signer_status::WAITING,
                    now_ms,
                    token,
                    signer.order,
                    signer.lookup
                ],
            )?;
        }
        Self::advance_job(&tx, id, now_ms)?;
        let created = Self::job_in(&tx, id)?
            .ok_or_else(|| Error::Store("job vanished after insert".into()))?;
        tx.commit()?;
        Ok(created)
    }

    /// The job with its signers, as stored (see [`Store::job_at`] for the job brought up
    /// to a given time).
    pub(crate) fn job(&self, id: i64) -> Result<Option<JobRecord>, Error> {
        let conn = self.conn();
        Self::job_in(&conn, id)
    }

    pub(super) fn job_in(conn: &Connection, id: i64) -> Result<Option<JobRecord>, Error> {
        let job = conn
            .query_row(
                "SELECT id, sender, flow, reference, polling_queue, polling, completion_url,
                    rejection_url, error_url, title, status, documents_deleted, archive_id,
                    created_ms, activation_ms, lifetime_ms, finished_ms
                 FROM jobs WHERE id = ?1",
                [id],
                job_from_row,
            )
            .optional()?;
        let Some(mut job) = job else {
            return Ok(None);
        };
        let mut statement = conn.prepare(
            "SELECT idx, id_kind, id_value, id_value2, status, since_ms, redirect_token,
                signing_order, notifications_by_lookup, opened_ms,
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

    /// A signer's XAdES.
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
