//! The PAdES stand-in: a small valid PDF (one page of text) with each signer's XAdES as an
//! embedded file, optionally padded with a stream object of a configured size so that tests can
//! download large files. The body is streamed; padding is never held in memory.

use std::convert::Infallible;

use axum::body::Body;
use bytes::Bytes;

const CHUNK: usize = 64 * 1024;
static FILL: [u8; CHUNK] = [b'0'; CHUNK];

#[derive(Debug, Clone)]
enum Segment {
    Bytes(Bytes),
    Fill(u64),
}

impl Segment {
    fn len(&self) -> u64 {
        match self {
            Self::Bytes(b) => b.len() as u64,
            Self::Fill(n) => *n,
        }
    }
}

/// A PDF laid out as segments, with its exact length.
#[derive(Debug, Clone)]
pub(crate) struct Pdf {
    segments: Vec<Segment>,
    len: u64,
}

/// Text for a PDF literal string: ASCII only, parentheses and backslashes escaped.
fn pdf_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '(' | ')' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            ' '..='~' => out.push(c),
            _ => out.push('?'),
        }
    }
    out
}

struct Writer {
    segments: Vec<Segment>,
    offset: u64,
    offsets: Vec<u64>,
}

impl Writer {
    fn push(&mut self, segment: Segment) {
        self.offset += segment.len();
        self.segments.push(segment);
    }

    fn text(&mut self, text: impl Into<String>) {
        self.push(Segment::Bytes(Bytes::from(text.into())));
    }

    fn object(&mut self, body: &str) {
        self.offsets.push(self.offset);
        let n = self.offsets.len();
        self.text(format!("{n} 0 obj\n{body}\nendobj\n"));
    }

    fn stream_object(&mut self, dictionary: &str, content: Segment) {
        self.offsets.push(self.offset);
        let n = self.offsets.len();
        self.text(format!(
            "{n} 0 obj\n<< {dictionary} /Length {} >>\nstream\n",
            content.len()
        ));
        self.push(content);
        self.text("\nendstream\nendobj\n");
    }
}

/// Builds the PDF: `lines` on the page, `attachments` (name, bytes) embedded, `padding` bytes
/// of filler in an unreferenced stream object.
pub(crate) fn build(lines: &[String], attachments: &[(String, Vec<u8>)], padding: u64) -> Pdf {
    let mut w = Writer {
        segments: Vec::new(),
        offset: 0,
        offsets: Vec::new(),
    };
    w.push(Segment::Bytes(Bytes::from_static(
        b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n",
    )));
    // Object numbers: 1 catalog, 2 pages, 3 page, 4 content, 5 font, 6 padding,
    // then a file specification and an embedded file per attachment.
    let names: Vec<String> = attachments
        .iter()
        .enumerate()
        .map(|(i, (name, _))| format!("({}) {} 0 R", pdf_text(name), 7 + 2 * i))
        .collect();
    w.object(&format!(
        "<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles << /Names [{}] >> >> >>",
        names.join(" ")
    ));
    w.object("<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    w.object(
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] \
         /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
    );
    let mut content = String::from("BT /F1 12 Tf 50 790 Td 16 TL\n");
    for line in lines {
        content.push_str(&format!("({}) Tj T*\n", pdf_text(line)));
    }
    content.push_str("ET");
    w.stream_object("", Segment::Bytes(Bytes::from(content)));
    w.object("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
    w.stream_object("", Segment::Fill(padding));
    for (i, (name, bytes)) in attachments.iter().enumerate() {
        let name = pdf_text(name);
        w.object(&format!(
            "<< /Type /Filespec /F ({name}) /UF ({name}) /EF << /F {} 0 R >> >>",
            8 + 2 * i
        ));
        w.stream_object(
            "/Type /EmbeddedFile /Subtype /application#2Fxml",
            Segment::Bytes(Bytes::from(bytes.clone())),
        );
    }
    let xref_at = w.offset;
    let mut xref = format!("xref\n0 {}\n0000000000 65535 f \n", w.offsets.len() + 1);
    for offset in &w.offsets {
        xref.push_str(&format!("{offset:010} 00000 n \n"));
    }
    xref.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref_at}\n%%EOF\n",
        w.offsets.len() + 1
    ));
    w.text(xref);
    Pdf {
        len: w.offset,
        segments: w.segments,
    }
}

impl Pdf {
    /// Exact size in bytes.
    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    /// The PDF as a streamed body (filler produced chunk by chunk).
    pub(crate) fn into_body(self) -> Body {
        let mut segments = self.segments.into_iter();
        let mut fill_left = 0u64;
        let chunks = std::iter::from_fn(move || {
            loop {
                if fill_left > 0 {
                    let n = fill_left.min(CHUNK as u64) as usize;
                    fill_left -= n as u64;
                    return Some(Bytes::from_static(&FILL[..n]));
                }
                match segments.next()? {
                    Segment::Bytes(b) => return Some(b),
                    Segment::Fill(n) => fill_left = n,
                }
            }
        });
        Body::from_stream(futures_util::stream::iter(chunks.map(Ok::<_, Infallible>)))
    }

    #[cfg(test)]
    fn to_vec(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for s in &self.segments {
            match s {
                Segment::Bytes(b) => out.extend_from_slice(b),
                Segment::Fill(n) => out.extend(std::iter::repeat_n(b'0', *n as usize)),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xref_offsets_point_at_their_objects() {
        let pdf = build(
            &["Signed (1)".to_owned(), "æ".to_owned()],
            &[("xades-1.xml".to_owned(), b"<x/>".to_vec())],
            100_000,
        );
        let bytes = pdf.to_vec();
        assert_eq!(bytes.len() as u64, pdf.len());
        assert!(bytes.starts_with(b"%PDF-1.7"));
        assert!(bytes.ends_with(b"%%EOF\n"));
        let tail_at = bytes
            .windows(10)
            .rposition(|w| w == b"startxref\n")
            .unwrap();
        let tail = std::str::from_utf8(&bytes[tail_at + 10..]).unwrap();
        let startxref: usize = tail.lines().next().unwrap().parse().unwrap();
        assert!(bytes[startxref..].starts_with(b"xref\n0 9\n"));
        let table = std::str::from_utf8(&bytes[startxref..]).unwrap();
        for (n, line) in table.lines().skip(3).take(8).enumerate() {
            let offset: usize = line[..10].parse().unwrap();
            let expected = format!("{} 0 obj", n + 1);
            assert!(
                bytes[offset..].starts_with(expected.as_bytes()),
                "object {} not at {offset}",
                n + 1
            );
        }
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("(Signed \\(1\\)) Tj"));
    }
}
