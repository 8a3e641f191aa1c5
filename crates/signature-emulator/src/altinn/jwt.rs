//! Verifying a Maskinporten JWT grant (<https://docs.digdir.no/docs/Maskinporten/maskinporten_protocol_jwtgrant>):
//! an RS256 signature by the key the header names, in `x5c` (the certificate must be the
//! one registered for the client) or by `kid` (a key registered for the client), and the
//! claims Maskinporten checks. The Altinn 2 and Altinn 3 emulators share it.

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
    /// Every claim of the grant (`authorization_details` among them).
    pub(crate) claims: Value,
}

/// How the grant's header names its key.
#[derive(Debug)]
pub(crate) enum KeyRef<'a> {
    /// The leaf certificate from `x5c` (DER).
    X5c(&'a [u8]),
    /// A registered key's id.
    Kid(&'a str),
}

/// What a registered client allows: the RSA public key the grant must verify with (PKCS#1
/// `RSAPublicKey` DER) and the scopes it may ask for.
#[derive(Debug)]
pub(crate) struct ClientKey {
    pub(crate) public_key: Vec<u8>,
    pub(crate) scopes: Vec<String>,
}

/// The grant in a Maskinporten `POST /token` form (a JWT-bearer grant's `assertion`) and the
/// time to check it at, in seconds since the epoch; else OAuth's `(error, description)`.
pub(crate) fn bearer_grant(
    form: &std::collections::HashMap<String, String>,
) -> Result<(&str, u64), (&'static str, &'static str)> {
    if form.get("grant_type").map(String::as_str)
        != Some("urn:ietf:params:oauth:grant-type:jwt-bearer")
    {
        return Err(("unsupported_grant_type", "grant_type must be jwt-bearer"));
    }
    let assertion = form
        .get("assertion")
        .ok_or(("invalid_request", "no assertion"))?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    Ok((assertion, now))
}

/// The RSA public key (PKCS#1 DER) inside a certificate.
pub(crate) fn certificate_key(der: &[u8]) -> Result<Vec<u8>, String> {
    let certificate = Certificate::from_der(der).map_err(|_| "x5c is not a certificate")?;
    Ok(certificate
        .tbs_certificate
        .subject_public_key_info
        .subject_public_key
        .raw_bytes()
        .to_vec())
}

/// The RSA public key (PKCS#1 DER) inside a `SubjectPublicKeyInfo` (a PEM `PUBLIC KEY`'s DER).
pub(crate) fn spki_key(der: &[u8]) -> Result<Vec<u8>, String> {
    let spki = x509_cert::spki::SubjectPublicKeyInfoOwned::from_der(der)
        .map_err(|_| "not a SubjectPublicKeyInfo".to_owned())?;
    Ok(spki.subject_public_key.raw_bytes().to_vec())
}

fn decode_json(part: &str) -> Result<Value, String> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| "a JWT part is not base64url".to_owned())?;
    serde_json::from_slice(&bytes).map_err(|_| "a JWT part is not JSON".to_owned())
}

/// Verifies `assertion` for `audience` (and `resource`, when one is required) at `now`;
/// `client` finds the registered key for the client id and the header's key reference.
pub(crate) fn verify(
    assertion: &str,
    audience: &str,
    resource: Option<&str>,
    now: u64,
    client: impl FnOnce(&str, KeyRef<'_>) -> Result<ClientKey, String>,
) -> Result<Grant, String> {
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
        .and_then(|b64| STANDARD.decode(b64).ok());
    let kid = header.get("kid").and_then(Value::as_str);
    let key_ref = match (&leaf, kid) {
        (Some(leaf), _) => KeyRef::X5c(leaf),
        (None, Some(kid)) => KeyRef::Kid(kid),
        (None, None) => return Err("the header needs x5c or kid".to_owned()),
    };
    let text = |name: &str| claims_value.get(name).and_then(Value::as_str);
    let number = |name: &str| claims_value.get(name).and_then(Value::as_u64);
    let client_id = text("iss").ok_or("iss is missing")?;
    let registered = client(client_id, key_ref)?;
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| "the signature is not base64url")?;
    let signing_input = &assertion[..assertion.len() - parts[2].len() - 1];
    UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, &registered.public_key)
        .verify(signing_input.as_bytes(), &signature)
        .map_err(|_| "the signature does not verify with the client's key")?;
    if text("aud") != Some(audience) {
        return Err("aud is not this Maskinporten".to_owned());
    }
    if let Some(resource) = resource
        && text("resource") != Some(resource)
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
        .find(|s| !registered.scopes.iter().any(|a| a == s))
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
        claims: claims_value.clone(),
    })
}

/// The Altinn 2 emulator's check: the certificate in `x5c` must be the client's.
pub(crate) fn verify_grant(assertion: &str, config: &Config, now: u64) -> Result<Grant, String> {
    verify(
        assertion,
        &config.audience,
        config.resource.as_deref(),
        now,
        |client_id, key| {
            let client = config
                .maskinporten_clients
                .get(client_id)
                .ok_or("unknown client")?;
            let KeyRef::X5c(leaf) = key else {
                return Err("x5c must hold the certificate".to_owned());
            };
            if client.certificate != leaf {
                return Err(
                    "the certificate in x5c is not the one registered for the client".to_owned(),
                );
            }
            Ok(ClientKey {
                public_key: certificate_key(leaf)?,
                scopes: client.scopes.clone(),
            })
        },
    )
}
