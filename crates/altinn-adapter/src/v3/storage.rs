//! Storage's instance query (`GET {platform}/storage/api/v1/instances`), with paging.

use super::client::Client;
use super::environment::AppId;
use super::model::{Instance, InstancePage};
use crate::error::Error;

/// A Storage instance query. The parameter names are Storage's
/// (`InstanceQueryParameters`: `instanceOwner.partyId`, `appId`, `process.currentTask`,
/// `status.isArchived`, `size`).
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
    /// Instances owned by `party_id` (required for end users and system users).
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

impl Client {
    /// One page of a Storage instance query.
    ///
    /// # Errors
    ///
    /// [`Error::Service`] (400) without a party, and the others.
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
        self.get_json(url, "Storage instance page").await
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
        Ok(Some(self.get_json(url, "Storage instance page").await?))
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
}
