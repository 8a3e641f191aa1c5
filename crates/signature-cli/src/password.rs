//! Where a key password comes from: an environment variable, or the terminal without echo.

use std::io::IsTerminal as _;

use zeroize::Zeroizing;

use crate::error::CliError;

/// The password for `what` (e.g. "the key store keystore.p12"): from the environment
/// variable `env` when given, else from an interactive prompt without echo.
///
/// Refuses to prompt when standard input is not a terminal, so that a script never hangs
/// waiting for input nobody will type.
pub(crate) fn obtain(env: Option<&str>, what: &str) -> Result<Zeroizing<String>, CliError> {
    if let Some(variable) = env {
        return match std::env::var_os(variable) {
            None => Err(CliError::Usage(format!(
                "the environment variable {variable} named by --password-env is not set"
            ))),
            Some(value) => value.into_string().map(Zeroizing::new).map_err(|_| {
                CliError::Usage(format!(
                    "the environment variable {variable} named by --password-env is not valid UTF-8"
                ))
            }),
        };
    }
    if !std::io::stdin().is_terminal() {
        return Err(CliError::Usage(format!(
            "{what} needs a password, and standard input is not a terminal, so signering will \
             not prompt for it; put the password in an environment variable and pass \
             --password-env VARIABLE"
        )));
    }
    rpassword::prompt_password(format!("Password for {what}: "))
        .map(Zeroizing::new)
        .map_err(CliError::Prompt)
}
