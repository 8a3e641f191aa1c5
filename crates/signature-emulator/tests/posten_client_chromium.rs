//! `posten_adapter::Client` against the Posten emulator: the signing page in headless
//! Chromium driven over W3C WebDriver, with the exit URLs served on 127.0.0.1.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

#[path = "common/posten_client.rs"]
mod helpers;
use helpers::*;

// ---------------------------------------------------------------- headless Chromium

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Kills and reaps the child on drop.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A minimal W3C WebDriver client over reqwest.
struct WebDriver {
    http: reqwest::Client,
    base: String,
}

impl WebDriver {
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> serde_json::Value {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let value: serde_json::Value = serde_json::from_slice(&response.bytes().await.unwrap())
            .expect("WebDriver answers JSON");
        assert!(status.is_success(), "WebDriver {path}: {status} {value}");
        value["value"].clone()
    }
}

/// Serves the exit URLs on 127.0.0.1 and records every URL the browser arrives with.
async fn exit_server() -> (String, Arc<Mutex<Vec<String>>>) {
    let arrivals: Arc<Mutex<Vec<String>>> = Arc::default();
    let recorded = Arc::clone(&arrivals);
    let app = axum::Router::new().fallback(move |uri: axum::http::Uri| {
        let recorded = Arc::clone(&recorded);
        async move {
            recorded.lock().unwrap().push(uri.to_string());
            axum::response::Html("<html><body><p id=\"done\">Takk</p></body></html>")
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, arrivals)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_page_works_in_headless_chromium() {
    const TEST: &str = "signing_page_works_in_headless_chromium";
    for tool in [CHROMIUM, CHROMEDRIVER] {
        if !std::path::Path::new(tool).exists() {
            signering_testkit::skip_or_fail(
                TEST,
                &format!("{tool} is missing (Debian packages chromium and chromium-driver)"),
            );
            return;
        }
    }
    let emulator = fast().start().await.unwrap();
    let client = client_for(&emulator);
    let (exit_base, arrivals) = exit_server().await;
    let completion = format!("{exit_base}/done?case=7");
    let created = client
        .create_job(&direct_job(ExitUrls::new(
            completion.clone(),
            format!("{exit_base}/rejected"),
            format!("{exit_base}/error"),
        )))
        .await
        .unwrap();
    let redirect = created.signers[0].redirect_url.clone().unwrap();

    let profile = tempfile::tempdir().unwrap();
    let port = free_port();
    let _driver = KillOnDrop(
        std::process::Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let driver = WebDriver {
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap(),
        base: format!("http://127.0.0.1:{port}"),
    };
    let deadline = Instant::now() + DEADLINE;
    loop {
        let ready = driver
            .http
            .get(format!("{}/status", driver.base))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success());
        if ready {
            break;
        }
        assert!(Instant::now() < deadline, "chromedriver did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let args = [
        "--headless".to_owned(),
        "--no-sandbox".to_owned(),
        "--disable-gpu".to_owned(),
        "--disable-dev-shm-usage".to_owned(),
        "--disable-background-networking".to_owned(),
        "--disable-component-update".to_owned(),
        "--disable-sync".to_owned(),
        "--no-first-run".to_owned(),
        format!("--user-data-dir={}", profile.path().display()),
    ];
    let session = driver
        .call(
            reqwest::Method::POST,
            "/session",
            Some(serde_json::json!({ "capabilities": { "alwaysMatch": {
                "goog:chromeOptions": { "binary": CHROMIUM, "args": args }
            }}})),
        )
        .await;
    let session = format!("/session/{}", session["sessionId"].as_str().unwrap());

    driver
        .call(
            reqwest::Method::POST,
            &format!("{session}/url"),
            Some(serde_json::json!({ "url": redirect.as_str() })),
        )
        .await;
    let element = driver
        .call(
            reqwest::Method::POST,
            &format!("{session}/element"),
            Some(serde_json::json!({ "using": "css selector", "value": "#sign" })),
        )
        .await;
    let element = element
        .as_object()
        .and_then(|o| o.values().next())
        .and_then(|v| v.as_str())
        .expect("element reference")
        .to_owned();
    driver
        .call(
            reqwest::Method::POST,
            &format!("{session}/element/{element}/click"),
            Some(serde_json::json!({})),
        )
        .await;
    let final_url = loop {
        let url = driver
            .call(reqwest::Method::GET, &format!("{session}/url"), None)
            .await;
        let url = url.as_str().unwrap().to_owned();
        if url.starts_with(&completion) {
            break url;
        }
        assert!(
            Instant::now() < deadline,
            "browser never reached the exit URL; at {url}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    driver.call(reqwest::Method::DELETE, &session, None).await;

    assert!(
        final_url.starts_with(&format!("{completion}&status_query_token=")),
        "{final_url}"
    );
    assert!(
        arrivals
            .lock()
            .unwrap()
            .iter()
            .any(|u| u.contains("status_query_token=")),
        "the exit URL was loaded by the browser"
    );
    let status = client
        .direct_status(created.status_url.as_ref().unwrap(), &token_of(&final_url))
        .await
        .unwrap();
    assert_eq!(status.status, JobStatus::CompletedSuccessfully);
    emulator.shutdown().await;
}
