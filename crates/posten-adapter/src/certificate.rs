//! What an enterprise certificate says about its holder: organization number, SEID version,
//! issuer, validity, key usages. Read with x509-parser; nothing here verifies anything.

use asice::organization_number_and_seid;
use time::OffsetDateTime;
use x509_parser::extensions::ParsedExtension;
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::error::Error;

/// Where an enterprise certificate names its organization number, and the number itself: read
/// by `asice`, the workspace's one reader, which the emulator's TLS checks can use as well.
pub use asice::{Seid, organization_number_of_certificate};

const OID_CLIENT_AUTH: &str = "1.3.6.1.5.5.7.3.2";

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
        let (organization_number, seid) = match organization_number_and_seid(der) {
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
