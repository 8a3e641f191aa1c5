//! The process (`GET …/process`, `PUT …/process/next`) and user actions (`POST …/actions`),
//! with signing on behalf of an organisation.

use reqwest::Method;
use serde::Serialize;

use super::client::{Body, Client};
use super::environment::AppId;
use super::model::{Action, ActionResult, InstanceId, ProcessState};
use crate::error::Error;

/// The body of `PUT …/process/next` (the app's `ProcessNext`): the action that ends the
/// current task, and the organisation it is performed for.
///
/// Without an action the app authorises the task's default (`sign` or `write` in a signing
/// task) **but does not sign** (app-lib `ProcessEngine`, since v8.6.0); moving on from a
/// signing task without a signature then fails the task's validation. Sign with
/// [`ProcessNext::sign`] or [`ActionRequest::sign`].
///
/// ```
/// use altinn_adapter::v3::{Action, ProcessNext};
/// let next = ProcessNext::sign().on_behalf_of("310000001");
/// assert_eq!(next.action(), Some(&Action::Sign));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[must_use]
pub struct ProcessNext {
    #[serde(skip_serializing_if = "Option::is_none")]
    action: Option<Action>,
    #[serde(skip_serializing_if = "Option::is_none")]
    action_on_behalf_of: Option<String>,
}

impl ProcessNext {
    /// No action: the task's default, which signs nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// Performs `action` (`confirm`, `reject`, `write`, …).
    pub fn perform(action: Action) -> Self {
        Self {
            action: Some(action),
            action_on_behalf_of: None,
        }
    }

    /// Signs the signing task's data elements (`sign`) and moves on.
    pub fn sign() -> Self {
        Self::perform(Action::Sign)
    }

    /// Performs the action on behalf of the organisation `organization_number`
    /// (`actionOnBehalfOf`; see [`Client::signing_organizations`]).
    pub fn on_behalf_of(mut self, organization_number: impl Into<String>) -> Self {
        self.action_on_behalf_of = Some(organization_number.into());
        self
    }

    /// The action, if any.
    pub fn action(&self) -> Option<&Action> {
        self.action.as_ref()
    }

    fn body(&self) -> Result<Body, Error> {
        if self.action.is_none() && self.action_on_behalf_of.is_none() {
            // The app takes `[FromBody] ProcessNext? = null`; nothing to send.
            return Ok(Body::None);
        }
        json_body(self)
    }
}

/// The body of `POST …/actions` (the app's `UserActionRequest`): the action, and the
/// organisation it is performed for.
///
/// ```
/// use altinn_adapter::v3::ActionRequest;
/// let request = ActionRequest::sign().on_behalf_of("310000001");
/// assert_eq!(request.action().as_str(), "sign");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[must_use]
pub struct ActionRequest {
    action: Action,
    #[serde(skip_serializing_if = "Option::is_none")]
    on_behalf_of: Option<String>,
}

impl ActionRequest {
    /// Performs `action`.
    pub fn new(action: Action) -> Self {
        Self {
            action,
            on_behalf_of: None,
        }
    }

    /// Signs the signing task's data elements without moving the process (`sign`).
    pub fn sign() -> Self {
        Self::new(Action::Sign)
    }

    /// Performs the action on behalf of the organisation `organization_number`
    /// (`onBehalfOf`; the app's signing action records it as the signee's organisation).
    pub fn on_behalf_of(mut self, organization_number: impl Into<String>) -> Self {
        self.on_behalf_of = Some(organization_number.into());
        self
    }

    /// The action.
    pub fn action(&self) -> &Action {
        &self.action
    }
}

fn json_body(value: &impl Serialize) -> Result<Body, Error> {
    serde_json::to_value(value)
        .map(Body::Json)
        .map_err(|e| Error::config_from("request body", e))
}

impl Client {
    /// The instance's process state (`GET …/process`), with the caller's authorisation of
    /// the current task's actions.
    ///
    /// # Errors
    ///
    /// [`Error::Service`] (404), [`Error::Service`] (403), and the others.
    pub async fn process(&self, app: &AppId, id: &InstanceId) -> Result<ProcessState, Error> {
        let url = self.instance_url(app, id, &["process"]);
        self.get_json(url, "process state").await
    }

    /// Ends the current task with `next`'s action and moves the process on
    /// (`PUT …/process/next`). `sign` signs a signing task's documents; `confirm` confirms
    /// a confirmation task. Never retried.
    ///
    /// # Errors
    ///
    /// [`Error::Service`] (403) when the action is not allowed on the current task,
    /// [`Error::Service`] (409) when the process has ended or the task does not validate
    /// (`detail` "Process is ended.", or `validationIssues` in the
    /// [`ProblemDetails`](crate::ProblemDetails)).
    pub async fn process_next(
        &self,
        app: &AppId,
        id: &InstanceId,
        next: &ProcessNext,
    ) -> Result<ProcessState, Error> {
        let url = self.with_language(self.instance_url(app, id, &["process", "next"]));
        self.json(Method::PUT, url, &next.body()?, "process state")
            .await
    }

    /// Performs a user action without moving the process (`POST …/actions`); `sign` here
    /// records the caller's signature (for the organisation in `onBehalfOf`, if given) and
    /// leaves the instance at the signing task for other signers. Never retried.
    ///
    /// Only persons and system users may perform it: an organisation's own token gets 401.
    ///
    /// # Errors
    ///
    /// [`Error::NotAuthenticated`] for a caller that is neither a person nor a system user,
    /// [`Error::Service`] (403) when the caller may not perform it on the current task,
    /// [`Error::Service`] (409) when the process has not started or has ended, and the others.
    pub async fn perform_action(
        &self,
        app: &AppId,
        id: &InstanceId,
        request: &ActionRequest,
    ) -> Result<ActionResult, Error> {
        let url = self.with_language(self.instance_url(app, id, &["actions"]));
        self.json(Method::POST, url, &json_body(request)?, "action result")
            .await
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn bodies_use_the_apps_field_names() {
        let Body::Json(value) = ProcessNext::sign()
            .on_behalf_of("310000001")
            .body()
            .unwrap()
        else {
            panic!("a body")
        };
        assert_eq!(
            value,
            json!({"action": "sign", "actionOnBehalfOf": "310000001"})
        );
        assert!(matches!(ProcessNext::new().body().unwrap(), Body::None));
        let Body::Json(value) =
            json_body(&ActionRequest::sign().on_behalf_of("310000001")).unwrap()
        else {
            panic!("a body")
        };
        assert_eq!(value, json!({"action": "sign", "onBehalfOf": "310000001"}));
        let Body::Json(value) = json_body(&ActionRequest::new(Action::Confirm)).unwrap() else {
            panic!("a body")
        };
        assert_eq!(value, json!({"action": "confirm"}));
    }
}
