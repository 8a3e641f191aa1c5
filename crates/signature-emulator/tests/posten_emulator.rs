//! The Posten signering emulator driven over HTTPS with plain reqwest: mutual TLS with an
//! identity the emulator issued, requests built with `posten_adapter::PreparedJob` and a
//! hand-written `multipart/mixed` body.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::time::Duration;

use asice::{BuildOptions, LoadOptions, SigningKey, SystemClock};
use posten_adapter::PreparedJob;
use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;
use signature_core::{
    DirectFlow, Document, ExitUrls, Flow, LookupNotifications, OrganizationNumber, Signer,
    SigningJob, StatusRetrievalMethod,
};
use signature_emulator::posten::{
    ClientIdentity, Fault, FaultRule, OrgNumberIn, PostenEmulator, RunningEmulator,
};
use signature_model::{from_xml, posten};

const BROKER: &str = "123456785";
const OTHER_SENDER: &str = "987654325";
const BOUNDARY: &str = "emulator-test-boundary-42";
const POLL_HEADER: &str = "X-Next-permitted-poll-time";

// ---------------------------------------------------------------- helpers

fn api_client(emulator: &RunningEmulator, identity: Option<&ClientIdentity>) -> reqwest::Client {
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

fn web_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn signing_key(identity: &ClientIdentity) -> SigningKey {
    SigningKey::from_pem(
        identity.private_key_pem().as_bytes(),
        identity.chain_pem().as_bytes(),
        None,
        &LoadOptions::default(),
    )
    .unwrap()
}

fn portal_job(sender: &str) -> SigningJob {
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

fn direct_job(sender: &str, retrieval: StatusRetrievalMethod) -> SigningJob {
    SigningJob::builder("Direkte avtale")
        .sender(sender)
        .flow(Flow::Direct(
            DirectFlow::new(ExitUrls::new(
                "https://sender.example/done?case=7",
                "https://sender.example/rejected",
                "https://sender.example/error",
            ))
            .status_retrieval(retrieval),
        ))
        .document(Document::pdf(
            "Avtale",
            "avtale.pdf",
            b"%PDF-1.7 direct".to_vec(),
        ))
        .signer(Signer::with_personal_identification_number("01017010170"))
        .build()
        .unwrap()
}

fn prepare(job: &SigningJob, identity: &ClientIdentity) -> PreparedJob {
    PreparedJob::new(
        job,
        None,
        &signing_key(identity),
        &SystemClock,
        &BuildOptions::default(),
    )
    .unwrap()
}

fn multipart(request_xml: &[u8], bundle: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(format!("--{BOUNDARY}\r\nContent-Type: application/xml\r\nContent-Disposition: attachment\r\n\r\n").as_bytes());
    body.extend_from_slice(request_xml);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment\r\n\r\n").as_bytes());
    body.extend_from_slice(bundle);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn post_job(
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

async fn error_of(response: reqwest::Response) -> (StatusCode, posten::Error) {
    let status = response.status();
    let body = response.bytes().await.unwrap();
    (status, from_xml(&body).unwrap())
}

async fn create_portal(
    client: &reqwest::Client,
    emulator: &RunningEmulator,
    identity: &ClientIdentity,
) -> posten::PortalSignatureJobResponse {
    let prepared = prepare(&portal_job(BROKER), identity);
    let response = post_job(
        client,
        emulator,
        BROKER,
        "portal",
        &prepared.request_xml,
        &prepared.bundle,
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    from_xml(&response.bytes().await.unwrap()).unwrap()
}

async fn poll(
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

fn poll_time(response: &reqwest::Response) -> time::OffsetDateTime {
    let value = response
        .headers()
        .get(POLL_HEADER)
        .expect("X-Next-permitted-poll-time on every poll")
        .to_str()
        .unwrap();
    time::OffsetDateTime::parse(value, &time::format_description::well_known::Rfc3339).unwrap()
}

/// Polls until a non-204 answer, waiting for the permitted time after each 204.
async fn poll_until_change(
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

async fn start(
    builder: signature_emulator::posten::PostenEmulatorBuilder,
) -> (RunningEmulator, ClientIdentity, reqwest::Client) {
    let emulator = builder.start().await.unwrap();
    let identity = emulator.client(BROKER).unwrap();
    let client = api_client(&emulator, Some(&identity));
    (emulator, identity, client)
}

fn fast() -> signature_emulator::posten::PostenEmulatorBuilder {
    PostenEmulator::builder()
        .client(BROKER)
        // Raw HTTP without a client-side limiter: the routes are tested here, the service's
        // rate limit in posten_strict.rs.
        .without_rate_limit()
        .poll_interval(Duration::from_millis(300))
}

// ---------------------------------------------------------------- tests

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portal_job_is_signed_polled_confirmed_downloaded_archived_and_deleted() {
    let (emulator, identity, client) = start(fast()).await;
    let created = create_portal(&client, &emulator, &identity).await;
    assert_eq!(created.reference.as_deref(), Some("emulator-test"));
    let job_id = created.signature_job_id;
    assert!(created.cancellation_url.starts_with(&emulator.base_url));

    // Nothing has happened yet.
    let empty = poll(&client, &emulator, "portal").await;
    assert_eq!(empty.status(), StatusCode::NO_CONTENT);
    assert!(poll_time(&empty) > time::OffsetDateTime::now_utc());

    let outcome = emulator.control().sign(job_id, 1).await.unwrap();
    assert_eq!(outcome.job_status, "COMPLETED_SUCCESSFULLY");

    let changed = poll_until_change(&client, &emulator, "portal").await;
    assert_eq!(changed.status(), StatusCode::OK);
    let _ = poll_time(&changed);
    let change: posten::PortalSignatureJobStatusChangeResponse =
        from_xml(&changed.bytes().await.unwrap()).unwrap();
    assert_eq!(change.signature_job_id, job_id);
    assert_eq!(change.status.as_str(), "COMPLETED_SUCCESSFULLY");
    assert_eq!(change.reference.as_deref(), Some("emulator-test"));
    let signature = &change.signatures.signature[0];
    assert_eq!(signature.status.content.as_str(), "SIGNED");
    let xades_url = signature.xades_url.clone().expect("xades-url");
    let pades_url = change.signatures.pades_url.clone().expect("pades-url");

    let xades = client.get(&xades_url).send().await.unwrap();
    assert_eq!(xades.status(), StatusCode::OK);
    let xades = String::from_utf8(xades.bytes().await.unwrap().to_vec()).unwrap();
    assert!(xades.contains("XAdESSignatures"), "{xades}");
    assert!(xades.contains("avtale.pdf"));

    let pades = client.get(&pades_url).send().await.unwrap();
    assert_eq!(pades.status(), StatusCode::OK);
    assert_eq!(pades.headers()[CONTENT_TYPE], "application/pdf");
    let pdf = pades.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-1.7"));
    assert!(pdf.ends_with(b"%%EOF\n"));
    assert!(
        pdf.windows(b"XAdESSignatures".len())
            .any(|w| w == b"XAdESSignatures"),
        "the PAdES embeds the XAdES"
    );

    let confirmed = client.post(&change.confirmation_url).send().await.unwrap();
    assert_eq!(confirmed.status(), StatusCode::NO_CONTENT);

    // A finished job cannot be cancelled.
    let cancel = client.post(&created.cancellation_url).send().await.unwrap();
    let (status, error) = error_of(cancel).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error.error_code, "CANNOT_CANCEL");

    // The archive has it under the id the control API shows; a bogus id is not found.
    let archive_id = emulator
        .control()
        .job(job_id)
        .await
        .unwrap()
        .archive_id
        .unwrap();
    let archived = client
        .get(format!(
            "{}/{BROKER}/archive/documents/{archive_id}/pades",
            emulator.base_url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(archived.status(), StatusCode::OK);
    assert!(archived.bytes().await.unwrap().starts_with(b"%PDF"));
    let missing = client
        .get(format!(
            "{}/{BROKER}/archive/documents/bogus/pades",
            emulator.base_url
        ))
        .send()
        .await
        .unwrap();
    let (status, error) = error_of(missing).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error.error_code, "ARCHIVED_DOCUMENT_NOT_FOUND");

    // Delete the documents (allowed 24 hours after completion): downloads are gone.
    emulator
        .control()
        .advance_clock(Duration::from_secs(24 * 3600))
        .await
        .unwrap();
    let delete_url = change
        .delete_documents_url
        .clone()
        .expect("delete-documents-url");
    let deleted = client.delete(&delete_url).send().await.unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let (status, error) = error_of(client.get(&pades_url).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error.error_code, "DOCUMENTS_DELETED");

    // Confirmed: the change does not come back.
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        poll(&client, &emulator, "portal").await.status(),
        StatusCode::NO_CONTENT
    );
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portal_cancel_in_progress_gives_failed_with_cancelled_signer() {
    let (emulator, identity, client) = start(fast()).await;
    let created = create_portal(&client, &emulator, &identity).await;
    let cancel = client.post(&created.cancellation_url).send().await.unwrap();
    assert_eq!(cancel.status(), StatusCode::NO_CONTENT);
    let change = poll_until_change(&client, &emulator, "portal").await;
    let change: posten::PortalSignatureJobStatusChangeResponse =
        from_xml(&change.bytes().await.unwrap()).unwrap();
    assert_eq!(change.status.as_str(), "FAILED");
    assert_eq!(
        change.signatures.signature[0].status.content.as_str(),
        "CANCELLED"
    );
    assert!(change.signatures.pades_url.is_none());
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eager_polling_gets_429_with_the_permitted_time() {
    let (emulator, _identity, client) = start(
        PostenEmulator::builder()
            .client(BROKER)
            .poll_interval(Duration::from_secs(30)),
    )
    .await;
    let first = poll(&client, &emulator, "portal").await;
    assert_eq!(first.status(), StatusCode::NO_CONTENT);
    let permitted = poll_time(&first);
    let second = poll(&client, &emulator, "portal").await;
    assert_eq!(second.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(poll_time(&second), permitted);
    assert!(permitted > time::OffsetDateTime::now_utc() + time::Duration::seconds(25));
    // The service's 429 has no body (the official .NET client's fixture).
    assert!(second.bytes().await.unwrap().is_empty());
    // Queues are separate: the direct queue may be polled.
    assert_eq!(
        poll(&client, &emulator, "direct").await.status(),
        StatusCode::NO_CONTENT
    );
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unconfirmed_change_is_requeued_after_the_delay() {
    let (emulator, identity, client) = start(
        fast()
            .poll_interval(Duration::from_millis(100))
            .requeue_after(Duration::from_millis(1500)),
    )
    .await;
    let created = create_portal(&client, &emulator, &identity).await;
    emulator
        .control()
        .sign(created.signature_job_id, 1)
        .await
        .unwrap();
    let first = poll_until_change(&client, &emulator, "portal").await;
    assert_eq!(first.status(), StatusCode::OK);
    // Not confirmed: invisible until the requeue delay has passed.
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(
        poll(&client, &emulator, "portal").await.status(),
        StatusCode::NO_CONTENT
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let again = poll(&client, &emulator, "portal").await;
    assert_eq!(again.status(), StatusCode::OK);
    let change: posten::PortalSignatureJobStatusChangeResponse =
        from_xml(&again.bytes().await.unwrap()).unwrap();
    assert_eq!(change.signature_job_id, created.signature_job_id);
    let confirm = client.post(&change.confirmation_url).send().await.unwrap();
    assert_eq!(confirm.status(), StatusCode::NO_CONTENT);
    tokio::time::sleep(Duration::from_millis(1700)).await;
    assert_eq!(
        poll(&client, &emulator, "portal").await.status(),
        StatusCode::NO_CONTENT
    );
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn direct_job_signing_page_flow_and_status_by_token() {
    let (emulator, identity, client) = start(fast()).await;
    let prepared = prepare(
        &direct_job(BROKER, StatusRetrievalMethod::WaitForCallback),
        &identity,
    );
    let response = post_job(
        &client,
        &emulator,
        BROKER,
        "direct",
        &prepared.request_xml,
        &prepared.bundle,
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let created: posten::DirectSignatureJobResponse =
        from_xml(&response.bytes().await.unwrap()).unwrap();
    let status_url = created
        .status_url
        .clone()
        .expect("status-url for WAIT_FOR_CALLBACK");
    let signer = &created.signer[0];

    // Before the ceremony: 404 SIGNING_CEREMONY_NOT_COMPLETED.
    let (status, error) = error_of(
        client
            .get(format!("{status_url}?status_query_token=nothing"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error.error_code, "SIGNING_CEREMONY_NOT_COMPLETED");

    // A new redirect URL replaces the old one.
    let update = client
        .post(&signer.href)
        .header(CONTENT_TYPE, "application/xml")
        .body(r#"<direct-signer-update-request xmlns="http://signering.posten.no/schema/v1"><redirect-url/></direct-signer-update-request>"#)
        .send()
        .await
        .unwrap();
    assert_eq!(update.status(), StatusCode::OK);
    let renewed: posten::DirectSignerResponse = from_xml(&update.bytes().await.unwrap()).unwrap();
    assert_ne!(renewed.redirect_url, signer.redirect_url);
    let web = web_client();
    assert_eq!(
        web.get(&signer.redirect_url).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );

    // The ceremony: page with #sign and #reject, POST sign, 303 to the exit URL with the token.
    let page = web.get(&renewed.redirect_url).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        html.contains(r#"id="sign""#) && html.contains(r#"id="reject""#),
        "{html}"
    );
    assert!(html.contains("Direkte avtale"));
    let action = html
        .split("action=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    assert!(action.ends_with("/sign"));
    let signed = web
        .post(format!("{}{action}", emulator.web_base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), StatusCode::SEE_OTHER);
    let location = signed.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with("https://sender.example/done?case=7&status_query_token="),
        "{location}"
    );
    let token = location.rsplit('=').next().unwrap();

    // Single use: a second visit shows an error page.
    let again = web.get(&renewed.redirect_url).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::GONE);
    assert!(again.text().await.unwrap().contains(r#"id="error""#));
    let resubmit = web
        .post(format!("{}{action}", emulator.web_base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(resubmit.status(), StatusCode::GONE);

    // Status by token.
    let status = client
        .get(format!("{status_url}?status_query_token={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(status.status(), StatusCode::OK);
    let status: posten::DirectSignatureJobStatusResponse =
        from_xml(&status.bytes().await.unwrap()).unwrap();
    assert_eq!(
        status.signature_job_status.as_str(),
        "COMPLETED_SUCCESSFULLY"
    );
    assert_eq!(status.status[0].content.as_str(), "SIGNED");
    assert_eq!(status.xades_url.len(), 1);
    assert!(status.pades_url.is_some());
    let (code, error) = error_of(
        client
            .get(format!("{status_url}?status_query_token=wrong"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(code, StatusCode::FORBIDDEN);
    assert_eq!(error.error_code, "INVALID_STATUS_QUERY_TOKEN");

    // WAIT_FOR_CALLBACK jobs do not go to the polling queue.
    assert_eq!(
        poll(&client, &emulator, "direct").await.status(),
        StatusCode::NO_CONTENT
    );
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn direct_polling_job_reports_rejection_through_the_queue() {
    let (emulator, identity, client) = start(fast()).await;
    let prepared = prepare(
        &direct_job(BROKER, StatusRetrievalMethod::Polling),
        &identity,
    );
    let response = post_job(
        &client,
        &emulator,
        BROKER,
        "direct",
        &prepared.request_xml,
        &prepared.bundle,
    )
    .await;
    let created: posten::DirectSignatureJobResponse =
        from_xml(&response.bytes().await.unwrap()).unwrap();
    assert!(
        created.status_url.is_none(),
        "polling jobs get no status-url"
    );
    let outcome = emulator
        .control()
        .reject(created.signature_job_id, 1)
        .await
        .unwrap();
    assert!(
        outcome
            .exit_url
            .unwrap()
            .starts_with("https://sender.example/rejected?status_query_token=")
    );
    let change = poll_until_change(&client, &emulator, "direct").await;
    let status: posten::DirectSignatureJobStatusResponse =
        from_xml(&change.bytes().await.unwrap()).unwrap();
    assert_eq!(status.signature_job_status.as_str(), "FAILED");
    assert_eq!(status.status[0].content.as_str(), "REJECTED");
    // Acting twice is refused.
    assert!(
        emulator
            .control()
            .sign(created.signature_job_id, 1)
            .await
            .is_err()
    );
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_client_certificate_the_handshake_is_refused() {
    let (emulator, _identity, _client) = start(fast()).await;
    let anonymous = api_client(&emulator, None);
    let result = anonymous
        .get(format!(
            "{}/{BROKER}/portal/signature-jobs",
            emulator.base_url
        ))
        .send()
        .await;
    assert!(result.is_err(), "{result:?}");
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broker_may_act_only_for_allowed_senders() {
    let (emulator, identity, client) = start(fast().allow_broker(BROKER, "984661185")).await;
    // Not allowed for OTHER_SENDER.
    let prepared = prepare(&portal_job(OTHER_SENDER), &identity);
    let response = post_job(
        &client,
        &emulator,
        OTHER_SENDER,
        "portal",
        &prepared.request_xml,
        &prepared.bundle,
    )
    .await;
    let (status, error) = error_of(response).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(error.error_code, "BROKER_NOT_AUTHORIZED");
    assert_eq!(error.error_type, "CLIENT");
    let polled = client
        .get(format!(
            "{}/{OTHER_SENDER}/portal/signature-jobs",
            emulator.base_url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(polled.status(), StatusCode::FORBIDDEN);

    // Allowed for 984661185 by configuration.
    let prepared = prepare(&portal_job("984661185"), &identity);
    let response = post_job(
        &client,
        &emulator,
        "984661185",
        "portal",
        &prepared.request_xml,
        &prepared.bundle,
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);

    // The manifest's sender must be the URL's sender.
    let prepared = prepare(&portal_job("984661185"), &identity);
    let response = post_job(
        &client,
        &emulator,
        BROKER,
        "portal",
        &prepared.request_xml,
        &prepared.bundle,
    )
    .await;
    let (status, error) = error_of(response).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(error.error_code, "BROKER_NOT_AUTHORIZED");

    // A serialNumber-only (SEID 1) certificate is read too.
    let seid1 = emulator
        .issue_client(OTHER_SENDER, OrgNumberIn::SerialNumber)
        .unwrap();
    let seid1_client = api_client(&emulator, Some(&seid1));
    let own = seid1_client
        .get(format!(
            "{}/{OTHER_SENDER}/portal/signature-jobs",
            emulator.base_url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), StatusCode::NO_CONTENT);
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_violations_are_refused_with_schema_validation_error() {
    let (emulator, identity, client) = start(fast()).await;
    let prepared = prepare(&portal_job(BROKER), &identity);
    let cases: Vec<Vec<u8>> = vec![
        // Unknown element.
        String::from_utf8(prepared.request_xml.clone())
            .unwrap()
            .replace("</reference>", "</reference><surprise>1</surprise>")
            .into_bytes(),
        // Reference longer than 50 characters.
        format!(
            r#"<portal-signature-job-request xmlns="http://signering.posten.no/schema/v1"><reference>{}</reference></portal-signature-job-request>"#,
            "x".repeat(51)
        )
        .into_bytes(),
        // Wrong root element.
        br#"<direct-signature-job-request xmlns="http://signering.posten.no/schema/v1"/>"#.to_vec(),
        // Not XML.
        b"not xml at all <".to_vec(),
    ];
    for request in cases {
        let response = post_job(
            &client,
            &emulator,
            BROKER,
            "portal",
            &request,
            &prepared.bundle,
        )
        .await;
        let (status, error) = error_of(response).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(
            error.error_code, "SCHEMA_VALIDATION_ERROR",
            "{}",
            error.error_message
        );
    }
    // A portal manifest sent to the direct endpoint fails the schema too (after the bundle check).
    let direct = prepare(
        &direct_job(BROKER, StatusRetrievalMethod::Polling),
        &identity,
    );
    let response = post_job(
        &client,
        &emulator,
        BROKER,
        "direct",
        &direct.request_xml,
        &prepared.bundle,
    )
    .await;
    let (status, error) = error_of(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error.error_code, "SCHEMA_VALIDATION_ERROR");
    // Not multipart at all.
    let response = client
        .post(format!(
            "{}/{BROKER}/portal/signature-jobs",
            emulator.base_url
        ))
        .header(CONTENT_TYPE, "application/xml")
        .body(prepared.request_xml.clone())
        .send()
        .await
        .unwrap();
    let (status, _) = error_of(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampered_or_untrusted_bundles_are_refused_with_asice_validation_failed() {
    let (emulator, identity, client) = start(fast()).await;
    let prepared = prepare(&portal_job(BROKER), &identity);

    // One byte of the stored document changed.
    let mut tampered = prepared.bundle.clone();
    let needle = b"test document";
    let at = tampered
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("stored PDF");
    tampered[at] = b'b';
    let response = post_job(
        &client,
        &emulator,
        BROKER,
        "portal",
        &prepared.request_xml,
        &tampered,
    )
    .await;
    let (status, error) = error_of(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error.error_code, "ASICE_VALIDATION_FAILED");

    // Signed with a certificate from another CA.
    let foreign = signering_testkit_like_pki();
    let foreign_prepared = PreparedJob::new(
        &portal_job(BROKER),
        None,
        &foreign,
        &SystemClock,
        &BuildOptions::default(),
    )
    .unwrap();
    let response = post_job(
        &client,
        &emulator,
        BROKER,
        "portal",
        &foreign_prepared.request_xml,
        &foreign_prepared.bundle,
    )
    .await;
    let (status, error) = error_of(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error.error_code, "ASICE_VALIDATION_FAILED");

    // Not a zip.
    let response = post_job(
        &client,
        &emulator,
        BROKER,
        "portal",
        &prepared.request_xml,
        b"PK not really",
    )
    .await;
    let (_, error) = error_of(response).await;
    assert_eq!(error.error_code, "ASICE_VALIDATION_FAILED");
    emulator.shutdown().await;
}

/// A signing key whose chain ends in a CA the emulator does not trust: a second emulator's.
fn signering_testkit_like_pki() -> SigningKey {
    let runtime = tokio::runtime::Handle::current();
    let other = tokio::task::block_in_place(|| runtime.block_on(PostenEmulator::builder().start()))
        .unwrap();
    let identity = other.client(BROKER).unwrap();
    let key = signing_key(&identity);
    tokio::task::block_in_place(|| runtime.block_on(other.shutdown()));
    key
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_with_a_file_database_keeps_jobs_and_ca() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("posten.sqlite");
    let (emulator, identity, client) = start(fast().database(&db)).await;
    let created = create_portal(&client, &emulator, &identity).await;
    emulator
        .control()
        .sign(created.signature_job_id, 1)
        .await
        .unwrap();
    let ca = emulator.ca_pem.clone();
    emulator.shutdown().await;

    let restarted = fast().database(&db).start().await.unwrap();
    assert_eq!(restarted.ca_pem, ca, "the CA survives the restart");
    let snapshot = restarted
        .control()
        .job(created.signature_job_id)
        .await
        .unwrap();
    assert_eq!(snapshot.status, "COMPLETED_SUCCESSFULLY");
    assert_eq!(snapshot.signers[0].status, "SIGNED");
    // The identity issued before the restart still works, and the queued change is there.
    let client = api_client(&restarted, Some(&identity));
    let change = poll_until_change(&client, &restarted, "portal").await;
    assert_eq!(change.status(), StatusCode::OK);
    let change: posten::PortalSignatureJobStatusChangeResponse =
        from_xml(&change.bytes().await.unwrap()).unwrap();
    assert_eq!(change.signature_job_id, created.signature_job_id);
    // New jobs get new ids.
    let second = create_portal(&client, &restarted, &identity).await;
    assert!(second.signature_job_id > created.signature_job_id);
    restarted.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn injected_faults_drop_fail_delay_and_throttle() {
    let (emulator, _identity, client) = start(fast()).await;
    let url = format!("{}/{BROKER}/portal/signature-jobs", emulator.base_url);
    let control = emulator.control();

    control.inject(
        FaultRule::new(Fault::DropConnection)
            .path_contains("/portal/")
            .times(1),
    );
    assert!(client.get(&url).send().await.is_err(), "connection dropped");
    assert_eq!(
        client.get(&url).send().await.unwrap().status(),
        StatusCode::NO_CONTENT
    );

    control.inject(
        FaultRule::new(Fault::Status { status: 500 })
            .method("GET")
            .times(1),
    );
    let (status, error) = error_of(client.get(&url).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(error.error_type, "SERVER");

    control.inject(
        FaultRule::new(Fault::TooManyRequests {
            next_poll_in_millis: 5_000,
        })
        .times(2),
    );
    for _ in 0..2 {
        let throttled = client.get(&url).send().await.unwrap();
        assert_eq!(throttled.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(poll_time(&throttled) > time::OffsetDateTime::now_utc());
    }

    control.inject(FaultRule::new(Fault::Delay { millis: 400 }).times(1));
    let started = std::time::Instant::now();
    let delayed = client
        .get(format!("{}/{BROKER}", emulator.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(delayed.status(), StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(400));

    // Over HTTP, without a client certificate.
    let web = web_client();
    let added = web
        .post(format!("{}/control/faults", emulator.web_base_url))
        .header(CONTENT_TYPE, "application/json")
        .body(r#"{"fault":{"kind":"status","status":503}}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        client.get(&url).send().await.unwrap().status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    let cleared = web
        .delete(format!("{}/control/faults", emulator.web_base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(cleared.status(), StatusCode::NO_CONTENT);
    assert_ne!(
        client.get(&url).send().await.unwrap().status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_api_over_http_signs_and_reports() {
    let (emulator, identity, client) = start(fast()).await;
    let created = create_portal(&client, &emulator, &identity).await;
    let web = web_client();
    let base = &emulator.web_base_url;
    let id = created.signature_job_id;
    let snapshot: serde_json::Value = serde_json::from_slice(
        &web.get(format!("{base}/control/jobs/{id}"))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(snapshot["status"], "IN_PROGRESS");
    assert_eq!(snapshot["signers"][0]["identified_by"], "pin");
    assert!(
        !snapshot.to_string().contains("01017010170"),
        "no PIN in the control API"
    );
    let expired = web
        .post(format!("{base}/control/jobs/{id}/signers/1/expire"))
        .send()
        .await
        .unwrap();
    assert_eq!(expired.status(), StatusCode::OK);
    let outcome: serde_json::Value =
        serde_json::from_slice(&expired.bytes().await.unwrap()).unwrap();
    assert_eq!(outcome["job_status"], "FAILED");
    let again = web
        .post(format!("{base}/control/jobs/{id}/signers/1/sign"))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let missing = web
        .get(format!("{base}/control/jobs/999999"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_pades_is_streamed_with_its_length() {
    const PADDING: u64 = 8 * 1024 * 1024;
    let (emulator, identity, client) = start(fast().pades_padding(PADDING)).await;
    let created = create_portal(&client, &emulator, &identity).await;
    emulator
        .control()
        .sign(created.signature_job_id, 1)
        .await
        .unwrap();
    let url = format!(
        "{}/{BROKER}/portal/signature-jobs/{}/pades",
        emulator.base_url, created.signature_job_id
    );
    let mut response = client.get(&url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let length = response.content_length().unwrap();
    assert!(length > PADDING);
    let mut received = 0u64;
    let mut tail = Vec::new();
    while let Some(chunk) = response.chunk().await.unwrap() {
        received += chunk.len() as u64;
        tail = chunk.to_vec();
    }
    assert_eq!(received, length);
    assert!(tail.ends_with(b"%%EOF\n"));
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_files_hold_the_ca_and_a_loadable_pkcs12() {
    let emulator = PostenEmulator::builder().start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (ca, p12) = emulator
        .write_demo_files(dir.path(), OTHER_SENDER, "hemmelig")
        .unwrap();
    assert_eq!(std::fs::read_to_string(ca).unwrap(), emulator.ca_pem);
    let key = SigningKey::from_pkcs12(
        &std::fs::read(&p12).unwrap(),
        "hemmelig",
        &LoadOptions::default(),
    )
    .unwrap();
    assert!(key.subject().contains(OTHER_SENDER), "{}", key.subject());
    assert_eq!(key.certificate_chain().count(), 2);
    assert!(
        SigningKey::from_pkcs12(
            &std::fs::read(&p12).unwrap(),
            "wrong",
            &LoadOptions::default()
        )
        .is_err()
    );
    // The server certificate carries Posten's organization number in both attributes.
    let identity = emulator.client(BROKER).unwrap();
    let client = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(emulator.ca_pem.as_bytes()).unwrap()])
        .identity(reqwest::Identity::from_pem(identity.identity_pem().as_bytes()).unwrap())
        .tls_info(true)
        .build()
        .unwrap();
    let root = client
        .get(format!("{}/{BROKER}", emulator.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(root.status(), StatusCode::OK);
    let server_der = root
        .extensions()
        .get::<reqwest::tls::TlsInfo>()
        .and_then(|info| info.peer_certificate())
        .unwrap()
        .to_vec();
    let contains = |needle: &[u8]| server_der.windows(needle.len()).any(|w| w == needle);
    assert!(contains(b"NTRNO-984661185"));
    assert!(contains(&[0x06, 0x03, 0x55, 0x04, 0x05])); // serialNumber attribute
    // The default identity exists and the server's org number is Posten's.
    assert_eq!(emulator.clients()[0].organization_number(), BROKER);
    let _ =
        OrganizationNumber::parse(signature_emulator::posten::SERVER_ORGANIZATION_NUMBER).unwrap();
    emulator.shutdown().await;
}
