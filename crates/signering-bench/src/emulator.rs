//! The Posten emulator in a child process, and the client side's handles to it.
//!
//! The child is this crate's own binary started as `<exe> --serve-emulator <dir> …`
//! ([`serve_if_asked`]). It writes the CA certificate, a PKCS#12 client identity and
//! `ready.json` (the URLs) into `<dir>`, then serves until its standard input closes, so it
//! never outlives the parent.

use std::path::{Path, PathBuf};
use std::process::{ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use asice::{LoadOptions, SigningKey};
use posten_adapter::{Client, ClientBuilder, Environment};
use serde::{Deserialize, Serialize};
use signature_core::OrganizationNumber;
use signature_emulator::posten::{FaultRule, PostenEmulator, QueueStats};
use tokio::io::AsyncReadExt as _;
use tokio::process::{Child, Command};

/// The organization the client identity is issued for (sender and broker).
pub const BROKER: &str = "123456785";
/// Protects the PKCS#12 file in the temporary directory.
const PASSWORD: &str = "signering-bench";
const SERVE_FLAG: &str = "--serve-emulator";

/// Settings of the emulator process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmulatorOptions {
    /// Permitted poll time after an empty poll.
    pub poll_interval: Duration,
    /// Delay before a delivered, unconfirmed change is delivered again.
    pub requeue_after: Duration,
    /// Extra bytes in every PAdES.
    pub pades_padding: u64,
}

impl Default for EmulatorOptions {
    fn default() -> Self {
        Self {
            poll_interval: Duration::from_millis(100),
            requeue_after: Duration::from_secs(600),
            pades_padding: 0,
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Ready {
    base_url: String,
    web_base_url: String,
    ca: PathBuf,
    p12: PathBuf,
    pid: u32,
}

/// A running emulator child process.
#[derive(Debug)]
pub struct EmulatorProcess {
    child: Child,
    _dir: tempfile::TempDir,
    /// `https://127.0.0.1:PORT/api`.
    pub base_url: String,
    /// `http://127.0.0.1:PORT` (control API).
    pub web_base_url: String,
    /// The emulator's CA (PEM).
    pub ca_pem: Vec<u8>,
    /// The child's process id.
    pub pid: u32,
    p12: Vec<u8>,
}

impl EmulatorProcess {
    /// Starts `exe --serve-emulator` and waits (up to 2 minutes) until it serves.
    pub async fn start(exe: &Path, options: &EmulatorOptions) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir().context("temporary directory for the emulator")?;
        let mut child = Command::new(exe)
            .arg(SERVE_FLAG)
            .arg(dir.path())
            .arg(options.poll_interval.as_millis().to_string())
            .arg(options.requeue_after.as_millis().to_string())
            .arg(options.pades_padding.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {} {SERVE_FLAG}", exe.display()))?;
        let ready_path = dir.path().join("ready.json");
        let started = Instant::now();
        let ready: Ready = loop {
            if let Ok(text) = std::fs::read_to_string(&ready_path) {
                break serde_json::from_str(&text).context("reading ready.json")?;
            }
            if let Some(status) = child.try_wait()? {
                bail!("the emulator process ended before it was ready ({status})");
            }
            if started.elapsed() > Duration::from_secs(120) {
                bail!("the emulator process was not ready within 2 minutes");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        Ok(Self {
            ca_pem: std::fs::read(&ready.ca).context("reading the emulator CA")?,
            p12: std::fs::read(&ready.p12).context("reading the client identity")?,
            child,
            _dir: dir,
            base_url: ready.base_url,
            web_base_url: ready.web_base_url,
            pid: ready.pid,
        })
    }

    /// A client builder for the emulator: mutual TLS with the issued identity, the
    /// emulator's CA as the only root, [`BROKER`] as default sender. The caller sets the
    /// rate limit and the rest.
    pub fn client_builder(&self) -> anyhow::Result<ClientBuilder> {
        let key = SigningKey::from_pkcs12(&self.p12, PASSWORD, &LoadOptions::default())
            .context("loading the client identity")?;
        Ok(Client::builder(Environment::custom(&self.base_url)?, key)
            .trust_roots_pem(&self.ca_pem)
            .default_sender(OrganizationNumber::parse(BROKER)?)
            .proxy(posten_adapter::ProxySetting::Direct))
    }

    /// The control API over plain HTTP.
    pub fn control(&self) -> anyhow::Result<ControlClient> {
        Ok(ControlClient {
            http: reqwest::Client::builder()
                .no_proxy()
                .timeout(Duration::from_secs(60))
                .build()?,
            base: self.web_base_url.clone(),
        })
    }

    /// Closes the child's standard input (it shuts down) and waits for it, killing it after
    /// 10 s.
    pub async fn stop(mut self) {
        drop(self.child.stdin.take());
        if tokio::time::timeout(Duration::from_secs(10), self.child.wait())
            .await
            .is_err()
        {
            let _ = self.child.kill().await;
        }
    }
}

/// The emulator's `/control` API.
#[derive(Debug, Clone)]
pub struct ControlClient {
    http: reqwest::Client,
    base: String,
}

impl ControlClient {
    /// Signer `signer` (1-based) of job `job` performs `action` (`sign`, `reject`, `expire`).
    /// Returns whether the emulator accepted it (409 when the job already ended).
    pub async fn act(&self, job: i64, signer: usize, action: &str) -> anyhow::Result<bool> {
        let response = self
            .http
            .post(format!(
                "{}/control/jobs/{job}/signers/{signer}/{action}",
                self.base
            ))
            .send()
            .await?;
        match response.status().as_u16() {
            200 => Ok(true),
            409 => Ok(false),
            other => bail!("control {action} of job {job} signer {signer}: HTTP {other}"),
        }
    }

    /// Adds a fault rule.
    pub async fn inject(&self, rule: &FaultRule) -> anyhow::Result<()> {
        let request = self
            .http
            .post(format!("{}/control/faults", self.base))
            .header("content-type", "application/json")
            .body(serde_json::to_vec(rule)?);
        successful(request, "injecting a fault").await?;
        Ok(())
    }

    /// Removes every fault rule.
    pub async fn clear_faults(&self) -> anyhow::Result<()> {
        let request = self.http.delete(format!("{}/control/faults", self.base));
        successful(request, "clearing faults").await?;
        Ok(())
    }

    /// Totals over every job and status change.
    pub async fn stats(&self) -> anyhow::Result<QueueStats> {
        let request = self.http.get(format!("{}/control/stats", self.base));
        let response = successful(request, "stats").await?;
        Ok(serde_json::from_slice(&response.bytes().await?)?)
    }
}

/// Sends a control request; an answer other than 2xx is an error naming `what`.
async fn successful(
    request: reqwest::RequestBuilder,
    what: &str,
) -> anyhow::Result<reqwest::Response> {
    let response = request.send().await?;
    if !response.status().is_success() {
        bail!("{what}: HTTP {}", response.status());
    }
    Ok(response)
}

/// When the process was started as `--serve-emulator <dir> <poll ms> <requeue ms> <padding>`,
/// serves the emulator until standard input closes and returns the exit code; otherwise
/// `None`. Call first thing in `main`.
pub fn serve_if_asked() -> Option<ExitCode> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) != Some(SERVE_FLAG) {
        return None;
    }
    let result = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(anyhow::Error::from)
        .and_then(|runtime| runtime.block_on(serve(&args[1..])));
    Some(match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("emulator process: {error:#}");
            ExitCode::FAILURE
        }
    })
}

async fn serve(args: &[String]) -> anyhow::Result<()> {
    let [dir, poll_ms, requeue_ms, padding] = args else {
        bail!("usage: {SERVE_FLAG} <dir> <poll interval ms> <requeue ms> <PAdES padding bytes>");
    };
    let dir = PathBuf::from(dir);
    // Throughput is what the bench and soak measure: the service's rate limit (on by default
    // in the emulator) is off explicitly, as the client's is.
    let emulator = PostenEmulator::builder()
        .client(BROKER)
        .without_rate_limit()
        .poll_interval(Duration::from_millis(poll_ms.parse()?))
        .requeue_after(Duration::from_millis(requeue_ms.parse()?))
        .pades_padding(padding.parse()?)
        .start()
        .await?;
    let (ca, p12) = emulator.write_demo_files(&dir, BROKER, PASSWORD)?;
    let ready = Ready {
        base_url: emulator.base_url.clone(),
        web_base_url: emulator.web_base_url.clone(),
        ca,
        p12,
        pid: std::process::id(),
    };
    let partial = dir.join("ready.json.partial");
    std::fs::write(&partial, serde_json::to_vec(&ready)?)?;
    std::fs::rename(&partial, dir.join("ready.json"))?;
    // Serve until the parent closes our standard input (or dies).
    let mut sink = Vec::new();
    let _ = tokio::io::stdin().read_to_end(&mut sink).await;
    emulator.shutdown_with(Duration::from_secs(1)).await;
    Ok(())
}
