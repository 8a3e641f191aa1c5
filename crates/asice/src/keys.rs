//! Loading the signing certificate chain and its RSA private key from PKCS#12 or PEM.

use std::path::Path;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeyPair as RsaKeyPair;
use aws_lc_rs::signature::{KeyPair, RSA_PKCS1_SHA256};
use der::asn1::ObjectIdentifier;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use time::OffsetDateTime;
use zeroize::Zeroizing;

use crate::cert::ParsedCert;
use crate::error::{Error, Result};

const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// How strictly [`SigningKey`] checks the certificate while loading.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Accept an expired or not-yet-valid certificate and record the problem in
    /// [`SigningKey::warnings`] instead of failing.
    pub allow_invalid_dates: bool,
    /// The instant to check validity against; `None` means now.
    pub at: Option<OffsetDateTime>,
}

/// A certificate chain (signing certificate first) and the RSA private key of its first
/// certificate, ready to sign bundles.
///
/// The key never leaves this value: `Debug` prints only the subject, and the decoded key bytes
/// are held in zeroizing buffers while loading.
///
/// ```no_run
/// use asice::{LoadOptions, SigningKey};
/// let key = SigningKey::from_pkcs12_file("virksomhet.p12", "passord", &LoadOptions::default())?;
/// println!("signing as {}", key.subject());
/// # Ok::<(), asice::Error>(())
/// ```
pub struct SigningKey {
    key: RsaKeyPair,
    chain: Vec<ParsedCert>,
    warnings: Vec<Error>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("subject", &self.subject())
            .field("chain_len", &self.chain.len())
            .field("key", &"<redacted>")
            .finish()
    }
}

impl SigningKey {
    /// Loads a PKCS#12 file's first private key and its certificate chain. Both the OpenSSL 3
    /// default (AES-256-CBC, PBKDF2) and the legacy (RC2/3DES, SHA-1 PBE) encodings are read,
    /// in DER or in the BER that Java and Bouncy Castle write (chunked OCTET STRINGs).
    pub fn from_pkcs12(data: &[u8], password: &str, options: &LoadOptions) -> Result<Self> {
        const WHAT: &str = "PKCS#12 file";
        let open = |data: &[u8]| {
            p12_keystore::KeyStore::from_pkcs12(
                data,
                password,
                p12_keystore::Pkcs12ImportPolicy::Relaxed,
            )
            .map_err(|e| match e {
                p12_keystore::error::Error::MacError(_)
                | p12_keystore::error::Error::UnpadError => Error::WrongPassword(WHAT),
                other => Error::Pkcs12(other.to_string()),
            })
        };
        let store = match open(data) {
            Ok(store) => store,
            Err(Error::Pkcs12(detail)) => {
                // Perhaps BER (Java, Bouncy Castle): re-encode in DER, MAC checked there.
                match crate::pkcs12_ber::to_der_without_mac(data, password) {
                    Ok(der) => open(&der)?,
                    Err(Error::WrongPassword(what)) => return Err(Error::WrongPassword(what)),
                    Err(_) => return Err(Error::Pkcs12(detail)),
                }
            }
            Err(other) => return Err(other),
        };
        let (_, chain) = store.private_key_chain().ok_or(Error::NoPrivateKey(WHAT))?;
        if chain.certs().is_empty() {
            return Err(Error::NoCertificate(WHAT));
        }
        let pkcs8 = Zeroizing::new(chain.key().as_der().to_vec());
        let certs = chain
            .certs()
            .iter()
            .map(|c| c.as_der().to_vec())
            .collect::<Vec<_>>();
        drop(store);
        Self::assemble(rsa_from_pkcs8(&pkcs8)?, certs, options)
    }

    /// Reads `path` and calls [`SigningKey::from_pkcs12`].
    pub fn from_pkcs12_file(
        path: impl AsRef<Path>,
        password: &str,
        options: &LoadOptions,
    ) -> Result<Self> {
        let data = read(path.as_ref())?;
        Self::from_pkcs12(&data, password, options)
    }

    /// Loads a PEM private key (`PRIVATE KEY`, `RSA PRIVATE KEY`, or `ENCRYPTED PRIVATE KEY`
    /// with `password`) and a PEM certificate chain. The chain may be in any order and may hold
    /// extra certificates; the signing certificate is the one matching the key.
    pub fn from_pem(
        key_pem: &[u8],
        chain_pem: &[u8],
        password: Option<&str>,
        options: &LoadOptions,
    ) -> Result<Self> {
        let key = pem_private_key(key_pem, password)?;
        let mut certs = Vec::new();
        for cert in CertificateDer::pem_slice_iter(chain_pem) {
            let cert = cert.map_err(|e| Error::Pem {
                what: "certificate chain",
                detail: e.to_string(),
            })?;
            certs.push(cert.as_ref().to_vec());
        }
        if certs.is_empty() {
            return Err(Error::NoCertificate("PEM certificate chain"));
        }
        Self::assemble(key, certs, options)
    }

    /// Reads both files and calls [`SigningKey::from_pem`].
    pub fn from_pem_files(
        key_path: impl AsRef<Path>,
        chain_path: impl AsRef<Path>,
        password: Option<&str>,
        options: &LoadOptions,
    ) -> Result<Self> {
        let key = Zeroizing::new(read(key_path.as_ref())?);
        let chain = read(chain_path.as_ref())?;
        Self::from_pem(&key, &chain, password, options)
    }

    fn assemble(key: RsaKeyPair, certs: Vec<Vec<u8>>, options: &LoadOptions) -> Result<Self> {
        let parsed = certs
            .iter()
            .map(|der| ParsedCert::from_der(der))
            .collect::<Result<Vec<_>>>()?;
        let public = key.public_key().as_ref();
        let leaf_at = parsed
            .iter()
            .position(|c| c.is_rsa() && c.public_key_bits() == public)
            .ok_or_else(|| Error::KeyCertificateMismatch(parsed[0].subject()))?;
        let chain = order_chain(parsed, leaf_at);
        let leaf = &chain[0];
        if leaf.allows_digital_signature()? == Some(false) {
            return Err(Error::NoDigitalSignatureUsage(leaf.subject()));
        }
        let at = options.at.unwrap_or_else(OffsetDateTime::now_utc);
        let mut warnings = Vec::new();
        let date_problem = if at > leaf.not_after() {
            Some(Error::CertificateExpired {
                subject: leaf.subject(),
                not_after: leaf.not_after(),
            })
        } else if at < leaf.not_before() {
            Some(Error::CertificateNotYetValid {
                subject: leaf.subject(),
                not_before: leaf.not_before(),
            })
        } else {
            None
        };
        if let Some(problem) = date_problem {
            if options.allow_invalid_dates {
                warnings.push(problem);
            } else {
                return Err(problem);
            }
        }
        Ok(Self {
            key,
            chain,
            warnings,
        })
    }

    /// RFC 2253 subject of the signing certificate.
    pub fn subject(&self) -> String {
        self.chain[0].subject()
    }

    /// RFC 2253 issuer of the signing certificate.
    pub fn issuer(&self) -> String {
        self.chain[0].issuer()
    }

    /// DER certificates, signing certificate first, each followed by its issuer where known.
    pub fn certificate_chain(&self) -> impl Iterator<Item = &[u8]> {
        self.chain.iter().map(|c| c.der.as_slice())
    }

    /// The private key as PKCS#8 DER, in a buffer that is wiped when dropped.
    ///
    /// For the other use of the same enterprise certificate: TLS client authentication
    /// (for example a rustls `ClientConfig::with_client_auth_cert`), which needs the key in
    /// a form its own crypto provider loads. Keep the returned bytes only as long as needed.
    ///
    /// ```no_run
    /// use asice::{LoadOptions, SigningKey};
    /// let key = SigningKey::from_pkcs12_file("virksomhet.p12", "passord", &LoadOptions::default())?;
    /// let pkcs8 = key.private_key_pkcs8_der()?;
    /// assert!(!pkcs8.is_empty());
    /// # Ok::<(), asice::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidKey`] if the crypto library cannot encode the key (not expected for a
    /// key it loaded).
    pub fn private_key_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>> {
        use aws_lc_rs::encoding::AsDer;
        let der = self
            .key
            .as_der()
            .map_err(|_| Error::InvalidKey("cannot encode the key as PKCS#8".to_owned()))?;
        Ok(Zeroizing::new(der.as_ref().to_vec()))
    }

    /// Problems downgraded by [`LoadOptions::allow_invalid_dates`].
    pub fn warnings(&self) -> &[Error] {
        &self.warnings
    }

    pub(crate) fn leaf(&self) -> &ParsedCert {
        &self.chain[0]
    }

    pub(crate) fn chain(&self) -> &[ParsedCert] {
        &self.chain
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256.
    pub(crate) fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        let mut sig = vec![0; self.key.public_modulus_len()];
        self.key
            .sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), message, &mut sig)
            .map_err(|_| Error::Signing)?;
        Ok(sig)
    }
}

/// Puts the signing certificate first and follows issuer names; certificates that do not
/// belong to its chain are dropped so that KeyInfo carries only the path.
fn order_chain(mut certs: Vec<ParsedCert>, leaf_at: usize) -> Vec<ParsedCert> {
    let mut chain = vec![certs.swap_remove(leaf_at)];
    loop {
        let last = &chain[chain.len() - 1];
        if last.cert.tbs_certificate.issuer == last.cert.tbs_certificate.subject {
            break;
        }
        let next = certs
            .iter()
            .position(|c| c.cert.tbs_certificate.subject == last.cert.tbs_certificate.issuer);
        match next {
            Some(i) => chain.push(certs.swap_remove(i)),
            None => break,
        }
    }
    chain
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|source| Error::ReadFile {
        path: path.to_path_buf(),
        source,
    })
}

fn rsa_from_pkcs8(pkcs8: &[u8]) -> Result<RsaKeyPair> {
    let info =
        pkcs8::PrivateKeyInfo::try_from(pkcs8).map_err(|e| Error::InvalidKey(e.to_string()))?;
    if info.algorithm.oid != RSA_ENCRYPTION {
        return Err(Error::NonRsaKey(info.algorithm.oid.to_string()));
    }
    RsaKeyPair::from_pkcs8(pkcs8).map_err(|e| Error::InvalidKey(e.to_string()))
}

fn pem_private_key(pem: &[u8], password: Option<&str>) -> Result<RsaKeyPair> {
    const WHAT: &str = "PEM key file";
    if let Some(block) = pem_block(pem, "ENCRYPTED PRIVATE KEY") {
        let (_, der) = der::pem::decode_vec(block).map_err(|e| Error::Pem {
            what: "encrypted private key",
            detail: e.to_string(),
        })?;
        let der = Zeroizing::new(der);
        let encrypted =
            pkcs8::EncryptedPrivateKeyInfo::try_from(der.as_slice()).map_err(|e| Error::Pem {
                what: "encrypted private key",
                detail: e.to_string(),
            })?;
        let password =
            password.ok_or(Error::WrongPassword("encrypted private key (none given)"))?;
        let plain = encrypted
            .decrypt(password)
            .map_err(|_| Error::WrongPassword("encrypted private key"))?;
        return rsa_from_pkcs8(plain.as_bytes());
    }
    let key = PrivateKeyDer::from_pem_slice(pem).map_err(|e| match e {
        rustls_pki_types::pem::Error::NoItemsFound => Error::NoPrivateKey(WHAT),
        other => Error::Pem {
            what: "private key",
            detail: other.to_string(),
        },
    })?;
    match key {
        PrivateKeyDer::Pkcs8(k) => rsa_from_pkcs8(k.secret_pkcs8_der()),
        PrivateKeyDer::Pkcs1(k) => {
            RsaKeyPair::from_der(k.secret_pkcs1_der()).map_err(|e| Error::InvalidKey(e.to_string()))
        }
        PrivateKeyDer::Sec1(_) => Err(Error::NonRsaKey("EC (SEC1)".to_owned())),
        _ => Err(Error::NonRsaKey("unknown".to_owned())),
    }
}

/// The first `-----BEGIN label-----` … `-----END label-----` block, boundaries included.
fn pem_block<'a>(pem: &'a [u8], label: &str) -> Option<&'a [u8]> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = find(pem, begin.as_bytes())?;
    let stop = find(&pem[start..], end.as_bytes())? + start + end.len();
    Some(&pem[start..stop])
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
#[path = "keys_tests.rs"]
mod tests;
