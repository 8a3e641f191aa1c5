//! The PAdES: a small valid PDF (one page of text) with each signer's XAdES as an embedded
//! file, signed by the emulator's seal with a PAdES B-B signature (ETSI EN 319 142-1): an
//! invisible signature field whose value is a `/Type /Sig` dictionary with `/SubFilter
//! /ETSI.CAdES.detached`, a `/ByteRange` covering the whole file but the `/Contents` hex
//! string, and in `/Contents` a detached CMS signature over those bytes ([`super::cades`]).
//!
//! It is optionally padded with a stream object of a configured size so that tests can
//! download large files; the signature covers the padding too. The body is streamed and the
//! padding is never held in memory, not even for the digest.

use std::convert::Infallible;

use asice::SigningKey;
use axum::body::Body;
use bytes::Bytes;
use time::OffsetDateTime;

use super::cades;
use super::error::Error;

const CHUNK: usize = 64 * 1024;
static FILL: [u8; CHUNK] = [b'0'; CHUNK];
/// Room for the DER signature in `/Contents` (written as twice as many hex digits). The
/// signature with the seal's chain takes about 2 KiB.
const SIGNATURE_ROOM: usize = 8 * 1024;
/// Width of the `/ByteRange` array, padded with spaces: room for four 20-digit numbers.
const BYTE_RANGE_WIDTH: usize = 4 * 20 + 5;
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

/// PDF date string (`D:YYYYMMDDHHmmSS+00'00'`, ISO 32000-1, 7.9.4) of an instant in ms.
fn pdf_date(ms: i64) -> String {
    let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    format!(
        "D:{:04}{:02}{:02}{:02}{:02}{:02}+00'00'",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// Who signs the PAdES, and when (`/M`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Seal<'a> {
    /// The key and certificate chain (the emulator's seal, issued by its CA).
    pub(crate) key: &'a SigningKey,
    /// The signing time, ms since the epoch on the emulator's clock.
    pub(crate) signed_at_ms: i64,
}

/// Builds and signs the PDF: `lines` on the page, `attachments` (name, bytes) embedded,
/// `padding` bytes of filler in an unreferenced stream object.
pub(crate) fn build(
    lines: &[String],
    attachments: &[(String, Vec<u8>)],
    padding: u64,
    seal: Seal<'_>,
) -> Result<Pdf, Error> {
    let mut w = Writer {
        segments: Vec::new(),
        offset: 0,
        offsets: Vec::new(),
    };
    w.push(Segment::Bytes(Bytes::from_static(
        b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n",
    )));
    // Object numbers: 1 catalog, 2 pages, 3 page, 4 content, 5 font, 6 padding, 7 signature
    // field (merged with its widget), 8 signature value, then a file specification and an
    // embedded file per attachment.
    let names: Vec<String> = attachments
        .iter()
        .enumerate()
        .map(|(i, (name, _))| format!("({}) {} 0 R", pdf_text(name), 9 + 2 * i))
        .collect();
    // The extension level says that a PDF 1.7 reader meets ETSI.CAdES.detached (ETSI EN
    // 319 142-1, 5.4).
    w.object(&format!(
        "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [7 0 R] /SigFlags 3 >> \
         /Extensions << /ESIC << /BaseVersion /1.7 /ExtensionLevel 2 >> >> \
         /Names << /EmbeddedFiles << /Names [{}] >> >> >>",
        names.join(" ")
    ));
    w.object("<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    w.object(
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] \
         /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R /Annots [7 0 R] >>",
    );
    let mut content = String::from("BT /F1 12 Tf 50 790 Td 16 TL\n");
    for line in lines {
        content.push_str(&format!("({}) Tj T*\n", pdf_text(line)));
    }
    content.push_str("ET");
    w.stream_object("", Segment::Bytes(Bytes::from(content)));
    w.object("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
    w.stream_object("", Segment::Fill(padding));
    // An invisible signature (zero rectangle; flags Print and Locked).
    w.object(
        "<< /Type /Annot /Subtype /Widget /FT /Sig /T (Posten signering seal) /V 8 0 R \
         /F 132 /Rect [0 0 0 0] /P 3 0 R >>",
    );
    w.offsets.push(w.offset);
    w.text(format!(
        "8 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached \
         /Name ({}) /Reason (Posten signering emulator: signed document) /M ({}) /ByteRange ",
        pdf_text(&seal.key.subject()),
        pdf_date(seal.signed_at_ms)
    ));
    let byte_range_at = w.segments.len();
    w.text(" ".repeat(BYTE_RANGE_WIDTH));
    w.text(" /Contents ");
    let contents_at = w.segments.len();
    let hole_start = w.offset;
    w.text(format!("<{}>", "0".repeat(2 * SIGNATURE_ROOM)));
    let hole_end = w.offset;
    w.text(" >>\nendobj\n");
    for (i, (name, bytes)) in attachments.iter().enumerate() {
        let name = pdf_text(name);
        w.object(&format!(
            "<< /Type /Filespec /F ({name}) /UF ({name}) /EF << /F {} 0 R >> >>",
            10 + 2 * i
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

    // Everything but the `/Contents` value (its angle brackets included) is signed.
    let byte_range = format!("[0 {hole_start} {hole_end} {}]", w.offset - hole_end);
    let byte_range = format!("{byte_range:<BYTE_RANGE_WIDTH$}");
    if byte_range.len() != BYTE_RANGE_WIDTH {
        return Err(Error::Pki(format!(
            "PAdES: byte range too wide: {byte_range}"
        )));
    }
    w.segments[byte_range_at] = Segment::Bytes(Bytes::from(byte_range));
    let mut digest = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
    for (i, segment) in w.segments.iter().enumerate() {
        match segment {
            _ if i == contents_at => {}
            Segment::Bytes(b) => digest.update(b),
            Segment::Fill(n) => {
                let mut left = *n;
                while left > 0 {
                    let take = left.min(CHUNK as u64) as usize;
                    digest.update(&FILL[..take]);
                    left -= take as u64;
                }
            }
        }
    }
    let signature = cades::sign_detached(seal.key, digest.finish().as_ref())?;
    if signature.len() > SIGNATURE_ROOM {
        return Err(Error::Pki(format!(
            "PAdES: the signature takes {} bytes, room is {SIGNATURE_ROOM}",
            signature.len()
        )));
    }
    let mut contents = String::with_capacity(2 * SIGNATURE_ROOM + 2);
    contents.push('<');
    for byte in &signature {
        contents.push_str(&format!("{byte:02X}"));
    }
    contents.push_str(&"0".repeat(2 * (SIGNATURE_ROOM - signature.len())));
    contents.push('>');
    w.segments[contents_at] = Segment::Bytes(Bytes::from(contents));
    Ok(Pdf {
        len: w.offset,
        segments: w.segments,
    })
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

    fn seal() -> SigningKey {
        let pki = crate::posten::pki::Pki::new(None).unwrap();
        SigningKey::from_pem(
            pki.seal_key_pem.as_bytes(),
            pki.seal_chain_pem.as_bytes(),
            None,
            &asice::LoadOptions::default(),
        )
        .unwrap()
    }

    #[test]
    fn xref_offsets_point_at_their_objects() {
        let key = seal();
        let pdf = build(
            &["Signed (1)".to_owned(), "æ".to_owned()],
            &[("xades-1.xml".to_owned(), b"<x/>".to_vec())],
            100_000,
            Seal {
                key: &key,
                signed_at_ms: 1_764_000_000_000,
            },
        )
        .unwrap();
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
        assert!(bytes[startxref..].starts_with(b"xref\n0 11\n"));
        let table = std::str::from_utf8(&bytes[startxref..]).unwrap();
        for (n, line) in table.lines().skip(3).take(10).enumerate() {
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
        assert!(text.contains("/M (D:20251124160000+00'00')"));
    }

    #[test]
    fn the_byte_range_covers_all_but_the_signature() {
        let key = seal();
        let pdf = build(
            &["x".to_owned()],
            &[],
            3 * CHUNK as u64 + 5,
            Seal {
                key: &key,
                signed_at_ms: 0,
            },
        )
        .unwrap();
        let bytes = pdf.to_vec();
        let text = String::from_utf8_lossy(&bytes);
        let at = text.find("/ByteRange [").unwrap() + "/ByteRange [".len();
        let range: Vec<usize> = text[at..text[at..].find(']').unwrap() + at]
            .split(' ')
            .map(|n| n.parse().unwrap())
            .collect();
        assert_eq!(range[0], 0);
        assert_eq!(range[2] + range[3], bytes.len());
        let hole = &bytes[range[1]..range[2]];
        assert_eq!(hole.len(), 2 * SIGNATURE_ROOM + 2);
        assert!(
            hole.starts_with(b"<30") && hole.ends_with(b"0>"),
            "a DER SEQUENCE"
        );
        assert!(bytes[..range[1]].ends_with(b"/Contents "));
    }
}
