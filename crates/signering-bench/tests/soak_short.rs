//! The fault soak, short (12 s of load, debug build), with the same invariants as
//! `cargo xtask soak`: nothing lost, every change confirmed exactly once, memory flat.

use std::path::PathBuf;
use std::time::Duration;

use signering_bench::soak::{SoakConfig, run};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn short_soak_loses_nothing_and_confirms_each_change_once() {
    let exe = PathBuf::from(env!("CARGO_BIN_EXE_soak"));
    let mut config = SoakConfig::new(Duration::from_secs(12), exe);
    // Debug build on a shared CI machine: a gentler rate; the bound on memory growth is the
    // same as for the long run.
    config.jobs_per_second = 6.0;
    let report = run(&config).await.expect("the soak ran");
    println!("{report}");
    assert!(report.passed(), "{report}");
    assert!(report.jobs_created > 20, "{report}");
}
