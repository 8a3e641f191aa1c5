//! The Posten direct and portal flows with the enterprise key on a PKCS#11 token (SoftHSM2,
//! imported sensitive and not extractable): the bundle is signed on the token and mutual TLS
//! authenticates with it; the emulator trusts the user's own CA (`trust_client_ca_pem`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use asice::{LoadOptions, Pin, Pkcs11Options, SigningKey};
use posten_adapter::{Client, Environment, Error};
use signature_core::{
    DirectFlow, Document, ExitUrls, Flow, FlowKind, JobStatus, LookupNotifications,
    OrganizationNumber, PollResult, Signer, SigningJob, StatusQueue, StatusRetrievalMethod,
};
use signature_emulator::posten::PostenEmulator;
use signering_testkit::softhsm::{KEY_LABEL, PIN, SoftHsm, TOKEN, with_token};

/// The organization number in the test PKI's leaf certificate.
const SENDER: &str = "123456785";

fn document() -> Document {
    Document::pdf(
        "Avtale",
        "avtale.pdf",
        b"%PDF-1.7 signed on a token".to_vec(),
    )
}

async fn flows(hsm: &SoftHsm) {
    let emulator = PostenEmulator::builder()
        .poll_interval(Duration::from_millis(200))
        .trust_client_ca_pem(hsm.root_pem.as_bytes())
        .unwrap()
        .start()
        .await
        .unwrap();
    let token = Pkcs11Options::new(&hsm.module, TOKEN, Pin::new(PIN)).key_label(KEY_LABEL);
    let key = SigningKey::from_pkcs11(&token, None, &LoadOptions::default()).unwrap();
    let client = Client::builder(Environment::custom(&emulator.base_url).unwrap(), key)
        .trust_roots_pem(emulator.ca_pem.as_bytes())
        .default_sender(OrganizationNumber::parse(SENDER).unwrap())
        .build()
        .unwrap();

    // Direct flow: the bundle's signature is checked by the emulator, TLS used the token.
    let direct = SigningJob::builder("Direkte avtale")
        .flow(Flow::Direct(
            DirectFlow::new(ExitUrls::new(
                "https://example.com/ok",
                "https://example.com/avvist",
                "https://example.com/feil",
            ))
            .status_retrieval(StatusRetrievalMethod::Polling),
        ))
        .document(document())
        .signer(Signer::with_personal_identification_number("01017010170"))
        .build()
        .unwrap();
    let created = client.create_job(&direct).await.unwrap();
    assert!(!created.id.as_str().is_empty());

    // Portal flow: create, sign in the emulator, poll the change.
    let portal = SigningJob::builder("Portalavtale")
        .document(document())
        .signer(
            Signer::with_personal_identification_number("01017010170")
                .notify_through_lookup(LookupNotifications::EmailOnly),
        )
        .build()
        .unwrap();
    let created = client.create_job(&portal).await.unwrap();
    let id: i64 = created.id.as_str().parse().unwrap();
    emulator.control().sign(id, 1).await.unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let change = loop {
        assert!(std::time::Instant::now() < deadline, "no status change");
        match client.poll(&StatusQueue::new(FlowKind::Portal)).await {
            Ok(PollResult::Change(change)) => break change,
            Ok(PollResult::NoChanges { .. }) | Err(Error::TooEagerPolling { .. }) => {
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            Err(other) => panic!("poll failed: {other}"),
            Ok(other) => panic!("unexpected poll result {other:?}"),
        }
    };
    assert_eq!(change.job_id, created.id);
    assert_eq!(change.status, JobStatus::CompletedSuccessfully);
    emulator.shutdown().await;
}

#[test]
fn direct_and_portal_flows_with_a_token_key_over_mutual_tls() {
    with_token(
        "direct_and_portal_flows_with_a_token_key_over_mutual_tls",
        |hsm| {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(flows(hsm));
        },
    );
}
