//! `signering emulator` on a fixed address with a system user, and `signering altinn3` logged
//! in as that system user (Maskinporten grant with `--key`/`--kid` and `--system-user`):
//! create an instance for the customer, find it through Dialogporten, sign, read the state.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const CUSTOMER: &str = "310000001";
const APP: &str = "ttd/signing-demo";

/// Stops the emulator process however the test ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `signering emulator ARGS` and returns it with the lines printed up to "Ctrl-C".
fn emulator(args: &[&str]) -> (Running, Vec<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_signering"))
        .arg("emulator")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let running = Running(child);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if tx.send(line.unwrap_or_default()).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !seen.iter().any(|l: &String| l.contains("Ctrl-C")) {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(line) => seen.push(line),
            Err(_) => panic!("the emulator printed no Ctrl-C line: {seen:?}"),
        }
    }
    (running, seen)
}

/// A port that was free a moment ago.
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[test]
fn a_system_user_signs_from_the_command_line_against_the_emulator_command() {
    let dir = tempfile::tempdir().unwrap();
    let tokens = dir.path().join("tokens");
    let port = free_port();
    let address = format!("127.0.0.1:{port}");
    let (_running, lines) = emulator(&[
        "--altinn3-listen",
        &address,
        "--altinn3-system-user",
        &format!("{CUSTOMER}:Eksempel AS"),
        "--write-tokens",
        tokens.to_str().unwrap(),
    ]);
    let all = lines.join("\n");
    // The fixed address is the one served.
    let url = format!("http://{address}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("Altinn 3 emulator") && l.contains(&url)),
        "{all}"
    );
    let key = tokens.join("altinn3-client-key.pem");
    assert!(key.is_file(), "{all}");
    assert!(all.contains(&format!("--system-user {CUSTOMER}")), "{all}");

    let issuer = format!("{url}/maskinporten/");
    let envs = [
        ("SIGNERING_ALTINN3_URL", url.as_str()),
        ("SIGNERING_MASKINPORTEN_CLIENT_ID", "signering-emulator"),
        ("SIGNERING_ALTINN3_KEY", key.to_str().unwrap()),
        ("SIGNERING_ALTINN3_KID", "signering-emulator-key"),
        ("SIGNERING_MASKINPORTEN", issuer.as_str()),
        ("SIGNERING_ALTINN3_SYSTEM_USER", CUSTOMER),
    ];
    let run = |args: &[&str]| support::signering(dir.path(), args, &envs);
    std::fs::write(dir.path().join("form.xml"), "<Skjema/>").unwrap();
    let created = run(&[
        "--json",
        "altinn3",
        "instances",
        "create",
        "--app",
        APP,
        "--org",
        CUSTOMER,
        "--data",
        "model:form.xml",
    ]);
    assert_eq!(created.code, 0, "{created:?}");
    let created: Value = serde_json::from_str(&created.stdout).unwrap();
    let instance = created["instance"].as_str().unwrap().to_owned();

    // Dialogporten: the default scope carries digdir:dialogporten.
    let awaiting = run(&["--json", "altinn3", "awaiting", "--app", APP]);
    assert_eq!(awaiting.code, 0, "{awaiting:?}");
    let awaiting: Value = serde_json::from_str(&awaiting.stdout).unwrap();
    assert_eq!(awaiting["awaiting"][0]["instance"], instance.as_str());

    let signed = run(&["--json", "altinn3", "sign", &instance]);
    assert_eq!(signed.code, 0, "{signed:?}");
    let signed: Value = serde_json::from_str(&signed.stdout).unwrap();
    assert_eq!(signed["signees"][0]["name"], "System", "{signed}");
    assert_eq!(
        signed["signees"][0]["organization"], "Eksempel AS",
        "{signed}"
    );

    // A customer without a system user gets no token: Maskinporten's MP-303.
    let mut other = envs.to_vec();
    other.retain(|(name, _)| *name != "SIGNERING_ALTINN3_SYSTEM_USER");
    other.push(("SIGNERING_ALTINN3_SYSTEM_USER", "311111110"));
    let refused = support::signering(
        dir.path(),
        &["altinn3", "instances", "show", &instance],
        &other,
    );
    assert_ne!(refused.code, 0, "{refused:?}");
    assert!(
        refused
            .stderr
            .contains("invalid_altinn_customer_configuration"),
        "{refused:?}"
    );
}

/// The Altinn 2 emulator takes a fixed address too.
#[test]
fn the_altinn_2_emulator_listens_on_a_fixed_address() {
    let address = format!("127.0.0.1:{}", free_port());
    let (_running, lines) = emulator(&["--altinn-listen", &address]);
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("Altinn 2 emulator") && l.contains(&address)),
        "{lines:?}"
    );
}
