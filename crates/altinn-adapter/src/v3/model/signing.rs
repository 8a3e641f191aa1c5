//! The signing endpoints' answers (`SigningStateResponse`,
//! `SigningAuthorizedOrganizationsResponse`) and the signature data element (Storage's
//! `SignDocument`).

use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{Masked, null_as_default, timestamp};
use crate::error::Error;

signature_core::open_enum! {
    #![open_enum(ignore_case, serde)]
    /// A signee's `notificationStatus` in the signing state.
    pub enum NotificationStatus {
        /// Not notified (`NotSent`).
        NotSent => "NotSent",
        /// Notified (`Sent`).
        Sent => "Sent",
        /// Notifying failed (`Failed`).
        Failed => "Failed",
    }
}

/// One signee in the signing state (`GET …/signing`), as the platform reports it
/// (`SigneeState`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SigneeState {
    /// The person's name (`"System"` for a system user), if any.
    pub name: Option<String>,
    /// The organisation signed for, if any (spelled `organization` on the wire).
    pub organization: Option<String>,
    /// Whether delegating the signing right succeeded (true for signees the app did not
    /// delegate to).
    #[serde(default)]
    pub delegation_successful: bool,
    /// Whether the signee was notified.
    pub notification_status: Option<NotificationStatus>,
    /// The signee's party id.
    pub party_id: u64,
    /// When the signee signed; `None` while not signed.
    #[serde(default, with = "timestamp")]
    pub signed_time: Option<OffsetDateTime>,
}

impl SigneeState {
    /// Whether the signee has signed.
    pub fn has_signed(&self) -> bool {
        self.signed_time.is_some()
    }
}

/// The signing state of an instance's signing task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SigningState {
    /// The signees (without runtime delegation: only those who signed).
    #[serde(rename = "signeeStates", default, deserialize_with = "null_as_default")]
    pub signees: Vec<SigneeState>,
}

/// An organisation the user may sign for (`GET …/signing/organizations`,
/// `AuthorizedOrganizationDetails`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AuthorizedOrganization {
    /// Its organisation number: what `onBehalfOf` / `actionOnBehalfOf` take.
    pub org_number: String,
    /// Its name.
    #[serde(default, deserialize_with = "null_as_default")]
    pub org_name: String,
    /// Its party id.
    pub party_id: u64,
}

/// Who signed, as recorded in a signature data element (`signeeInfo`). The identity number
/// is masked in `Debug`.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Signee {
    /// The user id.
    pub user_id: Option<String>,
    /// The system user id, for a system user (a GUID).
    pub system_user_id: Option<String>,
    /// The person's identity number (personal data: do not log).
    pub person_number: Option<String>,
    /// The organisation signed on behalf of (Storage spells it `organisationNumber`).
    pub organisation_number: Option<String>,
}

impl fmt::Debug for Signee {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signee")
            .field("user_id", &self.user_id)
            .field("system_user_id", &self.system_user_id)
            .field("person_number", &Masked(&self.person_number))
            .field("organisation_number", &self.organisation_number)
            .finish()
    }
}

/// One signed data element in a [`SignDocument`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DataElementSignature {
    /// The signed data element.
    pub data_element_id: String,
    /// SHA-256 of its bytes, lower-case hex (Storage's `SigningService`).
    pub sha256_hash: Option<String>,
    /// Whether it was signed.
    #[serde(default)]
    pub signed: bool,
}

/// The content of a signature data element (Storage's `SignDocument`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SignDocument {
    /// Its id (the data element's own id).
    pub id: Option<String>,
    /// The instance GUID.
    pub instance_guid: Option<String>,
    /// When it was signed.
    #[serde(default, with = "timestamp")]
    pub signed_time: Option<OffsetDateTime>,
    /// Who signed.
    #[serde(rename = "signeeInfo", default, deserialize_with = "null_as_default")]
    pub signee: Signee,
    /// What was signed.
    #[serde(default, deserialize_with = "null_as_default")]
    pub data_element_signatures: Vec<DataElementSignature>,
}

impl SignDocument {
    /// Reads a signature data element's JSON.
    ///
    /// # Errors
    ///
    /// [`Error::UnexpectedResponse`] unless it is a `SignDocument` JSON object.
    pub fn parse(bytes: &[u8]) -> Result<Self, Error> {
        crate::v3::client::from_json(bytes, "signature data element")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn signing_state_as_the_platform_writes_it() {
        let state: SigningState = serde_json::from_value(json!({"signeeStates": [
            {"name": null, "organization": "X AS", "delegationSuccessful": true, "notificationStatus": "Later", "partyId": 5, "signedTime": null},
            {"name": "B", "organization": null, "delegationSuccessful": true, "notificationStatus": "Sent", "partyId": 6, "signedTime": "2026-01-01T00:00:00Z"}
        ]}))
        .unwrap();
        assert_eq!(state.signees[0].organization.as_deref(), Some("X AS"));
        assert_eq!(
            state.signees[0].notification_status,
            Some(NotificationStatus::Unknown("Later".to_owned()))
        );
        assert_eq!(state.signees[0].party_id, 5);
        assert!(!state.signees[0].has_signed());
        assert!(state.signees[1].has_signed());
        // A partyId is required, as in the OpenAPI.
        assert!(
            serde_json::from_value::<SigningState>(json!({"signeeStates": [{"name": "x"}]}))
                .is_err()
        );
    }

    #[test]
    fn sign_document_hides_the_identity_number() {
        let doc = SignDocument::parse(
            br#"{"id":"a","signedTime":"2026-01-01T00:00:00Z","signeeInfo":{"userId":"1337","personNumber":"24068110048","organisationNumber":"310000001"},
                "dataElementSignatures":[{"dataElementId":"d1","sha256Hash":"ab","signed":true}]}"#,
        )
        .unwrap();
        assert_eq!(doc.signee.person_number.as_deref(), Some("24068110048"));
        assert_eq!(doc.signee.organisation_number.as_deref(), Some("310000001"));
        assert!(doc.data_element_signatures[0].signed);
        let shown = format!("{doc:?}");
        assert!(!shown.contains("24068110048"), "{shown}");
        assert!(SignDocument::parse(b"[1]").is_err());
        assert!(SignDocument::parse(b"not json").is_err());
        let error = SignDocument::parse(br#"{"signedTime": "24068110048"}"#).unwrap_err();
        assert!(!error.to_string().contains("24068110048"), "{error}");
    }
}
