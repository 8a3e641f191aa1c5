//! The forward-compatible, hardened reader.
//!
//! Two passes: a pruning pass over quick-xml events drops everything the schema outline does
//! not know (unknown elements with their subtrees, unknown attributes, comments, processing
//! instructions) and enforces the size, depth and DOCTYPE rules; the generated strict
//! deserializer then reads what is left.

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::{NsReader, Writer};
use xsd_parser_types::quick_xml::{DeserializeSync, SliceReader, XmlReader};

use crate::error::{Error, Masked};
use crate::outline::KNOWN_PATHS;
use crate::{NAMESPACE, WireDocument};

/// Bounds applied when reading a document.
///
/// ```
/// use signature_model::{ReadOptions, from_xml_with, posten::PortalSignatureJobRequest};
/// let options = ReadOptions::default().max_bytes(64);
/// let xml = br#"<portal-signature-job-request xmlns="http://signering.posten.no/schema/v1"><reference>this document is longer than sixty-four bytes</reference></portal-signature-job-request>"#;
/// assert!(from_xml_with::<PortalSignatureJobRequest>(xml, &options).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadOptions {
    max_bytes: usize,
    max_depth: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        Self {
            max_bytes: 1024 * 1024,
            max_depth: 32,
        }
    }
}

impl ReadOptions {
    /// Largest document accepted, in bytes (default 1 MiB).
    pub fn max_bytes(mut self, max_bytes: usize) -> Self {
        self.max_bytes = max_bytes;
        self
    }

    /// Deepest element nesting accepted, counting unknown elements too (default 32).
    pub fn max_depth(mut self, max_depth: usize) -> Self {
        self.max_depth = max_depth;
        self
    }
}

/// Reads a document of type `T` with the default [`ReadOptions`].
pub fn from_xml<T: WireDocument>(xml: &[u8]) -> Result<T, Error> {
    from_xml_with(xml, &ReadOptions::default())
}

/// Reads a document of type `T` with the given bounds.
pub fn from_xml_with<T: WireDocument>(xml: &[u8], options: &ReadOptions) -> Result<T, Error> {
    let pruned = prune(xml, T::ROOT, options)?;
    let mut reader = SliceReader::from_bytes(&pruned).with_error_info();
    T::deserialize(&mut reader).map_err(|e| Error::Invalid {
        root: T::ROOT,
        detail: Masked::new(e),
    })
}

/// Returns `xml` reduced to what the schema outline knows under `root`.
fn prune(xml: &[u8], root: &'static str, options: &ReadOptions) -> Result<Vec<u8>, Error> {
    if xml.len() > options.max_bytes {
        return Err(Error::TooLarge {
            limit: options.max_bytes,
            actual: xml.len(),
        });
    }
    let mut reader = NsReader::from_reader(xml);
    reader.config_mut().check_end_names = true;
    let mut writer = Writer::new(Vec::with_capacity(xml.len()));
    let malformed = |e: &dyn std::fmt::Display| Error::Malformed(Masked::new(e));

    // Path of the open known elements, e.g. "portal-signature-job-response/cancellation-url".
    let mut path = String::new();
    let mut path_lengths: Vec<usize> = Vec::new();
    // Depth inside an unknown subtree being skipped (0 = not skipping).
    let mut skipping = 0usize;
    let mut seen_root = false;

    loop {
        let (ns, event) = reader.read_resolved_event().map_err(|e| malformed(&e))?;
        let depth = path_lengths.len() + skipping;
        match event {
            Event::DocType(_) => return Err(Error::DoctypeForbidden),
            Event::Eof => break,
            Event::Start(start) | Event::Empty(start) if depth + 1 > options.max_depth => {
                let _ = start;
                return Err(Error::TooDeep {
                    limit: options.max_depth,
                });
            }
            Event::Start(start) if skipping > 0 => {
                let _ = start;
                skipping += 1;
            }
            Event::Empty(_) if skipping > 0 => {}
            Event::End(_) if skipping > 0 => skipping -= 1,
            Event::Start(start) => match known_element(&ns, &start, &path, root, seen_root)? {
                Some(element_path) => {
                    seen_root = true;
                    path_lengths.push(path.len());
                    path = element_path;
                    writer
                        .write_event(Event::Start(known_attributes(&start, &path)?))
                        .map_err(|e| malformed(&e))?;
                }
                None => skipping = 1,
            },
            Event::Empty(start) => {
                if let Some(element_path) = known_element(&ns, &start, &path, root, seen_root)? {
                    seen_root = true;
                    writer
                        .write_event(Event::Empty(known_attributes(&start, &element_path)?))
                        .map_err(|e| malformed(&e))?;
                }
            }
            Event::End(end) => {
                writer
                    .write_event(Event::End(end))
                    .map_err(|e| malformed(&e))?;
                let parent = path_lengths.pop().unwrap_or(0);
                path.truncate(parent);
            }
            Event::Text(_) | Event::CData(_) | Event::GeneralRef(_)
                if skipping > 0 || path_lengths.is_empty() => {}
            text @ (Event::Text(_) | Event::CData(_) | Event::GeneralRef(_)) => {
                check_characters(&text)?;
                writer.write_event(text).map_err(|e| malformed(&e))?;
            }
            // The declaration, comments and processing instructions carry nothing the model reads.
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) => {}
        }
    }

    if !seen_root {
        return Err(Error::UnexpectedRoot {
            expected: root,
            found: String::new(),
        });
    }
    Ok(writer.into_inner())
}

/// Refuses text XML 1.0 does not allow (which quick-xml passes through): characters outside
/// its `Char` production, raw or as a character reference, and a literal `]]>` in character
/// data. Whatever is read can then be written back, since the writer refuses the same.
fn check_characters(event: &Event<'_>) -> Result<(), Error> {
    let forbidden = || Error::Malformed(Masked::new("a character XML 1.0 does not allow"));
    match event {
        Event::Text(text) => {
            if text.windows(3).any(|w| w == b"]]>") {
                return Err(Error::Malformed(Masked::new("`]]>` in character data")));
            }
            if has_forbidden_bytes(text) {
                return Err(forbidden());
            }
        }
        Event::CData(data) if has_forbidden_bytes(data) => return Err(forbidden()),
        Event::GeneralRef(reference) => match reference.resolve_char_ref() {
            Ok(Some(c)) if !is_xml_char(c) => return Err(forbidden()),
            Err(error) => return Err(Error::Malformed(Masked::new(error))),
            Ok(_) => {}
        },
        _ => {}
    }
    Ok(())
}

/// XML 1.0's `Char`: tab, line feed, carriage return, and U+0020 upwards except U+FFFE and
/// U+FFFF (surrogates are not `char`s).
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
}

/// The same test on UTF-8 bytes: a C0 control other than tab, line feed and carriage return,
/// or the encoding of U+FFFE / U+FFFF.
fn has_forbidden_bytes(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .any(|&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
        || bytes
            .windows(3)
            .any(|w| w == [0xEF, 0xBF, 0xBE] || w == [0xEF, 0xBF, 0xBF])
}

/// The element's path when the schema knows it, `None` when it is to be skipped. The first
/// element must be the expected root.
fn known_element(
    ns: &ResolveResult<'_>,
    start: &BytesStart<'_>,
    parent: &str,
    root: &'static str,
    seen_root: bool,
) -> Result<Option<String>, Error> {
    let local = String::from_utf8_lossy(start.local_name().into_inner()).into_owned();
    let in_namespace =
        matches!(ns, ResolveResult::Bound(n) if n.into_inner() == NAMESPACE.as_bytes());
    if parent.is_empty() {
        if seen_root {
            // A second top-level element: quick-xml reports this as trailing content.
            return Err(Error::Malformed(Masked::new("more than one root element")));
        }
        if !in_namespace || local != root {
            let namespace = match ns {
                ResolveResult::Bound(n) => String::from_utf8_lossy(n.into_inner()).into_owned(),
                _ => String::new(),
            };
            return Err(Error::UnexpectedRoot {
                expected: root,
                // The "name" of a malformed document can run on into its content, so it is
                // masked (and shortened) like every other diagnostic.
                found: Masked::new(format!("{{{namespace}}}{local}"))
                    .as_str()
                    .to_owned(),
            });
        }
        return Ok(Some(local));
    }
    let candidate = format!("{parent}/{local}");
    Ok(
        (in_namespace && KNOWN_PATHS.binary_search(&candidate.as_str()).is_ok())
            .then_some(candidate),
    )
}

/// A copy of the start tag with only namespace declarations and attributes the schema knows.
fn known_attributes(start: &BytesStart<'_>, path: &str) -> Result<BytesStart<'static>, Error> {
    let name = String::from_utf8_lossy(start.name().into_inner()).into_owned();
    let mut kept = BytesStart::new(name);
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| Error::Malformed(Masked::new(e)))?;
        let key = attribute.key;
        let is_namespace_declaration = key.as_namespace_binding().is_some();
        // Attributes in the schema are unqualified; a prefixed one (xsi:*, foreign) is unknown.
        let known = key.prefix().is_none()
            && KNOWN_PATHS
                .binary_search(
                    &format!(
                        "{path}@{}",
                        String::from_utf8_lossy(key.local_name().into_inner())
                    )
                    .as_str(),
                )
                .is_ok();
        if is_namespace_declaration || known {
            kept.push_attribute(attribute);
        }
    }
    Ok(kept)
}
