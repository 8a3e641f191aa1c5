//! Altinn 3 JSON answers: process state, instances and Storage pages, data elements, signing
//! state, signature data elements, Dialogporten dialogs and pages, action results,
//! ProblemDetails errors and token expiries, read by altinn-adapter's own parsing code
//! (through its hidden `fuzzing` module). Checked: no panic, on any bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    std::hint::black_box(altinn_adapter::fuzzing::parse_altinn3_answer(data));
});
