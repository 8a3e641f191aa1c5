//! Retries of idempotent calls: bounded, exponential, jittered.
//!
//! Only GET requests (status queries, polls, downloads before their body started) are
//! retried, on connection errors and 5xx answers. Creating a job is never retried: a lost
//! answer may hide a job the service did create, and a blind retry would make a second one.

use std::time::Duration;

/// How often and how patiently idempotent calls are retried.
///
/// ```
/// use posten_adapter::RetryPolicy;
/// use std::time::Duration;
/// let policy = RetryPolicy::new(2, Duration::from_millis(100), Duration::from_secs(1));
/// assert_eq!(policy.max_retries(), 2);
/// assert!(policy.delay(5) <= Duration::from_secs(1));
/// assert_eq!(RetryPolicy::none().max_retries(), 0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    max_retries: u32,
    initial: Duration,
    max: Duration,
}

impl Default for RetryPolicy {
    /// Two retries, starting at 250 ms, never waiting more than 5 s.
    fn default() -> Self {
        Self::new(2, Duration::from_millis(250), Duration::from_secs(5))
    }
}

impl RetryPolicy {
    /// Up to `max_retries` retries; the n-th waits a random time between half and all of
    /// `initial · 2ⁿ`, capped at `max`.
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

    /// The wait before retry number `retry` (from 0).
    pub fn delay(&self, retry: u32) -> Duration {
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
            let d = policy.delay(retry);
            assert!(
                d >= cap / 2 && d <= cap,
                "retry {retry}: {d:?} vs cap {cap:?}"
            );
        }
        assert!(policy.delay(u32::MAX) <= Duration::from_secs(2));
    }
}
