//! Keys that never leave their PKCS#11 token (an HSM, a smart card, SoftHSM2): the token signs
//! digests, the private key's value is never read, so a key marked `CKA_SENSITIVE` and not
//! extractable works.
//!
//! Signing uses `CKM_RSA_PKCS` (PKCS#1 v1.5 over a `DigestInfo` this module builds) and, where
//! the token offers it, `CKM_RSA_PKCS_PSS` over the digest (which TLS 1.3 needs). Tokens that
//! only offer the hashing mechanisms (`CKM_SHA256_RSA_PKCS`) are not supported: the seam hands
//! the signer a digest.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsPssParams};
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::ObjectHandle;
use cryptoki::object::{Attribute, AttributeType, CertificateType, KeyType, ObjectClass};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use zeroize::Zeroizing;

use crate::error::Result;
use crate::keys::{LoadOptions, SigningKey, pem_certificates};
use crate::signer::{Hash, KeySigner, SignatureScheme};

/// A token's user PIN. Never displayed: `Debug` prints `Pin(<redacted>)` and the value is
/// wiped when dropped. Read it from the environment or a file, not from a command line.
#[derive(Clone)]
pub struct Pin(Zeroizing<String>);

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin(<redacted>)")
    }
}

impl Pin {
    /// A PIN given directly (from a secret store, say).
    pub fn new(pin: impl Into<String>) -> Self {
        Self(Zeroizing::new(pin.into()))
    }

    /// The PIN in environment variable `var`.
    ///
    /// # Errors
    ///
    /// [`Pkcs11Error::PinNotInEnvironment`] if it is unset or not UTF-8.
    pub fn from_env(var: &str) -> Result<Self, Pkcs11Error> {
        std::env::var(var)
            .map(Self::new)
            .map_err(|_| Pkcs11Error::PinNotInEnvironment(var.to_owned()))
    }

    /// The PIN in the file at `path`: its first line, without the line ending.
    ///
    /// # Errors
    ///
    /// [`Pkcs11Error::PinFile`] if it cannot be read.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, Pkcs11Error> {
        let path = path.as_ref();
        let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|source| {
            Pkcs11Error::PinFile {
                path: path.to_path_buf(),
                source,
            }
        })?);
        let line = text.lines().next().unwrap_or_default();
        Ok(Self::new(line))
    }
}

/// Where to find a key on a PKCS#11 token.
///
/// ```no_run
/// use asice::{LoadOptions, Pin, Pkcs11Options, SigningKey};
/// let token = Pkcs11Options::new("/usr/lib/softhsm/libsofthsm2.so", "signering", Pin::from_env("PKCS11_PIN")?)
///     .key_label("virksomhet");
/// // The certificate chain from the token's certificate objects (same label or id as the key):
/// let key = SigningKey::from_pkcs11(&token, None, &LoadOptions::default())?;
/// println!("signing as {}", key.subject());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Pkcs11Options {
    module: PathBuf,
    token: String,
    key_label: Option<String>,
    key_id: Option<Vec<u8>>,
    pin: Pin,
}

impl Pkcs11Options {
    /// The module (the vendor's PKCS#11 library, e.g. `/usr/lib/softhsm/libsofthsm2.so`), the
    /// token's label and the user PIN. Select the key with [`Self::key_label`] or
    /// [`Self::key_id`]; without either, the token's only RSA private key is used.
    pub fn new(module: impl Into<PathBuf>, token: impl Into<String>, pin: Pin) -> Self {
        Self {
            module: module.into(),
            token: token.into(),
            key_label: None,
            key_id: None,
            pin,
        }
    }

    /// Selects the private key by its `CKA_LABEL`.
    pub fn key_label(mut self, label: impl Into<String>) -> Self {
        self.key_label = Some(label.into());
        self
    }

    /// Selects the private key by its `CKA_ID`.
    pub fn key_id(mut self, id: impl Into<Vec<u8>>) -> Self {
        self.key_id = Some(id.into());
        self
    }

    fn key_description(&self) -> String {
        match (&self.key_label, &self.key_id) {
            (Some(label), _) => format!("labelled {label:?}"),
            (None, Some(id)) => format!("with id {}", hex(id)),
            (None, None) => "(any)".to_owned(),
        }
    }
}

/// What can go wrong with a PKCS#11 token. PINs never appear in these messages.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Pkcs11Error {
    /// The module could not be loaded or initialised.
    #[error("cannot load the PKCS#11 module {path}: {detail}")]
    Module {
        /// The module's path.
        path: PathBuf,
        /// What failed.
        detail: String,
    },
    /// No token with this label is present.
    #[error(
        "no token labelled {label:?} in {module} (tokens present: {})",
        list(available)
    )]
    TokenNotFound {
        /// The label asked for.
        label: String,
        /// The module.
        module: PathBuf,
        /// Labels of the tokens that are present.
        available: Vec<String>,
    },
    /// No RSA private key matches.
    #[error(
        "no RSA private key {key} on token {token:?} (keys present: {})",
        list(available)
    )]
    KeyNotFound {
        /// How the key was selected.
        key: String,
        /// The token.
        token: String,
        /// Labels of the RSA private keys on the token.
        available: Vec<String>,
    },
    /// Several RSA private keys and no label or id to choose.
    #[error(
        "token {token:?} holds several RSA private keys ({}); choose one by label",
        list(available)
    )]
    KeyAmbiguous {
        /// The token.
        token: String,
        /// Their labels.
        available: Vec<String>,
    },
    /// `CKR_PIN_INCORRECT`.
    #[error(
        "wrong PIN for token {token:?} (CKR_PIN_INCORRECT); tokens lock the PIN after a few wrong tries"
    )]
    PinIncorrect {
        /// The token.
        token: String,
    },
    /// `CKR_PIN_LOCKED`, or the token reports its user PIN locked.
    #[error(
        "the user PIN of token {token:?} is locked (CKR_PIN_LOCKED); the security officer must unblock it"
    )]
    PinLocked {
        /// The token.
        token: String,
    },
    /// The token does not offer a mechanism that is needed.
    #[error("token {token:?} does not offer {mechanism} for signing")]
    MechanismNotOffered {
        /// The token.
        token: String,
        /// The mechanism's name (`CKM_RSA_PKCS`, …).
        mechanism: &'static str,
    },
    /// No certificate object on the token belongs to the key.
    #[error(
        "no certificate on token {token:?} has the key's label or id; give the chain as a PEM file"
    )]
    NoCertificate {
        /// The token.
        token: String,
    },
    /// The PIN's environment variable is not set.
    #[error("the PIN's environment variable {0} is not set")]
    PinNotInEnvironment(String),
    /// The PIN file cannot be read.
    #[error("cannot read the PIN file {path}: {source}")]
    PinFile {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Any other failure of a PKCS#11 call.
    #[error("PKCS#11 {operation} on token {token:?} failed: {detail}")]
    Call {
        /// What was being done.
        operation: &'static str,
        /// The token.
        token: String,
        /// The module's return value.
        detail: String,
    },
}

/// Maps a failed PKCS#11 `operation` on `token` to [`Pkcs11Error::Call`], for `map_err`.
fn call_failed(operation: &'static str, token: &str) -> impl FnOnce(CkError) -> Pkcs11Error {
    let token = token.to_owned();
    move |e| Pkcs11Error::Call {
        operation,
        token,
        detail: e.to_string(),
    }
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items
            .iter()
            .map(|s| format!("{s:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A private key on a PKCS#11 token, signing through one logged-in session. Open it with
/// [`SigningKey::from_pkcs11`] (or [`Pkcs11Key::open`] and [`SigningKey::from_signer`]).
pub struct Pkcs11Key {
    session: Mutex<Session>,
    key: ObjectHandle,
    chain: Vec<Vec<u8>>,
    schemes: Vec<SignatureScheme>,
    token: String,
    // Keeps the module loaded while the session lives.
    _context: Pkcs11,
}

impl fmt::Debug for Pkcs11Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pkcs11Key")
            .field("token", &self.token)
            .field("schemes", &self.schemes)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// Uses the key on a PKCS#11 token; its certificate chain comes from `chain_pem` (PEM
    /// certificates in any order) or, when `None`, from the token's certificate objects with
    /// the key's id or label (plus any other certificates there, to complete the chain).
    ///
    /// # Errors
    ///
    /// [`Error::Pkcs11`](crate::Error::Pkcs11) with a [`Pkcs11Error`] for the module, token,
    /// key, PIN or mechanism; [`Error::KeyCertificateMismatch`](crate::Error::KeyCertificateMismatch)
    /// if the certificate does not belong to the key; the
    /// certificate checks of [`SigningKey::from_pem`].
    pub fn from_pkcs11(
        options: &Pkcs11Options,
        chain_pem: Option<&[u8]>,
        load: &LoadOptions,
    ) -> Result<Self> {
        let key = Pkcs11Key::open(options, chain_pem)?;
        Self::from_boxed_signer(Box::new(key), load)
    }
}

impl Pkcs11Key {
    /// Loads the module, finds the token, logs in and finds the key and its certificates.
    ///
    /// # Errors
    ///
    /// As for [`SigningKey::from_pkcs11`].
    pub fn open(options: &Pkcs11Options, chain_pem: Option<&[u8]>) -> Result<Self> {
        let context = context(&options.module)?;
        let token = options.token.clone();
        let call = |operation| call_failed(operation, &token);
        let slot = find_slot(&context, options)?;
        let info = context
            .get_token_info(slot)
            .map_err(call("C_GetTokenInfo"))?;
        if info.user_pin_locked() {
            return Err(Pkcs11Error::PinLocked { token }.into());
        }
        let mechanisms = context
            .get_mechanism_list(slot)
            .map_err(call("C_GetMechanismList"))?;
        let mut schemes = Vec::new();
        if mechanisms.contains(&MechanismType::RSA_PKCS) {
            schemes.extend(SignatureScheme::PKCS1);
        }
        if mechanisms.contains(&MechanismType::RSA_PKCS_PSS) {
            schemes.extend(SignatureScheme::PSS);
        }
        if !schemes.contains(&SignatureScheme::RsaPkcs1Sha256) {
            return Err(Pkcs11Error::MechanismNotOffered {
                token,
                mechanism: "CKM_RSA_PKCS",
            }
            .into());
        }
        let session = context
            .open_ro_session(slot)
            .map_err(call("C_OpenSession"))?;
        login(&session, &options.pin, &token)?;
        let key = find_key(&session, options)?;
        let chain = match chain_pem {
            Some(pem) => pem_certificates(pem)?,
            None => token_certificates(&session, key, options)?,
        };
        Ok(Self {
            session: Mutex::new(session),
            key,
            chain,
            schemes,
            token,
            _context: context,
        })
    }
}

impl KeySigner for Pkcs11Key {
    fn certificate_chain(&self) -> Result<Vec<Vec<u8>>> {
        Ok(self.chain.clone())
    }

    fn schemes(&self) -> Vec<SignatureScheme> {
        self.schemes.clone()
    }

    fn sign_digest(&self, scheme: SignatureScheme, digest: &[u8]) -> Result<Vec<u8>> {
        crate::signer::check_request(scheme, &self.schemes, digest)?;
        let session = self.session.lock().unwrap_or_else(PoisonError::into_inner);
        let (hash_alg, mgf) = match scheme.hash() {
            Hash::Sha256 => (MechanismType::SHA256, PkcsMgfType::MGF1_SHA256),
            Hash::Sha384 => (MechanismType::SHA384, PkcsMgfType::MGF1_SHA384),
            Hash::Sha512 => (MechanismType::SHA512, PkcsMgfType::MGF1_SHA512),
        };
        let result = if scheme.is_pss() {
            let params = PkcsPssParams {
                hash_alg,
                mgf,
                s_len: (scheme.digest_len() as u64).into(),
            };
            session.sign(&Mechanism::RsaPkcsPss(params), self.key, digest)
        } else {
            let mut info = scheme.digest_info_prefix().to_vec();
            info.extend_from_slice(digest);
            session.sign(&Mechanism::RsaPkcs, self.key, &info)
        };
        result.map_err(|e| {
            let token = self.token.clone();
            match e {
                CkError::Pkcs11(RvError::MechanismInvalid, _) => Pkcs11Error::MechanismNotOffered {
                    token,
                    mechanism: if scheme.is_pss() {
                        "CKM_RSA_PKCS_PSS"
                    } else {
                        "CKM_RSA_PKCS"
                    },
                },
                other => Pkcs11Error::Call {
                    operation: "C_Sign",
                    token,
                    detail: other.to_string(),
                },
            }
            .into()
        })
    }
}

/// One initialised context per module and process: a module is initialised once
/// (`C_Initialize`), and its login state is shared by every session on a token.
fn context(module: &Path) -> Result<Pkcs11, Pkcs11Error> {
    static CONTEXTS: Mutex<Vec<(PathBuf, Pkcs11)>> = Mutex::new(Vec::new());
    let mut cache = CONTEXTS.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((_, context)) = cache.iter().find(|(path, _)| path == module) {
        return Ok(context.clone());
    }
    let module_error = |detail: String| Pkcs11Error::Module {
        path: module.to_path_buf(),
        detail,
    };
    if !module.is_file() {
        return Err(module_error("no such file".to_owned()));
    }
    let context = Pkcs11::new(module).map_err(|e| module_error(e.to_string()))?;
    match context.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
        Err(e) => return Err(module_error(format!("C_Initialize: {e}"))),
    }
    cache.push((module.to_path_buf(), context.clone()));
    Ok(context)
}

fn find_slot(context: &Pkcs11, options: &Pkcs11Options) -> Result<Slot, Pkcs11Error> {
    let slots = context
        .get_slots_with_token()
        .map_err(|e| Pkcs11Error::Call {
            operation: "C_GetSlotList",
            token: options.token.clone(),
            detail: e.to_string(),
        })?;
    let mut available = Vec::new();
    for slot in slots {
        let Ok(info) = context.get_token_info(slot) else {
            continue;
        };
        let label = info.label().trim_end().to_owned();
        if label == options.token {
            return Ok(slot);
        }
        available.push(label);
    }
    Err(Pkcs11Error::TokenNotFound {
        label: options.token.clone(),
        module: options.module.clone(),
        available,
    })
}

fn login(session: &Session, pin: &Pin, token: &str) -> Result<(), Pkcs11Error> {
    let secret = AuthPin::new(pin.0.as_str().into());
    match session.login(UserType::User, Some(&secret)) {
        Ok(()) | Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => Ok(()),
        Err(e) => Err(login_error(e, token)),
    }
}

/// The typed error for a failed `C_Login`.
pub(crate) fn login_error(e: CkError, token: &str) -> Pkcs11Error {
    let token = token.to_owned();
    match e {
        CkError::Pkcs11(RvError::PinIncorrect, _) => Pkcs11Error::PinIncorrect { token },
        CkError::Pkcs11(RvError::PinLocked, _) => Pkcs11Error::PinLocked { token },
        other => Pkcs11Error::Call {
            operation: "C_Login",
            token,
            detail: other.to_string(),
        },
    }
}

fn find_key(session: &Session, options: &Pkcs11Options) -> Result<ObjectHandle, Pkcs11Error> {
    let token = options.token.clone();
    let call = |e: CkError| Pkcs11Error::Call {
        operation: "C_FindObjects",
        token: token.clone(),
        detail: e.to_string(),
    };
    let rsa_keys = [
        Attribute::Class(ObjectClass::PRIVATE_KEY),
        Attribute::KeyType(KeyType::RSA),
    ];
    let mut template = rsa_keys.to_vec();
    if let Some(label) = &options.key_label {
        template.push(Attribute::Label(label.as_bytes().to_vec()));
    }
    if let Some(id) = &options.key_id {
        template.push(Attribute::Id(id.clone()));
    }
    let found = session.find_objects(&template).map_err(call)?;
    let labels = || -> Result<Vec<String>, Pkcs11Error> {
        let all = session.find_objects(&rsa_keys).map_err(call)?;
        Ok(all
            .into_iter()
            .filter_map(|key| label_of(session, key))
            .collect())
    };
    match found.as_slice() {
        [key] => Ok(*key),
        [] => Err(Pkcs11Error::KeyNotFound {
            key: options.key_description(),
            token: options.token.clone(),
            available: labels()?,
        }),
        [first, ..] if options.key_label.is_some() || options.key_id.is_some() => Ok(*first),
        _ => Err(Pkcs11Error::KeyAmbiguous {
            token: options.token.clone(),
            available: labels()?,
        }),
    }
}

fn label_of(session: &Session, object: ObjectHandle) -> Option<String> {
    match session
        .get_attributes(object, &[AttributeType::Label])
        .ok()?
        .first()
    {
        Some(Attribute::Label(label)) => Some(String::from_utf8_lossy(label).into_owned()),
        _ => None,
    }
}

/// The certificate objects with the key's id (else its label) first, then every other
/// certificate on the token: chain ordering keeps the issuers and drops the rest.
fn token_certificates(
    session: &Session,
    key: ObjectHandle,
    options: &Pkcs11Options,
) -> Result<Vec<Vec<u8>>, Pkcs11Error> {
    let token = options.token.clone();
    let call = |operation| call_failed(operation, &token);
    let attributes = session
        .get_attributes(key, &[AttributeType::Id, AttributeType::Label])
        .map_err(call("C_GetAttributeValue"))?;
    let certificates = [
        Attribute::Class(ObjectClass::CERTIFICATE),
        Attribute::CertificateType(CertificateType::X_509),
    ];
    let mut own = Vec::new();
    for attribute in attributes {
        let mut template = certificates.to_vec();
        match attribute {
            Attribute::Id(id) if !id.is_empty() => template.push(Attribute::Id(id)),
            Attribute::Label(label) if !label.is_empty() => template.push(Attribute::Label(label)),
            _ => continue,
        }
        own = session
            .find_objects(&template)
            .map_err(call("C_FindObjects"))?;
        if !own.is_empty() {
            break;
        }
    }
    if own.is_empty() {
        return Err(Pkcs11Error::NoCertificate { token });
    }
    let all = session
        .find_objects(&certificates)
        .map_err(call("C_FindObjects"))?;
    let ordered = own.iter().chain(all.iter().filter(|c| !own.contains(c)));
    let mut chain = Vec::new();
    for object in ordered {
        let values = session
            .get_attributes(*object, &[AttributeType::Value])
            .map_err(call("C_GetAttributeValue"))?;
        if let Some(Attribute::Value(der)) = values.into_iter().next() {
            chain.push(der);
        }
    }
    Ok(chain)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

    #[test]
    fn pin_is_never_displayed() {
        let pin = Pin::new("123456");
        assert_eq!(format!("{pin:?}"), "Pin(<redacted>)");
        let options = Pkcs11Options::new("/x.so", "T", pin).key_label("K");
        assert!(!format!("{options:?}").contains("123456"));
    }

    #[test]
    fn login_failures_are_typed() {
        use cryptoki::context::Function;
        let e = login_error(CkError::Pkcs11(RvError::PinIncorrect, Function::Login), "T");
        assert!(matches!(e, Pkcs11Error::PinIncorrect { .. }), "{e}");
        assert!(e.to_string().contains("CKR_PIN_INCORRECT"));
        let e = login_error(CkError::Pkcs11(RvError::PinLocked, Function::Login), "T");
        assert!(matches!(e, Pkcs11Error::PinLocked { .. }), "{e}");
    }

    #[test]
    fn a_missing_module_is_named() {
        let options = Pkcs11Options::new("/nonexistent/libnone.so", "T", Pin::new("1"));
        let e = Pkcs11Key::open(&options, None).unwrap_err();
        assert!(
            matches!(e, Error::Pkcs11(Pkcs11Error::Module { .. })),
            "{e}"
        );
        assert!(e.to_string().contains("/nonexistent/libnone.so"), "{e}");
    }

    #[test]
    fn pin_from_file_takes_the_first_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pin");
        std::fs::write(&path, "4321\n").unwrap();
        assert_eq!(Pin::from_file(&path).unwrap().0.as_str(), "4321");
        assert!(matches!(
            Pin::from_env("ASICE_TEST_SURELY_UNSET_PIN_VAR"),
            Err(Pkcs11Error::PinNotInEnvironment(_))
        ));
    }
}
