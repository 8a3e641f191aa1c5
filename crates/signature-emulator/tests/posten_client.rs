//! `posten_adapter::Client` against the Posten emulator over real mutual TLS on 127.0.0.1:
//! the client's operations, its typed errors, polling etiquette, concurrent pollers and a large
//! streamed download. The signing page in headless Chromium is in posten_client_chromium.rs.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

#[path = "common/posten_client.rs"]
mod helpers;
use helpers::*;

// ---------------------------------------------------------------- tests

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portal_job_poll_download_confirm() {
    let emulator = fast().start().await.unwrap();
    let client = client_for(&emulator);
    let created = client.create_job(&portal_job("portal-1")).await.unwrap();
    assert_eq!(created.reference.as_deref(), Some("portal-1"));
    assert!(created.cancellation.is_some());
    let id = job_number(&created);
    assert_queue_empty(&client).await;

    emulator.control().sign(id, 1).await.unwrap();
    let change = poll_until_change(&client, Instant::now() + DEADLINE).await;
    assert_eq!(change.job_id, created.id);
    assert_eq!(change.status, JobStatus::CompletedSuccessfully);

    let xades = change.signers[0]
        .xades
        .as_ref()
        .expect("XAdES of the signer");
    let mut xml = Vec::new();
    let written = client.download(xades, &mut xml).await.unwrap();
    assert_eq!(written, xml.len() as u64);
    let text = String::from_utf8(xml).unwrap();
    assert!(text.trim_start().starts_with('<'), "{text}");
    assert!(text.contains("XAdESSignatures"), "{text}");

    let mut pdf = Vec::new();
    client
        .download(change.pades().expect("PAdES"), &mut pdf)
        .await
        .unwrap();
    assert!(pdf.starts_with(b"%PDF"));

    client
        .confirm(change.confirmation.as_ref().expect("confirmation URL"))
        .await
        .unwrap();
    let snapshot = emulator.control().job(id).await.unwrap();
    assert_eq!(snapshot.confirmed_changes, 1);
    assert_eq!(snapshot.status_changes, 1);
    assert_queue_empty(&client).await;
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn direct_job_new_redirect_url_signing_page_and_status_by_token() {
    let emulator = fast().start().await.unwrap();
    let client = client_for(&emulator);
    let created = client
        .create_job(&direct_job(ExitUrls::new(
            "https://sender.example/done?case=7",
            "https://sender.example/rejected",
            "https://sender.example/error",
        )))
        .await
        .unwrap();
    let id = job_number(&created);
    let signer = &created.signers[0];
    let first = signer.redirect_url.clone().expect("redirect URL");
    let renewed = client
        .request_new_redirect_url(signer.signer_url.as_ref().expect("signer URL"))
        .await
        .unwrap();
    assert_ne!(renewed.as_str(), first.as_str());
    assert_eq!(
        emulator.control().job(id).await.unwrap().signers[0]
            .redirect_url
            .as_deref(),
        Some(renewed.as_str())
    );

    let status_url = created.status_url.clone().expect("status URL");
    let early = client
        .direct_status(&status_url, &StatusQueryToken::new("nothing"))
        .await;
    assert_service_error(&early, None, ErrorCode::SigningCeremonyNotCompleted);

    let location = sign_on_page(&emulator, renewed.as_str()).await;
    assert!(
        location.starts_with("https://sender.example/done?case=7&status_query_token="),
        "{location}"
    );
    let status = client
        .direct_status(&status_url, &token_of(&location))
        .await
        .unwrap();
    assert_eq!(status.status, JobStatus::CompletedSuccessfully);
    assert_eq!(status.job_id, created.id);
    let wrong = client
        .direct_status(&status_url, &StatusQueryToken::new("wrong"))
        .await;
    assert_service_error(&wrong, None, ErrorCode::InvalidStatusQueryToken);
    client
        .confirm(status.confirmation.as_ref().expect("confirmation URL"))
        .await
        .unwrap();
    assert_eq!(
        emulator.control().job(id).await.unwrap().confirm_requests,
        1
    );
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_of_another_organization_is_refused_before_any_request() {
    let emulator = fast().start().await.unwrap();
    let identity = emulator.client(BROKER).unwrap();
    let picky = builder_for(&emulator, key_of(&identity))
        .server_organization_number(OrganizationNumber::parse("123456785").unwrap())
        .build()
        .unwrap();
    let result = picky.create_job(&portal_job("never-sent")).await;
    match result {
        Err(Error::ServerCertificateRejected {
            expected,
            found_org,
        }) => {
            assert_eq!(expected, "123456785");
            assert_eq!(
                found_org.as_deref(),
                Some(signature_emulator::posten::SERVER_ORGANIZATION_NUMBER)
            );
        }
        other => panic!("expected ServerCertificateRejected, got {other:?}"),
    }
    // Nothing was created: the first job the emulator stores gets the first id.
    assert!(emulator.control().job(1).await.is_err());
    let created = client_for(&emulator)
        .create_job(&portal_job("sent"))
        .await
        .unwrap();
    assert_eq!(job_number(&created), 1);
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_certificate_from_an_untrusted_ca_is_refused_with_a_typed_error() {
    let emulator = fast().start().await.unwrap();
    let stranger = PostenEmulator::builder().start().await.unwrap();
    let foreign_key = key_of(&stranger.client(BROKER).unwrap());
    stranger.shutdown().await;
    let client = builder_for(&emulator, foreign_key).build().unwrap();
    let result = client.poll(&portal()).await;
    assert!(
        matches!(result, Err(Error::Connection(_) | Error::Key(_))),
        "{result:?}"
    );
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broker_schema_and_bundle_refusals_are_typed() {
    let emulator = fast().start().await.unwrap();
    let identity = emulator.client(BROKER).unwrap();
    let client = client_for(&emulator);

    // Not allowed to act for another sender.
    let foreign = SigningJob::builder("Leieavtale")
        .sender(OTHER_SENDER)
        .document(Document::pdf(
            "Avtale",
            "avtale.pdf",
            b"%PDF-1.7 broker".to_vec(),
        ))
        .signer(
            Signer::with_personal_identification_number("01017010170")
                .notify_through_lookup(LookupNotifications::EmailOnly),
        )
        .build()
        .unwrap();
    let result = client.create_job(&foreign).await;
    assert_service_error(&result, Some(403), ErrorCode::BrokerNotAuthorized);

    let sender = OrganizationNumber::parse(BROKER).unwrap();
    let key = key_of(&identity);
    let prepared = || {
        PreparedJob::new(
            &portal_job("schema"),
            Some(&sender),
            &key,
            &SystemClock,
            &BuildOptions::default(),
        )
        .unwrap()
    };

    // A reference over 50 characters, written into the request behind the builder's back.
    let mut long = prepared();
    let request = String::from_utf8(long.request_xml.clone()).unwrap();
    assert!(
        request.contains("<reference>schema</reference>"),
        "{request}"
    );
    long.request_xml = request
        .replace(
            "<reference>schema</reference>",
            &format!("<reference>{}</reference>", "x".repeat(51)),
        )
        .into_bytes();
    let result = client
        .create_prepared(&sender, FlowKind::Portal, &long)
        .await;
    assert_service_error(&result, Some(400), ErrorCode::SchemaValidationError);

    // One byte of the stored document changed after signing.
    let mut tampered = prepared();
    let needle = b"test document";
    let at = tampered
        .bundle
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("stored PDF");
    tampered.bundle[at] = b'b';
    let result = client
        .create_prepared(&sender, FlowKind::Portal, &tampered)
        .await;
    assert_service_error(&result, Some(400), ErrorCode::AsiceValidationFailed);

    // None of them created a job; the untouched request does.
    assert!(emulator.control().job(1).await.is_err());
    let created = client
        .create_prepared(&sender, FlowKind::Portal, &prepared())
        .await
        .unwrap();
    assert_eq!(job_number(&created), 1);
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eager_poll_is_typed_and_the_poller_waits_for_the_permitted_time() {
    let emulator = fast()
        .poll_interval(Duration::from_millis(1500))
        .start()
        .await
        .unwrap();
    let client = client_for(&emulator);
    let Ok(PollResult::NoChanges {
        next_permitted_poll_time: Some(permitted),
    }) = client.poll(&portal()).await
    else {
        panic!("first poll should be empty with a permitted time");
    };
    let eager = client.poll(&portal()).await;
    match eager {
        Err(Error::TooEagerPolling { retry_at }) => assert_eq!(retry_at, Some(permitted)),
        other => panic!("expected TooEagerPolling, got {other:?}"),
    }

    let ids = signed_portal_jobs(&emulator, &client, 1).await;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let poller = Poller::new(client.clone(), portal()).idle_wait(Duration::from_millis(100));
    let run = tokio::time::timeout(
        DEADLINE,
        poller.run_until(
            move |change: StatusChange| {
                let tx = tx.clone();
                async move {
                    tx.send((change.job_id, time::OffsetDateTime::now_utc()))
                        .unwrap();
                    Ok::<(), std::io::Error>(())
                }
            },
            async {
                // Stop once the change has been handled (and so confirmed).
                while emulator
                    .control()
                    .job(ids[0])
                    .await
                    .unwrap()
                    .confirmed_changes
                    == 0
                {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            },
        ),
    )
    .await;
    run.expect("poller stopped in time").unwrap();
    let (job, at) = rx.try_recv().expect("the change reached the handler");
    assert_eq!(job.as_str(), ids[0].to_string());
    assert!(
        at >= permitted,
        "handled at {at}, permitted from {permitted}"
    );
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unconfirmed_change_comes_back_after_the_requeue_delay() {
    let requeue = Duration::from_secs(1);
    let emulator = fast()
        .poll_interval(Duration::from_millis(100))
        .requeue_after(requeue)
        .start()
        .await
        .unwrap();
    let client = client_for(&emulator);
    let ids = signed_portal_jobs(&emulator, &client, 1).await;
    let first = poll_until_change(&client, Instant::now() + DEADLINE).await;
    let delivered = Instant::now();
    assert_eq!(first.job_id.as_str(), ids[0].to_string());
    // Not confirmed: hidden until the delay has passed, then delivered again.
    let again = poll_until_change(&client, Instant::now() + DEADLINE).await;
    assert!(
        delivered.elapsed() >= requeue - Duration::from_millis(100),
        "came back after {:?}",
        delivered.elapsed()
    );
    assert_eq!(again.job_id, first.job_id);
    assert_eq!(again.status, first.status);
    client
        .confirm(again.confirmation.as_ref().unwrap())
        .await
        .unwrap();
    let snapshot = emulator.control().job(ids[0]).await.unwrap();
    assert_eq!(
        (snapshot.status_changes, snapshot.confirmed_changes),
        (1, 1)
    );
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_concurrent_pollers_lose_no_change_and_confirm_each_delivery_once() {
    const JOBS: usize = 12;
    // Four pollers share one client's budget, but their retries after errors do not:
    // throughput is the point here, not the service's rate limit.
    let emulator = fast()
        .without_rate_limit()
        .poll_interval(Duration::from_millis(100))
        .requeue_after(Duration::from_millis(700))
        .start()
        .await
        .unwrap();
    let client = client_for(&emulator);
    let ids = signed_portal_jobs(&emulator, &client, JOBS).await;

    let deliveries: Arc<Mutex<HashMap<String, u32>>> = Arc::default();
    let (all_seen, _) = tokio::sync::watch::channel(false);
    let all_seen = Arc::new(all_seen);
    let mut pollers = Vec::new();
    for n in 0..4u64 {
        let poller = Poller::new(client.clone(), portal())
            .idle_wait(Duration::from_millis(50))
            .error_backoff(Duration::from_millis(50), Duration::from_millis(200));
        let deliveries = Arc::clone(&deliveries);
        let done = Arc::clone(&all_seen);
        let mut stop = all_seen.subscribe();
        pollers.push(tokio::spawn(async move {
            poller
                .run_until(
                    move |change: StatusChange| {
                        let deliveries = Arc::clone(&deliveries);
                        let done = Arc::clone(&done);
                        async move {
                            // Uneven handling times, some past the requeue delay.
                            let slow = change.job_id.as_str().parse::<u64>().unwrap() % 4 == n;
                            if slow {
                                tokio::time::sleep(Duration::from_millis(800)).await;
                            }
                            let seen = {
                                let mut map = deliveries.lock().unwrap();
                                *map.entry(change.job_id.as_str().to_owned()).or_default() += 1;
                                map.len()
                            };
                            if seen == JOBS {
                                done.send_replace(true);
                            }
                            Ok::<(), std::io::Error>(())
                        }
                    },
                    async move {
                        let _ = stop.wait_for(|all| *all).await;
                    },
                )
                .await
        }));
    }
    let joined = tokio::time::timeout(DEADLINE, futures_util::future::join_all(pollers))
        .await
        .expect("pollers finished before the deadline");
    for result in joined {
        result.unwrap().unwrap();
    }

    let deliveries = deliveries.lock().unwrap().clone();
    assert_eq!(deliveries.len(), JOBS, "{deliveries:?}");
    for id in &ids {
        let delivered = deliveries[&id.to_string()];
        let snapshot = emulator.control().job(*id).await.unwrap();
        assert_eq!(snapshot.status_changes, 1, "job {id}");
        assert_eq!(snapshot.confirmed_changes, 1, "job {id}: change confirmed");
        assert_eq!(
            snapshot.effective_confirm_requests, 1,
            "job {id}: confirmed exactly once"
        );
        assert_eq!(
            i64::from(delivered),
            snapshot.confirm_requests,
            "job {id}: one confirm per handled delivery"
        );
    }
    assert_queue_empty(&client).await;
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_mib_pades_streams_into_a_counting_sink() {
    const PADDING: u64 = 50 * 1024 * 1024;
    let emulator = fast().pades_padding(PADDING).start().await.unwrap();
    let client = client_for(&emulator);
    signed_portal_jobs(&emulator, &client, 1).await;
    let change = poll_until_change(&client, Instant::now() + DEADLINE).await;
    let mut sink = CountingSink::default();
    let written = tokio::time::timeout(
        DEADLINE,
        client.download(change.pades().unwrap(), &mut sink),
    )
    .await
    .expect("download finished in time")
    .unwrap();
    assert_eq!(written, sink.total);
    assert!(sink.total >= PADDING, "{} bytes", sink.total);
    assert!(sink.writes > 1, "streamed in pieces, not one buffer");
    assert!(
        sink.largest_write <= 1024 * 1024,
        "largest single write {} bytes",
        sink.largest_write
    );
    emulator.shutdown().await;
}

#[tokio::test]
async fn cancel_archive_and_delete_documents_through_the_client() {
    let emulator = fast().start().await.unwrap();
    let client = client_for(&emulator);

    // Cancel a job in progress; the change then reports it failed with the signer cancelled.
    let cancelled = client.create_job(&portal_job("to-cancel")).await.unwrap();
    client
        .cancel(cancelled.cancellation.as_ref().expect("cancellation URL"))
        .await
        .unwrap();
    let change = poll_until_change(&client, Instant::now() + DEADLINE).await;
    assert_eq!(change.job_id, cancelled.id);
    assert_eq!(change.status, JobStatus::Failed);
    assert_eq!(
        change.signers[0].status,
        signature_core::SignerStatus::Cancelled
    );
    client
        .confirm(change.confirmation.as_ref().unwrap())
        .await
        .unwrap();
    // A finished job cannot be cancelled again: the typed conflict.
    let again = client
        .cancel(cancelled.cancellation.as_ref().unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(again, Error::JobCannotBeCancelled { .. }),
        "{again:?}"
    );

    // A signed job: its archived PAdES is available by document id, then documents are deleted.
    let signed = client.create_job(&portal_job("to-archive")).await.unwrap();
    let id = job_number(&signed);
    emulator.control().sign(id, 1).await.unwrap();
    let change = poll_until_change(&client, Instant::now() + DEADLINE).await;
    assert_eq!(change.job_id, signed.id);
    let archive_id = emulator
        .control()
        .job(id)
        .await
        .unwrap()
        .archive_id
        .expect("archived");
    let owner = OrganizationNumber::parse(BROKER).unwrap();
    let mut archived = Vec::new();
    client
        .download_archived_pades(&owner, &archive_id, &mut archived)
        .await
        .unwrap();
    assert!(archived.starts_with(b"%PDF"));
    let missing = client
        .download_archived_pades(&owner, "no-such-document", &mut Vec::new())
        .await
        .unwrap_err();
    assert!(
        matches!(
            missing,
            Error::Service {
                code: ErrorCode::ArchivedDocumentNotFound,
                ..
            }
        ),
        "{missing:?}"
    );

    // Signers may download for 24 hours after completion; deletion is allowed after that.
    emulator
        .control()
        .advance_clock(Duration::from_secs(24 * 3600))
        .await
        .unwrap();
    client
        .delete_documents(change.delete_documents.as_ref().expect("delete URL"))
        .await
        .unwrap();
    assert!(emulator.control().job(id).await.unwrap().documents_deleted);
    // With the documents gone, the PAdES can no longer be downloaded.
    let gone = client
        .download(change.pades().unwrap(), &mut Vec::new())
        .await;
    assert!(gone.is_err(), "download after deletion must fail");
    client
        .confirm(change.confirmation.as_ref().unwrap())
        .await
        .unwrap();
    emulator.shutdown().await;
}
