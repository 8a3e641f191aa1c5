//! `signering altinn3 …` as a user runs it, against the in-process Altinn 3 emulator: create
//! an instance with its data, find it through Dialogporten, show it, sign it, read the
//! signing state, download the signed document and the signature record, complete the
//! process; logins and refusals; `--json` output parsed back; no identity number printed.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use serde_json::Value;
use support::altinn3::{APP, DOCUMENT_DATA_TYPE, OTHER_PIN, PDF, PIN, SIGNATURE_DATA_TYPE, setup};
use support::{altinn3_create, signering as run_in};

#[test]
fn create_find_sign_read_download_and_complete() {
    let s = setup();
    let instance = s.create();
    assert!(
        instance.starts_with(&format!("{APP}/{}/", s.party)),
        "{instance}"
    );
    // Moved on from the data task to the signing task, and no further.
    let shown = s
        .run(&["--json", "altinn3", "instances", "show", &instance])
        .ok()
        .clean()
        .json();
    assert_eq!(shown["process"]["task_type"], "signing");
    assert_eq!(shown["process"]["awaits_your_signature"], true);
    assert_eq!(shown["data"].as_array().unwrap().len(), 2);
    let human = s
        .run(&["altinn3", "instances", "show", &instance])
        .ok()
        .clean();
    assert!(
        human.stdout.contains("waits for your signature"),
        "{human:?}"
    );

    // Found through Dialogporten: the dialog mapped to the instance, its process deciding.
    let awaiting = s
        .run(&["--json", "altinn3", "awaiting", "--app", APP])
        .ok()
        .clean()
        .json();
    let found = support::strs_of(&awaiting["awaiting"], "instance");
    assert_eq!(found, [instance.as_str()], "{awaiting}");
    assert!(awaiting["skipped"].as_array().unwrap().is_empty());
    let human = s.run(&["altinn3", "awaiting", "--app", APP]).ok().clean();
    assert!(human.stdout.contains(&instance), "{human:?}");

    let signed = s
        .run(&["--json", "altinn3", "sign", &instance])
        .ok()
        .clean()
        .json();
    assert_eq!(
        signed["process"]["task_type"], "signing",
        "other signees may sign"
    );
    let signees = signed["signees"].as_array().unwrap();
    assert_eq!(signees.len(), 1);
    assert_eq!(signees[0]["party_id"], s.party);
    assert!(signees[0]["signed_time"].is_string());

    let state = s
        .run(&["--json", "altinn3", "signing-state", &instance])
        .ok()
        .clean()
        .json();
    assert_eq!(state["signees"][0]["name"], "Kari Nordmann");
    let human = s.run(&["altinn3", "signing-state", &instance]).ok().clean();
    assert!(human.stdout.contains("signed 20"), "{human:?}");

    let downloaded = s
        .run(&[
            "--json", "altinn3", "download", &instance, "--out", "signed",
        ])
        .ok()
        .clean()
        .json();
    let files = downloaded["files"].as_array().unwrap();
    let of_type = |t: &str| files.iter().find(|f| f["data_type"] == t).unwrap();
    let read =
        |t: &str| std::fs::read(s.dir.path().join(of_type(t)["path"].as_str().unwrap())).unwrap();
    let document = read(DOCUMENT_DATA_TYPE);
    assert_eq!(document, PDF);
    let record: Value = serde_json::from_slice(&read(SIGNATURE_DATA_TYPE)).unwrap();
    assert_eq!(
        record["dataElementSignatures"][0]["dataElementId"],
        of_type(DOCUMENT_DATA_TYPE)["data_id"]
    );
    assert!(
        !std::fs::read_dir(s.dir.path().join("signed"))
            .unwrap()
            .any(|e| e.unwrap().path().extension().is_some_and(|x| x == "part"))
    );

    let completed = s
        .run(&["--json", "altinn3", "complete", &instance])
        .ok()
        .clean()
        .json();
    assert!(completed["process"]["ended"].is_string(), "{completed}");
    assert!(completed["steps"].as_array().unwrap().len() >= 2);
    // Ended: nothing waits any more.
    let awaiting = s
        .run(&["--json", "altinn3", "awaiting", "--app", APP])
        .ok()
        .clean()
        .json();
    assert!(awaiting["awaiting"].as_array().unwrap().is_empty());
}

#[test]
fn refusals_and_bad_input() {
    let s = setup();
    let instance = s.create();
    // Another person may not read it: the service's 403, exit 3.
    let other = s.emulator.issue_idporten_token(OTHER_PIN);
    let envs = [
        ("SIGNERING_ALTINN3_URL", s.emulator.base_url()),
        ("SIGNERING_ALTINN3_TOKEN", other.as_str()),
    ];
    let refused = run_in(
        s.dir.path(),
        ["altinn3", "instances", "show", &instance],
        &envs,
    )
    .clean();
    assert_eq!(refused.code, 3, "{refused:?}");
    // No login configured: exit 2, saying how to give one.
    let no_login = run_in(
        s.dir.path(),
        ["altinn3", "instances", "show", &instance],
        &[("SIGNERING_ALTINN3_URL", s.emulator.base_url())],
    );
    no_login.assert_error(2, "--token-file");
    // Malformed input is refused before anything is sent.
    let bad = s.run(&["altinn3", "sign", &instance, "--on-behalf-of", "12345"]);
    assert_eq!(bad.code, 2, "{bad:?}");
    let bad = s.run(&["altinn3", "instances", "show", "ttd/signing-demo"]);
    assert_eq!(bad.code, 2, "{bad:?}");
    let person = s
        .run(&[
            "altinn3",
            "instances",
            "create",
            "--app",
            APP,
            "--person",
            PIN,
            "--data",
            "model",
        ])
        .clean();
    assert_eq!(person.code, 2, "{person:?}");
    // A token the exchange refuses: not authenticated, exit 3.
    let envs = [
        ("SIGNERING_ALTINN3_URL", s.emulator.base_url()),
        ("SIGNERING_ALTINN3_TOKEN", "id-porten-never-issued"),
    ];
    let unknown = run_in(s.dir.path(), ["altinn3", "awaiting", "--app", APP], &envs);
    assert_eq!(unknown.code, 3, "{unknown:?}");
    // Signing where the process is not at a signing task: the service refuses.
    let party = s.party.to_string();
    let mut stay = altinn3_create(APP, ["--party", &party], &["model:form.xml"]);
    stay.push("--stay");
    let draft = s.run(&stay).ok().clean().json();
    assert_eq!(draft["process"]["task_type"], "data");
    let not_signing = s.run(&["altinn3", "sign", draft["instance"].as_str().unwrap()]);
    assert_eq!(not_signing.code, 3, "{not_signing:?}");
    // A document uploaded as the app's own PDF type: the app's 403 (DataElementAccessChecker).
    let owned = s.run(&[
        "altinn3",
        "instances",
        "create",
        "--app",
        APP,
        "--party",
        &party,
        "--data",
        "ref-data-as-pdf:avtale.pdf",
    ]);
    owned.assert_error(3, "cannot be modified");
}

#[test]
fn settings_come_from_the_file_and_show_in_config_show() {
    let s = setup();
    std::fs::write(s.dir.path().join("token"), format!("{}\n", s.token)).unwrap();
    std::fs::write(
        s.dir.path().join("signering.toml"),
        format!(
            "[altinn3]\nenvironment = \"{}\"\ntoken_file = \"token\"\ntoken_provider = \"id-porten\"\n",
            s.emulator.base_url()
        ),
    )
    .unwrap();
    let shown = run_in(s.dir.path(), ["--json", "config", "show"], &[])
        .ok()
        .clean()
        .json();
    let rows = shown["settings"].as_array().unwrap();
    let row = |key: &str| rows.iter().find(|r| r["key"] == key).unwrap().clone();
    assert_eq!(row("altinn3.environment")["value"], s.emulator.base_url());
    assert!(
        row("altinn3.token")["value"]
            .as_str()
            .unwrap()
            .starts_with("(secret)")
    );
    let awaiting = run_in(
        s.dir.path(),
        ["--json", "altinn3", "awaiting", "--app", APP],
        &[],
    )
    .ok()
    .clean()
    .json();
    assert_eq!(awaiting["dialogs_seen"], 0);
    let all = run_in(s.dir.path(), ["config", "show"], &[]).ok().clean();
    assert!(!all.stdout.contains(&s.token), "{all:?}");
}

/// `signering emulator --altinn3-listen` serves the Altinn 3 emulator with a person and
/// writes their token; `signering altinn3` then works against it as against the platform.
#[test]
#[cfg(feature = "emulator")]
fn the_emulator_command_serves_altinn_3_for_the_altinn3_commands() {
    let dir = tempfile::tempdir().unwrap();
    let tokens = dir.path().join("tokens");
    let mut emulator = support::command();
    emulator
        .args([
            "emulator",
            "--altinn3-listen",
            "127.0.0.1:0",
            "--altinn3-person",
            &format!("{PIN}:Kari Nordmann"),
            "--altinn-listen",
            "127.0.0.1:0",
            "--write-tokens",
        ])
        .arg(&tokens);
    // Without the ready line the checks below say what was missing.
    let (running, seen, _ready) = support::start_until_ready(emulator);
    let all = seen.join("\n");
    let url = seen
        .iter()
        .find(|l| l.starts_with("Altinn 3 emulator"))
        .and_then(|l| l.split_whitespace().find(|w| w.starts_with("http://")))
        .map(str::to_owned);
    let result = (|| {
        let url = url.ok_or_else(|| format!("no Altinn 3 URL printed: {all}"))?;
        if all.contains(PIN) {
            return Err(format!("the identity number was printed: {all}"));
        }
        if !all.contains("Altinn 2 emulator") || !tokens.join("altinn2.token").is_file() {
            return Err(format!("no Altinn 2 emulator: {all}"));
        }
        let party = all
            .split("party ")
            .nth(1)
            .and_then(|t| t.split(|c: char| !c.is_ascii_digit()).next())
            .ok_or_else(|| format!("no party printed: {all}"))?
            .to_owned();
        let token_file = tokens.join("altinn3-person-1.token");
        let envs = [
            ("SIGNERING_ALTINN3_URL", url.as_str()),
            ("SIGNERING_ALTINN3_TOKEN_FILE", token_file.to_str().unwrap()),
        ];
        std::fs::write(dir.path().join("form.xml"), "<Skjema/>").unwrap();
        let create = altinn3_create(APP, ["--party", &party], &["model:form.xml"]);
        let created = run_in(dir.path(), create, &envs);
        if created.code != 0 {
            return Err(format!("{created:?}"));
        }
        let awaiting = run_in(
            dir.path(),
            ["--json", "altinn3", "awaiting", "--app", APP],
            &envs,
        );
        if awaiting.code != 0 || awaiting.json()["awaiting"].as_array().map(Vec::len) != Some(1) {
            return Err(format!("{awaiting:?}"));
        }
        Ok(())
    })();
    drop(running);
    result.unwrap();
}

/// Signing for an organisation from the command line: whom one may sign for, the signature
/// with `--on-behalf-of`, the state naming the organisation; an organisation's own token is
/// refused (401, exit 3).
#[test]
fn sign_on_behalf_of_an_organisation() {
    const ORG: &str = "310000001";
    let s = setup();
    let org_party = s.emulator.add_organisation(ORG, "Eksempel AS");
    assert!(s.emulator.add_key_role(PIN, ORG));
    let instance = s.create();
    let state = s
        .run(&[
            "--json",
            "altinn3",
            "signing-state",
            &instance,
            "--organizations",
        ])
        .ok()
        .clean()
        .json();
    assert_eq!(state["organizations"][0]["org_number"], ORG);
    assert_eq!(state["organizations"][0]["org_name"], "Eksempel AS");
    let human = s
        .run(&["altinn3", "signing-state", &instance, "--organizations"])
        .ok()
        .clean();
    assert!(human.stdout.contains("310000001 Eksempel AS"), "{human:?}");

    let signed = s
        .run(&[
            "--json",
            "altinn3",
            "sign",
            &instance,
            "--on-behalf-of",
            ORG,
        ])
        .ok()
        .clean()
        .json();
    assert_eq!(signed["on_behalf_of"], ORG);
    assert_eq!(signed["signees"][0]["organization"], "Eksempel AS");
    let human = s
        .run(&["altinn3", "signing-state", &instance, "--task", "Task_2"])
        .ok()
        .clean();
    assert!(human.stdout.contains("for Eksempel AS"), "{human:?}");

    // The organisation's own Maskinporten token, exchanged: it may not sign.
    let token = s.emulator.issue_maskinporten_token(ORG);
    let envs = [
        ("SIGNERING_ALTINN3_URL", s.emulator.base_url()),
        ("SIGNERING_ALTINN3_TOKEN", token.as_str()),
        ("SIGNERING_ALTINN3_TOKEN_PROVIDER", "maskinporten"),
    ];
    std::fs::write(s.dir.path().join("form2.xml"), "<Skjema/>").unwrap();
    let org_party = org_party.to_string();
    let create = altinn3_create(APP, ["--party", &org_party], &["model:form2.xml"]);
    let own = run_in(s.dir.path(), create, &envs).ok().clean().json();
    let refused = run_in(
        s.dir.path(),
        ["altinn3", "sign", own["instance"].as_str().unwrap()],
        &envs,
    )
    .clean();
    refused.assert_error(3, "401");
}
