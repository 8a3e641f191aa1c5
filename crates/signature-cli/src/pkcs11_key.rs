//! `--pkcs11-*`: the enterprise key on a PKCS#11 token (HSM, smart card). The PIN comes only
//! from an environment variable or a file, never from the command line, and is never printed.

use std::path::PathBuf;

use asice::{LoadOptions, Pin, Pkcs11Options, SigningKey};
use clap::Args;

use crate::error::{CliError, read_file};

/// The token flags shared by every command that takes a key.
#[derive(Debug, Args, Default, Clone)]
#[command(next_help_heading = "Key on a PKCS#11 token (see docs/hsm-keys.md)")]
pub struct Pkcs11Flags {
    /// The token vendor's PKCS#11 module, e.g. /usr/lib/softhsm/libsofthsm2.so, instead of a
    /// key store or key file.
    #[arg(long, value_name = "PATH")]
    pub pkcs11_module: Option<PathBuf>,

    /// The token's label (as `pkcs11-tool --list-token-slots` shows it).
    #[arg(long, value_name = "LABEL", requires = "pkcs11_module")]
    pub pkcs11_token: Option<String>,

    /// The private key's label on the token (default: the token's only RSA key).
    #[arg(long, value_name = "LABEL", requires = "pkcs11_module")]
    pub pkcs11_key: Option<String>,

    /// The private key's id (hex), instead of or with --pkcs11-key.
    #[arg(long, value_name = "HEX", requires = "pkcs11_module")]
    pub pkcs11_key_id: Option<String>,

    /// Read the token's user PIN from this environment variable.
    #[arg(
        long,
        value_name = "VAR",
        requires = "pkcs11_module",
        conflicts_with = "pkcs11_pin_file"
    )]
    pub pkcs11_pin_env: Option<String>,

    /// Read the token's user PIN from the first line of this file.
    #[arg(long, value_name = "FILE", requires = "pkcs11_module")]
    pub pkcs11_pin_file: Option<PathBuf>,
}

impl Pkcs11Flags {
    /// Whether a token was asked for.
    pub(crate) fn is_set(&self) -> bool {
        self.pkcs11_module.is_some()
    }

    /// The token options, with the PIN read from its variable or file.
    pub(crate) fn options(&self) -> Result<Option<Pkcs11Options>, CliError> {
        let Some(module) = &self.pkcs11_module else {
            return Ok(None);
        };
        let Some(token) = &self.pkcs11_token else {
            return Err(CliError::Usage(
                "--pkcs11-module needs --pkcs11-token LABEL".to_owned(),
            ));
        };
        let pin = match (&self.pkcs11_pin_env, &self.pkcs11_pin_file) {
            (Some(var), _) => Pin::from_env(var),
            (None, Some(file)) => Pin::from_file(file),
            (None, None) => {
                return Err(CliError::Usage(
                    "the token's PIN: give --pkcs11-pin-env VAR or --pkcs11-pin-file FILE \
                     (there is no flag that takes the PIN itself)"
                        .to_owned(),
                ));
            }
        }
        .map_err(|e| CliError::Key(e.into()))?;
        let mut options = Pkcs11Options::new(module, token, pin);
        if let Some(label) = &self.pkcs11_key {
            options = options.key_label(label);
        }
        if let Some(id) = &self.pkcs11_key_id {
            options = options.key_id(parse_hex(id)?);
        }
        Ok(Some(options))
    }

    /// The key on the token, its chain from `cert` (PEM) or else from the token.
    pub(crate) fn load(
        &self,
        cert: Option<&PathBuf>,
        load: &LoadOptions,
    ) -> Result<Option<SigningKey>, CliError> {
        let Some(options) = self.options()? else {
            return Ok(None);
        };
        let chain = cert.map(|path| read_file(path)).transpose()?;
        SigningKey::from_pkcs11(&options, chain.as_deref(), load)
            .map(Some)
            .map_err(CliError::Key)
    }
}

/// A module path from `signering.toml`: relative to the file when it names a directory
/// (`lib/x.so`), as it is when it is a bare file name the loader searches (`libsofthsm2.so`).
pub(crate) fn module_path(module: PathBuf, rel: &dyn Fn(PathBuf) -> PathBuf) -> PathBuf {
    if module.is_relative() && module.components().count() > 1 {
        rel(module)
    } else {
        module
    }
}

fn parse_hex(text: &str) -> Result<Vec<u8>, CliError> {
    let digits = text.trim().trim_start_matches("0x");
    let bad = || CliError::Usage(format!("--pkcs11-key-id {text:?}: not a hex string"));
    if digits.is_empty() || !digits.len().is_multiple_of(2) {
        return Err(bad());
    }
    (0..digits.len())
        .step_by(2)
        .map(|i| {
            digits
                .get(i..i + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
                .ok_or_else(bad)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_ids_are_hex() {
        assert_eq!(parse_hex("01a0").unwrap(), vec![0x01, 0xa0]);
        assert_eq!(parse_hex("0x01").unwrap(), vec![0x01]);
        assert!(parse_hex("1").is_err());
        assert!(parse_hex("zz").is_err());
        assert!(parse_hex("é1").is_err());
    }

    #[test]
    fn the_pin_must_come_from_a_variable_or_file() {
        let flags = Pkcs11Flags {
            pkcs11_module: Some("/x.so".into()),
            pkcs11_token: Some("T".into()),
            ..Default::default()
        };
        let e = flags.options().unwrap_err();
        assert!(e.to_string().contains("--pkcs11-pin-env"), "{e}");
    }
}
