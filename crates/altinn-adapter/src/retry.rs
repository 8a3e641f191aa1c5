//! Retries of idempotent calls: bounded, exponential, jittered, and patient with 429.
//!
//! The schedule is [`RetryPolicy`], shared with the Posten adapter through `signature_core`;
//! the loop here is the one both Altinn clients run.
//!
//! Only GETs are retried (reading instances, the process, the signing state, data, Storage,
//! Dialogporten, the token exchange, and Altinn 2's message box), on connection failures and
//! timeouts, and on 429, 502, 503 and 504 answers. `PUT …/process/next`, `POST …/actions`,
//! instantiation and Altinn 2's POSTs are never retried: a lost answer may hide a step the
//! service did take.

use std::future::Future;

pub use signature_core::RetryPolicy;

use crate::error::Error;

/// Runs `attempt` and repeats it on transient failures as `policy` says. A `Retry-After`
/// longer than the policy's longest wait fails at once rather than stalling the caller.
/// `service` names the API in the debug log ("Altinn 2", "Altinn 3").
pub(crate) async fn with_retries<T, F, Fut>(
    policy: RetryPolicy,
    service: &str,
    attempt: F,
) -> Result<T, Error>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    let mut retry = 0;
    loop {
        match attempt().await {
            Err(error)
                if error.is_transient()
                    && retry < policy.max_retries()
                    && error
                        .retry_after()
                        .is_none_or(|asked| asked <= policy.max_delay()) =>
            {
                let wait = policy.delay(retry, error.retry_after());
                tracing::debug!(retry, ?wait, %error, "retrying an {service} GET");
                tokio::time::sleep(wait).await;
                retry += 1;
            }
            other => return other,
        }
    }
}
