//! End-to-end tests of the `signering` binary with wrong passwords and bad input: missing files,
//! invalid identity numbers, senders and titles, unreadable bundles and usage errors, each
//! without printing a full personal identification number.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;
use support::cli::*;

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
    wrong.assert_error(1, "wrong password for the encrypted private key");
    assert!(!fx.path("wrong.asice").exists());

    // Encrypted, no --password-env, no terminal: refuses to prompt.
    let mut no_env = args("no-env.asice");
    no_env.retain(|a| a != "--password-env" && a != PASSWORD_VAR);
    let refused = signering(no_env, None);
    refused.assert_error(2, "standard input is not a terminal");
}

#[test]
fn wrong_pkcs12_password_is_rejected() {
    let test = "wrong_pkcs12_password_is_rejected";
    let fx = Fixture::new();
    let Some(mut args) = fx.pkcs12_build_args(test, "bundle.asice") else {
        return;
    };
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
    unset.assert_error(2, &format!("environment variable {PASSWORD_VAR}"));

    // No --password-env and no terminal: refuses to prompt.
    args.retain(|a| a != "--password-env" && a != PASSWORD_VAR);
    let refused = signering(&args, None);
    refused.assert_error(2, "--password-env");
}

#[test]
fn missing_document_file_is_an_io_error_naming_it() {
    let fx = Fixture::new();
    let missing = fx.path("finnes-ikke.pdf");
    let output = signering(
        fx.build_args("bundle.asice", &["--document", missing.to_str().unwrap()]),
        None,
    );
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
    let output = signering(fx.build_args("bundle.asice", &["--signer", bad_pin]), None);
    assert_eq!(output.code, 1, "{output:?}");
    assert_eq!(
        output.stderr.trim(),
        "signering: error: invalid signing job: --signer number 3: invalid personal \
         identification number: the check digits do not match"
    );
    output.assert_without(&[bad_pin, PIN_A, PIN_B]);

    // A duplicate signer is named by position too.
    let duplicate = signering(fx.build_args("bundle.asice", &["--signer", PIN_A]), None);
    duplicate.assert_error(
        1,
        "--signer number 3 is the same person as --signer number 1",
    );
    assert!(!fx.path("bundle.asice").exists());
}

#[test]
fn identity_numbers_in_usage_errors_are_masked() {
    let fx = Fixture::new();
    // A forgotten `--signer` makes the number a stray argument, which clap quotes.
    let output = signering(fx.build_args("bundle.asice", &["31129956715"]), None);
    output.assert_error(2, "311299*****");
    output.assert_without(&["31129956715", PIN_A, PIN_B]);
}

#[test]
fn unknown_document_extension_names_the_file() {
    let fx = Fixture::new();
    std::fs::write(fx.path("brev.docx"), b"PK").unwrap();
    let docx = fx.path("brev.docx");
    let output = signering(
        fx.build_args("bundle.asice", &["--document", docx.to_str().unwrap()]),
        None,
    );
    output.assert_error(1, "brev.docx");
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
    sender.assert_error(
        1,
        "--sender: invalid organization number: the check digit does not match",
    );

    let title = with(SENDER, &"x".repeat(81));
    title.assert_error(
        1,
        "--title: the title must be 1–80 characters long, but is 81",
    );
    assert!(!fx.path("bundle.asice").exists());

    // A repeated single-valued option is a usage error.
    let repeated = signering(fx.build_args("bundle.asice", &["--sender", SENDER]), None);
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

    // Not a zip: `inspect` refuses it on stderr, `verify` reports it in its verdict on stdout.
    let not_zip = fx.path("Leieavtale.pdf");
    for (command, on_stdout, expected) in [
        ("inspect", false, "is not a readable document bundle"),
        ("verify", true, "not a readable zip file"),
    ] {
        let output = signering([OsStr::new("bundle"), command.as_ref(), os(&not_zip)], None);
        assert_eq!(output.code, 1, "case {command}: {output:?}");
        let shown = if on_stdout {
            &output.stdout
        } else {
            &output.stderr
        };
        assert!(shown.contains(expected), "case {command}: {output:?}");
    }

    // A --trust file without a certificate is a usage error, not a verdict on the bundle.
    let bundle = fx.built_bundle();
    let trust = verify_with_trust(&bundle, &fx.path("vedlegg.txt"), false);
    trust.assert_error(2, "--trust ");
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
        help.assert_prints(0, &["Exit codes:"]);
    }

    let help = signering(["bundle", "verify", "--help"], None);
    help.assert_prints(0, &["Exit codes:", "--trust <ROOT.pem>"]);

    let help = signering(["bundle", "build", "--help"], None);
    help.assert_prints(
        0,
        &[
            "--keystore",
            "--password-env",
            "--notify",
            "email-and-sms",
            "--exit-url",
            "--request-out",
            "2  usage or I/O error",
        ],
    );
}
