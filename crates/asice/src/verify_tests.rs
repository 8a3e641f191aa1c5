//! One test per failure kind of [`super::verify`].

use std::io::{Cursor, Write};
use std::sync::OnceLock;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use time::macros::datetime;
use zip::write::SimpleFileOptions;

use super::*;
use crate::{BuildOptions, BundleFile, FixedClock, SigningKey, build};

use crate::testpki as pki;

struct Fixture {
    pki: pki::TestPki,
    key: SigningKey,
}

impl Fixture {
    /// A fresh test PKI, with an intermediate CA between root and leaf when `intermediate`,
    /// and its leaf's key.
    fn new(intermediate: bool) -> Self {
        let pki = pki::make_pki(intermediate, &pki::LeafSpec::default());
        let key = pki::signing_key(&pki);
        Self { pki, key }
    }
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| Fixture::new(true))
}

/// A second PKI, without an intermediate; its root is not [`fixture`]'s.
fn other_fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| Fixture::new(false))
}

const CLOCK: FixedClock = FixedClock(datetime!(2024-05-06 07:08:09.123 +02:00));

fn good() -> Vec<u8> {
    build(
        &[
            BundleFile::new("a.pdf", b"%PDF-1.4 a", "application/pdf"),
            BundleFile::new("b.txt", b"hei & <hallo>", "text/plain"),
            BundleFile::new("manifest.xml", b"<m/>", "application/xml"),
        ],
        &fixture().key,
        &CLOCK,
        &BuildOptions::default(),
    )
    .unwrap()
}

fn opts() -> VerifyOptions {
    let mut o = VerifyOptions::default();
    o.trust_roots.push(fixture().pki.root_der.clone());
    o
}

type Entries = Vec<(String, Vec<u8>, bool)>;

fn entries(zip: &[u8]) -> Entries {
    read_entries(zip, &Limits::default())
        .unwrap()
        .into_iter()
        .map(|e| (e.name, e.bytes, e.stored))
        .collect()
}

fn rezip(zip: &[u8], change: impl FnOnce(&mut Entries)) -> Vec<u8> {
    let mut list = entries(zip);
    change(&mut list);
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes, stored) in list {
        let method = if stored {
            zip::CompressionMethod::Stored
        } else {
            zip::CompressionMethod::Deflated
        };
        w.start_file(
            name,
            SimpleFileOptions::default().compression_method(method),
        )
        .unwrap();
        w.write_all(&bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn signature_xml(zip: &[u8]) -> String {
    let list = entries(zip);
    let e = list.iter().find(|e| e.0 == SIGNATURES_PATH).unwrap();
    String::from_utf8(e.1.clone()).unwrap()
}

/// Replaces signatures.xml after `edit`, recomputing the SignedProperties digest and the
/// signature so that only the intended defect remains.
fn with_resigned_xml(zip: &[u8], edit: impl FnOnce(String) -> String) -> Vec<u8> {
    let key = &fixture().key;
    let mut xml = edit(signature_xml(zip));
    let root = parse(xml.as_bytes()).unwrap();
    let sp = locate(&root, &|e| e.local == "SignedProperties").unwrap();
    let new_digest = B64.encode(sha256(canonicalize(&sp).as_bytes()));
    let si = locate(&root, &|e| e.local == "SignedInfo").unwrap();
    let sp_ref = si
        .element
        .elements()
        .find(|r| r.attr("Type").is_some())
        .unwrap();
    let old_digest = sp_ref.child(NS_DS, "DigestValue").unwrap().text();
    xml = xml.replace(&old_digest, &new_digest);
    let root = parse(xml.as_bytes()).unwrap();
    let si = locate(&root, &|e| e.local == "SignedInfo").unwrap();
    let sig = key.sign(canonicalize(&si).as_bytes()).unwrap();
    let old_sig = root
        .child(NS_DS, "Signature")
        .unwrap()
        .child(NS_DS, "SignatureValue")
        .unwrap()
        .text();
    xml = xml.replace(&old_sig, &B64.encode(sig));
    set_signature(zip, xml)
}

fn set_signature(zip: &[u8], xml: String) -> Vec<u8> {
    rezip(zip, |l| {
        for e in l.iter_mut() {
            if e.0 == SIGNATURES_PATH {
                e.1 = xml.clone().into_bytes();
            }
        }
    })
}

#[test]
fn accepts_a_good_bundle_and_reports_it() {
    let ok = verify(&good(), &opts()).unwrap();
    assert_eq!(ok.files, ["a.pdf", "b.txt", "manifest.xml"]);
    assert_eq!(ok.signing_time, datetime!(2024-05-06 07:08:09.123 +02:00));
    assert!(
        ok.signer_subject.contains("SERIALNUMBER=123456785")
            || ok.signer_subject.contains("2.5.4.5=")
    );
    assert!(ok.chain_trusted);
}

#[test]
fn resigning_helper_keeps_a_good_bundle_good() {
    // Guards the helper: the failure tests below rely on it changing nothing else.
    let z = with_resigned_xml(&good(), |x| x);
    verify(&z, &opts()).unwrap();
}

#[test]
fn tampered_document() {
    let z = rezip(&good(), |l| l[1].1.push(b' '));
    assert!(matches!(verify(&z, &opts()), Err(Error::FileDigestMismatch(n)) if n == "a.pdf"));
}

#[test]
fn tampered_manifest() {
    let z = rezip(&good(), |l| l[3].1 = b"<m x='1'/>".to_vec());
    assert!(
        matches!(verify(&z, &opts()), Err(Error::FileDigestMismatch(n)) if n == "manifest.xml")
    );
}

#[test]
fn uncovered_file() {
    let z = rezip(&good(), |l| {
        l.insert(2, ("extra.txt".into(), b"x".to_vec(), false))
    });
    assert!(matches!(verify(&z, &opts()), Err(Error::UncoveredFile(n)) if n == "extra.txt"));
}

#[test]
fn missing_file() {
    let z = rezip(&good(), |l| {
        l.remove(2);
    });
    assert!(matches!(verify(&z, &opts()), Err(Error::DanglingReference(u)) if u == "b.txt"));
}

#[test]
fn forbidden_meta_inf_manifest() {
    let z = rezip(&good(), |l| {
        l.push(("META-INF/manifest.xml".into(), b"<x/>".to_vec(), false))
    });
    assert!(
        matches!(verify(&z, &opts()), Err(Error::ForbiddenEntry(n)) if n == "META-INF/manifest.xml")
    );
}

#[test]
fn second_signature_file() {
    let z = rezip(&good(), |l| {
        l.push(("META-INF/signatures2.xml".into(), b"<x/>".to_vec(), false))
    });
    assert!(matches!(verify(&z, &opts()), Err(Error::ForbiddenEntry(_))));
}

#[test]
fn missing_signature() {
    let z = rezip(&good(), |l| l.retain(|e| e.0 != SIGNATURES_PATH));
    assert!(matches!(verify(&z, &opts()), Err(Error::MissingEntry(_))));
}

#[test]
fn bad_mimetype_entries() {
    let z = rezip(&good(), |l| l[0].2 = false);
    assert!(matches!(
        verify(&z, &opts()),
        Err(Error::InvalidMimetypeEntry("compressed"))
    ));
    let z = rezip(&good(), |l| l[0].1 = b"application/zip".to_vec());
    assert!(matches!(
        verify(&z, &opts()),
        Err(Error::InvalidMimetypeEntry(_))
    ));
    let z = rezip(&good(), |l| l.swap(0, 1));
    assert!(matches!(
        verify(&z, &opts()),
        Err(Error::InvalidMimetypeEntry("not the first entry"))
    ));
    // Without a mimetype entry the bundle is fine.
    let z = rezip(&good(), |l| {
        l.remove(0);
    });
    verify(&z, &opts()).unwrap();
}

#[test]
fn tampered_signing_time() {
    let xml = signature_xml(&good()).replace("07:08:09.123", "07:08:10.123");
    let z = set_signature(&good(), xml);
    assert!(matches!(
        verify(&z, &opts()),
        Err(Error::SignedPropertiesDigestMismatch)
    ));
}

#[test]
fn tampered_signature_value() {
    let xml = signature_xml(&good());
    let root = parse(xml.as_bytes()).unwrap();
    let sv = root
        .child(NS_DS, "Signature")
        .unwrap()
        .child(NS_DS, "SignatureValue")
        .unwrap()
        .text();
    let mut raw = B64.decode(&sv).unwrap();
    raw[10] ^= 1;
    let z = set_signature(&good(), xml.replace(&sv, &B64.encode(raw)));
    assert!(matches!(verify(&z, &opts()), Err(Error::BadSignatureValue)));
}

#[test]
fn tampered_signed_info_digest_breaks_the_signature() {
    // Changing a reference digest and the file together leaves only the signature to catch it.
    let xml = signature_xml(&good());
    let old = B64.encode(sha256(b"hei & <hallo>"));
    let new = B64.encode(sha256(b"hei & <hallo!>"));
    let z = set_signature(&good(), xml.replace(&old, &new));
    let z = rezip(&z, |l| l[2].1 = b"hei & <hallo!>".to_vec());
    assert!(matches!(verify(&z, &opts()), Err(Error::BadSignatureValue)));
}

#[test]
fn unsupported_algorithms() {
    let z = with_resigned_xml(&good(), |x| {
        x.replacen(
            "<CanonicalizationMethod Algorithm=\"http://www.w3.org/TR/2001/REC-xml-c14n-20010315\">",
            "<CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\">",
            1,
        )
    });
    assert!(matches!(
        verify(&z, &opts()),
        Err(Error::UnsupportedAlgorithm {
            what: "canonicalization",
            ..
        })
    ));
    let z = with_resigned_xml(&good(), |x| {
        x.replacen(ALG_SHA256, "http://www.w3.org/2000/09/xmldsig#sha1", 1)
    });
    assert!(matches!(
        verify(&z, &opts()),
        Err(Error::UnsupportedAlgorithm { what: "digest", .. })
    ));
}

#[test]
fn wrong_certificate_in_key_info() {
    let ours = B64.encode(fixture().key.certificate_chain().next().unwrap());
    let theirs = B64.encode(other_fixture().key.certificate_chain().next().unwrap());
    let z = set_signature(&good(), signature_xml(&good()).replace(&ours, &theirs));
    assert!(matches!(
        verify(&z, &opts()),
        Err(Error::CertDigestMismatch)
    ));
}

#[test]
fn issuer_serial_mismatch() {
    let serial = fixture().key.leaf().serial_decimal();
    let z = with_resigned_xml(&good(), |x| x.replace(&format!(">{serial}<"), ">12345<"));
    assert!(
        matches!(verify(&z, &opts()), Err(Error::IssuerSerialMismatch(m)) if m.contains("12345"))
    );
    let z = with_resigned_xml(&good(), |x| x.replace("Mellomledd", "Annen"));
    assert!(
        matches!(verify(&z, &opts()), Err(Error::IssuerSerialMismatch(m)) if m.contains("issuer"))
    );
}

#[test]
fn data_object_format_missing() {
    let z = with_resigned_xml(&good(), |x| {
        x.replace(
            "<DataObjectFormat ObjectReference=\"#ID_1\"><MimeType>text/plain</MimeType></DataObjectFormat>",
            "",
        )
    });
    assert!(matches!(verify(&z, &opts()), Err(Error::DataObjectFormat(m)) if m.contains("b.txt")));
}

#[test]
fn invalid_signing_time() {
    let z = with_resigned_xml(&good(), |x| {
        x.replace("2024-05-06T07:08:09.123+02:00", "yesterday")
    });
    assert!(matches!(verify(&z, &opts()), Err(Error::InvalidSigningTime(t)) if t == "yesterday"));
}

#[test]
fn untrusted_chain() {
    let mut o = VerifyOptions::default();
    o.trust_roots.push(other_fixture().pki.root_der.clone());
    assert!(matches!(verify(&good(), &o), Err(Error::UntrustedChain(_))));
    // Without trust roots only the signature is checked.
    assert!(
        !verify(&good(), &VerifyOptions::default())
            .unwrap()
            .chain_trusted
    );
}

#[test]
fn expired_chain_at_check_time() {
    let mut o = opts();
    o.at = Some(time::OffsetDateTime::now_utc() + time::Duration::days(4000));
    assert!(
        matches!(verify(&good(), &o), Err(Error::UntrustedChain(m)) if m.contains("not valid"))
    );
}

#[test]
fn pretty_printed_signature_still_verifies_when_digests_are_recomputed() {
    // Whitespace inside SignedInfo is signed content; the verifier must canonicalize what is
    // there rather than assume our compact form.
    let z = with_resigned_xml(&good(), |x| x.replace("<Reference ", "\n  <Reference "));
    verify(&z, &opts()).unwrap();
}

#[test]
fn structure_errors() {
    let z = set_signature(&good(), "<a/>".into());
    assert!(matches!(verify(&z, &opts()), Err(Error::Structure(_))));
    let z = set_signature(&good(), "<a><b></a>".into());
    assert!(matches!(verify(&z, &opts()), Err(Error::Xml(_))));
}

#[test]
fn mimetype_entry_is_first_stored_and_readable_at_a_fixed_offset() {
    // ASiC readers sniff the media type at byte 38 of the file, as with ODF/EPUB.
    let z = good();
    assert_eq!(&z[..4], b"PK\x03\x04");
    assert_eq!(u16::from_le_bytes([z[8], z[9]]), 0, "compression method");
    assert_eq!(u16::from_le_bytes([z[28], z[29]]), 0, "extra field length");
    assert_eq!(&z[30..38], b"mimetype");
    assert_eq!(
        &z[38..38 + ASICE_MIME_TYPE.len()],
        ASICE_MIME_TYPE.as_bytes()
    );
}
