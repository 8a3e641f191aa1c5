//! Helpers for the command tests (commands*.rs): the `signering` binary run in a folder, the
//! in-process Posten emulator on a shared runtime, and the signing page walked like a browser.

#![allow(dead_code, unused_imports)] // shared by several test files, each using a part
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

pub use std::collections::BTreeMap;
pub use std::ffi::OsStr;
pub use std::path::Path;
pub use std::process::{Command, Stdio};
pub use std::time::Duration;

pub use serde_json::Value;
pub use signature_emulator::altinn::{AltinnEmulator, FormTaskSeed};
pub use signature_emulator::posten::{Fault, FaultRule, PostenEmulator, RunningEmulator};

pub const SENDER: &str = signature_emulator::posten::DEFAULT_CLIENT_ORGANIZATION_NUMBER;
pub const PIN_A: &str = "24068110048";
pub const PIN_B: &str = "01017010170";
pub const PASSWORD_VAR: &str = "SIGNERING_TEST_P12_PASSWORD";
pub const PASSWORD: &str = "kommando-test passord";
pub const EXIT_URL: &str = "https://sender.example/exit";
pub const PDF: &[u8] =
    b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

pub use super::{Output, runtime, signering as run_in};

impl Output {
    /// Nothing printed has a full identity number or the key store password.
    pub fn clean(self) -> Self {
        self.without(&[PIN_A, PIN_B, PASSWORD])
    }
}

/// A Posten emulator with a client key store and CA in a temporary folder, and a
/// `signering.toml` there that points at it.
pub struct Posten {
    pub emulator: RunningEmulator,
    pub dir: tempfile::TempDir,
}

impl Posten {
    pub fn start() -> Self {
        let emulator = runtime()
            .block_on(
                PostenEmulator::builder()
                    .client(SENDER)
                    .poll_interval(Duration::from_millis(50))
                    .start(),
            )
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let password = (PASSWORD_VAR, PASSWORD);
        super::write_posten_folder(&emulator, dir.path(), SENDER, password, "");
        std::fs::write(dir.path().join("contract.pdf"), PDF).unwrap();
        std::fs::write(dir.path().join("terms.txt"), b"Terms: none.\n").unwrap();
        Self { emulator, dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn run<I, S>(&self, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        run_in(self.path(), args, &[(PASSWORD_VAR, PASSWORD)])
    }

    /// `--json job create` of a portal job titled `title` for [`PIN_A`] with `document`:
    /// the printed job.
    pub fn create_portal_job(&self, title: &str, document: &str) -> Value {
        let args = ["--json", "job", "create", "--title", title];
        let more = ["--signer", PIN_A, "--document", document];
        self.run(args.into_iter().chain(more)).ok().json()
    }

    pub fn job(&self, id: &str) -> signature_emulator::posten::JobSnapshot {
        runtime()
            .block_on(self.emulator.control().job(id.parse().unwrap()))
            .unwrap()
    }

    /// How often each reference occurs among the emulator's jobs `1..=count` (`None`: a job
    /// without one), after checking that it holds no job `count + 1`.
    pub fn references_of_jobs(&self, count: i64) -> BTreeMap<Option<String>, usize> {
        let next = runtime().block_on(self.emulator.control().job(count + 1));
        assert!(next.is_err(), "a job {} exists", count + 1);
        let mut references = BTreeMap::new();
        for id in 1..=count {
            *references
                .entry(self.job(&id.to_string()).reference)
                .or_insert(0) += 1;
        }
        references
    }

    pub fn sign(&self, id: &str, signer: i64) {
        runtime()
            .block_on(self.emulator.control().sign(id.parse().unwrap(), signer))
            .unwrap();
    }
}

pub fn str_of<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("no string {key} in {value}"))
}

/// Walks the emulator's signing page like a browser (the examples' own
/// `browser::sign_on_page`, which refuses a redirect that is not to `EXIT_URL`); returns the
/// status query token.
pub fn sign_on_page(posten: &Posten, redirect: &str) -> String {
    runtime()
        .block_on(signering_examples::browser::sign_on_page(
            &posten.emulator.web_base_url,
            redirect,
            EXIT_URL,
        ))
        .unwrap()
        .reveal()
        .to_owned()
}
