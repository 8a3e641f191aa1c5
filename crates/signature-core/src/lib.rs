//! Provider-neutral domain.
