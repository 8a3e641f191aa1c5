//! Posten signering XML: every document type signature-model reads (the answers the client
//! parses, and the requests and manifests the emulator parses). The first byte picks the
//! type, the rest is the document.
//!
//! Checked: no panic; an error message never holds an eleven-digit run (a personal
//! identification number); what was read writes back with `to_xml` and reads again to the
//! same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use signature_core::shows_identity_number;
use signature_model::{WireDocument, from_xml, posten, to_xml};

fn check<T: WireDocument + PartialEq + std::fmt::Debug>(xml: &[u8]) {
    match from_xml::<T>(xml) {
        Ok(value) => {
            let written = match to_xml(&value) {
                Ok(written) => written,
                // The generated writer refuses `]]>` in text (read from a well-formed
                // `]]&gt;`) with a typed error; anything else that was read must write.
                Err(signature_model::Error::Write { .. })
                    if format!("{value:?}").contains("]]>") =>
                {
                    return;
                }
                Err(error) => panic!("a value that was read can be written: {error:?}"),
            };
            let again = from_xml::<T>(&written).expect("what we wrote reads again");
            assert_eq!(value, again, "round trip changed the value");
        }
        Err(error) => {
            let message = error.to_string();
            assert!(
                !shows_identity_number(&message),
                "error message leaks an eleven-digit run: {message}"
            );
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, xml)) = data.split_first() else {
        return;
    };
    match selector % 11 {
        0 => check::<posten::DirectSignatureJobResponse>(xml),
        1 => check::<posten::DirectSignerResponse>(xml),
        2 => check::<posten::DirectSignatureJobStatusResponse>(xml),
        3 => check::<posten::PortalSignatureJobResponse>(xml),
        4 => check::<posten::PortalSignatureJobStatusChangeResponse>(xml),
        5 => check::<posten::Error>(xml),
        6 => check::<posten::DirectSignatureJobRequest>(xml),
        7 => check::<posten::DirectSignatureJobManifest>(xml),
        8 => check::<posten::DirectSignerUpdateRequest>(xml),
        9 => check::<posten::PortalSignatureJobRequest>(xml),
        _ => check::<posten::PortalSignatureJobManifest>(xml),
    }
});
