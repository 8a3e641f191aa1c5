//! File names inside the bundle. They double as reference URIs in the signature, and receivers
//! decode those URIs differently (Java's form encoding turns a space into `+`, RFC 3986
//! decoders leave `+` alone), so the bundle only accepts names that need no encoding at all.

use crate::error::{Error, Result};

/// Longest file name accepted, in bytes.
pub const MAX_FILE_NAME_LEN: usize = 255;

/// Turns a document title into a file name that is safe in the bundle: lower case, `æ`→`ae`,
/// `ø`→`oe`, `å`→`aa`, common accents stripped, every run of other characters replaced by
/// one `_`, only `[0-9a-z._-]` left.
///
/// ```
/// assert_eq!(asice::safe_file_name("Avtale om lån (2).pdf")?, "avtale_om_laan_2_.pdf");
/// assert_eq!(asice::safe_file_name("Søknad  Ærlig.TXT")?, "soeknad_aerlig.txt");
/// # Ok::<(), asice::Error>(())
/// ```
pub fn safe_file_name(title: &str) -> Result<String> {
    let mut out = String::with_capacity(title.len());
    let mut pending_gap = false;
    for c in title.chars().flat_map(char::to_lowercase) {
        let mapped: Option<&str> = match c {
            'æ' => Some("ae"),
            'ø' => Some("oe"),
            'å' => Some("aa"),
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'ā' => Some("a"),
            'ç' | 'č' => Some("c"),
            'è' | 'é' | 'ê' | 'ë' | 'ē' => Some("e"),
            'ì' | 'í' | 'î' | 'ï' => Some("i"),
            'ñ' => Some("n"),
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' => Some("o"),
            'š' => Some("s"),
            'ù' | 'ú' | 'û' | 'ü' => Some("u"),
            'ý' | 'ÿ' => Some("y"),
            'ž' => Some("z"),
            'ß' => Some("ss"),
            _ => None,
        };
        let kept = match (mapped, c) {
            (Some(s), _) => Some(s.to_owned()),
            (None, 'a'..='z' | '0'..='9' | '.' | '-') => Some(c.to_string()),
            _ => None,
        };
        match kept {
            Some(s) => {
                if pending_gap && !out.is_empty() {
                    out.push('_');
                }
                pending_gap = false;
                out.push_str(&s);
            }
            None => pending_gap = true,
        }
    }
    if out.len() > MAX_FILE_NAME_LEN {
        // Keep the extension: receivers decide the document type by it.
        let ext = out
            .rfind('.')
            .map(|i| out[i..].to_owned())
            .unwrap_or_default();
        let keep = MAX_FILE_NAME_LEN.saturating_sub(ext.len());
        out.truncate(keep);
        out.push_str(&ext);
    }
    check_file_name(&out).map(|()| out)
}

/// Rejects names the bundle cannot carry: empty, too long, outside `[0-9A-Za-z._-]`, starting
/// with `.` or `-`, or reserved (`mimetype`, anything in `META-INF`).
pub fn check_file_name(name: &str) -> Result<()> {
    let reject = |reason| {
        Err(Error::UnsafeFileName {
            name: name.to_owned(),
            reason,
        })
    };
    if name.is_empty() {
        return reject("empty");
    }
    if name.len() > MAX_FILE_NAME_LEN {
        return reject("longer than 255 bytes");
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    {
        return reject("only the characters 0-9 A-Z a-z . _ - are allowed (see safe_file_name)");
    }
    if name.starts_with('.') || name.starts_with('-') {
        return reject("must not start with '.' or '-'");
    }
    if name == "mimetype" || name.eq_ignore_ascii_case("META-INF") {
        return reject("reserved by ASiC");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reduces_titles() {
        for (title, reduced) in [
            ("Blåbærsyltetøy.pdf", "blaabaersyltetoey.pdf"),
            ("  Kontrakt   nr. 12 ", "kontrakt_nr._12"),
            ("Café Ünïcode.txt", "cafe_unicode.txt"),
            ("dokument (2).pdf", "dokument_2_.pdf"),
        ] {
            assert_eq!(safe_file_name(title).unwrap(), reduced, "{title:?}");
        }
        assert!(safe_file_name("!!!").is_err());
        assert!(safe_file_name("...").is_err());
        let long = format!("{}.pdf", "a".repeat(400));
        let reduced = safe_file_name(&long).unwrap();
        assert_eq!(reduced.len(), MAX_FILE_NAME_LEN);
        assert!(reduced.ends_with(".pdf"));
    }

    #[test]
    fn reduced_names_pass_the_check() {
        for t in ["Æ Ø Å æ ø å", "a/b\\c", "x%20y+z", "emoji 😀 doc.pdf"] {
            let n = safe_file_name(t).unwrap();
            check_file_name(&n).unwrap();
        }
    }

    #[test]
    fn rejects_unsafe_names() {
        for bad in [
            "",
            "a b.pdf",
            "../x.pdf",
            "/abs.pdf",
            "dir/x.pdf",
            "x%20.pdf",
            "a+b.pdf",
            "blå.pdf",
            ".hidden",
            "-x",
            "mimetype",
            "META-INF",
        ] {
            assert!(check_file_name(bad).is_err(), "{bad:?} accepted");
        }
        check_file_name("Dokument_1.PDF").unwrap();
        check_file_name("manifest.xml").unwrap();
    }
}
