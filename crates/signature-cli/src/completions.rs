//! `signering completions SHELL`: a completion script generated from the clap definition.

use clap::CommandFactory as _;

use crate::cli::{Cli, CompletionsArgs};
use crate::error::{CliError, Status};

pub(crate) fn run(args: &CompletionsArgs) -> Result<Status, CliError> {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "signering", &mut script);
    crate::output::emit(&String::from_utf8_lossy(&script))?;
    Ok(Status::Success)
}
