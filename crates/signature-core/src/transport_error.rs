//! The HTTP library's error, kept opaque so that it is not part of an adapter's API.

use std::error::Error as StdError;
use std::fmt;

/// A failure of the HTTP transport (connecting, TLS, a timeout, reading the answer), as the
/// adapters' HTTP library reported it. Opaque on purpose: the library and its version are
/// not part of the adapters' API. `Display` and `source()` are the library error's own, so
/// an error chain reads as it would without the wrapper; [`get_ref`](Self::get_ref) gives the
/// library error itself, to downcast.
#[derive(Debug)]
pub struct TransportError {
    inner: Box<dyn StdError + Send + Sync + 'static>,
    transient: bool,
}

impl TransportError {
    /// Wraps `error`; `transient` says whether the same call may succeed later (a failed
    /// connection or a timeout, as opposed to a request that could not be built).
    pub fn new(
        error: impl Into<Box<dyn StdError + Send + Sync + 'static>>,
        transient: bool,
    ) -> Self {
        Self {
            inner: error.into(),
            transient,
        }
    }

    /// Whether the same call may succeed later.
    pub fn is_transient(&self) -> bool {
        self.transient
    }

    /// The HTTP library's error.
    pub fn get_ref(&self) -> &(dyn StdError + Send + Sync + 'static) {
        &*self.inner
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.inner, f)
    }
}

impl StdError for TransportError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.inner.source()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transparent_but_downcastable() {
        let io = std::io::Error::other("reset");
        let error = TransportError::new(io, true);
        assert_eq!(error.to_string(), "reset");
        assert!(error.is_transient());
        assert!(error.get_ref().downcast_ref::<std::io::Error>().is_some());
    }
}
