//! Start-up of the in-process Posten emulator, as a test that starts one sees it.

use std::time::{Duration, Instant};

use signature_emulator::posten::PostenEmulator;

use crate::bench::ScenarioResult;

/// Times `PostenEmulator::builder().start()` (CA, certificates, database, both listeners):
/// the first start in this process, then the median of further starts.
///
/// # Errors
///
/// An emulator that does not start.
pub async fn emulator_start() -> anyhow::Result<ScenarioResult> {
    let started = Instant::now();
    let emulator = PostenEmulator::builder().start().await?;
    let first = started.elapsed();
    emulator.shutdown_with(Duration::ZERO).await;
    let runs = 30;
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let emulator = PostenEmulator::builder().start().await?;
        times.push(started.elapsed());
        emulator.shutdown_with(Duration::ZERO).await;
    }
    times.sort_unstable();
    let median = times[runs / 2];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    Ok(ScenarioResult {
        label: "Posten emulator start-up (in process)".to_owned(),
        value: ms(median),
        unit: "ms".to_owned(),
        floor: None,
        peer: None,
        detail: format!(
            "median of {runs} starts after the first; first start in this process {:.1} ms (RSA keys from the key cache when it has them); fastest {:.1} ms, slowest {:.1} ms",
            ms(first),
            ms(times[0]),
            ms(times[runs - 1])
        ),
        peak_rss_kib: 0,
    })
}
