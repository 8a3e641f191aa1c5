//! Where the client talks to: environment, language and the `{who}` of a message box.

use std::fmt;

use signature_core::OrganizationNumber;
use url::Url;

use crate::error::Error;
use crate::http::parse_base;

/// An Altinn environment: the REST API host and the platform host used for token exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    api: Url,
    platform: Url,
}

impl Environment {
    /// Production: `https://www.altinn.no`, platform `https://platform.altinn.no`.
    pub fn production() -> Self {
        Self::known("https://www.altinn.no/", "https://platform.altinn.no/")
    }

    /// The test environment TT02: `https://tt02.altinn.no`, platform
    /// `https://platform.tt02.altinn.no`. It needs its own API key and test-environment
    /// tokens and certificates.
    pub fn tt02() -> Self {
        Self::known(
            "https://tt02.altinn.no/",
            "https://platform.tt02.altinn.no/",
        )
    }

    /// Any host, for example an emulator. The platform host (token exchange) is the same
    /// unless changed with [`with_platform`](Self::with_platform).
    ///
    /// # Errors
    ///
    /// [`Error::Configuration`] if `api` is not an absolute http(s) URL.
    pub fn custom(api: &str) -> Result<Self, Error> {
        let api = parse_base(api)?;
        Ok(Self {
            platform: api.clone(),
            api,
        })
    }

    /// Uses another platform host for the token exchange.
    ///
    /// # Errors
    ///
    /// [`Error::Configuration`] if `platform` is not an absolute http(s) URL.
    pub fn with_platform(mut self, platform: &str) -> Result<Self, Error> {
        self.platform = parse_base(platform)?;
        Ok(self)
    }

    fn known(api: &str, platform: &str) -> Self {
        match (parse_base(api), parse_base(platform)) {
            (Ok(api), Ok(platform)) => Self { api, platform },
            // The literals above are valid URLs; this arm cannot be reached.
            _ => unreachable!("built-in environment URLs are valid"),
        }
    }

    /// The REST API host, ending in `/`.
    pub fn api_url(&self) -> &Url {
        &self.api
    }

    /// The platform host for token exchange, ending in `/`.
    pub fn platform_url(&self) -> &Url {
        &self.platform
    }
}

/// The language Altinn localises statuses and texts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Language {
    /// Norwegian bokmål (1044), Altinn's default.
    #[default]
    Bokmal,
    /// English (1033).
    English,
    /// Norwegian nynorsk (2068).
    Nynorsk,
}

impl Language {
    /// Altinn's language code.
    pub fn code(self) -> u16 {
        match self {
            Self::Bokmal => 1044,
            Self::English => 1033,
            Self::Nynorsk => 2068,
        }
    }
}

/// Whose message box: the logged-in user's, an organization's, or a reportee's.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Who {
    /// The logged-in user (`my`).
    My,
    /// An organization the user can represent.
    Organization(OrganizationNumber),
    /// A reportee id as Altinn gives it, with its `r` prefix (`r50170460`). Use this for
    /// other persons: identity numbers are not valid here.
    Reportee(String),
}

impl Who {
    /// A reportee id; the `r` prefix is added if missing.
    pub fn reportee(id: impl Into<String>) -> Self {
        let id = id.into();
        if id.starts_with('r') {
            Self::Reportee(id)
        } else {
            Self::Reportee(format!("r{id}"))
        }
    }

    /// The path segment.
    pub fn as_segment(&self) -> &str {
        match self {
            Self::My => "my",
            Self::Organization(number) => number.as_str(),
            Self::Reportee(id) => id,
        }
    }
}

impl fmt::Display for Who {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_segment())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn environments() {
        assert_eq!(
            Environment::production().api_url().as_str(),
            "https://www.altinn.no/"
        );
        assert_eq!(
            Environment::tt02().platform_url().as_str(),
            "https://platform.tt02.altinn.no/"
        );
        let custom = Environment::custom("http://127.0.0.1:8080/base")
            .unwrap()
            .with_platform("http://127.0.0.1:9090")
            .unwrap();
        assert_eq!(custom.api_url().as_str(), "http://127.0.0.1:8080/base/");
        assert_eq!(custom.platform_url().as_str(), "http://127.0.0.1:9090/");
        assert!(Environment::custom("ftp://x").is_err());
        assert!(Environment::custom("not a url").is_err());
    }

    #[test]
    fn who_segments() {
        assert_eq!(Who::My.as_segment(), "my");
        assert_eq!(Who::reportee("50170460").as_segment(), "r50170460");
        assert_eq!(Who::reportee("r50170460").as_segment(), "r50170460");
        let org = OrganizationNumber::parse("984661185").unwrap();
        assert_eq!(Who::Organization(org).to_string(), "984661185");
        assert_eq!(Language::Nynorsk.code(), 2068);
        assert_eq!(Language::default().code(), 1044);
    }
}
