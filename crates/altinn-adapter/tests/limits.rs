//! Answer size limits: a server that streams an endless JSON or text body makes the client
//! stop at [`MAX_ANSWER_BYTES`] with [`Error::ResponseTooLarge`], instead of buffering it all.
//! The server is a plain HTTP/1.1 loop on a thread, so nothing in it limits the body.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod scripted;

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use altinn_adapter::Error;
use altinn_adapter::auth::BearerToken;
use altinn_adapter::v2::{Client, Environment, MAX_ANSWER_BYTES, MessageId, MessageQuery, Who};

/// Serves every connection an endless chunked body: `prefix`, then `item` forever. Returns
/// the base URL and the count of body bytes written.
fn endless_server(
    content_type: &'static str,
    prefix: &'static str,
    item: &'static str,
) -> (String, Arc<AtomicU64>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}/", listener.local_addr().unwrap());
    let sent = Arc::new(AtomicU64::new(0));
    let counter = sent.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let counter = counter.clone();
            std::thread::spawn(move || serve(stream, content_type, prefix, item, &counter));
        }
    });
    (base, sent)
}

fn serve(mut stream: TcpStream, content_type: &str, prefix: &str, item: &str, sent: &AtomicU64) {
    if scripted::read_head(&mut stream).is_none() {
        return;
    }
    let head = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\ntransfer-encoding: chunked\r\n\r\n"
    );
    if stream.write_all(head.as_bytes()).is_err() {
        return;
    }
    let chunk = |data: &str| format!("{:x}\r\n{data}\r\n", data.len());
    if stream.write_all(chunk(prefix).as_bytes()).is_err() {
        return;
    }
    let block = chunk(&item.repeat(64 * 1024 / item.len()));
    let per_block = (item.len() * (64 * 1024 / item.len())) as u64;
    // Until the client hangs up (or a generous cap, so a broken client cannot hang the test
    // machine's memory either).
    while sent.load(Ordering::SeqCst) < 4 * 1024 * 1024 * 1024 {
        if stream.write_all(block.as_bytes()).is_err() {
            return;
        }
        sent.fetch_add(per_block, Ordering::SeqCst);
    }
}

fn client(base: &str) -> Client {
    Client::builder(Environment::custom(base).unwrap(), "api-key")
        .auth(BearerToken::new("token"))
        .build()
        .unwrap()
}

async fn bounded<T: std::fmt::Debug>(
    call: impl std::future::Future<Output = Result<T, Error>>,
) -> Error {
    tokio::time::timeout(Duration::from_secs(60), call)
        .await
        .expect("the client stops reading at its limit")
        .unwrap_err()
}

#[tokio::test]
async fn endless_json_message_list_is_refused_at_the_limit() {
    let (base, sent) = endless_server(
        "application/hal+json",
        r#"{"_embedded":{"messages":["#,
        r#"{"MessageId":"a1","Subject":"s"},"#,
    );
    let error = bounded(client(&base).messages_page(&Who::My, &MessageQuery::new(), 0, None)).await;
    assert!(
        matches!(error, Error::ResponseTooLarge { limit } if limit == MAX_ANSWER_BYTES),
        "{error:?}"
    );
    // The body really was streamed up to the limit (the counter trails the socket by at
    // most a block or two), so the limit is what stopped the client.
    let sent = sent.load(Ordering::SeqCst);
    assert!(
        sent + 256 * 1024 >= MAX_ANSWER_BYTES as u64,
        "server sent only {sent} bytes"
    );
    assert!(
        error.to_string().contains(&MAX_ANSWER_BYTES.to_string()),
        "{error}"
    );
}

#[tokio::test]
async fn endless_text_answer_is_refused_at_the_limit() {
    let (base, _) = endless_server(
        "text/plain",
        "Jeg bekrefter ",
        "at opplysningene er riktige. ",
    );
    let error = bounded(client(&base).signing_text(&Who::My, &MessageId::new("a1"))).await;
    assert!(
        matches!(error, Error::ResponseTooLarge { limit } if limit == MAX_ANSWER_BYTES),
        "{error:?}"
    );
}
