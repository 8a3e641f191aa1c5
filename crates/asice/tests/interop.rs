//! Bundles built by this crate, checked by xmlsec1 and signxml (which share no code with us)
//! and by our own verifier, across documents, names, chains and key formats.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::process::Command;

use asice::{
    BuildOptions, BundleFile, FixedClock, LoadOptions, SigningKey, VerifyOptions, build,
    safe_file_name, verify,
};
use signering_testkit::pdf_like;
use support::pem_key;
use support::pki::{LeafSpec, TestPki, make_pki};
use support::tools::{check, tools};
use time::OffsetDateTime;

struct Doc {
    name: String,
    bytes: Vec<u8>,
    mime: &'static str,
}

fn docs(count: usize, titles: &[&str]) -> Vec<Doc> {
    let mut out = Vec::new();
    for i in 0..count {
        let title = titles[i % titles.len()];
        let pdf = i % 2 == 0;
        let name = safe_file_name(&format!("{i} {title}.{}", if pdf { "pdf" } else { "txt" }))
            .expect("safe name");
        let bytes = if pdf {
            pdf_like(i as u32, 2_000 + i * 100)
        } else {
            format!("Dokument {i}: {title}\nLinje to æøå\r\n").into_bytes()
        };
        out.push(Doc {
            name,
            bytes,
            mime: if pdf { "application/pdf" } else { "text/plain" },
        });
    }
    out.push(Doc {
        name: "manifest.xml".into(),
        bytes: b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><manifest xmlns=\"urn:test\"/>".to_vec(),
        mime: "application/xml",
    });
    out
}

fn bundle(key: &SigningKey, docs: &[Doc], options: &BuildOptions) -> Vec<u8> {
    let files: Vec<BundleFile<'_>> = docs
        .iter()
        .map(|d| BundleFile::new(&d.name, &d.bytes, d.mime))
        .collect();
    build(&files, key, &FixedClock(OffsetDateTime::now_utc()), options).expect("build")
}

fn our_verify(zip: &[u8], pki: &TestPki) -> asice::Result<asice::VerifiedBundle> {
    let mut o = VerifyOptions::default();
    o.add_trust_roots_pem(pki.root_pem.as_bytes())
        .expect("root");
    verify(zip, &o)
}

fn assert_accepted(zip: &[u8], pki: &TestPki, what: &str) {
    our_verify(zip, pki).unwrap_or_else(|e| panic!("{what}: our verifier: {e}"));
    if let Some(t) = tools() {
        let v = check(&t, zip, &pki.root_pem);
        assert!(v.both_accept(), "{what}: {v:?}");
    }
}

const TITLES: &[&str] = &["Avtale om lån", "Blåbær Æøå  notat", "plain", "Ærlig (2)"];

#[test]
fn one_pdf_chain_of_one() {
    let pki = make_pki(false, &LeafSpec::default());
    let key = pem_key(&pki);
    assert_eq!(key.certificate_chain().count(), 1);
    let z = bundle(&key, &docs(1, TITLES), &BuildOptions::default());
    assert_accepted(&z, &pki, "1 PDF, chain 1");
}

#[test]
fn twenty_mixed_documents_chain_of_three_with_and_without_mimetype() {
    let pki = make_pki(true, &LeafSpec::default());
    let key = pem_key(&pki);
    assert_eq!(key.certificate_chain().count(), 3);
    let d = docs(20, TITLES);
    assert!(d.iter().any(|d| d.name.contains("laan")));
    assert!(d.iter().any(|d| d.name.contains("blaabaer_aeoeaa")));
    let z = bundle(&key, &d, &BuildOptions::default());
    assert_accepted(&z, &pki, "20 docs, chain 3, mimetype");
    let z = bundle(
        &key,
        &d,
        &BuildOptions {
            mimetype_entry: false,
            ..BuildOptions::default()
        },
    );
    assert_accepted(&z, &pki, "20 docs, chain 3, no mimetype");
}

#[test]
fn unsafe_names_are_rejected_by_the_builder() {
    let pki = make_pki(false, &LeafSpec::default());
    let key = pem_key(&pki);
    for name in ["Avtale om lån.pdf", "a+b.pdf", "../x.pdf", "META-INF"] {
        let r = build(
            &[BundleFile::new(name, b"x", "application/pdf")],
            &key,
            &FixedClock(OffsetDateTime::now_utc()),
            &BuildOptions::default(),
        );
        assert!(
            matches!(r, Err(asice::Error::UnsafeFileName { .. })),
            "{name}"
        );
    }
}

fn openssl_run(args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .expect("openssl");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Key files in every supported format, made by openssl from the generated PKI.
#[test]
fn key_formats_pkcs12_modern_legacy_and_pem_variants() {
    if !signering_testkit::have_tool(
        "key_formats_pkcs12_modern_legacy_and_pem_variants",
        "openssl",
        "version",
        "openssl is not installed (apt-get install openssl)",
    ) {
        return;
    }
    let pki = make_pki(true, &LeafSpec::default());
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n).to_str().unwrap().to_owned();
    std::fs::write(p("key.pem"), &pki.key_pem).unwrap();
    std::fs::write(p("leaf.pem"), &pki.leaf_pem).unwrap();
    std::fs::write(p("ca.pem"), &pki.ca_pem).unwrap();
    std::fs::write(p("chain.pem"), &pki.chain_pem).unwrap();
    // The key with its certificate and the CA's in one PKCS#12 file, with openssl's current
    // encryption or (`legacy`) the RC2/3DES one older tools write.
    let export_pkcs12 = |legacy: bool, password: &str, out: &str| {
        let (key, leaf, ca, out) = (p("key.pem"), p("leaf.pem"), p("ca.pem"), p(out));
        let passout = format!("pass:{password}");
        let mut args = vec!["pkcs12", "-export"];
        if legacy {
            args.push("-legacy");
        }
        args.extend([
            "-inkey",
            &key,
            "-in",
            &leaf,
            "-certfile",
            &ca,
            "-passout",
            &passout,
            "-out",
            &out,
        ]);
        openssl_run(&args);
    };
    export_pkcs12(false, "hemmelig æ", "modern.p12");
    export_pkcs12(true, "hemmelig", "legacy.p12");
    openssl_run(&[
        "rsa",
        "-in",
        &p("key.pem"),
        "-traditional",
        "-out",
        &p("pkcs1.pem"),
    ]);
    openssl_run(&[
        "pkcs8",
        "-topk8",
        "-in",
        &p("key.pem"),
        "-v2",
        "aes-256-cbc",
        "-passout",
        "pass:hemmelig",
        "-out",
        &p("enc.pem"),
    ]);
    assert!(
        std::fs::read_to_string(p("pkcs1.pem"))
            .unwrap()
            .contains("BEGIN RSA PRIVATE KEY")
    );
    assert!(
        std::fs::read_to_string(p("enc.pem"))
            .unwrap()
            .contains("BEGIN ENCRYPTED PRIVATE KEY")
    );

    let o = LoadOptions::default();
    let keys = [
        (
            "PKCS#12 AES/PBKDF2",
            SigningKey::from_pkcs12_file(p("modern.p12"), "hemmelig æ", &o),
        ),
        (
            "PKCS#12 legacy",
            SigningKey::from_pkcs12_file(p("legacy.p12"), "hemmelig", &o),
        ),
        (
            "PEM PKCS#8",
            SigningKey::from_pem_files(p("key.pem"), p("chain.pem"), None, &o),
        ),
        (
            "PEM PKCS#1",
            SigningKey::from_pem_files(p("pkcs1.pem"), p("chain.pem"), None, &o),
        ),
        (
            "PEM encrypted PKCS#8",
            SigningKey::from_pem_files(p("enc.pem"), p("chain.pem"), Some("hemmelig"), &o),
        ),
    ];
    let d = docs(2, TITLES);
    for (what, key) in keys {
        let key = key.unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(key.certificate_chain().count(), 3, "{what}");
        let z = bundle(&key, &d, &BuildOptions::default());
        assert_accepted(&z, &pki, what);
    }

    // IssuerName and serial as an independent tool prints them.
    let out = Command::new("openssl")
        .args([
            "x509",
            "-in",
            &p("leaf.pem"),
            "-noout",
            "-issuer",
            "-serial",
            "-nameopt",
            "RFC2253",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let info = asice::inspect(
        &bundle(&pem_key(&pki), &d, &BuildOptions::default()),
        &asice::Limits::default(),
    )
    .unwrap();
    let issuer = text
        .lines()
        .find_map(|l| l.strip_prefix("issuer="))
        .unwrap();
    assert_eq!(info.certificates[0].issuer, issuer);
    let hex = text
        .lines()
        .find_map(|l| l.strip_prefix("serial="))
        .unwrap();
    assert_eq!(info.certificates[0].serial, big_decimal(hex));
    assert_eq!(info.certificates.len(), 3);
    assert!(info.manifest.is_some());
    assert!(info.signing_time.is_some());

    // Wrong passwords, and a PKCS#12 without a key.
    assert!(matches!(
        SigningKey::from_pkcs12_file(p("modern.p12"), "feil", &o),
        Err(asice::Error::WrongPassword(_))
    ));
    assert!(matches!(
        SigningKey::from_pkcs12_file(p("legacy.p12"), "feil", &o),
        Err(asice::Error::WrongPassword(_))
    ));
    assert!(matches!(
        SigningKey::from_pem_files(p("enc.pem"), p("chain.pem"), Some("feil"), &o),
        Err(asice::Error::WrongPassword(_))
    ));
    openssl_run(&[
        "pkcs12",
        "-export",
        "-nokeys",
        "-in",
        &p("leaf.pem"),
        "-passout",
        "pass:x",
        "-out",
        &p("nokey.p12"),
    ]);
    assert!(matches!(
        SigningKey::from_pkcs12_file(p("nokey.p12"), "x", &o),
        Err(asice::Error::NoPrivateKey(_))
    ));
    // An EC key is refused with a clear error.
    openssl_run(&[
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-out",
        &p("ec.pem"),
    ]);
    assert!(matches!(
        SigningKey::from_pem_files(p("ec.pem"), p("chain.pem"), None, &o),
        Err(asice::Error::NonRsaKey(_))
    ));
}

/// Tampering with any signed part must be caught by both tools and by our verifier.
#[test]
fn tampering_is_rejected_by_every_verifier() {
    let pki = make_pki(true, &LeafSpec::default());
    let key = pem_key(&pki);
    let d = docs(2, TITLES);
    let good = bundle(&key, &d, &BuildOptions::default());
    let tools = tools();
    if let Some(t) = &tools {
        assert!(check(t, &good, &pki.root_pem).both_accept());
    }
    let doc_name = d[0].name.clone();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "document",
            rewrite(&good, |n, b| {
                if n == doc_name {
                    b[100] ^= 1
                }
            }),
        ),
        (
            "manifest",
            rewrite(&good, |n, b| {
                if n == "manifest.xml" {
                    b.extend_from_slice(b"<!-- x -->")
                }
            }),
        ),
        (
            "SigningTime",
            rewrite(&good, |n, b| {
                if n == "META-INF/signatures.xml" {
                    let s = String::from_utf8(b.clone()).unwrap();
                    let at = s.find("<SigningTime>").unwrap() + "<SigningTime>".len() + 3;
                    // 2025 → 2015 etc.: the year's last-but-one digit.
                    b[at] = if b[at] == b'1' { b'2' } else { b'1' };
                }
            }),
        ),
        (
            "SignatureValue",
            rewrite(&good, |n, b| {
                if n == "META-INF/signatures.xml" {
                    let s = String::from_utf8(b.clone()).unwrap();
                    let at = s.find("<SignatureValue>").unwrap() + "<SignatureValue>".len() + 5;
                    b[at] = if b[at] == b'A' { b'B' } else { b'A' };
                }
            }),
        ),
    ];
    for (what, z) in cases {
        assert_ne!(z, good, "{what}: tampering changed nothing");
        assert!(
            our_verify(&z, &pki).is_err(),
            "{what}: our verifier accepted it"
        );
        if let Some(t) = &tools {
            let v = check(t, &z, &pki.root_pem);
            assert!(v.both_reject(), "{what}: {v:?}");
        }
    }
}

fn rewrite(zip: &[u8], mut f: impl FnMut(&str, &mut Vec<u8>)) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut a = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..a.len() {
        let mut e = a.by_index(i).unwrap();
        let name = e.name().to_owned();
        let mut b = Vec::new();
        e.read_to_end(&mut b).unwrap();
        f(&name, &mut b);
        let o = zip::write::SimpleFileOptions::default().compression_method(e.compression());
        w.start_file(name, o).unwrap();
        w.write_all(&b).unwrap();
    }
    w.finish().unwrap().into_inner()
}

#[test]
fn deterministic_for_a_fixed_clock() {
    let pki = make_pki(false, &LeafSpec::default());
    let key = pem_key(&pki);
    let d = docs(3, TITLES);
    let files: Vec<BundleFile<'_>> = d
        .iter()
        .map(|d| BundleFile::new(&d.name, &d.bytes, d.mime))
        .collect();
    let clock = FixedClock(OffsetDateTime::now_utc());
    let a = build(&files, &key, &clock, &BuildOptions::default()).unwrap();
    let b = build(&files, &key, &clock, &BuildOptions::default()).unwrap();
    assert_eq!(a, b);
    let later = FixedClock(clock.0 + time::Duration::seconds(2));
    assert_ne!(
        a,
        build(&files, &key, &later, &BuildOptions::default()).unwrap()
    );
}

/// Decimal of a hex string, by long multiplication (test-side, independent of the crate's).
fn big_decimal(hex: &str) -> String {
    let mut digits = vec![0u32]; // little-endian base 10^9
    for c in hex.chars() {
        let mut carry = c.to_digit(16).unwrap();
        for d in digits.iter_mut() {
            let v = u64::from(*d) * 16 + u64::from(carry);
            *d = (v % 1_000_000_000) as u32;
            carry = (v / 1_000_000_000) as u32;
        }
        if carry > 0 {
            digits.push(carry);
        }
    }
    let mut s = digits.last().unwrap().to_string();
    for d in digits.iter().rev().skip(1) {
        s.push_str(&format!("{d:09}"));
    }
    s
}
