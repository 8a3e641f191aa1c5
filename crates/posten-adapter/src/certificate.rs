//! What an enterprise certificate says about its holder: organization number, SEID version,
//! issuer, validity, key usages. Read with x509-parser; nothing here verifies anything.

use std::fmt;

use time::OffsetDateTime;
use x509_parser::extensions::ParsedExtension;
use x509_parser::prelude::{FromDer, X509Certificate, X509Name};

use crate::error::Error;

const OID_ORGANIZATION_IDENTIFIER: &str = "2.5.4.97";
const OID_SERIAL_NUMBER: &str = "2.5.4.5";
const OID_COMMON_NAME: &str = "2.5.4.3";
const OID_CLIENT_AUTH: &str = "1.3.6.1.5.5.7.3.2";

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

/// A certificate, summarized for people and checks.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CertificateSummary {
    /// The subject, RFC 4514 style (`C=NO, O=…, CN=…`).
    pub subject: String,
    /// The issuer, same style.
    pub issuer: String,
    /// The organization number in the subject, if any (see [`Seid`]).
    pub organization_number: Option<String>,
    /// Where the organization number was found; `None` when it came from a 9-digit `CN` or
    /// there is none.
    pub seid: Option<Seid>,
    /// Start of validity.
    pub not_before: OffsetDateTime,
    /// End of validity.
    pub not_after: OffsetDateTime,
    /// Whether the key usage extension allows `digitalSignature`; `None` without the
    /// extension (then any usage is allowed).
    pub digital_signature: Option<bool>,
    /// Whether the extended key usage allows TLS client authentication; `None` without the
    /// extension (then any purpose is allowed).
    pub client_auth: Option<bool>,
}

impl CertificateSummary {
    /// Reads a DER certificate.
    ///
    /// # Errors
    ///
    /// [`Error::Configuration`] if `der` is not an X.509 certificate.
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        let (_, cert) = X509Certificate::from_der(der)
            .map_err(|e| Error::config_from("not an X.509 certificate", e))?;
        let (organization_number, seid) = match organization_number_in(cert.subject()) {
            Some((number, seid)) => (Some(number), seid),
            None => (None, None),
        };
        let mut digital_signature = None;
        let mut client_auth = None;
        for extension in cert.extensions() {
            match extension.parsed_extension() {
                ParsedExtension::KeyUsage(usage) => {
                    digital_signature = Some(usage.digital_signature());
                }
                ParsedExtension::ExtendedKeyUsage(usage) => {
                    client_auth = Some(
                        usage.any
                            || usage.client_auth
                            || usage
                                .other
                                .iter()
                                .any(|o| o.to_id_string() == OID_CLIENT_AUTH),
                    );
                }
                _ => {}
            }
        }
        Ok(Self {
            subject: readable_name(&cert.subject().to_string()),
            issuer: readable_name(&cert.issuer().to_string()),
            organization_number,
            seid,
            not_before: cert.validity().not_before.to_datetime(),
            not_after: cert.validity().not_after.to_datetime(),
            digital_signature,
            client_auth,
        })
    }

    /// Whole days from `at` until the end of validity; negative once expired.
    pub fn days_left(&self, at: OffsetDateTime) -> i64 {
        (self.not_after - at).whole_days()
    }

    /// Whether `at` lies within the validity period.
    pub fn is_valid_at(&self, at: OffsetDateTime) -> bool {
        self.not_before <= at && at <= self.not_after
    }
}

/// x509-parser writes attributes it has no short name for as `OID(2.5.4.97)`.
fn readable_name(name: &str) -> String {
    name.replace("OID(2.5.4.97)", "organizationIdentifier")
}

/// The organization number in a DER certificate's subject: `organizationIdentifier`
/// (`NTRNO-` prefix optional), else `serialNumber`, else a `CN` of exactly 9 digits — the
/// order of the official clients' `X509.findOrganisasjonsnummer` (certificate-validator).
///
/// ```
/// # use posten_adapter::organization_number_of_certificate as org;
/// assert_eq!(org(b"not a certificate"), None);
/// ```
pub fn organization_number_of_certificate(der: &[u8]) -> Option<String> {
    let (_, cert) = X509Certificate::from_der(der).ok()?;
    organization_number_in(cert.subject()).map(|(number, _)| number)
}

fn organization_number_in(subject: &X509Name<'_>) -> Option<(String, Option<Seid>)> {
    let values = |oid: &str| -> Vec<String> {
        subject
            .iter_attributes()
            .filter(|a| a.attr_type().to_id_string() == oid)
            .filter_map(|a| a.as_str().ok().map(|s| s.trim().to_owned()))
            .collect()
    };
    let nine_digits = |s: &str| s.len() == 9 && s.bytes().all(|b| b.is_ascii_digit());
    values(OID_ORGANIZATION_IDENTIFIER)
        .into_iter()
        .map(|v| v.strip_prefix("NTRNO-").map(str::to_owned).unwrap_or(v))
        .find(|v| nine_digits(v))
        .map(|v| (v, Some(Seid::Two)))
        .or_else(|| {
            values(OID_SERIAL_NUMBER)
                .into_iter()
                .find(|v| nine_digits(v))
                .map(|v| (v, Some(Seid::One)))
        })
        .or_else(|| {
            values(OID_COMMON_NAME)
                .into_iter()
                .find(|v| nine_digits(v))
                .map(|v| (v, None))
        })
}
