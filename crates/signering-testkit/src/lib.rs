//! Helpers for the workspace's tests: a throwaway test PKI ([`pki`]), where the upstream
//! reference material is, whether an independent tool is installed, and running `xmllint`
//! against a schema.
//!
//! A test that needs a missing tool or `SIGNERING_REFERENCE_DIR` prints a notice and skips,
//! unless `SIGNERING_REQUIRE_TOOLS=1` (as in CI), where it fails instead.
#![deny(missing_docs)]
#![allow(clippy::expect_used, clippy::unwrap_used)] // test support: failing loudly is the point

pub mod pki;

use std::path::{Path, PathBuf};
use std::process::Command;

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

/// Whether `xmllint` runs; otherwise [`skip_or_fail`].
pub fn have_xmllint(test: &str) -> bool {
    let ok = Command::new("xmllint")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        skip_or_fail(
            test,
            "xmllint is not installed (apt-get install libxml2-utils)",
        );
    }
    ok
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
