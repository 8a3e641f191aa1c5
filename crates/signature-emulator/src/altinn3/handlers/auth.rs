//! Who calls: the Altinn token from the exchange (an axum extractor), and the token exchange itself.

use super::prelude::*;

pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// The caller of an app or Storage call: an Altinn token from the exchange.
pub(crate) fn caller(shared: &Shared, headers: &HeaderMap) -> Result<Party, Response> {
    let world = shared.world();
    let party_id = bearer(headers)
        .and_then(|token| world.altinn_tokens.get(token))
        .filter(|(_, expires_at)| Instant::now() < *expires_at)
        .map(|(party, _)| *party)
        .ok_or_else(unauthorized)?;
    world.party(party_id).cloned().ok_or_else(unauthorized)
}

/// The authenticated caller of an app or Storage call; a request without a valid Altinn
/// token is answered 401 before the handler runs.
#[derive(Debug, Clone)]
pub(crate) struct Caller(pub(crate) Party);

impl axum::extract::FromRequestParts<Arc<Shared>> for Caller {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        shared: &Arc<Shared>,
    ) -> Result<Self, Response> {
        caller(shared, &parts.headers).map(Caller)
    }
}

/// The authenticated caller of a Dialogporten call (an Altinn or an ID-porten token).
#[derive(Debug, Clone)]
pub(crate) struct DialogCaller(pub(crate) Party);

impl axum::extract::FromRequestParts<Arc<Shared>> for DialogCaller {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        shared: &Arc<Shared>,
    ) -> Result<Self, Response> {
        dialog_caller(shared, &parts.headers).map(DialogCaller)
    }
}

/// Dialogporten also accepts an ID-porten token directly.
pub(crate) fn dialog_caller(shared: &Shared, headers: &HeaderMap) -> Result<Party, Response> {
    caller(shared, headers).or_else(|refusal| {
        let world = shared.world();
        bearer(headers)
            .and_then(|token| world.external_tokens.get(token))
            .filter(|t| t.provider == "id-porten" && Instant::now() < t.expires_at)
            .and_then(|t| world.party(t.party_id).cloned())
            .ok_or(refusal)
    })
}

pub(crate) async fn exchange(
    State(shared): Shr,
    Path(provider): Path<String>,
    headers: HeaderMap,
) -> Response {
    let provider = provider.to_ascii_lowercase();
    if provider != "maskinporten" && provider != "id-porten" {
        return text(
            StatusCode::BAD_REQUEST,
            &format!(
                "Invalid token provider: {provider}. Trusted token providers are 'Maskinporten', 'Id-porten' and 'AltinnStudio'."
            ),
        );
    }
    let party_id = {
        let world = shared.world();
        let Some(token) = bearer(&headers).and_then(|t| world.external_tokens.get(t)) else {
            return unauthorized();
        };
        if token.provider != provider || Instant::now() >= token.expires_at {
            return unauthorized();
        }
        token.party_id
    };
    let lifetime = shared.token_lifetime;
    let token = unsigned_token(
        lifetime,
        json!({"urn:altinn:partyid": party_id, "urn:altinn:authlevel": 3,
               "urn:altinn:authenticatemethod": provider}),
    );
    shared
        .world()
        .altinn_tokens
        .insert(token.clone(), (party_id, Instant::now() + lifetime));
    shared.exchanges.fetch_add(1, Ordering::Relaxed);
    text(StatusCode::OK, &token)
}
