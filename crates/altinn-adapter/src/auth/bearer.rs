//! A bearer token supplied by the caller (ID-porten), with an optional refresh callback.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use async_trait::async_trait;

use super::cache::CredentialCache;
use super::{AuthContext, AuthProvider, Credential};
use crate::error::Error;
use crate::secret::Secret;

type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;
type RefreshFuture = Pin<Box<dyn Future<Output = Result<String, BoxError>> + Send>>;
type RefreshFn = Arc<dyn Fn() -> RefreshFuture + Send + Sync>;

/// An access token the caller obtained (typically from ID-porten with the `altinn:*`
/// scopes), sent as `Authorization: Bearer`. Altinn 2 accepts the ID-porten token as it is.
///
/// With [`with_refresh`](Self::with_refresh), a token Altinn refuses is replaced by the
/// callback's result (for example from the ID-porten refresh token) and the request is
/// repeated once.
#[derive(Clone)]
pub struct BearerToken {
    cache: Arc<CredentialCache>,
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

    /// Calls `refresh` for a new token when Altinn refuses the current one.
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
impl AuthProvider for BearerToken {
    async fn credential(&self, _cx: &AuthContext<'_>) -> Result<Credential, Error> {
        let initial = self.initial.clone();
        self.cache
            .get(|| async move { Ok((Credential::Bearer(initial), None)) })
            .await
    }

    async fn renew(
        &self,
        _cx: &AuthContext<'_>,
        rejected: &Credential,
    ) -> Result<Option<Credential>, Error> {
        let Some(refresh) = self.refresh.clone() else {
            return Ok(None);
        };
        let credential = self
            .cache
            .renew(rejected, || async move {
                let token = refresh().await.map_err(Error::Refresh)?;
                Ok((Credential::Bearer(Secret::new(token)), None))
            })
            .await?;
        Ok(Some(credential))
    }
}
