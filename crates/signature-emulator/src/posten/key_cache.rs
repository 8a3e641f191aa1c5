//! RSA-2048 keys for the emulator's certificates, made once and reused: generating one takes
//! 50–300 ms (a prime search), and an emulator needs at least two (the seal and a client), so
//! making them at every start made the emulator slow to start. Keys are numbered slots (0 the
//! seal, 1… the client identities in the order an emulator issues them), kept for the
//! process and, unless turned off, in a cache directory so that the next process finds them:
//!
//! * `SIGNERING_EMULATOR_KEY_CACHE=DIR` uses `DIR`; `=off` keeps keys in the process only;
//! * otherwise `$XDG_CACHE_HOME/signering/emulator-keys`, else `$HOME/.cache/signering/emulator-keys`.
//!
//! Files are `rsa2048-v1-SLOT.der` (PKCS#8, mode 0600 on Unix); a file that does not hold an
//! RSA-2048 key is replaced. These are test keys: certificates made from them are issued by
//! the emulator's own CA, which is made fresh for every emulator (or kept in its database), so
//! a client of one emulator is not trusted by another.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair as RsaKeyPair, KeySize};

use super::error::Error;

/// Slots kept on disk; an emulator issuing more identities makes the rest fresh.
const DISK_SLOTS: usize = 32;
/// Part of the file name: a new layout or key type gets a new version.
const FILE_VERSION: &str = "rsa2048-v1";

/// The key of `slot` as PKCS#8 DER: from this process, the cache directory, or made now.
pub(crate) fn rsa_key(slot: usize) -> Result<Vec<u8>, Error> {
    static KEYS: OnceLock<Mutex<HashMap<usize, Vec<u8>>>> = OnceLock::new();
    // Held while a key is made, so that emulators starting together make each key once.
    let mut keys = crate::locked(KEYS.get_or_init(Mutex::default));
    if let Some(der) = keys.get(&slot) {
        return Ok(der.clone());
    }
    let file = (slot < DISK_SLOTS)
        .then(cache_dir)
        .flatten()
        .map(|dir| dir.join(format!("{FILE_VERSION}-{slot}.der")));
    let der = match file.as_deref().and_then(read_valid) {
        Some(der) => der,
        None => {
            let der = generate()?;
            if let Some(file) = &file
                && let Err(e) = write_private(file, &der)
            {
                tracing::debug!(file = %file.display(), error = %e, "emulator key not cached");
            }
            der
        }
    };
    keys.insert(slot, der.clone());
    Ok(der)
}

fn generate() -> Result<Vec<u8>, Error> {
    let key = RsaKeyPair::generate(KeySize::Rsa2048).map_err(|e| Error::Pki(e.to_string()))?;
    let der = key.as_der().map_err(|e| Error::Pki(e.to_string()))?;
    Ok(der.as_ref().to_vec())
}

fn cache_dir() -> Option<PathBuf> {
    match std::env::var_os("SIGNERING_EMULATOR_KEY_CACHE") {
        Some(value) if value == "off" || value.is_empty() => None,
        Some(dir) => Some(PathBuf::from(dir)),
        None => {
            let base = std::env::var_os("XDG_CACHE_HOME")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
            Some(base.join("signering").join("emulator-keys"))
        }
    }
}

/// The file's key if it is an RSA-2048 PKCS#8 key the crypto library accepts.
fn read_valid(file: &Path) -> Option<Vec<u8>> {
    let der = std::fs::read(file).ok()?;
    let key = RsaKeyPair::from_pkcs8(&der).ok()?;
    (key.public_modulus_len() == 256).then_some(der)
}

/// Writes `der` readable by the owner only, through a temporary file and a rename so that a
/// concurrent reader never sees half a key.
fn write_private(file: &Path, der: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let dir = file.parent().unwrap_or(Path::new("."));
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)?;
    let partial = dir.join(format!(
        ".{}.{}.partial",
        file.file_name().and_then(|n| n.to_str()).unwrap_or("key"),
        std::process::id()
    ));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let result = options
        .open(&partial)
        .and_then(|mut f| f.write_all(der))
        .and_then(|()| std::fs::rename(&partial, file));
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_cached_per_slot_and_bad_files_replaced() {
        let dir = std::env::temp_dir().join(format!("emulator-key-cache-{}", std::process::id()));
        let file = dir.join(format!("{FILE_VERSION}-7.der"));
        let der = generate().unwrap();
        write_private(&file, &der).unwrap();
        assert_eq!(read_valid(&file), Some(der.clone()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(&file, b"not a key").unwrap();
        assert_eq!(read_valid(&file), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
