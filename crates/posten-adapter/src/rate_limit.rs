//! A client-side token bucket that keeps the client under the service's rate limit.
//!
//! Posten signering allows about 10 calls per second per organization and blocks an
//! organization that exceeds it for 30 seconds (Jetty's DoSFilter). Staying under the limit
//! is cheaper than being blocked, so every call — polls, status queries, downloads — first
//! takes a token. The limit is per [`Client`](crate::Client) (clones share it); several
//! processes of one organization must divide the budget between them.

use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

/// How many calls per second the client may make, with how large a burst.
///
/// ```
/// use posten_adapter::RateLimit;
/// let limit = RateLimit::per_second(5).burst(2);
/// assert_eq!(limit.calls_per_second(), 5);
/// assert_eq!(RateLimit::default().calls_per_second(), 8);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    per_second: u32,
    burst: u32,
}

impl Default for RateLimit {
    /// 8 calls per second, burst of 8: below the service's 10 per second, leaving room for
    /// clock skew and for other tools of the same organization.
    fn default() -> Self {
        Self::per_second(8)
    }
}

impl RateLimit {
    /// `calls` per second (at least 1), with a burst of the same size.
    pub fn per_second(calls: u32) -> Self {
        let calls = calls.max(1);
        Self {
            per_second: calls,
            burst: calls,
        }
    }

    /// How many calls may go out back to back after an idle period (at least 1).
    #[must_use]
    pub fn burst(mut self, burst: u32) -> Self {
        self.burst = burst.max(1);
        self
    }

    /// The sustained rate.
    pub fn calls_per_second(&self) -> u32 {
        self.per_second
    }
}

/// The shared bucket. Each call reserves a token, possibly in the future, and sleeps until
/// then; reservations are handed out in order, so waiting callers are served first come,
/// first served.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    limit: RateLimit,
    state: Mutex<Bucket>,
}

#[derive(Debug)]
struct Bucket {
    /// Tokens available at `at`; negative when reservations are queued.
    tokens: f64,
    at: Instant,
}

impl RateLimiter {
    pub(crate) fn new(limit: RateLimit) -> Self {
        Self {
            limit,
            state: Mutex::new(Bucket {
                tokens: f64::from(limit.burst),
                at: Instant::now(),
            }),
        }
    }

    /// Waits until a call may go out.
    pub(crate) async fn acquire(&self) {
        let wait = {
            let mut bucket = self.state.lock().await;
            let now = Instant::now();
            let rate = f64::from(self.limit.per_second);
            let refilled = bucket.tokens + now.duration_since(bucket.at).as_secs_f64() * rate;
            bucket.tokens = refilled.min(f64::from(self.limit.burst)) - 1.0;
            bucket.at = now;
            if bucket.tokens >= 0.0 {
                Duration::ZERO
            } else {
                Duration::from_secs_f64(-bucket.tokens / rate)
            }
        };
        if !wait.is_zero() {
            tracing::debug!(wait_ms = wait.as_millis() as u64, "client-side rate limit");
            tokio::time::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn never_exceeds_the_rate_after_the_burst() {
        let limiter = RateLimiter::new(RateLimit::per_second(10).burst(3));
        let start = Instant::now();
        let mut times = Vec::new();
        for _ in 0..23 {
            limiter.acquire().await;
            times.push(start.elapsed());
        }
        // 3 at once, then one every 100 ms: the 23rd after 2 s.
        assert!(times[2] < Duration::from_millis(1));
        assert!(times[3] >= Duration::from_millis(99));
        assert!(times[22] >= Duration::from_millis(1999), "{:?}", times[22]);
        // In any one-second window at most burst + rate calls.
        for (i, t) in times.iter().enumerate() {
            let in_window = times[i..]
                .iter()
                .filter(|u| **u < *t + Duration::from_secs(1))
                .count();
            assert!(in_window <= 13, "window from {t:?} holds {in_window}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_callers_share_the_budget() {
        let limiter = std::sync::Arc::new(RateLimiter::new(RateLimit::per_second(5).burst(1)));
        let start = Instant::now();
        let tasks: Vec<_> = (0..10)
            .map(|_| {
                let limiter = limiter.clone();
                tokio::spawn(async move {
                    limiter.acquire().await;
                    start.elapsed()
                })
            })
            .collect();
        let mut last = Duration::ZERO;
        for task in tasks {
            last = last.max(task.await.unwrap());
        }
        // 1 immediately, 9 more at 200 ms intervals.
        assert!(last >= Duration::from_millis(1799), "{last:?}");
    }
}
