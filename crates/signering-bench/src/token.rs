//! Build + sign with the key on a SoftHSM2 token (imported sensitive, not extractable), beside
//! the same build with a key in memory: the cost of keeping the key on a token. The parent
//! makes the token ([`prepare`]) and runs the scenario with `SOFTHSM2_CONF` set.

use std::path::PathBuf;
use std::process::Command;

use anyhow::Context as _;
use asice::{BundleFile, FixedClock, LoadOptions, Pin, Pkcs11Options, SigningKey};
use signering_testkit::softhsm::{self, KEY_LABEL, PIN, SoftHsm, TOKEN};

use crate::bench::{ScenarioResult, median_build};
use crate::jobs::{pdf_like, test_key};

/// The scenario's name.
pub const SCENARIO: &str = "bundle-softhsm";
const LABEL: &str = "bundle build+sign, SoftHSM2 key, 1 × 100 KiB";
const MODULE_VAR: &str = "SIGNERING_BENCH_PKCS11_MODULE";

/// A token for the scenario's process, or why the row is skipped.
pub fn prepare() -> Result<SoftHsm, String> {
    let module = softhsm::MODULE_PATHS
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .ok_or("SoftHSM2 is not installed (apt-get install softhsm2)")?;
    let runs = |tool: &str, arg: &str| Command::new(tool).arg(arg).output().is_ok();
    if !runs("softhsm2-util", "--version") || !runs("pkcs11-tool", "--help") {
        return Err("softhsm2-util or pkcs11-tool (opensc) is missing".to_owned());
    }
    Ok(SoftHsm::create(module))
}

/// Sets the child's environment for the token made by [`prepare`].
pub fn configure(command: &mut Command, hsm: &SoftHsm) {
    command
        .env("SOFTHSM2_CONF", &hsm.conf)
        .env(MODULE_VAR, &hsm.module);
}

/// The row for a machine without SoftHSM2.
pub fn skipped(why: &str) -> ScenarioResult {
    ScenarioResult {
        label: LABEL.to_owned(),
        value: f64::NAN,
        unit: "ms".to_owned(),
        floor: None,
        peer: None,
        detail: format!("skipped: {why}"),
        peak_rss_kib: 0,
    }
}

/// Runs in the child: median build+sign time with the token key; the peer is the same build
/// with an RSA-2048 key in memory.
pub fn run() -> anyhow::Result<ScenarioResult> {
    let module = std::env::var_os(MODULE_VAR).context("run through `cargo xtask bench`")?;
    let token =
        Pkcs11Options::new(PathBuf::from(module), TOKEN, Pin::new(PIN)).key_label(KEY_LABEL);
    let on_token = SigningKey::from_pkcs11(&token, None, &LoadOptions::default())?;
    let (_, in_memory) = test_key()?;
    let pdf = pdf_like(7, 100 * 1024);
    let manifest = b"<?xml version=\"1.0\"?><manifest/>".to_vec();
    let files = [
        BundleFile::new("dokument.pdf", &pdf, "application/pdf"),
        BundleFile::new("manifest.xml", &manifest, "application/xml"),
    ];
    let clock = FixedClock(time::OffsetDateTime::now_utc());
    let time = |key: &SigningKey| -> anyhow::Result<(f64, usize)> {
        let (median, runs) = median_build(&files, key, &clock)?;
        Ok((median.as_secs_f64() * 1000.0, runs))
    };
    let (token_ms, runs) = time(&on_token)?;
    let (memory_ms, _) = time(&in_memory)?;
    Ok(ScenarioResult {
        label: LABEL.to_owned(),
        value: token_ms,
        unit: "ms".to_owned(),
        floor: None,
        peer: Some(memory_ms),
        detail: format!(
            "median of {runs} runs; key sensitive and not extractable, C_Sign per bundle; peer = the same build with the key in memory"
        ),
        peak_rss_kib: 0,
    })
}
