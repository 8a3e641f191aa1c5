//! The signer's browser on the Posten emulator's signing page: what a person does by
//! clicking, done with plain HTTP requests.

use signature_core::StatusQueryToken;

use crate::flows::{BoxError, STEP_TIMEOUT};

/// Walks the signing page as a browser would: GET `redirect_url` (the page the signer is
/// sent to), POST its sign form, and take the `status_query_token` from the redirect back to
/// `exit_url`. `web_base_url` is the emulator's web root, against which the form's action is
/// resolved.
///
/// # Errors
///
/// An HTTP failure, a page without a sign form, or a redirect that is not to `exit_url` or
/// carries no token.
pub async fn sign_on_page(
    web_base_url: &str,
    redirect_url: &str,
    exit_url: &str,
) -> Result<StatusQueryToken, BoxError> {
    let web = reqwest::Client::builder()
        .no_proxy() // the emulator's signing pages on 127.0.0.1, in this process
        .redirect(reqwest::redirect::Policy::none())
        .timeout(STEP_TIMEOUT)
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
    let page = send(web.get(redirect_url), "GET signing page").await?;
    if !page.status().is_success() {
        return Err(format!("GET signing page: HTTP {}", page.status()).into());
    }
    let html = page
        .text()
        .await
        .map_err(|e| format!("reading the signing page: {e}"))?;
    let action = sign_action(&html).ok_or("the signing page has no sign form")?;
    let action_url = url::Url::parse(web_base_url)
        .and_then(|base| base.join(action))
        .map_err(|e| format!("sign form action {action:?}: {e}"))?;
    let answer = send(web.post(action_url), "POST sign form").await?;
    if !answer.status().is_redirection() {
        return Err(format!(
            "POST sign form: expected a redirect, got HTTP {}",
            answer.status()
        )
        .into());
    }
    let location = answer
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .ok_or("the sign answer has no Location")?;
    let exit = url::Url::parse(location).map_err(|e| format!("exit URL: {e}"))?;
    if !exit.as_str().starts_with(exit_url) {
        return Err("the signer was not sent back to the exit URL".into());
    }
    // What your exit page does: take the token from its query string.
    exit.query_pairs()
        .find(|(name, _)| name == "status_query_token")
        .map(|(_, token)| StatusQueryToken::new(token.into_owned()))
        .ok_or_else(|| "the exit URL has no status_query_token".into())
}

/// Sends `request`; a failure names `what` was sent.
async fn send(request: reqwest::RequestBuilder, what: &str) -> Result<reqwest::Response, BoxError> {
    Ok(request.send().await.map_err(|e| format!("{what}: {e}"))?)
}

/// The `action` of the form whose button signs (the form action ending in `/sign`).
fn sign_action(html: &str) -> Option<&str> {
    html.split("action=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .find(|action| action.ends_with("/sign"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_sign_form_among_others() {
        let html = r#"<form action="/s/abc/reject"><form action="/s/abc/sign">"#;
        assert_eq!(sign_action(html), Some("/s/abc/sign"));
        assert_eq!(sign_action("<p>no form</p>"), None);
    }
}
