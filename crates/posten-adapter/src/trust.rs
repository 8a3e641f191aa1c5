//! The CA certificates the official clients trust for Posten signering's server certificate,
//! built in per kind of environment.
//!
//! The files under `trust/{prod,test}/` are embedded byte for byte, as `webpki-roots` embeds
//! Mozilla's roots. They come from digipost/certificate-validator @ 33615d0 (2026-02-02),
//! `src/main/resources/certificates/{prod,test}/` (Apache-2.0), which the official Java client
//! (digipost/signature-api-client-java 7.0.7, `ServiceEnvironment` and `TrustStoreLoader`)
//! loads as its trust store: `prod/` for `PRODUCTION`, `test/` for `DIFITEST` and `DIFIQA`.
//! `trust/README.md` lists every file.
//!
//! No public root store holds these CAs: since 2025-01-07 the API presents a SEID 2
//! certificate issued under Buypass Class 3 Root CA G2 (HT/ST), and the test environments
//! use Buypass' and Commfides' *test* CAs. That is why the client does not use Mozilla's roots.

use std::fmt;

use base64::Engine as _;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use x509_parser::prelude::{FromDer, X509Certificate};

/// One embedded certificate file, exactly as published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmbeddedCertificate {
    /// The file name under `trust/prod/` or `trust/test/`.
    pub file: &'static str,
    /// The file's bytes: DER, or PEM for the `*.pem` files.
    pub bytes: &'static [u8],
}

impl EmbeddedCertificate {
    /// The certificate as DER (PEM files are decoded); `None` if the file is neither.
    pub fn der(&self) -> Option<Vec<u8>> {
        if self.bytes.starts_with(b"-----BEGIN") {
            CertificateDer::from_pem_slice(self.bytes)
                .ok()
                .map(|c| c.as_ref().to_vec())
        } else {
            Some(self.bytes.to_vec())
        }
    }
}

macro_rules! embedded {
    ($dir:literal: $($file:literal),+ $(,)?) => {
        &[$(EmbeddedCertificate {
            file: $file,
            bytes: include_bytes!(concat!("../trust/", $dir, "/", $file)),
        }),+]
    };
}

const PRODUCTION: &[EmbeddedCertificate] = embedded!("prod":
    "BPCl3CaG2HTBS.cer",
    "BPCl3CaG2STBS.cer",
    "BPCl3RootCaG2HT.cer",
    "BPCl3RootCaG2ST.cer",
    "BPClass3CA3.cer",
    "BPClass3RootCA.cer",
    "CommfidesLegalPersonCA-G3.cer",
    "CommfidesRootCA-G3.cer",
    "commfides_ca.cer",
    "commfides_root_ca.cer",
    "digipost_root_ca.cert.pem",
);

const TEST: &[EmbeddedCertificate] = embedded!("test":
    "BPCl3CaG2HTBS.cer",
    "BPCl3CaG2STBS.cer",
    "BPCl3RootCaG2HT.cer",
    "BPCl3RootCaG2ST.cer",
    "Buypass_Class_3_Test4_CA_3.cer",
    "Buypass_Class_3_Test4_Root_CA.cer",
    "CommfidesLegalPersonCA-G3-TEST.cer",
    "CommfidesRootCA-G3-TEST.cer",
    "commfides_test_ca.cer",
    "commfides_test_root_ca.cer",
    "digipost_test_root_ca.cert.pem",
);

/// A built-in set of trust anchors: the CA certificates of Posten's production environment, or
/// those of its test environments (difitest and difiqa).
///
/// Every certificate of the set is a trust anchor, intermediates included, as in the official
/// Java client's trust store: a server (or client) certificate issued by one of the
/// intermediates is accepted even when its chain is not sent along.
///
/// ```
/// use posten_adapter::{Environment, TrustAnchors};
/// assert_eq!(Environment::Production.trust_anchors(), Some(TrustAnchors::Production));
/// assert_eq!(Environment::Qa.trust_anchors(), Some(TrustAnchors::Test));
/// assert!(TrustAnchors::Test.certificates().len() >= 10);
/// assert_eq!(TrustAnchors::Test.to_string(), "test");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TrustAnchors {
    /// `trust/prod/`: Buypass Class 3 (G2 HT/ST and the older CA 3), Commfides (G3 and CPN),
    /// Digipost Root CA.
    Production,
    /// `trust/test/`: Buypass Class 3 Test4, Commfides test CAs, Digipost Test Root CA.
    Test,
}

impl TrustAnchors {
    /// Both sets, production first.
    pub const ALL: [Self; 2] = [Self::Production, Self::Test];

    /// The embedded files of this set, as published.
    pub fn files(self) -> &'static [EmbeddedCertificate] {
        match self {
            Self::Production => PRODUCTION,
            Self::Test => TEST,
        }
    }

    /// Every certificate of the set as DER.
    pub fn certificates(self) -> Vec<Vec<u8>> {
        self.files()
            .iter()
            .filter_map(EmbeddedCertificate::der)
            .collect()
    }

    /// Only the self-signed certificates of the set (the roots), as DER.
    pub fn roots(self) -> Vec<Vec<u8>> {
        self.certificates()
            .into_iter()
            .filter(|der| is_self_signed(der))
            .collect()
    }

    /// The whole set as one PEM bundle, e.g. for `openssl s_client -CAfile`.
    pub fn to_pem(self) -> String {
        self.certificates()
            .iter()
            .map(|der| pem_certificate(der))
            .collect()
    }

    /// The set an issuer name suggests, for certificates that chain to neither set: names of
    /// Buypass' and Commfides' test CAs say "Test" (Buypass Class 3 Test4 …,
    /// Commfides … - TEST); other Buypass and Commfides CAs are production CAs.
    ///
    /// ```
    /// use posten_adapter::TrustAnchors;
    /// let test = "CN=Buypass Class 3 Test4 CA G2 ST Business,O=Buypass AS,C=NO";
    /// assert_eq!(TrustAnchors::suggested_by_issuer_name(test), Some(TrustAnchors::Test));
    /// let prod = "CN=Commfides Legal Person - G3,O=Commfides Norge AS,C=NO";
    /// assert_eq!(TrustAnchors::suggested_by_issuer_name(prod), Some(TrustAnchors::Production));
    /// assert_eq!(TrustAnchors::suggested_by_issuer_name("CN=Example CA"), None);
    /// ```
    pub fn suggested_by_issuer_name(issuer: &str) -> Option<Self> {
        let lower = issuer.to_ascii_lowercase();
        let known = ["buypass", "commfides", "digipost"]
            .iter()
            .any(|ca| lower.contains(ca));
        if !known {
            return None;
        }
        if lower.contains("test") {
            Some(Self::Test)
        } else {
            Some(Self::Production)
        }
    }
}

impl fmt::Display for TrustAnchors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Production => "production",
            Self::Test => "test",
        })
    }
}

/// Whether a DER certificate's subject equals its issuer.
pub(crate) fn is_self_signed(der: &[u8]) -> bool {
    X509Certificate::from_der(der)
        .map(|(_, cert)| cert.subject().as_raw() == cert.issuer().as_raw())
        .unwrap_or(false)
}

/// A DER certificate as a PEM block.
pub(crate) fn pem_certificate(der: &[u8]) -> String {
    let mut pem = String::from("-----BEGIN CERTIFICATE-----\n");
    let encoded = base64::engine::general_purpose::STANDARD.encode(der);
    for line in encoded.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(line));
        pem.push('\n');
    }
    pem.push_str("-----END CERTIFICATE-----\n");
    pem
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_file_is_a_parsable_certificate() {
        for set in TrustAnchors::ALL {
            for file in set.files() {
                let der = file.der().unwrap_or_else(|| panic!("{set}/{}", file.file));
                assert!(
                    X509Certificate::from_der(&der).is_ok(),
                    "{set}/{} does not parse",
                    file.file
                );
            }
            assert_eq!(set.certificates().len(), set.files().len());
        }
    }

    #[test]
    fn each_set_has_its_roots() {
        // Buypass G2 HT, G2 ST, Class 3 (Test4) root, Commfides G3, Commfides CPN, Digipost.
        assert_eq!(TrustAnchors::Production.roots().len(), 6);
        assert_eq!(TrustAnchors::Test.roots().len(), 6);
    }

    #[test]
    fn the_sets_share_no_certificate() {
        let prod = TrustAnchors::Production.certificates();
        assert!(
            TrustAnchors::Test
                .certificates()
                .iter()
                .all(|c| !prod.contains(c))
        );
    }

    #[test]
    fn pem_round_trips() {
        let pem = TrustAnchors::Test.to_pem();
        let back: Vec<Vec<u8>> = CertificateDer::pem_slice_iter(pem.as_bytes())
            .map(|c| c.map(|c| c.as_ref().to_vec()))
            .collect::<Result<_, _>>()
            .unwrap_or_default();
        assert_eq!(back, TrustAnchors::Test.certificates());
    }
}
