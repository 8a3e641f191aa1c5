//! Every authentication provider against the emulator: bearer token with refresh,
//! Maskinporten with token exchange, enterprise user over mTLS, password login; plus the
//! answers that mean "not authenticated".

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod scripted;
mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use altinn_adapter::auth::{BearerToken, Maskinporten};
use altinn_adapter::v2::auth::{
    Credential, EnterpriseUserLogin, Login, LoginContext, MaskinportenEnterpriseUser, PasswordLogin,
};
use altinn_adapter::v2::{Client, Environment, MessageQuery, Who};
use altinn_adapter::{Error, Secret};
use async_trait::async_trait;
use scripted::{Answer, Request};
use signature_emulator::altinn::{
    AltinnEmulator, AltinnEmulatorBuilder, DEFAULT_AUDIENCE, FormTaskSeed,
};
use support::{API_KEY, Enterprise, Pki, client, emulator, other_enterprise, pki};

fn seeded(emulator: &AltinnEmulator) {
    emulator.add_form_task(
        "my",
        FormTaskSeed::new("4711", 1).main_form("1", "2", "<a/>"),
    );
}

async fn count(client: &Client) -> Result<usize, Error> {
    Ok(client
        .messages(&Who::My, &MessageQuery::new())
        .await?
        .messages
        .len())
}

#[tokio::test]
async fn bearer_token_is_refreshed_once_through_the_callback() {
    let emulator = Arc::new(emulator().start().await.unwrap());
    seeded(&emulator);
    let refreshes = Arc::new(AtomicUsize::new(0));
    let auth = BearerToken::new(emulator.issue_token(4)).with_refresh({
        let (emulator, refreshes) = (emulator.clone(), refreshes.clone());
        move || {
            refreshes.fetch_add(1, Ordering::SeqCst);
            let token = emulator.issue_token(4);
            async move { Ok::<_, std::io::Error>(token) }
        }
    });
    let client = client(&emulator, auth);
    assert_eq!(count(&client).await.unwrap(), 1);
    assert_eq!(refreshes.load(Ordering::SeqCst), 0);
    emulator.expire_tokens();
    assert_eq!(count(&client).await.unwrap(), 1);
    assert_eq!(refreshes.load(Ordering::SeqCst), 1);
    assert_eq!(count(&client).await.unwrap(), 1, "the new token is kept");
    assert_eq!(refreshes.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn an_expired_bearer_token_without_refresh_reports_altinns_reason() {
    let emulator = emulator().start().await.unwrap();
    let client = client(&emulator, BearerToken::new(emulator.issue_token(4)));
    emulator.expire_tokens();
    match count(&client).await {
        Err(Error::NotAuthenticated { problem, .. }) => {
            let problem = problem.unwrap();
            assert_eq!(problem.status, 401);
            assert_eq!(
                problem.reason.as_deref(),
                Some("IDX10223: Lifetime validation failed. The token is expired.")
            );
        }
        other => panic!("{other:?}"),
    }
}

/// An emulator that knows the Maskinporten client `test-client` (the enterprise certificate,
/// scope `altinn:enduser`) and the enterprise user `VIRKSOMHETSBRUKER` / `hemmelig`.
fn maskinporten_emulator(pki: &Pki) -> AltinnEmulatorBuilder {
    emulator()
        .maskinporten_client(
            "test-client",
            pki.enterprise.cert_der.clone(),
            &["altinn:enduser"],
        )
        .enterprise_user("VIRKSOMHETSBRUKER", "hemmelig")
}

fn maskinporten(
    emulator: &AltinnEmulator,
    certificate: altinn_adapter::auth::EnterpriseCertificate,
    password: &str,
) -> MaskinportenEnterpriseUser {
    let maskinporten = Maskinporten::builder("test-client", "altinn:enduser", certificate)
        .audience(DEFAULT_AUDIENCE)
        .token_endpoint(emulator.maskinporten_token_url())
        .resource("https://tt02.altinn.no/")
        .build()
        .unwrap();
    MaskinportenEnterpriseUser::new(maskinporten, "VIRKSOMHETSBRUKER", password)
}

/// The Maskinporten emulator, and a client whose grants `certificate` signs and whose
/// enterprise user logs in with `password`.
async fn maskinporten_client(
    pki: &Pki,
    certificate: altinn_adapter::auth::EnterpriseCertificate,
    password: &str,
) -> (AltinnEmulator, Client) {
    let emulator = maskinporten_emulator(pki).start().await.unwrap();
    let client = client(&emulator, maskinporten(&emulator, certificate, password));
    (emulator, client)
}

#[tokio::test]
async fn maskinporten_grant_exchange_cache_and_renewal() {
    let pki = pki();
    let emulator = maskinporten_emulator(&pki)
        .resource("https://tt02.altinn.no/")
        .start()
        .await
        .unwrap();
    seeded(&emulator);
    let client = client(
        &emulator,
        maskinporten(&emulator, pki.enterprise.certificate(), "hemmelig"),
    );
    assert_eq!(count(&client).await.unwrap(), 1);
    assert_eq!(count(&client).await.unwrap(), 1);
    assert_eq!(
        (emulator.grants_accepted(), emulator.exchanges()),
        (1, 1),
        "cached"
    );
    emulator.expire_tokens();
    assert_eq!(count(&client).await.unwrap(), 1);
    assert_eq!(
        (emulator.grants_accepted(), emulator.exchanges()),
        (1, 2),
        "exchanged again once on 401; the Maskinporten token is still valid and is reused"
    );
    assert!(!format!("{client:?}").contains("hemmelig"));
}

#[tokio::test]
async fn maskinporten_refuses_a_grant_signed_with_another_certificate() {
    let (emulator, client) =
        maskinporten_client(&pki(), other_enterprise().certificate(), "hemmelig").await;
    match count(&client).await {
        Err(Error::TokenRequest { service, detail }) => {
            assert_eq!(service, "Maskinporten");
            assert!(detail.contains("x5c"), "{detail}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(emulator.grants_accepted(), 0);
}

#[tokio::test]
async fn the_exchange_refuses_a_wrong_enterprise_user_password() {
    let pki = pki();
    let (emulator, client) = maskinporten_client(&pki, pki.enterprise.certificate(), "feil").await;
    match count(&client).await {
        Err(error @ Error::TokenRequest { .. }) => {
            let text = error.to_string();
            assert!(
                text.contains("Invalid enterprise user credentials"),
                "{text}"
            );
            assert!(!text.contains("feil"), "{text}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(emulator.exchanges(), 0);
}

/// A client that logs `VIRKSOMHETSBRUKER` / `hemmelig` in over mutual TLS with `enterprise`'s
/// certificate, trusting the test CA.
fn enterprise_user_client(emulator: &AltinnEmulator, pki: &Pki, enterprise: &Enterprise) -> Client {
    Client::builder(Environment::custom(emulator.base_url()).unwrap(), API_KEY)
        .auth(EnterpriseUserLogin::new(
            enterprise.certificate(),
            "VIRKSOMHETSBRUKER",
            "hemmelig",
        ))
        .add_root_certificate(pki.ca.clone())
        .build()
        .unwrap()
}

#[tokio::test]
async fn enterprise_user_logs_in_over_mutual_tls() {
    let pki = pki();
    let emulator = emulator()
        .tls(pki.tls())
        .enterprise_certificate(pki.enterprise.cert_der.clone())
        .enterprise_user("VIRKSOMHETSBRUKER", "hemmelig")
        .start()
        .await
        .unwrap();
    assert!(emulator.base_url().starts_with("https://127.0.0.1:"));
    seeded(&emulator);
    let client = enterprise_user_client(&emulator, &pki, &pki.enterprise);
    assert_eq!(count(&client).await.unwrap(), 1);
    assert_eq!(count(&client).await.unwrap(), 1);
    assert_eq!(emulator.logins(), 1, "the cookie is reused");
    emulator.end_sessions();
    assert_eq!(count(&client).await.unwrap(), 1);
    assert_eq!(
        emulator.logins(),
        2,
        "logged in again after the redirect to the login page"
    );

    // A certificate Altinn does not know cannot log in, even with the right password.
    let stranger = enterprise_user_client(&emulator, &pki, &pki.unregistered);
    match count(&stranger).await {
        Err(Error::TokenRequest { detail, .. }) => assert!(
            detail.contains("There is no authenticated organization number"),
            "{detail}"
        ),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn password_login_sends_the_cookie_and_logs_in_again_when_it_expires() {
    let emulator = support::person_emulator("24068110048", "passord").await;
    seeded(&emulator);
    let auth = PasswordLogin::new("24068110048", "passord");
    assert!(!format!("{auth:?}").contains("24068110048"));
    let client = client(&emulator, auth);
    assert_eq!(count(&client).await.unwrap(), 1);
    assert_eq!(emulator.logins(), 1);
    emulator.end_sessions();
    assert_eq!(count(&client).await.unwrap(), 1);
    assert_eq!(emulator.logins(), 2);

    let wrong = support::client(&emulator, PasswordLogin::new("24068110048", "feil"));
    match count(&wrong).await {
        Err(error @ Error::TokenRequest { .. }) => {
            let text = error.to_string();
            assert!(text.contains("Invalid username or password"), "{text}");
            assert!(
                !text.contains("24068110048") && !text.contains("feil"),
                "{text}"
            );
        }
        other => panic!("{other:?}"),
    }
}

/// A provider that sends a cookie Altinn does not know, as a browser without login would.
#[derive(Debug)]
struct Anonymous;

#[async_trait]
impl Login for Anonymous {
    async fn credential(&self, _cx: &LoginContext<'_>) -> Result<Credential, Error> {
        Ok(Credential::Cookie(Secret::new("theme=dark")))
    }
}

#[tokio::test]
async fn a_redirect_or_html_page_means_not_authenticated() {
    let redirecting = emulator().start().await.unwrap();
    match count(&client(&redirecting, Anonymous)).await {
        Err(Error::NotAuthenticated { detail, problem }) => {
            assert!(detail.contains("redirected"), "{detail}");
            assert!(problem.is_none());
        }
        other => panic!("{other:?}"),
    }
    let html = emulator().html_for_anonymous(true).start().await.unwrap();
    match count(&client(&html, Anonymous)).await {
        Err(Error::NotAuthenticated { detail, .. }) => assert!(detail.contains("HTML"), "{detail}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn api_key_errors_come_from_the_reason_phrase() {
    let emulator = emulator().start().await.unwrap();
    let wrong_key = Client::builder(Environment::custom(emulator.base_url()).unwrap(), "wrong")
        .auth(BearerToken::new(emulator.issue_token(4)))
        .build()
        .unwrap();
    match count(&wrong_key).await {
        Err(Error::Service(problem)) if problem.status == 403 => {
            assert_eq!(
                problem.reason.as_deref(),
                Some("The API key is not authorized for this operation")
            );
            assert_eq!(problem.code, None);
        }
        other => panic!("{other:?}"),
    }
    assert!(!format!("{wrong_key:?}").contains("wrong\""));

    // What the client relies on: reqwest 0.13 keeps hyper's `ReasonPhrase` extension.
    let response = reqwest::Client::new()
        .get(format!("{}/api/my/messages", emulator.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(response.status().canonical_reason(), Some("Bad Request"));
    let reason = response
        .extensions()
        .get::<hyper::ext::ReasonPhrase>()
        .unwrap();
    assert_eq!(reason.as_bytes(), b"Required header 'ApiKey' is missing.");
}

/// A scripted platform: Maskinporten's token endpoint answers a token, and the exchange
/// answers as the real one does since 2026-06-26 when `X-Altinn-EnterpriseUser-Authentication`
/// is sent: 410 Gone with a ProblemDetails body (altinn-authentication #2063).
fn retired_platform() -> (String, Arc<Mutex<Vec<Request>>>) {
    scripted::serve(|request| {
        match (request.method.as_str(), request.path()) {
        ("POST", "/token") => Answer::json(
            "200 OK",
            r#"{"access_token":"maskinporten-token","token_type":"Bearer","expires_in":120}"#,
        ),
        ("GET", "/authentication/api/v1/exchange/maskinporten")
            if request
                .header("x-altinn-enterpriseuser-authentication")
                .is_some() =>
        {
            Answer {
                status: "410 Gone",
                headers: vec![("content-type", "application/problem+json".to_owned())],
                body: r#"{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.11","title":"Gone","status":410,"detail":"Virksomhetsbruker is no longer available"}"#
                    .to_owned(),
            }
        }
        _ => Answer::empty("404 Not Found"),
    }
    })
}

#[tokio::test]
async fn the_enterprise_user_exchange_reports_the_retirement() {
    let (base, seen) = retired_platform();
    let maskinporten = Maskinporten::builder(
        "test-client",
        "altinn:enduser",
        pki().enterprise.certificate(),
    )
    .audience(DEFAULT_AUDIENCE)
    .token_endpoint(format!("{base}token"))
    .build()
    .unwrap();
    let client = Client::builder(Environment::custom(&base).unwrap(), API_KEY)
        .auth(MaskinportenEnterpriseUser::new(
            maskinporten,
            "VIRKSOMHETSBRUKER",
            "hemmelig",
        ))
        .build()
        .unwrap();
    match count(&client).await {
        Err(error @ Error::EnterpriseUserRetired { .. }) => {
            let text = error.to_string();
            assert!(text.contains("2026-06-19"), "{text}");
            assert!(text.contains("system user"), "{text}");
            assert!(text.contains("no longer available"), "{text}");
            assert!(!text.contains("hemmelig"), "{text}");
            assert_eq!(error.problem().unwrap().status, 410);
        }
        other => panic!("{other:?}"),
    }
    let seen: Vec<String> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|r| format!("{} {}", r.method, r.target))
        .collect();
    assert!(seen[0].starts_with("POST /token"), "{seen:?}");
    assert!(
        seen[1].starts_with("GET /authentication/api/v1/exchange/maskinporten"),
        "{seen:?}"
    );
    assert_eq!(seen.len(), 2, "a 410 is final: nothing retried, {seen:?}");
}
