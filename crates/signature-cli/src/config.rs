//! Settings from `signering.toml`, `SIGNERING_…` environment variables and flags, in
//! increasing precedence, and `signering config show`.
//!
//! Secrets (the key store password, the Altinn API key and token) are never values in the
//! file or on the command line: the file and the flags name an environment variable or a
//! file holding them; the environment may hold them directly. They are read only when a
//! command needs them and never printed.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::cli::{AltinnFlags, PostenFlags};
use crate::error::{CliError, Status};
use crate::mask::mask_identity_numbers;
use crate::output::emit_output;

/// The configuration file looked for in the current directory.
pub(crate) const DEFAULT_FILE: &str = "signering.toml";

/// The environment variables read, for the docs and `config show`.
pub(crate) mod env {
    pub(crate) const CONFIG: &str = "SIGNERING_CONFIG";
    pub(crate) const PROXY: &str = "SIGNERING_PROXY";
    pub(crate) const ENVIRONMENT: &str = "SIGNERING_ENVIRONMENT";
    pub(crate) const KEYSTORE: &str = "SIGNERING_KEYSTORE";
    pub(crate) const KEYSTORE_PASSWORD: &str = "SIGNERING_KEYSTORE_PASSWORD";
    pub(crate) const KEYSTORE_PASSWORD_FILE: &str = "SIGNERING_KEYSTORE_PASSWORD_FILE";
    pub(crate) const TRUST_ROOTS: &str = "SIGNERING_TRUST_ROOTS";
    pub(crate) const SENDER: &str = "SIGNERING_SENDER";
    pub(crate) const POLLING_QUEUE: &str = "SIGNERING_POLLING_QUEUE";
    pub(crate) const RATE_LIMIT: &str = "SIGNERING_RATE_LIMIT";
    pub(crate) const ALTINN_URL: &str = "SIGNERING_ALTINN_URL";
    pub(crate) const ALTINN_API_KEY: &str = "SIGNERING_ALTINN_API_KEY";
    pub(crate) const ALTINN_API_KEY_FILE: &str = "SIGNERING_ALTINN_API_KEY_FILE";
    pub(crate) const ALTINN_TOKEN: &str = "SIGNERING_ALTINN_TOKEN";
    pub(crate) const ALTINN_TOKEN_FILE: &str = "SIGNERING_ALTINN_TOKEN_FILE";
}

/// `signering.toml`. Unknown keys are errors, so a typo is not silently ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    /// `http://host:port` or `none`; applies to Posten and Altinn.
    proxy: Option<String>,
    #[serde(default)]
    posten: PostenFile,
    #[serde(default)]
    altinn: AltinnFile,
    #[serde(default)]
    altinn3: crate::altinn3_settings::Altinn3File,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PostenFile {
    environment: Option<String>,
    keystore: Option<PathBuf>,
    keystore_password_env: Option<String>,
    keystore_password_file: Option<PathBuf>,
    trust_roots: Option<Vec<PathBuf>>,
    sender: Option<String>,
    polling_queue: Option<String>,
    rate_limit: Option<u32>,
    /// The key on a PKCS#11 token (`pkcs11_module`, `pkcs11_token`, `pkcs11_key`,
    /// `pkcs11_key_id`, `pkcs11_pin_env` or `pkcs11_pin_file`, and `pkcs11_cert`).
    pkcs11_module: Option<PathBuf>,
    pkcs11_token: Option<String>,
    pkcs11_key: Option<String>,
    pkcs11_key_id: Option<String>,
    pkcs11_pin_env: Option<String>,
    pkcs11_pin_file: Option<PathBuf>,
    pkcs11_cert: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AltinnFile {
    environment: Option<String>,
    api_key_env: Option<String>,
    api_key_file: Option<PathBuf>,
    token_env: Option<String>,
    token_file: Option<PathBuf>,
}

/// Where a setting came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Source {
    /// The configuration file.
    File(PathBuf),
    /// An environment variable.
    Env(&'static str),
    /// A command-line flag.
    Flag(&'static str),
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::File(path) => write!(f, "file {}", path.display()),
            Self::Env(name) => write!(f, "env {name}"),
            Self::Flag(name) => write!(f, "flag {name}"),
        }
    }
}

/// A value and where it came from.
#[derive(Debug, Clone)]
pub(crate) struct Setting<T> {
    pub value: T,
    pub source: Source,
}

/// Where a secret is read from. Never holds the secret itself, except `Inline`, which is an
/// environment variable's value read at startup (and zeroed on drop).
#[derive(Clone)]
pub(crate) enum SecretSource {
    /// The named environment variable.
    Env(String),
    /// The first line of this file.
    File(PathBuf),
    /// The value of one of signering's own variables (`SIGNERING_KEYSTORE_PASSWORD`, …).
    Inline(Zeroizing<String>),
}

impl std::fmt::Debug for SecretSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl SecretSource {
    /// How the source is shown: never the secret.
    fn describe(&self) -> String {
        match self {
            Self::Env(name) => format!("(secret) from the environment variable {name}"),
            Self::File(path) => format!("(secret) from the file {}", path.display()),
            Self::Inline(_) => "(secret) set".to_owned(),
        }
    }

    /// Reads the secret. A file's trailing newline is dropped.
    pub(crate) fn read(&self, what: &str) -> Result<Zeroizing<String>, CliError> {
        match self {
            Self::Inline(value) => Ok(value.clone()),
            Self::Env(name) => match std::env::var(name) {
                Ok(value) => Ok(Zeroizing::new(value)),
                Err(_) => Err(CliError::Config(format!(
                    "{what}: the environment variable {name} is not set (or not UTF-8)"
                ))),
            },
            Self::File(path) => {
                let bytes =
                    Zeroizing::new(std::fs::read(path).map_err(|e| CliError::read(path, e))?);
                let text = std::str::from_utf8(&bytes).map_err(|_| {
                    CliError::Config(format!("{what}: {} is not UTF-8 text", path.display()))
                })?;
                Ok(Zeroizing::new(
                    text.trim_end_matches(['\r', '\n']).to_owned(),
                ))
            }
        }
    }
}

/// Every setting, merged.
#[derive(Debug, Default, Clone)]
pub(crate) struct Settings {
    /// The configuration file read, if any.
    pub file: Option<PathBuf>,
    /// The proxy: a URL (credentials only from the environment) or `none`.
    pub proxy: Option<Setting<String>>,
    pub environment: Option<Setting<String>>,
    pub keystore: Option<Setting<PathBuf>>,
    pub keystore_password: Option<Setting<SecretSource>>,
    pub trust_roots: Option<Setting<Vec<PathBuf>>>,
    pub sender: Option<Setting<String>>,
    pub polling_queue: Option<Setting<String>>,
    pub rate_limit: Option<Setting<u32>>,
    /// The key on a PKCS#11 token (file `posten.pkcs11_*`, then the `--pkcs11-*` flags).
    pub pkcs11: crate::pkcs11_key::Pkcs11Flags,
    /// The token key's certificate chain (`posten.pkcs11_cert`); else the token's certificates.
    pub pkcs11_cert: Option<PathBuf>,
    pub altinn_environment: Option<Setting<String>>,
    pub altinn_api_key: Option<Setting<SecretSource>>,
    pub altinn_token: Option<Setting<SecretSource>>,
    pub altinn3: crate::altinn3_settings::Altinn3Settings,
}

/// Reads an environment variable: `None` when unset or empty.
pub(crate) type EnvVar<'a> = &'a dyn Fn(&'static str) -> Result<Option<String>, CliError>;

/// A layer's `value` for `slot`, if it gives one: it replaces what a lower layer gave.
pub(crate) fn set<T>(slot: &mut Option<Setting<T>>, value: Option<T>, source: Source) {
    if let Some(value) = value {
        *slot = Some(Setting { value, source });
    }
}

/// The environment layer's value of `slot`: variable `name`, if set.
pub(crate) fn set_env<T: From<String>>(
    slot: &mut Option<Setting<T>>,
    var: EnvVar<'_>,
    name: &'static str,
) -> Result<(), CliError> {
    set(slot, var(name)?.map(T::from), Source::Env(name));
    Ok(())
}

/// The environment layer's secret for `slot`: the value in `value_var` wins over the file
/// named by `file_var`.
pub(crate) fn set_env_secret(
    slot: &mut Option<Setting<SecretSource>>,
    var: EnvVar<'_>,
    value_var: &'static str,
    file_var: &'static str,
) -> Result<(), CliError> {
    if let Some(value) = var(value_var)? {
        let secret = SecretSource::Inline(Zeroizing::new(value));
        set(slot, Some(secret), Source::Env(value_var));
    } else {
        let file = var(file_var)?.map(|p| SecretSource::File(p.into()));
        set(slot, file, Source::Env(file_var));
    }
    Ok(())
}

/// The flag layer's secret for `slot`: the file `path` given to flag `flag`, if given.
pub(crate) fn set_flag_file(
    slot: &mut Option<Setting<SecretSource>>,
    path: &Option<PathBuf>,
    flag: &'static str,
) {
    set(
        slot,
        path.clone().map(SecretSource::File),
        Source::Flag(flag),
    );
}

/// The flag layer's value of `slot`: `value` of flag `flag`, if given.
pub(crate) fn set_flag<T: Clone>(
    slot: &mut Option<Setting<T>>,
    value: &Option<T>,
    flag: &'static str,
) {
    set(slot, value.clone(), Source::Flag(flag));
}

/// A secret from a variable-name / file pair of one layer; the file wins within a layer
/// only when the variable is not named (giving both is refused).
pub(crate) fn secret_pair(
    env_name: Option<String>,
    file: Option<PathBuf>,
    what: &str,
) -> Result<Option<SecretSource>, CliError> {
    match (env_name, file) {
        (Some(_), Some(_)) => Err(CliError::Config(format!(
            "{what}: give the environment variable or the file, not both"
        ))),
        (Some(name), None) => Ok(Some(SecretSource::Env(name))),
        (None, Some(path)) => Ok(Some(SecretSource::File(path))),
        (None, None) => Ok(None),
    }
}

impl Settings {
    /// Reads the file (`--config`, else `SIGNERING_CONFIG`, else `./signering.toml` when it
    /// exists), then the environment, then the flags.
    pub(crate) fn load(
        config: Option<&Path>,
        posten: Option<&PostenFlags>,
        altinn: Option<&AltinnFlags>,
        proxy: Option<&str>,
    ) -> Result<Self, CliError> {
        let mut settings = Self::default();
        let file = match config {
            Some(path) => Some(path.to_owned()),
            None => match std::env::var_os(env::CONFIG) {
                Some(path) => Some(PathBuf::from(path)),
                None => Some(PathBuf::from(DEFAULT_FILE)).filter(|p| p.is_file()),
            },
        };
        if let Some(path) = file {
            settings.apply_file(&path)?;
            settings.file = Some(path);
        }
        settings.apply_env()?;
        if let Some(flags) = posten {
            settings.apply_posten_flags(flags)?;
        }
        if let Some(flags) = altinn {
            settings.apply_altinn_flags(flags)?;
        }
        if let Some(proxy) = proxy {
            no_password_in(proxy, "--proxy")?;
            set(
                &mut settings.proxy,
                Some(proxy.to_owned()),
                Source::Flag("--proxy"),
            );
        }
        Ok(settings)
    }

    /// The settings with the `altinn3` commands' flags applied last.
    pub(crate) fn load_altinn3(
        config: Option<&Path>,
        flags: &crate::cli_altinn3::Altinn3Flags,
        proxy: Option<&str>,
    ) -> Result<Self, CliError> {
        let mut settings = Self::load(config, None, None, proxy)?;
        settings.altinn3.apply_flags(flags);
        Ok(settings)
    }

    fn apply_file(&mut self, path: &Path) -> Result<(), CliError> {
        let text = std::fs::read_to_string(path).map_err(|e| CliError::read(path, e))?;
        let parsed: FileConfig = toml::from_str(&text).map_err(|e| {
            CliError::Config(
                format!("{}: {}", path.display(), e.message().trim_end())
                    + &secret_hint(e.message()),
            )
        })?;
        // Paths in the file are relative to the file's folder.
        let base = path.parent().unwrap_or(Path::new("")).to_owned();
        let rel = |p: PathBuf| if p.is_absolute() { p } else { base.join(p) };
        let src = || Source::File(path.to_owned());
        if let Some(proxy) = &parsed.proxy {
            no_password_in(proxy, "proxy in signering.toml")?;
        }
        set(&mut self.proxy, parsed.proxy, src());
        let p = parsed.posten;
        set(&mut self.environment, p.environment, src());
        set(&mut self.keystore, p.keystore.map(rel), src());
        let password = secret_pair(
            p.keystore_password_env,
            p.keystore_password_file.map(rel),
            "posten.keystore_password_env / keystore_password_file",
        )?;
        set(&mut self.keystore_password, password, src());
        set(
            &mut self.trust_roots,
            p.trust_roots.map(|v| v.into_iter().map(rel).collect()),
            src(),
        );
        set(&mut self.sender, p.sender, src());
        set(&mut self.polling_queue, p.polling_queue, src());
        set(&mut self.rate_limit, p.rate_limit, src());
        if p.pkcs11_module.is_some() {
            self.pkcs11 = crate::pkcs11_key::Pkcs11Flags {
                pkcs11_module: p
                    .pkcs11_module
                    .map(|m| crate::pkcs11_key::module_path(m, &rel)),
                pkcs11_token: p.pkcs11_token,
                pkcs11_key: p.pkcs11_key,
                pkcs11_key_id: p.pkcs11_key_id,
                pkcs11_pin_env: p.pkcs11_pin_env,
                pkcs11_pin_file: p.pkcs11_pin_file.map(rel),
            };
            self.pkcs11_cert = p.pkcs11_cert.map(rel);
        }
        let a = parsed.altinn;
        set(&mut self.altinn_environment, a.environment, src());
        let key = secret_pair(
            a.api_key_env,
            a.api_key_file.map(rel),
            "altinn.api_key_env / api_key_file",
        )?;
        set(&mut self.altinn_api_key, key, src());
        let token = secret_pair(
            a.token_env,
            a.token_file.map(rel),
            "altinn.token_env / token_file",
        )?;
        set(&mut self.altinn_token, token, src());
        self.altinn3.apply_file(parsed.altinn3, &rel, &src)?;
        Ok(())
    }

    fn apply_env(&mut self) -> Result<(), CliError> {
        let var = |name: &'static str| -> Result<Option<String>, CliError> {
            match std::env::var(name) {
                Ok(v) if v.is_empty() => Ok(None),
                Ok(v) => Ok(Some(v)),
                Err(std::env::VarError::NotPresent) => Ok(None),
                Err(std::env::VarError::NotUnicode(_)) => Err(CliError::Config(format!(
                    "the environment variable {name} is not valid UTF-8"
                ))),
            }
        };
        set_env(&mut self.proxy, &var, env::PROXY)?;
        set_env(&mut self.environment, &var, env::ENVIRONMENT)?;
        set_env(&mut self.keystore, &var, env::KEYSTORE)?;
        // The value itself wins over the file within the environment layer.
        let password = &mut self.keystore_password;
        set_env_secret(
            password,
            &var,
            env::KEYSTORE_PASSWORD,
            env::KEYSTORE_PASSWORD_FILE,
        )?;
        if let Some(paths) = std::env::var_os(env::TRUST_ROOTS).filter(|v| !v.is_empty()) {
            set(
                &mut self.trust_roots,
                Some(std::env::split_paths(&paths).collect()),
                Source::Env(env::TRUST_ROOTS),
            );
        }
        set_env(&mut self.sender, &var, env::SENDER)?;
        set_env(&mut self.polling_queue, &var, env::POLLING_QUEUE)?;
        let rate = var(env::RATE_LIMIT)?
            .map(|v| {
                v.trim().parse::<u32>().map_err(|_| {
                    CliError::Config(format!(
                        "{}: expected a whole number of calls per second, got {v:?}",
                        env::RATE_LIMIT
                    ))
                })
            })
            .transpose()?;
        set(&mut self.rate_limit, rate, Source::Env(env::RATE_LIMIT));
        set_env(&mut self.altinn_environment, &var, env::ALTINN_URL)?;
        let (key, token) = (&mut self.altinn_api_key, &mut self.altinn_token);
        set_env_secret(key, &var, env::ALTINN_API_KEY, env::ALTINN_API_KEY_FILE)?;
        set_env_secret(token, &var, env::ALTINN_TOKEN, env::ALTINN_TOKEN_FILE)?;
        self.altinn3.apply_env(&var)?;
        Ok(())
    }

    fn apply_posten_flags(&mut self, flags: &PostenFlags) -> Result<(), CliError> {
        set_flag(&mut self.environment, &flags.environment, "--environment");
        set_flag(&mut self.keystore, &flags.keystore, "--keystore");
        let password = secret_pair(
            flags.password_env.clone(),
            flags.password_file.clone(),
            "--password-env / --password-file",
        )?;
        let flag = if flags.password_env.is_some() {
            "--password-env"
        } else {
            "--password-file"
        };
        set(&mut self.keystore_password, password, Source::Flag(flag));
        set(
            &mut self.trust_roots,
            Some(flags.trust_roots.clone()).filter(|v| !v.is_empty()),
            Source::Flag("--trust-roots"),
        );
        set_flag(&mut self.sender, &flags.sender, "--sender");
        set_flag(
            &mut self.polling_queue,
            &flags.polling_queue,
            "--polling-queue",
        );
        set_flag(&mut self.rate_limit, &flags.rate_limit, "--rate-limit");
        if flags.pkcs11.is_set() {
            self.pkcs11 = flags.pkcs11.clone();
        }
        Ok(())
    }

    fn apply_altinn_flags(&mut self, flags: &AltinnFlags) -> Result<(), CliError> {
        set_flag(
            &mut self.altinn_environment,
            &flags.altinn_url,
            "--altinn-url",
        );
        set_flag_file(
            &mut self.altinn_api_key,
            &flags.api_key_file,
            "--api-key-file",
        );
        set_flag_file(&mut self.altinn_token, &flags.token_file, "--token-file");
        Ok(())
    }
}

/// A proxy password is a secret: never in the file or on the command line.
fn no_password_in(proxy: &str, what: &str) -> Result<(), CliError> {
    match signature_core::Proxy::new(proxy) {
        Ok(parsed)
            if parsed
                .credentials()
                .is_some_and(|(_, password)| !password.is_empty()) =>
        {
            Err(CliError::Config(format!(
                "{what}: a proxy password is a secret; put the proxy URL with its credentials \
                 into {} or HTTPS_PROXY instead",
                env::PROXY
            )))
        }
        _ => Ok(()),
    }
}

/// The proxy as `config show` prints it: never a password.
fn shown_proxy(value: &str) -> String {
    match signature_core::Proxy::new(value) {
        Ok(proxy) if proxy.credentials().is_some() => format!("{} (with credentials)", proxy.url()),
        Ok(proxy) => proxy.url().to_owned(),
        Err(_) => value.to_owned(),
    }
}

/// A hint when someone tried to put a secret itself into the file.
fn secret_hint(message: &str) -> String {
    let secret_key = ["`keystore_password`", "`api_key`", "`token`", "`password`"]
        .iter()
        .any(|k| message.contains(k));
    if secret_key {
        " (secrets are never values in signering.toml: name an environment variable with \
         *_env or a file with *_file)"
            .to_owned()
    } else {
        String::new()
    }
}

/// One line of `config show`.
#[derive(Debug, Serialize)]
struct ShownSetting {
    key: &'static str,
    value: Option<String>,
    source: Option<String>,
}

fn shown<T>(key: &'static str, s: &Option<Setting<T>>, f: impl Fn(&T) -> String) -> ShownSetting {
    ShownSetting {
        key,
        value: s.as_ref().map(|s| mask_identity_numbers(&f(&s.value))),
        source: s.as_ref().map(|s| s.source.to_string()),
    }
}

/// `signering config show`: every setting, its value (secrets only described) and where it
/// came from.
pub(crate) fn show(settings: &Settings, json: bool) -> Result<Status, CliError> {
    let path = |p: &PathBuf| p.display().to_string();
    let rows = vec![
        shown("proxy", &settings.proxy, |v| shown_proxy(v)),
        shown("posten.environment", &settings.environment, String::clone),
        shown("posten.keystore", &settings.keystore, path),
        shown(
            "posten.keystore_password",
            &settings.keystore_password,
            SecretSource::describe,
        ),
        shown("posten.trust_roots", &settings.trust_roots, |v| {
            v.iter().map(path).collect::<Vec<_>>().join(", ")
        }),
        shown("posten.sender", &settings.sender, String::clone),
        shown(
            "posten.polling_queue",
            &settings.polling_queue,
            String::clone,
        ),
        shown("posten.rate_limit", &settings.rate_limit, u32::to_string),
        shown(
            "altinn.environment",
            &settings.altinn_environment,
            String::clone,
        ),
        shown(
            "altinn.api_key",
            &settings.altinn_api_key,
            SecretSource::describe,
        ),
        shown(
            "altinn.token",
            &settings.altinn_token,
            SecretSource::describe,
        ),
    ];
    let a3 = &settings.altinn3;
    let rows = rows
        .into_iter()
        .chain([
            shown("altinn3.environment", &a3.environment, String::clone),
            shown("altinn3.token", &a3.token, SecretSource::describe),
            shown(
                "altinn3.token_provider",
                &a3.token_provider,
                crate::altinn3_settings::token_kind_name,
            ),
            shown("altinn3.client_id", &a3.client_id, String::clone),
            shown("altinn3.scope", &a3.scope, String::clone),
            shown("altinn3.maskinporten", &a3.maskinporten, String::clone),
            shown("altinn3.keystore", &a3.keystore, path),
            shown(
                "altinn3.keystore_password",
                &a3.keystore_password,
                SecretSource::describe,
            ),
            shown("altinn3.key", &a3.key, path),
            shown("altinn3.kid", &a3.kid, String::clone),
            shown("altinn3.system_user", &a3.system_user, String::clone),
            shown("altinn3.pkcs11_cert", &a3.pkcs11_cert, path),
        ])
        .collect::<Vec<_>>();
    #[derive(Serialize)]
    struct Shown<'a> {
        file: Option<String>,
        settings: &'a [ShownSetting],
    }
    let shown = Shown {
        file: settings.file.as_ref().map(path),
        settings: &rows,
    };
    emit_output(json, &shown, |shown| {
        let mut out = match &shown.file {
            Some(file) => format!("Configuration file: {file}\n"),
            None => format!("Configuration file: none ({DEFAULT_FILE} not found)\n"),
        };
        for row in shown.settings {
            match (&row.value, &row.source) {
                (Some(value), Some(source)) => {
                    out.push_str(&format!("{:<26} {value}  [{source}]\n", row.key));
                }
                _ => out.push_str(&format!("{:<26} (not set)\n", row.key)),
            }
        }
        out
    })
}
