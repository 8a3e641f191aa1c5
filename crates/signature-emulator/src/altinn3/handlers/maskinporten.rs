//! Maskinporten's `POST /token` with a JWT-bearer grant, for the emulator's registered
//! clients: an organisation's token, or with `authorization_details` of type
//! `urn:altinn:systemuser` a system user's.
//!
//! The grant is checked as Maskinporten documents it
//! (<https://docs.digdir.no/docs/Maskinporten/maskinporten_protocol_jwtgrant>; the shared
//! verifier in `crate::altinn::jwt`); errors are OAuth2 JSON `{error, error_description}`
//! with 400. A system user that the customer has not created for the client's system is
//! `invalid_altinn_customer_configuration` (MP-303,
//! <https://docs.altinn.studio/en/authorization/guides/system-vendor/system-user/troubleshooting/errors/mp-303-error>).

use std::collections::HashMap;

use axum::Form;

use super::super::state::{Actor, IssuedToken};
use super::prelude::*;
use crate::altinn::jwt::{self, ClientKey, KeyRef};

/// Where the emulated Maskinporten lives on the emulator's host; its issuer (the grants'
/// `aud`) is `{base}/maskinporten/` and the token endpoint `{base}/maskinporten/token`.
pub(crate) const MASKINPORTEN_PATH: &str = "/maskinporten/";

fn oauth_error(error: &str, description: &str) -> Response {
    json_ok(
        StatusCode::BAD_REQUEST,
        &json!({"error": error, "error_description": description}),
    )
}

/// The customer organisation a system user grant asks for (`systemuser_org.ID`
/// `"0192:{orgnr}"`), if the grant asks for one; `Err` for a malformed request.
fn system_user_org(claims: &Value) -> Result<Option<String>, String> {
    let Some(details) = claims.get("authorization_details") else {
        return Ok(None);
    };
    let detail = details
        .as_array()
        .and_then(|d| d.iter().find(|d| d["type"] == "urn:altinn:systemuser"))
        .ok_or("authorization_details has no urn:altinn:systemuser entry")?;
    let org = &detail["systemuser_org"];
    if org["authority"] != "iso6523-actorid-upis" {
        return Err("systemuser_org.authority must be iso6523-actorid-upis".to_owned());
    }
    org["ID"]
        .as_str()
        .and_then(|id| id.strip_prefix("0192:"))
        .filter(|n| n.len() == 9 && n.bytes().all(|b| b.is_ascii_digit()))
        .map(|n| Some(n.to_owned()))
        .ok_or_else(|| "systemuser_org.ID must be 0192: and nine digits".to_owned())
}

pub(crate) async fn maskinporten_token(
    State(shared): Shr,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let (assertion, now) = match jwt::bearer_grant(&form) {
        Ok(grant) => grant,
        Err((error, description)) => return oauth_error(error, description),
    };
    let issuer = format!("{}{MASKINPORTEN_PATH}", shared.base_url);
    let clients = shared.world().maskinporten_clients.clone();
    let grant = jwt::verify(assertion, &issuer, None, now, |client_id, key| {
        let client = clients.get(client_id).ok_or("unknown client")?;
        let public_key = match (key, &client.certificate, &client.kid) {
            (KeyRef::X5c(leaf), Some(registered), _) if registered.as_slice() == leaf => {
                jwt::certificate_key(leaf)?
            }
            (KeyRef::Kid(kid), _, Some((registered, key))) if registered == kid => key.clone(),
            _ => return Err("the key is not one registered for the client".to_owned()),
        };
        Ok(ClientKey {
            public_key,
            scopes: client.scopes.clone(),
        })
    });
    let grant = match grant {
        Ok(grant) => grant,
        Err(problem) => return oauth_error("invalid_grant", &problem),
    };
    let customer = match system_user_org(&grant.claims) {
        Ok(customer) => customer,
        Err(problem) => return oauth_error("invalid_request", &problem),
    };
    let mut world = shared.world();
    if !world.seen_jti.insert(grant.jti.clone()) {
        return oauth_error("invalid_grant", "jti has been used before");
    }
    let Some(client) = clients.get(&grant.client_id) else {
        return oauth_error("invalid_client", "unknown client");
    };
    let Some(vendor) = world.party_by_org(&client.organisation_number) else {
        return oauth_error(
            "invalid_client",
            "the client's organisation is not registered",
        );
    };
    let mut claims = json!({
        "scope": grant.scope,
        "iss": issuer,
        "client_amr": "private_key_jwt",
        "token_type": "Bearer",
        "client_id": grant.client_id,
        "consumer": {"authority": "iso6523-actorid-upis",
                     "ID": format!("0192:{}", client.organisation_number)},
    });
    let (party_id, actor) = match customer {
        None => (vendor, Actor::Organisation),
        Some(customer) => {
            let owner = world.party_by_org(&customer);
            let user = world
                .system_users
                .iter()
                .find(|u| Some(u.owner_party) == owner && u.client_id == grant.client_id)
                .cloned();
            let (Some(user), Some(owner)) = (user, owner.and_then(|o| world.party(o).cloned()))
            else {
                return oauth_error(
                    "invalid_altinn_customer_configuration",
                    "MP-303: no system user for this client and customer in Altinn",
                );
            };
            claims["authorization_details"] = system_user_details(&user, &owner);
            (owner.party_id, Actor::SystemUser(user.id))
        }
    };
    let lifetime = shared.token_lifetime;
    let token = unsigned_token(lifetime, claims);
    world.external_tokens.insert(
        token.clone(),
        IssuedToken {
            provider: "maskinporten",
            party_id,
            actor,
            scope: grant.scope.clone(),
            expires_at: Instant::now() + lifetime,
        },
    );
    json_ok(
        StatusCode::OK,
        &json!({"access_token": token, "token_type": "Bearer",
                "expires_in": lifetime.as_secs(), "scope": grant.scope}),
    )
}
