//! Answers in Altinn's style: the message in the HTTP reason phrase, usually no body; HAL
//! documents and `Location` for what was made or moved.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hyper::ext::ReasonPhrase;
use serde_json::Value;

/// An answer whose reason phrase is `reason` (hyper writes a `ReasonPhrase` extension on
/// the response into the HTTP/1.1 status line).
pub(crate) fn with_reason(status: StatusCode, reason: &str) -> Response {
    let mut response = status.into_response();
    if let Ok(phrase) = ReasonPhrase::try_from(reason.as_bytes()) {
        response.extensions_mut().insert(phrase);
    }
    response
}

/// An error with an `{ErrorCode, ErrorMessage}` body as newer Altinn endpoints send, and
/// the message in the reason phrase too.
pub(crate) fn with_error_body(status: StatusCode, code: i64, message: &str) -> Response {
    let body = serde_json::json!({"ErrorCode": code, "ErrorMessage": message}).to_string();
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(phrase) = ReasonPhrase::try_from(message.as_bytes()) {
        response.extensions_mut().insert(phrase);
    }
    response
}

/// What Altinn does with a request that has neither token nor cookie: it takes it for a
/// browser and sends it to the login page.
pub(crate) fn login_redirect(html: bool) -> Response {
    if html {
        let mut response = (
            StatusCode::OK,
            "<!DOCTYPE html><html><head><title>Logg inn</title></head><body>Logg inn i Altinn</body></html>",
        )
            .into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        response
    } else {
        let mut response = StatusCode::FOUND.into_response();
        response.headers_mut().insert(
            header::LOCATION,
            HeaderValue::from_static("/ui/Authentication?goTo=%2fapi"),
        );
        response
    }
}

/// A 200 answer carrying `body` as `content_type`.
pub(super) fn ok_as(content_type: &'static str, body: impl IntoResponse) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
        body,
    )
        .into_response()
}

/// A HAL+JSON 200 answer.
pub(super) fn hal(value: Value) -> Response {
    ok_as("application/hal+json; charset=utf-8", value.to_string())
}

/// `response` with a `Location` header (left out if `location` is not a valid header value).
pub(super) fn with_location(mut response: Response, location: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}
