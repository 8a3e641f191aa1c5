//! `signering altinn3 …`: Altinn 3 app instances, discovery through Dialogporten, signing
//! (also on behalf of an organisation), the signing state, downloads and completing the
//! process; logged in with a token, with Maskinporten, or as a system user.

mod connect;
mod instances;
mod signing;

use altinn_adapter::v3::{AppId, Client, InstanceRef};
use serde::Serialize;

use crate::cli_altinn3::Altinn3Command;
use crate::config::Settings;
use crate::error::{CliError, Status};
use crate::mask::mask_identity_numbers;
use crate::output::optional_part;

pub(crate) use connect::client;

/// Runs one `altinn3` command.
pub(crate) fn run(
    command: &Altinn3Command,
    config: Option<&std::path::Path>,
    proxy: Option<&str>,
    json: bool,
) -> Result<Status, CliError> {
    use crate::cli_altinn3::InstancesCommand;
    let flags = match command {
        Altinn3Command::Instances(InstancesCommand::Create(a)) => &a.altinn3,
        Altinn3Command::Instances(InstancesCommand::Show(a)) => &a.altinn3,
        Altinn3Command::Awaiting(a) => &a.altinn3,
        Altinn3Command::Sign(a) => &a.target.altinn3,
        Altinn3Command::SigningState(a) => &a.target.altinn3,
        Altinn3Command::Download(a) => &a.target.altinn3,
        Altinn3Command::Complete(a) => &a.altinn3,
    };
    let settings = Settings::load_altinn3(config, flags, proxy)?;
    match command {
        Altinn3Command::Instances(InstancesCommand::Create(a)) => {
            instances::create(a, &settings, json)
        }
        Altinn3Command::Instances(InstancesCommand::Show(a)) => instances::show(a, &settings, json),
        Altinn3Command::Awaiting(a) => signing::awaiting(a, &settings, json),
        Altinn3Command::Sign(a) => signing::sign(a, &settings, json),
        Altinn3Command::SigningState(a) => signing::signing_state(a, &settings, json),
        Altinn3Command::Download(a) => signing::download(a, &settings, json),
        Altinn3Command::Complete(a) => signing::complete(a, &settings, json),
    }
}

/// Logs in ([`client`]) and runs `calls` with the client to the end, as every command does.
pub(crate) fn call<T, E>(
    settings: &Settings,
    calls: impl AsyncFnOnce(&Client) -> Result<T, E>,
) -> Result<T, CliError>
where
    CliError: From<E>,
{
    let client = client(settings)?;
    let runtime = crate::runtime()?;
    Ok(runtime.block_on(calls(&client))?)
}

/// `ORG/APP/PARTYID/GUID`.
pub(crate) fn instance(text: &str) -> Result<InstanceRef, CliError> {
    InstanceRef::parse(text).map_err(|_| {
        CliError::Usage(format!(
            "{:?} is not an instance: expected ORG/APP/PARTYID/GUID",
            mask_identity_numbers(text)
        ))
    })
}

/// `ORG/APP`.
pub(crate) fn app(text: &str) -> Result<AppId, CliError> {
    AppId::parse(text).map_err(|e| CliError::Usage(format!("--app: {e}")))
}

/// A masked optional text, for output.
pub(crate) fn masked(text: Option<&str>) -> Option<String> {
    text.map(mask_identity_numbers)
}

/// A signee, for both output forms.
#[derive(Debug, Serialize)]
pub(crate) struct SigneeOut {
    pub party_id: u64,
    pub name: Option<String>,
    pub organization: Option<String>,
    pub delegation_successful: bool,
    pub notification_status: Option<String>,
    pub signed_time: Option<String>,
}

impl From<&altinn_adapter::v3::SigneeState> for SigneeOut {
    fn from(s: &altinn_adapter::v3::SigneeState) -> Self {
        Self {
            party_id: s.party_id,
            name: masked(s.name.as_deref()),
            organization: masked(s.organization.as_deref()),
            delegation_successful: s.delegation_successful,
            notification_status: s.notification_status.as_ref().map(ToString::to_string),
            signed_time: s.signed_time.map(crate::output::timestamp),
        }
    }
}

impl SigneeOut {
    pub(crate) fn line(&self) -> String {
        let who = match (&self.name, &self.organization) {
            (Some(name), Some(org)) => format!("{name} for {org}"),
            (Some(name), None) => name.clone(),
            (None, Some(org)) => format!("(for {org})"),
            (None, None) => "(unnamed)".to_owned(),
        };
        let state = match &self.signed_time {
            Some(at) => format!("signed {at}"),
            None if !self.delegation_successful => "not signed; delegation failed".to_owned(),
            None => "not signed".to_owned(),
        };
        format!(
            "  party {:<10} {who}: {state}{}\n",
            self.party_id,
            optional_part(" (notification ", self.notification_status.as_deref(), ")")
        )
    }
}
