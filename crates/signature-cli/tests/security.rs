//! Security properties of the `signering` process.
//!
//! - `signering demo` with `SIGNERING_LOG=trace` logs plenty, and no line (stderr or stdout)
//!   holds the demo's personal identification numbers (raw or re-spaced), the Altinn API key,
//!   a bearer token or JWT, a status query token, or private key material.
//! - `signering bundle inspect|verify` on a bundle with path-traversal entry names fail and
//!   write nothing anywhere.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::io::{Cursor, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Runs `signering` with `args` and extra environment, killing it after three minutes.
fn run(args: &[&str], env: &[(&str, &str)], cwd: &Path) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_signering"));
    command
        .args(args)
        .current_dir(cwd)
        .env_remove("SIGNERING_LOG")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in env {
        command.env(key, value);
    }
    let mut child = command.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(180);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("signering {args:?} did not finish within 180 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    child.wait_with_output().unwrap()
}

/// The rest of `line` after each occurrence of `needle`.
fn after<'a>(line: &'a str, needle: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    line.match_indices(needle)
        .map(move |(i, found)| &line[i + found.len()..])
}

/// Whether the line holds a run of exactly eleven digits.
fn eleven_digit_run(line: &str) -> bool {
    let mut run = 0;
    for c in line.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() {
            run += 1;
        } else {
            if run == 11 {
                return true;
            }
            run = 0;
        }
    }
    false
}

/// What is wrong with `line`, if anything.
fn secrets_in(line: &str, pins: &[String], api_key: &str) -> Vec<String> {
    let mut found = Vec::new();
    for pin in pins {
        let (date, personal) = pin.split_at(6);
        for shown in [
            pin.clone(),
            format!("{date} {personal}"),
            format!("{date}-{personal}"),
            format!("{date}.{personal}"),
            format!("{} {} {}", &pin[..2], &pin[2..6], personal),
        ] {
            if line.contains(&shown) {
                found.push(format!("identity number {shown}"));
            }
        }
    }
    if eleven_digit_run(line) {
        found.push("an eleven-digit run".to_owned());
    }
    // The API key is also the prefix of the demo's job references ("signering-demo-direct"),
    // which are not secret; anything else after it is the key itself.
    if after(line, api_key).any(|rest| !rest.starts_with('-')) {
        found.push("the Altinn API key".to_owned());
    }
    let token_chars = |rest: &str, n: usize| {
        rest.chars()
            .take(n)
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
            .count()
            == n
    };
    // The Altinn emulator's ID-porten tokens: "idporten-<hex>".
    if after(line, "idporten-").any(|rest| token_chars(rest, 8)) {
        found.push("an ID-porten bearer token".to_owned());
    }
    if after(line, "Bearer ").any(|rest| token_chars(rest, 8)) {
        found.push("an Authorization header value".to_owned());
    }
    // A JWT: base64url JSON header "eyJ…" followed by a dot.
    if after(line, "eyJ").any(|rest| {
        let body: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
            .collect();
        body.len() >= 8 && rest[body.len()..].starts_with('.')
    }) {
        found.push("a JWT".to_owned());
    }
    if after(line, "status_query_token=").any(|rest| token_chars(rest, 4)) {
        found.push("a status query token".to_owned());
    }
    for (marker, what) in [
        ("-----BEGIN", "a PEM block"),
        ("PRIVATE KEY", "a PEM private key header"),
        // Base64 of the fixed start of an RSA PKCS#8 DER key (version 0, rsaEncryption).
        ("ADANBgkqhkiG9w0BAQEFAASC", "base64 PKCS#8 key material"),
        // Base64 of the start of a PKCS#1 RSA key (version 0, 2048-bit modulus).
        ("AIBAAKCAQEA", "base64 PKCS#1 key material"),
        // Debug output of DER bytes (SEQUENCE of a 2048-bit key).
        ("48, 130, 4,", "DER bytes in Debug form"),
    ] {
        if line.contains(marker) {
            found.push(what.to_owned());
        }
    }
    found
}

#[test]
fn the_detector_finds_what_it_looks_for() {
    let pins = vec!["24068110048".to_owned()];
    let key = "signering-demo";
    let clean = "2026-01-01T00:00:00Z TRACE posten_adapter: call path=/{sender}/portal/signature-jobs reference=signering-demo-direct signer=240681*****";
    assert!(
        secrets_in(clean, &pins, key).is_empty(),
        "{:?}",
        secrets_in(clean, &pins, key)
    );
    for leak in [
        "signer 24068110048",
        "signer 240681 10048",
        "signer 240681-10048",
        "id 12345678901 here",
        "ApiKey: signering-demo",
        "authorization: Bearer idporten-0123456789abcdef",
        "token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln",
        "https://x/exit?status_query_token=abcdef123",
        "-----BEGIN PRIVATE KEY-----",
        "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ",
        "key: [48, 130, 4, 189, 2, 1, 0]",
    ] {
        assert!(!secrets_in(leak, &pins, key).is_empty(), "missed: {leak}");
    }
}

#[test]
#[cfg(feature = "emulator")]
fn demo_at_trace_level_logs_no_identity_numbers_tokens_or_keys() {
    // The values the demo uses: its flows are the examples crate's (a dependency of the
    // `emulator` feature).
    let pins = vec![
        signering_examples::SIGNER_A.to_owned(),
        signering_examples::SIGNER_B.to_owned(),
    ];
    for pin in &pins {
        assert!(
            pin.len() == 11 && pin.bytes().all(|b| b.is_ascii_digit()),
            "{pin}"
        );
    }
    let api_key = signering_examples::flows::altinn2::API_KEY.to_owned();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    let output = run(
        &["demo", "--out", out.to_str().unwrap()],
        &[("SIGNERING_LOG", "trace")],
        dir.path(),
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(0),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );

    // Not vacuous: the adapters' trace output is there.
    let lines: Vec<&str> = stderr.lines().collect();
    let trace = lines.iter().filter(|l| l.contains("TRACE")).count();
    assert!(trace > 0, "no TRACE lines on stderr:\n{stderr}");
    for target in ["posten_adapter", "altinn_adapter"] {
        assert!(
            lines.iter().any(|l| l.contains(target)),
            "no log line from {target}:\n{stderr}"
        );
    }

    let mut leaks = Vec::new();
    for (stream, text) in [("stderr", &stderr), ("stdout", &stdout)] {
        for (number, line) in text.lines().enumerate() {
            for what in secrets_in(line, &pins, &api_key) {
                leaks.push(format!("{stream} line {}: {what}", number + 1));
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "secrets in the demo's output ({} stderr lines, {trace} TRACE):\n{}",
        lines.len(),
        leaks.join("\n")
    );
}

/// Every file under `dir`, relative.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(next) = stack.pop() {
        for entry in std::fs::read_dir(&next).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                found.push(path.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    found.sort();
    found
}

#[test]
fn bundle_commands_never_write_traversal_entries() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path().join("a").join("b");
    std::fs::create_dir_all(&cwd).unwrap();
    let absolute = std::env::temp_dir().join(format!("signering-traversal-{}", std::process::id()));
    let names = [
        "mimetype".to_owned(),
        "../escaped".to_owned(),
        "../../escaped-twice".to_owned(),
        "x/../../../escaped-nested".to_owned(),
        absolute.to_str().unwrap().to_owned(),
        "..\\escaped-backslash".to_owned(),
        "C:/escaped-drive".to_owned(),
    ];
    for hostile in &names[1..] {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        zip.start_file("mimetype", stored).unwrap();
        zip.write_all(b"application/vnd.etsi.asic-e+zip").unwrap();
        zip.start_file(hostile.as_str(), stored).unwrap();
        zip.write_all(b"payload").unwrap();
        let bundle = cwd.join("hostile.asice");
        std::fs::write(&bundle, zip.finish().unwrap().into_inner()).unwrap();

        for command in ["inspect", "verify"] {
            let output = run(&["bundle", command, "hostile.asice"], &[], &cwd);
            // `verify` reports on stdout (the verdict), `inspect` on stderr (an error).
            let stderr = format!(
                "{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
            assert_ne!(
                output.status.code(),
                Some(0),
                "{command} accepted {hostile:?}"
            );
            assert!(
                stderr.contains("unsafe"),
                "{command} on {hostile:?} did not name the unsafe entry:\n{stderr}"
            );
            assert_eq!(
                files_under(dir.path()),
                vec![PathBuf::from("a/b/hostile.asice")],
                "{command} on {hostile:?} wrote files"
            );
            assert!(!absolute.exists(), "{command} wrote {}", absolute.display());
        }
    }
}
