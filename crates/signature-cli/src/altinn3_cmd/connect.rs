//! Building the Altinn 3 client from the merged settings: the environment, and a login by
//! token, by Maskinporten (enterprise certificate or registered key), or as a system user.

use std::time::Duration;

use altinn_adapter::auth::{
    BearerToken, EnterpriseCertificate, GrantKey, LoadOptions, Maskinporten,
};
use altinn_adapter::v3::{Client, Environment, TokenProvider};
use zeroize::Zeroizing;

use crate::altinn3_settings::env;
use crate::cli_altinn3::TokenKind;
use crate::config::Settings;
use crate::error::{CliError, read_file};

/// The Maskinporten scopes asked for unless configured: apps and Storage, and Dialogporten
/// (which refuses a token without `digdir:dialogporten`, also an exchanged one).
const DEFAULT_SCOPE: &str = "altinn:instances.read altinn:instances.write digdir:dialogporten";
/// Each call's limit, including reading its answer.
const TIMEOUT: Duration = Duration::from_secs(60);

/// Which Altinn 3 environment, and which Maskinporten pairs with it by default.
fn environment(settings: &Settings) -> Result<(Environment, Option<&'static str>), CliError> {
    let Some(setting) = &settings.altinn3.environment else {
        return Err(CliError::Config(format!(
            "no Altinn 3 environment: set altinn3.environment in signering.toml, {} or \
             --altinn3-url (production, tt02, or an emulator's URL)",
            env::URL
        )));
    };
    match setting.value.trim() {
        "production" | "prod" => Ok((Environment::production(), Some("production"))),
        "tt02" | "test" => Ok((Environment::tt02(), Some("test"))),
        url => Environment::custom(url).map(|e| (e, None)).map_err(|e| {
            CliError::Config(format!("Altinn 3 environment ({}): {e}", setting.source))
        }),
    }
}

/// The Altinn 3 client for the settings.
pub(crate) fn client(settings: &Settings) -> Result<Client, CliError> {
    let a3 = &settings.altinn3;
    let (environment, paired) = environment(settings)?;
    let builder = Client::builder(environment)
        .timeout(TIMEOUT)
        .proxy(crate::connect::proxy(settings)?);
    let builder = if let Some(client_id) = &a3.client_id {
        builder.exchange(
            TokenProvider::Maskinporten,
            maskinporten(settings, &client_id.value, paired)?,
        )
    } else if let Some(token) = &a3.token {
        let token = token.value.read("the Altinn 3 token")?;
        let token = token.trim().to_owned();
        match a3.token_provider.as_ref().map(|k| k.value) {
            Some(TokenKind::Altinn) => builder.altinn_token(token),
            Some(TokenKind::Maskinporten) => {
                builder.exchange(TokenProvider::Maskinporten, BearerToken::new(token))
            }
            Some(TokenKind::IdPorten) | None => {
                builder.exchange(TokenProvider::IdPorten, BearerToken::new(token))
            }
        }
    } else {
        return Err(CliError::Config(format!(
            "no Altinn 3 login: give a token ({} or {}, --token-file) or a Maskinporten client \
             (--client-id with --keystore or --key and --kid; --system-user for a system user)",
            env::TOKEN,
            env::TOKEN_FILE
        )));
    };
    Ok(builder.build()?)
}

/// Maskinporten for the client, with the key from the settings.
fn maskinporten(
    settings: &Settings,
    client_id: &str,
    paired: Option<&'static str>,
) -> Result<Maskinporten, CliError> {
    let a3 = &settings.altinn3;
    let token_key = a3.pkcs11.load(
        a3.pkcs11_cert.as_ref().map(|c| &c.value),
        &LoadOptions::default(),
    )?;
    // The enterprise certificate's key: on the token, else in the key store.
    let certificate_key = match (token_key, &a3.keystore) {
        (Some(key), _) => Some(key),
        (None, Some(keystore)) => {
            let where_to = format!(
                "set {} (or {}) or --password-env VAR",
                env::KEYSTORE_PASSWORD,
                env::KEYSTORE_PASSWORD_FILE
            );
            let password = a3.keystore_password.as_ref();
            let options = LoadOptions::default();
            Some(crate::connect::open_keystore(
                keystore, password, &where_to, &options,
            )?)
        }
        (None, None) => None,
    };
    let key = match (certificate_key, &a3.key) {
        (Some(key), _) => {
            let certificate = EnterpriseCertificate::new(key)?;
            match &a3.kid {
                Some(kid) => GrantKey::registered_certificate(certificate, kid.value.clone()),
                None => GrantKey::certificate(certificate),
            }
        }
        (None, Some(key)) => {
            let Some(kid) = &a3.kid else {
                return Err(CliError::Config(format!(
                    "a registered key ({}) is named by its kid: set --kid or {}",
                    key.source,
                    env::KID
                )));
            };
            let pem = Zeroizing::new(read_file(&key.value)?);
            GrantKey::registered_key(kid.value.clone(), &pem)?
        }
        (None, None) => {
            return Err(CliError::Config(
                "Maskinporten needs a key: --keystore FILE.p12 or --pkcs11-module with \
                 --pkcs11-token (the enterprise certificate), or --key KEY.pem with --kid"
                    .to_owned(),
            ));
        }
    };
    let scope = a3
        .scope
        .as_ref()
        .map_or(DEFAULT_SCOPE, |s| s.value.as_str());
    let mut builder = Maskinporten::builder(client_id, scope, key);
    builder = match a3.maskinporten.as_ref().map(|m| m.value.trim()).or(paired) {
        Some("test") => builder.test_environment(),
        Some("production" | "prod") => builder.production(),
        Some(issuer) if issuer.starts_with("http://") || issuer.starts_with("https://") => {
            let issuer = if issuer.ends_with('/') {
                issuer.to_owned()
            } else {
                format!("{issuer}/")
            };
            builder
                .token_endpoint(format!("{issuer}token"))
                .audience(issuer)
        }
        Some(other) => {
            return Err(CliError::Config(format!(
                "Maskinporten {other:?}: expected test, production or its issuer URL"
            )));
        }
        None => {
            return Err(CliError::Config(format!(
                "which Maskinporten? set --maskinporten (test, production or its issuer URL) or {}",
                env::MASKINPORTEN
            )));
        }
    };
    if let Some(org) = &a3.system_user {
        builder = builder.system_user(org.value.trim());
    }
    Ok(builder.build()?)
}
