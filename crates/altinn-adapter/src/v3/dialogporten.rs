//! Dialogporten's end-user API: searching dialogs, reading one, and looking up an
//! instance's dialog.

use super::client::Client;
use super::model::{Dialog, DialogLookup, DialogPage, DialogStatus, InstanceRef};
use crate::error::Error;

/// Dialogporten's largest page (`limit` 1–1000).
pub const MAX_LIMIT: u32 = 1000;

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

    /// Dialogs of this service resource (see [`AppId::service_resource`](super::AppId::service_resource)).
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

    /// Page size: 1 to 1000 (Dialogporten's range; larger values are sent as 1000, 0 as 1).
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit.clamp(1, MAX_LIMIT));
        self
    }

    /// Continues from a previous page.
    pub fn continuation_token(mut self, token: impl Into<String>) -> Self {
        self.continuation_token = Some(token.into());
        self
    }
}

impl Client {
    /// One page of a Dialogporten end-user search (`GET {dialogporten}/dialogs`; list
    /// parameters repeated, as Dialogporten reads them).
    ///
    /// # Errors
    ///
    /// [`Error::Configuration`] without a party or service resource (Dialogporten
    /// answers 400); the service's errors (403 without the `digdir:dialogporten` scope).
    pub async fn dialogs(&self, query: &DialogQuery) -> Result<DialogPage, Error> {
        if query.party.is_empty() && query.service_resource.is_empty() {
            return Err(Error::config(
                "a dialog search needs a party or a service resource",
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
        self.get_json(url, "dialog search page").await
    }

    /// One dialog with its GUI and API actions (`GET {dialogporten}/dialogs/{id}`).
    ///
    /// # Errors
    ///
    /// [`Error::Service`] (404), and the others.
    pub async fn dialog(&self, dialog_id: &str) -> Result<Dialog, Error> {
        let url = self.dialogporten_url(&["dialogs", dialog_id]);
        self.get_json(url, "dialog").await
    }

    /// The dialog mirroring an app instance
    /// (`GET {dialogporten}/dialoglookup?instanceRef=urn:altinn:instance-id:{partyId}/{guid}`),
    /// with why the user may see it (for example through a delegation of the instance, as a
    /// runtime-delegated signee).
    ///
    /// # Errors
    ///
    /// [`Error::Service`] (404) when the user sees no dialog for it, and the others.
    pub async fn dialog_lookup(&self, instance: &InstanceRef) -> Result<DialogLookup, Error> {
        let mut url = self.dialogporten_url(&["dialoglookup"]);
        url.query_pairs_mut()
            .append_pair("instanceRef", &instance.id.urn());
        self.get_json(url, "dialog lookup").await
    }
}
