//! The CMS signature inside the PAdES: a detached `SignedData` (RFC 5652) over the digest of
//! the PDF's signed byte ranges, made by the emulator's seal, with the signed attributes a
//! PAdES B-B signature has (ETSI EN 319 142-1, 6.3; ETSI EN 319 122-1, 5.2):
//!
//! * content-type (`id-data`) and message-digest (SHA-256 of the byte ranges);
//! * ESS signing-certificate-v2 (RFC 5035): the SHA-256 of the seal's certificate with its
//!   issuer and serial number, which binds the signature to that certificate.
//!
//! There is no signing-time attribute: in PAdES the time is the signature dictionary's `/M`.
//! The types come from the `cms` crate; the RSA signature is made by [`asice::SigningKey`]
//! (aws-lc-rs).

use asice::{SignatureScheme, SigningKey};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{Null, ObjectIdentifier, OctetString, SetOfVec};
use der::{Any, Decode, Encode, Sequence};
use x509_cert::Certificate;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::AlgorithmIdentifierOwned;

use super::error::Error;

const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
const ID_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
const ID_MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
/// `id-aa-signingCertificateV2` (RFC 5035, 3).
const ID_SIGNING_CERTIFICATE_V2: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");
const ID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");

/// `SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, policies … OPTIONAL }`
/// (RFC 5035, 3).
#[derive(Sequence)]
struct SigningCertificateV2 {
    certs: Vec<EssCertIdV2>,
}

/// `ESSCertIDv2 ::= SEQUENCE { hashAlgorithm DEFAULT id-sha256, certHash OCTET STRING,
/// issuerSerial IssuerSerial OPTIONAL }`: SHA-256, the default, is left out as DER requires.
#[derive(Sequence)]
struct EssCertIdV2 {
    cert_hash: OctetString,
    issuer_serial: IssuerSerial,
}

/// `IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber CertificateSerialNumber }`.
#[derive(Sequence)]
struct IssuerSerial {
    issuer: Vec<GeneralName>,
    serial_number: SerialNumber,
}

fn der_error(e: der::Error) -> Error {
    Error::Pki(format!("PAdES signature: {e}"))
}

fn attribute(oid: ObjectIdentifier, value: Any) -> Result<Attribute, Error> {
    Ok(Attribute {
        oid,
        values: SetOfVec::try_from(vec![value]).map_err(der_error)?,
    })
}

fn sha256(bytes: &[u8]) -> Vec<u8> {
    aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes)
        .as_ref()
        .to_vec()
}

/// The DER `ContentInfo` of a detached `SignedData` by `seal` over content whose SHA-256 is
/// `digest`.
pub(crate) fn sign_detached(seal: &SigningKey, digest: &[u8]) -> Result<Vec<u8>, Error> {
    let chain = seal
        .certificate_chain()
        .map(|der| Certificate::from_der(der).map_err(der_error))
        .collect::<Result<Vec<_>, Error>>()?;
    let (Some(leaf), Some(leaf_der)) = (chain.first(), seal.certificate_chain().next()) else {
        return Err(Error::Pki(
            "PAdES signature: the seal has no certificate".into(),
        ));
    };
    let issuer = leaf.tbs_certificate.issuer.clone();
    let serial_number = leaf.tbs_certificate.serial_number.clone();

    let signing_certificate = SigningCertificateV2 {
        certs: vec![EssCertIdV2 {
            cert_hash: OctetString::new(sha256(leaf_der)).map_err(der_error)?,
            issuer_serial: IssuerSerial {
                issuer: vec![GeneralName::DirectoryName(issuer.clone())],
                serial_number: serial_number.clone(),
            },
        }],
    };
    let signed_attrs = SetOfVec::try_from(vec![
        attribute(
            ID_CONTENT_TYPE,
            Any::encode_from(&ID_DATA).map_err(der_error)?,
        )?,
        attribute(
            ID_MESSAGE_DIGEST,
            Any::encode_from(&OctetString::new(digest).map_err(der_error)?).map_err(der_error)?,
        )?,
        attribute(
            ID_SIGNING_CERTIFICATE_V2,
            Any::encode_from(&signing_certificate).map_err(der_error)?,
        )?,
    ])
    .map_err(der_error)?;

    // The signature covers the DER of the attributes as a SET (RFC 5652, 5.4), which is how
    // `SetOfVec` encodes them.
    let scheme = SignatureScheme::RsaPkcs1Sha256;
    let to_sign = signed_attrs.to_der().map_err(der_error)?;
    let signature = seal
        .sign_digest(scheme, &scheme.digest(&to_sign))
        .map_err(|e| Error::Pki(format!("PAdES signature: {e}")))?;

    let sha256_alg = AlgorithmIdentifierOwned {
        oid: ID_SHA256,
        parameters: None,
    };
    let signer_info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer,
            serial_number,
        }),
        digest_alg: sha256_alg.clone(),
        signed_attrs: Some(signed_attrs),
        signature_algorithm: AlgorithmIdentifierOwned {
            oid: SHA256_WITH_RSA,
            parameters: Some(Any::encode_from(&Null).map_err(der_error)?),
        },
        signature: OctetString::new(signature).map_err(der_error)?,
        unsigned_attrs: None,
    };
    let certificates = chain
        .into_iter()
        .map(CertificateChoices::Certificate)
        .collect::<Vec<_>>();
    let signed_data = SignedData {
        version: CmsVersion::V1,
        digest_algorithms: SetOfVec::try_from(vec![sha256_alg]).map_err(der_error)?,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: ID_DATA,
            econtent: None,
        },
        certificates: Some(CertificateSet::try_from(certificates).map_err(der_error)?),
        crls: None,
        signer_infos: SignerInfos::try_from(vec![signer_info]).map_err(der_error)?,
    };
    ContentInfo {
        content_type: ID_SIGNED_DATA,
        content: Any::encode_from(&signed_data).map_err(der_error)?,
    }
    .to_der()
    .map_err(der_error)
}
