//! The poller against a scripted server: confirm only after the handler succeeded, poll again
//! at once after a change, wait for `X-Next-permitted-poll-time`, back off on errors.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use posten_adapter::{Error, Poller};
use signature_core::{FlowKind, StatusQueue};
use support::{Scripted, ServerOrg, TestServer};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

fn change_xml(origin: &str, id: u32) -> String {
    format!(
        r#"<portal-signature-job-status-change-response xmlns="http://signering.posten.no/schema/v1">
  <signature-job-id>{id}</signature-job-id>
  <status>IN_PROGRESS</status>
  <confirmation-url>{origin}/confirm/{id}</confirmation-url>
  <signatures>
    <signature><status since="2026-01-23T12:51:43+01:00">WAITING</status><personal-identification-number>01017010170</personal-identification-number></signature>
  </signatures>
</portal-signature-job-status-change-response>"#
    )
}

fn in_ms(ms: i64) -> String {
    (OffsetDateTime::now_utc() + time::Duration::milliseconds(ms))
        .format(&Rfc3339)
        .unwrap()
}

#[tokio::test]
async fn confirms_after_handler_success_only_and_honours_poll_times() {
    // Event log shared by the handler and the server, to check the order of things.
    let events: Arc<Mutex<Vec<(String, Instant)>>> = Arc::default();
    let origin = Arc::new(std::sync::OnceLock::<String>::new());
    let polls = Arc::new(Mutex::new(0u32));
    let server = {
        let events = events.clone();
        let origin = origin.clone();
        let polls = polls.clone();
        TestServer::start(ServerOrg::SerialNumber("984661185"), move |request| {
            let origin = origin.get().unwrap();
            if request.method == "POST" {
                events
                    .lock()
                    .unwrap()
                    .push((format!("confirm {}", request.uri), Instant::now()));
                return Scripted::new(200);
            }
            let n = {
                let mut polls = polls.lock().unwrap();
                *polls += 1;
                *polls
            };
            events
                .lock()
                .unwrap()
                .push((format!("poll {n}"), Instant::now()));
            match n {
                // Change 1 (header allows now), change 2 (no header), then "nothing" with a
                // poll time 400 ms ahead, then a 429 with a time 300 ms ahead, then an
                // error, then nothing forever.
                1 => Scripted::xml(200, change_xml(origin, 1))
                    .header("X-Next-permitted-poll-time", in_ms(0)),
                2 => Scripted::xml(200, change_xml(origin, 2)),
                3 => Scripted::new(204).header("X-Next-permitted-poll-time", in_ms(400)),
                4 => Scripted::new(429).header("X-Next-permitted-poll-time", in_ms(300)),
                5 => Scripted::new(503),
                _ => Scripted::new(204).header("X-Next-permitted-poll-time", in_ms(10_000)),
            }
        })
        .await
    };
    origin.set(server.origin()).unwrap();
    let client = server
        .client_builder()
        .retry(posten_adapter::RetryPolicy::none())
        .build()
        .unwrap();
    let poller = Poller::new(client, StatusQueue::new(FlowKind::Portal))
        .error_backoff(Duration::from_millis(200), Duration::from_millis(200));

    let handler_events = events.clone();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let stop_tx = Arc::new(Mutex::new(Some(stop_tx)));
    let watcher_events = events.clone();
    tokio::spawn(async move {
        // Stop once the sixth poll has been answered.
        loop {
            tokio::time::sleep(Duration::from_millis(20)).await;
            if watcher_events
                .lock()
                .unwrap()
                .iter()
                .any(|(e, _)| e == "poll 6")
            {
                if let Some(tx) = stop_tx.lock().unwrap().take() {
                    let _ = tx.send(());
                }
                return;
            }
        }
    });
    let started = Instant::now();
    poller
        .run_until(
            move |change| {
                let events = handler_events.clone();
                async move {
                    // Work that takes a while: confirmation must wait for it.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    let id = change.job_id.as_str().to_owned();
                    events
                        .lock()
                        .unwrap()
                        .push((format!("handled {id}"), Instant::now()));
                    if id == "2" {
                        Err("storage is down")
                    } else {
                        Ok(())
                    }
                }
            },
            async {
                let _ = stop_rx.await;
            },
        )
        .await
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));

    let events = events.lock().unwrap().clone();
    let names: Vec<&str> = events.iter().map(|(e, _)| e.as_str()).collect();
    assert_eq!(
        names,
        [
            "poll 1",
            "handled 1",
            "confirm /confirm/1",
            "poll 2",
            "handled 2",
            // no confirmation of 2: its handler failed
            "poll 3",
            "poll 4",
            "poll 5",
            "poll 6",
        ]
    );
    let at = |name: &str| events.iter().find(|(e, _)| e == name).unwrap().1;
    // After a change: at once (well under the waits below).
    assert!(at("poll 2") - at("confirm /confirm/1") < Duration::from_millis(300));
    assert!(at("poll 3") - at("handled 2") < Duration::from_millis(300));
    // After 204: the poll time (400 ms, less clock granularity).
    assert!(at("poll 4") - at("poll 3") >= Duration::from_millis(350));
    // After 429: its poll time (300 ms).
    assert!(at("poll 5") - at("poll 4") >= Duration::from_millis(250));
    // After 503: the error backoff (200 ms, jittered down to at most half).
    assert!(at("poll 6") - at("poll 5") >= Duration::from_millis(100));
}

#[tokio::test]
async fn stops_on_errors_no_wait_can_fix() {
    let server =
        TestServer::start(ServerOrg::SerialNumber("123456785"), |_| Scripted::new(204)).await;
    let poller = Poller::new(server.client(), StatusQueue::new(FlowKind::Direct));
    let error = poller
        .run_until(
            |_| async { Ok::<(), String>(()) },
            std::future::pending::<()>(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::ServerCertificateRejected { .. }),
        "{error:?}"
    );
    assert_eq!(server.requests().len(), 0);
}

#[tokio::test]
async fn missing_poll_time_header_waits_the_idle_interval() {
    let times: Arc<Mutex<Vec<Instant>>> = Arc::default();
    let server = {
        let times = times.clone();
        TestServer::start(ServerOrg::SerialNumber("984661185"), move |_| {
            times.lock().unwrap().push(Instant::now());
            Scripted::new(204)
        })
        .await
    };
    let poller = Poller::new(server.client(), StatusQueue::new(FlowKind::Portal))
        .idle_wait(Duration::from_millis(300));
    let _ = tokio::time::timeout(
        Duration::from_millis(800),
        poller.run_until(
            |_| async { Ok::<(), String>(()) },
            std::future::pending::<()>(),
        ),
    )
    .await;
    let times = times.lock().unwrap().clone();
    assert!(
        (2..=3).contains(&times.len()),
        "polls in 800 ms: {}",
        times.len()
    );
    for pair in times.windows(2) {
        assert!(pair[1] - pair[0] >= Duration::from_millis(280));
    }
}
