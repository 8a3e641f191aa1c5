//! Fault injection: the next requests fail the way an overloaded platform fails, so the
//! clients' retries can be tested (transient 5xx, 429 with `Retry-After`).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// How an injected failure answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// 503 Service Unavailable, as during maintenance or a restart.
    Unavailable,
    /// 502 Bad Gateway from the platform's front.
    BadGateway,
    /// 429 Too Many Requests with `Retry-After: {0}` (seconds).
    TooManyRequests(u64),
}

/// The queued failures, taken one per request.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    queue: Mutex<VecDeque<Fault>>,
}

impl Faults {
    pub(crate) fn push(&self, fault: Fault, times: usize) {
        let mut queue = self.queue.lock().unwrap_or_else(|p| p.into_inner());
        queue.extend(std::iter::repeat_n(fault, times));
    }

    fn next(&self) -> Option<Fault> {
        self.queue
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop_front()
    }
}

/// Middleware: answers with the next queued failure, if any, before routing.
pub(crate) async fn inject(
    State(faults): State<Arc<Faults>>,
    request: Request,
    next: Next,
) -> Response {
    match faults.next() {
        None => next.run(request).await,
        Some(Fault::Unavailable) => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "text/plain")],
            "Service Unavailable",
        )
            .into_response(),
        Some(Fault::BadGateway) => StatusCode::BAD_GATEWAY.into_response(),
        Some(Fault::TooManyRequests(seconds)) => (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, seconds.to_string())],
        )
            .into_response(),
    }
}
