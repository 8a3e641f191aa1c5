//! The Posten emulator over raw HTTPS (see posten_emulator.rs): refused handshakes, brokers,
//! schema violations and bad bundles, plus restart with a file database, injected faults, the
//! control API, a large streamed PAdES and the demo files.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

#[path = "common/posten_emulator.rs"]
mod helpers;
use helpers::*;

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
    let response = post_prepared(&client, &emulator, OTHER_SENDER, "portal", &prepared).await;
    let error = assert_refused(response, StatusCode::FORBIDDEN, "BROKER_NOT_AUTHORIZED").await;
    assert_eq!(error.error_type, "CLIENT");
    expect(
        client.get(format!(
            "{}/{OTHER_SENDER}/portal/signature-jobs",
            emulator.base_url
        )),
        StatusCode::FORBIDDEN,
    )
    .await;

    // Allowed for 984661185 by configuration.
    let prepared = prepare(&portal_job("984661185"), &identity);
    let response = post_prepared(&client, &emulator, "984661185", "portal", &prepared).await;
    assert_eq!(response.status(), StatusCode::OK);

    // The manifest's sender must be the URL's sender.
    let prepared = prepare(&portal_job("984661185"), &identity);
    let response = post_prepared(&client, &emulator, BROKER, "portal", &prepared).await;
    assert_refused(response, StatusCode::FORBIDDEN, "BROKER_NOT_AUTHORIZED").await;

    // A serialNumber-only (SEID 1) certificate is read too.
    let seid1 = emulator
        .issue_client(OTHER_SENDER, OrgNumberIn::SerialNumber)
        .unwrap();
    let seid1_client = api_client(&emulator, Some(&seid1));
    expect(
        seid1_client.get(format!(
            "{}/{OTHER_SENDER}/portal/signature-jobs",
            emulator.base_url
        )),
        StatusCode::NO_CONTENT,
    )
    .await;
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
        assert_refused(response, StatusCode::BAD_REQUEST, "SCHEMA_VALIDATION_ERROR").await;
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
    assert_refused(response, StatusCode::BAD_REQUEST, "SCHEMA_VALIDATION_ERROR").await;
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
    // The prepared job's request with another bundle.
    let post_bundle = async |bundle: &[u8]| {
        let request_xml = &prepared.request_xml;
        post_job(&client, &emulator, BROKER, "portal", request_xml, bundle).await
    };

    // One byte of the stored document changed.
    let mut tampered = prepared.bundle.clone();
    let needle = b"test document";
    let at = tampered
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("stored PDF");
    tampered[at] = b'b';
    let response = post_bundle(&tampered).await;
    assert_refused(response, StatusCode::BAD_REQUEST, "ASICE_VALIDATION_FAILED").await;

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
    let response = post_prepared(&client, &emulator, BROKER, "portal", &foreign_prepared).await;
    assert_refused(response, StatusCode::BAD_REQUEST, "ASICE_VALIDATION_FAILED").await;

    // Not a zip.
    let response = post_bundle(b"PK not really").await;
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
    sign_first(&emulator, created.signature_job_id).await;
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
        let throttled = expect(client.get(&url), StatusCode::TOO_MANY_REQUESTS).await;
        assert!(poll_time(&throttled) > time::OffsetDateTime::now_utc());
    }

    control.inject(FaultRule::new(Fault::Delay { millis: 400 }).times(1));
    let started = std::time::Instant::now();
    expect(
        client.get(format!("{}/{BROKER}", emulator.base_url)),
        StatusCode::OK,
    )
    .await;
    assert!(started.elapsed() >= Duration::from_millis(400));

    // Over HTTP, without a client certificate.
    let web = web_client();
    expect(
        web.post(format!("{}/control/faults", emulator.web_base_url))
            .header(CONTENT_TYPE, "application/json")
            .body(r#"{"fault":{"kind":"status","status":503}}"#),
        StatusCode::NO_CONTENT,
    )
    .await;
    assert_eq!(
        client.get(&url).send().await.unwrap().status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    expect(
        web.delete(format!("{}/control/faults", emulator.web_base_url)),
        StatusCode::NO_CONTENT,
    )
    .await;
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
    let expired = expect(
        web.post(format!("{base}/control/jobs/{id}/signers/1/expire")),
        StatusCode::OK,
    )
    .await;
    let outcome: serde_json::Value =
        serde_json::from_slice(&expired.bytes().await.unwrap()).unwrap();
    assert_eq!(outcome["job_status"], "FAILED");
    expect(
        web.post(format!("{base}/control/jobs/{id}/signers/1/sign")),
        StatusCode::CONFLICT,
    )
    .await;
    expect(
        web.get(format!("{base}/control/jobs/999999")),
        StatusCode::NOT_FOUND,
    )
    .await;
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_pades_is_streamed_with_its_length() {
    const PADDING: u64 = 8 * 1024 * 1024;
    let (emulator, identity, client) = start(fast().pades_padding(PADDING)).await;
    let created = create_portal(&client, &emulator, &identity).await;
    sign_first(&emulator, created.signature_job_id).await;
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
    let root = expect(
        client.get(format!("{}/{BROKER}", emulator.base_url)),
        StatusCode::OK,
    )
    .await;
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
