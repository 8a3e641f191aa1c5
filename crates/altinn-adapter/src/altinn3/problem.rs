//! Altinn 3's error answers: RFC 7807 ProblemDetails, `UserActionResponse.error`, bare
//! strings (JSON or plain text), or nothing.

use reqwest::Response;
use serde_json::Value;

use crate::error::{ApiProblem, Error, ProblemDetails};
use crate::response::read_limited;
use crate::secret::mask_identity_numbers;

/// Plain-text error bodies are cut to this many characters in error messages.
const MAX_TEXT: usize = 500;

/// Reads an error body into an [`ApiProblem`] (texts masked).
pub(crate) fn parse(status: u16, body: &str) -> ApiProblem {
    let mut problem = ApiProblem::status(status);
    let masked = |s: &str| Some(mask_identity_numbers(s.trim())).filter(|s| !s.is_empty());
    match serde_json::from_str::<Value>(body) {
        Ok(Value::Object(map)) => {
            let string = |name: &str| map.get(name).and_then(Value::as_str).and_then(masked);
            let mut details = ProblemDetails {
                problem_type: string("type"),
                title: string("title"),
                status: map
                    .get("status")
                    .and_then(Value::as_u64)
                    .and_then(|s| u16::try_from(s).ok()),
                detail: string("detail"),
                instance: string("instance"),
                code: None,
                extensions: serde_json::Map::new(),
            };
            // A `UserActionResponse` with `error: {code, message}`.
            if let Some(Value::Object(error)) = map.get("error") {
                details.code = error.get("code").and_then(Value::as_str).map(str::to_owned);
                if details.detail.is_none() {
                    details.detail = error
                        .get("message")
                        .and_then(Value::as_str)
                        .and_then(masked);
                }
            }
            for (key, value) in &map {
                if !matches!(
                    key.as_str(),
                    "type" | "title" | "status" | "detail" | "instance" | "error"
                ) {
                    details.extensions.insert(key.clone(), value.clone());
                }
            }
            problem.reason = details.title.clone();
            problem.error_message = details.detail.clone().or_else(|| details.title.clone());
            problem.details = Some(Box::new(details));
        }
        Ok(Value::String(text)) => problem.error_message = masked(&text),
        Ok(_) => {}
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
    let body = read_limited(response).await.unwrap_or_default();
    let problem = parse(code, &body);
    tracing::warn!(status = code, title = ?problem.reason, "Altinn 3 refused the request");
    Err(match code {
        400 => Error::BadRequest(problem),
        401 => Error::NotAuthenticated {
            detail: format!("Altinn refused the token ({problem})"),
            problem: Some(problem),
        },
        403 => Error::Forbidden(problem),
        404 => Error::NotFound(problem),
        409 => Error::Conflict(problem),
        _ => Error::Service(problem),
    })
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
            action.details.as_ref().unwrap().code.as_deref(),
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
}
