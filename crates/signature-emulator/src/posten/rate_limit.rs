//! The service's rate limit: "a maximum of 10 API calls per second per organization number.
//! If a sender exceeds this limit, the API will return HTTP 429 Too Many Requests, and the
//! sender will be blocked for 30 seconds" (signering-docs, "Create signature request",
//! Speed). The service does this with Jetty's DoSFilter, whose blocked answers carry a
//! `DoSFilter` header and no permitted poll time (the official .NET client's
//! `DosFilterHeaderBlockingKey` and `DosFilterBlockingPeriod`).
//!
//! Counted per organization of the client certificate, over a sliding second, in real time.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How many calls an organization may make, and how long it is blocked after exceeding that.
///
/// ```
/// use std::time::Duration;
/// use signature_emulator::posten::RateLimit;
/// let service = RateLimit::default();
/// assert_eq!(service.calls_per_second(), 10);
/// assert_eq!(service.block(), Duration::from_secs(30));
/// let quick = RateLimit::new(5, Duration::from_millis(500));
/// assert_eq!(quick.calls_per_second(), 5);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    calls_per_second: u32,
    block: Duration,
}

impl Default for RateLimit {
    /// The service's: 10 calls per second, a 30-second block.
    fn default() -> Self {
        Self::new(10, Duration::from_secs(30))
    }
}

impl RateLimit {
    /// `calls_per_second` calls in any second are allowed (at least 1); one more blocks the
    /// organization for `block`.
    pub fn new(calls_per_second: u32, block: Duration) -> Self {
        Self {
            calls_per_second: calls_per_second.max(1),
            block,
        }
    }

    /// Calls allowed in any second.
    pub fn calls_per_second(&self) -> u32 {
        self.calls_per_second
    }

    /// How long an organization is blocked after exceeding the limit.
    pub fn block(&self) -> Duration {
        self.block
    }
}

#[derive(Debug, Default)]
struct Window {
    calls: VecDeque<Instant>,
    blocked_until: Option<Instant>,
}

/// Per-organization windows under a limit that the control API may change or turn off.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    limit: Mutex<Option<RateLimit>>,
    windows: Mutex<HashMap<String, Window>>,
}

impl RateLimiter {
    pub(crate) fn new(limit: Option<RateLimit>) -> Self {
        Self {
            limit: Mutex::new(limit),
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Replaces the limit (`None`: no limit) and forgets every window and block.
    pub(crate) fn set(&self, limit: Option<RateLimit>) {
        *self.limit.lock().unwrap_or_else(|e| e.into_inner()) = limit;
        self.windows
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// Counts a call of `organization` at `now`; false when it is to be refused.
    pub(crate) fn admit(&self, organization: &str, now: Instant) -> bool {
        let Some(limit) = *self.limit.lock().unwrap_or_else(|e| e.into_inner()) else {
            return true;
        };
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        let window = windows.entry(organization.to_owned()).or_default();
        if let Some(until) = window.blocked_until {
            if now < until {
                return false;
            }
            window.blocked_until = None;
            window.calls.clear();
        }
        while window
            .calls
            .front()
            .is_some_and(|&t| now.duration_since(t) >= Duration::from_secs(1))
        {
            window.calls.pop_front();
        }
        window.calls.push_back(now);
        if window.calls.len() > limit.calls_per_second as usize {
            window.blocked_until = Some(now + limit.block);
            return false;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_eleventh_call_in_a_second_blocks_for_the_block_period() {
        let limiter = RateLimiter::new(Some(RateLimit::default()));
        let start = Instant::now();
        for i in 0..10 {
            assert!(limiter.admit("123456785", start + Duration::from_millis(i * 10)));
        }
        assert!(!limiter.admit("123456785", start + Duration::from_millis(200)));
        // Other organizations are counted apart.
        assert!(limiter.admit("987654325", start + Duration::from_millis(200)));
        // Blocked for 30 seconds, however slowly it calls.
        assert!(!limiter.admit("123456785", start + Duration::from_secs(20)));
        assert!(limiter.admit("123456785", start + Duration::from_secs(31)));
    }

    #[test]
    fn ten_calls_per_second_forever_are_fine() {
        let limiter = RateLimiter::new(Some(RateLimit::default()));
        let start = Instant::now();
        for i in 0..100 {
            assert!(limiter.admit("123456785", start + Duration::from_millis(i * 100)));
        }
    }

    #[test]
    fn no_limit_admits_everything() {
        let limiter = RateLimiter::new(None);
        let now = Instant::now();
        assert!((0..1000).all(|_| limiter.admit("123456785", now)));
    }
}
