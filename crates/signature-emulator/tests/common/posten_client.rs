//! Helpers for the `posten_adapter::Client` tests against the Posten emulator (posten_client*.rs):
//! clients, jobs, polling until a change, a counting sink and the signing page over plain HTTP.

#![allow(dead_code, unused_imports)] // shared by several test files, each using a part
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

pub use std::collections::HashMap;
pub use std::pin::Pin;
pub use std::sync::{Arc, Mutex};
pub use std::task::{Context, Poll};
pub use std::time::{Duration, Instant};

pub use asice::{BuildOptions, LoadOptions, SigningKey, SystemClock};
pub use posten_adapter::{Client, Environment, Error, ErrorCode, Poller, PreparedJob};
pub use reqwest::StatusCode;
pub use signature_core::{
    DirectFlow, Document, ExitUrls, Flow, FlowKind, JobRef, JobStatus, LookupNotifications,
    OrganizationNumber, PollResult, Signer, SigningJob, StatusChange, StatusQueryToken,
    StatusQueue, StatusRetrievalMethod,
};
pub use signature_emulator::posten::{ClientIdentity, PostenEmulator, RunningEmulator};
pub use tokio::io::AsyncWrite;

pub const BROKER: &str = "123456785";
pub const OTHER_SENDER: &str = "987654325";
pub const PASSWORD: &str = "emulator-test-password";
/// Upper bound for every wait in these tests.
pub const DEADLINE: Duration = Duration::from_secs(60);

#[path = "posten_jobs.rs"]
mod jobs;

// ---------------------------------------------------------------- helpers

pub fn key_of(identity: &ClientIdentity) -> SigningKey {
    let p12 = identity.to_pkcs12(PASSWORD).unwrap();
    SigningKey::from_pkcs12(&p12, PASSWORD, &LoadOptions::default()).unwrap()
}

pub fn builder_for(emulator: &RunningEmulator, key: SigningKey) -> posten_adapter::ClientBuilder {
    Client::builder(Environment::custom(&emulator.base_url).unwrap(), key)
        .trust_roots_pem(emulator.ca_pem.as_bytes())
        .default_sender(OrganizationNumber::parse(BROKER).unwrap())
}

pub fn client_for(emulator: &RunningEmulator) -> Client {
    let identity = emulator.client(BROKER).unwrap();
    builder_for(emulator, key_of(&identity)).build().unwrap()
}

pub fn portal_job(reference: &str) -> SigningJob {
    SigningJob::builder("Leieavtale")
        .reference(reference)
        .document(Document::pdf(
            "Avtale",
            "avtale.pdf",
            b"%PDF-1.7 test document for the client".to_vec(),
        ))
        .signer(
            Signer::with_personal_identification_number("01017010170")
                .notify_through_lookup(LookupNotifications::EmailOnly),
        )
        .build()
        .unwrap()
}

/// A direct-flow job from the default sender, which waits for the callback.
pub fn direct_job(exit: ExitUrls) -> SigningJob {
    jobs::direct_job(None, exit, StatusRetrievalMethod::WaitForCallback)
}

pub fn job_number(job: &JobRef) -> i64 {
    job.id.as_str().parse().unwrap()
}

pub fn fast() -> signature_emulator::posten::PostenEmulatorBuilder {
    PostenEmulator::builder()
        .client(BROKER)
        .poll_interval(Duration::from_millis(200))
}

pub fn portal() -> StatusQueue {
    StatusQueue::new(FlowKind::Portal)
}

pub fn until(at: time::OffsetDateTime) -> Duration {
    Duration::try_from(at - time::OffsetDateTime::now_utc()).unwrap_or_default()
}

/// Polls (honouring the permitted poll times) until a change arrives or the deadline passes.
pub async fn poll_until_change(client: &Client, deadline: Instant) -> StatusChange {
    loop {
        assert!(
            Instant::now() < deadline,
            "no status change before the deadline"
        );
        let wait = match client.poll(&portal()).await {
            Ok(PollResult::Change(change)) => return *change,
            Ok(PollResult::NoChanges {
                next_permitted_poll_time,
            }) => next_permitted_poll_time.map_or(Duration::from_millis(50), until),
            Err(Error::TooEagerPolling { retry_at }) => {
                retry_at.map_or(Duration::from_millis(50), until)
            }
            Err(other) => panic!("poll failed: {other}"),
            Ok(other) => panic!("unexpected poll result {other:?}"),
        };
        tokio::time::sleep(wait + Duration::from_millis(10)).await;
    }
}

/// Polls until "no changes" (waiting out 429s), failing if a change arrives.
pub async fn assert_queue_empty(client: &Client) {
    let deadline = Instant::now() + DEADLINE;
    loop {
        assert!(Instant::now() < deadline, "queue never answered");
        match client.poll(&portal()).await {
            Ok(PollResult::NoChanges { .. }) => return,
            Err(Error::TooEagerPolling { retry_at }) => {
                tokio::time::sleep(
                    retry_at.map_or(Duration::from_millis(50), until) + Duration::from_millis(10),
                )
                .await;
            }
            other => panic!("expected no changes, got {other:?}"),
        }
    }
}

/// An `AsyncWrite` that counts bytes and the largest single write, storing nothing.
#[derive(Debug, Default)]
pub struct CountingSink {
    pub total: u64,
    pub largest_write: usize,
    pub writes: u64,
}

impl AsyncWrite for CountingSink {
    fn poll_write(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        self.total += buf.len() as u64;
        self.largest_write = self.largest_write.max(buf.len());
        self.writes += 1;
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// Creates `n` portal jobs and signs each through the control handle.
pub async fn signed_portal_jobs(emulator: &RunningEmulator, client: &Client, n: usize) -> Vec<i64> {
    let mut ids = Vec::new();
    for i in 0..n {
        let created = client
            .create_job(&portal_job(&format!("job-{i}")))
            .await
            .unwrap();
        let id = job_number(&created);
        emulator.control().sign(id, 1).await.unwrap();
        ids.push(id);
    }
    ids
}

/// Follows a signing page with plain HTTP: GET the page, POST the `#sign` form, and return
/// the 303's `Location`.
pub async fn sign_on_page(emulator: &RunningEmulator, redirect_url: &str) -> String {
    let web = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let page = web.get(redirect_url).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    let form = html
        .split("<form")
        .find(|f| f.contains(r#"id="sign""#))
        .expect("a form holding #sign");
    let action = form
        .split("action=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap();
    let signed = web
        .post(format!("{}{action}", emulator.web_base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), StatusCode::SEE_OTHER);
    signed.headers()["location"].to_str().unwrap().to_owned()
}

pub fn token_of(location: &str) -> StatusQueryToken {
    let url = url_query(location, "status_query_token").expect("status_query_token");
    StatusQueryToken::new(url)
}

pub fn url_query(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// Fails the test unless `result` is the service's refusal with `code` (and `http_status`,
/// when given).
pub fn assert_service_error<T: std::fmt::Debug>(
    result: &Result<T, Error>,
    http_status: Option<u16>,
    code: ErrorCode,
) {
    let refused = matches!(
        result,
        Err(Error::Service { http_status: got, code: found, .. })
            if *found == code && http_status.is_none_or(|want| want == *got)
    );
    assert!(refused, "expected {code:?}, got {result:?}");
}
