//! The one transport setting every adapter shares: how its HTTP client reaches the service.
//!
//! Plain data, so the adapters' builders take the same type without exposing their HTTP
//! library; the `reqwest` feature's hidden `http_runtime::proxy` module turns it into the adapters'
//! client configuration.

use std::fmt;

/// How an adapter's HTTP client reaches the service.
///
/// ```
/// use signature_core::{Proxy, ProxySetting};
/// // The default: HTTPS_PROXY / ALL_PROXY / NO_PROXY, read as curl reads them.
/// assert_eq!(ProxySetting::default(), ProxySetting::FromEnvironment);
/// let explicit: ProxySetting = Proxy::new("http://proxy.example:3128")?.into();
/// assert!(matches!(explicit, ProxySetting::Through(_)));
/// # Ok::<(), signature_core::ProxyError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProxySetting {
    /// The proxy the environment names, as curl reads it: `https_proxy`/`HTTPS_PROXY` for
    /// `https` URLs, `http_proxy` for `http` URLs, `ALL_PROXY`/`all_proxy` for both, and
    /// `NO_PROXY`/`no_proxy` (comma-separated host names, which also match their subdomains,
    /// IP addresses, CIDR ranges, `*` for all) for the hosts reached directly. Without them,
    /// directly.
    #[default]
    FromEnvironment,
    /// Directly, whatever the environment says.
    Direct,
    /// Through this proxy.
    Through(Proxy),
}

impl From<Proxy> for ProxySetting {
    fn from(proxy: Proxy) -> Self {
        Self::Through(proxy)
    }
}

/// An HTTP proxy: its address, optional basic-auth credentials and the hosts that bypass it.
///
/// HTTPS goes through the proxy as a `CONNECT` tunnel, so the mutual-TLS handshake stays
/// end to end: the proxy sees the host name, never the content, and cannot present the client
/// certificate in your place. Credentials never appear in `Debug` or `Display`.
///
/// ```
/// use signature_core::Proxy;
/// let proxy = Proxy::new("http://user:s%40cret@proxy.example:3128")?
///     .no_proxy("localhost, .internal.example, 10.0.0.0/8");
/// assert_eq!(proxy.url(), "http://proxy.example:3128");
/// assert_eq!(proxy.credentials(), Some(("user", "s@cret")));
/// assert!(!format!("{proxy:?}").contains("s@cret"));
/// assert!(Proxy::new("socks5://proxy.example:1080").is_err());
/// # Ok::<(), signature_core::ProxyError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Proxy {
    url: String,
    credentials: Option<(String, String)>,
    no_proxy: Option<String>,
}

/// Why a proxy address was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("proxy address {address:?}: {reason}")]
pub struct ProxyError {
    /// The address, with any password replaced by `***`.
    pub address: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl Proxy {
    /// An `http://` or `https://` proxy, `scheme://[user[:password]@]host[:port][/]`; the
    /// port defaults to the scheme's. Credentials in the address are percent-decoded and kept
    /// apart from it. The hosts bypassing it are those of `NO_PROXY` until
    /// [`no_proxy`](Self::no_proxy) says otherwise.
    ///
    /// # Errors
    ///
    /// [`ProxyError`] for another scheme, a missing host, a bad port, or a path or query.
    pub fn new(address: &str) -> Result<Self, ProxyError> {
        let error = |reason| ProxyError {
            address: redact(address),
            reason,
        };
        let trimmed = address.trim();
        let (scheme, rest) = trimmed
            .split_once("://")
            .ok_or_else(|| error("give the scheme, e.g. http://proxy.example:3128"))?;
        let scheme = scheme.to_ascii_lowercase();
        let default_port = match scheme.as_str() {
            "http" => 80,
            "https" => 443,
            _ => return Err(error("only http:// and https:// proxies are supported")),
        };
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        if authority.contains(['/', '?', '#']) {
            return Err(error("a proxy address has no path or query"));
        }
        let (userinfo, host_port) = match authority.rsplit_once('@') {
            Some((userinfo, host_port)) => (Some(userinfo), host_port),
            None => (None, authority),
        };
        let (host, port) = split_port(host_port).ok_or_else(|| error("bad port"))?;
        if host.is_empty() || host.contains(char::is_whitespace) {
            return Err(error("no host"));
        }
        let credentials = userinfo
            .map(|info| {
                let (user, password) = info.split_once(':').unwrap_or((info, ""));
                Ok::<_, ProxyError>((
                    percent_decode(user).ok_or_else(|| error("bad percent-encoding"))?,
                    percent_decode(password).ok_or_else(|| error("bad percent-encoding"))?,
                ))
            })
            .transpose()?;
        Ok(Self {
            url: format!("{scheme}://{host}:{}", port.unwrap_or(default_port)),
            credentials,
            no_proxy: None,
        })
    }

    /// Basic-auth credentials for the proxy (instead of any in the address).
    #[must_use]
    pub fn basic_auth(mut self, user: impl Into<String>, password: impl Into<String>) -> Self {
        self.credentials = Some((user.into(), password.into()));
        self
    }

    /// The hosts reached directly, in `NO_PROXY` syntax (comma-separated; a name also matches
    /// its subdomains; IP addresses and CIDR ranges; `*` for all). Replaces `NO_PROXY`.
    #[must_use]
    pub fn no_proxy(mut self, hosts: impl Into<String>) -> Self {
        self.no_proxy = Some(hosts.into());
        self
    }

    /// The proxy's address without credentials: `scheme://host:port`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The user name and password, if any.
    pub fn credentials(&self) -> Option<(&str, &str)> {
        self.credentials
            .as_ref()
            .map(|(user, password)| (user.as_str(), password.as_str()))
    }

    /// The bypass list given with [`no_proxy`](Self::no_proxy); `None` means `NO_PROXY`.
    pub fn no_proxy_hosts(&self) -> Option<&str> {
        self.no_proxy.as_deref()
    }
}

impl fmt::Debug for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Proxy")
            .field("url", &self.url)
            .field(
                "credentials",
                &self.credentials.as_ref().map(|_| "<redacted>"),
            )
            .field("no_proxy", &self.no_proxy)
            .finish()
    }
}

impl fmt::Display for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.url)
    }
}

/// `host[:port]`, with `[v6]` literals; `None` for a port that is not a number.
fn split_port(host_port: &str) -> Option<(&str, Option<u16>)> {
    let (host, port) = if let Some(rest) = host_port.strip_prefix('[') {
        let (v6, after) = rest.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(port) => Some(port),
            None if after.is_empty() => None,
            None => return None,
        };
        (&host_port[..v6.len() + 2], port)
    } else {
        match host_port.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        }
    };
    match port {
        Some(port) => port.parse().ok().map(|p| (host, Some(p))),
        None => Some((host, None)),
    }
}

fn percent_decode(input: &str) -> Option<String> {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = input.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The address with the password (if any) replaced, for error messages.
fn redact(address: &str) -> String {
    match address.split_once("://") {
        Some((scheme, rest)) => {
            let authority_end = rest.find('/').unwrap_or(rest.len());
            match rest[..authority_end].rsplit_once('@') {
                Some((userinfo, _)) => {
                    let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
                    format!("{scheme}://{user}:***@{}", &rest[userinfo.len() + 1..])
                }
                None => address.to_owned(),
            }
        }
        None => address.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_parse_as_curl_takes_them() {
        for (input, url) in [
            ("http://proxy:3128", "http://proxy:3128"),
            ("HTTP://Proxy.Example/", "http://Proxy.Example:80"),
            ("https://proxy.example", "https://proxy.example:443"),
            ("http://[::1]:8080", "http://[::1]:8080"),
            ("http://10.0.0.1:3128/", "http://10.0.0.1:3128"),
        ] {
            assert_eq!(
                Proxy::new(input).map(|p| p.url().to_owned()),
                Ok(url.to_owned())
            );
        }
        let with_user = Proxy::new("http://alice@proxy:3128").ok();
        assert_eq!(
            with_user.as_ref().and_then(Proxy::credentials),
            Some(("alice", ""))
        );
    }

    #[test]
    fn bad_addresses_are_refused_without_showing_the_password() {
        for input in [
            "proxy:3128",
            "socks5://proxy:1080",
            "http://",
            "http://proxy:port",
            "http://proxy:99999",
            "http://proxy:3128/path",
            "http://user:pw%zz@proxy:3128",
        ] {
            assert!(Proxy::new(input).is_err(), "{input}");
        }
        let error = Proxy::new("ftp://user:hunter2@proxy:21").err();
        let text = error.map(|e| e.to_string()).unwrap_or_default();
        assert!(text.contains("user:***@proxy:21"), "{text}");
        assert!(!text.contains("hunter2"));
    }

    #[test]
    fn credentials_stay_out_of_debug_and_display() {
        let proxy = Proxy::new("http://proxy:3128")
            .map(|p| p.basic_auth("bob", "topsecret"))
            .ok();
        let shown = format!(
            "{proxy:?} {}",
            proxy.as_ref().map(Proxy::to_string).unwrap_or_default()
        );
        assert!(!shown.contains("topsecret"), "{shown}");
        assert!(shown.contains("<redacted>"));
    }
}
