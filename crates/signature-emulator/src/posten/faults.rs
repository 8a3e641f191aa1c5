//! Fault injection on the API listener: dropped connections (before or after the request is
//! handled), error statuses, slow responses, bursts of 429 and early requeues of delivered but
//! unconfirmed status changes, for every route or for the routes a rule matches, always or
//! with a probability. Every injected fault is counted per kind (see [`Fault::kind`]).

use std::collections::BTreeMap;
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
    /// The request is handled (a poll hands out its change, a confirm confirms, a job is
    /// created), then the connection is closed without a response: the client cannot tell
    /// whether the call took effect.
    DropAfterHandling,
    /// The request is handled (the job created, the change confirmed, …), then the answer
    /// waits this long: a slow network on the way back, the window in which a client that
    /// dies has made the call without learning its result.
    DelayAfterHandling {
        /// Delay in milliseconds.
        millis: u64,
    },
    /// Polls only: before the poll is handled, every delivered but unconfirmed change of the
    /// polled queue becomes due again at once, as if its requeue time had passed. Other
    /// requests are handled normally.
    Requeue,
}

impl Fault {
    /// A short name of the kind, used for the counts in
    /// [`Control::fault_counts`](super::Control::fault_counts): `drop_connection`, `status`,
    /// `delay`, `too_many_requests`, `drop_after_handling`, `delay_after_handling`, `requeue`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::DropConnection => "drop_connection",
            Self::Status { .. } => "status",
            Self::Delay { .. } => "delay",
            Self::TooManyRequests { .. } => "too_many_requests",
            Self::DropAfterHandling => "drop_after_handling",
            Self::DelayAfterHandling { .. } => "delay_after_handling",
            Self::Requeue => "requeue",
        }
    }
}

/// A fault and the requests it applies to. Without `method`/`path_contains` it applies to
/// every API request; without `times` it applies until cleared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
// The `Option` fields need no `#[serde(default)]`: serde reads a missing one as `None`
// (the test `missing_and_null_options_read_as_none` holds it to that).
pub struct FaultRule {
    /// What to do.
    pub fault: Fault,
    /// HTTP method to match (case-insensitive), e.g. `GET`.
    pub method: Option<String>,
    /// Substring the request path must contain, e.g. `/portal/signature-jobs`.
    pub path_contains: Option<String>,
    /// How many matching requests it applies to; `None` = until cleared.
    pub times: Option<u32>,
    /// Chance (0.0–1.0) that a matching request gets the fault; `None` = always. A request
    /// the dice spare is checked against the next rules.
    pub probability: Option<f64>,
}

impl FaultRule {
    /// A rule for every API request, until cleared.
    pub fn new(fault: Fault) -> Self {
        Self {
            fault,
            method: None,
            path_contains: None,
            times: None,
            probability: None,
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

    /// Applies to a matching request with chance `p` (clamped to 0.0–1.0).
    pub fn probability(mut self, p: f64) -> Self {
        self.probability = Some(p.clamp(0.0, 1.0));
        self
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        self.probability.is_none_or(|p| random_unit() < p)
            && self
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self
                .path_contains
                .as_deref()
                .is_none_or(|p| path.contains(p))
    }
}

/// Request extension set by [`Fault::Requeue`]: the poll handler requeues first.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RequeueNow;

/// A uniform random number in [0, 1).
fn random_unit() -> f64 {
    let mut bytes = [0u8; 8];
    // Without randomness the fault applies (a test that asked for faults gets them).
    if aws_lc_rs::rand::fill(&mut bytes).is_err() {
        return 0.0;
    }
    (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64
}

/// The active rules, first match wins, and how many faults of each kind were injected.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    rules: Mutex<Vec<FaultRule>>,
    injected: Mutex<BTreeMap<&'static str, u64>>,
}

impl Faults {
    fn rules(&self) -> std::sync::MutexGuard<'_, Vec<FaultRule>> {
        // Rules and counts are whole after every statement: a panic elsewhere leaves them usable.
        crate::locked(&self.rules)
    }

    pub(crate) fn add(&self, rule: FaultRule) {
        self.rules().push(rule);
    }

    pub(crate) fn clear(&self) {
        self.rules().clear();
    }

    /// The fault for this request, counting down limited rules and counting the injection.
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
        drop(rules);
        *crate::locked(&self.injected)
            .entry(fault.kind())
            .or_default() += 1;
        Some(fault)
    }

    /// Faults injected so far, by [`Fault::kind`].
    pub(crate) fn counts(&self) -> BTreeMap<String, u64> {
        crate::locked(&self.injected)
            .iter()
            .map(|(k, v)| ((*k).to_owned(), *v))
            .collect()
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
        let status = Some(Fault::Status { status: 500 });
        let delay = Some(Fault::Delay { millis: 5 });
        for (method, expected) in [
            ("POST", &status),
            ("GET", &delay),
            ("POST", &status),
            ("POST", &delay),
        ] {
            assert_eq!(
                &faults.take(method, "/api/1/portal/signature-jobs"),
                expected,
                "{method}"
            );
        }
        faults.clear();
        assert_eq!(faults.take("POST", "/api/1/portal/signature-jobs"), None);
        assert_eq!(faults.counts().get("status"), Some(&2));
        assert_eq!(faults.counts().get("delay"), Some(&2));
    }

    #[test]
    fn missing_and_null_options_read_as_none() {
        let bare = FaultRule::new(Fault::Requeue);
        for json in [
            r#"{"fault":{"kind":"requeue"}}"#,
            r#"{"fault":{"kind":"requeue"},"method":null,"path_contains":null,"times":null,"probability":null}"#,
        ] {
            let rule: FaultRule = serde_json::from_str(json).unwrap();
            assert_eq!(rule, bare, "{json}");
        }
        let rule: FaultRule = serde_json::from_str(
            r#"{"fault":{"kind":"requeue"},"method":"GET","path_contains":"/p","times":2,"probability":0.5}"#,
        )
        .unwrap();
        assert_eq!(
            rule,
            FaultRule::new(Fault::Requeue)
                .method("GET")
                .path_contains("/p")
                .times(2)
                .probability(0.5)
        );
    }

    #[test]
    fn probability_zero_never_applies_and_one_always_does() {
        let faults = Faults::default();
        faults.add(FaultRule::new(Fault::Requeue).probability(0.0));
        faults.add(FaultRule::new(Fault::DropAfterHandling).probability(1.0));
        for _ in 0..50 {
            assert_eq!(
                faults.take("GET", "/api/1/portal/signature-jobs"),
                Some(Fault::DropAfterHandling)
            );
        }
        assert_eq!(faults.counts().get("requeue"), None);
        assert_eq!(faults.counts().get("drop_after_handling"), Some(&50));
    }

    #[test]
    fn probability_half_applies_about_half_the_time() {
        let faults = Faults::default();
        faults.add(FaultRule::new(Fault::Status { status: 500 }).probability(0.5));
        let hits = (0..2000)
            .filter(|_| faults.take("GET", "/x").is_some())
            .count();
        // Binomial(2000, 0.5): ±200 is more than 8 standard deviations.
        assert!((800..=1200).contains(&hits), "{hits}");
    }
}
