//! One cached credential, shared by concurrent requests.

use std::future::Future;
use std::time::Instant;

use tokio::sync::Mutex;

use super::Credential;
use crate::error::Error;

#[derive(Debug, Default)]
pub(crate) struct CredentialCache {
    slot: Mutex<Option<(Credential, Option<Instant>)>>,
}

impl CredentialCache {
    /// The cached credential while it is fresh, else a new one from `fetch`. The lock is
    /// held while fetching so that concurrent requests trigger one login, not many.
    pub(crate) async fn get<F, Fut>(&self, fetch: F) -> Result<Credential, Error>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(Credential, Option<Instant>), Error>>,
    {
        let mut slot = self.slot.lock().await;
        if let Some((credential, refresh_at)) = slot.as_ref()
            && refresh_at.is_none_or(|at| Instant::now() < at)
        {
            return Ok(credential.clone());
        }
        let (credential, refresh_at) = fetch().await?;
        *slot = Some((credential.clone(), refresh_at));
        Ok(credential)
    }

    /// A new credential unless another request already replaced `rejected`.
    pub(crate) async fn renew<F, Fut>(
        &self,
        rejected: &Credential,
        fetch: F,
    ) -> Result<Credential, Error>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(Credential, Option<Instant>), Error>>,
    {
        let mut slot = self.slot.lock().await;
        if let Some((credential, _)) = slot.as_ref()
            && credential != rejected
        {
            return Ok(credential.clone());
        }
        let (credential, refresh_at) = fetch().await?;
        *slot = Some((credential.clone(), refresh_at));
        Ok(credential)
    }
}
