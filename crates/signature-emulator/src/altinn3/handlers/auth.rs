//! Who calls: the Altinn token from the exchange (an axum extractor), what a system user may
//! do, and the token exchange itself.

use super::super::state::{Actor, IssuedToken, World};
use super::prelude::*;

/// Dialogporten's end-user scope and its no-consent variant (AuthorizationOptionsSetup.cs,
/// ROUTES-without-openapi.md).
const DIALOGPORTEN_SCOPES: [&str; 2] = ["digdir:dialogporten", "digdir:dialogporten.noconsent"];

pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

fn valid(token: Option<&IssuedToken>) -> Option<IssuedToken> {
    token.filter(|t| Instant::now() < t.expires_at).cloned()
}

/// The caller of an app or Storage call: an Altinn token from the exchange.
pub(crate) fn caller(
    shared: &Shared,
    headers: &HeaderMap,
) -> Result<(Party, IssuedToken, Access), Response> {
    let world = shared.world();
    let token = valid(bearer(headers).and_then(|token| world.altinn_tokens.get(token)))
        .ok_or_else(unauthorized)?;
    let party = world
        .party(token.party_id)
        .cloned()
        .ok_or_else(unauthorized)?;
    let access = Access::resolve(&world, token.actor.clone());
    Ok((party, token, access))
}

/// What the caller may do. Users and organisations act for their own party (the
/// emulator's one authorisation rule); a system user only with the rights its organisation
/// gave it (Altinn Authorization's PDP decides by the system user's rights on the app's
/// resource). Resolved per request, so rights granted later apply.
#[derive(Debug, Clone)]
pub(crate) struct Access {
    pub(crate) actor: Actor,
    /// `(app id, action)` for a system user; `None` for users and organisations.
    rights: Option<Vec<(String, String)>>,
}

impl Access {
    fn resolve(world: &World, actor: Actor) -> Self {
        let rights = match &actor {
            Actor::SystemUser(id) => Some(
                world
                    .system_user(id)
                    .map(|u| u.rights.clone())
                    .unwrap_or_default(),
            ),
            _ => None,
        };
        Self { actor, rights }
    }

    /// Whether the caller may perform `action` in `app_id`.
    pub(crate) fn may(&self, app_id: &str, action: &str) -> bool {
        self.rights.as_ref().is_none_or(|rights| {
            rights
                .iter()
                .any(|(app, allowed)| app == app_id && allowed == action)
        })
    }

    /// Only users and system users perform actions and sign.
    pub(crate) fn can_sign(&self) -> bool {
        self.actor.can_sign()
    }

    /// The system user's id, for a system user.
    pub(crate) fn system_user(&self) -> Option<&str> {
        match &self.actor {
            Actor::SystemUser(id) => Some(id),
            _ => None,
        }
    }
}

/// The authenticated caller of an app or Storage call; a request without a valid Altinn
/// token is answered 401 before the handler runs.
#[derive(Debug, Clone)]
pub(crate) struct Caller(pub(crate) Party, pub(crate) Access);

impl axum::extract::FromRequestParts<Arc<Shared>> for Caller {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        shared: &Arc<Shared>,
    ) -> Result<Self, Response> {
        caller(shared, &parts.headers).map(|(party, _, access)| Caller(party, access))
    }
}

/// The authenticated caller of a Dialogporten call: an Altinn token, an ID-porten token or
/// a system user's Maskinporten token, carrying `digdir:dialogporten` (403 without it).
#[derive(Debug, Clone)]
pub(crate) struct DialogCaller(pub(crate) Party, pub(crate) Access);

impl axum::extract::FromRequestParts<Arc<Shared>> for DialogCaller {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        shared: &Arc<Shared>,
    ) -> Result<Self, Response> {
        dialog_caller(shared, &parts.headers).map(|(party, access)| DialogCaller(party, access))
    }
}

/// Dialogporten also accepts an ID-porten token and a system user's Maskinporten token
/// directly (not an organisation's); every scheme needs the scope.
pub(crate) fn dialog_caller(
    shared: &Shared,
    headers: &HeaderMap,
) -> Result<(Party, Access), Response> {
    let (party, token, access) = caller(shared, headers).or_else(|refusal| {
        let world = shared.world();
        let token = valid(bearer(headers).and_then(|token| world.external_tokens.get(token)))
            .filter(|t| t.provider == "id-porten" || matches!(t.actor, Actor::SystemUser(_)))
            .ok_or(refusal)?;
        let party = world
            .party(token.party_id)
            .cloned()
            .ok_or_else(unauthorized)?;
        let access = Access::resolve(&world, token.actor.clone());
        Ok::<_, Response>((party, token, access))
    })?;
    if !DIALOGPORTEN_SCOPES.iter().any(|s| token.has_scope(s)) {
        // The end-user policy fails: 403 without a body (the OpenAPI declares none).
        return Err(StatusCode::FORBIDDEN.into_response());
    }
    Ok((party, access))
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
    let (external, party, system_user) = {
        let world = shared.world();
        let Some(token) = valid(bearer(&headers).and_then(|t| world.external_tokens.get(t))) else {
            return unauthorized();
        };
        if token.provider != provider {
            return unauthorized();
        }
        let Some(party) = world.party(token.party_id).cloned() else {
            return unauthorized();
        };
        let system_user = match &token.actor {
            Actor::SystemUser(id) => world.system_user(id).cloned(),
            _ => None,
        };
        (token, party, system_user)
    };
    // An ID-porten token needs an `altinn:` scope, else 403 (AuthenticateIdPortenToken).
    if provider == "id-porten" && !external.scope.split(' ').any(|s| s.starts_with("altinn:")) {
        return StatusCode::FORBIDDEN.into_response();
    }
    let lifetime = shared.token_lifetime;
    // The claims the exchange writes (AuthenticationController): a user's id and party for
    // ID-porten; for Maskinporten the original claims (`consumer`, `authorization_details`,
    // `scope`) plus the organisation number, method and level.
    let mut claims = json!({"urn:altinn:authlevel": 3, "scope": external.scope,
                            "urn:altinn:authenticatemethod": provider});
    match (&external.actor, &system_user) {
        (Actor::Person, _) => {
            claims["urn:altinn:partyid"] = json!(party.party_id);
            claims["urn:altinn:userid"] = json!(party.user_id.to_string());
        }
        (_, Some(user)) => {
            claims["urn:altinn:orgNumber"] = json!(party.organisation_number);
            claims["authorization_details"] = system_user_details(user, &party);
        }
        _ => claims["urn:altinn:orgNumber"] = json!(party.organisation_number),
    }
    let token = unsigned_token(lifetime, claims);
    shared.world().altinn_tokens.insert(
        token.clone(),
        IssuedToken {
            provider: "altinn",
            expires_at: Instant::now() + lifetime,
            ..external
        },
    );
    shared.exchanges.fetch_add(1, Ordering::Relaxed);
    text(StatusCode::OK, &token)
}

/// A system user token's `authorization_details`, as Maskinporten writes it (Altinn's
/// "Using system user" guide) and app-lib reads it (`SystemUserAuthorizationDetailsClaim`).
pub(crate) fn system_user_details(user: &super::super::state::SystemUser, owner: &Party) -> Value {
    json!([{
        "type": "urn:altinn:systemuser",
        "systemuser_id": [user.id],
        "system_id": user.system_id,
        "systemuser_org": {"authority": "iso6523-actorid-upis",
                           "ID": format!("0192:{}", owner.organisation_number.clone().unwrap_or_default())},
    }])
}
