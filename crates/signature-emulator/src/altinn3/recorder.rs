//! Records every request the emulator answers, with its answer, so tests can check both
//! sides of each exchange against the official API descriptions.

use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Requests with larger bodies are refused with 413 while recording (the emulator's own
/// answers are in memory already and kept whole).
const MAX_RECORDED_REQUEST: usize = 64 * 1024 * 1024;

/// One request the emulator received and the answer it gave.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordedExchange {
    /// The request method (`GET`, `PUT`, ...).
    pub method: String,
    /// The request path, percent-encoded as received.
    pub path: String,
    /// The raw query string, if any.
    pub query: Option<String>,
    /// The request's `Content-Type`, if any.
    pub request_content_type: Option<String>,
    /// Whether the request carried an `Authorization` header.
    pub authorized: bool,
    /// The request body.
    pub request_body: Bytes,
    /// The answer's status code.
    pub status: u16,
    /// The answer's `Content-Type`, if any.
    pub response_content_type: Option<String>,
    /// The answer's body.
    pub response_body: Bytes,
}

/// The exchanges recorded so far, shared by the middleware and the emulator handle.
#[derive(Debug, Default)]
pub(crate) struct Recorder {
    exchanges: Mutex<Vec<RecordedExchange>>,
}

impl Recorder {
    fn lock(&self) -> MutexGuard<'_, Vec<RecordedExchange>> {
        // A panic in a handler leaves a list of finished exchanges: keep recording.
        crate::locked(&self.exchanges)
    }

    pub(crate) fn snapshot(&self) -> Vec<RecordedExchange> {
        self.lock().clone()
    }

    pub(crate) fn take(&self) -> Vec<RecordedExchange> {
        std::mem::take(&mut *self.lock())
    }
}

fn content_type(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Middleware: buffers the request and the answer, records both, passes them on unchanged.
pub(crate) async fn record(
    State(recorder): State<Arc<Recorder>>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(request_body) = axum::body::to_bytes(body, MAX_RECORDED_REQUEST).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large").into_response();
    };
    let mut exchange = RecordedExchange {
        method: parts.method.as_str().to_owned(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        request_content_type: content_type(&parts.headers),
        authorized: parts.headers.contains_key(header::AUTHORIZATION),
        request_body: request_body.clone(),
        status: 0,
        response_content_type: None,
        response_body: Bytes::new(),
    };
    let response = next
        .run(Request::from_parts(parts, Body::from(request_body)))
        .await;
    let (parts, body) = response.into_parts();
    let Ok(response_body) = axum::body::to_bytes(body, usize::MAX).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "answer body failed").into_response();
    };
    exchange.status = parts.status.as_u16();
    exchange.response_content_type = content_type(&parts.headers);
    exchange.response_body = response_body.clone();
    recorder.lock().push(exchange);
    Response::from_parts(parts, Body::from(response_body))
}
