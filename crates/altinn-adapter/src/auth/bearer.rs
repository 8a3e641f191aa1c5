//! A bearer token supplied by the caller (ID-porten), with an optional refresh callback.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use async_trait::async_trait;

use super::cache::Cache;
use super::{TokenContext, TokenSource};
use crate::error::Error;
use crate::secret::Secret;

type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;
type RefreshFuture = Pin<Box<dyn Future<Output = Result<String, BoxError>> + Send>>;
type RefreshFn = Arc<dyn Fn() -> RefreshFuture + Send + Sync>;

/// An access token the caller obtained (typically from ID-porten with the `altinn:*` and,
/// for Dialogporten, `digdir:dialogporten` scopes). Altinn 3 exchanges it for an Altinn
/// token; Altinn 2 accepted it as it is.
///
/// With [`with_refresh`](Self::with_refresh), a token a service refuses is replaced by the
/// callback's result (for example from the ID-porten refresh token) and the request is
/// repeated once.
///
/// ```
/// use altinn_adapter::auth::BearerToken;
/// let token = BearerToken::new("eyJ...").with_refresh(|| async {
///     Ok::<_, std::io::Error>("a fresh token".to_owned())
/// });
/// assert!(!format!("{token:?}").contains("eyJ"));
/// ```
#[derive(Clone)]
pub struct BearerToken {
    cache: Arc<Cache<Secret>>,
    initial: Secret,
    refresh: Option<RefreshFn>,
}

impl BearerToken {
    /// A fixed token.
    pub fn new(token: impl Into<Secret>) -> Self {
        Self {
            cache: Arc::default(),
            initial: token.into(),
            refresh: None,
        }
    }

    /// Calls `refresh` for a new token when a service refuses the current one.
    #[must_use]
    pub fn with_refresh<F, Fut, E>(mut self, refresh: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<String, E>> + Send + 'static,
        E: Into<BoxError>,
    {
        self.refresh = Some(Arc::new(move || {
            let future = refresh();
            Box::pin(async move { future.await.map_err(Into::into) })
        }));
        self
    }

    /// The current token (the initial one until renewed).
    pub(crate) async fn current(&self) -> Result<Secret, Error> {
        let initial = self.initial.clone();
        self.cache.get(|| async move { Ok((initial, None)) }).await
    }

    /// A fresh token from the callback, unless another request already replaced `rejected`.
    pub(crate) async fn refreshed(&self, rejected: &Secret) -> Result<Option<Secret>, Error> {
        let Some(refresh) = self.refresh.clone() else {
            return Ok(None);
        };
        let token = self
            .cache
            .renew(rejected, || async move {
                let token = refresh().await.map_err(Error::Refresh)?;
                Ok((Secret::new(token), None))
            })
            .await?;
        Ok(Some(token))
    }
}

impl fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BearerToken")
            .field("token", &self.initial)
            .field("refreshable", &self.refresh.is_some())
            .finish()
    }
}

#[async_trait]
impl TokenSource for BearerToken {
    async fn token(&self, _cx: &TokenContext<'_>) -> Result<Secret, Error> {
        self.current().await
    }

    async fn renew(
        &self,
        _cx: &TokenContext<'_>,
        rejected: &Secret,
    ) -> Result<Option<Secret>, Error> {
        self.refreshed(rejected).await
    }
}
