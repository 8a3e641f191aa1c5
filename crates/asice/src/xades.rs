//! Writes `META-INF/signatures.xml` in the profile's shape. Every element is emitted already in
//! canonical form (no whitespace, start/end pairs, sorted attributes), so the digested and
//! signed bytes are the document's own bytes plus the namespace declarations that the
//! SignedProperties and SignedInfo elements inherit from their ancestors.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

use crate::c14n::{escape_attr, escape_text};
use crate::cert::ParsedCert;
use crate::error::Result;
use crate::keys::SigningKey;

pub(crate) const NS_ASIC: &str = "http://uri.etsi.org/2918/v1.2.1#";
pub(crate) const NS_DS: &str = "http://www.w3.org/2000/09/xmldsig#";
pub(crate) const NS_XADES: &str = "http://uri.etsi.org/01903/v1.3.2#";
pub(crate) const ALG_C14N: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
pub(crate) const ALG_RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
pub(crate) const ALG_SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";
pub(crate) const ALG_SHA1: &str = "http://www.w3.org/2000/09/xmldsig#sha1";
pub(crate) const TYPE_SIGNED_PROPERTIES: &str = "http://uri.etsi.org/01903#SignedProperties";

/// In scope at SignedProperties: QualifyingProperties' default namespace and its `ns2` prefix.
const SIGNED_PROPERTIES_CONTEXT: &str = concat!(
    " xmlns=\"http://uri.etsi.org/01903/v1.3.2#\"",
    " xmlns:ns2=\"http://www.w3.org/2000/09/xmldsig#\""
);
/// In scope at SignedInfo: the Signature element's default namespace.
const SIGNED_INFO_CONTEXT: &str = " xmlns=\"http://www.w3.org/2000/09/xmldsig#\"";

/// One signed file as the signature sees it.
#[derive(Debug, Clone)]
pub(crate) struct SignedFile<'a> {
    pub(crate) uri: &'a str,
    pub(crate) mime: &'a str,
    pub(crate) sha256: [u8; 32],
}

/// The signing certificate facts that go into SigningCertificate.
#[derive(Debug, Clone)]
pub(crate) struct CertRef {
    pub(crate) sha1: Vec<u8>,
    pub(crate) issuer: String,
    pub(crate) serial: String,
}

impl CertRef {
    pub(crate) fn of(cert: &ParsedCert) -> Self {
        let sha1 =
            aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, &cert.der);
        Self {
            sha1: sha1.as_ref().to_vec(),
            issuer: cert.issuer(),
            serial: cert.serial_decimal(),
        }
    }
}

fn element(out: &mut String, name: &str, attrs: &[(&str, &str)], text: &str) {
    out.push('<');
    out.push_str(name);
    for (k, v) in attrs {
        out.push(' ');
        out.push_str(k);
        out.push_str("=\"");
        escape_attr(v, out);
        out.push('"');
    }
    out.push('>');
    escape_text(text, out);
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

/// The SignedProperties element; `in_context` adds the inherited namespace declarations, which
/// gives exactly the canonical bytes that are digested.
pub(crate) fn signed_properties(
    files: &[SignedFile<'_>],
    signing_time: &str,
    cert: &CertRef,
    in_context: bool,
) -> String {
    let mut s = String::with_capacity(1024 + files.len() * 120);
    s.push_str("<SignedProperties");
    if in_context {
        s.push_str(SIGNED_PROPERTIES_CONTEXT);
    }
    s.push_str(" Id=\"SignedProperties\"><SignedSignatureProperties>");
    element(&mut s, "SigningTime", &[], signing_time);
    s.push_str("<SigningCertificate><Cert><CertDigest>");
    element(&mut s, "ns2:DigestMethod", &[("Algorithm", ALG_SHA1)], "");
    element(&mut s, "ns2:DigestValue", &[], &B64.encode(&cert.sha1));
    s.push_str("</CertDigest><IssuerSerial>");
    element(&mut s, "ns2:X509IssuerName", &[], &cert.issuer);
    element(&mut s, "ns2:X509SerialNumber", &[], &cert.serial);
    s.push_str("</IssuerSerial></Cert></SigningCertificate></SignedSignatureProperties>");
    s.push_str("<SignedDataObjectProperties>");
    for (i, f) in files.iter().enumerate() {
        s.push_str("<DataObjectFormat ObjectReference=\"#ID_");
        s.push_str(&i.to_string());
        s.push_str("\">");
        element(&mut s, "MimeType", &[], f.mime);
        s.push_str("</DataObjectFormat>");
    }
    s.push_str("</SignedDataObjectProperties></SignedProperties>");
    s
}

/// The SignedInfo element; `in_context` as for [`signed_properties`].
pub(crate) fn signed_info(
    files: &[SignedFile<'_>],
    signed_properties_sha256: &[u8],
    in_context: bool,
) -> String {
    let mut s = String::with_capacity(1024 + files.len() * 250);
    s.push_str("<SignedInfo");
    if in_context {
        s.push_str(SIGNED_INFO_CONTEXT);
    }
    s.push('>');
    element(
        &mut s,
        "CanonicalizationMethod",
        &[("Algorithm", ALG_C14N)],
        "",
    );
    element(
        &mut s,
        "SignatureMethod",
        &[("Algorithm", ALG_RSA_SHA256)],
        "",
    );
    for (i, f) in files.iter().enumerate() {
        let id = format!("ID_{i}");
        // Attributes in canonical order: Id before URI.
        s.push('<');
        s.push_str("Reference");
        for (k, v) in [("Id", id.as_str()), ("URI", f.uri)] {
            s.push(' ');
            s.push_str(k);
            s.push_str("=\"");
            escape_attr(v, &mut s);
            s.push('"');
        }
        s.push('>');
        element(&mut s, "DigestMethod", &[("Algorithm", ALG_SHA256)], "");
        element(&mut s, "DigestValue", &[], &B64.encode(f.sha256));
        s.push_str("</Reference>");
    }
    s.push_str("<Reference Type=\"");
    s.push_str(TYPE_SIGNED_PROPERTIES);
    s.push_str("\" URI=\"#SignedProperties\"><Transforms>");
    element(&mut s, "Transform", &[("Algorithm", ALG_C14N)], "");
    s.push_str("</Transforms>");
    element(&mut s, "DigestMethod", &[("Algorithm", ALG_SHA256)], "");
    element(
        &mut s,
        "DigestValue",
        &[],
        &B64.encode(signed_properties_sha256),
    );
    s.push_str("</Reference></SignedInfo>");
    s
}

/// Builds and signs the whole `signatures.xml`.
pub(crate) fn signatures_xml(
    files: &[SignedFile<'_>],
    signing_time: &str,
    key: &SigningKey,
) -> Result<Vec<u8>> {
    let cert = CertRef::of(key.leaf());
    let sp_canonical = signed_properties(files, signing_time, &cert, true);
    let sp_digest = sha256(sp_canonical.as_bytes());
    let si_canonical = signed_info(files, &sp_digest, true);
    let signature = key.sign(si_canonical.as_bytes())?;

    let mut doc = String::with_capacity(sp_canonical.len() + si_canonical.len() + 8192);
    doc.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>");
    doc.push_str("<XAdESSignatures xmlns=\"");
    doc.push_str(NS_ASIC);
    doc.push_str("\"><Signature xmlns=\"");
    doc.push_str(NS_DS);
    doc.push_str("\" Id=\"Signature\">");
    doc.push_str(&signed_info(files, &sp_digest, false));
    element(&mut doc, "SignatureValue", &[], &B64.encode(signature));
    doc.push_str("<KeyInfo><X509Data>");
    for c in key.chain() {
        element(&mut doc, "X509Certificate", &[], &B64.encode(&c.der));
    }
    doc.push_str("</X509Data></KeyInfo><Object><QualifyingProperties");
    doc.push_str(SIGNED_PROPERTIES_CONTEXT);
    doc.push_str(" Target=\"#Signature\">");
    doc.push_str(&signed_properties(files, signing_time, &cert, false));
    doc.push_str("</QualifyingProperties></Object></Signature></XAdESSignatures>");
    Ok(doc.into_bytes())
}

pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, data);
    let mut out = [0; 32];
    out.copy_from_slice(d.as_ref());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(s: &str) -> Vec<u8> {
        B64.decode(s).unwrap()
    }

    /// The facts of the official Java client's golden signature test (a fixed clock, two files,
    /// the "Avsender" test certificate) must give its SignedProperties digest exactly.
    #[test]
    fn golden_signed_properties_digest() {
        assert_eq!(
            B64.encode(sha256(b"hoveddokument-innhold")),
            "XdxjXOUnFR8hgR5NBjFc0I7DnILAukbaQ12CPoP5jXs="
        );
        let files = [
            SignedFile {
                uri: "dokument.pdf",
                mime: "application/pdf",
                sha256: sha256(b"hoveddokument-innhold"),
            },
            SignedFile {
                uri: "manifest.xml",
                mime: "application/xml",
                sha256: sha256(b"manifest-innhold"),
            },
        ];
        let cert = CertRef {
            sha1: b64("6Gko40cr8upGenUAxIT6bBVcRfo="),
            issuer: "CN=Avsender,OU=Avsender,O=Avsender,L=Oslo,ST=NO,C=NO".into(),
            serial: "589725471".into(),
        };
        let sp = signed_properties(&files, "2018-11-29T09:15:00+01:00", &cert, true);
        assert_eq!(
            B64.encode(sha256(sp.as_bytes())),
            "n4ZOYvk7M6YXWrrunai7lVH48xeDJDxER9TlJ7c8f/g="
        );
        // A millisecond field or a different prefix changes the digest (the recipe's variants).
        let with_ms = signed_properties(&files, "2018-11-29T09:15:00.000+01:00", &cert, true);
        assert_ne!(sha256(with_ms.as_bytes()), sha256(sp.as_bytes()));
        // The manifest digest from the same recipe.
        assert_eq!(
            B64.encode(files[1].sha256),
            "wEftXp/TkL614dcx9Txw8O1lLxylP8ZS2WohNKbFdQo="
        );
    }

    #[test]
    fn document_form_parses_to_the_same_canonical_bytes() {
        let files = [SignedFile {
            uri: "a.txt",
            mime: "text/plain",
            sha256: sha256(b"a"),
        }];
        let cert = CertRef {
            sha1: vec![1; 20],
            issuer: "CN=A&B <x>,O=\"q\"".into(),
            serial: "1".into(),
        };
        let doc = format!(
            "<XAdESSignatures xmlns=\"{NS_ASIC}\"><Signature xmlns=\"{NS_DS}\"><Object><QualifyingProperties{SIGNED_PROPERTIES_CONTEXT}>{}</QualifyingProperties></Object></Signature></XAdESSignatures>",
            signed_properties(&files, "2020-01-01T00:00:00Z", &cert, false)
        );
        let root = crate::xmltree::parse(doc.as_bytes()).unwrap();
        let sp = crate::xmltree::locate(&root, &|e| e.local == "SignedProperties").unwrap();
        assert_eq!(
            crate::c14n::canonicalize(&sp),
            signed_properties(&files, "2020-01-01T00:00:00Z", &cert, true)
        );
    }
}
