//! The calls: instances, process, signing, data elements, Storage and Dialogporten.

use std::fmt;

use bytes::Bytes;
use reqwest::Method;
use serde_json::{Value, json};
use tokio::io::AsyncWrite;
use url::Url;

use super::client::{Altinn3Client, Body, boundary};
use super::environment::AppId;
use super::model::{
    Action, ActionResult, DataElement, Dialog, DialogPage, DialogStatus, Instance, InstanceId,
    InstancePage, InstanceRef, ProcessState, SignDocument, SigningState,
};
use crate::error::Error;
use crate::secret::mask_identity_numbers;

/// Signature data elements are small JSON documents; larger ones are refused.
const MAX_SIGN_DOCUMENT: u64 = 1024 * 1024;

/// Whom a new instance belongs to.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum InstanceOwner {
    /// A party id.
    PartyId(u64),
    /// An organisation number.
    OrganisationNumber(String),
    /// A person's identity number (hidden in `Debug`).
    PersonNumber(String),
}

impl fmt::Debug for InstanceOwner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PartyId(id) => write!(f, "PartyId({id})"),
            Self::OrganisationNumber(n) => write!(f, "OrganisationNumber({n})"),
            Self::PersonNumber(n) => write!(f, "PersonNumber({})", mask_identity_numbers(n)),
        }
    }
}

impl InstanceOwner {
    fn to_json(&self) -> Value {
        match self {
            Self::PartyId(id) => json!({"partyId": id.to_string()}),
            Self::OrganisationNumber(n) => json!({"organisationNumber": n}),
            Self::PersonNumber(n) => json!({"personNumber": n}),
        }
    }
}

/// Data to store with a new instance: one multipart part named by its data type.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NewData {
    /// The app's data type id (`model`, `ref-data-as-pdf`).
    pub data_type: String,
    /// The content type, one the data type allows.
    pub content_type: String,
    /// A file name, if any.
    pub filename: Option<String>,
    /// The content.
    pub content: Bytes,
}

impl fmt::Debug for NewData {
    // Content is usually personal; only its size is shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewData")
            .field("data_type", &self.data_type)
            .field("content_type", &self.content_type)
            .field("filename", &self.filename)
            .field("len", &self.content.len())
            .finish()
    }
}

impl NewData {
    /// Data of `data_type`.
    pub fn new(
        data_type: impl Into<String>,
        content_type: impl Into<String>,
        content: impl Into<Bytes>,
    ) -> Self {
        Self {
            data_type: data_type.into(),
            content_type: content_type.into(),
            filename: None,
            content: content.into(),
        }
    }

    /// Gives it a file name.
    #[must_use]
    pub fn filename(mut self, filename: impl Into<String>) -> Self {
        self.filename = Some(filename.into());
        self
    }
}

/// A new instance: its owner and the data stored with it at creation.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NewInstance {
    /// The owner.
    pub owner: InstanceOwner,
    /// `dueBefore`, if any (RFC 3339).
    pub due_before: Option<String>,
    /// The data parts.
    pub data: Vec<NewData>,
}

impl NewInstance {
    /// A new instance for `owner`, without data.
    pub fn new(owner: InstanceOwner) -> Self {
        Self {
            owner,
            due_before: None,
            data: Vec::new(),
        }
    }

    /// Adds a data part.
    #[must_use]
    pub fn data(mut self, data: NewData) -> Self {
        self.data.push(data);
        self
    }

    /// Sets `dueBefore`.
    #[must_use]
    pub fn due_before(mut self, when: impl Into<String>) -> Self {
        self.due_before = Some(when.into());
        self
    }

    /// The `multipart/form-data` body and its content type.
    fn multipart(&self) -> Result<(String, Bytes), Error> {
        let boundary = boundary();
        let mut template = json!({"instanceOwner": self.owner.to_json()});
        if let Some(due) = &self.due_before {
            template["dueBefore"] = json!(due);
        }
        let template = template.to_string();
        let mut body = Vec::new();
        let mut part = |name: &str, content_type: &str, filename: Option<&str>, content: &[u8]| {
            if content
                .windows(boundary.len())
                .any(|w| w == boundary.as_bytes())
            {
                return Err(Error::Configuration(
                    "data content contains the multipart boundary".to_owned(),
                ));
            }
            let safe = |s: &str| s.replace(['"', '\r', '\n'], "_");
            body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            let disposition = match filename {
                Some(file) => format!(
                    "Content-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\n",
                    safe(name),
                    safe(file)
                ),
                None => format!(
                    "Content-Disposition: form-data; name=\"{}\"\r\n",
                    safe(name)
                ),
            };
            body.extend_from_slice(disposition.as_bytes());
            body.extend_from_slice(
                format!("Content-Type: {}\r\n\r\n", safe(content_type)).as_bytes(),
            );
            body.extend_from_slice(content);
            body.extend_from_slice(b"\r\n");
            Ok(())
        };
        part("instance", "application/json", None, template.as_bytes())?;
        for data in &self.data {
            part(
                &data.data_type,
                &data.content_type,
                data.filename.as_deref(),
                &data.content,
            )?;
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        Ok((
            format!("multipart/form-data; boundary={boundary}"),
            Bytes::from(body),
        ))
    }
}

/// A Storage instance query (`GET {platform}/storage/api/v1/instances`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct InstanceQuery {
    party_id: Option<u64>,
    app_id: Option<String>,
    current_task: Option<String>,
    is_archived: Option<bool>,
    size: Option<u32>,
}

impl InstanceQuery {
    /// Instances owned by `party_id` (required for end users).
    pub fn for_party(party_id: u64) -> Self {
        Self {
            party_id: Some(party_id),
            ..Self::default()
        }
    }

    /// Only instances of `app`.
    pub fn app(mut self, app: &AppId) -> Self {
        self.app_id = Some(app.to_string());
        self
    }

    /// Only instances at the task `element_id` (e.g. the app's signing task).
    pub fn current_task(mut self, element_id: impl Into<String>) -> Self {
        self.current_task = Some(element_id.into());
        self
    }

    /// Only archived (`true`) or active (`false`) instances.
    pub fn archived(mut self, archived: bool) -> Self {
        self.is_archived = Some(archived);
        self
    }

    /// Page size (Storage's default is 100).
    pub fn size(mut self, size: u32) -> Self {
        self.size = Some(size);
        self
    }
}

/// A Dialogporten end-user search (`GET {dialogporten}/dialogs`). It needs a party or a
/// service resource.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct DialogQuery {
    party: Vec<String>,
    service_resource: Vec<String>,
    org: Vec<String>,
    status: Vec<DialogStatus>,
    search: Option<String>,
    limit: Option<u32>,
    continuation_token: Option<String>,
}

impl DialogQuery {
    /// An empty query; add a party or a service resource.
    pub fn new() -> Self {
        Self::default()
    }

    /// Dialogs of this party URN (`urn:altinn:person:identifier-no:…` or
    /// `urn:altinn:organization:identifier-no:…`).
    pub fn party(mut self, party: impl Into<String>) -> Self {
        self.party.push(party.into());
        self
    }

    /// Dialogs of this service resource (see [`AppId::service_resource`]).
    pub fn service_resource(mut self, resource: impl Into<String>) -> Self {
        self.service_resource.push(resource.into());
        self
    }

    /// Dialogs of this service owner.
    pub fn org(mut self, org: impl Into<String>) -> Self {
        self.org.push(org.into());
        self
    }

    /// Dialogs with this status.
    pub fn status(mut self, status: DialogStatus) -> Self {
        self.status.push(status);
        self
    }

    /// Free-text search (at least 3 characters).
    pub fn search(mut self, text: impl Into<String>) -> Self {
        self.search = Some(text.into());
        self
    }

    /// Page size.
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Continues from a previous page.
    pub fn continuation_token(mut self, token: impl Into<String>) -> Self {
        self.continuation_token = Some(token.into());
        self
    }
}

/// A dialog waiting for the user's signature, with the instance it mirrors and that
/// instance's (authoritative) process state.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AwaitingSignature {
    /// The dialog.
    pub dialog: Dialog,
    /// The app instance.
    pub instance: InstanceRef,
    /// The instance's process, at a signing task the user may sign.
    pub process: ProcessState,
}

impl Altinn3Client {
    fn app_url(&self, app: &AppId, segments: &[&str]) -> Url {
        let mut url = self.inner.environment.app_url(app);
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    fn instance_url(&self, app: &AppId, id: &InstanceId, rest: &[&str]) -> Url {
        let party = id.party_id().to_string();
        let mut segments = vec!["instances", party.as_str(), id.guid()];
        segments.extend_from_slice(rest);
        self.app_url(app, &segments)
    }

    fn platform_url(&self, segments: &[&str]) -> Url {
        let mut url = self.inner.environment.platform_url().clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    fn dialogporten_url(&self, segments: &[&str]) -> Url {
        let mut url = self.inner.environment.dialogporten_url().clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    fn resolve(&self, href: &str) -> Result<Url, Error> {
        let url = Url::parse(href.trim())
            .map_err(|e| Error::UnexpectedResponse(format!("invalid link: {e}")))?;
        if !self.inner.environment.is_trusted(&url) {
            return Err(Error::ForeignLink);
        }
        Ok(url)
    }

    /// Creates an instance of `app` with its data (`POST {app}/instances`, multipart: the
    /// `instance` template, then one part per data element named by its data type). The
    /// app starts the process at its first task.
    ///
    /// # Errors
    ///
    /// [`Error::BadRequest`] (data not allowed by the app's data types),
    /// [`Error::Forbidden`] (not allowed to instantiate for the owner), and the others.
    pub async fn create_instance(&self, app: &AppId, new: &NewInstance) -> Result<Instance, Error> {
        let (content_type, bytes) = new.multipart()?;
        let url = self.with_language(self.app_url(app, &["instances"]));
        let value = self
            .json(
                Method::POST,
                url,
                &Body::Raw {
                    content_type,
                    bytes,
                },
            )
            .await?;
        Instance::parse(&value)
    }

    /// One instance from the app (`GET {app}/instances/{partyId}/{guid}`).
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`], [`Error::Forbidden`], and the others.
    pub async fn instance(&self, app: &AppId, id: &InstanceId) -> Result<Instance, Error> {
        let value = self
            .json(Method::GET, self.instance_url(app, id, &[]), &Body::None)
            .await?;
        Instance::parse(&value)
    }

    /// The instance's data elements (those the caller may read).
    ///
    /// # Errors
    ///
    /// As for [`instance`](Self::instance).
    pub async fn data_elements(
        &self,
        app: &AppId,
        id: &InstanceId,
    ) -> Result<Vec<DataElement>, Error> {
        Ok(self.instance(app, id).await?.data)
    }

    /// One page of a Storage instance query.
    ///
    /// # Errors
    ///
    /// [`Error::BadRequest`] without a party, and the others.
    pub async fn instances(&self, query: &InstanceQuery) -> Result<InstancePage, Error> {
        let mut url = self.platform_url(&["storage", "api", "v1", "instances"]);
        {
            let mut pairs = url.query_pairs_mut();
            if let Some(party) = query.party_id {
                pairs.append_pair("instanceOwner.partyId", &party.to_string());
            }
            if let Some(app) = &query.app_id {
                pairs.append_pair("appId", app);
            }
            if let Some(task) = &query.current_task {
                pairs.append_pair("process.currentTask", task);
            }
            if let Some(archived) = query.is_archived {
                pairs.append_pair("status.isArchived", if archived { "true" } else { "false" });
            }
            if let Some(size) = query.size {
                pairs.append_pair("size", &size.to_string());
            }
        }
        InstancePage::parse(&self.json(Method::GET, url, &Body::None).await?)
    }

    /// The page after `page`, or `None` on the last page (Storage's `next`, followed as
    /// given, on the platform host only).
    ///
    /// # Errors
    ///
    /// [`Error::ForeignLink`] if `next` leaves the platform, and the others.
    pub async fn next_instances(&self, page: &InstancePage) -> Result<Option<InstancePage>, Error> {
        let Some(next) = &page.next else {
            return Ok(None);
        };
        let url = self.resolve(next)?;
        Ok(Some(InstancePage::parse(
            &self.json(Method::GET, url, &Body::None).await?,
        )?))
    }

    /// Every instance the query matches, following `next` through all pages.
    ///
    /// # Errors
    ///
    /// The first failing page's error.
    pub async fn all_instances(&self, query: &InstanceQuery) -> Result<Vec<Instance>, Error> {
        let mut page = self.instances(query).await?;
        let mut all = std::mem::take(&mut page.instances);
        while let Some(mut next) = self.next_instances(&page).await? {
            all.append(&mut next.instances);
            page = next;
        }
        Ok(all)
    }

    /// The instance's process state (`GET …/process`).
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`], [`Error::Forbidden`], and the others.
    pub async fn process(&self, app: &AppId, id: &InstanceId) -> Result<ProcessState, Error> {
        let value = self
            .json(
                Method::GET,
                self.instance_url(app, id, &["process"]),
                &Body::None,
            )
            .await?;
        Ok(ProcessState::parse(&value))
    }

    /// Performs `action` (or, with `None`, the task's default) and moves the process on
    /// (`PUT …/process/next`). `sign` signs a signing task's documents; `confirm`
    /// confirms a confirmation task.
    ///
    /// # Errors
    ///
    /// [`Error::Forbidden`] when the action is not allowed on the current task,
    /// [`Error::Conflict`] when the process has ended or the task does not validate
    /// (with `validationIssues` in the [`ProblemDetails`](crate::ProblemDetails)).
    pub async fn process_next(
        &self,
        app: &AppId,
        id: &InstanceId,
        action: Option<&Action>,
    ) -> Result<ProcessState, Error> {
        let body = match action {
            Some(action) => Body::Json(json!({"action": action.as_str()})),
            None => Body::None,
        };
        let url = self.with_language(self.instance_url(app, id, &["process", "next"]));
        Ok(ProcessState::parse(
            &self.json(Method::PUT, url, &body).await?,
        ))
    }

    /// Performs a user action without moving the process (`POST …/actions`); `sign` here
    /// records the caller's signature and leaves the instance at the signing task for
    /// other signers.
    ///
    /// # Errors
    ///
    /// [`Error::Forbidden`] when the caller may not perform it on the current task,
    /// [`Error::Conflict`] when the process has not started or has ended, and the others.
    pub async fn perform_action(
        &self,
        app: &AppId,
        id: &InstanceId,
        action: &Action,
    ) -> Result<ActionResult, Error> {
        let url = self.with_language(self.instance_url(app, id, &["actions"]));
        let value = self
            .json(
                Method::POST,
                url,
                &Body::Json(json!({"action": action.as_str()})),
            )
            .await?;
        Ok(ActionResult::parse(&value))
    }

    /// The signing state (`GET …/signing`): signees and when they signed.
    ///
    /// # Errors
    ///
    /// [`Error::BadRequest`] ("Not a signing task") outside a signing task, and the others.
    pub async fn signing_state(&self, app: &AppId, id: &InstanceId) -> Result<SigningState, Error> {
        let url = self.with_language(self.instance_url(app, id, &["signing"]));
        Ok(SigningState::parse(
            &self.json(Method::GET, url, &Body::None).await?,
        ))
    }

    /// The data elements the signing task signs (`GET …/signing/data-elements`).
    ///
    /// # Errors
    ///
    /// As for [`signing_state`](Self::signing_state).
    pub async fn signing_data_elements(
        &self,
        app: &AppId,
        id: &InstanceId,
    ) -> Result<Vec<DataElement>, Error> {
        let url = self.with_language(self.instance_url(app, id, &["signing", "data-elements"]));
        let value = self.json(Method::GET, url, &Body::None).await?;
        Ok(DataElement::list(
            crate::hal::Obj::new(&value).get("dataElements"),
        ))
    }

    /// Streams a data element from the app into `sink` (`GET …/data/{dataGuid}`); returns
    /// the bytes written. The sink is not flushed.
    ///
    /// # Errors
    ///
    /// [`Error::ResponseTooLarge`] beyond the configured limit, [`Error::Forbidden`] for a data
    /// type the caller may not read, [`Error::NotFound`], [`Error::Io`] writing.
    pub async fn download_data(
        &self,
        app: &AppId,
        id: &InstanceId,
        data_id: &str,
        sink: &mut (dyn AsyncWrite + Unpin + Send),
    ) -> Result<u64, Error> {
        let url = self.instance_url(app, id, &["data", data_id]);
        self.download_to(url, "*/*", sink).await
    }

    /// Streams from a URL the service gave (a data element's `selfLinks`, a dialog's API
    /// endpoint); only URLs of the configured environment are followed.
    ///
    /// # Errors
    ///
    /// [`Error::ForeignLink`] for any other host, and as for
    /// [`download_data`](Self::download_data).
    pub async fn download_url(
        &self,
        href: &str,
        sink: &mut (dyn AsyncWrite + Unpin + Send),
    ) -> Result<u64, Error> {
        let url = self.resolve(href)?;
        self.download_to(url, "*/*", sink).await
    }

    /// Downloads and reads a signature data element.
    ///
    /// # Errors
    ///
    /// As for [`download_data`](Self::download_data), and [`Error::UnexpectedResponse`]
    /// if it is not a signature document.
    pub async fn sign_document(
        &self,
        app: &AppId,
        id: &InstanceId,
        data_id: &str,
    ) -> Result<SignDocument, Error> {
        let url = self.instance_url(app, id, &["data", data_id]);
        let bytes = self
            .bytes(url, "application/json", MAX_SIGN_DOCUMENT)
            .await?;
        SignDocument::parse(&bytes)
    }

    /// One page of a Dialogporten end-user search.
    ///
    /// # Errors
    ///
    /// [`Error::Configuration`] without a party or service resource (Dialogporten
    /// answers 400); the service's errors.
    pub async fn dialogs(&self, query: &DialogQuery) -> Result<DialogPage, Error> {
        if query.party.is_empty() && query.service_resource.is_empty() {
            return Err(Error::Configuration(
                "a dialog search needs a party or a service resource".to_owned(),
            ));
        }
        let mut url = self.dialogporten_url(&["dialogs"]);
        {
            let mut pairs = url.query_pairs_mut();
            for party in &query.party {
                pairs.append_pair("party", party);
            }
            for resource in &query.service_resource {
                pairs.append_pair("serviceResource", resource);
            }
            for org in &query.org {
                pairs.append_pair("org", org);
            }
            for status in &query.status {
                pairs.append_pair("status", status.as_str());
            }
            if let Some(search) = &query.search {
                pairs.append_pair("search", search);
            }
            if let Some(limit) = query.limit {
                pairs.append_pair("limit", &limit.to_string());
            }
            if let Some(token) = &query.continuation_token {
                pairs.append_pair("continuationToken", token);
            }
        }
        Ok(DialogPage::parse(
            &self.json(Method::GET, url, &Body::None).await?,
        ))
    }

    /// One dialog with its GUI and API actions (`GET {dialogporten}/dialogs/{id}`).
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`], and the others.
    pub async fn dialog(&self, dialog_id: &str) -> Result<Dialog, Error> {
        let value = self
            .json(
                Method::GET,
                self.dialogporten_url(&["dialogs", dialog_id]),
                &Body::None,
            )
            .await?;
        Dialog::parse(&value)
            .ok_or_else(|| Error::UnexpectedResponse("the dialog has no id".to_owned()))
    }

    /// Finds the app instances waiting for the user's signature: searches `query` (all
    /// pages; add `status(InProgress)` and the app's service resource to narrow it), gets
    /// each dialog, keeps those offering an authorised `sign` action, maps each to its
    /// instance and confirms with the instance's process (Dialogporten may lag behind).
    ///
    /// # Errors
    ///
    /// The first failing call's error; dialogs that cannot be mapped to an instance are
    /// skipped.
    pub async fn awaiting_signature(
        &self,
        query: &DialogQuery,
    ) -> Result<Vec<AwaitingSignature>, Error> {
        let mut found = Vec::new();
        let mut query = query.clone();
        loop {
            let page = self.dialogs(&query).await?;
            for item in &page.items {
                let dialog = self.dialog(&item.id).await?;
                if !dialog.awaits_signature() {
                    continue;
                }
                let Some(instance) = dialog.instance() else {
                    continue;
                };
                let process = self.process(&instance.app, &instance.id).await?;
                if process.awaits_signature() {
                    found.push(AwaitingSignature {
                        dialog,
                        instance,
                        process,
                    });
                }
            }
            match (page.has_next_page, page.continuation_token) {
                (true, Some(token)) => query.continuation_token = Some(token),
                _ => break,
            }
        }
        Ok(found)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn multipart_body_has_the_instance_and_data_parts() {
        let new = NewInstance::new(InstanceOwner::PartyId(5))
            .data(NewData::new("model", "application/xml", "<a/>").filename("a.xml"));
        let (content_type, body) = new.multipart().unwrap();
        let boundary = content_type.split("boundary=").nth(1).unwrap();
        let text = String::from_utf8(body.to_vec()).unwrap();
        assert!(text.starts_with(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"instance\""
        )));
        assert!(text.contains(r#"{"instanceOwner":{"partyId":"5"}}"#));
        assert!(text.contains(
            "name=\"model\"; filename=\"a.xml\"\r\nContent-Type: application/xml\r\n\r\n<a/>\r\n"
        ));
        assert!(text.ends_with(&format!("--{boundary}--\r\n")));
        let shown = format!(
            "{:?}",
            InstanceOwner::PersonNumber("24068110048".to_owned())
        );
        assert!(!shown.contains("24068110048"));
    }
}
