//! Resident memory of the current process, from `/proc/self/status` (Linux).

/// One field of `/proc/self/status` in KiB (`VmRSS`, `VmHWM`, …); `None` where the file or
/// the field does not exist (not Linux).
pub fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|line| {
        let rest = line.strip_prefix(field)?.strip_prefix(':')?;
        rest.trim().strip_suffix("kB")?.trim().parse().ok()
    })
}

/// Current resident set size in KiB.
pub fn current_kib() -> Option<u64> {
    status_kib("VmRSS")
}

/// Peak resident set size ("high water mark") in KiB.
pub fn peak_kib() -> Option<u64> {
    status_kib("VmHWM")
}

/// The median of `values` (the upper one of the middle two for an even count); 0 for none.
pub fn median(values: &[u64]) -> u64 {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    sorted.get(sorted.len() / 2).copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_this_process() {
        if cfg!(target_os = "linux") {
            let rss = current_kib().unwrap();
            let peak = peak_kib().unwrap();
            assert!(rss > 0 && peak >= rss, "{rss} {peak}");
        }
    }

    #[test]
    fn median_of_odd_even_and_empty() {
        assert_eq!(median(&[5, 1, 3]), 3);
        assert_eq!(median(&[4, 1, 3, 2]), 3);
        assert_eq!(median(&[]), 0);
    }
}
