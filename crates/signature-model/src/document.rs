use xsd_parser_types::quick_xml::{WithDeserializer, WithSerializer};

use crate::posten;

/// A type that is the whole body of a request, response or `manifest.xml`: it knows its root
/// element's name, which the reader checks and the writer writes.
pub trait WireDocument: WithDeserializer + WithSerializer + Sized {
    /// Local name of the root element, in namespace [`crate::NAMESPACE`].
    const ROOT: &'static str;
}

macro_rules! wire_documents {
    ($($ty:ty => $root:literal,)+) => {
        $( impl WireDocument for $ty { const ROOT: &'static str = $root; } )+

        /// Every root element name, for tests that walk all documents.
        #[cfg(test)]
        pub(crate) const ALL_ROOTS: &[&str] = &[$($root),+];
    };
}

wire_documents! {
    posten::DirectSignatureJobRequest => "direct-signature-job-request",
    posten::DirectSignatureJobManifest => "direct-signature-job-manifest",
    posten::DirectSignatureJobResponse => "direct-signature-job-response",
    posten::DirectSignerResponse => "direct-signer-response",
    posten::DirectSignerUpdateRequest => "direct-signer-update-request",
    posten::DirectSignatureJobStatusResponse => "direct-signature-job-status-response",
    posten::PortalSignatureJobRequest => "portal-signature-job-request",
    posten::PortalSignatureJobManifest => "portal-signature-job-manifest",
    posten::PortalSignatureJobResponse => "portal-signature-job-response",
    posten::PortalSignatureJobStatusChangeResponse => "portal-signature-job-status-change-response",
    posten::Error => "error",
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_root_is_in_the_schema_outline() {
        for root in super::ALL_ROOTS {
            assert!(
                crate::outline::KNOWN_PATHS.binary_search(root).is_ok(),
                "{root}"
            );
        }
    }
}
