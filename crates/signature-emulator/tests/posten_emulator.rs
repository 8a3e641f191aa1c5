//! The Posten signering emulator driven over HTTPS with plain reqwest: mutual TLS with an
//! identity the emulator issued, requests built with `posten_adapter::PreparedJob` and a
//! hand-written `multipart/mixed` body. This file: the portal and direct job flows, polling
//! etiquette and requeueing; refusals and operations are in posten_emulator_refusals.rs.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

#[path = "common/posten_emulator.rs"]
mod helpers;
use helpers::*;

/// A fast emulator with its HTTP client, and a direct job of the broker's created there
/// whose status is retrieved by `method`.
async fn start_with_direct_job(
    method: StatusRetrievalMethod,
) -> (
    RunningEmulator,
    reqwest::Client,
    posten::DirectSignatureJobResponse,
) {
    let (emulator, identity, client) = start(fast()).await;
    let job = direct_job(BROKER, method);
    let created = create(&client, &emulator, &identity, &job, "direct").await;
    (emulator, client, created)
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

    let xades = expect(client.get(&xades_url), StatusCode::OK).await;
    let xades = String::from_utf8(xades.bytes().await.unwrap().to_vec()).unwrap();
    assert!(xades.contains("XAdESSignatures"), "{xades}");
    assert!(xades.contains("avtale.pdf"));

    let pades = expect(client.get(&pades_url), StatusCode::OK).await;
    assert_eq!(pades.headers()[CONTENT_TYPE], "application/pdf");
    let pdf = pades.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-1.7"));
    assert!(pdf.ends_with(b"%%EOF\n"));
    assert!(
        pdf.windows(b"XAdESSignatures".len())
            .any(|w| w == b"XAdESSignatures"),
        "the PAdES embeds the XAdES"
    );

    expect(
        client.post(&change.confirmation_url),
        StatusCode::NO_CONTENT,
    )
    .await;

    // A finished job cannot be cancelled.
    let cancel = client.post(&created.cancellation_url).send().await.unwrap();
    assert_refused(cancel, StatusCode::CONFLICT, "CANNOT_CANCEL").await;

    // The archive has it under the id the control API shows; a bogus id is not found.
    let archive_id = emulator
        .control()
        .job(job_id)
        .await
        .unwrap()
        .archive_id
        .unwrap();
    let archived = expect(
        client.get(format!(
            "{}/{BROKER}/archive/documents/{archive_id}/pades",
            emulator.base_url
        )),
        StatusCode::OK,
    )
    .await;
    assert!(archived.bytes().await.unwrap().starts_with(b"%PDF"));
    let missing = client
        .get(format!(
            "{}/{BROKER}/archive/documents/bogus/pades",
            emulator.base_url
        ))
        .send()
        .await
        .unwrap();
    assert_refused(
        missing,
        StatusCode::NOT_FOUND,
        "ARCHIVED_DOCUMENT_NOT_FOUND",
    )
    .await;

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
    expect(client.delete(&delete_url), StatusCode::NO_CONTENT).await;
    let gone = client.get(&pades_url).send().await.unwrap();
    assert_refused(gone, StatusCode::NOT_FOUND, "DOCUMENTS_DELETED").await;

    // Confirmed: the change does not come back.
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_no_change(&client, &emulator, "portal").await;
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portal_cancel_in_progress_gives_failed_with_cancelled_signer() {
    let (emulator, identity, client) = start(fast()).await;
    let created = create_portal(&client, &emulator, &identity).await;
    expect(
        client.post(&created.cancellation_url),
        StatusCode::NO_CONTENT,
    )
    .await;
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
    assert_no_change(&client, &emulator, "direct").await;
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
    sign_first(&emulator, created.signature_job_id).await;
    let first = poll_until_change(&client, &emulator, "portal").await;
    assert_eq!(first.status(), StatusCode::OK);
    // Not confirmed: invisible until the requeue delay has passed.
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_no_change(&client, &emulator, "portal").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let again = poll(&client, &emulator, "portal").await;
    assert_eq!(again.status(), StatusCode::OK);
    let change: posten::PortalSignatureJobStatusChangeResponse =
        from_xml(&again.bytes().await.unwrap()).unwrap();
    assert_eq!(change.signature_job_id, created.signature_job_id);
    expect(
        client.post(&change.confirmation_url),
        StatusCode::NO_CONTENT,
    )
    .await;
    tokio::time::sleep(Duration::from_millis(1700)).await;
    assert_no_change(&client, &emulator, "portal").await;
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn direct_job_signing_page_flow_and_status_by_token() {
    let (emulator, client, created) =
        start_with_direct_job(StatusRetrievalMethod::WaitForCallback).await;
    let status_url = created
        .status_url
        .clone()
        .expect("status-url for WAIT_FOR_CALLBACK");
    let signer = &created.signer[0];

    // Before the ceremony: 404 SIGNING_CEREMONY_NOT_COMPLETED.
    let answer = client
        .get(format!("{status_url}?status_query_token=nothing"))
        .send()
        .await
        .unwrap();
    assert_refused(
        answer,
        StatusCode::NOT_FOUND,
        "SIGNING_CEREMONY_NOT_COMPLETED",
    )
    .await;

    // A new redirect URL replaces the old one.
    let update = client
        .post(&signer.href)
        .header(CONTENT_TYPE, "application/xml")
        .body(r#"<direct-signer-update-request xmlns="http://signering.posten.no/schema/v1"><redirect-url/></direct-signer-update-request>"#);
    let update = expect(update, StatusCode::OK).await;
    let renewed: posten::DirectSignerResponse = from_xml(&update.bytes().await.unwrap()).unwrap();
    assert_ne!(renewed.redirect_url, signer.redirect_url);
    let web = web_client();
    assert_eq!(
        web.get(&signer.redirect_url).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );

    // The ceremony: page with #sign and #reject, POST sign, 303 to the exit URL with the token.
    let page = expect(web.get(&renewed.redirect_url), StatusCode::OK).await;
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
    let signed = expect(
        web.post(format!("{}{action}", emulator.web_base_url)),
        StatusCode::SEE_OTHER,
    )
    .await;
    let location = signed.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with("https://sender.example/done?case=7&status_query_token="),
        "{location}"
    );
    let token = location.rsplit('=').next().unwrap();

    // Single use: a second visit shows an error page.
    let again = expect(web.get(&renewed.redirect_url), StatusCode::GONE).await;
    assert!(again.text().await.unwrap().contains(r#"id="error""#));
    expect(
        web.post(format!("{}{action}", emulator.web_base_url)),
        StatusCode::GONE,
    )
    .await;

    // Status by token.
    let status = expect(
        client.get(format!("{status_url}?status_query_token={token}")),
        StatusCode::OK,
    )
    .await;
    let status: posten::DirectSignatureJobStatusResponse =
        from_xml(&status.bytes().await.unwrap()).unwrap();
    assert_eq!(
        status.signature_job_status.as_str(),
        "COMPLETED_SUCCESSFULLY"
    );
    assert_eq!(status.status[0].content.as_str(), "SIGNED");
    assert_eq!(status.xades_url.len(), 1);
    assert!(status.pades_url.is_some());
    let answer = client
        .get(format!("{status_url}?status_query_token=wrong"))
        .send()
        .await
        .unwrap();
    assert_refused(answer, StatusCode::FORBIDDEN, "INVALID_STATUS_QUERY_TOKEN").await;

    // WAIT_FOR_CALLBACK jobs do not go to the polling queue.
    assert_no_change(&client, &emulator, "direct").await;
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn direct_polling_job_reports_rejection_through_the_queue() {
    let (emulator, client, created) = start_with_direct_job(StatusRetrievalMethod::Polling).await;
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
