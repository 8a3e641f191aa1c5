//! Shared helpers for the model's integration tests: the reference examples, xmllint, and a
//! dispatcher from root element name to wire type.
#![allow(dead_code, unused_imports, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use signature_model::{Error, WireDocument, from_xml, posten, to_xml};

pub use signering_testkit::{
    have_xmllint, our_schema, posten_fixture_documents, reference_dir, upstream_schema, xmllint,
};

/// The reference directory, when it and xmllint are both there; otherwise `None`, and the
/// test (named `test`, for the message saying why) skips.
pub fn reference_with_xmllint(test: &str) -> Option<PathBuf> {
    let reference = reference_dir(test)?;
    have_xmllint(test).then_some(reference)
}

/// Every example XML file under the reference directory (the XAdES sample excluded).
pub fn example_files(reference: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("read examples dir") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != "xades") {
                    walk(&path, out);
                }
            } else if path.extension().is_some_and(|e| e == "xml") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(&reference.join("schema/examples"), &mut files);
    files.sort();
    files
}

/// The local name of the first element of a document.
pub fn root_name(xml: &[u8]) -> String {
    let text = String::from_utf8_lossy(xml);
    let mut rest: &str = &text;
    loop {
        let Some(i) = rest.find('<') else {
            return String::new();
        };
        rest = &rest[i + 1..];
        if rest.starts_with('?') || rest.starts_with('!') {
            continue;
        }
        let end = rest
            .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .unwrap_or(rest.len());
        let name = &rest[..end];
        return name.rsplit(':').next().unwrap_or(name).to_owned();
    }
}

/// Reads `xml` as the type its root names, writes it again, checks that reading our output
/// gives the same value, and returns what we wrote; a writer's refusal is an error here.
pub fn round_trip(xml: &[u8]) -> Result<Vec<u8>, Error> {
    // The same read-write-read as `read_and_rewrite`, with its one type dispatch.
    match read_and_rewrite(xml)? {
        Rewritten::Same(written) => Ok(written),
        Rewritten::Refused(error) => Err(error),
    }
}

/// What became of a document read and written again.
#[derive(Debug)]
pub enum Rewritten {
    /// Written, and reading what we wrote gave the same value.
    Same(Vec<u8>),
    /// Read, but the writer refused it: it lacks what the schema requires and only reading
    /// tolerates (the writer's error).
    Refused(Error),
}

fn rewrite_as<T: WireDocument + PartialEq + std::fmt::Debug>(
    xml: &[u8],
) -> Result<Rewritten, Error> {
    let first: T = from_xml(xml)?;
    match to_xml(&first) {
        Ok(written) => {
            let second: T = from_xml(&written)?;
            assert_eq!(
                first, second,
                "reading our own output gives a different value"
            );
            Ok(Rewritten::Same(written))
        }
        Err(refused @ Error::MissingRequired { .. }) => Ok(Rewritten::Refused(refused)),
        Err(other) => Err(other),
    }
}

/// Reads `xml` as the type its root names (whatever its prefix) and writes it again.
pub fn read_and_rewrite(xml: &[u8]) -> Result<Rewritten, Error> {
    match root_name(xml).as_str() {
        "direct-signature-job-request" => rewrite_as::<posten::DirectSignatureJobRequest>(xml),
        "direct-signature-job-manifest" => rewrite_as::<posten::DirectSignatureJobManifest>(xml),
        "direct-signature-job-response" => rewrite_as::<posten::DirectSignatureJobResponse>(xml),
        "direct-signer-response" => rewrite_as::<posten::DirectSignerResponse>(xml),
        "direct-signer-update-request" => rewrite_as::<posten::DirectSignerUpdateRequest>(xml),
        "direct-signature-job-status-response" => {
            rewrite_as::<posten::DirectSignatureJobStatusResponse>(xml)
        }
        "portal-signature-job-request" => rewrite_as::<posten::PortalSignatureJobRequest>(xml),
        "portal-signature-job-manifest" => rewrite_as::<posten::PortalSignatureJobManifest>(xml),
        "portal-signature-job-response" => rewrite_as::<posten::PortalSignatureJobResponse>(xml),
        "portal-signature-job-status-change-response" => {
            rewrite_as::<posten::PortalSignatureJobStatusChangeResponse>(xml)
        }
        "error" => rewrite_as::<posten::Error>(xml),
        other => panic!("no wire type for root element {other:?}"),
    }
}
