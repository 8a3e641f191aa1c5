//! `signering emulator` on a fixed address with a system user, and `signering altinn3` logged
//! in as that system user (Maskinporten grant with `--key`/`--kid` and `--system-user`):
//! create an instance for the customer, find it through Dialogporten, sign, read the state.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use signering_testkit::tinyproxy::free_port;

const CUSTOMER: &str = "310000001";
const APP: &str = "ttd/signing-demo";

/// Starts `signering emulator ARGS` and returns it with the lines printed up to "Ctrl-C".
fn emulator(args: &[&str]) -> (support::Running, Vec<String>) {
    let mut command = support::command();
    command.arg("emulator").args(args);
    let (running, seen, ready) = support::start_until_ready(command);
    assert!(ready, "the emulator printed no Ctrl-C line: {seen:?}");
    (running, seen)
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
    let created = run(&support::altinn3_create(
        APP,
        ["--org", CUSTOMER],
        &["model:form.xml"],
    ))
    .ok()
    .json();
    let instance = created["instance"].as_str().unwrap().to_owned();

    // Dialogporten: the default scope carries digdir:dialogporten.
    let awaiting = run(&["--json", "altinn3", "awaiting", "--app", APP])
        .ok()
        .json();
    assert_eq!(awaiting["awaiting"][0]["instance"], instance.as_str());

    let signed = run(&["--json", "altinn3", "sign", &instance]).ok().json();
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
        ["altinn3", "instances", "show", &instance],
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
