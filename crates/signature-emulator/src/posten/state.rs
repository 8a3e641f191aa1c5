//! What every handler shares: database, PKI, settings, URLs and faults.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::clock::Clock;
use super::faults::Faults;
use super::pki::Pki;
use super::rate_limit::RateLimiter;
use super::store::{Flow, Store};
use super::wire::ApiError;

/// Behaviour that the builder configures.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) requeue_ms: i64,
    pub(crate) poll_interval_ms: i64,
    /// Broker → senders it may act for (besides itself).
    pub(crate) brokers: HashMap<String, HashSet<String>>,
    /// Organizations whose certificates are valid but which have no API access.
    pub(crate) without_api_access: HashSet<String>,
    pub(crate) pades_padding: u64,
    pub(crate) max_request_bytes: usize,
    /// CA certificates (DER) trusted beside the emulator's own, for client certificates and
    /// for the bundle's signing certificate (`trust_client_ca_pem`).
    pub(crate) client_cas: Vec<Vec<u8>>,
}

/// Shared by the API and web listeners.
#[derive(Debug)]
pub(crate) struct AppState {
    pub(crate) store: Arc<Store>,
    pub(crate) pki: Arc<Pki>,
    pub(crate) seal: Arc<asice::SigningKey>,
    pub(crate) settings: Settings,
    /// `https://127.0.0.1:PORT/api`
    pub(crate) api_base: String,
    /// `http://127.0.0.1:PORT`
    pub(crate) web_base: String,
    pub(crate) faults: Arc<Faults>,
    /// The service's rate limit (shared with the TLS acceptor).
    pub(crate) limiter: Arc<RateLimiter>,
    /// The clock jobs live by (the control API moves it).
    pub(crate) clock: Clock,
}

impl AppState {
    /// Whether `broker` may use the API, and act for `sender`: `NOT_AUTHORIZED` for an
    /// organization without API access, `BROKER_NOT_AUTHORIZED` for one that may not act
    /// for the sender (the service's troubleshooting guide, "Debugging").
    pub(crate) fn authorize(&self, broker: Option<&str>, sender: &str) -> Result<(), ApiError> {
        let Some(broker) = broker else {
            return Err(ApiError::not_authorized(
                "API authorization request authenticated using a certificate that names no \
                 organization number is not authorized to access this system",
            ));
        };
        if self.settings.without_api_access.contains(broker) {
            return Err(ApiError::not_authorized(format!(
                "API authorization request for {broker} is not authorized to access this system"
            )));
        }
        if broker == sender
            || self
                .settings
                .brokers
                .get(broker)
                .is_some_and(|senders| senders.contains(sender))
        {
            Ok(())
        } else {
            Err(ApiError::broker(format!(
                "Broker «{broker}» is not authorized to send on behalf of «{sender}»"
            )))
        }
    }

    pub(crate) fn job_url(&self, sender: &str, flow: Flow, id: i64) -> String {
        format!(
            "{}/{sender}/{}/signature-jobs/{id}",
            self.api_base,
            flow.as_str()
        )
    }

    pub(crate) fn redirect_url(&self, token: &str) -> String {
        format!("{}/web/redirect/{token}", self.web_base)
    }
}
