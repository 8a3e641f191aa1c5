//! The bundle verifier on arbitrary zip bytes (structure, digests, XAdES signature, without
//! trust roots so the chain check is not what stops most inputs). Checked: no panic; an
//! accepted bundle names only safe file names.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(verified) = asice::verify(data, &asice::VerifyOptions::default()) {
        for name in &verified.files {
            assert!(asice::check_file_name(name).is_ok(), "unsafe name verified: {name:?}");
        }
    }
});
