//! The Posten emulator refuses what the real service refuses, with the same codes and shapes
//! (docs/posten-emulator.md lists the facts and their sources): authorization, and the
//! service's rules for jobs and signers.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::time::Duration;

use asice::{LoadOptions, SigningKey};
use posten_adapter::{Client, Environment, Error, ErrorCode, ErrorType};
use signature_core::{
    Document, FlowKind, LookupNotifications, OrganizationNumber, Signer, SigningJob, StatusQueue,
};
use signature_emulator::posten::{PostenEmulator, PostenEmulatorBuilder, RunningEmulator};

const SENDER: &str = "123456785";
const PASSWORD: &str = "emulator-test-password";

fn fast() -> PostenEmulatorBuilder {
    PostenEmulator::builder()
        .client(SENDER)
        .poll_interval(Duration::from_millis(200))
}

fn client_as(emulator: &RunningEmulator, organization: &str) -> Client {
    let p12 = emulator
        .client(organization)
        .unwrap()
        .to_pkcs12(PASSWORD)
        .unwrap();
    let key = SigningKey::from_pkcs12(&p12, PASSWORD, &LoadOptions::default()).unwrap();
    Client::builder(Environment::custom(&emulator.base_url).unwrap(), key)
        .trust_roots_pem(emulator.ca_pem.as_bytes())
        .default_sender(OrganizationNumber::parse(organization).unwrap())
        .build()
        .unwrap()
}

fn portal_job(reference: &str) -> SigningJob {
    SigningJob::builder("Leieavtale")
        .reference(reference)
        .document(Document::pdf(
            "Avtale",
            "avtale.pdf",
            b"%PDF-1.7 strict".to_vec(),
        ))
        .signer(
            Signer::with_personal_identification_number("01017010170")
                .notify_through_lookup(LookupNotifications::EmailOnly),
        )
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organization_without_api_access_is_not_authorized() {
    let emulator = fast().without_api_access(SENDER).start().await.unwrap();
    let client = client_as(&emulator, SENDER);
    for result in [
        client.create_job(&portal_job("denied")).await.map(|_| ()),
        client
            .poll(&StatusQueue::new(FlowKind::Portal))
            .await
            .map(|_| ()),
    ] {
        let error = result.unwrap_err();
        assert!(
            matches!(
                &error,
                Error::Service {
                    http_status: 403,
                    code: ErrorCode::NotAuthorized,
                    error_type: ErrorType::Client,
                    message,
                } if message.contains("is not authorized to access this system")
            ),
            "{error:?}"
        );
        assert!(!error.is_transient());
    }
    emulator.shutdown().await;
}
