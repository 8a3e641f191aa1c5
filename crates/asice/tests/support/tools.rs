//! Runs the independent verifiers (xmlsec1, signxml) on a bundle through the scripts in
//! `tests/tools/`.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Tools {
    python: PathBuf,
}

/// The tools, or `None` after [`signering_testkit::skip_or_fail`]: with
/// `SIGNERING_REQUIRE_TOOLS=1` a missing tool fails the test instead.
pub fn tools() -> Option<Tools> {
    let mut missing = Vec::new();
    for (tool, arg) in [("xmlsec1", "--version"), ("unzip", "-v")] {
        if !signering_testkit::tool_runs(tool, &[arg]) {
            missing.push(tool.to_owned());
        }
    }
    let python = signering_testkit::verifier_python("signxml");
    if python.is_none() {
        missing.push("python3 with signxml (SIGNXML_VENV)".to_owned());
    }
    if missing.is_empty() {
        return python.map(|python| Tools { python });
    }
    signering_testkit::skip_or_fail(
        "the interoperability check",
        &format!("independent verifiers missing: {}", missing.join(", ")),
    );
    None
}

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/tools")
        .join(name)
}

fn run(cmd: &mut Command) -> Result<(), String> {
    let out = cmd.output().map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// Verdicts of xmlsec1 and of signxml (XMLVerifier + XAdESVerifier).
#[derive(Debug)]
pub struct Verdicts {
    pub xmlsec1: Result<(), String>,
    pub signxml: Result<(), String>,
}

impl Verdicts {
    pub fn both_accept(&self) -> bool {
        self.xmlsec1.is_ok() && self.signxml.is_ok()
    }
    pub fn both_reject(&self) -> bool {
        self.xmlsec1.is_err() && self.signxml.is_err()
    }
}

pub fn check(tools: &Tools, bundle: &[u8], root_pem: &str) -> Verdicts {
    let dir = tempfile::tempdir().expect("temp dir");
    let zip_path = dir.path().join("bundle.asice");
    let root_path = dir.path().join("root.pem");
    let unpacked = dir.path().join("unpacked");
    std::fs::write(&zip_path, bundle).expect("write bundle");
    std::fs::write(&root_path, root_pem).expect("write root");
    run(Command::new("unzip")
        .arg("-q")
        .arg(&zip_path)
        .arg("-d")
        .arg(&unpacked))
    .expect("unzip the bundle");
    let files = std::fs::read_dir(&unpacked)
        .expect("list")
        .filter_map(Result::ok)
        .filter(|e| e.path().is_file() && e.file_name() != "mimetype")
        .count();
    let xmlsec1 = run(Command::new("bash")
        .arg(script("xmlsec_verify.sh"))
        .arg(&unpacked)
        .arg(&root_path));
    let signxml = run(Command::new(&tools.python)
        .arg(script("signxml_verify.py"))
        .arg(&unpacked)
        .arg(&root_path)
        .arg((files + 1).to_string()));
    Verdicts { xmlsec1, signxml }
}
