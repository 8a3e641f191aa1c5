//! App instances and their data elements (Storage's `Instance`, the app's
//! `InstanceResponse`, `DataElement`, and the Storage query's `QueryResponse<Instance>`).

use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::ids::InstanceId;
use super::process::ProcessState;
use super::{Masked, null_as_default, timestamp};

/// Where a resource lives (`selfLinks`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ResourceLinks {
    /// Its address in the app.
    pub apps: Option<String>,
    /// Its address in Storage.
    pub platform: Option<String>,
}

/// A data element of an instance (a form model, a document, a signature).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DataElement {
    /// Its GUID.
    pub id: String,
    /// The instance's GUID.
    pub instance_guid: Option<String>,
    /// Its data type id (`model`, `document`, `ref-data-as-pdf`, `signatures`).
    #[serde(default, deserialize_with = "null_as_default")]
    pub data_type: String,
    /// Its file name.
    pub filename: Option<String>,
    /// Its content type.
    pub content_type: Option<String>,
    /// Where it lives.
    pub self_links: Option<ResourceLinks>,
    /// Its size in bytes.
    pub size: Option<u64>,
    /// Whether it is locked (for example after signing).
    #[serde(default)]
    pub locked: bool,
    /// Whether the instance owner has read it.
    #[serde(default)]
    pub is_read: bool,
    /// Its tags.
    #[serde(default, deserialize_with = "null_as_default")]
    pub tags: Vec<String>,
    /// When it was created.
    #[serde(default, with = "timestamp")]
    pub created: Option<OffsetDateTime>,
    /// When it was last changed.
    #[serde(default, with = "timestamp")]
    pub last_changed: Option<OffsetDateTime>,
}

impl DataElement {
    /// Its address in the app, if given.
    pub fn app_url(&self) -> Option<&str> {
        self.self_links.as_ref()?.apps.as_deref()
    }

    /// Its address in Storage, if given.
    pub fn platform_url(&self) -> Option<&str> {
        self.self_links.as_ref()?.platform.as_deref()
    }
}

/// Whom an instance belongs to. The identity number is masked in `Debug`.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct InstanceOwnerInfo {
    /// The owner's party id (a string on the wire).
    pub party_id: Option<String>,
    /// A person owner's identity number (personal data: do not log).
    pub person_number: Option<String>,
    /// An organisation owner's number (Storage spells it `organisationNumber`).
    pub organisation_number: Option<String>,
    /// A self-registered user's name.
    pub username: Option<String>,
}

impl fmt::Debug for InstanceOwnerInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InstanceOwnerInfo")
            .field("party_id", &self.party_id)
            .field("person_number", &Masked(&self.person_number))
            .field("organisation_number", &self.organisation_number)
            .field("username", &self.username)
            .finish()
    }
}

/// An instance's status flags.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
// Every member may be absent: an absent one reads as in `InstanceStatus::default()`.
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct InstanceStatus {
    /// Whether it is archived (its process ended).
    pub is_archived: bool,
    /// When it was archived.
    #[serde(with = "timestamp")]
    pub archived: Option<OffsetDateTime>,
    /// Whether it is soft-deleted.
    pub is_soft_deleted: bool,
    /// Whether it is hard-deleted.
    pub is_hard_deleted: bool,
}

/// An app instance (the app's `InstanceResponse` or Storage's `Instance`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Instance {
    /// Its id.
    pub id: InstanceId,
    /// Its owner.
    #[serde(default, deserialize_with = "null_as_default")]
    pub instance_owner: InstanceOwnerInfo,
    /// `"{org}/{app}"`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub app_id: String,
    /// The service owner.
    pub org: Option<String>,
    /// Where it lives.
    pub self_links: Option<ResourceLinks>,
    /// When it must be completed.
    #[serde(default, with = "timestamp")]
    pub due_before: Option<OffsetDateTime>,
    /// Its process (Storage's `ProcessState`: no authorisation of actions).
    pub process: Option<ProcessState>,
    /// Its status.
    #[serde(default, deserialize_with = "null_as_default")]
    pub status: InstanceStatus,
    /// Its data elements (only those the caller may read).
    #[serde(default, deserialize_with = "null_as_default")]
    pub data: Vec<DataElement>,
    /// When it was created.
    #[serde(default, with = "timestamp")]
    pub created: Option<OffsetDateTime>,
    /// When it was last changed.
    #[serde(default, with = "timestamp")]
    pub last_changed: Option<OffsetDateTime>,
}

impl Instance {
    /// The data elements of `data_type`.
    pub fn data_of_type<'a>(&'a self, data_type: &'a str) -> impl Iterator<Item = &'a DataElement> {
        self.data.iter().filter(move |d| d.data_type == data_type)
    }

    /// Whether it is archived.
    pub fn is_archived(&self) -> bool {
        self.status.is_archived
    }

    /// Its address in the app, if given.
    pub fn app_url(&self) -> Option<&str> {
        self.self_links.as_ref()?.apps.as_deref()
    }

    /// Its address in Storage, if given.
    pub fn platform_url(&self) -> Option<&str> {
        self.self_links.as_ref()?.platform.as_deref()
    }
}

/// One page of a Storage instance query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct InstancePage {
    /// The instances on this page (after authorisation filtering, so possibly fewer than
    /// the page size even when there is a next page).
    #[serde(default, deserialize_with = "null_as_default")]
    pub instances: Vec<Instance>,
    /// `count` as the service gave it.
    pub count: Option<u64>,
    /// The next page's URL, absent on the last page.
    pub next: Option<String>,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use serde_json::json;

    use super::*;

    const GUID: &str = "0b7d7c3e-8c1e-4a55-9e7d-3f1a2b3c4d5e";

    #[test]
    fn instance_pages() {
        let page: InstancePage = serde_json::from_value(json!({"count": 1, "next": "https://x/next",
            "instances": [{"id": format!("1/{GUID}"), "appId": "ttd/a", "status": {"isArchived": true, "readStatus": "Read"},
                           "instanceOwner": {"partyId": "1", "personNumber": "24068110048"},
                           "data": [{"id": "d", "dataType": "model", "size": 3, "selfLinks": {"apps": "https://a"}}]}]}))
        .unwrap();
        let instance = &page.instances[0];
        assert_eq!(instance.data[0].app_url(), Some("https://a"));
        assert!(instance.is_archived());
        assert!(!format!("{instance:?}").contains("24068110048"));
        assert!(
            serde_json::from_value::<InstancePage>(json!({"instances": [{"id": "bad"}]})).is_err()
        );
        assert!(
            serde_json::from_value::<InstancePage>(
                json!({"instances": [{"id": format!("1/{GUID}"), "created": "not a time"}]})
            )
            .is_err()
        );
    }
}
