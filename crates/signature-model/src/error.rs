use std::fmt;

/// Why a document could not be read or written.
///
/// Messages never contain an eleven-digit run (a personal identification number may be part of
/// the document); such runs are masked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The document is larger than the configured bound.
    #[error("XML document of {actual} bytes exceeds the limit of {limit} bytes")]
    TooLarge {
        /// The bound in bytes.
        limit: usize,
        /// The document's size in bytes.
        actual: usize,
    },
    /// The document has a DOCTYPE (and so possibly entity declarations); refused before any
    /// expansion.
    #[error(
        "XML document has a DOCTYPE declaration; DTDs and entity declarations are not accepted"
    )]
    DoctypeForbidden,
    /// Elements are nested deeper than the bound.
    #[error("XML document nests elements deeper than {limit} levels")]
    TooDeep {
        /// The bound in levels.
        limit: usize,
    },
    /// The root element is not the one expected (or not in the Posten signering namespace).
    #[error(
        "expected root element {expected:?} in namespace {}, found {found:?}",
        crate::NAMESPACE
    )]
    UnexpectedRoot {
        /// The expected local name.
        expected: &'static str,
        /// What the document has (`{namespace}name`, or empty when there is no element),
        /// with eleven-digit runs masked.
        found: String,
    },
    /// The bytes are not well-formed XML.
    #[error("malformed XML: {0}")]
    Malformed(Masked),
    /// Well-formed XML that does not fit the schema (a required element is missing, a value does
    /// not parse, ...).
    #[error("XML does not match the {root} schema: {detail}")]
    Invalid {
        /// The root element being read.
        root: &'static str,
        /// What the deserializer reported.
        detail: Masked,
    },
    /// A value lacks an attribute the schema requires. The model holds a few such attributes
    /// as `Option` because real answers omitted them (see [`crate::to_xml`]); what we write
    /// must still carry them.
    #[error("could not write {root}: {element} lacks the required attribute {attribute}")]
    MissingRequired {
        /// The root element being written.
        root: &'static str,
        /// The element's path from the root, e.g. `direct-signature-job-status-response/status`.
        element: &'static str,
        /// The missing attribute's name.
        attribute: &'static str,
    },
    /// Writing failed (only a bug or an I/O failure of the in-memory buffer can cause this).
    #[error("could not write {root}: {detail}")]
    Write {
        /// The root element being written.
        root: &'static str,
        /// What the serializer reported.
        detail: Masked,
    },
}

/// A diagnostic text with every run of eleven or more digits masked.
#[derive(Clone, PartialEq, Eq)]
pub struct Masked(String);

impl Masked {
    pub(crate) fn new(text: impl fmt::Display) -> Self {
        // Control characters become U+FFFD first: `Debug` writes NUL as `\0`, and that `0`
        // next to digits could make an eleven-digit run after masking.
        let text: String = text
            .to_string()
            .chars()
            .map(|c| {
                if c.is_control() && c != '\n' && c != '\t' {
                    '\u{FFFD}'
                } else {
                    c
                }
            })
            .collect();
        let mut out = String::with_capacity(text.len());
        let mut digits = String::new();
        // `None` marks the end. (A NUL sentinel was dropped from the text, so "12345\06789012"
        // came out as an unmasked eleven-digit run.)
        for c in text.chars().map(Some).chain(std::iter::once(None)) {
            if let Some(digit) = c.filter(char::is_ascii_digit) {
                digits.push(digit);
                continue;
            }
            if digits.len() >= 11 {
                out.extend(std::iter::repeat_n('*', digits.len()));
            } else {
                out.push_str(&digits);
            }
            digits.clear();
            if let Some(c) = c {
                out.push(c);
            }
        }
        // Deserializer messages can be long debug dumps; keep errors readable.
        const MAX: usize = 300;
        if out.len() > MAX {
            let cut = (0..=MAX)
                .rev()
                .find(|i| out.is_char_boundary(*i))
                .unwrap_or(0);
            out.truncate(cut);
            out.push('…');
        }
        Self(out)
    }

    /// The masked text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Masked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Masked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

#[cfg(test)]
mod tests {
    use super::Masked;

    #[test]
    fn masks_long_digit_runs_only() {
        let masked = Masked::new("pin 24068112345 job 123 org 984661185 long 123456789012");
        assert_eq!(
            masked.as_str(),
            "pin *********** job 123 org 984661185 long ************"
        );
    }

    #[test]
    fn a_nul_between_digit_runs_stays_a_separator() {
        // Found by the `posten_xml` fuzz target: NUL was the end sentinel and was dropped.
        let masked = Masked::new("a 12345\u{0}678901 b");
        assert_eq!(masked.as_str(), "a 12345\u{FFFD}678901 b");
    }
}
