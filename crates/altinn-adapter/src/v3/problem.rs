//! Altinn 3's error answers: RFC 7807 ProblemDetails, `UserActionResponse.error`, bare
//! strings (JSON or plain text), or nothing.

use reqwest::Response;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::error::{ApiProblem, Error, ErrorCode, ProblemDetails};
use crate::response::{read_limited, retry_after};
use crate::secret::mask_identity_numbers;

/// Plain-text error bodies are cut to this many characters in error messages.
const MAX_TEXT: usize = 500;

/// An error body: RFC 7807 ProblemDetails (Dialogporten's adds `errors` and `traceId`,
/// app-lib's `validationIssues`), or a `UserActionResponse` with `error: {code, message}`.
#[derive(Deserialize)]
struct WireProblem {
    #[serde(rename = "type", default)]
    problem_type: Option<Value>,
    title: Option<Value>,
    status: Option<Value>,
    detail: Option<Value>,
    instance: Option<Value>,
    error: Option<Value>,
    #[serde(flatten)]
    extensions: Map<String, Value>,
}

#[derive(Deserialize)]
struct WireActionError {
    code: Option<String>,
    message: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum WireBody {
    Problem(WireProblem),
    Text(String),
}

/// Reads an error body into an [`ApiProblem`] (texts masked). Fields of the wrong type are
/// ignored rather than failing: this runs on answers that are already errors.
pub(crate) fn parse(status: u16, body: &str) -> ApiProblem {
    let mut problem = ApiProblem::status(status);
    let masked = |s: &str| Some(mask_identity_numbers(s.trim())).filter(|s| !s.is_empty());
    let text = |v: Option<Value>| match v {
        Some(Value::String(s)) => masked(&s),
        _ => None,
    };
    match serde_json::from_str::<WireBody>(body) {
        Ok(WireBody::Problem(wire)) => {
            let mut details = ProblemDetails {
                problem_type: text(wire.problem_type),
                title: text(wire.title),
                status: wire
                    .status
                    .as_ref()
                    .and_then(Value::as_u64)
                    .and_then(|s| u16::try_from(s).ok()),
                detail: text(wire.detail),
                instance: text(wire.instance),
                extensions: wire.extensions,
            };
            if let Some(error) = wire
                .error
                .and_then(|e| serde_json::from_value::<WireActionError>(e).ok())
            {
                problem.code = error.code.as_deref().map(ErrorCode::parse);
                if details.detail.is_none() {
                    details.detail = error.message.as_deref().and_then(masked);
                }
            }
            problem.reason = details.title.clone();
            problem.error_message = details.detail.clone().or_else(|| details.title.clone());
            problem.details = Some(Box::new(details));
        }
        Ok(WireBody::Text(text)) => problem.error_message = masked(&text),
        Err(_) if serde_json::from_str::<Value>(body).is_ok() => {}
        Err(_) => {
            let text: String = body.chars().take(MAX_TEXT).collect();
            // An HTML error page says nothing useful.
            if !text.trim_start().starts_with('<') {
                problem.error_message = masked(&text);
            }
        }
    }
    problem
}

/// Passes a successful answer on, or turns it into the matching [`Error`].
pub(crate) async fn check(response: Response) -> Result<Response, Error> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let code = status.as_u16();
    let wait = retry_after(&response);
    let body = read_limited(response).await.unwrap_or_default();
    let mut problem = parse(code, &body);
    problem.retry_after = wait;
    tracing::warn!(status = code, title = ?problem.reason, "Altinn 3 refused the request");
    Err(problem.into_error("token"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn problem_details() {
        let problem = parse(
            409,
            r#"{"title":"Validation failed for task","status":409,"detail":"1 validation errors found for task Task_1",
               "validationIssues":[{"code":"required"}]}"#,
        );
        assert_eq!(
            problem.reason.as_deref(),
            Some("Validation failed for task")
        );
        assert_eq!(
            problem.error_message.as_deref(),
            Some("1 validation errors found for task Task_1")
        );
        let details = problem.details.unwrap();
        assert_eq!(details.status, Some(409));
        assert!(details.extensions.contains_key("validationIssues"));
    }

    #[test]
    fn other_shapes() {
        let action = parse(
            404,
            r#"{"error":{"code":"ActionNotFound","message":"Action handler with id x not found"}}"#,
        );
        assert_eq!(
            action.code.as_ref().map(ErrorCode::as_str),
            Some("ActionNotFound")
        );
        assert_eq!(
            action.error_message.as_deref(),
            Some("Action handler with id x not found")
        );
        assert_eq!(
            parse(409, "Process is ended.").error_message.as_deref(),
            Some("Process is ended.")
        );
        assert_eq!(
            parse(404, r#""Unable to find instance""#)
                .error_message
                .as_deref(),
            Some("Unable to find instance")
        );
        assert_eq!(parse(403, "").error_message, None);
        assert_eq!(parse(500, "<html>oops</html>").error_message, None);
        let masked = parse(400, "person 24068110048 not found");
        assert!(!masked.error_message.unwrap().contains("24068110048"));
    }

    #[test]
    fn absent_and_null_members_read_alike() {
        let absent = parse(400, "{}");
        let null = parse(
            400,
            r#"{"title":null,"status":null,"detail":null,"instance":null,"error":null}"#,
        );
        assert_eq!(absent, null);
        assert_eq!(absent.details.as_deref(), Some(&ProblemDetails::default()));
        assert_eq!(
            parse(404, r#"{"error":{}}"#),
            parse(404, r#"{"error":{"code":null,"message":null}}"#)
        );
    }
}
