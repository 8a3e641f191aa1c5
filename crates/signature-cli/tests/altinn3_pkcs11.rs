//! `signering altinn3` logged in through Maskinporten with the enterprise certificate's key on a
//! SoftHSM2 token (imported sensitive and not extractable), against the in-process Altinn 3
//! emulator: the grant is signed on the token and carries the token's certificate in `x5c`;
//! a wrong PIN is a clear key error that never shows the PIN.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject as _;
use serde_json::Value;
use signature_emulator::altinn3::{Altinn3Emulator, ClientKey};
use signering_testkit::softhsm::{self, KEY_LABEL, PIN, SoftHsm, TOKEN};

const APP: &str = "ttd/signing-demo";
/// The organization number in the test PKI's enterprise certificate.
const ORG: &str = "123456785";
const CLIENT_ID: &str = "token-client";

#[test]
fn maskinporten_with_a_token_key_creates_and_shows_an_instance() {
    let test = "maskinporten_with_a_token_key_creates_and_shows_an_instance";
    let Some(module) = softhsm::module(test) else {
        return;
    };
    let hsm = SoftHsm::create(module);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let emulator = runtime
        .block_on(Altinn3Emulator::builder().app(APP).start())
        .unwrap();
    let party = emulator.add_organisation(ORG, "Testvirksomhet AS");
    let leaf = CertificateDer::pem_slice_iter(hsm.chain_pem.as_bytes())
        .next()
        .unwrap()
        .unwrap();
    assert!(emulator.add_maskinporten_client(
        CLIENT_ID,
        ORG,
        ClientKey::Certificate(leaf.to_vec())
    ));
    std::fs::write(hsm.dir().join("form.xml"), "<Skjema/>").unwrap();

    let module = hsm.module.to_str().unwrap().to_owned();
    let issuer = emulator.maskinporten_issuer();
    let conf = hsm.conf.to_str().unwrap().to_owned();
    let run = |args: &[&str], pin: &str| {
        let token_args = [
            "--client-id",
            CLIENT_ID,
            "--maskinporten",
            &issuer,
            "--pkcs11-module",
            &module,
            "--pkcs11-token",
            TOKEN,
            "--pkcs11-key",
            KEY_LABEL,
            "--pkcs11-pin-env",
            "TOKEN_PIN",
        ];
        let all: Vec<&str> = args.iter().copied().chain(token_args).collect();
        support::signering(
            hsm.dir(),
            &all,
            &[
                ("SIGNERING_ALTINN3_URL", emulator.base_url()),
                ("SOFTHSM2_CONF", conf.as_str()),
                ("TOKEN_PIN", pin),
            ],
        )
    };

    // The certificate chain comes from the token's certificate objects (no --cert).
    let party = party.to_string();
    let created = run(
        &support::altinn3_create(APP, ["--party", &party], &["model:form.xml"]),
        PIN,
    )
    .ok()
    .json();
    let instance = created["instance"].as_str().unwrap().to_owned();

    // The same with the chain from --cert.
    let chain = hsm.chain_file();
    let shown = run(
        &[
            "--json",
            "altinn3",
            "instances",
            "show",
            &instance,
            "--cert",
            chain.to_str().unwrap(),
        ],
        PIN,
    );
    assert_eq!(shown.code, 0, "{shown:?}");
    let shown: Value = serde_json::from_str(&shown.stdout).unwrap();
    assert_eq!(shown["instance"], instance.as_str(), "{shown}");

    // A wrong PIN: a key error naming the PIN as the cause, the PIN itself never printed.
    let wrong = "999999";
    let refused = run(&["altinn3", "instances", "show", &instance], wrong);
    assert_ne!(refused.code, 0, "{refused:?}");
    let all = format!("{}{}", refused.stdout, refused.stderr);
    assert!(all.to_lowercase().contains("pin"), "{refused:?}");
    assert!(!all.contains(wrong), "{refused:?}");
    assert!(!all.contains(PIN), "{refused:?}");
}
