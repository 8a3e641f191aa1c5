//! The in-process Altinn 3 emulator with two persons, the first one's ID-porten token, and
//! a folder holding a form and a PDF, for the tests that run `signering` against Altinn 3.

#![allow(dead_code, unused_imports)] // shared by several test files, each using a part
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

pub use signature_emulator::altinn3::{Altinn3Emulator, DOCUMENT_DATA_TYPE, SIGNATURE_DATA_TYPE};

use super::{Output, altinn3_create, runtime, signering as run_in};

/// The person who owns and signs (`Output::clean` looks for the numbers).
pub const PIN: &str = super::commands::PIN_A;
/// Another person, who may not read the first one's instances.
pub const OTHER_PIN: &str = super::commands::PIN_B;
pub const APP: &str = "ttd/signing-demo";
pub const PDF: &[u8] = b"%PDF-1.7\n% a document to sign\n%%EOF\n";

pub struct Setup {
    pub emulator: Altinn3Emulator,
    pub party: u64,
    pub token: String,
    pub dir: tempfile::TempDir,
}

/// The emulator with [`APP`], the persons, and `form.xml` and `avtale.pdf` in the folder.
pub fn setup() -> Setup {
    let emulator = runtime()
        .block_on(Altinn3Emulator::builder().app(APP).start())
        .unwrap();
    let party = emulator.add_person(PIN, "Kari Nordmann");
    emulator.add_person(OTHER_PIN, "Ola Nordmann");
    let token = emulator.issue_idporten_token(PIN);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("form.xml"),
        "<Skjema><Navn>Test AS</Navn></Skjema>",
    )
    .unwrap();
    std::fs::write(dir.path().join("avtale.pdf"), PDF).unwrap();
    Setup {
        emulator,
        party,
        token,
        dir,
    }
}

impl Setup {
    /// `signering ARGS` in the folder, logged in as [`PIN`] through the environment.
    pub fn run(&self, args: &[&str]) -> Output {
        let envs = [
            ("SIGNERING_ALTINN3_URL", self.emulator.base_url()),
            ("SIGNERING_ALTINN3_TOKEN", self.token.as_str()),
        ];
        run_in(self.dir.path(), args, &envs)
    }

    /// `signering COMMAND --provider altinn3 ARGS`: a provider-neutral command for Altinn 3.
    pub fn run_neutral(&self, command: &[&str], args: &[&str]) -> Output {
        let mut all = command.to_vec();
        all.extend(["--provider", "altinn3"]);
        all.extend(args);
        self.run(&all)
    }

    /// `altinn3 instances create` with the form and the PDF: the instance.
    pub fn create(&self) -> String {
        let party = self.party.to_string();
        let document = format!("{DOCUMENT_DATA_TYPE}:avtale.pdf");
        let data = ["model:form.xml", &document];
        let created = self
            .run(&altinn3_create(APP, ["--party", &party], &data))
            .ok()
            .clean()
            .json();
        created["instance"].as_str().unwrap().to_owned()
    }
}
