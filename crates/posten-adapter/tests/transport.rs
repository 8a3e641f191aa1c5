//! The client's transport against a scripted mutual-TLS server: which calls are retried,
//! downloads streamed in small pieces, concurrent calls through clones, and the client-side
//! rate limit.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};

use posten_adapter::Error;
use signature_core::{
    ArtifactRef, FlowKind, OrganizationNumber, PollResult, StatusQueryToken, StatusQueue, StatusUrl,
};
use support::{GeneratedBody, POSTEN, Scripted, ServerOrg, TestServer, portal_job, sequence};
use tokio::io::AsyncWrite;

#[tokio::test]
async fn get_is_retried_on_500_but_create_is_not() {
    let server = TestServer::start(
        ServerOrg::SerialNumber(POSTEN),
        sequence(vec![Scripted::new(500), Scripted::new(503)], || {
            Scripted::new(204)
        }),
    )
    .await;
    let client = server.client();
    let result = client
        .poll(&StatusQueue::new(FlowKind::Portal))
        .await
        .unwrap();
    assert!(matches!(result, PollResult::NoChanges { .. }));
    assert_eq!(server.requests().len(), 3, "two retries, then success");

    let server = TestServer::start(ServerOrg::SerialNumber(POSTEN), |_| Scripted::new(500)).await;
    let client = server.client();
    let error = client.create_job(&portal_job()).await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::UnexpectedResponse {
                http_status: 500,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(
        server.requests().len(),
        1,
        "job creation must never be retried"
    );

    // Retries are bounded: a GET that keeps failing gives up after max_retries.
    let error = client
        .poll(&StatusQueue::new(FlowKind::Portal))
        .await
        .unwrap_err();
    assert!(matches!(
        error,
        Error::UnexpectedResponse {
            http_status: 500,
            ..
        }
    ));
    assert_eq!(server.requests().len(), 1 + 3);
}

#[tokio::test]
async fn get_is_retried_after_a_connection_error() {
    // Nothing listens on the port: every attempt fails to connect; with two retries, the
    // call takes at least the two backoff waits and reports a connection error.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let server = TestServer::start(ServerOrg::SerialNumber(POSTEN), |_| Scripted::new(204)).await;
    let key = support::pem_key(&server.client_pki);
    let client = posten_adapter::Client::builder(
        posten_adapter::Environment::custom(&format!("https://127.0.0.1:{port}/api")).unwrap(),
        key,
    )
    .trust_roots_pem(server.server_ca_pem.as_bytes())
    .default_sender(OrganizationNumber::parse("123456785").unwrap())
    .retry(posten_adapter::RetryPolicy::new(
        2,
        std::time::Duration::from_millis(100),
        std::time::Duration::from_millis(100),
    ))
    .build()
    .unwrap();
    let started = std::time::Instant::now();
    let token = StatusQueryToken::new("secret-token-value");
    let error = client
        .direct_status(
            &StatusUrl::new(format!("https://127.0.0.1:{port}/status")),
            &token,
        )
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Connection(_)), "{error:?}");
    assert!(started.elapsed() >= std::time::Duration::from_millis(100));
    // Neither the message, the debug form nor the source chain carry the token.
    let mut text = format!("{error} {error:?}");
    let mut source = std::error::Error::source(&error);
    while let Some(s) = source {
        text.push_str(&format!(" {s} {s:?}"));
        source = s.source();
    }
    assert!(!text.contains("secret-token-value"), "{text}");
}

/// Counts bytes and checks the content without keeping it; records the largest write.
struct CheckingSink {
    written: u64,
    largest_write: usize,
}

impl AsyncWrite for CheckingSink {
    fn poll_write(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        for (i, byte) in buf.iter().enumerate() {
            assert_eq!(
                *byte,
                ((self.written + i as u64) % 251) as u8,
                "content at {}",
                self.written + i as u64
            );
        }
        self.written += buf.len() as u64;
        self.largest_write = self.largest_write.max(buf.len());
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[tokio::test]
async fn large_pades_streams_into_the_sink_in_small_pieces() {
    const SIZE: u64 = 50 * 1024 * 1024;
    let server = TestServer::start(ServerOrg::SerialNumber(POSTEN), |request| {
        assert!(request.uri.ends_with("/pades"));
        Scripted::new(200)
            .header("content-type", "application/pdf")
            .body(axum::body::Body::new(GeneratedBody {
                total: SIZE,
                sent: 0,
                chunk: 64 * 1024,
            }))
    })
    .await;
    let client = server.client();
    let mut sink = CheckingSink {
        written: 0,
        largest_write: 0,
    };
    let pades = ArtifactRef::pades(format!("{}/api/1/pades", server.origin()));
    let written = client.download(&pades, &mut sink).await.unwrap();
    assert_eq!(written, SIZE);
    assert_eq!(sink.written, SIZE);
    // Streamed: never more than a network chunk at a time, far from the 50 MiB document.
    assert!(
        sink.largest_write <= 1024 * 1024,
        "largest write {}",
        sink.largest_write
    );
    assert_eq!(
        server.requests()[0].headers["accept"],
        "application/octet-stream, application/xml"
    );

    let mut sink = CheckingSink {
        written: 0,
        largest_write: 0,
    };
    let written = client
        .download_archived_pades(
            &OrganizationNumber::parse("123456785").unwrap(),
            "doc/1 ø",
            &mut sink,
        )
        .await
        .unwrap();
    assert_eq!(written, SIZE);
    assert_eq!(
        server.requests()[1].uri,
        "/api/123456785/archive/documents/doc%2F1%20%C3%B8/pades"
    );
}

#[tokio::test]
async fn concurrent_calls_through_clones_all_arrive() {
    // Several concurrent calls through clones of one client all arrive.
    let server = TestServer::start(ServerOrg::SerialNumber(POSTEN), |_| Scripted::new(204)).await;
    let client = server.client();
    let done = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..5)
        .map(|_| {
            let client = client.clone();
            let done = done.clone();
            tokio::spawn(async move {
                client
                    .poll(&StatusQueue::new(FlowKind::Portal))
                    .await
                    .unwrap();
                done.fetch_add(1, Ordering::SeqCst);
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(done.load(Ordering::SeqCst), 5);
    assert_eq!(server.requests().len(), 5);
}

#[tokio::test]
async fn client_side_rate_limit_spaces_calls() {
    let times: Arc<std::sync::Mutex<Vec<std::time::Instant>>> = Arc::default();
    let server = {
        let times = times.clone();
        TestServer::start(ServerOrg::SerialNumber(POSTEN), move |_| {
            times.lock().unwrap().push(std::time::Instant::now());
            Scripted::new(204)
        })
        .await
    };
    let client = server
        .client_builder()
        .rate_limit(Some(posten_adapter::RateLimit::per_second(5).burst(1)))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    for _ in 0..6 {
        client
            .poll(&StatusQueue::new(FlowKind::Portal))
            .await
            .unwrap();
    }
    // One at once, then one per 200 ms.
    assert!(started.elapsed() >= std::time::Duration::from_millis(990));
    let times = times.lock().unwrap().clone();
    for pair in times.windows(2) {
        assert!(pair[1] - pair[0] >= std::time::Duration::from_millis(150));
    }
}
