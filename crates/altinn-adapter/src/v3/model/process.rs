//! The process of an instance: `AppProcessState` from `GET …/process` and `PUT …/process/next`,
//! Storage's `ProcessState` inside an instance.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};
use time::OffsetDateTime;

use super::{null_as_default, timestamp};

signature_core::open_enum! {
    #![open_enum(ignore_case, serde)]
    /// A process task's `altinnTaskType` (app-lib's `AltinnTaskTypes`).
    pub enum TaskType {
        /// Filling in data (`data`).
        Data => "data",
        /// Confirming the submission (`confirmation`).
        Confirmation => "confirmation",
        /// Signing (`signing`).
        Signing => "signing",
        /// Waiting for the service owner's feedback (`feedback`).
        Feedback => "feedback",
        /// Paying (`payment`).
        Payment => "payment",
        /// Generating the PDF (`pdf`).
        Pdf => "pdf",
        /// Sending through eFormidling (`eFormidling`).
        EFormidling => "eFormidling",
        /// Archiving through Fiks Arkiv (`fiksArkiv`).
        FiksArkiv => "fiksArkiv",
        /// Generating the PDFs of subforms (`subformPdf`).
        SubformPdf => "subformPdf",
    }
}

signature_core::open_enum! {
    #![open_enum(ignore_case, serde)]
    /// An action sent to `PUT …/process/next` or `POST …/actions`, or authorised in a task's
    /// `actions`.
    pub enum Action {
        /// Sign the documents of a signing task (`sign`).
        Sign => "sign",
        /// Confirm a confirmation task (`confirm`).
        Confirm => "confirm",
        /// Reject, sending the process back (`reject`).
        Reject => "reject",
        /// Complete a data task (`write`).
        Write => "write",
        /// Read (`read`).
        Read => "read",
        /// Pay (`pay`).
        Pay => "pay",
    }
}

signature_core::open_enum! {
    #![open_enum(ignore_case, serde)]
    /// A user action's `type`: `ProcessAction` moves the process, `ServerAction` runs on the
    /// server without moving it (a string on the wire; app-lib's swagger shows it as 0/1).
    pub enum UserActionType {
        /// `ProcessAction` (0).
        ProcessAction => "ProcessAction",
        /// `ServerAction` (1).
        ServerAction => "ServerAction",
    }
}

/// A user action of the current task and whether the caller may perform it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UserAction {
    /// The action (`sign`, `reject`, a custom one).
    pub id: String,
    /// Whether the caller may perform it.
    #[serde(default)]
    pub authorized: bool,
    /// Its kind.
    #[serde(rename = "type", default, deserialize_with = "action_type")]
    pub action_type: Option<UserActionType>,
}

/// The string the app sends, or the integer its swagger shows.
fn action_type<'de, D: Deserializer<'de>>(d: D) -> Result<Option<UserActionType>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Wire {
        Name(UserActionType),
        Number(u8),
    }
    Ok(match Option::<Wire>::deserialize(d)? {
        None => None,
        Some(Wire::Name(name)) => Some(name),
        Some(Wire::Number(0)) => Some(UserActionType::ProcessAction),
        Some(Wire::Number(1)) => Some(UserActionType::ServerAction),
        Some(Wire::Number(n)) => Some(UserActionType::Unknown(n.to_string())),
    })
}

/// The task the process is at (`AppProcessElementInfo`; in an instance, Storage's
/// `ProcessElementInfo`, which has no `actions`, `userActions`, `read` or `write`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ProcessTask {
    /// The BPMN task id (`Task_1`, `SigningTask`).
    #[serde(default, deserialize_with = "null_as_default")]
    pub element_id: String,
    /// The task's name.
    pub name: Option<String>,
    /// The task type.
    #[serde(rename = "altinnTaskType", default)]
    pub task_type: Option<TaskType>,
    /// The flow number.
    pub flow: Option<i64>,
    /// When the task started.
    #[serde(default, with = "timestamp")]
    pub started: Option<OffsetDateTime>,
    /// When it ended.
    #[serde(default, with = "timestamp")]
    pub ended: Option<OffsetDateTime>,
    /// `flowType` (`CompleteCurrentMoveToNext`, `AbandonCurrentReturnToNext`).
    pub flow_type: Option<String>,
    /// The caller's authorisation for each of the task's actions (`{"sign": true}`); only
    /// in `GET …/process` and `PUT …/process/next` answers.
    #[serde(default, deserialize_with = "null_as_default")]
    pub actions: BTreeMap<String, bool>,
    /// The task's user actions and whether the caller may perform them.
    #[serde(default, deserialize_with = "null_as_default")]
    pub user_actions: Vec<UserAction>,
    /// Whether the caller may read the task.
    #[serde(default)]
    pub read: bool,
    /// Whether the caller may write to the task.
    #[serde(default)]
    pub write: bool,
    /// `elementType` (`Task`).
    pub element_type: Option<String>,
}

impl ProcessTask {
    /// Whether the caller may perform `action` on this task.
    pub fn may(&self, action: &Action) -> bool {
        self.actions.get(action.as_str()).copied().unwrap_or(false)
    }
}

/// One task of the app's process (`AppProcessTaskTypeInfo`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ProcessTaskInfo {
    /// Its BPMN id.
    #[serde(default, deserialize_with = "null_as_default")]
    pub element_id: String,
    /// Its type.
    #[serde(rename = "altinnTaskType", default)]
    pub task_type: Option<TaskType>,
    /// `elementType`.
    pub element_type: Option<String>,
}

/// An instance's process state.
///
/// From `GET …/process` and `PUT …/process/next` it is the app's `AppProcessState`, whose
/// current task carries the caller's authorisation (`actions`). Inside an
/// [`Instance`](super::Instance) it is Storage's `ProcessState`, without them, so
/// [`awaits_signature`](Self::awaits_signature) is only meaningful on the former.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ProcessState {
    /// When the process started.
    #[serde(default, with = "timestamp")]
    pub started: Option<OffsetDateTime>,
    /// The start event.
    pub start_event: Option<String>,
    /// The current task; `None` once the process ended.
    pub current_task: Option<ProcessTask>,
    /// When it ended, if it has.
    #[serde(default, with = "timestamp")]
    pub ended: Option<OffsetDateTime>,
    /// The end event reached, if any.
    pub end_event: Option<String>,
    /// Every task of the app's process (only in the app's answers).
    #[serde(default, deserialize_with = "null_as_default")]
    pub process_tasks: Vec<ProcessTaskInfo>,
}

impl ProcessState {
    /// Whether the process reached an end event.
    pub fn is_ended(&self) -> bool {
        self.current_task.is_none() && (self.ended.is_some() || self.end_event.is_some())
    }

    /// The current task's type, if the process is at a task.
    pub fn task_type(&self) -> Option<&TaskType> {
        self.current_task
            .as_ref()
            .and_then(|t| t.task_type.as_ref())
    }

    /// Whether the process is at a signing task the caller may sign (`actions.sign`).
    pub fn awaits_signature(&self) -> bool {
        self.current_task
            .as_ref()
            .is_some_and(|t| t.task_type == Some(TaskType::Signing) && t.may(&Action::Sign))
    }

    /// Whether the first task of the app's process is a signing task (an app that signs
    /// what is uploaded at instantiation).
    pub fn starts_with_signing(&self) -> bool {
        self.process_tasks
            .first()
            .is_some_and(|t| t.task_type == Some(TaskType::Signing))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn unknown_service_values_are_kept() {
        assert_eq!(TaskType::parse("signing"), TaskType::Signing);
        assert_eq!(TaskType::parse("Signing"), TaskType::Signing);
        assert_eq!(TaskType::parse("eFormidling"), TaskType::EFormidling);
        assert_eq!(
            TaskType::parse("subformsV2"),
            TaskType::Unknown("subformsV2".to_owned())
        );
        assert_eq!(Action::parse("sign"), Action::Sign);
        assert_eq!(Action::Unknown("lock".to_owned()).as_str(), "lock");
    }

    #[test]
    fn process_state_with_an_unknown_task_type_and_extra_fields() {
        let state: ProcessState = serde_json::from_value(json!({
            "started": "2026-11-01T10:00:00.1234567Z",
            "currentTask": {"elementId": "Task_9", "altinnTaskType": "subformsV2",
                            "actions": {"sign": true, "reject": false},
                            "userActions": [{"id": "sign", "authorized": true, "type": "ProcessAction"},
                                            {"id": "lock", "authorized": false, "type": 1}],
                            "read": true, "write": true, "somethingNew": 1},
            "processTasks": [{"elementId": "Task_1", "altinnTaskType": "data"},
                             {"elementId": "Task_9", "altinnTaskType": "subformsV2"}]
        }))
        .unwrap();
        let task = state.current_task.as_ref().unwrap();
        assert_eq!(
            task.task_type,
            Some(TaskType::Unknown("subformsV2".to_owned()))
        );
        assert!(task.may(&Action::Sign));
        assert!(!task.may(&Action::Reject));
        assert!(!task.may(&Action::Confirm));
        assert_eq!(
            task.user_actions[1].action_type,
            Some(UserActionType::ServerAction)
        );
        assert!(!state.awaits_signature());
        assert!(!state.is_ended());
        assert!(!state.starts_with_signing());
        assert_eq!(state.process_tasks[0].task_type, Some(TaskType::Data));
        let ended: ProcessState = serde_json::from_value(
            json!({"currentTask": null, "ended": "2026-11-01T10:00:00Z", "endEvent": "EndEvent_1", "processTasks": null}),
        )
        .unwrap();
        assert!(ended.is_ended());
        // A broken timestamp is an error, not a silent None.
        assert!(serde_json::from_value::<ProcessState>(json!({"started": "soon"})).is_err());
    }
}
