//! Builds one bundle and reports its size, for the measurements in `docs/performance.md`.
//!
//! `cargo run --release -p signering-asice --example bundle_job -- (auto|deflate|store) (FILE… | --synthetic MIB)`
//! Run it under `/usr/bin/time -v` for peak memory. The key is a throwaway test key.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use asice::{BuildOptions, BundleFile, Compression, LoadOptions, SigningKey, SystemClock, build};

use signering_testkit::pki;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let compression = match args.first().map(String::as_str) {
        Some("deflate") => Compression::Deflate,
        Some("store") => Compression::Store,
        Some("auto") => Compression::Auto,
        _ => panic!("usage: bundle_job (auto|deflate|store) (FILE… | --synthetic MIB)"),
    };
    let docs: Vec<(String, Vec<u8>)> = if args.get(1).map(String::as_str) == Some("--synthetic") {
        let mib: usize = args[2].parse().unwrap();
        (0..mib)
            .map(|i| {
                let mut x = 0x9e37_79b9u32 ^ i as u32;
                let bytes = (0..1024 * 1024 / 4)
                    .flat_map(|_| {
                        x ^= x << 13;
                        x ^= x >> 17;
                        x ^= x << 5;
                        x.to_le_bytes()
                    })
                    .collect();
                (format!("dokument_{i}.pdf"), bytes)
            })
            .collect()
    } else {
        args[1..]
            .iter()
            .enumerate()
            .map(|(i, p)| (format!("dokument_{i}.pdf"), std::fs::read(p).unwrap()))
            .collect()
    };
    let pki = pki::make_pki(false, &pki::LeafSpec::default());
    let key = SigningKey::from_pem(
        pki.key_pem.as_bytes(),
        pki.chain_pem.as_bytes(),
        None,
        &LoadOptions::default(),
    )
    .unwrap();
    let manifest = b"<manifest/>".to_vec();
    let mut files: Vec<BundleFile<'_>> = docs
        .iter()
        .map(|(n, b)| BundleFile::new(n, b, "application/pdf"))
        .collect();
    files.push(BundleFile::new(
        "manifest.xml",
        &manifest,
        "application/xml",
    ));
    let input: usize = files.iter().map(|f| f.bytes.len()).sum();
    let options = BuildOptions {
        compression,
        ..BuildOptions::default()
    };
    let runs = 5;
    let mut best = std::time::Duration::MAX;
    let mut size = 0;
    for _ in 0..runs {
        let t = std::time::Instant::now();
        let zip = build(&files, &key, &SystemClock, &options).unwrap();
        best = best.min(t.elapsed());
        size = zip.len();
    }
    println!(
        "input {input} bytes, zip {size} bytes ({:.2}% of input), best of {runs}: {:.2} ms",
        size as f64 * 100.0 / input as f64,
        best.as_secs_f64() * 1000.0
    );
}
