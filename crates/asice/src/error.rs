//! The crate's error type.

use std::path::PathBuf;

/// Everything that can go wrong while loading keys, building, inspecting or verifying a bundle.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    // ---- key material -------------------------------------------------------------------------
    /// A key or certificate file could not be read.
    #[error("cannot read {path}: {source}")]
    ReadFile {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The password does not open the PKCS#12 file or the encrypted private key.
    #[error("wrong password for the {0}")]
    WrongPassword(&'static str),
    /// The PKCS#12 file is malformed or uses an unsupported algorithm.
    #[error("cannot read the PKCS#12 file: {0}")]
    Pkcs12(String),
    /// The key store or key file holds no private key.
    #[error("no private key found in the {0}")]
    NoPrivateKey(&'static str),
    /// The key store or chain file holds no certificate.
    #[error("no certificate found in the {0}")]
    NoCertificate(&'static str),
    /// A PEM file could not be parsed.
    #[error("cannot parse PEM {what}: {detail}")]
    Pem {
        /// Which file.
        what: &'static str,
        /// The parser's message.
        detail: String,
    },
    /// The private key is not an RSA key.
    #[error("the private key is not an RSA key (algorithm {0}); only RSA keys can sign the bundle")]
    NonRsaKey(String),
    /// The private key could not be used by the RSA implementation.
    #[error("the RSA private key is not usable: {0}")]
    InvalidKey(String),
    /// The private key does not belong to the first certificate of the chain.
    #[error("the private key does not match the certificate {0}")]
    KeyCertificateMismatch(String),
    /// A certificate could not be parsed.
    #[error("cannot parse certificate: {0}")]
    Certificate(String),
    /// The signing certificate's key usage does not allow digital signatures.
    #[error("certificate {0} lacks the digitalSignature key usage")]
    NoDigitalSignatureUsage(String),
    /// The signing certificate has expired.
    #[error("certificate {subject} expired at {not_after}")]
    CertificateExpired {
        /// Certificate subject (RFC 2253).
        subject: String,
        /// End of validity.
        not_after: time::OffsetDateTime,
    },
    /// The signing certificate is not yet valid.
    #[error("certificate {subject} is not valid before {not_before}")]
    CertificateNotYetValid {
        /// Certificate subject (RFC 2253).
        subject: String,
        /// Start of validity.
        not_before: time::OffsetDateTime,
    },
    /// RSA signing failed inside the crypto library.
    #[error("signing failed")]
    Signing,
    /// The key is behind a [`crate::KeySigner`] (a token, a KMS) and cannot be exported.
    #[error("the private key cannot be exported: it stays on its token or service")]
    KeyNotExtractable,
    /// A signature scheme the key does not offer was asked for.
    #[error(
        "the key does not offer the signature scheme {scheme} (it offers {})",
        crate::error::scheme_list(offered)
    )]
    UnsupportedScheme {
        /// The scheme asked for.
        scheme: crate::SignatureScheme,
        /// What the key offers.
        offered: Vec<crate::SignatureScheme>,
    },
    /// A digest of the wrong length for its scheme.
    #[error("a {scheme} signature needs a {} byte digest, got {len} bytes", scheme.digest_len())]
    DigestLength {
        /// The scheme.
        scheme: crate::SignatureScheme,
        /// The length given.
        len: usize,
    },
    /// A [`crate::KeySigner`] of your own failed.
    #[error("the signing key failed: {0}")]
    Signer(Box<dyn std::error::Error + Send + Sync + 'static>),
    /// A PKCS#11 token or module problem.
    #[error(transparent)]
    Pkcs11(#[from] crate::pkcs11::Pkcs11Error),

    // ---- building -----------------------------------------------------------------------------
    /// A file name is not allowed in the bundle.
    #[error("file name {name:?} is not allowed: {reason}")]
    UnsafeFileName {
        /// The rejected name.
        name: String,
        /// Why.
        reason: &'static str,
    },
    /// Two files have the same name.
    #[error("file name {0:?} occurs more than once")]
    DuplicateFileName(String),
    /// A MIME type contains characters that cannot appear in the signature.
    #[error("MIME type {0:?} of file is not a valid media type")]
    InvalidMimeType(String),
    /// The bundle has no files.
    #[error("a bundle needs at least one file")]
    NoFiles,
    /// A file's content could not be read while building ([`crate::Content::Reader`]).
    #[error("cannot read the content of {name}: {source}")]
    ReadContent {
        /// The file's name in the bundle.
        name: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The zip writer failed.
    #[error("cannot write the zip: {0}")]
    ZipWrite(String),

    // ---- reading and verifying ----------------------------------------------------------------
    /// The bytes are not a readable zip file.
    #[error("not a readable zip file: {0}")]
    ZipRead(String),
    /// The zip has more entries than allowed.
    #[error("the zip has {found} entries, at most {limit} are allowed")]
    TooManyEntries {
        /// Entries found.
        found: usize,
        /// The limit.
        limit: usize,
    },
    /// A zip entry name is absolute, climbs out with `..`, or is otherwise unsafe.
    #[error("zip entry name {0:?} is unsafe (absolute path, traversal or control character)")]
    UnsafeEntryName(String),
    /// A zip entry name occurs twice.
    #[error("zip entry {0:?} occurs more than once")]
    DuplicateEntry(String),
    /// A zip entry is larger than allowed.
    #[error("zip entry {name:?} is larger than {limit} bytes")]
    EntryTooLarge {
        /// Entry name.
        name: String,
        /// The limit.
        limit: u64,
    },
    /// The uncompressed entries together are larger than allowed.
    #[error("the zip's entries together exceed {0} bytes")]
    BundleTooLarge(u64),
    /// A required zip entry is missing.
    #[error("the bundle has no {0}")]
    MissingEntry(&'static str),
    /// A zip entry that the profile forbids.
    #[error("the bundle must not contain {0:?}")]
    ForbiddenEntry(String),
    /// The `mimetype` entry is wrong.
    #[error("the mimetype entry is invalid: {0}")]
    InvalidMimetypeEntry(&'static str),
    /// `signatures.xml` is not well-formed or uses unsupported XML features.
    #[error("META-INF/signatures.xml is not acceptable XML: {0}")]
    Xml(String),
    /// `signatures.xml` does not have the structure of the profile.
    #[error("signature structure: {0}")]
    Structure(String),
    /// An algorithm other than the profile's.
    #[error("unsupported {what} algorithm {uri:?}")]
    UnsupportedAlgorithm {
        /// Which algorithm slot.
        what: &'static str,
        /// The URI found.
        uri: String,
    },
    /// A reference points to something that is not in the container.
    #[error("reference {0:?} does not name a file in the container")]
    DanglingReference(String),
    /// A file is referenced twice.
    #[error("file {0:?} is referenced more than once")]
    DuplicateReference(String),
    /// A file outside META-INF is not covered by the signature.
    #[error("file {0:?} is not covered by the signature")]
    UncoveredFile(String),
    /// A file's digest does not match its reference.
    #[error("digest of file {0:?} does not match its reference")]
    FileDigestMismatch(String),
    /// The SignedProperties digest does not match.
    #[error("the SignedProperties digest does not match")]
    SignedPropertiesDigestMismatch,
    /// The SigningCertificate digest does not match the signing certificate.
    #[error("the SigningCertificate digest does not match the certificate in KeyInfo")]
    CertDigestMismatch,
    /// IssuerSerial does not name the signing certificate.
    #[error("IssuerSerial does not match the signing certificate: {0}")]
    IssuerSerialMismatch(String),
    /// A file's reference has no DataObjectFormat (or the other way round).
    #[error("DataObjectFormat mismatch: {0}")]
    DataObjectFormat(String),
    /// The RSA signature over SignedInfo is wrong.
    #[error("the signature value does not verify with the signing certificate's key")]
    BadSignatureValue,
    /// SigningTime is missing or not an xs:dateTime.
    #[error("invalid SigningTime {0:?}")]
    InvalidSigningTime(String),
    /// The certificate chain does not lead to one of the trust roots.
    #[error("certificate chain: {0}")]
    UntrustedChain(String),
}

impl Error {
    /// Whether the error concerns the key or its certificate (reading the key store or key
    /// file, its password, the key itself, the certificate's validity, a token or signer
    /// failing) rather than the bundle's files or a bundle being read. Adapters report these
    /// as key errors, not as bundle errors.
    pub fn is_key_error(&self) -> bool {
        matches!(
            self,
            Self::ReadFile { .. }
                | Self::WrongPassword(_)
                | Self::Pkcs12(_)
                | Self::NoPrivateKey(_)
                | Self::NoCertificate(_)
                | Self::Pem { .. }
                | Self::NonRsaKey(_)
                | Self::InvalidKey(_)
                | Self::KeyCertificateMismatch(_)
                | Self::Certificate(_)
                | Self::NoDigitalSignatureUsage(_)
                | Self::CertificateExpired { .. }
                | Self::CertificateNotYetValid { .. }
                | Self::Signing
                | Self::KeyNotExtractable
                | Self::UnsupportedScheme { .. }
                | Self::DigestLength { .. }
                | Self::Signer(_)
                | Self::Pkcs11(_)
        )
    }
}

pub(crate) fn scheme_list(schemes: &[crate::SignatureScheme]) -> String {
    if schemes.is_empty() {
        return "none".to_owned();
    }
    schemes
        .iter()
        .map(|s| s.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Shorthand used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
