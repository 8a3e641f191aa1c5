//! `signering doctor` as a user runs it: the official Java client's expired test key store
//! (the done-when check), the real 2018 test-environment server chain under Test and
//! Production, and the online check against the Posten emulator (who-am-I answered, refused,
//! unreachable), with the documented exit codes.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use std::path::{Path, PathBuf};

use serde_json::Value;
use signature_emulator::posten::{PostenEmulator, RunningEmulator};
use support::{Output, signering};

const SENDER: &str = signature_emulator::posten::DEFAULT_CLIENT_ORGANIZATION_NUMBER;
const PASSWORD_VAR: &str = "DOCTOR_TEST_P12_PASSWORD";
const PASSWORD: &str = "doktor-test passord";
/// The Java fixture's password.
const JAVA_PASSWORD: &str = signering_testkit::JAVA_TEST_KEY_STORE_PASSWORD;

/// `signering doctor ARGS` in `dir`.
fn doctor(dir: &Path, args: &[&str], envs: &[(&str, &str)]) -> Output {
    signering(dir, [&["doctor"][..], args].concat(), envs)
}

fn fixture(test: &str, path: &str) -> Option<PathBuf> {
    signering_testkit::reference_dir(test).map(|r| r.join("fixtures").join(path))
}

#[test]
fn the_expired_java_test_key_store_is_reported_expired_test_and_988015814() {
    let Some(p12) = signering_testkit::java_test_key_store_path("doctor_java_key_store") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let p12 = p12.to_str().unwrap();
    let envs = [(PASSWORD_VAR, JAVA_PASSWORD)];
    let args = ["--keystore", p12, "--password-env", PASSWORD_VAR];
    let out = doctor(dir.path(), &args, &envs);
    out.assert_prints(
        1,
        &[
            "organization   988015814 (SEID 1, in serialNumber)",
            "CA             test CA (chains to the built-in anchors)",
            "EXPIRED",
            "Test and QA: a test certificate",
            "problem: the certificate expired on 2018-11-11",
        ],
    );
    assert!(!format!("{out:?}").contains(JAVA_PASSWORD));

    let json = doctor(dir.path(), &[&["--json"][..], &args].concat(), &envs);
    assert_eq!(json.code, 1, "{json:?}");
    let value: Value = serde_json::from_str(&json.stdout).unwrap();
    let certificate = &value["certificate"];
    assert_eq!(certificate["organization_number"], "988015814");
    assert_eq!(certificate["expired"], true);
    assert_eq!(certificate["ca"], "test");
    assert_eq!(certificate["usable"], false);
    assert_eq!(certificate["fits"], serde_json::json!(["Test", "QA"]));

    // While it was valid, against production: the mix-up of environments is named.
    let production = doctor(
        dir.path(),
        &[
            &args[..],
            &[
                "--environment",
                "production",
                "--at",
                "2017-01-01T00:00:00Z",
            ],
        ]
        .concat(),
        &envs,
    );
    production.assert_prints(
        1,
        &["this is a test certificate, but Production trusts only production CAs"],
    );
    // A wrong password is an unusable key store: exit 1 with the reason.
    let wrong = doctor(dir.path(), &args, &[(PASSWORD_VAR, "wrong")]);
    wrong.assert_error(1, "password");
}

#[test]
fn a_captured_server_chain_is_accepted_under_test_and_refused_under_production() {
    let Some(chain) = fixture("doctor_server_chain", "dotnet/certs_PostenNorgeAs.pem.cer") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let chain = chain.to_str().unwrap();
    let at = ["--at", "2020-01-01T00:00:00Z", "--server-chain", chain];
    let test = doctor(
        dir.path(),
        &[&["--environment", "test"][..], &at].concat(),
        &[],
    );
    test.assert_prints(0, &["note: accepted"]);
    let qa = doctor(
        dir.path(),
        &[&["--environment", "qa"][..], &at].concat(),
        &[],
    );
    assert_eq!(qa.code, 0, "{qa:?}");

    let production = doctor(
        dir.path(),
        &[&["--environment", "production"][..], &at].concat(),
        &[],
    );
    production.assert_prints(
        1,
        &["issued by a test CA, but the client is configured for Production"],
    );
    // Today the 2018 certificate has expired.
    let today = doctor(
        dir.path(),
        &["--environment", "test", "--server-chain", chain],
        &[],
    );
    today.assert_prints(1, &["certificate expired"]);
    // Without an environment there is nothing to check the chain against.
    let none = doctor(dir.path(), &["--server-chain", chain], &[]);
    assert_eq!(none.code, 2, "{none:?}");
}

/// The emulator, its CA and a client key store in a folder.
struct Emulator {
    running: Option<RunningEmulator>,
    url: String,
    dir: tempfile::TempDir,
    runtime: tokio::runtime::Runtime,
    p12: String,
    ca: String,
}

impl Emulator {
    fn start() -> Self {
        let runtime = support::own_runtime();
        let running = runtime
            .block_on(PostenEmulator::builder().client(SENDER).start())
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let (ca, p12) = running
            .write_demo_files(dir.path(), SENDER, PASSWORD)
            .unwrap();
        Self {
            url: running.base_url.clone(),
            running: Some(running),
            dir,
            runtime,
            p12: p12.to_string_lossy().into_owned(),
            ca: ca.to_string_lossy().into_owned(),
        }
    }

    fn doctor(&self, args: &[&str]) -> Output {
        let key = [
            "--keystore",
            &self.p12,
            "--password-env",
            PASSWORD_VAR,
            "--trust-roots",
            &self.ca,
        ];
        doctor(
            self.dir.path(),
            &[&key[..], args].concat(),
            &[(PASSWORD_VAR, PASSWORD)],
        )
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(running) = self.running.take() {
            self.runtime.block_on(running.shutdown());
        }
    }
}

#[test]
fn the_online_check_reaches_the_emulator_and_reports_each_failure_with_its_exit_code() {
    let emulator = Emulator::start();
    let url = emulator.url.clone();

    // The emulator as a custom environment: the certificate's CA is no Posten CA (a note),
    // the handshake passes and GET /api/{organization} answers.
    let ok = emulator.doctor(&["--environment", &url]);
    ok.assert_prints(
        0,
        &[
            "TLS handshake passed: the server presented a certificate of organization 984661185",
            &format!("answered HTTP 200 to GET /{SENDER}"),
        ],
    );

    // --url keeps the environment's anchors and expectations: the emulator's certificate is
    // no test certificate (exit 1), while the connection itself still works.
    let test = emulator.doctor(&["--environment", "test", "--url", &url]);
    test.assert_prints(
        1,
        &[
            "a CA neither Posten environment trusts",
            "answered HTTP 200",
        ],
    );

    // A sender the certificate may not act for: the service refuses (exit 3).
    let refused = emulator.doctor(&["--environment", &url, "--sender", "984661185"]);
    assert_eq!(refused.code, 3, "{refused:?}");
    assert!(
        refused.stdout.contains("BROKER_NOT_AUTHORIZED")
            || refused.stdout.contains("not authorized"),
        "{refused:?}"
    );

    // Nothing listening: exit 4 with the reason.
    let unreachable = emulator.doctor(&["--environment", "https://127.0.0.1:1/api"]);
    unreachable.assert_prints(4, &["could not reach Posten signering"]);

    // --json carries the same.
    let json = emulator.doctor(&["--json", "--environment", &url]);
    assert_eq!(json.code, 0, "{json:?}");
    let value: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(value["connection"]["ok"], true);
    assert_eq!(value["connection"]["http_status"], 200);
    assert_eq!(
        value["connection"]["server_certificate"]["organization_number"],
        "984661185"
    );
}
