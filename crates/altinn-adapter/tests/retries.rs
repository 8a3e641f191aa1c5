//! Retries of both Altinn clients against a scripted server: GETs are retried on 502, 503,
//! 504 and 429 (after `Retry-After`), at most as the policy says; calls that change an
//! instance or a message are never retried.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod scripted;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use altinn_adapter::v3::{ActionRequest, AppId, Client, Environment, InstanceId, ProcessNext};
use altinn_adapter::{Error, RetryPolicy};
use scripted::{Answer, Request};

const GUID: &str = "0b7d7c3e-8c1e-4a55-9e7d-3f1a2b3c4d5e";
const PROCESS: &str = r#"{"started":"2026-11-01T10:00:00Z","currentTask":{"elementId":"Task_2","altinnTaskType":"signing","actions":{"sign":true},"read":true,"write":true},"processTasks":[]}"#;

/// Answers the first `failures` requests with `failure`, then `PROCESS`.
fn flaky(
    failures: usize,
    failure: impl Fn() -> Answer + Send + Sync + 'static,
) -> (String, Arc<Mutex<Vec<Request>>>) {
    let count = AtomicUsize::new(0);
    scripted::serve(move |_| {
        if count.fetch_add(1, Ordering::SeqCst) < failures {
            failure()
        } else {
            Answer::json("200 OK", PROCESS)
        }
    })
}

fn client(base: &str, policy: RetryPolicy) -> Client {
    Client::builder(Environment::custom(base).unwrap())
        .altinn_token("a-fixed-altinn-token")
        .retry(policy)
        .build()
        .unwrap()
}

fn ids() -> (AppId, InstanceId) {
    (
        AppId::parse("ttd/signing-demo").unwrap(),
        InstanceId::parse(&format!("50001234/{GUID}")).unwrap(),
    )
}

fn quick(retries: u32) -> RetryPolicy {
    RetryPolicy::new(retries, Duration::from_millis(10), Duration::from_secs(3))
}

#[tokio::test]
async fn gets_are_retried_on_transient_answers() {
    for status in [
        "502 Bad Gateway",
        "503 Service Unavailable",
        "504 Gateway Timeout",
    ] {
        let (base, log) = flaky(2, move || Answer::empty(status));
        let (app, id) = ids();
        let process = client(&base, quick(2)).process(&app, &id).await.unwrap();
        assert!(process.awaits_signature());
        assert_eq!(log.lock().unwrap().len(), 3, "{status}: two retries");
    }
}

#[tokio::test]
async fn retries_stop_at_the_policy() {
    let (base, log) = flaky(5, || Answer::empty("503 Service Unavailable"));
    let (app, id) = ids();
    let error = client(&base, quick(1))
        .process(&app, &id)
        .await
        .unwrap_err();
    assert!(error.is_transient(), "{error:?}");
    assert!(matches!(&error, Error::Service(p) if p.status == 503));
    assert_eq!(log.lock().unwrap().len(), 2);
    let (base, log) = flaky(1, || Answer::empty("503 Service Unavailable"));
    assert!(
        client(&base, RetryPolicy::none())
            .process(&app, &id)
            .await
            .is_err()
    );
    assert_eq!(log.lock().unwrap().len(), 1, "RetryPolicy::none()");
}

#[tokio::test]
async fn a_429_waits_for_retry_after() {
    let (base, log) = flaky(1, || {
        Answer::json(
            "429 Too Many Requests",
            r#"{"title":"Too many requests","status":429}"#,
        )
        .header("retry-after", "1")
    });
    let (app, id) = ids();
    let started = Instant::now();
    client(&base, quick(2)).process(&app, &id).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "waited {:?}",
        started.elapsed()
    );
    assert_eq!(log.lock().unwrap().len(), 2);

    // A Retry-After beyond the policy's longest wait fails at once, saying how long.
    let (base, log) = flaky(1, || {
        Answer::empty("429 Too Many Requests").header("retry-after", "120")
    });
    let error = client(&base, quick(2))
        .process(&app, &id)
        .await
        .unwrap_err();
    assert_eq!(error.retry_after(), Some(Duration::from_secs(120)));
    assert!(error.is_transient());
    assert_eq!(log.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn changes_are_never_retried() {
    let (base, log) = flaky(1, || Answer::empty("503 Service Unavailable"));
    let (app, id) = ids();
    let client = client(&base, quick(3));
    assert!(
        client
            .process_next(&app, &id, &ProcessNext::sign())
            .await
            .is_err()
    );
    assert_eq!(log.lock().unwrap().len(), 1, "PUT process/next once");
    let (base, log) = flaky(1, || Answer::empty("429 Too Many Requests"));
    let client = self::client(&base, quick(3));
    assert!(
        client
            .perform_action(&app, &id, &ActionRequest::sign())
            .await
            .is_err()
    );
    assert_eq!(log.lock().unwrap().len(), 1, "POST actions once");
    let request = &log.lock().unwrap()[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.body, br#"{"action":"sign"}"#);
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let (base, log) = flaky(3, || {
        Answer::json("404 Not Found", r#"{"title":"Not Found","status":404}"#)
    });
    let (app, id) = ids();
    assert!(matches!(
        client(&base, quick(3)).process(&app, &id).await,
        Err(Error::Service(problem)) if problem.status == 404
    ));
    assert_eq!(log.lock().unwrap().len(), 1);
}

#[cfg(feature = "altinn2")]
#[tokio::test]
async fn altinn_2_gets_are_retried_and_posts_are_not() {
    use altinn_adapter::auth::BearerToken;
    use altinn_adapter::v2::{FormTask, MessageId, NewForm, Who};

    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    let (base, log) = scripted::serve(move |request| {
        if seen.fetch_add(1, Ordering::SeqCst) == 0 {
            return Answer::empty("503 Service Unavailable");
        }
        match request.method.as_str() {
            "GET" => Answer {
                status: "200 OK",
                headers: vec![("content-type", "application/hal+json".to_owned())],
                body: r#"{"MessageId":"a123","Subject":"S","Status":"Signering"}"#.to_owned(),
            },
            _ => Answer::empty("503 Service Unavailable"),
        }
    });
    let client = altinn_adapter::v2::Client::builder(
        altinn_adapter::v2::Environment::custom(&base).unwrap(),
        "key",
    )
    .auth(BearerToken::new("token"))
    .retry(quick(2))
    .build()
    .unwrap();
    let message = client
        .message(&Who::My, &MessageId::new("a123"))
        .await
        .unwrap();
    assert_eq!(message.id.as_str(), "a123");
    assert_eq!(log.lock().unwrap().len(), 2, "GET retried once");
    let task = FormTask::new("4711", 1).form(NewForm::main("1", "2", "<a/>"));
    assert!(client.submit_to_signing(&Who::My, &task).await.is_err());
    assert_eq!(log.lock().unwrap().len(), 3, "POST sent once");
}
