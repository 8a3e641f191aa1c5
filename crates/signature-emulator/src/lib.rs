//! In-process emulators of the signing services, for tests and demonstrations.
//!
//! Each provider has its own module: [`posten`] emulates Posten signering (mutual TLS),
//! [`altinn`] the Altinn 2 REST API for form tasks together with Maskinporten and the
//! platform's token exchange, [`altinn3`] an Altinn 3 app, Storage and Dialogporten.
//! Emulators serve on 127.0.0.1 with an ephemeral port unless told otherwise and keep their
//! state in memory (Posten's optionally in SQLite). All three serve the same way, and each
//! listener is a [`Server`]: its address and base URL, a graceful shutdown, a join; dropping
//! it stops the listener.

#![deny(missing_docs)]
#![deny(missing_debug_implementations)]

pub mod altinn;
pub mod altinn3;
pub mod posten;
mod serve;

pub use serve::{DEFAULT_GRACE, Server};

/// `mutex` locked even when a panic poisoned it: a handler that panicked leaves test data
/// consistent enough to keep serving (each caller says why that holds for its data).
pub(crate) fn locked<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The address to put in a base URL for a bound one: loopback instead of "all interfaces".
pub(crate) fn reachable(address: std::net::SocketAddr) -> std::net::SocketAddr {
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
    match address.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => (Ipv4Addr::LOCALHOST, address.port()).into(),
        IpAddr::V6(ip) if ip.is_unspecified() => (Ipv6Addr::LOCALHOST, address.port()).into(),
        _ => address,
    }
}
