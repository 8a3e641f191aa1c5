//! Opaque, URL-bearing handles that a service hands out and later takes back.
//!
//! Adapters fill them in from responses; callers store them (they are plain strings, so
//! they survive a restart) and pass them back to [`SignatureService`](crate::SignatureService)
//! methods. Their content is the provider's business.

use std::fmt;

/// Defines a newtype around a provider-issued URL.
macro_rules! url_handle {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $name(String);

        impl $name {
            /// Wraps a URL issued by the provider (surrounding whitespace removed).
            pub fn new(url: impl Into<String>) -> Self {
                let url = url.into();
                let trimmed = url.trim();
                if trimmed.len() == url.len() {
                    Self(url)
                } else {
                    Self(trimmed.to_owned())
                }
            }

            /// The URL.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

url_handle! {
    /// Where to fetch a direct job's status, together with a [`StatusQueryToken`].
    StatusUrl
}

url_handle! {
    /// Confirms that a status change was processed. Unconfirmed changes are delivered again.
    ConfirmationHandle
}

url_handle! {
    /// Cancels a job that has not ended.
    CancellationHandle
}

url_handle! {
    /// Deletes a finished job's documents from the service.
    DeleteDocumentsHandle
}

url_handle! {
    /// Identifies one direct-flow signer at the service; used to request a new redirect URL.
    SignerUrl
}

url_handle! {
    /// Where to send a direct-flow signer's browser to sign. Single use.
    RedirectUrl
}

/// The token the service appends to a direct job's exit URL (`status_query_token`),
/// proving the caller may read that job's status.
///
/// It grants access, so `Debug` hides it; use [`reveal`](Self::reveal) to send it.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct StatusQueryToken(String);

impl StatusQueryToken {
    /// Wraps a token taken from the exit URL's query.
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }

    /// The token, for the status request.
    pub fn reveal(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for StatusQueryToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StatusQueryToken(***)")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn handles_trim_and_keep_the_url() {
        let handle = ConfirmationHandle::new("\n  https://example.com/confirm/1 \n");
        assert_eq!(handle.as_str(), "https://example.com/confirm/1");
        assert_eq!(handle.to_string(), "https://example.com/confirm/1");
        assert_eq!(StatusUrl::new("https://x/s").as_str(), "https://x/s");
    }

    #[test]
    fn token_is_hidden_in_debug() {
        let token = StatusQueryToken::new("secret-token");
        assert_eq!(format!("{token:?}"), "StatusQueryToken(***)");
        assert_eq!(token.reveal(), "secret-token");
    }
}
