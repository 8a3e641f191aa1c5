//! A client-side limiter that keeps the client under the service's rate limit.
//!
//! Posten signering allows 10 calls per second per organization and blocks an organization
//! that exceeds it for 30 seconds (signering-docs, "Create signature request"; Jetty's
//! DoSFilter, which counts the calls of any one-second window). Staying under the limit is
//! cheaper than being blocked, so every call — polls, status queries, downloads — first takes
//! a slot. The limiter counts the same way the service does: at most `per_second` calls in
//! any one-second window (a token bucket would let `burst + rate` calls into one second,
//! enough to be blocked). The limit is per [`Client`](crate::Client) (clones share it);
//! several processes of one organization must divide the budget between them.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

/// How many calls the client may make in any one-second window, and how many of them back
/// to back.
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
    /// 8 calls in any second: below the service's 10, leaving room for clock skew and for
    /// other tools of the same organization.
    fn default() -> Self {
        Self::per_second(8)
    }
}

impl RateLimit {
    /// At most `calls` (at least 1) in any one-second window, all of them back to back if
    /// need be.
    pub fn per_second(calls: u32) -> Self {
        let calls = calls.max(1);
        Self {
            per_second: calls,
            burst: calls,
        }
    }

    /// At most `burst` calls (at least 1, at most the rate) in any `burst / rate` seconds:
    /// smaller bursts spread the calls more evenly.
    #[must_use]
    pub fn burst(mut self, burst: u32) -> Self {
        self.burst = burst.clamp(1, self.per_second);
        self
    }

    /// The calls allowed in any second.
    pub fn calls_per_second(&self) -> u32 {
        self.per_second
    }
}

/// The shared window. Each call reserves a slot, possibly in the future, and sleeps until
/// then; reservations are handed out in order, so waiting callers are served first come,
/// first served.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    limit: RateLimit,
    /// Times of the latest reservations, oldest first (at most `per_second` kept).
    slots: Mutex<VecDeque<Instant>>,
}

impl RateLimiter {
    pub(crate) fn new(limit: RateLimit) -> Self {
        Self {
            limit,
            slots: Mutex::new(VecDeque::new()),
        }
    }

    /// Waits until a call may go out.
    pub(crate) async fn acquire(&self) {
        let at = {
            let mut slots = self.slots.lock().await;
            let at = self.next_slot(&slots, Instant::now());
            slots.push_back(at);
            while slots.len() > self.limit.per_second as usize {
                slots.pop_front();
            }
            at
        };
        let wait = at.saturating_duration_since(Instant::now());
        if !wait.is_zero() {
            tracing::debug!(wait_ms = wait.as_millis() as u64, "client-side rate limit");
            tokio::time::sleep_until(at).await;
        }
    }

    /// The earliest instant from `now` at which one more call keeps both windows: `rate`
    /// calls per second, `burst` calls per `burst / rate` seconds.
    fn next_slot(&self, slots: &VecDeque<Instant>, now: Instant) -> Instant {
        let rate = self.limit.per_second as usize;
        let burst = self.limit.burst as usize;
        let mut at = slots.back().map_or(now, |&last| last.max(now));
        let window = |calls: usize, span: Duration, at: Instant| {
            (slots.len() >= calls)
                .then(|| slots[slots.len() - calls] + span)
                .map_or(at, |free| free.max(at))
        };
        at = window(rate, Duration::from_secs(1), at);
        window(
            burst,
            Duration::from_secs_f64(burst as f64 / rate as f64),
            at,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// When each of `calls` acquisitions from a fresh limiter of `limit` went through, from the
    /// first.
    async fn acquire_times(limit: RateLimit, calls: usize) -> Vec<Duration> {
        let limiter = RateLimiter::new(limit);
        let start = Instant::now();
        let mut times = Vec::new();
        for _ in 0..calls {
            limiter.acquire().await;
            times.push(start.elapsed());
        }
        times
    }

    /// The most calls of `times` in any window `[t, t + span)`.
    fn fullest_window(times: &[Duration], span: Duration) -> usize {
        times
            .iter()
            .enumerate()
            .map(|(i, t)| times[i..].iter().filter(|u| **u < *t + span).count())
            .max()
            .unwrap_or(0)
    }

    #[tokio::test(start_paused = true)]
    async fn never_more_than_the_rate_in_any_second_as_the_service_counts() {
        let times = acquire_times(RateLimit::per_second(10).burst(3), 23).await;
        // 3 at once, then spaced so that no 300 ms hold more than 3.
        assert!(times[2] < Duration::from_millis(1));
        assert!(times[3] >= Duration::from_millis(299), "{:?}", times[3]);
        assert_eq!(fullest_window(&times, Duration::from_secs(1)), 10);
        assert_eq!(fullest_window(&times, Duration::from_millis(300)), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn the_default_stays_under_the_services_ten_per_second() {
        let times = acquire_times(RateLimit::default(), 40).await;
        // A burst of 8 at once, then 8 per second: never 11 (nor 9) in one second.
        assert!(times[7] < Duration::from_millis(1));
        assert_eq!(fullest_window(&times, Duration::from_secs(1)), 8);
        assert!(times[39] >= Duration::from_secs(4), "{:?}", times[39]);
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
