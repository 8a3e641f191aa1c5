//! SoftHSM2 tokens in a temporary directory, holding the test PKI's enterprise key imported as
//! sensitive and not extractable (as `softhsm2-util --import` marks it), for tests of keys that
//! never leave their token.
//!
//! SoftHSM reads `SOFTHSM2_CONF` from the environment when a process first initialises it, and
//! the workspace forbids `unsafe` (so no `set_var`): [`with_token`] therefore runs a test's body
//! in a child process of the test binary, with the variable set; subprocess tests (the CLI)
//! set it on their command with [`SoftHsm::create`].

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::pki::{LeafSpec, make_pki};

/// The user PIN of every test token.
pub const PIN: &str = "4711";
/// The security officer PIN of every test token.
pub const SO_PIN: &str = "8765";
/// A token with the enterprise key and its certificate objects (leaf and CA certificates).
pub const TOKEN: &str = "signering";
/// A token with the enterprise key and no certificate objects.
pub const TOKEN_WITHOUT_CERTIFICATES: &str = "uten-sertifikat";
/// Label (and, as `01`, id) of the enterprise key on both tokens.
pub const KEY_LABEL: &str = "virksomhet";
/// Id of the enterprise key.
pub const KEY_ID: &[u8] = &[0x01];

/// Where Debian, Ubuntu and Fedora put the SoftHSM2 module.
pub const MODULE_PATHS: &[&str] = &[
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib64/pkcs11/libsofthsm2.so",
    "/usr/local/lib/softhsm/libsofthsm2.so",
];

/// A SoftHSM2 token directory with its configuration and the PKI whose key is on the tokens.
#[derive(Debug)]
pub struct SoftHsm {
    _keep: Option<tempfile::TempDir>,
    root: PathBuf,
    /// The configuration file (`SOFTHSM2_CONF`).
    pub conf: PathBuf,
    /// The SoftHSM2 PKCS#11 module.
    pub module: PathBuf,
    /// The leaf, intermediate and root certificates (PEM), for `--cert`.
    pub chain_pem: String,
    /// The root CA certificate (PEM), for verifiers and the emulator's trust.
    pub root_pem: String,
}

const CHILD_DIR_VAR: &str = "SIGNERING_SOFTHSM_DIR";

/// The installed SoftHSM2 module (with `softhsm2-util` and OpenSC's `pkcs11-tool`, which
/// set the tokens up), or `None` after [`crate::skip_or_fail`].
pub fn module(test: &str) -> Option<PathBuf> {
    let module = MODULE_PATHS.iter().map(PathBuf::from).find(|p| p.is_file());
    let missing = if module.is_none() || !crate::tool_runs("softhsm2-util", &["--version"]) {
        Some("SoftHSM2 is not installed (apt-get install softhsm2)")
    } else if Command::new("pkcs11-tool").arg("--help").output().is_err() {
        Some("pkcs11-tool is not installed (apt-get install opensc)")
    } else {
        None
    };
    match missing {
        Some(why) => {
            crate::skip_or_fail(test, why);
            None
        }
        None => module,
    }
}

/// Runs `body` with SoftHSM2 tokens ([`TOKEN`], [`TOKEN_WITHOUT_CERTIFICATES`]) configured for
/// this process: the test binary runs itself again for `test` (its exact name, with `::`
/// path for tests inside modules) with `SOFTHSM2_CONF` set, and fails if the child fails.
/// Skips (or fails under `SIGNERING_REQUIRE_TOOLS=1`) without SoftHSM2.
pub fn with_token(test: &str, body: impl FnOnce(&SoftHsm)) {
    if let Some(dir) = std::env::var_os(CHILD_DIR_VAR) {
        let hsm = SoftHsm::reopen(PathBuf::from(dir));
        body(&hsm);
        return;
    }
    let Some(module) = module(test) else {
        return;
    };
    let hsm = SoftHsm::create(module);
    let exe = std::env::current_exe().expect("test binary");
    let out = Command::new(exe)
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env("SOFTHSM2_CONF", &hsm.conf)
        .env(CHILD_DIR_VAR, &hsm.root)
        .output()
        .expect("run the test binary again");
    let stdout = String::from_utf8_lossy(&out.stdout);
    print!("{stdout}");
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{test} failed with a SoftHSM2 token");
    assert!(
        stdout.contains("1 passed"),
        "{test}: the child ran no test (is the name exact?)"
    );
}

impl SoftHsm {
    fn reopen(root: PathBuf) -> SoftHsm {
        let read = |name: &str| std::fs::read_to_string(root.join(name)).expect("token dir file");
        let module = PathBuf::from(read("module").trim());
        SoftHsm {
            _keep: None,
            conf: root.join("softhsm2.conf"),
            module,
            chain_pem: read("chain.pem"),
            root_pem: read("root.pem"),
            root,
        }
    }

    /// A fresh directory with [`TOKEN`] and [`TOKEN_WITHOUT_CERTIFICATES`]. Does not touch this
    /// process's environment.
    pub fn create(module: PathBuf) -> SoftHsm {
        let dir = tempfile::tempdir().expect("temp dir");
        let tokens = dir.path().join("tokens");
        std::fs::create_dir(&tokens).expect("token dir");
        let conf = dir.path().join("softhsm2.conf");
        std::fs::write(
            &conf,
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
                tokens.display()
            ),
        )
        .expect("conf");
        let pki = make_pki(true, &LeafSpec::default());
        std::fs::write(dir.path().join("chain.pem"), &pki.chain_pem).expect("chain");
        std::fs::write(dir.path().join("root.pem"), &pki.root_pem).expect("root");
        std::fs::write(
            dir.path().join("module"),
            module.to_string_lossy().as_bytes(),
        )
        .expect("module");
        let key_pem = dir.path().join("key.pem");
        std::fs::write(&key_pem, &pki.key_pem).expect("key");
        for token in [TOKEN, TOKEN_WITHOUT_CERTIFICATES] {
            util(
                &conf,
                &[
                    "--init-token",
                    "--free",
                    "--label",
                    token,
                    "--pin",
                    PIN,
                    "--so-pin",
                    SO_PIN,
                ],
            );
            let key = key_pem.to_str().expect("UTF-8 path");
            util(
                &conf,
                &[
                    "--import", key, "--token", token, "--label", KEY_LABEL, "--id", "01", "--pin",
                    PIN,
                ],
            );
        }
        std::fs::remove_file(&key_pem).expect("remove key");
        let hsm = SoftHsm {
            root: dir.path().to_path_buf(),
            _keep: Some(dir),
            conf,
            module,
            chain_pem: pki.chain_pem,
            root_pem: pki.root_pem,
        };
        hsm.write_certificates();
        hsm
    }

    /// The directory holding the configuration (for files a test wants beside it).
    pub fn dir(&self) -> &Path {
        &self.root
    }

    /// The chain's PEM file (`chain.pem` in [`Self::dir`]).
    pub fn chain_file(&self) -> PathBuf {
        self.root.join("chain.pem")
    }

    /// Writes the leaf (with the key's label and id) and the CA certificates on [`TOKEN`],
    /// in a child process so that this process's module state stays untouched.
    fn write_certificates(&self) {
        let mut certs = Vec::new();
        for (i, pem) in self
            .chain_pem
            .split_inclusive("-----END CERTIFICATE-----\n")
            .enumerate()
        {
            let der = rustls_pki_types::pem::PemObject::from_pem_slice(pem.as_bytes())
                .map(|c: rustls_pki_types::CertificateDer<'_>| c.as_ref().to_vec())
                .expect("certificate PEM");
            let path = self.dir().join(format!("cert{i}.der"));
            std::fs::write(&path, der).expect("cert");
            certs.push(path);
        }
        for (i, path) in certs.iter().enumerate() {
            let (label, id) = if i == 0 {
                (KEY_LABEL.to_owned(), "01".to_owned())
            } else {
                (format!("ca{i}"), format!("c{i}"))
            };
            let status = Command::new("pkcs11-tool")
                .env("SOFTHSM2_CONF", &self.conf)
                .arg("--module")
                .arg(&self.module)
                .args(["--token-label", TOKEN, "--login", "--pin", PIN])
                .args(["--write-object"])
                .arg(path)
                .args(["--type", "cert", "--label", &label, "--id", &id])
                .output()
                .expect("pkcs11-tool (apt-get install opensc)");
            assert!(
                status.status.success(),
                "pkcs11-tool --write-object: {}",
                String::from_utf8_lossy(&status.stderr)
            );
        }
    }
}

fn util(conf: &Path, args: &[&str]) {
    let out = Command::new("softhsm2-util")
        .env("SOFTHSM2_CONF", conf)
        .args(args)
        .output()
        .expect("softhsm2-util");
    assert!(
        out.status.success(),
        "softhsm2-util {}: {}{}",
        args.first().copied().unwrap_or_default(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
