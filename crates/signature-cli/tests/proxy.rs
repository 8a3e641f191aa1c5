//! The command line through a real forward proxy (Debian's tinyproxy, started here):
//! `HTTPS_PROXY` and `NO_PROXY` honoured as curl honours them, `--proxy URL` and `--proxy none`,
//! the `proxy` key of signering.toml, Altinn through the proxy, and the message when the
//! proxy cannot be reached. Skips with a notice without tinyproxy; fails under
//! `SIGNERING_REQUIRE_TOOLS=1`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use std::path::Path;

use signature_emulator::altinn::AltinnEmulator;
use signature_emulator::posten::{PostenEmulator, RunningEmulator};
use signering_testkit::tinyproxy::{Policy, Tinyproxy, free_port};
use support::Output;

const SENDER: &str = signature_emulator::posten::DEFAULT_CLIENT_ORGANIZATION_NUMBER;
const PASSWORD_VAR: &str = "PROXY_TEST_P12_PASSWORD";
const PASSWORD: &str = "proxy-test passord";

/// `signering ARGS` in `dir`, with the key store password set.
fn signering(dir: &Path, args: &[&str], envs: &[(&str, &str)]) -> Output {
    let envs = [envs, &[(PASSWORD_VAR, PASSWORD)][..]].concat();
    support::signering(dir, args, &envs)
}

/// The emulator with a key store, its CA and a signering.toml in a folder.
fn posten(runtime: &tokio::runtime::Runtime) -> (RunningEmulator, tempfile::TempDir) {
    let emulator = runtime
        .block_on(PostenEmulator::builder().client(SENDER).start())
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let password = (PASSWORD_VAR, PASSWORD);
    support::write_posten_folder(&emulator, dir.path(), SENDER, password, "");
    std::fs::write(dir.path().join("contract.pdf"), b"%PDF-1.7 proxied\n").unwrap();
    (emulator, dir)
}

fn tunnels(proxy: &Tinyproxy) -> usize {
    proxy.log().matches("CONNECT ").count()
}

#[test]
fn https_proxy_no_proxy_and_the_proxy_flag_and_key_are_honoured() {
    let Some(proxy) = Tinyproxy::start("cli_through_tinyproxy", Policy::AllowAll) else {
        return;
    };
    let runtime = support::own_runtime();
    let (emulator, dir) = posten(&runtime);
    let authority = emulator
        .base_url
        .trim_start_matches("https://")
        .trim_end_matches("/api");
    let dead = format!("http://127.0.0.1:{}", free_port());
    let create = [
        "job",
        "create",
        "--title",
        "Proxied",
        "--signer",
        "24068110048",
        "--document",
        "contract.pdf",
    ];

    // HTTPS_PROXY from the environment: the online doctor check goes through the tunnel.
    let via_env = signering(dir.path(), &["doctor"], &[("HTTPS_PROXY", &proxy.url)]);
    assert_eq!(via_env.code, 0, "{via_env:?}");
    assert!(
        proxy.log().contains(&format!("CONNECT {authority}")),
        "no tunnel to {authority}:\n{}",
        proxy.log()
    );

    // --proxy URL: a job created through the proxy, over mutual TLS in the tunnel.
    let before = tunnels(&proxy);
    let created = signering(
        dir.path(),
        &[&["--proxy", &proxy.url][..], &create].concat(),
        &[],
    );
    assert_eq!(created.code, 0, "{created:?}");
    assert!(tunnels(&proxy) > before, "{}", proxy.log());

    // The proxy key of signering.toml, with the lowercase variable pointing nowhere.
    let toml = std::fs::read_to_string(dir.path().join("signering.toml")).unwrap();
    std::fs::write(
        dir.path().join("signering.toml"),
        format!("proxy = \"{}\"\n{toml}", proxy.url),
    )
    .unwrap();
    let before = tunnels(&proxy);
    let from_file = signering(dir.path(), &create, &[("https_proxy", &dead)]);
    assert_eq!(from_file.code, 0, "{from_file:?}");
    assert!(tunnels(&proxy) > before);
    let shown = signering(dir.path(), &["config", "show"], &[]);
    assert!(
        shown
            .stdout
            .contains(&format!("proxy                      {}", proxy.url)),
        "{shown:?}"
    );
    std::fs::write(dir.path().join("signering.toml"), &toml).unwrap();

    // A dead proxy: NO_PROXY exempts the emulator, --proxy none ignores the variable, and
    // without either the failure names the proxy and where it came from (exit 4).
    let exempt = signering(
        dir.path(),
        &create,
        &[("HTTPS_PROXY", &dead), ("NO_PROXY", "localhost,127.0.0.1")],
    );
    assert_eq!(exempt.code, 0, "{exempt:?}");
    let direct = signering(
        dir.path(),
        &[&["--proxy", "none"][..], &create].concat(),
        &[("HTTPS_PROXY", &dead)],
    );
    assert_eq!(direct.code, 0, "{direct:?}");
    let failed = signering(dir.path(), &create, &[("HTTPS_PROXY", &dead)]);
    assert_eq!(failed.code, 4, "{failed:?}");
    assert!(
        failed.stderr.contains(&format!(
            "the proxy {dead} (from HTTPS_PROXY) could not be reached"
        )),
        "{failed:?}"
    );
    // A password is a secret: not on the command line.
    let secret = signering(
        dir.path(),
        &[
            &["--proxy", "http://user:hunter2@127.0.0.1:3128"][..],
            &create,
        ]
        .concat(),
        &[],
    );
    assert_eq!(secret.code, 2, "{secret:?}");
    assert!(!format!("{secret:?}").contains("hunter2"));
    runtime.block_on(emulator.shutdown());
}

#[test]
fn altinn_goes_through_the_proxy_too() {
    let Some(proxy) = Tinyproxy::start("cli_altinn_through_tinyproxy", Policy::AllowAll) else {
        return;
    };
    let runtime = support::own_runtime();
    let emulator = runtime
        .block_on(AltinnEmulator::builder().api_key("proxy-key").start())
        .unwrap();
    let token = emulator.issue_token(4);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("api-key"), "proxy-key\n").unwrap();
    let envs = [
        ("SIGNERING_ALTINN_URL", emulator.base_url()),
        ("SIGNERING_ALTINN_API_KEY_FILE", "api-key"),
        ("SIGNERING_ALTINN_TOKEN", token.as_str()),
    ];
    let listed = signering(
        dir.path(),
        &[
            "--proxy", &proxy.url, "--json", "altinn", "messages", "list",
        ],
        &envs,
    );
    assert_eq!(listed.code, 0, "{listed:?}");
    // The Altinn emulator speaks plain HTTP: the proxy forwards the request itself.
    let base = emulator.base_url().trim_end_matches('/');
    assert!(
        proxy.log().contains(&format!("GET {base}")),
        "tinyproxy saw no request to {base}:\n{}",
        proxy.log()
    );
}
