//! The `multipart/mixed` body of a create call: the job request XML, then the ASiC-E bundle.

/// One body part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Part<'a> {
    /// The part's `Content-Type`, lower-cased, without parameters.
    pub(crate) content_type: Option<String>,
    pub(crate) body: &'a [u8],
}

/// The boundary of a `multipart/mixed` content type.
pub(crate) fn boundary(content_type: &str) -> Result<String, String> {
    let mut pieces = content_type.split(';');
    let media_type = pieces.next().unwrap_or_default().trim();
    if !media_type.eq_ignore_ascii_case("multipart/mixed") {
        return Err(format!(
            "expected Content-Type multipart/mixed, got {media_type:?}"
        ));
    }
    pieces
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("boundary"))
        .map(|(_, v)| v.trim().trim_matches('"').to_owned())
        .filter(|b| !b.is_empty() && b.len() <= 70)
        .ok_or_else(|| "multipart/mixed without a usable boundary parameter".to_owned())
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() || from > haystack.len() - needle.len() {
        return None;
    }
    haystack[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

fn skip_line_break(body: &[u8], at: usize) -> Option<usize> {
    if body[at..].starts_with(b"\r\n") {
        Some(at + 2)
    } else if body[at..].starts_with(b"\n") {
        Some(at + 1)
    } else {
        None
    }
}

/// Splits `body` into its parts (RFC 2046: preamble and epilogue ignored, CRLF or LF line
/// breaks accepted).
pub(crate) fn parse<'a>(body: &'a [u8], boundary: &str) -> Result<Vec<Part<'a>>, String> {
    let delimiter = format!("--{boundary}").into_bytes();
    let mut at = find(body, &delimiter, 0).ok_or("no multipart boundary in the body")?;
    let mut parts = Vec::new();
    loop {
        at += delimiter.len();
        if body[at..].starts_with(b"--") {
            return Ok(parts);
        }
        // Transport padding, then the line break ending the delimiter line.
        while body.get(at).is_some_and(|b| *b == b' ' || *b == b'\t') {
            at += 1;
        }
        let headers_start = skip_line_break(body, at).ok_or("malformed boundary line")?;
        let (headers_end, content_start) = match (
            find(body, b"\r\n\r\n", headers_start),
            find(body, b"\n\n", headers_start),
        ) {
            // A part without headers starts right after the boundary line.
            _ if body[headers_start..].starts_with(b"\r\n") => (headers_start, headers_start + 2),
            _ if body[headers_start..].starts_with(b"\n") => (headers_start, headers_start + 1),
            (Some(crlf), Some(lf)) if lf < crlf => (lf, lf + 2),
            (Some(crlf), _) => (crlf, crlf + 4),
            (None, Some(lf)) => (lf, lf + 2),
            (None, None) => return Err("part headers are not terminated".into()),
        };
        let headers = std::str::from_utf8(&body[headers_start..headers_end])
            .map_err(|_| "part headers are not UTF-8")?;
        let content_type = headers.lines().find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.trim().eq_ignore_ascii_case("content-type").then(|| {
                value
                    .split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase()
            })
        });
        let next = find(body, &delimiter, content_start).ok_or("multipart body is not closed")?;
        let mut content_end = next;
        if content_end >= content_start + 2 && &body[content_end - 2..content_end] == b"\r\n" {
            content_end -= 2;
        } else if content_end > content_start && body[content_end - 1] == b'\n' {
            content_end -= 1;
        }
        parts.push(Part {
            content_type,
            body: &body[content_start..content_end],
        });
        at = next;
        if parts.len() > 16 {
            return Err("too many parts".into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_boundary_of_multipart_mixed_only() {
        assert_eq!(
            boundary("multipart/mixed; boundary=\"abc\"").unwrap(),
            "abc"
        );
        assert!(boundary("multipart/form-data; boundary=abc").is_err());
        assert!(boundary("multipart/mixed").is_err());
    }

    #[test]
    fn splits_two_parts_keeping_binary_content() {
        let body = b"preamble\r\n--xyz\r\nContent-Type: application/xml\r\n\r\n<a/>\r\n--xyz\r\nContent-Type: application/octet-stream; x=1\r\nContent-Disposition: attachment\r\n\r\nPK\x03\x04\r\n\x00\r\n--xyz--\r\n";
        let parts = parse(body, "xyz").unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].content_type.as_deref(), Some("application/xml"));
        assert_eq!(parts[0].body, b"<a/>");
        assert_eq!(
            parts[1].content_type.as_deref(),
            Some("application/octet-stream")
        );
        assert_eq!(parts[1].body, b"PK\x03\x04\r\n\x00");
    }

    #[test]
    fn refuses_unterminated_bodies() {
        assert!(parse(b"--xyz\r\nContent-Type: a\r\n\r\nbody", "xyz").is_err());
        assert!(parse(b"no delimiter", "xyz").is_err());
        assert!(parse(b"--xyz", "xyz").is_err());
    }
}
