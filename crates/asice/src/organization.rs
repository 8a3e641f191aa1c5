//! The organization number an enterprise certificate ("virksomhetssertifikat") names, and
//! where it names it: read once here for both adapters and the emulator.

use std::fmt;

use der::{Decode, Tag, Tagged};
use x509_cert::Certificate;
use x509_cert::name::Name;

const ORGANIZATION_IDENTIFIER: &str = "2.5.4.97";
const SERIAL_NUMBER: &str = "2.5.4.5";
const COMMON_NAME: &str = "2.5.4.3";

/// The Norwegian enterprise-certificate profile a certificate follows, which decides where
/// its organization number stands.
///
/// SEID 1 (Buypass Class 3 CA 3, Commfides CPN) puts the number in the subject's
/// `serialNumber` (2.5.4.5); SEID 2 (issued since 2023, Buypass G2, Commfides G3) puts it in
/// `organizationIdentifier` (2.5.4.97) as `NTRNO-<number>`. Posten's API has presented a
/// SEID 2 certificate since 2025-01-07.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Seid {
    /// SEID 1: `serialNumber=<organization number>`.
    One,
    /// SEID 2: `organizationIdentifier=NTRNO-<organization number>`.
    Two,
}

impl fmt::Display for Seid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::One => "SEID 1",
            Self::Two => "SEID 2",
        })
    }
}

/// The organization number in a DER certificate's subject: `organizationIdentifier`
/// (`NTRNO-` prefix optional), else `serialNumber`, else a `CN` of exactly 9 digits — the
/// order of the official clients' `X509.findOrganisasjonsnummer` (certificate-validator).
///
/// ```
/// assert_eq!(asice::organization_number_of_certificate(b"not a certificate"), None);
/// ```
pub fn organization_number_of_certificate(der: &[u8]) -> Option<String> {
    organization_number_and_seid(der).map(|(number, _)| number)
}

/// [`organization_number_of_certificate`], with the profile it was found by; `None` as the
/// profile when it came from a 9-digit `CN`.
pub fn organization_number_and_seid(der: &[u8]) -> Option<(String, Option<Seid>)> {
    let certificate = Certificate::from_der(der).ok()?;
    let subject = &certificate.tbs_certificate.subject;
    let nine_digits = |s: &String| s.len() == 9 && s.bytes().all(|b| b.is_ascii_digit());
    values(subject, ORGANIZATION_IDENTIFIER)
        .map(|v| v.strip_prefix("NTRNO-").map(str::to_owned).unwrap_or(v))
        .find(nine_digits)
        .map(|v| (v, Some(Seid::Two)))
        .or_else(|| {
            values(subject, SERIAL_NUMBER)
                .find(nine_digits)
                .map(|v| (v, Some(Seid::One)))
        })
        .or_else(|| {
            values(subject, COMMON_NAME)
                .find(nine_digits)
                .map(|v| (v, None))
        })
}

/// The trimmed text values of the subject's attributes of type `oid`, in order. Only the
/// string types whose bytes are UTF-8 (numeric, printable, IA5, UTF-8) count.
fn values<'a>(subject: &'a Name, oid: &'a str) -> impl Iterator<Item = String> + 'a {
    subject
        .0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .filter(move |atv| atv.oid.to_string() == oid)
        .filter(|atv| {
            matches!(
                atv.value.tag(),
                Tag::NumericString | Tag::PrintableString | Tag::Utf8String | Tag::Ia5String
            )
        })
        .filter_map(|atv| std::str::from_utf8(atv.value.value()).ok())
        .map(|s| s.trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_a_certificate_has_no_number() {
        assert_eq!(organization_number_and_seid(b""), None);
        assert_eq!(organization_number_of_certificate(&[0x30, 0x00]), None);
    }
}
