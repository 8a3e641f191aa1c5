//! Helpers for the end-to-end `signering` tests (cli*.rs): a shared test PKI, the binary run with
//! an optional key password, a fixture folder of keys and documents, and a tampered bundle.

#![allow(dead_code, unused_imports)] // shared by several test files, each using a part
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

pub use std::ffi::{OsStr, OsString};
pub use std::io::{Cursor, Read as _, Write as _};
pub use std::path::{Path, PathBuf};
pub use std::process::{Command, Stdio};
pub use std::sync::OnceLock;

pub use signering_testkit::pki::{LeafSpec, TestPki, make_pki};
pub use signering_testkit::skip_or_fail;

pub const PIN_A: &str = "24068110048";
pub const PIN_B: &str = "01017010170";
pub const SENDER: &str = "984661185";
pub const TITLE: &str = "Leieavtale Storgata 1";
pub const PASSWORD_VAR: &str = "SIGNERING_TEST_KEY_PASSWORD";
pub const PASSWORD: &str = "hemmelig passord æøå";
pub const PDF: &[u8] = b"%PDF-1.7\n% test contract: the tenant pays 12 000 kr a month\n%%EOF\n";
pub const TXT: &[u8] = b"Husordensregler: ro etter klokken 23.\n";

/// One PKI for the whole test binary: RSA key generation is the slow part.
pub fn pki() -> &'static TestPki {
    static PKI: OnceLock<TestPki> = OnceLock::new();
    PKI.get_or_init(|| make_pki(true, &LeafSpec::default()))
}

pub use super::{Output, strs_of};

/// Runs the binary with no standard input (as in CI) and the password variable only when
/// `password` is given.
pub fn signering<I, S>(args: I, password: Option<&str>) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut command = super::command();
    command.args(args);
    if let Some(password) = password {
        command.env(PASSWORD_VAR, password);
    }
    Output::of(command)
}

/// A temporary directory with the PKI as PEM files and two documents.
pub struct Fixture {
    pub dir: tempfile::TempDir,
}

impl Fixture {
    pub fn new() -> Self {
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

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `keystore.p12` made by `openssl pkcs12 -export` with [`PASSWORD`], or `None` (after
    /// [`skip_or_fail`]) when openssl is missing.
    pub fn pkcs12(&self, test: &str) -> Option<PathBuf> {
        let mut openssl = Command::new("openssl");
        openssl
            .args(["pkcs12", "-export", "-inkey"])
            .arg(self.path("key.pem"))
            .arg("-in")
            .arg(self.path("leaf.pem"))
            .arg("-certfile")
            .arg(self.path("ca.pem"));
        self.openssl(test, "pkcs12 -export", openssl, "keystore.p12")
    }

    /// `bundle build` with [`pkcs12`](Self::pkcs12)'s key store under [`PASSWORD_VAR`], the
    /// job's arguments and `--out out`; `None` when openssl is missing.
    pub fn pkcs12_build_args(&self, test: &str, out: &str) -> Option<Vec<OsString>> {
        let keystore = self.pkcs12(test)?;
        let mut args: Vec<OsString> = vec!["bundle".into(), "build".into()];
        args.extend(["--keystore".into(), keystore.into_os_string()]);
        args.extend(["--password-env".into(), PASSWORD_VAR.into()]);
        args.extend(self.job_args(out));
        Some(args)
    }

    /// `key-encrypted.pem`: the key as encrypted PKCS#8 (AES-256-CBC, PBKDF2), by openssl.
    pub fn encrypted_key(&self, test: &str) -> Option<PathBuf> {
        let mut openssl = Command::new("openssl");
        openssl
            .args(["pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in"])
            .arg(self.path("key.pem"));
        self.openssl(test, "pkcs8 -topk8", openssl, "key-encrypted.pem")
    }

    /// Runs `openssl` (its arguments up to the output's) writing `out` under [`PASSWORD`]:
    /// the path, or `None` (after [`skip_or_fail`]) when openssl is missing.
    fn openssl(&self, test: &str, what: &str, mut openssl: Command, out: &str) -> Option<PathBuf> {
        let out = self.path(out);
        let result = openssl
            .arg("-passout")
            .arg(format!("env:{PASSWORD_VAR}"))
            .arg("-out")
            .arg(&out)
            .env(PASSWORD_VAR, PASSWORD)
            .output();
        match result {
            Ok(output) if output.status.success() => Some(out),
            Ok(output) => panic!(
                "openssl {what} failed: {}",
                String::from_utf8_lossy(&output.stderr)
            ),
            Err(_) => {
                skip_or_fail(test, "openssl is not installed (apt-get install openssl)");
                None
            }
        }
    }

    /// `bundle build` with the PEM key, two signers, both documents and `--out out`, plus `extra`.
    pub fn build_args(&self, out: &str, extra: &[&str]) -> Vec<OsString> {
        let mut args: Vec<OsString> = vec!["bundle".into(), "build".into()];
        args.extend(["--key".into(), self.path("key.pem").into()]);
        args.extend(["--cert".into(), self.path("chain.pem").into()]);
        args.extend(self.job_args(out));
        args.extend(extra.iter().map(OsString::from));
        args
    }

    /// The job part of a build command line (no key options).
    pub fn job_args(&self, out: &str) -> Vec<OsString> {
        self.job_args_with(SENDER, TITLE, out)
    }

    /// The job part with another sender or title (clap refuses a repeated single option).
    pub fn job_args_with(&self, sender: &str, title: &str, out: &str) -> Vec<OsString> {
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
    pub fn built_bundle(&self) -> PathBuf {
        let output = signering(self.build_args("bundle.asice", &[]), None);
        assert_eq!(output.code, 0, "{output:?}");
        self.path("bundle.asice")
    }
}

pub fn os(path: &Path) -> &OsStr {
    path.as_os_str()
}

/// `signering [--json] bundle verify BUNDLE --trust TRUST`: the chain is checked against
/// `trust`, and with `json` the verdict is the JSON report.
pub fn verify_with_trust(bundle: &Path, trust: &Path, json: bool) -> Output {
    let mut args: Vec<&OsStr> = Vec::new();
    if json {
        args.push("--json".as_ref());
    }
    args.extend([
        OsStr::new("bundle"),
        "verify".as_ref(),
        os(bundle),
        "--trust".as_ref(),
        os(trust),
    ]);
    signering(args, None)
}

/// The bundle with one byte of `entry` changed, written back as a well-formed zip (so only the
/// signature's digest can notice).
pub fn rewrite_with_tampered_entry(bundle: &[u8], entry: &str) -> Vec<u8> {
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
