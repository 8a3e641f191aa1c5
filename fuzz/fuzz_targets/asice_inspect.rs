//! The bundle inspector on arbitrary zip bytes, with the default limits. Checked: no panic,
//! and every listed entry name passed the name rules (no path traversal, no absolute paths).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(inspection) = asice::inspect(data, &asice::Limits::default()) {
        for entry in &inspection.entries {
            assert!(!entry.name.starts_with('/'), "absolute name listed: {:?}", entry.name);
            assert!(!entry.name.contains('\\'), "backslash name listed: {:?}", entry.name);
            assert!(
                !entry.name.split('/').any(|part| part == ".."),
                "traversal name listed: {:?}",
                entry.name
            );
        }
    }
});
