//! [`ProxySetting`] on the reqwest client builder, and proxy failures as this crate's errors;
//! the reqwest side is core's, shared with the Altinn adapter.

use signature_core::ProxySetting;
use signature_core::http_runtime::proxy::{self, ProxyFailure};

use crate::error::Error;

/// Applies `setting` to `builder`.
pub(crate) fn apply(
    builder: reqwest::ClientBuilder,
    setting: &ProxySetting,
) -> Result<reqwest::ClientBuilder, Error> {
    proxy::apply(builder, setting)
        .map_err(|e| Error::config_from(format!("proxy {}", proxy::describe(setting)), e))
}

/// [`Error::ProxyRefused`] or [`Error::ProxyUnreachable`] for a failure of the proxy rather
/// than of the service; anything else is handed back.
pub(crate) fn classify(
    error: reqwest::Error,
    setting: &ProxySetting,
) -> Result<Error, reqwest::Error> {
    Ok(match proxy::classify(error, setting)? {
        ProxyFailure::Unreachable { proxy, source } => Error::ProxyUnreachable { proxy, source },
        ProxyFailure::Refused {
            proxy,
            detail,
            source,
        } => Error::ProxyRefused {
            proxy,
            detail,
            source,
        },
    })
}
