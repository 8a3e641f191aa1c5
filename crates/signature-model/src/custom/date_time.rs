use std::fmt;
use std::str::FromStr;

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};
use xsd_parser_types::quick_xml::{DeserializeBytesFromStr, SerializeBytesToString};

/// An `xs:dateTime` as the service writes it: a local date and time with an optional offset.
///
/// The service always sends an offset; a value without one is still accepted (the schema
/// allows it) and is taken as UTC by [`DateTime::to_offset_date_time`].
///
/// ```
/// use signature_model::custom::DateTime;
/// let t: DateTime = "2017-01-23T12:51:43+01:00".parse().unwrap();
/// assert_eq!(t.to_offset_date_time().unix_timestamp(), 1_485_172_303);
/// assert_eq!(t.to_string(), "2017-01-23T12:51:43+01:00");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DateTime {
    local: PrimitiveDateTime,
    offset: Option<UtcOffset>,
}

/// The text is not an `xs:dateTime`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an xs:dateTime (expected e.g. 2017-01-23T12:51:43+01:00)")]
pub struct DateTimeParseError;

impl DateTime {
    /// The instant, taking a value without offset as UTC.
    pub fn to_offset_date_time(&self) -> OffsetDateTime {
        self.local
            .assume_offset(self.offset.unwrap_or(UtcOffset::UTC))
    }

    /// The offset written in the value, if any.
    pub fn offset(&self) -> Option<UtcOffset> {
        self.offset
    }
}

impl From<OffsetDateTime> for DateTime {
    fn from(value: OffsetDateTime) -> Self {
        Self {
            local: PrimitiveDateTime::new(value.date(), value.time()),
            offset: Some(value.offset()),
        }
    }
}

impl FromStr for DateTime {
    type Err = DateTimeParseError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let value = value.trim();
        if let Ok(parsed) = OffsetDateTime::parse(value, &Rfc3339) {
            return Ok(parsed.into());
        }
        let local = PrimitiveDateTime::parse(
            value,
            format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]"
            ),
        )
        .map_err(|_| DateTimeParseError)?;
        Ok(Self {
            local,
            offset: None,
        })
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (date, time) = (self.local.date(), self.local.time());
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            date.year(),
            u8::from(date.month()),
            date.day(),
            time.hour(),
            time.minute(),
            time.second()
        )?;
        if time.millisecond() != 0 || time.nanosecond() != 0 {
            // Shortest exact fraction: milliseconds when that is exact, nanoseconds otherwise.
            if time.nanosecond() % 1_000_000 == 0 {
                write!(f, ".{:03}", time.millisecond())?;
            } else {
                write!(f, ".{:09}", time.nanosecond())?;
            }
        }
        match self.offset {
            None => Ok(()),
            Some(offset) if offset.is_utc() => f.write_str("Z"),
            Some(offset) => {
                let (hours, minutes, _) = offset.as_hms();
                let sign = if offset.is_negative() { '-' } else { '+' };
                write!(
                    f,
                    "{sign}{:02}:{:02}",
                    hours.unsigned_abs(),
                    minutes.unsigned_abs()
                )
            }
        }
    }
}

impl DeserializeBytesFromStr for DateTime {}
impl SerializeBytesToString for DateTime {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_the_forms_the_service_uses() {
        for text in [
            "2017-01-23T12:51:43+01:00",
            "2016-02-10T12:00:00+01:00",
            "2015-11-25T15:45:42.115+01:00",
            "2019-04-22T10:39:46.610-03:30",
            "2020-01-01T00:00:00Z",
            "2020-01-01T00:00:00",
        ] {
            let parsed: DateTime = text.parse().unwrap();
            assert_eq!(parsed.to_string(), text);
        }
    }

    #[test]
    fn missing_offset_is_taken_as_utc() {
        let parsed: DateTime = "2020-01-01T00:00:00".parse().unwrap();
        assert_eq!(parsed.offset(), None);
        assert_eq!(parsed.to_offset_date_time().unix_timestamp(), 1_577_836_800);
    }

    #[test]
    fn rejects_garbage() {
        for text in ["", "yesterday", "2020-13-01T00:00:00Z", "2020-01-01"] {
            assert!(text.parse::<DateTime>().is_err(), "{text}");
        }
    }
}
