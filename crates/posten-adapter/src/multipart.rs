//! The `multipart/mixed` body of a create call: the job request XML, then the bundle.
//!
//! reqwest's multipart support writes `multipart/form-data` only, so the body is written
//! here: two parts with a `Content-Type` each, CRLF line ends (RFC 2046), and a boundary that
//! provably occurs in neither part.

use bytes::Bytes;

/// A ready-to-send `multipart/mixed` body and its `Content-Type` header value.
#[derive(Debug, Clone)]
pub(crate) struct MultipartMixed {
    pub(crate) content_type: String,
    pub(crate) body: Bytes,
}

impl MultipartMixed {
    /// Part 1 `application/xml` = `request_xml`, part 2 `application/octet-stream` = `bundle`.
    pub(crate) fn job(request_xml: &[u8], bundle: &[u8]) -> Self {
        let boundary = loop {
            let candidate: String = std::iter::repeat_with(fastrand::alphanumeric)
                .take(40)
                .collect();
            let candidate = format!("signering-{candidate}");
            if !contains(request_xml, candidate.as_bytes())
                && !contains(bundle, candidate.as_bytes())
            {
                break candidate;
            }
        };
        let mut body = Vec::with_capacity(request_xml.len() + bundle.len() + 256);
        for (media_type, content) in [
            ("application/xml", request_xml),
            ("application/octet-stream", bundle),
        ] {
            body.extend_from_slice(b"--");
            body.extend_from_slice(boundary.as_bytes());
            body.extend_from_slice(b"\r\nContent-Type: ");
            body.extend_from_slice(media_type.as_bytes());
            body.extend_from_slice(b"\r\n\r\n");
            body.extend_from_slice(content);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(b"--");
        body.extend_from_slice(boundary.as_bytes());
        body.extend_from_slice(b"--\r\n");
        Self {
            content_type: format!("multipart/mixed; boundary={boundary}"),
            body: Bytes::from(body),
        }
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_parts_in_order_with_crlf_and_closing_boundary() {
        let m = MultipartMixed::job(b"<x/>", b"PK\x03\x04zip");
        let boundary = m
            .content_type
            .strip_prefix("multipart/mixed; boundary=")
            .unwrap();
        let expected = format!(
            "--{boundary}\r\nContent-Type: application/xml\r\n\r\n<x/>\r\n\
             --{boundary}\r\nContent-Type: application/octet-stream\r\n\r\nPK\x03\x04zip\r\n\
             --{boundary}--\r\n"
        );
        assert_eq!(m.body, expected.as_bytes());
    }

    #[test]
    fn boundary_never_occurs_in_a_part() {
        for _ in 0..50 {
            let m = MultipartMixed::job(b"<x/>", b"data");
            let boundary = m.content_type.rsplit('=').next().unwrap();
            assert!(!contains(b"<x/>", boundary.as_bytes()));
            assert!(boundary.len() <= 70, "RFC 2046 limit");
        }
    }
}
