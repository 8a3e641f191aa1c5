//! A polling loop that follows the service's etiquette and delivers every change at least once.
//!
//! Rules it follows:
//! - after a change: handle it, confirm it, and poll again at once (unless the answer's
//!   `X-Next-permitted-poll-time` says later);
//! - after "no changes" (204) or "too eager" (429): wait until `X-Next-permitted-poll-time`;
//!   without the header, wait [`Poller::idle_wait`];
//! - after a DoSFilter block: wait the 30 s block out;
//! - after other failures: back off exponentially with jitter, and give up only on errors a
//!   person must fix (certificates, authorization, configuration);
//! - confirm a change only after the handler returned `Ok`. A failed handler leaves the change
//!   unconfirmed, and the service delivers it again later: at-least-once delivery, so handlers
//!   should be idempotent.
//!
//! Several pollers, in one process or on several machines, may poll the same queue: the
//! service hands each change to one of them and they need no coordination.

use std::fmt::Display;
use std::future::Future;
use std::time::Duration;

use signature_core::{PollResult, StatusChange, StatusQueue};
use time::OffsetDateTime;

use crate::client::Client;
use crate::error::Error;
use crate::error_code::ErrorCode;
use signature_core::RetryPolicy;

/// Polls one queue and hands each change to an async handler.
///
/// ```no_run
/// # async fn example(client: posten_adapter::Client) -> Result<(), posten_adapter::Error> {
/// use posten_adapter::Poller;
/// use signature_core::{FlowKind, StatusQueue};
///
/// let poller = Poller::new(client, StatusQueue::new(FlowKind::Portal));
/// poller
///     .run_until(
///         |change| async move {
///             println!("job {} is now {}", change.job_id, change.status);
///             Ok::<(), std::io::Error>(()) // store it durably before returning Ok
///         },
///         std::future::pending::<()>(), // or a shutdown signal
///     )
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Poller {
    client: Client,
    queue: StatusQueue,
    idle_wait: Duration,
    backoff: RetryPolicy,
}

impl Poller {
    /// A poller of `queue` with a 10 s wait when the service gives no poll time and an error
    /// backoff from 1 s up to 60 s.
    pub fn new(client: Client, queue: StatusQueue) -> Self {
        Self {
            client,
            queue,
            idle_wait: Duration::from_secs(10),
            backoff: RetryPolicy::new(u32::MAX, Duration::from_secs(1), Duration::from_secs(60)),
        }
    }

    /// How long to wait after "no changes" when the answer carries no poll time.
    #[must_use]
    pub fn idle_wait(mut self, wait: Duration) -> Self {
        self.idle_wait = wait;
        self
    }

    /// Backoff after failures: `initial · 2ⁿ` (jittered), at most `max`.
    #[must_use]
    pub fn error_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.backoff = RetryPolicy::new(u32::MAX, initial, max);
        self
    }

    /// Polls once; if there is a change, hands it to `handler` and confirms it when the
    /// handler returns `Ok`. Returns how long to wait before the next poll.
    ///
    /// # Errors
    ///
    /// The poll's or the confirmation's failure. A handler failure is not an error here: it
    /// is logged and the change is left unconfirmed.
    pub async fn poll_once<H, Fut, E>(&self, handler: &mut H) -> Result<Duration, Error>
    where
        H: FnMut(StatusChange) -> Fut,
        Fut: Future<Output = Result<(), E>>,
        E: Display,
    {
        match self.client.poll(&self.queue).await? {
            PollResult::NoChanges {
                next_permitted_poll_time,
            } => Ok(next_permitted_poll_time
                .map(until)
                .unwrap_or(self.idle_wait)),
            PollResult::Change(change) => {
                let next = change.next_permitted_poll_time.map(until);
                let job_id = change.job_id.clone();
                let confirmation = change.confirmation.clone();
                match handler(*change).await {
                    Ok(()) => {
                        if let Some(confirmation) = confirmation {
                            self.client.confirm(&confirmation).await?;
                        }
                        tracing::debug!(job = %job_id, "status change handled and confirmed");
                    }
                    Err(error) => tracing::warn!(
                        job = %job_id,
                        error = %error,
                        "handler failed; change left unconfirmed, the service will deliver it again"
                    ),
                }
                // Changes may be queued behind this one: fetch the next at once.
                Ok(next.unwrap_or(Duration::ZERO))
            }
            // PollResult is non-exhaustive; a future kind of answer is treated as "nothing".
            _ => Ok(self.idle_wait),
        }
    }

    /// Polls until `shutdown` completes (checked between polls: a change being handled is
    /// finished and confirmed first).
    ///
    /// # Errors
    ///
    /// Only errors no wait can fix: [`ErrorCode::BrokerNotAuthorized`] and
    /// [`ErrorCode::NotAuthorized`] answers, server or client
    /// certificate problems, [`Error::Configuration`], [`Error::SenderNotSpecified`].
    pub async fn run_until<H, Fut, E>(
        &self,
        mut handler: H,
        shutdown: impl Future<Output = ()>,
    ) -> Result<(), Error>
    where
        H: FnMut(StatusChange) -> Fut,
        Fut: Future<Output = Result<(), E>>,
        E: Display,
    {
        tokio::pin!(shutdown);
        let mut failures = 0u32;
        loop {
            let wait = match self.poll_once(&mut handler).await {
                Ok(wait) => {
                    failures = 0;
                    wait
                }
                Err(error) if is_fatal(&error) => return Err(error),
                Err(error) => {
                    let wait = match error.retry_at() {
                        Some(at) => until(at),
                        None => {
                            failures = failures.saturating_add(1);
                            self.backoff.delay(failures - 1, None)
                        }
                    };
                    tracing::warn!(error = %error, wait_ms = wait.as_millis() as u64, "poll failed");
                    wait
                }
            };
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = &mut shutdown => return Ok(()),
            }
        }
    }
}

fn is_fatal(error: &Error) -> bool {
    matches!(
        error,
        Error::Service {
            code: ErrorCode::BrokerNotAuthorized | ErrorCode::NotAuthorized,
            ..
        } | Error::ServerCertificateRejected { .. }
            | Error::ServerCertificateUntrusted { .. }
            | Error::Key(_)
            | Error::Configuration(_)
            | Error::SenderNotSpecified
            | Error::Unsupported(_)
    )
}

/// Time from now until `at`, zero if it has passed.
fn until(at: OffsetDateTime) -> Duration {
    Duration::try_from(at - OffsetDateTime::now_utc()).unwrap_or(Duration::ZERO)
}
