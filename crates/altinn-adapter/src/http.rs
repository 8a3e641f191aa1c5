//! The HTTP client both Altinn clients use: HTTP/1.1 only, no redirects, the crate's user
//! agent, the TLS roots and optional client certificate.

use std::future::Future;
use std::time::Duration;

use rustls_pki_types::CertificateDer;
use signature_core::ProxySetting;
use signature_core::http_runtime::proxy as shared;

use crate::auth::EnterpriseCertificate;
use crate::error::Error;
use crate::tls;

/// The reqwest client both Altinn clients send with, and the proxy it goes through: a
/// failed send names the proxy when it was the proxy that failed.
#[derive(Debug, Clone)]
pub(crate) struct Http {
    client: reqwest::Client,
    proxy: ProxySetting,
}

impl std::ops::Deref for Http {
    type Target = reqwest::Client;

    fn deref(&self) -> &reqwest::Client {
        &self.client
    }
}

impl Http {
    /// Sends `request`; a failure is [`Error::ProxyRefused`] or [`Error::ProxyUnreachable`]
    /// when the proxy failed, else [`Error::Transport`].
    pub(crate) async fn send(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, Error> {
        request
            .send()
            .await
            .map_err(|e| Error::sending(e, &self.proxy))
    }
}

/// How the HTTP client reaches Altinn: what both client builders configure alike.
#[derive(Debug, Default)]
pub(crate) struct Options {
    /// The trusted roots; when empty, the platform's.
    pub(crate) roots: Vec<CertificateDer<'static>>,
    /// The limit on each request, including reading its answer.
    pub(crate) timeout: Option<Duration>,
    /// The proxy to go through.
    pub(crate) proxy: ProxySetting,
}

/// Builds the client. Redirects are not followed: Altinn 2 redirects to a login page when a
/// credential is missing (which must be seen), and credentials must not follow a redirect to
/// another host. Proxies: reqwest reads `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY`/`NO_PROXY` as
/// curl does unless told otherwise, which is [`ProxySetting::FromEnvironment`].
pub(crate) fn client(
    options: &Options,
    identity: Option<&EnterpriseCertificate>,
) -> Result<Http, Error> {
    let Options {
        roots,
        timeout,
        proxy,
    } = options;
    let tls = tls::client_config(roots, identity)?;
    let mut http = reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .http1_only()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!(
            "signering-altinn-adapter/",
            env!("CARGO_PKG_VERSION")
        ));
    if let Some(timeout) = *timeout {
        http = http.timeout(timeout);
    }
    let http = shared::apply(http, proxy)
        .map_err(|e| Error::config_from(format!("proxy {}", shared::describe(proxy)), e))?;
    let client = http
        .build()
        .map_err(|e| Error::config_from("HTTP client", e))?;
    Ok(Http {
        client,
        proxy: proxy.clone(),
    })
}

/// Sends with `credential`; when Altinn answers that the user is not authenticated, asks
/// `renew` once for a fresh credential and sends again with it (a second refusal is final).
/// Both clients send this way: Altinn 2 with its login's credential, Altinn 3 with the
/// exchanged token; and Altinn 3's token exchange with the external token.
///
/// The closures take the credential by value (a cheap clone of a short string) rather than by
/// reference, which keeps the clients' futures `Send`.
pub(crate) async fn renewing_once<C, T, S, SendFut, R, RenewFut>(
    credential: C,
    send: S,
    renew: R,
) -> Result<T, Error>
where
    C: Clone,
    S: Fn(C) -> SendFut,
    SendFut: Future<Output = Result<T, Error>>,
    R: FnOnce(C) -> RenewFut,
    RenewFut: Future<Output = Result<Option<C>, Error>>,
{
    match send(credential.clone()).await {
        Err(error @ Error::NotAuthenticated { .. }) => match renew(credential).await? {
            Some(fresh) => {
                tracing::debug!("renewed the credential after Altinn refused it");
                send(fresh).await
            }
            None => Err(error),
        },
        other => other,
    }
}

/// `url` with `segments` appended to its path, each percent-encoded (a trailing `/` of the
/// base is not doubled). A URL that cannot be a base is returned unchanged.
pub(crate) fn with_path<I>(mut url: url::Url, segments: I) -> url::Url
where
    I: IntoIterator,
    I::Item: AsRef<str>,
{
    if let Ok(mut path) = url.path_segments_mut() {
        path.pop_if_empty().extend(segments);
    }
    url
}

/// Whether `url` has `base`'s origin: scheme, host (ignoring ASCII case) and port. Credentials
/// go only to the configured origins.
pub(crate) fn same_origin(url: &url::Url, base: &url::Url) -> bool {
    url.scheme() == base.scheme()
        && url.host_str().map(str::to_ascii_lowercase)
            == base.host_str().map(str::to_ascii_lowercase)
        && url.port_or_known_default() == base.port_or_known_default()
}

/// A base URL: absolute http(s), ending in `/`, without query.
pub(crate) fn parse_base(input: &str) -> Result<url::Url, Error> {
    let mut url = url::Url::parse(input)
        .map_err(|e| Error::config_from(format!("invalid base URL {input:?}"), e))?;
    if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
        return Err(Error::config(format!(
            "base URL {input:?} must be an absolute http(s) URL"
        )));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    url.set_query(None);
    Ok(url)
}
