//! Where the signing time comes from, so that tests and reproducible builds can fix it.

use time::OffsetDateTime;

/// Source of the signing time written into `SigningTime` and used for the zip timestamps.
///
/// ```
/// use asice::{Clock, FixedClock};
/// use time::macros::datetime;
/// let clock = FixedClock(datetime!(2018-11-29 09:15 +01:00));
/// assert_eq!(clock.now(), datetime!(2018-11-29 08:15 UTC));
/// ```
pub trait Clock {
    /// The current time, in the offset that `SigningTime` should show.
    fn now(&self) -> OffsetDateTime;
}

/// The system clock, in UTC.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock that always returns the same instant.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub OffsetDateTime);

impl Clock for FixedClock {
    fn now(&self) -> OffsetDateTime {
        self.0
    }
}

/// xs:dateTime the way the official Java client prints it: the clock's offset (`Z` for UTC),
/// milliseconds only when they are not zero.
pub(crate) fn format_signing_time(t: OffsetDateTime) -> String {
    let mut s = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    let ms = t.millisecond();
    if ms != 0 {
        s.push_str(&format!(".{ms:03}"));
    }
    let (h, m, _) = t.offset().as_hms();
    if h == 0 && m == 0 {
        s.push('Z');
    } else {
        let sign = if h < 0 || m < 0 { '-' } else { '+' };
        s.push_str(&format!(
            "{sign}{:02}:{:02}",
            h.unsigned_abs(),
            m.unsigned_abs()
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn signing_time_forms() {
        assert_eq!(
            format_signing_time(datetime!(2018-11-29 09:15 +01:00)),
            "2018-11-29T09:15:00+01:00"
        );
        assert_eq!(
            format_signing_time(datetime!(2015-11-25 15:45:42.115 +01:00)),
            "2015-11-25T15:45:42.115+01:00"
        );
        assert_eq!(
            format_signing_time(datetime!(2020-01-02 03:04:05 UTC)),
            "2020-01-02T03:04:05Z"
        );
        assert_eq!(
            format_signing_time(datetime!(2020-01-02 03:04:05.5 -03:30)),
            "2020-01-02T03:04:05.500-03:30"
        );
    }
}
