//! The emulator's PAdES is a real PAdES B-B signature: a completed job's PAdES, downloaded
//! with `posten_adapter::Client` over mutual TLS, validated by pyHanko (a validator we did not
//! write) trusting only the emulator's CA; a copy with one signed byte changed is refused.
//!
//! pyHanko comes from `$SIGNXML_VENV` (default `~/.cache/signering-verifiers`, where `.ci/run`
//! installs it) or `python3`; without it the test skips with a notice, or fails under
//! `SIGNERING_REQUIRE_TOOLS=1`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use asice::{LoadOptions, SigningKey};
use posten_adapter::{Client, Environment, Error};
use signature_core::{
    Document, FlowKind, JobStatus, LookupNotifications, OrganizationNumber, PollResult, Signer,
    SigningJob, StatusChange, StatusQueue,
};
use signature_emulator::posten::{PostenEmulator, RunningEmulator};

const BROKER: &str = "123456785";
const PASSWORD: &str = "emulator-test-password";
const DEADLINE: Duration = Duration::from_secs(60);

/// A Python with pyHanko, or `None` after the notice (or the failure under
/// `SIGNERING_REQUIRE_TOOLS=1`).
fn pyhanko(test: &str) -> Option<PathBuf> {
    let found = signering_testkit::verifier_python("pyhanko.sign");
    if found.is_none() {
        signering_testkit::skip_or_fail(
            test,
            "pyHanko is not installed (pip install 'pyHanko==0.38.0' into $SIGNXML_VENV)",
        );
    }
    found
}

/// pyHanko's verdict on `pdf`: whether the script accepted it, and its one-line output.
fn validate(python: &Path, pdf: &[u8], ca_pem: &str) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let pdf_path = dir.path().join("pades.pdf");
    let root_path = dir.path().join("ca.pem");
    std::fs::write(&pdf_path, pdf).unwrap();
    std::fs::write(&root_path, ca_pem).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tools/pyhanko_validate.py");
    let out = Command::new(python)
        .arg(script)
        .arg(&pdf_path)
        .arg(&root_path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let code = out.status.code();
    assert!(
        matches!(code, Some(0 | 1)),
        "pyHanko failed to run ({code:?}): {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (code == Some(0), stdout)
}

fn client_for(emulator: &RunningEmulator) -> Client {
    let identity = emulator.client(BROKER).unwrap();
    let p12 = identity.to_pkcs12(PASSWORD).unwrap();
    let key = SigningKey::from_pkcs12(&p12, PASSWORD, &LoadOptions::default()).unwrap();
    Client::builder(Environment::custom(&emulator.base_url).unwrap(), key)
        .trust_roots_pem(emulator.ca_pem.as_bytes())
        .default_sender(OrganizationNumber::parse(BROKER).unwrap())
        .build()
        .unwrap()
}

fn two_signer_job() -> SigningJob {
    SigningJob::builder("Leieavtale")
        .reference("pades")
        .document(Document::pdf(
            "Avtale",
            "avtale.pdf",
            b"%PDF-1.7 test document for the PAdES".to_vec(),
        ))
        .signer(
            Signer::with_personal_identification_number("01017010170")
                .notify_through_lookup(LookupNotifications::EmailOnly),
        )
        .signer(
            Signer::with_personal_identification_number("02028010047")
                .notify_through_lookup(LookupNotifications::EmailOnly),
        )
        .build()
        .unwrap()
}

/// Creates a two-signer portal job, signs it through the control API, polls until it has
/// completed and downloads its PAdES with the client.
async fn completed_pades(emulator: &RunningEmulator) -> Vec<u8> {
    let client = client_for(emulator);
    let created = client.create_job(&two_signer_job()).await.unwrap();
    let id: i64 = created.id.as_str().parse().unwrap();
    emulator.control().sign(id, 1).await.unwrap();
    emulator.control().sign(id, 2).await.unwrap();
    let change = completed_change(&client).await;
    assert_eq!(change.job_id, created.id);
    let mut pdf = Vec::new();
    let written = client
        .download(change.pades().expect("PAdES"), &mut pdf)
        .await
        .unwrap();
    assert_eq!(written, pdf.len() as u64);
    pdf
}

/// Polls the portal queue until the job's completion arrives (earlier changes are skipped).
async fn completed_change(client: &Client) -> StatusChange {
    let deadline = Instant::now() + DEADLINE;
    let queue = StatusQueue::new(FlowKind::Portal);
    loop {
        assert!(Instant::now() < deadline, "the job never completed");
        let wait = match client.poll(&queue).await {
            Ok(PollResult::Change(change)) if change.status == JobStatus::CompletedSuccessfully => {
                return *change;
            }
            Ok(PollResult::Change(change)) => {
                if let Some(confirmation) = &change.confirmation {
                    client.confirm(confirmation).await.unwrap();
                }
                Duration::from_millis(10)
            }
            Ok(PollResult::NoChanges { .. }) => Duration::from_millis(100),
            Err(Error::TooEagerPolling { .. }) => Duration::from_millis(200),
            other => panic!("poll failed: {other:?}"),
        };
        tokio::time::sleep(wait).await;
    }
}

/// The first offset of `needle` in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .position(|w| w == needle)
        .unwrap_or_else(|| panic!("{:?} not in the PDF", String::from_utf8_lossy(needle)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pyhanko_validates_the_pades_and_refuses_a_tampered_copy() {
    let test = "pyhanko_validates_the_pades_and_refuses_a_tampered_copy";
    let Some(python) = pyhanko(test) else {
        return;
    };
    let emulator = PostenEmulator::builder()
        .client(BROKER)
        .poll_interval(Duration::from_millis(100))
        .start()
        .await
        .unwrap();
    let pdf = completed_pades(&emulator).await;
    assert!(pdf.starts_with(b"%PDF-1.7"));
    find(&pdf, b"/SubFilter /ETSI.CAdES.detached");
    find(&pdf, b"xades-signer-2.xml");

    let (valid, verdict) = validate(&python, &pdf, &emulator.ca_pem);
    eprintln!("pyHanko, as downloaded: {verdict}");
    assert!(valid, "{verdict}");
    assert!(
        verdict.contains("Common Name: Posten signering emulator seal'"),
        "{verdict}"
    );

    // One byte of the page's text, well inside the first signed range.
    let mut tampered = pdf.clone();
    let at = find(
        &tampered,
        b"(Posten signering emulator - signed document) Tj",
    );
    tampered[at + 1] = b'p';
    assert!(at < find(&tampered, b"/Contents <"));
    let (valid, verdict) = validate(&python, &tampered, &emulator.ca_pem);
    eprintln!("pyHanko, one byte changed: {verdict}");
    assert!(!valid, "{verdict}");
    assert!(
        verdict.starts_with("INVALID") && verdict.contains("intact=False"),
        "{verdict}"
    );

    // Trusting another CA: intact and valid, but not trusted.
    let other = PostenEmulator::builder().start().await.unwrap();
    let (valid, verdict) = validate(&python, &pdf, &other.ca_pem);
    eprintln!("pyHanko, another emulator's CA: {verdict}");
    assert!(!valid && verdict.contains("trusted=False"), "{verdict}");
    other.shutdown().await;
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_padded_pades_is_signed_over_its_padding() {
    let test = "a_padded_pades_is_signed_over_its_padding";
    let Some(python) = pyhanko(test) else {
        return;
    };
    const PADDING: u64 = 3 * 1024 * 1024 + 7;
    let emulator = PostenEmulator::builder()
        .client(BROKER)
        .poll_interval(Duration::from_millis(100))
        .pades_padding(PADDING)
        .start()
        .await
        .unwrap();
    let pdf = completed_pades(&emulator).await;
    assert!(pdf.len() as u64 > PADDING);
    let (valid, verdict) = validate(&python, &pdf, &emulator.ca_pem);
    eprintln!("pyHanko, padded: {verdict}");
    assert!(valid, "{verdict}");

    // A byte of the padding changed: the signature no longer holds.
    let mut tampered = pdf;
    let at = find(&tampered, &[b'0'; 4096]) + 2048;
    tampered[at] = b'1';
    let (valid, verdict) = validate(&python, &tampered, &emulator.ca_pem);
    assert!(!valid && verdict.contains("intact=False"), "{verdict}");
    emulator.shutdown().await;
}
