//! Where an Altinn 3 client talks to: the app hosts, the platform and Dialogporten.

use std::fmt;

use url::Url;

use crate::error::Error;
use crate::http::{parse_base, same_origin, with_path};

/// An app: its service owner (`org`, e.g. `ttd`) and name, written `"{org}/{app}"`
/// (Storage's `appId`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AppId {
    org: String,
    app: String,
}

fn valid_name(part: &str) -> bool {
    !part.is_empty()
        && part
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl AppId {
    /// The app `app` of the service owner `org`.
    ///
    /// # Errors
    ///
    /// [`Error::Configuration`] unless both are non-empty and made of lower-case ASCII
    /// letters, digits and `-` (Altinn's rule for org codes and app names).
    pub fn new(org: &str, app: &str) -> Result<Self, Error> {
        if !valid_name(org) || !valid_name(app) {
            return Err(Error::config(format!(
                "invalid app id {org:?}/{app:?}: use lower-case letters, digits and '-'"
            )));
        }
        Ok(Self {
            org: org.to_owned(),
            app: app.to_owned(),
        })
    }

    /// Parses `"{org}/{app}"`.
    ///
    /// # Errors
    ///
    /// As for [`new`](Self::new).
    pub fn parse(app_id: &str) -> Result<Self, Error> {
        let (org, app) = app_id
            .trim()
            .split_once('/')
            .ok_or_else(|| Error::config(format!("invalid app id {app_id:?}: expected org/app")))?;
        Self::new(org, app)
    }

    /// The service owner's code.
    pub fn org(&self) -> &str {
        &self.org
    }

    /// The app's name.
    pub fn app(&self) -> &str {
        &self.app
    }

    /// Dialogporten's service resource for the app: `urn:altinn:resource:app_{org}_{app}`.
    pub fn service_resource(&self) -> String {
        format!("urn:altinn:resource:app_{}_{}", self.org, self.app)
    }

    /// The app a service resource `urn:altinn:resource:app_{org}_{app}` stands for; `None`
    /// for a resource that is not an app.
    pub fn from_service_resource(resource: &str) -> Option<Self> {
        let (org, app) = resource
            .strip_prefix("urn:altinn:resource:app_")?
            .split_once('_')?;
        Self::new(org, app).ok()
    }
}

impl fmt::Display for AppId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.org, self.app)
    }
}

/// How app URLs are formed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum AppsHost {
    /// `https://{org}.{domain}/{org}/{app}/` (the real environments).
    PerOrg { domain: &'static str },
    /// `{base}{org}/{app}/` (an emulator or proxy serving every app on one host).
    Fixed(Url),
}

/// An Altinn 3 environment: the apps' hosts, the platform (token exchange, Storage) and
/// Dialogporten's end-user API.
///
/// ```
/// use altinn_adapter::v3::{Environment, AppId};
/// let app = AppId::parse("ttd/signing-demo")?;
/// let tt02 = Environment::tt02();
/// assert_eq!(tt02.app_url(&app).as_str(), "https://ttd.apps.tt02.altinn.no/ttd/signing-demo/");
/// let emulator = Environment::custom("http://127.0.0.1:8080")?;
/// assert_eq!(emulator.app_url(&app).as_str(), "http://127.0.0.1:8080/ttd/signing-demo/");
/// # Ok::<(), altinn_adapter::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    apps: AppsHost,
    platform: Url,
    dialogporten: Url,
}

impl Environment {
    /// Production: apps at `https://{org}.apps.altinn.no`, platform `https://platform.altinn.no`.
    pub fn production() -> Self {
        Self::known("apps.altinn.no", "https://platform.altinn.no/")
    }

    /// The test environment TT02: apps at `https://{org}.apps.tt02.altinn.no`, platform
    /// `https://platform.tt02.altinn.no`. Needs test-environment (Maskinporten test /
    /// ID-porten test) tokens.
    pub fn tt02() -> Self {
        Self::known("apps.tt02.altinn.no", "https://platform.tt02.altinn.no/")
    }

    fn known(domain: &'static str, platform: &str) -> Self {
        let platform = match Url::parse(platform) {
            Ok(url) => url,
            // The literals above are valid URLs; this arm cannot be reached.
            Err(_) => unreachable!("built-in platform URLs are valid"),
        };
        let dialogporten = dialogporten_under(&platform);
        Self {
            apps: AppsHost::PerOrg { domain },
            platform,
            dialogporten,
        }
    }

    /// Everything on one host (an emulator): apps at `{base}{org}/{app}/`, the platform at
    /// `{base}` and Dialogporten at `{base}dialogporten/api/v1/enduser/`.
    ///
    /// # Errors
    ///
    /// [`Error::Configuration`] if `base` is not an absolute http(s) URL.
    pub fn custom(base: &str) -> Result<Self, Error> {
        let base = parse_base(base)?;
        Ok(Self {
            apps: AppsHost::Fixed(base.clone()),
            dialogporten: dialogporten_under(&base),
            platform: base,
        })
    }

    /// Serves every app under `base` (`{base}{org}/{app}/`).
    ///
    /// # Errors
    ///
    /// [`Error::Configuration`] if `base` is not an absolute http(s) URL.
    pub fn with_apps(mut self, base: &str) -> Result<Self, Error> {
        self.apps = AppsHost::Fixed(parse_base(base)?);
        Ok(self)
    }

    /// Uses another platform host (token exchange and Storage); Dialogporten stays where it was.
    ///
    /// # Errors
    ///
    /// [`Error::Configuration`] if `platform` is not an absolute http(s) URL.
    pub fn with_platform(mut self, platform: &str) -> Result<Self, Error> {
        self.platform = parse_base(platform)?;
        Ok(self)
    }

    /// Uses another base for Dialogporten's end-user API (the URL ending in `/enduser/`).
    ///
    /// # Errors
    ///
    /// [`Error::Configuration`] if `url` is not an absolute http(s) URL.
    pub fn with_dialogporten(mut self, url: &str) -> Result<Self, Error> {
        self.dialogporten = parse_base(url)?;
        Ok(self)
    }

    /// The app's API base, ending in `/`.
    pub fn app_url(&self, app: &AppId) -> Url {
        let url = match &self.apps {
            AppsHost::PerOrg { domain } => {
                match Url::parse(&format!("https://{}.{domain}/", app.org)) {
                    Ok(url) => url,
                    // `org` is validated to [a-z0-9-]+, so the host is valid.
                    Err(_) => unreachable!("validated org codes form valid hosts"),
                }
            }
            AppsHost::Fixed(base) => base.clone(),
        };
        with_path(url, [app.org.as_str(), &app.app, ""])
    }

    /// The platform host, ending in `/`.
    pub fn platform_url(&self) -> &Url {
        &self.platform
    }

    /// Dialogporten's end-user API base, ending in `/`.
    pub fn dialogporten_url(&self) -> &Url {
        &self.dialogporten
    }

    /// Whether credentials may be sent to `url`: the platform's or Dialogporten's origin, or
    /// an app host of this environment.
    pub fn is_trusted(&self, url: &Url) -> bool {
        let same_origin = |base: &Url| same_origin(url, base);
        if same_origin(&self.platform) || same_origin(&self.dialogporten) {
            return true;
        }
        match &self.apps {
            AppsHost::Fixed(base) => same_origin(base),
            AppsHost::PerOrg { domain } => {
                url.scheme() == "https"
                    && url.port_or_known_default() == Some(443)
                    && url.host_str().is_some_and(|host| {
                        host.to_ascii_lowercase()
                            .strip_suffix(domain)
                            .and_then(|org| org.strip_suffix('.'))
                            .is_some_and(valid_name)
                    })
            }
        }
    }
}

fn dialogporten_under(platform: &Url) -> Url {
    with_path(
        platform.clone(),
        ["dialogporten", "api", "v1", "enduser", ""],
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn hosts_per_environment() {
        let app = AppId::parse("ttd/signing-demo").unwrap();
        let prod = Environment::production();
        assert_eq!(
            prod.app_url(&app).as_str(),
            "https://ttd.apps.altinn.no/ttd/signing-demo/"
        );
        assert_eq!(
            prod.dialogporten_url().as_str(),
            "https://platform.altinn.no/dialogporten/api/v1/enduser/"
        );
        assert!(
            prod.is_trusted(&Url::parse("https://ttd.apps.altinn.no/ttd/x/instances").unwrap())
        );
        assert!(prod.is_trusted(
            &Url::parse("https://platform.altinn.no/storage/api/v1/instances").unwrap()
        ));
        assert!(!prod.is_trusted(&Url::parse("https://evil.example/ttd.apps.altinn.no").unwrap()));
        assert!(!prod.is_trusted(&Url::parse("https://x.y.apps.altinn.no.evil.example/").unwrap()));
        assert!(!prod.is_trusted(&Url::parse("http://ttd.apps.altinn.no/").unwrap()));
        let custom = Environment::custom("http://127.0.0.1:9/base").unwrap();
        assert_eq!(
            custom.app_url(&app).as_str(),
            "http://127.0.0.1:9/base/ttd/signing-demo/"
        );
        assert!(custom.is_trusted(&Url::parse("http://127.0.0.1:9/x").unwrap()));
        assert!(!custom.is_trusted(&Url::parse("http://127.0.0.1:10/x").unwrap()));
        assert_eq!(
            app.service_resource(),
            "urn:altinn:resource:app_ttd_signing-demo"
        );
        assert!(AppId::parse("TTD/x").is_err());
        assert!(AppId::parse("ttd").is_err());
        assert!(AppId::parse("ttd/a/b").is_err());
    }
}
