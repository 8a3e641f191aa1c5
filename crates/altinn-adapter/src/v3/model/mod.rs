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

    /// Reads `T` from `required` with the `optional` fields absent and again with them
    /// `null`: both must read alike, and as `None` (written back as `null` or left out). This
    /// is why the `Option` fields need no `#[serde(default)]`.
    fn absent_and_null_read_as_none<T>(required: serde_json::Value, optional: &[&str])
    where
        T: serde::de::DeserializeOwned + serde::Serialize + PartialEq + fmt::Debug,
    {
        let absent: T = serde_json::from_value(required.clone()).unwrap();
        let mut nulls = required;
        for name in optional {
            nulls[*name] = serde_json::Value::Null;
        }
        let null: T = serde_json::from_value(nulls).unwrap();
        assert_eq!(absent, null);
        let written = serde_json::to_value(&absent).unwrap();
        for name in optional {
            assert!(written[*name].is_null(), "{name}: {written}");
        }
    }

    #[test]
    fn absent_and_null_optional_fields_read_as_none() {
        use serde_json::json;
        let guid = "0a6f3a37-3b36-4c2e-9f3a-5d1c9f1a2b3c";
        absent_and_null_read_as_none::<ActionError>(json!({}), &["code", "message"]);
        absent_and_null_read_as_none::<ActionResult>(
            json!({}),
            &["instance", "redirectUrl", "error"],
        );
        absent_and_null_read_as_none::<LocalizedText>(json!({}), &["mediaType"]);
        absent_and_null_read_as_none::<DialogContent>(
            json!({}),
            &["title", "summary", "senderName"],
        );
        absent_and_null_read_as_none::<GuiAction>(
            json!({}),
            &[
                "id",
                "url",
                "authorizationAttribute",
                "priority",
                "httpMethod",
            ],
        );
        absent_and_null_read_as_none::<ApiEndpoint>(
            json!({}),
            &["id", "url", "httpMethod", "version"],
        );
        absent_and_null_read_as_none::<ApiAction>(json!({}), &["id", "name"]);
        absent_and_null_read_as_none::<Dialog>(
            json!({"id": guid}),
            &[
                "org",
                "serviceResource",
                "serviceResourceType",
                "party",
                "status",
                "content",
            ],
        );
        absent_and_null_read_as_none::<DialogPage>(json!({}), &["continuationToken", "orderBy"]);
        absent_and_null_read_as_none::<LookupServiceOwner>(json!({}), &["code", "orgNumber"]);
        absent_and_null_read_as_none::<LookupServiceResource>(
            json!({}),
            &["id", "minimumAuthenticationLevel"],
        );
        absent_and_null_read_as_none::<LookupAuthorization>(
            json!({}),
            &["currentAuthenticationLevel"],
        );
        absent_and_null_read_as_none::<DialogLookup>(
            json!({"dialogId": guid}),
            &["instanceRef", "party", "serviceOwner", "serviceResource"],
        );
        absent_and_null_read_as_none::<ResourceLinks>(json!({}), &["apps", "platform"]);
        absent_and_null_read_as_none::<DataElement>(
            json!({"id": guid, "dataType": "ref-data-as-pdf"}),
            &[
                "instanceGuid",
                "filename",
                "contentType",
                "selfLinks",
                "size",
            ],
        );
        absent_and_null_read_as_none::<InstanceOwnerInfo>(
            json!({}),
            &["partyId", "personNumber", "organisationNumber", "username"],
        );
        absent_and_null_read_as_none::<Instance>(
            json!({"id": format!("50001/{guid}"), "instanceOwner": {}, "appId": "ttd/app"}),
            &["org", "selfLinks", "process"],
        );
        absent_and_null_read_as_none::<InstancePage>(json!({}), &["count", "next"]);
        // All members absent: the flags read as false, as they did field by field.
        absent_and_null_read_as_none::<InstanceStatus>(json!({}), &["archived"]);
        assert_eq!(
            serde_json::from_value::<InstanceStatus>(json!({})).unwrap(),
            InstanceStatus::default()
        );
        assert_eq!(
            serde_json::from_value::<LookupAuthorization>(json!({})).unwrap(),
            LookupAuthorization::default()
        );
        absent_and_null_read_as_none::<ProcessTask>(
            json!({"elementId": "Task_1"}),
            &["name", "flow", "flowType", "elementType"],
        );
        absent_and_null_read_as_none::<ProcessTaskInfo>(
            json!({"elementId": "Task_1"}),
            &["elementType"],
        );
        absent_and_null_read_as_none::<ProcessState>(
            json!({}),
            &["startEvent", "currentTask", "endEvent"],
        );
        absent_and_null_read_as_none::<SigneeState>(
            json!({"partyId": 50001}),
            &["name", "organization", "notificationStatus"],
        );
        absent_and_null_read_as_none::<Signee>(
            json!({}),
            &[
                "userId",
                "systemUserId",
                "personNumber",
                "organisationNumber",
            ],
        );
        absent_and_null_read_as_none::<DataElementSignature>(
            json!({"dataElementId": guid}),
            &["sha256Hash"],
        );
        absent_and_null_read_as_none::<SignDocument>(
            json!({"signee": {}}),
            &["id", "instanceGuid"],
        );
    }
}
