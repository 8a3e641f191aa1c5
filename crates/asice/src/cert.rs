//! Facts about X.509 certificates that the signature needs: names, serial, validity, key usage,
//! and checking one certificate's signature with another's key.

use aws_lc_rs::signature::{self, UnparsedPublicKey, VerificationAlgorithm};
use der::asn1::ObjectIdentifier;
use der::{Decode, Encode};
use time::OffsetDateTime;
use x509_cert::Certificate;
use x509_cert::ext::pkix::KeyUsage;
use x509_cert::name::Name;

use crate::error::{Error, Result};

const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");

/// The attribute types the JDK's `X500Principal.getName()` prints by keyword; all others it
/// prints as `OID=#hex`, and receivers written in Java compare against that form.
const RFC2253_KEYWORDS: [&str; 9] = [
    "2.5.4.3",                    // CN
    "2.5.4.6",                    // C
    "2.5.4.7",                    // L
    "2.5.4.8",                    // ST
    "2.5.4.10",                   // O
    "2.5.4.11",                   // OU
    "2.5.4.9",                    // STREET
    "0.9.2342.19200300.100.1.25", // DC
    "0.9.2342.19200300.100.1.1",  // UID
];

/// A parsed certificate together with its DER bytes.
#[derive(Clone)]
pub(crate) struct ParsedCert {
    pub(crate) der: Vec<u8>,
    pub(crate) cert: Certificate,
}

impl std::fmt::Debug for ParsedCert {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParsedCert")
            .field("subject", &self.subject())
            .finish()
    }
}

impl ParsedCert {
    pub(crate) fn from_der(der: &[u8]) -> Result<Self> {
        let cert = Certificate::from_der(der).map_err(|e| Error::Certificate(e.to_string()))?;
        Ok(Self {
            der: der.to_vec(),
            cert,
        })
    }

    pub(crate) fn subject(&self) -> String {
        rfc2253(&self.cert.tbs_certificate.subject)
    }

    pub(crate) fn issuer(&self) -> String {
        rfc2253(&self.cert.tbs_certificate.issuer)
    }

    pub(crate) fn serial_decimal(&self) -> String {
        decimal(self.cert.tbs_certificate.serial_number.as_bytes())
    }

    pub(crate) fn not_before(&self) -> OffsetDateTime {
        to_offset(
            self.cert
                .tbs_certificate
                .validity
                .not_before
                .to_unix_duration(),
        )
    }

    pub(crate) fn not_after(&self) -> OffsetDateTime {
        to_offset(
            self.cert
                .tbs_certificate
                .validity
                .not_after
                .to_unix_duration(),
        )
    }

    /// `None` when the certificate has no KeyUsage extension (RFC 5280: then any usage is allowed).
    pub(crate) fn allows_digital_signature(&self) -> Result<Option<bool>> {
        let ku = self
            .cert
            .tbs_certificate
            .get::<KeyUsage>()
            .map_err(|e| Error::Certificate(format!("KeyUsage: {e}")))?;
        Ok(ku.map(|(_, ku)| ku.digital_signature()))
    }

    pub(crate) fn is_rsa(&self) -> bool {
        self.cert
            .tbs_certificate
            .subject_public_key_info
            .algorithm
            .oid
            == RSA_ENCRYPTION
    }

    /// The PKCS#1 `RSAPublicKey` (or EC point) inside the SubjectPublicKeyInfo.
    pub(crate) fn public_key_bits(&self) -> &[u8] {
        self.cert
            .tbs_certificate
            .subject_public_key_info
            .subject_public_key
            .raw_bytes()
    }

    /// Checks that `issuer`'s key made this certificate's signature.
    pub(crate) fn is_signed_by(&self, issuer: &ParsedCert) -> Result<bool> {
        let tbs = self
            .cert
            .tbs_certificate
            .to_der()
            .map_err(|e| Error::Certificate(e.to_string()))?;
        let sig = self.cert.signature.raw_bytes();
        let spki = &issuer.cert.tbs_certificate.subject_public_key_info;
        let alg = self.cert.signature_algorithm.oid.to_string();
        let curve = spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
        let verifier: &'static dyn VerificationAlgorithm = match (alg.as_str(), spki.algorithm.oid)
        {
            ("1.2.840.113549.1.1.11", RSA_ENCRYPTION) => &signature::RSA_PKCS1_2048_8192_SHA256,
            ("1.2.840.113549.1.1.12", RSA_ENCRYPTION) => &signature::RSA_PKCS1_2048_8192_SHA384,
            ("1.2.840.113549.1.1.13", RSA_ENCRYPTION) => &signature::RSA_PKCS1_2048_8192_SHA512,
            ("1.2.840.10045.4.3.2", EC_PUBLIC_KEY) if curve == Some(SECP256R1) => {
                &signature::ECDSA_P256_SHA256_ASN1
            }
            ("1.2.840.10045.4.3.3", EC_PUBLIC_KEY) if curve == Some(SECP384R1) => {
                &signature::ECDSA_P384_SHA384_ASN1
            }
            _ => {
                return Err(Error::UntrustedChain(format!(
                    "unsupported certificate signature algorithm {alg} on {}",
                    self.subject()
                )));
            }
        };
        Ok(UnparsedPublicKey::new(verifier, issuer.public_key_bits())
            .verify(&tbs, sig)
            .is_ok())
    }
}

fn to_offset(d: std::time::Duration) -> OffsetDateTime {
    let secs = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
    OffsetDateTime::from_unix_timestamp(secs).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// RFC 2253 string of a distinguished name in the JDK's `X500Principal.getName()` form:
/// most specific RDN first, no spaces after commas, keywords only for the RFC 2253 set.
pub(crate) fn rfc2253(name: &Name) -> String {
    let mut out = String::new();
    for (i, rdn) in name.0.iter().rev().enumerate() {
        if i > 0 {
            out.push(',');
        }
        for (j, atv) in rdn.0.iter().enumerate() {
            if j > 0 {
                out.push('+');
            }
            let oid = atv.oid.to_string();
            if RFC2253_KEYWORDS.contains(&oid.as_str()) {
                out.push_str(&atv.to_string());
            } else {
                out.push_str(&oid);
                out.push_str("=#");
                for b in atv.value.to_der().unwrap_or_default() {
                    out.push_str(&format!("{b:02x}"));
                }
            }
        }
    }
    out
}

/// Decimal string of a big-endian unsigned integer (certificate serials can be 20 bytes).
pub(crate) fn decimal(be: &[u8]) -> String {
    let mut digits: Vec<u8> = Vec::new(); // little-endian base-10
    for &byte in be {
        let mut carry = u32::from(byte);
        for d in digits.iter_mut() {
            let v = u32::from(*d) * 256 + carry;
            *d = (v % 10) as u8;
            carry = v / 10;
        }
        while carry > 0 {
            digits.push((carry % 10) as u8);
            carry /= 10;
        }
    }
    if digits.is_empty() {
        return "0".to_owned();
    }
    digits.iter().rev().map(|d| char::from(b'0' + d)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_serials() {
        assert_eq!(decimal(&[0x23, 0x26, 0x7f, 0x1f]), "589725471");
        assert_eq!(decimal(&[0x00, 0xff]), "255");
        assert_eq!(decimal(&[]), "0");
        assert_eq!(
            decimal(&[0x01, 0, 0, 0, 0, 0, 0, 0, 0]),
            "18446744073709551616"
        );
    }
}
