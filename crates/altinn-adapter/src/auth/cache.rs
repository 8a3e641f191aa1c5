//! One cached credential (a token or a cookie), shared by concurrent requests.

use std::fmt;
use std::future::Future;
use std::time::Instant;

use tokio::sync::Mutex;

use crate::error::Error;

pub(crate) struct Cache<T> {
    slot: Mutex<Option<(T, Option<Instant>)>>,
}

/// Opaque, so that the logins holding a cache can derive `Debug` (their secrets are
/// [`Secret`](crate::Secret)s); what is cached is nobody's business in a log.
impl<T> fmt::Debug for Cache<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cache").finish_non_exhaustive()
    }
}

impl<T> Default for Cache<T> {
    fn default() -> Self {
        Self {
            slot: Mutex::new(None),
        }
    }
}

impl<T: Clone + PartialEq> Cache<T> {
    /// The cached value while it is fresh, else a new one from `fetch`. The lock is held
    /// while fetching so that concurrent requests trigger one login, not many.
    pub(crate) async fn get<F, Fut>(&self, fetch: F) -> Result<T, Error>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(T, Option<Instant>), Error>>,
    {
        let mut slot = self.slot.lock().await;
        if let Some((value, refresh_at)) = slot.as_ref()
            && refresh_at.is_none_or(|at| Instant::now() < at)
        {
            return Ok(value.clone());
        }
        let (value, refresh_at) = fetch().await?;
        *slot = Some((value.clone(), refresh_at));
        Ok(value)
    }

    /// A new value unless another request already replaced `rejected`.
    pub(crate) async fn renew<F, Fut>(&self, rejected: &T, fetch: F) -> Result<T, Error>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(T, Option<Instant>), Error>>,
    {
        let mut slot = self.slot.lock().await;
        if let Some((value, _)) = slot.as_ref()
            && value != rejected
        {
            return Ok(value.clone());
        }
        let (value, refresh_at) = fetch().await?;
        *slot = Some((value.clone(), refresh_at));
        Ok(value)
    }
}
