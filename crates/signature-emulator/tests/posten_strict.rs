//! The Posten emulator refuses what the real service refuses, with the same codes and shapes
//! (docs/posten-emulator.md lists the facts and their sources): authorization, and the
//! service's rules for jobs and signers.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

#[path = "common/posten_client.rs"]
mod helpers;

use std::time::Duration;

use helpers::{builder_for, key_of};
use posten_adapter::{Client, Error, ErrorCode, ErrorType};
use signature_core::{
    Document, FlowKind, LookupNotifications, OrganizationNumber, Signer, SigningJob, StatusQueue,
};
use signature_emulator::posten::{
    PostenEmulator, PostenEmulatorBuilder, RateLimit, RunningEmulator, SignerAction,
};

const SENDER: &str = helpers::BROKER;

fn fast() -> PostenEmulatorBuilder {
    PostenEmulator::builder()
        .client(SENDER)
        .poll_interval(Duration::from_millis(200))
}

fn client_as(emulator: &RunningEmulator, organization: &str) -> Client {
    let key = key_of(&emulator.client(organization).unwrap());
    // Half the service's limit: on a loaded test machine requests reach the emulator with
    // uneven delays, which can crowd more than they were sent into one second.
    builder_for(emulator, key)
        .default_sender(OrganizationNumber::parse(organization).unwrap())
        .rate_limit(Some(posten_adapter::RateLimit::per_second(5)))
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

fn job_id(created: &signature_core::JobRef) -> i64 {
    created.id.as_str().parse().unwrap()
}

fn pin_signer(pin: &str) -> signature_core::SignerBuilder {
    Signer::with_personal_identification_number(pin)
        .notify_through_lookup(LookupNotifications::EmailOnly)
}

fn job_with(signers: Vec<signature_core::SignerBuilder>) -> signature_core::SigningJobBuilder {
    let mut builder = SigningJob::builder("Kjedet avtale").document(Document::pdf(
        "Avtale",
        "avtale.pdf",
        b"%PDF-1.7 strict".to_vec(),
    ));
    for signer in signers {
        builder = builder.signer(signer);
    }
    builder
}

/// A fast emulator and a client of the sender's.
async fn started() -> (RunningEmulator, Client) {
    let emulator = fast().start().await.unwrap();
    let client = client_as(&emulator, SENDER);
    (emulator, client)
}

/// A job for two signers by identity number, the second after the first (`order` 0 and 1).
fn two_in_order() -> signature_core::SigningJobBuilder {
    job_with(vec![
        pin_signer("01017010170").order(0),
        pin_signer("24068110048").order(1),
    ])
}

/// Creates `job` through `client` and gives its id in the emulator.
async fn created_id(client: &Client, job: &SigningJob) -> i64 {
    job_id(&client.create_job(job).await.unwrap())
}

const DAY: Duration = Duration::from_secs(86_400);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signers_sign_in_order_and_each_group_gets_the_full_lifetime() {
    let (emulator, client) = started().await;
    let control = emulator.control();
    let job = two_in_order()
        .available_for(Duration::from_secs(2 * 86_400))
        .build()
        .unwrap();
    let id = created_id(&client, &job).await;

    // Signer 2 cannot sign before signer 1 (portal.xsd, `order`).
    let early = control.sign(id, 2).await.unwrap_err();
    assert!(early.to_string().contains("lower order"), "{early}");
    let snapshot = control.job(id).await.unwrap();
    assert!(snapshot.signers[0].available && !snapshot.signers[1].available);

    // Signer 1 signs on day 1.5: signer 2 then has two days of its own.
    control.advance_clock(DAY + DAY / 2).await.unwrap();
    control.sign(id, 1).await.unwrap();
    assert!(control.job(id).await.unwrap().signers[1].available);
    control.advance_clock(DAY).await.unwrap();
    let outcome = control.sign(id, 2).await.unwrap();
    assert_eq!(outcome.job_status, "COMPLETED_SUCCESSFULLY");
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn activation_time_and_expiry_follow_the_emulators_clock() {
    let (emulator, client) = started().await;
    let control = emulator.control();
    let now = time::OffsetDateTime::now_utc();
    let job = two_in_order()
        .activation_time(now + time::Duration::hours(1))
        .available_for(Duration::from_secs(3600))
        .build()
        .unwrap();
    let id = created_id(&client, &job).await;

    let early = control.sign(id, 1).await.unwrap_err();
    assert!(early.to_string().contains("not activated"), "{early}");
    control
        .advance_clock(Duration::from_secs(3700))
        .await
        .unwrap();
    assert!(control.job(id).await.unwrap().signers[0].available);

    // The first group's hour runs out: the job fails, the next group never gets it.
    control
        .advance_clock(Duration::from_secs(3600))
        .await
        .unwrap();
    let change = poll_change(&client).await;
    assert_eq!(change.job_id.as_str(), id.to_string());
    assert_eq!(change.status, signature_core::JobStatus::Failed);
    let statuses: Vec<String> = change
        .signers
        .iter()
        .map(|s| s.status.as_str().to_owned())
        .collect();
    assert_eq!(statuses, ["EXPIRED", "NOT_APPLICABLE"]);
    emulator.shutdown().await;
}

/// Polls until a change arrives (the permitted poll time is 200 ms here) and confirms it.
async fn poll_change(client: &Client) -> signature_core::StatusChange {
    for _ in 0..100 {
        match client.poll(&StatusQueue::new(FlowKind::Portal)).await {
            Ok(signature_core::PollResult::Change(change)) => {
                client
                    .confirm(change.confirmation.as_ref().unwrap())
                    .await
                    .unwrap();
                return *change;
            }
            Ok(_) | Err(Error::TooEagerPolling { .. }) => {
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            Err(other) => panic!("poll failed: {other}"),
        }
    }
    panic!("no status change")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_eleventh_call_in_a_second_is_blocked_as_the_service_does() {
    let emulator = fast()
        .rate_limit(RateLimit::new(10, Duration::from_secs(1)))
        .start()
        .await
        .unwrap();
    // A client without its own limiter, as a careless integration would be.
    let key = key_of(&emulator.client(SENDER).unwrap());
    let client = builder_for(&emulator, key)
        .rate_limit(None)
        .build()
        .unwrap();
    let queue = StatusQueue::new(FlowKind::Direct);
    let mut blocked = 0;
    for _ in 0..11 {
        match client.poll(&queue).await {
            Err(Error::RateLimitBlocked { retry_at }) => {
                assert!(retry_at > time::OffsetDateTime::now_utc());
                blocked += 1;
            }
            Ok(_) | Err(Error::TooEagerPolling { .. }) => {}
            Err(other) => panic!("{other:?}"),
        }
    }
    assert_eq!(blocked, 1, "the eleventh call is refused");
    // Blocked for the block period, then served again.
    assert!(matches!(
        client.poll(&queue).await,
        Err(Error::RateLimitBlocked { .. })
    ));
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert!(!matches!(
        client.poll(&queue).await,
        Err(Error::RateLimitBlocked { .. })
    ));
    // A client's limiter keeps under the limit: 30 polls, none blocked.
    let careful = client_as(&emulator, SENDER);
    for _ in 0..30 {
        assert!(!matches!(
            careful.poll(&queue).await,
            Err(Error::RateLimitBlocked { .. })
        ));
    }
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_signer_status_is_reachable_where_the_service_can_produce_it() {
    let (emulator, client) = started().await;
    let control = emulator.control();
    let portal = job_with(vec![
        pin_signer("01017010170"),
        Signer::with_email("signer@example.test"),
    ])
    .build()
    .unwrap();
    let direct = job_with(vec![Signer::with_personal_identification_number(
        "01017010170",
    )])
    .flow(signature_core::Flow::Direct(
        signature_core::DirectFlow::new(signature_core::ExitUrls::new(
            "https://sender.example/done",
            "https://sender.example/rejected",
            "https://sender.example/error",
        )),
    ))
    .build()
    .unwrap();

    // (direct job?, signer, action, status or refusal)
    let table: [(bool, i64, SignerAction, Option<&str>); 14] = [
        (false, 1, SignerAction::Sign, Some("SIGNED")),
        (false, 1, SignerAction::Reject, Some("REJECTED")),
        (false, 1, SignerAction::Expire, Some("EXPIRED")),
        (false, 1, SignerAction::Reserve, Some("RESERVED")),
        (
            false,
            1,
            SignerAction::ContactInformationMissing,
            Some("CONTACT_INFORMATION_MISSING"),
        ),
        (
            false,
            1,
            SignerAction::SignersNameNotAvailable,
            Some("SIGNERS_NAME_NOT_AVAILABLE"),
        ),
        (false, 2, SignerAction::Block, Some("BLOCKED")),
        (false, 1, SignerAction::Block, None),
        (false, 2, SignerAction::Reserve, None),
        (false, 1, SignerAction::Fail, None),
        (true, 1, SignerAction::Fail, Some("FAILED")),
        (
            true,
            1,
            SignerAction::SignersNameNotAvailable,
            Some("SIGNERS_NAME_NOT_AVAILABLE"),
        ),
        (true, 1, SignerAction::Block, None),
        (true, 1, SignerAction::Reserve, None),
    ];
    for (is_direct, signer, action, expected) in table {
        let job = if is_direct { &direct } else { &portal };
        let id = created_id(&client, job).await;
        let result = control.act(id, signer, action).await;
        match expected {
            Some(status) => {
                let outcome = result.unwrap_or_else(|e| panic!("{action:?}: {e}"));
                assert_eq!(outcome.signer_status, status);
                let snapshot = control.job(id).await.unwrap();
                if status == "SIGNED" {
                    assert_eq!(snapshot.status, "IN_PROGRESS");
                } else {
                    // A non-success status ends the job; the others are not applicable.
                    assert_eq!(snapshot.status, "FAILED", "{action:?}");
                    for other in snapshot.signers.iter().filter(|s| s.index != signer) {
                        assert_eq!(other.status, "NOT_APPLICABLE");
                    }
                }
                if is_direct {
                    assert!(
                        outcome
                            .exit_url
                            .unwrap()
                            .starts_with("https://sender.example/error")
                    );
                }
            }
            None => assert!(
                matches!(
                    result,
                    Err(signature_emulator::posten::Error::NotApplicable(_))
                ),
                "{action:?} for signer {signer}: {result:?}"
            ),
        }
    }

    // The sender cancels: the waiting signers are CANCELLED.
    let created = client.create_job(&portal).await.unwrap();
    client
        .cancel(created.cancellation.as_ref().unwrap())
        .await
        .unwrap();
    let snapshot = control.job(job_id(&created)).await.unwrap();
    assert!(snapshot.signers.iter().all(|s| s.status == "CANCELLED"));
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_are_deleted_only_when_and_as_long_as_the_service_allows() {
    let (emulator, client) = started().await;
    let control = emulator.control();
    let id = created_id(&client, &portal_job("delete")).await;
    control.sign(id, 1).await.unwrap();
    let change = poll_change(&client).await;
    let delete = change.delete_documents.clone().expect("delete URL");

    // Signers may download for 24 hours after completion.
    let early = client.delete_documents(&delete).await.unwrap_err();
    assert!(
        matches!(&early, Error::Service { http_status: 409, message, .. }
            if message.contains("24 hours")),
        "{early:?}"
    );
    control.advance_clock(DAY).await.unwrap();
    client.delete_documents(&delete).await.unwrap();

    // A failed job's documents cannot be deleted by the sender, and its answers offer no URL.
    let failed = created_id(&client, &portal_job("failed")).await;
    control.reject(failed, 1).await.unwrap();
    let change = poll_change(&client).await;
    assert!(change.delete_documents.is_none());

    // 40 days after completion the service has purged the documents itself.
    let kept = created_id(&client, &portal_job("kept")).await;
    control.sign(kept, 1).await.unwrap();
    let change = poll_change(&client).await;
    let pades = change.pades().cloned().expect("PAdES");
    client.download(&pades, &mut Vec::new()).await.unwrap();
    control.advance_clock(40 * DAY).await.unwrap();
    assert!(control.job(kept).await.unwrap().documents_deleted);
    let gone = client.download(&pades, &mut Vec::new()).await;
    assert!(gone.is_err());
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_clock_and_the_rate_limit_are_in_the_http_control_api() {
    let emulator = fast().start().await.unwrap();
    let http = reqwest::Client::new();
    let base = &emulator.web_base_url;
    let moved: serde_json::Value = http
        .post(format!("{base}/control/clock"))
        .header("content-type", "application/json")
        .body(r#"{"advance_seconds": 86400}"#)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .map(|b| serde_json::from_slice(&b).unwrap())
        .unwrap();
    assert_eq!(moved["offset_seconds"], 86_400);
    let now = time::OffsetDateTime::parse(
        moved["now"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert!(now > time::OffsetDateTime::now_utc() + time::Duration::hours(23));
    for (case, request, status) in [
        (
            "rate limit off",
            http.delete(format!("{base}/control/rate-limit")),
            204,
        ),
        (
            "unknown signer action",
            http.post(format!("{base}/control/jobs/1/signers/1/dance")),
            400,
        ),
        (
            "rate limit without a JSON body",
            http.put(format!("{base}/control/rate-limit")),
            400,
        ),
        (
            "a fault rule without its fault",
            http.post(format!("{base}/control/faults"))
                .header("content-type", "application/json")
                .body("{}"),
            400,
        ),
    ] {
        let answer = request.send().await.unwrap();
        assert_eq!(answer.status(), status, "case {case}");
    }
    // A body that does not read: 400 with axum's text of the rejection as the error.
    let refused = http
        .post(format!("{base}/control/clock"))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    let refused: serde_json::Value =
        serde_json::from_slice(&refused.bytes().await.unwrap()).unwrap();
    let error = refused["error"].as_str().unwrap();
    assert!(error.contains("missing field `advance_seconds`"), "{error}");
    emulator.shutdown().await;
}
