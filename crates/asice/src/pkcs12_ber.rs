//! PKCS#12 files in BER, as Java, Bouncy Castle and some CA tooling write them: the outer
//! layers hold *constructed* OCTET STRINGs (the content cut into chunks) and possibly
//! indefinite lengths, which the DER-only `p12-keystore` refuses. The official Java client's
//! test key store (`bring-expired-certificate-for-testing.p12`) is one.
//!
//! [`to_der_without_mac`] re-encodes the layers PKCS#12 (RFC 7292) defines around the bags —
//! PFX, the authenticated-safe `ContentInfo`s, `EncryptedData` — in DER, with each OCTET
//! STRING's chunks joined. The bags themselves (already DER in the files seen) are copied as
//! they are. Joining chunks does not change the octets the MAC covers, so the MAC is checked
//! here, on the original file, and the re-encoded file is handed on without it (a MAC-less
//! PFX is valid PKCS#12).

use aws_lc_rs::{digest, hmac};
use zeroize::Zeroizing;

use crate::error::{Error, Result};

const WHAT: &str = "PKCS#12 file";
const OID_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01];
const OID_ENCRYPTED_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x06];
const OID_SHA1: &[u8] = &[0x2b, 0x0e, 0x03, 0x02, 0x1a];
const OID_SHA256: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
const OID_SHA384: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02];
const OID_SHA512: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03];
/// Deeper nesting than PKCS#12's outer layers need is refused, not recursed into.
const MAX_DEPTH: usize = 16;
/// Same order of magnitude as `p12-keystore`'s limit: bounds the work a hostile file causes.
const MAX_MAC_ITERATIONS: u64 = 10_000_000;

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const OCTET_STRING: u8 = 0x04;
const OID: u8 = 0x06;
const CONTEXT_0: u8 = 0xa0;
const CONTEXT_0_PRIMITIVE: u8 = 0x80;

/// One BER element: its tag and either its content or its children.
#[derive(Debug)]
struct Element<'a> {
    tag: u8,
    content: &'a [u8],
    children: Vec<Element<'a>>,
}

impl<'a> Element<'a> {
    fn constructed(&self) -> bool {
        self.tag & 0x20 != 0
    }

    fn child(&self, index: usize) -> Result<&Element<'a>> {
        self.children
            .get(index)
            .ok_or_else(|| malformed("a field is missing"))
    }

    /// The octets of an OCTET STRING (or an implicitly tagged one), chunks joined.
    fn octets(&self) -> Vec<u8> {
        if self.constructed() {
            self.children.iter().flat_map(Element::octets).collect()
        } else {
            self.content.to_vec()
        }
    }

    /// The element in DER: definite lengths, universal OCTET STRINGs joined into one.
    fn to_der(&self) -> Vec<u8> {
        if self.tag == OCTET_STRING | 0x20 {
            return encode(OCTET_STRING, &self.octets());
        }
        if self.constructed() {
            let inner: Vec<u8> = self.children.iter().flat_map(Element::to_der).collect();
            encode(self.tag, &inner)
        } else {
            encode(self.tag, self.content)
        }
    }
}

fn malformed(why: &str) -> Error {
    Error::Pkcs12(format!("BER PKCS#12: {why}"))
}

/// Parses one element at the start of `input`; returns it and the rest.
fn parse(input: &[u8], depth: usize) -> Result<(Element<'_>, &[u8])> {
    if depth > MAX_DEPTH {
        return Err(malformed("nested too deeply"));
    }
    let (&tag, rest) = input.split_first().ok_or_else(|| malformed("truncated"))?;
    if tag & 0x1f == 0x1f {
        return Err(malformed("multi-byte tags are not used by PKCS#12"));
    }
    let (&first, mut rest) = rest.split_first().ok_or_else(|| malformed("truncated"))?;
    let constructed = tag & 0x20 != 0;
    if first == 0x80 {
        // Indefinite length: children until the end-of-contents marker.
        if !constructed {
            return Err(malformed("indefinite length on a primitive element"));
        }
        let start = rest;
        let mut children = Vec::new();
        loop {
            if let Some(after) = rest.strip_prefix(&[0, 0]) {
                let used = start.len() - rest.len();
                return Ok((
                    Element {
                        tag,
                        content: &start[..used],
                        children,
                    },
                    after,
                ));
            }
            let (child, after) = parse(rest, depth + 1)?;
            children.push(child);
            rest = after;
        }
    }
    let length = if first & 0x80 == 0 {
        usize::from(first)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 || rest.len() < count {
            return Err(malformed("bad length"));
        }
        let (bytes, after) = rest.split_at(count);
        rest = after;
        bytes.iter().fold(0usize, |n, b| (n << 8) | usize::from(*b))
    };
    if rest.len() < length {
        return Err(malformed("truncated"));
    }
    let (content, after) = rest.split_at(length);
    let mut children = Vec::new();
    if constructed {
        let mut inner = content;
        while !inner.is_empty() {
            let (child, next) = parse(inner, depth + 1)?;
            children.push(child);
            inner = next;
        }
    }
    Ok((
        Element {
            tag,
            content,
            children,
        },
        after,
    ))
}

fn parse_all(input: &[u8]) -> Result<Element<'_>> {
    let (element, rest) = parse(input, 0)?;
    if rest.is_empty() {
        Ok(element)
    } else {
        Err(malformed("trailing bytes"))
    }
}

fn encode(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let length = content.len();
    if length < 0x80 {
        out.push(length as u8);
    } else {
        let bytes: Vec<u8> = length
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

/// Checks the MAC of a BER PKCS#12 file with `password` and returns the file in DER without
/// the MAC, for `p12-keystore`.
///
/// # Errors
///
/// [`Error::WrongPassword`] when the MAC does not match, [`Error::Pkcs12`] for a structure
/// this does not handle (enveloped data, a MAC digest other than SHA-1/SHA-2).
pub(crate) fn to_der_without_mac(data: &[u8], password: &str) -> Result<Vec<u8>> {
    let pfx = parse_all(data)?;
    let version = pfx.child(0)?;
    let auth_safe = pfx.child(1)?;
    if version.tag != INTEGER || auth_safe.child(0)?.content != OID_DATA {
        return Err(malformed("not a password-integrity PFX"));
    }
    let auth_octets = auth_safe.child(1)?.child(0)?.octets();
    // Without a MAC there is nothing to check here; the bags' encryption still is.
    if let Some(mac_data) = pfx.children.get(2) {
        verify_mac(mac_data, password, &auth_octets)?;
    }
    let safes = parse_all(&auth_octets)?;
    let mut content_infos = Vec::new();
    for info in &safes.children {
        content_infos.extend(content_info_to_der(info)?);
    }
    let authenticated_safe = encode(SEQUENCE, &content_infos);
    let auth_safe_der = encode(
        SEQUENCE,
        &[
            encode(OID, OID_DATA),
            encode(CONTEXT_0, &encode(OCTET_STRING, &authenticated_safe)),
        ]
        .concat(),
    );
    Ok(encode(
        SEQUENCE,
        &[version.to_der(), auth_safe_der].concat(),
    ))
}

/// A `ContentInfo` of the authenticated safe: data (the bags in an OCTET STRING) or
/// password-encrypted data.
fn content_info_to_der(info: &Element<'_>) -> Result<Vec<u8>> {
    let content_type = info.child(0)?.content;
    let explicit = info.child(1)?;
    let content = if content_type == OID_DATA {
        encode(OCTET_STRING, &explicit.child(0)?.octets())
    } else if content_type == OID_ENCRYPTED_DATA {
        let encrypted_data = explicit.child(0)?;
        let info = encrypted_data.child(1)?;
        let ciphertext = info.child(2)?;
        if ciphertext.tag & 0xdf != CONTEXT_0_PRIMITIVE {
            return Err(malformed("encrypted content is not [0] OCTET STRING"));
        }
        let info_der = encode(
            SEQUENCE,
            &[
                info.child(0)?.to_der(),
                info.child(1)?.to_der(),
                encode(CONTEXT_0_PRIMITIVE, &ciphertext.octets()),
            ]
            .concat(),
        );
        encode(
            SEQUENCE,
            &[encrypted_data.child(0)?.to_der(), info_der].concat(),
        )
    } else {
        return Err(malformed(
            "only data and password-encrypted data are supported",
        ));
    };
    Ok(encode(
        SEQUENCE,
        &[encode(OID, content_type), encode(CONTEXT_0, &content)].concat(),
    ))
}

/// RFC 7292 appendix B.2 key derivation (ID 3, MAC key) and HMAC over the authenticated
/// safe's octets.
fn verify_mac(mac_data: &Element<'_>, password: &str, data: &[u8]) -> Result<()> {
    let digest_info = mac_data.child(0)?;
    let algorithm_oid = digest_info.child(0)?.child(0)?.content;
    let expected = digest_info.child(1)?.octets();
    let salt = mac_data.child(1)?.octets();
    let iterations = match mac_data.children.get(2) {
        Some(i) if i.tag == INTEGER && i.content.len() <= 8 => {
            i.content.iter().fold(0u64, |n, b| (n << 8) | u64::from(*b))
        }
        Some(_) => return Err(malformed("bad MAC iteration count")),
        None => 1,
    };
    if iterations == 0 || iterations > MAX_MAC_ITERATIONS {
        return Err(malformed("MAC iteration count out of range"));
    }
    let (hash, hmac_algorithm, block) = match algorithm_oid {
        OID_SHA1 => (
            &digest::SHA1_FOR_LEGACY_USE_ONLY,
            hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
            64,
        ),
        OID_SHA256 => (&digest::SHA256, hmac::HMAC_SHA256, 64),
        OID_SHA384 => (&digest::SHA384, hmac::HMAC_SHA384, 128),
        OID_SHA512 => (&digest::SHA512, hmac::HMAC_SHA512, 128),
        _ => return Err(malformed("unsupported MAC digest")),
    };
    // Password as BMPString with its two-byte terminator.
    let mut bmp = Zeroizing::new(Vec::with_capacity(password.len() * 2 + 2));
    for unit in password.encode_utf16() {
        bmp.extend_from_slice(&unit.to_be_bytes());
    }
    bmp.extend_from_slice(&[0, 0]);
    let fill = |input: &[u8]| -> Vec<u8> {
        if input.is_empty() {
            return Vec::new();
        }
        let len = block * input.len().div_ceil(block);
        input.iter().copied().cycle().take(len).collect()
    };
    let mut d_i = Zeroizing::new(vec![3u8; block]);
    d_i.extend(fill(&salt));
    d_i.extend(fill(&bmp));
    // The MAC key is as long as the hash output, so one block of the KDF suffices.
    let mut a = Zeroizing::new(digest::digest(hash, &d_i).as_ref().to_vec());
    for _ in 1..iterations {
        *a = digest::digest(hash, &a).as_ref().to_vec();
    }
    let key = hmac::Key::new(hmac_algorithm, &a);
    hmac::verify(&key, data, &expected).map_err(|_| Error::WrongPassword(WHAT))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indefinite_and_chunked_octet_strings_become_der() {
        // 24 80 | 04 02 'ab' | 04 01 'c' | 00 00
        let ber = [0x24, 0x80, 0x04, 0x02, b'a', b'b', 0x04, 0x01, b'c', 0, 0];
        let element = parse_all(&ber).unwrap();
        assert_eq!(element.octets(), b"abc");
        assert_eq!(element.to_der(), vec![0x04, 0x03, b'a', b'b', b'c']);
    }

    #[test]
    fn long_lengths_are_encoded_minimally() {
        let content = vec![7u8; 300];
        let der = encode(OCTET_STRING, &content);
        assert_eq!(&der[..4], &[0x04, 0x82, 0x01, 0x2c]);
        assert_eq!(parse_all(&der).unwrap().content.len(), 300);
    }

    #[test]
    fn hostile_input_is_refused_not_panicked_on() {
        for input in [
            &[][..],
            &[0x30],
            &[0x30, 0x85, 1, 1, 1, 1, 1],
            &[0x30, 0x05, 0x04],
            &[0x04, 0x80, 0, 0],
            &[0x30, 0x80, 0x04, 0x00],
            &[0x1f, 0x01, 0x00],
        ] {
            assert!(parse_all(input).is_err(), "{input:?}");
        }
        let deep: Vec<u8> = std::iter::repeat_n([0x30, 0x80], 40).flatten().collect();
        assert!(parse_all(&deep).is_err());
        assert!(to_der_without_mac(&[0x30, 0x00], "x").is_err());
    }
}
