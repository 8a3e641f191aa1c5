//! The emulator's own PKI: a test CA, the server certificate carrying Posten's organization
//! number, the seal that signs signers' XAdES, and client identities for brokers.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;

use std::sync::atomic::{AtomicUsize, Ordering};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, PKCS_ECDSA_P256_SHA256, PKCS_RSA_SHA256, SanType, SerialNumber,
};
use rustls_pki_types::PrivatePkcs8KeyDer;
use time::{Duration, OffsetDateTime};

use super::error::Error;
use super::key_cache;

/// Posten Norge AS, the organization number the official clients expect in the server
/// certificate.
pub const SERVER_ORGANIZATION_NUMBER: &str = "984661185";

const OID_SERIAL_NUMBER: [u64; 4] = [2, 5, 4, 5];
const OID_ORGANIZATION_IDENTIFIER: [u64; 4] = [2, 5, 4, 97];

/// Where a client certificate carries its organization number (enterprise certificates of both
/// generations occur in the wild).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum OrgNumberIn {
    /// SEID 2: subject organizationIdentifier `NTRNO-<org>` (and serialNumber as well).
    #[default]
    OrganizationIdentifier,
    /// SEID 1: subject serialNumber only.
    SerialNumber,
    /// Only a nine-digit common name.
    CommonName,
}

/// A client certificate, its CA chain and private key, issued by the emulator's CA.
#[derive(Clone)]
pub struct ClientIdentity {
    organization_number: String,
    certificate_pem: String,
    certificate_der: Vec<u8>,
    ca_pem: String,
    ca_der: Vec<u8>,
    private_key_pem: String,
    private_key_der: Vec<u8>,
}

impl fmt::Debug for ClientIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientIdentity")
            .field("organization_number", &self.organization_number)
            .finish_non_exhaustive()
    }
}

impl ClientIdentity {
    /// The organization number the certificate names.
    pub fn organization_number(&self) -> &str {
        &self.organization_number
    }

    /// The leaf certificate, PEM.
    pub fn certificate_pem(&self) -> &str {
        &self.certificate_pem
    }

    /// The leaf certificate, DER.
    pub fn certificate_der(&self) -> &[u8] {
        &self.certificate_der
    }

    /// Leaf and CA certificate, PEM (what a TLS client presents and what goes into KeyInfo).
    pub fn chain_pem(&self) -> String {
        format!("{}{}", self.certificate_pem, self.ca_pem)
    }

    /// The RSA private key as PKCS#8 PEM.
    pub fn private_key_pem(&self) -> &str {
        &self.private_key_pem
    }

    /// The RSA private key as PKCS#8 DER.
    pub fn private_key_der(&self) -> &[u8] {
        &self.private_key_der
    }

    /// Private key followed by the chain, the PEM form `reqwest::Identity::from_pem` reads.
    pub fn identity_pem(&self) -> String {
        format!("{}{}", self.private_key_pem, self.chain_pem())
    }

    /// The identity as a PKCS#12 file (AES-256 / HMAC-SHA-256), alias = organization number.
    pub fn to_pkcs12(&self, password: &str) -> Result<Vec<u8>, Error> {
        let p12 = |e: p12_keystore::error::Error| Error::Pki(format!("PKCS#12: {e}"));
        let key = p12_keystore::PrivateKey::from_der(&self.private_key_der).map_err(p12)?;
        let leaf = p12_keystore::Certificate::from_der(&self.certificate_der).map_err(p12)?;
        let ca = p12_keystore::Certificate::from_der(&self.ca_der).map_err(p12)?;
        let mut local_key_id = [0u8; 20];
        aws_lc_rs::rand::fill(&mut local_key_id).map_err(|_| Error::Pki("random".into()))?;
        let chain = p12_keystore::PrivateKeyChain::new(local_key_id.to_vec(), key, [leaf, ca]);
        let mut store = p12_keystore::KeyStore::new();
        store.add_entry(
            &self.organization_number,
            p12_keystore::KeyStoreEntry::PrivateKeyChain(chain),
        );
        store.writer(password).write().map_err(p12)
    }
}

/// The CA and the certificates made from it.
pub(crate) struct Pki {
    ca: Issuer<'static, KeyPair>,
    pub(crate) ca_pem: String,
    pub(crate) ca_der: Vec<u8>,
    ca_key_der: Vec<u8>,
    pub(crate) server_chain_der: Vec<Vec<u8>>,
    pub(crate) server_key_der: Vec<u8>,
    /// The service's seal (RSA) that signs signers' XAdES: key PEM and chain PEM.
    pub(crate) seal_key_pem: String,
    pub(crate) seal_chain_pem: String,
    /// The key-cache slot of the next client identity (the seal has slot 0).
    next_client_slot: AtomicUsize,
}

impl fmt::Debug for Pki {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pki").finish_non_exhaustive()
    }
}

/// The RSA-2048 key of a key-cache slot, as an rcgen key pair and its PKCS#8 DER.
fn rsa_key(slot: usize) -> Result<(KeyPair, Vec<u8>), Error> {
    let der = key_cache::rsa_key(slot)?;
    let key = rsa_from_der(&der)?;
    Ok((key, der))
}

fn rsa_from_der(der: &[u8]) -> Result<KeyPair, Error> {
    KeyPair::from_pkcs8_der_and_sign_algo(&PrivatePkcs8KeyDer::from(der.to_vec()), &PKCS_RSA_SHA256)
        .map_err(rcgen_error)
}

fn rcgen_error(e: rcgen::Error) -> Error {
    Error::Pki(e.to_string())
}

fn ca_params() -> Result<CertificateParams, Error> {
    let mut p = CertificateParams::new(Vec::<String>::new()).map_err(rcgen_error)?;
    p.distinguished_name.push(DnType::CountryName, "NO");
    p.distinguished_name
        .push(DnType::OrganizationName, "Signering emulator");
    p.distinguished_name
        .push(DnType::CommonName, "Signering emulator test CA");
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let now = OffsetDateTime::now_utc();
    p.not_before = now - Duration::days(1);
    p.not_after = now + Duration::days(3650);
    p.serial_number = Some(SerialNumber::from_slice(&[1]));
    Ok(p)
}

/// The subject of the emulator's own certificates (server and seal): C=NO, Posten's name,
/// `common_name`, and Posten's organization number as serialNumber, in that order.
fn posten_subject(params: &mut CertificateParams, common_name: &str) {
    let name = &mut params.distinguished_name;
    name.push(DnType::CountryName, "NO");
    name.push(DnType::OrganizationName, "POSTEN NORGE AS (emulator)");
    name.push(DnType::CommonName, common_name);
    name.push(
        DnType::CustomDnType(OID_SERIAL_NUMBER.to_vec()),
        SERVER_ORGANIZATION_NUMBER,
    );
}

fn leaf_params(sans: Vec<String>) -> Result<CertificateParams, Error> {
    let mut p = CertificateParams::new(sans).map_err(rcgen_error)?;
    let now = OffsetDateTime::now_utc();
    p.not_before = now - Duration::days(1);
    p.not_after = now + Duration::days(365);
    let mut serial = [0u8; 16];
    aws_lc_rs::rand::fill(&mut serial).map_err(|_| Error::Pki("random".into()))?;
    serial[0] &= 0x7f;
    p.serial_number = Some(SerialNumber::from_slice(&serial));
    Ok(p)
}

impl Pki {
    /// A fresh CA, or the stored one (`ca_key_der`, `ca_pem`) so that identities issued before
    /// a restart stay trusted.
    ///
    /// A fresh CA has an ECDSA P-256 key, made in well under a millisecond, and every emulator
    /// has its own. The RSA keys (seal, client identities: RSA because XAdES here is
    /// rsa-sha256 and enterprise certificates are RSA) come from [`key_cache`].
    pub(crate) fn new(stored_ca: Option<(Vec<u8>, String)>) -> Result<Self, Error> {
        let params = ca_params()?;
        let (ca_key, ca_key_der, ca_pem, ca_der) = match stored_ca {
            Some((key_der, pem)) => {
                // RSA in databases written before the CA became ECDSA.
                let key = KeyPair::try_from(key_der.as_slice()).map_err(rcgen_error)?;
                let der = pem_to_der(&pem)?;
                (key, key_der, pem, der)
            }
            None => {
                let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).map_err(rcgen_error)?;
                let key_der = key.serialize_der();
                let cert = params.self_signed(&key).map_err(rcgen_error)?;
                (key, key_der, cert.pem(), cert.der().as_ref().to_vec())
            }
        };
        let ca = Issuer::new(params, ca_key);

        // Server certificate: ECDSA (fast to make), Posten's organization number in both places.
        let mut sp = leaf_params(vec!["localhost".into()])?;
        sp.subject_alt_names
            .push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        posten_subject(&mut sp, "signering emulator");
        sp.distinguished_name.push(
            DnType::CustomDnType(OID_ORGANIZATION_IDENTIFIER.to_vec()),
            format!("NTRNO-{SERVER_ORGANIZATION_NUMBER}"),
        );
        sp.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        sp.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let server_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).map_err(rcgen_error)?;
        let server_cert = sp.signed_by(&server_key, &ca).map_err(rcgen_error)?;

        // Seal: RSA, because XAdES in this profile is rsa-sha256.
        let mut seal = leaf_params(Vec::new())?;
        posten_subject(&mut seal, "Posten signering emulator seal");
        seal.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::ContentCommitment,
        ];
        let (seal_key, _) = rsa_key(0)?;
        let seal_cert = seal.signed_by(&seal_key, &ca).map_err(rcgen_error)?;

        Ok(Self {
            ca,
            server_chain_der: vec![server_cert.der().as_ref().to_vec(), ca_der.clone()],
            server_key_der: server_key.serialize_der(),
            seal_key_pem: seal_key.serialize_pem(),
            seal_chain_pem: format!("{}{}", seal_cert.pem(), ca_pem),
            ca_pem,
            ca_der,
            ca_key_der,
            next_client_slot: AtomicUsize::new(1),
        })
    }

    /// What the store keeps so that a restart reuses the CA.
    pub(crate) fn ca_to_store(&self) -> (Vec<u8>, String) {
        (self.ca_key_der.clone(), self.ca_pem.clone())
    }

    /// Issues an RSA client certificate (digitalSignature, clientAuth) for `org`.
    pub(crate) fn issue_client(
        &self,
        organization_number: &str,
        placement: OrgNumberIn,
    ) -> Result<ClientIdentity, Error> {
        if organization_number.len() != 9
            || !organization_number.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(Error::Config(format!(
                "organization number must be nine digits, got {organization_number:?}"
            )));
        }
        let mut p = leaf_params(Vec::new())?;
        p.distinguished_name.push(DnType::CountryName, "NO");
        p.distinguished_name.push(
            DnType::OrganizationName,
            format!("Emulated broker {organization_number}"),
        );
        match placement {
            OrgNumberIn::OrganizationIdentifier => {
                p.distinguished_name.push(
                    DnType::CommonName,
                    format!("Emulated broker {organization_number}"),
                );
                p.distinguished_name.push(
                    DnType::CustomDnType(OID_ORGANIZATION_IDENTIFIER.to_vec()),
                    format!("NTRNO-{organization_number}"),
                );
            }
            OrgNumberIn::SerialNumber => {
                p.distinguished_name.push(
                    DnType::CommonName,
                    format!("Emulated broker {organization_number}"),
                );
                p.distinguished_name.push(
                    DnType::CustomDnType(OID_SERIAL_NUMBER.to_vec()),
                    organization_number,
                );
            }
            OrgNumberIn::CommonName => {
                p.distinguished_name
                    .push(DnType::CommonName, organization_number);
            }
        }
        p.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        let slot = self.next_client_slot.fetch_add(1, Ordering::Relaxed);
        let (key, key_der) = rsa_key(slot)?;
        let cert = p.signed_by(&key, &self.ca).map_err(rcgen_error)?;
        Ok(ClientIdentity {
            organization_number: organization_number.to_owned(),
            certificate_pem: cert.pem(),
            certificate_der: cert.der().as_ref().to_vec(),
            ca_pem: self.ca_pem.clone(),
            ca_der: self.ca_der.clone(),
            private_key_pem: key.serialize_pem(),
            private_key_der: key_der,
        })
    }
}

fn pem_to_der(pem: &str) -> Result<Vec<u8>, Error> {
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;
    CertificateDer::from_pem_slice(pem.as_bytes())
        .map(|c| c.as_ref().to_vec())
        .map_err(|e| Error::Pki(format!("stored CA certificate: {e}")))
}

/// Writes `ca.pem` and `<org>.p12` into `dir` (created if missing) for demos.
pub(crate) fn write_demo_files(
    dir: &Path,
    ca_pem: &str,
    identity: &ClientIdentity,
    password: &str,
) -> Result<(std::path::PathBuf, std::path::PathBuf), Error> {
    std::fs::create_dir_all(dir).map_err(|e| Error::Io(format!("{}: {e}", dir.display())))?;
    let ca_path = dir.join("ca.pem");
    std::fs::write(&ca_path, ca_pem)
        .map_err(|e| Error::Io(format!("{}: {e}", ca_path.display())))?;
    let p12_path = dir.join(format!("{}.p12", identity.organization_number()));
    std::fs::write(&p12_path, identity.to_pkcs12(password)?)
        .map_err(|e| Error::Io(format!("{}: {e}", p12_path.display())))?;
    Ok((ca_path, p12_path))
}
