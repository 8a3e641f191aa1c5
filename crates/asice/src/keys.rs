//! The signing certificate chain and its RSA key: loaded from PKCS#12 or PEM into memory, or
//! any [`KeySigner`] (a PKCS#11 token, a KMS) that signs without handing the key out.

use std::path::Path;
use std::sync::Arc;

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
use crate::signer::{KeySigner, SignatureScheme, check_request, verifies};

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
/// certificate, ready to sign bundles and to authenticate TLS.
///
/// The key is either in memory (loaded from PKCS#12 or PEM) or behind a [`KeySigner`] that
/// never hands it out: a PKCS#11 token ([`SigningKey::from_pkcs11`]) or your own
/// ([`SigningKey::from_signer`]). `Debug` prints only the subject; decoded key bytes are held
/// in zeroizing buffers while loading. Cloning is cheap and shares the key.
///
/// ```no_run
/// use asice::{LoadOptions, SigningKey};
/// let key = SigningKey::from_pkcs12_file("virksomhet.p12", "passord", &LoadOptions::default())?;
/// println!("signing as {}", key.subject());
/// # Ok::<(), asice::Error>(())
/// ```
#[derive(Clone)]
pub struct SigningKey {
    inner: Arc<Inner>,
}

struct Inner {
    key: Backend,
    chain: Vec<ParsedCert>,
    warnings: Vec<Error>,
}

enum Backend {
    /// Loaded from PKCS#12 or PEM; signs with aws-lc-rs directly.
    Memory(RsaKeyPair),
    /// Anything else; signs digests.
    External(Box<dyn KeySigner>),
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("subject", &self.subject())
            .field("chain_len", &self.inner.chain.len())
            .field(
                "where",
                &match self.inner.key {
                    Backend::Memory(_) => "memory",
                    Backend::External(_) => "external signer",
                },
            )
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
        Self::assemble(key, pem_certificates(chain_pem)?, options)
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

    /// Wraps a signer that keeps its key to itself (a token, a KMS; see [`KeySigner`]).
    ///
    /// The signing certificate is found among [`KeySigner::certificate_chain`] by one probe
    /// signature, which also proves that the key matches it; then the same checks as for a
    /// key in memory apply (key usage, validity dates per `options`).
    ///
    /// # Errors
    ///
    /// [`Error::NoCertificate`] for an empty chain; [`Error::UnsupportedScheme`] if the signer
    /// cannot do [`SignatureScheme::RsaPkcs1Sha256`], which the bundle's signature needs;
    /// [`Error::KeyCertificateMismatch`] if no certificate matches the key; the signer's own
    /// errors.
    pub fn from_signer(signer: impl KeySigner, options: &LoadOptions) -> Result<Self> {
        Self::from_boxed_signer(Box::new(signer), options)
    }

    pub(crate) fn from_boxed_signer(
        signer: Box<dyn KeySigner>,
        options: &LoadOptions,
    ) -> Result<Self> {
        const PROBE: &[u8] = b"asice: does this key belong to the certificate?";
        let certs = signer.certificate_chain()?;
        if certs.is_empty() {
            return Err(Error::NoCertificate("signer's certificate chain"));
        }
        let parsed = certs
            .iter()
            .map(|der| ParsedCert::from_der(der))
            .collect::<Result<Vec<_>>>()?;
        let scheme = SignatureScheme::RsaPkcs1Sha256;
        check_request(scheme, &signer.schemes(), &scheme.digest(PROBE))?;
        let signature = signer.sign_digest(scheme, &scheme.digest(PROBE))?;
        let leaf_at = parsed
            .iter()
            .position(|c| c.is_rsa() && verifies(scheme, c.public_key_bits(), PROBE, &signature))
            .ok_or_else(|| Error::KeyCertificateMismatch(parsed[0].subject()))?;
        Self::checked(Backend::External(signer), parsed, leaf_at, options)
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
        Self::checked(Backend::Memory(key), parsed, leaf_at, options)
    }

    fn checked(
        key: Backend,
        parsed: Vec<ParsedCert>,
        leaf_at: usize,
        options: &LoadOptions,
    ) -> Result<Self> {
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
            inner: Arc::new(Inner {
                key,
                chain,
                warnings,
            }),
        })
    }

    /// RFC 2253 subject of the signing certificate.
    pub fn subject(&self) -> String {
        self.inner.chain[0].subject()
    }

    /// RFC 2253 issuer of the signing certificate.
    pub fn issuer(&self) -> String {
        self.inner.chain[0].issuer()
    }

    /// DER certificates, signing certificate first, each followed by its issuer where known.
    pub fn certificate_chain(&self) -> impl Iterator<Item = &[u8]> {
        self.inner.chain.iter().map(|c| c.der.as_slice())
    }

    /// [`certificate_chain`](Self::certificate_chain) as owned `CertificateDer`s, the form TLS
    /// (rustls) and the adapters' JWT `x5c` headers take.
    pub fn certificate_chain_der(&self) -> Vec<CertificateDer<'static>> {
        self.certificate_chain()
            .map(|der| CertificateDer::from(der.to_vec()))
            .collect()
    }

    /// The private key as PKCS#8 DER, in a buffer that is wiped when dropped; only for a key
    /// loaded into memory.
    ///
    /// Prefer [`SigningKey::sign_digest`], which works for every kind of key (the adapters
    /// authenticate TLS with it). Keep the returned bytes only as long as needed.
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
    /// [`Error::KeyNotExtractable`] for a key behind a [`KeySigner`]; [`Error::InvalidKey`] if
    /// the crypto library cannot encode the key (not expected for a key it loaded).
    pub fn private_key_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>> {
        use aws_lc_rs::encoding::AsDer;
        let Backend::Memory(key) = &self.inner.key else {
            return Err(Error::KeyNotExtractable);
        };
        let der = key
            .as_der()
            .map_err(|_| Error::InvalidKey("cannot encode the key as PKCS#8".to_owned()))?;
        Ok(Zeroizing::new(der.as_ref().to_vec()))
    }

    /// Problems downgraded by [`LoadOptions::allow_invalid_dates`].
    pub fn warnings(&self) -> &[Error] {
        &self.inner.warnings
    }

    /// The schemes this key signs with; [`SignatureScheme::RsaPkcs1Sha256`] is always among
    /// them.
    pub fn schemes(&self) -> Vec<SignatureScheme> {
        match &self.inner.key {
            Backend::Memory(_) => SignatureScheme::ALL.to_vec(),
            Backend::External(signer) => signer.schemes(),
        }
    }

    /// Signs a digest (see [`KeySigner::sign_digest`]); for TLS client authentication and
    /// other signatures made with the enterprise certificate (a Maskinporten grant).
    ///
    /// ```no_run
    /// use asice::{LoadOptions, SignatureScheme, SigningKey};
    /// let key = SigningKey::from_pkcs12_file("virksomhet.p12", "passord", &LoadOptions::default())?;
    /// let scheme = SignatureScheme::RsaPkcs1Sha256;
    /// let signature = key.sign_digest(scheme, &scheme.digest(b"header.payload"))?;
    /// # Ok::<(), asice::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::UnsupportedScheme`], [`Error::DigestLength`], or the signer's failure.
    pub fn sign_digest(&self, scheme: SignatureScheme, digest: &[u8]) -> Result<Vec<u8>> {
        match &self.inner.key {
            Backend::Memory(key) => {
                check_request(scheme, &SignatureScheme::ALL, digest)?;
                let digest =
                    aws_lc_rs::digest::Digest::import_less_safe(digest, scheme.digest_algorithm())
                        .map_err(|_| Error::Signing)?;
                let mut sig = vec![0; key.public_modulus_len()];
                key.sign_digest(scheme.encoding(), &digest, &mut sig)
                    .map_err(|_| Error::Signing)?;
                Ok(sig)
            }
            Backend::External(signer) => {
                check_request(scheme, &signer.schemes(), digest)?;
                signer.sign_digest(scheme, digest)
            }
        }
    }

    pub(crate) fn leaf(&self) -> &ParsedCert {
        &self.inner.chain[0]
    }

    pub(crate) fn chain(&self) -> &[ParsedCert] {
        &self.inner.chain
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 of `message`.
    pub(crate) fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        match &self.inner.key {
            Backend::Memory(key) => {
                let mut sig = vec![0; key.public_modulus_len()];
                key.sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), message, &mut sig)
                    .map_err(|_| Error::Signing)?;
                Ok(sig)
            }
            Backend::External(_) => {
                let scheme = SignatureScheme::RsaPkcs1Sha256;
                self.sign_digest(scheme, &scheme.digest(message))
            }
        }
    }
}

/// A `SigningKey` is itself a signer, so that code written against [`KeySigner`] takes any key.
impl KeySigner for SigningKey {
    fn certificate_chain(&self) -> Result<Vec<Vec<u8>>> {
        Ok(self.certificate_chain().map(<[u8]>::to_vec).collect())
    }

    fn schemes(&self) -> Vec<SignatureScheme> {
        SigningKey::schemes(self)
    }

    fn sign_digest(&self, scheme: SignatureScheme, digest: &[u8]) -> Result<Vec<u8>> {
        SigningKey::sign_digest(self, scheme, digest)
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

/// The DER certificates of a PEM chain, in file order.
pub(crate) fn pem_certificates(chain_pem: &[u8]) -> Result<Vec<Vec<u8>>> {
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
    Ok(certs)
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
