//! Our own verifier: structure, every digest, the signature value and, optionally, the chain.

use std::collections::{HashMap, HashSet};

use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use time::OffsetDateTime;

use crate::bundle::{ASICE_MIME_TYPE, SIGNATURES_PATH};
use crate::c14n::canonicalize;
use crate::cert::ParsedCert;
use crate::error::{Error, Result};
use crate::xades::{
    ALG_C14N, ALG_RSA_SHA256, ALG_SHA1, ALG_SHA256, NS_ASIC, NS_DS, NS_XADES,
    TYPE_SIGNED_PROPERTIES, sha256,
};
use crate::xmltree::{Element, locate, parse};
use crate::ziparchive::{Entry, Limits, read_entries};

/// What [`verify`] checks beyond the signature itself.
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    /// Bounds for reading the zip.
    pub limits: Limits,
    /// DER trust anchors. When not empty, the KeyInfo chain must lead to one of them, every
    /// certificate signed by the next and valid at [`VerifyOptions::at`].
    pub trust_roots: Vec<Vec<u8>>,
    /// Instant for the validity check of the chain; `None` means now.
    pub at: Option<OffsetDateTime>,
}

impl VerifyOptions {
    /// Adds every certificate of a PEM file as a trust anchor.
    pub fn add_trust_roots_pem(&mut self, pem: &[u8]) -> Result<()> {
        let before = self.trust_roots.len();
        for cert in CertificateDer::pem_slice_iter(pem) {
            let cert = cert.map_err(|e| Error::Pem {
                what: "trust roots",
                detail: e.to_string(),
            })?;
            self.trust_roots.push(cert.as_ref().to_vec());
        }
        if self.trust_roots.len() == before {
            return Err(Error::NoCertificate("trust root PEM"));
        }
        Ok(())
    }
}

/// A bundle that passed [`verify`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct VerifiedBundle {
    /// The signed files in reference order.
    pub files: Vec<String>,
    /// The claimed signing time.
    pub signing_time: OffsetDateTime,
    /// RFC 2253 subject of the signing certificate.
    pub signer_subject: String,
    /// Whether the chain was checked against trust roots.
    pub chain_trusted: bool,
}

/// Verifies an ASiC-E bundle: zip bounds and names, container structure, each file reference
/// digest, full coverage of the files outside `META-INF`, the SignedProperties digest (over
/// its recomputed canonical form), the SigningCertificate digest and IssuerSerial, the RSA
/// signature over SignedInfo, and with [`VerifyOptions::trust_roots`] the certificate chain.
///
/// ```no_run
/// let zip = std::fs::read("bundle.asice").expect("bundle");
/// let mut options = asice::VerifyOptions::default();
/// options.add_trust_roots_pem(&std::fs::read("root.pem").expect("root"))?;
/// let ok = asice::verify(&zip, &options)?;
/// println!("signed by {} at {}", ok.signer_subject, ok.signing_time);
/// # Ok::<(), asice::Error>(())
/// ```
pub fn verify(zip: &[u8], options: &VerifyOptions) -> Result<VerifiedBundle> {
    let entries = read_entries(zip, &options.limits)?;
    let signature_xml = check_structure(&entries)?;
    let root = parse(signature_xml)?;
    let files: HashMap<&str, &Entry> = entries
        .iter()
        .filter(|e| is_signable(&e.name))
        .map(|e| (e.name.as_str(), e))
        .collect();

    if !root.is(NS_ASIC, "XAdESSignatures") {
        return Err(structure("root element is not asic:XAdESSignatures"));
    }
    let mut signatures = root.elements().filter(|e| e.is(NS_DS, "Signature"));
    let signature = signatures
        .next()
        .ok_or_else(|| structure("no ds:Signature"))?;
    if signatures.next().is_some() {
        return Err(structure("more than one ds:Signature"));
    }
    let signed_info = child(signature, NS_DS, "SignedInfo")?;
    expect_algorithm(
        "canonicalization",
        child(signed_info, NS_DS, "CanonicalizationMethod")?,
        ALG_C14N,
    )?;
    expect_algorithm(
        "signature",
        child(signed_info, NS_DS, "SignatureMethod")?,
        ALG_RSA_SHA256,
    )?;

    // References.
    let mut covered: Vec<String> = Vec::new();
    let mut file_ref_ids: Vec<Option<String>> = Vec::new();
    let mut sp_ref: Option<(String, Vec<u8>)> = None;
    for reference in signed_info.elements() {
        if !reference.is(NS_DS, "Reference") {
            continue;
        }
        let uri = reference
            .attr("URI")
            .ok_or_else(|| structure("Reference without URI"))?;
        expect_algorithm(
            "digest",
            child(reference, NS_DS, "DigestMethod")?,
            ALG_SHA256,
        )?;
        let digest = b64(&child(reference, NS_DS, "DigestValue")?.text())?;
        if reference.attr("Type") == Some(TYPE_SIGNED_PROPERTIES) {
            let id = uri.strip_prefix('#').ok_or_else(|| {
                structure("SignedProperties reference is not a same-document URI")
            })?;
            let transforms: Vec<&Element> =
                child(reference, NS_DS, "Transforms")?.elements().collect();
            match transforms.as_slice() {
                [t] if t.is(NS_DS, "Transform") => expect_algorithm("transform", t, ALG_C14N)?,
                _ => {
                    return Err(structure(
                        "SignedProperties reference needs one C14N transform",
                    ));
                }
            }
            if sp_ref.replace((id.to_owned(), digest)).is_some() {
                return Err(structure("more than one SignedProperties reference"));
            }
            continue;
        }
        if reference.child(NS_DS, "Transforms").is_some() {
            return Err(structure("file references must not have transforms"));
        }
        let name = decode_uri(uri)?;
        let entry = files
            .get(name.as_str())
            .ok_or_else(|| Error::DanglingReference(uri.to_owned()))?;
        if covered.contains(&name) {
            return Err(Error::DuplicateReference(name));
        }
        if sha256(&entry.bytes).as_slice() != digest.as_slice() {
            return Err(Error::FileDigestMismatch(name));
        }
        covered.push(name);
        file_ref_ids.push(reference.attr("Id").map(str::to_owned));
    }
    let covered_set: HashSet<&str> = covered.iter().map(String::as_str).collect();
    for e in &entries {
        if is_signable(&e.name) && !covered_set.contains(e.name.as_str()) {
            return Err(Error::UncoveredFile(e.name.clone()));
        }
    }

    // SignedProperties.
    let (sp_id, sp_digest) = sp_ref.ok_or_else(|| structure("no SignedProperties reference"))?;
    let object_sp = locate(signature, &|e| {
        e.is(NS_XADES, "SignedProperties") && e.attr("Id") == Some(sp_id.as_str())
    })
    .ok_or_else(|| Error::DanglingReference(format!("#{sp_id}")))?;
    let qp = locate(signature, &|e| e.is(NS_XADES, "QualifyingProperties"))
        .ok_or_else(|| structure("no QualifyingProperties"))?;
    if let (Some(target), Some(id)) = (qp.element.attr("Target"), signature.attr("Id"))
        && target.strip_prefix('#') != Some(id)
    {
        return Err(structure(
            "QualifyingProperties Target does not name the Signature",
        ));
    }
    // The located element carries its ancestors' scope, so this is the in-context form.
    let signed_props = object_sp.element;
    if sha256(canonicalize(&object_sp).as_bytes()).as_slice() != sp_digest.as_slice() {
        return Err(Error::SignedPropertiesDigestMismatch);
    }

    // Certificates.
    let chain = key_info_chain(signature)?;
    let leaf = &chain[0];
    let ssp = child(signed_props, NS_XADES, "SignedSignatureProperties")?;
    let signing_time = parse_time(&child(ssp, NS_XADES, "SigningTime")?.text())?;
    let cert_el = child(
        child(ssp, NS_XADES, "SigningCertificate")?,
        NS_XADES,
        "Cert",
    )?;
    let cert_digest = child(cert_el, NS_XADES, "CertDigest")?;
    let method = child(cert_digest, NS_DS, "DigestMethod")?
        .attr("Algorithm")
        .unwrap_or_default()
        .to_owned();
    let actual = match method.as_str() {
        ALG_SHA1 => {
            aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, &leaf.der)
                .as_ref()
                .to_vec()
        }
        ALG_SHA256 => sha256(&leaf.der).to_vec(),
        _ => {
            return Err(Error::UnsupportedAlgorithm {
                what: "certificate digest",
                uri: method,
            });
        }
    };
    if b64(&child(cert_digest, NS_DS, "DigestValue")?.text())? != actual {
        return Err(Error::CertDigestMismatch);
    }
    let issuer_serial = child(cert_el, NS_XADES, "IssuerSerial")?;
    let issuer = child(issuer_serial, NS_DS, "X509IssuerName")?.text();
    let serial = child(issuer_serial, NS_DS, "X509SerialNumber")?.text();
    if serial.trim() != leaf.serial_decimal() {
        return Err(Error::IssuerSerialMismatch(format!(
            "serial {} is not {}",
            serial.trim(),
            leaf.serial_decimal()
        )));
    }
    if normalize_dn(&issuer) != normalize_dn(&leaf.issuer()) {
        return Err(Error::IssuerSerialMismatch(format!(
            "issuer {issuer:?} is not {:?}",
            leaf.issuer()
        )));
    }

    // DataObjectFormat: one per file reference.
    let mut formats: HashMap<String, usize> = HashMap::new();
    if let Some(sdop) = signed_props.child(NS_XADES, "SignedDataObjectProperties") {
        for dof in sdop
            .elements()
            .filter(|e| e.is(NS_XADES, "DataObjectFormat"))
        {
            let target = dof
                .attr("ObjectReference")
                .and_then(|r| r.strip_prefix('#'))
                .ok_or_else(|| Error::DataObjectFormat("ObjectReference missing".into()))?;
            if dof
                .child(NS_XADES, "MimeType")
                .is_none_or(|m| m.text().trim().is_empty())
            {
                return Err(Error::DataObjectFormat(format!(
                    "#{target} has no MimeType"
                )));
            }
            *formats.entry(target.to_owned()).or_default() += 1;
        }
    }
    for (name, id) in covered.iter().zip(&file_ref_ids) {
        let count = id.as_ref().and_then(|id| formats.remove(id)).unwrap_or(0);
        if count != 1 {
            return Err(Error::DataObjectFormat(format!(
                "file {name:?} needs exactly one DataObjectFormat, has {count}"
            )));
        }
    }
    if let Some(stray) = formats.keys().next() {
        return Err(Error::DataObjectFormat(format!(
            "#{stray} does not name a file reference"
        )));
    }

    // The signature value.
    if !leaf.is_rsa() {
        return Err(structure("signing certificate has no RSA key"));
    }
    let signature_value = b64(&child(signature, NS_DS, "SignatureValue")?.text())?;
    let si = locate(signature, &|e| e.is(NS_DS, "SignedInfo"))
        .ok_or_else(|| structure("no SignedInfo"))?;
    UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, leaf.public_key_bits())
        .verify(canonicalize(&si).as_bytes(), &signature_value)
        .map_err(|_| Error::BadSignatureValue)?;

    let chain_trusted = !options.trust_roots.is_empty();
    if chain_trusted {
        check_chain(&chain, options)?;
    }
    Ok(VerifiedBundle {
        files: covered,
        signing_time,
        signer_subject: leaf.subject(),
        chain_trusted,
    })
}

/// Files that the signature must cover: all outside `META-INF/`, except `mimetype`.
fn is_signable(name: &str) -> bool {
    !name.starts_with("META-INF/") && name != "mimetype"
}

fn check_structure(entries: &[Entry]) -> Result<&[u8]> {
    let mut signature = None;
    for (i, e) in entries.iter().enumerate() {
        match e.name.as_str() {
            "mimetype" => {
                if i != 0 {
                    return Err(Error::InvalidMimetypeEntry("not the first entry"));
                }
                if !e.stored {
                    return Err(Error::InvalidMimetypeEntry("compressed"));
                }
                if e.bytes != ASICE_MIME_TYPE.as_bytes() {
                    return Err(Error::InvalidMimetypeEntry(
                        "content is not application/vnd.etsi.asic-e+zip",
                    ));
                }
            }
            SIGNATURES_PATH => signature = Some(e.bytes.as_slice()),
            "META-INF/manifest.xml" => return Err(Error::ForbiddenEntry(e.name.clone())),
            n if n.starts_with("META-INF/") && n.to_ascii_lowercase().contains("signature") => {
                return Err(Error::ForbiddenEntry(e.name.clone()));
            }
            _ => {}
        }
    }
    signature.ok_or(Error::MissingEntry("META-INF/signatures.xml"))
}

fn key_info_chain(signature: &Element) -> Result<Vec<ParsedCert>> {
    let data = child(child(signature, NS_DS, "KeyInfo")?, NS_DS, "X509Data")?;
    let chain = data
        .elements()
        .filter(|e| e.is(NS_DS, "X509Certificate"))
        .map(|e| ParsedCert::from_der(&b64(&e.text())?))
        .collect::<Result<Vec<_>>>()?;
    if chain.is_empty() {
        return Err(structure("KeyInfo has no X509Certificate"));
    }
    Ok(chain)
}

fn check_chain(chain: &[ParsedCert], options: &VerifyOptions) -> Result<()> {
    let at = options.at.unwrap_or_else(OffsetDateTime::now_utc);
    let roots = options
        .trust_roots
        .iter()
        .map(|d| ParsedCert::from_der(d))
        .collect::<Result<Vec<_>>>()?;
    let untrusted = |m: String| Err(Error::UntrustedChain(m));
    for (i, cert) in chain.iter().enumerate() {
        if at < cert.not_before() || at > cert.not_after() {
            return untrusted(format!("{} is not valid at {at}", cert.subject()));
        }
        if roots.iter().any(|r| r.der == cert.der) {
            return Ok(());
        }
        let issued_by_root = roots.iter().find(|r| {
            r.cert.tbs_certificate.subject == cert.cert.tbs_certificate.issuer
                && cert.is_signed_by(r).unwrap_or(false)
        });
        if let Some(root) = issued_by_root {
            if at < root.not_before() || at > root.not_after() {
                return untrusted(format!(
                    "trust root {} is not valid at {at}",
                    root.subject()
                ));
            }
            return Ok(());
        }
        match chain.get(i + 1) {
            Some(next) if cert.is_signed_by(next)? => {}
            Some(next) => {
                return untrusted(format!(
                    "{} is not signed by the next certificate {}",
                    cert.subject(),
                    next.subject()
                ));
            }
            None => {
                return untrusted(format!(
                    "{} is not issued by any trust root",
                    cert.subject()
                ));
            }
        }
    }
    untrusted("empty chain".into())
}

fn structure(msg: &str) -> Error {
    Error::Structure(msg.to_owned())
}

fn child<'a>(el: &'a Element, ns: &str, local: &'static str) -> Result<&'a Element> {
    el.child(ns, local)
        .ok_or_else(|| Error::Structure(format!("{} has no {local}", el.local)))
}

fn expect_algorithm(what: &'static str, el: &Element, expected: &str) -> Result<()> {
    match el.attr("Algorithm") {
        Some(a) if a == expected => Ok(()),
        other => Err(Error::UnsupportedAlgorithm {
            what,
            uri: other.unwrap_or_default().to_owned(),
        }),
    }
}

/// base64 as XML carries it: line breaks and indentation allowed.
fn b64(text: &str) -> Result<Vec<u8>> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    B64.decode(compact)
        .map_err(|e| Error::Structure(format!("invalid base64: {e}")))
}

/// RFC 3986 percent-decoding of a relative reference (`+` is a plus sign).
fn decode_uri(uri: &str) -> Result<String> {
    let dangling = || Error::DanglingReference(uri.to_owned());
    if uri.is_empty() || uri.starts_with('#') || uri.starts_with('/') || uri.contains(':') {
        return Err(dangling());
    }
    let bytes = uri.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3).ok_or_else(dangling)?;
            let s = std::str::from_utf8(hex).map_err(|_| dangling())?;
            out.push(u8::from_str_radix(s, 16).map_err(|_| dangling())?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| dangling())
}

fn normalize_dn(dn: &str) -> String {
    let mut out = String::new();
    for part in dn.trim().split(',') {
        if !out.is_empty() {
            out.push(',');
        }
        out.push_str(part.trim());
    }
    out
}

pub(crate) fn parse_time(text: &str) -> Result<OffsetDateTime> {
    OffsetDateTime::parse(text.trim(), &time::format_description::well_known::Rfc3339)
        .map_err(|_| Error::InvalidSigningTime(text.to_owned()))
}

#[cfg(test)]
#[path = "verify_tests.rs"]
mod tests;
