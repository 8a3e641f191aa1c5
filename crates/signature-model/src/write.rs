use quick_xml::Reader;
use quick_xml::events::Event;
use xsd_parser_types::quick_xml::{SerializeSync, Writer};

use crate::WireDocument;
use crate::error::{Error, Masked};
use crate::outline::REQUIRED_ON_WRITE;

const DECLARATION: &[u8] = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#;

/// Writes `value` as a complete UTF-8 XML document: declaration, then the root element with the
/// Posten signering namespace as default namespace, indented by two spaces.
///
/// A few attributes the schema requires are `Option`s in the model because real answers of
/// the service omitted them (a signer status's `since`): reading tolerates their absence,
/// writing does not, so what we write stays valid against the schema
/// ([`Error::MissingRequired`]).
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
    check_required(T::ROOT, &bytes)?;
    Ok(bytes)
}

/// Refuses a written document in which an attribute of [`REQUIRED_ON_WRITE`] is missing.
fn check_required(root: &'static str, written: &[u8]) -> Result<(), Error> {
    let prefix = format!("{root}/");
    let required: Vec<(&'static str, &'static str)> = REQUIRED_ON_WRITE
        .iter()
        .filter(|path| path.starts_with(&prefix))
        .filter_map(|path| path.split_once('@'))
        .collect();
    if required.is_empty() {
        return Ok(());
    }
    let write_error = |e: &dyn std::fmt::Display| Error::Write {
        root,
        detail: Masked::new(e),
    };
    let mut reader = Reader::from_reader(written);
    let mut path = String::new();
    let mut lengths = Vec::new();
    loop {
        let event = reader.read_event().map_err(|e| write_error(&e))?;
        let (start, empty) = match &event {
            Event::Start(start) => (start, false),
            Event::Empty(start) => (start, true),
            Event::End(_) => {
                path.truncate(lengths.pop().unwrap_or(0));
                continue;
            }
            Event::Eof => return Ok(()),
            _ => continue,
        };
        lengths.push(path.len());
        if !path.is_empty() {
            path.push('/');
        }
        path.push_str(&String::from_utf8_lossy(start.local_name().into_inner()));
        for (element, attribute) in &required {
            if *element == path
                && start
                    .try_get_attribute(*attribute)
                    .map_err(|e| write_error(&e))?
                    .is_none()
            {
                return Err(Error::MissingRequired {
                    root,
                    element,
                    attribute,
                });
            }
        }
        if empty {
            path.truncate(lengths.pop().unwrap_or(0));
        }
    }
}
