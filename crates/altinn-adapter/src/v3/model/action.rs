//! What `POST …/actions` answers (`UserActionResponse`).

use serde::{Deserialize, Serialize};

use super::instance::Instance;

/// The error a user action handler reported (`ActionError`): `NoUserId`,
/// `UnauthorizedOnBehalfOf`, `ActionNotFound`, …
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ActionError {
    /// The code.
    pub code: Option<String>,
    /// The message.
    pub message: Option<String>,
}

/// What `POST …/actions` answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ActionResult {
    /// The instance after the action.
    pub instance: Option<Instance>,
    /// Where the app asks the browser to go, if anywhere.
    pub redirect_url: Option<String>,
    /// The handler's error, on a refusal.
    pub error: Option<ActionError>,
}
