//! Zip entries whose names could escape a directory (`../x`, `/abs`, `a/../../b`,
//! backslashes, drive letters) are refused by both the inspector and the verifier, whether the
//! rest of the bundle is a valid signed bundle or not. Neither function writes to the file
//! system at all; the CLI test `bundle_commands_never_write_traversal_entries` checks the
//! process end to end.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

mod support;

use std::io::{Cursor, Read, Write};

use asice::{BuildOptions, BundleFile, Error, FixedClock, Limits};
use support::pem_key;
use support::pki::{LeafSpec, make_pki};
use time::macros::datetime;
use zip::write::SimpleFileOptions;

const HOSTILE_NAMES: &[&str] = &[
    "../x",
    "../../../../tmp/evil",
    "/abs",
    "/etc/passwd",
    "a/../../b",
    "a/b/../../../c",
    "..",
    "./../x",
    "..\\x",
    "a\\..\\..\\b",
    "C:/Windows/x",
    "C:\\Windows\\x",
    "c:x",
    "\\\\server\\share\\x",
    "a/\u{0}/b",
];

fn signed_bundle() -> Vec<u8> {
    let pki = make_pki(false, &LeafSpec::default());
    let key = pem_key(&pki);
    asice::build(
        &[BundleFile {
            name: "contract.pdf",
            bytes: b"%PDF-1.7 test",
            mime_type: "application/pdf",
        }],
        &key,
        &FixedClock(datetime!(2026-03-01 12:00 UTC)),
        &BuildOptions::default(),
    )
    .unwrap()
}

/// Copies every entry of `bundle` into a new zip and adds one entry named `hostile`.
fn with_extra_entry(bundle: &[u8], hostile: &str) -> Vec<u8> {
    let mut source = zip::ZipArchive::new(Cursor::new(bundle)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..source.len() {
        let mut file = source.by_index(i).unwrap();
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).unwrap();
        out.start_file(file.name(), SimpleFileOptions::default())
            .unwrap();
        out.write_all(&bytes).unwrap();
    }
    out.start_file(hostile, SimpleFileOptions::default())
        .unwrap();
    out.write_all(b"payload").unwrap();
    out.finish().unwrap().into_inner()
}

/// A zip holding only the hostile entry.
fn only_entry(hostile: &str) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    out.start_file(hostile, SimpleFileOptions::default())
        .unwrap();
    out.write_all(b"payload").unwrap();
    out.finish().unwrap().into_inner()
}

fn assert_refused(what: &str, hostile: &str, result: Result<(), Error>) {
    match result {
        Err(Error::UnsafeEntryName(name)) => assert_eq!(name, hostile, "{what}"),
        other => panic!("{what}: entry {hostile:?} gave {other:?}, expected UnsafeEntryName"),
    }
}

#[test]
fn control_the_signed_bundle_passes_both() {
    // Without this, the refusals below could come from a broken bundle instead of the name.
    let bundle = with_extra_entry(&signed_bundle(), "notes/readme.txt");
    asice::inspect(&bundle, &Limits::default()).unwrap();
    let error = asice::verify(&bundle, &asice::VerifyOptions::default()).unwrap_err();
    // The unsigned extra file is caught, but not as an unsafe name.
    assert!(!matches!(error, Error::UnsafeEntryName(_)), "{error:?}");
    asice::verify(&signed_bundle(), &asice::VerifyOptions::default()).unwrap();
}

fn inspect(zip: &[u8]) -> Result<(), Error> {
    asice::inspect(zip, &Limits::default()).map(drop)
}

fn verify(zip: &[u8]) -> Result<(), Error> {
    asice::verify(zip, &asice::VerifyOptions::default()).map(drop)
}

/// A reader of a bundle, as the refusal checks call it.
type Reader = fn(&[u8]) -> Result<(), Error>;

/// The two readers that must refuse an unsafe entry name, each named for the failure text.
const READERS: [(&str, Reader); 2] = [("inspect", inspect), ("verify", verify)];

#[test]
fn inspector_and_verifier_refuse_traversal_names_in_a_signed_bundle() {
    let bundle = signed_bundle();
    for (what, read) in READERS {
        for hostile in HOSTILE_NAMES {
            let zip = with_extra_entry(&bundle, hostile);
            assert_refused(what, hostile, read(&zip));
        }
    }
}

#[test]
fn both_refuse_a_zip_of_only_a_traversal_entry() {
    for hostile in HOSTILE_NAMES {
        let zip = only_entry(hostile);
        for (what, read) in READERS {
            assert_refused(what, hostile, read(&zip));
        }
    }
}
