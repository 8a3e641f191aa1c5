//! Altinn 3's JSON as serde models, by resource. Field names are the wire names of the
//! official OpenAPI documents (`../shared/reference/altinn3/`: the app API of app-lib v8.12,
//! Dialogporten's end-user API) and, for Storage, of its C# models; unknown fields are
//! ignored, `null` reads as absent, values the service may add later become `Unknown(..)`,
//! and a timestamp that is not one is an error, not a silent `None`.

mod action;
mod dialog;
mod ids;
mod instance;
mod process;
mod signing;

use std::fmt;

use serde::{Deserialize, Deserializer, Serializer};
use time::OffsetDateTime;
use time::format_description::well_known::{Iso8601, Rfc3339};

pub use action::{ActionError, ActionResult};
pub use dialog::{
    ApiAction, ApiEndpoint, Dialog, DialogContent, DialogLookup, DialogPage, DialogStatus,
    GuiAction, Localization, LocalizedText, LookupAuthorization, LookupServiceOwner,
    LookupServiceResource,
};
pub use ids::{InstanceId, InstanceRef};
pub use instance::{
    DataElement, Instance, InstanceOwnerInfo, InstancePage, InstanceStatus, ResourceLinks,
};
pub use process::{
    Action, ProcessState, ProcessTask, ProcessTaskInfo, TaskType, UserAction, UserActionType,
};
pub use signing::{
    AuthorizedOrganization, DataElementSignature, NotificationStatus, SignDocument, Signee,
    SigneeState, SigningState,
};

/// `null` or absent reads as the type's default (the services write `null` for empty lists).
pub(crate) fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// Reads a timestamp: RFC 3339, or ISO 8601 without an offset (what .NET writes for a
/// `DateTime` of unspecified kind), taken as UTC. Anything else is an error.
pub(crate) fn parse_timestamp(text: &str) -> Result<OffsetDateTime, String> {
    let text = text.trim();
    OffsetDateTime::parse(text, &Rfc3339)
        .or_else(|_| {
            time::PrimitiveDateTime::parse(text, &Iso8601::DEFAULT).map(|t| t.assume_utc())
        })
        .map_err(|_| format!("{text:?} is not an RFC 3339 timestamp"))
}

/// serde for `Option<OffsetDateTime>`: `null`/absent is `None`, an invalid timestamp an error.
pub(crate) mod timestamp {
    use super::*;

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<OffsetDateTime>, D::Error> {
        match Option::<std::borrow::Cow<'de, str>>::deserialize(d)? {
            None => Ok(None),
            Some(text) => parse_timestamp(&text)
                .map(Some)
                .map_err(serde::de::Error::custom),
        }
    }

    pub(crate) fn serialize<S: Serializer>(
        value: &Option<OffsetDateTime>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(t) => s.serialize_str(&t.format(&Rfc3339).map_err(serde::ser::Error::custom)?),
            None => s.serialize_none(),
        }
    }
}

/// Shows an identity number masked in `Debug`.
pub(crate) struct Masked<'a>(pub(crate) &'a Option<String>);

impl fmt::Debug for Masked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(
            &self.0.as_deref().map(crate::secret::mask_identity_numbers),
            f,
        )
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_as_the_services_write_them() {
        let t = parse_timestamp("2026-11-01T10:00:00.1234567Z").unwrap();
        assert_eq!(t.nanosecond(), 123_456_700);
        assert_eq!(
            parse_timestamp("2026-11-01T10:00:00+01:00")
                .unwrap()
                .unix_timestamp(),
            parse_timestamp("2026-11-01T09:00:00")
                .unwrap()
                .unix_timestamp()
        );
        assert!(parse_timestamp("yesterday").is_err());
        assert!(parse_timestamp("").is_err());
    }
}
