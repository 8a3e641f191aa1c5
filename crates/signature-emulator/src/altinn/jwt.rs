//! Verifying a Maskinporten JWT grant: RS256 signature by the certificate in `x5c`, which
//! must be the one registered for the client, and the claims Maskinporten checks.

use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use der::Decode;
use serde_json::Value;
use x509_cert::Certificate;

use super::Config;

/// Grants may live at most this long (Maskinporten: 120 s).
const MAX_GRANT_LIFETIME: u64 = 120;
/// Clock skew tolerated on `iat`.
const SKEW: u64 = 10;

#[derive(Debug)]
pub(crate) struct Grant {
    pub(crate) client_id: String,
    pub(crate) scope: String,
    pub(crate) jti: String,
}

fn decode_json(part: &str) -> Result<Value, String> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| "a JWT part is not base64url".to_owned())?;
    serde_json::from_slice(&bytes).map_err(|_| "a JWT part is not JSON".to_owned())
}

pub(crate) fn verify_grant(assertion: &str, config: &Config, now: u64) -> Result<Grant, String> {
    let parts: Vec<&str> = assertion.split('.').collect();
    let [header, claims, signature] = parts[..] else {
        return Err("the grant is not a signed JWT".to_owned());
    };
    let header = decode_json(header)?;
    let claims_value = decode_json(claims)?;
    if header.get("alg").and_then(Value::as_str) != Some("RS256") {
        return Err("alg must be RS256".to_owned());
    }
    let leaf = header
        .get("x5c")
        .and_then(Value::as_array)
        .and_then(|chain| chain.first())
        .and_then(Value::as_str)
        .and_then(|b64| STANDARD.decode(b64).ok())
        .ok_or("x5c must hold the certificate")?;
    let text = |name: &str| claims_value.get(name).and_then(Value::as_str);
    let number = |name: &str| claims_value.get(name).and_then(Value::as_u64);
    let client_id = text("iss").ok_or("iss is missing")?;
    let client = config
        .maskinporten_clients
        .get(client_id)
        .ok_or("unknown client")?;
    if client.certificate != leaf {
        return Err("the certificate in x5c is not the one registered for the client".to_owned());
    }
    let certificate = Certificate::from_der(&leaf).map_err(|_| "x5c is not a certificate")?;
    let public_key = certificate
        .tbs_certificate
        .subject_public_key_info
        .subject_public_key
        .raw_bytes();
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| "the signature is not base64url")?;
    let signing_input = &assertion[..assertion.len() - parts[2].len() - 1];
    UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, public_key)
        .verify(signing_input.as_bytes(), &signature)
        .map_err(|_| "the signature does not verify with the x5c certificate")?;
    if text("aud") != Some(config.audience.as_str()) {
        return Err("aud is not this Maskinporten".to_owned());
    }
    if let Some(resource) = &config.resource
        && text("resource") != Some(resource.as_str())
    {
        return Err("resource is not the expected one".to_owned());
    }
    let (iat, exp) = (
        number("iat").ok_or("iat is missing")?,
        number("exp").ok_or("exp is missing")?,
    );
    if exp <= now || iat > now + SKEW || exp.saturating_sub(iat) > MAX_GRANT_LIFETIME {
        return Err("the grant is expired, not yet valid, or lives too long".to_owned());
    }
    let scope = text("scope").ok_or("scope is missing")?;
    if let Some(denied) = scope
        .split(' ')
        .find(|s| !client.scopes.iter().any(|a| a == s))
    {
        return Err(format!("scope {denied} is not granted to the client"));
    }
    let jti = text("jti")
        .filter(|j| !j.is_empty())
        .ok_or("jti is missing")?;
    Ok(Grant {
        client_id: client_id.to_owned(),
        scope: scope.to_owned(),
        jti: jti.to_owned(),
    })
}
