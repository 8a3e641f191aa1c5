//! The provider-neutral service behind `job create|status`, `poll` and `download`: Posten
//! signering from `[posten]`, or Altinn 3 from `[altinn3]` (`--provider`). The commands use
//! only [`SignatureService`] and choose what to do by its [`Capabilities`], so a provider is
//! a configuration, not a code path.

use std::sync::Arc;

use altinn_adapter::v3::InstanceOwner;
use clap::{Args, ValueEnum};
use signature_core::{Capabilities, Capability, SignatureService};

use crate::config::Settings;
use crate::error::CliError;

/// Which signing service a provider-neutral command talks to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum ProviderArg {
    /// Posten signering (`[posten]` in signering.toml, `SIGNERING_*`, the connection flags).
    #[default]
    Posten,
    /// Altinn 3 (`[altinn3]` in signering.toml and `SIGNERING_ALTINN3_*`).
    Altinn3,
}

/// `--provider`, shared by the provider-neutral commands.
#[derive(Debug, Args, Clone, Copy, Default)]
pub struct ProviderFlag {
    /// The signing service: `posten` (default) or `altinn3`, configured by `[altinn3]` in
    /// signering.toml and `SIGNERING_ALTINN3_*` (the Posten connection flags apply to Posten
    /// only).
    #[arg(long, value_enum, default_value_t)]
    pub provider: ProviderArg,
}

/// A client for the chosen provider, from which services are made.
#[derive(Clone)]
pub(crate) enum Connection {
    Posten(posten_adapter::Client),
    Altinn3(altinn_adapter::v3::Client),
}

impl Connection {
    /// The client for `provider` from the settings.
    pub(crate) fn open(provider: ProviderArg, settings: &Settings) -> Result<Self, CliError> {
        Ok(match provider {
            ProviderArg::Posten => Self::Posten(crate::connect::posten(settings)?),
            ProviderArg::Altinn3 => Self::Altinn3(crate::altinn3_cmd::client(settings)?),
        })
    }

    /// The service. `owner` is whom an Altinn 3 job's instance is created for; without it
    /// the Altinn 3 service reads and downloads existing jobs only.
    pub(crate) fn service(&self, owner: Option<InstanceOwner>) -> Service {
        let service: Arc<dyn SignatureService> = match self {
            Self::Posten(client) => Arc::new(client.clone()),
            Self::Altinn3(client) => Arc::new(match owner {
                Some(owner) => altinn_adapter::v3::Service::new(client.clone(), owner),
                None => altinn_adapter::v3::Service::without_owner(client.clone()),
            }),
        };
        let capabilities = service.capabilities();
        Service {
            service,
            capabilities,
        }
    }
}

/// A connected signing service and what it can do.
pub(crate) struct Service {
    pub service: Arc<dyn SignatureService>,
    pub capabilities: Capabilities,
}

impl Service {
    /// The service for `provider` from the settings ([`Connection::service`]).
    pub(crate) fn connect(
        provider: ProviderArg,
        settings: &Settings,
        owner: Option<InstanceOwner>,
    ) -> Result<Self, CliError> {
        Ok(Connection::open(provider, settings)?.service(owner))
    }

    /// `Ok` when the service can do `capability`, else the service's own refusal.
    pub(crate) fn ensure(&self, capability: Capability) -> Result<(), CliError> {
        if self.capabilities.contains(capability) {
            Ok(())
        } else {
            Err(signature_core::Error::Unsupported(capability).into())
        }
    }
}

/// The adapter error a neutral error was mapped from, if it is a `T`.
pub(crate) fn adapter_error<T: std::error::Error + 'static>(
    error: &signature_core::Error,
) -> Option<&T> {
    std::iter::successors(std::error::Error::source(error), |e| e.source())
        .find_map(|e| e.downcast_ref::<T>())
}

/// What a failed call of the service says: the adapter's own message as the adapter
/// commands print it (`Posten signering: …`, `Altinn: …`), else the neutral one.
pub(crate) fn message(error: &signature_core::Error) -> String {
    match provider_of(error) {
        Some(provider) => format!("{provider}: {}", detail(error)),
        None => detail(error),
    }
}

/// The adapter's own message for a failed call, without the provider's name; else the
/// neutral one.
pub(crate) fn detail(error: &signature_core::Error) -> String {
    if let Some(posten) = adapter_error::<posten_adapter::Error>(error) {
        posten.to_string()
    } else if let Some(altinn) = adapter_error::<altinn_adapter::Error>(error) {
        altinn.to_string()
    } else {
        error.to_string()
    }
}

/// The name an adapter error is shown under, if `error` came from one.
fn provider_of(error: &signature_core::Error) -> Option<&'static str> {
    if adapter_error::<posten_adapter::Error>(error).is_some() {
        Some("Posten signering")
    } else if adapter_error::<altinn_adapter::Error>(error).is_some() {
        Some("Altinn")
    } else {
        None
    }
}
