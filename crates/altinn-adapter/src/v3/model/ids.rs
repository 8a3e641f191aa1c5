//! Instance ids and references to an app's instance found elsewhere (a dialog).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::Error;
use crate::v3::environment::AppId;

/// An app instance's id: the owner's party id and the instance GUID, written
/// `"{partyId}/{instanceGuid}"`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InstanceId {
    party_id: u64,
    guid: String,
}

fn is_guid(text: &str) -> bool {
    text.len() == 36
        && text.char_indices().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

impl InstanceId {
    /// The instance `guid` owned by the party `party_id`.
    ///
    /// # Errors
    ///
    /// [`Error::UnexpectedResponse`] if `guid` is not a GUID.
    pub fn new(party_id: u64, guid: &str) -> Result<Self, Error> {
        if !is_guid(guid) {
            return Err(Error::UnexpectedResponse(format!(
                "{guid:?} is not an instance GUID"
            )));
        }
        Ok(Self {
            party_id,
            guid: guid.to_ascii_lowercase(),
        })
    }

    /// Parses `"{partyId}/{instanceGuid}"`.
    ///
    /// # Errors
    ///
    /// [`Error::UnexpectedResponse`] if it is not of that form.
    pub fn parse(id: &str) -> Result<Self, Error> {
        let invalid = || Error::UnexpectedResponse(format!("{id:?} is not an instance id"));
        let (party, guid) = id.trim().split_once('/').ok_or_else(invalid)?;
        let party_id = party.parse().map_err(|_| invalid())?;
        Self::new(party_id, guid).map_err(|_| invalid())
    }

    /// The owner's party id.
    pub fn party_id(&self) -> u64 {
        self.party_id
    }

    /// The instance GUID (lower case).
    pub fn guid(&self) -> &str {
        &self.guid
    }

    /// Dialogporten's reference to the instance: `urn:altinn:instance-id:{partyId}/{guid}`
    /// (the `instanceRef` of `dialoglookup`).
    pub fn urn(&self) -> String {
        format!("urn:altinn:instance-id:{self}")
    }
}

impl fmt::Display for InstanceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.party_id, self.guid)
    }
}

impl<'de> Deserialize<'de> for InstanceId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl Serialize for InstanceId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// An app instance as found from elsewhere (a dialog, a job id): the app and the instance.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct InstanceRef {
    /// The app.
    pub app: AppId,
    /// The instance.
    pub id: InstanceId,
}

impl fmt::Display for InstanceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.app, self.id)
    }
}

impl InstanceRef {
    /// Parses `"{org}/{app}/{partyId}/{instanceGuid}"` (how the CLI and the
    /// `SignatureService` name an instance).
    ///
    /// # Errors
    ///
    /// [`Error::Configuration`] or [`Error::UnexpectedResponse`] for any other shape.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let mut parts = text.trim().splitn(3, '/');
        match (parts.next(), parts.next(), parts.next()) {
            (Some(org), Some(app), Some(instance)) => Ok(Self {
                app: AppId::new(org, app)?,
                id: InstanceId::parse(instance)?,
            }),
            _ => Err(Error::config(format!(
                "{text:?} is not an instance: expected org/app/partyId/instanceGuid"
            ))),
        }
    }

    /// Reads an app API URL, `https://{org}.apps…/{org}/{app}/instances/{partyId}/{guid}`
    /// (an emulator serves apps at `{base}{org}/{app}/`). A Storage URL is not an app URL:
    /// see [`from_storage_url`](Self::from_storage_url).
    pub fn from_app_url(url: &str) -> Option<Self> {
        let parsed = url::Url::parse(url).ok()?;
        let segments: Vec<&str> = parsed.path_segments()?.filter(|s| !s.is_empty()).collect();
        let at = segments.iter().position(|s| *s == "instances")?;
        if at < 2 || segments.len() < at + 3 {
            return None;
        }
        // `…/storage/api/v1/instances/…` would read as the app `api/v1`.
        if at >= 3 && segments[at - 3] == "storage" && segments[at - 2] == "api" {
            return None;
        }
        Some(Self {
            app: AppId::new(segments[at - 2], segments[at - 1]).ok()?,
            id: InstanceId::new(segments[at + 1].parse().ok()?, segments[at + 2]).ok()?,
        })
    }

    /// Reads a Storage URL, `https://platform…/storage/api/v1/instances/{partyId}/{guid}`,
    /// which names no app; the app comes from the dialog's service resource.
    pub fn from_storage_url(url: &str, app: &AppId) -> Option<Self> {
        let parsed = url::Url::parse(url).ok()?;
        let segments: Vec<&str> = parsed.path_segments()?.filter(|s| !s.is_empty()).collect();
        let at = segments
            .windows(4)
            .position(|w| w == ["storage", "api", "v1", "instances"])?
            + 3;
        Some(Self {
            app: app.clone(),
            id: InstanceId::new(segments.get(at + 1)?.parse().ok()?, segments.get(at + 2)?).ok()?,
        })
    }

    /// Reads the `#/instance/{partyId}/{guid}` fragment of an app's browser URL, directly or
    /// inside a login link's percent-encoded `goto`.
    pub fn from_goto_url(url: &str, app: &AppId) -> Option<Self> {
        let decoded = percent_decode(url);
        let (_, tail) = decoded.split_once("#/instance/")?;
        let mut parts = tail.split('/');
        let party = parts.next()?.parse().ok()?;
        let guid = parts.next()?.get(..36)?;
        Some(Self {
            app: app.clone(),
            id: InstanceId::new(party, guid).ok()?,
        })
    }
}

fn percent_decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", text.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const GUID: &str = "0b7d7c3e-8c1e-4a55-9e7d-3f1a2b3c4d5e";

    #[test]
    fn instance_ids() {
        let id = InstanceId::parse(&format!("50001234/{GUID}")).unwrap();
        assert_eq!(id.party_id(), 50_001_234);
        assert_eq!(id.to_string(), format!("50001234/{GUID}"));
        assert_eq!(id.urn(), format!("urn:altinn:instance-id:50001234/{GUID}"));
        assert!(InstanceId::parse("50001234").is_err());
        assert!(InstanceId::parse("x/0b7d7c3e").is_err());
        assert!(InstanceId::parse(&format!("1/{GUID}x")).is_err());
        let from_json: InstanceId = serde_json::from_str(&format!("\"7/{GUID}\"")).unwrap();
        assert_eq!(from_json.party_id(), 7);
        assert!(serde_json::from_str::<InstanceId>("\"7\"").is_err());
    }

    #[test]
    fn references_from_app_storage_and_goto_urls() {
        let app = AppId::parse("ttd/signing-demo").unwrap();
        let by_app = InstanceRef::from_app_url(&format!(
            "https://ttd.apps.tt02.altinn.no/ttd/other-app/instances/7/{GUID}"
        ))
        .unwrap();
        assert_eq!(by_app.app.app(), "other-app");
        let storage = format!("https://platform.tt02.altinn.no/storage/api/v1/instances/7/{GUID}");
        assert_eq!(InstanceRef::from_app_url(&storage), None);
        let archived = InstanceRef::from_storage_url(&storage, &app).unwrap();
        assert_eq!(archived.app, app);
        assert_eq!(archived.id.party_id(), 7);
        let goto = format!(
            "https://platform.tt02.altinn.no/authentication/api/v1/authentication?goto=https%3A%2F%2Fttd.apps.tt02.altinn.no%2Fttd%2Fsigning-demo%2F%3FdontChooseReportee%3Dtrue%23%2Finstance%2F50001234%2F{GUID}"
        );
        let found = InstanceRef::from_goto_url(&goto, &app).unwrap();
        assert_eq!(found.id.to_string(), format!("50001234/{GUID}"));
        let parsed = InstanceRef::parse(&format!("ttd/signing-demo/7/{GUID}")).unwrap();
        assert_eq!(parsed.to_string(), format!("ttd/signing-demo/7/{GUID}"));
        assert!(InstanceRef::parse("ttd/signing-demo").is_err());
    }
}
