//! API key and credential checks, the password/certificate login, Maskinporten's token
//! endpoint and the platform's token exchange.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form, Json};
use axum_server::tls::TlsInfo;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};

use super::Shared;
use super::jwt;
use super::reason::{login_redirect, with_reason};
use super::state::{Identity, IssuedToken};

/// Maskinporten tokens live 120 s, like the real service's default.
const MASKINPORTEN_TOKEN_LIFETIME: Duration = Duration::from_secs(120);

pub(crate) fn random_hex() -> String {
    let mut bytes = [0u8; 16];
    // The system RNG does not fail on supported platforms; a zero id would still work.
    let _ = SystemRandom::new().fill(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A JWT-shaped token that expires after `lifetime`, with `claims` plus `exp` and `jti`.
/// Clients read `exp` the way they read the platform's tokens; it is unsigned because only the
/// emulator that issued it checks it, by lookup.
pub(crate) fn unsigned_token(lifetime: Duration, mut claims: Value) -> String {
    let exp = SystemTime::now()
        .checked_add(lifetime)
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_secs())
        .unwrap_or_default();
    if let Value::Object(map) = &mut claims {
        map.insert("exp".to_owned(), json!(exp));
        map.insert("jti".to_owned(), json!(random_hex()));
    }
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        random_hex()
    )
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn api_key(shared: &Shared, headers: &HeaderMap) -> Result<(), Response> {
    match header_str(headers, "ApiKey") {
        None => Err(with_reason(
            StatusCode::BAD_REQUEST,
            "Required header 'ApiKey' is missing.",
        )),
        Some(key) if key != shared.config.api_key => Err(with_reason(
            StatusCode::FORBIDDEN,
            "The API key is not authorized for this operation",
        )),
        Some(_) => Ok(()),
    }
}

/// The caller of a message-box route, as an axum extractor: the API key is checked first,
/// then the bearer token or the `.ASPXAUTH` session; a refusal is answered as Altinn does,
/// before the handler runs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Authenticated(pub(crate) Identity);

impl FromRequestParts<Arc<Shared>> for Authenticated {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, shared: &Arc<Shared>) -> Result<Self, Response> {
        authenticate(shared, &parts.headers).map(Authenticated)
    }
}

/// Checks the API key and finds the user, answering as Altinn would if either is missing.
fn authenticate(shared: &Shared, headers: &HeaderMap) -> Result<Identity, Response> {
    api_key(shared, headers)?;
    let world = shared.world();
    if let Some(token) =
        header_str(headers, "Authorization").and_then(|v| v.strip_prefix("Bearer "))
    {
        return match world.tokens.get(token.trim()) {
            Some(IssuedToken {
                identity,
                expires_at,
            }) if Instant::now() < *expires_at => Ok(*identity),
            Some(_) => Err(with_reason(
                StatusCode::UNAUTHORIZED,
                "IDX10223: Lifetime validation failed. The token is expired.",
            )),
            None => Err(with_reason(
                StatusCode::UNAUTHORIZED,
                "Authorization failed: the token is not valid",
            )),
        };
    }
    let session = header_str(headers, "Cookie").and_then(|cookies| {
        cookies
            .split(';')
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == ".ASPXAUTH")
            .map(|(_, value)| value.to_owned())
    });
    match session.and_then(|value| world.sessions.get(&value).copied()) {
        Some(identity) => Ok(identity),
        // Without a (valid) token or cookie Altinn takes the request for a browser's.
        None => Err(login_redirect(shared.config.html_for_anonymous)),
    }
}

/// `POST /api/authentication/authenticatewithpassword[?ForceEIAuthentication]`.
pub(crate) async fn login(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<HashMap<String, String>>,
    tls: Option<Extension<Arc<TlsInfo>>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let enterprise = query
        .keys()
        .any(|k| k.eq_ignore_ascii_case("ForceEIAuthentication"));
    let field = |name: &str| {
        body.as_object()
            .and_then(|map| map.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)))
            .and_then(|(_, v)| v.as_str())
            .unwrap_or_default()
            .to_owned()
    };
    let (username, password) = (field("UserName"), field("UserPassword"));
    let level = if enterprise {
        let registered = tls
            .as_ref()
            .and_then(|Extension(tls)| tls.peer_certificates.first())
            .is_some_and(|cert| shared.config.enterprise_certificates.contains(cert));
        if !registered {
            return with_reason(
                StatusCode::UNAUTHORIZED,
                "Authorization failed: There is no authenticated organization number set on this request.",
            );
        }
        if shared.config.enterprise_users.get(&username) != Some(&password) {
            return with_reason(
                StatusCode::UNAUTHORIZED,
                "Invalid enterprise user or password",
            );
        }
        3
    } else {
        if let Err(refusal) = api_key(&shared, &headers) {
            return refusal;
        }
        if shared.config.person_users.get(&username) != Some(&password) {
            return with_reason(StatusCode::UNAUTHORIZED, "Invalid username or password");
        }
        1
    };
    let session = random_hex();
    shared
        .world()
        .sessions
        .insert(session.clone(), Identity { level });
    shared.counters.logins.fetch_add(1, Ordering::Relaxed);
    let mut response = StatusCode::OK.into_response();
    for cookie in [
        "ASP.NET_SessionId=emulator; path=/; HttpOnly".to_owned(),
        format!(".ASPXAUTH={session}; path=/; secure; HttpOnly"),
    ] {
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

fn oauth_error(error: &str, description: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

/// Maskinporten's `POST /token` with a JWT-bearer grant.
pub(crate) async fn maskinporten_token(
    State(shared): State<Arc<Shared>>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let (assertion, now) = match jwt::bearer_grant(&form) {
        Ok(grant) => grant,
        Err((error, description)) => return oauth_error(error, description),
    };
    let grant = match jwt::verify_grant(assertion, &shared.config, now) {
        Ok(grant) => grant,
        Err(problem) => return oauth_error("invalid_grant", &problem),
    };
    {
        let mut world = shared.world();
        if !world.seen_jti.insert(grant.jti.clone()) {
            return oauth_error("invalid_grant", "jti has been used before");
        }
    }
    let token = format!("maskinporten-{}", random_hex());
    shared.world().maskinporten_tokens.insert(
        token.clone(),
        (
            grant.client_id,
            Instant::now() + MASKINPORTEN_TOKEN_LIFETIME,
        ),
    );
    shared.counters.grants.fetch_add(1, Ordering::Relaxed);
    Json(json!({
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": MASKINPORTEN_TOKEN_LIFETIME.as_secs(),
        "scope": grant.scope,
    }))
    .into_response()
}

/// The platform's `GET /authentication/api/v1/exchange/maskinporten`.
pub(crate) async fn exchange(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let bearer = header_str(&headers, "Authorization")
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .unwrap_or_default();
    let valid = shared
        .world()
        .maskinporten_tokens
        .get(bearer)
        .is_some_and(|(_, expires_at)| Instant::now() < *expires_at);
    if !valid {
        return with_reason(
            StatusCode::UNAUTHORIZED,
            "The Maskinporten token is not valid",
        );
    }
    let user = header_str(&headers, "X-Altinn-EnterpriseUser-Authentication")
        .and_then(|v| STANDARD.decode(v.trim()).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok());
    let Some((username, password)) = user.as_deref().and_then(|u| u.split_once(':')) else {
        return with_reason(
            StatusCode::UNAUTHORIZED,
            "X-Altinn-EnterpriseUser-Authentication is missing or malformed",
        );
    };
    if shared
        .config
        .enterprise_users
        .get(username)
        .map(String::as_str)
        != Some(password)
    {
        return with_reason(
            StatusCode::UNAUTHORIZED,
            "Invalid enterprise user credentials",
        );
    }
    let lifetime = shared.config.token_lifetime;
    let token = unsigned_token(lifetime, json!({"urn:altinn:authlevel": 3}));
    shared.world().tokens.insert(
        token.clone(),
        IssuedToken {
            identity: Identity { level: 3 },
            expires_at: Instant::now() + lifetime,
        },
    );
    shared.counters.exchanges.fetch_add(1, Ordering::Relaxed);
    Json(Value::String(token)).into_response()
}
