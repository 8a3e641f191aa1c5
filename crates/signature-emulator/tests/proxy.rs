//! Both adapters through a real forward proxy (Debian's tinyproxy, started here): a Posten
//! portal job created over mutual TLS inside a `CONNECT` tunnel, an Altinn 3 token exchange
//! through the proxy, and, for both, clear errors when the proxy refuses the tunnel or does not
//! answer. Skips with a notice without tinyproxy; fails under `SIGNERING_REQUIRE_TOOLS=1`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

#[path = "common/posten_client.rs"]
mod helpers;

use helpers::{BROKER, builder_for, fast, key_of};
use posten_adapter::{Client, Error, Proxy, ProxySetting};
use signature_core::{Document, LookupNotifications, Signer, SigningJob};
use signature_emulator::posten::RunningEmulator;
use signering_testkit::tinyproxy::{Policy, Tinyproxy, free_port};

/// What both adapters say of a proxy that refuses the tunnel to `service`.
fn refused_text(proxy: &str, service: &str) -> String {
    format!(
        "the proxy {proxy} refused the tunnel to {service} (it answered CONNECT with an error \
         status); check its rules and credentials, or bypass it with NO_PROXY"
    )
}

/// What both adapters say of a proxy nothing answers at.
fn unreachable_text(proxy: &str) -> String {
    format!("the proxy {proxy} could not be reached; check its address (HTTPS_PROXY, --proxy)")
}

// Both adapters' errors have the same proxy variants: the checks are macros so that `Error`
// names whichever adapter's error the calling test has in scope.

/// Checks a refusal of the tunnel by `$proxy` (a `Tinyproxy`) to `$service`: kind, text, not
/// transient, and the proxy saw the `CONNECT`.
macro_rules! assert_refused {
    ($error:expr, $proxy:expr, $service:expr) => {{
        let error = &$error;
        assert!(matches!(error, Error::ProxyRefused { .. }), "{error:?}");
        assert_eq!(error.to_string(), refused_text(&$proxy.url, $service));
        assert!(!error.is_transient());
        assert!($proxy.log().contains("CONNECT"), "{}", $proxy.log());
    }};
}

/// Checks the error for a proxy address `$nowhere` nothing answers at: kind and text.
macro_rules! assert_unreachable {
    ($error:expr, $nowhere:expr) => {{
        let error = &$error;
        assert!(matches!(error, Error::ProxyUnreachable { .. }), "{error:?}");
        assert_eq!(error.to_string(), unreachable_text($nowhere));
    }};
}

fn client(emulator: &RunningEmulator, proxy: impl Into<ProxySetting>) -> Client {
    let key = key_of(&emulator.client(BROKER).unwrap());
    builder_for(emulator, key).proxy(proxy).build().unwrap()
}

fn job() -> SigningJob {
    SigningJob::builder("Through the proxy")
        .document(Document::pdf(
            "Avtale",
            "avtale.pdf",
            b"%PDF-1.7 proxied".to_vec(),
        ))
        .signer(
            Signer::with_personal_identification_number("01017010170")
                .notify_through_lookup(LookupNotifications::EmailOnly),
        )
        .build()
        .unwrap()
}

/// The emulator's `127.0.0.1:PORT`.
fn authority(emulator: &RunningEmulator) -> String {
    let url = url::Url::parse(&emulator.base_url).unwrap();
    format!("{}:{}", url.host_str().unwrap(), url.port().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_is_created_over_mutual_tls_through_a_connect_tunnel() {
    let Some(proxy) = Tinyproxy::start("posten_job_through_tinyproxy", Policy::AllowAll) else {
        return;
    };
    // The poll interval of `fast` plays no part here.
    let emulator = fast().start().await.unwrap();
    let client = client(&emulator, Proxy::new(&proxy.url).unwrap());
    let created = client.create_job(&job()).await.unwrap();
    let snapshot = emulator
        .control()
        .job(created.id.as_str().parse().unwrap())
        .await
        .unwrap();
    assert_eq!(snapshot.sender, BROKER);
    let log = proxy.log();
    assert!(
        log.contains(&format!("CONNECT {}", authority(&emulator))),
        "tinyproxy saw no tunnel to the emulator:\n{log}"
    );

    // ProxySetting::Direct bypasses it.
    let before = log.matches("CONNECT ").count();
    let direct = self::client(&emulator, ProxySetting::Direct);
    direct.create_job(&job()).await.unwrap();
    assert_eq!(proxy.log().matches("CONNECT ").count(), before);
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusing_proxy_and_a_silent_one_give_clear_errors() {
    let Some(proxy) = Tinyproxy::start("posten_proxy_refuses", Policy::ConnectOnly443) else {
        return;
    };
    // The poll interval of `fast` plays no part here.
    let emulator = fast().start().await.unwrap();
    let refused = client(&emulator, Proxy::new(&proxy.url).unwrap())
        .create_job(&job())
        .await
        .unwrap_err();
    assert_refused!(refused, proxy, "Posten signering");

    // Nothing listens where the proxy should be.
    let nowhere = format!("http://127.0.0.1:{}", free_port());
    let unreachable = client(&emulator, Proxy::new(&nowhere).unwrap())
        .create_job(&job())
        .await
        .unwrap_err();
    assert_unreachable!(unreachable, &nowhere);
    emulator.shutdown().await;
}

/// An Altinn 3 client of `base` through `proxy`, without retries (an unreachable proxy is
/// transient, and the test wants the first answer).
fn altinn3_client(
    base: &str,
    token: String,
    proxy: impl Into<ProxySetting>,
) -> altinn_adapter::v3::Client {
    use altinn_adapter::auth::BearerToken;
    use altinn_adapter::v3::{Client, Environment, TokenProvider};
    Client::builder(Environment::custom(base).unwrap())
        .exchange(TokenProvider::IdPorten, BearerToken::new(token))
        .retry(signature_core::RetryPolicy::none())
        .proxy(proxy)
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn altinn3_through_the_proxy_and_its_failures() {
    use altinn_adapter::Error;
    use signature_emulator::altinn3::Altinn3Emulator;

    let Some(open) = Tinyproxy::start("altinn3_through_tinyproxy", Policy::AllowAll) else {
        return;
    };
    let emulator = Altinn3Emulator::builder()
        .app("ttd/signing-demo")
        .start()
        .await
        .unwrap();
    emulator.add_person("24068110048", "Kari Nordmann");
    let token = || emulator.issue_idporten_token("24068110048");

    // The emulator speaks plain HTTP, which the proxy forwards (no tunnel).
    let through = altinn3_client(emulator.base_url(), token(), Proxy::new(&open.url).unwrap());
    through.altinn_token().await.unwrap();
    assert!(
        open.log().contains("/authentication/api/v1/exchange/"),
        "tinyproxy forwarded no token exchange:\n{}",
        open.log()
    );

    // Altinn is reached over HTTPS, through a CONNECT tunnel: a proxy that allows tunnels
    // only to port 443 refuses one to another port before connecting anywhere.
    let Some(strict) = Tinyproxy::start("altinn3_proxy_refuses", Policy::ConnectOnly443) else {
        return;
    };
    let https = format!("https://127.0.0.1:{}/", free_port());
    let refused = altinn3_client(&https, token(), Proxy::new(&strict.url).unwrap())
        .altinn_token()
        .await
        .unwrap_err();
    assert_refused!(refused, strict, "Altinn");

    // Nothing listens where the proxy should be.
    let nowhere = format!("http://127.0.0.1:{}", free_port());
    let unreachable = altinn3_client(&https, token(), Proxy::new(&nowhere).unwrap())
        .altinn_token()
        .await
        .unwrap_err();
    assert_unreachable!(unreachable, &nowhere);
    assert!(unreachable.is_transient());
    emulator.server().shutdown().await;
}
