//! Reads a Posten signering XML document from a file and prints what the model writes back.
//!
//! `cargo run -p signature-model --example roundtrip -- FILE.xml`
use signature_model::{from_xml, posten, to_xml};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: roundtrip FILE.xml")?;
    let xml = std::fs::read(path)?;
    let text = String::from_utf8_lossy(&xml);
    let out = if text.contains("<direct-signature-job-response") {
        to_xml(&from_xml::<posten::DirectSignatureJobResponse>(&xml)?)?
    } else if text.contains("<portal-signature-job-manifest") {
        to_xml(&from_xml::<posten::PortalSignatureJobManifest>(&xml)?)?
    } else if text.contains("<direct-signature-job-status-response") {
        to_xml(&from_xml::<posten::DirectSignatureJobStatusResponse>(&xml)?)?
    } else {
        return Err(
            "this example handles direct responses, status responses and portal manifests".into(),
        );
    };
    print!("{}", String::from_utf8(out)?);
    Ok(())
}
