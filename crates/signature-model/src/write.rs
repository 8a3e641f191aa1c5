use xsd_parser_types::quick_xml::{SerializeSync, Writer};

use crate::WireDocument;
use crate::error::{Error, Masked};

const DECLARATION: &[u8] = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#;

/// Writes `value` as a complete UTF-8 XML document: declaration, then the root element with the
/// Posten signering namespace as default namespace, indented by two spaces.
///
/// ```
/// use signature_model::{to_xml, posten::PortalSignatureJobRequest};
/// let request = PortalSignatureJobRequest { reference: Some("invoice-17".into()), polling_queue: None };
/// let xml = String::from_utf8(to_xml(&request).unwrap()).unwrap();
/// assert!(xml.contains(r#"<portal-signature-job-request xmlns="http://signering.posten.no/schema/v1">"#));
/// assert!(xml.contains("<reference>invoice-17</reference>"));
/// ```
pub fn to_xml<T: WireDocument>(value: &T) -> Result<Vec<u8>, Error> {
    let mut buffer = Vec::with_capacity(1024);
    buffer.extend_from_slice(DECLARATION);
    buffer.push(b'\n');
    let mut writer = Writer::new_with_indent(buffer, b' ', 2);
    value
        .serialize(T::ROOT, &mut writer)
        .map_err(|e| Error::Write {
            root: T::ROOT,
            detail: Masked::new(e),
        })?;
    let mut bytes = writer.into_inner();
    bytes.push(b'\n');
    Ok(bytes)
}
