//! [`ProxySetting`] on the reqwest client builder.
//!
//! reqwest 0.13 reads the environment's proxies by default (`HTTPS_PROXY`, `ALL_PROXY`,
//! `NO_PROXY`, …, through hyper-util's matcher, which follows curl's rules) unless
//! `no_proxy()` or `proxy()` is called; an explicit proxy replaces them.

use std::error::Error as _;

use signature_core::{Proxy, ProxySetting, TransportError};

use crate::error::Error;

/// Applies `setting` to `builder`.
pub(crate) fn apply(
    builder: reqwest::ClientBuilder,
    setting: &ProxySetting,
) -> Result<reqwest::ClientBuilder, Error> {
    Ok(match setting {
        ProxySetting::Direct => builder.no_proxy(),
        ProxySetting::Through(proxy) => builder.proxy(to_reqwest(proxy)?),
        // The environment, read by reqwest when the client is built.
        _ => builder,
    })
}

/// The explicit proxy for every scheme; `NO_PROXY` still applies unless the proxy has its own
/// bypass list, as with curl's `--proxy`.
fn to_reqwest(proxy: &Proxy) -> Result<reqwest::Proxy, Error> {
    let mut out = reqwest::Proxy::all(proxy.url())
        .map_err(|e| Error::config_from(format!("proxy {proxy}"), e))?;
    if let Some((user, password)) = proxy.credentials() {
        out = out.basic_auth(user, password);
    }
    let bypass = match proxy.no_proxy_hosts() {
        Some(hosts) => reqwest::NoProxy::from_string(hosts),
        None => reqwest::NoProxy::from_env(),
    };
    Ok(out.no_proxy(bypass))
}

/// A failure of the proxy rather than of the service, told apart by hyper-util's "tunnel
/// error" in the causes (the `CONNECT` path: a tunnel the proxy refused, or no connection to
/// the proxy at all). Anything else is handed back.
pub(crate) fn classify(
    error: reqwest::Error,
    setting: &ProxySetting,
) -> Result<Error, reqwest::Error> {
    let mut tunnel = None;
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if let Some(detail) = text.strip_prefix("tunnel error: ") {
            tunnel = Some(detail.to_owned());
            break;
        }
        source = cause.source();
    }
    let Some(detail) = tunnel else {
        return Err(error);
    };
    let proxy = describe(setting);
    let error = error.without_url();
    Ok(
        if detail.starts_with("failed to create underlying connection") {
            Error::ProxyUnreachable {
                proxy,
                source: TransportError::new(error, true),
            }
        } else {
            let detail = match detail.as_str() {
                "unsuccessful" => "it answered CONNECT with an error status".to_owned(),
                "proxy authorization required" => "it wants a login (407)".to_owned(),
                other => other.to_owned(),
            };
            Error::ProxyRefused {
                proxy,
                detail,
                source: TransportError::new(error, false),
            }
        },
    )
}

/// The proxy in use, for messages: its address without credentials, and where it came from.
fn describe(setting: &ProxySetting) -> String {
    match setting {
        ProxySetting::Through(proxy) => proxy.url().to_owned(),
        _ => ["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"]
            .into_iter()
            .find_map(|name| {
                let value = std::env::var(name).ok().filter(|v| !v.trim().is_empty())?;
                Some(match Proxy::new(&value) {
                    Ok(proxy) => format!("{} (from {name})", proxy.url()),
                    Err(_) => format!("named by {name}"),
                })
            })
            .unwrap_or_else(|| "in between".to_owned()),
    }
}
