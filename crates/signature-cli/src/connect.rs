//! Building the Posten and Altinn clients from the merged [`Settings`].

use std::io::IsTerminal as _;
use std::path::PathBuf;

use altinn_adapter::auth::BearerToken;
use asice::{LoadOptions, SigningKey};
use posten_adapter::{Client, Environment, RateLimit};
use signature_core::{OrganizationNumber, PollingQueue, Proxy, ProxySetting};
use zeroize::Zeroizing;

use crate::config::{SecretSource, Setting, Settings, env};
use crate::error::{CliError, read_file};

/// The sender (organization number) from the settings, if any.
pub(crate) fn sender(settings: &Settings) -> Result<Option<OrganizationNumber>, CliError> {
    settings
        .sender
        .as_ref()
        .map(|s| {
            OrganizationNumber::parse(s.value.trim())
                .map_err(|e| CliError::Config(format!("sender ({}): {e}", s.source)))
        })
        .transpose()
}

/// The Posten environment: `production`, `test`, `qa`, or an `https://` root URL.
fn environment(settings: &Settings) -> Result<Environment, CliError> {
    environment_if_set(settings)?.ok_or_else(|| {
        CliError::Config(format!(
            "no Posten environment: set posten.environment in signering.toml, {} or \
             --environment (production, test, qa, or the https URL of an emulator)",
            env::ENVIRONMENT
        ))
    })
}

/// The Posten environment, if one is configured.
pub(crate) fn environment_if_set(settings: &Settings) -> Result<Option<Environment>, CliError> {
    let Some(setting) = &settings.environment else {
        return Ok(None);
    };
    match setting.value.trim() {
        "production" | "prod" => Ok(Some(Environment::Production)),
        "test" | "difitest" => Ok(Some(Environment::Test)),
        "qa" | "difiqa" => Ok(Some(Environment::Qa)),
        url => Environment::custom(url)
            .map(Some)
            .map_err(|e| CliError::Config(format!("environment ({}): {e}", setting.source))),
    }
}

/// The enterprise key: on the configured PKCS#11 token, else from the configured PKCS#12 key
/// store (its password from the configured secret source, else a prompt on a terminal).
pub(crate) fn signing_key(
    settings: &Settings,
    options: &LoadOptions,
) -> Result<SigningKey, CliError> {
    if let Some(key) = settings
        .pkcs11
        .load(settings.pkcs11_cert.as_ref(), options)?
    {
        return Ok(key);
    }
    let Some(keystore) = &settings.keystore else {
        return Err(CliError::Config(format!(
            "no key store: set posten.keystore in signering.toml, {} or --keystore FILE.p12",
            env::KEYSTORE
        )));
    };
    let where_to = format!(
        "set {} (or {}), --password-env VAR or --password-file FILE; signering does not \
         prompt when standard input is not a terminal",
        env::KEYSTORE_PASSWORD,
        env::KEYSTORE_PASSWORD_FILE
    );
    open_keystore(
        keystore,
        settings.keystore_password.as_ref(),
        &where_to,
        options,
    )
}

/// The key in the PKCS#12 key store `keystore`, opened with the password from `password`'s
/// source, else from a prompt on a terminal; without either the error says `where_to` set it.
pub(crate) fn open_keystore(
    keystore: &Setting<PathBuf>,
    password: Option<&Setting<SecretSource>>,
    where_to: &str,
    options: &LoadOptions,
) -> Result<SigningKey, CliError> {
    let data = Zeroizing::new(read_file(&keystore.value)?);
    let what = format!("the key store {}", keystore.value.display());
    let password = match password {
        Some(source) => source.value.read(&what)?,
        None if std::io::stdin().is_terminal() => crate::password::obtain(None, &what)?,
        None => {
            return Err(CliError::Usage(format!(
                "{what} needs a password: {where_to}"
            )));
        }
    };
    SigningKey::from_pkcs12(&data, &password, options).map_err(CliError::Key)
}

/// The Posten client: the key store (password from its secret source, or a prompt on a
/// terminal), trust roots, default sender, polling queue and rate limit.
pub(crate) fn posten(settings: &Settings) -> Result<Client, CliError> {
    let environment = environment(settings)?;
    let key = signing_key(settings, &LoadOptions::default())?;
    let mut builder = Client::builder(environment, key).user_agent_suffix("signering-cli");
    for pem in trust_root_pems(settings)? {
        builder = builder.trust_roots_pem(&pem);
    }
    builder = with_proxy(builder, settings)?;
    if let Some(sender) = sender(settings)? {
        builder = builder.default_sender(sender);
    }
    if let Some(queue) = &settings.polling_queue {
        let queue = PollingQueue::new(queue.value.as_str())
            .map_err(|e| CliError::Config(format!("polling queue ({}): {e}", queue.source)))?;
        builder = builder.default_polling_queue(queue);
    }
    if let Some(rate) = &settings.rate_limit {
        if rate.value == 0 {
            return Err(CliError::Config(format!(
                "rate limit ({}): must be at least 1 call per second",
                rate.source
            )));
        }
        builder = builder.rate_limit(Some(RateLimit::per_second(rate.value)));
    }
    Ok(builder.build()?)
}

/// The contents of the configured `--trust-roots` files.
pub(crate) fn trust_root_pems(settings: &Settings) -> Result<Vec<Vec<u8>>, CliError> {
    match &settings.trust_roots {
        Some(roots) => roots.value.iter().map(|path| read_file(path)).collect(),
        None => Ok(Vec::new()),
    }
}

/// The configured proxy: `none` (or `direct`) for direct connections, a URL, or — when
/// nothing is configured — the environment's `HTTPS_PROXY`/`NO_PROXY`, as curl reads them.
pub(crate) fn proxy(settings: &Settings) -> Result<ProxySetting, CliError> {
    let Some(setting) = &settings.proxy else {
        return Ok(ProxySetting::FromEnvironment);
    };
    match setting.value.trim() {
        "none" | "direct" => Ok(ProxySetting::Direct),
        url => Proxy::new(url)
            .map(ProxySetting::Through)
            .map_err(|e| CliError::Config(format!("proxy ({}): {e}", setting.source))),
    }
}

/// The configured proxy on a Posten client builder.
pub(crate) fn with_proxy(
    builder: posten_adapter::ClientBuilder,
    settings: &Settings,
) -> Result<posten_adapter::ClientBuilder, CliError> {
    Ok(builder.proxy(proxy(settings)?))
}

/// The calls per second the client keeps to (the adapter's default when not configured).
pub(crate) fn rate_limit(settings: &Settings) -> u32 {
    settings
        .rate_limit
        .as_ref()
        .map_or_else(|| RateLimit::default().calls_per_second(), |r| r.value)
}

/// The Altinn client: environment (`production`, `tt02` or a URL), API key, and an
/// ID-porten or emulator bearer token.
pub(crate) fn altinn(settings: &Settings) -> Result<altinn_adapter::v2::Client, CliError> {
    let Some(setting) = &settings.altinn_environment else {
        return Err(CliError::Config(format!(
            "no Altinn environment: set altinn.environment in signering.toml, {} or \
             --altinn-url (production, tt02, or a URL)",
            env::ALTINN_URL
        )));
    };
    let environment = match setting.value.trim() {
        "production" | "prod" => altinn_adapter::v2::Environment::production(),
        "tt02" | "test" => altinn_adapter::v2::Environment::tt02(),
        url => altinn_adapter::v2::Environment::custom(url).map_err(|e| {
            CliError::Config(format!("Altinn environment ({}): {e}", setting.source))
        })?,
    };
    let Some(api_key) = &settings.altinn_api_key else {
        return Err(CliError::Config(format!(
            "no Altinn API key: set {} or {}, --api-key-file, or altinn.api_key_env / \
             api_key_file in signering.toml",
            env::ALTINN_API_KEY,
            env::ALTINN_API_KEY_FILE
        )));
    };
    let Some(token) = &settings.altinn_token else {
        return Err(CliError::Config(format!(
            "no Altinn token: set {} or {}, --token-file, or altinn.token_env / token_file in \
             signering.toml",
            env::ALTINN_TOKEN,
            env::ALTINN_TOKEN_FILE
        )));
    };
    let api_key = api_key.value.read("the Altinn API key")?;
    let token = token.value.read("the Altinn token")?;
    Ok(
        altinn_adapter::v2::Client::builder(environment, api_key.as_str())
            .auth(BearerToken::new(token.as_str()))
            .proxy(proxy(settings)?)
            .build()?,
    )
}
