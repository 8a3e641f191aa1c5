//! The seam between the enterprise certificate and wherever its private key lives: in memory,
//! on a PKCS#11 token (HSM, smart card), or in a service such as a cloud KMS.
//!
//! Both uses of the key go through [`KeySigner`]: the XAdES signature of a bundle (RSA
//! PKCS#1 v1.5 with SHA-256) and, in the adapters, the TLS client certificate (TLS 1.3 asks
//! for RSA-PSS, TLS 1.2 also accepts PKCS#1 v1.5). The signer receives a digest, never the
//! document, and nothing ever asks it for the private key's value.

use std::fmt;

use crate::error::{Error, Result};

/// An RSA signature scheme: padding and hash.
///
/// [`SignatureScheme::RsaPkcs1Sha256`] is what the bundle's XAdES signature needs; the PSS
/// schemes are what TLS 1.3 requires of an RSA client certificate (RFC 8446 §4.4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureScheme {
    /// RSASSA-PKCS1-v1_5 with SHA-256 (XAdES `rsa-sha256`, TLS `rsa_pkcs1_sha256`).
    RsaPkcs1Sha256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RsaPkcs1Sha384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RsaPkcs1Sha512,
    /// RSASSA-PSS with SHA-256, MGF1 with SHA-256, a 32-byte salt (TLS `rsa_pss_rsae_sha256`).
    RsaPssSha256,
    /// RSASSA-PSS with SHA-384, MGF1 with SHA-384, a 48-byte salt.
    RsaPssSha384,
    /// RSASSA-PSS with SHA-512, MGF1 with SHA-512, a 64-byte salt.
    RsaPssSha512,
}

impl SignatureScheme {
    /// Every scheme, PKCS#1 v1.5 first.
    pub const ALL: [Self; 6] = [
        Self::RsaPkcs1Sha256,
        Self::RsaPkcs1Sha384,
        Self::RsaPkcs1Sha512,
        Self::RsaPssSha256,
        Self::RsaPssSha384,
        Self::RsaPssSha512,
    ];
    /// The PKCS#1 v1.5 schemes.
    pub const PKCS1: [Self; 3] = [
        Self::RsaPkcs1Sha256,
        Self::RsaPkcs1Sha384,
        Self::RsaPkcs1Sha512,
    ];
    /// The PSS schemes.
    pub const PSS: [Self; 3] = [Self::RsaPssSha256, Self::RsaPssSha384, Self::RsaPssSha512];

    /// Length in bytes of the digest the scheme signs (and of a PSS salt).
    pub fn digest_len(self) -> usize {
        match self.hash() {
            Hash::Sha256 => 32,
            Hash::Sha384 => 48,
            Hash::Sha512 => 64,
        }
    }

    /// Whether this is an RSASSA-PSS scheme.
    pub fn is_pss(self) -> bool {
        matches!(
            self,
            Self::RsaPssSha256 | Self::RsaPssSha384 | Self::RsaPssSha512
        )
    }

    /// The TLS name of the scheme (`rsa_pkcs1_sha256`, `rsa_pss_rsae_sha256`, …).
    pub fn name(self) -> &'static str {
        match self {
            Self::RsaPkcs1Sha256 => "rsa_pkcs1_sha256",
            Self::RsaPkcs1Sha384 => "rsa_pkcs1_sha384",
            Self::RsaPkcs1Sha512 => "rsa_pkcs1_sha512",
            Self::RsaPssSha256 => "rsa_pss_rsae_sha256",
            Self::RsaPssSha384 => "rsa_pss_rsae_sha384",
            Self::RsaPssSha512 => "rsa_pss_rsae_sha512",
        }
    }

    /// The digest of `message` with the scheme's hash, ready for [`KeySigner::sign_digest`].
    pub fn digest(self, message: &[u8]) -> Vec<u8> {
        use aws_lc_rs::digest::{SHA256, SHA384, SHA512, digest};
        let algorithm = match self.hash() {
            Hash::Sha256 => &SHA256,
            Hash::Sha384 => &SHA384,
            Hash::Sha512 => &SHA512,
        };
        digest(algorithm, message).as_ref().to_vec()
    }

    /// The DER `DigestInfo` prefix that PKCS#1 v1.5 puts before the digest (RFC 8017 §9.2
    /// note 1), for signers whose raw RSA operation pads but does not add it (PKCS#11
    /// `CKM_RSA_PKCS`, a KMS's "raw" mode).
    pub fn digest_info_prefix(self) -> &'static [u8] {
        const PREFIX_SHA256: [u8; 19] = [
            0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x01, 0x05, 0x00, 0x04, 0x20,
        ];
        const PREFIX_SHA384: [u8; 19] = [
            0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x02, 0x05, 0x00, 0x04, 0x30,
        ];
        const PREFIX_SHA512: [u8; 19] = [
            0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x03, 0x05, 0x00, 0x04, 0x40,
        ];
        match self.hash() {
            Hash::Sha256 => &PREFIX_SHA256,
            Hash::Sha384 => &PREFIX_SHA384,
            Hash::Sha512 => &PREFIX_SHA512,
        }
    }

    pub(crate) fn hash(self) -> Hash {
        match self {
            Self::RsaPkcs1Sha256 | Self::RsaPssSha256 => Hash::Sha256,
            Self::RsaPkcs1Sha384 | Self::RsaPssSha384 => Hash::Sha384,
            Self::RsaPkcs1Sha512 | Self::RsaPssSha512 => Hash::Sha512,
        }
    }

    /// The aws-lc-rs encoding, for the in-memory key and for verifying.
    pub(crate) fn encoding(self) -> &'static dyn aws_lc_rs::signature::RsaEncoding {
        use aws_lc_rs::signature as s;
        match self {
            Self::RsaPkcs1Sha256 => &s::RSA_PKCS1_SHA256,
            Self::RsaPkcs1Sha384 => &s::RSA_PKCS1_SHA384,
            Self::RsaPkcs1Sha512 => &s::RSA_PKCS1_SHA512,
            Self::RsaPssSha256 => &s::RSA_PSS_SHA256,
            Self::RsaPssSha384 => &s::RSA_PSS_SHA384,
            Self::RsaPssSha512 => &s::RSA_PSS_SHA512,
        }
    }

    pub(crate) fn digest_algorithm(self) -> &'static aws_lc_rs::digest::Algorithm {
        use aws_lc_rs::digest::{SHA256, SHA384, SHA512};
        match self.hash() {
            Hash::Sha256 => &SHA256,
            Hash::Sha384 => &SHA384,
            Hash::Sha512 => &SHA512,
        }
    }

    /// The verification algorithm for a signature made with this scheme.
    pub(crate) fn verification(self) -> &'static aws_lc_rs::signature::RsaParameters {
        use aws_lc_rs::signature as s;
        match self {
            Self::RsaPkcs1Sha256 => &s::RSA_PKCS1_2048_8192_SHA256,
            Self::RsaPkcs1Sha384 => &s::RSA_PKCS1_2048_8192_SHA384,
            Self::RsaPkcs1Sha512 => &s::RSA_PKCS1_2048_8192_SHA512,
            Self::RsaPssSha256 => &s::RSA_PSS_2048_8192_SHA256,
            Self::RsaPssSha384 => &s::RSA_PSS_2048_8192_SHA384,
            Self::RsaPssSha512 => &s::RSA_PSS_2048_8192_SHA512,
        }
    }
}

impl fmt::Display for SignatureScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hash {
    Sha256,
    Sha384,
    Sha512,
}

/// Something that holds an enterprise certificate chain and signs digests with the RSA key of
/// its signing certificate, without handing the key out.
///
/// `asice` implements it for keys in memory ([`crate::SigningKey::from_pkcs12`],
/// [`crate::SigningKey::from_pem`]) and for PKCS#11 tokens ([`crate::Pkcs11Key`]). Implement
/// it for anything else that can sign (a cloud KMS, a signing service) and wrap it with
/// [`crate::SigningKey::from_signer`], which checks the chain and the key once; the result
/// then signs bundles and, through the adapters, authenticates TLS.
///
/// ```
/// use asice::{Error, KeySigner, SignatureScheme};
///
/// /// A key held by a remote service that signs digests (e.g. AWS KMS `Sign` with
/// /// `MessageType=DIGEST` and `RSASSA_PKCS1_V1_5_SHA_256`).
/// struct KmsKey {
///     chain: Vec<Vec<u8>>,
/// }
///
/// impl KmsKey {
///     fn call_service(&self, _digest: &[u8]) -> Result<Vec<u8>, std::io::Error> {
///         Err(std::io::Error::other("no service in this example"))
///     }
/// }
///
/// impl KeySigner for KmsKey {
///     fn certificate_chain(&self) -> Result<Vec<Vec<u8>>, Error> {
///         Ok(self.chain.clone())
///     }
///     fn schemes(&self) -> Vec<SignatureScheme> {
///         vec![SignatureScheme::RsaPkcs1Sha256, SignatureScheme::RsaPssSha256]
///     }
///     fn sign_digest(&self, _scheme: SignatureScheme, digest: &[u8]) -> Result<Vec<u8>, Error> {
///         self.call_service(digest).map_err(|e| Error::Signer(Box::new(e)))
///     }
/// }
///
/// // With a real chain and service:
/// // let key = asice::SigningKey::from_signer(KmsKey { chain }, &asice::LoadOptions::default())?;
/// ```
pub trait KeySigner: Send + Sync + 'static {
    /// The DER certificates: the signing certificate (whose key this signer uses) and, where
    /// known, the certificates that issued it, in any order.
    ///
    /// # Errors
    ///
    /// Whatever prevents reading them (a token, a service).
    fn certificate_chain(&self) -> Result<Vec<Vec<u8>>>;

    /// The schemes [`KeySigner::sign_digest`] accepts. Signing a bundle needs
    /// [`SignatureScheme::RsaPkcs1Sha256`]; a TLS 1.3 client certificate needs a PSS scheme
    /// (TLS 1.2 does with PKCS#1 v1.5).
    fn schemes(&self) -> Vec<SignatureScheme>;

    /// Signs `digest`, the hash (of the scheme's algorithm, [`SignatureScheme::digest_len`]
    /// bytes) of the message, and returns the signature (as long as the RSA modulus). PKCS#1
    /// v1.5 signers add the `DigestInfo` themselves; PSS uses MGF1 with the same hash and a
    /// salt as long as the digest.
    ///
    /// # Errors
    ///
    /// [`Error::UnsupportedScheme`] for a scheme not in [`KeySigner::schemes`]; anything the
    /// signer reports, e.g. [`Error::Signer`].
    fn sign_digest(&self, scheme: SignatureScheme, digest: &[u8]) -> Result<Vec<u8>>;
}

/// Checks that `signature` over `digest` verifies with `spki_rsa_public_key` (the RSAPublicKey
/// DER inside a certificate's SubjectPublicKeyInfo).
pub(crate) fn verifies(
    scheme: SignatureScheme,
    rsa_public_key: &[u8],
    message: &[u8],
    signature: &[u8],
) -> bool {
    aws_lc_rs::signature::UnparsedPublicKey::new(scheme.verification(), rsa_public_key)
        .verify(message, signature)
        .is_ok()
}

/// Fails with [`Error::UnsupportedScheme`] unless `scheme` is among `offered` and `digest`
/// has the scheme's length.
pub(crate) fn check_request(
    scheme: SignatureScheme,
    offered: &[SignatureScheme],
    digest: &[u8],
) -> Result<()> {
    if !offered.contains(&scheme) {
        return Err(Error::UnsupportedScheme {
            scheme,
            offered: offered.to_vec(),
        });
    }
    if digest.len() != scheme.digest_len() {
        return Err(Error::DigestLength {
            scheme,
            len: digest.len(),
        });
    }
    Ok(())
}
