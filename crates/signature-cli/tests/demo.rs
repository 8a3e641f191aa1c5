//! `signering demo` and `signering emulator` as processes: the demo's files and output, and
//! the emulator printing its URLs and being stopped.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use signature_core::shows_identity_number;

/// Runs `signering demo --out OUT` to its end: exit code, standard output and error.
fn run_demo(out: &Path) -> (Option<i32>, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_signering"))
        .args(["demo", "--out"])
        .arg(out)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Bounded: the demo takes about a second; give a loaded CI machine two minutes.
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("signering demo did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let output = child.wait_with_output().unwrap();
    (
        output.status.code(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn demo_runs_the_whole_story_and_writes_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    let (code, stdout, stderr) = run_demo(&out);
    assert_eq!(code, Some(0), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(
        !shows_identity_number(&stdout),
        "identity number printed:\n{stdout}"
    );
    assert!(
        !shows_identity_number(&stderr),
        "identity number printed:\n{stderr}"
    );
    for step in [
        "direct: status by token",
        "portal: poll status changes",
        "altinn: sign",
        "altinn3: find via Dialogporten",
        "altinn3: sign",
        "altinn3: read signing state",
        "altinn3: download signature",
    ] {
        assert!(stdout.contains(step), "no step {step:?} in:\n{stdout}");
    }
    assert!(stdout.contains("COMPLETED_SUCCESSFULLY"), "{stdout}");

    let names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let find = |prefix: &str, suffix: &str| -> Vec<std::path::PathBuf> {
        names
            .iter()
            .filter(|n| n.starts_with(prefix) && n.ends_with(suffix))
            .map(|n| out.join(n))
            .collect()
    };
    let pades = [find("direct-", ".pades.pdf"), find("portal-", ".pades.pdf")];
    let xades_direct = find("direct-", ".xades.xml");
    let xades_portal = find("portal-", ".xades.xml");
    let receipts = find("altinn-", ".receipt.pdf");
    assert_eq!(pades[0].len(), 1, "{names:?}");
    assert_eq!(pades[1].len(), 1, "{names:?}");
    assert_eq!(xades_direct.len(), 1, "{names:?}");
    assert_eq!(xades_portal.len(), 2, "two portal signers: {names:?}");
    assert!(
        xades_portal
            .iter()
            .any(|p| p.to_string_lossy().ends_with("-signer-2.xades.xml"))
    );
    assert_eq!(receipts.len(), 1, "{names:?}");
    // Altinn 3: the signature data element, a SignDocument naming the signed document.
    let signatures = find("altinn3-", ".signature.json");
    assert_eq!(signatures.len(), 1, "{names:?}");
    let record: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&signatures[0]).unwrap()).unwrap();
    assert!(record["signeeInfo"]["userId"].is_string(), "{record}");
    let signed = record["dataElementSignatures"].as_array().unwrap();
    assert_eq!(signed.len(), 1, "{record}");
    assert_eq!(
        signed[0]["signed"],
        serde_json::Value::Bool(true),
        "{record}"
    );
    assert_eq!(
        signed[0]["sha256Hash"].as_str().map(str::len),
        Some(64),
        "{record}"
    );

    for pdf in pades.iter().flatten().chain(&receipts) {
        let bytes = std::fs::read(pdf).unwrap();
        assert!(bytes.starts_with(b"%PDF"), "{} is not a PDF", pdf.display());
    }
    for xades in xades_direct.iter().chain(&xades_portal) {
        let text = std::fs::read_to_string(xades).unwrap();
        let mut reader = quick_xml::Reader::from_str(&text);
        let mut elements = Vec::new();
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)) => {
                    elements.push(String::from_utf8_lossy(e.local_name().as_ref()).into_owned());
                }
                Ok(_) => {}
                Err(error) => panic!("{} is not XML: {error}", xades.display()),
            }
        }
        assert!(
            elements.iter().any(|e| e == "Signature"),
            "{} has no Signature element",
            xades.display()
        );
    }
}

#[test]
fn a_flow_step_that_fails_stops_the_demo_with_its_name() {
    // The direct flow's bundle cannot be written: a directory stands where the file goes
    // (job 1 on the fresh emulator). The flow's failure must reach the user as the demo's
    // failed step, with exit status 1, and nothing after it runs.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    std::fs::create_dir_all(out.join("direct-1.asice")).unwrap();
    let (code, stdout, stderr) = run_demo(&out);
    assert_eq!(code, Some(1), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(
        stderr.contains("demo step \"direct: create job\" failed: cannot write"),
        "{stderr}"
    );
    assert!(
        stdout.contains("Demo stopped at the failed step."),
        "{stdout}"
    );
    assert!(!stdout.contains("portal:"), "{stdout}");
    assert!(!shows_identity_number(&stdout), "{stdout}");
    assert!(!shows_identity_number(&stderr), "{stderr}");
}

#[test]
fn emulator_prints_its_urls_and_keeps_state_in_the_directory() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let files = dir.path().join("files");
    let mut emulator = support::command();
    emulator
        .args(["emulator", "--listen", "127.0.0.1:0", "--state"])
        .arg(&state)
        .arg("--write-demo-files")
        .arg(&files)
        .args(["--password-env", "SIGNERING_TEST_P12"])
        .env("SIGNERING_TEST_P12", "hemmelig");
    let (running, seen, ready) = support::start_until_ready(emulator);
    drop(running);
    assert!(
        ready,
        "the emulator did not print its URLs in time: {seen:?}"
    );
    let all = seen.join("\n");
    assert!(all.contains("https://127.0.0.1:"), "{all}");
    assert!(all.contains("/api"), "{all}");
    assert!(all.contains("http://127.0.0.1:"), "{all}");
    assert!(state.join("posten.sqlite").is_file(), "{all}");
    assert!(
        std::fs::read_to_string(files.join("ca.pem"))
            .unwrap()
            .contains("BEGIN CERTIFICATE")
    );
    assert!(
        !std::fs::read(files.join("123456785.p12"))
            .unwrap()
            .is_empty()
    );
}
