//! Jobs, signers, status-change queues and tokens in SQLite (a file, or `:memory:`).
//!
//! One connection behind a mutex; callers on the async side go through [`Store::run`],
//! which moves the work to the blocking pool. The operations live by concern: [`jobs`]
//! (create and read), [`progress`] (what signers do and what time does to a job),
//! [`queue`] (status-change queues and their statistics), [`tokens`] (status query and
//! redirect tokens).

mod jobs;
mod model;
mod progress;
mod queue;
mod tokens;

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::{Connection, OptionalExtension, params};

pub use model::{Flow, QueueStats};
pub(crate) use model::{
    JobRecord, NewJob, NewSigner, PollOutcome, RedirectState, SignerIdentity, SignerRecord,
    job_status, signer_status,
};

use super::error::Error;

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
    confirmed INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS changes_pending ON changes (confirmed, available_ms);
CREATE TABLE IF NOT EXISTS status_tokens (token TEXT PRIMARY KEY, job_id INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS confirm_requests (job_id INTEGER NOT NULL, confirmed INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS pollers (
    sender TEXT NOT NULL, flow TEXT NOT NULL, queue TEXT NOT NULL, next_ms INTEGER NOT NULL,
    PRIMARY KEY (sender, flow, queue)
);
";

/// Columns added after the first release, with their definitions: a database file written
/// by an older emulator gains them when opened.
const ADDED_COLUMNS: &[(&str, &str, &str)] = &[
    ("changes", "deliveries", "INTEGER NOT NULL DEFAULT 0"),
    ("changes", "confirmations", "INTEGER NOT NULL DEFAULT 0"),
    // When the documents become available (NULL: at creation).
    ("jobs", "activation_ms", "INTEGER"),
    // How long each group of signers has (NULL: 30 days).
    ("jobs", "lifetime_ms", "INTEGER"),
    // The next instant time changes the job (activation, a group's deadline); NULL when
    // finished.
    ("jobs", "deadline_ms", "INTEGER"),
    ("jobs", "finished_ms", "INTEGER"),
    ("signers", "signing_order", "INTEGER NOT NULL DEFAULT 0"),
    ("signers", "opened_ms", "INTEGER"),
    (
        "signers",
        "notifications_by_lookup",
        "INTEGER NOT NULL DEFAULT 0",
    ),
];

/// Indexes over the added columns (created after the columns exist).
const ADDED_INDEXES: &str = "
CREATE INDEX IF NOT EXISTS jobs_deadline ON jobs (status, deadline_ms);
CREATE INDEX IF NOT EXISTS jobs_finished ON jobs (documents_deleted, finished_ms);
";

/// Default time each group of signers has: 30 days (signering-docs, "Create signature
/// request" for the direct flow, portal-flow "Availability" when `availability` is omitted).
pub(crate) const DEFAULT_LIFETIME_MS: i64 = 30 * DAY_MS;
/// One day in milliseconds.
pub(crate) const DAY_MS: i64 = 86_400_000;

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

impl Store {
    /// Opens (creating when needed) the database at `path`, or an in-memory one.
    pub(crate) fn open(path: Option<&Path>) -> Result<Self, Error> {
        let conn = match path {
            Some(p) => Connection::open(p)?,
            None => Connection::open_in_memory()?,
        };
        conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;")?;
        conn.execute_batch(SCHEMA)?;
        for (table, column, definition) in ADDED_COLUMNS {
            let exists: bool = conn.query_row(
                &format!("SELECT COUNT(*) > 0 FROM pragma_table_info('{table}') WHERE name = ?1"),
                [column],
                |r| r.get(0),
            )?;
            if !exists {
                conn.execute_batch(&format!(
                    "ALTER TABLE {table} ADD COLUMN {column} {definition}"
                ))?;
            }
        }
        conn.execute_batch(ADDED_INDEXES)?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves SQLite consistent (every change is one
        // transaction), so a poisoned lock is safe to reuse.
        crate::locked(&self.conn)
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
}
