//! `signering bundle build` and `doctor` with the enterprise key on a SoftHSM2 token, imported
//! sensitive and not extractable: the bundle passes xmlsec1, signxml and our verifier; token
//! failures are clear and never show the PIN.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use signering_testkit::softhsm::{self, KEY_LABEL, PIN, SoftHsm, TOKEN};
use support::{Output, signering};

const MODULE_ARG: &str = "--pkcs11-module";

fn token(test: &str) -> Option<SoftHsm> {
    softhsm::module(test).map(SoftHsm::create)
}

fn run(hsm: &SoftHsm, args: &[&str], pin: &str) -> Output {
    let conf = hsm.conf.to_str().unwrap();
    signering(hsm.dir(), args, &[("SOFTHSM2_CONF", conf), ("PIN", pin)])
}

fn write_documents(dir: &Path) {
    std::fs::write(dir.join("avtale.pdf"), b"%PDF-1.7\navtale\n").unwrap();
    std::fs::write(dir.join("vedlegg.txt"), "Vedlegg æøå\n").unwrap();
}

/// The exact invocation of the issue, with the token's module and a PEM chain.
fn build(hsm: &SoftHsm, token: &str, key: &str, pin: &str) -> Output {
    let module = hsm.module.to_str().unwrap().to_owned();
    run(
        hsm,
        &[
            "bundle",
            "build",
            MODULE_ARG,
            &module,
            "--pkcs11-token",
            token,
            "--pkcs11-key",
            key,
            "--pkcs11-pin-env",
            "PIN",
            "--cert",
            "chain.pem",
            "--sender",
            "984661185",
            "--title",
            "Avtale",
            "--signer",
            "24068110048",
            "--document",
            "avtale.pdf",
            "--document",
            "vedlegg.txt",
            "--out",
            "bundle.asice",
        ],
        pin,
    )
}

#[test]
fn bundle_build_with_a_token_key_is_accepted_by_every_verifier() {
    let Some(hsm) = token("bundle_build_with_a_token_key_is_accepted_by_every_verifier") else {
        return;
    };
    write_documents(hsm.dir());
    let out = build(&hsm, TOKEN, KEY_LABEL, PIN);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!format!("{out:?}").contains(PIN));
    let bundle = hsm.dir().join("bundle.asice");
    let verify = run(
        &hsm,
        &["bundle", "verify", "bundle.asice", "--trust", "root.pem"],
        PIN,
    );
    assert_eq!(verify.code, 0, "{verify:?}");
    independent_verifiers(&bundle, &hsm.dir().join("root.pem"));
}

#[test]
fn token_failures_are_clear_and_never_show_the_pin() {
    let Some(hsm) = token("token_failures_are_clear_and_never_show_the_pin") else {
        return;
    };
    write_documents(hsm.dir());
    let cases = [
        (
            "no-such-token",
            KEY_LABEL,
            PIN,
            "no token labelled \"no-such-token\"",
        ),
        (TOKEN, "nope", PIN, "no RSA private key labelled \"nope\""),
        (TOKEN, KEY_LABEL, "999999", "wrong PIN"),
    ];
    for (token, key, pin, expected) in cases {
        let out = build(&hsm, token, key, pin);
        assert_ne!(out.code, 0, "{out:?}");
        assert!(out.stderr.contains(expected), "{expected}: {out:?}");
        assert!(!format!("{out:?}").contains("999999"), "{out:?}");
    }
    let mut args = vec!["bundle", "build", MODULE_ARG, "/nonexistent/libvendor.so"];
    args.extend(["--pkcs11-token", TOKEN, "--pkcs11-pin-env", "PIN"]);
    args.extend([
        "--sender",
        "984661185",
        "--title",
        "A",
        "--signer",
        "24068110048",
    ]);
    args.extend(["--document", "avtale.pdf", "--out", "b.asice"]);
    let out = run(&hsm, &args, PIN);
    assert!(out.stderr.contains("/nonexistent/libvendor.so"), "{out:?}");
}

#[test]
fn doctor_checks_the_certificate_on_the_token() {
    let Some(hsm) = token("doctor_checks_the_certificate_on_the_token") else {
        return;
    };
    let module = hsm.module.to_str().unwrap().to_owned();
    // `doctor --offline` with the module, the PIN's variable and `token_args`.
    let doctor = |token_args: &[&str]| {
        let mut args = vec!["doctor", "--offline", MODULE_ARG, module.as_str()];
        args.extend(token_args);
        args.extend(["--pkcs11-pin-env", "PIN"]);
        run(&hsm, &args, PIN)
    };
    let out = doctor(&["--pkcs11-token", TOKEN, "--pkcs11-key", KEY_LABEL]);
    assert!(out.stdout.contains("Testvirksomhet"), "{out:?}");
    assert!(!format!("{out:?}").contains(PIN));
    let out = doctor(&["--pkcs11-token", "missing"]);
    assert_ne!(out.code, 0, "{out:?}");
    assert!(out.stderr.contains("docs/hsm-keys.md"), "{out:?}");
}

fn independent_verifiers(bundle: &Path, root: &Path) {
    let tools = signering_testkit::workspace_root().join("crates/asice/tests/tools");
    let python = std::env::var_os("SIGNXML_VENV")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache/signering-verifiers"))
        })
        .map(|v| v.join("bin/python"))
        .filter(|p| p.is_file());
    let have_xmlsec = Command::new("xmlsec1").arg("--version").output().is_ok();
    let (Some(python), true) = (python, have_xmlsec) else {
        signering_testkit::skip_or_fail(
            "independent verifiers of the token-signed bundle",
            "xmlsec1 or signxml (SIGNXML_VENV) missing",
        );
        return;
    };
    let unpacked = bundle.with_extension("d");
    let ok = |cmd: &mut Command| {
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{cmd:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    };
    ok(Command::new("unzip")
        .arg("-q")
        .arg(bundle)
        .arg("-d")
        .arg(&unpacked));
    ok(Command::new("bash")
        .arg(tools.join("xmlsec_verify.sh"))
        .arg(&unpacked)
        .arg(root));
    // Files signed: the two documents and the manifest, plus the signature.
    ok(Command::new(python)
        .arg(tools.join("signxml_verify.py"))
        .arg(&unpacked)
        .arg(root)
        .arg("4"));
}
