//! Helpers for the raw-HTTP Posten emulator tests (posten_emulator*.rs): reqwest clients with the
//! emulator's identity, jobs prepared with `posten_adapter::PreparedJob`, a hand-written
//! `multipart/mixed` body, and polling.

#![allow(dead_code, unused_imports)] // shared by several test files, each using a part
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

pub use std::time::Duration;

pub use asice::{BuildOptions, LoadOptions, SigningKey, SystemClock};
pub use posten_adapter::PreparedJob;
pub use reqwest::StatusCode;
pub use reqwest::header::CONTENT_TYPE;
pub use signature_core::{
    DirectFlow, Document, ExitUrls, Flow, LookupNotifications, OrganizationNumber, Signer,
    SigningJob, StatusRetrievalMethod,
};
pub use signature_emulator::posten::{
    ClientIdentity, Fault, FaultRule, OrgNumberIn, PostenEmulator, RunningEmulator,
};
pub use signature_model::{from_xml, posten};

pub const BROKER: &str = "123456785";
pub const OTHER_SENDER: &str = "987654325";
pub const BOUNDARY: &str = "emulator-test-boundary-42";
pub const POLL_HEADER: &str = "X-Next-permitted-poll-time";

#[path = "posten_jobs.rs"]
mod jobs;

// ---------------------------------------------------------------- helpers

pub fn api_client(
    emulator: &RunningEmulator,
    identity: Option<&ClientIdentity>,
) -> reqwest::Client {
    let mut builder = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(emulator.ca_pem.as_bytes()).unwrap()])
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30));
    if let Some(identity) = identity {
        builder = builder
            .identity(reqwest::Identity::from_pem(identity.identity_pem().as_bytes()).unwrap());
    }
    builder.build().unwrap()
}

pub fn web_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub fn signing_key(identity: &ClientIdentity) -> SigningKey {
    SigningKey::from_pem(
        identity.private_key_pem().as_bytes(),
        identity.chain_pem().as_bytes(),
        None,
        &LoadOptions::default(),
    )
    .unwrap()
}

pub fn portal_job(sender: &str) -> SigningJob {
    SigningJob::builder("Leieavtale")
        .reference("emulator-test")
        .sender(sender)
        .document(Document::pdf(
            "Avtale",
            "avtale.pdf",
            b"%PDF-1.7 test document for the emulator".to_vec(),
        ))
        .signer(
            Signer::with_personal_identification_number("01017010170")
                .notify_through_lookup(LookupNotifications::EmailOnly),
        )
        .build()
        .unwrap()
}

/// A direct-flow job from `sender`, with the sender's exit pages.
pub fn direct_job(sender: &str, retrieval: StatusRetrievalMethod) -> SigningJob {
    let exit = ExitUrls::new(
        "https://sender.example/done?case=7",
        "https://sender.example/rejected",
        "https://sender.example/error",
    );
    jobs::direct_job(Some(sender), exit, retrieval)
}

pub fn prepare(job: &SigningJob, identity: &ClientIdentity) -> PreparedJob {
    PreparedJob::new(
        job,
        None,
        &signing_key(identity),
        &SystemClock,
        &BuildOptions::default(),
    )
    .unwrap()
}

pub fn multipart(request_xml: &[u8], bundle: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(format!("--{BOUNDARY}\r\nContent-Type: application/xml\r\nContent-Disposition: attachment\r\n\r\n").as_bytes());
    body.extend_from_slice(request_xml);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment\r\n\r\n").as_bytes());
    body.extend_from_slice(bundle);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

pub async fn post_job(
    client: &reqwest::Client,
    emulator: &RunningEmulator,
    sender: &str,
    flow: &str,
    request_xml: &[u8],
    bundle: &[u8],
) -> reqwest::Response {
    client
        .post(format!(
            "{}/{sender}/{flow}/signature-jobs",
            emulator.base_url
        ))
        .header(
            CONTENT_TYPE,
            format!("multipart/mixed; boundary={BOUNDARY}"),
        )
        .header("Accept", "application/xml")
        .body(multipart(request_xml, bundle))
        .send()
        .await
        .unwrap()
}

/// [`post_job`] with a prepared job's manifest and bundle.
pub async fn post_prepared(
    client: &reqwest::Client,
    emulator: &RunningEmulator,
    sender: &str,
    flow: &str,
    prepared: &PreparedJob,
) -> reqwest::Response {
    let (request_xml, bundle) = (&prepared.request_xml, &prepared.bundle);
    post_job(client, emulator, sender, flow, request_xml, bundle).await
}

pub async fn error_of(response: reqwest::Response) -> (StatusCode, posten::Error) {
    let status = response.status();
    let body = response.bytes().await.unwrap();
    (status, from_xml(&body).unwrap())
}

/// The service's error document of a refusal, after checking its HTTP status and error code.
pub async fn assert_refused(
    response: reqwest::Response,
    status: StatusCode,
    code: &str,
) -> posten::Error {
    let (got, error) = error_of(response).await;
    assert_eq!(got, status, "{}", error.error_message);
    assert_eq!(error.error_code, code, "{}", error.error_message);
    error
}

/// Sends `request` and checks the answer's status (the message names the request): the answer.
pub async fn expect(request: reqwest::RequestBuilder, status: StatusCode) -> reqwest::Response {
    let (client, request) = request.build_split();
    let request = request.unwrap();
    let what = format!("{} {}", request.method(), request.url());
    let response = client.execute(request).await.unwrap();
    assert_eq!(response.status(), status, "{what}");
    response
}

/// `job` prepared and posted to the `flow` endpoint of [`BROKER`], created (200 OK): the
/// service's answer.
pub async fn create<T: signature_model::WireDocument>(
    client: &reqwest::Client,
    emulator: &RunningEmulator,
    identity: &ClientIdentity,
    job: &SigningJob,
    flow: &str,
) -> T {
    let prepared = prepare(job, identity);
    let response = post_prepared(client, emulator, BROKER, flow, &prepared).await;
    assert_eq!(response.status(), StatusCode::OK);
    from_xml(&response.bytes().await.unwrap()).unwrap()
}

pub async fn create_portal(
    client: &reqwest::Client,
    emulator: &RunningEmulator,
    identity: &ClientIdentity,
) -> posten::PortalSignatureJobResponse {
    create(client, emulator, identity, &portal_job(BROKER), "portal").await
}

/// The control API signs for the first signer of job `id`.
pub async fn sign_first(emulator: &RunningEmulator, id: i64) {
    emulator.control().sign(id, 1).await.unwrap();
}

pub async fn poll(
    client: &reqwest::Client,
    emulator: &RunningEmulator,
    flow: &str,
) -> reqwest::Response {
    client
        .get(format!(
            "{}/{BROKER}/{flow}/signature-jobs?polling_queue",
            emulator.base_url
        ))
        .send()
        .await
        .unwrap()
}

/// A poll of the `flow` queue finds no status change.
pub async fn assert_no_change(client: &reqwest::Client, emulator: &RunningEmulator, flow: &str) {
    let answer = poll(client, emulator, flow).await;
    assert_eq!(answer.status(), StatusCode::NO_CONTENT, "{flow} queue");
}

pub fn poll_time(response: &reqwest::Response) -> time::OffsetDateTime {
    let value = response
        .headers()
        .get(POLL_HEADER)
        .expect("X-Next-permitted-poll-time on every poll")
        .to_str()
        .unwrap();
    time::OffsetDateTime::parse(value, &time::format_description::well_known::Rfc3339).unwrap()
}

/// Polls until a non-204 answer, waiting for the permitted time after each 204.
pub async fn poll_until_change(
    client: &reqwest::Client,
    emulator: &RunningEmulator,
    flow: &str,
) -> reqwest::Response {
    for _ in 0..50 {
        let response = poll(client, emulator, flow).await;
        match response.status() {
            StatusCode::NO_CONTENT | StatusCode::TOO_MANY_REQUESTS => {
                let wait = poll_time(&response) - time::OffsetDateTime::now_utc();
                tokio::time::sleep(
                    Duration::try_from(wait).unwrap_or_default() + Duration::from_millis(20),
                )
                .await;
            }
            _ => return response,
        }
    }
    panic!("no status change arrived");
}

pub async fn start(
    builder: signature_emulator::posten::PostenEmulatorBuilder,
) -> (RunningEmulator, ClientIdentity, reqwest::Client) {
    let emulator = builder.start().await.unwrap();
    let identity = emulator.client(BROKER).unwrap();
    let client = api_client(&emulator, Some(&identity));
    (emulator, identity, client)
}

pub fn fast() -> signature_emulator::posten::PostenEmulatorBuilder {
    PostenEmulator::builder()
        .client(BROKER)
        // Raw HTTP without a client-side limiter: the routes are tested here, the service's
        // rate limit in posten_strict.rs.
        .without_rate_limit()
        .poll_interval(Duration::from_millis(300))
}
