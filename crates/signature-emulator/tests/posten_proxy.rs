//! `posten_adapter::Client` through a real forward proxy (Debian's tinyproxy, started here):
//! a portal job created over mutual TLS inside a `CONNECT` tunnel, and clear errors when the
//! proxy refuses the tunnel or does not answer. Skips with a notice without tinyproxy; fails
//! under `SIGNERING_REQUIRE_TOOLS=1`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

#[path = "common/posten_client.rs"]
mod helpers;

use helpers::{BROKER, builder_for, fast, key_of};
use posten_adapter::{Client, Error, Proxy, ProxySetting};
use signature_core::{Document, LookupNotifications, Signer, SigningJob};
use signature_emulator::posten::RunningEmulator;
use signering_testkit::tinyproxy::{Policy, Tinyproxy, free_port};

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
    let text = refused.to_string();
    assert!(matches!(refused, Error::ProxyRefused { .. }), "{refused:?}");
    assert_eq!(
        text,
        format!(
            "the proxy {} refused the tunnel to Posten signering (it answered CONNECT with an \
             error status); check its rules and credentials, or bypass it with NO_PROXY",
            proxy.url
        )
    );
    assert!(!refused.is_transient());
    assert!(proxy.log().contains("CONNECT"), "{}", proxy.log());

    // Nothing listens where the proxy should be.
    let nowhere = format!("http://127.0.0.1:{}", free_port());
    let unreachable = client(&emulator, Proxy::new(&nowhere).unwrap())
        .create_job(&job())
        .await
        .unwrap_err();
    assert!(
        matches!(unreachable, Error::ProxyUnreachable { .. }),
        "{unreachable:?}"
    );
    assert_eq!(
        unreachable.to_string(),
        format!(
            "the proxy {nowhere} could not be reached; check its address (HTTPS_PROXY, --proxy)"
        )
    );
    emulator.shutdown().await;
}
