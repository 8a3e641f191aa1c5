//! Helpers for the workspace's tests: a throwaway test PKI ([`pki`]), OpenAPI conformance of
//! recorded HTTP exchanges ([`openapi`]), where the upstream
//! reference material is, whether an independent tool is installed, and running `xmllint`
//! against a schema.
//!
//! A test that needs a missing tool or `SIGNERING_REFERENCE_DIR` prints a notice and skips,
//! unless `SIGNERING_REQUIRE_TOOLS=1` (as in CI), where it fails instead.
#![deny(missing_docs)]
#![allow(clippy::expect_used, clippy::unwrap_used)] // test support: failing loudly is the point

pub mod openapi;
pub mod pki;
pub mod softhsm;
pub mod tinyproxy;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

/// `len` incompressible bytes behind a PDF header, like a PDF whose streams are
/// Flate-compressed: the same bytes for the same `seed` (an xorshift sequence), so tests and
/// benchmarks can build large documents without fixtures.
pub fn pdf_like(seed: u32, len: usize) -> Vec<u8> {
    let mut v = b"%PDF-1.7\n".to_vec();
    let mut x = 0x9e37_79b9 ^ seed;
    while v.len() < len {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        v.extend_from_slice(&x.to_le_bytes());
    }
    v.truncate(len);
    v
}

/// Whether missing tools must fail the run (`SIGNERING_REQUIRE_TOOLS=1`).
pub fn tools_required() -> bool {
    std::env::var_os("SIGNERING_REQUIRE_TOOLS").is_some_and(|v| v == "1")
}

/// Prints why `test` skips, or panics when tools are required.
pub fn skip_or_fail(test: &str, why: &str) {
    assert!(
        !tools_required(),
        "{test}: {why}, and SIGNERING_REQUIRE_TOOLS=1"
    );
    eprintln!("notice: skipping {test}: {why}");
}

/// `$SIGNERING_REFERENCE_DIR` (the upstream Posten reference: `schema/xsd`, `schema/examples`),
/// or `None` after [`skip_or_fail`].
pub fn reference_dir(test: &str) -> Option<PathBuf> {
    match std::env::var_os("SIGNERING_REFERENCE_DIR") {
        Some(dir) => Some(PathBuf::from(dir)),
        None => {
            skip_or_fail(
                test,
                "SIGNERING_REFERENCE_DIR is not set (point it at shared/reference/posten)",
            );
            None
        }
    }
}

/// The password of the official Java client's test key store ([`java_test_key_store`]), from
/// the reference's `fixtures/SOURCES.txt`.
pub const JAVA_TEST_KEY_STORE_PASSWORD: &str = "yJPvczYAoirFfC9M";

/// Where the official Java client's test key store is in the Posten reference: a BER
/// PKCS#12 file (legacy encryption, SHA-1 MAC) whose certificate, from Buypass's test CA for
/// 988015814, expired on 2018-11-11. `None` after [`skip_or_fail`] without the reference.
pub fn java_test_key_store_path(test: &str) -> Option<PathBuf> {
    reference_dir(test)
        .map(|dir| dir.join("fixtures/java/bring-expired-certificate-for-testing.p12"))
}

/// The bytes of [`java_test_key_store_path`]'s file; panics when the reference lacks it.
pub fn java_test_key_store(test: &str) -> Option<Vec<u8>> {
    let path = java_test_key_store_path(test)?;
    Some(std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

/// The official Altinn 3 API descriptions (`../shared/reference/altinn3` beside the
/// repository, or `$SIGNERING_ALTINN3_REFERENCE_DIR`), or `None` after [`skip_or_fail`].
pub fn altinn3_reference_dir(test: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("SIGNERING_ALTINN3_REFERENCE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("../shared/reference/altinn3"));
    if dir.join("SOURCES.txt").is_file() {
        Some(dir)
    } else {
        skip_or_fail(
            test,
            &format!(
                "the Altinn 3 reference is not at {} (set SIGNERING_ALTINN3_REFERENCE_DIR)",
                dir.display()
            ),
        );
        None
    }
}

/// Whether `program` with `args` starts and exits with success (a version or help flag shows
/// that a tool is installed and runs).
pub fn tool_runs(program: impl AsRef<OsStr>, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Whether `program` with `arg` runs ([`tool_runs`]); otherwise [`skip_or_fail`] with
/// `missing`, which says how to install it.
pub fn have_tool(test: &str, program: &str, arg: &str, missing: &str) -> bool {
    let ok = tool_runs(program, &[arg]);
    if !ok {
        skip_or_fail(test, missing);
    }
    ok
}

/// Whether `xmllint` runs; otherwise [`skip_or_fail`].
pub fn have_xmllint(test: &str) -> bool {
    have_tool(
        test,
        "xmllint",
        "--version",
        "xmllint is not installed (apt-get install libxml2-utils)",
    )
}

/// The first Python that can `import module`: the one in the independent verifiers' virtual
/// environment (`$SIGNXML_VENV`, default `~/.cache/signering-verifiers`, where `.ci/run`
/// installs signxml and pyHanko), else `python3`. `None` when neither can; the caller says
/// what is missing, since only it knows whether that skips or fails.
pub fn verifier_python(module: &str) -> Option<PathBuf> {
    let venv = std::env::var_os("SIGNXML_VENV")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache/signering-verifiers"))
        });
    venv.map(|v| v.join("bin/python"))
        .into_iter()
        .chain([PathBuf::from("python3")])
        .find(|python| tool_runs(python, &["-c", &format!("import {module}")]))
}

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Entry point of the project's own XSDs.
pub fn our_schema() -> PathBuf {
    workspace_root().join("schema/posten/v1/signering.xsd")
}

/// Entry point of the upstream XSDs under a reference directory.
pub fn upstream_schema(reference: &Path) -> PathBuf {
    reference.join("schema/xsd/direct-and-portal.xsd")
}

/// Runs `xmllint --noout --schema SCHEMA` on `xml`; returns (valid, diagnostics).
pub fn xmllint(schema: &Path, xml: &[u8]) -> (bool, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("document.xml");
    std::fs::write(&file, xml).expect("write temp file");
    let output = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(schema)
        .arg(&file)
        .output()
        .expect("run xmllint");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Validates `xml` against our XSDs and, when `SIGNERING_REFERENCE_DIR` is set, the upstream
/// XSDs; returns the rejections (empty when valid). Skips (empty) without xmllint.
pub fn validate_against_both_schemas(test: &str, xml: &[u8]) -> Vec<String> {
    if !have_xmllint(test) {
        return Vec::new();
    }
    let mut schemas = vec![our_schema()];
    schemas.extend(reference_dir(test).map(|r| upstream_schema(&r)));
    schemas
        .into_iter()
        .filter_map(|schema| {
            let (ok, diagnostics) = xmllint(&schema, xml);
            (!ok).then(|| format!("rejected by {}: {diagnostics}", schema.display()))
        })
        .collect()
}

/// Files under `fixtures/` (documents of the official clients and real answers of the test
/// service, see its `SOURCES.txt`) that are not documents the model must read, with the reason.
/// Every other `*.xml` file there must read: a file added later is covered without code.
pub const FIXTURE_EXCLUSIONS: &[(FixtureMatch, &str)] = &[
    (
        FixtureMatch::Prefix("historical-2016_"),
        "obsolete 2016 wire format (no signature-job-status, per-job status), removed from the \
         .NET client in 2016 and answered by no service since",
    ),
    (
        FixtureMatch::Suffix("_invalid.xml"),
        "invalid on purpose: the official clients' negative schema tests",
    ),
    (
        FixtureMatch::Name("resources_portal-manifest_legacy-single-document.xml"),
        "a portal signer without notifications: invalid against the upstream XSD too",
    ),
    (
        FixtureMatch::Name("client-generated_signatures-xml_buypass-test4-chain.xml"),
        "a XAdES signatures.xml written by a client, not an API document (the asice crate's \
         business)",
    ),
];

/// Extensions of fixture files that are no XML documents (key stores, certificates, empty
/// answer bodies, notes). A file with any other extension fails the walk until it is handled.
pub const FIXTURE_OTHER_EXTENSIONS: &[&str] = &["txt", "p12", "cer"];

/// How an entry of [`FIXTURE_EXCLUSIONS`] matches a file name.
#[derive(Debug, Clone, Copy)]
pub enum FixtureMatch {
    /// The name starts with this.
    Prefix(&'static str),
    /// The name ends with this.
    Suffix(&'static str),
    /// The whole name.
    Name(&'static str),
}

impl FixtureMatch {
    /// Whether `name` (a file name without directory) matches.
    pub fn matches(self, name: &str) -> bool {
        match self {
            Self::Prefix(prefix) => name.starts_with(prefix),
            Self::Suffix(suffix) => name.ends_with(suffix),
            Self::Name(whole) => name == whole,
        }
    }
}

/// Every XML document under `reference/fixtures` that the model must read (sorted), after
/// [`FIXTURE_EXCLUSIONS`]. Panics on a file of unknown kind, and when there are none at all.
pub fn posten_fixture_documents(reference: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("read fixtures dir") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                walk(&path, out);
                continue;
            }
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            if extension == "xml" {
                if !FIXTURE_EXCLUSIONS.iter().any(|(m, _)| m.matches(name)) {
                    out.push(path);
                }
            } else {
                assert!(
                    FIXTURE_OTHER_EXTENSIONS.contains(&extension),
                    "{}: a fixture of unknown kind; read it in the fixture tests or list its \
                     extension in FIXTURE_OTHER_EXTENSIONS",
                    path.display()
                );
            }
        }
    }
    let mut files = Vec::new();
    walk(&reference.join("fixtures"), &mut files);
    files.sort();
    assert!(
        !files.is_empty(),
        "no fixture documents under {}",
        reference.display()
    );
    files
}
