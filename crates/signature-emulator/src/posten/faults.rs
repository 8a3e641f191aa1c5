//! Fault injection on the API listener: dropped connections, error statuses, slow responses
//! and bursts of 429, for every route or for the routes a rule matches.

use std::sync::Mutex;

use serde::{Deserialize, Serialize};

/// What happens to a request a rule matches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Fault {
    /// The connection is closed without a response.
    DropConnection,
    /// The request is answered with this status and an `error` document (code `EMULATED_FAULT`).
    Status {
        /// HTTP status code, e.g. 500 or 503.
        status: u16,
    },
    /// The request is handled normally after this delay.
    Delay {
        /// Delay in milliseconds.
        millis: u64,
    },
    /// 429 Too Many Requests with `X-Next-permitted-poll-time` this far in the future.
    TooManyRequests {
        /// Milliseconds until the next permitted poll.
        next_poll_in_millis: u64,
    },
}

/// A fault and the requests it applies to. Without `method`/`path_contains` it applies to
/// every API request; without `times` it applies until cleared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultRule {
    /// What to do.
    pub fault: Fault,
    /// HTTP method to match (case-insensitive), e.g. `GET`.
    #[serde(default)]
    pub method: Option<String>,
    /// Substring the request path must contain, e.g. `/portal/signature-jobs`.
    #[serde(default)]
    pub path_contains: Option<String>,
    /// How many matching requests it applies to; `None` = until cleared.
    #[serde(default)]
    pub times: Option<u32>,
}

impl FaultRule {
    /// A rule for every API request, until cleared.
    pub fn new(fault: Fault) -> Self {
        Self {
            fault,
            method: None,
            path_contains: None,
            times: None,
        }
    }

    /// Only requests with this method.
    pub fn method(mut self, method: impl Into<String>) -> Self {
        self.method = Some(method.into());
        self
    }

    /// Only requests whose path contains `fragment`.
    pub fn path_contains(mut self, fragment: impl Into<String>) -> Self {
        self.path_contains = Some(fragment.into());
        self
    }

    /// Only the next `n` matching requests.
    pub fn times(mut self, n: u32) -> Self {
        self.times = Some(n);
        self
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        self.method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self
                .path_contains
                .as_deref()
                .is_none_or(|p| path.contains(p))
    }
}

/// The active rules, first match wins.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    rules: Mutex<Vec<FaultRule>>,
}

impl Faults {
    fn rules(&self) -> std::sync::MutexGuard<'_, Vec<FaultRule>> {
        self.rules
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn add(&self, rule: FaultRule) {
        self.rules().push(rule);
    }

    pub(crate) fn clear(&self) {
        self.rules().clear();
    }

    /// The fault for this request, counting down limited rules.
    pub(crate) fn take(&self, method: &str, path: &str) -> Option<Fault> {
        let mut rules = self.rules();
        let position = rules.iter().position(|r| r.matches(method, path))?;
        let rule = &mut rules[position];
        let fault = rule.fault.clone();
        if let Some(times) = rule.times.as_mut() {
            *times = times.saturating_sub(1);
            if *times == 0 {
                rules.remove(position);
            }
        }
        Some(fault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limited_rules_count_down_and_first_match_wins() {
        let faults = Faults::default();
        faults.add(
            FaultRule::new(Fault::Status { status: 500 })
                .method("post")
                .path_contains("/portal/")
                .times(2),
        );
        faults.add(FaultRule::new(Fault::Delay { millis: 5 }));
        assert_eq!(
            faults.take("POST", "/api/1/portal/signature-jobs"),
            Some(Fault::Status { status: 500 })
        );
        assert_eq!(
            faults.take("GET", "/api/1/portal/signature-jobs"),
            Some(Fault::Delay { millis: 5 })
        );
        assert_eq!(
            faults.take("POST", "/api/1/portal/signature-jobs"),
            Some(Fault::Status { status: 500 })
        );
        assert_eq!(
            faults.take("POST", "/api/1/portal/signature-jobs"),
            Some(Fault::Delay { millis: 5 })
        );
        faults.clear();
        assert_eq!(faults.take("POST", "/api/1/portal/signature-jobs"), None);
    }
}
