//! The service's XML on the way out: documents, and the `error` body with its codes.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use signature_model::{WireDocument, posten, to_xml};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Error codes the emulator answers with: the service's own where the service documents one
/// (`posten_adapter::ErrorCode` names the sources), and the emulator's names for cases whose
/// real code is not documented (listed in `docs/posten-emulator.md` as departures).
pub(crate) mod codes {
    pub(crate) const NOT_AUTHORIZED: &str = "NOT_AUTHORIZED";
    pub(crate) const BROKER_NOT_AUTHORIZED: &str = "BROKER_NOT_AUTHORIZED";
    pub(crate) const SCHEMA_VALIDATION_ERROR: &str = "SCHEMA_VALIDATION_ERROR";
    pub(crate) const ASICE_VALIDATION_FAILED: &str = "ASICE_VALIDATION_FAILED";
    pub(crate) const INVALID_STATUS_QUERY_TOKEN: &str = "INVALID_STATUS_QUERY_TOKEN";
    pub(crate) const SIGNING_CEREMONY_NOT_COMPLETED: &str = "SIGNING_CEREMONY_NOT_COMPLETED";
    pub(crate) const ARCHIVED_DOCUMENT_NOT_FOUND: &str = "ARCHIVED_DOCUMENT_NOT_FOUND";
    /// The service's own codes the emulator uses.
    #[cfg(test)]
    pub(crate) const SERVICE: &[&str] = &[
        NOT_AUTHORIZED,
        BROKER_NOT_AUTHORIZED,
        SCHEMA_VALIDATION_ERROR,
        ASICE_VALIDATION_FAILED,
        INVALID_STATUS_QUERY_TOKEN,
        SIGNING_CEREMONY_NOT_COMPLETED,
        ARCHIVED_DOCUMENT_NOT_FOUND,
    ];

    pub(crate) const CANNOT_CANCEL: &str = "CANNOT_CANCEL";
    pub(crate) const INVALID_MULTIPART: &str = "INVALID_MULTIPART_REQUEST";
    pub(crate) const NOT_FOUND: &str = "NOT_FOUND";
    pub(crate) const BAD_REQUEST: &str = "BAD_REQUEST";
    pub(crate) const DOCUMENTS_DELETED: &str = "DOCUMENTS_DELETED";
    pub(crate) const CANNOT_DELETE_DOCUMENTS: &str = "CANNOT_DELETE_DOCUMENTS";
    pub(crate) const SIGNER_NOT_WAITING: &str = "SIGNER_NOT_WAITING";
    pub(crate) const EMULATED_FAULT: &str = "EMULATED_FAULT";
    pub(crate) const INTERNAL_ERROR: &str = "INTERNAL_ERROR";
    /// The emulator's own names, where the service's code is not documented.
    #[cfg(test)]
    pub(crate) const EMULATOR: &[&str] = &[
        CANNOT_CANCEL,
        INVALID_MULTIPART,
        NOT_FOUND,
        BAD_REQUEST,
        DOCUMENTS_DELETED,
        CANNOT_DELETE_DOCUMENTS,
        SIGNER_NOT_WAITING,
        EMULATED_FAULT,
        INTERNAL_ERROR,
    ];
}

/// The poll-time header.
pub(crate) const NEXT_PERMITTED_POLL_TIME: &str = "X-Next-permitted-poll-time";

/// A request the emulator refuses, answered with an `error` document.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) code: &'static str,
    pub(crate) message: String,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    pub(crate) fn not_authorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, codes::NOT_AUTHORIZED, message)
    }

    pub(crate) fn broker(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, codes::BROKER_NOT_AUTHORIZED, message)
    }

    pub(crate) fn schema(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            codes::SCHEMA_VALIDATION_ERROR,
            message,
        )
    }

    pub(crate) fn asice(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            codes::ASICE_VALIDATION_FAILED,
            message,
        )
    }

    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, codes::NOT_FOUND, message)
    }

    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            codes::INTERNAL_ERROR,
            message,
        )
    }
}

impl From<super::error::Error> for ApiError {
    fn from(e: super::error::Error) -> Self {
        use super::error::Error;
        match e {
            Error::NotFound(m) => Self::not_found(m),
            Error::Conflict(m) => Self::new(StatusCode::CONFLICT, codes::SIGNER_NOT_WAITING, m),
            Error::NotApplicable(m) => Self::new(StatusCode::BAD_REQUEST, codes::BAD_REQUEST, m),
            other => Self::internal(other.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        error_response(self.status, self.code, &self.message)
    }
}

/// An `error` document with the given status.
pub(crate) fn error_response(status: StatusCode, code: &str, message: &str) -> Response {
    let error_type = if status.is_server_error() {
        "SERVER"
    } else {
        "CLIENT"
    };
    xml_response(
        status,
        &posten::Error {
            error_code: code.to_owned(),
            error_message: message.to_owned(),
            error_type: error_type.to_owned(),
        },
    )
}

/// A 429 answer: an empty body (as in the official .NET client's fixture
/// `TooManyRequestsResponse.txt`) with the time the next call is permitted.
pub(crate) fn too_many_requests(next_ms: i64) -> Response {
    let mut response = StatusCode::TOO_MANY_REQUESTS.into_response();
    response
        .headers_mut()
        .insert(NEXT_PERMITTED_POLL_TIME, poll_time_header(next_ms));
    response
}

/// The rate limiter's 429 (Jetty's DoSFilter): an empty body, the `DoSFilter` header and no
/// permitted poll time; the client is to wait the 30-second block out.
pub(crate) fn rate_limit_blocked() -> Response {
    let mut response = StatusCode::TOO_MANY_REQUESTS.into_response();
    response
        .headers_mut()
        .insert("DoSFilter", HeaderValue::from_static("unavailable"));
    response
}

/// A wire document as an `application/xml` response.
pub(crate) fn xml_response<T: WireDocument>(status: StatusCode, document: &T) -> Response {
    match to_xml(document) {
        Ok(bytes) => (
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/xml"),
            )],
            bytes,
        )
            .into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("could not write response: {e}"),
        )
            .into_response(),
    }
}

/// Milliseconds since the epoch, now.
pub(crate) fn now_ms() -> i64 {
    (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// An instant in milliseconds as a date-time.
pub(crate) fn datetime(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// The header value for a poll time: RFC 3339 with milliseconds, UTC.
pub(crate) fn poll_time_header(ms: i64) -> HeaderValue {
    let text = datetime(ms)
        .format(&Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_owned());
    HeaderValue::from_str(&text)
        .unwrap_or_else(|_| HeaderValue::from_static("1970-01-01T00:00:00Z"))
}

#[cfg(test)]
mod tests {
    use posten_adapter::ErrorCode;

    use super::codes;

    #[test]
    fn the_services_codes_are_known_to_the_client_and_the_emulators_own_are_not() {
        for code in codes::SERVICE {
            assert!(
                !matches!(ErrorCode::parse(code), ErrorCode::Unknown(_)),
                "{code} is not a code the client knows"
            );
        }
        for code in codes::EMULATOR {
            assert!(
                matches!(ErrorCode::parse(code), ErrorCode::Unknown(_)),
                "{code} claims to be the service's own"
            );
        }
    }
}
