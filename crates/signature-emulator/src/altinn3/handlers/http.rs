//! Answer helpers shared by the handlers: ProblemDetails, bare strings, JSON.

use super::prelude::*;

pub(crate) fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

pub(crate) fn guid() -> String {
    let h = random_hex();
    format!(
        "{}-{}-4{}-8{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

pub(crate) fn problem(status: StatusCode, title: &str, detail: Option<&str>) -> Response {
    let mut body = json!({
        "type": format!("https://tools.ietf.org/html/rfc9110#section-15.{}", if status.is_client_error() { "5" } else { "6" }),
        "title": title,
        "status": status.as_u16(),
    });
    if let Some(detail) = detail {
        body["detail"] = json!(detail);
    }
    problem_json(status, &body)
}

/// `body` answered as `application/problem+json`.
pub(crate) fn problem_json(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
}

pub(crate) fn text(status: StatusCode, message: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        message.to_owned(),
    )
        .into_response()
}

/// A bare string as ASP.NET writes it under `[Produces("application/json")]` (Storage).
pub(crate) fn json_string(status: StatusCode, message: &str) -> Response {
    json_ok(status, &json!(message))
}

pub(crate) fn unauthorized() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, "Bearer")],
    )
        .into_response()
}

pub(crate) fn json_ok(status: StatusCode, value: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        value.to_string(),
    )
        .into_response()
}

pub(crate) fn query_pairs(raw: Option<&str>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

/// A ProblemDetails as app-lib builds it in code and writes it with `StatusCode(status,
/// problem)`: only `title`, `status` and `detail` (DataController's `Problem`,
/// DataElementAccessChecker).
pub(crate) fn plain_problem(status: StatusCode, title: &str, detail: &str) -> Response {
    let body = json!({"title": title, "status": status.as_u16(), "detail": detail});
    problem_json(status, &body)
}

/// The page of the instances `keep` selects that Storage and Dialogporten list: newest
/// first, `size` of them from `offset`, each as `render` writes it; and whether more follow.
pub(crate) fn newest_first_page(
    shared: &Shared,
    keep: impl Fn(&StoredInstance) -> bool,
    offset: usize,
    size: usize,
    render: impl FnMut(&StoredInstance) -> Value,
) -> (Vec<Value>, bool) {
    // Cloned out so that the world is unlocked again before `render` (which may lock it).
    let mut selected: Vec<StoredInstance> = shared
        .world()
        .instances
        .iter()
        .filter(|i| keep(i))
        .cloned()
        .collect();
    selected.sort_by_key(|i| std::cmp::Reverse(i.sequence));
    let page = selected
        .iter()
        .skip(offset)
        .take(size)
        .map(render)
        .collect();
    (page, offset + size < selected.len())
}
