//! Altinn 3's JSON, read leniently: unknown fields are ignored, field names are matched
//! ignoring ASCII case, and values the service may add later become `Unknown(..)`.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

use crate::error::Error;
use crate::hal::Obj;
use crate::secret::mask_identity_numbers;

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
}

impl fmt::Display for InstanceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.party_id, self.guid)
    }
}

/// Defines a string-valued service enum with an `Unknown(String)` catch-all.
macro_rules! service_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $wire:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
            /// A value this version does not know, as the service sent it.
            Unknown(String),
        }

        impl $name {
            /// Reads the service's value (ignoring ASCII case).
            pub fn parse(value: &str) -> Self {
                $(if value.eq_ignore_ascii_case($wire) { return Self::$variant; })*
                Self::Unknown(value.to_owned())
            }

            /// The value as the service writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)*
                    Self::Unknown(value) => value,
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

service_enum! {
    /// A process task's `altinnTaskType`.
    TaskType {
        /// Filling in data (`data`).
        Data = "data",
        /// Confirming the submission (`confirmation`).
        Confirmation = "confirmation",
        /// Signing (`signing`).
        Signing = "signing",
        /// Waiting for the service owner's feedback (`feedback`).
        Feedback = "feedback",
        /// Paying (`payment`).
        Payment = "payment",
    }
}

service_enum! {
    /// An action sent to `PUT …/process/next` or `POST …/actions`.
    Action {
        /// Sign the documents of a signing task (`sign`).
        Sign = "sign",
        /// Confirm a confirmation task (`confirm`).
        Confirm = "confirm",
        /// Reject, sending the process back (`reject`).
        Reject = "reject",
        /// Complete a data task (`write`).
        Write = "write",
        /// Pay (`pay`).
        Pay = "pay",
    }
}

service_enum! {
    /// A signee's `notificationStatus` in the signing state.
    NotificationStatus {
        /// Not notified (`NotSent`).
        NotSent = "NotSent",
        /// Notified (`Sent`).
        Sent = "Sent",
        /// Notifying failed (`Failed`).
        Failed = "Failed",
    }
}

service_enum! {
    /// A Dialogporten dialog's `status`.
    DialogStatus {
        /// `NotApplicable`.
        NotApplicable = "NotApplicable",
        /// `InProgress` (also a signing task; see [`Dialog::awaits_signature`]).
        InProgress = "InProgress",
        /// `Draft`.
        Draft = "Draft",
        /// `Awaiting`.
        Awaiting = "Awaiting",
        /// `RequiresAttention`.
        RequiresAttention = "RequiresAttention",
        /// `Completed`.
        Completed = "Completed",
    }
}

fn text(obj: &Obj<'_>, name: &str) -> Option<String> {
    obj.string(name).filter(|s| !s.is_empty())
}

fn array<'a>(obj: &Obj<'a>, name: &str) -> Vec<Obj<'a>> {
    match obj.get(name) {
        Some(Value::Array(items)) => items.iter().map(Obj::new).collect(),
        _ => Vec::new(),
    }
}

/// The task the process is at.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProcessTask {
    /// The BPMN task id (`Task_1`, `SigningTask`).
    pub element_id: String,
    /// The task's name.
    pub name: Option<String>,
    /// The task type.
    pub task_type: TaskType,
    /// The flow number.
    pub flow: Option<i64>,
    /// When the task started.
    pub started: Option<String>,
    /// The caller's authorisation for each of the task's actions (`{"sign": true}`).
    pub actions: BTreeMap<String, bool>,
    /// Whether the caller may read the task.
    pub read: bool,
    /// Whether the caller may write to the task.
    pub write: bool,
}

impl ProcessTask {
    /// Whether the caller may perform `action` on this task.
    pub fn may(&self, action: &Action) -> bool {
        self.actions.get(action.as_str()).copied().unwrap_or(false)
    }

    fn parse(obj: &Obj<'_>) -> Option<Self> {
        let element_id = text(obj, "elementId")?;
        let actions = match obj.get("actions") {
            Some(Value::Object(map)) => map
                .iter()
                .filter_map(|(k, v)| v.as_bool().map(|b| (k.clone(), b)))
                .collect(),
            _ => BTreeMap::new(),
        };
        Some(Self {
            element_id,
            name: text(obj, "name"),
            task_type: TaskType::parse(&text(obj, "altinnTaskType").unwrap_or_default()),
            flow: obj.int("flow"),
            started: text(obj, "started"),
            actions,
            read: obj.bool("read").unwrap_or(false),
            write: obj.bool("write").unwrap_or(false),
        })
    }
}

/// An instance's process state (`GET …/process`, `PUT …/process/next`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProcessState {
    /// When the process started.
    pub started: Option<String>,
    /// When it ended, if it has.
    pub ended: Option<String>,
    /// The end event reached, if any.
    pub end_event: Option<String>,
    /// The current task; `None` once the process ended.
    pub current_task: Option<ProcessTask>,
    /// Every task of the app's process: `(elementId, altinnTaskType)`.
    pub process_tasks: Vec<(String, TaskType)>,
}

impl ProcessState {
    /// Reads a process state.
    pub fn parse(value: &Value) -> Self {
        let obj = Obj::new(value);
        let current_task = obj
            .get("currentTask")
            .filter(|v| v.is_object())
            .and_then(|v| ProcessTask::parse(&Obj::new(v)));
        Self {
            started: text(&obj, "started"),
            ended: text(&obj, "ended"),
            end_event: text(&obj, "endEvent"),
            current_task,
            process_tasks: array(&obj, "processTasks")
                .iter()
                .filter_map(|t| {
                    Some((
                        text(t, "elementId")?,
                        TaskType::parse(&text(t, "altinnTaskType").unwrap_or_default()),
                    ))
                })
                .collect(),
        }
    }

    /// Whether the process reached an end event.
    pub fn is_ended(&self) -> bool {
        self.current_task.is_none() && (self.ended.is_some() || self.end_event.is_some())
    }

    /// The current task's type, if the process is at a task.
    pub fn task_type(&self) -> Option<&TaskType> {
        self.current_task.as_ref().map(|t| &t.task_type)
    }

    /// Whether the process is at a signing task the caller may sign.
    pub fn awaits_signature(&self) -> bool {
        self.current_task
            .as_ref()
            .is_some_and(|t| t.task_type == TaskType::Signing && t.may(&Action::Sign))
    }
}

/// A data element of an instance (a form model, a document, a signature).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DataElement {
    /// Its GUID.
    pub id: String,
    /// Its data type id (`model`, `ref-data-as-pdf`, `signatures`).
    pub data_type: String,
    /// Its content type.
    pub content_type: Option<String>,
    /// Its file name.
    pub filename: Option<String>,
    /// Its size in bytes.
    pub size: Option<u64>,
    /// Whether it is locked (for example after signing).
    pub locked: bool,
    /// Its address in the app.
    pub app_url: Option<String>,
    /// Its address in Storage.
    pub platform_url: Option<String>,
    /// When it was created.
    pub created: Option<String>,
}

impl DataElement {
    /// Reads a data element; `None` without an id.
    pub fn parse(value: &Value) -> Option<Self> {
        let obj = Obj::new(value);
        let links = obj.obj("selfLinks");
        Some(Self {
            id: text(&obj, "id")?,
            data_type: text(&obj, "dataType").unwrap_or_default(),
            content_type: text(&obj, "contentType"),
            filename: text(&obj, "filename"),
            size: obj.int("size").and_then(|s| u64::try_from(s).ok()),
            locked: obj.bool("locked").unwrap_or(false),
            app_url: text(&links, "apps"),
            platform_url: text(&links, "platform"),
            created: text(&obj, "created"),
        })
    }

    pub(crate) fn list(value: Option<&Value>) -> Vec<Self> {
        match value {
            Some(Value::Array(items)) => items.iter().filter_map(Self::parse).collect(),
            _ => Vec::new(),
        }
    }
}

/// An app instance (the app's `InstanceResponse` or Storage's `Instance`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Instance {
    /// Its id.
    pub id: InstanceId,
    /// `"{org}/{app}"`.
    pub app_id: String,
    /// The service owner.
    pub org: Option<String>,
    /// Its process state, if the answer had one.
    pub process: Option<ProcessState>,
    /// Its data elements (only those the caller may read).
    pub data: Vec<DataElement>,
    /// Whether it is archived.
    pub is_archived: bool,
    /// When it was created.
    pub created: Option<String>,
    /// When it was last changed.
    pub last_changed: Option<String>,
    /// Its address in the app.
    pub app_url: Option<String>,
    /// Its address in Storage.
    pub platform_url: Option<String>,
}

impl Instance {
    /// Reads an instance.
    ///
    /// # Errors
    ///
    /// [`Error::UnexpectedResponse`] without a valid `id`.
    pub fn parse(value: &Value) -> Result<Self, Error> {
        let obj = Obj::new(value);
        let id = InstanceId::parse(&text(&obj, "id").unwrap_or_default())?;
        let links = obj.obj("selfLinks");
        Ok(Self {
            id,
            app_id: text(&obj, "appId").unwrap_or_default(),
            org: text(&obj, "org"),
            process: obj
                .get("process")
                .filter(|v| v.is_object())
                .map(ProcessState::parse),
            data: DataElement::list(obj.get("data")),
            is_archived: obj.obj("status").bool("isArchived").unwrap_or(false),
            created: text(&obj, "created"),
            last_changed: text(&obj, "lastChanged"),
            app_url: text(&links, "apps"),
            platform_url: text(&links, "platform"),
        })
    }

    /// The data elements of `data_type`.
    pub fn data_of_type<'a>(&'a self, data_type: &'a str) -> impl Iterator<Item = &'a DataElement> {
        self.data.iter().filter(move |d| d.data_type == data_type)
    }
}

/// One page of a Storage instance query.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InstancePage {
    /// The instances on this page (after authorisation filtering, so possibly fewer than
    /// the page size even when there is a next page).
    pub instances: Vec<Instance>,
    /// `count` as the service gave it.
    pub count: Option<u64>,
    /// The next page's URL, absent on the last page.
    pub next: Option<String>,
}

impl InstancePage {
    pub(crate) fn parse(value: &Value) -> Result<Self, Error> {
        let obj = Obj::new(value);
        let instances = match obj.get("instances") {
            Some(Value::Array(items)) => items
                .iter()
                .map(Instance::parse)
                .collect::<Result<_, _>>()?,
            _ => Vec::new(),
        };
        Ok(Self {
            instances,
            count: obj.int("count").and_then(|c| u64::try_from(c).ok()),
            next: text(&obj, "next"),
        })
    }
}

/// One signee in the signing state (`GET …/signing`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SigneeState {
    /// The person's name (`"System"` for a system user), if any.
    pub name: Option<String>,
    /// The organisation's name, if any (`organisation` or `organization`).
    pub organisation: Option<String>,
    /// Whether delegating the signing right succeeded.
    pub delegation_successful: Option<bool>,
    /// Whether the signee was notified.
    pub notification_status: Option<NotificationStatus>,
    /// The signee's party id.
    pub party_id: Option<u64>,
    /// When the signee signed; `None` while not signed.
    pub signed_time: Option<String>,
}

impl SigneeState {
    /// Whether the signee has signed.
    pub fn has_signed(&self) -> bool {
        self.signed_time.is_some()
    }
}

/// The signing state of an instance at a signing task.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SigningState {
    /// The signees (without runtime delegation: only those who signed).
    pub signees: Vec<SigneeState>,
}

impl SigningState {
    pub(crate) fn parse(value: &Value) -> Self {
        let obj = Obj::new(value);
        let signees = array(&obj, "signeeStates")
            .iter()
            .map(|s| SigneeState {
                name: text(s, "name"),
                organisation: s
                    .any(&["organisation", "organization"])
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                delegation_successful: s.bool("delegationSuccessful"),
                notification_status: text(s, "notificationStatus")
                    .map(|n| NotificationStatus::parse(&n)),
                party_id: s.int("partyId").and_then(|p| u64::try_from(p).ok()),
                signed_time: text(s, "signedTime"),
            })
            .collect();
        Self { signees }
    }
}

/// Who signed, as recorded in a signature data element. The identity number is hidden in
/// `Debug`.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Signee {
    /// The user id.
    pub user_id: Option<String>,
    /// The person's identity number (personal data: do not log).
    pub person_number: Option<String>,
    /// The organisation signed on behalf of.
    pub organisation_number: Option<String>,
    /// The system user id, for a system user.
    pub system_user_id: Option<String>,
}

impl fmt::Debug for Signee {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signee")
            .field("user_id", &self.user_id)
            .field(
                "person_number",
                &self.person_number.as_deref().map(mask_identity_numbers),
            )
            .field("organisation_number", &self.organisation_number)
            .field("system_user_id", &self.system_user_id)
            .finish()
    }
}

/// One signed data element in a [`SignDocument`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DataElementSignature {
    /// The signed data element.
    pub data_element_id: String,
    /// Its SHA-256 (hex or base64, as the service wrote it).
    pub sha256_hash: Option<String>,
    /// Whether it was signed.
    pub signed: bool,
}

/// The content of a signature data element (Storage's `SignDocument`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignDocument {
    /// Its id (the data element's own id).
    pub id: Option<String>,
    /// The instance GUID.
    pub instance_guid: Option<String>,
    /// When it was signed.
    pub signed_time: Option<String>,
    /// Who signed.
    pub signee: Signee,
    /// What was signed.
    pub data_element_signatures: Vec<DataElementSignature>,
}

impl SignDocument {
    /// Reads a signature data element's JSON.
    ///
    /// # Errors
    ///
    /// [`Error::UnexpectedResponse`] unless it is a JSON object.
    pub fn parse(bytes: &[u8]) -> Result<Self, Error> {
        let value: Value = serde_json::from_slice(bytes)
            .map_err(|e| Error::UnexpectedResponse(format!("invalid signature JSON: {e}")))?;
        let obj = Obj::new(&value);
        if !obj.is_object() {
            return Err(Error::UnexpectedResponse(
                "the signature data element is not a JSON object".to_owned(),
            ));
        }
        let signee = obj.obj("signeeInfo");
        Ok(Self {
            id: text(&obj, "id"),
            instance_guid: text(&obj, "instanceGuid"),
            signed_time: text(&obj, "signedTime"),
            signee: Signee {
                user_id: text(&signee, "userId"),
                person_number: text(&signee, "personNumber"),
                organisation_number: signee
                    .any(&["organisationNumber", "organizationNumber"])
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                system_user_id: text(&signee, "systemUserId"),
            },
            data_element_signatures: array(&obj, "dataElementSignatures")
                .iter()
                .filter_map(|s| {
                    Some(DataElementSignature {
                        data_element_id: text(s, "dataElementId")?,
                        sha256_hash: s
                            .any(&["sha256Hash", "md5Hash"])
                            .and_then(Value::as_str)
                            .map(str::to_owned),
                        signed: s.bool("signed").unwrap_or(false),
                    })
                })
                .collect(),
        })
    }
}

/// A localised Dialogporten text, read as its bokmål value (else the first).
fn localized(obj: &Obj<'_>) -> Option<String> {
    let values = array(obj, "value");
    values
        .iter()
        .find(|v| text(v, "languageCode").as_deref() == Some("nb"))
        .or_else(|| values.first())
        .and_then(|v| text(v, "value"))
}

/// A GUI action of a dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GuiAction {
    /// The XACML action (`sign`, `write`, `read`, `delete`).
    pub action: String,
    /// Where a browser goes (`urn:dialogporten:unauthorized` when not authorised).
    pub url: Option<String>,
    /// Whether the user may perform it.
    pub is_authorized: bool,
    /// The resource attribute it is authorised for (`urn:altinn:task:Task_2`).
    pub authorization_attribute: Option<String>,
}

/// An API action endpoint of a dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiEndpoint {
    /// Its URL.
    pub url: Option<String>,
    /// Its HTTP method.
    pub http_method: Option<String>,
    /// Its version.
    pub version: Option<String>,
}

/// An API action of a dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiAction {
    /// The XACML action (`read`, …).
    pub action: String,
    /// Whether the user may perform it.
    pub is_authorized: bool,
    /// Its endpoints.
    pub endpoints: Vec<ApiEndpoint>,
}

/// A Dialogporten dialog: a search item, or a whole dialog with its actions.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Dialog {
    /// Its id (a UUID).
    pub id: String,
    /// The service owner.
    pub org: Option<String>,
    /// The service resource (`urn:altinn:resource:app_{org}_{app}`).
    pub service_resource: Option<String>,
    /// The party URN it belongs to (may carry an identity number: do not log).
    pub party: Option<String>,
    /// Its status.
    pub status: DialogStatus,
    /// When it was created.
    pub created_at: Option<String>,
    /// When it was last updated.
    pub updated_at: Option<String>,
    /// Its title (bokmål, else the first language).
    pub title: Option<String>,
    /// Its summary (bokmål, else the first language).
    pub summary: Option<String>,
    /// GUI actions (only in a whole dialog, not in search items).
    pub gui_actions: Vec<GuiAction>,
    /// API actions (only in a whole dialog, not in search items).
    pub api_actions: Vec<ApiAction>,
}

impl Dialog {
    /// Reads a dialog; `None` without an id.
    pub fn parse(value: &Value) -> Option<Self> {
        let obj = Obj::new(value);
        let content = obj.obj("content");
        Some(Self {
            id: text(&obj, "id")?,
            org: text(&obj, "org"),
            service_resource: text(&obj, "serviceResource"),
            party: text(&obj, "party"),
            status: DialogStatus::parse(&text(&obj, "status").unwrap_or_default()),
            created_at: text(&obj, "createdAt"),
            updated_at: text(&obj, "updatedAt"),
            title: localized(&content.obj("title")),
            summary: localized(&content.obj("summary")),
            gui_actions: array(&obj, "guiActions")
                .iter()
                .filter_map(|a| {
                    Some(GuiAction {
                        action: text(a, "action")?,
                        url: text(a, "url"),
                        is_authorized: a.bool("isAuthorized").unwrap_or(false),
                        authorization_attribute: text(a, "authorizationAttribute"),
                    })
                })
                .collect(),
            api_actions: array(&obj, "apiActions")
                .iter()
                .filter_map(|a| {
                    Some(ApiAction {
                        action: text(a, "action")?,
                        is_authorized: a.bool("isAuthorized").unwrap_or(false),
                        endpoints: array(a, "endpoints")
                            .iter()
                            .map(|e| ApiEndpoint {
                                url: text(e, "url"),
                                http_method: text(e, "httpMethod"),
                                version: text(e, "version"),
                            })
                            .collect(),
                    })
                })
                .collect(),
        })
    }

    /// Whether an authorised `sign` GUI action is offered: the dialog mirrors an instance at
    /// a signing task the user may sign. (Status alone does not tell: a signing task is
    /// `InProgress`.)
    pub fn awaits_signature(&self) -> bool {
        self.gui_actions
            .iter()
            .any(|a| a.action == "sign" && a.is_authorized)
    }

    /// The app instance the dialog mirrors: from the `read` API action's endpoint
    /// (`…/{org}/{app}/instances/{partyId}/{guid}`), else from a GUI action's
    /// `#/instance/{partyId}/{guid}` fragment together with the service resource.
    pub fn instance(&self) -> Option<InstanceRef> {
        let from_api = self
            .api_actions
            .iter()
            .filter(|a| a.action == "read")
            .flat_map(|a| &a.endpoints)
            .filter_map(|e| e.url.as_deref())
            .find_map(InstanceRef::from_app_url);
        from_api.or_else(|| {
            let app = self
                .service_resource
                .as_deref()
                .and_then(|r| r.strip_prefix("urn:altinn:resource:app_"))
                .and_then(|rest| rest.split_once('_'))
                .and_then(|(org, app)| crate::altinn3::AppId::new(org, app).ok())?;
            self.gui_actions
                .iter()
                .filter_map(|a| a.url.as_deref())
                .find_map(|url| {
                    let decoded = percent_decode(url);
                    let (_, tail) = decoded.split_once("#/instance/")?;
                    let mut parts = tail.split('/');
                    let party = parts.next()?.parse().ok()?;
                    let guid = parts.next()?.get(..36)?;
                    Some(InstanceRef {
                        app: app.clone(),
                        id: InstanceId::new(party, guid).ok()?,
                    })
                })
        })
    }
}

fn percent_decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", text.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// An app instance as found from elsewhere (a dialog): the app and the instance id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct InstanceRef {
    /// The app.
    pub app: crate::altinn3::AppId,
    /// The instance.
    pub id: InstanceId,
}

impl InstanceRef {
    /// Reads `…/{org}/{app}/instances/{partyId}/{guid}` from an app URL.
    pub fn from_app_url(url: &str) -> Option<Self> {
        let parsed = url::Url::parse(url).ok()?;
        let segments: Vec<&str> = parsed.path_segments()?.filter(|s| !s.is_empty()).collect();
        let at = segments.iter().position(|s| *s == "instances")?;
        if at < 2 || segments.len() < at + 3 {
            return None;
        }
        Some(Self {
            app: crate::altinn3::AppId::new(segments[at - 2], segments[at - 1]).ok()?,
            id: InstanceId::new(segments[at + 1].parse().ok()?, segments[at + 2]).ok()?,
        })
    }
}

/// One page of a Dialogporten search.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DialogPage {
    /// The dialogs (search items carry no actions).
    pub items: Vec<Dialog>,
    /// Whether there is another page.
    pub has_next_page: bool,
    /// The token for the next page.
    pub continuation_token: Option<String>,
}

impl DialogPage {
    pub(crate) fn parse(value: &Value) -> Self {
        let obj = Obj::new(value);
        Self {
            items: match obj.get("items") {
                Some(Value::Array(items)) => items.iter().filter_map(Dialog::parse).collect(),
                _ => Vec::new(),
            },
            has_next_page: obj.bool("hasNextPage").unwrap_or(false),
            continuation_token: text(&obj, "continuationToken"),
        }
    }
}

/// What `POST …/actions` answered.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ActionResult {
    /// The instance after the action, when the app returns it.
    pub instance: Option<Instance>,
    /// Where the app asks the browser to go, if anywhere.
    pub redirect_url: Option<String>,
}

impl ActionResult {
    pub(crate) fn parse(value: &Value) -> Self {
        let obj = Obj::new(value);
        Self {
            instance: obj
                .get("instance")
                .filter(|v| v.is_object())
                .and_then(|v| Instance::parse(v).ok()),
            redirect_url: text(&obj, "redirectUrl"),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use serde_json::json;

    use super::*;

    const GUID: &str = "0b7d7c3e-8c1e-4a55-9e7d-3f1a2b3c4d5e";

    #[test]
    fn unknown_service_values_are_kept() {
        assert_eq!(TaskType::parse("signing"), TaskType::Signing);
        assert_eq!(TaskType::parse("Signing"), TaskType::Signing);
        assert_eq!(
            TaskType::parse("eFormidling"),
            TaskType::Unknown("eFormidling".to_owned())
        );
        assert_eq!(TaskType::parse("eFormidling").as_str(), "eFormidling");
        assert_eq!(
            DialogStatus::parse("Sent"),
            DialogStatus::Unknown("Sent".to_owned())
        );
        assert_eq!(DialogStatus::parse("InProgress"), DialogStatus::InProgress);
        assert_eq!(
            NotificationStatus::parse("Queued"),
            NotificationStatus::Unknown("Queued".to_owned())
        );
        assert_eq!(Action::parse("sign"), Action::Sign);
        assert_eq!(Action::Unknown("lock".to_owned()).as_str(), "lock");
    }

    #[test]
    fn instance_ids() {
        let id = InstanceId::parse(&format!("50001234/{GUID}")).unwrap();
        assert_eq!(id.party_id(), 50_001_234);
        assert_eq!(id.to_string(), format!("50001234/{GUID}"));
        assert!(InstanceId::parse("50001234").is_err());
        assert!(InstanceId::parse("x/0b7d7c3e").is_err());
        assert!(InstanceId::parse(&format!("1/{GUID}x")).is_err());
    }

    #[test]
    fn process_state_with_an_unknown_task_type_and_extra_fields() {
        let state = ProcessState::parse(&json!({
            "started": "2026-11-01T10:00:00Z",
            "currentTask": {"elementId": "Task_9", "altinnTaskType": "subformsV2",
                            "actions": {"sign": true, "reject": false, "new": "x"},
                            "read": true, "write": true, "somethingNew": 1},
            "processTasks": [{"elementId": "Task_1", "altinnTaskType": "data"},
                             {"elementId": "Task_9", "altinnTaskType": "subformsV2"}]
        }));
        let task = state.current_task.as_ref().unwrap();
        assert_eq!(task.task_type, TaskType::Unknown("subformsV2".to_owned()));
        assert!(task.may(&Action::Sign));
        assert!(!task.may(&Action::Reject));
        assert!(!task.may(&Action::Confirm));
        assert!(!state.awaits_signature());
        assert!(!state.is_ended());
        assert_eq!(
            state.process_tasks[0],
            ("Task_1".to_owned(), TaskType::Data)
        );
        let ended = ProcessState::parse(
            &json!({"currentTask": null, "ended": "x", "endEvent": "EndEvent_1"}),
        );
        assert!(ended.is_ended());
    }

    #[test]
    fn signing_state_accepts_both_spellings() {
        let state = SigningState::parse(&json!({"signeeStates": [
            {"name": "A", "organization": "X AS", "notificationStatus": "Later", "partyId": "5", "signedTime": null},
            {"name": "B", "organisation": "Y AS", "notificationStatus": "Sent", "partyId": 6, "signedTime": "2026-01-01T00:00:00Z"}
        ]}));
        assert_eq!(state.signees[0].organisation.as_deref(), Some("X AS"));
        assert_eq!(
            state.signees[0].notification_status,
            Some(NotificationStatus::Unknown("Later".to_owned()))
        );
        assert_eq!(state.signees[0].party_id, Some(5));
        assert!(!state.signees[0].has_signed());
        assert!(state.signees[1].has_signed());
    }

    #[test]
    fn sign_document_hides_the_identity_number() {
        let doc = SignDocument::parse(
            br#"{"id":"a","signedTime":"t","signeeInfo":{"userId":"1337","personNumber":"24068110048","organizationNumber":"310000001"},
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
    }

    #[test]
    fn dialogs_map_to_instances() {
        let dialog = Dialog::parse(&json!({
            "id": "01936b2e-0000-7000-8000-000000000001",
            "serviceResource": "urn:altinn:resource:app_ttd_signing-demo",
            "status": "Archived?",
            "content": {"title": {"value": [{"languageCode": "en", "value": "Demo"}, {"languageCode": "nb", "value": "Demo nb"}]}},
            "guiActions": [{"action": "sign", "isAuthorized": true,
                "url": format!("https://platform.tt02.altinn.no/authentication/api/v1/authentication?goto=https%3A%2F%2Fttd.apps.tt02.altinn.no%2Fttd%2Fsigning-demo%3FdontChooseReportee%3Dtrue%23%2Finstance%2F50001234%2F{GUID}")}],
            "apiActions": []
        }))
        .unwrap();
        assert_eq!(dialog.status, DialogStatus::Unknown("Archived?".to_owned()));
        assert_eq!(dialog.title.as_deref(), Some("Demo nb"));
        assert!(dialog.awaits_signature());
        let found = dialog.instance().unwrap();
        assert_eq!(found.app.to_string(), "ttd/signing-demo");
        assert_eq!(found.id.to_string(), format!("50001234/{GUID}"));

        let by_api = Dialog::parse(&json!({"id": "x", "apiActions": [{"action": "read", "isAuthorized": true,
            "endpoints": [{"url": format!("https://ttd.apps.tt02.altinn.no/ttd/other-app/instances/7/{GUID}"), "httpMethod": "GET"}]}]}))
        .unwrap();
        assert_eq!(by_api.instance().unwrap().app.app(), "other-app");
        assert!(!by_api.awaits_signature());
        assert!(Dialog::parse(&json!({"status": "Draft"})).is_none());
    }

    #[test]
    fn instance_pages() {
        let page = InstancePage::parse(&json!({"count": 1, "next": "https://x/next",
            "instances": [{"id": format!("1/{GUID}"), "appId": "ttd/a", "status": {"isArchived": true},
                           "data": [{"id": "d", "dataType": "model", "size": 3, "selfLinks": {"apps": "https://a"}}]}]}))
        .unwrap();
        assert_eq!(
            page.instances[0].data[0].app_url.as_deref(),
            Some("https://a")
        );
        assert!(page.instances[0].is_archived);
        assert!(InstancePage::parse(&json!({"instances": [{"id": "bad"}]})).is_err());
    }
}
