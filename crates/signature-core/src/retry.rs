//! How often and how patiently an adapter retries idempotent calls: bounded, exponential,
//! jittered, and honouring a service's `Retry-After` up to a limit.
//!
//! Which calls are idempotent, and which failures are worth another try, is each adapter's
//! business (a lost answer to "create a job" may hide a job the service did create); this is
//! only the schedule, so both adapters wait the same way.

use std::time::Duration;

/// How often and how patiently idempotent calls are retried.
///
/// ```
/// use signature_core::RetryPolicy;
/// use std::time::Duration;
/// let policy = RetryPolicy::new(2, Duration::from_millis(100), Duration::from_secs(1));
/// assert_eq!(policy.max_retries(), 2);
/// assert!(policy.delay(5, None) <= Duration::from_secs(1));
/// // A Retry-After the service sent is followed, up to the policy's longest wait.
/// assert_eq!(policy.delay(0, Some(Duration::from_secs(30))), Duration::from_secs(1));
/// assert_eq!(RetryPolicy::none().max_retries(), 0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    max_retries: u32,
    initial: Duration,
    max: Duration,
}

impl Default for RetryPolicy {
    /// Two retries, starting at 250 ms, never waiting more than 10 s (also for a longer
    /// `Retry-After`, which an adapter then reports rather than stalling on it).
    fn default() -> Self {
        Self::new(2, Duration::from_millis(250), Duration::from_secs(10))
    }
}

impl RetryPolicy {
    /// Up to `max_retries` retries; the n-th waits a random time between half and all of
    /// `initial · 2ⁿ`, capped at `max`, or the service's `Retry-After` capped at `max`.
    pub fn new(max_retries: u32, initial: Duration, max: Duration) -> Self {
        Self {
            max_retries,
            initial,
            max,
        }
    }

    /// Never retry.
    pub fn none() -> Self {
        Self::new(0, Duration::ZERO, Duration::ZERO)
    }

    /// How many retries follow a failed first attempt.
    pub fn max_retries(&self) -> u32 {
        self.max_retries
    }

    /// The longest single wait.
    pub fn max_delay(&self) -> Duration {
        self.max
    }

    /// The wait before retry number `retry` (from 0), given the service's `Retry-After`, if
    /// it sent one.
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(wait) = retry_after {
            return wait.min(self.max);
        }
        let exponential = self
            .initial
            .saturating_mul(2u32.saturating_pow(retry.min(16)))
            .min(self.max);
        // Jitter keeps many clients that failed together from retrying together.
        exponential.mul_f64(0.5 + fastrand::f64() * 0.5)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_and_stay_bounded() {
        let policy = RetryPolicy::new(10, Duration::from_millis(100), Duration::from_secs(2));
        for retry in 0..10 {
            let cap = (Duration::from_millis(100) * 2u32.pow(retry)).min(Duration::from_secs(2));
            let d = policy.delay(retry, None);
            assert!(
                d >= cap / 2 && d <= cap,
                "retry {retry}: {d:?} vs cap {cap:?}"
            );
        }
        assert!(policy.delay(u32::MAX, None) <= Duration::from_secs(2));
        assert_eq!(
            policy.delay(0, Some(Duration::from_millis(300))),
            Duration::from_millis(300)
        );
        assert_eq!(
            policy.delay(0, Some(Duration::from_secs(30))),
            Duration::from_secs(2)
        );
    }
}
