//! ASiC-E document bundles with a XAdES baseline-B signature, as Norwegian e-signature and
//! message services (Posten signering and others) require them.
//!
//! * [`SigningKey`] loads the enterprise certificate chain and its RSA key from PKCS#12 or PEM,
//!   or uses a key that never leaves its PKCS#11 token ([`Pkcs11Key`]) or your own
//!   [`KeySigner`] (a cloud KMS).
//! * [`build`] signs a list of files (the caller's job manifest among them) and returns the zip;
//!   [`build_to`] streams files from disk or readers into a file instead.
//! * [`verify`] checks a bundle completely; [`inspect`] lists what is in it without checking.
//!
//! # Decisions
//!
//! **`mimetype` entry.** By default the zip starts with a stored `mimetype` entry holding
//! `application/vnd.etsi.asic-e+zip`, as ASiC (ETSI TS 102 918) prescribes and generic ASiC
//! validators expect. The signature verifiers (xmlsec1, signxml) see only the signature and the
//! referenced files and accept bundles with and without it (both are tested), and the profile
//! allows an uncovered `mimetype` entry, so the conventional form is the default;
//! [`BuildOptions::mimetype_entry`] turns it off to mimic the official clients, which omit it.
//!
//! **Compression.** [`Compression::Auto`] stores PDFs (and other already-compressed media) and
//! deflates the rest. Measured (see `docs/performance.md`): on two real PDFs deflate saved 1.8 %
//! of the bytes for 9× the time; on a 3 MiB PDF-like payload it took 86 ms against 3.5 ms for
//! the whole stored build and saved nothing.
//!
//! **Streaming.** [`build_to`] reads each file once, in 512 KiB pieces, through SHA-256 into
//! the zip (from 256 KiB on, the hashing runs on a helper thread, overlapping the copy, and
//! the copy of the next file does not wait for the previous file's digest); the signature is
//! the last entry, so nothing has to be held or read twice, and the memory a
//! build needs does not depend on the documents (measured in `docs/performance.md`: the
//! CLI's peak RSS is the same for 1, 5 and 9 MiB of documents). Input reaches the deflate
//! encoder in the same fixed-size pieces whatever the source, because the encoder's output
//! depends on how its input is split: [`build`] and [`build_to`] write the same bytes.
//!
//! **File names.** File names are reference URIs. The official Java client form-encodes them
//! (space → `+`) while RFC 3986 decoders (xmlsec1, signxml) keep `+`, so an encoded name does
//! not resolve everywhere. The builder therefore accepts only names that need no encoding,
//! `[0-9A-Za-z._-]` ([`check_file_name`]); [`safe_file_name`] reduces a document title to that
//! alphabet (`æ`→`ae`, `ø`→`oe`, `å`→`aa`, other runs → `_`).
//!
//! **Signature form.** The signature follows the official Java client byte for byte in
//! structure (unprefixed namespaces, `ns2` for xmldsig inside QualifyingProperties, inclusive
//! C14N 1.0, `Id="ID_n"` references, SHA-1 CertDigest, RFC 2253 issuer name in the JDK's form).
//! The canonical bytes are emitted directly rather than produced by a C14N library.
#![deny(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod bundle;
mod c14n;
mod cert;
mod clock;
mod copy;
mod error;
mod filename;
mod inspect;
mod keys;
mod organization;
mod pkcs11;
mod pkcs12_ber;
mod signer;
mod source;
#[cfg(feature = "rustls")]
mod tls;
mod verify;
mod xades;
mod xmltree;
mod ziparchive;

pub use bundle::{
    ASICE_MIME_TYPE, BuildOptions, BundleFile, Compression, SIGNATURES_PATH, build, build_to,
};
pub use clock::{Clock, FixedClock, SystemClock};
pub use error::{Error, Result};
pub use filename::{MAX_FILE_NAME_LEN, check_file_name, safe_file_name};
pub use inspect::{CertificateSummary, EntrySummary, Inspection, inspect, inspect_reader};
pub use keys::{LoadOptions, SigningKey};
pub use organization::{Seid, organization_number_and_seid, organization_number_of_certificate};
pub use pkcs11::{Pin, Pkcs11Error, Pkcs11Key, Pkcs11Options};
pub use signer::{KeySigner, SignatureScheme};
pub use source::{Content, SourceFile};
#[cfg(feature = "rustls")]
pub use tls::{ClientCertResolver, tls_client_config, tls_crypto_provider};
pub use verify::{VerifiedBundle, VerifyOptions, verify};
pub use ziparchive::Limits;

/// The test PKI shared with the integration tests and other crates, and its leaf key loaded
/// the way callers load theirs (one place for the unit tests of every module).
#[cfg(test)]
mod testpki {
    pub(crate) use signering_testkit::pki::*;

    /// `pki`'s leaf key with its certificate chain, from PEM, with `options`.
    pub(crate) fn load_key(
        pki: &TestPki,
        options: &crate::LoadOptions,
    ) -> crate::Result<crate::SigningKey> {
        crate::SigningKey::from_pem(
            pki.key_pem.as_bytes(),
            pki.chain_pem.as_bytes(),
            None,
            options,
        )
    }

    /// `pki`'s leaf key with the default options; a test PKI's key always loads.
    pub(crate) fn signing_key(pki: &TestPki) -> crate::SigningKey {
        load_key(pki, &crate::LoadOptions::default()).unwrap()
    }
}
