//! The `signering` binary as a user runs it: the Altinn message commands against the Altinn
//! emulator, configuration precedence, bad input, logging, completions and help.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;
use support::commands::*;

#[test]
fn altinn_messages_submit_list_show_signing_text_and_sign() {
    let emulator = runtime()
        .block_on(AltinnEmulator::builder().api_key("cli-test-key").start())
        .unwrap();
    let token = emulator.issue_token(4);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("api-key"), "cli-test-key\n").unwrap();
    std::fs::write(
        dir.path().join("form.xml"),
        "<Skjema><Navn>Test AS</Navn></Skjema>",
    )
    .unwrap();
    let envs = [
        ("SIGNERING_ALTINN_URL", emulator.base_url()),
        ("SIGNERING_ALTINN_API_KEY_FILE", "api-key"),
        ("SIGNERING_ALTINN_TOKEN", token.as_str()),
    ];
    let run = |args: &[&str]| run_in(dir.path(), args, &envs);

    let submitted = run(&[
        "--json",
        "altinn",
        "messages",
        "submit",
        "--service-code",
        "4711",
        "--service-edition",
        "1",
        "--main-form",
        "5703:34554:form.xml",
    ])
    .ok()
    .json();
    let id = str_of(&submitted, "id").to_owned();

    let list = run(&[
        "--json",
        "altinn",
        "messages",
        "list",
        "--filter",
        "Status eq 'Signering'",
    ])
    .ok()
    .json();
    let found = list["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == id.as_str())
        .expect("the submitted message is listed");
    assert_eq!(found["status"], "Signing");
    assert_eq!(found["service_code"], "4711");
    let human = run(&["altinn", "messages", "list"]).ok();
    assert!(human.stdout.contains(&id), "{human:?}");

    let shown = run(&["--json", "altinn", "messages", "show", &id])
        .ok()
        .json();
    assert_eq!(shown["forms"][0]["data_format_id"], "5703");
    let text = run(&["altinn", "messages", "signing-text", &id]).ok();
    assert!(!text.stdout.trim().is_empty(), "{text:?}");
    assert!(!text.stdout.contains(&token) && !text.stderr.contains(&token));

    let signed = run(&["--json", "altinn", "messages", "sign", &id])
        .ok()
        .json();
    assert_eq!(signed["archived"], true, "{signed}");
    assert!(str_of(&signed, "archived_id").starts_with('b'));

    // Partial signature: the locked main form must be included.
    let partial = emulator.add_form_task(
        "my",
        FormTaskSeed::new("4711", 1)
            .main_form("5703", "34554", "<a/>")
            .form(false, "5704", "1", "<b/>", false, false),
    );
    let shown = run(&["--json", "altinn", "messages", "show", &partial])
        .ok()
        .json();
    let main = shown["forms"][0]["id"].as_i64().unwrap().to_string();
    let sub = shown["forms"][1]["id"].as_i64().unwrap().to_string();
    let refused = run(&["altinn", "messages", "sign", &partial, "--form", &sub]);
    refused.assert_error(1, "locks as signed");
    let signed = run(&[
        "--json", "altinn", "messages", "sign", &partial, "--form", &main,
    ])
    .ok()
    .json();
    assert_eq!(signed["partial"], true);

    // A wrong API key is the service's refusal.
    std::fs::write(dir.path().join("api-key"), "wrong\n").unwrap();
    let refused = run(&["altinn", "messages", "list"]);
    assert_eq!(refused.code, 3, "{refused:?}");
    assert!(
        refused.stderr.starts_with("signering: error: Altinn: "),
        "{refused:?}"
    );
}

#[test]
fn configuration_precedence_file_then_environment_then_flags() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("signering.toml"),
        "[posten]\nsender = \"111111111\"\nrate_limit = 3\nkeystore = \"k.p12\"\n\
         keystore_password_env = \"MY_PASSWORD\"\n[altinn]\nenvironment = \"tt02\"\n",
    )
    .unwrap();
    let show = |envs: &[(&str, &str)], flags: &[&str]| {
        let mut args = vec!["--json", "config", "show"];
        args.extend_from_slice(flags);
        let out = run_in(dir.path(), &args, envs).ok();
        let json = out.json();
        let settings: BTreeMap<String, (Value, Value)> = json["settings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    str_of(s, "key").to_owned(),
                    (s["value"].clone(), s["source"].clone()),
                )
            })
            .collect();
        (out, settings)
    };
    let (_, file_only) = show(&[], &[]);
    assert_eq!(file_only["posten.sender"].0, "111111111");
    assert!(
        file_only["posten.sender"]
            .1
            .as_str()
            .unwrap()
            .starts_with("file ")
    );
    assert_eq!(file_only["posten.rate_limit"].0, "3");
    assert!(
        file_only["posten.keystore"]
            .0
            .as_str()
            .unwrap()
            .ends_with("k.p12")
    );
    assert_eq!(file_only["posten.environment"].0, Value::Null);

    let env = [
        ("SIGNERING_SENDER", "222222222"),
        ("SIGNERING_ENVIRONMENT", "test"),
        ("SIGNERING_KEYSTORE_PASSWORD", "top secret value"),
    ];
    let (out, with_env) = show(&env, &[]);
    assert_eq!(with_env["posten.sender"].0, "222222222");
    assert_eq!(with_env["posten.sender"].1, "env SIGNERING_SENDER");
    assert_eq!(with_env["posten.environment"].0, "test");
    assert_eq!(
        with_env["posten.rate_limit"].0, "3",
        "the file still fills the gaps"
    );
    assert_eq!(
        with_env["posten.keystore_password"].1,
        "env SIGNERING_KEYSTORE_PASSWORD"
    );
    assert!(!out.stdout.contains("top secret value"), "{out:?}");

    let (out, with_flags) = show(&env, &["--sender", "333333333", "--password-file", "pw"]);
    assert_eq!(with_flags["posten.sender"].0, "333333333");
    assert_eq!(with_flags["posten.sender"].1, "flag --sender");
    assert_eq!(
        with_flags["posten.keystore_password"].1,
        "flag --password-file"
    );
    assert!(!out.stdout.contains("top secret value"));

    // --config names another file; human output lists the sources.
    std::fs::write(
        dir.path().join("other.toml"),
        "[posten]\nsender = \"444444444\"\n",
    )
    .unwrap();
    let out = run_in(
        dir.path(),
        ["--config", "other.toml", "config", "show"],
        &[],
    )
    .ok();
    assert!(
        out.stdout.contains("444444444  [file other.toml]"),
        "{out:?}"
    );
}

#[test]
fn bad_input_gives_a_clear_message_and_a_non_zero_exit() {
    let posten = Posten::start();
    let create = |extra: &[&str]| {
        let mut args = vec!["job", "create", "--title", "T"];
        args.extend_from_slice(extra);
        posten.run(&args).clean()
    };
    // Missing document file.
    let out = create(&["--signer", PIN_A, "--document", "missing.pdf"]);
    out.assert_error(2, "cannot read missing.pdf");
    // Bad identity number (check digits wrong).
    let out = create(&["--signer", "24068110049", "--document", "contract.pdf"]);
    out.assert_error(1, "invalid signing job: signer 1");
    assert!(!out.stderr.contains("24068110049"));
    // Wrong key store password.
    let out = run_in(
        posten.path(),
        [
            "job",
            "create",
            "--title",
            "T",
            "--signer",
            PIN_A,
            "--document",
            "contract.pdf",
        ],
        &[(PASSWORD_VAR, "wrong password")],
    );
    out.assert_error(1, "cannot use the signing key");
    // No password source and no terminal.
    let out = run_in(posten.path(), ["poll"], &[]);
    out.assert_error(2, PASSWORD_VAR);
    // Unknown configuration key, and a secret written into the file.
    std::fs::write(posten.path().join("typo.toml"), "[posten]\nsendr = \"1\"\n").unwrap();
    let out = posten.run(["--config", "typo.toml", "poll"]);
    out.assert_error(2, "unknown field `sendr`");
    std::fs::write(
        posten.path().join("secret.toml"),
        "[posten]\nkeystore_password = \"hunter2\"\n",
    )
    .unwrap();
    let out = posten.run(["--config", "secret.toml", "poll"]);
    out.assert_error(2, "secrets are never values");
    assert!(!out.stderr.contains("hunter2"));
    // A job file with an unknown field.
    std::fs::write(
        posten.path().join("bad.json"),
        r#"{"title":"T","signers":[],"documents":[],"colour":"red"}"#,
    )
    .unwrap();
    let out = posten.run(["job", "create", "--file", "bad.json"]);
    out.assert_error(1, "unknown field `colour`");
    // Nothing listening: exit 4.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let out = posten.run([
        "--json",
        "poll",
        "--environment",
        &format!("https://127.0.0.1:{port}/api"),
    ]);
    out.assert_error(4, "could not reach Posten signering");
    // A bad SIGNERING_LOG filter.
    let out = run_in(
        posten.path(),
        ["config", "show"],
        &[("SIGNERING_LOG", "a=b=c")],
    );
    out.assert_error(2, "SIGNERING_LOG");
}

#[test]
fn a_key_store_without_a_password_source_names_where_to_set_one() {
    let dir = tempfile::tempdir().unwrap();
    // Not PKCS#12, but the password is looked for before the key store is parsed.
    std::fs::write(dir.path().join("k.p12"), "junk").unwrap();
    let instance = "ttd/app/5001/0b6a1a3c-4a4e-4a8e-9b0e-1a2b3c4d5e6f";
    for (command, where_to) in [
        (
            &["confirm", "https://x/y", "--environment", "test"][..],
            "SIGNERING_KEYSTORE_PASSWORD (or SIGNERING_KEYSTORE_PASSWORD_FILE), --password-env \
             VAR or --password-file FILE; signering does not prompt when standard input is not \
             a terminal",
        ),
        (
            &[
                "altinn3",
                "instances",
                "show",
                instance,
                "--altinn3-url",
                "tt02",
                "--client-id",
                "c",
            ],
            "SIGNERING_ALTINN3_KEYSTORE_PASSWORD (or SIGNERING_ALTINN3_KEYSTORE_PASSWORD_FILE) or \
             --password-env VAR",
        ),
    ] {
        let out = run_in(
            dir.path(),
            [command, &["--keystore", "k.p12"]].concat(),
            &[],
        );
        let expected = format!("the key store k.p12 needs a password: set {where_to}");
        out.assert_error(2, &expected);
    }
}

#[test]
fn logging_is_off_by_default_and_on_with_signering_log() {
    let posten = Posten::start();
    let args = ["poll"];
    let quiet = posten.run(args).ok();
    assert_eq!(quiet.stderr, "", "{quiet:?}");
    let logged = run_in(
        posten.path(),
        args,
        &[(PASSWORD_VAR, PASSWORD), ("SIGNERING_LOG", "trace")],
    )
    .ok()
    .clean();
    assert!(logged.stderr.contains("posten_adapter"), "{logged:?}");
    assert!(
        !logged.stderr.contains('\u{1b}'),
        "no colours when not a terminal"
    );
}

#[test]
fn completions_and_help() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = run_in(dir.path(), ["completions", shell], &[]).ok();
        assert!(out.stdout.contains("signering"), "{shell}: {out:?}");
        assert!(out.stdout.contains("archive"), "{shell}");
    }
    let out = run_in(dir.path(), ["--help"], &[]).ok();
    for word in [
        "job",
        "poll",
        "download",
        "confirm",
        "cancel",
        "delete",
        "archive",
        "altinn",
        "completions",
        "Exit codes:",
        "  4  ",
    ] {
        assert!(out.stdout.contains(word), "--help lacks {word}: {out:?}");
    }
}
