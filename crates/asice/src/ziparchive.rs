//! Reading an untrusted zip with bounds on entry count, sizes and names.

use std::collections::HashSet;
use std::io::{Cursor, Read, Seek};

use crate::error::{Error, Result};

/// Bounds applied when reading a bundle, so that a hostile zip cannot exhaust memory.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Most zip entries (files and directories).
    pub max_entries: usize,
    /// Largest uncompressed entry, in bytes.
    pub max_entry_size: u64,
    /// Largest sum of uncompressed entries, in bytes.
    pub max_total_size: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_entries: 1_000,
            max_entry_size: 64 * 1024 * 1024,
            max_total_size: 256 * 1024 * 1024,
        }
    }
}

/// One file entry, decompressed if it was asked for.
#[derive(Debug)]
pub(crate) struct Entry {
    pub(crate) name: String,
    /// The content; empty for an entry that was not read.
    pub(crate) bytes: Vec<u8>,
    /// Uncompressed size: the bytes read, or the size the zip declares for an entry not read.
    pub(crate) size: u64,
    pub(crate) compressed_size: u64,
    pub(crate) stored: bool,
}

/// All file entries in zip order, decompressed; directory entries are checked and skipped.
pub(crate) fn read_entries(zip_bytes: &[u8], limits: &Limits) -> Result<Vec<Entry>> {
    read_entries_from(Cursor::new(zip_bytes), limits, &|_| true)
}

/// All file entries in zip order; only those `read` names are decompressed, the others are
/// listed with their declared sizes (which count against the limits all the same).
pub(crate) fn read_entries_from<R: Read + Seek>(
    reader: R,
    limits: &Limits,
    read: &dyn Fn(&str) -> bool,
) -> Result<Vec<Entry>> {
    let mut archive = zip::ZipArchive::new(reader).map_err(|e| Error::ZipRead(e.to_string()))?;
    if archive.len() > limits.max_entries {
        return Err(Error::TooManyEntries {
            found: archive.len(),
            limit: limits.max_entries,
        });
    }
    let mut seen = HashSet::new();
    let mut total = 0u64;
    let mut entries = Vec::new();
    for i in 0..archive.len() {
        let mut file = archive
            .by_index(i)
            .map_err(|e| Error::ZipRead(e.to_string()))?;
        let name = file.name().to_owned();
        check_entry_name(&name)?;
        if !seen.insert(name.clone()) {
            return Err(Error::DuplicateEntry(name));
        }
        if file.is_dir() {
            continue;
        }
        let too_large = || Error::EntryTooLarge {
            name: name.clone(),
            limit: limits.max_entry_size,
        };
        if file.size() > limits.max_entry_size {
            return Err(too_large());
        }
        // An entry not read counts with its declared size; a read one with what was read.
        let (size, bytes) = if read(&name) {
            // The declared size can lie; the reader is capped independently of it.
            let mut bytes = Vec::with_capacity(usize::try_from(file.size()).unwrap_or(0));
            (&mut file)
                .take(limits.max_entry_size + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| Error::ZipRead(format!("{name}: {e}")))?;
            if bytes.len() as u64 > limits.max_entry_size {
                return Err(too_large());
            }
            (bytes.len() as u64, bytes)
        } else {
            (file.size(), Vec::new())
        };
        total += size;
        if total > limits.max_total_size {
            return Err(Error::BundleTooLarge(limits.max_total_size));
        }
        entries.push(Entry {
            compressed_size: file.compressed_size(),
            stored: file.compression() == zip::CompressionMethod::Stored,
            size,
            name,
            bytes,
        });
    }
    Ok(entries)
}

/// Relative, forward-slash paths without `.`/`..`/empty segments, drive letters or control
/// characters.
pub(crate) fn check_entry_name(name: &str) -> Result<()> {
    let path = name.strip_suffix('/').unwrap_or(name);
    let bad = path.is_empty()
        || path.starts_with('/')
        || path.contains('\\')
        || path.chars().any(char::is_control)
        || path
            .split('/')
            .next()
            .is_some_and(|first| first.contains(':'))
        || path
            .split('/')
            .any(|seg| seg.is_empty() || seg == "." || seg == "..");
    if bad {
        Err(Error::UnsafeEntryName(name.to_owned()))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use zip::write::SimpleFileOptions;

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data) in entries {
            w.start_file(*name, SimpleFileOptions::default()).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn entry_names() {
        for bad in [
            "../x",
            "a/../../x",
            "/etc/passwd",
            "C:/x",
            "c:x",
            "a\\b",
            "a//b",
            "./a",
            "a/.",
            "",
            "a\u{0}b",
        ] {
            assert!(check_entry_name(bad).is_err(), "{bad:?}");
        }
        for good in ["a", "META-INF/signatures.xml", "META-INF/", "x..y.pdf"] {
            check_entry_name(good).unwrap();
        }
    }

    #[test]
    fn traversal_entry_is_rejected() {
        let z = zip_of(&[("ok.txt", b"x"), ("../evil.txt", b"y")]);
        assert!(matches!(
            read_entries(&z, &Limits::default()),
            Err(Error::UnsafeEntryName(n)) if n == "../evil.txt"
        ));
    }

    #[test]
    fn too_many_entries() {
        let z = zip_of(&[("a", b"1"), ("b", b"2"), ("c", b"3")]);
        let limits = Limits {
            max_entries: 2,
            ..Limits::default()
        };
        assert!(matches!(
            read_entries(&z, &limits),
            Err(Error::TooManyEntries { found: 3, limit: 2 })
        ));
    }

    #[test]
    fn oversized_entry_and_total() {
        let big = vec![0u8; 10_000];
        let z = zip_of(&[("a", &big), ("b", &big)]);
        let limits = Limits {
            max_entry_size: 9_999,
            ..Limits::default()
        };
        assert!(matches!(
            read_entries(&z, &limits),
            Err(Error::EntryTooLarge { .. })
        ));
        let limits = Limits {
            max_total_size: 15_000,
            ..Limits::default()
        };
        assert!(matches!(
            read_entries(&z, &limits),
            Err(Error::BundleTooLarge(15_000))
        ));
    }

    #[test]
    fn entries_not_read_count_with_their_declared_size() {
        let big = vec![0u8; 10_000];
        let z = zip_of(&[("a", &big), ("b", b"12")]);
        let only_b = |name: &str| name == "b";
        let entries = read_entries_from(Cursor::new(&z), &Limits::default(), &only_b).unwrap();
        assert_eq!((entries[0].size, entries[0].bytes.len()), (10_000, 0));
        assert_eq!(
            (entries[1].size, entries[1].bytes.as_slice()),
            (2, &b"12"[..])
        );
        let limits = Limits {
            max_total_size: 9_999,
            ..Limits::default()
        };
        assert!(matches!(
            read_entries_from(Cursor::new(&z), &limits, &|_| false),
            Err(Error::BundleTooLarge(9_999))
        ));
    }

    #[test]
    fn not_a_zip() {
        assert!(matches!(
            read_entries(b"not a zip", &Limits::default()),
            Err(Error::ZipRead(_))
        ));
    }
}
