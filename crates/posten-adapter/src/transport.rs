//! Sending one call: rate limit, retries of idempotent GETs, a tracing span, and turning
//! error answers into typed [`Error`]s.

use std::time::Instant;

use bytes::Bytes;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap};
use reqwest::{Method, Response, StatusCode};
use signature_core::http_runtime::ResponseChunks;
use signature_core::{BodyError, TransportError};
use signature_model::{ReadOptions, from_xml_with, posten};
use time::OffsetDateTime;
use tracing::{Instrument, field};
use url::Url;

use crate::client::Inner;
use crate::error::{DOS_FILTER_BLOCKING_PERIOD, Error, MAX_EXCERPT_CHARS, mask_identity_numbers};
use crate::error_code::{ErrorCode, ErrorType};
use crate::tls;

/// The header with the earliest time the next poll is permitted.
pub(crate) const NEXT_PERMITTED_POLL_TIME: &str = "X-Next-permitted-poll-time";
/// The header Jetty's DoSFilter sets on a request it blocked.
pub(crate) const DOS_FILTER: &str = "DoSFilter";
/// Largest XML answer read (responses are a few KiB; this bounds a hostile one).
const MAX_XML_BYTES: usize = 1024 * 1024;
/// How much of an error answer is read (the rest is left unread).
const MAX_ERROR_BODY_BYTES: u64 = 64 * 1024;

/// The operations, for the span's name and the path template (never the real URL, which
/// may carry a status query token).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operation {
    RootResource,
    CreateDirectJob,
    CreatePortalJob,
    NewRedirectUrl,
    DirectStatus,
    PollDirect,
    PollPortal,
    Confirm,
    Cancel,
    DeleteDocuments,
    DownloadXades,
    DownloadPades,
    ArchivedPades,
}

impl Operation {
    pub(crate) fn method(self) -> Method {
        match self {
            Self::CreateDirectJob
            | Self::CreatePortalJob
            | Self::NewRedirectUrl
            | Self::Confirm
            | Self::Cancel => Method::POST,
            Self::DeleteDocuments => Method::DELETE,
            _ => Method::GET,
        }
    }

    fn path_template(self) -> &'static str {
        match self {
            Self::RootResource => "/{organization}",
            Self::CreateDirectJob => "/{sender}/direct/signature-jobs",
            Self::CreatePortalJob => "/{sender}/portal/signature-jobs",
            Self::NewRedirectUrl => "{signer-url}",
            Self::DirectStatus => "{status-url}?status_query_token=…",
            Self::PollDirect => "/{sender}/direct/signature-jobs?polling_queue={queue}",
            Self::PollPortal => "/{sender}/portal/signature-jobs?polling_queue={queue}",
            Self::Confirm => "{confirmation-url}",
            Self::Cancel => "{cancellation-url}",
            Self::DeleteDocuments => "{delete-documents-url}",
            Self::DownloadXades => "{xades-url}",
            Self::DownloadPades => "{pades-url}",
            Self::ArchivedPades => "/{owner}/archive/documents/{id}/pades",
        }
    }

    /// GETs only: creating twice makes two jobs, and confirm/cancel/delete are better
    /// reported than repeated behind the caller's back.
    fn retryable(self) -> bool {
        self.method() == Method::GET
    }

    fn is_download(self) -> bool {
        matches!(
            self,
            Self::DownloadXades | Self::DownloadPades | Self::ArchivedPades
        )
    }

    fn accept(self) -> Option<&'static str> {
        match self {
            Self::DownloadPades => Some("application/octet-stream, application/xml"),
            Self::ArchivedPades => {
                Some("application/pdf, application/octet-stream, application/xml")
            }
            _ => Some("application/xml"),
        }
    }
}

/// One call to make.
#[derive(Debug)]
pub(crate) struct Call {
    pub(crate) operation: Operation,
    pub(crate) url: Url,
    /// Content type and body; cheap to clone for a retry.
    pub(crate) body: Option<(String, Bytes)>,
}

impl Call {
    /// A call that sends no body: every call whose URL says it all (the GETs, the POSTs
    /// without a body, the DELETE).
    pub(crate) fn without_body(operation: Operation, url: Url) -> Self {
        Self {
            operation,
            url,
            body: None,
        }
    }
}

impl Inner {
    /// Sends `call` and returns the 2xx answer; anything else becomes an [`Error`].
    pub(crate) async fn execute(&self, call: Call) -> Result<Response, Error> {
        let op = call.operation;
        let span = tracing::info_span!(
            "posten_call",
            method = %op.method(),
            path = op.path_template(),
            status = field::Empty,
            duration_ms = field::Empty,
            retries = field::Empty,
        );
        self.execute_in_span(call, span.clone())
            .instrument(span)
            .await
    }

    async fn execute_in_span(&self, call: Call, span: tracing::Span) -> Result<Response, Error> {
        let op = call.operation;
        let http = if op.is_download() {
            &self.downloads
        } else {
            &self.api
        };
        let started = Instant::now();
        let mut retry = 0u32;
        loop {
            if let Some(limiter) = &self.limiter {
                limiter.acquire().await;
            }
            let mut request = http.request(op.method(), call.url.clone());
            if let Some(accept) = op.accept() {
                request = request.header(ACCEPT, accept);
            }
            if let Some((content_type, body)) = &call.body {
                request = request
                    .header(CONTENT_TYPE, content_type.as_str())
                    .body(body.clone());
            } else if op.method() == Method::POST {
                request = request.body(Bytes::new());
            }
            let result = request.send().await;
            span.record("duration_ms", started.elapsed().as_millis() as u64);
            span.record("retries", retry);
            let can_retry = op.retryable() && retry < self.retry.max_retries();
            match result {
                Ok(response) => {
                    let status = response.status();
                    span.record("status", status.as_u16());
                    if status.is_success() {
                        return Ok(response);
                    }
                    if status.is_server_error() && can_retry {
                        tracing::warn!(
                            status = status.as_u16(),
                            retry,
                            "retrying after server error"
                        );
                    } else {
                        let error = error_from_response(op, response).await;
                        tracing::info!(error = %error, "call failed");
                        return Err(error);
                    }
                }
                Err(error) => {
                    let error =
                        crate::proxy::classify(error, &self.proxy).unwrap_or_else(transport_error);
                    let transient = matches!(
                        error,
                        Error::Connection(_) | Error::Timeout(_) | Error::ProxyUnreachable { .. }
                    );
                    if !(transient && can_retry) {
                        tracing::info!(error = %error, "call failed");
                        return Err(error);
                    }
                    tracing::warn!(error = %error, retry, "retrying after transport error");
                }
            }
            // Only 5xx answers and transport errors come here, so there is no `Retry-After` to follow.
            tokio::time::sleep(self.retry.delay(retry, None)).await;
            retry += 1;
        }
    }

    /// Sends `call` and reads its XML answer as `T`.
    pub(crate) async fn execute_xml<T: signature_model::WireDocument>(
        &self,
        call: Call,
    ) -> Result<(T, HeaderMap), Error> {
        let response = self.execute(call).await?;
        let headers = response.headers().clone();
        let body = read_bounded(response, MAX_XML_BYTES).await?;
        let parsed = from_xml_with(&body, &ReadOptions::default().max_bytes(MAX_XML_BYTES))?;
        Ok((parsed, headers))
    }
}

/// Turns a reqwest failure into a typed error, without the URL (it may hold a token).
pub(crate) fn transport_error(error: reqwest::Error) -> Error {
    if let Some(certificate) = tls::certificate_error_in(&error) {
        return certificate;
    }
    let error = error.without_url();
    if error.is_timeout() {
        Error::Timeout(TransportError::new(error, true))
    } else {
        Error::Connection(TransportError::new(error, true))
    }
}

/// Reads at most `limit` bytes of the body (`signature_core::read_capped`); more, declared or
/// sent, is an error (the service never sends that much XML).
pub(crate) async fn read_bounded(mut response: Response, limit: usize) -> Result<Vec<u8>, Error> {
    let declared = response.content_length();
    signature_core::read_capped(declared, limit as u64, ResponseChunks(&mut response))
        .await
        .map_err(body_error)
}

/// The typed [`Error`] for a body that could not be read.
pub(crate) fn body_error(error: BodyError<reqwest::Error>) -> Error {
    match error {
        BodyError::TooLarge { limit } => Error::ResponseTooLarge {
            limit: usize::try_from(limit).unwrap_or(usize::MAX),
        },
        BodyError::Source(error) => transport_error(error),
        BodyError::Sink(error) => Error::Io(error),
    }
}

/// The instant in `X-Next-permitted-poll-time`, if present and readable.
pub(crate) fn next_permitted_poll_time(headers: &HeaderMap) -> Option<OffsetDateTime> {
    let value = headers.get(NEXT_PERMITTED_POLL_TIME)?.to_str().ok()?;
    value
        .parse::<signature_model::custom::DateTime>()
        .ok()
        .map(|t| t.to_offset_date_time())
}

/// HTTP 429: a DoSFilter block (header present, or no poll time) or polling too early.
fn too_many_requests(headers: &HeaderMap) -> Error {
    let poll_time = next_permitted_poll_time(headers);
    match poll_time {
        Some(retry_at) if !headers.contains_key(DOS_FILTER) => Error::TooEagerPolling {
            retry_at: Some(retry_at),
        },
        _ => Error::RateLimitBlocked {
            retry_at: OffsetDateTime::now_utc() + DOS_FILTER_BLOCKING_PERIOD,
        },
    }
}

async fn error_from_response(op: Operation, mut response: Response) -> Error {
    let status = response.status();
    let http_status = status.as_u16();
    if status == StatusCode::TOO_MANY_REQUESTS {
        return too_many_requests(response.headers());
    }
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    // The first 64 KiB: a longer answer is not an error document the service sends, and its
    // beginning is what the excerpt shows. A body we cannot read is treated like an empty
    // one: the status still tells the story.
    let body = signature_core::read_prefix(MAX_ERROR_BODY_BYTES, ResponseChunks(&mut response))
        .await
        .unwrap_or_default();
    let parsed = if content_type.as_deref().is_some_and(|t| t.contains("xml"))
        || body.trim_ascii_start().starts_with(b"<")
    {
        signature_model::from_xml::<posten::Error>(&body).ok()
    } else {
        None
    };
    match parsed {
        Some(error) => from_error_body(op, http_status, error),
        None if op == Operation::Cancel && status == StatusCode::CONFLICT => {
            Error::JobCannotBeCancelled {
                http_status,
                code: None,
                message: None,
            }
        }
        None => {
            let text: String = String::from_utf8_lossy(&body)
                .chars()
                .take(MAX_EXCERPT_CHARS)
                .collect();
            Error::UnexpectedResponse {
                http_status,
                content_type,
                excerpt: mask_identity_numbers(&text),
            }
        }
    }
}

fn from_error_body(op: Operation, http_status: u16, error: posten::Error) -> Error {
    let code = ErrorCode::parse(&error.error_code);
    let message = mask_identity_numbers(error.error_message.trim());
    if op == Operation::Cancel && http_status == 409 {
        return Error::JobCannotBeCancelled {
            http_status,
            code: Some(code),
            message: Some(message),
        };
    }
    Error::Service {
        http_status,
        code,
        message,
        error_type: ErrorType::parse(&error.error_type),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn poll_time_header_parses_with_offset_and_millis() {
        let mut headers = HeaderMap::new();
        headers.insert(
            NEXT_PERMITTED_POLL_TIME,
            HeaderValue::from_static("2019-04-22T10:39:46.610+01:00"),
        );
        let t = next_permitted_poll_time(&headers).unwrap();
        assert_eq!(t.unix_timestamp(), 1_555_925_986);
        assert!(matches!(
            too_many_requests(&headers),
            Error::TooEagerPolling { retry_at: Some(at) } if at == t
        ));
    }

    #[test]
    fn dos_filter_or_missing_time_is_a_block_of_thirty_seconds() {
        let before = OffsetDateTime::now_utc();
        for headers in [HeaderMap::new(), {
            let mut h = HeaderMap::new();
            h.insert(DOS_FILTER, HeaderValue::from_static("unavailable"));
            h.insert(
                NEXT_PERMITTED_POLL_TIME,
                HeaderValue::from_static("2019-04-22T10:39:46.610+01:00"),
            );
            h
        }] {
            let Error::RateLimitBlocked { retry_at } = too_many_requests(&headers) else {
                panic!("expected a block")
            };
            let wait = retry_at - before;
            assert!(wait >= time::Duration::seconds(30) && wait < time::Duration::seconds(32));
        }
    }
}
