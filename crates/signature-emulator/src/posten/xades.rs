//! A signer's XAdES: the service seal's XAdES-B signature over the job's documents, made with
//! the `asice` crate and taken out of the container it builds.

use std::io::{Cursor, Read};

use asice::{BuildOptions, BundleFile, SIGNATURES_PATH, SigningKey, SystemClock};

use super::error::Error;

fn media_type(name: &str) -> &'static str {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".pdf") {
        "application/pdf"
    } else if lower.ends_with(".txt") {
        "text/plain"
    } else if lower.ends_with(".xml") {
        "application/xml"
    } else {
        "application/octet-stream"
    }
}

/// The documents of a bundle (files outside `META-INF`, without `manifest.xml` and
/// `mimetype`), in zip order.
pub(crate) fn documents(bundle: &[u8]) -> Result<Vec<(String, Vec<u8>)>, Error> {
    let zip = |e: zip::result::ZipError| Error::Store(format!("stored bundle: {e}"));
    let mut archive = zip::ZipArchive::new(Cursor::new(bundle)).map_err(zip)?;
    let mut documents = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(zip)?;
        let name = entry.name().to_owned();
        if entry.is_dir()
            || name.starts_with("META-INF/")
            || name == "manifest.xml"
            || name == "mimetype"
        {
            continue;
        }
        let mut bytes = Vec::new();
        entry
            .read_to_end(&mut bytes)
            .map_err(|e| Error::Store(format!("stored bundle: {e}")))?;
        documents.push((name, bytes));
    }
    Ok(documents)
}

/// `META-INF/signatures.xml` of a container the seal signs over the bundle's documents.
pub(crate) fn sign(bundle: &[u8], seal: &SigningKey) -> Result<Vec<u8>, Error> {
    let documents = documents(bundle)?;
    let files: Vec<BundleFile<'_>> = documents
        .iter()
        .map(|(name, bytes)| BundleFile::new(name, bytes, media_type(name)))
        .collect();
    let container = asice::build(&files, seal, &SystemClock, &BuildOptions::default())
        .map_err(|e| Error::Pki(format!("XAdES: {e}")))?;
    let mut archive = zip::ZipArchive::new(Cursor::new(container))
        .map_err(|e| Error::Pki(format!("XAdES: {e}")))?;
    let mut entry = archive
        .by_name(SIGNATURES_PATH)
        .map_err(|e| Error::Pki(format!("XAdES: {e}")))?;
    let mut xml = Vec::new();
    entry
        .read_to_end(&mut xml)
        .map_err(|e| Error::Pki(format!("XAdES: {e}")))?;
    Ok(xml)
}
