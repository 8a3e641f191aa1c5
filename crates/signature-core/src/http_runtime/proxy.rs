//! [`ProxySetting`] on a reqwest client, and a failure of the proxy told apart from one of the
//! service.
//!
//! reqwest 0.13 reads the environment's proxies by default (`HTTPS_PROXY`, `ALL_PROXY`,
//! `NO_PROXY`, …, through hyper-util's matcher, which follows curl's rules) unless
//! `no_proxy()` or `proxy()` is called; an explicit proxy replaces them.

use std::error::Error as _;

use crate::{Proxy, ProxySetting, TransportError};

/// Applies `setting` to `builder`. The error is reqwest's, for an explicit proxy address it
/// refuses; the caller names the proxy ([`describe`]) in its own configuration error.
pub fn apply(
    builder: reqwest::ClientBuilder,
    setting: &ProxySetting,
) -> Result<reqwest::ClientBuilder, reqwest::Error> {
    Ok(match setting {
        ProxySetting::Direct => builder.no_proxy(),
        ProxySetting::Through(proxy) => builder.proxy(explicit(proxy)?),
        // The environment, read by reqwest when the client is built.
        ProxySetting::FromEnvironment => builder,
    })
}

/// The explicit proxy for every scheme; `NO_PROXY` still applies unless the proxy has its own
/// bypass list, as with curl's `--proxy`.
fn explicit(proxy: &Proxy) -> Result<reqwest::Proxy, reqwest::Error> {
    let mut out = reqwest::Proxy::all(proxy.url())?;
    if let Some((user, password)) = proxy.credentials() {
        out = out.basic_auth(user, password);
    }
    let bypass = match proxy.no_proxy_hosts() {
        Some(hosts) => reqwest::NoProxy::from_string(hosts),
        None => reqwest::NoProxy::from_env(),
    };
    Ok(out.no_proxy(bypass))
}

/// A request that failed at the proxy: nothing reached the service.
#[derive(Debug)]
pub enum ProxyFailure {
    /// The proxy answered `CONNECT` with a refusal (its rules, or a login it wants).
    Refused {
        /// The proxy's address (without credentials) and where it was configured.
        proxy: String,
        /// What the proxy answered, as far as known.
        detail: String,
        /// reqwest's error, without the request's URL; not transient.
        source: TransportError,
    },
    /// No connection to the proxy itself (nothing listens there, DNS, a firewall).
    Unreachable {
        /// The proxy's address (without credentials) and where it was configured.
        proxy: String,
        /// reqwest's error, without the request's URL; transient.
        source: TransportError,
    },
}

/// Tells a failure of the proxy from any other transport error, by hyper-util's
/// "tunnel error" in the causes (the `CONNECT` path that every `https` request through a proxy
/// takes). Anything else is handed back unchanged.
pub fn classify(
    error: reqwest::Error,
    setting: &ProxySetting,
) -> Result<ProxyFailure, reqwest::Error> {
    let mut tunnel = None;
    let mut source = error.source();
    while let Some(cause) = source {
        if let Some(detail) = cause.to_string().strip_prefix("tunnel error: ") {
            tunnel = Some(detail.to_owned());
            break;
        }
        source = cause.source();
    }
    let Some(detail) = tunnel else {
        return Err(error);
    };
    let proxy = describe(setting);
    // The URL may carry an identity number (a Dialogporten party) and says nothing about
    // the proxy.
    let error = error.without_url();
    Ok(
        if detail.starts_with("failed to create underlying connection") {
            ProxyFailure::Unreachable {
                proxy,
                source: TransportError::new(error, true),
            }
        } else {
            let detail = match detail.as_str() {
                "unsuccessful" => "it answered CONNECT with an error status".to_owned(),
                "proxy authorization required" => "it wants a login (407)".to_owned(),
                other => other.to_owned(),
            };
            ProxyFailure::Refused {
                proxy,
                detail,
                source: TransportError::new(error, false),
            }
        },
    )
}

/// The proxy in use, for messages: its address without credentials, and where it came from.
pub fn describe(setting: &ProxySetting) -> String {
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
