//! Build + sign against the floor: SHA-256 over the same bytes plus one RSA-2048 signature.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use asice::{BuildOptions, BundleFile, Compression, FixedClock, LoadOptions, SigningKey, build};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeyPair as RsaKeyPair;
use aws_lc_rs::signature::RSA_PKCS1_SHA256;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

use signering_testkit::{pdf_like, pki};

fn floor(files: &[BundleFile<'_>], raw: &RsaKeyPair) -> Vec<u8> {
    for f in files {
        black_box(aws_lc_rs::digest::digest(
            &aws_lc_rs::digest::SHA256,
            f.bytes,
        ));
    }
    let mut sig = vec![0; raw.public_modulus_len()];
    raw.sign(
        &RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        b"signed info",
        &mut sig,
    )
    .unwrap();
    sig
}

fn bench(c: &mut Criterion) {
    let pki = pki::make_pki(true, &pki::LeafSpec::default());
    let key = SigningKey::from_pem(
        pki.key_pem.as_bytes(),
        pki.chain_pem.as_bytes(),
        None,
        &LoadOptions::default(),
    )
    .unwrap();
    let raw = RsaKeyPair::from_pkcs8(&pki.key_pkcs8_der).unwrap();
    let clock = FixedClock(time::OffsetDateTime::now_utc());
    let manifest = b"<?xml version=\"1.0\"?><manifest/>".to_vec();

    let one = pdf_like(1, 3 * 1024 * 1024);
    let twenty: Vec<(String, Vec<u8>)> = (0..20)
        .map(|i| (format!("dokument_{i}.pdf"), pdf_like(i, 500 * 1024)))
        .collect();
    let jobs: Vec<(&str, Vec<BundleFile<'_>>)> = vec![
        (
            "1x3MiB",
            vec![
                BundleFile::new("dokument.pdf", &one, "application/pdf"),
                BundleFile::new("manifest.xml", &manifest, "application/xml"),
            ],
        ),
        (
            "20x500KiB",
            twenty
                .iter()
                .map(|(n, b)| BundleFile::new(n, b, "application/pdf"))
                .chain([BundleFile::new(
                    "manifest.xml",
                    &manifest,
                    "application/xml",
                )])
                .collect(),
        ),
    ];
    for (name, files) in &jobs {
        let bytes: usize = files.iter().map(|f| f.bytes.len()).sum();
        let mut g = c.benchmark_group(*name);
        g.throughput(Throughput::Bytes(bytes as u64));
        g.sample_size(20);
        g.bench_function("floor_sha256_plus_rsa", |b| b.iter(|| floor(files, &raw)));
        g.bench_function("build_auto", |b| {
            b.iter(|| build(files, &key, &clock, &BuildOptions::default()).unwrap())
        });
        let deflate = BuildOptions {
            compression: Compression::Deflate,
            ..BuildOptions::default()
        };
        g.bench_function("build_deflate_all", |b| {
            b.iter(|| build(files, &key, &clock, &deflate).unwrap())
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
