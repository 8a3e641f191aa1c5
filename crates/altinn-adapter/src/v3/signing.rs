//! The signing endpoints: the signing state, the documents to sign, the organisations the
//! user may sign for, and reading a signature data element.

use serde::Deserialize;
use url::Url;

use super::client::{Client, from_json};
use super::environment::AppId;
use super::model::{AuthorizedOrganization, DataElement, InstanceId, SignDocument, SigningState};
use crate::error::Error;

/// Signature data elements are small JSON documents; larger ones are refused.
const MAX_SIGN_DOCUMENT: u64 = 1024 * 1024;

impl Client {
    /// `…/signing[/rest]?language=&taskId=`.
    fn signing_url(
        &self,
        app: &AppId,
        id: &InstanceId,
        rest: &[&str],
        task_id: Option<&str>,
    ) -> Url {
        let mut segments = vec!["signing"];
        segments.extend_from_slice(rest);
        let mut url = self.with_language(self.instance_url(app, id, &segments));
        if let Some(task) = task_id {
            url.query_pairs_mut().append_pair("taskId", task);
        }
        url
    }

    /// The signing state (`GET …/signing`): the signees, whom they sign for, whether they
    /// were notified and when they signed. With `task_id` (app-lib 8.9 and later) the state
    /// of that signing task is read, also after the process has left it; without, the
    /// current task's.
    ///
    /// # Errors
    ///
    /// [`Error::Service`] (400) ("Not a signing task") outside a signing task, and the others.
    pub async fn signing_state(
        &self,
        app: &AppId,
        id: &InstanceId,
        task_id: Option<&str>,
    ) -> Result<SigningState, Error> {
        let url = self.signing_url(app, id, &[], task_id);
        self.get_json(url, "signing state").await
    }

    /// The data elements the signing task signs (`GET …/signing/data-elements`), in the
    /// order the app signs them.
    ///
    /// # Errors
    ///
    /// As for [`signing_state`](Self::signing_state).
    pub async fn signing_data_elements(
        &self,
        app: &AppId,
        id: &InstanceId,
        task_id: Option<&str>,
    ) -> Result<Vec<DataElement>, Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Answer {
            #[serde(default, deserialize_with = "super::model::null_as_default")]
            data_elements: Vec<DataElement>,
        }
        let url = self.signing_url(app, id, &["data-elements"], task_id);
        let answer: Answer = self.get_json(url, "signing data elements").await?;
        Ok(answer.data_elements)
    }

    /// The organisations the user may sign for in this task
    /// (`GET …/signing/organizations`, spelled so); each one's `orgNumber` is what
    /// [`ProcessNext::on_behalf_of`](super::ProcessNext::on_behalf_of) and
    /// [`ActionRequest::on_behalf_of`](super::ActionRequest::on_behalf_of) take.
    ///
    /// # Errors
    ///
    /// [`Error::NotAuthenticated`] unless the caller is a person, [`Error::Service`] (400)
    /// outside a signing task, and the others.
    pub async fn signing_organizations(
        &self,
        app: &AppId,
        id: &InstanceId,
        task_id: Option<&str>,
    ) -> Result<Vec<AuthorizedOrganization>, Error> {
        #[derive(Deserialize)]
        struct Answer {
            #[serde(default, deserialize_with = "super::model::null_as_default")]
            organizations: Vec<AuthorizedOrganization>,
        }
        let url = self.signing_url(app, id, &["organizations"], task_id);
        let answer: Answer = self.get_json(url, "signing organizations").await?;
        Ok(answer.organizations)
    }

    /// Downloads and reads a signature data element (Storage's `SignDocument`).
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
        from_json(&bytes, "signature data element")
    }
}
