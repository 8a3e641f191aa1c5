//! The Altinn 3 settings: `[altinn3]` in `signering.toml`, `SIGNERING_ALTINN3_*` and
//! `SIGNERING_MASKINPORTEN*` variables, and the `altinn3` commands' flags, in increasing
//! precedence. Secrets (the token, the key store password) are named, never held, by the
//! file and the flags.

use std::path::PathBuf;

use serde::Deserialize;

use crate::cli_altinn3::{Altinn3Flags, TokenKind};
use crate::config::{
    EnvVar, SecretSource, Setting, Source, set, set_env, set_env_secret, set_flag, set_flag_file,
};
use crate::error::CliError;

/// The environment variables read.
pub(crate) mod env {
    pub(crate) const URL: &str = "SIGNERING_ALTINN3_URL";
    pub(crate) const TOKEN: &str = "SIGNERING_ALTINN3_TOKEN";
    pub(crate) const TOKEN_FILE: &str = "SIGNERING_ALTINN3_TOKEN_FILE";
    pub(crate) const TOKEN_PROVIDER: &str = "SIGNERING_ALTINN3_TOKEN_PROVIDER";
    pub(crate) const CLIENT_ID: &str = "SIGNERING_MASKINPORTEN_CLIENT_ID";
    pub(crate) const SCOPE: &str = "SIGNERING_MASKINPORTEN_SCOPE";
    pub(crate) const MASKINPORTEN: &str = "SIGNERING_MASKINPORTEN";
    pub(crate) const KEYSTORE: &str = "SIGNERING_ALTINN3_KEYSTORE";
    pub(crate) const KEYSTORE_PASSWORD: &str = "SIGNERING_ALTINN3_KEYSTORE_PASSWORD";
    pub(crate) const KEYSTORE_PASSWORD_FILE: &str = "SIGNERING_ALTINN3_KEYSTORE_PASSWORD_FILE";
    pub(crate) const KEY: &str = "SIGNERING_ALTINN3_KEY";
    pub(crate) const KID: &str = "SIGNERING_ALTINN3_KID";
    pub(crate) const SYSTEM_USER: &str = "SIGNERING_ALTINN3_SYSTEM_USER";
}

/// `[altinn3]` in `signering.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Altinn3File {
    environment: Option<String>,
    token_env: Option<String>,
    token_file: Option<PathBuf>,
    token_provider: Option<String>,
    client_id: Option<String>,
    scope: Option<String>,
    maskinporten: Option<String>,
    keystore: Option<PathBuf>,
    keystore_password_env: Option<String>,
    keystore_password_file: Option<PathBuf>,
    key: Option<PathBuf>,
    kid: Option<String>,
    system_user: Option<String>,
    /// The key on a PKCS#11 token (`pkcs11_module`, `pkcs11_token`, `pkcs11_key`,
    /// `pkcs11_key_id`, `pkcs11_pin_env` or `pkcs11_pin_file`, and `pkcs11_cert`), as in
    /// `[posten]`.
    pkcs11_module: Option<PathBuf>,
    pkcs11_token: Option<String>,
    pkcs11_key: Option<String>,
    pkcs11_key_id: Option<String>,
    pkcs11_pin_env: Option<String>,
    pkcs11_pin_file: Option<PathBuf>,
    pkcs11_cert: Option<PathBuf>,
}

/// The merged Altinn 3 settings.
#[derive(Debug, Default, Clone)]
pub(crate) struct Altinn3Settings {
    pub environment: Option<Setting<String>>,
    pub token: Option<Setting<SecretSource>>,
    pub token_provider: Option<Setting<TokenKind>>,
    pub client_id: Option<Setting<String>>,
    pub scope: Option<Setting<String>>,
    pub maskinporten: Option<Setting<String>>,
    pub keystore: Option<Setting<PathBuf>>,
    pub keystore_password: Option<Setting<SecretSource>>,
    pub key: Option<Setting<PathBuf>>,
    pub kid: Option<Setting<String>>,
    pub system_user: Option<Setting<String>>,
    /// The enterprise key on a PKCS#11 token (file `altinn3.pkcs11_*`, then the flags).
    pub pkcs11: crate::pkcs11_key::Pkcs11Flags,
    /// The token key's certificate chain; else the token's certificates.
    pub pkcs11_cert: Option<Setting<PathBuf>>,
}

fn token_kind(text: &str, source: &Source) -> Result<TokenKind, CliError> {
    match text.trim() {
        "id-porten" | "idporten" => Ok(TokenKind::IdPorten),
        "maskinporten" => Ok(TokenKind::Maskinporten),
        "altinn" => Ok(TokenKind::Altinn),
        other => Err(CliError::Config(format!(
            "token provider ({source}): {other:?} is not id-porten, maskinporten or altinn"
        ))),
    }
}

/// The name of a token kind, as the flag takes it.
pub(crate) fn token_kind_name(kind: &TokenKind) -> String {
    match kind {
        TokenKind::IdPorten => "id-porten",
        TokenKind::Maskinporten => "maskinporten",
        TokenKind::Altinn => "altinn",
    }
    .to_owned()
}

impl Altinn3Settings {
    pub(crate) fn apply_file(
        &mut self,
        file: Altinn3File,
        rel: &dyn Fn(PathBuf) -> PathBuf,
        src: &dyn Fn() -> Source,
    ) -> Result<(), CliError> {
        set(&mut self.environment, file.environment, src());
        let token = crate::config::secret_pair(
            file.token_env,
            file.token_file.map(rel),
            "altinn3.token_env / token_file",
        )?;
        set(&mut self.token, token, src());
        let kind = file
            .token_provider
            .map(|k| token_kind(&k, &src()))
            .transpose()?;
        set(&mut self.token_provider, kind, src());
        set(&mut self.client_id, file.client_id, src());
        set(&mut self.scope, file.scope, src());
        set(&mut self.maskinporten, file.maskinporten, src());
        set(&mut self.keystore, file.keystore.map(rel), src());
        let password = crate::config::secret_pair(
            file.keystore_password_env,
            file.keystore_password_file.map(rel),
            "altinn3.keystore_password_env / keystore_password_file",
        )?;
        set(&mut self.keystore_password, password, src());
        set(&mut self.key, file.key.map(rel), src());
        set(&mut self.kid, file.kid, src());
        set(&mut self.system_user, file.system_user, src());
        if let Some(module) = file.pkcs11_module {
            self.pkcs11 = crate::pkcs11_key::Pkcs11Flags {
                pkcs11_module: Some(crate::pkcs11_key::module_path(module, rel)),
                pkcs11_token: file.pkcs11_token,
                pkcs11_key: file.pkcs11_key,
                pkcs11_key_id: file.pkcs11_key_id,
                pkcs11_pin_env: file.pkcs11_pin_env,
                pkcs11_pin_file: file.pkcs11_pin_file.map(rel),
            };
            set(&mut self.pkcs11_cert, file.pkcs11_cert.map(rel), src());
        }
        Ok(())
    }

    pub(crate) fn apply_env(&mut self, var: EnvVar<'_>) -> Result<(), CliError> {
        set_env(&mut self.environment, var, env::URL)?;
        set_env_secret(&mut self.token, var, env::TOKEN, env::TOKEN_FILE)?;
        let password = &mut self.keystore_password;
        set_env_secret(
            password,
            var,
            env::KEYSTORE_PASSWORD,
            env::KEYSTORE_PASSWORD_FILE,
        )?;
        let source = Source::Env(env::TOKEN_PROVIDER);
        let kind = var(env::TOKEN_PROVIDER)?
            .map(|k| token_kind(&k, &source))
            .transpose()?;
        set(&mut self.token_provider, kind, source);
        set_env(&mut self.client_id, var, env::CLIENT_ID)?;
        set_env(&mut self.scope, var, env::SCOPE)?;
        set_env(&mut self.maskinporten, var, env::MASKINPORTEN)?;
        set_env(&mut self.keystore, var, env::KEYSTORE)?;
        set_env(&mut self.key, var, env::KEY)?;
        set_env(&mut self.kid, var, env::KID)?;
        set_env(&mut self.system_user, var, env::SYSTEM_USER)?;
        Ok(())
    }

    pub(crate) fn apply_flags(&mut self, flags: &Altinn3Flags) {
        set_flag(&mut self.environment, &flags.altinn3_url, "--altinn3-url");
        set_flag_file(&mut self.token, &flags.token_file, "--token-file");
        set_flag(
            &mut self.token_provider,
            &flags.token_provider,
            "--token-provider",
        );
        set_flag(&mut self.client_id, &flags.client_id, "--client-id");
        set_flag(&mut self.scope, &flags.scope, "--scope");
        set_flag(
            &mut self.maskinporten,
            &flags.maskinporten,
            "--maskinporten",
        );
        if flags.keystore.is_some() || flags.key.is_some() || flags.pkcs11.is_set() {
            // A key given on the command line replaces the configured one of any kind.
            self.keystore = None;
            self.key = None;
            self.pkcs11 = crate::pkcs11_key::Pkcs11Flags::default();
            self.pkcs11_cert = None;
        }
        if flags.pkcs11.is_set() {
            self.pkcs11 = flags.pkcs11.clone();
        }
        set_flag(&mut self.pkcs11_cert, &flags.cert, "--cert");
        set_flag(&mut self.keystore, &flags.keystore, "--keystore");
        set(
            &mut self.keystore_password,
            flags.password_env.clone().map(SecretSource::Env),
            Source::Flag("--password-env"),
        );
        set_flag(&mut self.key, &flags.key, "--key");
        set_flag(&mut self.kid, &flags.kid, "--kid");
        set_flag(&mut self.system_user, &flags.system_user, "--system-user");
    }
}
