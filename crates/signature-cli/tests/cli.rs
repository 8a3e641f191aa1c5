//! End-to-end tests of the `signering` binary: build with a test PKI, inspect, verify, tamper,
//! direct flow and notifications. Each checks the exit code and the message, and that no full
//! personal identification number is printed. Passwords and bad input are in cli_input.rs.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;
use support::cli::*;

#[test]
fn pkcs12_bundle_builds_inspects_and_verifies() {
    let test = "pkcs12_bundle_builds_inspects_and_verifies";
    let fx = Fixture::new();
    let Some(mut args) = fx.pkcs12_build_args(test, "bundle.asice") else {
        return;
    };
    args.extend(["--request-out".into(), fx.path("request.xml").into()]);
    let build = signering(&args, Some(PASSWORD));
    assert_eq!(build.code, 0, "{build:?}");
    build.assert_without(&[PIN_A, PIN_B]);
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
    inspect.assert_without(&[PIN_A, PIN_B]);
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
    json.assert_without(&[PIN_A, PIN_B]);
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
    let hrefs = strs_of(&report["manifest"]["documents"], "href");
    assert_eq!(hrefs, ["Leieavtale.pdf", "vedlegg.txt"]);
    let entries = strs_of(&report["entries"], "name");
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
    let verify = verify_with_trust(&bundle, &fx.path("root.pem"), false);
    verify.assert_prints(
        0,
        &[
            "Signature: valid, signed by serialNumber=123456785,",
            "leads to a --trust root",
            "Leieavtale.pdf, vedlegg.txt, manifest.xml",
        ],
    );
    verify.assert_without(&[PIN_A, PIN_B]);
    assert!(verify.stdout.starts_with("VALID: "), "{verify:?}");
}

#[test]
fn tampered_document_fails_verification_with_the_reason() {
    let fx = Fixture::new();
    let bundle = fx.built_bundle();
    let root = fx.path("root.pem");
    let verify = |path: &Path, json: bool| verify_with_trust(path, &root, json);
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
    output.assert_prints(
        1,
        &["digest of file \"Leieavtale.pdf\" does not match its reference"],
    );
    assert!(output.stdout.starts_with("INVALID: "), "{output:?}");

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
    unchecked.assert_prints(
        0,
        &["Certificate chain: NOT checked (no --trust ROOT.pem given)"],
    );

    let other = make_pki(false, &LeafSpec::default());
    let other_root = fx.path("other-root.pem");
    std::fs::write(&other_root, other.root_pem).unwrap();
    let untrusted = verify_with_trust(&bundle, &other_root, true);
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
    // `bundle build --flow direct` into direct.asice with `extra`.
    let direct = |extra: &[&str]| {
        let mut args = vec!["--flow", "direct"];
        args.extend(extra);
        signering(fx.build_args("direct.asice", &args), None)
    };
    let done = "https://example.com/done";
    let missing = direct(&[]);
    missing.assert_error(2, "--flow direct needs --exit-url URL");
    assert!(!fx.path("direct.asice").exists());

    let partial = direct(&["--completion-url", "https://example.com/ok"]);
    assert_eq!(partial.code, 2, "{partial:?}");

    let notify = direct(&["--exit-url", done, "--notify", "email"]);
    assert_eq!(notify.code, 2, "{notify:?}");
    assert!(
        notify
            .stderr
            .contains("--notify belongs to the portal flow")
    );

    let portal_with_url = signering(fx.build_args("portal.asice", &["--exit-url", done]), None);
    assert_eq!(portal_with_url.code, 2, "{portal_with_url:?}");

    let request_out = fx.path("direct-request.xml");
    let build = direct(&[
        "--exit-url",
        done,
        "--request-out",
        request_out.to_str().unwrap(),
    ]);
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
    inspect.assert_without(&[PIN_A, PIN_B]);
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
    output.assert_without(&[PIN_A, PIN_B]);
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
