//! End-to-end tests of the `signering` binary: build with a test PKI, inspect, verify, tamper,
//! and bad input. Each checks the exit code and the message, and that no full personal
//! identification number is printed.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use std::ffi::{OsStr, OsString};
use std::io::{Cursor, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use signering_testkit::pki::{LeafSpec, TestPki, make_pki};
use signering_testkit::skip_or_fail;

const PIN_A: &str = "24068110048";
const PIN_B: &str = "01017010170";
const SENDER: &str = "984661185";
const TITLE: &str = "Leieavtale Storgata 1";
const PASSWORD_VAR: &str = "SIGNERING_TEST_KEY_PASSWORD";
const PASSWORD: &str = "hemmelig passord æøå";
const PDF: &[u8] = b"%PDF-1.7\n% test contract: the tenant pays 12 000 kr a month\n%%EOF\n";
const TXT: &[u8] = b"Husordensregler: ro etter klokken 23.\n";

/// One PKI for the whole test binary: RSA key generation is the slow part.
fn pki() -> &'static TestPki {
    static PKI: OnceLock<TestPki> = OnceLock::new();
    PKI.get_or_init(|| make_pki(true, &LeafSpec::default()))
}

struct Output {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Output {
    fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    /// Nothing printed contains a full identity number.
    fn assert_no_pins(&self, pins: &[&str]) {
        for pin in pins {
            assert!(
                !self.all().contains(pin),
                "output contains the identity number {pin}:\n{}",
                self.all()
            );
        }
    }
}

impl std::fmt::Debug for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Runs the binary with no standard input (as in CI) and the password variable only when
/// `password` is given.
fn signering<I, S>(args: I, password: Option<&str>) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut command = Command::new(env!("CARGO_BIN_EXE_signering"));
    command
        .args(args)
        .stdin(Stdio::null())
        .env_remove(PASSWORD_VAR)
        .env("NO_COLOR", "1");
    if let Some(password) = password {
        command.env(PASSWORD_VAR, password);
    }
    let output = command.output().expect("run signering");
    Output {
        code: output.status.code().expect("exit code, not a signal"),
        stdout: String::from_utf8(output.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(output.stderr).expect("UTF-8 stderr"),
    }
}

/// A temporary directory with the PKI as PEM files and two documents.
struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let pki = pki();
        for (name, content) in [
            ("key.pem", pki.key_pem.as_bytes()),
            ("chain.pem", pki.chain_pem.as_bytes()),
            ("leaf.pem", pki.leaf_pem.as_bytes()),
            ("ca.pem", pki.ca_pem.as_bytes()),
            ("root.pem", pki.root_pem.as_bytes()),
            ("Leieavtale.pdf", PDF),
            ("vedlegg.txt", TXT),
        ] {
            std::fs::write(dir.path().join(name), content).unwrap();
        }
        Self { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `keystore.p12` made by `openssl pkcs12 -export` with [`PASSWORD`], or `None` (after
    /// [`skip_or_fail`]) when openssl is missing.
    fn pkcs12(&self, test: &str) -> Option<PathBuf> {
        let out = self.path("keystore.p12");
        let result = Command::new("openssl")
            .arg("pkcs12")
            .arg("-export")
            .arg("-inkey")
            .arg(self.path("key.pem"))
            .arg("-in")
            .arg(self.path("leaf.pem"))
            .arg("-certfile")
            .arg(self.path("ca.pem"))
            .arg("-passout")
            .arg(format!("env:{PASSWORD_VAR}"))
            .arg("-out")
            .arg(&out)
            .env(PASSWORD_VAR, PASSWORD)
            .output();
        match result {
            Ok(output) if output.status.success() => Some(out),
            Ok(output) => panic!(
                "openssl pkcs12 -export failed: {}",
                String::from_utf8_lossy(&output.stderr)
            ),
            Err(_) => {
                skip_or_fail(test, "openssl is not installed (apt-get install openssl)");
                None
            }
        }
    }

    /// `key-encrypted.pem`: the key as encrypted PKCS#8 (AES-256-CBC, PBKDF2), by openssl.
    fn encrypted_key(&self, test: &str) -> Option<PathBuf> {
        let out = self.path("key-encrypted.pem");
        let result = Command::new("openssl")
            .args(["pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in"])
            .arg(self.path("key.pem"))
            .arg("-passout")
            .arg(format!("env:{PASSWORD_VAR}"))
            .arg("-out")
            .arg(&out)
            .env(PASSWORD_VAR, PASSWORD)
            .output();
        match result {
            Ok(output) if output.status.success() => Some(out),
            Ok(output) => panic!(
                "openssl pkcs8 -topk8 failed: {}",
                String::from_utf8_lossy(&output.stderr)
            ),
            Err(_) => {
                skip_or_fail(test, "openssl is not installed (apt-get install openssl)");
                None
            }
        }
    }

    /// `bundle build` with the PEM key, two signers, both documents and `--out out`, plus `extra`.
    fn build_args(&self, out: &str, extra: &[&str]) -> Vec<OsString> {
        let mut args: Vec<OsString> = vec!["bundle".into(), "build".into()];
        args.extend(["--key".into(), self.path("key.pem").into()]);
        args.extend(["--cert".into(), self.path("chain.pem").into()]);
        args.extend(self.job_args(out));
        args.extend(extra.iter().map(OsString::from));
        args
    }

    /// The job part of a build command line (no key options).
    fn job_args(&self, out: &str) -> Vec<OsString> {
        self.job_args_with(SENDER, TITLE, out)
    }

    /// The job part with another sender or title (clap refuses a repeated single option).
    fn job_args_with(&self, sender: &str, title: &str, out: &str) -> Vec<OsString> {
        let mut args: Vec<OsString> = Vec::new();
        for (flag, value) in [
            ("--sender", OsString::from(sender)),
            ("--title", title.into()),
            ("--signer", PIN_A.into()),
            ("--signer", PIN_B.into()),
            ("--document", self.path("Leieavtale.pdf").into()),
            ("--document", self.path("vedlegg.txt").into()),
            ("--out", self.path(out).into()),
        ] {
            args.push(flag.into());
            args.push(value);
        }
        args
    }

    /// Builds `bundle.asice` from the PEM key and returns its path.
    fn built_bundle(&self) -> PathBuf {
        let output = signering(self.build_args("bundle.asice", &[]), None);
        assert_eq!(output.code, 0, "{output:?}");
        self.path("bundle.asice")
    }
}

fn os(path: &Path) -> &OsStr {
    path.as_os_str()
}

/// The bundle with one byte of `entry` changed, written back as a well-formed zip (so only the
/// signature's digest can notice).
fn rewrite_with_tampered_entry(bundle: &[u8], entry: &str) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bundle)).unwrap();
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let mut tampered = false;
    for index in 0..archive.len() {
        let mut file = archive.by_index(index).unwrap();
        let name = file.name().to_owned();
        let options =
            zip::write::SimpleFileOptions::default().compression_method(file.compression());
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).unwrap();
        if name == entry {
            bytes[10] ^= 0x01;
            tampered = true;
        }
        writer.start_file(name, options).unwrap();
        writer.write_all(&bytes).unwrap();
    }
    assert!(tampered, "no entry {entry} in the bundle");
    writer.finish().unwrap().into_inner()
}

#[test]
fn pkcs12_bundle_builds_inspects_and_verifies() {
    let test = "pkcs12_bundle_builds_inspects_and_verifies";
    let fx = Fixture::new();
    let Some(keystore) = fx.pkcs12(test) else {
        return;
    };
    let mut args: Vec<OsString> = vec!["bundle".into(), "build".into()];
    args.extend(["--keystore".into(), keystore.into_os_string()]);
    args.extend(["--password-env".into(), PASSWORD_VAR.into()]);
    args.extend(fx.job_args("bundle.asice"));
    args.extend(["--request-out".into(), fx.path("request.xml").into()]);
    let build = signering(&args, Some(PASSWORD));
    assert_eq!(build.code, 0, "{build:?}");
    build.assert_no_pins(&[PIN_A, PIN_B]);
    assert!(build.stdout.contains("portal job"), "{build:?}");
    assert!(build.stdout.contains("2 signers, 2 documents"), "{build:?}");
    assert!(
        build.stdout.contains("META-INF/signatures.xml"),
        "{build:?}"
    );
    assert!(build.stdout.contains("manifest.xml"), "{build:?}");
    assert!(build.stdout.contains("signed at 20"), "{build:?}");
    // Written through a temporary file beside the output, renamed when complete.
    let leftovers: Vec<_> = std::fs::read_dir(fx.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".signering-bundle"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let request = std::fs::read_to_string(fx.path("request.xml")).unwrap();
    assert!(
        request.contains("portal-signature-job-request"),
        "{request}"
    );

    // Inspect, as text.
    let bundle = fx.path("bundle.asice");
    let inspect = signering(
        [OsStr::new("bundle"), "inspect".as_ref(), os(&bundle)],
        None,
    );
    assert_eq!(inspect.code, 0, "{inspect:?}");
    inspect.assert_no_pins(&[PIN_A, PIN_B]);
    for expected in [
        "Manifest: portal job \"Leieavtale Storgata 1\" from 984661185",
        "2 signers:",
        "240681***** (notified by contact register: e-mail)",
        "010170*****",
        "\"Leieavtale\" Leieavtale.pdf (application/pdf)",
        "\"vedlegg\" vedlegg.txt (text/plain)",
        "Signing time (claimed): 20",
        "subject: ",
        "serialNumber=123456785",
        "issuer:  ",
        "Nothing above is verified",
    ] {
        assert!(
            inspect.stdout.contains(expected),
            "missing {expected:?}: {inspect:?}"
        );
    }

    // Inspect, as JSON, parsed back.
    let json = signering(
        [
            OsStr::new("--json"),
            "bundle".as_ref(),
            "inspect".as_ref(),
            os(&bundle),
        ],
        None,
    );
    assert_eq!(json.code, 0, "{json:?}");
    json.assert_no_pins(&[PIN_A, PIN_B]);
    let report: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON report");
    assert_eq!(report["manifest"]["flow"], "portal");
    assert_eq!(report["manifest"]["title"], "Leieavtale Storgata 1");
    assert_eq!(report["manifest"]["sender"], SENDER);
    assert_eq!(report["manifest"]["signers"].as_array().unwrap().len(), 2);
    assert_eq!(report["manifest"]["signers"][0]["identity"], "240681*****");
    assert_eq!(
        report["manifest"]["signers"][1]["notification"],
        "contact register: e-mail"
    );
    let hrefs: Vec<&str> = report["manifest"]["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["href"].as_str().unwrap())
        .collect();
    assert_eq!(hrefs, ["Leieavtale.pdf", "vedlegg.txt"]);
    let entries: Vec<&str> = report["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        entries,
        [
            "mimetype",
            "Leieavtale.pdf",
            "vedlegg.txt",
            "manifest.xml",
            "META-INF/signatures.xml"
        ]
    );
    assert_eq!(
        report["entries"][1]["size"].as_u64(),
        Some(PDF.len() as u64)
    );
    assert!(report["signing_time"].as_str().unwrap().starts_with("20"));
    let certificates = report["certificates"].as_array().unwrap();
    assert_eq!(certificates.len(), 3, "leaf, intermediate, root");
    assert!(
        certificates[0]["subject"]
            .as_str()
            .unwrap()
            .contains("Testvirksomhet AS")
    );
    assert!(
        certificates[0]["issuer"]
            .as_str()
            .unwrap()
            .contains("Test Mellomledd-CA")
    );
    assert_eq!(report["verified"], false);

    // Verify against the root: valid.
    let verify = signering(
        [
            OsStr::new("bundle"),
            "verify".as_ref(),
            os(&bundle),
            "--trust".as_ref(),
            os(&fx.path("root.pem")),
        ],
        None,
    );
    assert_eq!(verify.code, 0, "{verify:?}");
    verify.assert_no_pins(&[PIN_A, PIN_B]);
    assert!(verify.stdout.starts_with("VALID: "), "{verify:?}");
    assert!(
        verify
            .stdout
            .contains("Signature: valid, signed by serialNumber=123456785,"),
        "{verify:?}"
    );
    assert!(
        verify.stdout.contains("leads to a --trust root"),
        "{verify:?}"
    );
    assert!(
        verify
            .stdout
            .contains("Leieavtale.pdf, vedlegg.txt, manifest.xml"),
        "{verify:?}"
    );
}

#[test]
fn tampered_document_fails_verification_with_the_reason() {
    let fx = Fixture::new();
    let bundle = fx.built_bundle();
    let root = fx.path("root.pem");
    let verify = |path: &Path, json: bool| {
        let mut args: Vec<&OsStr> = Vec::new();
        if json {
            args.push("--json".as_ref());
        }
        args.extend([
            OsStr::new("bundle"),
            "verify".as_ref(),
            os(path),
            "--trust".as_ref(),
            os(&root),
        ]);
        signering(args, None)
    };
    let intact = verify(&bundle, false);
    assert_eq!(intact.code, 0, "{intact:?}");

    // A well-formed zip whose document differs by one bit: the digest check catches it.
    let original = std::fs::read(&bundle).unwrap();
    let tampered = fx.path("tampered.asice");
    std::fs::write(
        &tampered,
        rewrite_with_tampered_entry(&original, "Leieavtale.pdf"),
    )
    .unwrap();
    let output = verify(&tampered, false);
    assert_eq!(output.code, 1, "{output:?}");
    assert!(output.stdout.starts_with("INVALID: "), "{output:?}");
    assert!(
        output
            .stdout
            .contains("digest of file \"Leieavtale.pdf\" does not match its reference"),
        "{output:?}"
    );

    let json = verify(&tampered, true);
    assert_eq!(json.code, 1, "{json:?}");
    let report: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON report");
    assert_eq!(report["valid"], false);
    assert_eq!(report["signature"], serde_json::Value::Null);
    let reasons = report["reasons"].as_array().unwrap();
    assert_eq!(reasons.len(), 1, "{reasons:?}");
    assert!(
        reasons[0].as_str().unwrap().contains("Leieavtale.pdf"),
        "{reasons:?}"
    );

    // A byte flipped in place inside the zip (PDFs are stored, so the content is there as is):
    // the zip's own checksum or the digest catches it.
    let needle = b"tenant pays";
    let at = original
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("the PDF is stored uncompressed");
    let mut flipped = original.clone();
    flipped[at] ^= 0x20;
    let flipped_path = fx.path("flipped.asice");
    std::fs::write(&flipped_path, &flipped).unwrap();
    let output = verify(&flipped_path, false);
    assert_eq!(output.code, 1, "{output:?}");
    assert!(
        output.stdout.contains("  - ") && output.stdout.contains("Leieavtale.pdf"),
        "a reason naming the document: {output:?}"
    );
}

#[test]
fn verify_reports_an_untrusted_chain_and_an_unchecked_one() {
    let fx = Fixture::new();
    let bundle = fx.built_bundle();

    let unchecked = signering([OsStr::new("bundle"), "verify".as_ref(), os(&bundle)], None);
    assert_eq!(unchecked.code, 0, "{unchecked:?}");
    assert!(
        unchecked
            .stdout
            .contains("Certificate chain: NOT checked (no --trust ROOT.pem given)"),
        "{unchecked:?}"
    );

    let other = make_pki(false, &LeafSpec::default());
    let other_root = fx.path("other-root.pem");
    std::fs::write(&other_root, other.root_pem).unwrap();
    let untrusted = signering(
        [
            OsStr::new("--json"),
            "bundle".as_ref(),
            "verify".as_ref(),
            os(&bundle),
            "--trust".as_ref(),
            os(&other_root),
        ],
        None,
    );
    assert_eq!(untrusted.code, 1, "{untrusted:?}");
    let report: serde_json::Value = serde_json::from_str(&untrusted.stdout).unwrap();
    assert_eq!(report["valid"], false);
    assert_eq!(report["chain_trusted"], false);
    assert!(
        report["reasons"][0]
            .as_str()
            .unwrap()
            .starts_with("certificate chain: "),
        "{report}"
    );
}

#[test]
fn direct_flow_needs_exit_urls_and_builds_with_them() {
    let fx = Fixture::new();
    let missing = signering(fx.build_args("direct.asice", &["--flow", "direct"]), None);
    assert_eq!(missing.code, 2, "{missing:?}");
    assert!(
        missing
            .stderr
            .contains("--flow direct needs --exit-url URL"),
        "{missing:?}"
    );
    assert!(!fx.path("direct.asice").exists());

    let partial = signering(
        fx.build_args(
            "direct.asice",
            &[
                "--flow",
                "direct",
                "--completion-url",
                "https://example.com/ok",
            ],
        ),
        None,
    );
    assert_eq!(partial.code, 2, "{partial:?}");

    let notify = signering(
        fx.build_args(
            "direct.asice",
            &[
                "--flow",
                "direct",
                "--exit-url",
                "https://example.com/done",
                "--notify",
                "email",
            ],
        ),
        None,
    );
    assert_eq!(notify.code, 2, "{notify:?}");
    assert!(
        notify
            .stderr
            .contains("--notify belongs to the portal flow")
    );

    let portal_with_url = signering(
        fx.build_args("portal.asice", &["--exit-url", "https://example.com/done"]),
        None,
    );
    assert_eq!(portal_with_url.code, 2, "{portal_with_url:?}");

    let build = signering(
        fx.build_args(
            "direct.asice",
            &[
                "--flow",
                "direct",
                "--exit-url",
                "https://example.com/done",
                "--request-out",
                fx.path("direct-request.xml").to_str().unwrap(),
            ],
        ),
        None,
    );
    assert_eq!(build.code, 0, "{build:?}");
    let request = std::fs::read_to_string(fx.path("direct-request.xml")).unwrap();
    assert!(request.contains("<completion-url>https://example.com/done</completion-url>"));
    assert!(request.contains("<error-url>https://example.com/done</error-url>"));

    let inspect = signering(
        [
            OsStr::new("--json"),
            "bundle".as_ref(),
            "inspect".as_ref(),
            os(&fx.path("direct.asice")),
        ],
        None,
    );
    assert_eq!(inspect.code, 0, "{inspect:?}");
    inspect.assert_no_pins(&[PIN_A, PIN_B]);
    let report: serde_json::Value = serde_json::from_str(&inspect.stdout).unwrap();
    assert_eq!(report["manifest"]["flow"], "direct");
    assert_eq!(report["manifest"]["signers"][1]["identity"], "010170*****");
    assert_eq!(
        report["manifest"]["signers"][1]["notification"],
        serde_json::Value::Null
    );
}

#[test]
fn email_and_sms_notification_and_build_json_summary() {
    let fx = Fixture::new();
    let output = signering(
        [OsString::from("--json")]
            .into_iter()
            .chain(fx.build_args("sms.asice", &["--notify", "email-and-sms"])),
        None,
    );
    assert_eq!(output.code, 0, "{output:?}");
    output.assert_no_pins(&[PIN_A, PIN_B]);
    let summary: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(summary["flow"], "portal");
    assert_eq!(summary["signers"], 2);
    assert_eq!(summary["sender"], SENDER);
    assert_eq!(summary["documents"][0]["media_type"], "application/pdf");
    assert_eq!(summary["documents"][1]["title"], "vedlegg");
    assert_eq!(
        summary["bundle_bytes"].as_u64(),
        Some(std::fs::metadata(fx.path("sms.asice")).unwrap().len())
    );
    assert_eq!(summary["entries"].as_array().unwrap().len(), 5);
    assert!(
        summary["signer_subject"]
            .as_str()
            .unwrap()
            .starts_with("serialNumber=123456785,"),
        "{summary}"
    );

    let inspect = signering(
        [
            OsStr::new("bundle"),
            "inspect".as_ref(),
            os(&fx.path("sms.asice")),
        ],
        None,
    );
    assert!(
        inspect
            .stdout
            .contains("240681***** (notified by contact register: e-mail and SMS)"),
        "{inspect:?}"
    );
}

#[test]
fn encrypted_pem_key_with_password_env_and_wrong_password() {
    let test = "encrypted_pem_key_with_password_env_and_wrong_password";
    let fx = Fixture::new();
    let Some(key) = fx.encrypted_key(test) else {
        return;
    };
    let args = |out: &str| {
        let mut args: Vec<OsString> = vec!["bundle".into(), "build".into()];
        args.extend(["--key".into(), key.clone().into_os_string()]);
        args.extend(["--cert".into(), fx.path("chain.pem").into()]);
        args.extend(["--password-env".into(), PASSWORD_VAR.into()]);
        args.extend(fx.job_args(out));
        args
    };
    let ok = signering(args("enc.asice"), Some(PASSWORD));
    assert_eq!(ok.code, 0, "{ok:?}");

    let wrong = signering(args("wrong.asice"), Some("not the password"));
    assert_eq!(wrong.code, 1, "{wrong:?}");
    assert!(
        wrong
            .stderr
            .contains("wrong password for the encrypted private key"),
        "{wrong:?}"
    );
    assert!(!fx.path("wrong.asice").exists());

    // Encrypted, no --password-env, no terminal: refuses to prompt.
    let mut no_env = args("no-env.asice");
    no_env.retain(|a| a != "--password-env" && a != PASSWORD_VAR);
    let refused = signering(no_env, None);
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(
        refused.stderr.contains("standard input is not a terminal"),
        "{refused:?}"
    );
}

#[test]
fn wrong_pkcs12_password_is_rejected() {
    let test = "wrong_pkcs12_password_is_rejected";
    let fx = Fixture::new();
    let Some(keystore) = fx.pkcs12(test) else {
        return;
    };
    let mut args: Vec<OsString> = vec!["bundle".into(), "build".into()];
    args.extend(["--keystore".into(), keystore.into_os_string()]);
    args.extend(["--password-env".into(), PASSWORD_VAR.into()]);
    args.extend(fx.job_args("bundle.asice"));
    let output = signering(&args, Some("feil passord"));
    assert_eq!(output.code, 1, "{output:?}");
    assert_eq!(
        output.stderr.trim(),
        "signering: error: cannot use the signing key: wrong password for the PKCS#12 file"
    );
    assert!(!output.all().contains("feil passord"));
    assert!(!fx.path("bundle.asice").exists());

    // The variable is not set at all: a usage error naming it.
    let unset = signering(&args, None);
    assert_eq!(unset.code, 2, "{unset:?}");
    assert!(
        unset
            .stderr
            .contains(&format!("environment variable {PASSWORD_VAR}")),
        "{unset:?}"
    );

    // No --password-env and no terminal: refuses to prompt.
    args.retain(|a| a != "--password-env" && a != PASSWORD_VAR);
    let refused = signering(&args, None);
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(refused.stderr.contains("--password-env"), "{refused:?}");
}

#[test]
fn missing_document_file_is_an_io_error_naming_it() {
    let fx = Fixture::new();
    let mut args = fx.build_args("bundle.asice", &[]);
    args.extend(["--document".into(), fx.path("finnes-ikke.pdf").into()]);
    let output = signering(args, None);
    assert_eq!(output.code, 2, "{output:?}");
    assert!(
        output.stderr.starts_with("signering: error: cannot read "),
        "{output:?}"
    );
    assert!(output.stderr.contains("finnes-ikke.pdf"), "{output:?}");
    assert!(!fx.path("bundle.asice").exists());
}

#[test]
fn invalid_pin_is_rejected_without_printing_it() {
    let fx = Fixture::new();
    let bad_pin = "24068110049"; // wrong check digit
    let mut args = fx.build_args("bundle.asice", &[]);
    args.extend(["--signer".into(), bad_pin.into()]);
    let output = signering(args, None);
    assert_eq!(output.code, 1, "{output:?}");
    assert_eq!(
        output.stderr.trim(),
        "signering: error: invalid signing job: --signer number 3: invalid personal \
         identification number: the check digits do not match"
    );
    output.assert_no_pins(&[bad_pin, PIN_A, PIN_B]);

    // A duplicate signer is named by position too.
    let mut args = fx.build_args("bundle.asice", &[]);
    args.extend(["--signer".into(), PIN_A.into()]);
    let duplicate = signering(args, None);
    assert_eq!(duplicate.code, 1, "{duplicate:?}");
    assert!(
        duplicate
            .stderr
            .contains("--signer number 3 is the same person as --signer number 1"),
        "{duplicate:?}"
    );
    assert!(!fx.path("bundle.asice").exists());
}

#[test]
fn identity_numbers_in_usage_errors_are_masked() {
    let fx = Fixture::new();
    // A forgotten `--signer` makes the number a stray argument, which clap quotes.
    let mut args = fx.build_args("bundle.asice", &[]);
    args.push("31129956715".into());
    let output = signering(args, None);
    assert_eq!(output.code, 2, "{output:?}");
    assert!(output.stderr.contains("311299*****"), "{output:?}");
    output.assert_no_pins(&["31129956715", PIN_A, PIN_B]);
}

#[test]
fn unknown_document_extension_names_the_file() {
    let fx = Fixture::new();
    std::fs::write(fx.path("brev.docx"), b"PK").unwrap();
    let mut args = fx.build_args("bundle.asice", &[]);
    args.extend(["--document".into(), fx.path("brev.docx").into()]);
    let output = signering(args, None);
    assert_eq!(output.code, 1, "{output:?}");
    assert!(output.stderr.contains("brev.docx"), "{output:?}");
    assert!(
        output.stderr.contains(
            "unsupported file type .docx; use .pdf (application/pdf) or .txt (text/plain)"
        ),
        "{output:?}"
    );
}

#[test]
fn invalid_sender_and_title_name_the_flag() {
    let fx = Fixture::new();
    let with = |sender: &str, title: &str| {
        let mut args: Vec<OsString> = vec!["bundle".into(), "build".into()];
        args.extend(["--key".into(), fx.path("key.pem").into()]);
        args.extend(["--cert".into(), fx.path("chain.pem").into()]);
        args.extend(fx.job_args_with(sender, title, "bundle.asice"));
        signering(args, None)
    };
    let sender = with("984661186", TITLE);
    assert_eq!(sender.code, 1, "{sender:?}");
    assert!(
        sender
            .stderr
            .contains("--sender: invalid organization number: the check digit does not match"),
        "{sender:?}"
    );

    let title = with(SENDER, &"x".repeat(81));
    assert_eq!(title.code, 1, "{title:?}");
    assert!(
        title
            .stderr
            .contains("--title: the title must be 1–80 characters long, but is 81"),
        "{title:?}"
    );
    assert!(!fx.path("bundle.asice").exists());

    // A repeated single-valued option is a usage error.
    let mut args = fx.build_args("bundle.asice", &[]);
    args.extend(["--sender".into(), SENDER.into()]);
    let repeated = signering(args, None);
    assert_eq!(repeated.code, 2, "{repeated:?}");
}

#[test]
fn unreadable_or_malformed_bundles() {
    let fx = Fixture::new();
    let missing = fx.path("missing.asice");
    for command in ["inspect", "verify"] {
        let output = signering([OsStr::new("bundle"), command.as_ref(), os(&missing)], None);
        assert_eq!(output.code, 2, "{command}: {output:?}");
        assert!(output.stderr.contains("cannot read "), "{output:?}");
        assert!(output.stderr.contains("missing.asice"), "{output:?}");
    }

    let not_zip = fx.path("Leieavtale.pdf");
    let inspect = signering(
        [OsStr::new("bundle"), "inspect".as_ref(), os(&not_zip)],
        None,
    );
    assert_eq!(inspect.code, 1, "{inspect:?}");
    assert!(
        inspect.stderr.contains("is not a readable document bundle"),
        "{inspect:?}"
    );
    let verify = signering(
        [OsStr::new("bundle"), "verify".as_ref(), os(&not_zip)],
        None,
    );
    assert_eq!(verify.code, 1, "{verify:?}");
    assert!(
        verify.stdout.contains("not a readable zip file"),
        "{verify:?}"
    );

    // A --trust file without a certificate is a usage error, not a verdict on the bundle.
    let bundle = fx.built_bundle();
    let trust = signering(
        [
            OsStr::new("bundle"),
            "verify".as_ref(),
            os(&bundle),
            "--trust".as_ref(),
            os(&fx.path("vedlegg.txt")),
        ],
        None,
    );
    assert_eq!(trust.code, 2, "{trust:?}");
    assert!(trust.stderr.contains("--trust "), "{trust:?}");
}

#[test]
fn usage_errors_and_help() {
    let none = signering(Vec::<&str>::new(), None);
    assert_eq!(none.code, 2, "{none:?}");

    let fx = Fixture::new();
    let both = signering(
        fx.build_args("bundle.asice", &["--keystore", "x.p12"]),
        None,
    );
    assert_eq!(both.code, 2, "{both:?}");

    for command in [
        &["--help"][..],
        &["bundle", "--help"],
        &["bundle", "inspect", "--help"],
    ] {
        let help = signering(command, None);
        assert_eq!(help.code, 0, "{help:?}");
        assert!(help.stdout.contains("Exit codes:"), "{help:?}");
    }

    let help = signering(["bundle", "verify", "--help"], None);
    assert_eq!(help.code, 0, "{help:?}");
    assert!(help.stdout.contains("Exit codes:"), "{help:?}");
    assert!(help.stdout.contains("--trust <ROOT.pem>"), "{help:?}");

    let help = signering(["bundle", "build", "--help"], None);
    assert_eq!(help.code, 0, "{help:?}");
    for flag in [
        "--keystore",
        "--password-env",
        "--notify",
        "email-and-sms",
        "--exit-url",
        "--request-out",
        "2  usage or I/O error",
    ] {
        assert!(help.stdout.contains(flag), "missing {flag}: {help:?}");
    }
}
