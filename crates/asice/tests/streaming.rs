//! `build_to` streams files from disk and readers: the same bytes as the in-memory `build`,
//! a bundle that verifies, typed errors for a failing source, and `inspect_reader` listing a
//! bundle file without reading its documents.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::{BufReader, BufWriter, Cursor, Read};

use asice::{
    BuildOptions, BundleFile, Content, Error, FixedClock, Limits, SourceFile, VerifyOptions, build,
    build_to, inspect, inspect_reader, verify,
};
use signering_testkit::pdf_like;
use support::pem_key;
use support::pki::{LeafSpec, make_pki};
use time::OffsetDateTime;

/// A reader that hands out at most 1000 bytes per call, then fails after `fail_after`.
struct Trickle {
    data: Cursor<Vec<u8>>,
    fail_after: Option<u64>,
}

impl Read for Trickle {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if let Some(limit) = self.fail_after
            && self.data.position() >= limit
        {
            return Err(std::io::Error::other("disk on fire"));
        }
        let n = buf.len().min(1000);
        self.data.read(&mut buf[..n])
    }
}

#[test]
fn streamed_from_files_and_readers_equals_the_in_memory_build() {
    let pki = make_pki(false, &LeafSpec::default());
    let key = pem_key(&pki);
    let dir = tempfile::tempdir().unwrap();
    // Larger than the copy buffer, so the streamed path takes several chunks.
    let big = pdf_like(1, 700_000);
    let small = pdf_like(2, 10);
    let text = b"Linje en\nLinje to \xc3\xa6\xc3\xb8\xc3\xa5\n".repeat(5000);
    std::fs::write(dir.path().join("big.pdf"), &big).unwrap();
    let manifest = b"<manifest/>".to_vec();
    let clock = FixedClock(OffsetDateTime::now_utc());
    let options = BuildOptions::default();

    let in_memory = build(
        &[
            BundleFile::new("big.pdf", &big, "application/pdf"),
            BundleFile::new("small.pdf", &small, "application/pdf"),
            BundleFile::new("notes.txt", &text, "text/plain"),
            BundleFile::new("manifest.xml", &manifest, "application/xml"),
        ],
        &key,
        &clock,
        &options,
    )
    .unwrap();

    let path = dir.path().join("big.pdf");
    let out_path = dir.path().join("out.asice");
    let out = BufWriter::new(std::fs::File::create(&out_path).unwrap());
    let out = build_to(
        vec![
            SourceFile::path("big.pdf", &path, "application/pdf"),
            SourceFile::new(
                "small.pdf",
                Content::Reader(Box::new(&small[..])),
                "application/pdf",
            ),
            SourceFile::new(
                "notes.txt",
                Content::Reader(Box::new(Trickle {
                    data: Cursor::new(text.clone()),
                    fail_after: None,
                })),
                "text/plain",
            ),
            SourceFile::bytes("manifest.xml", &manifest, "application/xml"),
        ],
        &key,
        &clock,
        &options,
        out,
    )
    .unwrap();
    drop(out.into_inner().unwrap());
    let streamed = std::fs::read(&out_path).unwrap();
    let first_difference = streamed.iter().zip(&in_memory).position(|(a, b)| a != b);
    assert!(
        streamed == in_memory,
        "same bytes from files/readers and from memory: lengths {} and {}, first difference at {first_difference:?}",
        streamed.len(),
        in_memory.len()
    );

    let mut verify_options = VerifyOptions::default();
    verify_options
        .add_trust_roots_pem(pki.root_pem.as_bytes())
        .unwrap();
    verify(&streamed, &verify_options).unwrap();

    // The reader-based listing matches the in-memory one.
    let listed = inspect_reader(
        BufReader::new(std::fs::File::open(&out_path).unwrap()),
        &Limits::default(),
    )
    .unwrap();
    let from_bytes = inspect(&streamed, &Limits::default()).unwrap();
    let summary = |i: &asice::Inspection| {
        i.entries
            .iter()
            .map(|e| (e.name.clone(), e.size, e.compressed_size, e.stored))
            .collect::<Vec<_>>()
    };
    assert_eq!(summary(&listed), summary(&from_bytes));
    assert_eq!(
        summary(&listed)[1],
        ("big.pdf".into(), 700_000, 700_000, true)
    );
    assert_eq!(listed.manifest.as_deref(), Some(&manifest[..]));
    assert_eq!(listed.signing_time, from_bytes.signing_time);
    assert_eq!(listed.certificates.len(), 1);
}

#[test]
fn failing_sources_give_typed_errors() {
    let pki = make_pki(false, &LeafSpec::default());
    let key = pem_key(&pki);
    let clock = FixedClock(OffsetDateTime::now_utc());
    let missing = std::path::Path::new("/nonexistent/dir/a.pdf");
    // Each case builds into memory with the same key, clock and options.
    let build = |sources: Vec<SourceFile>| {
        build_to(
            sources,
            &key,
            &clock,
            &BuildOptions::default(),
            Cursor::new(Vec::new()),
        )
    };
    let result = build(vec![SourceFile::path("a.pdf", missing, "application/pdf")]);
    assert!(
        matches!(&result, Err(Error::ReadFile { path, .. }) if path == missing),
        "{result:?}"
    );

    let result = build(vec![SourceFile::new(
        "b.pdf",
        Content::Reader(Box::new(Trickle {
            data: Cursor::new(vec![7; 300_000]),
            fail_after: Some(150_000),
        })),
        "application/pdf",
    )]);
    match result {
        Err(Error::ReadContent { name, source }) => {
            assert_eq!(name, "b.pdf");
            assert!(source.to_string().contains("disk on fire"));
        }
        other => panic!("{other:?}"),
    }

    // Names are checked before any source is touched.
    let result = build(vec![SourceFile::path(
        "../x.pdf",
        missing,
        "application/pdf",
    )]);
    assert!(
        matches!(result, Err(Error::UnsafeFileName { .. })),
        "{result:?}"
    );
}
