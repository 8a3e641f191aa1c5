//! How signers reach the job: redirected from the sender's site (direct) or notified and
//! signing in the provider's portal.

use std::fmt;

use crate::document::check_length;
use crate::error::{TextField, ValidationError};

/// Longest exit URL, in characters (`url` type in the service's schema).
pub const MAX_EXIT_URL_LENGTH: usize = 500;

/// The two signing flows, without their settings.
///
/// Deliberately exhaustive (not `#[non_exhaustive]`): a new flow changes what every caller
/// must do, so it should fail to compile where a `match` does not handle it, rather than
/// fall into a catch-all arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FlowKind {
    /// Synchronous: the sender redirects the signer, who returns to an exit URL.
    Direct,
    /// Asynchronous: the signer is notified and signs in the provider's portal.
    Portal,
}

impl fmt::Display for FlowKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Direct => "direct",
            Self::Portal => "portal",
        })
    }
}

/// The flow a job uses, with the direct flow's settings.
///
/// Providers without a direct flow report [`Capability::CreateDirectJob`] as unsupported.
///
/// Exhaustive for the same reason as [`FlowKind`].
///
/// [`Capability::CreateDirectJob`]: crate::Capability::CreateDirectJob
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Flow {
    /// Signers are notified and sign in the provider's portal (the default).
    #[default]
    Portal,
    /// Signers are redirected from the sender's web site and return to its exit URLs.
    Direct(DirectFlow),
}

impl Flow {
    /// Which flow this is.
    pub fn kind(&self) -> FlowKind {
        match self {
            Self::Portal => FlowKind::Portal,
            Self::Direct(_) => FlowKind::Direct,
        }
    }
}

/// Settings of the direct flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectFlow {
    /// Where the signer returns to.
    pub exit_urls: ExitUrls,
    /// How the sender learns about status changes.
    pub status_retrieval: StatusRetrievalMethod,
}

impl DirectFlow {
    /// A direct flow that waits for the signer to return (the service's default).
    pub fn new(exit_urls: ExitUrls) -> Self {
        Self {
            exit_urls,
            status_retrieval: StatusRetrievalMethod::WaitForCallback,
        }
    }

    /// Changes how status changes are retrieved.
    #[must_use]
    pub fn status_retrieval(mut self, method: StatusRetrievalMethod) -> Self {
        self.status_retrieval = method;
        self
    }

    pub(crate) fn validate(&self) -> Result<(), ValidationError> {
        for url in [
            &self.exit_urls.completion,
            &self.exit_urls.rejection,
            &self.exit_urls.error,
        ] {
            check_length(TextField::ExitUrl, url, (1, MAX_EXIT_URL_LENGTH))?;
        }
        Ok(())
    }
}

/// Where a direct-flow signer's browser is sent after signing, rejecting or an error.
/// The service appends a status query token to the URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExitUrls {
    /// After the signer signed.
    pub completion: String,
    /// After the signer rejected.
    pub rejection: String,
    /// After an error.
    pub error: String,
}

impl ExitUrls {
    /// Three separate URLs.
    pub fn new(
        completion: impl Into<String>,
        rejection: impl Into<String>,
        error: impl Into<String>,
    ) -> Self {
        Self {
            completion: completion.into(),
            rejection: rejection.into(),
            error: error.into(),
        }
    }

    /// One URL for all outcomes; the status tells them apart.
    pub fn single(url: impl Into<String>) -> Self {
        let url = url.into();
        Self::new(url.clone(), url.clone(), url)
    }
}

/// How the sender learns about a direct job's status changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum StatusRetrievalMethod {
    /// Fetch the status with the token appended to the exit URL when the signer returns.
    #[default]
    WaitForCallback,
    /// Poll the status-change queue, as in the portal flow.
    Polling,
}

/// A named queue of status changes, so several applications of one sender can poll
/// independently. Jobs without one use the default queue.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PollingQueue(String);

impl PollingQueue {
    /// A non-empty queue name.
    ///
    /// # Errors
    ///
    /// [`ValidationError::EmptyText`] with [`TextField::PollingQueue`].
    pub fn new(name: impl Into<String>) -> Result<Self, ValidationError> {
        let name = name.into();
        if name.is_empty() {
            return Err(ValidationError::EmptyText {
                field: TextField::PollingQueue,
            });
        }
        Ok(Self(name))
    }

    /// The queue name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

crate::from_text::from_text!(PollingQueue, new, Display);

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn exit_url_length_is_limited() {
        let ok = DirectFlow::new(ExitUrls::single(
            "https://example.com/".to_owned() + &"a".repeat(480),
        ));
        assert_eq!(ok.validate(), Ok(()));
        let too_long = DirectFlow::new(ExitUrls::new(
            "https://example.com/done",
            "https://example.com/".to_owned() + &"a".repeat(481),
            "https://example.com/error",
        ));
        assert_eq!(
            too_long.validate(),
            Err(ValidationError::TextLength {
                field: TextField::ExitUrl,
                length: 501,
                min: 1,
                max: 500
            })
        );
        let empty = DirectFlow::new(ExitUrls::new(
            "https://example.com",
            "https://example.com",
            "",
        ));
        assert!(matches!(
            empty.validate(),
            Err(ValidationError::TextLength { length: 0, .. })
        ));
    }

    #[test]
    fn flow_defaults_and_kinds() {
        assert_eq!(Flow::default().kind(), FlowKind::Portal);
        let direct = DirectFlow::new(ExitUrls::single("https://example.com"))
            .status_retrieval(StatusRetrievalMethod::Polling);
        assert_eq!(direct.status_retrieval, StatusRetrievalMethod::Polling);
        assert_eq!(Flow::Direct(direct).kind(), FlowKind::Direct);
        assert_eq!(FlowKind::Direct.to_string(), "direct");
        assert_eq!(FlowKind::Portal.to_string(), "portal");
        assert_eq!(
            StatusRetrievalMethod::default(),
            StatusRetrievalMethod::WaitForCallback
        );
    }

    #[test]
    fn polling_queue_must_not_be_empty() {
        assert_eq!(
            PollingQueue::new("division-a").unwrap().as_str(),
            "division-a"
        );
        assert_eq!(
            PollingQueue::new(""),
            Err(ValidationError::EmptyText {
                field: TextField::PollingQueue
            })
        );
        // The conversions from text check the same rule.
        let empty = Err(ValidationError::EmptyText {
            field: TextField::PollingQueue,
        });
        assert_eq!("".parse::<PollingQueue>(), empty);
        assert_eq!(PollingQueue::try_from(""), empty);
        assert_eq!(PollingQueue::try_from(String::new()), empty);
        assert_eq!(
            "division-a".parse::<PollingQueue>().unwrap().as_str(),
            "division-a"
        );
        // And it is shown as it was given.
        assert_eq!(
            PollingQueue::new("division-a").unwrap().to_string(),
            "division-a"
        );
    }
}
