//! Turning Altinn's answers into errors: reason phrases, error bodies, login pages.
//!
//! Altinn usually puts an error's only description in the HTTP/1.1 reason phrase
//! (`400 Required header 'ApiKey' is missing.`). `StatusCode::canonical_reason` is the
//! standard phrase, not the server's; hyper keeps a received phrase that differs from the
//! standard one in the `hyper::ext::ReasonPhrase` response extension, and reqwest passes
//! the extensions of hyper's response through `Response::extensions()`. The client speaks
//! HTTP/1.1 only, since HTTP/2 has no reason phrase.

use std::time::Duration;

use reqwest::Response;
#[cfg(feature = "altinn2")]
use reqwest::header::CONTENT_TYPE;
use reqwest::header::RETRY_AFTER;
#[cfg(feature = "altinn2")]
use serde_json::Value;
use signature_core::BodyError;
use signature_core::http_runtime::ResponseChunks;
use tokio::io::AsyncWrite;

use crate::error::Error;
#[cfg(feature = "altinn2")]
use crate::error::{ApiProblem, ErrorCode};
#[cfg(feature = "altinn2")]
use crate::secret::mask_identity_numbers;
#[cfg(feature = "altinn2")]
use crate::v2::hal::Obj;

/// Error bodies are small; a larger one is cut rather than held in memory.
const MAX_ERROR_BODY: u64 = 64 * 1024;

/// The server's own reason phrase, if it sent one that differs from the standard phrase.
pub(crate) fn reason_phrase(response: &Response) -> Option<String> {
    response
        .extensions()
        .get::<hyper::ext::ReasonPhrase>()
        .map(|reason| String::from_utf8_lossy(reason.as_bytes()).trim().to_owned())
        .filter(|reason| !reason.is_empty())
}

/// `Retry-After` as delay-seconds or an HTTP date (RFC 9110 §10.2.3), capped at `cap` so a
/// hostile or confused server cannot park the client.
pub(crate) fn retry_after(response: &Response) -> Option<Duration> {
    let value = response.headers().get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when =
        time::OffsetDateTime::parse(value, &time::format_description::well_known::Rfc2822).ok()?;
    let wait = when - time::OffsetDateTime::now_utc();
    Some(Duration::try_from(wait).unwrap_or(Duration::ZERO))
}

#[cfg(feature = "altinn2")]
fn is_html(response: &Response) -> bool {
    response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("text/html"))
}

/// Passes a successful Altinn 2 answer on, or turns it into the matching [`Error`].
#[cfg(feature = "altinn2")]
pub(crate) async fn check(response: Response) -> Result<Response, Error> {
    let status = response.status();
    if status.is_redirection() {
        return Err(Error::NotAuthenticated {
            detail: format!(
                "Altinn redirected (HTTP {}) to a login page, as it does when a request carries \
                 no valid token or cookie",
                status.as_u16()
            ),
            problem: None,
        });
    }
    if status.is_success() {
        if is_html(&response) {
            return Err(Error::NotAuthenticated {
                detail: "Altinn answered with an HTML page instead of data, as it does when a \
                         request carries no valid token or cookie"
                    .to_owned(),
                problem: None,
            });
        }
        return Ok(response);
    }
    let reason = reason_phrase(&response).map(|r| mask_identity_numbers(&r));
    let html = is_html(&response);
    let wait = retry_after(&response);
    let body = read_limited(response).await.unwrap_or_default();
    let (error_code, error_message) = if html {
        (None, None)
    } else {
        error_body(&body)
    };
    let problem = ApiProblem {
        status: status.as_u16(),
        reason,
        code: error_code.map(|code| ErrorCode::parse(&code.to_string())),
        error_message: error_message.map(|m| mask_identity_numbers(&m)),
        details: None,
        retry_after: wait,
    };
    tracing::warn!(status = problem.status, reason = ?problem.reason, code = ?problem.code, "Altinn refused the request");
    Err(problem.into_error("credential"))
}

/// The first 64 KiB of an error answer, as text; the rest is left unread.
pub(crate) async fn read_limited(mut response: Response) -> Result<String, Error> {
    let body = signature_core::read_prefix(MAX_ERROR_BODY, ResponseChunks(&mut response))
        .await
        .map_err(Error::transport)?;
    Ok(String::from_utf8_lossy(&body).into_owned())
}

/// Reads a whole answer body of at most `limit` bytes (`signature_core::read_capped`); a
/// larger body, declared or sent, is [`Error::ResponseTooLarge`]. Used by the Altinn 2 and
/// Altinn 3 clients alike.
pub(crate) async fn read_capped(response: &mut Response, limit: u64) -> Result<Vec<u8>, Error> {
    let declared = response.content_length();
    signature_core::read_capped(declared, limit, ResponseChunks(response))
        .await
        .map_err(body_error)
}

/// Streams an answer's body into `sink` (`signature_core::copy_capped`), refusing more than
/// `limit` bytes (`u64::MAX`: no limit); returns the bytes written.
pub(crate) async fn copy_capped(
    mut response: Response,
    limit: u64,
    sink: &mut (dyn AsyncWrite + Unpin + Send),
) -> Result<u64, Error> {
    let declared = response.content_length();
    signature_core::copy_capped(declared, limit, ResponseChunks(&mut response), sink)
        .await
        .map_err(body_error)
}

fn body_error(error: BodyError<reqwest::Error>) -> Error {
    match error {
        BodyError::TooLarge { limit } => Error::ResponseTooLarge {
            limit: usize::try_from(limit).unwrap_or(usize::MAX),
        },
        BodyError::Source(error) => Error::transport(error),
        BodyError::Sink(error) => Error::Io(error),
    }
}

/// `{ErrorCode, ErrorMessage}`, in any casing; a bare JSON string counts as the message.
#[cfg(feature = "altinn2")]
pub(crate) fn error_body(body: &str) -> (Option<i64>, Option<String>) {
    match serde_json::from_str::<Value>(body) {
        Ok(value @ Value::Object(_)) => {
            let obj = Obj::new(&value);
            (
                obj.int("ErrorCode"),
                obj.any(&["ErrorMessage", "Message"])
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            )
        }
        Ok(Value::String(message)) if !message.is_empty() => (None, Some(message)),
        _ => (None, None),
    }
}

#[cfg(all(test, feature = "altinn2"))]
mod tests {
    use super::*;

    #[test]
    fn error_bodies() {
        assert_eq!(
            error_body(r#"{"ErrorCode": 40001, "ErrorMessage": "Form validation failed"}"#),
            (Some(40001), Some("Form validation failed".to_owned()))
        );
        assert_eq!(
            error_body(r#"{"errorCode": "12", "errorMessage": "x", "Other": 1}"#),
            (Some(12), Some("x".to_owned()))
        );
        assert_eq!(
            error_body(r#""Just a message""#),
            (None, Some("Just a message".to_owned()))
        );
        assert_eq!(error_body(""), (None, None));
        assert_eq!(error_body("<html>"), (None, None));
    }
}
