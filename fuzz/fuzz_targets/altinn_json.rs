//! Altinn 2 HAL+JSON answers: message lists, messages, forms, attachments, reportees, error
//! bodies, signing texts and `Location` values, read by altinn-adapter's own parsing code
//! (through its hidden `fuzzing` module). Checked: no panic, on any bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    std::hint::black_box(altinn_adapter::fuzzing::parse_answer(data));
});
