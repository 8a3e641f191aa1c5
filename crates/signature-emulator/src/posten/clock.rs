//! The emulator's clock for everything a job's life depends on: activation, each signer's
//! deadline, the 24 hours before documents may be deleted, the 40 days they are kept.
//!
//! It runs with real time plus an offset that the control API can move forward, so a test
//! sees in a second what the service does over days. Only forward: a job's history never
//! runs backwards. HTTP-level timing (the permitted poll time a client waits for, the rate
//! limit) is real time: the poll-time header is translated back with [`Clock::to_real_ms`].

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use time::OffsetDateTime;

/// Real time plus an offset that only grows.
#[derive(Debug, Default)]
pub(crate) struct Clock {
    offset_ms: AtomicI64,
}

/// Milliseconds since the epoch, real time.
fn real_now_ms() -> i64 {
    i64::try_from(OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000).unwrap_or(0)
}

impl Clock {
    /// The emulated instant, in milliseconds since the epoch.
    pub(crate) fn now_ms(&self) -> i64 {
        real_now_ms().saturating_add(self.offset_ms.load(Ordering::SeqCst))
    }

    /// Moves the clock forward by `by`; returns the new emulated instant.
    pub(crate) fn advance(&self, by: Duration) -> i64 {
        let by = i64::try_from(by.as_millis()).unwrap_or(i64::MAX / 4);
        self.offset_ms.fetch_add(by, Ordering::SeqCst);
        self.now_ms()
    }

    /// How far the clock is ahead of real time.
    pub(crate) fn offset(&self) -> Duration {
        Duration::from_millis(u64::try_from(self.offset_ms.load(Ordering::SeqCst)).unwrap_or(0))
    }

    /// An emulated instant as the real instant a client can wait for.
    pub(crate) fn to_real_ms(&self, emulated_ms: i64) -> i64 {
        emulated_ms.saturating_sub(self.offset_ms.load(Ordering::SeqCst))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_moves_emulated_time_and_translates_back() {
        let clock = Clock::default();
        let before = clock.now_ms();
        let after = clock.advance(Duration::from_secs(86_400));
        assert!(after - before >= 86_400_000);
        assert_eq!(clock.offset(), Duration::from_secs(86_400));
        assert_eq!(clock.to_real_ms(after) + 86_400_000, after);
    }
}
