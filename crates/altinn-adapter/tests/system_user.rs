//! A system user's token, end to end on the client side: the Maskinporten grant (`kid` or
//! `x5c` header, Altinn's `authorization_details`, RS256 signature), posted as Maskinporten
//! documents it, and the token exchanged at the platform for an Altinn token. The platform
//! and Maskinporten are scripted (the emulator does not issue system user tokens).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod scripted;

use altinn_adapter::auth::{
    EnterpriseCertificate, GrantKey, LoadOptions, Maskinporten, SigningKey,
};
use altinn_adapter::v3::{Client, Environment, TokenProvider};
use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rcgen::{CertificateParams, DnType, KeyPair, KeyUsagePurpose, PKCS_RSA_SHA256};
use scripted::{Answer, Request};
use serde_json::{Value, json};

const AUDIENCE: &str = "https://test.maskinporten.no/";
const CUSTOMER: &str = "310000001";

/// An Altinn token as the exchange gives it: a JWT whose `exp` the client reads.
fn altinn_jwt() -> String {
    let exp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 1800;
    format!(
        "e30.{}.c2ln",
        URL_SAFE_NO_PAD.encode(json!({"exp": exp, "urn:altinn:systemuser": "x"}).to_string())
    )
}

/// Maskinporten (`POST /token`) and the platform's exchange, scripted.
fn platform() -> (String, std::sync::Arc<std::sync::Mutex<Vec<Request>>>) {
    scripted::serve(|request| match (request.method.as_str(), request.path()) {
        ("POST", "/token") => Answer::json(
            "200 OK",
            r#"{"access_token":"maskinporten-system-user-token","token_type":"Bearer","expires_in":119}"#,
        ),
        ("GET", "/authentication/api/v1/exchange/maskinporten")
            if request.header("authorization") == Some("Bearer maskinporten-system-user-token") =>
        {
            Answer::json("200 OK", format!("\"{}\"", altinn_jwt()))
        }
        _ => Answer::empty("401 Unauthorized"),
    })
}

/// Maskinporten at `base`, for the client `client-id` acting as the system user of `CUSTOMER`.
fn system_user(base: &str, scope: &str, key: GrantKey) -> Maskinporten {
    Maskinporten::builder("client-id", scope, key)
        .audience(AUDIENCE)
        .token_endpoint(format!("{base}token"))
        .system_user(CUSTOMER)
        .build()
        .unwrap()
}

/// An Altinn 3 client at `base` that exchanges `maskinporten`'s tokens.
fn exchanging(base: &str, maskinporten: Maskinporten) -> Client {
    Client::builder(Environment::custom(base).unwrap())
        .exchange(TokenProvider::Maskinporten, maskinporten)
        .build()
        .unwrap()
}

/// The grant the client posted, split and decoded, its signature checked with `public`.
fn posted_grant(log: &[Request], public_pkcs1: &[u8]) -> (Value, Value) {
    let token = log
        .iter()
        .find(|r| r.path() == "/token")
        .expect("a token request");
    assert_eq!(
        token.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&token.body)
        .into_owned()
        .collect();
    let field = |name: &str| {
        form.iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    assert_eq!(
        field("grant_type"),
        "urn:ietf:params:oauth:grant-type:jwt-bearer"
    );
    let assertion = field("assertion");
    let parts: Vec<&str> = assertion.split('.').collect();
    assert_eq!(parts.len(), 3);
    let signature = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
    UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, public_pkcs1)
        .verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature)
        .expect("the grant is signed RS256 with the registered key");
    let decode = |part: &str| -> Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
    };
    (decode(parts[0]), decode(parts[1]))
}

#[tokio::test]
async fn a_system_user_grant_with_a_registered_key_is_exchanged_for_an_altinn_token() {
    let (base, log) = platform();
    let key = KeyPair::generate_for(&PKCS_RSA_SHA256).unwrap();
    let grant_key =
        GrantKey::registered_key("my-client-2026", key.serialize_pem().as_bytes()).unwrap();
    let maskinporten = system_user(
        &base,
        "altinn:instances.read altinn:instances.write",
        grant_key,
    );
    assert!(!format!("{maskinporten:?}").contains("PRIVATE KEY"));
    let client = exchanging(&base, maskinporten);
    let token = client.altinn_token().await.unwrap();
    assert!(
        token.expose().starts_with("e30."),
        "the exchanged Altinn token"
    );
    // Cached: a second call neither asks Maskinporten nor exchanges again.
    client.altinn_token().await.unwrap();
    let log = log.lock().unwrap().clone();
    assert_eq!(log.len(), 2, "{log:?}");

    let (header, claims) = posted_grant(&log, key.public_key_raw());
    assert_eq!(header, json!({"alg": "RS256", "kid": "my-client-2026"}));
    assert_eq!(claims["aud"], AUDIENCE);
    assert_eq!(claims["iss"], "client-id");
    assert_eq!(
        claims["scope"],
        "altinn:instances.read altinn:instances.write"
    );
    assert_eq!(
        claims["authorization_details"],
        json!([{"type": "urn:altinn:systemuser",
                "systemuser_org": {"authority": "iso6523-actorid-upis", "ID": "0192:310000001"}}])
    );
    let (iat, exp) = (
        claims["iat"].as_u64().unwrap(),
        claims["exp"].as_u64().unwrap(),
    );
    assert!(exp > iat && exp - iat <= 120, "Maskinporten allows 120 s");
    assert!(claims["jti"].as_str().is_some_and(|j| j.len() >= 16));
    assert!(claims.get("resource").is_none());
    let exchange = &log[1];
    assert_eq!(
        exchange.header("authorization"),
        Some("Bearer maskinporten-system-user-token")
    );
    assert!(
        exchange
            .header("x-altinn-enterpriseuser-authentication")
            .is_none()
    );
}

#[tokio::test]
async fn an_enterprise_certificate_grant_sends_its_chain_in_x5c() {
    let (base, log) = platform();
    let key = KeyPair::generate_for(&PKCS_RSA_SHA256).unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "LEVERANDØR AS");
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    let cert = params.self_signed(&key).unwrap();
    let signing_key = SigningKey::from_pem(
        key.serialize_pem().as_bytes(),
        cert.pem().as_bytes(),
        None,
        &LoadOptions::default(),
    )
    .unwrap();
    let certificate = EnterpriseCertificate::new(signing_key).unwrap();
    let client = exchanging(
        &base,
        system_user(&base, "altinn:instances.read", certificate.into()),
    );
    client.altinn_token().await.unwrap();
    let log = log.lock().unwrap().clone();
    let (header, claims) = posted_grant(&log, key.public_key_raw());
    assert_eq!(header["alg"], "RS256");
    assert!(header.get("kid").is_none());
    assert_eq!(
        header["x5c"],
        json!([STANDARD.encode(cert.der())]),
        "the chain, own certificate first"
    );
    assert_eq!(
        claims["authorization_details"][0]["type"],
        "urn:altinn:systemuser"
    );
}

#[tokio::test]
async fn maskinporten_refusals_name_maskinporten_and_its_error() {
    let (base, _) = scripted::serve(|_| {
        Answer::json(
            "400 Bad Request",
            r#"{"error":"invalid_grant","error_description":"No system user found for 0192:310000001"}"#,
        )
    });
    let key = KeyPair::generate_for(&PKCS_RSA_SHA256).unwrap();
    let grant_key = GrantKey::registered_key("k", key.serialize_pem().as_bytes()).unwrap();
    let client = exchanging(
        &base,
        system_user(&base, "altinn:instances.read", grant_key),
    );
    match client.altinn_token().await {
        Err(altinn_adapter::Error::TokenRequest { service, detail }) => {
            assert_eq!(service, "Maskinporten");
            assert!(detail.contains("invalid_grant"), "{detail}");
            assert!(detail.contains("No system user"), "{detail}");
        }
        other => panic!("{other:?}"),
    }
}
