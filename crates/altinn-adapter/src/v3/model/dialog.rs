//! Dialogporten's end-user answers: dialogs (search items and whole dialogs), their GUI and
//! API actions, a search page, and `dialoglookup`.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::ids::InstanceRef;
use super::{null_as_default, timestamp};
use crate::v3::environment::AppId;

signature_core::open_enum! {
    #![open_enum(ignore_case, serde)]
    /// A dialog's `status`.
    pub enum DialogStatus {
        /// `NotApplicable`.
        NotApplicable => "NotApplicable",
        /// `InProgress` (the Dialogporten adapter's status for an app instance at a signing
        /// or confirmation task, or created by the service owner).
        InProgress => "InProgress",
        /// `Draft`.
        Draft => "Draft",
        /// `Awaiting`.
        Awaiting => "Awaiting",
        /// `RequiresAttention`.
        RequiresAttention => "RequiresAttention",
        /// `Completed`.
        Completed => "Completed",
    }
}

/// One language's text (`Localization`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Localization {
    /// `nb`, `nn`, `en`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub language_code: String,
    /// The text.
    #[serde(default, deserialize_with = "null_as_default")]
    pub value: String,
}

/// A text in several languages (`ContentValue`, or a bare list of `Localization`s).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct LocalizedText {
    /// The texts.
    #[serde(default, deserialize_with = "null_as_default")]
    pub value: Vec<Localization>,
    /// Its media type (`text/plain`).
    pub media_type: Option<String>,
}

impl LocalizedText {
    /// The bokmål text, else the first.
    pub fn text(&self) -> Option<&str> {
        preferred(&self.value)
    }
}

fn preferred(values: &[Localization]) -> Option<&str> {
    values
        .iter()
        .find(|v| v.language_code == "nb")
        .or_else(|| values.first())
        .map(|v| v.value.as_str())
}

/// A dialog's content (`Content`, or a search item's `DialogContentSummary`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DialogContent {
    /// Its title.
    pub title: Option<LocalizedText>,
    /// Its summary.
    pub summary: Option<LocalizedText>,
    /// The sender's name.
    pub sender_name: Option<LocalizedText>,
}

/// A GUI action of a dialog (`DialogGuiAction`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct GuiAction {
    /// Its id.
    pub id: Option<String>,
    /// The XACML action. The Dialogporten adapter sends `read` for an app instance's
    /// go-to action whatever the task (since 2026-04-21), so it says nothing about signing.
    #[serde(default, deserialize_with = "null_as_default")]
    pub action: String,
    /// Where a browser goes (`urn:dialogporten:unauthorized` when not authorised).
    pub url: Option<String>,
    /// Whether the user may perform it.
    #[serde(default)]
    pub is_authorized: bool,
    /// The resource attribute it is authorised for (`urn:altinn:task:Task_2`).
    pub authorization_attribute: Option<String>,
    /// `Primary`, `Secondary`, `Tertiary`.
    pub priority: Option<String>,
    /// The HTTP method.
    pub http_method: Option<String>,
    /// Its title.
    #[serde(default, deserialize_with = "null_as_default")]
    pub title: Vec<Localization>,
}

/// An API action endpoint of a dialog (`DialogApiActionEndpoint`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ApiEndpoint {
    /// Its id.
    pub id: Option<String>,
    /// Its URL.
    pub url: Option<String>,
    /// Its HTTP method.
    pub http_method: Option<String>,
    /// Its version.
    pub version: Option<String>,
    /// Whether it is deprecated.
    #[serde(default)]
    pub deprecated: bool,
    /// When it stops working.
    #[serde(default, with = "timestamp")]
    pub sunset_at: Option<OffsetDateTime>,
}

/// An API action of a dialog (`DialogApiAction`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ApiAction {
    /// Its id.
    pub id: Option<String>,
    /// The XACML action (`read`: the adapter's action pointing at the instance).
    #[serde(default, deserialize_with = "null_as_default")]
    pub action: String,
    /// Whether the user may perform it.
    #[serde(default)]
    pub is_authorized: bool,
    /// Its name.
    pub name: Option<String>,
    /// Its endpoints.
    #[serde(default, deserialize_with = "null_as_default")]
    pub endpoints: Vec<ApiEndpoint>,
}

/// A Dialogporten dialog: a search item (`DialogListItem`), or a whole dialog (`Dialog`)
/// with its actions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Dialog {
    /// Its id (a UUID).
    pub id: String,
    /// The service owner's code.
    pub org: Option<String>,
    /// The service resource (`urn:altinn:resource:app_{org}_{app}` for an app).
    pub service_resource: Option<String>,
    /// `AltinnApp`, `GenericAccessResource`, …
    pub service_resource_type: Option<String>,
    /// The party URN it belongs to (may carry an identity number: do not log).
    pub party: Option<String>,
    /// Its status.
    pub status: Option<DialogStatus>,
    /// When it was created.
    #[serde(default, with = "timestamp")]
    pub created_at: Option<OffsetDateTime>,
    /// When it was last updated.
    #[serde(default, with = "timestamp")]
    pub updated_at: Option<OffsetDateTime>,
    /// When its content was last updated (the default search order, newest first).
    #[serde(default, with = "timestamp")]
    pub content_updated_at: Option<OffsetDateTime>,
    /// Its content.
    pub content: Option<DialogContent>,
    /// GUI actions (only in a whole dialog, not in search items).
    #[serde(default, deserialize_with = "null_as_default")]
    pub gui_actions: Vec<GuiAction>,
    /// API actions (only in a whole dialog, not in search items).
    #[serde(default, deserialize_with = "null_as_default")]
    pub api_actions: Vec<ApiAction>,
}

impl Dialog {
    /// Its title (bokmål, else the first language).
    pub fn title(&self) -> Option<&str> {
        self.content.as_ref()?.title.as_ref()?.text()
    }

    /// Its summary (bokmål, else the first language).
    pub fn summary(&self) -> Option<&str> {
        self.content.as_ref()?.summary.as_ref()?.text()
    }

    /// The app instance the dialog mirrors, read as the Dialogporten adapter writes it:
    /// the `read` API action's endpoint (the app's instance URL, or the Storage URL of an
    /// archived instance, whose app comes from the service resource), else the go-to GUI
    /// action's `#/instance/{partyId}/{guid}` fragment. `None` for a dialog that mirrors no
    /// app instance.
    pub fn instance(&self) -> Option<InstanceRef> {
        let app = self
            .service_resource
            .as_deref()
            .and_then(AppId::from_service_resource);
        let endpoints = self
            .api_actions
            .iter()
            .filter(|a| a.action == "read")
            .flat_map(|a| &a.endpoints)
            .filter_map(|e| e.url.as_deref());
        for url in endpoints {
            if let Some(found) = InstanceRef::from_app_url(url) {
                return Some(found);
            }
            if let Some(found) = app
                .as_ref()
                .and_then(|app| InstanceRef::from_storage_url(url, app))
            {
                return Some(found);
            }
        }
        let app = app?;
        self.gui_actions
            .iter()
            .filter_map(|a| a.url.as_deref())
            .find_map(|url| InstanceRef::from_goto_url(url, &app))
    }
}

/// One page of a Dialogporten search (`PaginatedListOfDialogListItem`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DialogPage {
    /// The dialogs (search items carry no actions).
    #[serde(default, deserialize_with = "null_as_default")]
    pub items: Vec<Dialog>,
    /// Whether there is another page.
    #[serde(default)]
    pub has_next_page: bool,
    /// The token for the next page.
    pub continuation_token: Option<String>,
    /// The order used.
    pub order_by: Option<String>,
}

/// The service owner in a [`DialogLookup`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct LookupServiceOwner {
    /// Its code (`ttd`).
    pub code: Option<String>,
    /// Its organisation number.
    pub org_number: Option<String>,
    /// Its name.
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: Vec<Localization>,
}

/// The service resource in a [`DialogLookup`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct LookupServiceResource {
    /// Its id (`urn:altinn:resource:…`).
    pub id: Option<String>,
    /// Whether it can be delegated.
    #[serde(default)]
    pub is_delegable: bool,
    /// The lowest authentication level it accepts.
    pub minimum_authentication_level: Option<i64>,
    /// Its name.
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: Vec<Localization>,
}

/// Why the user may see a dialog (`IdentifierLookupAuthorizationEvidence`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
// Every member may be absent: an absent one reads as in `LookupAuthorization::default()`.
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct LookupAuthorization {
    /// The user's authentication level.
    pub current_authentication_level: Option<i64>,
    /// Through a role.
    pub via_role: bool,
    /// Through an access package.
    pub via_access_package: bool,
    /// Through a delegation of the resource.
    pub via_resource_delegation: bool,
    /// Through a delegation of this instance (a runtime-delegated signee).
    pub via_instance_delegation: bool,
}

/// The dialog of an instance (`GET dialoglookup?instanceRef=…`, `EndUserIdentifierLookup`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DialogLookup {
    /// The dialog's id.
    pub dialog_id: String,
    /// The reference looked up (`urn:altinn:instance-id:{partyId}/{guid}`).
    pub instance_ref: Option<String>,
    /// The party URN (may carry an identity number: do not log).
    pub party: Option<String>,
    /// The service owner.
    pub service_owner: Option<LookupServiceOwner>,
    /// The service resource.
    pub service_resource: Option<LookupServiceResource>,
    /// Why the user may see it.
    #[serde(default, deserialize_with = "null_as_default")]
    pub authorization_evidence: LookupAuthorization,
    /// Its title.
    #[serde(default, deserialize_with = "null_as_default")]
    pub title: Vec<Localization>,
}

impl DialogLookup {
    /// Its title (bokmål, else the first language).
    pub fn title(&self) -> Option<&str> {
        preferred(&self.title)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use serde_json::json;

    use super::*;

    const GUID: &str = "0b7d7c3e-8c1e-4a55-9e7d-3f1a2b3c4d5e";

    #[test]
    fn dialogs_map_to_instances_as_the_adapter_writes_them() {
        let dialog: Dialog = serde_json::from_value(json!({
            "id": "01936b2e-0000-7000-8000-000000000001",
            "serviceResource": "urn:altinn:resource:app_ttd_signing-demo",
            "status": "Archived?",
            "content": {"title": {"value": [{"languageCode": "en", "value": "Demo"}, {"languageCode": "nb", "value": "Demo nb"}], "mediaType": "text/plain"}},
            "guiActions": [{"action": "read", "isAuthorized": true, "priority": "Primary",
                "url": format!("https://platform.tt02.altinn.no/authentication/api/v1/authentication?goto=https%3A%2F%2Fttd.apps.tt02.altinn.no%2Fttd%2Fsigning-demo%2F%3FdontChooseReportee%3Dtrue%23%2Finstance%2F50001234%2F{GUID}")}],
            "apiActions": null
        }))
        .unwrap();
        assert_eq!(
            dialog.status,
            Some(DialogStatus::Unknown("Archived?".to_owned()))
        );
        assert_eq!(dialog.title(), Some("Demo nb"));
        let found = dialog.instance().unwrap();
        assert_eq!(found.app.to_string(), "ttd/signing-demo");
        assert_eq!(found.id.to_string(), format!("50001234/{GUID}"));

        let by_api: Dialog = serde_json::from_value(json!({"id": "x", "apiActions": [{"action": "read", "isAuthorized": true,
            "endpoints": [{"url": format!("https://ttd.apps.tt02.altinn.no/ttd/other-app/instances/7/{GUID}"), "httpMethod": "GET", "version": "1.0"}]}]}))
        .unwrap();
        assert_eq!(by_api.instance().unwrap().app.app(), "other-app");

        // Archived: the API action points at Storage; the app comes from the resource.
        let archived: Dialog = serde_json::from_value(json!({"id": "y",
            "serviceResource": "urn:altinn:resource:app_ttd_signing-demo",
            "apiActions": [{"action": "read", "isAuthorized": true,
            "endpoints": [{"url": format!("https://platform.tt02.altinn.no/storage/api/v1/instances/7/{GUID}")}]}]}))
        .unwrap();
        let found = archived.instance().unwrap();
        assert_eq!(found.app.to_string(), "ttd/signing-demo");
        let no_instance: Dialog = serde_json::from_value(
            json!({"id": "z", "serviceResource": "urn:altinn:resource:skatt"}),
        )
        .unwrap();
        assert_eq!(no_instance.instance(), None);
        assert!(serde_json::from_value::<Dialog>(json!({"status": "Draft"})).is_err());
    }

    #[test]
    fn lookups() {
        let lookup: DialogLookup = serde_json::from_value(json!({
            "dialogId": "01936b2e-0000-7000-8000-000000000001",
            "instanceRef": format!("urn:altinn:instance-id:7/{GUID}"),
            "party": "urn:altinn:organization:identifier-no:310000001",
            "serviceOwner": {"code": "ttd", "orgNumber": "991825827", "name": [{"languageCode": "nb", "value": "Testdepartementet"}]},
            "serviceResource": {"id": "urn:altinn:resource:app_ttd_signing-demo", "isDelegable": true, "minimumAuthenticationLevel": 3, "name": []},
            "authorizationEvidence": {"currentAuthenticationLevel": 3, "viaInstanceDelegation": true, "evidence": []},
            "title": [{"languageCode": "nb", "value": "Avtale"}]
        }))
        .unwrap();
        assert!(lookup.authorization_evidence.via_instance_delegation);
        assert_eq!(lookup.title(), Some("Avtale"));
    }
}
