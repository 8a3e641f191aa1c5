//! App instances: creating one with its data (multipart), reading one.

use std::fmt;

use bytes::Bytes;
use reqwest::Method;
use serde_json::{Value, json};

use super::client::{Body, Client, boundary};
use super::environment::AppId;
use super::model::{DataElement, Instance, InstanceId};
use crate::error::Error;
use crate::secret::mask_identity_numbers;

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
    /// The app's data type id (`model`, an attachment type such as `document`; never an
    /// app-owned type such as `ref-data-as-pdf`, which the app refuses).
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
                return Err(Error::config(
                    "data content contains the multipart boundary",
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

impl Client {
    /// Creates an instance of `app` with its data (`POST {app}/instances`, multipart: the
    /// `instance` template, then one part per data element named by its data type). The
    /// app starts the process at its first task; what happens next is the app's process
    /// (see [`Service`](super::Service) for moving it on without skipping a signature).
    ///
    /// # Errors
    ///
    /// [`Error::Service`] (400) (data not allowed by the app's data types),
    /// [`Error::Service`] (403) (not allowed to instantiate for the owner, or data of a type
    /// the app owns: the generated `ref-data-as-pdf` or one with `allowedContributors:
    /// ["app:owned"]`, which the app refuses with a ProblemDetails "Forbidden" and creates no
    /// instance; app-lib's DataElementAccessChecker), and the others. Upload the documents
    /// to sign as a data type users may write (no `allowedContributors`).
    pub async fn create_instance(&self, app: &AppId, new: &NewInstance) -> Result<Instance, Error> {
        let (content_type, bytes) = new.multipart()?;
        let url = self.with_language(self.app_url(app, &["instances"]));
        let body = Body::Raw {
            content_type,
            bytes,
        };
        self.json(Method::POST, url, &body, "instance").await
    }

    /// One instance from the app (`GET {app}/instances/{partyId}/{guid}`).
    ///
    /// # Errors
    ///
    /// [`Error::Service`] (404), [`Error::Service`] (403), and the others.
    pub async fn instance(&self, app: &AppId, id: &InstanceId) -> Result<Instance, Error> {
        let url = self.instance_url(app, id, &[]);
        self.get_json(url, "instance").await
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
